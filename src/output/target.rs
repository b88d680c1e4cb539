//! What an output argument names: standard output or error, a node written directly (a
//! character device, FIFO, socket, `/dev/fd/N`), or a regular file replaced atomically.
//!
//! Decided before any work, so that nothing that is not a regular file is ever replaced.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Identity of a file system object: device and inode. Two paths name the same file (a
/// symlink, `./in.x12`, a hard link) exactly when their identities are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Identity {
    pub dev: u64,
    pub ino: u64,
}

impl Identity {
    pub fn of(m: &fs::Metadata) -> Self {
        Identity {
            dev: m.dev(),
            ino: m.ino(),
        }
    }
}

/// Where one output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output: `-`, `/dev/stdout`, `/dev/fd/1`.
    Stdout,
    /// Standard error: `/dev/stderr`, `/dev/fd/2`.
    Stderr,
    /// A character device, FIFO, socket or `/dev/fd/N`: opened and written in place.
    Direct { path: PathBuf, socket: bool },
    /// A regular file, existing or not: written to an unnamed temporary file in the
    /// directory of `real` (the path after symlinks) and linked in when complete.
    File { path: PathBuf, real: PathBuf },
    /// An input rewritten in place (`--in-place`): like `File`, and the old file is kept
    /// as `backup` (a hard link made just before the new one is put in place).
    InPlace { path: PathBuf, backup: PathBuf },
}

/// Why an output argument cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("{0}: is a directory")]
    Directory(String),
    #[error("{0}: directory {1} does not exist")]
    NoDirectory(String, String),
    #[error("{0}: {1} is not a directory")]
    NotDirectory(String, String),
    #[error("{0}: not a regular file; --in-place rewrites regular files only")]
    NotRegular(String),
    #[error("{0}: too many levels of symbolic links")]
    SymlinkLoop(String),
    #[error("{0}: cannot be examined: {1}")]
    Io(String, io::Error),
}

/// The number N of `/dev/fd/N`, `/proc/self/fd/N` (and `/dev/stdout`, `/dev/stderr`).
fn fd_number(path: &Path) -> Option<u32> {
    let s = path.as_os_str().as_bytes();
    match s {
        b"/dev/stdout" => return Some(1),
        b"/dev/stderr" => return Some(2),
        _ => {}
    }
    let n = s
        .strip_prefix(b"/dev/fd/")
        .or_else(|| s.strip_prefix(b"/proc/self/fd/"))?;
    std::str::from_utf8(n).ok()?.parse().ok()
}

/// Follows `path` through symlinks (each link relative to its own directory) to what it
/// finally names, which need not exist.
fn follow(path: &Path, shown: &str) -> Result<PathBuf, TargetError> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&at).map_err(|e| TargetError::Io(shown.into(), e))?;
                at = match at.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(TargetError::SymlinkLoop(shown.into()))
}

impl Target {
    /// What `arg` names as an output. `-` is standard output.
    pub fn resolve(arg: &OsStr) -> Result<Target, TargetError> {
        let shown = arg.to_string_lossy().into_owned();
        if arg == "-" {
            return Ok(Target::Stdout);
        }
        let path = Path::new(arg);
        match fd_number(path) {
            Some(1) => return Ok(Target::Stdout),
            Some(2) => return Ok(Target::Stderr),
            Some(_) => {
                return Ok(Target::Direct {
                    path: path.to_path_buf(),
                    socket: false,
                });
            }
            None => {}
        }
        let real = follow(path, &shown)?;
        // A link to /dev/stderr is standard error too.
        match fd_number(&real) {
            Some(1) => return Ok(Target::Stdout),
            Some(2) => return Ok(Target::Stderr),
            Some(_) => {
                return Ok(Target::Direct {
                    path: real,
                    socket: false,
                });
            }
            None => {}
        }
        match fs::metadata(&real) {
            Ok(m) if m.is_dir() => Err(TargetError::Directory(shown)),
            Ok(m) if m.is_file() => Ok(Target::File {
                path: path.to_path_buf(),
                real,
            }),
            Ok(m) => Ok(Target::Direct {
                socket: m.file_type().is_socket(),
                path: real,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let dir = match real.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                match fs::metadata(&dir) {
                    Ok(m) if m.is_dir() => Ok(Target::File {
                        path: path.to_path_buf(),
                        real,
                    }),
                    Ok(_) => Err(TargetError::NotDirectory(shown, dir.display().to_string())),
                    Err(_) => Err(TargetError::NoDirectory(shown, dir.display().to_string())),
                }
            }
            Err(e) => Err(TargetError::Io(shown, e)),
        }
    }

    /// The identity of the file this target replaces or writes, when it is a regular file
    /// that exists (standard output counts when it was redirected to one). Devices and
    /// pipes have none: they are never compared.
    pub fn identity(&self) -> Option<Identity> {
        let m = match self {
            Target::File { real, .. } => fs::metadata(real).ok()?,
            // The input itself, by design.
            Target::InPlace { .. } => return None,
            Target::Direct { path, .. } => fs::metadata(path).ok()?,
            Target::Stdout => {
                let s = rustix::fs::fstat(std::io::stdout()).ok()?;
                let regular = rustix::fs::FileType::from_raw_mode(s.st_mode).is_file();
                return regular.then_some(Identity {
                    dev: s.st_dev,
                    ino: s.st_ino,
                });
            }
            Target::Stderr => return None,
        };
        m.is_file().then(|| Identity::of(&m))
    }

    /// The path a not-yet-existing regular file will get, made absolute, for comparing two
    /// targets that do not exist yet.
    pub fn would_be(&self) -> Option<PathBuf> {
        let Target::File { real, .. } = self else {
            return None;
        };
        let dir = match real.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = fs::canonicalize(dir).ok()?;
        Some(dir.join(real.file_name()?))
    }

    /// The name shown in messages.
    pub fn display(&self) -> String {
        match self {
            Target::Stdout => "<stdout>".into(),
            Target::Stderr => "<stderr>".into(),
            Target::Direct { path, .. }
            | Target::File { path, .. }
            | Target::InPlace { path, .. } => path.to_string_lossy().into_owned(),
        }
    }
}
