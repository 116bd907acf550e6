//! Any bytes as a config file: a config and warnings, or one error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(error) = tfnotify::config::parse(data, "tfnotify.yaml") {
        // The first line says what is wrong; it is never empty.
        assert!(!error.to_string().trim().is_empty());
    }
});
