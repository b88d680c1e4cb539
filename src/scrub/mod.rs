//! The J2326 scrub: rules find problems on claims and propose fixes as edits; the writer
//! applies them; rules run again on the result until nothing more is fixed.
//!
//! One transaction at a time: an untouched transaction is copied byte for byte.

pub mod catalog;
pub mod config;
pub mod dose;
mod facts;
mod fixloop;
pub mod hits;
pub mod index;
pub mod lines;
pub mod ndc;
pub mod pairing;
pub mod registry;
pub mod rejected;
pub mod rule;
pub mod rules;
pub mod split;
pub mod strength;

use std::io::{self, Read};
use std::ops::ControlFlow;

use crate::grammar::{self, Grammar};
use crate::output::Rewind;
use crate::report::{Finding, FindingSink, FindingSpool, LeftOut, Outcome, Position, Tally};
use crate::validate;
use crate::x12::stream::{self, Event};
use crate::x12::{
    Control, LexError, Lexer, Mode, Renumber, Renumbered, Segment, Transaction, Unit, Writer,
};

pub use config::{Fixes, Settings};
pub use fixloop::{MAX_PASSES, NOT_CONVERGED};
pub use rule::{Cx, Fix, Hit, Rule};

/// What scrubbing one input produced.
#[derive(Debug, Default)]
pub struct Scrubbed {
    /// The corrected input (empty when reading failed before the first segment).
    pub output: Vec<u8>,
    pub findings: Vec<Finding>,
    pub error: Option<LexError>,
    /// CLM segments in the input's 837 transactions, left-out ones included.
    pub claims: usize,
    /// 837 transactions scrubbed.
    pub transactions: usize,
    /// Other transactions passed through untouched.
    pub passed_through: usize,
    /// Whether any output was written (none when nothing complete was read).
    pub wrote: bool,
    /// What did not close and was left out of the output.
    pub left_out: Vec<LeftOut>,
    /// The output's reader went away (a closed pipe): the work stopped there.
    pub stopped: bool,
    /// What was left out, as read, when `Settings::quarantine` asks for it (one entry per
    /// `left_out` entry).
    pub quarantined: Vec<Quarantined>,
    /// Claims split off into the rejected output (`Extras::rejected`).
    pub claims_split_off: usize,
    /// The control numbers given to what was written (`Extras`): every new one given to
    /// the corrected output, then those of the rejected output.
    pub control_numbers: Vec<Renumbered>,
    /// Its J2326 lines, for the rules that need more than one claim (see
    /// [`index`]; [`index::across`] runs them).
    pub index: index::Part,
}

impl Scrubbed {
    /// Findings whose fix was applied.
    pub fn fixed(&self) -> usize {
        self.findings.iter().filter(|f| f.fixed).count()
    }

    /// The counts of the findings: what the report, the summary line and the exit
    /// status all read.
    pub fn tally(&self) -> Tally {
        Tally::of(&self.findings)
    }

    /// Whether part of the input could not be read or was left out.
    pub fn incomplete(&self) -> bool {
        self.error.is_some() || !self.left_out.is_empty()
    }

    /// CLM segments left out of the output.
    pub fn claims_left_out(&self) -> usize {
        self.left_out.iter().map(|l| l.claims).sum()
    }

    /// What the report takes of it, with its findings in `findings`.
    pub fn outcome(self, findings: FindingSpool) -> Outcome {
        Outcome {
            claims: self.claims,
            unread: self.error.is_some(),
            findings,
            left_out: self.left_out,
            claims_split_off: self.claims_split_off,
            rejected_output: None,
            control_numbers: self.control_numbers,
            claims_not_keyed: self.index.unkeyed,
        }
    }
}

/// Scrubs one input named `file`, returning the corrected EDI in `Scrubbed::output` and
/// the findings in `Scrubbed::findings`.
pub fn scrub(input: &[u8], file: &str, settings: &Settings) -> Scrubbed {
    let mut output = Vec::with_capacity(input.len() + input.len() / 64);
    let mut findings = Vec::new();
    // Reading from and writing to memory cannot fail.
    let mut out = scrub_to(input, file, settings, &mut output, &mut findings).unwrap_or_default();
    // One call is one run: the cross-claim rules see this input's claims. Their places
    // are in a temporary file; should it fail, their findings say so.
    match index::across(std::slice::from_mut(&mut out.index), settings) {
        Ok(found) => findings.extend(found.into_iter().map(|(_, f)| f)),
        Err(e) => findings.push(index::failed(file, &e)),
    }
    out.output = output;
    out.findings = findings;
    out
}

