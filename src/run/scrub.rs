//! `x837 scrub`: checked settings built once from the options, then the run over the
//! inputs: corrected EDI streamed to its targets, one report, one exit status.

use std::ffi::OsString;
use std::io::{self, Seek, Write};
use std::ops::ControlFlow;

use crate::input;
use crate::output::plan::{Edi, PlannedInput};
use crate::output::{self, Output, Plan, Rewind, Target};
use crate::report::{Finding, FindingSpool, Format, Report, Tool, render};
use crate::scrub::{Extras, Fixes, Scrubbed, Settings, scrub_with};
use crate::x12::Control;

use super::{Console, FailOn, Held, Status, Usage, closed_pipe, write_failed, wrote};

/// The options of `x837 scrub` as given.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub files: Vec<OsString>,
    /// Keeps the files found under directory arguments whose path matches (`--glob`).
    pub glob: Option<String>,
    pub output: Option<OsString>,
    pub out_dir: Option<OsString>,
    pub report: Option<OsString>,
    pub format: Option<Format>,
    pub check: bool,
    pub profile: Option<String>,
    pub config: Option<OsString>,
    pub fixes: Fixes,
    pub fail_on: FailOn,
    /// Threads (`--jobs N`); none: one per core.
    pub jobs: Option<usize>,
    /// No summary line per input (`--quiet`).
    pub quiet: bool,
    /// Where each interchange (or group, transaction) x837 could not process goes, as
    /// read, with a `.why` note beside it (`--quarantine DIR`).
    pub quarantine: Option<OsString>,
    /// Rewrites each input, its old version kept as `FILE.orig` (`--in-place`).
    pub in_place: bool,
    /// Where the claims that keep an error-level finding go, each input's to
    /// `DIR/<its path>`, the others to the corrected output (`--split-rejected DIR`).
    pub split_rejected: Option<OsString>,
    /// Fresh control numbers for the corrected output, from these, incrementing over
    /// the batch in input order (`--new-control-numbers ISA13[,GS06,ST02]`).
    pub new_control_numbers: Option<Control>,
    /// What the report and the messages call the input (one input only): `x837 serve`
    /// names an upload as it was uploaded, not by its temporary path.
    pub shown_as: Option<String>,
    /// `--ack-dir DIR`: acknowledge the corrected output (TA1, 999, 277CA) there.
    pub ack_dir: Option<OsString>,
    /// Read every claim's facts for a worklist whatever the report's format (`x837
    /// serve` renders the HTML worklist beside the JSON); an HTML report always does.
    pub worklist: bool,
}

/// Where the report goes.
#[derive(Debug, Clone)]
enum ReportTo {
    None,
    Target(Target),
}

/// A checked scrub run: every target resolved and checked against every input, the
/// report format known, the config read.
#[derive(Debug)]
pub struct Scrub {
    plan: Plan,
    report: ReportTo,
    format: Format,
    settings: Settings,
    options: Options,
    /// Where each input's acknowledgments go, with `--ack-dir`.
    acks: Option<Vec<super::ack::Targets>>,
}

