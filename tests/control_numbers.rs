//! `--new-control-numbers ISA13[,GS06,ST02]`: fresh, unique control numbers for what x837
//! writes, incrementing over a batch in input order whatever the threads, trailers
//! matching their headers, and the report's map from old to new.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn synth(dir: &Path, claims: &str, seed: &str, rate: &str, numbers: &str) -> Vec<u8> {
    let out = run_in(
        dir,
        &[
            "synth",
            "--claims",
            claims,
            "--seed",
            seed,
            "--error-rate",
            rate,
            "--new-control-numbers",
            numbers,
        ],
    );
    assert!(out.status.success(), "{}", common::show(&out.stderr));
    out.stdout
}

/// The envelope control numbers of a file, in order: (segment id, control number).
fn envelopes(bytes: &[u8]) -> Vec<(String, String)> {
    common::lex_all(bytes)
        .iter()
        .filter_map(|s| {
            let n = match s.id() {
                b"ISA" => 13,
                b"GS" => 6,
                b"ST" | b"SE" | b"GE" | b"IEA" => 2,
                _ => return None,
            };
            Some((common::show(s.id()), common::show(s.value(n))))
        })
        .collect()
}

/// Each trailer's control number is its header's.
fn assert_trailers_match(name: &str, env: &[(String, String)]) {
    let mut open: Vec<&(String, String)> = Vec::new();
    for e in env {
        match e.0.as_str() {
            "ISA" | "GS" | "ST" => open.push(e),
            _ => {
                let h = open
                    .pop()
                    .unwrap_or_else(|| panic!("{name}: {} without header", e.0));
                let pair = format!("{}/{}", h.0, e.0);
                assert!(
                    ["ISA/IEA", "GS/GE", "ST/SE"].contains(&pair.as_str()),
                    "{name}: {pair}"
                );
                assert_eq!(h.1, e.1, "{name}: {pair}");
            }
        }
    }
}

fn numbers(env: &[(String, String)], id: &str) -> Vec<String> {
    env.iter()
        .filter(|e| e.0 == id)
        .map(|e| e.1.clone())
        .collect()
}

#[test]
fn one_file_of_several_interchanges_is_renumbered_and_mapped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Two interchanges whose numbers repeat: the case payers reject.
    let mut input = synth(dir, "30", "1", "0", "7,7,7");
    input.extend(synth(dir, "20", "2", "0", "7,7,7"));
    fs::write(dir.join("in.x12"), &input).unwrap();
    let out = run_in(
        dir,
        &[
            "scrub",
            "in.x12",
            "-o",
            "out.x12",
            "--new-control-numbers",
            "500,600,700",
            "--report",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::show(&out.stderr));
    let written = fs::read(dir.join("out.x12")).unwrap();
    let env = envelopes(&written);
    assert_trailers_match("out.x12", &env);
    assert_eq!(numbers(&env, "ISA"), ["000000500", "000000501"]);
    assert_eq!(numbers(&env, "GS"), ["600", "601"]);
    assert_eq!(numbers(&env, "ST"), ["0700", "0701"]);
    // Nothing else changed.
    let strip = |b: &[u8]| {
        common::lex_all(b)
            .iter()
            .filter(|s| !matches!(s.id(), b"ISA" | b"GS" | b"ST" | b"SE" | b"GE" | b"IEA"))
            .map(|s| s.raw().to_vec())
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&written), strip(&input));
    let v = run_in(dir, &["validate", "out.x12"]);
    assert_eq!(v.status.code(), Some(0), "{}", common::show(&v.stderr));
    common::pyx12::assert_ok("out.x12", &written);
    let report: Value = serde_json::from_slice(&fs::read(dir.join("r.json")).unwrap()).unwrap();
    let map = report["inputs"][0]["control_numbers"].as_array().unwrap();
    let row = |i: usize| {
        let m = &map[i];
        (
            m["element"].as_str().unwrap(),
            m["old"].as_str().unwrap(),
            m["new"].as_str().unwrap(),
        )
    };
    assert_eq!(map.len(), 6, "{map:?}");
    assert_eq!(row(0), ("ISA13", "000000007", "000000500"));
    assert_eq!(row(1), ("GS06", "7", "600"));
    assert_eq!(row(2), ("ST02", "0007", "0700"));
    assert_eq!(row(3), ("ISA13", "000000007", "000000501"));
    assert_eq!(map[5]["group"], "7");
    assert!(map.iter().all(|m| m["output"] == "corrected"));
}

