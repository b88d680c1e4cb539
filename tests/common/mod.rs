//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod pyx12;

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `x837` binary with `args`.
pub fn x837(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(args)
        .output()
        .expect("run x837")
}
