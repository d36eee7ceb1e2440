#![no_main]
//! See `reglint::fuzzing::json_lines`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = reglint::fuzzing::json_lines(data) {
        panic!("{failure}");
    }
});
