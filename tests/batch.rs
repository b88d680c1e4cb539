//! Batch operation: directories and `--glob`, many inputs in one run, and threads that
//! change nothing of what is written.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use x837::generate::synth::{self, SynthKind};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn synth_file(path: &Path, claims: u64, kind: SynthKind, seed: u64, rate: f64) {
    let options = synth::Options {
        claims,
        seed,
        kind,
        error_rate: rate,
        control: x837::generate::Control {
            isa13: 1,
            gs06: 1,
            st02: 1,
        },
    };
    let mut out = Vec::new();
    synth::run(&options, &mut out, None::<&mut Vec<u8>>).unwrap();
    fs::write(path, out).unwrap();
}

/// A directory of mixed inputs: synth batches of each kind with errors, samples, a file
/// cut short, one that is not X12, a hidden file, a file in a subdirectory.
fn mixed_batch(dir: &Path) {
    let b = dir.join("batch");
    fs::create_dir_all(b.join("sub")).unwrap();
    synth_file(&b.join("a-837p.x12"), 2500, SynthKind::Professional, 5, 0.3);
    synth_file(
        &b.join("b-837i.x12"),
        1500,
        SynthKind::Institutional,
        6,
        0.3,
    );
    synth_file(&b.join("sub/c-mixed.x12"), 2000, SynthKind::Mixed, 7, 0.2);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(
        root.join("samples/scrub/ndc-missing.x12"),
        b.join("d-sample.x12"),
    )
    .unwrap();
    let cut = fs::read(root.join("samples/837p-j2326.x12")).unwrap();
    fs::write(b.join("e-cut.x12"), &cut[..cut.len() / 2]).unwrap();
    fs::write(b.join("f-not-x12.txt"), "hello, not an interchange\n").unwrap();
    fs::write(b.join(".hidden.x12"), "ISA broken").unwrap();
}

/// What one run wrote: exit code, standard error, report, the output tree.
type Run = (i32, Vec<u8>, Vec<u8>, Vec<(String, Vec<u8>)>);

fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn threads_change_nothing_that_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mixed_batch(d);
    let mut seen: Vec<Run> = Vec::new();
    for jobs in ["1", "2", "3"] {
        let od = format!("od{jobs}");
        let report = format!("r{jobs}.json");
        let out = run_in(
            d,
            &[
                "scrub",
                "batch",
                "--out-dir",
                &od,
                "--report",
                &report,
                "--jobs",
                jobs,
            ],
        );
        let rep = fs::read(d.join(&report)).unwrap();
        seen.push((
            out.status.code().unwrap(),
            out.stderr,
            rep,
            read_tree(&d.join(&od)),
        ));
    }
    for s in &seen[1..] {
        assert_eq!(s.0, seen[0].0, "exit codes differ");
        assert_eq!(s.1, seen[0].1, "stderr differs");
        assert_eq!(s.2, seen[0].2, "reports differ");
        assert_eq!(s.3, seen[0].3, "outputs differ");
    }
    // The cut file makes it 2; the hidden file is not an input; the subdirectory is kept.
    assert_eq!(seen[0].0, 2);
    let names: Vec<&str> = seen[0].3.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"sub/c-mixed.x12"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("hidden")), "{names:?}");
    let report: serde_json::Value = serde_json::from_slice(&seen[0].2).unwrap();
    assert_eq!(
        report["inputs"].as_array().unwrap().len(),
        6,
        "{}",
        report["inputs"]
    );
    // EDI to standard output, text report, validate and info: the same whatever the threads.
    for args in [
        vec!["scrub", "batch", "--report", "r.txt"],
        vec![
            "scrub",
            "batch",
            "--out-dir",
            "os",
            "--split-rejected",
            "rs",
            "--report",
            "r.txt",
        ],
        vec!["validate", "batch", "--format", "json"],
        vec!["validate", "batch"],
        vec!["info", "batch", "--format", "json"],
    ] {
        let mut runs = Vec::new();
        for jobs in ["1", "2"] {
            let mut a = args.clone();
            a.extend(["--jobs", jobs]);
            let out = run_in(d, &a);
            let report = fs::read(d.join("r.txt")).unwrap_or_default();
            let trees = (read_tree(&d.join("os")), read_tree(&d.join("rs")));
            let _ = fs::remove_dir_all(d.join("os"));
            let _ = fs::remove_dir_all(d.join("rs"));
            runs.push((out.status.code(), out.stdout, out.stderr, report, trees));
        }
        assert_eq!(runs[0], runs[1], "{args:?} depends on the thread count");
        let wrote = !runs[0].1.is_empty() || !runs[0].4.1.is_empty();
        assert!(wrote, "{args:?} wrote nothing");
    }
}

