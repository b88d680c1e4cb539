//! Validation, one condition at a time: each case breaks the valid J2326 sample in one
//! place and expects that finding (rule id, segment index, loop path), and no other error.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;

use x837::report::Severity;
use x837::validate::{Validated, validate};

fn sample() -> String {
    fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/837p-j2326.x12"
    ))
    .unwrap()
}

/// Replaces one segment (a whole line of the sample) and fixes SE01 for added or removed
/// segments.
fn with(replace: &[(&str, &str)]) -> String {
    let mut text = sample();
    for (from, to) in replace {
        assert!(text.contains(from), "sample lacks {from}");
        text = text.replacen(from, to, 1);
    }
    let count = text.lines().filter(|l| !l.is_empty()).count() - 4; // ISA GS GE IEA
    let se = text
        .lines()
        .find(|l| l.starts_with("SE*"))
        .unwrap()
        .to_string();
    text.replace(&se, &format!("SE*{count}*0001~"))
}

fn errors(v: &Validated) -> Vec<(&'static str, usize, String)> {
    v.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            (
                f.rule.as_str(),
                f.position.segment,
                f.loop_path.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn only(text: &str, rule: &str, segment: usize, path: &str) {
    let v = validate(text.as_bytes(), "t");
    let e = errors(&v);
    assert_eq!(
        e,
        vec![(rule_static(rule), segment, path.to_string())],
        "{text}"
    );
}

fn rule_static(rule: &str) -> &'static str {
    Box::leak(rule.to_string().into_boxed_str())
}

const LINE1: &str = "2000A[1]/2000B[1]/2300[1]/2400[1]";

#[test]
fn the_sample_is_valid() {
    let v = validate(sample().as_bytes(), "t");
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    assert_eq!(v.transactions, 1);
}

#[test]
fn required_segment_missing() {
    // DTP*472 is required on every 837P line.
    let t = with(&[(
        "SV1*HC:J2326:JZ*12500*UN*120***1~\nDTP*472*D8*20260110~\n",
        "SV1*HC:J2326:JZ*12500*UN*120***1~\n",
    )]);
    // Reported at the loop's first segment, with the loop's path.
    only(&t, "segment-missing", 23, LINE1);
}

#[test]
fn unexpected_segment_is_reported_and_the_walk_goes_on() {
    let t = with(&[
        ("REF*G1*PA20260001~\n", "REF*G1*PA20260001~\nXYZ*1*2~\n"),
        ("SV1*HC:62321*150*UN*1***1~", "SV1*HC:62321*150*XX*1***1~"),
    ]);
    let v = validate(t.as_bytes(), "t");
    let e = errors(&v);
    assert_eq!(e[0].0, "segment-unexpected");
    assert_eq!(e[0].1, 22);
    assert_eq!(
        e[1].0, "code-invalid",
        "a later problem is still found: {e:?}"
    );
    assert_eq!(e.len(), 2, "{e:?}");
}

#[test]
fn out_of_order_and_repeats() {
    // HI after the lines: back in 2300, out of order.
    let t = with(&[
        ("HI*ABK:G121~\n", ""),
        ("DTP*472*D8*20260110~\nLIN", "DTP*472*D8*20260110~\nLIN"),
    ]);
    let t = t.replacen("\nSE*", "\nHI*ABK:G121~\nSE*", 1);
    let t = with_count(&t);
    let v = validate(t.as_bytes(), "t");
    assert!(
        errors(&v).iter().any(|e| e.0 == "segment-order"),
        "{:?}",
        errors(&v)
    );
    // Two CTP where one is allowed.
    let t = with(&[("CTP****5*ML~\n", "CTP****5*ML~\nCTP****5*ML~\n")]);
    assert!(
        errors(&validate(t.as_bytes(), "t"))
            .iter()
            .any(|e| e.0 == "segment-repeat")
    );
}

fn with_count(text: &str) -> String {
    let count = text.lines().filter(|l| !l.is_empty()).count() - 4;
    let se = text
        .lines()
        .find(|l| l.starts_with("SE*"))
        .unwrap()
        .to_string();
    text.replace(&se, &format!("SE*{count}*0001~"))
}

#[test]
fn element_checks() {
    only(
        &with(&[("DMG*D8*20150301*F~", "DMG*D8*20150231*F~")]),
        "date-format",
        18,
        "2000A[1]/2000B[1]/2010BA[1]/DMG",
    );
    only(
        &with(&[(
            "SV1*HC:62321*150*UN*1***1~",
            "SV1*HC:62321*150*UN*1***1**Q~",
        )]),
        "code-invalid",
        29,
        "2000A[1]/2000B[1]/2300[1]/2400[2]/SV1",
    );
    only(
        &with(&[(
            "CLM*CLAIM0001*12650***11:B:1*Y*A*Y*Y~",
            "CLM*CLAIM0001*12650***22:B:1*Y*A*Y~",
        )]),
        "element-missing",
        20,
        "2000A[1]/2000B[1]/2300[1]/CLM",
    );
    only(
        &with(&[(
            "REF*EI*123456789~",
            "REF*EI*1234567890123456789012345678901234567890123456789012~",
        )]),
        "element-length",
        12,
        "2000A[1]/2010AA[1]/REF",
    );
}

#[test]
fn a_syntax_note_is_not_repeated_for_a_missing_required_element() {
    // NM109 is required in 2010BB: element-missing, not also the P0809 note.
    only(
        &with(&[(
            "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*PAYER01~",
            "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI~",
        )]),
        "element-missing",
        19,
        "2000A[1]/2000B[1]/2010BB[1]/NM1",
    );
    // PER05/PER06 are situational: the pair note stands on its own.
    only(
        &with(&[(
            "PER*IC*BILLING OFFICE*TE*5555550100~",
            "PER*IC*BILLING OFFICE*TE*5555550100*EX~",
        )]),
        "syntax-rule",
        5,
        "1000A[1]/PER",
    );
}

#[test]
fn code_formats() {
    only(
        &with(&[("XX*1234567893~", "XX*1234567890~")]),
        "npi-check-digit",
        9,
        "2000A[1]/2010AA[1]/NM1",
    );
    only(
        &with(&[("HI*ABK:G121~", "HI*ABK:G12.1~")]),
        "diagnosis-format",
        22,
        "2000A[1]/2000B[1]/2300[1]/HI",
    );
    only(
        &with(&[("SV1*HC:62321*", "SV1*HC:6232*")]),
        "procedure-code-format",
        29,
        "2000A[1]/2000B[1]/2300[1]/2400[2]/SV1",
    );
    only(
        &with(&[("LIN**N4*64406005801~", "LIN**N4*6440605801~")]),
        "ndc-format",
        26,
        &format!("{LINE1}/2410[1]/LIN"),
    );
    only(
        &with(&[("LIN**N4*64406005801~", "LIN**N2*6440605801~")]),
        "ndc-qualifier",
        26,
        &format!("{LINE1}/2410[1]/LIN"),
    );
    only(
        &with(&[(
            "DTP*472*D8*20260110~\nLIN",
            "DTP*472*RD8*20260112-20260110~\nLIN",
        )]),
        "date-format",
        25,
        &format!("{LINE1}/DTP"),
    );
}

#[test]
fn claim_checks() {
    only(
        &with(&[("CLM*CLAIM0001*12650*", "CLM*CLAIM0001*12600*")]),
        "claim-balance",
        20,
        "2000A[1]/2000B[1]/2300[1]/CLM",
    );
    only(
        &with(&[("LX*2~", "LX*3~")]),
        "line-numbering",
        28,
        "2000A[1]/2000B[1]/2300[1]/2400[2]/LX",
    );
    only(
        &with(&[("HL*2*1*22*0~", "HL*3*1*22*0~")]),
        "hl-structure",
        13,
        "2000A[1]/2000B[1]/HL",
    );
    only(
        &with(&[("ST*837*0001*005010X222A1~", "ST*837*0001*005010X222A2~")]),
        "version-mismatch",
        2,
        "ST",
    );
}

#[test]
fn other_sets_pass_through_and_unknown_guides_are_warned() {
    let text = sample();
    let extra = "ST*835*0002~\nBPR*I*100*C*ACH~\nSE*3*0002~\n";
    let two = text.replace("GE*1*101~", &format!("{extra}GE*2*101~"));
    let v = validate(two.as_bytes(), "t");
    assert_eq!((v.transactions, v.passed_through), (1, 1));
    assert!(errors(&v).is_empty(), "{:?}", errors(&v));
    let old = text
        .replace("*X*005010X222A1~", "*X*004010X098A1~")
        .replace("ST*837*0001*005010X222A1~", "ST*837*0001~");
    let v = validate(old.as_bytes(), "t");
    assert_eq!(v.passed_through, 1);
    assert!(
        v.findings
            .iter()
            .any(|f| f.rule == "guide-unsupported" && f.severity == Severity::Warning)
    );
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn every_finding_has_a_position_and_a_loop() {
    for entry in fs::read_dir(common::corpus_dir()).unwrap() {
        let p = entry.unwrap().path();
        let v = validate(&fs::read(&p).unwrap(), "c");
        for f in &v.findings {
            assert!(f.position.text_line >= 1, "{}: {f}", p.display());
            let envelope = f.rule.as_str().starts_with("envelope")
                || [
                    "segment-count",
                    "transaction-count",
                    "group-count",
                    "control-number",
                    "repetition-separator",
                ]
                .contains(&f.rule.as_str())
                // The ISA's own checks: on a segment outside any transaction.
                || f.position.transaction.is_none();
            assert!(
                envelope || f.loop_path.is_some(),
                "{}: no loop: {f}",
                p.display()
            );
        }
    }
}

/// `x837 validate --format json` on `text`: the exit code and the `(rule, segment)` of
/// every finding.
fn validate_cli(text: &str) -> (Option<i32>, Vec<(String, u64)>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.x12");
    fs::write(&path, text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(["validate", "--format", "json", path.to_str().unwrap()])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["segment"].as_u64().unwrap(),
            )
        })
        .collect();
    (out.status.code(), findings)
}

