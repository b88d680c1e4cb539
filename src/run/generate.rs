//! `x837 generate` and `x837 synth`: EDI written to a file (replaced atomically), a device,
//! or standard output.

use std::ffi::{OsStr, OsString};
use std::io;

use std::io::Write;

use crate::generate::layout::Layout;
use crate::generate::variants::{self, Scope, Selection};
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
pub(super) fn emit(
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
    /// `--as-written`: the description's values written as given, its checks warnings.
    pub as_written: bool,
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
    let parsed = if o.as_written {
        generate::parse_as_written(&bytes, o.kind).map(|(d, k, warnings)| {
            for w in &warnings {
                console.say(&format!("x837: {name}: warning: {w} (written as given)"));
            }
            (d, k)
        })
    } else {
        generate::parse(&bytes, o.kind)
    };
    let (desc, kind) = match parsed {
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
        generate::write_with(&desc, kind, o.control, o.as_written, out).map(drop)
    });
    wrote(r, &target.display(), Status::Clean, console)
}

/// The options of `x837 synth`.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// The batch; its `error_rate` is taken from `error_rate` here.
    pub synth: synth::Options,
    /// `--error-rate`; without it 1 when `inject` is given, else 0.
    pub error_rate: Option<f64>,
    /// `--inject`: variant names, rule ids or `all`.
    pub inject: Option<Vec<String>>,
    /// `--list`: print the variants and stop.
    pub list: bool,
    /// `--corpus DIR`.
    pub corpus: Option<OsString>,
    pub layout: Layout,
    pub truth: Option<OsString>,
    pub output: Option<OsString>,
    /// `--responses DIR`: the 277CA and 835 a payer would send back for the batch.
    pub responses: Option<OsString>,
}

/// The batch's options and extras, checked: an unknown `--inject` id or a layout that
/// cannot be written is a usage error.
fn checked_synth(o: &SynthOptions) -> Result<(synth::Options, synth::Extra), Usage> {
    let inject = match &o.inject {
        Some(ids) => {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            Selection::parse(&ids).map_err(Usage)?
        }
        None => Selection::default(),
    };
    o.layout.check().map_err(Usage)?;
    let kinds: &[bool] = match o.synth.kind {
        synth::SynthKind::Professional => &[true],
        synth::SynthKind::Institutional => &[false],
        synth::SynthKind::Mixed => &[true, false],
    };
    if o.inject.is_some() && !kinds.iter().any(|&p| inject.applies(p)) {
        return Err(Usage(
            "--inject: none of the variants chosen applies to the claims of this --kind".into(),
        ));
    }
    let mut options = o.synth.clone();
    options.error_rate = o
        .error_rate
        .unwrap_or(if o.inject.is_some() { 1.0 } else { 0.0 });
    Ok((
        options,
        synth::Extra {
            inject,
            layout: o.layout,
        },
    ))
}

/// `x837 synth --list`: one variant a line, `NAME<TAB>RULE[,RULE]<TAB>KINDS<TAB>SCOPE<TAB>NEEDS`
/// (rules `-` for a variant whose truth is `[]`; scope `j2326-group` for a variant of
/// several claims; needs `config` when the scrub needs `samples/synth/x837.toml`, else `-`).
fn list(console: &dyn Console) -> Status {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let r = (|| {
        writeln!(out, "variant\trules\tkinds\tapplies to\tneeds")?;
        for v in variants::all() {
            let rules: Vec<&str> = v.rules.iter().chain(v.also).map(|r| r.as_str()).collect();
            let rules = if rules.is_empty() {
                "-".to_string()
            } else {
                rules.join(",")
            };
            let scope = if v.claims > 1 {
                "j2326-group"
            } else {
                v.scope.name()
            };
            let needs = if v.config { "config" } else { "-" };
            writeln!(
                out,
                "{}\t{rules}\t{}\t{scope}\t{needs}",
                v.name,
                v.applies.name(),
            )?;
        }
        out.flush()
    })();
    wrote(r, "standard output", Status::Clean, console)
}

/// A seeded synthetic batch, with its truth file; or the variant list, or a corpus.
pub fn synth(o: &SynthOptions, console: &dyn Console) -> Status {
    if o.list {
        return list(console);
    }
    let (options, extra) = match checked_synth(o) {
        Ok(c) => c,
        Err(e) => {
            console.say(&format!("x837: {e}"));
            return Status::Failed;
        }
    };
    if let Some(dir) = &o.corpus {
        return super::corpus::write(dir, options.seed, console);
    }
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
        summary = Some(synth::run_with(&options, &extra, out, truth_out.as_mut())?);
        Ok(())
    });
    let r = r.and_then(|()| match truth_out {
        Some(mut t) => t.settle().and_then(|()| t.commit()),
        None => Ok(()),
    });
    let mut status = wrote(r, &target.display(), Status::Clean, console);
    if status == Status::Clean
        && let Some(dir) = &o.responses
    {
        status = responses(o, dir, console);
    }
    if status == Status::Clean
        && let Some(s) = summary
    {
        let in_claims = |name: &str| {
            variants::find(name).is_some_and(|v| matches!(v.scope, Scope::J2326 | Scope::Claim))
        };
        let claims: u64 = (s.injected.iter())
            .filter(|(n, _)| in_claims(n))
            .map(|(_, c)| c)
            .sum();
        let others: u64 = s.injected.values().sum::<u64>() - claims;
        let others = match others {
            0 => String::new(),
            n => format!(", {n} injected outside claims (HL, trailers, a cut)"),
        };
        console.say(&format!(
            "x837: {} claims ({} J2326, {claims} with an injected error){others}, {} bytes",
            s.claims, s.j2326_claims, s.bytes
        ));
    }
    status
}

/// Writes `DIR/NAME.277ca` and `DIR/NAME.835` for the batch just written to `-o NAME`,
/// from it and its truth file.
fn responses(o: &SynthOptions, dir: &std::ffi::OsStr, console: &dyn Console) -> Status {
    let (Some(batch), Some(truth)) = (&o.output, &o.truth) else {
        console.say("x837: --responses needs -o FILE and --truth FILE");
        return Status::Failed;
    };
    let r = (|| -> Result<(), String> {
        let b = std::fs::read(batch).map_err(|e| format!("{}: {e}", batch.to_string_lossy()))?;
        let t = std::fs::read(truth).map_err(|e| format!("{}: {e}", truth.to_string_lossy()))?;
        let v: serde_json::Value = serde_json::from_slice(&t).map_err(|e| e.to_string())?;
        let map: std::collections::BTreeMap<String, Vec<String>> =
            serde_json::from_value(v["claims"].clone()).map_err(|e| e.to_string())?;
        let (ack, remit) = crate::generate::responses::responses(&b, &map);
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.to_string_lossy()))?;
        let name = std::path::Path::new(batch)
            .file_name()
            .map_or("batch".into(), |n| n.to_string_lossy().into_owned());
        for (ext, bytes) in [("277ca", ack), ("835", remit)] {
            let path = std::path::Path::new(dir).join(format!("{name}.{ext}"));
            let target = output::Target::resolve(path.as_os_str()).map_err(|e| e.to_string())?;
            output::write_to(&target, 0o644, &bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    })();
    match r {
        Ok(()) => Status::Clean,
        Err(e) => {
            console.say(&format!("x837: --responses: {e}"));
            Status::Failed
        }
    }
}
