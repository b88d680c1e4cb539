//! The command line: clap's definitions, their conversion into the library's options,
//! and the console on standard error.

mod ack;
mod console;
mod generate;
mod resubmit;
mod scrub;
mod validate;

use std::ffi::OsString;

use clap::{Parser, Subcommand, ValueEnum};

pub use ack::AckArgs;
pub use console::{ColorArg, Stderr};
pub use generate::{GenerateArgs, SynthArgs};
pub use resubmit::ResubmitArgs;
pub use scrub::ScrubArgs;
pub use validate::{InfoArgs, ValidateArgs};
use x837::run;

/// Read, validate, generate, scrub and acknowledge ANSI X12 837 health claims.
#[derive(Debug, Parser)]
#[command(name = "x837", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour in messages on standard error: auto (a terminal, and NO_COLOR not set),
    /// always or never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

impl Cli {
    /// Whether the command was asked to say nothing but errors (`--quiet`).
    pub fn quiet(&self) -> bool {
        match &self.command {
            Command::Scrub(a) => a.quiet(),
            Command::Validate(a) => a.quiet(),
            Command::Info(a) => a.quiet(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl From<Format> for run::validate::Lines {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => run::validate::Lines::Text,
            Format::Json => run::validate::Lines::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

impl From<FailOn> for run::FailOn {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => run::FailOn::Error,
            FailOn::Warning => run::FailOn::Warning,
            FailOn::Never => run::FailOn::Never,
        }
    }
}

/// Which 837 to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    #[value(name = "837p")]
    P,
    #[value(name = "837i")]
    I,
}

/// Which 837 a synth batch holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SynthKindArg {
    #[value(name = "837p")]
    P,
    #[value(name = "837i")]
    I,
    Mixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Json,
    Text,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixesArg {
    All,
    Repair,
    None,
}

/// What every command over many inputs takes.
#[derive(Debug, Clone, clap::Args)]
pub struct BatchArgs {
    /// Of the files under directory arguments, only those whose path under the directory
    /// matches this glob (`*.x12`, `2026-*/**/*.edi`).
    #[arg(long)]
    pub glob: Option<String>,
    /// Threads (default: one per core); the outputs do not depend on it.
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// No summary line per input on standard error (errors are still said).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate against the implementation guides; prints findings only.
    Validate(ValidateArgs),
    /// Scrub J2326 claims: corrected EDI plus a report.
    Scrub(ScrubArgs),
    /// List the scrub rules, or explain one.
    Rules {
        /// A rule id, such as `admin-dos-match`.
        id: Option<String>,
    },
    /// Print the loop tree of every transaction as JSON.
    Parse {
        /// One input file; `-` reads standard input.
        file: OsString,
    },
    /// EDI from a claim description (JSON); see docs/claim-description.md.
    Generate(GenerateArgs),
    /// A seeded batch of synthetic claims, valid or with injected errors (J2326 and X12).
    Synth(SynthArgs),
    /// Counts per file: interchanges, groups, transactions, segments, claims, lines, billed.
    Info(InfoArgs),
    /// A local web page (127.0.0.1 only) to drop an 837 on: the worklist and the
    /// corrected file, the split-off rejected claims and the JSON report to download.
    Serve {
        /// The port (0: any free one, said on standard error).
        #[arg(long, default_value_t = run::serve::DEFAULT_PORT)]
        port: u16,
        /// The largest upload taken, in MB (1,000,000 bytes).
        #[arg(long, value_name = "MB", default_value_t = run::serve::DEFAULT_MAX_UPLOAD / 1_000_000)]
        max_upload: u64,
    },
    /// Acknowledge what was received: TA1, 999 and 277CA files for each input.
    Ack(AckArgs),
    /// Resend what came back: claims rejected in a 277CA or denied in an 835, matched to
    /// the original 837s by CLM01, scrubbed, in a new file.
    Resubmit(ResubmitArgs),
    /// Prints a completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Prints the manual page, x837(1); with --out-dir, writes it and one page per command
    /// (x837-scrub.1, ...) there.
    Man {
        #[arg(long, value_name = "DIR")]
        out_dir: Option<OsString>,
    },
}

/// Writes the completion script for `shell` to standard output.
pub fn completions(shell: clap_complete::Shell, console: &dyn run::Console) -> run::Status {
    use clap::CommandFactory;
    use std::io::Write;
    // Made in memory first: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "x837", &mut script);
    let written = std::io::stdout().lock().write_all(&script);
    run::wrote(written, "<stdout>", run::Status::Clean, console)
}

/// Writes x837(1) to standard output, or every page into `out_dir`.
pub fn man(out_dir: Option<&std::ffi::OsStr>, console: &dyn run::Console) -> run::Status {
    use clap::CommandFactory;
    use std::io::Write;
    let cmd = Cli::command();
    let Some(dir) = out_dir else {
        let mut page = Vec::new();
        let written = clap_mangen::Man::new(cmd)
            .render(&mut page)
            .and_then(|()| std::io::stdout().lock().write_all(&page));
        return run::wrote(written, "<stdout>", run::Status::Clean, console);
    };
    let dir = std::path::Path::new(dir);
    let mut status = run::Status::Clean;
    let mut pages = vec![("x837".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands() {
        let name = format!("x837-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut bytes = Vec::new();
        let written = clap_mangen::Man::new(page)
            .render(&mut bytes)
            .and_then(|()| {
                std::fs::create_dir_all(dir)?;
                let target = x837::output::Target::resolve(path.as_os_str())
                    .map_err(std::io::Error::other)?;
                x837::output::write_to(&target, 0o644, &bytes)
            });
        status = run::wrote(written, &path.display().to_string(), status, console);
    }
    status
}
