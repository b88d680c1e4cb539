//! `x837 info` through the binary: counts on every corpus file against a deliberately
//! naive counter written here, the manifest's own counts, exit codes and standard input.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

fn x837() -> Command {
    Command::new(env!("CARGO_BIN_EXE_x837"))
}

fn run(args: &[&str]) -> Output {
    x837().args(args).output().expect("run x837")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = x837()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn x837");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout_json(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("utf-8 stdout")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

/// Counts the way a person would with a text editor: take the delimiters from the first
/// ISA at fixed rules, split at the terminator, trim white space, look at the ids.
#[derive(Debug, Default, PartialEq, Eq)]
struct Naive {
    interchanges: u64,
    groups: u64,
    transactions: u64,
    segments: u64,
    claims: u64,
    lines: u64,
    billed: Decimal,
}

fn naive(bytes: &[u8]) -> Naive {
    let mut b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    while b.first().is_some_and(u8::is_ascii_whitespace) {
        b = &b[1..];
    }
    assert!(b.starts_with(b"ISA"), "naive counter needs an ISA first");
    let element = b[3];
    let sixteenth = b
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c == element)
        .nth(15)
        .map(|(i, _)| i)
        .expect("16 separators");
    let terminator = b[sixteenth + 2];
    let mut n = Naive::default();
    for piece in b.split(|&c| c == terminator) {
        let piece = piece.trim_ascii();
        if piece.is_empty() {
            continue;
        }
        n.segments += 1;
        let mut fields = piece.split(|&c| c == element);
        match fields.next().expect("id") {
            b"ISA" => n.interchanges += 1,
            b"GS" => n.groups += 1,
            b"ST" => n.transactions += 1,
            b"LX" => n.lines += 1,
            b"CLM" => {
                n.claims += 1;
                let amount = fields.nth(1).expect("CLM02");
                let amount = std::str::from_utf8(amount).expect("ascii amount");
                n.billed += Decimal::from_str(amount.trim()).expect("CLM02 is a number");
            }
            _ => {}
        }
    }
    n
}

