//! The scrub against synth's truth file: on `--error-rate 0.3` batches of 10,000 claims
//! (837P and 837I), every rule id the truth lists for a claim is found on it, and no rule id
//! that synth injects anywhere is reported on a claim whose truth does not list it
//! (precision and recall 100% over the injected rule ids).

#![allow(clippy::unwrap_used)]

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
