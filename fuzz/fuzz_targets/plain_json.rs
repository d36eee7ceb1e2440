#![no_main]
//! See `reglint::fuzzing::plain_json`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = reglint::fuzzing::plain_json(data) {
        panic!("{failure}");
    }
});