/// An interchange or group being written: where it started in the output, so that it
/// can be taken back when it does not close.
struct Open {
    mark: u64,
    control: String,
    position: Position,
    /// CLM segments read inside it, left-out parts included.
    claims: usize,
    /// Index in the findings of its first finding.
    findings: usize,
    /// Index in the findings' claims (the worklist's) of its first claim.
    claim_facts: usize,
    /// Index in `Scrubbed::left_out` of the first part of it left out.
    left_out: usize,
    /// Where its bytes as read start in the raw copy (see `Raw`).
    raw: u64,
    /// Claims of it split off into the rejected output.
    split: usize,
    /// Transactions (of a group) or groups (of an interchange) of it written to the
    /// corrected output.
    written: usize,
    /// Where the map of new control numbers stood before it.
    renumbered: usize,
    /// An interchange whose ISA is no header the lexer read (it took its delimiters from
    /// the ISA before): it is left out at its IEA, as x837 cannot process it.
    unreadable: bool,
}

/// The bytes as read of the open interchange, kept when left-out parts are quarantined
/// (`Settings::quarantine`): in an unnamed temporary file, emptied when it closes.
struct Raw {
    file: std::fs::File,
}

impl Raw {
    fn new() -> io::Result<Raw> {
        Ok(Raw {
            file: tempfile::tempfile()?,
        })
    }

    fn len(&self) -> u64 {
        self.file.metadata().map_or(0, |m| m.len())
    }

    fn add(&mut self, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write as _;
        self.file.write_all(bytes)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.file.rewind(0)
    }

    /// A copy of the bytes from `from` on, in a file of its own read from its start.
    fn copy_from(&mut self, from: u64) -> io::Result<std::fs::File> {
        use std::io::{Seek, SeekFrom};
        let mut out = tempfile::tempfile()?;
        let mut part = std::fs::File::try_clone(&self.file)?;
        part.seek(SeekFrom::Start(from))?;
        io::copy(&mut part, &mut out)?;
        self.file.seek(SeekFrom::End(0))?;
        out.seek(SeekFrom::Start(0))?;
        Ok(out)
    }
}

/// A part of the input left out of the output, as read: for `--quarantine`.
#[derive(Debug)]
pub struct Quarantined {
    /// What was left out (its `what`, `control`, `reason`, position).
    pub left_out: LeftOut,
    /// Its bytes as read, from the start of the file.
    pub bytes: std::fs::File,
}

struct Driver<'s, W: Rewind, F: FindingSink> {
    /// Where findings go, a transaction's worth at a time (with the envelope problems
    /// that came with it), each batch in input order.
    findings: &'s mut F,
    batch: Vec<Finding>,
    file: &'s str,
    settings: &'s Settings,
    rules: fixloop::Rules<'static>,
    writer: Writer<W>,
    out: Scrubbed,
    prefix: Option<Vec<u8>>,
    isa: Option<Open>,
    gs: Option<Open>,
    raw: Option<Raw>,
    /// Where claims that keep an error go (`Extras::rejected`).
    rejected: Option<rejected::Rejected<'s>>,
    /// New control numbers for the corrected output (`Extras::renumber`).
    renumber: Option<Renumber>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

thread_local! {
    /// Segments already found clean, kept by each thread across the transactions, passes
    /// and inputs it works on (it only saves work: no result depends on it).
    static CLEAN: std::cell::RefCell<validate::CleanSegments> =
        std::cell::RefCell::new(validate::CleanSegments::new(usize::MAX));
}

