//! Acknowledgments: the TA1, 999 and 277CA x837 writes, read back with x837's readers and
//! checked by pyx12 (the independent oracle), rule by rule, on the samples, the corpus,
//! synth batches with injected errors and the real acknowledgments of `../shared/acks`.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use common::claims::{Claim, Line};
use common::pyx12::{self, Verdict};
use x837::ack::{self, Acks, Kinds, Options};
use x837::generate::synth::{self, SynthKind};
use x837::reply::{self, Replies};
use x837::report::Severity;
use x837::scrub::{Fixes, Settings};
use x837::x12::Control;

/// The clock of every acknowledgment here.
fn options() -> Options {
    let now = NaiveDate::from_ymd_opt(2026, 1, 16)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .unwrap();
    Options {
        kinds: Kinds::default(),
        now,
    }
}

/// Acknowledges `input` as `x837 ack` does: checked as received, nothing fixed.
fn acknowledge(input: &[u8]) -> Acks {
    let settings = Settings::new(None, Fixes::None, None).unwrap();
    let s = x837::scrub::scrub(input, "in.x12", &settings);
    let remaining = x837::run::ack::remaining(&s.findings);
    ack::acknowledge(
        input,
        "in.x12",
        &remaining,
        &options(),
        &mut Control::default(),
    )
}

/// A valid 837P: a J2326 dose and its administration.
fn base() -> String {
    Claim::p837()
        .line(Line::drug())
        .line(Line::admin())
        .render()
}

/// `text` with segment `from` made `to` (`""` removes it), SE01 counted again.
fn mutate(text: &str, from: &str, to: &str) -> String {
    let mut segs: Vec<String> = text.split("~\n").map(str::to_string).collect();
    let at = segs
        .iter()
        .position(|s| s == from)
        .unwrap_or_else(|| panic!("no segment {from}"));
    if to.is_empty() {
        segs.remove(at);
    } else {
        segs[at] = to.to_string();
    }
    let st = segs.iter().position(|s| s.starts_with("ST*")).unwrap();
    let se = segs.iter().position(|s| s.starts_with("SE*")).unwrap();
    let control = segs[se].rsplit('*').next().unwrap().to_string();
    segs[se] = format!("SE*{}*{control}", se - st + 1);
    segs.join("~\n")
}

/// A synth batch.
fn batch(kind: SynthKind, claims: u64, seed: u64, error_rate: f64) -> Vec<u8> {
    let mut out = Vec::new();
    let options = synth::Options {
        claims,
        seed,
        kind,
        error_rate,
        control: Control::default(),
    };
    synth::run(&options, &mut out, None::<std::io::Sink>).unwrap();
    out
}

/// A synth batch with the `--inject` variants `ids` (`all`: the X12 ones too: trailers,
/// control numbers, cut batches, HL and claim breaks).
fn injected(kind: SynthKind, claims: u64, seed: u64, ids: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    // Half the claims; every transaction, group and interchange (one of each here).
    let claim_level = ids.iter().all(|id| {
        x837::generate::variants::find(id).is_some_and(|v| {
            matches!(
                v.scope,
                x837::generate::variants::Scope::Claim | x837::generate::variants::Scope::J2326
            )
        })
    });
    let options = synth::Options {
        claims,
        seed,
        kind,
        error_rate: if claim_level { 0.5 } else { 1.0 },
        control: Control::default(),
    };
    let extra = synth::Extra {
        inject: x837::generate::variants::Selection::parse(ids).unwrap(),
        ..synth::Extra::default()
    };
    synth::run_with(&options, &extra, &mut out, None::<std::io::Sink>).unwrap();
    out
}

/// Synth batches with `--inject` variants: the X12 ones of a claim beside J2326 ones, and
/// each trailer, control number and HL break.
fn injected_batches() -> Vec<(String, Vec<u8>)> {
    let claim = [
        "segment-missing-hi",
        "element-missing-clm07",
        "segment-order-dtp-before-sv",
        "segment-unknown",
        "code-invalid-unit-basis",
        "element-too-long-units",
        "date-invalid",
        "clm02-unbalanced",
        "lx-gap",
        "npi-check-digit",
        "drug-units",
        "ndc-missing",
    ];
    let mut out = vec![
        (
            "inject-claim-837p".to_string(),
            injected(SynthKind::Professional, 60, 40, &claim),
        ),
        (
            "inject-claim-837i".to_string(),
            injected(SynthKind::Institutional, 60, 41, &claim),
        ),
    ];
    // One trailer, control number or HL break a batch: synth writes one of them.
    let envelopes = [
        "se01-wrong",
        "se02-mismatch",
        "se-missing",
        "ge01-wrong",
        "ge02-mismatch",
        "ge-missing",
        "iea01-wrong",
        "iea02-mismatch",
        "hl-parent-unknown",
        "hl-out-of-sequence",
    ];
    for (i, id) in envelopes.iter().enumerate() {
        let kind = [SynthKind::Professional, SynthKind::Institutional][i % 2];
        out.push((
            format!("inject-{id}"),
            injected(kind, 20, 50 + i as u64, &[id]),
        ));
    }
    out
}

fn read(bytes: &[u8]) -> Replies {
    reply::read(bytes)
}

// --- The 999, rule by rule -------------------------------------------------------------

