//! `x837 ack`: checked settings built once (every acknowledgment target resolved and
//! checked against the inputs and each other), then the run: each input is read and its
//! claims checked as received (validation and the J2326 rules, nothing fixed), and once
//! every input is read, the acknowledgments are written: `DIR/NAME.ta1`, `DIR/NAME.999`,
//! `DIR/NAME.277ca`. `scrub --ack-dir` writes the same files for its corrected output.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};

use crate::ack::{self, Acks, Kinds};
use crate::input::{self, Found};
use crate::output::plan::Edi;
use crate::output::{self, Output, Plan, Target};
use crate::report::{Finding, Source};
use crate::scrub::{Fixes, Settings};
use crate::x12::Control;

use super::{Console, Status, Usage, wrote};

/// The options of `x837 ack` as given.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub files: Vec<OsString>,
    /// Keeps the files found under directory arguments whose path matches (`--glob`).
    pub glob: Option<String>,
    pub out_dir: OsString,
    /// `--kinds`: which acknowledgments (`ta1,999,277ca`); all three when absent.
    pub kinds: Option<String>,
    pub profile: Option<String>,
    pub config: Option<OsString>,
    /// `--new-control-numbers ISA13[,GS06,ST02]`: the first control numbers.
    pub new_control_numbers: Option<String>,
    /// `--report PATH`: what was acknowledged, as JSON.
    pub report: Option<OsString>,
}

/// Where one input's acknowledgments go (`None`: that kind is not written).
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub ta1: Option<Target>,
    pub k999: Option<Target>,
    pub ca277: Option<Target>,
    /// Why one of them cannot be written (a file or directory in the way under the
    /// output directory): that input is refused when its turn comes, the others go on.
    pub unwritable: Option<String>,
}

impl Targets {
    fn all(&self) -> impl Iterator<Item = &Target> {
        [&self.ta1, &self.k999, &self.ca277].into_iter().flatten()
    }
}

/// Whether two targets are one file (regular files by identity or by the path they
/// would get; devices and pipes never).
fn same(a: &Target, b: &Target) -> bool {
    match (a.identity(), b.identity()) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.would_be().is_some() && a.would_be() == b.would_be(),
        _ => false,
    }
}

/// The acknowledgment targets of `found` under `dir` (created when missing): each
/// input's `NAME.ta1`, `NAME.999`, `NAME.277ca` as `kinds` asks, checked against every
/// input, each other and `others` (the run's other outputs, with what they are).
pub fn plan(
    found: &[Found],
    dir: &OsStr,
    kinds: Kinds,
    others: &[(String, &Target)],
) -> Result<Vec<Targets>, Usage> {
    let mut targets = vec![Targets::default(); found.len()];
    for (wanted, ext) in [
        (kinds.ta1, "ta1"),
        (kinds.k999, "999"),
        (kinds.ca277, "277ca"),
    ] {
        if !wanted {
            continue;
        }
        let named: Vec<Found> = found
            .iter()
            .map(|f| Found {
                path: f.path.clone(),
                rel: f.rel.with_extension(ext),
            })
            .collect();
        let p = Plan::new(&named, Edi::Dir(dir), None)?;
        for (t, planned) in targets.iter_mut().zip(p.inputs) {
            let slot = match ext {
                "ta1" => &mut t.ta1,
                "999" => &mut t.k999,
                _ => &mut t.ca277,
            };
            *slot = planned.target;
            if let Some(why) = planned.unwritable {
                t.unwritable.get_or_insert(why);
            }
        }
    }
    let all: Vec<&Target> = targets.iter().flat_map(Targets::all).collect();
    for (i, a) in all.iter().enumerate() {
        if let Some(b) = all[i + 1..].iter().find(|b| same(a, b)) {
            return Err(Usage(format!(
                "two acknowledgments would both be written to {}",
                b.display()
            )));
        }
        if let Some((what, _)) = others.iter().find(|(_, o)| same(a, o)) {
            return Err(Usage(format!(
                "{} and an acknowledgment would both be written to {}",
                what,
                a.display()
            )));
        }
    }
    Ok(targets)
}