#[test]
fn directories_are_walked_and_globs_filter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mixed_batch(d);
    let out = run_in(d, &["info", "batch", "--format", "json", "--glob", "*.x12"]);
    let files: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["file"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // In byte order, hidden ones and the .txt left out; the cut file is counted (exit 2).
    assert_eq!(
        files,
        [
            "batch/a-837p.x12",
            "batch/b-837i.x12",
            "batch/d-sample.x12",
            "batch/e-cut.x12",
            "batch/sub/c-mixed.x12"
        ],
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_in(d, &["info", "batch", "--glob", "sub/**"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("batch/sub/c-mixed.x12:"));
    let out = run_in(d, &["info", "batch", "--glob", "[unclosed"]);
    assert_eq!(out.status.code(), Some(2));
}

/// CLM segments in `bytes` (837P synth output: `~` terminates segments).
fn claims_in(bytes: &[u8]) -> usize {
    bytes
        .split(|&b| b == b'~')
        .filter(|s| s.trim_ascii_start().starts_with(b"CLM*"))
        .count()
}

/// One file read in several 4 MiB blocks, whole and cut short in its second block: the
/// threads work on across the blocks (a block's last transactions run while the next
/// block's first ones start), and what is written, every claim once, does not depend on
/// how many there are.
#[test]
fn one_file_of_several_blocks_is_scrubbed_the_same_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    synth_file(&d.join("big.x12"), 16_000, SynthKind::Professional, 9, 0.3);
    let big = fs::read(d.join("big.x12")).unwrap();
    assert!(
        big.len() > 2 * (4 << 20),
        "{} bytes: not three blocks",
        big.len()
    );
    fs::write(d.join("cut.x12"), &big[..6 << 20]).unwrap();
    for file in ["big.x12", "cut.x12"] {
        let mut runs = Vec::new();
        for jobs in ["1", "2"] {
            let args = [
                "scrub",
                file,
                "-o",
                "out.x12",
                "--report",
                "r.json",
                "--split-rejected",
                "rej",
                "--jobs",
                jobs,
            ];
            let out = run_in(d, &args);
            let written = fs::read(d.join("out.x12")).unwrap_or_default();
            let rejected = read_tree(&d.join("rej"));
            let report = fs::read(d.join("r.json")).unwrap();
            let validated = run_in(d, &["validate", file, "--format", "json", "--jobs", jobs]);
            for p in ["out.x12", "r.json"] {
                let _ = fs::remove_file(d.join(p));
            }
            let _ = fs::remove_dir_all(d.join("rej"));
            runs.push((
                out.status.code(),
                out.stderr,
                written,
                rejected,
                report,
                validated.stdout,
            ));
        }
        assert!(
            runs[0] == runs[1],
            "{file}: --jobs 2 wrote otherwise than --jobs 1"
        );
        let (code, _, written, rejected, report, _) = &runs[0];
        let report: serde_json::Value = serde_json::from_slice(report).unwrap();
        let input = &report["inputs"][0];
        let split: usize = rejected.iter().map(|(_, b)| claims_in(b)).sum();
        if file == "big.x12" {
            assert_eq!(*code, Some(1), "errors remain at 30%");
            assert_eq!(input["claims"], 16_000);
            assert_eq!(claims_in(written) + split, 16_000, "every claim once");
            assert!(split > 0 && input["claims_split_off"] == split);
        } else {
            // The interchange does not close: it is left out whole, every claim read in
            // it counted as left out, none written.
            assert_eq!(*code, Some(2));
            assert_eq!(claims_in(written) + split, 0);
            let read = input["claims"].as_u64().unwrap();
            assert!(read > 8_000, "{read} claims read of the first 6 MiB");
            assert_eq!(input["claims_left_out"], read);
            assert_eq!(input["incomplete"], true);
        }
    }
}
