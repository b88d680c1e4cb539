//! The readers of replies (TA1, 999, 277CA, 835): no panic, the same replies read twice,
//! findings positioned inside the input. Inputs are shaped from the acknowledgments and
//! remittances x837 writes, from 837s, or raw bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837_fuzz::{invariants, shape};

fuzz_target!(|data: &[u8]| {
    let input = shape::input(data, true);
    let trickle = 1 + usize::from(data.last().copied().unwrap_or(0));
    invariants::readers(&input, trickle);
});
