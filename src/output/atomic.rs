//! A regular file replaced atomically: written to an unnamed temporary file (`O_TMPFILE`)
//! in the target's directory, synced, and linked in only when complete, so a reader sees
//! the old file or the whole new one, and a run killed even by SIGKILL leaves nothing.
//!
//! Where the file system has no unnamed temporaries, a hidden named one (`.x837-*.tmp`,
//! removed when dropped) is used instead.

use std::fs::{self, File};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{AtFlags, CWD, Mode, OFlags};
use rustix::io::Errno;

use super::spool::Rewind;

/// Prefix and suffix of x837's temporary files (batch directory walks skip them).
pub const TEMP_PREFIX: &str = ".x837-";
pub const TEMP_SUFFIX: &str = ".tmp";

enum Temp {
    /// Unnamed: vanishes with the last descriptor.
    Unnamed(File),
    /// Named: removed on drop unless persisted.
    Named(tempfile::NamedTempFile),
}

/// An output file being written; nothing appears at its path until `commit`.
pub struct AtomicFile {
    file: BufWriter<Temp>,
    real: PathBuf,
    /// Bytes written so far.
    len: u64,
}

impl Write for Temp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Temp::Unnamed(f) => f.write(buf),
            Temp::Named(f) => f.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Temp::Unnamed(f) => f.flush(),
            Temp::Named(f) => f.flush(),
        }
    }
}

fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A fresh hidden name in `dir`, for the moment between link and rename.
fn temp_name(dir: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    dir.join(format!(
        "{TEMP_PREFIX}{}-{n}-{nanos:08x}{TEMP_SUFFIX}",
        std::process::id()
    ))
}

/// Gives the unnamed file `file` the name `to` (which must not exist).
fn link(file: &File, to: &Path) -> io::Result<()> {
    // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd works for anyone.
    match rustix::fs::linkat(file, "", CWD, to, AtFlags::EMPTY_PATH) {
        Ok(()) => Ok(()),
        Err(Errno::EXIST) => Err(Errno::EXIST.into()),
        Err(_) => {
            use std::os::fd::AsRawFd;
            let proc = format!("/proc/self/fd/{}", file.as_raw_fd());
            rustix::fs::linkat(CWD, proc.as_str(), CWD, to, AtFlags::SYMLINK_FOLLOW)
                .map_err(io::Error::from)
        }
    }
}

impl AtomicFile {
    /// Starts a replacement of the regular file `real` (already resolved through
    /// symlinks) with permission bits `mode` (the umask still applies).
    pub fn create(real: &Path, mode: u32) -> io::Result<Self> {
        let dir = directory(real);
        let flags = OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC;
        let temp = match rustix::fs::openat(CWD, dir, flags, Mode::from_bits_truncate(mode)) {
            Ok(fd) => Temp::Unnamed(File::from(fd)),
            // No unnamed temporaries on this file system (or kernel): a named one.
            Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL | Errno::NOSYS) => {
                use std::os::unix::fs::PermissionsExt;
                let mut b = tempfile::Builder::new();
                b.prefix(TEMP_PREFIX)
                    .suffix(TEMP_SUFFIX)
                    .permissions(fs::Permissions::from_mode(mode));
                Temp::Named(b.tempfile_in(dir)?)
            }
            Err(e) => return Err(e.into()),
        };
        Ok(AtomicFile {
            file: BufWriter::with_capacity(1 << 16, temp),
            real: real.to_path_buf(),
            len: 0,
        })
    }

    /// Flushes, syncs and puts the file in place of its target, keeping the old one as
    /// `backup` (which must not exist: it is never overwritten).
    pub fn commit_keeping(self, backup: &Path) -> io::Result<()> {
        fs::hard_link(&self.real, backup).or_else(|e| {
            // No hard links here (or across devices): a copy, never over an existing file.
            if e.kind() == io::ErrorKind::AlreadyExists {
                return Err(e);
            }
            let mut from = File::open(&self.real)?;
            let mut to = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(backup)?;
            io::copy(&mut from, &mut to)?;
            to.sync_all()
        })?;
        self.commit()
    }

    /// Flushes, syncs and puts the file in place of its target.
    pub fn commit(self) -> io::Result<()> {
        let temp = self.file.into_inner().map_err(|e| e.into_error())?;
        let dir = directory(&self.real).to_path_buf();
        match temp {
            Temp::Named(t) => {
                t.as_file().sync_all()?;
                t.persist(&self.real).map_err(|e| e.error)?;
            }
            Temp::Unnamed(f) => {
                f.sync_all()?;
                match link(&f, &self.real) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        let name = temp_name(&dir);
                        link(&f, &name)?;
                        if let Err(e) = fs::rename(&name, &self.real) {
                            let _ = fs::remove_file(&name);
                            return Err(e);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        // The new name is durable once its directory is synced (not every file system
        // can sync a directory; the data itself is already synced).
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Discards what was written: the target is left as it was.
    pub fn discard(self) {}

    /// Discards what was written and removes the target, if it is there (nothing is the
    /// new version), keeping the old one as `backup` when given.
    pub fn remove(self, backup: Option<&Path>) -> io::Result<()> {
        if let Some(b) = backup {
            fs::hard_link(&self.real, b)?;
        }
        match fs::remove_file(&self.real) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if let Ok(d) = File::open(directory(&self.real)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Temp {
    fn file(&mut self) -> &mut File {
        match self {
            Temp::Unnamed(f) => f,
            Temp::Named(t) => t.as_file_mut(),
        }
    }
}

impl Rewind for AtomicFile {
    fn written(&self) -> u64 {
        self.len
    }

    fn rewind(&mut self, to: u64) -> io::Result<()> {
        if to >= self.len {
            return Ok(());
        }
        self.file.flush()?;
        let f = self.file.get_mut().file();
        f.set_len(to)?;
        f.seek(SeekFrom::Start(to))?;
        self.len = to;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
