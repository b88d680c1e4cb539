//! Parse + write: whenever the input reads, Copy and Reserialize give it back byte for
//! byte. Inputs are steered towards X12 by putting a valid ISA in front of the fuzz data
//! when the data does not start with one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837::x12::Mode;
use x837::x12::writer::round_trip;

const ISA: &[u8] = b"ISA*00*          *00*          *ZZ*SUBMITTERS ID  *ZZ*RECEIVERS ID   *200101*1253*^*00501*000000905*0*T*:~";

fn check(input: &[u8]) {
    let copy = round_trip(input, Mode::Copy);
    let reser = round_trip(input, Mode::Reserialize);
    assert_eq!(copy.is_ok(), reser.is_ok());
    if let (Ok(c), Ok(r)) = (copy, reser) {
        assert_eq!(c, input, "Copy");
        assert_eq!(r, input, "Reserialize");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if !data.starts_with(b"ISA") {
        let mut steered = ISA.to_vec();
        steered.extend_from_slice(data);
        check(&steered);
    }
});