impl Scrub {
    /// Checks `options`; nothing is read or written yet (an `--out-dir` is created).
    pub fn new(options: Options) -> Result<Scrub, Usage> {
        if options.output.is_some() && options.out_dir.is_some() {
            return Err(Usage("-o/--output and --out-dir exclude each other".into()));
        }
        if options.in_place
            && (options.output.is_some() || options.out_dir.is_some() || options.check)
        {
            return Err(Usage(
                "--in-place excludes -o/--output, --out-dir and --check".into(),
            ));
        }
        if options.split_rejected.is_some() && options.check {
            return Err(Usage("--split-rejected excludes --check".into()));
        }
        if let Some(q) = &options.quarantine {
            let dir = std::path::Path::new(q);
            if !dir.is_dir() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Usage(format!(
                        "{}: cannot create the quarantine directory: {e}",
                        dir.display()
                    ))
                })?;
            }
        }
        let mut settings = settings(&options)?;
        let edi = match (&options.output, &options.out_dir) {
            _ if options.check => Edi::Discard,
            _ if options.in_place => Edi::InPlace,
            (Some(o), _) => Edi::One(o),
            (None, Some(d)) => Edi::Dir(d),
            (None, None) => Edi::Stdout,
        };
        let edi_to_stdout = matches!(edi, Edi::Stdout) || matches!(edi, Edi::One(o) if o == "-");
        if edi_to_stdout && options.format.is_some() && options.report.is_none() {
            return Err(Usage(
                "--format needs --report PATH (or --check, -o, --out-dir) while the corrected EDI goes to standard output".into(),
            ));
        }
        let format = match (options.format, &options.report) {
            (Some(f), _) => f,
            (None, Some(p)) => Format::for_path(p).map_err(Usage)?,
            (None, None) => Format::Text,
        };
        settings.worklist = options.worklist || format == Format::Html;
        // Without --report, the report goes to standard output when the EDI does not.
        let report_arg = match &options.report {
            Some(p) => Some(p.clone()),
            None if !edi_to_stdout && (options.check || options.format.is_some()) => {
                Some(OsString::from("-"))
            }
            None => None,
        };
        let glob = options.glob.as_deref().map(input::glob).transpose();
        let glob = glob.map_err(|e| Usage(e.to_string()))?;
        let found = input::find(&options.files, glob.as_ref()).map_err(|e| Usage(e.to_string()))?;
        let mut plan = Plan::new(&found, edi, report_arg.as_deref())?;
        if let Some(dir) = &options.split_rejected {
            plan = plan.with_rejected(dir)?;
        }
        let report = match &plan.report {
            Some(t) => ReportTo::Target(t.clone()),
            None => ReportTo::None,
        };
        let acks = match &options.ack_dir {
            Some(dir) => Some(plan_acks(&plan, &found, dir, options.check)?),
            None => None,
        };
        Ok(Scrub {
            plan,
            report,
            format,
            settings,
            options,
            acks,
        })
    }

    /// Runs the scrub over every input; returns the exit status.
    pub fn run(&self, console: &dyn Console) -> Status {
        self.run_with(console, &mut |_| Ok(()))
    }

    /// [`Scrub::run`], then `also` with the report once every input is done (for
    /// `x837 serve`, which renders it more than one way); an error of `also` fails the
    /// run.
    pub fn run_with(
        &self,
        console: &dyn Console,
        also: &mut dyn FnMut(&mut Report) -> io::Result<()>,
    ) -> Status {
        let pool = super::pool(self.options.jobs);
        let mut report = Report::new(tool(&self.settings, &self.options));
        report.rule_docs = Some(crate::scrub::registry::doc);
        let mut status = Status::Clean;
        let modes: Vec<u32> = (self.plan.inputs.iter())
            .map(|p| output::mode_of((!p.is_stdin()).then_some(p.arg.as_ref())))
            .collect();
        let starts = match self.starts(&modes) {
            Ok(s) => s,
            Err(e) => {
                console.say(&format!("x837: <stdin>: cannot read: {e}"));
                return Status::Failed;
            }
        };
        let args = self.plan.inputs.iter().map(|p| p.arg.as_os_str());
        console.start(self.plan.inputs.len(), super::total_bytes(args));
        // Standard output is one stream for every input, opened when first needed.
        let mut stdout: Option<Output> = None;
        let n = self.plan.inputs.len();
        // Each reported input's J2326 lines, for the cross-claim rules after the last.
        let mut parts: Vec<crate::scrub::index::Part> = Vec::new();
        // With --ack-dir: the inputs to acknowledge once the run is over (input, entry).
        let mut to_ack: Vec<(usize, usize)> = Vec::new();
        let mut emitted = 0;
        let mut emit = |done: Done, stdout: &mut Option<Output>| {
            let (s, go, acked) = self.emit(done, stdout, &mut report, &mut parts, console);
            status = status.max(s);
            to_ack.extend(acked.map(|r| (emitted, r)));
            emitted += 1;
            go
        };
        if n == 1 || pool.current_num_threads() == 1 {
            // One input at a time: EDI for standard output goes straight there.
            for (planned, start) in self.plan.inputs.iter().zip(&starts) {
                let done = pool.install(|| self.one(planned, start, Some(&mut stdout), console));
                if emit(done, &mut stdout).is_break() {
                    return status;
                }
            }
        } else {
            // Several at once; each keeps its messages (and its EDI for standard output,
            // in a temporary file) until those before it are said and written.
            let work = |i: usize| {
                let held = Held::new(console);
                let done = self.one(&self.plan.inputs[i], &starts[i], None, &held);
                (held.lines(), done)
            };
            let mut stopped = false;
            super::in_order(&pool, n, work, |(lines, done)| {
                lines.iter().for_each(|l| console.say(l));
                let go = emit(done, &mut stdout);
                stopped |= go.is_break();
                go
            });
            if stopped {
                return status;
            }
        }
        if let Some(out) = stdout {
            status = wrote(out.commit(), "<stdout>", status, console);
        }
        status = status.max(self.across(&mut parts, &mut report, console));
        // Acknowledged after the rules across claims: their findings reject claims too.
        let mut remaining = Vec::new();
        for (i, entry) in to_ack {
            match super::ack::remaining_in(&report.inputs[entry]) {
                Ok(r) => remaining.push((i, r)),
                Err(e) => {
                    let name = &report.inputs[entry].file;
                    console.say(&format!(
                        "x837: {name}: cannot read back the findings to acknowledge: {e}"
                    ));
                    status = Status::Failed;
                }
            }
        }
        status = self.acknowledge(&remaining, &modes, status, console);
        if let ReportTo::Target(t) = &self.report {
            let mode = output::mode_for(modes.iter().copied());
            let written = Output::open(t, mode).and_then(|mut out| {
                self.format.render(&report, &mut out)?;
                out.settle()?;
                out.flush()?;
                out.commit()
            });
            status = wrote(written, &t.display(), status, console);
        }
        if let Err(e) = also(&mut report) {
            console.say(&format!("x837: the report: {e}"));
            status = Status::Failed;
        }
        status
    }

    /// Scrubs one input into its target. EDI for standard output goes to `stdout` when
    /// given (opened there when first needed), else into a temporary file in the result.
    /// What each input starts from: the permission bits of its outputs and the control
    /// numbers it gives. With `--new-control-numbers` over several inputs (or with
    /// `--split-rejected`, whose copies are numbered after the corrected output's), the
    /// inputs are counted first, so each takes the numbers after those of the inputs
    /// before it whatever the threads; standard input is then kept in a temporary file.
    fn starts(&self, modes: &[u32]) -> io::Result<Vec<Start>> {
        let inputs = &self.plan.inputs;
        let mut starts: Vec<Start> = (modes.iter())
            .map(|&mode| Start {
                mode,
                corrected: self.options.new_control_numbers,
                rejected: Control::default(),
                stdin: None,
            })
            .collect();
        let Some(mut next) = self.options.new_control_numbers else {
            return Ok(starts);
        };
        let split = self.options.split_rejected.is_some();
        if inputs.len() == 1 && !split {
            return Ok(starts);
        }
        for (p, start) in inputs.iter().zip(&mut starts) {
            let counts = if p.is_stdin() {
                let mut spool = tempfile::tempfile()?;
                io::copy(&mut io::stdin().lock(), &mut spool)?;
                spool.seek(io::SeekFrom::Start(0))?;
                let n = crate::x12::control::count(&spool)?;
                spool.seek(io::SeekFrom::Start(0))?;
                start.stdin = Some(spool);
                n
            } else {
                // What cannot be read now is said when its turn comes.
                (std::fs::File::open(&p.arg).and_then(crate::x12::control::count))
                    .unwrap_or_default()
            };
            start.corrected = Some(next);
            next = next.after(counts);
            if split {
                // Its rejected copies have at most as many envelopes as it has.
                start.rejected = next;
                next = next.after(counts);
            }
        }
        Ok(starts)
    }

    fn one(
        &self,
        planned: &PlannedInput,
        start: &Start,
        stdout: Option<&mut Option<Output>>,
        console: &dyn Console,
    ) -> Done {
        let mode = start.mode;
        let name = (self.options.shown_as.clone()).unwrap_or_else(|| planned.name());
        let mut done = Done::new(name.clone());
        if let Some(why) = &planned.unwritable {
            console.say(&format!("x837: {name}: cannot write its output: {why}"));
            done.status = Status::Failed;
            return done;
        }
        let spooled = (start.stdin.as_ref()).map(|f| Box::new(f) as Box<dyn io::Read + '_>);
        let read = match spooled.map_or_else(|| input::open(&planned.arg), Ok) {
            Ok(r) => r,
            Err(e) => {
                console.say(&format!("x837: {name}: cannot read: {e}"));
                done.status = Status::Failed;
                return done;
            }
        };
        let mut hashing = input::Hashing::new(input::Counting::new(read, |n| console.read(n)));
        let mut findings = FindingSpool::new();
        let mut rejected = match &planned.rejected {
            Some(t) => match Output::open(t, mode) {
                Ok(o) => Some(o),
                Err(e) => {
                    done.status = write_failed(&e, &t.display(), Status::Failed, console);
                    return done;
                }
            },
            None => None,
        };
        let mut into = |sink: &mut dyn Rewind| {
            let extras = Extras {
                rejected: (rejected.as_mut()).map(|r| (r as &mut dyn Rewind, start.rejected)),
                renumber: start.corrected,
            };
            scrub_with(
                &mut hashing,
                &name,
                &self.settings,
                sink,
                &mut findings,
                extras,
            )
        };
        let Some(result) = self.write(planned, mode, stdout, &mut into, &mut done, console) else {
            return done;
        };
        if let (Some(r), Some(t), Ok(s)) = (rejected, &planned.rejected, &result)
            && s.wrote
            && !s.stopped
        {
            // The file is there after the run only when claims were split off.
            let put = if s.claims_split_off > 0 {
                r.commit()
            } else {
                r.commit_nothing()
            };
            let ok = put.is_ok();
            done.status = wrote(put, &t.display(), done.status, console);
            if ok && s.claims_split_off > 0 {
                done.rejected_output = Some(t.display());
            }
        }
        match result {
            Ok(s) if s.stopped => done.stop = true,
            Ok(mut s) => {
                if let Some(dir) = &self.options.quarantine {
                    let status = quarantine(dir, planned, &mut s, console);
                    done.status = done.status.max(status);
                }
                done.scrubbed = Some((hashing.hex(), s, findings));
            }
            Err(e) if closed_pipe(&e) => done.stop = true,
            Err(e) if hashing.failed() => {
                console.say(&format!("x837: {name}: cannot read: {e}"));
                done.status = Status::Failed;
            }
            Err(e) => {
                let to = planned
                    .target
                    .as_ref()
                    .map_or("<stdout>".into(), Target::display);
                done.status = write_failed(&e, &to, Status::Failed, console);
            }
        }
        done
    }

    /// Scrubs (with `into`) into the EDI target of `planned` and commits it; `None` when
    /// the target could not be opened (said, and `done` failed).
    fn write(
        &self,
        planned: &PlannedInput,
        mode: u32,
        stdout: Option<&mut Option<Output>>,
        into: &mut dyn FnMut(&mut dyn Rewind) -> io::Result<Scrubbed>,
        done: &mut Done,
        console: &dyn Console,
    ) -> Option<io::Result<Scrubbed>> {
        let result = match (&planned.target, stdout) {
            (None, _) => into(&mut output::Spool::new(io::sink())),
            (Some(Target::Stdout), Some(stdout)) => {
                if stdout.is_none() {
                    match Output::open(&Target::Stdout, mode) {
                        Ok(o) => *stdout = Some(o),
                        Err(e) => {
                            done.status = write_failed(&e, "<stdout>", Status::Failed, console);
                            return None;
                        }
                    }
                }
                match stdout.as_mut() {
                    Some(out) => into(out),
                    None => Err(io::Error::other("standard output is not open")),
                }
            }
            (Some(Target::Stdout), None) => match tempfile::tempfile() {
                Ok(temp) => into(done.edi.insert(temp)),
                Err(e) => Err(e),
            },
            (Some(t), _) => match Output::open(t, mode) {
                Ok(mut o) => {
                    let r = into(&mut o);
                    match r {
                        // Nothing complete was read: no file appears (an old one stays).
                        Ok(s) if s.wrote && !s.stopped => {
                            // Every claim was split off, or every part read was left
                            // out: nothing is left to send (an old file is not either).
                            let empty = o.written() == 0;
                            let put = if empty {
                                o.commit_nothing()
                            } else {
                                o.commit()
                            };
                            let ok = put.is_ok();
                            done.status = wrote(put, &t.display(), done.status, console);
                            done.written = ok && !empty;
                            Ok(s)
                        }
                        other => other,
                    }
                }
                Err(e) => {
                    done.status = write_failed(&e, &t.display(), Status::Failed, console);
                    return None;
                }
            },
        };
        Some(result)
    }

    /// Runs the cross-claim rules over every input's J2326 lines (`parts`, in report
    /// order), adds their findings to the inputs' entries and says so, one line per input
    /// they are on: the status they make.
    fn across(
        &self,
        parts: &mut [crate::scrub::index::Part],
        report: &mut Report,
        console: &dyn Console,
    ) -> Status {
        // Each input's late findings go to its spool as they are made (in input order),
        // not held until the end: memory does not grow with what the rules find.
        let mut status = Status::Clean;
        // The input whose late findings are coming, and their counts by rule.
        let mut open: Option<(usize, render::RuleCounts)> = None;
        let mut unkept = None;
        let ran = crate::scrub::index::across_each(parts, &self.settings, |i, f| {
            let kept = (|| {
                if let Some((at, counts)) = open.take_if(|(at, _)| *at != i) {
                    status = status.max(self.late(at, &counts, report, console)?);
                }
                let counts = &mut open.get_or_insert_with(|| (i, render::RuleCounts::new())).1;
                *counts.entry(f.rule.as_str()).or_default() += 1;
                report.push_late(i, f)
            })();
            kept.inspect_err(|e| unkept = Some(e.to_string()))
        });
        // The last input's line (and, after an error, that of the input it stopped in).
        if let Some((at, counts)) = open {
            match self.late(at, &counts, report, console) {
                Ok(s) => status = status.max(s),
                Err(e) => {
                    unkept.get_or_insert(e.to_string());
                }
            }
        }
        if let Some(e) = unkept {
            console.say(&format!(
                "x837: cannot keep the cross-claim findings for the report: {e}"
            ));
            return Status::Failed;
        }
        if let Err(e) = ran {
            console.say(&format!("x837: the cross-claim rules could not run: {e}"));
            return Status::Failed;
        }
        status
    }

    /// Input `i` has all its late findings (`counts` of them by rule): recounts it and
    /// says its line after the run; its status.
    fn late(
        &self,
        i: usize,
        counts: &render::RuleCounts,
        report: &mut Report,
        console: &dyn Console,
    ) -> std::io::Result<Status> {
        let entry = report.finish_late(i)?;
        let t = entry.tally;
        let line = render::late_line(entry, &render::counts_line(counts), self.options.check);
        if !self.options.quiet {
            console.say(&line);
        }
        Ok(self.options.fail_on.status(t.errors, t.warnings))
    }

    /// Says what became of one input, writes its EDI for standard output if it kept it,
    /// and adds it to the report: its status, whether the run goes on, and with
    /// `--ack-dir` the findings its written corrected output is acknowledged with.
    fn emit(
        &self,
        done: Done,
        stdout: &mut Option<Output>,
        report: &mut Report,
        parts: &mut Vec<crate::scrub::index::Part>,
        console: &dyn Console,
    ) -> (Status, ControlFlow<()>, Option<usize>) {
        if done.stop {
            // The reader of the output went away: stop quietly.
            return (done.status, ControlFlow::Break(()), None);
        }
        console.done(done.scrubbed.as_ref().map_or(0, |(_, s, _)| s.claims));
        let mut status = done.status;
        if let Some(mut temp) = done.edi {
            let copied = (|| {
                if stdout.is_none() {
                    *stdout = Some(Output::open(&Target::Stdout, 0o600)?);
                }
                let out = stdout
                    .as_mut()
                    .ok_or_else(|| io::Error::other("no standard output"))?;
                temp.seek(io::SeekFrom::Start(0))?;
                io::copy(&mut temp, out)?;
                out.settle()
            })();
            if let Err(e) = copied {
                if closed_pipe(&e) {
                    return (status, ControlFlow::Break(()), None);
                }
                status = write_failed(&e, "<stdout>", status, console);
            }
        }
        let mut acked = None;
        if let Some((sha, mut s, findings)) = done.scrubbed {
            let rejected = done.rejected_output;
            let part = std::mem::take(&mut s.index);
            let (st, added) =
                self.account(&done.name, (sha, s, findings), rejected, report, console);
            if added {
                parts.push(part);
                if self.acks.is_some() && done.written {
                    acked = Some(parts.len() - 1);
                }
            }
            status = status.max(st);
        }
        (status, ControlFlow::Continue(()), acked)
    }

    /// Says what became of one input and adds it to the report; its status, and whether
    /// it was added.
    fn account(
        &self,
        name: &str,
        (sha256, s, findings): (String, crate::scrub::Scrubbed, FindingSpool),
        rejected_output: Option<String>,
        report: &mut Report,
        console: &dyn Console,
    ) -> (Status, bool) {
        if let Some(e) = &s.error {
            console.say(&format!("x837: {name}: {e}"));
        }
        for l in &s.left_out {
            console.say(&format!(
                "x837: {name}: {} {} at segment {} (byte {}) left out of the corrected output with its {} claims: {}",
                l.what, l.control, l.position.segment, l.position.byte, l.claims, l.reason
            ));
        }
        let incomplete = s.incomplete();
        let passed_through = s.passed_through;
        let unkeyed = s.index.unkeyed;
        let mut outcome = s.outcome(findings);
        outcome.claims_not_keyed = unkeyed;
        outcome.rejected_output = rejected_output;
        let entry = match report.add(name, sha256, outcome) {
            Ok(e) => e,
            Err(e) => {
                console.say(&format!(
                    "x837: {name}: cannot keep the findings for the report: {e}"
                ));
                return (Status::Failed, false);
            }
        };
        let tally = entry.tally;
        if !self.options.quiet {
            console.say(&render::input_line(entry, self.options.check));
            if passed_through > 0 {
                console.say(&format!(
                    "{name}: {passed_through} transactions that are not 837P/837I passed through untouched"
                ));
            }
        }
        let status = self.options.fail_on.status(tally.errors, tally.warnings);
        (if incomplete { Status::Failed } else { status }, true)
    }
}

