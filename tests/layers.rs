//! The shape of the code, checked: the top-level modules of `src/` form layers, each
//! importing only from layers below it (no import cycle between them), and no function
//! in `src/` is longer than 100 lines. `cargo test --test layers -- --nocapture` prints
//! the arrows; ARCHITECTURE.md draws the same picture.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may import from modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["echo", "parallel", "digits"],
    &["input"],
    &["x12", "output"],
    &["report"],
    &["grammar"],
    &["tree"],
    &["claim", "reply"],
    &["validate", "info"],
    &["scrub", "generate"],
    &["ack"],
    &["run"],
];

/// Functions allowed over 100 lines, with why (none today).
const LONG_FUNCTIONS: &[(&str, &str)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
        if e.is_dir() {
            rust_files(&e, out);
        } else if e.extension().is_some_and(|x| x == "rs") {
            out.push(e);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for the binary and lib.rs).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    match name.as_str() {
        "main" | "lib" | "cli" => None,
        _ => Some(name),
    }
}

/// The top-level modules a file names through `crate::`, in `use crate::{a, b::c}` too.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn top_level_modules_form_layers_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut arrows: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(from) = module_of(&src, f) else {
            continue;
        };
        for to in imports(&fs::read_to_string(f).unwrap()) {
            if to != from {
                let shown = f.strip_prefix(&src).unwrap().display().to_string();
                arrows.entry((from.clone(), to)).or_default().insert(shown);
            }
        }
    }
    let mut wrong = Vec::new();
    for ((from, to), files) in &arrows {
        println!(
            "{from} -> {to}  ({})",
            files.iter().cloned().collect::<Vec<_>>().join(", ")
        );
        match (layer_of(from), layer_of(to)) {
            (Some(a), Some(b)) if b < a => {}
            (Some(_), Some(_)) => {
                wrong.push(format!("{from} -> {to} goes up or across ({files:?})"))
            }
            _ => wrong.push(format!("{from} or {to} is in no layer of LAYERS")),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Every module is placed (a new one must be given its layer).
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    for m in &modules {
        assert!(layer_of(m).is_some(), "module {m} is in no layer");
    }
}

#[test]
fn no_function_is_over_100_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut long = Vec::new();
    for f in &files {
        let text = fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let t = t
                .strip_prefix("pub ")
                .or_else(|| t.strip_prefix("pub(crate) "))
                .unwrap_or(t);
            let t = t.strip_prefix("const ").unwrap_or(t);
            let Some(sig) = t.strip_prefix("fn ") else {
                continue;
            };
            // A declaration, or a body on the signature's line (`fn idle(&mut self) {}`).
            if l.trim_end().ends_with(';') || l.trim_end().ends_with('}') {
                continue;
            }
            let name: String = sig
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let indent = &l[..l.len() - l.trim_start().len()];
            let close = format!("{indent}}}");
            let end = (i..lines.len()).find(|&j| lines[j] == close).unwrap_or(i);
            let n = end - i + 1;
            let shown = format!("{}:{name}", f.strip_prefix(&src).unwrap().display());
            if n > 100 && !LONG_FUNCTIONS.iter().any(|(f, _)| *f == shown) {
                long.push(format!("{shown} is {n} lines"));
            }
        }
    }
    assert!(long.is_empty(), "{long:#?}");
}
