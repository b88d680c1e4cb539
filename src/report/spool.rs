//! Where a run's findings wait for the report: in memory up to a bound, then as records
//! in an unnamed temporary file, so memory does not grow with the findings. Read back
//! once the input is done, in the order they were added. The claims the worklist shows
//! ([`ClaimFacts`]) wait beside them the same way.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;

use super::{ClaimFacts, ElementAt, Finding, FixClass, Missing, Position, RuleId, Severity, Tally};

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

/// How an item is kept in the temporary file: one record, its length (4 bytes, little
/// endian) and its bytes.
trait Record: Sized + Clone {
    fn encode(&self, out: &mut Vec<u8>) -> io::Result<()>;
    fn decode(bytes: &[u8]) -> io::Result<Self>;
}

/// A finding in postcard's compact form, through [`StoredFinding`] (`Finding` itself
/// flattens its position, which only a self-describing format reads back). As JSON,
/// reading a finding back cost about 14,000 instructions.
impl Record for Finding {
    fn encode(&self, out: &mut Vec<u8>) -> io::Result<()> {
        *out = postcard::to_extend(&Out(self), std::mem::take(out)).map_err(io::Error::other)?;
        Ok(())
    }
    fn decode(bytes: &[u8]) -> io::Result<Self> {
        let In(f) = postcard::from_bytes(bytes).map_err(io::Error::other)?;
        Ok(f)
    }
}

/// The fields of a [`Finding`] as its record holds them, in order, not flattened, and the
/// rule as its place in [`RuleId::ALL`]: the spool is the run's own. Serde checks the
/// fields against `Finding`'s.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(remote = "Finding")]
struct StoredFinding {
    #[serde(with = "rule_index")]
    rule: RuleId,
    severity: Severity,
    fixed: bool,
    would_fix: bool,
    fix_class: Option<FixClass>,
    claim: Option<String>,
    message: String,
    position: Position,
    loop_path: Option<String>,
    service_line: Option<String>,
    before: Option<String>,
    after: Option<String>,
    element: Option<ElementAt>,
    missing: Option<Missing>,
}

/// A finding to write as a [`StoredFinding`].
struct Out<'a>(&'a Finding);

impl serde::Serialize for Out<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StoredFinding::serialize(self.0, s)
    }
}

/// A finding read back from a [`StoredFinding`].
#[derive(serde::Deserialize)]
struct In(#[serde(with = "StoredFinding")] Finding);

/// A rule as its place in [`RuleId::ALL`].
mod rule_index {
    use super::RuleId;

    pub fn serialize<S: serde::Serializer>(rule: &RuleId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(*rule as u16)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<RuleId, D::Error> {
        let i = <u16 as serde::Deserialize>::deserialize(d)?;
        (RuleId::ALL.get(usize::from(i)).copied())
            .ok_or_else(|| serde::de::Error::custom(format!("no rule {i} in the spool")))
    }
}

/// A claim in postcard's compact form: a worklist holds one for every claim of the run,
/// and JSON cost 5,000 instructions to write one and 8,600 to read it back.
impl Record for ClaimFacts {
    fn encode(&self, out: &mut Vec<u8>) -> io::Result<()> {
        *out = postcard::to_extend(self, std::mem::take(out)).map_err(io::Error::other)?;
        Ok(())
    }
    fn decode(bytes: &[u8]) -> io::Result<Self> {
        postcard::from_bytes(bytes).map_err(io::Error::other)
    }
}

/// Items in memory up to [`MEMORY`], then as [`Record`]s in an unnamed temporary file.
#[derive(Debug)]
struct Spilled<T> {
    /// Items not yet in the file (after `spilled` of them).
    mem: Vec<T>,
    file: Option<BufWriter<File>>,
    /// Items in the file.
    spilled: usize,
}

impl<T> Default for Spilled<T> {
    fn default() -> Self {
        Spilled {
            mem: Vec::new(),
            file: None,
            spilled: 0,
        }
    }
}

impl<T: Record> Spilled<T> {
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
        let mut record = Vec::new();
        for item in self.mem.drain(..) {
            record.clear();
            item.encode(&mut record)?;
            let len = u32::try_from(record.len()).map_err(io::Error::other)?;
            file.write_all(&len.to_le_bytes())?;
            file.write_all(&record)?;
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
        let file = self.file.as_ref().map(|w| {
            BufReader::with_capacity(
                1 << 16,
                At {
                    file: w.get_ref(),
                    at: 0,
                },
            )
        });
        Items {
            of: self,
            file,
            record: Vec::new(),
            i: 0,
        }
    }
}

/// The items of a [`Spilled`], read back in order.
struct Items<'s, T> {
    of: &'s Spilled<T>,
    file: Option<BufReader<At<'s>>>,
    /// The last record read from the file.
    record: Vec<u8>,
    i: usize,
}

impl<T: Record> Items<'_, T> {
    /// The next record of the file, decoded.
    fn read(&mut self) -> Option<io::Result<T>> {
        let file = self.file.as_mut()?;
        let mut len = [0u8; 4];
        if let Err(e) = file.read_exact(&mut len) {
            return Some(Err(e));
        }
        self.record.resize(u32::from_le_bytes(len) as usize, 0);
        Some(
            file.read_exact(&mut self.record)
                .and_then(|()| T::decode(&self.record)),
        )
    }
}

