//! Where every output of a run goes, checked against every input and every other output
//! before the first byte is read: a target that is an input, two outputs that are one
//! file, or a target that cannot be written is refused up front.
//!
//! Regular files and directories are compared by identity (device and inode), so
//! `./in.x12`, a symlink and a hard link all count; devices and pipes never are (EDI to a
//! terminal and the report to `/dev/stderr`, the same terminal, is fine).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};

use super::target::{Identity, Target, TargetError};
use crate::input::Found;

pub use crate::input::STDIN_NAME;

/// One input as the run will read it.
#[derive(Debug, Clone)]
pub struct PlannedInput {
    /// The argument as given (`-` for standard input).
    pub arg: OsString,
    /// Its path relative to the directory argument it was found under, or its file name:
    /// where it goes under `--out-dir`.
    pub rel: PathBuf,
    /// Where its corrected EDI goes; `None` when no EDI is written.
    pub target: Option<Target>,
    /// Why its `--out-dir` target cannot be written (a file or directory in the way): the
    /// input is then refused when its turn comes, and the others go on.
    pub unwritable: Option<String>,
    /// Where its claims that keep an error go (`--split-rejected DIR`: `DIR/<rel>`).
    pub rejected: Option<Target>,
}

impl PlannedInput {
    /// Whether the input is standard input.
    pub fn is_stdin(&self) -> bool {
        self.arg == "-"
    }

    /// The name used in messages and reports (`<stdin>` for `-`).
    pub fn name(&self) -> String {
        if self.is_stdin() {
            "<stdin>".into()
        } else {
            self.arg.to_string_lossy().into_owned()
        }
    }
}

/// Where the corrected EDI of a run goes.
#[derive(Debug, Clone, Copy)]
pub enum Edi<'a> {
    /// Nowhere (`--check`, `validate`).
    Discard,
    /// Standard output, every input after the other.
    Stdout,
    /// One file (`-o`): one input only.
    One(&'a OsStr),
    /// A directory (`--out-dir`), created when missing.
    Dir(&'a OsStr),
    /// Each input itself (`--in-place`), its old version kept as `FILE.orig`.
    InPlace,
}

/// The checked outputs of a run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub inputs: Vec<PlannedInput>,
    pub report: Option<Target>,
}

/// Why a run's outputs are refused.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("{target}: is the input {input}; choose another output")]
    ReplacesInput { target: String, input: String },
    #[error("{a} and {b} would both be written to {target}")]
    SameTarget {
        a: String,
        b: String,
        target: String,
    },
    #[error("the corrected EDI and the report would both go to standard output")]
    BothStdout,
    #[error("-o/--output takes one input; use --out-dir for several")]
    OneOutputManyInputs,
    #[error("--in-place needs files: standard input cannot be rewritten")]
    InPlaceStdin,
    #[error("{0}: given twice as an input")]
    InputTwice(String),
    #[error("{0}: cannot create the output directory: {1}")]
    OutDir(String, std::io::Error),
}

fn input_identity(arg: &OsStr) -> Option<(Identity, bool)> {
    if arg == "-" {
        let s = rustix::fs::fstat(std::io::stdin()).ok()?;
        let kind = rustix::fs::FileType::from_raw_mode(s.st_mode);
        return kind.is_file().then_some((
            Identity {
                dev: s.st_dev,
                ino: s.st_ino,
            },
            false,
        ));
    }
    let m = fs::metadata(arg).ok()?;
    (m.is_file() || m.is_dir()).then(|| (Identity::of(&m), m.is_dir()))
}