/// The guide to scrub `tx` with: a closed 837 transaction of a guide x837 carries.
fn scrubbable(tx: &Transaction<'_>) -> Option<&'static Grammar> {
    let closed = tx.segments.len() > 1 && tx.segments.last().is_some_and(|s| s.is("SE"));
    (closed && tx.set_id() == b"837")
        .then(|| grammar::for_version(&String::from_utf8_lossy(tx.guide())))
        .flatten()
}

/// Why a unit outside any interchange is left out when it would start the corrected output.
const OUTSIDE: &str =
    "it stands outside any interchange, before anything the corrected output holds";

/// Why an interchange whose ISA is no header is left out.
const UNREADABLE: &str = "its ISA segment is not an interchange header x837 can read \
     (no element separator after ISA): the delimiters of the ISA before it were used";

fn claims_in(tx: &Transaction<'_>) -> usize {
    if tx.set_id() != b"837" {
        return 0;
    }
    tx.segments.iter().filter(|s| s.is("CLM")).count()
}

impl<W: Rewind, F: FindingSink> Driver<'_, W, F> {
    /// Hands the batch on, in input order.
    fn flush(&mut self) -> io::Result<()> {
        self.batch.sort_by_key(|f| f.position.segment);
        for f in self.batch.drain(..) {
            self.findings.push(f)?;
        }
        Ok(())
    }

    fn position(&self, seg: &Segment<'_>) -> Position {
        Position {
            file: self.file.to_string(),
            interchange: self.isa.as_ref().map(|i| i.control.clone()),
            transaction: None,
            segment: seg.index,
            byte: seg.byte,
            text_line: seg.line,
        }
    }

    fn open(&mut self, seg: &Segment<'_>, control: &[u8]) -> io::Result<Open> {
        self.flush()?;
        let mark = self.writer.get_ref().written();
        if let Some(p) = self.prefix.take() {
            self.writer.prefix(&p)?;
        }
        Ok(Open {
            mark,
            control: text(control),
            position: self.position(seg),
            claims: 0,
            findings: self.findings.len(),
            claim_facts: self.findings.claims_len(),
            left_out: self.out.left_out.len(),
            raw: self.raw.as_ref().map_or(0, Raw::len),
            split: 0,
            written: 0,
            renumbered: self.renumber.as_ref().map_or(0, Renumber::mark),
            unreadable: false,
        })
    }

    /// Takes `unit` back out of the output and reports it (in place of the parts of it
    /// already reported as left out: its claims count them).
    fn leave_out(&mut self, unit: Open, what: &'static str, reason: String) -> io::Result<()> {
        self.writer.get_mut().rewind(unit.mark)?;
        if let Some(r) = self.rejected.as_mut() {
            match what {
                "interchange" => r.drop_interchange()?,
                _ => r.drop_group()?,
            }
        }
        self.out.claims_split_off -= unit.split.min(self.out.claims_split_off);
        if let Some(r) = self.renumber.as_mut() {
            r.truncate(unit.renumbered);
            match what {
                "interchange" => r.iea(),
                _ => r.ge(),
            };
        }
        self.out.left_out.truncate(unit.left_out);
        // Its transactions were scrubbed, but nothing of it is written.
        self.flush()?;
        self.findings.unfix(unit.findings);
        self.findings.leave_out_claims(unit.claim_facts);
        self.out.quarantined.truncate(unit.left_out);
        let left = LeftOut {
            what,
            control: unit.control,
            position: unit.position,
            claims: unit.claims,
            reason,
        };
        if let Some(raw) = self.raw.as_mut() {
            let bytes = raw.copy_from(unit.raw)?;
            self.out.quarantined.push(Quarantined {
                left_out: left.clone(),
                bytes,
            });
        }
        self.out.left_out.push(left);
        Ok(())
    }

    /// Keeps `bytes` as read while an interchange or group is open.
    fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.raw.as_mut() {
            Some(raw) if self.isa.is_some() || self.gs.is_some() => raw.add(bytes),
            _ => Ok(()),
        }
    }

    /// Leaves out the open group, if any, as not closed before `next`.
    fn group_unclosed(&mut self, next: &str) -> io::Result<()> {
        if let Some(gs) = self.gs.take() {
            // Its split-off claims are left out with it.
            if let Some(isa) = self.isa.as_mut() {
                isa.claims += gs.claims;
            }
            self.writer.drop_group();
            let why = format!("the functional group has no GE before {next}");
            self.leave_out(gs, "group", why)?;
        }
        Ok(())
    }

    /// Leaves out the open interchange (and the group in it), as not closed before `next`.
    fn interchange_unclosed(&mut self, next: &str) -> io::Result<()> {
        if let Some(mut isa) = self.isa.take() {
            if let Some(gs) = self.gs.take() {
                isa.claims += gs.claims;
                isa.split += gs.split;
            }
            let why = format!("the interchange has no IEA before {next}");
            self.leave_out(isa, "interchange", why)?;
        } else {
            self.group_unclosed(next)?;
        }
        Ok(())
    }

    /// Makes what was written final when no interchange is open.
    fn settle_outside(&mut self) -> io::Result<()> {
        if self.isa.is_none() && self.gs.is_none() {
            self.out.wrote = true;
            self.writer.get_mut().settle()?;
        }
        Ok(())
    }

    /// A segment outside any interchange with nothing before it in the corrected output
    /// (the interchange before it had every claim split off): written, it would start
    /// the output, which would then not be X12. It is left out, and said.
    fn stray(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        let left = LeftOut {
            what: "segment",
            control: text(seg.id()),
            position: self.position(seg),
            claims: 0,
            reason: OUTSIDE.into(),
        };
        self.leave_out_as_read(left, [seg])?;
        self.settle_outside()
    }

    /// The GE of a group outside any interchange with nothing before it in the corrected
    /// output (the interchange before it had every claim split off): written, the group
    /// would start the output, which would then not be X12. It is left out whole, its
    /// claims with it, and said, as a stray segment there is.
    fn stray_group(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        self.raw(seg.raw())?;
        if let Some(gs) = self.gs.take() {
            self.writer.drop_group();
            self.leave_out(gs, "group", OUTSIDE.into())?;
        }
        self.settle_outside()
    }

    /// A GE or IEA with nothing open, copied as read.
    fn stray_trailer(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        self.raw(seg.raw())?;
        if let Some(p) = self.prefix.take() {
            self.writer.prefix(&p)?;
        }
        self.writer.raw_segment(seg.raw())?;
        self.settle_outside()
    }

    /// Whether a unit outside any interchange that starts at `mark` of the corrected output
    /// would start it (nothing is written before it: the interchange before, if any, had
    /// every claim split off). Written, it would leave the output no longer X12.
    fn would_start_output(&self, mark: u64) -> bool {
        self.isa.is_none() && mark == 0
    }

    /// Whether nothing is open and nothing is written yet.
    fn at_start_outside(&self) -> bool {
        self.gs.is_none() && self.would_start_output(self.writer.get_ref().written())
    }

    fn segment(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        if !seg.is("ISA") && !seg.is("GS") && self.at_start_outside() {
            return self.stray(seg);
        }
        match seg.id() {
            b"ISA" => {
                self.interchange_unclosed("the next ISA")?;
                if let Some(raw) = self.raw.as_mut() {
                    raw.clear()?;
                }
                let mut open = self.open(seg, seg.value(13))?;
                open.unreadable = !crate::x12::delimiters::starts_with_isa(seg.raw());
                self.isa = Some(open);
                if let Some(r) = self.rejected.as_mut() {
                    r.isa(seg);
                }
                self.raw(seg.raw())?;
                let new = self.renumber.as_mut().map(|r| r.isa(seg.value(13)));
                self.writer
                    .envelope(seg, new.as_ref().map(String::as_bytes))
            }
            b"GS" => {
                self.group_unclosed("the next GS")?;
                if self.isa.is_none()
                    && let Some(raw) = self.raw.as_mut()
                {
                    raw.clear()?;
                }
                let open = self.open(seg, seg.value(6))?;
                self.gs = Some(open);
                if let Some(r) = self.rejected.as_mut() {
                    r.gs(seg);
                }
                self.raw(seg.raw())?;
                let new = self.renumber.as_mut().map(|r| r.gs(seg.value(6)));
                self.writer
                    .envelope(seg, new.as_ref().map(String::as_bytes))
            }
            // A trailer with nothing open: a stray segment, copied as read. It closes no
            // group (the IEA's count of groups does not take it) and is not renumbered.
            b"GE" | b"IEA" if self.gs.is_none() && (self.isa.is_none() || seg.is("GE")) => {
                self.stray_trailer(seg)
            }
            b"GE" if (self.gs.as_ref()).is_some_and(|g| self.would_start_output(g.mark)) => {
                self.stray_group(seg)
            }
            b"GE" => self.ge(seg),
            b"IEA" => self.iea(seg),
            _ => {
                self.raw(seg.raw())?;
                if let Some(p) = self.prefix.take() {
                    self.writer.prefix(&p)?;
                }
                self.writer.unit(&Unit::Segment(*seg), &[])?;
                self.settle_outside()
            }
        }
    }

    /// A GE that closes the open group.
    fn ge(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        self.raw(seg.raw())?;
        if let Some(r) = self.rejected.as_mut() {
            r.ge(seg)?;
        }
        let mut emptied = false;
        if let Some(gs) = self.gs.take() {
            // Every claim of it was split off: it is not written here at all.
            emptied = gs.split > 0 && gs.written == 0;
            if emptied {
                self.writer.get_mut().rewind(gs.mark)?;
                self.writer.drop_group();
            }
            if let Some(isa) = self.isa.as_mut() {
                isa.claims += gs.claims;
                isa.split += gs.split;
                isa.written += usize::from(!emptied);
            }
        }
        let new = self.renumber.as_mut().and_then(Renumber::ge);
        if !emptied {
            self.writer
                .envelope(seg, new.as_ref().map(String::as_bytes))?;
        }
        self.settle_outside()
    }

    /// An IEA that closes the open interchange.
    fn iea(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        self.raw(seg.raw())?;
        self.group_unclosed("IEA")?;
        if self.at_start_outside() {
            // It closed a group outside any interchange, which is left out with it; with
            // nothing before it in the corrected output, written it would start the output,
            // which would then not be X12.
            return self.settle_outside();
        }
        if let Some(isa) = self.isa.take_if(|i| i.unreadable) {
            self.leave_out(isa, "interchange", UNREADABLE.into())?;
            return self.settle_outside();
        }
        if let Some(r) = self.rejected.as_mut() {
            r.iea(seg)?;
        }
        let new = self.renumber.as_mut().and_then(Renumber::iea);
        match self.isa.take() {
            Some(isa) if isa.split > 0 && isa.written == 0 => {
                self.writer.get_mut().rewind(isa.mark)?
            }
            _ => (self.writer).envelope(seg, new.as_ref().map(String::as_bytes))?,
        }
        self.settle_outside()
    }

    /// Writes transaction `tx`, scrubbed as `done` says (`None`: not an 837 of a guide
    /// x837 carries, or not closed).
    fn transaction(
        &mut self,
        tx: &Transaction<'_>,
        done: Option<fixloop::Outcome>,
    ) -> io::Result<()> {
        let claims = claims_in(tx);
        self.out.claims += claims;
        if let Some(open) = self.gs.as_mut().or(self.isa.as_mut()) {
            open.claims += claims;
        }
        for seg in &tx.segments {
            self.raw(seg.raw())?;
        }
        let closed = tx.segments.len() > 1 && tx.segments.last().is_some_and(|s| s.is("SE"));
        if !closed {
            self.writer.drop_transaction();
            return self.leave_out_transaction(tx, claims, "the transaction set has no SE");
        }
        if self.at_start_outside() {
            self.leave_out_transaction(tx, claims, OUTSIDE)?;
            return self.settle_outside();
        }
        if let Some(p) = self.prefix.take() {
            self.writer.prefix(&p)?;
        }
        let Some(t) = done else {
            self.out.passed_through += 1;
            self.put(tx, None)?;
            self.wrote_transaction();
            return self.settle_outside();
        };
        self.out.transactions += 1;
        self.batch.extend(t.findings);
        for found in t.indexed {
            self.out.index.add(found)?;
        }
        let claims = crate::report::attach(t.claims, &mut self.batch, self.findings.len());
        self.flush()?;
        self.findings.claims(claims)?;
        let kept = if self.settings.check {
            self.put(tx, None)?;
            true
        } else if self.rejected.is_some() && !t.rejected.is_empty() {
            self.split(tx, t.output.as_deref(), &t.rejected)?
        } else {
            self.put(tx, t.output.as_deref())?;
            true
        };
        if kept {
            self.wrote_transaction();
        }
        if let Some(b) = t.output {
            crate::x12::spare::give_bytes(b);
        }
        self.settle_outside()
    }

    /// Leaves transaction `tx` (holding `claims` CLMs) out of the corrected output, kept
    /// as read for `--quarantine`, and says why.
    fn leave_out_transaction(
        &mut self,
        tx: &Transaction<'_>,
        claims: usize,
        reason: &str,
    ) -> io::Result<()> {
        let left = LeftOut {
            what: "transaction",
            control: text(tx.control()),
            position: Position::at(self.file, tx, &tx.segments[0]),
            claims,
            reason: reason.into(),
        };
        self.leave_out_as_read(left, &tx.segments)
    }

    /// Records `left` as left out of the corrected output, its `segments` kept as read
    /// for `--quarantine`.
    fn leave_out_as_read<'s>(
        &mut self,
        left: LeftOut,
        segments: impl IntoIterator<Item = &'s Segment<'s>>,
    ) -> io::Result<()> {
        if self.raw.is_some() {
            use std::io::{Seek, Write as _};
            let mut bytes = tempfile::tempfile()?;
            for s in segments {
                bytes.write_all(s.raw())?;
            }
            bytes.seek(io::SeekFrom::Start(0))?;
            self.out.quarantined.push(Quarantined {
                left_out: left.clone(),
                bytes,
            });
        }
        self.out.left_out.push(left);
        Ok(())
    }

    /// Writes transaction `tx` (or `bytes`, its edited version) to the corrected output,
    /// with its new ST02 when renumbering.
    fn put(&mut self, tx: &Transaction<'_>, bytes: Option<&[u8]>) -> io::Result<()> {
        let Some(r) = self.renumber.as_mut() else {
            return match bytes {
                Some(b) => self.writer.raw_transaction(b),
                None => self.writer.transaction(tx, &[]),
            };
        };
        let new = r.st(tx.control());
        match bytes {
            None => {
                (self.writer).renumbered_transaction(tx.segments.iter().copied(), new.as_bytes())
            }
            Some(b) => {
                let d = tx.segments[0].delimiters;
                match Lexer::continuing(b, d).collect::<Result<Vec<_>, _>>() {
                    Ok(segs) => self
                        .writer
                        .renumbered_transaction(segs.into_iter(), new.as_bytes()),
                    // Bytes x837 wrote itself always lex; if not, they go as they are.
                    Err(_) => self.writer.raw_transaction(b),
                }
            }
        }
    }

    /// A transaction was written to the corrected output: its group (or interchange, when
    /// it is in no group) is not empty there.
    fn wrote_transaction(&mut self) {
        if let Some(open) = self.gs.as_mut().or(self.isa.as_mut()) {
            open.written += 1;
        }
    }

    /// Writes a transaction whose claims at `rejected` (CLM indices in it as written)
    /// keep an error: they go to the rejected output, the rest to the corrected one.
    /// Whether anything of it was written to the corrected output.
    fn split(
        &mut self,
        tx: &Transaction<'_>,
        output: Option<&[u8]>,
        rejected: &[usize],
    ) -> io::Result<bool> {
        // Outside any interchange there is no ISA to give the split-off claims' copy: the
        // transaction stays whole.
        let (Some(g), true) = (
            scrubbable(tx),
            self.rejected.is_some() && self.isa.is_some(),
        ) else {
            self.put(tx, output)?;
            return Ok(true);
        };
        let relexed = output.map(|b| fixloop::relex(b, tx, tx.segments.len()));
        let view = relexed.as_ref().unwrap_or(tx);
        let tree = crate::tree::build(g, view, self.file, &mut Vec::new());
        if !split::splittable(view, &tree) {
            // Its claims cannot be told apart: it stays whole, errors and all.
            self.put(tx, output)?;
            return Ok(true);
        }
        let Some(r) = self.rejected.as_mut() else {
            return Ok(true);
        };
        let st02 = r.begin(tx.control())?;
        let parts = split::split(view, &tree, rejected, &st02);
        r.transaction(&parts.rejected)?;
        self.out.claims_split_off += parts.rejected_claims;
        if let Some(open) = self.gs.as_mut().or(self.isa.as_mut()) {
            open.split += parts.rejected_claims;
        }
        match parts.kept {
            Some(bytes) => self.put(view, Some(&bytes)).map(|()| true),
            None => {
                self.writer.drop_transaction();
                Ok(false)
            }
        }
    }

    /// Reading stopped at a lex error: what is open does not close.
    fn error(&mut self, e: &LexError) -> io::Result<()> {
        let at = e.location().byte;
        self.interchange_unclosed(&format!("reading stopped at byte {at}"))
    }

    /// Scrubs the transactions of `read` in parallel as they are read, and writes the
    /// units in order: what is written does not depend on how many threads did the work.
    fn run(&mut self, read: impl Read) -> io::Result<()> {
        // The rules are borrowed by the workers while the driver writes: take them out.
        let rules = std::mem::take(&mut self.rules);
        let (file, settings) = (self.file, self.settings);
        let mut failed = None;
        let read = stream::map_in_order(
            read,
            |e| match e {
                Event::Unit(Unit::Transaction(tx)) => scrubbable(tx).map(|g| {
                    CLEAN.with_borrow_mut(|clean| {
                        fixloop::transaction(g, tx, file, settings, &rules, clean)
                    })
                }),
                _ => None,
            },
            |event, outcome| match self.event(event, outcome) {
                Ok(flow) => flow,
                Err(e) => {
                    failed = Some(e);
                    ControlFlow::Break(())
                }
            },
        );
        self.rules = rules;
        read?;
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn event(
        &mut self,
        event: &Event<'_>,
        done: Option<fixloop::Outcome>,
    ) -> io::Result<ControlFlow<()>> {
        match event {
            Event::Prefix(p) => self.prefix = Some(p.to_vec()),
            Event::Problems(p) => (self.batch).extend(
                p.iter()
                    .map(|p| Finding::from_problem(p.clone(), self.file)),
            ),
            Event::Unit(Unit::Segment(seg)) => self.segment(seg)?,
            Event::Unit(Unit::Transaction(tx)) => {
                self.transaction(tx, done)?;
                if self.writer.get_ref().closed() {
                    self.out.stopped = true;
                    return Ok(ControlFlow::Break(()));
                }
            }
            Event::Error(e, rest) => {
                // What could not be read belongs to the part that does not close.
                self.raw(rest)?;
                self.error(e)?;
                self.out.error = Some(e.clone());
            }
        }
        Ok(ControlFlow::Continue(()))
    }
}

