//! `x837 generate --as-written`: the one broken claim a tester asks for. The checks of
//! values become warnings with their JSON paths, the values are written as given, and
//! validation then finds exactly the breaks written, nothing else.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::fs;

use common::{root, x837};
use serde_json::Value;

/// The J2326 sample with claim 0 broken: lower-case diagnosis with its point, a hyphenated
/// NDC, a total that does not balance; every other diagnosis without its point.
fn broken() -> Value {
    let text = fs::read_to_string(root().join("samples/claims/837p-j2326.json")).unwrap();
    let mut d: Value = serde_json::from_str(&text).unwrap();
    for c in d["claims"].as_array_mut().unwrap() {
        for dx in c["diagnoses"].as_array_mut().unwrap() {
            *dx = Value::from(dx.as_str().unwrap().replace('.', ""));
        }
    }
    let c = &mut d["claims"][0];
    c["diagnoses"][0] = "g12.1".into();
    c["lines"][1]["ndc"]["code"] = "64406-058-01".into();
    c["total"] = 99.into();
    d
}

fn run(desc: &Value, extra: &[&str]) -> (std::process::Output, Vec<u8>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("claim.json");
    let out = dir.path().join("out.x12");
    fs::write(&json, serde_json::to_vec(desc).unwrap()).unwrap();
    let mut args = vec![
        "generate",
        json.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = x837(&args);
    let edi = fs::read(&out).unwrap_or_default();
    (o, edi, dir)
}

#[test]
fn checked_descriptions_refuse_what_as_written_writes() {
    let (o, edi, _dir) = run(&broken(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(edi.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("claims[0].total: 99 is not the sum"), "{err}");
    assert!(err.contains("claims[0].lines[1].ndc.code"), "{err}");
}

#[test]
fn as_written_writes_the_values_given_and_validation_finds_exactly_them() {
    let (o, edi, dir) = run(&broken(), &["--as-written"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    for path in ["claims[0].total", "claims[0].lines[1].ndc.code"] {
        assert!(
            err.lines()
                .any(|l| l.contains(&format!("warning: {path}"))
                    && l.ends_with("(written as given)")),
            "{err}"
        );
    }
    let text = String::from_utf8(edi).unwrap();
    assert!(text.contains("CLM*SMA-2024-0001*99*"), "{text}");
    assert!(text.contains("HI*ABK:g12.1*ABF:Z79899~"), "{text}");
    assert!(text.contains("LIN**N4*64406-058-01~"), "{text}");
    assert!(text.contains("SV1*HC:62321*1250.00*UN*1"), "{text}");
    let out = dir.path().join("out.x12");
    let v = x837(&["validate", "--format", "json", out.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&v.stdout).unwrap();
    let got: BTreeSet<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["claim"].as_str().unwrap_or("-").to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = ["claim-balance", "diagnosis-format", "ndc-format"]
        .iter()
        .map(|r| ("SMA-2024-0001".to_string(), r.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_balanced_total_is_accepted_and_what_cannot_be_read_stays_an_error() {
    let mut d = broken();
    d["claims"][0]["diagnoses"][0] = "G121".into();
    d["claims"][0]["lines"][1]["ndc"]["code"] = "64406005801".into();
    d["claims"][0]["total"] = "128750.00".into();
    let (o, edi, _dir) = run(&d, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8(edi)
            .unwrap()
            .contains("CLM*SMA-2024-0001*128750*")
    );
    d["claims"][0]["colour"] = "red".into();
    let (o, edi, _dir) = run(&d, &["--as-written"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(edi.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown field `colour`"));
}
