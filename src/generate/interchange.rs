//! A streaming interchange writer: ISA/GS/ST envelopes with their control numbers and
//! counts, HL numbering, one segment per line; nothing but the open claim and at most
//! `FLUSH_AT` bytes of finished segments are kept.

use std::io::{self, Write};

use super::build;
use super::description::{BillingProvider, Claim, Kind, Receiver, Submitter};
use super::guide::ISA_ID_WIDTH;
use super::segment::SegmentBuf;
use crate::x12::OwnedSegment;

/// Finished segments are handed to the output in chunks of about this size: few large
/// writes instead of one small write per segment.
const FLUSH_AT: usize = 1 << 16;

/// A change to one claim's segments, given once.
type ClaimEdit<'a> = dyn FnMut(&mut Vec<OwnedSegment>) + 'a;

pub use crate::x12::Control;

/// What the envelopes and the transaction header say.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub submitter: Submitter,
    pub receiver: Receiver,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`.
    pub time: String,
    /// ISA15, `T` or `P`.
    pub usage: String,
    /// BHT03; the ST02 when `None`.
    pub reference: Option<String>,
}

/// How a trailer is written wrong (synth's envelope variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailerBreak {
    /// SE01/GE01/IEA01 one too high.
    Count,
    /// SE02/GE02/IEA02 differs from its header's control number.
    Control,
    /// No trailer at all.
    Missing,
}

/// A trailer written wrong (or left out), for synth's truth file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The variant's name, as given to `break_transaction` and its siblings.
    pub variant: &'static str,
    /// ISA13.
    pub interchange: String,
    /// GS06, for a group's or a transaction's trailer.
    pub group: Option<String>,
    /// ST02, for a transaction's trailer.
    pub transaction: Option<String>,
    /// Index of the trailer in the output (ISA is 0); where it would stand when missing.
    pub segment: u64,
}

struct OpenTransaction {
    /// `SegmentBuf::segments` before ST.
    first_segment: u64,
    brk: Option<(TrailerBreak, &'static str)>,
    hl: u64,
    /// HL of the open 2000A and its provider.
    billing: Option<(u64, BillingProvider)>,
    claims: u64,
    control: String,
}

/// Writes one interchange segment by segment.
pub struct InterchangeWriter<W: Write> {
    out: W,
    envelope: Envelope,
    control: Control,
    next_gs: u32,
    next_st: u32,
    groups: u64,
    /// Kind, GS06 and transaction count of the open group.
    group: Option<(Kind, u32, u64)>,
    group_break: Option<(TrailerBreak, &'static str)>,
    interchange_break: Option<(TrailerBreak, &'static str)>,
    broken: Vec<Broken>,
    closed: bool,
    tx: Option<OpenTransaction>,
    buf: SegmentBuf,
    /// Bytes handed to `out` so far.
    flushed: u64,
}

fn pad(value: &str, width: usize) -> String {
    format!("{value:<width$}")
}

impl<W: Write> InterchangeWriter<W> {
    /// Writes the ISA segment.
    pub fn new(out: W, envelope: Envelope, control: Control) -> io::Result<Self> {
        let mut w = InterchangeWriter {
            out,
            control,
            next_gs: control.gs06,
            next_st: control.st02,
            groups: 0,
            group: None,
            group_break: None,
            interchange_break: None,
            broken: Vec::new(),
            closed: false,
            tx: None,
            buf: SegmentBuf::with_capacity(FLUSH_AT + (FLUSH_AT >> 2)),
            flushed: 0,
            envelope,
        };
        let e = &w.envelope;
        let date = build::d8(&e.date);
        let yymmdd = date.get(2..).unwrap_or("000101").to_string();
        let isa = OwnedSegment::new(
            "ISA",
            [
                "00".to_string(),
                pad("", 10),
                "00".into(),
                pad("", 10),
                "ZZ".into(),
                pad(&e.submitter.id, ISA_ID_WIDTH),
                "ZZ".into(),
                pad(&e.receiver.id, ISA_ID_WIDTH),
                yymmdd,
                e.time.replace(':', ""),
                "^".into(),
                "00501".into(),
                format!("{:09}", control.isa13 % 1_000_000_000),
                "0".into(),
                e.usage.clone(),
                ":".into(),
            ],
        );
        w.write(&isa)?;
        Ok(w)
    }

    /// Writes the claims' values as given from now on (`generate --as-written`).
    pub fn set_as_written(&mut self) {
        self.buf.set_verbatim();
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.flushed + self.buf.len() as u64
    }

    fn write(&mut self, s: &OwnedSegment) -> io::Result<()> {
        self.buf.owned(s);
        self.flush_full()
    }

    /// Hands the buffered segments to the output once there are enough of them.
    fn flush_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()
        } else {
            Ok(())
        }
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.flushed += self.buf.len() as u64;
        let r = self.out.write_all(self.buf.bytes());
        self.buf.clear();
        r
    }

    /// Claims in the open transaction (0 when none is open).
    pub fn claims_in_transaction(&self) -> u64 {
        self.tx.as_ref().map_or(0, |t| t.claims)
    }

    /// The kind of the open group, if any.
    pub fn open_kind(&self) -> Option<Kind> {
        self.group.map(|g| g.0)
    }

    /// Opens a transaction of `kind` (and a group when the open one is of another kind),
    /// closing the open transaction first.
    pub fn open_transaction(&mut self, kind: Kind) -> io::Result<()> {
        self.close_transaction()?;
        if self.group.is_some_and(|g| g.0 != kind) {
            self.close_group()?;
        }
        if self.group.is_none() {
            let gs06 = self.next_gs;
            self.next_gs = self.next_gs.wrapping_add(1);
            let e = &self.envelope;
            let gs = OwnedSegment::new(
                "GS",
                [
                    "HC",
                    e.submitter.id.as_str(),
                    e.receiver.id.as_str(),
                    &build::d8(&e.date),
                    &e.time.replace(':', ""),
                    &gs06.to_string(),
                    "X",
                    kind.version(),
                ],
            );
            self.write(&gs)?;
            self.group = Some((kind, gs06, 0));
            self.groups += 1;
        }
        let control = format!("{:04}", self.next_st);
        self.next_st = self.next_st.wrapping_add(1);
        self.tx = Some(OpenTransaction {
            first_segment: self.buf.segments(),
            brk: None,
            hl: 0,
            billing: None,
            claims: 0,
            control: control.clone(),
        });
        if let Some(g) = &mut self.group {
            g.2 += 1;
        }
        self.write(&OwnedSegment::new(
            "ST",
            ["837", control.as_str(), kind.version()],
        ))?;
        let e = &self.envelope;
        let reference = e.reference.as_deref().unwrap_or(&control);
        build::header(
            &mut self.buf,
            reference,
            &e.date,
            &e.time,
            &e.submitter,
            &e.receiver,
        );
        self.flush_full()
    }

    /// Writes one claim under `bp` (a new 2000A when it differs from the open one). Opens a
    /// transaction of the open group's kind if none is open. Returns the index of the
    /// claim's first segment (its subscriber HL) in the output.
    pub fn claim(&mut self, kind: Kind, bp: &BillingProvider, claim: &Claim) -> io::Result<u64> {
        self.put_claim(kind, bp, claim, None)
    }

    /// Like `claim`, after letting `edit` change the claim's segments (synth injects errors
    /// there). The segments are written, split back into values, edited and written again:
    /// only for values that hold no delimiter, as synth's do.
    pub fn claim_edited(
        &mut self,
        kind: Kind,
        bp: &BillingProvider,
        claim: &Claim,
        edit: impl FnOnce(&mut Vec<OwnedSegment>),
    ) -> io::Result<u64> {
        let mut edit = Some(edit);
        self.put_claim(
            kind,
            bp,
            claim,
            Some(&mut |segs: &mut Vec<OwnedSegment>| {
                if let Some(e) = edit.take() {
                    e(segs);
                }
            }),
        )
    }

    fn put_claim(
        &mut self,
        kind: Kind,
        bp: &BillingProvider,
        claim: &Claim,
        edit: Option<&mut ClaimEdit<'_>>,
    ) -> io::Result<u64> {
        if self.tx.is_none() || self.open_kind() != Some(kind) {
            self.open_transaction(kind)?;
        }
        let Some(tx) = self.tx.as_mut() else {
            return Err(io::Error::other("no open transaction"));
        };
        let parent = match &mut tx.billing {
            Some((hl, open)) if open == bp => *hl,
            billing => {
                tx.hl += 1;
                build::billing_provider(&mut self.buf, tx.hl, bp);
                match billing {
                    // Reuses the open provider's strings: most claims change provider.
                    Some((hl, open)) => {
                        *hl = tx.hl;
                        assign(open, bp);
                    }
                    None => *billing = Some((tx.hl, bp.clone())),
                }
                tx.hl
            }
        };
        let start = self.buf.len();
        let first = self.buf.segments();
        let used = build::claim(&mut self.buf, kind, tx.hl + 1, parent, claim);
        tx.hl += used;
        tx.claims += 1;
        if let Some(edit) = edit {
            let mut segs = self.buf.split_off(start);
            edit(&mut segs);
            for s in &segs {
                self.buf.owned(s);
            }
        }
        self.flush_full().map(|()| first)
    }

    /// Whether a claim of `kind` opens a transaction (and whether it opens a group).
    pub fn opens(&self, kind: Kind) -> (bool, bool) {
        let other = self.open_kind() != Some(kind);
        (self.tx.is_none() || other, self.group.is_none() || other)
    }

    /// Writes the open transaction's SE wrong, as `b` says, naming `variant` in `broken`.
    pub fn break_transaction(&mut self, b: TrailerBreak, variant: &'static str) {
        if let Some(tx) = &mut self.tx {
            tx.brk = Some((b, variant));
        }
    }

    /// Writes the open group's GE wrong.
    pub fn break_group(&mut self, b: TrailerBreak, variant: &'static str) {
        if self.group.is_some() {
            self.group_break = Some((b, variant));
        }
    }

    /// Writes the IEA wrong.
    pub fn break_interchange(&mut self, b: TrailerBreak, variant: &'static str) {
        self.interchange_break = Some((b, variant));
    }

    /// The trailers written wrong since the last call.
    pub fn take_broken(&mut self) -> Vec<Broken> {
        std::mem::take(&mut self.broken)
    }

    fn isa13(&self) -> String {
        format!("{:09}", self.control.isa13 % 1_000_000_000)
    }

    /// Records a broken trailer about to be written at the next segment.
    fn note(&mut self, variant: &'static str, group: Option<String>, tx: Option<String>) {
        self.broken.push(Broken {
            variant,
            interchange: self.isa13(),
            group,
            transaction: tx,
            segment: self.buf.segments(),
        });
    }

    /// Writes SE for the open transaction, if any.
    pub fn close_transaction(&mut self) -> io::Result<()> {
        if let Some(tx) = self.tx.take() {
            let mut count = self.buf.segments() - tx.first_segment + 1;
            let mut control = tx.control;
            if let Some((b, variant)) = tx.brk {
                let gs = self.group.map(|g| g.1.to_string());
                self.note(variant, gs, Some(control.clone()));
                match b {
                    TrailerBreak::Count => count += 1,
                    TrailerBreak::Control => control = other_control(&control, 4),
                    TrailerBreak::Missing => return Ok(()),
                }
            }
            let se = OwnedSegment::new("SE", [count.to_string(), control]);
            self.write(&se)?;
        }
        Ok(())
    }

    fn close_group(&mut self) -> io::Result<()> {
        self.close_transaction()?;
        if let Some((_, gs06, mut n)) = self.group.take() {
            let mut control = gs06.to_string();
            if let Some((b, variant)) = self.group_break.take() {
                self.note(variant, Some(control.clone()), None);
                match b {
                    TrailerBreak::Count => n += 1,
                    TrailerBreak::Control => control = other_control(&control, 1),
                    TrailerBreak::Missing => return Ok(()),
                }
            }
            self.write(&OwnedSegment::new("GE", [n.to_string(), control]))?;
        }
        Ok(())
    }

    /// Flushes what was written and stops: no trailer is written (a cut batch).
    pub fn abandon(mut self) -> io::Result<(W, u64)> {
        self.flush_buf()?;
        self.out.flush()?;
        let written = self.flushed;
        Ok((self.out, written))
    }

    /// Segments written so far, ISA included.
    pub fn segments(&self) -> u64 {
        self.buf.segments()
    }

    /// ISA13, and GS06 and ST02 of the open group and transaction.
    pub fn open_controls(&self) -> (String, Option<String>, Option<String>) {
        (
            self.isa13(),
            self.group.map(|g| g.1.to_string()),
            self.tx.as_ref().map(|t| t.control.clone()),
        )
    }

    /// Closes what is open, writes IEA and flushes; returns the output and the bytes
    /// written in all.
    pub fn finish(mut self) -> io::Result<(W, u64)> {
        self.close()?;
        self.flush_buf()?;
        self.out.flush()?;
        let written = self.flushed;
        Ok((self.out, written))
    }

    /// Closes what is open and writes IEA (once; `finish` does it when not done).
    pub fn close(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        self.close_group()?;
        let mut groups = self.groups;
        let mut control = self.isa13();
        let mut write = true;
        if let Some((b, variant)) = self.interchange_break.take() {
            self.note(variant, None, None);
            if b == TrailerBreak::Missing
                && let Some(last) = self.broken.last_mut()
            {
                // The end of the input: the reader reports the last segment.
                last.segment -= 1;
            }
            match b {
                TrailerBreak::Count => groups += 1,
                TrailerBreak::Control => control = other_control(&control, 9),
                TrailerBreak::Missing => write = false,
            }
        }
        if write {
            let iea = OwnedSegment::new("IEA", [groups.to_string(), control]);
            self.write(&iea)?;
        }
        Ok(())
    }
}

/// A control number other than `control`, of at least `width` digits: one more, modulo
/// the nine digits an interchange control number has.
fn other_control(control: &str, width: usize) -> String {
    let n: u64 = control.parse().unwrap_or(0);
    format!("{:0width$}", (n + 1) % 1_000_000_000)
}

/// `*to = from.clone()`, reusing `to`'s strings.
fn assign(to: &mut BillingProvider, from: &BillingProvider) {
    to.name.clone_from(&from.name);
    to.npi.clone_from(&from.npi);
    to.tax_id.clone_from(&from.tax_id);
    to.taxonomy.clone_from(&from.taxonomy);
    let (t, f) = (&mut to.address, &from.address);
    t.line1.clone_from(&f.line1);
    t.line2.clone_from(&f.line2);
    t.city.clone_from(&f.city);
    t.state.clone_from(&f.state);
    t.zip.clone_from(&f.zip);
}
