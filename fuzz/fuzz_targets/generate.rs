//! `x837 generate` on a structure-aware claim description (a sample edited through
//! `arbitrary`, see `x837_fuzz::shape::description`): a valid description gives EDI that
//! validates clean; an invalid one errors, each with a JSON path, and writes no EDI.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837_fuzz::{invariants, shape};

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    if let Ok((json, valid)) = shape::description(&mut u) {
        shape::show(&json);
        invariants::generate(&json, valid);
    }
});
