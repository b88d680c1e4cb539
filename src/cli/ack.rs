//! The arguments of `x837 ack`.

use std::ffi::OsString;

use x837::run;

#[derive(Debug, clap::Args)]
pub struct AckArgs {
    /// Input files or directories; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<OsString>,
    /// Of the files under directory arguments, only those whose path under the directory
    /// matches this glob.
    #[arg(long)]
    glob: Option<String>,
    /// Write each input's acknowledgments here: NAME.ta1, NAME.999, NAME.277ca.
    #[arg(long, required = true)]
    out_dir: OsString,
    /// Which acknowledgments to write, comma-separated: ta1, 999, 277ca (default: all).
    #[arg(long)]
    kinds: Option<String>,
    /// Profile of the J2326 rules: default (62321), cpt-lumbar (62323), noridian (96450).
    #[arg(long)]
    profile: Option<String>,
    /// A config file (x837.toml): rules off, severities, admin code, payer profiles.
    #[arg(long)]
    config: Option<OsString>,
    /// The first control numbers of the acknowledgments: ISA13[,GS06,ST02] (default 1).
    #[arg(long)]
    new_control_numbers: Option<String>,
    /// Write what was acknowledged here as JSON (`-` is standard output): per input, the
    /// counts and the claims no 277CA acknowledges.
    #[arg(long)]
    report: Option<OsString>,
}

impl From<AckArgs> for run::ack::Options {
    fn from(a: AckArgs) -> Self {
        run::ack::Options {
            files: a.files,
            glob: a.glob,
            out_dir: a.out_dir,
            kinds: a.kinds,
            profile: a.profile,
            config: a.config,
            new_control_numbers: a.new_control_numbers,
            report: a.report,
        }
    }
}
