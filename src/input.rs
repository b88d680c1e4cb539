//! Reading inputs: a path, or `-` for standard input.

use std::io::Read;

/// Reads a whole input. `-` is standard input.
pub fn read(path: &str) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

/// The name used for an input in messages and reports.
pub fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

/// Opens an input for streaming. `-` is standard input.
pub fn open(path: &str) -> std::io::Result<Box<dyn Read>> {
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

/// A reader that shows how much of a long input has been read, on standard error, when
/// standard error is a terminal (never in a pipeline's logs).
pub struct Progress<R> {
    inner: R,
    name: String,
    read: u64,
    next: u64,
    shown: bool,
    enabled: bool,
}

/// Progress is shown every this many bytes.
const PROGRESS_STEP: u64 = 64 << 20;

impl<R: Read> Progress<R> {
    pub fn new(inner: R, name: &str) -> Self {
        use std::io::IsTerminal;
        Progress {
            inner,
            // Shown on a terminal.
            name: crate::report::echo::escape(name).into_owned(),
            read: 0,
            next: PROGRESS_STEP,
            shown: false,
            enabled: std::io::stderr().is_terminal(),
        }
    }
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.enabled && self.read >= self.next {
            eprint!("\r{}: {} MB read", self.name, self.read >> 20);
            self.shown = true;
            self.next = self.read + PROGRESS_STEP;
        }
        Ok(n)
    }
}

impl<R> Drop for Progress<R> {
    fn drop(&mut self) {
        if self.shown {
            eprint!("\r\x1b[K");
        }
    }
}
