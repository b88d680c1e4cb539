//! Faults cost nothing else: an unreadable or non-X12 file, a file cut in the middle of a
//! segment, a broken envelope in one interchange of many, an output that cannot be
//! written. Each is said with its file (and position), every other input and interchange
//! is still written completely, the exit code is 2; `--quarantine` keeps what could not be
//! processed, as read; `--in-place` keeps a backup it never overwrites.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sample(name: &str) -> Vec<u8> {
    fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(name),
    )
    .unwrap()
}

/// The sample with its interchange control number `n`.
fn interchange(n: u32) -> Vec<u8> {
    let s = String::from_utf8(sample("scrub/ndc-missing.x12")).unwrap();
    // Its own patient: the same claim twice in one run is a duplicate service.
    (s.replace("000000101", &format!("{n:09}")))
        .replace("MEMBER0001", &format!("MEMBER{n:04}"))
        .into_bytes()
}

fn scrubbed_alone(input: &[u8]) -> Vec<u8> {
    x837::scrub::scrub(input, "in", &x837::scrub::Settings::default()).output
}

#[test]
fn each_fault_is_said_and_the_rest_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("in")).unwrap();
    fs::write(d.join("in/a-good.x12"), interchange(1)).unwrap();
    // Three interchanges; the middle one has lost its IEA.
    let mut three = interchange(11);
    let mut broken = interchange(12);
    let iea = broken.windows(4).position(|w| w == b"IEA*").unwrap();
    broken.truncate(iea);
    three.extend_from_slice(&broken);
    three.extend_from_slice(&interchange(13));
    fs::write(d.join("in/b-three.x12"), &three).unwrap();
    // Cut in the middle of a segment.
    let whole = interchange(21);
    let at = whole.windows(4).position(|w| w == b"SV1*").unwrap() + 9;
    fs::write(d.join("in/c-cut.x12"), &whole[..at]).unwrap();
    fs::write(
        d.join("in/d-not-x12.txt"),
        "dear payer, please find attached\n",
    )
    .unwrap();
    // A directory in the way of one output.
    fs::create_dir_all(d.join("od/e-blocked.x12")).unwrap();
    fs::write(d.join("in/e-blocked.x12"), interchange(31)).unwrap();
    let out = run_in(
        d,
        &[
            "scrub",
            "in",
            "in/missing.x12",
            "--out-dir",
            "od",
            "--quarantine",
            "q",
            "--report",
            "r.json",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // Each fault is said, with its file (and where).
    assert!(err.contains("in/missing.x12: cannot read"), "{err}");
    assert!(err.contains("in/d-not-x12.txt: not X12"), "{err}");
    assert!(
        err.contains("in/b-three.x12: interchange 000000012"),
        "{err}"
    );
    assert!(
        err.contains("in/c-cut.x12: interchange 000000021 at segment 0 (byte 0)"),
        "{err}"
    );
    assert!(err.contains("e-blocked.x12"), "{err}");
    // Everything else is written completely.
    assert_eq!(
        fs::read(d.join("od/a-good.x12")).unwrap(),
        scrubbed_alone(&interchange(1))
    );
    let mut two = scrubbed_alone(&interchange(11));
    two.extend(scrubbed_alone(&interchange(13)));
    assert_eq!(fs::read(d.join("od/b-three.x12")).unwrap(), two);
    assert!(!d.join("od/c-cut.x12").exists());
    assert!(d.join("od/e-blocked.x12").is_dir());
    // The quarantine holds what could not be processed, as read, each with its note.
    assert_eq!(
        fs::read(d.join("q/b-three.x12.1.interchange.x12")).unwrap(),
        broken
    );
    let why = fs::read_to_string(d.join("q/b-three.x12.1.interchange.x12.why")).unwrap();
    assert!(why.contains("000000012") && why.contains("no IEA"), "{why}");
    assert_eq!(
        fs::read(d.join("q/c-cut.x12.1.interchange.x12")).unwrap(),
        &whole[..at]
    );
    assert_eq!(
        fs::read(d.join("q/d-not-x12.txt")).unwrap(),
        b"dear payer, please find attached\n"
    );
    assert!(d.join("q/d-not-x12.txt.why").exists());
    // The report says it all.
    let r: serde_json::Value =
        serde_json::from_slice(&fs::read(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(r["summary"]["claims_left_out"], 2, "{}", r["summary"]);
}

#[test]
fn a_full_device_fails_that_output_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.x12"), interchange(1)).unwrap();
    // The report on a full device: the EDI is still written whole.
    let out = run_in(
        d,
        &["scrub", "a.x12", "-o", "out.x12", "--report", "/dev/full"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/dev/full: cannot write"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read(d.join("out.x12")).unwrap(),
        scrubbed_alone(&interchange(1))
    );
    // The EDI on a full device.
    let out = run_in(d, &["scrub", "a.x12", "-o", "/dev/full"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
}

/// A writer that fails with ENOSPC after `left` bytes, as a full disk does.
struct Full<'o> {
    out: &'o mut x837::output::Output,
    left: usize,
}

impl Write for Full<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.left {
            return Err(std::io::Error::from_raw_os_error(28));
        }
        self.left -= buf.len();
        self.out.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl x837::output::Rewind for Full<'_> {
    fn written(&self) -> u64 {
        self.out.written()
    }
    fn rewind(&mut self, to: u64) -> std::io::Result<()> {
        self.out.rewind(to)
    }
    fn settle(&mut self) -> std::io::Result<()> {
        self.out.settle()
    }
}

#[test]
fn a_full_disk_leaves_the_previous_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.x12");
    fs::write(&target, b"the previous version").unwrap();
    let mut input = Vec::new();
    for n in 1..=20 {
        input.extend(interchange(n));
    }
    let t = x837::output::Target::resolve(target.as_os_str()).unwrap();
    let mut out = x837::output::Output::open(&t, 0o644).unwrap();
    let mut full = Full {
        out: &mut out,
        left: 5000,
    };
    let mut findings = Vec::new();
    let r = x837::scrub::scrub_to(
        &input[..],
        "in",
        &Default::default(),
        &mut full,
        &mut findings,
    );
    assert_eq!(r.unwrap_err().raw_os_error(), Some(28));
    drop(out);
    assert_eq!(fs::read(&target).unwrap(), b"the previous version");
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn in_place_keeps_a_backup_it_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let original = interchange(1);
    fs::write(d.join("a.x12"), &original).unwrap();
    fs::write(d.join("b.x12"), interchange(2)).unwrap();
    let out = run_in(d, &["scrub", "a.x12", "b.x12", "--in-place"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        fs::read(d.join("a.x12")).unwrap(),
        scrubbed_alone(&original)
    );
    assert_eq!(fs::read(d.join("a.x12.orig")).unwrap(), original);
    assert!(out.stdout.is_empty());
    // Again: the backup exists, so a.x12 is refused (the other input still goes).
    fs::write(d.join("c.x12"), interchange(3)).unwrap();
    let before = fs::read(d.join("a.x12")).unwrap();
    let out = run_in(d, &["scrub", "a.x12", "c.x12", "--in-place"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a.x12.orig exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read(d.join("a.x12")).unwrap(), before);
    assert_eq!(fs::read(d.join("a.x12.orig")).unwrap(), original);
    assert_eq!(fs::read(d.join("c.x12.orig")).unwrap(), interchange(3));
    // Standard input, or with -o: refused before any work.
    assert_eq!(
        run_in(d, &["scrub", "-", "--in-place"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run_in(d, &["scrub", "c.x12", "--in-place", "-o", "x.x12"])
            .status
            .code(),
        Some(2)
    );
    std::os::unix::fs::symlink("c.x12", d.join("link.x12")).unwrap();
    assert_eq!(
        run_in(d, &["scrub", "link.x12", "--in-place"])
            .status
            .code(),
        Some(2)
    );
}

/// Every part of the input read completely was left out (here: the interchange after an
/// `ISA` that is no header, and the one before it, which that `ISA` cut short): nothing is
/// left to send, so no corrected output is there after the run, not even an old one, as
/// when every claim is split off. The parts are in the quarantine; the exit code is 2.
#[test]
fn an_input_whose_every_part_is_left_out_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/scrub-interchange-with-an-unreadable-isa.x12"),
    )
    .unwrap();
    fs::write(d.join("in.x12"), &input).unwrap();
    fs::write(d.join("out.x12"), b"an older output").unwrap();
    let out = run_in(
        d,
        &[
            "scrub",
            "in.x12",
            "-o",
            "out.x12",
            "--quarantine",
            "q",
            "--report",
            "r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!d.join("out.x12").exists(), "an empty output is there");
    assert!(
        stderr(&out).contains("not an interchange header"),
        "{}",
        stderr(&out)
    );
    let kept: Vec<_> = fs::read_dir(d.join("q"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(kept.len(), 4, "two parts and their notes: {kept:?}");
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(d.join("r.json")).unwrap()).unwrap();
    let entry = &report["inputs"][0];
    assert_eq!(entry["claims_left_out"], entry["claims"]);
    assert_eq!(entry["left_out"].as_array().unwrap().len(), 2);
}
