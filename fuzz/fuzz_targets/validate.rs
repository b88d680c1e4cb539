//! Validation: no panic; every finding positioned inside the input (byte, segment,
//! line); validating twice, or from a reader that gives a few bytes at a time, gives the
//! same findings. Inputs are shaped X12 (see `x837_fuzz::shape`) or raw bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837_fuzz::{invariants, shape};

fuzz_target!(|data: &[u8]| {
    let input = shape::input(data, false);
    let trickle = 1 + usize::from(data.last().copied().unwrap_or(0));
    invariants::validate(&input, trickle);
});
