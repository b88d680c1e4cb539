//! Writing outputs. A regular file is replaced atomically (an unnamed temporary file in
//! its directory, linked in once complete); standard output, standard error, character
//! devices, FIFOs, sockets and `/dev/fd/N` are written in place, never replaced.

mod atomic;
pub mod plan;
mod spool;
mod target;

use std::fs::{self, File};
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;

pub use atomic::{AtomicFile, TEMP_PREFIX, TEMP_SUFFIX};
pub use plan::{Plan, PlanError};
pub use spool::{Rewind, Spool};
pub use target::{Identity, Target, TargetError};

/// Permission bits of an output: never more readable than its inputs (the owner may
/// always read and write it). `inputs` are the inputs' permission bits.
pub fn mode_for(inputs: impl IntoIterator<Item = u32>) -> u32 {
    let shared = inputs.into_iter().fold(0o066, |m, i| m & i);
    0o600 | (shared & 0o066)
}

/// The permission bits of a file, or of standard input for `None`.
pub fn mode_of(path: Option<&Path>) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    match path {
        Some(p) => fs::metadata(p).map_or(0o600, |m| m.permissions().mode() & 0o777),
        None => rustix::fs::fstat(io::stdin()).map_or(0o600, |s| s.st_mode & 0o777),
    }
}

/// A stream written in place.
enum Stream {
    Stdout(io::Stdout),
    Stderr(io::Stderr),
    Direct(File),
    Socket(UnixStream),
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Stdout(w) => w.write(buf),
            Stream::Stderr(w) => w.write(buf),
            Stream::Direct(w) => w.write(buf),
            Stream::Socket(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Stdout(w) => w.write_all(buf),
            Stream::Stderr(w) => w.write_all(buf),
            Stream::Direct(w) => w.write_all(buf),
            Stream::Socket(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Stdout(w) => w.flush(),
            Stream::Stderr(w) => w.flush(),
            Stream::Direct(w) => w.flush(),
            Stream::Socket(w) => w.flush(),
        }
    }
}

impl Stream {
    fn closed(&self) -> bool {
        match self {
            Stream::Stdout(_) => hung_up(io::stdout().as_fd()),
            Stream::Direct(f) => hung_up(f.as_fd()),
            Stream::Socket(s) => hung_up(s.as_fd()),
            Stream::Stderr(_) => false,
        }
    }
}

enum Sink {
    /// What is written waits in a spool until settled (see [`Rewind`]).
    Stream(Spool<Stream>),
    File(AtomicFile),
    /// A file whose old version is kept as the path given.
    Keeping(AtomicFile, std::path::PathBuf),
}

/// An open output. Call `commit` when everything is written; dropping it instead leaves
/// a regular-file target as it was and writes nothing more to a stream.
pub struct Output {
    sink: Sink,
}

impl Output {
    /// Opens `target`; a regular file gets permission bits `mode`.
    pub fn open(target: &Target, mode: u32) -> io::Result<Output> {
        let stream = match target {
            Target::Stdout => Stream::Stdout(io::stdout()),
            Target::Stderr => Stream::Stderr(io::stderr()),
            Target::Direct { path, socket: true } => Stream::Socket(UnixStream::connect(path)?),
            Target::Direct { path, .. } => {
                // `/dev/fd/N` naming a regular file reopens it: append, as the shell's
                // redirection would.
                let regular = fs::metadata(path).is_ok_and(|m| m.is_file());
                let f = fs::OpenOptions::new()
                    .write(true)
                    .append(regular)
                    .open(path)?;
                Stream::Direct(f)
            }
            Target::InPlace { path, backup } => {
                return Ok(Output {
                    sink: Sink::Keeping(AtomicFile::create(path, mode)?, backup.clone()),
                });
            }
            Target::File { real, .. } => {
                // An existing file keeps permissions at least as strict as it had.
                let mode = match fs::metadata(real) {
                    Ok(m) => {
                        use std::os::unix::fs::PermissionsExt;
                        mode & (m.permissions().mode() | 0o600)
                    }
                    Err(_) => mode,
                };
                return Ok(Output {
                    sink: Sink::File(AtomicFile::create(real, mode)?),
                });
            }
        };
        Ok(Output {
            sink: Sink::Stream(Spool::new(stream)),
        })
    }

    /// Finishes the output: settles and flushes it and, for a regular file, puts it in
    /// place.
    pub fn commit(self) -> io::Result<()> {
        match self.sink {
            Sink::Stream(s) => s.finish().map(drop),
            Sink::File(f) => f.commit(),
            Sink::Keeping(f, backup) => f.commit_keeping(&backup),
        }
    }

    /// Finishes an output that holds nothing: a regular-file target is removed if it is
    /// there (an input rewritten in place is kept as its backup only); nothing is
    /// written to a stream.
    pub fn commit_nothing(self) -> io::Result<()> {
        match self.sink {
            Sink::Stream(s) => s.finish().map(drop),
            Sink::File(f) => f.remove(None),
            Sink::Keeping(f, backup) => f.remove(Some(&backup)),
        }
    }
}

impl Rewind for Output {
    fn written(&self) -> u64 {
        match &self.sink {
            Sink::Stream(s) => s.written(),
            Sink::File(f) | Sink::Keeping(f, _) => f.written(),
        }
    }

    fn rewind(&mut self, to: u64) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stream(s) => s.rewind(to),
            Sink::File(f) | Sink::Keeping(f, _) => f.rewind(to),
        }
    }

    fn settle(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stream(s) => s.settle(),
            Sink::File(f) | Sink::Keeping(f, _) => f.settle(),
        }
    }

    fn closed(&self) -> bool {
        match &self.sink {
            Sink::Stream(s) => s.get_ref().closed(),
            Sink::File(_) | Sink::Keeping(..) => false,
        }
    }
}

/// Whether the far end of `fd` is closed (a pipe whose reader exited gives POLLERR).
fn hung_up(fd: BorrowedFd<'_>) -> bool {
    use rustix::event::{PollFd, PollFlags, poll};
    let mut fds = [PollFd::new(&fd, PollFlags::empty())];
    let zero = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match poll(&mut fds, Some(&zero)) {
        Ok(n) if n > 0 => fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP),
        _ => false,
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stream(w) => w.write(buf),
            Sink::File(w) | Sink::Keeping(w, _) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stream(w) => w.flush(),
            Sink::File(w) | Sink::Keeping(w, _) => w.flush(),
        }
    }
}

/// Writes `bytes` to `target` in one go.
pub fn write_to(target: &Target, mode: u32, bytes: &[u8]) -> io::Result<()> {
    let mut out = Output::open(target, mode)?;
    out.write_all(bytes)?;
    out.commit()
}
