#![no_main]
//! See `reglint::fuzzing::fix_round_trip`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = reglint::fuzzing::fix_round_trip(data) {
        panic!("{failure}");
    }
});