impl<T: Record> Iterator for Items<'_, T> {
    type Item = io::Result<T>;

    fn next(&mut self) -> Option<io::Result<T>> {
        let i = self.i;
        self.i += 1;
        if i < self.of.spilled {
            return self.read();
        }
        self.of.mem.get(i - self.of.spilled).cloned().map(Ok)
    }
}

/// The findings of one input, and its claims.
#[derive(Debug, Default)]
pub struct FindingSpool {
    findings: Spilled<Finding>,
    /// Ranges of findings to read back as not fixed.
    unfixed: Vec<Range<usize>>,
    claims: Spilled<ClaimFacts>,
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
            findings: Spilled {
                mem,
                ..Spilled::default()
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

    #[test]
    fn a_claim_with_every_field_set_reads_back_from_the_file_as_it_was() {
        let full = |i: usize| ClaimFacts {
            id: format!("SYN{i}\u{e9}"),
            payer: "PAYER 1".into(),
            from: Some("2024-07-01".into()),
            to: Some("2024-07-02".into()),
            billed: Some("132652.48".into()),
            drug_units: Some("120".into()),
            ndc: Some("64406005801".into()),
            drug_lines: 3 + i,
            rejected: true,
            interchange: Some("000000001".into()),
            transaction: Some(String::new()),
            first: 25 + i,
            last: 40 + i,
            element: '\u{1d}',
            terminator: '~',
            findings: 7..9 + i,
            left_out: i % 2 == 1,
        };
        let mut s = FindingSpool::new();
        let n = MEMORY + KEEP + 5;
        for i in 0..n {
            s.claims(vec![full(i)]).unwrap();
        }
        s.finish().unwrap();
        assert_eq!(s.claims.spilled, n, "every claim went to the file");
        let mut seen = 0;
        s.for_each_claim(|c| {
            assert_eq!(c, full(seen));
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, n);
    }

    #[test]
    fn a_finding_with_every_field_set_reads_back_from_the_file_as_it_was() {
        let full = |i: usize| Finding {
            rule: RuleId::ALL[i % RuleId::ALL.len()],
            severity: [Severity::Error, Severity::Warning, Severity::Info][i % 3],
            fixed: i.is_multiple_of(2),
            would_fix: i.is_multiple_of(3),
            fix_class: [None, Some(FixClass::Repair), Some(FixClass::Recode)][i % 3],
            claim: Some(format!("SYN{i}\u{e9}")),
            message: format!("ndc {i} \"quoted\""),
            position: Position {
                file: "in/b\u{e9}.x12".into(),
                interchange: Some("000000001".into()),
                transaction: i.is_multiple_of(2).then(String::new),
                segment: 1 << 33 | i,
                byte: usize::MAX - i,
                text_line: u32::MAX,
            },
            loop_path: Some("2000B/2300[1]/2400[2]/SV1".into()),
            service_line: Some(i.to_string()),
            before: Some("N4*64406005801*UN*1".into()),
            after: None,
            element: Some(ElementAt {
                position: 3,
                component: Some(2),
                repetition: None,
                number: Some(u16::MAX),
            }),
            missing: (i % 2 == 1).then(|| Missing {
                segment: "REF".into(),
                loop_id: Some("2010AA".into()),
            }),
        };
        let mut s = FindingSpool::new();
        let n = MEMORY + KEEP + RuleId::ALL.len();
        for i in 0..n {
            s.push(full(i)).unwrap();
        }
        s.finish().unwrap();
        assert!(s.findings.spilled > n / 2, "findings went to the file");
        let mut seen = 0;
        s.for_each(|f| {
            assert_eq!(f, full(seen));
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, n);
    }
}
