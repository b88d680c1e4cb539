//! `x837 generate` and `x837 synth` through the command line, checked against pyx12.

mod common;

use std::fs;

use common::{pyx12, root, x837};

fn samples() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = fs::read_dir(root().join("samples/claims"))
        .expect("samples/claims")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_sample_description_passes_pyx12() {
    let files = samples();
    assert!(files.len() >= 4, "samples/claims holds the examples");
    for f in files {
        let out = x837(&["generate", f.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        pyx12::assert_ok(&f.display().to_string(), &out.stdout);
    }
}

fn synth(args: &[&str]) -> Vec<u8> {
    let mut all = vec!["synth"];
    all.extend_from_slice(args);
    let out = x837(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn synth_837p_without_errors_passes_pyx12() {
    for seed in ["1", "2", "3"] {
        let bytes = synth(&["--claims", "250", "--seed", seed, "--kind", "837p"]);
        pyx12::assert_ok(&format!("synth 837p seed {seed}"), &bytes);
    }
}

#[test]
fn synth_837i_without_errors_passes_pyx12() {
    for seed in ["1", "2", "3"] {
        let bytes = synth(&["--claims", "250", "--seed", seed, "--kind", "837i"]);
        pyx12::assert_ok(&format!("synth 837i seed {seed}"), &bytes);
    }
}

#[test]
fn synth_mixed_without_errors_passes_pyx12() {
    let bytes = synth(&["--claims", "300", "--seed", "11", "--kind", "mixed"]);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("005010X222A1") && text.contains("005010X223A2"));
    pyx12::assert_ok("synth mixed seed 11", &bytes);
}

#[test]
fn synth_splits_transactions_at_1000_claims_and_passes_pyx12() {
    let bytes = synth(&["--claims", "2100", "--seed", "4", "--kind", "837p"]);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert_eq!(text.lines().filter(|l| l.starts_with("ST*")).count(), 3);
    assert_eq!(text.lines().filter(|l| l.starts_with("CLM*")).count(), 2100);
    pyx12::assert_ok("synth 2100 claims", &bytes);
}

#[test]
fn pyx12_rejects_injected_errors() {
    // Guards the oracle itself: a batch with N2 qualifiers and missing CTPs must fail.
    let bytes = synth(&[
        "--claims",
        "300",
        "--seed",
        "5",
        "--kind",
        "837p",
        "--error-rate",
        "1",
    ]);
    assert!(matches!(
        pyx12::validate(&bytes),
        pyx12::Verdict::Failure(_)
    ));
}

#[test]
fn synth_is_deterministic_and_writes_atomically_with_truth() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch.x12");
    let truth = dir.path().join("truth.json");
    let args = |o: &str, t: &str| {
        x837(&[
            "synth",
            "--claims",
            "400",
            "--seed",
            "42",
            "--kind",
            "mixed",
            "--error-rate",
            "0.5",
            "--truth",
            t,
            "-o",
            o,
        ])
    };
    let first = args(out.to_str().unwrap(), truth.to_str().unwrap());
    assert_eq!(first.status.code(), Some(0));
    let a = fs::read(&out).unwrap();
    let ta = fs::read(&truth).unwrap();
    let second = args(out.to_str().unwrap(), truth.to_str().unwrap());
    assert_eq!(second.status.code(), Some(0));
    assert_eq!(a, fs::read(&out).unwrap(), "same seed, same bytes");
    assert_eq!(ta, fs::read(&truth).unwrap());
    // Only the two outputs remain: the temporary files were renamed.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    let t: serde_json::Value = serde_json::from_slice(&ta).unwrap();
    let claims = t["claims"].as_object().unwrap();
    assert_eq!(claims.len(), 400);
    assert!(claims.values().any(|v| !v.as_array().unwrap().is_empty()));
    let text = String::from_utf8(a).unwrap();
    for id in claims.keys() {
        assert!(text.contains(&format!("CLM*{id}*")), "{id} in the batch");
    }
}

#[test]
fn generate_needs_a_kind() {
    let dir = tempfile::tempdir().unwrap();
    let src = fs::read_to_string(root().join("samples/claims/837p-office.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&src).unwrap();
    v.as_object_mut().unwrap().remove("kind");
    let f = dir.path().join("nokind.json");
    fs::write(&f, v.to_string()).unwrap();
    let out = x837(&["generate", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kind"));
    let out = x837(&["generate", f.to_str().unwrap(), "--kind", "837p"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn generate_names_the_json_path_of_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let src = fs::read_to_string(root().join("samples/claims/837p-j2326.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&src).unwrap();
    v["claims"][0]["lines"][1]["date"] = "2024-02-30".into();
    v["claims"][1]["lines"][2]["ndc"]["unit"] = "MG".into();
    v["billing_provider"]["npi"] = "1234567890".into();
    let f = dir.path().join("bad.json");
    fs::write(&f, v.to_string()).unwrap();
    let out = x837(&["generate", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no 837 from a bad description");
    let err = String::from_utf8_lossy(&out.stderr);
    for path in [
        "claims[0].lines[1].date:",
        "claims[1].lines[2].ndc.unit:",
        "billing_provider.npi:",
    ] {
        assert!(err.contains(path), "{path} in {err}");
    }

    v = serde_json::from_str(&src).unwrap();
    v["claims"][0]["lines"][1]
        .as_object_mut()
        .unwrap()
        .remove("date");
    fs::write(&f, v.to_string()).unwrap();
    let out = x837(&["generate", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("claims[0].lines[1].date: missing field")
    );
}

#[test]
fn generate_sets_control_numbers() {
    let f = root().join("samples/claims/837p-office.json");
    let out = x837(&[
        "generate",
        f.to_str().unwrap(),
        "--isa13",
        "123456789",
        "--gs06",
        "77",
        "--st02",
        "9001",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let isa = text.lines().next().unwrap();
    assert_eq!(isa.len(), 106);
    assert!(isa.contains("*123456789*"));
    assert!(text.contains("*77*X*005010X222A1~"));
    assert!(text.contains("ST*837*9001*005010X222A1~"));
    assert!(text.contains("SE*") && text.contains("*9001~"));
    assert!(text.contains("GE*1*77~") && text.contains("IEA*1*123456789~"));
}