/// A validation rule, the change to `base()` that breaks it, and what the 999 says:
/// the IK3's segment id and IK304, and the IK4's element, component and IK403.
struct Case {
    rule: &'static str,
    from: &'static str,
    to: &'static str,
    segment: &'static str,
    ik304: &'static str,
    ik4: Option<(u8, u8, &'static str)>,
}

const SV1_ADMIN: &str = "SV1*HC:62321*100*UN*1***1";

const CASES: &[Case] = &[
    Case {
        rule: "element-missing",
        from: "PER*IC*BILLING OFFICE*TE*5555550100",
        to: "PER*IC*BILLING OFFICE*TE",
        segment: "PER",
        ik304: "8",
        ik4: Some((4, 0, "1")),
    },
    Case {
        rule: "element-not-used",
        from: "NM1*41*2*NEUROLOGY INFUSION CLINIC*****46*X837SUBMIT",
        to: "NM1*41*2*NEUROLOGY INFUSION CLINIC***X**46*X837SUBMIT",
        segment: "NM1",
        ik304: "8",
        ik4: Some((6, 0, "I10")),
    },
    Case {
        rule: "element-too-many",
        from: "HL*1**20*1",
        to: "HL*1**20*1*X",
        segment: "HL",
        ik304: "8",
        ik4: Some((5, 0, "3")),
    },
    Case {
        rule: "element-too-many",
        from: "CLM*CLAIM0001*12600***11:B:1*Y*A*Y*Y",
        to: "CLM*CLAIM0001*12600***11:B:1:X*Y*A*Y*Y",
        segment: "CLM",
        ik304: "8",
        ik4: Some((5, 4, "13")),
    },
    Case {
        rule: "element-repeat",
        from: "REF*G1*PA20260001",
        to: "REF*G1*PA20260001^PA2",
        segment: "REF",
        ik304: "8",
        ik4: Some((2, 0, "12")),
    },
    Case {
        rule: "element-length",
        from: "NM1*41*2*NEUROLOGY INFUSION CLINIC*****46*X837SUBMIT",
        to: "NM1*41*2*NEUROLOGY INFUSION CLINIC*****46*X",
        segment: "NM1",
        ik304: "8",
        ik4: Some((9, 0, "4")),
    },
    Case {
        rule: "element-length",
        from: "HL*1**20*1",
        to: "HL*1**200*1",
        segment: "HL",
        ik304: "8",
        ik4: Some((3, 0, "5")),
    },
    Case {
        rule: "element-type",
        from: SV1_ADMIN,
        to: "SV1*HC:62321*1X0*UN*1***1",
        segment: "SV1",
        ik304: "8",
        ik4: Some((2, 0, "6")),
    },
    Case {
        rule: "element-type",
        from: "BHT*0019*00*BATCH0001*20260115*1200*CH",
        to: "BHT*0019*00*BATCH0001*20261315*1200*CH",
        segment: "BHT",
        ik304: "8",
        ik4: Some((4, 0, "8")),
    },
    Case {
        rule: "element-type",
        from: "BHT*0019*00*BATCH0001*20260115*1200*CH",
        to: "BHT*0019*00*BATCH0001*20260115*2599*CH",
        segment: "BHT",
        ik304: "8",
        ik4: Some((5, 0, "9")),
    },
    Case {
        rule: "code-invalid",
        from: "BHT*0019*00*BATCH0001*20260115*1200*CH",
        to: "BHT*0019*99*BATCH0001*20260115*1200*CH",
        segment: "BHT",
        ik304: "8",
        ik4: Some((2, 0, "7")),
    },
    Case {
        rule: "syntax-rule",
        from: "PER*IC*BILLING OFFICE*TE*5555550100",
        to: "PER*IC*BILLING OFFICE*TE*5555550100*EX",
        segment: "PER",
        ik304: "8",
        ik4: Some((6, 0, "2")),
    },
    Case {
        rule: "syntax-rule",
        from: "N4*SPRINGFIELD*IL*627010001",
        to: "N4*SPRINGFIELD*IL*627010001*US***ON",
        segment: "N4",
        ik304: "8",
        ik4: Some((7, 0, "10")),
    },
    Case {
        rule: "segment-unexpected",
        from: "REF*G1*PA20260001",
        to: "REF*G1*PA20260001~\nZZZ*1",
        segment: "ZZZ",
        ik304: "2",
        ik4: None,
    },
    Case {
        rule: "segment-order",
        from: "REF*G1*PA20260001",
        to: "HI*ABK:G121~\nREF*G1*PA20260001",
        segment: "REF",
        ik304: "7",
        ik4: None,
    },
    Case {
        rule: "segment-missing",
        from: "N3*100 MAIN STREET",
        to: "",
        segment: "N3",
        ik304: "3",
        ik4: None,
    },
    Case {
        rule: "segment-repeat",
        from: "REF*G1*PA20260001",
        to: "REF*G1*PA20260001~\nREF*G1*PA20260002",
        segment: "REF",
        ik304: "5",
        ik4: None,
    },
    Case {
        rule: "loop-missing",
        from: "NM1*40*2*EXAMPLE PAYER CLEARINGHOUSE*****46*X837RECEIVE",
        to: "",
        segment: "NM1",
        ik304: "3",
        ik4: None,
    },
    Case {
        rule: "loop-repeat",
        from: "NM1*85*2*NEUROLOGY INFUSION CLINIC*****XX*1234567893",
        to: "NM1*85*2*NEUROLOGY INFUSION CLINIC*****XX*1234567893~\nNM1*85*2*NEUROLOGY INFUSION CLINIC*****XX*1234567893",
        segment: "NM1",
        ik304: "4",
        ik4: None,
    },
    Case {
        rule: "hl-structure",
        from: "HL*2*1*22*0",
        to: "HL*3*1*22*0",
        segment: "HL",
        ik304: "8",
        ik4: Some((1, 0, "I12")),
    },
    Case {
        rule: "npi-check-digit",
        from: "NM1*85*2*NEUROLOGY INFUSION CLINIC*****XX*1234567893",
        to: "NM1*85*2*NEUROLOGY INFUSION CLINIC*****XX*1234567890",
        segment: "NM1",
        ik304: "8",
        ik4: Some((9, 0, "I12")),
    },
    Case {
        rule: "diagnosis-code",
        from: "HI*ABK:G121",
        to: "HI*ABK:1234",
        segment: "HI",
        ik304: "8",
        ik4: Some((1, 2, "7")),
    },
    Case {
        rule: "diagnosis-format",
        from: "HI*ABK:G121",
        to: "HI*ABK:G12.1",
        segment: "HI",
        ik304: "8",
        ik4: Some((1, 2, "I12")),
    },
    Case {
        rule: "procedure-code-format",
        from: SV1_ADMIN,
        to: "SV1*HC:6232*100*UN*1***1",
        segment: "SV1",
        ik304: "8",
        ik4: Some((1, 2, "7")),
    },
    Case {
        rule: "ndc-format",
        from: "LIN**N4*64406005801",
        to: "LIN**N4*6440600580",
        segment: "LIN",
        ik304: "8",
        ik4: Some((3, 0, "I12")),
    },
    Case {
        rule: "ndc-qualifier",
        from: "LIN**N4*64406005801",
        to: "LIN**XX*64406005801",
        segment: "LIN",
        ik304: "8",
        ik4: Some((2, 0, "7")),
    },
    Case {
        rule: "date-format",
        from: "DTP*472*D8*20260110",
        to: "DTP*472*D8*20261310",
        segment: "DTP",
        ik304: "8",
        ik4: Some((3, 0, "8")),
    },
    Case {
        rule: "claim-balance",
        from: "CLM*CLAIM0001*12600***11:B:1*Y*A*Y*Y",
        to: "CLM*CLAIM0001*12601***11:B:1*Y*A*Y*Y",
        segment: "CLM",
        ik304: "8",
        ik4: Some((2, 0, "I12")),
    },
    Case {
        rule: "line-numbering",
        from: "LX*2",
        to: "LX*3",
        segment: "LX",
        ik304: "8",
        ik4: Some((1, 0, "I12")),
    },
];

/// The 999 of `input`'s one transaction set.
fn one_999(input: &[u8]) -> (Acks, x837::reply::TransactionAck) {
    let acks = acknowledge(input);
    let r = read(&acks.k999);
    let tx = r.transactions().next().cloned().unwrap_or_else(|| {
        panic!(
            "no 999 transaction in {}",
            String::from_utf8_lossy(&acks.k999)
        )
    });
    (acks, tx)
}

#[test]
fn the_base_claim_is_accepted() {
    let (acks, tx) = one_999(base().as_bytes());
    assert_eq!(
        (tx.code.as_str(), tx.segments.len()),
        ("A", 0),
        "{}",
        String::from_utf8_lossy(&acks.k999)
    );
    assert!(acks.ta1.is_empty());
    let r = read(&acks.ca277);
    let claims: Vec<_> = r.claims().collect();
    assert_eq!(claims.len(), 1);
    assert!(!claims[0].rejected());
    assert_eq!(claims[0].statuses[0].category, "A2");
}

#[test]
fn every_validation_rule_gives_its_999_codes() {
    let codes = ack::mapping::syntax_errors();
    for case in CASES {
        let input = mutate(&base(), case.from, case.to);
        let v = x837::validate::validate(input.as_bytes(), "in.x12");
        assert!(
            v.findings
                .iter()
                .any(|f| f.rule == case.rule && f.severity == Severity::Error),
            "{}: the change does not break the rule: {:?}",
            case.rule,
            v.findings
                .iter()
                .map(|f| f.rule.as_str())
                .collect::<Vec<_>>()
        );
        let (acks, tx) = one_999(input.as_bytes());
        let shown = String::from_utf8_lossy(&acks.k999).into_owned();
        assert_eq!(tx.code, "R", "{}: {shown}", case.rule);
        assert!(
            tx.errors.contains(&"5".to_string()),
            "{}: IK5 in error: {shown}",
            case.rule
        );
        let ik3 = tx
            .segments
            .iter()
            .find(|s| s.id == case.segment && s.code == case.ik304)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no IK3*{}**{}: {shown}",
                    case.rule, case.segment, case.ik304
                )
            });
        // The segment's position counts from ST (1); the claim is named when in one.
        assert!(ik3.position >= 1);
        if let Some((pos, comp, code)) = case.ik4 {
            assert!(
                ik3.elements
                    .iter()
                    .any(|e| e.position == pos && e.component == comp && e.code == code),
                "{}: no IK4*{pos}:{comp}*..*{code}: {shown}",
                case.rule
            );
            // The data element numbers come from the grammar (an element past the
            // segment's last has none).
            if case.rule != "element-too-many" {
                assert!(
                    ik3.elements.iter().all(|e| !e.number.is_empty()),
                    "{}: IK402: {shown}",
                    case.rule
                );
            }
        }
        // The data says so too: the code tested here is the table's.
        if let Some(c) = codes.segment.get(case.rule) {
            assert_eq!(c, case.ik304, "{}", case.rule);
        }
        assert!(
            acks.ca277.is_empty(),
            "{}: a rejected transaction has no 277CA",
            case.rule
        );
        assert_eq!(acks.summary.not_acknowledged.len(), 1, "{}", case.rule);
    }
    // Every rule of the table is tried here, or in the envelope cases below.
    let tried: BTreeSet<&str> = CASES
        .iter()
        .map(|c| c.rule)
        .chain(ENVELOPE_RULES.iter().copied())
        .collect();
    for rule in codes.segment.keys().chain(codes.element.keys()) {
        // No guide segment is marked not used, so no input breaks that rule.
        if rule != "segment-not-used" {
            assert!(tried.contains(rule.as_str()), "{rule} has no case");
        }
    }
}

