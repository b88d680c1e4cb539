//! The command line of validate, scrub, rules and parse, as a pipeline uses it: exit codes,
//! where output goes, usage errors, report formats.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};

use common::x837;

fn sample(name: &str) -> String {
    format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn corpus(name: &str) -> String {
    common::corpus_path(name)
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn scrub_exit_codes() {
    // Clean: 0, output identical.
    let clean = sample("837p-j2326.x12");
    let out = x837(&["scrub", &clean]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, fs::read(&clean).unwrap());
    // Everything fixable fixed: 0.
    let out = x837(&["scrub", &sample("scrub/ndc-missing.x12")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An error no fix removes: 1.
    let out = x837(&["scrub", &sample("scrub/admin-missing.x12")]);
    assert_eq!(out.status.code(), Some(1));
    // A warning only: 0, 1 with --fail-on warning.
    let warn = sample("scrub/prior-auth.x12");
    assert_eq!(x837(&["scrub", "--check", &warn]).status.code(), Some(0));
    assert_eq!(
        x837(&["scrub", "--check", "--fail-on", "warning", &warn])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        x837(&[
            "scrub",
            "--check",
            "--fail-on",
            "never",
            &sample("scrub/admin-missing.x12")
        ])
        .status
        .code(),
        Some(0)
    );
    // Not X12: 2, and it wins over 1.
    let out = x837(&[
        "scrub",
        "--check",
        &sample("scrub/admin-missing.x12"),
        &corpus("28_imsweb_x12_no_isa_line.txt"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    // --fixes repair leaves a recode as a finding: exit 1.
    assert_eq!(
        x837(&[
            "scrub",
            "--check",
            "--fixes",
            "repair",
            &sample("scrub/ndc-missing.x12")
        ])
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        x837(&[
            "scrub",
            "--check",
            "--fixes",
            "all",
            &sample("scrub/ndc-missing.x12")
        ])
        .status
        .code(),
        Some(0)
    );
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn scrub_outputs_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample("scrub/ndc-missing.x12");
    let fixed = fs::read(sample("scrub/ndc-missing.fixed.x12")).unwrap();
    // -o writes the corrected file, stdout stays empty.
    let o = dir.path().join("out.x12");
    let out = x837(&["scrub", &input, "-o", o.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(fs::read(&o).unwrap(), fixed);
    // -o with two inputs is a usage error and writes nothing.
    let o2 = dir.path().join("two.x12");
    let out = x837(&["scrub", &input, &input, "-o", o2.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!o2.exists());
    // --out-dir writes each input under its name.
    let d = dir.path().join("batch");
    fs::create_dir(&d).unwrap();
    // The clean sample as another patient's claim (one patient's dose billed in two files
    // of one run is a duplicate service).
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let clean = fs::read_to_string(sample("837p-j2326.x12"))
        .unwrap()
        .replace("MEMBER0001", "MEMBER0002");
    fs::write(elsewhere.join("837p-j2326.x12"), &clean).unwrap();
    let out = x837(&[
        "scrub",
        &input,
        elsewhere.join("837p-j2326.x12").to_str().unwrap(),
        "--out-dir",
        d.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read(d.join("ndc-missing.x12")).unwrap(), fixed);
    assert_eq!(
        fs::read(d.join("837p-j2326.x12")).unwrap(),
        clean.as_bytes()
    );
    // --check writes no EDI and puts the report on standard output.
    let out = x837(&["scrub", "--check", "--format", "json", &input]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["summary"]["fixed"], 0, "--check writes no fix");
    assert_eq!(report["summary"]["would_fix"], 1);
    for key in [
        "rule",
        "severity",
        "fixed",
        "fix_class",
        "claim",
        "message",
        "file",
        "interchange",
        "transaction",
        "segment",
        "byte",
        "text_line",
        "loop",
        "service_line",
        "before",
        "after",
    ] {
        assert!(
            report["findings"][0].get(key).is_some(),
            "finding lacks {key}"
        );
    }
    for key in ["file", "sha256", "claims", "findings", "fixed"] {
        assert!(report["inputs"][0].get(key).is_some(), "input lacks {key}");
    }
    assert_eq!(report["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    // The report format follows the extension.
    for (ext, starts) in [("html", "<!DOCTYPE html>"), ("json", "{"), ("txt", "x837 ")] {
        let r = dir.path().join(format!("r.{ext}"));
        let out = x837(&["scrub", "--check", &input, "--report", r.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
        assert!(fs::read_to_string(&r).unwrap().starts_with(starts), "{ext}");
    }
    // A not-X12 input with -o leaves no file.
    let o3 = dir.path().join("none.x12");
    let out = x837(&[
        "scrub",
        &corpus("28_imsweb_x12_no_isa_line.txt"),
        "-o",
        o3.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!o3.exists());
    // The input is never overwritten.
    let copy = dir.path().join("in.x12");
    fs::copy(&input, &copy).unwrap();
    let out = x837(&[
        "scrub",
        copy.to_str().unwrap(),
        "-o",
        copy.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fs::read(&copy).unwrap(), fs::read(&input).unwrap());
    // A report format with nowhere to go is a usage error, not a silent drop.
    let out = x837(&["scrub", "--format", "json", &input]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    // Unknown profile, config key or rule id: 2.
    assert_eq!(
        x837(&["scrub", "--check", "--profile", "nope", &input])
            .status
            .code(),
        Some(2)
    );
    let cfg = dir.path().join("x837.toml");
    fs::write(&cfg, "disable = [\"no-such-rule\"]\n").unwrap();
    assert_eq!(
        x837(&[
            "scrub",
            "--check",
            "--config",
            cfg.to_str().unwrap(),
            &input
        ])
        .status
        .code(),
        Some(2)
    );
    fs::write(&cfg, "disable = [\"ndc-missing\"]\n").unwrap();
    let out = x837(&["scrub", "--config", cfg.to_str().unwrap(), &input]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout,
        fs::read(&input).unwrap(),
        "a disabled rule fixes nothing"
    );
}

#[test]
fn profiles_change_the_expected_administration_code() {
    let dir = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(sample("837p-j2326.x12")).unwrap();
    let variants = |code: &str, args: &[&str]| -> usize {
        let p = dir.path().join(format!("{code}.x12"));
        fs::write(
            &p,
            base.replace("SV1*HC:62321*", &format!("SV1*HC:{code}*")),
        )
        .unwrap();
        let mut a = vec!["scrub", "--check", "--format", "json"];
        a.extend_from_slice(args);
        let path = p.to_str().unwrap().to_string();
        a.push(&path);
        let out = x837(&a);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "admin-code-variant")
            .count()
    };
    assert_eq!(variants("62321", &[]), 0);
    assert_eq!(variants("62323", &[]), 1);
    assert_eq!(variants("62323", &["--profile", "cpt-lumbar"]), 0);
    assert_eq!(variants("62321", &["--profile", "cpt-lumbar"]), 1);
    assert_eq!(variants("96450", &["--profile", "noridian"]), 0);
    assert_eq!(variants("62321", &["--profile", "noridian"]), 1);
    // A config maps a payer to a profile: the sample's payer is PAYER01.
    let cfg = dir.path().join("x837.toml");
    fs::write(&cfg, "[payers]\nPAYER01 = \"noridian\"\n").unwrap();
    let c = cfg.to_str().unwrap().to_string();
    assert_eq!(variants("96450", &["--config", &c]), 0);
    assert_eq!(variants("62321", &["--config", &c]), 1);
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn standard_input_and_a_closed_pipe() {
    let input = fs::read(sample("scrub/ndc-missing.x12")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(["scrub", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout,
        fs::read(sample("scrub/ndc-missing.fixed.x12")).unwrap()
    );
    // A reader that goes away is not an error.
    let big = corpus("18_imsweb_x12_many_claims.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(["validate", &big])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "findings remain; the closed pipe adds no failure"
    );
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn validate_exit_codes_and_json() {
    assert_eq!(
        x837(&["validate", &sample("837p-j2326.x12")]).status.code(),
        Some(0)
    );
    assert_eq!(
        x837(&["validate", &corpus("16_imsweb_x12_valid.txt")])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        x837(&["validate", &corpus("10_irobayna_1.edi")])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        x837(&[
            "validate",
            "--fail-on",
            "never",
            &corpus("16_imsweb_x12_valid.txt")
        ])
        .status
        .code(),
        Some(0)
    );
    let out = x837(&[
        "validate",
        "--format",
        "json",
        &corpus("16_imsweb_x12_valid.txt"),
        &sample("837p-j2326.x12"),
    ]);
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["errors"].as_u64().unwrap() > 0);
    for f in lines[0]["findings"].as_array().unwrap() {
        assert!(
            f["segment"].is_u64() && f["byte"].is_u64() && f["text_line"].is_u64(),
            "{f}"
        );
        assert!(f["rule"].is_string() && f["loop"].is_string() || f["loop"].is_null());
    }
    assert_eq!(lines[1]["errors"], 0);
}

#[test]
fn rules_lists_and_explains() {
    let out = x837(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let list = String::from_utf8(out.stdout).unwrap();
    // Every id x837 can report, validation and scrub alike, each with a line on it.
    assert_eq!(list.lines().count(), x837::report::RuleId::ALL.len());
    for id in x837::report::RuleId::ALL {
        let line = list
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("{id} not listed"));
        assert!(line.split_whitespace().count() > 4, "{line}");
    }
    let out = x837(&["rules", "segment-missing"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("required segment"));
    let out = x837(&["rules", "admin-dos-match"]);
    let doc = String::from_utf8(out.stdout).unwrap();
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Fix",
        "## References",
    ] {
        assert!(doc.contains(section), "{section}");
    }
    assert_eq!(x837(&["rules", "no-such-rule"]).status.code(), Some(2));
}

#[test]
fn parse_prints_the_loop_tree() {
    let out = x837(&["parse", &sample("837p-j2326.x12")]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tree = &doc["transactions"][0]["tree"];
    assert_eq!(tree["loop"], "ST_LOOP");
    let text = serde_json::to_string(tree).unwrap();
    for l in ["1000A", "2000A", "2010AA", "2000B", "2300", "2400", "2410"] {
        assert!(text.contains(&format!("\"loop\":\"{l}\"")), "{l}");
    }
}
