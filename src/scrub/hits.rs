//! What the cross-claim rules find ([`Hit`]s), put in report order (input, then segment)
//! as they come: a few thousand are held in memory, the rest go to a temporary file in
//! sorted runs, merged back when the findings are made. Memory does not grow with how
//! much the rules find.
//!
//! The order is that of one stable sort of every hit in the order the rules made them:
//! each run is sorted stably, and the merge takes the earlier run on a tie.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;

use super::index::{LINE, Line, le_u32};
use crate::report::{RuleId, Severity};

/// A record's bytes before its message: rule, severity, whether `other` is there, the two
/// lines, the message's length.
const HEAD: usize = 3 + 2 * LINE + 4;

/// A finding of a cross-claim rule: on `line`, naming `other` when there is one.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: RuleId,
    pub severity: Severity,
    pub line: Line,
    pub other: Option<Line>,
    /// The message; `{other}` is replaced by how the other claim is named.
    pub message: String,
}

impl Hit {
    /// Where the hit goes in the report: its input, then its segment.
    fn place(&self) -> (u32, u32) {
        (self.line.input, self.line.segment)
    }

    /// Writes the hit as a record; the record's length.
    fn write(&self, out: &mut impl Write) -> io::Result<u64> {
        let rule = RuleId::ALL
            .iter()
            .position(|r| *r == self.rule)
            .unwrap_or(0);
        let severity = match self.severity {
            Severity::Info => 0u8,
            Severity::Warning => 1,
            Severity::Error => 2,
        };
        out.write_all(&[rule as u8, severity, u8::from(self.other.is_some())])?;
        out.write_all(&self.line.to_bytes())?;
        out.write_all(&self.other.unwrap_or(self.line).to_bytes())?;
        out.write_all(&(self.message.len() as u32).to_le_bytes())?;
        out.write_all(self.message.as_bytes())?;
        Ok((HEAD + self.message.len()) as u64)
    }

    /// The hit written at the start of `b` and its length, or `None` if `b` does not hold
    /// all of it yet.
    fn read(b: &[u8]) -> io::Result<Option<(Hit, usize)>> {
        if b.len() < HEAD {
            return Ok(None);
        }
        let end = HEAD + le_u32(b, HEAD - 4) as usize;
        if b.len() < end {
            return Ok(None);
        }
        let line = |at: usize| Line::from_bytes(b[at..at + LINE].try_into().unwrap_or(&[0; LINE]));
        let bad = || io::Error::other("a cross-claim finding's record is not one x837 wrote");
        let hit = Hit {
            rule: *RuleId::ALL.get(usize::from(b[0])).ok_or_else(bad)?,
            severity: match b[1] {
                0 => Severity::Info,
                1 => Severity::Warning,
                2 => Severity::Error,
                _ => return Err(bad()),
            },
            line: line(3),
            other: (b[2] == 1).then(|| line(3 + LINE)),
            message: String::from_utf8(b[HEAD..end].to_vec()).map_err(|_| bad())?,
        };
        Ok(Some((hit, end)))
    }
}

/// How many hits are held in memory before they go to the file as a sorted run.
const HELD: usize = 1 << 13;

/// The hits of one run of the cross-claim rules; see the module's documentation.
#[derive(Default)]
pub struct Hits {
    held: Vec<Hit>,
    held_limit: usize,
    file: Option<BufWriter<File>>,
    /// The runs in the file: (start, end) offsets.
    runs: Vec<(u64, u64)>,
    written: u64,
    failed: Option<io::Error>,
}

impl Hits {
    pub fn new() -> Self {
        Hits::with_limit(HELD)
    }

    /// Hits holding at most `limit` in memory (tests use small ones).
    pub(super) fn with_limit(limit: usize) -> Self {
        Hits {
            held_limit: limit.max(1),
            ..Hits::default()
        }
    }

    pub fn push(&mut self, hit: Hit) {
        self.held.push(hit);
        if self.held.len() >= self.held_limit {
            if let Err(e) = self.spill() {
                self.failed.get_or_insert(e);
            }
            self.held.clear();
        }
    }

    pub fn extend(&mut self, hits: impl IntoIterator<Item = Hit>) {
        for h in hits {
            self.push(h);
        }
    }

