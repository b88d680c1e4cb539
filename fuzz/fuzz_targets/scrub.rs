//! Validate and scrub any input: no panic, and a scrubbed output scrubs to itself
//! (idempotent) without fixing more.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837::scrub::{Settings, scrub};

fuzz_target!(|data: &[u8]| {
    let _ = x837::validate::validate(data, "fuzz");
    let settings = Settings::default();
    let first = scrub(data, "fuzz", &settings);
    if first.error.is_none() && !first.output.is_empty() {
        let second = scrub(&first.output, "fuzz", &settings);
        assert_eq!(second.fixed(), 0, "a second scrub fixed more");
        assert_eq!(second.output, first.output, "a second scrub changed the output");
    }
});
