//! `scrub --split-rejected DIR`: the claims that keep an error go to a file of their own,
//! the others to the corrected output; none is lost or duplicated, both files are valid
//! X12 at least as clean as the input, and each holds only what it should.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Every claim of a file: (CLM01, CLM02) with how often it occurs, read with the lexer.
fn claims_of(bytes: &[u8]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    if bytes.is_empty() {
        return out;
    }
    for s in common::lex_all(bytes) {
        if s.is("CLM") {
            let key = (
                String::from_utf8_lossy(s.value(1)).into_owned(),
                String::from_utf8_lossy(s.value(2)).into_owned(),
            );
            *out.entry(key).or_insert(0) += 1;
        }
    }
    out
}

fn merged(
    a: &BTreeMap<(String, String), usize>,
    b: &BTreeMap<(String, String), usize>,
) -> BTreeMap<(String, String), usize> {
    let mut out = a.clone();
    for (k, n) in b {
        *out.entry(k.clone()).or_insert(0) += n;
    }
    out
}

/// `x837 info --format json` of one file.
fn info(dir: &Path, file: &str) -> Value {
    let out = run_in(dir, &["info", "--format", "json", "-q", file]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "info {file}: {}",
        common::show(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Errors `x837 validate` finds in a file.
fn errors(dir: &Path, file: &str) -> u64 {
    let out = run_in(dir, &["validate", file]);
    let text = common::show(&out.stderr);
    let last = text.lines().last().unwrap_or_default().to_string();
    let n = last
        .split(", ")
        .find_map(|p| p.strip_suffix(" errors"))
        .unwrap_or_else(|| panic!("no error count in {last:?}"));
    n.parse().unwrap()
}

fn cents(v: &Value) -> i64 {
    let s = v["billed"].as_str().unwrap();
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap()
}

/// Scrubs `inputs` (under `dir`) three ways: without splitting, and split into `out`
/// and `rej`. Checks for each input that the two halves hold exactly the claims of the
/// unsplit output, billed totals and counts adding up, that both validate at least as
/// clean as the input, and what the report says. Returns the report of the split run.
fn check_split(dir: &Path, inputs: &[&str]) -> Value {
    let mut args = vec![
        "scrub",
        "--out-dir",
        "whole",
        "-q",
        "--report",
        "whole.json",
    ];
    args.extend(inputs);
    let whole = run_in(dir, &args);
    let mut args = vec!["scrub", "--out-dir", "out", "--split-rejected", "rej"];
    args.extend(["--report", "split.json"]);
    args.extend(inputs);
    let split = run_in(dir, &args);
    assert_eq!(
        whole.status.code(),
        split.status.code(),
        "{}",
        common::show(&split.stderr)
    );
    let report: Value = serde_json::from_slice(&fs::read(dir.join("split.json")).unwrap()).unwrap();
    let mut split_off = 0;
    for (input, entry) in inputs.iter().zip(report["inputs"].as_array().unwrap()) {
        let name = Path::new(input)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let (out, rej, all) = (
            format!("out/{name}"),
            format!("rej/{name}"),
            format!("whole/{name}"),
        );
        let read = |f: &str| fs::read(dir.join(f)).unwrap_or_default();
        let (out_b, rej_b, all_b) = (read(&out), read(&rej), read(&all));
        // No claim lost or duplicated: the halves hold the claims of the unsplit output.
        assert_eq!(
            merged(&claims_of(&out_b), &claims_of(&rej_b)),
            claims_of(&all_b),
            "{name}: the claims of the two outputs"
        );
        let n = entry["claims_split_off"].as_u64().unwrap();
        let in_rej: usize = claims_of(&rej_b).values().sum();
        assert_eq!(n as usize, in_rej, "{name}: claims_split_off");
        split_off += n;
        let input_info = info(dir, input);
        let (mut claims, mut billed) = (0, 0);
        for (f, bytes) in [(&out, &out_b), (&rej, &rej_b)] {
            if bytes.is_empty() {
                // An output with nothing in it is not written.
                assert!(!dir.join(f).exists(), "{f} is empty but there");
                continue;
            }
            let i = info(dir, f);
            claims += i["claims"].as_u64().unwrap();
            billed += cents(&i);
            assert!(
                errors(dir, f) <= errors(dir, input),
                "{f} validates worse than {input}"
            );
        }
        assert_eq!(
            claims,
            input_info["claims"].as_u64().unwrap(),
            "{name}: claims"
        );
        if fs::read(dir.join(input)).unwrap() == all_b {
            // No fix changed the file, so no fix changed a claim's total either.
            assert_eq!(billed, cents(&input_info), "{name}: billed");
        }
        assert_eq!(
            billed,
            cents(&info(dir, &all)),
            "{name}: billed after fixes"
        );
        match entry.get("rejected_output") {
            Some(Value::String(p)) => assert_eq!(p, &rej),
            _ => assert_eq!(n, 0, "{name}: claims split off but no rejected_output"),
        }
    }
    assert_eq!(
        report["summary"]["claims_split_off"].as_u64(),
        Some(split_off)
    );
    report
}

fn synth(dir: &Path, name: &str, kind: &str, claims: &str, seed: &str, rate: &str) {
    let out = run_in(
        dir,
        &[
            "synth",
            "--kind",
            kind,
            "--claims",
            claims,
            "--seed",
            seed,
            "--error-rate",
            rate,
            "-o",
            name,
        ],
    );
    assert!(out.status.success(), "{}", common::show(&out.stderr));
}

#[test]
fn synth_batches_split_into_clean_and_rejected_claims() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synth(dir, "p.x12", "837p", "300", "21", "0.4");
    synth(dir, "i.x12", "837i", "200", "22", "0.4");
    synth(dir, "m.x12", "mixed", "250", "23", "0.3");
    synth(dir, "clean.x12", "837p", "50", "24", "0");
    let report = check_split(dir, &["p.x12", "i.x12", "m.x12", "clean.x12"]);
    // The split-off claims are exactly those an error remains on (synth's errors are
    // all in claims), and the corrected output keeps none of them.
    let mut open: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        if f["severity"] == "error" && f["fixed"] == false {
            let file = f["file"].as_str().unwrap().to_string();
            open.entry(file)
                .or_default()
                .push(f["claim"].as_str().unwrap().to_string());
        }
    }
    for name in ["p.x12", "i.x12", "m.x12"] {
        let rej = fs::read(dir.join("rej").join(name)).unwrap();
        let mut got: Vec<String> = claims_of(&rej).into_keys().map(|(id, _)| id).collect();
        let mut want = open.remove(name).unwrap_or_default();
        want.sort();
        want.dedup();
        got.sort();
        assert!(
            !want.is_empty(),
            "{name}: no claim keeps an error; the test needs some"
        );
        assert_eq!(got, want, "{name}: the rejected claims");
        // The corrected output scrubs clean.
        let again = run_in(dir, &["scrub", "--check", &format!("out/{name}")]);
        assert_eq!(
            again.status.code(),
            Some(0),
            "{}",
            common::show(&again.stderr)
        );
    }
    // A clean input sends nothing to the rejected directory.
    assert!(!dir.join("rej/clean.x12").exists());
    let r = &report["inputs"].as_array().unwrap()[3];
    assert_eq!(r["claims_split_off"], 0);
    assert!(r.get("rejected_output").is_none());
}

#[test]
fn rejected_files_have_envelopes_and_hierarchies_of_their_own() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synth(dir, "p.x12", "837p", "120", "31", "0.5");
    check_split(dir, &["p.x12"]);
    let rej = fs::read(dir.join("rej/p.x12")).unwrap();
    let segs = common::lex_all(&rej);
    let count = |id: &str| segs.iter().filter(|s| s.is(id)).count();
    assert_eq!((count("ISA"), count("GS"), count("ST")), (1, 1, 1));
    let iea = segs.iter().find(|s| s.is("IEA")).unwrap();
    let isa = &segs[0];
    assert_eq!(iea.value(2), isa.value(13));
    assert_eq!(iea.value(1), b"1");
    let se = segs.iter().find(|s| s.is("SE")).unwrap();
    let st = segs.iter().position(|s| s.is("ST")).unwrap();
    let se_at = segs.iter().position(|s| s.is("SE")).unwrap();
    assert_eq!(se.value(1), (se_at - st + 1).to_string().as_bytes(), "SE01");
    assert_eq!(se.value(2), segs[st].value(2), "SE02");
    // HL01 counts from 1; each HL02 names an earlier HL of the level above.
    let mut levels: BTreeMap<String, String> = BTreeMap::new();
    let mut n = 0;
    for s in segs.iter().filter(|s| s.is("HL")) {
        n += 1;
        let id = common::show(s.value(1));
        assert_eq!(id, n.to_string(), "HL01 in order");
        let level = common::show(s.value(3));
        let parent = common::show(s.value(2));
        match level.as_str() {
            "20" => assert!(parent.is_empty()),
            "22" => assert_eq!(levels.get(&parent).map(String::as_str), Some("20")),
            "23" => assert_eq!(levels.get(&parent).map(String::as_str), Some("22")),
            other => panic!("HL03 {other}"),
        }
        levels.insert(id, level);
    }
    // The pyx12 oracle reads both halves as valid 837s.
    common::pyx12::assert_ok("rej/p.x12", &rej);
    common::pyx12::assert_ok("out/p.x12", &fs::read(dir.join("out/p.x12")).unwrap());
}

