//! Where a run's findings wait for the report: in memory up to a bound, then as JSON
//! lines in an unnamed temporary file, so memory does not grow with the findings. Read
//! back once the input is done, in the order they were added. The claims the worklist
//! shows ([`ClaimFacts`]) wait beside them the same way.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ClaimFacts, Finding, Tally};

/// Items held in memory before they go to the temporary file.
const MEMORY: usize = 2048;

/// Where findings are added as they are made.
pub trait FindingSink {
    /// Adds one finding.
    fn push(&mut self, f: Finding) -> io::Result<()>;
    /// Findings added so far.
    fn len(&self) -> usize;
    /// Whether none was added.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Marks every finding from index `from` on as not fixed: they were made on a part
    /// of the input that is left out of the output.
    fn unfix(&mut self, from: usize);
    /// Adds the claims of one transaction, after its findings (for the worklist; a sink
    /// that does not show claims drops them).
    fn claims(&mut self, _claims: Vec<ClaimFacts>) -> io::Result<()> {
        Ok(())
    }
    /// Claims added so far.
    fn claims_len(&self) -> usize {
        0
    }
    /// Marks every claim from index `from` on as left out of the output.
    fn leave_out_claims(&mut self, _from: usize) {}
}

/// Takes back what a finding says was done to the output.
pub fn unfix(f: &mut Finding) {
    f.fixed = false;
    f.would_fix = false;
    f.before = None;
    f.after = None;
}

impl FindingSink for Vec<Finding> {
    fn push(&mut self, f: Finding) -> io::Result<()> {
        Vec::push(self, f);
        Ok(())
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn unfix(&mut self, from: usize) {
        if let Some(tail) = self.get_mut(from..) {
            tail.iter_mut().for_each(unfix);
        }
    }
}

/// Items a finished spool keeps in memory at most (see [`FindingSpool::finish`]).
const KEEP: usize = 64;

/// Items in memory up to [`MEMORY`], then as JSON lines in an unnamed temporary file.
#[derive(Debug)]
struct JsonLines<T> {
    /// Items not yet in the file (after `spilled` of them).
    mem: Vec<T>,
    file: Option<BufWriter<File>>,
    /// Items in the file.
    spilled: usize,
}

impl<T> Default for JsonLines<T> {
    fn default() -> Self {
        JsonLines {
            mem: Vec::new(),
            file: None,
            spilled: 0,
        }
    }
}

impl<T: Serialize + DeserializeOwned + Clone> JsonLines<T> {
    fn len(&self) -> usize {
        self.spilled + self.mem.len()
    }

    fn push(&mut self, item: T) -> io::Result<()> {
        self.mem.push(item);
        if self.mem.len() >= MEMORY {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        let file = match &mut self.file {
            Some(f) => f,
            None => self
                .file
                .insert(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?)),
        };
        for item in self.mem.drain(..) {
            serde_json::to_writer(&mut *file, &item).map_err(io::Error::other)?;
            file.write_all(b"\n")?;
            self.spilled += 1;
        }
        Ok(())
    }

    /// Makes everything added readable.
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }

    /// Every item in order (call `flush` first).
    fn iter(&self) -> Items<'_, T> {
        let lines = self.file.as_ref().map(|w| {
            BufReader::with_capacity(
                1 << 16,
                At {
                    file: w.get_ref(),
                    at: 0,
                },
            )
            .lines()
        });
        Items {
            of: self,
            lines,
            i: 0,
        }
    }
}

/// The items of a [`JsonLines`], read back in order.
struct Items<'s, T> {
    of: &'s JsonLines<T>,
    lines: Option<io::Lines<BufReader<At<'s>>>>,
    i: usize,
}

impl<T: DeserializeOwned + Clone> Iterator for Items<'_, T> {
    type Item = io::Result<T>;

    fn next(&mut self) -> Option<io::Result<T>> {
        let i = self.i;
        self.i += 1;
        if i < self.of.spilled {
            let line = match self.lines.as_mut()?.next()? {
                Ok(l) => l,
                Err(e) => return Some(Err(e)),
            };
            return Some(serde_json::from_str(&line).map_err(io::Error::other));
        }
        self.of.mem.get(i - self.of.spilled).cloned().map(Ok)
    }
}

