//! `x837 validate`: findings streamed per transaction, text or JSON lines.

use std::ffi::OsString;
use std::io::{self, Write};
use std::ops::ControlFlow;

use crate::input;
use crate::report::{Finding, Severity};

use super::{Console, FailOn, Status, write_failed};

/// Output format of `validate` and `info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lines {
    /// For people: one finding a line.
    #[default]
    Text,
    /// For programs: one JSON object per input, on its own line.
    Json,
}

/// The options of `x837 validate`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub files: Vec<OsString>,
    pub format: Lines,
    pub fail_on: FailOn,
}

/// Writes one input's findings as they come.
struct Writing<'o, W: Write> {
    out: &'o mut W,
    format: Lines,
    errors: usize,
    warnings: usize,
    first: bool,
    failed: Option<io::Error>,
}

impl<W: Write> Writing<'_, W> {
    fn batch(&mut self, batch: &[Finding]) -> io::Result<()> {
        for f in batch {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => {}
            }
            match self.format {
                Lines::Text => writeln!(self.out, "{f}")?,
                Lines::Json => {
                    if !std::mem::take(&mut self.first) {
                        self.out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut *self.out, f).map_err(io::Error::other)?;
                }
            }
        }
        Ok(())
    }
}

/// Validates every input; returns the exit status.
pub fn run(options: &Options, console: &dyn Console) -> Status {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut status = Status::Clean;
    for path in &options.files {
        let name = input::display_name(path);
        let read = match input::open(path) {
            Ok(r) => r,
            Err(e) => {
                console.say(&format!("x837: {name}: cannot read: {e}"));
                status = status.max(Status::Failed);
                continue;
            }
        };
        let total = std::fs::metadata(path).ok().map(|m| m.len());
        let read = input::Counting::new(read, |n| console.progress(&name, n, total));
        if options.format == Lines::Json {
            let head = serde_json::json!({ "file": name }).to_string();
            // `{"file":"NAME"` then the findings, then the counts.
            if let Err(e) = write!(out, "{},\"findings\":[", &head[..head.len() - 1]) {
                return write_failed(&e, "<stdout>", status, console);
            }
        }
        let mut w = Writing {
            out: &mut out,
            format: options.format,
            errors: 0,
            warnings: 0,
            first: true,
            failed: None,
        };
        let v = crate::validate::validate_each(read, &name, |batch| match w.batch(batch) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                w.failed = Some(e);
                ControlFlow::Break(())
            }
        });
        let (errors, warnings) = (w.errors, w.warnings);
        if let Some(e) = w.failed {
            // What was seen before the pipe closed still counts.
            let seen = status.max(options.fail_on.status(errors, warnings));
            return write_failed(&e, "<stdout>", seen, console);
        }
        let v = match v {
            Ok(v) => v,
            Err(e) => {
                console.say(&format!("x837: {name}: cannot read: {e}"));
                status = status.max(Status::Failed);
                continue;
            }
        };
        if options.format == Lines::Json
            && let Err(e) = writeln!(
                out,
                "],\"transactions\":{},\"passed_through\":{},\"errors\":{errors},\"warnings\":{warnings}}}",
                v.transactions, v.passed_through
            )
        {
            return write_failed(&e, "<stdout>", status, console);
        }
        if let Err(e) = out.flush() {
            return write_failed(&e, "<stdout>", status, console);
        }
        if let Some(e) = &v.error {
            console.say(&format!("x837: {name}: {e}"));
        }
        if v.error.is_some() || v.unclosed > 0 {
            if v.unclosed > 0 {
                console.say(&format!(
                    "x837: {name}: incomplete input: {} interchanges, groups or transactions do not close",
                    v.unclosed
                ));
            }
            status = status.max(Status::Failed);
        }
        status = status.max(options.fail_on.status(errors, warnings));
        console.say(&format!(
            "{name}: {} transactions validated, {} passed through, {errors} errors, {warnings} warnings",
            v.transactions, v.passed_through
        ));
    }
    status
}
