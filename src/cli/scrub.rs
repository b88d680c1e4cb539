//! The arguments of `x837 scrub`.

use std::ffi::OsString;

use x837::run;

use super::{FailOn, FixesArg, ReportFormat};

#[derive(Debug, clap::Args)]
pub struct ScrubArgs {
    /// Input files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<OsString>,
    #[command(flatten)]
    batch: super::BatchArgs,
    /// Put each interchange (or group, transaction) that could not be processed here, as
    /// read, with a `.why` note beside it.
    #[arg(long, value_name = "DIR")]
    quarantine: Option<OsString>,
    /// Rewrite each input, keeping its old version as FILE.orig (never overwritten).
    #[arg(long)]
    in_place: bool,
    /// Send the claims that still carry an error-level finding to DIR/<input path>, with
    /// envelopes of their own; the others go to the corrected output.
    #[arg(long, value_name = "DIR")]
    split_rejected: Option<OsString>,
    /// Give the corrected output fresh control numbers from these (ISA13/IEA02, then
    /// GS06/GE02 and ST02/SE02; those left out are 1), incrementing over the batch in
    /// input order; the report maps old to new.
    #[arg(long, value_name = "ISA13[,GS06,ST02]", value_parser = x837::x12::Control::parse)]
    new_control_numbers: Option<x837::x12::Control>,
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
    /// Acknowledge the corrected EDI here, after the run: NAME.ta1, NAME.999, NAME.277ca.
    #[arg(long)]
    ack_dir: Option<OsString>,
}

impl ScrubArgs {
    pub fn quiet(&self) -> bool {
        self.batch.quiet
    }
}

impl From<ScrubArgs> for run::scrub::Options {
    fn from(a: ScrubArgs) -> Self {
        use x837::report::Format as F;
        use x837::scrub::Fixes;
        run::scrub::Options {
            files: a.files,
            glob: a.batch.glob,
            jobs: a.batch.jobs,
            quiet: a.batch.quiet,
            quarantine: a.quarantine,
            in_place: a.in_place,
            split_rejected: a.split_rejected,
            new_control_numbers: a.new_control_numbers,
            shown_as: None,
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
            ack_dir: a.ack_dir,
            worklist: false,
        }
    }
}
