//! Every variant `x837 synth --inject` can write, alone in a batch, 837P and 837I: `x837
//! validate` and `x837 scrub` report exactly the truth file's rule ids for it, in the
//! claims it names (and, outside claims, at the segments it names), and nothing else:
//! precision and recall 100% per variant.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::x837;
use serde_json::Value;

/// The rule ids `x837 validate` reports (README, "Validation rule ids"); the scrub reports
/// these and the J2326 rules.
const VALIDATION: &[&str] = &[
    "envelope-structure",
    "segment-count",
    "transaction-count",
    "group-count",
    "control-number",
    "repetition-separator",
    "segment-unexpected",
    "segment-order",
    "segment-missing",
    "segment-repeat",
    "segment-not-used",
    "loop-missing",
    "loop-repeat",
    "element-missing",
    "element-not-used",
    "element-too-many",
    "element-repeat",
    "element-length",
    "element-type",
    "code-invalid",
    "syntax-rule",
    "version-mismatch",
    "guide-unsupported",
    "claim-balance",
    "line-numbering",
    "hl-structure",
    "npi-check-digit",
    "diagnosis-format",
    "diagnosis-code",
    "procedure-code-format",
    "ndc-format",
    "ndc-qualifier",
    "date-format",
];

/// A finding reduced to what the truth says: (claim, rule) inside a claim, else
/// (segment, rule).
type Key = (String, String);

fn key(f: &Value) -> Key {
    let rule = f["rule"].as_str().unwrap().to_string();
    match f["claim"].as_str() {
        Some(c) => (c.to_string(), rule),
        None => (format!("segment {}", f["segment"]), rule),
    }
}

/// What the truth file says must be reported, restricted to the rules `keep` accepts.
fn expected(truth: &Value, keep: impl Fn(&str) -> bool) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for (claim, rules) in truth["claims"].as_object().unwrap() {
        for r in rules.as_array().unwrap() {
            let r = r.as_str().unwrap();
            if keep(r) {
                out.insert((claim.clone(), r.to_string()));
            }
        }
    }
    for list in ["envelopes", "hierarchy"] {
        for e in truth[list].as_array().unwrap() {
            for r in e["rules"].as_array().unwrap() {
                let r = r.as_str().unwrap();
                if keep(r) {
                    out.insert((format!("segment {}", e["segment"]), r.to_string()));
                }
            }
        }
    }
    out
}

