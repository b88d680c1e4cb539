//! `x837 info`: the counts a person checks first, per input.

use std::ffi::OsString;
use std::io::{self, Write};

use crate::input;

use super::validate::Lines;
use super::{Console, Status, write_failed};

/// The options of `x837 info`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub files: Vec<OsString>,
    pub format: Lines,
}

/// Counts every input; returns the exit status.
pub fn run(options: &Options, console: &dyn Console) -> Status {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut status = Status::Clean;
    for path in &options.files {
        let name = input::display_name(path);
        let total = std::fs::metadata(path).ok().map(|m| m.len());
        let counted = input::open(path).and_then(|r| {
            let r = input::Counting::new(r, |n| console.progress(&name, n, total));
            crate::info::count_read(r, &name)
        });
        let counted = match counted {
            Ok(c) => c,
            Err(e) => {
                console.say(&format!("x837: {name}: cannot read: {e}"));
                status = status.max(Status::Failed);
                continue;
            }
        };
        for f in &counted.findings {
            console.say(&f.to_string());
        }
        if let Some(e) = &counted.error {
            console.say(&format!("x837: {name}: {e}"));
            status = status.max(Status::Failed);
            if counted.info.segments == 0 {
                continue;
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
        if let Err(e) = written.and_then(|()| out.flush()) {
            return write_failed(&e, "<stdout>", status, console);
        }
    }
    status
}

/// `; acknowledges ...` of the text line, for an input holding acknowledgments.
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
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join("; "))
    }
}