/// Regression: each of these passed with exit 0 and no finding, though a clearinghouse's
/// front end rejects them first.
#[test]
fn what_a_clearinghouse_front_end_checks_first() {
    let isa = "ISA*00*          *00*          *ZZ*X837SUBMIT     *ZZ*X837RECEIVE    *260115*1200*^*00501*000000101*0*T*:~";
    let subscriber = "\nHL*3*2*22*0~\nSBR*P*18*GRP001******CI~\nNM1*IL*1*DOE*JANE****MI*MEMBER0001~\nNM1*PR*2*EXAMPLE HEALTH PLAN*****PI*PAYER01~\nSE*";
    let cases: [(&str, String, &str, u64); 13] = [
        (
            "an ISA of 101 bytes",
            with(&[(isa, &isa.replace("X837SUBMIT     *", "X837SUBMIT*"))]),
            "element-length",
            0,
        ),
        (
            "an ISA of 111 bytes",
            with(&[(
                isa,
                &isa.replace("X837RECEIVE    *", "X837RECEIVE         *"),
            )]),
            "element-length",
            0,
        ),
        (
            "ISA01 not 00 or 03",
            with(&[("ISA*00*", "ISA*01*")]),
            "code-invalid",
            0,
        ),
        (
            "ISA03 not 00 or 01",
            with(&[("*00*          *ZZ", "*02*          *ZZ")]),
            "code-invalid",
            0,
        ),
        (
            "ISA05 outside its list",
            with(&[("*ZZ*X837SUBMIT", "*XX*X837SUBMIT")]),
            "code-invalid",
            0,
        ),
        (
            "ISA07 outside its list",
            with(&[("*ZZ*X837RECEIVE", "*99*X837RECEIVE")]),
            "code-invalid",
            0,
        ),
        (
            "ISA14 not 0 or 1",
            with(&[("*000000101*0*T*", "*000000101*2*T*")]),
            "code-invalid",
            0,
        ),
        (
            "ISA15 not P or T",
            with(&[("*000000101*0*T*", "*000000101*0*X*")]),
            "code-invalid",
            0,
        ),
        (
            "a non-numeric ISA13",
            with(&[
                ("*000000101*0*T*", "*00000010A*0*T*"),
                ("IEA*1*000000101~", "IEA*1*00000010A~"),
            ]),
            "element-type",
            0,
        ),
        (
            "GS01 not HC for an 837",
            with(&[("GS*HC*", "GS*FA*")]),
            "code-invalid",
            2,
        ),
        (
            "a subscriber HL under a subscriber HL",
            with(&[("\nSE*", subscriber)]),
            "hl-structure",
            31,
        ),
        (
            "a million trailing empty elements",
            with(&[(
                "REF*G1*PA20260001~",
                &format!("REF*G1*PA20260001{}~", "*".repeat(1_000_000)),
            )]),
            "element-too-many",
            21,
        ),
        (
            "a million extra elements, none empty",
            with(&[(
                "REF*G1*PA20260001~",
                &format!("REF*G1*PA20260001**{}~", "*X".repeat(1_000_000)),
            )]),
            "element-too-many",
            21,
        ),
    ];
    for (case, text, rule, segment) in cases {
        let (code, findings) = validate_cli(&text);
        assert_eq!(code, Some(1), "{case}: {findings:?}");
        // One condition, one finding: nothing else, and not once per element.
        assert_eq!(
            findings,
            vec![(rule.to_string(), segment)],
            "{case}: {findings:?}"
        );
    }
    // The same subscriber under the billing provider is fine.
    let (code, findings) = validate_cli(&with(&[(
        "\nSE*",
        &subscriber.replace("HL*3*2*", "HL*3*1*"),
    )]));
    assert_eq!((code, findings), (Some(0), vec![]));
}

/// GS01 is reported on ST too: that must not hide an ST03 that differs from GS08.
#[test]
fn a_wrong_gs01_does_not_hide_a_version_mismatch() {
    let t = with(&[
        ("GS*HC*", "GS*FA*"),
        ("ST*837*0001*005010X222A1~", "ST*837*0001*005010X222A2~"),
    ]);
    let mut rules: Vec<&str> = errors(&validate(t.as_bytes(), "t"))
        .iter()
        .map(|e| e.0)
        .collect();
    rules.sort_unstable();
    assert_eq!(rules, ["code-invalid", "version-mismatch"]);
}
