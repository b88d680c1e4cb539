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

/// A reader that computes the SHA-256 of what passes through it.
pub struct Hashing<R> {
    inner: R,
    hasher: sha2::Sha256,
}

impl<R: Read> Hashing<R> {
    pub fn new(inner: R) -> Self {
        use sha2::Digest;
        Hashing {
            inner,
            hasher: sha2::Sha256::new(),
        }
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
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// A reader that tells `seen` how many bytes have been read so far, after each read.
pub struct Counting<R, F> {
    inner: R,
    read: u64,
    seen: F,
}

impl<R: Read, F: FnMut(u64)> Counting<R, F> {
    pub fn new(inner: R, seen: F) -> Self {
        Counting {
            inner,
            read: 0,
            seen,
        }
    }
}

impl<R: Read, F: FnMut(u64)> Read for Counting<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        (self.seen)(self.read);
        Ok(n)
    }
}
