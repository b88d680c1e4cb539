//! Tells the tests whether the shared corpus is there: `X837_SHARED` (default
//! `../shared` beside the checkout) with its `corpus/`. Without it, the tests that read
//! it are built ignored (`cfg(no_shared)`), so they show as ignored, never as passed.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_shared)");
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