fn from_json(v: &Value) -> Naive {
    let int = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));
    let billed = v["billed"].as_str().expect("billed is a decimal string");
    Naive {
        interchanges: int("interchanges"),
        groups: int("groups"),
        transactions: int("transactions"),
        segments: int("segments"),
        claims: int("claims"),
        lines: int("lines"),
        billed: Decimal::from_str(billed).expect("billed parses"),
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn json_counts_match_a_naive_counter_on_every_x12_file() {
    let files: Vec<_> = common::corpus_files()
        .into_iter()
        .filter(|p| common::is_x12(p))
        .collect();
    let mut args = vec!["info", "--format", "json"];
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", common::show(&out.stderr));
    let rows = stdout_json(&out);
    assert_eq!(rows.len(), files.len(), "one JSON object per line per file");
    for ((path, name), row) in files.iter().zip(&paths).zip(&rows) {
        let keys: Vec<&str> = row
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = vec![
            "acknowledged",
            "billed",
            "claims",
            "file",
            "groups",
            "interchanges",
            "lines",
            "segments",
            "transactions",
        ];
        let mut got = keys.clone();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "JSON keys");
        assert_eq!(row["file"], Value::String(name.clone()));
        let bytes = std::fs::read(path).expect("read");
        assert_eq!(from_json(row), naive(&bytes), "{name}");
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn json_counts_match_the_manifest() {
    let manifest = common::manifest();
    let mut checked = 0;
    for row in manifest {
        let name = &row["local_file"];
        let path = common::corpus_path(name);
        if !common::is_x12(std::path::Path::new(&path)) {
            continue;
        }
        let out = run(&["info", "--format", "json", &path]);
        assert_eq!(out.status.code(), Some(0), "{name}");
        let v = &stdout_json(&out)[0];
        let st: u64 = row["n_ST"].parse().expect("n_ST");
        let clm: u64 = row["n_CLM"].parse().expect("n_CLM");
        assert_eq!(v["transactions"].as_u64(), Some(st), "{name}: ST");
        assert_eq!(v["claims"].as_u64(), Some(clm), "{name}: CLM");
        checked += 1;
    }
    assert!(checked >= 25, "{checked}");
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn billed_is_an_exact_decimal_string() {
    // 08 has two claims; the sum must not go through floating point.
    let (path, bytes) = common::corpus_file("08");
    let out = run(&["info", "--format", "json", &path.display().to_string()]);
    let v = &stdout_json(&out)[0];
    assert_eq!(
        Decimal::from_str(v["billed"].as_str().expect("string")).expect("decimal"),
        naive(&bytes).billed
    );
    assert_eq!(v["claims"], 2);
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn non_x12_corpus_files_exit_2_with_one_line() {
    for p in common::corpus_files() {
        if common::is_x12(&p) {
            continue;
        }
        let out = run(&["info", "--format", "json", &p.display().to_string()]);
        assert_eq!(out.status.code(), Some(2), "{}", p.display());
        assert!(out.stdout.is_empty(), "{}", p.display());
        let err = common::show(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{}: {err}", p.display());
        assert!(err.contains("not X12"), "{err}");
    }
}

fn bad_input_exits_2(name: &str, bytes: &[u8], says: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    let out = run(&["info", "--format", "json", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(2), "{name}");
    assert!(out.stdout.is_empty(), "{name}");
    let err = common::show(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{name}: {err}");
    assert!(err.contains(says), "{name}: {err}");
}

#[test]
fn empty_file_exits_2() {
    bad_input_exits_2("empty.x12", b"", "empty input");
}

#[test]
fn binary_data_exits_2() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    bad_input_exits_2("random.bin", &bytes, "binary data");
}

#[test]
fn isa_cut_short_exits_2() {
    let isa = common::isa(b'*', b'^', b':', "000000001");
    bad_input_exits_2("short.x12", &isa[..60], "cut short");
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn envelope_findings_do_not_change_the_exit_code() {
    // 16 states SE01 = 25 with 34 segments.
    let (path, _) = common::corpus_file("16");
    let out = run(&["info", "--format", "json", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout_json(&out).len(), 1);
    assert!(common::show(&out.stderr).contains("segment-count"));
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn worst_input_decides_the_exit_code_and_good_ones_still_print() {
    let (good, _) = common::corpus_file("01");
    let (bad, _) = common::corpus_file("28");
    let out = run(&[
        "info",
        "--format",
        "json",
        &good.display().to_string(),
        &bad.display().to_string(),
        &good.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_json(&out).len(), 2);
}

#[test]
fn missing_file_exits_2() {
    let out = run(&["info", "/nonexistent/x837/file.x12"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::show(&out.stderr).contains("cannot read"));
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn dash_reads_standard_input() {
    let (_, bytes) = common::corpus_file("34");
    let out = run_stdin(&["info", "--format", "json", "-"], &bytes);
    assert_eq!(out.status.code(), Some(0), "{}", common::show(&out.stderr));
    let rows = stdout_json(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["file"], "<stdin>");
    assert_eq!(from_json(&rows[0]), naive(&bytes));
    assert_eq!(rows[0]["transactions"], 5);
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn text_format_is_one_line_per_file() {
    let (path, bytes) = common::corpus_file("21");
    let out = run(&["info", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(0));
    let text = common::show(&out.stdout);
    assert_eq!(text.lines().count(), 1);
    let n = naive(&bytes);
    assert!(
        text.contains(&format!("{} interchanges", n.interchanges)),
        "{text}"
    );
    assert!(text.contains(&format!("{} claims", n.claims)), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["info"]).status.code(), Some(2));
    assert_eq!(
        run(&["info", "--format", "xml", "-"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn a_later_isa_cut_short_keeps_the_counts_before_it_and_exits_2() {
    let (_, mut bytes) = common::corpus_file("01");
    let before = naive(&bytes);
    bytes.extend_from_slice(b"\nISA*00*          *00*   ");
    let out = run_stdin(&["info", "--format", "json", "-"], &bytes);
    assert_eq!(out.status.code(), Some(2));
    let rows = stdout_json(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(from_json(&rows[0]), before);
    let err = common::show(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cut short"), "{err}");
}

/// Regression: a CLM02 that is not a number was left out of `billed` without a word.
#[test]
fn a_clm02_that_is_not_a_number_is_said_and_the_count_goes_on() {
    let sample = std::fs::read_to_string(common::root().join("samples/837p-j2326.x12")).unwrap();
    let second = "CLM*CLAIM0002*100***22:B:1*Y*A*Y*Y~\nHI*ABK:G121~\nLX*1~\nSV1*HC:62321*100*UN*1***1~\nDTP*472*D8*20260110~\nSE*";
    let text = sample
        .replacen("CLM*CLAIM0001*12650*", "CLM*CLAIM0001*12,650.00*", 1)
        .replacen("\nSE*", &format!("\n{second}"), 1);
    let byte = text.find("CLM*CLAIM0001").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.x12");
    std::fs::write(&path, &text).unwrap();
    let path = path.display().to_string();
    let out = run(&["info", "--format", "json", &path]);
    assert_eq!(out.status.code(), Some(0));
    let rows = stdout_json(&out);
    assert_eq!(rows[0]["claims"], 2);
    assert_eq!(rows[0]["billed"], "100");
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "acknowledged",
            "billed",
            "claims",
            "file",
            "groups",
            "interchanges",
            "lines",
            "segments",
            "transactions"
        ]
    );
    let err = common::show(&out.stderr);
    // The envelope's own finding (SE01 now counts too few) and the CLM02 one.
    let clm02: Vec<&str> = err.lines().filter(|l| l.contains("CLM02")).collect();
    assert_eq!(
        clm02,
        [format!(
            "{path}: segment 20 (line 21, byte {byte}): warning [element-type]: CLM02 is not a number; billed leaves this claim out"
        )],
        "{err}"
    );
}