impl Plan {
    /// Maps `inputs` (found by `input::find`) to their EDI targets and checks them and the
    /// report target. Creates the `--out-dir` directory.
    pub fn new(inputs: &[Found], edi: Edi<'_>, report: Option<&OsStr>) -> Result<Plan, PlanError> {
        if matches!(edi, Edi::One(_)) && inputs.len() > 1 {
            return Err(PlanError::OneOutputManyInputs);
        }
        let mut seen: Vec<(Identity, String)> = Vec::new();
        let mut planned = Vec::with_capacity(inputs.len());
        for found in inputs {
            let arg = &found.path;
            let name = if arg == "-" {
                "<stdin>".to_string()
            } else {
                arg.to_string_lossy().into_owned()
            };
            if let Some((id, _)) = input_identity(arg) {
                if seen.iter().any(|(s, _)| *s == id) {
                    return Err(PlanError::InputTwice(name));
                }
                seen.push((id, name.clone()));
            } else if arg == "-" && planned.iter().any(|p: &PlannedInput| p.is_stdin()) {
                return Err(PlanError::InputTwice(name));
            }
            planned.push(PlannedInput {
                arg: arg.clone(),
                rel: found.rel.clone(),
                target: None,
                unwritable: None,
                rejected: None,
            });
        }
        match edi {
            Edi::Discard => {}
            Edi::Stdout => planned
                .iter_mut()
                .for_each(|p| p.target = Some(Target::Stdout)),
            Edi::One(o) => {
                let t = Target::resolve(o)?;
                planned.iter_mut().for_each(|p| p.target = Some(t.clone()));
            }
            Edi::InPlace => {
                for p in &mut planned {
                    if p.is_stdin() {
                        return Err(PlanError::InPlaceStdin);
                    }
                    let path = PathBuf::from(&p.arg);
                    let mut backup = p.arg.clone();
                    backup.push(".orig");
                    let backup = PathBuf::from(backup);
                    if fs::symlink_metadata(&backup).is_ok() {
                        p.unwritable = Some(format!(
                            "{} exists; a backup is never overwritten",
                            backup.display()
                        ));
                    } else {
                        p.target = Some(Target::InPlace { path, backup });
                    }
                }
            }
            Edi::Dir(dir) => {
                let dir = make_dir(dir)?;
                for p in &mut planned {
                    match under(dir, &p.rel) {
                        Ok(t) => p.target = Some(t),
                        Err(e) => p.unwritable = Some(e),
                    }
                }
            }
        }
        let report = report.map(Target::resolve).transpose()?;
        let plan = Plan {
            inputs: planned,
            report,
        };
        plan.check(&seen, matches!(edi, Edi::Stdout | Edi::One(_)))?;
        if matches!(edi, Edi::InPlace) {
            // Each input replaces itself only (a symlink is replaced, not followed).
            for p in &plan.inputs {
                if fs::symlink_metadata(&p.arg).is_ok_and(|m| !m.file_type().is_file()) {
                    return Err(PlanError::Target(TargetError::NotRegular(p.name())));
                }
            }
        }
        Ok(plan)
    }

    /// Sends the claims that keep an error of each input to `DIR/<its path>`
    /// (`--split-rejected DIR`), checked like every other output. Creates `DIR`.
    pub fn with_rejected(mut self, dir: &OsStr) -> Result<Plan, PlanError> {
        let dir = make_dir(dir)?;
        for p in &mut self.inputs {
            match under(dir, &p.rel) {
                Ok(t) => p.rejected = Some(t),
                Err(e) => p.unwritable = p.unwritable.take().or(Some(e)),
            }
        }
        let seen: Vec<(Identity, String)> = (self.inputs.iter())
            .filter_map(|p| input_identity(&p.arg).map(|(id, _)| (id, p.name())))
            .collect();
        let shared = (self.inputs.iter()).any(|p| matches!(p.target, Some(Target::Stdout)))
            || (self.inputs.len() == 1 && self.inputs[0].target.is_some());
        self.check(&seen, shared)?;
        Ok(self)
    }

    /// Every output against every input and every other output.
    /// `shared_edi`: the EDI of every input goes to one target by design (standard
    /// output, or `-o` for the one input), so EDI targets are not compared with each other.
    fn check(&self, inputs: &[(Identity, String)], shared_edi: bool) -> Result<(), PlanError> {
        let mut outputs: Vec<(String, bool, &Target)> = self
            .inputs
            .iter()
            .filter_map(|p| {
                let what = format!("the corrected EDI of {}", p.name());
                p.target.as_ref().map(|t| (what, true, t))
            })
            .collect();
        for p in &self.inputs {
            if let Some(t) = &p.rejected {
                outputs.push((format!("the rejected claims of {}", p.name()), false, t));
            }
        }
        if let Some(r) = &self.report {
            outputs.push(("the report".to_string(), false, r));
        }
        for (_, _, t) in &outputs {
            if let Some(id) = t.identity()
                && let Some((_, input)) = inputs.iter().find(|(i, _)| *i == id)
            {
                return Err(PlanError::ReplacesInput {
                    target: t.display(),
                    input: input.clone(),
                });
            }
        }
        for (i, (a, a_edi, ta)) in outputs.iter().enumerate() {
            for (b, b_edi, tb) in &outputs[i + 1..] {
                if *a_edi && *b_edi && shared_edi {
                    continue;
                }
                if matches!((ta, tb), (Target::Stdout, Target::Stdout)) {
                    return Err(PlanError::BothStdout);
                }
                let same = match (ta.identity(), tb.identity()) {
                    (Some(x), Some(y)) => x == y,
                    (None, None) => ta.would_be().is_some() && ta.would_be() == tb.would_be(),
                    _ => false,
                };
                if same {
                    return Err(PlanError::SameTarget {
                        a: a.clone(),
                        b: b.clone(),
                        target: tb.display(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// `dir`, created when missing.
fn make_dir(dir: &OsStr) -> Result<&Path, PlanError> {
    let dir = Path::new(dir);
    if !dir.is_dir() {
        fs::create_dir_all(dir).map_err(|e| PlanError::OutDir(dir.display().to_string(), e))?;
    }
    Ok(dir)
}

/// The target `dir/rel`, its directories created; why it cannot be written.
fn under(dir: &Path, rel: &Path) -> Result<Target, String> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create the directory of {}: {e}", path.display()))?;
    }
    Target::resolve(path.as_os_str()).map_err(|e| e.to_string())
}
