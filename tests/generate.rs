//! `x837 generate` and `x837 synth` through the command line, checked against pyx12, and
//! the description checks against the grammars.

mod common;

use std::fs;

use common::{pyx12, root, x837};
use serde_json::Value;
use x837::generate::{self, DescriptionError};
use x837::grammar::{self, ElementDef, Grammar, LoopDef, Repeat, SegmentDef, Usage, external};

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

// ---- the description checks take their limits from the grammars

fn sample(name: &str) -> Value {
    let text = fs::read_to_string(root().join("samples/claims").join(name)).expect(name);
    serde_json::from_str(&text).expect(name)
}

/// The problems `parse` finds with `v`, as `path: message`.
fn problems(v: &Value) -> Vec<String> {
    match generate::parse(v.to_string().as_bytes(), None) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(DescriptionError::to_string).collect(),
    }
}

/// `v` with the field at JSON pointer `at` set to `value` (added when absent).
fn with(v: &Value, at: &str, value: impl Into<Value>) -> Value {
    let mut v = v.clone();
    let (parent, key) = at.rsplit_once('/').expect("a JSON pointer");
    match v.pointer_mut(parent).unwrap_or_else(|| panic!("{at}")) {
        Value::Object(o) => {
            o.insert(key.to_string(), value.into());
        }
        other => {
            let i: usize = key.parse().expect("an array index");
            *other.get_mut(i).unwrap_or_else(|| panic!("{at}")) = value.into();
        }
    }
    v
}

/// The path `parse` names for a JSON pointer: `/claims/0/id` is `claims[0].id`.
fn json_path(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        if part.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

fn find_loop<'g>(g: &'g Grammar, id: &str) -> &'g LoopDef {
    g.find_loop(id).unwrap_or_else(|| panic!("loop {id}"))
}

/// Segment `id` of loop `l`, the one whose qualifier codes hold `q` when given.
fn find_segment<'g>(g: &'g Grammar, l: &str, id: &str, q: Option<&str>) -> &'g SegmentDef {
    find_loop(g, l)
        .segments()
        .find(|s| {
            s.id == id
                && q.is_none_or(|q| s.qualifier().is_some_and(|(_, c)| c.iter().any(|c| c == q)))
        })
        .unwrap_or_else(|| panic!("{l} {id} {q:?}"))
}

fn find_element<'g>(
    g: &'g Grammar,
    l: &str,
    id: &str,
    q: Option<&str>,
    n: usize,
) -> &'g ElementDef {
    find_segment(g, l, id, q)
        .element(n)
        .unwrap_or_else(|| panic!("{l} {id}{n:02}"))
}

#[test]
fn description_lengths_are_the_grammars() {
    let g = grammar::for_version("005010X222A1").unwrap();
    let base = sample("837p-dependent.json");
    assert_eq!(problems(&base), Vec::<String>::new());
    // (JSON pointer, the element the field fills)
    let fields = [
        ("/reference", ("ST_LOOP", "BHT", None, 3)),
        ("/submitter/name", ("1000A", "NM1", None, 3)),
        ("/submitter/contact_name", ("1000A", "PER", None, 2)),
        ("/receiver/name", ("1000B", "NM1", None, 3)),
        ("/billing_provider/name", ("2010AA", "NM1", None, 3)),
        ("/billing_provider/address/city", ("2010AA", "N4", None, 1)),
        ("/claims/0/id", ("2300", "CLM", None, 1)),
        ("/claims/0/subscriber/member_id", ("2010BA", "NM1", None, 9)),
        ("/claims/0/subscriber/last_name", ("2010BA", "NM1", None, 3)),
        (
            "/claims/0/subscriber/first_name",
            ("2010BA", "NM1", None, 4),
        ),
        (
            "/claims/0/subscriber/address/line1",
            ("2010BA", "N3", None, 1),
        ),
        (
            "/claims/0/subscriber/group_number",
            ("2000B", "SBR", None, 3),
        ),
        ("/claims/0/patient/first_name", ("2010CA", "NM1", None, 4)),
        ("/claims/0/payer/id", ("2010BB", "NM1", None, 9)),
        (
            "/claims/0/prior_authorization",
            ("2300", "REF", Some("G1"), 2),
        ),
    ];
    for (at, (l, id, q, n)) in fields {
        let path = json_path(at);
        let e = find_element(g, l, id, q, n);
        let (min, max) = (e.min_len as usize, e.max_len as usize);
        assert!(max > 1, "{path}");
        for len in [min.max(1), max] {
            let v = with(&base, at, "A".repeat(len));
            assert_eq!(
                problems(&v),
                Vec::<String>::new(),
                "{path}: {len} characters"
            );
        }
        let v = with(&base, at, "A".repeat(max + 1));
        assert_eq!(
            problems(&v),
            [format!("{path}: longer than {max} characters")],
            "{path}"
        );
        if min > 1 {
            let v = with(&base, at, "A".repeat(min - 1));
            assert_eq!(problems(&v), [format!("{path}: at least {min} characters")]);
        }
    }
}

