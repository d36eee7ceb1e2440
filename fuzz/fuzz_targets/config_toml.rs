#![no_main]
//! See `reglint::fuzzing::config_toml`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = reglint::fuzzing::config_toml(data) {
        panic!("{failure}");
    }
});