#[test]
fn ik404_copies_a_code_and_never_personal_data() {
    let input = mutate(
        &base(),
        "BHT*0019*00*BATCH0001*20260115*1200*CH",
        "BHT*0019*99*BATCH0001*20260115*1200*CH",
    );
    let (_, tx) = one_999(input.as_bytes());
    let ik4 = &tx.segments[0].elements[0];
    assert_eq!((ik4.code.as_str(), ik4.value.as_str()), ("7", "99"));
    // A bad member id (NM1, personal): named by position only.
    let input = mutate(
        &base(),
        "NM1*IL*1*DOE*JANE****MI*MEMBER0001",
        "NM1*IL*1*DOE*JANE****MI*M",
    );
    let (acks, tx) = one_999(input.as_bytes());
    let nm1 = tx.segments.iter().find(|s| s.id == "NM1").unwrap();
    assert!(nm1.elements.iter().all(|e| e.value.is_empty()));
    assert!(!String::from_utf8_lossy(&acks.k999).contains("DOE"));
    // The claim is named by CLM01, in CTX.
    let input = mutate(&base(), SV1_ADMIN, "SV1*HC:6232*100*UN*1***1");
    let (_, tx) = one_999(input.as_bytes());
    assert_eq!(tx.segments[0].claim.as_deref(), Some("CLAIM0001"));
    assert_eq!(tx.segments[0].loop_id, "2400");
}

/// Envelope rules the cases below try.
const ENVELOPE_RULES: &[&str] = &[];

#[test]
fn transaction_and_group_problems_go_in_ik5_and_ak9() {
    let b = base();
    let cases: [(&str, String, &str); 4] = [
        ("segment-count", b.replace("SE*30*0001", "SE*31*0001"), "4"),
        ("control-number", b.replace("SE*30*0001", "SE*30*0002"), "3"),
        (
            "version-mismatch",
            b.replace("ST*837*0001*005010X222A1", "ST*837*0001*005010X222A2"),
            "19",
        ),
        (
            "guide-unsupported",
            b.replace("005010X222A1", "005010X098A1"),
            "I6",
        ),
    ];
    assert!(b.contains("SE*30*0001"), "{b}");
    for (rule, input, code) in cases {
        let (acks, tx) = one_999(input.as_bytes());
        assert_eq!(tx.code, "R", "{rule}");
        assert!(
            tx.errors.contains(&code.to_string()),
            "{rule}: {}",
            String::from_utf8_lossy(&acks.k999)
        );
        assert!(acks.ca277.is_empty(), "{rule}");
    }
    for (rule, input, code) in [
        ("transaction-count", b.replace("GE*1*101", "GE*2*101"), "5"),
        ("control-number", b.replace("GE*1*101", "GE*1*102"), "4"),
    ] {
        let acks = acknowledge(input.as_bytes());
        let r = read(&acks.k999);
        let g = &r.groups[0];
        assert_eq!(g.code, "R", "{rule}");
        assert!(
            g.errors.contains(&code.to_string()),
            "{rule}: {}",
            String::from_utf8_lossy(&acks.k999)
        );
        assert!(
            acks.ca277.is_empty(),
            "{rule}: a rejected group has no 277CA"
        );
    }
}

// --- The TA1 ---------------------------------------------------------------------------

#[test]
fn a_broken_envelope_gets_a_rejecting_ta1_and_nothing_else() {
    let b = base();
    let isa = b.lines().next().unwrap().to_string();
    let cases: [(&str, String, &str); 6] = [
        (
            "group-count",
            b.replace("IEA*1*000000101", "IEA*2*000000101"),
            "021",
        ),
        (
            "control-number",
            b.replace("IEA*1*000000101", "IEA*1*000000102"),
            "001",
        ),
        (
            "ISA05 code",
            b.replace(&isa, &isa.replacen("*ZZ*", "*99*", 1)),
            "005",
        ),
        (
            "ISA06 width",
            b.replace(&isa, &isa.replace("X837SUBMIT     ", "X837SUBMIT")),
            "006",
        ),
        ("no IEA", b.replace("IEA*1*000000101~\n", ""), "023"),
        (
            "stray segment",
            b.replace("GE*1*101~\n", "GE*1*101~\nZZZ*1~\n"),
            "024",
        ),
    ];
    for (what, input, note) in cases {
        let acks = acknowledge(input.as_bytes());
        let r = read(&acks.ta1);
        assert_eq!(
            r.ta1.len(),
            1,
            "{what}: {}",
            String::from_utf8_lossy(&acks.ta1)
        );
        let t = &r.ta1[0];
        assert_eq!((t.code.as_str(), t.note.as_str()), ("R", note), "{what}");
        assert_eq!(t.control, "000000101", "{what}");
        assert!(acks.k999.is_empty() && acks.ca277.is_empty(), "{what}");
        assert_eq!(acks.summary.interchanges_rejected, 1);
        assert_eq!(acks.summary.not_acknowledged.len(), 1, "{what}");
        // Our own TA1 reads clean.
        let v = x837::validate::validate(&acks.ta1, "ta1");
        assert!(v.findings.is_empty(), "{what}: {:?}", v.findings);
    }
}

#[test]
fn an_interchange_that_asks_gets_an_accepting_ta1_too() {
    let b = base();
    let isa = b.lines().next().unwrap();
    let asks = b.replace(isa, &isa.replace("*0*T*:~", "*1*T*:~"));
    let acks = acknowledge(asks.as_bytes());
    let t = &read(&acks.ta1).ta1[0];
    assert_eq!(
        (
            t.code.as_str(),
            t.note.as_str(),
            t.date.as_str(),
            t.time.as_str()
        ),
        ("A", "000", "260115", "1200")
    );
    assert!(!acks.k999.is_empty() && !acks.ca277.is_empty());
    assert!(
        acknowledge(b.as_bytes()).ta1.is_empty(),
        "ISA14 0 and a sound envelope: no TA1"
    );
}

// --- The envelopes ---------------------------------------------------------------------

#[test]
fn acknowledgments_go_back_to_the_sender_in_its_delimiters() {
    // Other delimiters: `|` elements, `>` components, `!` terminator, CR LF line ends.
    let b = base()
        .replace('*', "|")
        .replace(':', ">")
        .replace("~\n", "!\r\n");
    let acks = acknowledge(b.as_bytes());
    for bytes in [&acks.k999, &acks.ca277] {
        let text = String::from_utf8_lossy(bytes);
        let isa: Vec<&str> = text.lines().next().unwrap().split('|').collect();
        assert_eq!(
            (isa[5], isa[6].trim(), isa[7], isa[8].trim()),
            ("ZZ", "X837RECEIVE", "ZZ", "X837SUBMIT"),
            "{text}"
        );
        assert!(text.contains("!\r\n") && !text.contains('*'), "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("GS|") && l.contains("|X837RECEIVE|X837SUBMIT|")),
            "{text}"
        );
    }
    assert!(read(&acks.ca277).claims().next().is_some());
    // Fresh control numbers, one sequence for the run.
    let mut numbers = Control::parse("500,600,700").unwrap();
    let a = ack::acknowledge(base().as_bytes(), "in", &[], &options(), &mut numbers);
    let k999 = String::from_utf8_lossy(&a.k999);
    let ca277 = String::from_utf8_lossy(&a.ca277);
    assert!(
        k999.contains("*000000500*0*T*")
            && k999.contains("GS*FA*")
            && k999.contains("*600*X*005010X231A1~")
            && k999.contains("ST*999*0700*"),
        "{k999}"
    );
    assert!(
        ca277.contains("*000000501*0*T*")
            && ca277.contains("*601*X*005010X214~")
            && ca277.contains("ST*277*0701*"),
        "{ca277}"
    );
    assert_eq!((numbers.isa13, numbers.gs06, numbers.st02), (502, 602, 702));
}

