//! `x837 generate` and `x837 synth`: EDI written to a file (replaced atomically), a device,
//! or standard output.

use std::ffi::{OsStr, OsString};
use std::io;

use crate::generate::{self, Control, Kind, synth};
use crate::input;
use crate::output::{self, Output, Rewind, Target};

use super::{Console, Status, Usage, wrote};

/// Resolves an output argument (`None`: standard output) and checks it is not `input`.
fn target(output: Option<&OsStr>, input: Option<&OsStr>) -> Result<Target, Usage> {
    let t = Target::resolve(output.unwrap_or(OsStr::new("-"))).map_err(|e| Usage(e.to_string()))?;
    if let (Some(id), Some(i)) = (t.identity(), input)
        && std::fs::metadata(i).is_ok_and(|m| output::Identity::of(&m) == id)
    {
        return Err(Usage(format!(
            "{}: is the input; choose another output",
            t.display()
        )));
    }
    Ok(t)
}

/// Writes through `write` to `target`, committing only when all went well.
fn emit(
    target: &Target,
    mode: u32,
    write: impl FnOnce(&mut Output) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = Output::open(target, mode)?;
    write(&mut out)?;
    out.settle()?;
    out.commit()
}

/// The options of `x837 generate`.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub description: OsString,
    pub kind: Option<Kind>,
    pub output: Option<OsString>,
    pub control: Control,
}

/// EDI from a claim description.
pub fn generate(o: &GenerateOptions, console: &dyn Console) -> Status {
    let target = match target(o.output.as_deref(), Some(&o.description)) {
        Ok(t) => t,
        Err(e) => {
            console.say(&format!("x837: {e}"));
            return Status::Failed;
        }
    };
    let name = input::display_name(&o.description);
    let bytes = match input::read(&o.description) {
        Ok(b) => b,
        Err(e) => {
            console.say(&format!("x837: {name}: cannot read: {e}"));
            return Status::Failed;
        }
    };
    let (desc, kind) = match generate::parse(&bytes, o.kind) {
        Ok(d) => d,
        Err(errors) => {
            for e in &errors {
                console.say(&format!("x837: {name}: {e}"));
            }
            return Status::Failed;
        }
    };
    let mode = output::mode_of((o.description != "-").then_some(o.description.as_ref()));
    let r = emit(&target, mode, |out| {
        generate::write(&desc, kind, o.control, out).map(drop)
    });
    wrote(r, &target.display(), Status::Clean, console)
}

/// The options of `x837 synth`.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub synth: synth::Options,
    pub truth: Option<OsString>,
    pub output: Option<OsString>,
}

/// A seeded synthetic batch, with its truth file.
pub fn synth(o: &SynthOptions, console: &dyn Console) -> Status {
    let checked = target(o.output.as_deref(), None).and_then(|t| {
        let truth = o
            .truth
            .as_deref()
            .map(|p| target(Some(p), None))
            .transpose()?;
        if let Some(tt) = &truth
            && (tt == &t || matches!((tt.identity(), t.identity()), (Some(a), Some(b)) if a == b))
        {
            return Err(Usage(
                "the batch and the truth file would be one file".into(),
            ));
        }
        Ok((t, truth))
    });
    let (target, truth) = match checked {
        Ok(t) => t,
        Err(e) => {
            console.say(&format!("x837: {e}"));
            return Status::Failed;
        }
    };
    let mode = output::mode_for([]);
    let mut truth_out = match truth.as_ref().map(|t| Output::open(t, mode)).transpose() {
        Ok(t) => t,
        Err(e) => {
            console.say(&format!("x837: cannot write the truth file: {e}"));
            return Status::Failed;
        }
    };
    let mut summary = None;
    let r = emit(&target, mode, |out| {
        summary = Some(synth::run(&o.synth, out, truth_out.as_mut())?);
        Ok(())
    });
    let r = r.and_then(|()| match truth_out {
        Some(mut t) => t.settle().and_then(|()| t.commit()),
        None => Ok(()),
    });
    let status = wrote(r, &target.display(), Status::Clean, console);
    if status == Status::Clean
        && let Some(s) = summary
    {
        let injected: u64 = s.injected.values().sum();
        console.say(&format!(
            "x837: {} claims ({} J2326, {} with an injected error), {} bytes",
            s.claims, s.j2326_claims, injected, s.bytes
        ));
    }
    status
}