/// Writes `acks` to `targets` (a kind with nothing to send writes no file); the status.
pub fn write(
    acks: &Acks,
    targets: &Targets,
    mode: u32,
    status: Status,
    console: &dyn Console,
) -> Status {
    let mut status = status;
    for (bytes, target) in [
        (&acks.ta1, &targets.ta1),
        (&acks.k999, &targets.k999),
        (&acks.ca277, &targets.ca277),
    ] {
        if let (false, Some(t)) = (bytes.is_empty(), target) {
            status = wrote(
                output::write_to(t, mode, bytes),
                &t.display(),
                status,
                console,
            );
        }
    }
    status
}

/// The date and time acknowledgments carry: `SOURCE_DATE_EPOCH` (seconds) when set, so
/// that a run can be repeated byte for byte, else now (UTC).
pub fn now() -> chrono::NaiveDateTime {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .unwrap_or_else(chrono::Utc::now)
        .naive_utc()
}

/// The findings of a scrub an acknowledgment takes: the J2326 rules' that remain.
pub fn remaining(findings: &[Finding]) -> Vec<Finding> {
    findings
        .iter()
        .filter(|f| f.rule.source() == Source::Scrub && !f.fixed)
        .cloned()
        .collect()
}

/// The findings `scrub --ack-dir` acknowledges an input's corrected output with: the
/// J2326 rules' that remain, as the report has them, each placed in the interchange and
/// transaction of the corrected output (their new ISA13 and ST02 with
/// `--new-control-numbers`).
pub fn remaining_in(input: &crate::report::Input) -> std::io::Result<Vec<Finding>> {
    let new = renumbered(&input.control_numbers);
    let mut out = Vec::new();
    input.findings.for_each(|mut f| {
        if f.rule.source() == Source::Scrub && !f.fixed {
            let p = &mut f.position;
            let old = (p.interchange.take(), p.transaction.take());
            (p.interchange, p.transaction) = match new.get(&old) {
                Some((isa, st)) => (Some(isa.clone()), Some(st.clone())),
                None => old,
            };
            out.push(f);
        }
        Ok(())
    })?;
    Ok(out)
}

/// (ISA13, ST02) of each transaction as read to those it was written with into the
/// corrected output, from the report's `control_numbers` (empty: not renumbered). Where
/// two interchanges had one ISA13, the first one's numbers are kept.
fn renumbered(
    map: &[crate::x12::Renumbered],
) -> std::collections::HashMap<(Option<String>, Option<String>), (String, String)> {
    let mut out = std::collections::HashMap::new();
    let mut isa: Option<(String, String)> = None;
    for r in map.iter().filter(|r| r.output == "corrected") {
        match r.element {
            "ISA13" => isa = Some((r.old.clone(), r.new.clone())),
            "ST02" => {
                let Some((old_isa, new_isa)) = isa
                    .as_ref()
                    .filter(|(o, _)| Some(o) == r.interchange.as_ref())
                else {
                    continue;
                };
                for k in 0..r.count {
                    let (Some(old), Some(new)) = (nth(&r.old, k), nth(&r.new, k)) else {
                        break;
                    };
                    out.entry((Some(old_isa.clone()), Some(old)))
                        .or_insert_with(|| (new_isa.clone(), new));
                }
            }
            _ => {}
        }
    }
    out
}

/// The control number `k` after `first`, written as wide as `first`.
fn nth(first: &str, k: u64) -> Option<String> {
    if k == 0 {
        return Some(first.to_string());
    }
    let n: u64 = first.parse().ok()?;
    Some(format!("{:0w$}", n + k, w = first.len()))
}

/// Where `x837 ack` keeps a scrub's findings: only those an acknowledgment takes (see
/// [`remaining`]), so that memory holds the J2326 rules' findings, not the validation's.
#[derive(Default)]
struct Kept {
    findings: Vec<Finding>,
    /// Findings seen, kept or not.
    seen: usize,
    /// The index each kept finding had among those seen.
    index: Vec<usize>,
}

impl crate::report::FindingSink for Kept {
    fn push(&mut self, f: Finding) -> std::io::Result<()> {
        if f.rule.source() == Source::Scrub && !f.fixed {
            self.findings.push(f);
            self.index.push(self.seen);
        }
        self.seen += 1;
        Ok(())
    }
    fn len(&self) -> usize {
        self.seen
    }
    fn unfix(&mut self, from: usize) {
        let at = self.index.partition_point(|&i| i < from);
        self.findings[at..]
            .iter_mut()
            .for_each(crate::report::unfix);
    }
}

