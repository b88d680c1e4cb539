//! Inputs the fuzzers found, replayed: each is named after the bug it pinned.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::PathBuf;

use x837::scrub::{Settings, scrub};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(name);
    fs::read(p).unwrap()
}

fn idempotent(name: &str) {
    let input = fixture(name);
    let settings = Settings::default();
    let first = scrub(&input, "fuzz", &settings);
    let second = scrub(&first.output, "fuzz", &settings);
    assert_eq!(second.fixed(), 0, "{name}: a second scrub fixed more");
    assert_eq!(
        second.output, first.output,
        "{name}: a second scrub changed the output"
    );
}

/// An SV2 in an 837P was taken for the service line: diagnosis-pointer "fixed" its
/// seventh element (SV207, not a pointer) every time, never converging.
#[test]
fn scrub_sv2_in_837p_is_not_a_service_line() {
    idempotent("scrub-sv2-in-837p.x12");
}
