//! Where a run's findings wait for the report: in memory up to a bound, then as JSON
//! lines in an unnamed temporary file, so memory does not grow with the findings. Read
//! back once the input is done, in the order they were added.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;

use super::{Finding, Tally};

/// Findings held in memory before they go to the temporary file.
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

/// The findings of one input.
#[derive(Debug, Default)]
pub struct FindingSpool {
    /// Findings not yet in the file (after `spilled` of them).
    mem: Vec<Finding>,
    file: Option<BufWriter<File>>,
    /// Findings in the file.
    spilled: usize,
    /// Ranges of findings to read back as not fixed.
    unfixed: Vec<Range<usize>>,
}

impl FindingSpool {
    pub fn new() -> Self {
        FindingSpool::default()
    }

    fn spill(&mut self) -> io::Result<()> {
        let file = match &mut self.file {
            Some(f) => f,
            None => self
                .file
                .insert(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?)),
        };
        for f in self.mem.drain(..) {
            serde_json::to_writer(&mut *file, &f).map_err(io::Error::other)?;
            file.write_all(b"\n")?;
            self.spilled += 1;
        }
        Ok(())
    }

    /// Calls `each` with every finding in order, marks applied.
    pub fn for_each(&self, mut each: impl FnMut(Finding) -> io::Result<()>) -> io::Result<()> {
        let unfixed = |i: usize| self.unfixed.iter().any(|r| r.contains(&i));
        let mut i = 0;
        if let Some(w) = &self.file {
            let lines = BufReader::with_capacity(
                1 << 16,
                At {
                    file: w.get_ref(),
                    at: 0,
                },
            );
            for line in lines.lines().take(self.spilled) {
                let mut f: Finding = serde_json::from_str(&line?).map_err(io::Error::other)?;
                if unfixed(i) {
                    unfix(&mut f);
                }
                each(f)?;
                i += 1;
            }
        }
        for f in &self.mem {
            let mut f = f.clone();
            if unfixed(i) {
                unfix(&mut f);
            }
            each(f)?;
            i += 1;
        }
        Ok(())
    }

    /// Makes everything added readable (flushes the file); the tally of the findings.
    pub fn finish(&mut self) -> io::Result<Tally> {
        if let Some(w) = &mut self.file {
            w.flush()?;
        }
        let mut t = Tally::default();
        self.for_each(|f| {
            t.add_one(&f);
            Ok(())
        })?;
        Ok(t)
    }
}

impl From<Vec<Finding>> for FindingSpool {
    /// A spool of findings already in memory (for a library caller's report).
    fn from(mem: Vec<Finding>) -> Self {
        FindingSpool {
            mem,
            ..FindingSpool::default()
        }
    }
}

impl FindingSink for FindingSpool {
    fn push(&mut self, f: Finding) -> io::Result<()> {
        self.mem.push(f);
        if self.mem.len() >= MEMORY {
            self.spill()?;
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.spilled + self.mem.len()
    }

    fn unfix(&mut self, from: usize) {
        let to = self.len();
        // Ranges in memory can be changed at once; the file's are applied on reading.
        for f in self.mem.iter_mut().skip(from.saturating_sub(self.spilled)) {
            unfix(f);
        }
        if from < self.spilled {
            self.unfixed.push(from..self.spilled.min(to));
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
        assert!(s.spilled > 0);
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
}