/// A checked ack run.
#[derive(Debug)]
pub struct Ack {
    found: Vec<Found>,
    targets: Vec<Targets>,
    report: Option<Target>,
    settings: Settings,
    options: ack::Options,
    control: Control,
}

/// One input after its first reading.
struct Seen {
    name: String,
    /// The input's bytes, kept for standard input only (a file is read again).
    bytes: Option<Vec<u8>>,
    sha256: String,
    remaining: Vec<Finding>,
    /// Its J2326 lines, for the rules across claims.
    index: crate::scrub::index::Part,
    /// CLM segments read.
    claims: usize,
    /// Why it cannot be acknowledged, when it cannot.
    failed: Option<String>,
}

impl Ack {
    /// Checks `options`; nothing is read or written yet (`--out-dir` is created).
    pub fn new(options: Options) -> Result<Ack, Usage> {
        let kinds = match &options.kinds {
            Some(k) => Kinds::parse(k).map_err(|e| Usage(format!("--kinds: {e}")))?,
            None => Kinds::default(),
        };
        let control = match &options.new_control_numbers {
            Some(c) => {
                Control::parse(c).map_err(|e| Usage(format!("--new-control-numbers: {e}")))?
            }
            None => Control::default(),
        };
        let settings = super::settings(
            options.profile.as_deref(),
            Fixes::None,
            options.config.as_deref(),
        )?;
        let glob = options.glob.as_deref().map(input::glob).transpose();
        let glob = glob.map_err(|e| Usage(e.to_string()))?;
        let found = input::find(&options.files, glob.as_ref()).map_err(|e| Usage(e.to_string()))?;
        let report = match &options.report {
            Some(r) => Plan::new(&found, Edi::Discard, Some(r))?.report,
            None => None,
        };
        let others: Vec<(String, &Target)> = report
            .iter()
            .map(|t| ("the report".to_string(), t))
            .collect();
        let targets = plan(&found, &options.out_dir, kinds, &others)?;
        Ok(Ack {
            found,
            targets,
            report,
            settings,
            options: ack::Options { kinds, now: now() },
            control,
        })
    }

    /// Reads and checks one input (standard input is kept in memory).
    fn read(&self, f: &Found, console: &dyn Console) -> Seen {
        let name = input::display_name(&f.path);
        let mut seen = Seen {
            name: name.clone(),
            bytes: None,
            sha256: String::new(),
            remaining: Vec::new(),
            index: Default::default(),
            claims: 0,
            failed: None,
        };
        let read = input::open(&f.path).and_then(|r| {
            let mut hashing = input::Hashing::new(input::Counting::new(r, |n| console.read(n)));
            let mut bytes = Vec::new();
            let mut kept = Kept::default();
            let sink = output::Spool::new(std::io::sink());
            let s = if f.path == "-" {
                hashing.read_to_end(&mut bytes)?;
                crate::scrub::scrub_to(&bytes[..], &name, &self.settings, sink, &mut kept)?
            } else {
                crate::scrub::scrub_to(&mut hashing, &name, &self.settings, sink, &mut kept)?
            };
            Ok((
                s,
                kept.findings,
                hashing.hex(),
                (f.path == "-").then_some(bytes),
            ))
        });
        match read {
            Ok((mut s, kept, sha, bytes)) => {
                seen.index = std::mem::take(&mut s.index);
                let unread = s
                    .error
                    .as_ref()
                    .filter(|_| s.transactions + s.passed_through == 0);
                seen.failed = unread.map(ToString::to_string);
                seen.claims = s.claims;
                seen.remaining = kept;
                seen.sha256 = sha;
                seen.bytes = bytes;
            }
            Err(e) => seen.failed = Some(format!("cannot read: {e}")),
        }
        if let Some(why) = &seen.failed {
            console.say(&format!("x837: {name}: {why}"));
        }
        console.done(seen.claims);
        seen
    }

