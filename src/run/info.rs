//! `x837 info`: the counts a person checks first, per input.

use std::ffi::OsString;
use std::io::{self, Write};

use crate::input;

use super::validate::Lines;
use super::{Console, Status};

/// The options of `x837 info`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub files: Vec<OsString>,
    /// Keeps the files found under directory arguments whose path matches (`--glob`).
    pub glob: Option<String>,
    /// Threads (`--jobs N`); none: one per core.
    pub jobs: Option<usize>,
    pub format: Lines,
}

/// Counts every input; returns the exit status.
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

/// Counts one input, writing its line to `out`.
fn one(
    options: &Options,
    found: &input::Found,
    out: &mut dyn Write,
    console: &dyn Console,
) -> Result<Status, super::Stopped> {
    let path = &found.path;
    let name = input::display_name(path);
    let counted = input::open(path).and_then(|r| {
        let r = input::Counting::new(r, |n| console.read(n));
        crate::info::count_read(r, &name)
    });
    let counted = match counted {
        Ok(c) => c,
        Err(e) => {
            console.say(&format!("x837: {name}: cannot read: {e}"));
            return Ok(Status::Failed);
        }
    };
    for f in &counted.findings {
        console.say(&f.to_string());
    }
    let mut status = Status::Clean;
    if let Some(e) = &counted.error {
        console.say(&format!("x837: {name}: {e}"));
        status = Status::Failed;
        if counted.info.segments == 0 {
            return Ok(status);
        }
    }
    let i = &counted.info;
    let written = match options.format {
        Lines::Json => serde_json::to_string(i)
            .map_err(io::Error::other)
            .and_then(|s| writeln!(out, "{s}")),
        Lines::Text => writeln!(
            out,
            "{}: {} interchanges, {} groups, {} transactions, {} segments, {} claims, {} lines, billed {}{}",
            crate::echo::escape(&i.file),
            i.interchanges,
            i.groups,
            i.transactions,
            i.segments,
            i.claims,
            i.lines,
            i.billed,
            i.acknowledged.map(acknowledged).unwrap_or_default()
        ),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| super::Stopped::new(e, status))?;
    Ok(status)
}

/// `; 999: ...` of the text line, for an input holding acknowledgments.
fn acknowledged(a: crate::info::Acknowledged) -> String {
    let part = |v: crate::info::Verdicts, kind: &str, what: &str| {
        (v.accepted + v.rejected > 0).then(|| {
            format!(
                "{kind}: {} {what}, {} rejected",
                v.accepted + v.rejected,
                v.rejected
            )
        })
    };
    let parts: Vec<String> = [
        part(a.interchanges, "TA1", "interchanges"),
        part(a.transactions, "999", "transaction sets"),
        part(a.claims, "277CA", "claims"),
    ]
    .into_iter()
    .flatten()
    .chain((a.remitted.claims > 0).then(|| {
        let r = a.remitted;
        format!(
            "835: {} claims, {} denied, {} reversed, paid {}",
            r.claims, r.denied, r.reversed, r.paid
        )
    }))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join("; "))
    }
}