    /// Writes the held hits to the file as one sorted run.
    fn spill(&mut self) -> io::Result<()> {
        if self.failed.is_some() {
            return Ok(());
        }
        self.held.sort_by_key(Hit::place);
        let file = match &mut self.file {
            Some(f) => f,
            None => (self.file).insert(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?)),
        };
        let start = self.written;
        for h in &self.held {
            self.written += h.write(file)?;
        }
        self.runs.push((start, self.written));
        Ok(())
    }

    /// Every hit, in report order, each handed to `each`; stops at the first error (of
    /// `each`, or of the temporary file).
    pub fn each(mut self, mut each: impl FnMut(Hit) -> io::Result<()>) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let mut held = std::mem::take(&mut self.held);
        held.sort_by_key(Hit::place);
        let file = match self.file.take() {
            None => {
                return held.into_iter().try_for_each(each);
            }
            Some(f) => f.into_inner().map_err(io::IntoInnerError::into_error)?,
        };
        let mut sources: Vec<Source<'_>> = (self.runs.iter())
            .map(|&(at, end)| Source::Run(Reader::new(&file, at, end)))
            .collect();
        sources.push(Source::Held(held.into_iter()));
        // The next hit of each source, by (place, source): the earlier source on a tie.
        let mut heads: Vec<Option<Hit>> = Vec::with_capacity(sources.len());
        let mut heap = BinaryHeap::new();
        for (i, s) in sources.iter_mut().enumerate() {
            let h = s.next()?;
            if let Some(h) = &h {
                heap.push(Reverse((h.place(), i)));
            }
            heads.push(h);
        }
        while let Some(Reverse((_, i))) = heap.pop() {
            let next = sources[i].next()?;
            if let Some(h) = &next {
                heap.push(Reverse((h.place(), i)));
            }
            if let Some(h) = std::mem::replace(&mut heads[i], next) {
                each(h)?;
            }
        }
        Ok(())
    }
}

enum Source<'f> {
    Run(Reader<'f>),
    Held(std::vec::IntoIter<Hit>),
}

impl Source<'_> {
    fn next(&mut self) -> io::Result<Option<Hit>> {
        match self {
            Source::Run(r) => r.next(),
            Source::Held(h) => Ok(h.next()),
        }
    }
}

/// Reads one run of the file, a buffer at a time.
struct Reader<'f> {
    file: &'f File,
    at: u64,
    end: u64,
    buf: Vec<u8>,
    start: usize,
}

impl<'f> Reader<'f> {
    const CHUNK: usize = 1 << 14;

    fn new(file: &'f File, at: u64, end: u64) -> Self {
        Reader {
            file,
            at,
            end,
            buf: Vec::new(),
            start: 0,
        }
    }

    fn next(&mut self) -> io::Result<Option<Hit>> {
        loop {
            if let Some((hit, n)) = Hit::read(&self.buf[self.start..])? {
                self.start += n;
                return Ok(Some(hit));
            }
            if self.at >= self.end {
                if self.start < self.buf.len() {
                    return Err(io::Error::other(
                        "a cross-claim finding's record is cut short",
                    ));
                }
                return Ok(None);
            }
            self.buf.drain(..self.start);
            self.start = 0;
            let n = (Self::CHUNK as u64).min(self.end - self.at) as usize;
            let old = self.buf.len();
            self.buf.resize(old + n, 0);
            self.file.read_exact_at(&mut self.buf[old..], self.at)?;
            self.at += n as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(input: u32, segment: u32, message: &str, other: bool) -> Hit {
        let line = Line::at(input, segment);
        Hit {
            rule: RuleId::DoseInterval,
            severity: if other {
                Severity::Error
            } else {
                Severity::Warning
            },
            line,
            other: other.then(|| Line::at(input + 1, segment + 7)),
            message: message.to_string(),
        }
    }

    fn collect(hits: Hits) -> Vec<(u32, u32, String, Option<u32>, Severity)> {
        let mut out = Vec::new();
        hits.each(|h| {
            out.push((
                h.line.input,
                h.line.segment,
                h.message,
                h.other.map(|o| o.segment),
                h.severity,
            ));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn spilled_or_held_the_order_is_one_stable_sort() {
        // Places repeat (ties keep the order they came in), messages of every length.
        let made: Vec<Hit> = (0..500u32)
            .map(|i| {
                let m = "x".repeat((i as usize * 37) % 300) + &i.to_string();
                hit((i * 7) % 3, (i * 13) % 50, &m, i % 2 == 0)
            })
            .collect();
        let mut expected: Vec<Hit> = made.clone();
        expected.sort_by_key(Hit::place);
        let expected: Vec<_> = expected
            .into_iter()
            .map(|h| {
                let sev = h.severity;
                (
                    h.line.input,
                    h.line.segment,
                    h.message,
                    h.other.map(|o| o.segment),
                    sev,
                )
            })
            .collect();
        for limit in [1, 3, 64, 499, 500, 10_000] {
            let mut hits = Hits::with_limit(limit);
            hits.extend(made.iter().cloned());
            assert_eq!(
                hits.runs.len(),
                500 / limit.min(10_000),
                "limit {limit}: runs in the file"
            );
            assert!(hits.held.len() < limit);
            assert_eq!(collect(hits), expected, "limit {limit}");
        }
    }

    #[test]
    fn none_held_none_found() {
        assert!(collect(Hits::new()).is_empty());
    }
}