// --- The 277CA -------------------------------------------------------------------------

#[test]
fn the_277ca_rejects_a_claim_with_an_error_and_names_its_line() {
    // The dose's units are not one dose (drug-units, an error on line 1).
    let input = Claim::p837()
        .line(Line::drug().units("100"))
        .line(Line::admin())
        .render();
    let acks = acknowledge(input.as_bytes());
    let r = read(&acks.ca277);
    let c = r.claims().next().unwrap();
    assert_eq!(c.claim, "CLAIM0001");
    assert!(c.rejected() && c.action == "U", "{c:?}");
    assert_eq!(c.charge, Some(Decimal::from(12600)));
    let table = ack::mapping::claim_status();
    let want = table.rules.get("drug-units").unwrap();
    assert_eq!(c.lines.len(), 1, "{c:?}");
    let line = &c.lines[0];
    assert_eq!(line.line.as_deref(), Some("1"));
    assert_eq!(line.procedure, "J2326");
    assert_eq!(
        (
            line.statuses[0].category.as_str(),
            line.statuses[0].status.as_str(),
            line.statuses[0].entity.as_str()
        ),
        (
            want.category.as_str(),
            want.status.as_str(),
            want.entity.as_deref().unwrap_or("")
        )
    );
    // The patient is identified as the guide requires.
    assert!(String::from_utf8_lossy(&acks.ca277).contains("NM1*QC*1*DOE*JANE****MI*MEMBER0001~"));
    // A warning does not reject: prior-auth is one by default.
    let warned = Claim::p837()
        .no_prior_auth()
        .line(Line::drug())
        .line(Line::admin())
        .render();
    let acks = acknowledge(warned.as_bytes());
    assert!(!read(&acks.ca277).claims().next().unwrap().rejected());
    // A claim-level finding: no SMA diagnosis.
    let no_sma = Claim::p837()
        .hi("ABK:M6281")
        .line(Line::drug())
        .line(Line::admin())
        .render();
    let acks = acknowledge(no_sma.as_bytes());
    let c = read(&acks.ca277).claims().next().cloned().unwrap();
    let want = table.rules.get("diagnosis-missing").unwrap();
    assert!(
        c.statuses
            .iter()
            .any(|s| s.category == want.category && s.status == want.status),
        "{c:?}"
    );
}

#[test]
fn an_837i_claim_carries_its_bill_type_and_statement_dates() {
    let input = Claim::i837()
        .line(Line::drug())
        .line(Line::admin())
        .render();
    let acks = acknowledge(input.as_bytes());
    let text = String::from_utf8_lossy(&acks.ca277);
    assert!(
        text.contains("REF*BLT*131~") && text.contains("DTP*472*D8*20260110~"),
        "{text}"
    );
}

// --- pyx12 accepts what x837 writes ------------------------------------------------------

/// The 999s and 277CAs of `inputs`, labelled.
fn written(inputs: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, bytes) in inputs {
        let acks = acknowledge(bytes);
        for (kind, b) in [("999", acks.k999), ("277ca", acks.ca277)] {
            if !b.is_empty() {
                out.push((format!("{name}.{kind}"), b));
            }
        }
    }
    out
}

fn assert_pyx12_accepts(acks: &[(String, Vec<u8>)]) {
    let bytes: Vec<Vec<u8>> = acks.iter().map(|(_, b)| b.clone()).collect();
    let checked = pyx12::validate_all(&bytes, 2);
    let failed: Vec<String> = acks
        .iter()
        .zip(&checked)
        .filter_map(|((name, _), c)| match &c.verdict {
            Verdict::Ok => None,
            Verdict::Failure(m) => Some(format!(
                "{name}: {}",
                m.lines().rev().take(6).collect::<Vec<_>>().join(" | ")
            )),
        })
        .collect();
    assert!(failed.is_empty(), "pyx12 rejects:\n{}", failed.join("\n"));
}

fn samples() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["samples", "samples/scrub"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(common::root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "x12"))
            .collect();
        paths.sort();
        out.extend(
            paths
                .into_iter()
                .map(|p| (common::file_name(&p), std::fs::read(&p).unwrap())),
        );
    }
    out
}

#[test]
fn pyx12_accepts_the_acks_of_samples_rule_cases_and_synth_batches() {
    let mut inputs = samples();
    for (i, case) in CASES.iter().enumerate() {
        inputs.push((
            format!("case{i}-{}", case.rule),
            mutate(&base(), case.from, case.to).into_bytes(),
        ));
    }
    inputs.push(("837p".into(), batch(SynthKind::Professional, 300, 11, 0.3)));
    inputs.push(("837i".into(), batch(SynthKind::Institutional, 200, 12, 0.4)));
    inputs.push(("mixed".into(), batch(SynthKind::Mixed, 200, 13, 0.6)));
    inputs.extend(injected_batches());
    let damaged = damage(&[base().into_bytes()], 60);
    inputs.extend(
        damaged
            .into_iter()
            .enumerate()
            .map(|(i, b)| (format!("damaged{i}"), b)),
    );
    let acks = written(&inputs);
    // Rejections of every kind are among them.
    let replies: Vec<Replies> = acks.iter().map(|(_, b)| read(b)).collect();
    assert!(
        replies
            .iter()
            .any(|r| r.claims().any(|c| c.rejected() && !c.lines.is_empty()))
    );
    assert!(replies.iter().any(|r| {
        r.transactions()
            .any(|t| t.segments.iter().any(|s| !s.elements.is_empty()))
    }));
    assert_pyx12_accepts(&acks);
    eprintln!(
        "pyx12 accepts all {} acknowledgments of {} inputs",
        acks.len(),
        inputs.len()
    );
}

// --- The corpus --------------------------------------------------------------------------

/// Why pyx12 cannot read an input (its acknowledgments, in its delimiters, neither).
fn unreadable_by_pyx12(bytes: &[u8]) -> Option<&'static str> {
    let mut lexer = x837::x12::Lexer::new(bytes);
    match lexer.next() {
        Some(Ok(isa)) if isa.delimiters.segment == b'\n' => Some("newline terminator"),
        _ => None,
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn pyx12_accepts_the_acks_of_the_corpus() {
    let mut inputs = Vec::new();
    let mut exempt = Vec::new();
    for (name, bytes) in common::x12_corpus() {
        match unreadable_by_pyx12(&bytes) {
            Some(why) => exempt.push(format!("{name}: {why}")),
            None => inputs.push((name, bytes)),
        }
    }
    let acks = written(&inputs);
    assert!(acks.len() > 30, "{}", acks.len());
    assert_pyx12_accepts(&acks);
    eprintln!(
        "pyx12 accepts all {} acknowledgments of {} corpus files; exempt: {exempt:?}",
        acks.len(),
        inputs.len()
    );
}

/// Why pyx12 gives no verdict on an 837, if it gives none (tests/oracle.rs says the same).
fn no_pyx12_verdict(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Some("UTF-8 BOM: pyx12 crashes with UnicodeDecodeError");
    }
    if let Some(why) = unreadable_by_pyx12(bytes) {
        return Some(why);
    }
    let text = String::from_utf8_lossy(bytes);
    (text.contains("005010X222A2") || text.contains("005010X223A3"))
        .then_some("GS08 005010X222A2/005010X223A3: stock pyx12 has no map")
}

