//! The arguments of `x837 resubmit`.

use std::ffi::OsString;

use x837::run;

use super::{FixesArg, ReportFormat};

#[derive(Debug, clap::Args)]
pub struct ResubmitArgs {
    /// The original 837 files the responses answer.
    #[arg(required = true)]
    originals: Vec<OsString>,
    /// A 277CA claim acknowledgment (repeat for several).
    #[arg(long = "ack", value_name = "FILE.277ca")]
    acks: Vec<OsString>,
    /// An 835 remittance (repeat for several).
    #[arg(long = "remit", value_name = "FILE.835")]
    remits: Vec<OsString>,
    /// Write the claims to resend here: rejected ones as new claims, denied ones as
    /// replacements (CLM05-3 7, REF*F8), fresh control numbers.
    #[arg(short = 'o', long = "output", required = true, value_name = "OUT")]
    output: OsString,
    /// Send the claims that still carry an error after the scrub to DIR/<OUT's name>.
    #[arg(long, value_name = "DIR")]
    split_rejected: Option<OsString>,
    /// Write the report here; its format comes from --format or the extension.
    #[arg(long, value_name = "PATH")]
    report: Option<OsString>,
    /// Report format (default: from the --report extension).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Profile: default (62321), cpt-lumbar (62323), noridian (96450).
    #[arg(long)]
    profile: Option<String>,
    /// A config file (x837.toml).
    #[arg(long)]
    config: Option<OsString>,
    /// Which fix classes are applied.
    #[arg(long, value_enum, default_value_t = FixesArg::All)]
    fixes: FixesArg,
    /// The first control numbers of OUT (default: ISA13 one past the originals' highest,
    /// GS06 and ST02 1).
    #[arg(long, value_name = "ISA13[,GS06,ST02]", value_parser = x837::x12::Control::parse)]
    new_control_numbers: Option<x837::x12::Control>,
}

impl From<ResubmitArgs> for run::resubmit::Options {
    fn from(a: ResubmitArgs) -> Self {
        use x837::report::Format as F;
        use x837::scrub::Fixes;
        run::resubmit::Options {
            originals: a.originals,
            acks: a.acks,
            remits: a.remits,
            output: a.output,
            split_rejected: a.split_rejected,
            report: a.report,
            format: a.format.map(|f| match f {
                ReportFormat::Json => F::Json,
                ReportFormat::Text => F::Text,
                ReportFormat::Html => F::Html,
            }),
            profile: a.profile,
            config: a.config,
            fixes: match a.fixes {
                FixesArg::All => Fixes::All,
                FixesArg::Repair => Fixes::Repair,
                FixesArg::None => Fixes::None,
            },
            new_control_numbers: a.new_control_numbers,
        }
    }
}
