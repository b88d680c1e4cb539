//! The arguments of `x837 validate` and `x837 info`.

use std::ffi::OsString;

use x837::run;

use super::{FailOn, Format};

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Input files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<OsString>,
    #[command(flatten)]
    batch: super::BatchArgs,
    /// Output format: text (one finding a line) or json (one object per file, per line).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Which findings make the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
}

impl ValidateArgs {
    pub fn quiet(&self) -> bool {
        self.batch.quiet
    }
}

impl From<ValidateArgs> for run::validate::Options {
    fn from(a: ValidateArgs) -> Self {
        run::validate::Options {
            files: a.files,
            glob: a.batch.glob,
            jobs: a.batch.jobs,
            quiet: a.batch.quiet,
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
    #[command(flatten)]
    batch: super::BatchArgs,
    /// Output format: text for people, json for one object per line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

impl InfoArgs {
    pub fn quiet(&self) -> bool {
        self.batch.quiet
    }
}

impl From<InfoArgs> for run::info::Options {
    fn from(a: InfoArgs) -> Self {
        run::info::Options {
            files: a.files,
            glob: a.batch.glob,
            jobs: a.batch.jobs,
            format: a.format.into(),
        }
    }
}