/// `--ack-dir`: acknowledgment targets for every input, checked against the run's other
/// outputs. The corrected EDI is read back to be acknowledged, so it must go to files.
fn plan_acks(
    plan: &Plan,
    found: &[crate::input::Found],
    dir: &OsString,
    check: bool,
) -> Result<Vec<super::ack::Targets>, Usage> {
    // An input whose output cannot be written fails alone, when its turn comes.
    let in_files = (plan.inputs.iter()).all(|p| {
        p.unwritable.is_some()
            || matches!(p.target, Some(Target::File { .. } | Target::InPlace { .. }))
    });
    if check || !in_files {
        return Err(Usage(
            "--ack-dir acknowledges the corrected EDI it writes: it needs -o FILE, --out-dir or --in-place, and no --check".into(),
        ));
    }
    let mut others: Vec<(String, &Target)> = (plan.inputs.iter())
        .filter_map(|p| {
            p.target
                .as_ref()
                .map(|t| (format!("the corrected EDI of {}", p.name()), t))
        })
        .collect();
    others.extend(plan.report.iter().map(|t| ("the report".to_string(), t)));
    super::ack::plan(found, dir, crate::ack::Kinds::default(), &others)
}

impl Scrub {
    /// `--ack-dir`, after the run: acknowledges each corrected output written (its
    /// claims' remaining J2326 findings in `to_ack`), numbering from 1.
    fn acknowledge(
        &self,
        to_ack: &[(usize, Vec<Finding>)],
        modes: &[u32],
        status: Status,
        console: &dyn Console,
    ) -> Status {
        let Some(targets) = &self.acks else {
            return status;
        };
        let mut status = status;
        let mut numbers = Control::default();
        let options = crate::ack::Options {
            kinds: crate::ack::Kinds::default(),
            now: super::ack::now(),
        };
        for (i, remaining) in to_ack {
            let (Some(planned), Some(t)) = (self.plan.inputs.get(*i), targets.get(*i)) else {
                continue;
            };
            let real = match &planned.target {
                Some(Target::File { real, .. }) => real,
                Some(Target::InPlace { path, .. }) => path,
                _ => continue,
            };
            let name = planned.name();
            if let Some(why) = &t.unwritable {
                console.say(&format!(
                    "x837: {name}: cannot write its acknowledgments: {why}"
                ));
                status = Status::Failed;
                continue;
            }
            let bytes = match std::fs::read(real) {
                Ok(b) => b,
                Err(e) => {
                    console.say(&format!("x837: {}: cannot read: {e}", real.display()));
                    status = Status::Failed;
                    continue;
                }
            };
            let acks = crate::ack::acknowledge(&bytes, &name, remaining, &options, &mut numbers);
            status = super::ack::write(&acks, t, modes[*i], status, console);
            if !self.options.quiet {
                console.say(&super::ack::line(&name, &acks.summary));
            }
        }
        status
    }
}

