//! `synth --responses DIR`: the 277CA and 835 a payer would plausibly send back for a
//! synthetic batch. Of the claims with an injected error (from the truth), every other one
//! is rejected in the 277CA (category A7, a status code of the mapping in
//! `reply::reasons` that names one of its rules, else 21) and the rest are accepted there
//! and denied in the 835 (CLP02 4, a CO adjustment of a mapped CARC for the whole charge,
//! M119 in MOA for the NDC rules); the claims without an error are accepted and paid in
//! full. Names in NM1 are placeholders, never the batch's.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use crate::reply::reasons::{self, REASONS};
use crate::x12::Unit;
use crate::x12::stream::{self, Event};

/// One claim of the batch: CLM01, CLM02 as written.
struct Claim {
    id: String,
    charge: String,
}

/// What the payer does with a claim.
enum Verdict {
    Reject(&'static str),
    Deny {
        carc: &'static str,
        remark: Option<&'static str>,
    },
    Pay,
}

fn claims(batch: &[u8]) -> Vec<Claim> {
    let mut out = Vec::new();
    let _ = stream::for_each(batch, |e| {
        if let Event::Unit(Unit::Transaction(tx)) = e {
            for s in tx.segments.iter().filter(|s| s.is("CLM")) {
                out.push(Claim {
                    id: String::from_utf8_lossy(s.value(1)).into_owned(),
                    charge: String::from_utf8_lossy(s.value(2)).into_owned(),
                });
            }
        }
        ControlFlow::Continue(())
    });
    out
}

/// The code of `list` whose rules name one of `rules`.
fn code_for(list: &str, rules: &[String]) -> Option<&'static str> {
    (REASONS.iter())
        .find(|r| r.list == list && r.rules.iter().any(|x| rules.iter().any(|y| y == x)))
        .map(|r| r.code)
}

fn verdicts(claims: &[Claim], truth: &BTreeMap<String, Vec<String>>) -> Vec<Verdict> {
    let mut errored = 0;
    claims
        .iter()
        .map(|c| {
            let rules = truth.get(&c.id).cloned().unwrap_or_default();
            if rules.is_empty() {
                return Verdict::Pay;
            }
            errored += 1;
            if errored % 2 == 1 {
                return Verdict::Reject(code_for("277CA", &rules).unwrap_or("21"));
            }
            let ndc = reasons::lookup("RARC", "M119")
                .is_some_and(|m| m.rules.iter().any(|x| rules.iter().any(|y| y == x)));
            match (ndc, code_for("CARC", &rules)) {
                (true, _) => Verdict::Deny {
                    carc: "16",
                    remark: Some("M119"),
                },
                (false, Some(carc)) => Verdict::Deny { carc, remark: None },
                (false, None) => Verdict::Deny {
                    carc: "16",
                    remark: None,
                },
            }
        })
        .collect()
}

fn envelope(out: &mut Vec<String>, gs01: &str, control: u32, guide: &str) {
    out.push(format!(
        "ISA*00*          *00*          *ZZ*X837PAYER      *ZZ*X837SYNTH      *240801*1200*^*00501*{control:09}*0*P*:"
    ));
    out.push(format!(
        "GS*{gs01}*X837PAYER*X837SYNTH*20240801*1200*{control}*X*{guide}"
    ));
}

fn close(out: &mut Vec<String>, st: usize, control: u32) {
    let n = out.len() - st + 1;
    out.push(format!("SE*{n}*0001"));
    out.push(format!("GE*1*{control}"));
    out.push(format!("IEA*1*{control:09}"));
}

fn bytes(segments: Vec<String>) -> Vec<u8> {
    let mut s = segments.join("~\n");
    s.push_str("~\n");
    s.into_bytes()
}

fn sum(claims: &[&Claim]) -> String {
    claims
        .iter()
        .filter_map(|c| crate::claim::decimal(c.charge.as_bytes()))
        .sum::<rust_decimal::Decimal>()
        .to_string()
}

