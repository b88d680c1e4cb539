//! The `x837` command: parses arguments into settings and calls the library.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
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

/// Which 837 to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KindArg {
    #[value(name = "837p")]
    P,
    #[value(name = "837i")]
    I,
}

/// Which 837 a synth batch holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SynthKindArg {
    #[value(name = "837p")]
    P,
    #[value(name = "837i")]
    I,
    Mixed,
}

/// A control number: 1 to 999999999.
fn control_number(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=999_999_999).contains(&n) => Ok(n),
        _ => Err("must be a number from 1 to 999999999".into()),
    }
}

/// A share from 0 to 1.
fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err("must be a number from 0 to 1".into()),
    }
}

#[derive(Debug, Clone, clap::Args)]
struct ControlArgs {
    /// ISA13/IEA02 interchange control number.
    #[arg(long, value_parser = control_number, default_value = "1")]
    isa13: u32,
    /// GS06/GE02 group control number (of the first group).
    #[arg(long, value_parser = control_number, default_value = "1")]
    gs06: u32,
    /// ST02/SE02 transaction control number (of the first transaction).
    #[arg(long, value_parser = control_number, default_value = "1")]
    st02: u32,
}

impl ControlArgs {
    fn control(&self) -> x837::generate::Control {
        x837::generate::Control {
            isa13: self.isa13,
            gs06: self.gs06,
            st02: self.st02,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// EDI from a claim description (JSON); see docs/claim-description.md.
    Generate {
        /// The claim description; `-` reads standard input.
        description: String,
        /// 837p or 837i; overrides the description's "kind".
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Output file, replaced atomically; standard output when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        control: ControlArgs,
    },
    /// A seeded batch of synthetic claims, valid or with injected J2326 errors.
    Synth {
        /// Number of claims.
        #[arg(long)]
        claims: u64,
        /// Seed: the same seed gives the same bytes.
        #[arg(long)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = SynthKindArg::P)]
        kind: SynthKindArg,
        /// Share of J2326 claims with one injected error (0 to 1).
        #[arg(long, value_parser = share, default_value = "0")]
        error_rate: f64,
        /// Truth file: per CLM01, the rule ids the claim must produce.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Output file, replaced atomically; standard output when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        control: ControlArgs,
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
        Command::Generate {
            description,
            kind,
            output,
            control,
        } => generate(&description, kind, output.as_deref(), control.control()),
        Command::Synth {
            claims,
            seed,
            kind,
            error_rate,
            truth,
            output,
            control,
        } => {
            let kind = match kind {
                SynthKindArg::P => x837::generate::synth::SynthKind::Professional,
                SynthKindArg::I => x837::generate::synth::SynthKind::Institutional,
                SynthKindArg::Mixed => x837::generate::synth::SynthKind::Mixed,
            };
            let options = x837::generate::synth::Options {
                claims,
                seed,
                kind,
                error_rate,
                control: control.control(),
            };
            synth(&options, truth.as_deref(), output.as_deref())
        }
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

/// Sends `write` to `output` (atomically) or to standard output.
fn emit(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match output {
        Some(path) => {
            let mut f = x837::output::AtomicFile::create(path)?;
            write(&mut f)?;
            f.commit()
        }
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
            write(&mut out)?;
            out.flush()
        }
    }
}

fn generate(
    path: &str,
    kind: Option<KindArg>,
    output: Option<&Path>,
    control: x837::generate::Control,
) -> Status {
    let name = x837::input::display_name(path);
    let bytes = match x837::input::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("x837: {name}: cannot read: {e}");
            return Status::Failed;
        }
    };
    let kind = kind.map(|k| match k {
        KindArg::P => x837::generate::Kind::Professional,
        KindArg::I => x837::generate::Kind::Institutional,
    });
    let (desc, kind) = match x837::generate::parse(&bytes, kind) {
        Ok(d) => d,
        Err(errors) => {
            for e in &errors {
                eprintln!("x837: {name}: {e}");
            }
            return Status::Failed;
        }
    };
    match emit(output, |out| {
        x837::generate::write(&desc, kind, control, out).map(|_| ())
    }) {
        Ok(()) => Status::Clean,
        Err(e) if closed_pipe(&e) => Status::Clean,
        Err(e) => {
            eprintln!("x837: cannot write: {e}");
            Status::Failed
        }
    }
}

fn synth(
    options: &x837::generate::synth::Options,
    truth: Option<&Path>,
    output: Option<&Path>,
) -> Status {
    let mut truth_file = match truth.map(x837::output::AtomicFile::create).transpose() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("x837: cannot write the truth file: {e}");
            return Status::Failed;
        }
    };
    let mut summary = None;
    let written = emit(output, |out| {
        summary = Some(x837::generate::synth::run(
            options,
            out,
            truth_file.as_mut(),
        )?);
        Ok(())
    });
    let written = written.and_then(|()| truth_file.map_or(Ok(()), |t| t.commit()));
    match written {
        Ok(()) => {
            if let Some(s) = summary {
                let injected: u64 = s.injected.values().sum();
                eprintln!(
                    "x837: {} claims ({} J2326, {} with an injected error), {} bytes",
                    s.claims, s.j2326_claims, injected, s.bytes
                );
            }
            Status::Clean
        }
        Err(e) if closed_pipe(&e) => Status::Clean,
        Err(e) => {
            eprintln!("x837: cannot write: {e}");
            Status::Failed
        }
    }
}
