//! Outputs a pipeline can trust: what a clearinghouse hit in its first hour, each pinned
//! by a test that failed before. Outputs never replace what is not a regular file; targets
//! that collide fail before any work; an incomplete input is never corrected; the report,
//! the stderr line and the exit code tell one truth; a killed run leaves nothing behind.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_x837"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().args(args).current_dir(dir).output().unwrap()
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn is_root() -> bool {
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// A temporary directory holding a copy of the ndc-missing sample as `in.x12`.
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.x12");
    fs::copy(sample("scrub/ndc-missing.x12"), &input).unwrap();
    (dir, input)
}

fn fixed_sample() -> Vec<u8> {
    fs::read(sample("scrub/ndc-missing.fixed.x12")).unwrap()
}

fn mkfifo(path: &Path) {
    let s = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(s.success());
}

/// Reads a FIFO to its end in a thread (opening it blocks until a writer comes).
fn drain(path: &Path) -> std::thread::JoinHandle<Vec<u8>> {
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let mut f = fs::File::open(path).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        v
    })
}

fn synth(
    claims: u64,
    error_rate: f64,
    kind: x837::generate::synth::SynthKind,
    seed: u64,
) -> Vec<u8> {
    let options = x837::generate::synth::Options {
        claims,
        seed,
        kind,
        error_rate,
        control: x837::generate::Control {
            isa13: 1,
            gs06: 1,
            st02: 1,
        },
    };
    let mut edi = Vec::new();
    x837::generate::synth::run(&options, &mut edi, None::<&mut Vec<u8>>).unwrap();
    edi
}

// 1. Never replace what is not a regular file.

#[test]
fn a_fifo_is_written_in_place() {
    let (dir, input) = workdir();
    let fifo = dir.path().join("edi.fifo");
    mkfifo(&fifo);
    let reader = drain(&fifo);
    let out = bin()
        .arg("scrub")
        .arg(&input)
        .arg("-o")
        .arg(&fifo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(reader.join().unwrap(), fixed_sample());
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // The report too.
    let reader = drain(&fifo);
    let out = bin()
        .args(["scrub", "--check", "--format", "json", "--report"])
        .arg(&fifo)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&reader.join().unwrap()).unwrap();
    assert_eq!(report["summary"]["would_fix"], 1);
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // Nothing else appeared beside it.
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn a_symlink_is_followed_and_its_target_replaced() {
    let (dir, input) = workdir();
    let link = dir.path().join("link.x12");
    std::os::unix::fs::symlink("real.x12", &link).unwrap();
    for round in 0..2 {
        let out = bin()
            .arg("scrub")
            .arg(&input)
            .arg("-o")
            .arg(&link)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            stderr(&out)
        );
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("real.x12"));
        assert_eq!(
            fs::read(dir.path().join("real.x12")).unwrap(),
            fixed_sample()
        );
    }
}

