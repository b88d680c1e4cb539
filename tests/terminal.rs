//! Terminal and pipeline manners: the progress bar only on a terminal and never over a
//! summary line, colour as `--color` and `NO_COLOR` say, completions and manual pages.
//! A terminal is made with `script(1)` (util-linux), which runs a command on a pty.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn synth_file(dir: &Path, name: &str, claims: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_x837"))
        .args([
            "synth",
            "--claims",
            claims,
            "--seed",
            claims,
            "--error-rate",
            "0.3",
            "-o",
            name,
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
}

/// Runs x837 with `args` on a pseudo-terminal: what the terminal showed.
fn on_terminal(dir: &Path, args: &str, env: &[(&str, &str)]) -> String {
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_x837"));
    let mut c = Command::new("script");
    c.args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c
        .output()
        .expect("script(1) from util-linux runs a command on a terminal");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn piped(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

/// The summary lines of a scrub, as a pipe gets them.
fn summaries(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = piped(dir, args);
    common::show(&out.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_bar_is_drawn_on_a_terminal_and_never_over_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synth_file(dir, "a.x12", "6000");
    synth_file(dir, "b.x12", "3000");
    let args = [
        "scrub",
        "a.x12",
        "b.x12",
        "--out-dir",
        "o",
        "--color",
        "never",
        "--jobs",
        "1",
    ];
    let lines = summaries(dir, &args);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let shown = on_terminal(dir, &args.join(" "), &[]);
    // The bar was there: files, bytes and claims.
    assert!(shown.contains(" files"), "{shown:?}");
    assert!(shown.contains("MiB"), "{shown:?}");
    assert!(shown.contains("6000 claims"), "{shown:?}");
    for line in &lines {
        // Each summary starts on a cleared line and runs whole to its line end.
        let at = shown
            .find(line.as_str())
            .unwrap_or_else(|| panic!("{line} not shown: {shown:?}"));
        assert!(
            shown[..at].ends_with("\x1b[2K"),
            "{line}: not on a cleared line"
        );
        let rest = &shown[at + line.len()..];
        assert!(
            rest.starts_with("\r\n") || rest.starts_with('\n'),
            "{line}: followed by {rest:.40?}"
        );
    }
    // The bar is taken off the screen at the end.
    assert!(
        shown.trim_end_matches(['\r', '\n']).ends_with("\x1b[2K"),
        "{:?}",
        &shown[shown.len().saturating_sub(80)..]
    );
}

#[test]
fn a_pipe_gets_no_bar_and_no_colour() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synth_file(dir, "a.x12", "3000");
    for args in [
        vec!["scrub", "a.x12", "-o", "o.x12"],
        vec!["validate", "a.x12"],
        vec!["info", "a.x12"],
    ] {
        let out = piped(dir, &args);
        let err = common::show(&out.stderr);
        assert!(
            !err.contains('\x1b') && !err.contains('\r'),
            "{args:?}: {err:?}"
        );
    }
    // Asked for, colour comes even to a pipe.
    let out = piped(dir, &["scrub", "a.x12", "-o", "o.x12", "--color", "always"]);
    assert!(
        common::show(&out.stderr).contains("\x1b[31m"),
        "{}",
        common::show(&out.stderr)
    );
}

#[test]
fn colour_on_a_terminal_unless_no_color_or_never() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    synth_file(dir, "a.x12", "200");
    let args = "scrub a.x12 -o o.x12".to_string();
    assert!(on_terminal(dir, &args, &[]).contains("\x1b[31m"));
    assert!(!on_terminal(dir, &args, &[("NO_COLOR", "1")]).contains("\x1b[31m"));
    assert!(!on_terminal(dir, &format!("{args} --color never"), &[]).contains("\x1b[31m"));
    // --quiet: neither summary nor bar.
    let quiet = on_terminal(dir, &format!("{args} --quiet"), &[]);
    assert!(!quiet.contains("claims"), "{quiet:?}");
}

#[test]
fn completions_and_manual_pages_are_generated() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = piped(dir, &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = common::show(&out.stdout);
        // fish and others name long options without their dashes.
        for word in ["scrub", "split-rejected", "new-control-numbers"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let out = piped(dir, &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let out = piped(dir, &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = common::show(&out.stdout);
    assert!(page.contains(".TH x837 1"), "{page:.200}");
    assert!(page.contains("scrub"));
    let out = piped(dir, &["man", "--out-dir", "man"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::show(&out.stderr));
    let scrub = fs::read_to_string(dir.join("man/x837-scrub.1")).unwrap();
    assert!(scrub.contains("split\\-rejected"), "{scrub:.300}");
    assert!(dir.join("man/x837.1").exists());
    // A full disk is an error, not a panic.
    let full = Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(["completions", "bash"])
        .stdout(
            fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(2));
    assert!(common::show(&full.stderr).contains("No space left"));
}