#[test]
#[cfg_attr(no_shared, ignore = "needs the shared corpus (X837_SHARED)")]
fn corpus_files_with_several_claims_and_subscribers_split_without_loss() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut names = Vec::new();
    for prefix in ["08", "14", "16", "17", "18", "20", "21", "34"] {
        let (path, _) = common::corpus_file(prefix);
        let name = common::file_name(&path);
        fs::copy(&path, dir.join(&name)).unwrap();
        names.push(name);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let report = check_split(dir, &names);
    assert!(report["summary"]["claims_split_off"].as_u64().unwrap() > 0);
    // 34_ has five transactions: the clean claims stay, the others go, each half valid.
    let out = fs::read(dir.join("out").join(names[7])).unwrap();
    let rej = fs::read(dir.join("rej").join(names[7])).unwrap();
    assert!(!claims_of(&out).is_empty() && !claims_of(&rej).is_empty());
}

#[test]
fn a_run_without_rejected_claims_leaves_no_old_rejected_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synth(dir, "p.x12", "837p", "60", "41", "0.5");
    let first = run_in(
        dir,
        &["scrub", "p.x12", "-o", "out.x12", "--split-rejected", "rej"],
    );
    assert_eq!(first.status.code(), Some(1));
    assert!(dir.join("rej/p.x12").exists());
    // The same file, now clean: what is in rej/ after the run is this run's.
    synth(dir, "p.x12", "837p", "60", "41", "0");
    let second = run_in(
        dir,
        &["scrub", "p.x12", "-o", "out.x12", "--split-rejected", "rej"],
    );
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}",
        common::show(&second.stderr)
    );
    assert!(!dir.join("rej/p.x12").exists());
    assert_eq!(claims_of(&fs::read(dir.join("out.x12")).unwrap()).len(), 60);
}

#[test]
fn split_rejected_is_checked_like_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synth(dir, "p.x12", "837p", "10", "51", "0.5");
    // The rejected file would be the input itself.
    let out = run_in(
        dir,
        &["scrub", "p.x12", "-o", "o.x12", "--split-rejected", "."],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::show(&out.stderr).contains("is the input"),
        "{}",
        common::show(&out.stderr)
    );
    // The same file as the corrected output.
    fs::create_dir_all(dir.join("o")).unwrap();
    let out = run_in(
        dir,
        &["scrub", "p.x12", "--out-dir", "o", "--split-rejected", "o"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::show(&out.stderr).contains("would both be written"),
        "{}",
        common::show(&out.stderr)
    );
    let out = run_in(dir, &["scrub", "p.x12", "--check", "--split-rejected", "r"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("o/p.x12").exists());
}
