//! The commands as a program runs them: raw options are checked into settings once,
//! before any work (what can be refused is refused then, with exit status 2), then run
//! over the inputs. Messages for people go to a [`Console`]; the binary decides how they
//! reach the terminal.

pub mod ack;
pub mod generate;
pub mod info;
pub mod parse;
pub mod rules;
pub mod scrub;
pub mod validate;

use std::io;

/// Exit status: 0 clean, 1 findings remain, 2 an input could not be read (or was left out
/// in part) or bad usage. Over several inputs the highest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Clean = 0,
    Findings = 1,
    Failed = 2,
}

/// Which remaining findings make the exit status 1 (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Never,
}

impl FailOn {
    /// The status `errors` and `warnings` remaining give.
    pub fn status(self, errors: usize, warnings: usize) -> Status {
        let failing = match self {
            FailOn::Error => errors > 0,
            FailOn::Warning => errors + warnings > 0,
            FailOn::Never => false,
        };
        if failing {
            Status::Findings
        } else {
            Status::Clean
        }
    }
}

/// Where a command's messages for people go (standard error, in the binary).
pub trait Console {
    /// One line: a summary, a warning, an error.
    fn say(&self, line: &str);
    /// How much of input `name` has been read (bytes); `total` when known.
    fn progress(&self, _name: &str, _read: u64, _total: Option<u64>) {}
}

/// A console that keeps the lines, for tests and library callers.
#[derive(Debug, Default)]
pub struct Lines(pub std::sync::Mutex<Vec<String>>);

impl Console for Lines {
    fn say(&self, line: &str) {
        if let Ok(mut v) = self.0.lock() {
            v.push(line.to_string());
        }
    }
}

/// True when writing failed only because the reader went away: not an error.
pub fn closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// The one place a failed write is judged: a closed pipe ends the command quietly with
/// the status it had; any other error is said, with the output it concerns, and fails.
pub fn write_failed(e: &io::Error, output: &str, status: Status, console: &dyn Console) -> Status {
    if closed_pipe(e) {
        return status;
    }
    console.say(&format!("x837: {output}: cannot write: {e}"));
    Status::Failed
}

/// The status of a finished write to `output`.
pub fn wrote(r: io::Result<()>, output: &str, status: Status, console: &dyn Console) -> Status {
    match r {
        Ok(()) => status,
        Err(e) => write_failed(&e, output, status, console),
    }
}

/// The scrub settings of `--profile`, `fixes` and `--config PATH` (read here): a config
/// that cannot be read or is wrong is refused.
pub fn settings(
    profile: Option<&str>,
    fixes: crate::scrub::Fixes,
    config: Option<&std::ffi::OsStr>,
) -> Result<crate::scrub::Settings, Usage> {
    let config = match config {
        Some(p) => {
            let shown = p.to_string_lossy().into_owned();
            let text = std::fs::read_to_string(p)
                .map_err(|e| Usage(format!("{shown}: cannot read: {e}")))?;
            Some((shown, text))
        }
        None => None,
    };
    crate::scrub::Settings::new(profile, fixes, config.as_ref().map(|(_, t)| t.as_str())).map_err(
        |e| match &config {
            Some((name, _)) => Usage(format!("{name}: {e}")),
            None => Usage(e),
        },
    )
}

/// A refused command line: said once, exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

impl From<crate::output::PlanError> for Usage {
    fn from(e: crate::output::PlanError) -> Self {
        Usage(e.to_string())
    }
}