#[test]
fn a_batch_takes_numbers_in_input_order_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir_all(dir.join("in")).unwrap();
    for (i, name) in ["a.x12", "b.x12", "c.x12"].iter().enumerate() {
        let seed = (i + 10).to_string();
        let mut bytes = synth(dir, "40", &seed, "0.5", "1");
        bytes.extend(synth(dir, "10", &seed, "0", "2"));
        fs::write(dir.join("in").join(name), bytes).unwrap();
    }
    let mut seen = Vec::new();
    for jobs in ["1", "2"] {
        let (o, r) = (format!("o{jobs}"), format!("r{jobs}"));
        let out = run_in(
            dir,
            &[
                "scrub",
                "in",
                "--out-dir",
                &o,
                "--split-rejected",
                &r,
                "--jobs",
                jobs,
                "--new-control-numbers",
                "900",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", common::show(&out.stderr));
        let mut all = Vec::new();
        for name in ["a.x12", "b.x12", "c.x12"] {
            for d in [&o, &r] {
                // An input with no claim left in error has no rejected file.
                let Ok(bytes) = fs::read(dir.join(d).join(name)) else {
                    assert_eq!(d, &r);
                    continue;
                };
                let env = envelopes(&bytes);
                assert_trailers_match(name, &env);
                all.push(env);
            }
        }
        seen.push(all);
    }
    assert_eq!(seen[0], seen[1], "the numbers depend on the threads");
    assert!(seen[0].len() > 4, "the test needs rejected claims");
    // Every interchange, group and transaction written has a number of its own.
    for id in ["ISA", "GS", "ST"] {
        let got: Vec<String> = seen[0].iter().flat_map(|e| numbers(e, id)).collect();
        let unique: BTreeSet<&String> = got.iter().collect();
        assert_eq!(unique.len(), got.len(), "{id}: {got:?}");
    }
    // The first input's corrected output starts where asked, and numbers only grow.
    let isa: Vec<u64> = seen[0]
        .iter()
        .flat_map(|e| numbers(e, "ISA"))
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(isa[0], 900);
    assert!(isa.windows(2).all(|w| w[0] < w[1]), "{isa:?}");
}

#[test]
fn standard_input_is_numbered_and_split_too() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let input = synth(dir, "40", "5", "0.5", "3");
    let mut child = Command::new(env!("CARGO_BIN_EXE_x837"))
        .args([
            "scrub",
            "-",
            "-o",
            "out.x12",
            "--split-rejected",
            "rej",
            "--new-control-numbers",
            "42,43,44",
        ])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", common::show(&out.stderr));
    let corrected = envelopes(&fs::read(dir.join("out.x12")).unwrap());
    let rejected =
        envelopes(&fs::read(dir.join("rej").join(x837::output::plan::STDIN_NAME)).unwrap());
    assert_eq!(numbers(&corrected, "ISA"), ["000000042"]);
    assert_eq!(numbers(&corrected, "ST"), ["0044"]);
    // The rejected copy takes the numbers after those the input could need.
    assert_eq!(numbers(&rejected, "ISA"), ["000000043"]);
    assert_eq!(numbers(&rejected, "GS"), ["44"]);
    assert_eq!(numbers(&rejected, "ST"), ["0045"]);
}

#[test]
fn a_left_out_interchange_takes_no_entry_in_the_map() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut input = synth(dir, "10", "6", "0", "1");
    let second = synth(dir, "10", "7", "0", "2");
    // Without its IEA.
    input.extend(&second[..second.len() - "IEA*1*000000002~\n".len()]);
    input.extend(synth(dir, "10", "8", "0", "3"));
    fs::write(dir.join("in.x12"), &input).unwrap();
    let out = run_in(
        dir,
        &[
            "scrub",
            "in.x12",
            "-o",
            "out.x12",
            "--new-control-numbers",
            "10",
            "--report",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", common::show(&out.stderr));
    let env = envelopes(&fs::read(dir.join("out.x12")).unwrap());
    assert_trailers_match("out.x12", &env);
    let report: Value = serde_json::from_slice(&fs::read(dir.join("r.json")).unwrap()).unwrap();
    let map = report["inputs"][0]["control_numbers"].as_array().unwrap();
    let isa: Vec<(&str, &str)> = (map.iter())
        .filter(|m| m["element"] == "ISA13")
        .map(|m| (m["old"].as_str().unwrap(), m["new"].as_str().unwrap()))
        .collect();
    // The cut interchange is not written: its number is skipped, not reused or mapped.
    assert_eq!(numbers(&env, "ISA"), ["000000010", "000000012"]);
    assert_eq!(
        isa,
        [("000000001", "000000010"), ("000000003", "000000012")]
    );
}

#[test]
fn the_flag_is_one_style_for_every_command_that_writes_envelopes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let env = envelopes(&synth(dir, "3", "1", "0", "11,12,13"));
    assert_eq!(
        (
            numbers(&env, "ISA"),
            numbers(&env, "GS"),
            numbers(&env, "ST")
        ),
        (
            vec!["000000011".to_string()],
            vec!["12".to_string()],
            vec!["0013".to_string()]
        )
    );
    let sample = common::root().join("samples/claims/837p-j2326.json");
    let out = run_in(
        dir,
        &[
            "generate",
            sample.to_str().unwrap(),
            "--new-control-numbers",
            "21",
        ],
    );
    assert!(out.status.success(), "{}", common::show(&out.stderr));
    assert_eq!(numbers(&envelopes(&out.stdout), "ISA"), ["000000021"]);
    for bad in ["0", "1,2,3,4", "x", "1000000000"] {
        for cmd in [
            vec!["synth", "--claims", "1", "--seed", "1"],
            vec!["scrub", "in.x12"],
        ] {
            let mut args = cmd.clone();
            args.extend(["--new-control-numbers", bad]);
            let out = run_in(dir, &args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(
                common::show(&out.stderr).contains("--new-control-numbers"),
                "{args:?}"
            );
        }
    }
}
