//! Every rule's sample: `samples/scrub/RULE-ID.x12` scrubbed must give the findings in
//! `RULE-ID.findings` and the corrected EDI in `RULE-ID.fixed.x12`, and the corrected EDI
//! must scrub clean of that rule's fixable findings (idempotent). `X837_BLESS=1` writes
//! the expected files instead; review them before committing.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use x837::scrub::{self, Fixes, Settings, registry};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/scrub")
}

/// The settings a sample is scrubbed with: its `STEM.toml` config when it has one (a
/// payer mapped to a profile, an MUE a site sets), else the defaults.
fn settings_for(stem: &str, fixes: Fixes) -> Settings {
    let config = fs::read_to_string(samples().join(format!("{stem}.toml"))).ok();
    Settings::new(None, fixes, config.as_deref()).unwrap()
}

fn findings_text(s: &scrub::Scrubbed) -> String {
    let mut out = String::new();
    for f in &s.findings {
        let _ = writeln!(
            out,
            "{} {} {} segment={} claim={} line={}: {}",
            f.rule,
            f.severity,
            if f.fixed { "fixed" } else { "open" },
            f.position.segment,
            f.claim.as_deref().unwrap_or("-"),
            f.service_line.as_deref().unwrap_or("-"),
            f.message
        );
    }
    out
}

fn check_or_bless(path: &Path, actual: &[u8], failures: &mut Vec<String>) {
    if std::env::var_os("X837_BLESS").is_some() {
        fs::write(path, actual).unwrap();
        return;
    }
    match fs::read(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{} differs:\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual)
        )),
        Err(_) => failures.push(format!(
            "{} is missing (run with X837_BLESS=1)",
            path.display()
        )),
    }
}

#[test]
fn every_rule_has_docs_and_a_sample_that_triggers_it() {
    let mut failures = Vec::new();
    for rule in registry::all() {
        let doc = rule.meta().doc();
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
            "## References",
        ] {
            if !doc.contains(section) {
                failures.push(format!("{}: doc lacks '{section}'", rule.meta().id));
            }
        }
        let sample = samples().join(format!("{}.x12", rule.meta().id));
        let Ok(input) = fs::read(&sample) else {
            failures.push(format!(
                "{}: no sample {}",
                rule.meta().id,
                sample.display()
            ));
            continue;
        };
        let settings = settings_for(rule.meta().id.as_str(), Fixes::All);
        let s = scrub::scrub(&input, "sample", &settings);
        if !s.findings.iter().any(|f| f.rule == rule.meta().id) {
            failures.push(format!(
                "{}: its sample does not trigger it",
                rule.meta().id
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn samples_match_their_expected_findings_and_output() {
    let mut failures = Vec::new();
    let mut n = 0;
    for entry in fs::read_dir(samples()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".x12") || name.ends_with(".fixed.x12") {
            continue;
        }
        n += 1;
        let stem = name.trim_end_matches(".x12");
        let input = fs::read(&path).unwrap();
        let settings = settings_for(stem, Fixes::All);
        let s = scrub::scrub(&input, "sample", &settings);
        assert!(s.error.is_none(), "{name}: {:?}", s.error);
        check_or_bless(
            &samples().join(format!("{stem}.findings")),
            findings_text(&s).as_bytes(),
            &mut failures,
        );
        check_or_bless(
            &samples().join(format!("{stem}.fixed.x12")),
            &s.output,
            &mut failures,
        );
        // Idempotent: the corrected file fixes nothing more.
        let again = scrub::scrub(&s.output, "sample", &settings);
        assert_eq!(
            again.output, s.output,
            "{name}: scrubbing the output changed it"
        );
        assert_eq!(
            again.fixed(),
            0,
            "{name}: scrubbing the output fixed more:\n{}",
            findings_text(&again)
        );
        // Never less valid: the output has no validation finding the input lacks.
        let before = x837::validate::validate(&input, "in");
        let after = x837::validate::validate(&s.output, "out");
        let count = |v: &x837::validate::Validated, rule: &str| {
            v.findings.iter().filter(|f| f.rule == rule).count()
        };
        for f in &after.findings {
            assert!(
                count(&after, f.rule.as_str()) <= count(&before, f.rule.as_str()),
                "{name}: the fix introduced {} findings: {}",
                f.rule,
                f.message
            );
        }
        // --fixes none leaves the file as it was.
        let none = settings_for(stem, Fixes::None);
        assert_eq!(
            scrub::scrub(&input, "sample", &none).output,
            input,
            "{name}: --fixes none changed it"
        );
    }
    assert!(n > 0, "no samples found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