    /// Runs the rules across claims over every input read; their findings join the
    /// inputs' (they reject claims as any J2326 error does).
    fn across(&self, seen: &mut [Seen], console: &dyn Console) -> Status {
        let at: Vec<usize> = (0..seen.len())
            .filter(|&i| seen[i].failed.is_none())
            .collect();
        let mut parts: Vec<_> = at
            .iter()
            .map(|&i| std::mem::take(&mut seen[i].index))
            .collect();
        match crate::scrub::index::across(&mut parts, &self.settings) {
            Ok(found) => {
                for (p, f) in found {
                    seen[at[p]].remaining.push(f);
                }
                Status::Clean
            }
            Err(e) => {
                console.say(&format!("x837: the cross-claim rules could not run: {e}"));
                Status::Failed
            }
        }
    }

    /// Acknowledges every input; returns the exit status.
    pub fn run(&self, console: &dyn Console) -> Status {
        // Every input is read (and checked) before any acknowledgment is written, so that
        // the findings of rules across claims and inputs are in them.
        let paths = self.found.iter().map(|f| f.path.as_os_str());
        console.start(self.found.len(), super::total_bytes(paths));
        let mut seen: Vec<Seen> = self.found.iter().map(|f| self.read(f, console)).collect();
        let mut status = self.across(&mut seen, console);
        let mut numbers = self.control;
        let mut entries = Vec::new();
        for ((f, s), targets) in self.found.iter().zip(&seen).zip(&self.targets) {
            if s.failed.is_some() {
                status = Status::Failed;
                continue;
            }
            if let Some(why) = &targets.unwritable {
                console.say(&format!(
                    "x837: {}: cannot write its acknowledgments: {why}",
                    s.name
                ));
                status = Status::Failed;
                continue;
            }
            let bytes = match s.bytes.clone().map_or_else(|| std::fs::read(&f.path), Ok) {
                Ok(b) if s.bytes.is_some() || sha256(&b) == s.sha256 => b,
                Ok(_) => {
                    console.say(&format!(
                        "x837: {}: changed while being acknowledged",
                        s.name
                    ));
                    status = Status::Failed;
                    continue;
                }
                Err(e) => {
                    console.say(&format!("x837: {}: cannot read: {e}", s.name));
                    status = Status::Failed;
                    continue;
                }
            };
            let acks = ack::acknowledge(&bytes, &s.name, &s.remaining, &self.options, &mut numbers);
            let mode = output::mode_of((f.path != "-").then_some(f.path.as_ref()));
            let mut st = if acks.summary.rejected() {
                Status::Findings
            } else {
                Status::Clean
            };
            if let Some(e) = &acks.error {
                console.say(&format!("x837: {}: {e}", s.name));
                st = Status::Failed;
            }
            st = write(&acks, targets, mode, st, console);
            console.say(&line(&s.name, &acks.summary));
            entries.push(
                serde_json::json!({"file": s.name, "sha256": s.sha256, "summary": acks.summary}),
            );
            status = status.max(st);
        }
        if let Some(t) = &self.report {
            let doc = serde_json::json!({"version": 1, "inputs": entries});
            let modes = self
                .found
                .iter()
                .map(|f| output::mode_of((f.path != "-").then_some(f.path.as_ref())));
            let written = Output::open(t, output::mode_for(modes)).and_then(|mut out| {
                serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::other)?;
                out.write_all(b"\n")?;
                out.commit()
            });
            status = wrote(written, &t.display(), status, console);
        }
        status
    }
}

fn sha256(bytes: &[u8]) -> String {
    let mut h = input::Hashing::new(bytes);
    let _ = std::io::copy(&mut h, &mut std::io::sink());
    h.hex()
}

/// The line on standard error for one input.
pub fn line(name: &str, s: &ack::Summary) -> String {
    let mut l = format!(
        "{}: {} interchanges ({} rejected), {} transaction sets ({} rejected), {} claims accepted, {} rejected",
        crate::echo::escape(name),
        s.interchanges,
        s.interchanges_rejected,
        s.transactions,
        s.transactions_rejected,
        s.claims_accepted,
        s.claims_rejected
    );
    if !s.not_acknowledged.is_empty() {
        l.push_str(&format!(
            ", {} not acknowledged in a 277CA",
            s.not_acknowledged.len()
        ));
    }
    l
}
