//! Acknowledge any input: no panic, and every TA1, 999 and 277CA written is X12 that its
//! own guide accepts. Inputs are steered into an 837P claim as in the scrub target.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837::ack::{Options, acknowledge};
use x837::report::Severity;
use x837::scrub::{Fixes, Settings, scrub};
use x837::x12::Control;

const HEAD: &[u8] = b"ISA*00*          *00*          *ZZ*X837SUBMIT     *ZZ*X837RECEIVE    *260115*1200*^*00501*000000101*1*T*:~\nGS*HC*X837SUBMIT*X837RECEIVE*20260115*1200*101*X*005010X222A1~\nST*837*0001*005010X222A1~\nBHT*0019*00*BATCH0001*20260115*1200*CH~\nNM1*41*2*CLINIC*****46*X837SUBMIT~\nPER*IC*OFFICE*TE*5555550100~\nNM1*40*2*CLEARINGHOUSE*****46*X837RECEIVE~\nHL*1**20*1~\nNM1*85*2*CLINIC*****XX*1234567893~\nN3*100 MAIN STREET~\nN4*SPRINGFIELD*IL*627010001~\nREF*EI*123456789~\nHL*2*1*22*0~\nSBR*P*18*GRP001******CI~\nNM1*IL*1*DOE*JANE****MI*MEMBER0001~\nNM1*PR*2*PLAN*****PI*PAYER01~\nCLM*CLAIM0001*12650***22:B:1*Y*A*Y*Y~\nHI*ABK:G121~\n";

fn check(data: &[u8]) {
    let settings = Settings::new(None, Fixes::None, None).expect("default settings");
    let s = scrub(data, "fuzz", &settings);
    let acks = acknowledge(
        data,
        "fuzz",
        &s.findings,
        &Options::default(),
        &mut Control::default(),
    );
    for out in [&acks.ta1, &acks.k999, &acks.ca277] {
        if !out.is_empty() {
            let v = x837::validate::validate(out, "ack");
            assert!(v.error.is_none(), "an acknowledgment does not lex");
            assert!(
                v.findings.iter().all(|f| f.severity != Severity::Error),
                "an acknowledgment is not valid: {:?}",
                v.findings.first()
            );
        }
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
