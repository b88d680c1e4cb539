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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate against the implementation guides; prints findings only.
    Validate {
        /// Input files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// Output format: text (one finding a line) or json (one object per file, per line).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Which findings make the exit code 1.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
    },
    /// Print the loop tree of every transaction as JSON.
    Parse {
        /// One input file; `-` reads standard input.
        file: String,
    },
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
        Command::Validate {
            files,
            format,
            fail_on,
        } => validate(&files, format, fail_on),
        Command::Parse { file } => parse(&file),
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

fn read_input(path: &str) -> Option<Vec<u8>> {
    match x837::input::read(path) {
        Ok(b) => Some(b),
        Err(e) => {
            eprintln!(
                "x837: {}: cannot read: {e}",
                x837::input::display_name(path)
            );
            None
        }
    }
}

/// Ends a write: a closed pipe stops quietly, another error is reported.
fn wrote(r: io::Result<()>) -> Result<(), Status> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if closed_pipe(&e) => Err(Status::Clean),
        Err(e) => {
            eprintln!("x837: cannot write: {e}");
            Err(Status::Failed)
        }
    }
}

fn validate(files: &[String], format: Format, fail_on: FailOn) -> Status {
    use x837::report::Severity;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut status = Status::Clean;
    for path in files {
        let name = x837::input::display_name(path);
        let Some(bytes) = read_input(path) else {
            status = status.max(Status::Failed);
            continue;
        };
        let v = x837::validate::validate(&bytes, name);
        if let Some(e) = &v.error {
            eprintln!("x837: {name}: {e}");
            status = status.max(Status::Failed);
        }
        let errors = v
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = v
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        let failing = match fail_on {
            FailOn::Error => errors > 0,
            FailOn::Warning => errors + warnings > 0,
            FailOn::Never => false,
        };
        if failing {
            status = status.max(Status::Findings);
        }
        let r = match format {
            Format::Text => (|| {
                for f in &v.findings {
                    writeln!(out, "{f}")?;
                }
                Ok(())
            })(),
            Format::Json => {
                let doc = serde_json::json!({
                    "file": name,
                    "transactions": v.transactions,
                    "passed_through": v.passed_through,
                    "errors": errors,
                    "warnings": warnings,
                    "findings": v.findings,
                });
                writeln!(out, "{doc}")
            }
        };
        if let Err(s) = wrote(r) {
            return if s == Status::Clean { status } else { s };
        }
        eprintln!(
            "{name}: {} transactions validated, {} passed through, {errors} errors, {warnings} warnings",
            v.transactions, v.passed_through
        );
    }
    match wrote(out.flush()) {
        Ok(()) => status,
        Err(Status::Clean) => status,
        Err(s) => s,
    }
}

fn parse(path: &str) -> Status {
    let name = x837::input::display_name(path);
    let Some(bytes) = read_input(path) else {
        return Status::Failed;
    };
    let mut reader = x837::x12::Reader::new(&bytes, name);
    let mut transactions = Vec::new();
    let mut findings = Vec::new();
    let mut status = Status::Clean;
    for unit in reader.by_ref() {
        match unit {
            Ok(x837::x12::Unit::Transaction(tx)) => {
                let guide = String::from_utf8_lossy(tx.guide()).into_owned();
                let grammar = (tx.set_id() == b"837")
                    .then(|| x837::grammar::for_version(&guide))
                    .flatten();
                let tree = grammar.map(|g| {
                    let t = x837::tree::build(g, &tx, name, &mut findings);
                    x837::tree::to_json(&t, &tx)
                });
                transactions.push(serde_json::json!({
                    "set": String::from_utf8_lossy(tx.set_id()),
                    "control": String::from_utf8_lossy(tx.control()),
                    "guide": guide,
                    "tree": tree,
                }));
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("x837: {name}: {e}");
                status = Status::Failed;
            }
        }
    }
    for f in reader.take_findings().iter().chain(&findings) {
        eprintln!("{f}");
    }
    let doc = serde_json::json!({"file": name, "transactions": transactions});
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let r = serde_json::to_writer_pretty(&mut out, &doc)
        .map_err(io::Error::other)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    match wrote(r) {
        Ok(()) | Err(Status::Clean) => status,
        Err(s) => s,
    }
}
