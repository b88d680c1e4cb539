//! Scrub contracts over the corpus and the samples: a clean file comes out byte-identical
//! with exit 0 and no finding; scrubbing the output again fixes nothing; the output
//! validates at least as clean as the input; and where the scrub fixed every error, pyx12
//! accepts the output.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use x837::report::Severity;
use x837::scrub::{self, Settings};

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        common::corpus_dir(),
        root.join("samples"),
        root.join("samples/scrub"),
    ] {
        let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".md")
                || name.ends_with(".tsv")
                || name.ends_with(".findings")
                || p.is_dir()
            {
                continue;
            }
            out.push((name, fs::read(&p).unwrap()));
        }
    }
    out
}

fn error_counts(bytes: &[u8]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for f in x837::validate::validate(bytes, "f").findings {
        if f.severity == Severity::Error {
            *m.entry(f.rule.as_str()).or_default() += 1;
        }
    }
    m
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn scrub_is_idempotent_and_never_less_valid() {
    let settings = Settings::default();
    let mut checked = 0;
    for (name, input) in inputs() {
        let s = scrub::scrub(&input, &name, &settings);
        if s.output.is_empty() {
            assert!(s.error.is_some(), "{name}: no output and no error");
            continue;
        }
        checked += 1;
        let again = scrub::scrub(&s.output, &name, &settings);
        assert_eq!(again.fixed(), 0, "{name}: a second scrub fixed more");
        assert_eq!(
            again.output, s.output,
            "{name}: a second scrub changed the output"
        );
        let before = error_counts(&input);
        for (rule, n) in error_counts(&s.output) {
            let was = before.get(rule).copied().unwrap_or(0);
            assert!(n <= was, "{name}: {rule} went from {was} to {n} errors");
        }
        if s.fixed() == 0 {
            assert_eq!(
                s.output, input,
                "{name}: nothing fixed, yet the output differs"
            );
        }
    }
    assert!(checked > 60, "only {checked} inputs scrubbed");
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn clean_files_come_out_identical_with_exit_0() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut clean: Vec<PathBuf> = vec![root.join("samples/837p-j2326.x12")];
    clean.extend(
        [
            "03_irobayna_home-infusion-therapy-pharmacy-_adjudicated-with-HCPCS-in-loop-2400-or-NDC-in-loop-2410_.edi",
            "04_irobayna_home-infusion-therapy-pharmacy-_adjudicated-with-NDC-in-loop-2410_.edi",
            "11_LinuxForHeal_demo.drug.example10.3.837",
        ]
        .iter()
        .map(|n| common::corpus_dir().join(n)),
    );
    for path in clean {
        let input = fs::read(&path).unwrap();
        let out = common::x837(&[
            "scrub",
            path.to_str().unwrap(),
            "--format",
            "json",
            "--report",
            "/dev/null",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, input, "{}: not byte-identical", path.display());
        let s = scrub::scrub(&input, "clean", &Settings::default());
        assert!(
            s.findings.is_empty(),
            "{}: {:?}",
            path.display(),
            s.findings
        );
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn pyx12_accepts_what_the_scrub_fully_fixed() {
    let settings = Settings::default();
    let mut checked = 0;
    for (name, input) in inputs() {
        let s = scrub::scrub(&input, &name, &settings);
        let readable = !input.starts_with(b"\xEF\xBB\xBF")
            && !String::from_utf8_lossy(&input).contains("005010X222A2")
            && !String::from_utf8_lossy(&input).contains("005010X223A3");
        let fully_fixed = s.error.is_none() && s.fixed() > 0 && error_counts(&s.output).is_empty();
        if !readable || !fully_fixed {
            continue;
        }
        checked += 1;
        common::pyx12::assert_ok(&name, &s.output);
    }
    assert!(checked >= 5, "only {checked} fully fixed inputs");
}
