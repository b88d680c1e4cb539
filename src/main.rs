//! The `x837` command: parses arguments into settings and calls the library.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Read, validate, generate and scrub ANSI X12 837 health claims.
#[derive(Debug, Parser)]
#[command(name = "x837", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Counts per file: interchanges, groups, transactions, segments, claims, lines, billed.
    Info {
        /// Input files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// Output format: text for people, json for one object per line.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Exit status: 0 clean, 1 error-level findings remain, 2 unreadable input or bad usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Clean = 0,
    #[allow(dead_code)] // used by validate and scrub
    Findings = 1,
    Failed = 2,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let status = match cli.command {
        Command::Info { files, format } => info(&files, format),
    };
    ExitCode::from(status as u8)
}

/// True when writing failed only because the reader went away: not an error.
fn closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

fn info(files: &[String], format: Format) -> Status {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut status = Status::Clean;
    for path in files {
        let name = x837::input::display_name(path);
        let bytes = match x837::input::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("x837: {name}: cannot read: {e}");
                status = status.max(Status::Failed);
                continue;
            }
        };
        let counted = x837::info::count(&bytes, name);
        for f in &counted.findings {
            eprintln!("{f}");
        }
        if let Some(e) = &counted.error {
            eprintln!("x837: {name}: {e}");
            status = status.max(Status::Failed);
            if counted.info.segments == 0 {
                continue;
            }
        }
        let i = &counted.info;
        let written = match format {
            Format::Json => serde_json::to_string(i)
                .map_err(io::Error::other)
                .and_then(|s| writeln!(out, "{s}")),
            Format::Text => writeln!(
                out,
                "{}: {} interchanges, {} groups, {} transactions, {} segments, {} claims, {} lines, billed {}",
                i.file,
                i.interchanges,
                i.groups,
                i.transactions,
                i.segments,
                i.claims,
                i.lines,
                i.billed
            ),
        };
        if let Err(e) = written {
            if closed_pipe(&e) {
                return status;
            }
            eprintln!("x837: cannot write: {e}");
            return Status::Failed;
        }
    }
    if let Err(e) = out.flush()
        && !closed_pipe(&e)
    {
        eprintln!("x837: cannot write: {e}");
        return Status::Failed;
    }
    status
}