/// Scrubs an input read as a stream, one transaction at a time, writing the corrected EDI
/// to `sink` as it goes. An interchange, group or transaction that does not close is
/// taken back out of `sink` (see [`Rewind`]) and listed in `Scrubbed::left_out`; only
/// complete ones are settled. `Scrubbed::output` is left empty.
pub fn scrub_to<R: Read, W: Rewind, F: FindingSink>(
    read: R,
    file: &str,
    settings: &Settings,
    sink: W,
    findings: &mut F,
) -> io::Result<Scrubbed> {
    drive(read, file, settings, sink, findings, Extras::default())
}

/// What a scrub writes besides the corrected output.
#[derive(Default)]
pub struct Extras<'r> {
    /// Where the claims an error-level finding remains on go instead of the corrected
    /// output, with envelopes of their own numbered from the `Control` given
    /// (`--split-rejected`).
    pub rejected: Option<(&'r mut dyn Rewind, Control)>,
    /// New control numbers for the corrected output, from these
    /// (`--new-control-numbers`).
    pub renumber: Option<Control>,
}

/// `scrub_to` with `extras`.
pub fn scrub_with<'s, R: Read, W: Rewind, F: FindingSink>(
    read: R,
    file: &'s str,
    settings: &'s Settings,
    sink: W,
    findings: &'s mut F,
    extras: Extras<'s>,
) -> io::Result<Scrubbed> {
    drive(read, file, settings, sink, findings, extras)
}

