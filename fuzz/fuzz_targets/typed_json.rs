#![no_main]
//! See `reglint::fuzzing::typed_json`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = reglint::fuzzing::typed_json(data) {
        panic!("{failure}");
    }
});