/// The checked settings of `options`: its profile, fixes and config (read now).
pub(super) fn settings(options: &Options) -> Result<Settings, Usage> {
    let config = match &options.config {
        Some(p) => {
            let shown = p.to_string_lossy();
            let text = std::fs::read_to_string(p)
                .map_err(|e| Usage(format!("{shown}: cannot read: {e}")))?;
            Some((shown.into_owned(), text))
        }
        None => None,
    };
    let mut settings = Settings::new(
        options.profile.as_deref(),
        options.fixes,
        config.as_ref().map(|(_, t)| t.as_str()),
    )
    .map_err(|e| match &config {
        Some((name, _)) => Usage(format!("{name}: {e}")),
        None => Usage(e),
    })?;
    settings.check = options.check;
    settings.quarantine = options.quarantine.is_some();
    Ok(settings)
}

/// The report's `tool`: what a run with `settings` and `options` used.
pub(super) fn tool(settings: &Settings, options: &Options) -> Tool {
    let in_force = settings.resolved.get(&settings.profile);
    let profiles: std::collections::BTreeMap<&str, _> = (settings.in_force().into_iter())
        .map(|p| (p.name.as_str(), p))
        .collect();
    Tool {
        name: "x837",
        version: env!("CARGO_PKG_VERSION"),
        catalog: crate::scrub::catalog::VERSION,
        profile: settings.profile.clone(),
        options: serde_json::json!({
            "fixes": settings.fixes,
            "check": options.check,
            "config": options.config.as_ref().map(|c| c.to_string_lossy()),
            "fail_on": options.fail_on,
            "high_dose": in_force.map(|p| p.policy.high_dose),
        }),
        regimens: serde_json::json!(in_force.map(|p| &p.policy.strengths.list)),
        profiles: serde_json::json!(profiles),
    }
}