#[test]
fn a_character_device_is_written_in_place() {
    let (dir, input) = workdir();
    // /dev/null itself, as the README's users run it.
    let out = bin()
        .arg("scrub")
        .arg(&input)
        .args(["-o", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    if !is_root() {
        println!(
            "not root: mknod needs root, so the device made in a temporary directory is not checked"
        );
        return;
    }
    let dev = dir.path().join("null");
    let s = Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    assert!(s.success());
    for args in [
        &["-o"][..],
        &["--check", "--format", "json", "--report"][..],
    ] {
        let out = bin()
            .arg("scrub")
            .arg(&input)
            .args(args)
            .arg(&dev)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(
            fs::symlink_metadata(&dev)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn dev_fd_and_standard_streams_are_written_directly() {
    let (dir, input) = workdir();
    let x837 = env!("CARGO_BIN_EXE_x837");
    // /dev/fd/3 to a pipe, as `--report >(wc -c)` gives.
    let script = format!(
        "'{x837}' scrub in.x12 --check --report /dev/fd/3 3>&1 >/dev/null | wc -c > count.txt"
    );
    let s = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(s.success());
    let count: usize = fs::read_to_string(dir.path().join("count.txt"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        count > 100,
        "the text report went through the pipe: {count} bytes"
    );
    // /dev/fd/3 to a regular file opened by the shell.
    let script =
        format!("'{x837}' scrub in.x12 --check --format json --report /dev/fd/3 3>report.json");
    let s = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(s.success());
    let report: Value =
        serde_json::from_slice(&fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["findings"], 1);
    // `-` is standard output: for the report and for the EDI; no file named `-`.
    let out = run_in(
        dir.path(),
        &[
            "scrub", "in.x12", "--check", "--format", "json", "--report", "-",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["would_fix"], 1);
    let out = run_in(dir.path(), &["scrub", "in.x12", "-o", "-"]);
    assert_eq!(out.stdout, fixed_sample());
    assert!(!dir.path().join("-").exists());
    // The README's own command: the report on /dev/stderr, which stays a symlink.
    let out = run_in(
        dir.path(),
        &["scrub", input.to_str().unwrap(), "--report", "/dev/stderr"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, fixed_sample());
    assert!(
        stderr(&out).contains("x837 0.1.0 scrub report"),
        "{}",
        stderr(&out)
    );
    assert!(
        fs::symlink_metadata("/dev/stderr")
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!dir.path().join("-").exists());
}

#[test]
fn outputs_are_never_more_readable_than_the_input() {
    let (dir, input) = workdir();
    fs::set_permissions(&input, fs::Permissions::from_mode(0o600)).unwrap();
    let out = run_in(
        dir.path(),
        &["scrub", "in.x12", "-o", "out.x12", "--report", "r.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in ["out.x12", "r.json"] {
        let mode = fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    // A readable input gives the usual mode (the umask still applies).
    fs::set_permissions(&input, fs::Permissions::from_mode(0o644)).unwrap();
    fs::remove_file(dir.path().join("out.x12")).unwrap();
    let out = run_in(dir.path(), &["scrub", "in.x12", "-o", "out.x12"]);
    assert_eq!(out.status.code(), Some(0));
    let mode = fs::metadata(dir.path().join("out.x12"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode & 0o600, 0o600);
    assert_eq!(mode & 0o022, 0, "never writable by others");
}

/// Files in `dir` other than `keep`.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

/// Whether process `pid` holds an unnamed temporary file in `dir` (O_TMPFILE shows as
/// `DIR/#INODE (deleted)`).
fn holds_unnamed_temp(pid: u32, dir: &Path) -> bool {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    let prefix = format!("{}/#", dir.display());
    fds.filter_map(|e| fs::read_link(e.ok()?.path()).ok())
        .any(|t| t.to_string_lossy().starts_with(&prefix))
}

#[test]
fn a_killed_run_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = fs::canonicalize(dir.path()).unwrap();
    let edi = synth(
        40_000,
        0.3,
        x837::generate::synth::SynthKind::Professional,
        3,
    );
    fs::write(dir_path.join("in.x12"), &edi).unwrap();
    for signal in ["KILL", "TERM", "INT"] {
        let mut child = bin()
            .args(["scrub", "in.x12", "-o", "out.x12", "--report", "r.json"])
            .current_dir(&dir_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until it writes its output: an unnamed file, nothing visible.
        let start = Instant::now();
        while !holds_unnamed_temp(child.id(), &dir_path) {
            assert!(
                child.try_wait().unwrap().is_none(),
                "{signal}: the scrub ended first"
            );
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{signal}: no output opened"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(
            others(&dir_path, &["in.x12"]).is_empty(),
            "{signal}: a visible temporary"
        );
        let s = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(s.success());
        child.wait().unwrap();
        assert!(
            others(&dir_path, &["in.x12"]).is_empty(),
            "{signal}: left behind {:?}",
            others(&dir_path, &["in.x12"])
        );
    }
}

// 5. Outputs that collide or cannot be written fail before the work.

#[test]
fn targets_that_collide_are_refused_before_any_work() {
    let (dir, input) = workdir();
    let d = dir.path();
    let original = fs::read(&input).unwrap();
    let refused = |args: &[&str], says: &str| {
        let out = run_in(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            fs::read(&input).unwrap(),
            original,
            "{args:?} touched the input"
        );
    };
    refused(
        &[
            "scrub", "in.x12", "--check", "--format", "json", "--report", "in.x12",
        ],
        "is the input",
    );
    refused(
        &[
            "scrub", "in.x12", "-o", "out.x12", "--format", "json", "--report", "out.x12",
        ],
        "out.x12",
    );
    assert!(!d.join("out.x12").exists());
    refused(&["scrub", "in.x12", "-o", "./in.x12"], "is the input");
    std::os::unix::fs::symlink("in.x12", d.join("sym.x12")).unwrap();
    refused(&["scrub", "in.x12", "-o", "sym.x12"], "is the input");
    fs::hard_link(&input, d.join("hard.x12")).unwrap();
    refused(&["scrub", "in.x12", "-o", "hard.x12"], "is the input");
    // --out-dir keeps inputs apart by more than their base names.
    fs::create_dir_all(d.join("a")).unwrap();
    fs::create_dir_all(d.join("b")).unwrap();
    fs::copy(&input, d.join("a/batch.x12")).unwrap();
    fs::copy(&input, d.join("b/batch.x12")).unwrap();
    let out = run_in(
        d,
        &["scrub", "a/batch.x12", "b/batch.x12", "--out-dir", "od"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!d.join("od/batch.x12").exists());
    let out = run_in(d, &["scrub", "b/batch.x12", "--out-dir", "b"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fs::read(d.join("b/batch.x12")).unwrap(), original);
    // A report that cannot be written is found before the scrub, which then writes nothing.
    let out = run_in(
        d,
        &[
            "scrub",
            "in.x12",
            "-o",
            "new.x12",
            "--report",
            "missing/r.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing"), "{}", stderr(&out));
    assert!(!d.join("new.x12").exists());
    let out = run_in(
        d,
        &["scrub", "in.x12", "-o", "new.x12", "--report", "r.pdf"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".pdf"), "{}", stderr(&out));
    assert!(!d.join("new.x12").exists() && !d.join("r.pdf").exists());
    // A directory as -o.
    let out = run_in(d, &["scrub", "in.x12", "-o", "a"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn out_dir_maps_standard_input_and_names_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, input) = workdir();
    let d = dir.path();
    // Standard input is DIR/stdin.x12; DIR is created.
    let mut child = bin()
        .args(["scrub", "-", "--out-dir", "od"])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&fs::read(&input).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(d.join("od/stdin.x12")).unwrap(), fixed_sample());
    assert!(!d.join("-").exists());
    // A name that is not UTF-8 does not stop the batch.
    let odd = d.join(std::ffi::OsStr::from_bytes(b"odd\xff.x12"));
    // Another patient's claim: the same claim twice in one run is a duplicate service.
    let other = fs::read_to_string(&input)
        .unwrap()
        .replace("MEMBER0001", "MEMBER0002");
    fs::write(&odd, &other).unwrap();
    let out = bin()
        .arg("scrub")
        .arg(&odd)
        .arg(&input)
        .args(["--out-dir", "od2"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(d.join("od2/in.x12")).unwrap(), fixed_sample());
    let odd_out = d
        .join("od2")
        .join(std::ffi::OsStr::from_bytes(b"odd\xff.x12"));
    let fixed_other = String::from_utf8(fixed_sample())
        .unwrap()
        .replace("MEMBER0001", "MEMBER0002");
    assert_eq!(fs::read(odd_out).unwrap(), fixed_other.into_bytes());
    // EDI to standard output and the report to /dev/stderr: devices are never compared.
    let out = run_in(d, &["scrub", "in.x12", "--report", "/dev/stderr"]);
    assert_eq!(out.status.code(), Some(0));
}

// 2. One truth in the report, on stderr and in the exit code.

/// The numbers of a summary line: `N claims, F findings, X fixed; E errors and W warnings
/// remain` (or `X would be fixed; ... would remain`).
fn line_numbers(line: &str) -> Vec<u64> {
    line.split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect()
}

/// Scrubs `file` with a JSON report and checks the report's summary against its own
/// findings, the stderr line and the exit code. Returns (report, exit code).
fn one_truth(dir: &Path, file: &str, extra: &[&str]) -> (Value, i32) {
    let mut args = vec!["scrub", file, "-o", "out.x12", "--report", "r.json"];
    if extra.contains(&"--check") {
        args = vec!["scrub", file, "--report", "r.json"];
    }
    args.extend_from_slice(extra);
    let out = run_in(dir, &args);
    let code = out.status.code().unwrap();
    let report: Value = serde_json::from_slice(&fs::read(dir.join("r.json")).unwrap()).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let check = extra.contains(&"--check");
    let count = |f: &dyn Fn(&Value) -> bool| findings.iter().filter(|x| f(x)).count() as u64;
    let open = |x: &Value| x["fixed"] == false && x["would_fix"] == false;
    let errors = count(&|x| open(x) && x["severity"] == "error");
    let warnings = count(&|x| open(x) && x["severity"] == "warning");
    let fixed = count(&|x| x["fixed"] == true);
    let would = count(&|x| x["would_fix"] == true);
    let s = &report["summary"];
    assert_eq!(s["findings"], findings.len() as u64, "{file}");
    assert_eq!(s["errors"], errors, "{file}");
    assert_eq!(s["warnings"], warnings, "{file}");
    assert_eq!(s["fixed"], fixed, "{file}");
    assert_eq!(s["would_fix"], would, "{file}");
    if check {
        assert_eq!(fixed, 0, "{file}: --check fixed something");
    } else {
        assert_eq!(would, 0, "{file}");
    }
    for f in findings {
        assert!(f.get("would_fix").is_some(), "{file}: no would_fix key");
    }
    // The stderr line says the same: the input's last (after the run, when the rules
    // across claims added findings, its summary in all).
    let err = stderr(&out);
    let line = err
        .lines()
        .rfind(|l| l.starts_with(&format!("{file}: ")) && l.contains(" claims, "))
        .unwrap_or_else(|| panic!("{file}: no summary line in {err}"));
    let n = line_numbers(&line[file.len()..]);
    let shown_fixed = if check { would } else { fixed };
    assert_eq!(
        &n[..5],
        &[
            s["claims"].as_u64().unwrap(),
            findings.len() as u64,
            shown_fixed,
            errors,
            warnings
        ],
        "{file}: {line}"
    );
    assert_eq!(line.contains("would be fixed"), check, "{line}");
    // And the exit code.
    let incomplete = report["inputs"][0]["incomplete"] == true;
    let expected = if incomplete {
        2
    } else if errors > 0 {
        1
    } else {
        0
    };
    assert_eq!(code, expected, "{file}: {err}");
    (report, code)
}

#[test]
fn the_report_the_stderr_line_and_the_exit_code_agree() {
    use x837::generate::synth::SynthKind;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut files: Vec<String> = Vec::new();
    for (i, kind) in [
        SynthKind::Professional,
        SynthKind::Institutional,
        SynthKind::Mixed,
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("synth{i}.x12");
        fs::write(d.join(&name), synth(1500, 0.3, kind, 11 + i as u64)).unwrap();
        files.push(name);
    }
    for e in fs::read_dir(sample("scrub")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "x12") {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            fs::copy(&p, d.join(&name)).unwrap();
            files.push(name);
        }
    }
    for file in &files {
        let (_, real) = one_truth(d, file, &[]);
        let (_, dry) = one_truth(d, file, &["--check"]);
        assert_eq!(real, dry, "{file}: --check predicts another exit code");
        one_truth(d, file, &["--fixes", "repair"]);
        one_truth(d, file, &["--fixes", "none"]);
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn the_report_and_the_exit_code_agree_on_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    for p in common::corpus_files()
        .into_iter()
        .filter(|p| common::is_x12(p))
    {
        let name = common::file_name(&p);
        fs::copy(&p, dir.path().join(&name)).unwrap();
        let (_, real) = one_truth(dir.path(), &name, &[]);
        let (_, dry) = one_truth(dir.path(), &name, &["--check"]);
        assert_eq!(real, dry, "{name}");
    }
}

// 3. A fix writes only what the guide allows.

/// The ndc-missing sample with the J2326 line's units set to `units`.
fn with_units(units: &str) -> Vec<u8> {
    let s = fs::read_to_string(sample("scrub/ndc-missing.x12")).unwrap();
    s.replace(
        "SV1*HC:J2326:JZ*12500*UN*120***1~",
        &format!("SV1*HC:J2326:JZ*12500*UN*{units}***1~"),
    )
    .into_bytes()
}

/// `with_units`, the J2326 line with its LIN but no CTP: the CTP is then inserted from the
/// line's strength whatever its units (with no LIN, only a dose's units insert an NDC).
fn lin_without_ctp(units: &str) -> Vec<u8> {
    let s = String::from_utf8(with_units(units)).unwrap();
    s.replace(
        "DTP*472*D8*20260110~\nLX*2~",
        "DTP*472*D8*20260110~\nLIN**N4*64406005801~\nLX*2~",
    )
    .replace("SE*28*0001~", "SE*29*0001~")
    .into_bytes()
}

#[test]
fn an_inserted_ctp_is_rounded_and_valid_by_the_guide() {
    use x837::scrub::{Settings, scrub};
    let s = scrub(&lin_without_ctp("100"), "in", &Settings::default());
    let out = String::from_utf8(s.output.clone()).unwrap();
    assert!(out.contains("CTP****4.167*ML~"), "{out}");
    let v = x837::validate::validate(&s.output, "out");
    let bad: Vec<_> = v
        .findings
        .iter()
        .filter(|f| f.rule.as_str().starts_with("element-"))
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    // With units drug-units corrects, the CTP is computed once, from the corrected units.
    let s = scrub(&with_units("12"), "in", &Settings::default());
    let rules: Vec<&str> = s.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains(&"drug-units") && rules.contains(&"ndc-missing"),
        "{rules:?}"
    );
    assert!(
        !rules.contains(&"ndc-quantity"),
        "one condition, one report: {rules:?}"
    );
    let out = String::from_utf8(s.output).unwrap();
    assert!(out.contains("SV1*HC:J2326:JZ*12500*UN*120***1~"), "{out}");
    assert!(out.contains("LIN**N4*64406005801~\nCTP****5*ML~"), "{out}");
}

#[test]
fn pyx12_accepts_the_inserted_ctp() {
    let s = x837::scrub::scrub(
        &lin_without_ctp("100"),
        "in",
        &x837::scrub::Settings::default(),
    );
    common::pyx12::assert_ok("100 units with an inserted CTP", &s.output);
}

// 4. An incomplete input is never "corrected".

/// `bytes` cut just before the first occurrence of `at`.
fn cut(bytes: &[u8], at: &str) -> Vec<u8> {
    let s = String::from_utf8_lossy(bytes);
    let i = s.find(at).unwrap();
    bytes[..i].to_vec()
}

#[test]
fn a_file_cut_inside_its_last_transaction_is_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = fs::read(sample("scrub/ndc-missing.x12")).unwrap();
    // Cut inside the administration line: the drug line survives, CLM02 would "balance".
    let truncated = cut(&good, "*150*UN*1***1~");
    fs::write(d.join("cut.x12"), &truncated).unwrap();
    let out = run_in(
        d,
        &["scrub", "cut.x12", "-o", "out.x12", "--report", "r.json"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!d.join("out.x12").exists(), "nothing complete: no output");
    let report: Value = serde_json::from_slice(&fs::read(d.join("r.json")).unwrap()).unwrap();
    let left = &report["inputs"][0]["left_out"];
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
    assert_eq!(left[0]["what"], "interchange");
    assert_eq!(left[0]["claims"], 1);
    assert_eq!(report["summary"]["claims_left_out"], 1);
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["fixed"], false, "{f}");
        assert!(f["after"].is_null(), "{f}");
    }
    assert!(stderr(&out).contains("left out"), "{}", stderr(&out));
    // To standard output: nothing.
    let out = run_in(d, &["scrub", "cut.x12"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Validation says where, and exits 2.
    let out = run_in(d, &["validate", "cut.x12", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "envelope-structure" && f["byte"].as_u64().unwrap() > 0),
        "{v}"
    );
}

#[test]
fn complete_interchanges_before_a_cut_one_are_written() {
    let good = fs::read(sample("scrub/ndc-missing.x12")).unwrap();
    let second = String::from_utf8_lossy(&good)
        .replace("000000101", "000000102")
        .into_bytes();
    let mut input = good.clone();
    input.extend_from_slice(&cut(&second, "LX*2~"));
    let s = x837::scrub::scrub(&input, "two", &x837::scrub::Settings::default());
    assert_eq!(
        s.output,
        fixed_sample(),
        "the first interchange, fixed; nothing of the second"
    );
    assert_eq!(s.left_out.len(), 1);
    assert_eq!(s.left_out[0].control, "000000102");
    assert_eq!(s.claims, 2);
    assert_eq!(s.claims_left_out(), 1);
    // Its findings are not fixes: nothing of it was written.
    let fixed: Vec<_> = s.findings.iter().filter(|f| f.fixed).collect();
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(fixed[0].position.interchange.as_deref(), Some("000000101"));
}

#[test]
fn a_transaction_or_group_that_does_not_close_is_left_out_and_counts_recomputed() {
    let good = String::from_utf8(fs::read(sample("837p-j2326.x12")).unwrap()).unwrap();
    let st = good.find("ST*837*").unwrap();
    let se = good.find("\nSE*").unwrap() + 1;
    let se_end = se + good[se..].find('~').unwrap() + 1;
    let tx = &good[st..se_end];
    let tx_se = tx.find("\nSE*").unwrap() + 1;
    let open_tx = &tx[..tx_se];
    let second = format!("{}{}", &tx[..tx_se], tx[tx_se..].replace("0001", "0002"))
        .replace("ST*837*0001", "ST*837*0002");
    // A transaction without SE, then a complete one, in one group.
    let input = format!("{}{}{}{}", &good[..st], open_tx, second, &good[se_end..])
        .replace("GE*1*", "GE*2*");
    let s = x837::scrub::scrub(input.as_bytes(), "t", &x837::scrub::Settings::default());
    assert_eq!(s.left_out.len(), 1, "{:?}", s.left_out);
    assert_eq!(s.left_out[0].what, "transaction");
    let out = String::from_utf8(s.output.clone()).unwrap();
    assert!(
        out.contains("ST*837*0002") && !out.contains("ST*837*0001"),
        "{out}"
    );
    assert!(out.contains("GE*1*"), "GE01 counts what was written: {out}");
    let v = x837::validate::validate(&s.output, "out");
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    // A group without GE before IEA: left out, IEA01 recomputed.
    let ge = good.find("\nGE*").unwrap() + 1;
    let ge_end = ge + good[ge..].find('~').unwrap() + 1;
    let gs = good.find("\nGS*").unwrap() + 1;
    let group = &good[gs..ge_end];
    let open_group = &good[gs..ge];
    let second_group = group
        .replace("*101*X*", "*102*X*")
        .replace("GE*1*101", "GE*1*102");
    let input = format!(
        "{}{}{}{}",
        &good[..gs],
        second_group,
        open_group,
        &good[ge_end..]
    )
    .replace("IEA*1*", "IEA*2*");
    let s = x837::scrub::scrub(input.as_bytes(), "g", &x837::scrub::Settings::default());
    assert_eq!(s.left_out.len(), 1, "{:?}", s.left_out);
    assert_eq!(s.left_out[0].what, "group");
    let out = String::from_utf8(s.output.clone()).unwrap();
    assert!(out.contains("IEA*1*"), "{out}");
    let v = x837::validate::validate(&s.output, "out");
    assert!(v.findings.is_empty(), "{:?}", v.findings);
}

// 6. Words that match what happened.

#[test]
fn check_says_would_fix_and_predicts_the_exit_code() {
    let (dir, _) = workdir();
    let d = dir.path();
    let out = run_in(d, &["scrub", "in.x12", "--check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["findings"][0]["fixed"], false);
    assert_eq!(r["findings"][0]["would_fix"], true);
    assert_eq!(r["summary"]["would_fix"], 1);
    assert!(
        stderr(&out).contains("1 would be fixed"),
        "{}",
        stderr(&out)
    );
    let out = run_in(d, &["scrub", "in.x12", "-o", "out.x12", "--format", "json"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["findings"][0]["fixed"], true);
    assert_eq!(r["findings"][0]["would_fix"], false);
    assert_eq!(r["summary"]["would_fix"], 0);
}

#[test]
fn claims_of_other_transaction_sets_are_not_counted() {
    let (dir, input) = workdir();
    let text = fs::read_to_string(&input)
        .unwrap()
        .replace("ST*837*0001*005010X222A1", "ST*835*0001*005010X221A1");
    fs::write(&input, text).unwrap();
    let out = run_in(
        dir.path(),
        &["scrub", "in.x12", "--check", "--format", "json"],
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["claims"], 0, "{r}");
    assert!(
        stderr(&out).contains("in.x12: 0 claims"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_config_error_names_its_file() {
    let (dir, _) = workdir();
    fs::write(dir.path().join("site.toml"), "colour = \"red\"\n").unwrap();
    let out = run_in(dir.path(), &["scrub", "in.x12", "--config", "site.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("site.toml"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

// 7. A closed pipe stops the work.

#[test]
fn a_closed_pipe_stops_reading() {
    // Many interchanges arrive on standard input, the reader of standard output goes
    // away; x837 must stop, although its input stays open and is never finished.
    let one = fs::read(sample("scrub/ndc-missing.x12")).unwrap();
    let mut child = bin()
        .args(["scrub", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let start = Instant::now();
    let mut exited = None;
    while start.elapsed() < Duration::from_secs(60) {
        // Until x837 goes away, keep feeding it (writing fails once it has exited).
        if stdin.write_all(&one).is_err() {
            exited = child.try_wait().unwrap();
            if exited.is_none() {
                exited = Some(child.wait().unwrap());
            }
            break;
        }
        if let Some(s) = child.try_wait().unwrap() {
            exited = Some(s);
            break;
        }
    }
    let Some(status) = exited else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("x837 kept reading after its output closed");
    };
    assert_eq!(status.code(), Some(0), "a closed pipe is not an error");
}

#[test]
fn as_another_user_the_readme_command_and_dev_null_work() {
    if !is_root() {
        // This test already runs as an ordinary user: the tests above are that check.
        println!("not root: the other-user run is this run");
        return;
    }
    let x837 = env!("CARGO_BIN_EXE_x837");
    let reachable = Path::new(x837)
        .ancestors()
        .skip(1)
        .all(|d| fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0));
    if !reachable {
        println!("the build directory is not open to other users: the other-user run is skipped");
        return;
    }
    let (dir, input) = workdir();
    // The temporary directory must be readable by the other user.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&input, fs::Permissions::from_mode(0o644)).unwrap();
    for args in [
        vec!["scrub", input.to_str().unwrap(), "--report", "/dev/stderr"],
        vec![
            "scrub",
            input.to_str().unwrap(),
            "-o",
            "/dev/null",
            "--report",
            "/dev/stdout",
        ],
    ] {
        let out = Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", x837])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("Permission denied"),
            "{}",
            stderr(&out)
        );
    }
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert!(
        fs::symlink_metadata("/dev/stderr")
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
