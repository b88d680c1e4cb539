//! The scrub against synth's truth file: on `--error-rate 0.3` batches of 10,000 claims
//! (837P and 837I), every rule id the truth lists for a claim is found on it, and no rule id
//! that synth injects anywhere is reported on a claim whose truth does not list it
//! (precision and recall 100% over the injected rule ids).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use x837::generate::synth::{self, Extra, Options, SynthKind};
use x837::generate::variants::{self, Scope, Selection};
use x837::scrub::{self, Fixes, Settings};

/// Synth's config: the payer ids of the payer-policy variants, the placeholder 50 mg NDC.
const CONFIG: &str = include_str!("../samples/synth/x837.toml");

/// Without `round2`, synth's default draw (the round-1 catalogue) and the default
/// settings; with it, every J2326 variant (`--inject` of all of them, round 2's groups of
/// claims for the cross-claim rules included) scrubbed under synth's config.
fn check(kind: SynthKind, seed: u64, round2: bool) {
    let options = Options {
        claims: 10_000,
        seed,
        kind,
        error_rate: 0.3,
        control: x837::generate::Control {
            isa13: 1,
            gs06: 1,
            st02: 1,
        },
    };
    let mut edi = Vec::new();
    let mut truth = Vec::new();
    let (extra, settings) = if round2 {
        let names: Vec<&str> = variants::all()
            .iter()
            .filter(|v| v.scope == Scope::J2326)
            .map(|v| v.name)
            .collect();
        let extra = Extra {
            inject: Selection::parse(&names).unwrap(),
            ..Extra::default()
        };
        (
            extra,
            Settings::new(None, Fixes::All, Some(CONFIG)).unwrap(),
        )
    } else {
        (Extra::default(), Settings::default())
    };
    let summary = synth::run_with(&options, &extra, &mut edi, Some(&mut truth)).unwrap();
    let truth: serde_json::Value = serde_json::from_slice(&truth).unwrap();
    let truth: BTreeMap<String, BTreeSet<String>> = truth["claims"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(c, rules)| {
            let mut rules: BTreeSet<String> = rules
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect();
            // With --inject the truth lists what validation reports besides; the CTP that
            // ndc-missing inserts is the segment validation found missing.
            if rules.contains("ndc-missing") {
                rules.remove("segment-missing");
            }
            (c.clone(), rules)
        })
        .collect();
    let injected: BTreeSet<&String> = truth.values().flatten().collect();
    assert!(injected.len() > 20, "synth injected only {injected:?}");

    let s = scrub::scrub(&edi, "synth", &settings);
    assert!(s.error.is_none());
    let mut found: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for f in &s.findings {
        if let Some(c) = &f.claim {
            found.entry(c).or_default().insert(f.rule.as_str());
        }
    }
    let mut missed = Vec::new();
    let mut extra = Vec::new();
    for (claim, rules) in &truth {
        let got = found.get(claim.as_str()).cloned().unwrap_or_default();
        for r in rules {
            if !got.contains(r.as_str()) {
                missed.push(format!("{claim}: {r} (found {got:?})"));
            }
        }
        for r in got {
            if injected.contains(&r.to_string()) && !rules.contains(r) {
                extra.push(format!("{claim}: {r} (truth {rules:?})"));
            }
        }
    }
    assert!(
        missed.is_empty(),
        "{kind:?} seed {seed}: {} missed, e.g. {:?}",
        missed.len(),
        &missed[..missed.len().min(10)]
    );
    assert!(
        extra.is_empty(),
        "{kind:?} seed {seed}: {} extra, e.g. {:?}",
        extra.len(),
        &extra[..extra.len().min(10)]
    );
    // Nothing open that the truth does not explain: a condition a fix removed (the CTP
    // segment ndc-missing inserted, the SV107 diagnosis-pointer filled) is not reported.
    let stale: Vec<String> = s
        .findings
        .iter()
        .filter(|f| !f.fixed)
        .filter(|f| {
            let c = f.claim.as_deref().unwrap_or("");
            !truth.get(c).is_some_and(|r| r.contains(f.rule.as_str()))
        })
        .map(|f| format!("{:?} {}: {}", f.claim, f.rule, f.message))
        .collect();
    assert!(
        stale.is_empty(),
        "{kind:?} seed {seed}: {} open findings the truth does not list, e.g. {:?}",
        stale.len(),
        &stale[..stale.len().min(10)]
    );
    // Every claim with an error was reached: the truth lists as many claims as synth made
    // (a CLM01 written twice, once).
    assert_eq!(summary.claims, 10_000);
    let twice = summary
        .injected
        .get("duplicate-clm01")
        .copied()
        .unwrap_or(0);
    assert_eq!(truth.len() as u64, 10_000 - twice);
    if round2 {
        let missing: Vec<&str> = variants::all()
            .iter()
            .filter(|v| v.scope == Scope::J2326 && !v.default)
            .filter(|v| kind != SynthKind::Institutional || v.name != "facility-pos-22")
            .filter(|v| kind != SynthKind::Professional || v.name != "waste-jz-missing-rhc")
            .map(|v| v.name)
            .filter(|n| !summary.injected.contains_key(n))
            .collect();
        assert!(missing.is_empty(), "never injected: {missing:?}");
    }
}

