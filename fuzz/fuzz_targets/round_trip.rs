//! Parse then write: whenever the input reads, Copy and Reserialize give it back byte
//! for byte. Inputs are shaped X12 (see `x837_fuzz::shape`) or raw bytes, which are also
//! tried behind a valid ISA.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837_fuzz::{invariants, shape};

const ISA: &[u8] = b"ISA*00*          *00*          *ZZ*SUBMITTERS ID  *ZZ*RECEIVERS ID   *200101*1253*^*00501*000000905*0*T*:~";

fuzz_target!(|data: &[u8]| {
    let input = shape::input(data, true);
    invariants::round_trip(&input);
    if data.first() == Some(&b'R') && !input.starts_with(b"ISA") {
        let mut steered = ISA.to_vec();
        steered.extend_from_slice(&input);
        invariants::round_trip(&steered);
    }
});