/// The 277CA of the batch.
fn ack(claims: &[Claim], v: &[Verdict]) -> Vec<u8> {
    let mut s = Vec::new();
    envelope(&mut s, "HN", 901, "005010X214");
    let st = s.len();
    s.push("ST*277*0001*005010X214".into());
    s.push("BHT*0085*08*SYNTHBATCH*20240801*1200*TH".into());
    s.push("HL*1**20*1".into());
    s.push("NM1*PR*2*X837 SYNTHETIC PAYER*****PI*X837PAYER".into());
    s.push("TRN*1*SYNTHACK".into());
    s.push("DTP*050*D8*20240801".into());
    s.push("DTP*009*D8*20240801".into());
    s.push("HL*2*1*21*1".into());
    s.push("NM1*41*2*X837 SYNTHETIC SUBMITTER*****46*X837SYNTH".into());
    s.push("TRN*2*SYNTHBATCH".into());
    let all: Vec<&Claim> = claims.iter().collect();
    let rejected: Vec<&Claim> = (claims.iter().zip(v))
        .filter(|(_, v)| matches!(v, Verdict::Reject(_)))
        .map(|(c, _)| c)
        .collect();
    let accepted: Vec<&Claim> = (claims.iter().zip(v))
        .filter(|(_, v)| !matches!(v, Verdict::Reject(_)))
        .map(|(c, _)| c)
        .collect();
    s.push(format!("STC*A1:19*20240801*WQ*{}", sum(&all)));
    s.push(format!("QTY*90*{}", accepted.len()));
    s.push(format!("QTY*AA*{}", rejected.len()));
    s.push(format!("AMT*YU*{}", sum(&accepted)));
    s.push(format!("AMT*YY*{}", sum(&rejected)));
    s.push("HL*3*2*19*1".into());
    s.push("NM1*85*2*X837 SYNTHETIC BILLING*****XX*1234567893".into());
    s.push("TRN*1*0".into());
    s.push(format!("STC*A1:19**WQ*{}", sum(&all)));
    for (i, (c, v)) in claims.iter().zip(v).enumerate() {
        s.push(format!("HL*{}*3*PT", i + 4));
        s.push("NM1*QC*1*PATIENT*SYNTHETIC****MI*X837PLACEHOLDER".into());
        s.push(format!("TRN*2*{}", c.id));
        match v {
            Verdict::Reject(code) => s.push(format!("STC*A7:{code}*20240801*U*{}", c.charge)),
            _ => s.push(format!("STC*A2:20*20240801*WQ*{}", c.charge)),
        }
        s.push(format!("REF*1K*ACK{}", c.id));
        s.push("DTP*472*D8*20240701".into());
    }
    close(&mut s, st, 901);
    bytes(s)
}

/// The 835 of the batch: the claims the 277CA accepted.
fn remit(claims: &[Claim], v: &[Verdict]) -> Vec<u8> {
    let paid: Vec<&Claim> = (claims.iter().zip(v))
        .filter(|(_, v)| matches!(v, Verdict::Pay))
        .map(|(c, _)| c)
        .collect();
    let total = sum(&paid);
    let mut s = Vec::new();
    envelope(&mut s, "HP", 902, "005010X221A1");
    let st = s.len();
    s.push("ST*835*0001".into());
    s.push(if paid.is_empty() {
        "BPR*H*0*C*NON************20240815".to_string()
    } else {
        format!(
            "BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240815"
        )
    });
    s.push("TRN*1*SYNTHCHECK*1512345678".into());
    s.push("DTM*405*20240815".into());
    s.push("N1*PR*X837 SYNTHETIC PAYER".into());
    s.push("N3*1 MAIN ST".into());
    s.push("N4*FARGO*ND*58102".into());
    s.push("PER*BL*EDI*TE*7015551212".into());
    s.push("N1*PE*X837 SYNTHETIC BILLING*XX*1234567893".into());
    s.push("LX*1".into());
    for (c, v) in claims.iter().zip(v) {
        match v {
            Verdict::Reject(_) => continue,
            Verdict::Pay => {
                s.push(format!(
                    "CLP*{}*1*{}*{}**MC*PCN{}",
                    c.id, c.charge, c.charge, c.id
                ));
                s.push("NM1*QC*1*PATIENT*SYNTHETIC****MI*X837PLACEHOLDER".into());
            }
            Verdict::Deny { carc, remark } => {
                s.push(format!("CLP*{}*4*{}*0**MC*PCN{}", c.id, c.charge, c.id));
                s.push(format!("CAS*CO*{carc}*{}", c.charge));
                s.push("NM1*QC*1*PATIENT*SYNTHETIC****MI*X837PLACEHOLDER".into());
                if let Some(r) = remark {
                    s.push(format!("MOA***{r}"));
                }
            }
        }
    }
    close(&mut s, st, 902);
    bytes(s)
}

/// The 277CA and the 835 for `batch`, whose truth (CLM01 to the rule ids of its injected
/// errors) is `truth`.
pub fn responses(batch: &[u8], truth: &BTreeMap<String, Vec<String>>) -> (Vec<u8>, Vec<u8>) {
    let claims = claims(batch);
    let v = verdicts(&claims, truth);
    (ack(&claims, &v), remit(&claims, &v))
}
