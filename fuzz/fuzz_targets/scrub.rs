//! Validate and scrub any input: no panic, and a scrubbed output scrubs to itself
//! (idempotent) without fixing more. Inputs are steered into an 837P claim by putting an
//! envelope, a subscriber and a claim header in front of the fuzz data when it does not
//! start with an ISA, so the rules see claims, lines and drug loops.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837::scrub::{Settings, scrub};

const HEAD: &[u8] = b"ISA*00*          *00*          *ZZ*X837SUBMIT     *ZZ*X837RECEIVE    *260115*1200*^*00501*000000101*0*T*:~\nGS*HC*X837SUBMIT*X837RECEIVE*20260115*1200*101*X*005010X222A1~\nST*837*0001*005010X222A1~\nBHT*0019*00*BATCH0001*20260115*1200*CH~\nNM1*41*2*CLINIC*****46*X837SUBMIT~\nPER*IC*OFFICE*TE*5555550100~\nNM1*40*2*CLEARINGHOUSE*****46*X837RECEIVE~\nHL*1**20*1~\nNM1*85*2*CLINIC*****XX*1234567893~\nN3*100 MAIN STREET~\nN4*SPRINGFIELD*IL*627010001~\nREF*EI*123456789~\nHL*2*1*22*0~\nSBR*P*18*GRP001******CI~\nNM1*IL*1*DOE*JANE****MI*MEMBER0001~\nNM1*PR*2*PLAN*****PI*PAYER01~\nCLM*CLAIM0001*12650***22:B:1*Y*A*Y*Y~\nHI*ABK:G121~\n";

fn check(data: &[u8]) {
    let _ = x837::validate::validate(data, "fuzz");
    let settings = Settings::default();
    let first = scrub(data, "fuzz", &settings);
    if first.error.is_none() && !first.output.is_empty() {
        let second = scrub(&first.output, "fuzz", &settings);
        assert_eq!(second.fixed(), 0, "a second scrub fixed more");
        assert_eq!(second.output, first.output, "a second scrub changed the output");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if !data.starts_with(b"ISA") {
        let mut steered = HEAD.to_vec();
        steered.extend_from_slice(data);
        check(&steered);
    }
});