fn drive<'s, R: Read, W: Rewind, F: FindingSink>(
    read: R,
    file: &'s str,
    settings: &'s Settings,
    sink: W,
    findings: &'s mut F,
    extras: Extras<'s>,
) -> io::Result<Scrubbed> {
    let mut d = Driver {
        rejected: (extras.rejected).map(|(out, next)| rejected::Rejected::new(out, next)),
        renumber: (extras.renumber).map(|next| Renumber::new(next, "corrected")),
        findings,
        batch: Vec::new(),
        file,
        settings,
        rules: fixloop::Rules::of(settings),
        writer: Writer::new(sink, Mode::Copy),
        out: Scrubbed::default(),
        prefix: None,
        isa: None,
        gs: None,
        raw: if settings.quarantine {
            Some(Raw::new()?)
        } else {
            None
        },
    };
    d.run(read)?;
    if !d.out.stopped {
        d.interchange_unclosed("the end of the input")?;
    }
    d.flush()?;
    if let Some(r) = d.renumber.take() {
        d.out.control_numbers = r.map;
    }
    if let Some(r) = d.rejected.take() {
        let map = r.finish()?;
        d.out.control_numbers.extend(map);
    }
    let out = d.out;
    let mut sink = d.writer.into_inner();
    sink.settle()?;
    sink.flush()?;
    Ok(out)
}
