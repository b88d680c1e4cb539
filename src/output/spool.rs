//! Outputs that can take back what they were given since a mark, so that an interchange
//! found incomplete at its end is never written: a regular file is truncated, a stream
//! (standard output, a pipe, a device) is held in a spool until the writer settles it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// An output whose unsettled tail can be taken back.
pub trait Rewind: Write {
    /// Bytes written so far, settled or not.
    fn written(&self) -> u64;
    /// Removes everything written after `to` (which must not precede the last settle).
    fn rewind(&mut self, to: u64) -> io::Result<()>;
    /// Makes what was written final: a spool passes it on.
    fn settle(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// True when the reader of the output has gone away (a closed pipe).
    fn closed(&self) -> bool {
        false
    }
}

impl Rewind for Vec<u8> {
    fn written(&self) -> u64 {
        self.len() as u64
    }
    fn rewind(&mut self, to: u64) -> io::Result<()> {
        self.truncate(usize::try_from(to).unwrap_or(usize::MAX));
        Ok(())
    }
}

impl<R: Rewind + ?Sized> Rewind for &mut R {
    fn written(&self) -> u64 {
        (**self).written()
    }
    fn rewind(&mut self, to: u64) -> io::Result<()> {
        (**self).rewind(to)
    }
    fn settle(&mut self) -> io::Result<()> {
        (**self).settle()
    }
    fn closed(&self) -> bool {
        (**self).closed()
    }
}

/// Held in memory up to this many bytes, then in an unnamed temporary file.
const MEMORY: usize = 4 << 20;

/// A spool in front of a stream: bytes wait here until `settle`, in memory and, past
/// [`MEMORY`], in an unnamed temporary file (private, gone when the process ends).
pub struct Spool<W: Write> {
    sink: W,
    buf: Vec<u8>,
    file: Option<File>,
    /// Bytes in `file`.
    spilled: u64,
    /// Bytes already passed on.
    settled: u64,
}

impl<W: Write> Spool<W> {
    pub fn new(sink: W) -> Self {
        Spool {
            sink,
            buf: Vec::new(),
            file: None,
            spilled: 0,
            settled: 0,
        }
    }

    /// The stream behind the spool.
    pub fn get_ref(&self) -> &W {
        &self.sink
    }

    /// Settles and flushes, returning the stream.
    pub fn finish(mut self) -> io::Result<W> {
        self.settle()?;
        self.sink.flush()?;
        Ok(self.sink)
    }

    fn spill(&mut self) -> io::Result<()> {
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(tempfile::tempfile()?),
        };
        file.write_all(&self.buf)?;
        self.spilled += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
}

impl<W: Write> Write for Spool<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= MEMORY {
            self.spill()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Rewind for Spool<W> {
    fn written(&self) -> u64 {
        self.settled + self.spilled + self.buf.len() as u64
    }

    fn rewind(&mut self, to: u64) -> io::Result<()> {
        let to = to.max(self.settled) - self.settled;
        if to >= self.spilled {
            self.buf
                .truncate(usize::try_from(to - self.spilled).unwrap_or(usize::MAX));
        } else {
            self.buf.clear();
            if let Some(f) = &mut self.file {
                f.set_len(to)?;
                f.seek(SeekFrom::Start(to))?;
            }
            self.spilled = to;
        }
        Ok(())
    }

    fn settle(&mut self) -> io::Result<()> {
        if let Some(f) = &mut self.file
            && self.spilled > 0
        {
            f.seek(SeekFrom::Start(0))?;
            let copied = io::copy(&mut (&mut *f).take(self.spilled), &mut self.sink)?;
            if copied != self.spilled {
                return Err(io::Error::other("the spool file is shorter than written"));
            }
            f.set_len(0)?;
            f.seek(SeekFrom::Start(0))?;
        }
        self.sink.write_all(&self.buf)?;
        self.settled += self.spilled + self.buf.len() as u64;
        self.spilled = 0;
        self.buf.clear();
        self.sink.flush()
    }
}

impl Rewind for std::fs::File {
    fn written(&self) -> u64 {
        self.metadata().map_or(0, |m| m.len())
    }
    fn rewind(&mut self, to: u64) -> io::Result<()> {
        self.set_len(to)?;
        self.seek(SeekFrom::Start(to)).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewinds_in_memory_and_in_the_file() {
        let mut s = Spool::new(Vec::new());
        s.write_all(b"ISA1").unwrap();
        s.settle().unwrap();
        let mark = s.written();
        s.write_all(&vec![b'x'; MEMORY + 10]).unwrap();
        assert!(s.spilled > 0);
        s.rewind(mark + 3).unwrap();
        s.write_all(b"END").unwrap();
        let out = s.finish().unwrap();
        assert_eq!(out, b"ISA1xxxEND");
    }

    #[test]
    fn rewinding_before_a_settle_keeps_what_was_settled() {
        let mut s = Spool::new(Vec::new());
        s.write_all(b"done").unwrap();
        s.settle().unwrap();
        s.write_all(b"half").unwrap();
        s.rewind(0).unwrap();
        assert_eq!(s.finish().unwrap(), b"done");
    }
}