/// The findings of one input, and its claims.
#[derive(Debug, Default)]
pub struct FindingSpool {
    findings: JsonLines<Finding>,
    /// Ranges of findings to read back as not fixed.
    unfixed: Vec<Range<usize>>,
    claims: JsonLines<ClaimFacts>,
    /// Ranges of claims left out of the output.
    claims_left_out: Vec<Range<usize>>,
    /// The findings' tally as they were added and unfixed, so `finish` need not read
    /// them back...
    tally: Tally,
    /// ...unless findings already in the file were unfixed.
    recount: bool,
}

/// The findings of a [`FindingSpool`], read back in order with what was taken back
/// applied.
pub struct Findings<'s> {
    items: Items<'s, Finding>,
    unfixed: &'s [Range<usize>],
}

impl Iterator for Findings<'_> {
    type Item = io::Result<Finding>;

    fn next(&mut self) -> Option<io::Result<Finding>> {
        let i = self.items.i;
        let mut f = self.items.next()?;
        if let Ok(f) = &mut f
            && self.unfixed.iter().any(|r| r.contains(&i))
        {
            unfix(f);
        }
        Some(f)
    }
}

impl FindingSpool {
    pub fn new() -> Self {
        FindingSpool::default()
    }

    /// The findings in order, marks applied (after `finish`).
    pub fn iter(&self) -> Findings<'_> {
        Findings {
            items: self.findings.iter(),
            unfixed: &self.unfixed,
        }
    }

    /// Calls `each` with every finding in order, marks applied.
    pub fn for_each(&self, mut each: impl FnMut(Finding) -> io::Result<()>) -> io::Result<()> {
        for f in self.iter() {
            each(f?)?;
        }
        Ok(())
    }

    /// Calls `each` with every claim in order (after `finish`), its `left_out` set when
    /// its part of the input was left out.
    pub fn for_each_claim(
        &self,
        mut each: impl FnMut(ClaimFacts) -> io::Result<()>,
    ) -> io::Result<()> {
        for (i, c) in self.claims.iter().enumerate() {
            let mut c = c?;
            c.left_out |= self.claims_left_out.iter().any(|r| r.contains(&i));
            each(c)?;
        }
        Ok(())
    }

    /// Makes everything added readable (flushes the files); the tally of the findings.
    /// An input's spool waits for the report with the other inputs' (one per file of a
    /// batch): past [`KEEP`] items, what it holds in memory goes to its file first.
    pub fn finish(&mut self) -> io::Result<Tally> {
        if self.findings.mem.len() > KEEP {
            self.findings.spill()?;
        }
        if self.claims.mem.len() > KEEP {
            self.claims.spill()?;
        }
        // What waits holds no room for more (a batch keeps one spool per input).
        self.findings.mem.shrink_to_fit();
        self.claims.mem.shrink_to_fit();
        self.findings.flush()?;
        self.claims.flush()?;
        if self.recount {
            let mut t = Tally::default();
            self.for_each(|f| {
                t.add_one(&f);
                Ok(())
            })?;
            self.tally = t;
            self.recount = false;
        }
        Ok(self.tally)
    }
}

impl From<Vec<Finding>> for FindingSpool {
    /// A spool of findings already in memory (for a library caller's report).
    fn from(mem: Vec<Finding>) -> Self {
        FindingSpool {
            tally: Tally::of(&mem),
            findings: JsonLines {
                mem,
                ..JsonLines::default()
            },
            ..FindingSpool::default()
        }
    }
}

impl FindingSink for FindingSpool {
    fn push(&mut self, f: Finding) -> io::Result<()> {
        self.tally.add_one(&f);
        self.findings.push(f)
    }

    fn len(&self) -> usize {
        self.findings.len()
    }

