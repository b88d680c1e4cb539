//! `x837 synth --corpus DIR`: the corpus files written into DIR, each atomically, the
//! manifest last.

use std::ffi::OsStr;
use std::path::Path;

use crate::generate::corpus::{self, CorpusFile};
use crate::generate::synth;
use crate::output::{self, Target};

use super::generate::emit;
use super::{Console, Status};

fn write_one(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("{}: cannot create: {e}", parent.display()))?;
    }
    let target = Target::resolve(path.as_os_str()).map_err(|e| e.to_string())?;
    let mode = output::mode_for([]);
    emit(&target, mode, |out| std::io::Write::write_all(out, bytes))
        .map_err(|e| format!("{}: cannot write: {e}", target.display()))
}

/// Writes the corpus for `seed` into `dir` (created when missing).
pub fn write(dir: &OsStr, seed: u64, console: &dyn Console) -> Status {
    let dir = Path::new(dir);
    let files: Vec<CorpusFile> = match corpus::build(seed) {
        Ok(f) => f,
        Err(e) => {
            console.say(&format!("x837: cannot make the corpus: {e}"));
            return Status::Failed;
        }
    };
    for f in &files {
        let r = write_one(dir, &f.name, &f.edi)
            .and_then(|()| write_one(dir, &corpus::truth_name(&f.name), &f.truth));
        if let Err(e) = r {
            console.say(&format!("x837: {e}"));
            return Status::Failed;
        }
    }
    if let Err(e) = write_one(dir, corpus::CONFIG_NAME, synth::CONFIG.as_bytes()) {
        console.say(&format!("x837: {e}"));
        return Status::Failed;
    }
    if let Err(e) = write_one(dir, "MANIFEST.tsv", corpus::manifest(&files).as_bytes()) {
        console.say(&format!("x837: {e}"));
        return Status::Failed;
    }
    console.say(&format!(
        "x837: {} files, x837.toml and MANIFEST.tsv in {}",
        files.len(),
        dir.display()
    ));
    Status::Clean
}
