//! The commands as a program runs them: raw options are checked into settings once,
//! before any work (what can be refused is refused then, with exit status 2), then run
//! over the inputs. Messages for people go to a [`Console`]; the binary decides how they
//! reach the terminal.

pub mod ack;
pub mod corpus;
pub mod generate;
pub mod info;
pub mod memory;
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
pub trait Console: Sync {
    /// One line: a summary, a warning, an error.
    fn say(&self, line: &str);
    /// A run over `files` inputs of `bytes` bytes in all (when known) starts.
    fn start(&self, _files: usize, _bytes: Option<u64>) {}
    /// `bytes` more bytes of the inputs were read.
    fn read(&self, _bytes: u64) {}
    /// One more input is done; it held `claims` claims.
    fn done(&self, _claims: usize) {}
}

/// The size of the inputs in all, when every one is a file whose size is known.
pub fn total_bytes<'a>(paths: impl IntoIterator<Item = &'a std::ffi::OsStr>) -> Option<u64> {
    let mut total = 0;
    for p in paths {
        if p == "-" {
            return None;
        }
        total += std::fs::metadata(p).ok().filter(|m| m.is_file())?.len();
    }
    Some(total)
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

/// The threads of a run (`--jobs N`; 0 or none: one per core).
pub fn pool(jobs: Option<usize>) -> rayon::ThreadPool {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs.filter(|&n| n > 0) {
        b = b.num_threads(n);
    }
    // Building a pool fails only when threads cannot be spawned; one thread then.
    b.build()
        .or_else(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
        .unwrap_or_else(|_| std::process::abort())
}

/// Runs `work` for inputs `0..n` on `pool`, several at once, and hands each result to
/// `emit` in input order as soon as it and those before it are done, so that what a run
/// writes does not depend on the number of threads. When `emit` breaks, inputs not yet
/// started are skipped.
pub fn in_order<T: Send>(
    pool: &rayon::ThreadPool,
    n: usize,
    work: impl Fn(usize) -> T + Sync,
    mut emit: impl FnMut(T) -> std::ops::ControlFlow<()>,
) {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    let stop = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Option<T>)>();
    std::thread::scope(|s| {
        let (work, stop) = (&work, &stop);
        s.spawn(move || {
            pool.scope_fifo(|ps| {
                for i in 0..n {
                    let tx = tx.clone();
                    ps.spawn_fifo(move |_| {
                        let r = (!stop.load(Ordering::Relaxed)).then(|| work(i));
                        let _ = tx.send((i, r));
                    });
                }
            });
        });
        let mut pending: BTreeMap<usize, Option<T>> = BTreeMap::new();
        let mut next = 0;
        for (i, r) in rx {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&next) {
                next += 1;
                if let Some(r) = r
                    && !stop.load(Ordering::Relaxed)
                    && emit(r).is_break()
                {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
    });
}

/// A console that keeps one input's messages to say them later, in input order; the
/// progress of reading goes straight through.
pub struct Held<'c> {
    inner: &'c dyn Console,
    lines: std::sync::Mutex<Vec<String>>,
}

impl<'c> Held<'c> {
    pub fn new(inner: &'c dyn Console) -> Self {
        Held {
            inner,
            lines: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The messages kept.
    pub fn lines(self) -> Vec<String> {
        self.lines.into_inner().unwrap_or_default()
    }
}

impl Console for Held<'_> {
    fn say(&self, line: &str) {
        if let Ok(mut l) = self.lines.lock() {
            l.push(line.to_string());
        }
    }

    fn read(&self, bytes: u64) {
        self.inner.read(bytes);
    }
}

/// A write to standard output failed: how the command stands then.
#[derive(Debug)]
pub struct Stopped {
    pub error: io::Error,
    /// The status of what was seen before.
    pub status: Status,
}

impl Stopped {
    pub fn new(error: io::Error, status: Status) -> Self {
        Stopped { error, status }
    }
}

/// The inputs the arguments name (`--glob` filtering what directories hold).
pub fn found(
    files: &[std::ffi::OsString],
    glob: Option<&str>,
) -> Result<Vec<crate::input::Found>, crate::input::FindError> {
    let glob = glob.map(crate::input::glob).transpose()?;
    crate::input::find(files, glob.as_ref())
}

/// Runs `one` over every input, writing to standard output in input order: straight
/// there one input at a time, or several at once on `pool` with each input's output
/// kept in a temporary file until those before it are written. Returns the highest
/// status; a closed pipe stops the run quietly.
pub fn each_in_order<F>(
    pool: &rayon::ThreadPool,
    found: &[crate::input::Found],
    console: &dyn Console,
    one: F,
) -> Status
where
    F: Fn(&crate::input::Found, &mut dyn io::Write, &dyn Console) -> Result<Status, Stopped> + Sync,
{
    use std::io::{Seek, Write};
    let mut status = Status::Clean;
    let stdout = io::stdout();
    console.start(
        found.len(),
        total_bytes(found.iter().map(|f| f.path.as_os_str())),
    );
    if found.len() == 1 || pool.current_num_threads() == 1 {
        let mut out = io::BufWriter::with_capacity(1 << 16, stdout);
        for f in found {
            let done = pool.install(|| one(f, &mut out, console));
            console.done(0);
            match done {
                Ok(s) => status = status.max(s),
                Err(s) => return write_failed(&s.error, "<stdout>", status.max(s.status), console),
            }
        }
        return wrote(out.flush(), "<stdout>", status, console);
    }
    let work = |i: usize| {
        let held = Held::new(console);
        let done = tempfile::tempfile().map(|mut t| {
            let r = one(&found[i], &mut t, &held);
            (t, r)
        });
        (held.lines(), done)
    };
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout);
    let mut failed: Option<Stopped> = None;
    in_order(pool, found.len(), work, |(lines, done)| {
        let copied = done.and_then(|(mut t, r)| {
            t.seek(io::SeekFrom::Start(0))?;
            io::copy(&mut t, &mut out)?;
            Ok(r)
        });
        lines.iter().for_each(|l| console.say(l));
        console.done(0);
        match copied {
            Ok(Ok(s)) => status = status.max(s),
            Ok(Err(s)) => {
                failed = Some(s);
                return std::ops::ControlFlow::Break(());
            }
            Err(e) => {
                failed = Some(Stopped::new(e, Status::Clean));
                return std::ops::ControlFlow::Break(());
            }
        }
        std::ops::ControlFlow::Continue(())
    });
    if let Some(s) = failed {
        return write_failed(&s.error, "<stdout>", status.max(s.status), console);
    }
    wrote(out.flush(), "<stdout>", status, console)
}