#[test]
fn description_code_lists_are_the_grammars() {
    let g = grammar::for_version("005010X222A1").unwrap();
    let base = sample("837p-dependent.json");
    // Every code of the guide's list is taken, and a code outside it refused.
    let lists = [
        ("/claims/0/subscriber/gender", ("2010BA", "DMG", 3)),
        ("/claims/0/patient/gender", ("2010CA", "DMG", 3)),
        (
            "/claims/0/subscriber/payer_responsibility",
            ("2000B", "SBR", 1),
        ),
        ("/claims/0/payer/filing_indicator", ("2000B", "SBR", 9)),
        ("/claims/0/lines/0/unit_basis", ("2400", "SV1", 3)),
    ];
    for (at, (l, id, n)) in lists {
        let path = json_path(at);
        let codes = &find_element(g, l, id, None, n).codes;
        assert!(!codes.is_empty(), "{path}");
        for code in codes {
            assert_eq!(
                problems(&with(&base, at, code.as_str())),
                Vec::<String>::new(),
                "{path} {code}"
            );
        }
        assert_eq!(
            problems(&with(&base, at, "X9")),
            [format!(
                "{path}: unknown code \"X9\" (expected one of {})",
                codes.join(", ")
            )]
        );
    }
    // External lists: the states of a subscriber's N402, places of service of CLM05-01.
    let n402 = find_element(g, "2010BA", "N4", None, 2);
    assert_eq!(n402.external.as_deref(), Some("states"));
    assert_eq!(external::contains("states", "ZZ"), Some(false));
    let at = "/claims/0/subscriber/address/state";
    assert_eq!(problems(&with(&base, at, "IL")), Vec::<String>::new());
    assert_eq!(
        problems(&with(&base, at, "ZZ")),
        [
            "claims[0].subscriber.address.state: unknown code \"ZZ\" (not in the guide's states list)"
        ]
    );
    let clm05 = find_element(g, "2300", "CLM", None, 5)
        .component(1)
        .unwrap();
    assert_eq!(clm05.external.as_deref(), Some("pos"));
    assert_eq!(external::contains("pos", "30"), Some(false));
    assert_eq!(
        problems(&with(&base, "/claims/0/place_of_service", "30")),
        ["claims[0].place_of_service: unknown code \"30\" (not in the guide's pos list)"]
    );
}

#[test]
fn description_counts_are_the_grammars() {
    for (version, name) in [
        ("005010X222A1", "837p-j2326.json"),
        ("005010X223A2", "837i-outpatient.json"),
    ] {
        let g = grammar::for_version(version).unwrap();
        let base = sample(name);
        assert_eq!(problems(&base), Vec::<String>::new(), "{version}");
        // Lines: as many as loop 2400 repeats.
        let Repeat::Max(max) = find_loop(g, "2400").repeat else {
            panic!("2400 repeats without a limit");
        };
        let line = base.pointer("/claims/0/lines/0").unwrap().clone();
        let lines = |n: u32| with(&base, "/claims/0/lines", vec![line.clone(); n as usize]);
        assert_eq!(problems(&lines(max)), Vec::<String>::new(), "{version}");
        assert_eq!(
            problems(&lines(max + 1)),
            [format!("claims[0].lines: at most {max} lines")],
            "{version}"
        );
        // Diagnoses: as many as the HI composites the guide uses, in the principal HI and
        // (837I) the one HI of other diagnoses the generator writes.
        let used = |q: &str| {
            find_segment(g, "2300", "HI", Some(q))
                .elements
                .iter()
                .filter(|e| e.usage != Usage::NotUsed)
                .count()
        };
        let max = if version == "005010X222A1" {
            used("ABK")
        } else {
            used("ABK") + used("ABF")
        };
        let dx = |n: usize| with(&base, "/claims/0/diagnoses", vec!["G121"; n]);
        assert_eq!(problems(&dx(max)), Vec::<String>::new(), "{version}");
        assert_eq!(
            problems(&dx(max + 1)),
            [format!("claims[0].diagnoses: at most {max} diagnoses")],
            "{version}"
        );
    }
}
