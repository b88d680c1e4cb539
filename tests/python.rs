//! The Python package (`python/`) and its Spark step, tested by pytest from `cargo test`.
//!
//! The first use makes a venv under `target/py-venv` (`python3 -m venv`; pytest, maturin
//! and `pyspark[sql]` from PyPI), builds the wheel with `maturin build --release` into
//! `target/wheels` (its own cargo target dir, `target/python`) and installs it there; under
//! a file lock, so the two tests here (and parallel runs) do not race. Then pytest runs
//! `python/tests` against this crate's `x837` binary. The Spark test needs a Java runtime
//! (Spark's JVM): without one it is built ignored and says so (`cfg(no_java)`, build.rs).

#![allow(clippy::unwrap_used)]

mod common;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// What the venv holds: the versions the tests were written against.
/// (PySpark 4.3 warns that it does not fully support pandas 3.)
const REQUIREMENTS: &[&str] = &[
    "maturin==1.16.0",
    "pytest==9.2.0",
    "pyspark[sql]==4.3.0",
    "pandas<3",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// Runs `command`, its output shown only when it fails.
fn run(command: &mut Command, what: &str) {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The venv with the requirements, made on first use (again when they change).
fn venv() -> PathBuf {
    let venv = target_dir().join("py-venv");
    let ready = venv.join("x837-requirements.txt");
    let wanted = REQUIREMENTS.join("\n");
    if fs::read_to_string(&ready).ok().as_deref() == Some(wanted.as_str()) {
        return venv;
    }
    let _ = fs::remove_dir_all(&venv);
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (python3 with venv is needed)",
    );
    run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(REQUIREMENTS),
        "pip install of the test requirements",
    );
    fs::write(&ready, wanted).unwrap();
    venv
}

/// The venv's python with this checkout's wheel built and installed, once per run.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let target = target_dir();
        fs::create_dir_all(&target).unwrap();
        let lock = File::create(target.join("py-venv.lock")).unwrap();
        lock.lock().unwrap();
        let venv = venv();
        let python = venv.join("bin/python");
        let wheels = target.join("wheels");
        let _ = fs::remove_dir_all(&wheels);
        run(
            Command::new(venv.join("bin/maturin"))
                .args(["build", "--release", "--quiet", "--manifest-path"])
                .arg(root().join("python/Cargo.toml"))
                .arg("--interpreter")
                .arg(&python)
                .arg("--out")
                .arg(&wheels)
                .env("CARGO_TARGET_DIR", target.join("python")),
            "maturin build of the wheel",
        );
        let wheel = fs::read_dir(&wheels)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "whl"))
            .expect("maturin built no wheel");
        run(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(["--no-deps", "--force-reinstall"])
                .arg(&wheel),
            "pip install of the wheel",
        );
        lock.unlock().unwrap();
        python
    })
}

/// Runs pytest on `test` (a file of `python/tests`); fails on a failed, skipped or
/// missing test.
fn pytest(test: &str) {
    let python = python();
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(python)
        .args(["-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"])
        .arg(root().join("python/tests").join(test))
        .current_dir(work.path())
        .env("X837_BIN", env!("CARGO_BIN_EXE_x837"))
        .env("X837_SHARED", common::shared())
        .env("PYSPARK_PYTHON", python)
        .env("PYSPARK_DRIVER_PYTHON", python)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "pytest {test} failed:\n{stdout}\n{stderr}"
    );
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(
        last.contains(" passed") && !last.contains("skipped"),
        "pytest {test}: {last}"
    );
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn python_bindings_against_the_command() {
    pytest("test_bindings.py");
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[cfg_attr(
    no_java,
    ignore = "needs a Java runtime for Spark (Debian: openjdk-17-jre-headless)"
)]
#[test]
fn spark_step_in_local_mode_against_the_command() {
    pytest("test_spark.py");
}
