//! The command line: clap's definitions, their conversion into the library's options,
//! and the console on standard error.

mod ack;
mod console;
mod generate;
mod scrub;
mod validate;

use std::ffi::OsString;

use clap::{Parser, Subcommand, ValueEnum};

pub use ack::AckArgs;
pub use console::Stderr;
pub use generate::{GenerateArgs, SynthArgs};
pub use scrub::ScrubArgs;
pub use validate::{InfoArgs, ValidateArgs};
use x837::run;

/// Read, validate, generate, scrub and acknowledge ANSI X12 837 health claims.
#[derive(Debug, Parser)]
#[command(name = "x837", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
    /// A seeded batch of synthetic claims, valid or with injected J2326 errors.
    Synth(SynthArgs),
    /// Counts per file: interchanges, groups, transactions, segments, claims, lines, billed.
    Info(InfoArgs),
    /// Acknowledge what was received: TA1, 999 and 277CA files for each input.
    Ack(AckArgs),
}