#[test]
fn professional_batch_matches_its_truth() {
    check(SynthKind::Professional, 7, false);
}

#[test]
fn institutional_batch_matches_its_truth() {
    check(SynthKind::Institutional, 8, false);
}

#[test]
fn round2_professional_batch_matches_its_truth() {
    check(SynthKind::Professional, 17, true);
}

#[test]
fn round2_institutional_batch_matches_its_truth() {
    check(SynthKind::Institutional, 18, true);
}

#[test]
fn round2_mixed_batch_matches_its_truth() {
    check(SynthKind::Mixed, 19, true);
}

/// One run over several files: a 5,000-claim 837P batch of every J2326 variant, one file
/// per transaction set, scrubbed by one `x837 scrub` under synth's config: the findings of
/// the run are exactly the truth's, per claim (the cross-claim rules see all five files, and
/// the patients of different files never meet).
#[test]
fn round2_run_over_five_files_matches_its_truth() {
    let names: Vec<&str> = variants::all()
        .iter()
        .filter(|v| v.scope == Scope::J2326)
        .map(|v| v.name)
        .collect();
    let extra = Extra {
        inject: Selection::parse(&names).unwrap(),
        ..Extra::default()
    };
    let options = Options {
        claims: 5_000,
        seed: 21,
        kind: SynthKind::Professional,
        error_rate: 0.3,
        control: x837::generate::Control::default(),
    };
    let mut edi = Vec::new();
    let mut truth = Vec::new();
    synth::run_with(&options, &extra, &mut edi, Some(&mut truth)).unwrap();
    let text = String::from_utf8(edi).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let header: Vec<&str> = lines
        .iter()
        .take_while(|l| !l.starts_with("ST*"))
        .copied()
        .collect();
    let ge = lines.iter().find(|l| l.starts_with("GE*")).unwrap();
    let ge = format!("GE*1*{}", ge.split('*').nth(2).unwrap());
    let iea = lines.iter().find(|l| l.starts_with("IEA*")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut at = header.len();
    while lines[at].starts_with("ST*") {
        let end = at
            + lines[at..]
                .iter()
                .position(|l| l.starts_with("SE*"))
                .unwrap();
        let mut f = header.join("\n");
        f.push('\n');
        f.push_str(&lines[at..=end].join("\n"));
        f.push_str(&format!("\n{ge}\n{iea}\n"));
        let path = dir.path().join(format!("part-{}.x12", files.len() + 1));
        std::fs::write(&path, f).unwrap();
        files.push(path.to_str().unwrap().to_string());
        at = end + 1;
    }
    assert!(files.len() >= 5, "{} transactions", files.len());
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/synth/x837.toml");
    let mut args = vec![
        "scrub", "--check", "--config", config, "--format", "json", "--report", "-",
    ];
    args.extend(files.iter().map(String::as_str));
    let out = common::x837(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: BTreeSet<(String, String)> = BTreeSet::new();
    for f in report["findings"].as_array().unwrap() {
        let claim = f["claim"].as_str().unwrap_or("-").to_string();
        got.insert((claim, f["rule"].as_str().unwrap().to_string()));
    }
    let truth: serde_json::Value = serde_json::from_slice(&truth).unwrap();
    let mut want: BTreeSet<(String, String)> = BTreeSet::new();
    for (c, rules) in truth["claims"].as_object().unwrap() {
        let rules: Vec<&str> = rules
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        for r in &rules {
            if !(*r == "segment-missing" && rules.contains(&"ndc-missing")) {
                want.insert((c.clone(), r.to_string()));
            }
        }
    }
    let cross = ["dose-interval", "dose-frequency", "duplicate-service"];
    assert!(
        cross.iter().all(|r| want.iter().any(|(_, w)| w == r)),
        "the batch lacks a cross-claim variant"
    );
    let missed: Vec<_> = want.difference(&got).take(10).collect();
    let extra: Vec<_> = got.difference(&want).take(10).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:?} extra {extra:?}"
    );
}
