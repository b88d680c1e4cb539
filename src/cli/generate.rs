//! The arguments of `x837 generate` and `x837 synth`.

use std::ffi::OsString;

use x837::run;

use super::{KindArg, SynthKindArg};

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
    /// The first control numbers: ISA13/IEA02, then GS06/GE02 and ST02/SE02 (each
    /// further group and transaction takes the next); those left out are 1.
    #[arg(long, value_name = "ISA13[,GS06,ST02]", value_parser = x837::x12::Control::parse)]
    new_control_numbers: Option<x837::x12::Control>,
    /// Deprecated: use --new-control-numbers.
    #[arg(long, value_parser = control_number, hide = true, conflicts_with = "new_control_numbers")]
    isa13: Option<u32>,
    /// Deprecated: use --new-control-numbers.
    #[arg(long, value_parser = control_number, hide = true, conflicts_with = "new_control_numbers")]
    gs06: Option<u32>,
    /// Deprecated: use --new-control-numbers.
    #[arg(long, value_parser = control_number, hide = true, conflicts_with = "new_control_numbers")]
    st02: Option<u32>,
}

impl From<ControlArgs> for x837::generate::Control {
    fn from(c: ControlArgs) -> Self {
        let d = c.new_control_numbers.unwrap_or_default();
        x837::generate::Control {
            isa13: c.isa13.unwrap_or(d.isa13),
            gs06: c.gs06.unwrap_or(d.gs06),
            st02: c.st02.unwrap_or(d.st02),
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
    /// Write the description's values exactly as given; its checks become warnings.
    #[arg(long)]
    as_written: bool,
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
            as_written: a.as_written,
        }
    }
}

/// What follows each segment terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LineEndingArg {
    None,
    Lf,
    Crlf,
    Cr,
}

fn separators(s: &str) -> Result<x837::generate::layout::Separators, String> {
    x837::generate::layout::Separators::parse(s)
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Number of claims.
    #[arg(long, required_unless_present_any = ["list", "corpus"])]
    claims: Option<u64>,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, required_unless_present = "list")]
    seed: Option<u64>,
    #[arg(long, value_enum, default_value_t = SynthKindArg::P)]
    kind: SynthKindArg,
    /// Share of eligible claims (and of transactions, groups, the interchange and the
    /// batch, for those variants) with one injected error, 0 to 1; 1 with --inject, else 0.
    #[arg(long, value_parser = share)]
    error_rate: Option<f64>,
    /// Only these variants or rule ids (a rule id: every variant producing it); `all`.
    #[arg(long, value_delimiter = ',', num_args = 1.., value_name = "ID")]
    inject: Option<Vec<String>>,
    /// Print every variant with the rule ids it produces, and stop.
    #[arg(long, exclusive = true)]
    list: bool,
    /// Write a regression corpus into DIR: a file per variant and per layout, MANIFEST.tsv.
    #[arg(long, value_name = "DIR", conflicts_with_all = [
        "claims", "output", "truth", "responses", "inject", "error_rate",
        "delimiters", "line_endings", "bom", "wrap", "indent",
    ])]
    corpus: Option<OsString>,
    /// The delimiters ELEM,COMP,REP,TERM (e.g. `|,^,>,\n`); REP is written as ISA11.
    #[arg(long, value_parser = separators, value_name = "ELEM,COMP,REP,TERM")]
    delimiters: Option<x837::generate::layout::Separators>,
    /// What follows each terminator (with --wrap: what ends each line).
    #[arg(long, value_enum)]
    line_endings: Option<LineEndingArg>,
    /// A UTF-8 byte order mark before the ISA.
    #[arg(long)]
    bom: bool,
    /// Fixed-width lines of N bytes, cut anywhere.
    #[arg(long, value_name = "N")]
    wrap: Option<usize>,
    /// Indent segments by envelope and HL level.
    #[arg(long)]
    indent: bool,
    /// Truth file: per CLM01, the rule ids the claim must produce.
    #[arg(long)]
    truth: Option<OsString>,
    /// Output file, replaced atomically; standard output when absent or `-`.
    #[arg(short, long)]
    output: Option<OsString>,
    /// Also write DIR/NAME.277ca and DIR/NAME.835 (NAME: the -o file's name), the responses
    /// a payer would send: claims with injected errors rejected or denied by the mapped
    /// codes, the rest accepted and paid. Needs -o FILE and --truth FILE.
    #[arg(long, value_name = "DIR", requires_all = ["output", "truth"])]
    responses: Option<OsString>,
    #[command(flatten)]
    control: ControlArgs,
}

impl From<SynthArgs> for run::generate::SynthOptions {
    fn from(a: SynthArgs) -> Self {
        use x837::generate::layout::{Layout, LineEnding};
        use x837::generate::synth::SynthKind;
        let default = Layout::default();
        run::generate::SynthOptions {
            synth: x837::generate::synth::Options {
                claims: a.claims.unwrap_or(0),
                seed: a.seed.unwrap_or(0),
                kind: match a.kind {
                    SynthKindArg::P => SynthKind::Professional,
                    SynthKindArg::I => SynthKind::Institutional,
                    SynthKindArg::Mixed => SynthKind::Mixed,
                },
                error_rate: 0.0,
                control: a.control.into(),
            },
            error_rate: a.error_rate,
            inject: a.inject,
            list: a.list,
            corpus: a.corpus,
            layout: Layout {
                separators: a.delimiters.unwrap_or(default.separators),
                line_ending: match a.line_endings {
                    None => default.line_ending,
                    Some(LineEndingArg::None) => LineEnding::None,
                    Some(LineEndingArg::Lf) => LineEnding::Lf,
                    Some(LineEndingArg::Crlf) => LineEnding::CrLf,
                    Some(LineEndingArg::Cr) => LineEnding::Cr,
                },
                bom: a.bom,
                wrap: a.wrap,
                indent: a.indent,
            },
            truth: a.truth,
            output: a.output,
            responses: a.responses,
        }
    }
}
