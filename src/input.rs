//! Reading inputs: a path, or `-` for standard input.

use std::ffi::OsStr;
use std::io::Read;

/// Reads a whole input. `-` is standard input.
pub fn read(path: &OsStr) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

/// The name used for an input in messages and reports (`<stdin>` for `-`); a name that
/// is not UTF-8 is shown with replacement characters.
pub fn display_name(path: &OsStr) -> String {
    if path == "-" {
        "<stdin>".into()
    } else {
        path.to_string_lossy().into_owned()
    }
}

/// Opens an input for streaming. `-` is standard input.
pub fn open(path: &OsStr) -> std::io::Result<Box<dyn Read>> {
    if path == "-" {
        Ok(Box::new(std::io::stdin().lock()))
    } else {
        Ok(Box::new(std::fs::File::open(path)?))
    }
}

/// A reader that computes the SHA-256 of what passes through it, and remembers whether
/// a read failed (so that a failure is told apart from one of writing).
pub struct Hashing<R> {
    inner: R,
    hasher: sha2::Sha256,
    failed: bool,
}

impl<R: Read> Hashing<R> {
    pub fn new(inner: R) -> Self {
        use sha2::Digest;
        Hashing {
            inner,
            hasher: sha2::Sha256::new(),
            failed: false,
        }
    }

    /// Whether a read failed.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// The hex SHA-256 of everything read.
    pub fn hex(self) -> String {
        use sha2::Digest;
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf).inspect_err(|_| self.failed = true)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// A reader that tells `seen` how many bytes each read returned.
pub struct Counting<R, F> {
    inner: R,
    seen: F,
}

impl<R: Read, F: FnMut(u64)> Counting<R, F> {
    pub fn new(inner: R, seen: F) -> Self {
        Counting { inner, seen }
    }
}

impl<R: Read, F: FnMut(u64)> Read for Counting<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.seen)(n as u64);
        Ok(n)
    }
}

/// The file name standard input gets under `--out-dir`.
pub const STDIN_NAME: &str = "stdin.x12";

/// One input found on the command line: a file, `-`, or a file found under a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// What to open: the argument, or the directory argument joined with `rel`.
    pub path: std::ffi::OsString,
    /// Its path under the directory argument it was found under, else its file name
    /// (`stdin.x12` for standard input): where it goes under `--out-dir`.
    pub rel: std::path::PathBuf,
}

/// Why the inputs cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    #[error("--glob {0}: {1}")]
    Glob(String, String),
    #[error("{0}: cannot read the directory: {1}")]
    Directory(String, std::io::Error),
}

/// A `--glob` pattern, matched against a file's path under its directory argument.
pub fn glob(pattern: &str) -> Result<globset::GlobMatcher, FindError> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| FindError::Glob(crate::echo::cut(pattern), e.kind().to_string()))
}

/// Whether a directory entry is left out of a walk: hidden files and directories, and
/// x837's own temporary files (which are hidden too).
fn hidden(name: &std::ffi::OsStr) -> bool {
    use std::os::unix::ffi::OsStrExt;
    name.as_bytes().first() == Some(&b'.')
}

/// The inputs `args` name, in order: files and `-` as given, directories walked
/// recursively in byte order of their names (hidden entries left out, symlinks to
/// directories not followed), their files filtered by `glob` when given.
pub fn find(
    args: &[std::ffi::OsString],
    glob: Option<&globset::GlobMatcher>,
) -> Result<Vec<Found>, FindError> {
    use std::path::{Path, PathBuf};
    let mut out = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if arg != "-" && std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            walk(path, &PathBuf::new(), glob, &mut out)?;
            continue;
        }
        let rel = if arg == "-" {
            PathBuf::from(STDIN_NAME)
        } else {
            path.file_name()
                .map_or_else(|| PathBuf::from(STDIN_NAME), PathBuf::from)
        };
        out.push(Found {
            path: arg.clone(),
            rel,
        });
    }
    Ok(out)
}

fn walk(
    root: &std::path::Path,
    under: &std::path::Path,
    glob: Option<&globset::GlobMatcher>,
    out: &mut Vec<Found>,
) -> Result<(), FindError> {
    let dir = root.join(under);
    let shown = dir.to_string_lossy().into_owned();
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(&dir)
        .and_then(|r| r.collect::<Result<_, _>>())
        .map_err(|e| FindError::Directory(shown, e))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if hidden(&name) {
            continue;
        }
        let rel = under.join(&name);
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            walk(root, &rel, glob, out)?;
            continue;
        }
        // A symlink counts as the file it names; to a directory, it is not followed.
        let is_file = kind.is_file() || (kind.is_symlink() && e.path().is_file());
        if is_file && glob.is_none_or(|g| g.is_match(&rel)) {
            out.push(Found {
                path: root.join(&rel).into_os_string(),
                rel,
            });
        }
    }
    Ok(())
}