/// What one input starts from (see `Scrub::starts`).
struct Start {
    mode: u32,
    /// The first control numbers of its corrected output, when renumbering.
    corrected: Option<Control>,
    /// The first control numbers of its rejected output.
    rejected: Control,
    /// Standard input, kept in a temporary file to be counted first.
    stdin: Option<std::fs::File>,
}

/// What became of one input, waiting to be said in input order.
struct Done {
    name: String,
    status: Status,
    /// The reader of standard output went away.
    stop: bool,
    /// Its corrected EDI, for standard output, when it was scrubbed beside others.
    edi: Option<std::fs::File>,
    /// Its SHA-256, result and findings, when it was read.
    scrubbed: Option<(String, crate::scrub::Scrubbed, FindingSpool)>,
    /// Where its claims with errors went (`--split-rejected`), when a file was written.
    rejected_output: Option<String>,
    /// Its corrected EDI was written to a file, with something in it.
    written: bool,
}

impl Done {
    fn new(name: String) -> Self {
        Done {
            name,
            status: Status::Clean,
            stop: false,
            edi: None,
            scrubbed: None,
            rejected_output: None,
            written: false,
        }
    }
}

/// Writes what `s` left out, as read, into the quarantine directory `dir`, each part with a
/// `.why` note beside it: `DIR/<its path>.<n>.<what>.x12`. An input that is not X12 at
/// all goes there whole, as `DIR/<its path>`. Its status (2 when a part cannot be written).
fn quarantine(
    dir: &OsString,
    planned: &PlannedInput,
    s: &mut crate::scrub::Scrubbed,
    console: &dyn Console,
) -> Status {
    let base = std::path::Path::new(dir).join(&planned.rel);
    let mode = output::mode_of((!planned.is_stdin()).then_some(planned.arg.as_ref()));
    let mut status = Status::Clean;
    let mut put = |path: std::path::PathBuf, bytes: &mut dyn io::Read, why: String| {
        let written = (|| {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut out = Output::open(
                &Target::resolve(path.as_os_str()).map_err(io::Error::other)?,
                mode,
            )?;
            io::copy(bytes, &mut out)?;
            out.settle()?;
            out.commit()?;
            let mut note = path.clone().into_os_string();
            note.push(".why");
            output::write_to(
                &Target::resolve(&note).map_err(io::Error::other)?,
                mode,
                why.as_bytes(),
            )
        })();
        status = wrote(written, &path.display().to_string(), status, console);
    };
    for (n, q) in s.quarantined.iter_mut().enumerate() {
        let l = &q.left_out;
        let mut name = base.clone().into_os_string();
        name.push(format!(".{}.{}.x12", n + 1, l.what));
        let why = format!(
            "{}: {} {} at segment {} (line {}, byte {}), {} claims, left out of the corrected output: {}\n",
            planned.name(),
            l.what,
            l.control,
            l.position.segment,
            l.position.text_line,
            l.position.byte,
            l.claims,
            l.reason
        );
        put(std::path::PathBuf::from(name), &mut q.bytes, why);
    }
    // Nothing of the input could be read as X12: all of it.
    if !s.wrote
        && s.left_out.is_empty()
        && !planned.is_stdin()
        && let Some(e) = &s.error
    {
        match std::fs::File::open(&planned.arg) {
            Ok(mut f) => put(base.clone(), &mut f, format!("{}: {e}\n", planned.name())),
            Err(e) => {
                console.say(&format!("x837: {}: cannot quarantine: {e}", planned.name()));
                status = Status::Failed;
            }
        }
    }
    status
}
