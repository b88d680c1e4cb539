//! `x837 scrub`: checked settings built once from the options, then the run over the
//! inputs: corrected EDI streamed to its targets, one report, one exit status.

use std::ffi::OsString;
use std::io::{self, Write};

use crate::input;
use crate::output::plan::{Edi, PlannedInput};
use crate::output::{self, Output, Plan, Rewind, Target};
use crate::report::Finding;
use crate::report::{Format, Report, Tool, render};
use crate::scrub::{Fixes, Settings};

use super::{Console, FailOn, Status, Usage, closed_pipe, write_failed, wrote};

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
    /// `--ack-dir DIR`: acknowledge the corrected output (TA1, 999, 277CA) there.
    pub ack_dir: Option<OsString>,
}

/// Whether the run goes on after an input.
enum Next {
    Go(Status),
    /// The reader of standard output went away.
    Stop,
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
        let edi = match (&options.output, &options.out_dir) {
            _ if options.check => Edi::Discard,
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
        let plan = Plan::new(&found, edi, report_arg.as_deref())?;
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

    fn tool(&self) -> Tool {
        Tool {
            name: "x837",
            version: env!("CARGO_PKG_VERSION"),
            catalog: "j2326-1",
            profile: self.settings.profile.clone(),
            options: serde_json::json!({
                "fixes": self.settings.fixes,
                "check": self.options.check,
                "config": self.options.config.as_ref().map(|c| c.to_string_lossy()),
                "fail_on": self.options.fail_on,
            }),
        }
    }

    /// Runs the scrub over every input; returns the exit status.
    pub fn run(&self, console: &dyn Console) -> Status {
        let mut report = Report::new(self.tool());
        let mut status = Status::Clean;
        let modes: Vec<u32> = (self.plan.inputs.iter())
            .map(|p| output::mode_of((!p.is_stdin()).then_some(p.arg.as_ref())))
            .collect();
        // Standard output is one stream for every input.
        let mut stdout: Option<Output> = None;
        // With --ack-dir: what each input's acknowledgments need, once the run is over.
        let mut to_ack: Vec<(usize, Vec<Finding>)> = Vec::new();
        for (i, (planned, &mode)) in self.plan.inputs.iter().zip(&modes).enumerate() {
            let mut remaining = None;
            match self.one(
                planned,
                mode,
                &mut stdout,
                &mut report,
                console,
                &mut remaining,
            ) {
                Next::Go(s) => status = status.max(s),
                // The reader of the output went away: stop quietly.
                Next::Stop => return status,
            }
            to_ack.extend(remaining.map(|r| (i, r)));
        }
        if let Some(out) = stdout {
            status = wrote(out.commit(), "<stdout>", status, console);
        }
        status = self.acknowledge(&to_ack, &modes, status, console);
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
        status
    }

    /// Scrubs one input into its target and adds it to `report`.
    fn one(
        &self,
        planned: &PlannedInput,
        mode: u32,
        stdout: &mut Option<Output>,
        report: &mut Report,
        console: &dyn Console,
        remaining: &mut Option<Vec<Finding>>,
    ) -> Next {
        let name = planned.name();
        let read = match input::open(&planned.arg) {
            Ok(r) => r,
            Err(e) => {
                console.say(&format!("x837: {name}: cannot read: {e}"));
                return Next::Go(Status::Failed);
            }
        };
        let total = std::fs::metadata(&planned.arg).ok().map(|m| m.len());
        let mut hashing = input::Hashing::new(input::Counting::new(read, |n| {
            console.progress(&name, n, total)
        }));
        let mut own: Option<Output> = None;
        let sink: Option<&mut Output> = match &planned.target {
            None => None,
            Some(Target::Stdout) => {
                if stdout.is_none() {
                    match Output::open(&Target::Stdout, mode) {
                        Ok(o) => *stdout = Some(o),
                        Err(e) => {
                            return Next::Go(write_failed(&e, "<stdout>", Status::Failed, console));
                        }
                    }
                }
                stdout.as_mut()
            }
            Some(t) => match Output::open(t, mode) {
                Ok(o) => Some(own.insert(o)),
                Err(e) => return Next::Go(write_failed(&e, &t.display(), Status::Failed, console)),
            },
        };
        let result = match sink {
            Some(out) => crate::scrub::scrub_to(&mut hashing, &name, &self.settings, out),
            None => {
                let nowhere = output::Spool::new(io::sink());
                crate::scrub::scrub_to(&mut hashing, &name, &self.settings, nowhere)
            }
        };
        let s = match result {
            Ok(s) if s.stopped => return Next::Stop,
            Ok(s) => s,
            Err(e) if closed_pipe(&e) => return Next::Stop,
            Err(e) => {
                console.say(&format!("x837: {name}: {e}"));
                return Next::Go(Status::Failed);
            }
        };
        let mut status = Status::Clean;
        // Nothing complete was read: no file appears (an old one stays).
        if let (Some(o), Some(t)) = (own, &planned.target)
            && s.wrote
        {
            status = wrote(o.commit(), &t.display(), status, console);
        }
        if self.acks.is_some() && s.wrote {
            *remaining = Some(super::ack::remaining(&s.findings));
        }
        Next::Go(status.max(self.account(&name, hashing.hex(), s, report, console)))
    }

    /// Says what became of one input and adds it to the report; its status.
    fn account(
        &self,
        name: &str,
        sha256: String,
        s: crate::scrub::Scrubbed,
        report: &mut Report,
        console: &dyn Console,
    ) -> Status {
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
        let entry = report.add(name, sha256, s.outcome());
        let tally = entry.tally;
        console.say(&render::input_line(entry, self.options.check));
        if passed_through > 0 {
            console.say(&format!(
                "{name}: {passed_through} transactions that are not 837P/837I passed through untouched"
            ));
        }
        let status = self.options.fail_on.status(tally.errors, tally.warnings);
        if incomplete { Status::Failed } else { status }
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
    let in_files = plan
        .inputs
        .iter()
        .all(|p| matches!(p.target, Some(Target::File { .. })));
    if check || !in_files {
        return Err(Usage(
            "--ack-dir acknowledges the corrected EDI it writes: it needs -o FILE or --out-dir, and no --check".into(),
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
        let mut numbers = crate::generate::Control::default();
        let options = crate::ack::Options {
            kinds: crate::ack::Kinds::default(),
            now: super::ack::now(),
        };
        for (i, remaining) in to_ack {
            let (Some(planned), Some(t)) = (self.plan.inputs.get(*i), targets.get(*i)) else {
                continue;
            };
            let Some(Target::File { real, .. }) = &planned.target else {
                continue;
            };
            let name = planned.name();
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
            console.say(&super::ack::line(&name, &acks.summary));
        }
        status
    }
}
