//! `x837 validate`: findings streamed per transaction, text or JSON lines.

use std::ffi::OsString;
use std::io::{self, Write};
use std::ops::ControlFlow;

use crate::input;
use crate::report::{Finding, Severity};

use super::{Console, FailOn, Status};

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
    /// Keeps the files found under directory arguments whose path matches (`--glob`).
    pub glob: Option<String>,
    /// Threads (`--jobs N`); none: one per core.
    pub jobs: Option<usize>,
    /// No summary line per input (`--quiet`).
    pub quiet: bool,
    pub format: Lines,
    pub fail_on: FailOn,
}

/// Writes one input's findings as they come.
struct Writing<'o, W: Write + ?Sized> {
    out: &'o mut W,
    format: Lines,
    errors: usize,
    warnings: usize,
    first: bool,
    failed: Option<io::Error>,
}

impl<W: Write + ?Sized> Writing<'_, W> {
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
    let found = match super::found(&options.files, options.glob.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            console.say(&format!("x837: {e}"));
            return Status::Failed;
        }
    };
    let pool = super::pool(options.jobs);
    super::each_in_order(&pool, &found, console, |f, out, console| {
        one(options, f, out, console)
    })
}

/// Validates one input, writing its findings to `out`.
fn one(
    options: &Options,
    found: &input::Found,
    out: &mut dyn Write,
    console: &dyn Console,
) -> Result<Status, super::Stopped> {
    let path = &found.path;
    let name = input::display_name(path);
    let read = match input::open(path) {
        Ok(r) => r,
        Err(e) => {
            console.say(&format!("x837: {name}: cannot read: {e}"));
            return Ok(Status::Failed);
        }
    };
    let read = input::Counting::new(read, |n| console.read(n));
    if options.format == Lines::Json {
        let head = serde_json::json!({ "file": name }).to_string();
        // `{"file":"NAME"` then the findings, then the counts.
        write!(out, "{},\"findings\":[", &head[..head.len() - 1])
            .map_err(|e| super::Stopped::new(e, Status::Clean))?;
    }
    let mut w = Writing {
        out,
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
    // What was seen before a write failed still counts.
    let seen = options.fail_on.status(errors, warnings);
    if let Some(e) = w.failed {
        return Err(super::Stopped::new(e, seen));
    }
    let v = match v {
        Ok(v) => v,
        Err(e) => {
            console.say(&format!("x837: {name}: cannot read: {e}"));
            return Ok(Status::Failed);
        }
    };
    if options.format == Lines::Json {
        writeln!(
            w.out,
            "],\"transactions\":{},\"passed_through\":{},\"errors\":{errors},\"warnings\":{warnings}}}",
            v.transactions, v.passed_through
        )
        .map_err(|e| super::Stopped::new(e, seen))?;
    }
    w.out.flush().map_err(|e| super::Stopped::new(e, seen))?;
    let mut status = seen;
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
    if !options.quiet {
        console.say(&format!(
            "{name}: {} transactions validated, {} passed through, {errors} errors, {warnings} warnings",
            v.transactions, v.passed_through
        ));
    }
    Ok(status)
}