    fn unfix(&mut self, from: usize) {
        let to = self.len();
        let spilled = self.findings.spilled;
        // Ranges in memory can be changed at once; the file's are applied on reading.
        for f in self
            .findings
            .mem
            .iter_mut()
            .skip(from.saturating_sub(spilled))
        {
            self.tally.unfix_one(f);
            unfix(f);
        }
        if from < spilled {
            self.unfixed.push(from..spilled.min(to));
            self.recount = true;
        }
    }

    fn claims(&mut self, claims: Vec<ClaimFacts>) -> io::Result<()> {
        claims.into_iter().try_for_each(|c| self.claims.push(c))
    }

    fn claims_len(&self) -> usize {
        self.claims.len()
    }

    fn leave_out_claims(&mut self, from: usize) {
        let to = self.claims.len();
        if from < to {
            self.claims_left_out.push(from..to);
        }
    }
}

/// A reader over a file at its own position (the file's own offset is the writer's).
struct At<'f> {
    file: &'f File,
    at: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Position, RuleId, Severity};

    fn finding(n: usize, fixed: bool) -> Finding {
        let mut f = Finding::new(
            RuleId::NdcMissing,
            Severity::Error,
            format!("f{n}"),
            Position {
                segment: n,
                ..Position::default()
            },
        );
        f.fixed = fixed;
        f.after = Some("x".into());
        f
    }

    #[test]
    fn reads_back_in_order_with_unfixed_ranges_past_memory() {
        let mut s = FindingSpool::new();
        let n = MEMORY * 2 + 10;
        for i in 0..n {
            s.push(finding(i, true)).unwrap();
        }
        assert!(s.findings.spilled > 0);
        // From the middle of the file to the end of memory.
        s.unfix(MEMORY + 5);
        let t = s.finish().unwrap();
        assert_eq!(t.findings, n);
        assert_eq!(t.fixed, MEMORY + 5);
        assert_eq!(t.errors, n - MEMORY - 5);
        let mut seen = 0;
        s.for_each(|f| {
            assert_eq!(f.position.segment, seen);
            assert_eq!(f.fixed, seen < MEMORY + 5, "{seen}");
            assert_eq!(f.after.is_some(), seen < MEMORY + 5);
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, n);
    }

    /// The tally kept as findings come equals a recount of what is read back: unfixed in
    /// memory, in the file, and findings added after `finish`.
    #[test]
    fn the_tally_kept_is_the_tally_read_back() {
        let recount = |s: &FindingSpool| {
            let mut t = Tally::default();
            s.for_each(|f| {
                t.add_one(&f);
                Ok(())
            })
            .unwrap();
            t
        };
        for (n, from) in [(10, 4), (MEMORY + 50, MEMORY + 20), (MEMORY * 2, 7)] {
            let mut s = FindingSpool::new();
            for i in 0..n {
                let mut f = finding(i, i % 3 != 0);
                f.would_fix = i % 7 == 0 && !f.fixed;
                if i % 5 == 0 {
                    f.severity = Severity::Warning;
                }
                s.push(f).unwrap();
            }
            s.unfix(from);
            let t = s.finish().unwrap();
            assert_eq!(t, recount(&s), "{n} findings, unfixed from {from}");
            assert!(t.errors > 0 && t.warnings > 0);
            s.push(finding(n, true)).unwrap();
            s.push(finding(n + 1, false)).unwrap();
            let late = s.finish().unwrap();
            assert_eq!(late, recount(&s), "{n} findings and 2 late");
            assert_eq!(late.findings, n + 2);
        }
    }

    #[test]
    fn claims_read_back_in_order_with_left_out_ranges() {
        let mut s = FindingSpool::new();
        let n = MEMORY * 2 + 3;
        for i in 0..n {
            let c = ClaimFacts {
                id: format!("C{i}"),
                ..ClaimFacts::default()
            };
            s.claims(vec![c]).unwrap();
        }
        assert!(s.claims.spilled > 0);
        assert_eq!(s.claims_len(), n);
        s.leave_out_claims(n - 5);
        s.finish().unwrap();
        let mut seen = 0;
        s.for_each_claim(|c| {
            assert_eq!(c.id, format!("C{seen}"));
            assert_eq!(c.left_out, seen >= n - 5);
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, n);
    }
}
