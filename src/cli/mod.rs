//! The command line: clap's definitions, their conversion into the library's options,
//! and the console on standard error.

mod console;

use std::ffi::OsString;

use clap::{Parser, Subcommand, ValueEnum};

pub use console::Stderr;
use x837::run;

/// Read, validate, generate and scrub ANSI X12 837 health claims.
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
pub struct ControlArgs {
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

impl From<ControlArgs> for x837::generate::Control {
    fn from(c: ControlArgs) -> Self {
        x837::generate::Control {
            isa13: c.isa13,
            gs06: c.gs06,
            st02: c.st02,
        }
    }
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
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Input files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<OsString>,
    /// Output format: text (one finding a line) or json (one object per file, per line).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Which findings make the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
}

impl From<ValidateArgs> for run::validate::Options {
    fn from(a: ValidateArgs) -> Self {
        run::validate::Options {
            files: a.files,
            format: a.format.into(),
            fail_on: a.fail_on.into(),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Input files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<OsString>,
    /// Output format: text for people, json for one object per line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

impl From<InfoArgs> for run::info::Options {
    fn from(a: InfoArgs) -> Self {
        run::info::Options {
            files: a.files,
            format: a.format.into(),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The claim description; `-` reads standard input.
    description: OsString,
    /// 837p or 837i; overrides the description's "kind".
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Output file, replaced atomically; standard output when absent or `-`.
    #[arg(short, long)]
    output: Option<OsString>,
    #[command(flatten)]
    control: ControlArgs,
}

impl From<GenerateArgs> for run::generate::GenerateOptions {
    fn from(a: GenerateArgs) -> Self {
        run::generate::GenerateOptions {
            description: a.description,
            kind: a.kind.map(|k| match k {
                KindArg::P => x837::generate::Kind::Professional,
                KindArg::I => x837::generate::Kind::Institutional,
            }),
            output: a.output,
            control: a.control.into(),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
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
    truth: Option<OsString>,
    /// Output file, replaced atomically; standard output when absent or `-`.
    #[arg(short, long)]
    output: Option<OsString>,
    #[command(flatten)]
    control: ControlArgs,
}

impl From<SynthArgs> for run::generate::SynthOptions {
    fn from(a: SynthArgs) -> Self {
        use x837::generate::synth::SynthKind;
        run::generate::SynthOptions {
            synth: x837::generate::synth::Options {
                claims: a.claims,
                seed: a.seed,
                kind: match a.kind {
                    SynthKindArg::P => SynthKind::Professional,
                    SynthKindArg::I => SynthKind::Institutional,
                    SynthKindArg::Mixed => SynthKind::Mixed,
                },
                error_rate: a.error_rate,
                control: a.control.into(),
            },
            truth: a.truth,
            output: a.output,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ScrubArgs {
    /// Input files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<OsString>,
    /// Write the corrected EDI here (one input only; `-` is standard output).
    #[arg(short = 'o', long = "output")]
    output: Option<OsString>,
    /// Write each input's corrected EDI into this directory, under the input's name.
    #[arg(long)]
    out_dir: Option<OsString>,
    /// Write the report here (`-` is standard output); its format comes from --format or
    /// the extension.
    #[arg(long)]
    report: Option<OsString>,
    /// Report format (default: from the --report extension: .json, .html, .txt or none).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Dry run: write no EDI; the report says what would be fixed.
    #[arg(long)]
    check: bool,
    /// Profile: default (62321), cpt-lumbar (62323), noridian (96450).
    #[arg(long)]
    profile: Option<String>,
    /// A config file (x837.toml): rules off, severities, admin code, payer profiles.
    #[arg(long)]
    config: Option<OsString>,
    /// Which fix classes are applied.
    #[arg(long, value_enum, default_value_t = FixesArg::All)]
    fixes: FixesArg,
    /// Which remaining findings make the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
}

impl From<ScrubArgs> for run::scrub::Options {
    fn from(a: ScrubArgs) -> Self {
        use x837::report::Format as F;
        use x837::scrub::Fixes;
        run::scrub::Options {
            files: a.files,
            output: a.output,
            out_dir: a.out_dir,
            report: a.report,
            format: a.format.map(|f| match f {
                ReportFormat::Json => F::Json,
                ReportFormat::Text => F::Text,
                ReportFormat::Html => F::Html,
            }),
            check: a.check,
            profile: a.profile,
            config: a.config,
            fixes: match a.fixes {
                FixesArg::All => Fixes::All,
                FixesArg::Repair => Fixes::Repair,
                FixesArg::None => Fixes::None,
            },
            fail_on: a.fail_on.into(),
        }
    }
}