fn validate(file: &Path) -> BTreeSet<Key> {
    let out = x837(&["validate", "--format", "json", file.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    v["findings"].as_array().unwrap().iter().map(key).collect()
}

/// Synth's config (the payer ids of the payer-policy variants, the placeholder 50 mg NDC):
/// it changes nothing for the other claims, so every batch is scrubbed with it.
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/synth/x837.toml");

fn scrub(file: &Path) -> (BTreeSet<Key>, Value) {
    let out = x837(&[
        "scrub",
        "--check",
        "--config",
        CONFIG,
        "--format",
        "json",
        "--report",
        "-",
        file.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys = v["findings"].as_array().unwrap().iter().map(key).collect();
    (keys, v)
}

/// Claims with an injected error, from synth's summary on stderr.
fn injected(stderr: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(stderr);
    let Some(end) = text.find(" with an injected error") else {
        return 0;
    };
    let start = text[..end].rfind(' ').map_or(0, |i| i + 1);
    text[start..end].parse().unwrap_or(0)
}

/// Writes a batch holding `variant` alone (the first seed whose batch it lands in: whose
/// truth lists a rule id, or, for a variant whose truth is `[]`, whose summary counts it).
fn generate(dir: &Path, kind: &str, variant: &str) -> Option<(std::path::PathBuf, Value)> {
    let valid = variants()
        .iter()
        .any(|(v, _, rules)| v == variant && rules == "-");
    for seed in 0..64 {
        let edi = dir.join(format!("{kind}-{variant}.x12"));
        let truth = dir.join(format!("{kind}-{variant}.json"));
        let out = x837(&[
            "synth",
            "--claims",
            "8",
            "--seed",
            &seed.to_string(),
            "--kind",
            kind,
            "--inject",
            variant,
            "-o",
            edi.to_str().unwrap(),
            "--truth",
            truth.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let t: Value = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
        let landed = if valid {
            injected(&out.stderr) > 0
        } else {
            !expected(&t, |_| true).is_empty()
        };
        if landed {
            return Some((edi, t));
        }
    }
    None
}

/// (variant, kinds, rules) from `x837 synth --list`.
fn variants() -> Vec<(String, Vec<&'static str>, String)> {
    let out = x837(&["synth", "--list"]);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let kinds = match cols[2] {
                "837p" => vec!["837p"],
                "837i" => vec!["837i"],
                _ => vec!["837p", "837i"],
            };
            (cols[0].to_string(), kinds, cols[1].to_string())
        })
        .collect()
}

#[test]
fn every_variant_alone_gives_exactly_its_truth() {
    let dir = tempfile::tempdir().unwrap();
    let all = variants();
    assert!(all.len() >= 69, "{} variants", all.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for (variant, kinds, _) in &all {
        for kind in kinds {
            let Some((edi, truth)) = generate(dir.path(), kind, variant) else {
                failures.push(format!("{kind} {variant}: never injected"));
                continue;
            };
            let want_v = expected(&truth, |r| VALIDATION.contains(&r));
            let got_v = validate(&edi);
            if got_v != want_v {
                failures.push(format!(
                    "{kind} {variant}: validate {got_v:?}, truth {want_v:?}"
                ));
            }
            let mut want_s = expected(&truth, |_| true);
            // The one validation finding a scrub fix removes: the CTP that ndc-missing
            // inserts is the segment validation found missing.
            let ndc: Vec<Key> = want_s
                .iter()
                .filter(|k| k.1 == "ndc-missing")
                .cloned()
                .collect();
            for (claim, _) in ndc {
                want_s.remove(&(claim, "segment-missing".to_string()));
            }
            let (got_s, report) = scrub(&edi);
            if got_s != want_s {
                failures.push(format!(
                    "{kind} {variant}: scrub {got_s:?}, truth {want_s:?}"
                ));
            }
            // A batch cut short, or a trailer left out: the scrub leaves the unit out.
            let left_out = report["inputs"][0]["left_out"].as_array().unwrap().len();
            let open = ["se-missing", "ge-missing", "iea-missing", "truncated"]
                .contains(&variant.as_str());
            if open != (left_out > 0) {
                failures.push(format!("{kind} {variant}: left_out {left_out}"));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 130, "{checked} batches checked");
}

/// Every variant at once, at rates where trailers, HLs and claims of every kind break in
/// one batch (and, for some seeds, the batch is cut): still exactly the truth.
#[test]
fn all_variants_together_give_exactly_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (kind, seed, rate) in [
        ("mixed", "1", "0.5"),
        ("mixed", "9", "0.5"),
        ("mixed", "2", "0.5"),
        ("837p", "5", "0.3"),
        ("837i", "5", "0.3"),
    ] {
        let edi = dir.path().join(format!("{kind}-{seed}.x12"));
        let truth = dir.path().join(format!("{kind}-{seed}.json"));
        let out = x837(&[
            "synth",
            "--claims",
            "2500",
            "--seed",
            seed,
            "--kind",
            kind,
            "--inject",
            "all",
            "--error-rate",
            rate,
            "-o",
            edi.to_str().unwrap(),
            "--truth",
            truth.to_str().unwrap(),
        ]);
        assert!(out.status.success());
        let truth: Value = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
        let want_v = expected(&truth, |r| VALIDATION.contains(&r));
        let got_v = validate(&edi);
        let mut want_s = expected(&truth, |_| true);
        let ndc: Vec<Key> = want_s
            .iter()
            .filter(|k| k.1 == "ndc-missing")
            .cloned()
            .collect();
        for (claim, _) in ndc {
            want_s.remove(&(claim, "segment-missing".to_string()));
        }
        let (got_s, _) = scrub(&edi);
        for (tool, got, want) in [("validate", &got_v, &want_v), ("scrub", &got_s, &want_s)] {
            let missed: Vec<&Key> = want.difference(got).take(5).collect();
            let extra: Vec<&Key> = got.difference(want).take(5).collect();
            if !missed.is_empty() || !extra.is_empty() {
                failures.push(format!(
                    "{kind} {seed} {tool}: missed {missed:?} extra {extra:?}"
                ));
            }
        }
        if truth.get("cut").is_none() {
            assert!(
                want_s.len() > 500,
                "{kind} {seed}: {} expected",
                want_s.len()
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
