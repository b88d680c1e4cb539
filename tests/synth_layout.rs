//! `x837 synth` on the command line: `--list`, `--inject` ids and their usage errors, and
//! the layout options. A batch with injected errors in any layout is the same claims: the
//! same truth, and `x837 validate` finds the same rule ids in the same claims and segments.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::x837;
use serde_json::Value;

fn synth(dir: &Path, name: &str, args: &[&str]) -> (Vec<u8>, Value) {
    let edi = dir.join(format!("{name}.x12"));
    let truth = dir.join(format!("{name}.json"));
    let mut all = vec![
        "synth",
        "--claims",
        "600",
        "--seed",
        "24",
        "--kind",
        "mixed",
        "-o",
        edi.to_str().unwrap(),
        "--truth",
        truth.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let o = x837(&all);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let t = serde_json::from_slice(&fs::read(&truth).unwrap()).unwrap();
    (fs::read(&edi).unwrap(), t)
}

/// (claim or segment, rule) of every finding of `x837 validate`.
fn findings(dir: &Path, edi: &[u8]) -> BTreeSet<(String, String)> {
    let f = dir.join("check.x12");
    fs::write(&f, edi).unwrap();
    let o = x837(&["validate", "--format", "json", f.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = match f["claim"].as_str() {
                Some(c) => c.to_string(),
                None => format!("segment {}", f["segment"]),
            };
            (at, f["rule"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn the_same_broken_claims_in_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    let inject = ["--inject", "all", "--error-rate", "0.2"];
    let (standard, truth) = synth(dir.path(), "standard", &inject);
    let want = findings(dir.path(), &standard);
    assert!(want.len() > 50, "{}", want.len());
    assert!(truth.get("cut").is_none(), "seed 24 is not cut");
    let layouts: &[(&str, &[&str], &str)] = &[
        ("pipe", &["--delimiters", "|,^,>,~"], ""),
        (
            "newline",
            &["--delimiters", "*,:,^,\\n", "--line-endings", "none"],
            "",
        ),
        (
            "tilde",
            &["--delimiters", "~,:,^,_", "--line-endings", "crlf"],
            "",
        ),
        (
            "isa16",
            &["--delimiters", "*,:,:,~"],
            "repetition-separator",
        ),
        (
            "u",
            &["--delimiters", "*,:,U,~", "--line-endings", "cr"],
            "repetition-separator",
        ),
        ("bom", &["--bom", "--indent", "--line-endings", "none"], ""),
    ];
    for (name, args, extra) in layouts {
        let mut all = inject.to_vec();
        all.extend_from_slice(args);
        let (edi, t) = synth(dir.path(), name, &all);
        assert_ne!(edi, standard, "{name}");
        assert_eq!(t, truth, "{name}: the truth does not depend on the layout");
        let mut want = want.clone();
        if !extra.is_empty() {
            want.insert(("segment 0".into(), extra.to_string()));
        }
        assert_eq!(findings(dir.path(), &edi), want, "{name}");
    }
}

#[test]
fn wrapped_lines_hold_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (standard, _) = synth(dir.path(), "standard", &["--line-endings", "none"]);
    let (wrapped, _) = synth(
        dir.path(),
        "wrapped",
        &["--wrap", "80", "--line-endings", "crlf"],
    );
    let lines: Vec<&[u8]> = wrapped.split(|&b| b == b'\n').collect();
    let (last, full) = lines[..lines.len() - 1].split_last().unwrap();
    assert!(full.iter().all(|l| l.len() == 81 && l.ends_with(b"\r")));
    assert!(last.len() <= 81);
    let joined: Vec<u8> = wrapped
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    assert_eq!(joined, standard);
}

#[test]
fn list_names_every_variant_with_its_rule_ids() {
    let o = x837(&["synth", "--list"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("variant\trules\tkinds\tapplies to\tneeds")
    );
    let rules = String::from_utf8(x837(&["rules"]).stdout).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 84);
    for r in &rows {
        assert_eq!(r.len(), 5, "{r:?}");
        for id in r[1].split(',').filter(|id| *id != "-") {
            assert!(rules.contains(id), "{id} is not a rule `x837 rules` lists");
        }
    }
    for want in [
        ["se01-wrong", "segment-count", "both", "transaction", "-"],
        ["truncated", "envelope-structure", "both", "batch", "-"],
        [
            "dose-frequency-7-in-year",
            "dose-frequency",
            "both",
            "j2326-group",
            "-",
        ],
        ["high-dose-500", "-", "both", "j2326-claim", "config"],
        [
            "revenue-code-not-0636",
            "revenue-code",
            "837i",
            "j2326-claim",
            "-",
        ],
        [
            "ndc-lin-without-ctp",
            "ndc-missing,segment-missing",
            "both",
            "j2326-claim",
            "-",
        ],
    ] {
        assert!(rows.iter().any(|r| r[..] == want[..]), "{want:?}");
    }
}

#[test]
fn inject_ids_select_variants_and_unknown_ones_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (_, truth) = synth(dir.path(), "units", &["--inject", "drug-units"]);
    let rules: BTreeSet<&str> = truth["claims"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|r| r.as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    // drug-units's variants: units-1/5/12/1200 and waste-jw-line-beside-jz.
    assert!(rules.contains("drug-units"), "{rules:?}");
    assert!(
        rules
            .iter()
            .all(|r| ["drug-units", "waste-modifier"].contains(r)),
        "{rules:?}"
    );
    let (_, truth) = synth(
        dir.path(),
        "trailers",
        &["--inject", "se01-wrong,ge02-mismatch"],
    );
    let got: BTreeSet<&str> = truth["envelopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["variant"].as_str().unwrap())
        .collect();
    assert_eq!(got, BTreeSet::from(["se01-wrong", "ge02-mismatch"]));
    for bad in [
        &["--inject", "no-such-variant"][..],
        &["--inject", "element-repeat"],
        &["--inject", "revenue-code-not-0636", "--kind", "837p"],
        &["--delimiters", "*,*,^,~"],
        &["--delimiters", "A,:,^,~"],
        &["--wrap", "80", "--indent"],
        &["--wrap", "80", "--delimiters", "*,:,^,\\n"],
    ] {
        let mut args = vec!["synth", "--claims", "3", "--seed", "1"];
        args.extend_from_slice(bad);
        let o = x837(&args);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(o.stdout.is_empty(), "{bad:?}: nothing written");
    }
}
