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

/// What pyx12 said about one file of a batch, and the 999 it wrote beside it (`STEM.997`,
/// GS08 `005010X231`), when it wrote one.
#[derive(Debug, Clone)]
pub struct Checked {
    pub verdict: Verdict,
    pub ack: Option<Vec<u8>>,
}

/// Validates copies of `files` in one temporary directory, `jobs` x12valid processes at
/// a time (it is slow to start), each reading several files: a verdict per file, in
/// order, with pyx12's messages about that file for a failure and the 999 it wrote.
pub fn validate_all(files: &[Vec<u8>], jobs: usize) -> Vec<Checked> {
    let script = x12valid();
    let dir = tempfile::tempdir().expect("tempdir");
    let paths: Vec<PathBuf> = (0..files.len())
        .map(|i| dir.path().join(format!("f{i:05}.txt")))
        .collect();
    for (p, b) in paths.iter().zip(files) {
        fs::write(p, b).expect("write copy");
    }
    let chunk = paths.len().div_ceil(jobs.max(1)).max(1);
    let stderr: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|c| {
                let script = &script;
                let dir = dir.path();
                s.spawn(move || {
                    let out = Command::new(script)
                        .args(c)
                        .current_dir(dir)
                        .output()
                        .expect("run x12valid");
                    String::from_utf8_lossy(&out.stderr).into_owned()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("x12valid thread"))
            .collect()
    });
    let mut messages = String::new();
    let mut verdicts = std::collections::HashMap::new();
    let lines = stderr
        .iter()
        .flat_map(|s| std::iter::once(None).chain(s.lines().map(Some)));
    for line in lines {
        let Some(line) = line else {
            // Each process's messages are its own.
            messages.clear();
            continue;
        };
        let verdict = paths.iter().find_map(|p| {
            let shown = p.display().to_string();
            match line.trim_end().strip_prefix(shown.as_str()) {
                Some(": OK") => Some((shown, Verdict::Ok)),
                Some(": Failure") => Some((shown, Verdict::Failure(std::mem::take(&mut messages)))),
                _ => None,
            }
        });
        match verdict {
            Some((p, v)) => {
                messages.clear();
                verdicts.insert(p, v);
            }
            None => {
                messages.push_str(line);
                messages.push('\n');
            }
        }
    }
    paths
        .iter()
        .map(|p| {
            let verdict = verdicts
                .remove(&p.display().to_string())
                .unwrap_or_else(|| Verdict::Failure("no verdict (pyx12 crashed?)".into()));
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let ack = fs::read(dir.path().join(format!("{stem}.997"))).ok();
            Checked { verdict, ack }
        })
        .collect()
}
