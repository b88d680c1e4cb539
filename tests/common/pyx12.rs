//! pyx12 as an oracle: `x12valid` run on a copy of a file in a temporary directory.
//!
//! The first use creates a virtual environment under `target/pyx12-venv` (`python3 -m venv`
//! and `pip install pyx12`), under a file lock so that parallel tests do not race.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What pyx12 said about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Failure, with pyx12's standard error.
    Failure(String),
}

fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// The `x12valid` script, installing pyx12 on first use.
pub fn x12valid() -> PathBuf {
    let target = target_dir();
    let venv = target.join("pyx12-venv");
    let script = venv.join("bin").join("x12valid");
    fs::create_dir_all(&target).expect("target dir");
    let lock = File::create(target.join("pyx12-venv.lock")).expect("lock file");
    lock.lock().expect("lock");
    if !script.exists() {
        let _ = fs::remove_dir_all(&venv);
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv (python3 with venv is needed for the pyx12 oracle)");
        assert!(status.success(), "python3 -m venv failed");
        let status = Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "pyx12"])
            .status()
            .expect("pip install pyx12");
        assert!(status.success(), "pip install pyx12 failed");
        assert!(script.exists(), "pyx12 installed no x12valid");
    }
    lock.unlock().expect("unlock");
    script
}

/// Validates a copy of `bytes` (x12valid writes a 997 beside its input; its exit code is
/// always 1, so the verdict is read from standard error: `FILE: OK` or `FILE: Failure`).
pub fn validate(bytes: &[u8]) -> Verdict {
    let script = x12valid();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("input.x12");
    fs::write(&file, bytes).expect("write copy");
    let out = Command::new(&script)
        .arg(&file)
        .current_dir(dir.path())
        .output()
        .expect("run x12valid");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let ok = format!("{}: OK", file.display());
    if stderr.lines().any(|l| l.trim_end() == ok) {
        Verdict::Ok
    } else {
        Verdict::Failure(stderr)
    }
}

/// Panics with pyx12's messages unless it says OK.
pub fn assert_ok(name: &str, bytes: &[u8]) {
    if let Verdict::Failure(msg) = validate(bytes) {
        let tail: Vec<&str> = msg.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!("pyx12 rejects {name}:\n{}", tail.join("\n"));
    }
}
