//! Tells the tests whether the shared corpus is there: `X837_SHARED` (default
//! `../shared` beside the checkout) with its `corpus/`. Without it, the tests that read
//! it are built ignored (`cfg(no_shared)`), so they show as ignored, never as passed.
//! Likewise the Spark test without a Java runtime (`cfg(no_java)`: no `java` on `PATH`
//! nor under `JAVA_HOME`).

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_shared)");
    println!("cargo::rustc-check-cfg=cfg(no_java)");
    java();
    println!("cargo::rerun-if-env-changed=X837_SHARED");
    println!("cargo::rerun-if-changed=build.rs");
    let dir = match std::env::var_os("X837_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default())
            .join("../shared"),
    };
    let corpus = dir.join("corpus");
    if corpus.is_dir() {
        // Removing it later rebuilds the tests ignored.
        println!("cargo::rerun-if-changed={}", corpus.display());
    } else {
        println!("cargo::rustc-cfg=no_shared");
    }
}

/// Sets `no_java` unless a `java` runs. Without one, a change in a `PATH` directory (a
/// Java installed) builds the tests again; with one, a change of that file does.
fn java() {
    println!("cargo::rerun-if-env-changed=JAVA_HOME");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let mut candidates: Vec<PathBuf> = dirs.iter().map(|d| d.join("java")).collect();
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        candidates.insert(0, PathBuf::from(home).join("bin/java"));
    }
    let found = candidates.into_iter().find(|java| {
        java.is_file()
            && std::process::Command::new(java)
                .arg("-version")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    });
    match found {
        Some(java) => println!("cargo::rerun-if-changed={}", java.display()),
        None => {
            for dir in dirs.iter().filter(|d| d.is_dir()) {
                println!("cargo::rerun-if-changed={}", dir.display());
            }
            println!("cargo::rustc-cfg=no_java");
        }
    }
}