/// Accepted or rejected, by ST02, as a 999 (and a TA1) say: IK5, unless AK9 rejects
/// the whole group: AK901 R with none accepted, or with a group error in AK905 (for a
/// GE02 that differs from GS06 pyx12 writes `AK9*R*1*1*1*4`, counting the set accepted;
/// x837 `AK9*R*1*1*0*4`). pyx12 also writes AK901 R, not P, when only some sets are
/// rejected, with no AK905: those that IK5 accepts are accepted.
fn verdicts(r: &Replies) -> Vec<(String, bool)> {
    if r.ta1.iter().any(|t| !t.accepted()) {
        return Vec::new();
    }
    r.groups
        .iter()
        .flat_map(|g| {
            let group_rejected = g.code == "R" && (g.accepted == "0" || !g.errors.is_empty());
            g.transactions
                .iter()
                .map(move |t| (t.control.clone(), t.accepted() && !group_rejected))
        })
        .collect()
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn our_999_and_pyx12s_agree_on_every_transaction() {
    use common::stricter::{STRICTER, STRICTER_FILES};
    let mut inputs: Vec<(String, Vec<u8>)> = common::x12_corpus();
    inputs.extend(samples());
    inputs.push(("synth-mixed".into(), batch(SynthKind::Mixed, 200, 31, 0.5)));
    inputs.push((
        "synth-837i".into(),
        batch(SynthKind::Institutional, 120, 32, 0.5),
    ));
    inputs.extend(injected_batches());
    let mut not_compared = Vec::new();
    inputs.retain(|(name, b)| match no_pyx12_verdict(b) {
        Some(why) => {
            not_compared.push(format!("{name}: {why}"));
            false
        }
        None => true,
    });
    let bytes: Vec<Vec<u8>> = inputs.iter().map(|(_, b)| b.clone()).collect();
    let theirs = pyx12::validate_all(&bytes, 2);
    let (mut agreed, mut explained, mut failures) = (0, Vec::new(), Vec::new());
    for ((name, input), checked) in inputs.iter().zip(&theirs) {
        let Some(their_999) = &checked.ack else {
            failures.push(format!("{name}: pyx12 wrote no 999"));
            continue;
        };
        let theirs = verdicts(&read(their_999));
        let acks = acknowledge(input);
        let mut ours = BTreeSet::new();
        for (st02, ok) in verdicts(&read(&acks.k999)) {
            ours.insert((st02, ok));
        }
        let findings = x837::validate::validate(input, name).findings;
        let ta1_rejects = read(&acks.ta1).ta1.iter().any(|t| !t.accepted());
        let file_fails = matches!(checked.verdict, Verdict::Failure(_));
        for (st02, they_accept) in &theirs {
            let we_accept = ours.contains(&(st02.clone(), true));
            if we_accept == *they_accept {
                agreed += 1;
                continue;
            }
            // Where x837 rejects and pyx12 accepts, every error must be a stricter rule.
            let errors: BTreeSet<&str> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .filter(|f| f.position.transaction.as_deref().is_none_or(|t| t == st02))
                .map(|f| f.rule.as_str())
                .collect();
            let unexplained: Vec<&&str> = errors
                .iter()
                .filter(|r| !STRICTER.iter().any(|(s, _)| s == *r))
                .filter(|r| !STRICTER_FILES.iter().any(|(f, s, _)| f == name && s == *r))
                .collect();
            // A broken envelope: x837's TA1 rejects the interchange (and sends no 999 for
            // it); pyx12 fails the file too, but its 999 has no place for what is wrong
            // with the interchange, so it accepts the sets inside.
            let envelope_only = !errors.is_empty()
                && (errors.iter()).all(|r| {
                    x837::report::RuleId::parse(r)
                        .is_some_and(|r| r.source() == x837::report::Source::Envelope)
                });
            if !we_accept && ta1_rejects && file_fails && envelope_only {
                explained.push(format!(
                    "{name} {st02}: x837's TA1 rejects its interchange ({}); pyx12 fails the file, its 999 accepts the set",
                    errors.iter().copied().collect::<Vec<_>>().join(", ")
                ));
                continue;
            }
            if !we_accept && unexplained.is_empty() {
                explained.push(format!(
                    "{name} {st02}: x837 rejects ({})",
                    errors.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            } else {
                failures.push(format!(
                    "{name} {st02}: x837 {} it, pyx12 {} it (unexplained: {unexplained:?})",
                    if we_accept { "accepts" } else { "rejects" },
                    if *they_accept { "accepts" } else { "rejects" }
                ));
            }
        }
    }
    eprintln!("{agreed} transactions agree in {} files", inputs.len());
    eprintln!(
        "disagreements explained by stricter rules:\n  {}",
        explained.join("\n  ")
    );
    eprintln!("not compared:\n  {}", not_compared.join("\n  "));
    assert!(failures.is_empty(), "unexplained:\n{}", failures.join("\n"));
    assert!(agreed > 50, "only {agreed} agreements");
}

// --- scrub --ack-dir ---------------------------------------------------------------------

#[test]
fn scrub_ack_dir_rejects_exactly_the_claims_that_keep_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("batch.x12");
    std::fs::write(&input, batch(SynthKind::Mixed, 300, 21, 0.5)).unwrap();
    let fixed = dir.path().join("fixed.x12");
    let report = dir.path().join("r.json");
    let acks = dir.path().join("acks");
    let p = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let out = common::x837(&[
        "scrub",
        &p(&input),
        "-o",
        &p(&fixed),
        "--report",
        &p(&report),
        "--ack-dir",
        &p(&acks),
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        common::show(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let keep_error: BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error" && f["fixed"] == false)
        .filter_map(|f| f["claim"].as_str().map(str::to_string))
        .collect();
    assert!(!keep_error.is_empty(), "the batch keeps some errors");
    let k999 = read(&std::fs::read(acks.join("batch.999")).unwrap());
    assert!(
        k999.transactions().all(|t| t.accepted()),
        "the corrected batch is valid"
    );
    let ca277 = read(&std::fs::read(acks.join("batch.277ca")).unwrap());
    let rejected: BTreeSet<String> = ca277
        .claims()
        .filter(|c| c.rejected())
        .map(|c| c.claim.clone())
        .collect();
    assert_eq!(
        rejected, keep_error,
        "rejected: exactly the claims an error remains on"
    );
    // Counts and STC04 totals add up to the corrected file's.
    let corrected = std::fs::read(&fixed).unwrap();
    let info = x837::info::count(&corrected, "fixed").info;
    assert_eq!(ca277.claims().count() as u64, info.claims);
    let stc04: Decimal = ca277.claims().filter_map(|c| c.charge).sum();
    assert_eq!(stc04, info.billed);
    let clm01: BTreeSet<String> = common::lex_all(&corrected)
        .iter()
        .filter(|s| s.is("CLM"))
        .map(|s| String::from_utf8_lossy(s.value(1)).into_owned())
        .collect();
    let acknowledged: BTreeSet<String> = ca277.claims().map(|c| c.claim.clone()).collect();
    assert_eq!(acknowledged, clm01);
    for b in &ca277.batches {
        let n = Decimal::from(b.claims.len() as u64);
        assert_eq!(
            b.accepted.unwrap_or_default() + b.rejected.unwrap_or_default(),
            n
        );
        let total: Decimal = b.claims.iter().filter_map(|c| c.charge).sum();
        assert_eq!(b.charge, Some(total));
        assert_eq!(
            b.accepted_amount.unwrap_or_default() + b.rejected_amount.unwrap_or_default(),
            total
        );
        let rejected = b.claims.iter().filter(|c| c.rejected()).count() as u64;
        assert_eq!(b.rejected.unwrap_or_default(), Decimal::from(rejected));
    }
    // The acknowledgments read clean.
    for name in ["batch.999", "batch.277ca"] {
        let v = x837::validate::validate(&std::fs::read(acks.join(name)).unwrap(), name);
        assert!(v.findings.is_empty(), "{name}: {:?}", v.findings.first());
    }
    assert!(
        !acks.join("batch.ta1").exists(),
        "no TA1 for a sound interchange that asks none"
    );
}

/// CLM01 of the claims of `file` that keep an error-level finding in a scrub report.
fn keep_error(report: &serde_json::Value, file: &str) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error" && f["fixed"] == false && f["file"] == file)
        .filter_map(|f| f["claim"].as_str().map(str::to_string))
        .collect()
}

/// CLM01 of every claim of an 837.
fn clm01s(edi: &[u8]) -> BTreeSet<String> {
    common::lex_all(edi)
        .iter()
        .filter(|s| s.is("CLM"))
        .map(|s| String::from_utf8_lossy(s.value(1)).into_owned())
        .collect()
}

#[test]
fn scrub_ack_dir_follows_new_control_numbers_over_a_batch() {
    // Two inputs scrubbed in parallel into renumbered outputs: each one's 277CA still
    // rejects exactly its claims that keep an error (the findings name the control
    // numbers as read, the corrected output has new ones).
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    for (name, seed) in [("a.x12", 31), ("b.x12", 32)] {
        std::fs::write(inputs.join(name), batch(SynthKind::Mixed, 120, seed, 0.5)).unwrap();
    }
    let out_dir = dir.path().join("out");
    let report = dir.path().join("r.json");
    let acks = dir.path().join("acks");
    let p = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let out = common::x837(&[
        "scrub",
        &p(&inputs),
        "--out-dir",
        &p(&out_dir),
        "--report",
        &p(&report),
        "--ack-dir",
        &p(&acks),
        "--new-control-numbers",
        "7000,8000,9000",
        "--jobs",
        "2",
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        common::show(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    for stem in ["a", "b"] {
        let file = p(&inputs.join(format!("{stem}.x12")));
        let corrected = std::fs::read(out_dir.join(format!("{stem}.x12"))).unwrap();
        let isa13 = common::lex_all(&corrected)
            .iter()
            .find(|s| s.is("ISA"))
            .map(|s| String::from_utf8_lossy(s.value(13)).into_owned())
            .unwrap();
        assert_ne!(isa13.trim_start_matches('0'), "1", "{stem}: renumbered");
        let keep = keep_error(&report, &file);
        assert!(!keep.is_empty(), "{stem}: the batch keeps some errors");
        let ca277 = read(&std::fs::read(acks.join(format!("{stem}.277ca"))).unwrap());
        let rejected: BTreeSet<String> = (ca277.claims())
            .filter(|c| c.rejected())
            .map(|c| c.claim.clone())
            .collect();
        assert_eq!(rejected, keep, "{stem}");
        let acknowledged: BTreeSet<String> = ca277.claims().map(|c| c.claim.clone()).collect();
        assert_eq!(acknowledged, clm01s(&corrected), "{stem}");
    }
}

#[test]
fn scrub_ack_dir_with_split_rejected_accepts_what_stays() {
    // The claims split off are not in the corrected output, so not in its 277CA; what
    // stays is accepted. `x837 ack` on the rejected file rejects every claim in it.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("batch.x12");
    std::fs::write(&input, batch(SynthKind::Mixed, 200, 33, 0.5)).unwrap();
    let fixed = dir.path().join("fixed.x12");
    let rejected_dir = dir.path().join("rejected");
    let acks = dir.path().join("acks");
    let p = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let out = common::x837(&[
        "scrub",
        &p(&input),
        "-o",
        &p(&fixed),
        "--split-rejected",
        &p(&rejected_dir),
        "--ack-dir",
        &p(&acks),
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        common::show(&out.stderr)
    );
    let corrected = std::fs::read(&fixed).unwrap();
    let ca277 = read(&std::fs::read(acks.join("batch.277ca")).unwrap());
    assert!(
        ca277.claims().all(|c| !c.rejected()),
        "what stays is accepted"
    );
    let acknowledged: BTreeSet<String> = ca277.claims().map(|c| c.claim.clone()).collect();
    assert_eq!(acknowledged, clm01s(&corrected));
    let split = std::fs::read(rejected_dir.join("batch.x12")).unwrap();
    let split_claims = clm01s(&split);
    assert!(!split_claims.is_empty(), "some claims were split off");
    assert!(acknowledged.is_disjoint(&split_claims));
    let again = dir.path().join("acks-rejected");
    let out = common::x837(&[
        "ack",
        &p(&rejected_dir.join("batch.x12")),
        "--out-dir",
        &p(&again),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", common::show(&out.stderr));
    let ca277 = read(&std::fs::read(again.join("batch.277ca")).unwrap());
    let rejected: BTreeSet<String> = (ca277.claims())
        .filter(|c| c.rejected())
        .map(|c| c.claim.clone())
        .collect();
    assert_eq!(rejected, split_claims);
}

#[test]
fn scrub_ack_dir_needs_the_corrected_edi_in_a_file() {
    let sample = common::root().join("samples/837p-j2326.x12");
    let dir = tempfile::tempdir().unwrap();
    let acks = dir.path().join("acks").to_string_lossy().into_owned();
    let s = sample.to_string_lossy().into_owned();
    for args in [
        vec!["scrub", &s, "--ack-dir", &acks],
        vec!["scrub", &s, "--check", "--ack-dir", &acks],
    ] {
        let out = common::x837(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            common::show(&out.stderr).contains("--ack-dir"),
            "{}",
            common::show(&out.stderr)
        );
    }
}

// --- x837 ack ----------------------------------------------------------------------------

#[test]
fn x837_ack_writes_name_dot_kind_and_says_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let o = out_dir.to_string_lossy().into_owned();
    let clean = common::root()
        .join("samples/837p-j2326.x12")
        .to_string_lossy()
        .into_owned();
    let out = common::x837(&["ack", &clean, "--out-dir", &o]);
    assert_eq!(out.status.code(), Some(0), "{}", common::show(&out.stderr));
    assert!(out_dir.join("837p-j2326.999").is_file() && out_dir.join("837p-j2326.277ca").is_file());
    assert!(!out_dir.join("837p-j2326.ta1").exists());
    // A rejected claim: exit 1.
    let bad = common::root()
        .join("samples/scrub/drug-units.x12")
        .to_string_lossy()
        .into_owned();
    let out = common::x837(&["ack", &bad, "--out-dir", &o, "--kinds", "277ca"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::show(&out.stderr));
    assert!(out_dir.join("drug-units.277ca").is_file() && !out_dir.join("drug-units.999").exists());
    let err = common::show(&out.stderr);
    assert!(err.contains("0 claims accepted, 1 rejected"), "{err}");
    // Standard input: stdin.*; a rejected transaction's claims listed in the report.
    let rejected = mutate(&base(), "HL*2*1*22*0", "HL*3*1*22*0");
    let report = dir.path().join("r.json").to_string_lossy().into_owned();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(["ack", "-", "--out-dir", &o, "--report", &report])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(rejected.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", common::show(&out.stderr));
    assert!(out_dir.join("stdin.999").is_file() && !out_dir.join("stdin.277ca").exists());
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let na = &r["inputs"][0]["summary"]["not_acknowledged"][0];
    assert_eq!(
        (na["claim"].as_str(), na["reason"].as_str()),
        (
            Some("CLAIM0001"),
            Some("the 999 rejects its transaction set")
        )
    );
    // Not X12: exit 2, nothing written.
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "hello").unwrap();
    let out = common::x837(&["ack", &junk.to_string_lossy(), "--out-dir", &o]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out_dir.join("junk.999").exists());
}

#[test]
fn x837_ack_over_a_directory_fails_only_the_input_it_cannot_write() {
    // A directory argument's files keep their path under --out-dir; a directory in the
    // way of one acknowledgment fails that input (exit 2), the others are written.
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(inputs.join("sub")).unwrap();
    let sample = std::fs::read(common::root().join("samples/837p-j2326.x12")).unwrap();
    std::fs::write(inputs.join("one.x12"), &sample).unwrap();
    std::fs::write(inputs.join("sub/two.x12"), &sample).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(out_dir.join("one.999")).unwrap();
    let p = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let out = common::x837(&["ack", &p(&inputs), "--out-dir", &p(&out_dir)]);
    let err = common::show(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write its acknowledgments"), "{err}");
    assert!(out_dir.join("sub/two.999").is_file(), "{err}");
    assert!(out_dir.join("sub/two.277ca").is_file(), "{err}");
    assert!(
        !out_dir.join("one.277ca").exists(),
        "nothing of a refused input"
    );
}

#[test]
fn x837_ack_refuses_bad_usage_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().to_string_lossy().into_owned();
    let clean = common::root()
        .join("samples/837p-j2326.x12")
        .to_string_lossy()
        .into_owned();
    for (args, says) in [
        (
            vec!["ack", &clean, "--out-dir", &o, "--kinds", "997"],
            "--kinds",
        ),
        (
            vec!["ack", &clean, "--out-dir", &o, "--new-control-numbers", "0"],
            "--new-control-numbers",
        ),
        (
            vec![
                "ack",
                &clean,
                "--out-dir",
                &o,
                "--new-control-numbers",
                "1,2,3,4",
            ],
            "--new-control-numbers",
        ),
        (
            vec!["ack", &clean, "--out-dir", &o, "--profile", "nonesuch"],
            "nonesuch",
        ),
        (vec!["ack", &clean], "--out-dir"),
    ] {
        let out = common::x837(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            common::show(&out.stderr).contains(says),
            "{args:?}: {}",
            common::show(&out.stderr)
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{args:?}: nothing written"
        );
    }
    // An acknowledgment that would replace an input.
    let input = dir.path().join("a.999");
    std::fs::write(&input, base()).unwrap();
    let out = common::x837(&["ack", &input.to_string_lossy(), "--out-dir", &o]);
    assert_eq!(out.status.code(), Some(2), "{}", common::show(&out.stderr));
    assert_eq!(std::fs::read(&input).unwrap(), base().as_bytes());
}

// --- Reading real acknowledgments --------------------------------------------------------

/// `acks/MANIFEST.tsv`: (file, intent).
fn acks_manifest() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(common::acks_dir().join("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (file, intent) = (col("local_file"), col("intent"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            (cells[file].to_string(), cells[intent].to_string())
        })
        .collect()
}

/// Findings a valid file may have: guide findings pyx12 reports too, and the stricter
/// rules (common::stricter).
const VALID_WITH: &[(&str, &str, &str)] = &[
    (
        "18_",
        "segment-missing",
        "2200C STC missing; pyx12: Mandatory segment \"Billing Provider Status Information\" (STC) missing",
    ),
    ("19_", "segment-missing", "the same eMedNY sample as 18"),
    ("20_", "segment-missing", "the same eMedNY sample as 18"),
    (
        "22_",
        "loop-missing",
        "2200C missing; pyx12: Mandatory loop \"Provider of Service Information Trace Identifier\" (2200C) missing",
    ),
    (
        "22_",
        "element-missing",
        "STC02 missing; pyx12: Mandatory data element \"Status Information Effective Date\" (STC02) is missing",
    ),
    (
        "28_",
        "element-type",
        "BPR16 20002316; pyx12: Data element \"Check Issue or EFT Effective Date\" (BPR16) contains an invalid date",
    ),
    (
        "28_",
        "segment-missing",
        "1000A PER (payer technical contact) missing; pyx12 counts 2 errors",
    ),
    (
        "29_",
        "code-invalid",
        "SVC01-01 XX: the de-identification replaced HC by XX (pyx12 cannot read the file: BOM)",
    ),
    (
        "33_",
        "code-invalid",
        "N402 NP; pyx12: (NP) is not a valid code for Payee State Code (N402)",
    ),
];

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn real_acknowledgments_are_read_without_a_panic() {
    use common::stricter::STRICTER;
    let rows = acks_manifest();
    assert!(rows.len() >= 20, "{}", rows.len());
    for (file, intent) in &rows {
        let path = common::acks_dir().join(file).to_string_lossy().into_owned();
        for cmd in [vec!["info", &path], vec!["parse", &path]] {
            let out = common::x837(&cmd);
            assert!(
                matches!(out.status.code(), Some(0..=2)),
                "{cmd:?}: {:?}",
                out.status
            );
        }
        let out = common::x837(&["validate", "--format", "json", &path]);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "validate {file}: {:?}",
            out.status
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let findings = v["findings"].as_array().unwrap();
        let rules: BTreeSet<&str> = findings
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        let _ = read(&std::fs::read(common::acks_dir().join(file)).unwrap());
        if intent == "valid" {
            let bad: Vec<&&str> = rules
                .iter()
                .filter(|r| {
                    !VALID_WITH
                        .iter()
                        .any(|(f, rule, _)| file.starts_with(f) && rule == *r)
                })
                .filter(|r| !STRICTER.iter().any(|(s, _)| s == *r))
                .collect();
            assert!(bad.is_empty(), "{file} (valid): {bad:?}");
            let envelope = findings.iter().any(|f| {
                let r = x837::report::RuleId::parse(f["rule"].as_str().unwrap()).unwrap();
                r.source() == x837::report::Source::Envelope
            });
            assert!(!envelope, "{file} (valid): an envelope finding");
        } else {
            let positioned = findings
                .iter()
                .any(|f| f["severity"] == "error" && f["segment"].is_u64() && f["byte"].is_u64());
            assert!(
                code == Some(2) || positioned,
                "{file} ({intent}): neither a positioned error nor exit 2"
            );
        }
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn the_readers_say_what_real_acknowledgments_say() {
    let file = |prefix: &str| {
        let p = std::fs::read_dir(common::acks_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| common::file_name(p).starts_with(prefix))
            .unwrap();
        read(&std::fs::read(p).unwrap())
    };
    // The guide's example: three 837s, the second and third rejected.
    let r = file("07_");
    let t: Vec<_> = r.transactions().collect();
    assert_eq!(
        t.iter().map(|t| t.accepted()).collect::<Vec<_>>(),
        [true, false, false]
    );
    let clm = &t[1].segments[0];
    assert_eq!(
        (
            clm.id.as_str(),
            clm.position,
            clm.code.as_str(),
            clm.claim.as_deref()
        ),
        ("CLM", 22, "8", Some("123456789"))
    );
    assert_eq!(
        (
            clm.elements[0].position,
            clm.elements[0].number.as_str(),
            clm.elements[0].code.as_str()
        ),
        (2, "782", "1")
    );
    assert_eq!(
        (r.groups[0].code.as_str(), r.groups[0].accepted.as_str()),
        ("P", "1")
    );
    // eMedNY's rejected 277CA: the billing provider's NPI.
    let c = file("19_").claims().next().cloned().unwrap();
    assert!(c.rejected());
    assert_eq!(
        (
            c.statuses[0].category.as_str(),
            c.statuses[0].status.as_str(),
            c.statuses[0].entity.as_str()
        ),
        ("A7", "562", "85")
    );
    assert!(!file("18_").claims().next().unwrap().rejected());
    // The 277CA guide example: three claims, two rejected, one with a line.
    let r = file("22_");
    let claims: Vec<_> = r.claims().collect();
    assert_eq!(
        claims.iter().map(|c| c.rejected()).collect::<Vec<_>>(),
        [false, true, true]
    );
    assert_eq!(claims[1].lines[0].line.as_deref(), Some("11"));
    assert_eq!(r.batches[0].accepted, Some(Decimal::from(1)));
    // pyx12's 835 with a denied claim: CLP02 4, CO-16 and OA-A7 on its lines, N14.
    let r = file("30_");
    let c = r.payments().next().cloned().unwrap();
    assert_eq!(
        (c.claim.as_str(), c.status.as_str(), c.payer_claim.as_str()),
        ("2005555A", "4", "4276512332")
    );
    assert_eq!(c.charge, Some(Decimal::new(91539, 2)));
    assert!(c.unpaid());
    assert_eq!(c.lines.len(), 3);
    let a = &c.lines[0].adjustments[0];
    assert_eq!((a.group.as_str(), a.reason.as_str()), ("CO", "16"));
    assert_eq!(a.amount, Some(Decimal::new(50004, 2)));
    assert_eq!(c.lines[1].adjustments[0].group, "OA");
    assert_eq!(c.lines[0].remarks, ["N14"]);
    assert_eq!(c.lines[0].units, Some(Decimal::from(68)));
    // Nine claims paid on one check, CLP07 on each; a claim-level PR-3.
    let r = file("26_");
    assert_eq!(r.remittances.len(), 1);
    let claims: Vec<_> = r.payments().collect();
    assert_eq!(claims.len(), 9);
    assert!(
        claims
            .iter()
            .all(|c| c.status == "1" && !c.payer_claim.is_empty())
    );
    // The eMedNY pharmacy 835: CO-91 and CO-45 in one CAS, two reasons read.
    let r = file("31_");
    let reasons: Vec<(String, String)> = r
        .payments()
        .flat_map(|c| {
            c.adjustments
                .iter()
                .chain(c.lines.iter().flat_map(|l| &l.adjustments))
        })
        .map(|a| (a.group.clone(), a.reason.clone()))
        .collect();
    assert!(reasons.contains(&("CO".into(), "91".into())), "{reasons:?}");
    assert!(reasons.contains(&("CO".into(), "45".into())), "{reasons:?}");
    // 156 interchanges in one file, three claims each.
    assert_eq!(file("34_").payments().count(), 468);
    // TA1s.
    let t = &file("01_").ta1[0];
    assert_eq!((t.code.as_str(), t.note.as_str()), ("A", "000"));
    let t = &file("02_").ta1[0];
    assert_eq!((t.code.as_str(), t.note.as_str()), ("R", "024"));
}

// --- Any input ---------------------------------------------------------------------------

/// Inputs cut short and with bytes changed: the acknowledgments never panic, and what
/// they write is X12 their own guides accept.
#[test]
fn acknowledgments_of_damaged_input_are_always_valid_x12() {
    let mut inputs: Vec<Vec<u8>> = samples().into_iter().map(|(_, b)| b).take(12).collect();
    inputs.push(base().into_bytes());
    inputs.push(
        Claim::i837()
            .line(Line::drug())
            .line(Line::admin())
            .render()
            .into_bytes(),
    );
    inputs.push(batch(SynthKind::Mixed, 20, 5, 0.5));
    let tried = damaged(&inputs, 40);
    assert!(tried > 400, "{tried}");
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn acknowledgments_of_damaged_corpus_files_are_always_valid_x12() {
    let inputs: Vec<Vec<u8>> = common::x12_corpus()
        .into_iter()
        .map(|(_, b)| b)
        .filter(|b| b.len() < 100_000)
        .collect();
    let tried = damaged(&inputs, 8);
    assert!(tried > 100, "{tried}");
}

/// `rounds` damaged copies of each input: cut short, bytes changed, removed, inserted,
/// a stretch copied elsewhere (the same copies every run).
fn damage(inputs: &[Vec<u8>], rounds: usize) -> Vec<Vec<u8>> {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let bytes: &[u8] = b"*:~^\n\r0A9 ~*HLCLM\x00\x1b\xc3\xa9>|!";
    let mut out = Vec::new();
    for input in inputs {
        for round in 0..rounds {
            let mut b = input.clone();
            match round % 5 {
                0 => b.truncate(next(b.len())),
                1 => {
                    for _ in 0..1 + next(4) {
                        let at = next(b.len());
                        b[at] = bytes[next(bytes.len())];
                    }
                }
                2 => {
                    let at = next(b.len());
                    let len = next(40).min(b.len() - at);
                    b.drain(at..at + len);
                }
                3 => {
                    let at = next(b.len());
                    let junk: Vec<u8> = (0..1 + next(12))
                        .map(|_| bytes[next(bytes.len())])
                        .collect();
                    b.splice(at..at, junk);
                }
                _ => {
                    let at = next(b.len());
                    let len = next(300).min(b.len() - at);
                    let copy = b[at..at + len].to_vec();
                    let to = next(b.len());
                    b.splice(to..to, copy);
                }
            }
            out.push(b);
        }
    }
    out
}

/// Acknowledges damaged copies of `inputs`; panics when what it writes is not valid.
/// Returns how many acknowledgments were checked.
fn damaged(inputs: &[Vec<u8>], rounds: usize) -> usize {
    let mut tried = 0;
    for b in &damage(inputs, rounds) {
        let acks = acknowledge(b);
        for (kind, out) in [
            ("ta1", &acks.ta1),
            ("999", &acks.k999),
            ("277ca", &acks.ca277),
        ] {
            if out.is_empty() {
                continue;
            }
            tried += 1;
            let v = x837::validate::validate(out, kind);
            let errors: Vec<String> = v
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.to_string())
                .collect();
            assert!(
                errors.is_empty() && v.error.is_none(),
                "{kind} of a damaged input is not valid: {errors:?}\n{}\n--- of ---\n{}",
                String::from_utf8_lossy(out),
                String::from_utf8_lossy(b)
            );
        }
    }
    tried
}

#[test]
fn the_readme_documents_every_mapping() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let t = ack::mapping::claim_status();
    for (rule, s) in &t.rules {
        let entity = s
            .entity
            .as_deref()
            .map(|e| format!(":{e}"))
            .unwrap_or_default();
        let row = format!(
            "| `{rule}` | `{}:{}{entity}` | {} |",
            s.category, s.status, s.description
        );
        assert!(readme.contains(&row), "README lacks {row}");
    }
    let codes = ack::mapping::syntax_errors();
    for (rule, c) in &codes.segment {
        assert!(
            readme.contains(&format!("| `{rule}` | IK304 `{c}` |")),
            "README lacks {rule}"
        );
    }
    for (rule, p) in &codes.element {
        let head = format!("| `{rule}` | IK403 ");
        let row = readme
            .lines()
            .find(|l| l.starts_with(&head))
            .unwrap_or_else(|| panic!("README lacks {rule}"));
        match p {
            ack::mapping::Pick::One(c) => assert_eq!(row, format!("{head}`{c}` |")),
            ack::mapping::Pick::By(m) => {
                for (k, v) in m {
                    assert!(row.contains(&format!("`{v}` ({k})")), "README: {rule} {k}");
                }
            }
        }
    }
    for (what, c) in &ack::mapping::ta1_notes().isa {
        assert!(
            readme.contains(&format!("{what} `{c}`")),
            "README lacks {what}"
        );
    }
}

#[test]
fn one_broken_interchange_does_not_reject_the_next() {
    let b = base();
    // The first interchange has no IEA; the second is sound and asks for a TA1.
    let first = b.replace("IEA*1*000000101~\n", "");
    let isa = b.lines().next().unwrap();
    let second = b
        .replace(isa, &isa.replace("*000000101*0*T*", "*000000102*1*T*"))
        .replace("IEA*1*000000101", "IEA*1*000000102");
    let acks = acknowledge(format!("{first}{second}").as_bytes());
    let ta1 = read(&acks.ta1).ta1;
    let got: Vec<(&str, &str, &str)> = ta1
        .iter()
        .map(|t| (t.control.as_str(), t.code.as_str(), t.note.as_str()))
        .collect();
    assert_eq!(got, [("000000101", "R", "023"), ("000000102", "A", "000")]);
    let r = read(&acks.k999);
    assert_eq!(
        r.transactions().map(|t| t.accepted()).collect::<Vec<_>>(),
        [true]
    );
    assert_eq!(read(&acks.ca277).claims().count(), 1);
    // Two interchanges, two acknowledgment interchanges each numbered afresh.
    assert_eq!(acks.summary.interchanges, 2);
    // A group without GE: the 999 rejects the group (AK905 3), no TA1.
    let acks = acknowledge(b.replace("GE*1*101~\n", "").as_bytes());
    assert!(acks.ta1.is_empty());
    let g = &read(&acks.k999).groups[0];
    assert_eq!(
        (g.code.as_str(), g.errors.clone()),
        ("R", vec!["3".to_string()])
    );
}

/// 835s on which x837's verdict and pyx12's differ, and why.
const REMIT_DISAGREE: &[(&str, &str)] = &[(
    "34_",
    "156 interchanges with one ISA13: pyx12 requires ISA13 unique within a file, x837 does not",
)];

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn x837_and_pyx12_agree_on_the_real_835s() {
    use common::stricter::STRICTER;
    let mut compared = 0;
    for (file, _) in acks_manifest() {
        let path = common::acks_dir().join(&file);
        let bytes = std::fs::read(&path).unwrap();
        if read(&bytes).remittances.is_empty() || bytes.starts_with(b"\xEF\xBB\xBF") {
            continue; // not an 835, or one pyx12 cannot read (UTF-8 BOM)
        }
        let out = common::x837(&["validate", "--format", "json", &path.to_string_lossy()]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .filter(|f| !STRICTER.iter().any(|(s, _)| f["rule"] == *s))
            .count();
        // pyx12 validates an 835, then fails writing its own 999 for it: its verdict line
        // on standard error is all that is read.
        let pyx12_ok = common::pyx12::validate(&bytes) == common::pyx12::Verdict::Ok;
        let explained = REMIT_DISAGREE.iter().any(|(p, _)| file.starts_with(p));
        assert_eq!(
            (errors == 0) == pyx12_ok,
            !explained,
            "{file}: x837 {errors} errors, pyx12 ok {pyx12_ok}"
        );
        compared += 1;
    }
    assert!(compared >= 8, "{compared}");
}
