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

/// First control numbers; each new group and transaction takes the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    /// ISA13, at most nine digits.
    pub isa13: u32,
    /// GS06 of the first group.
    pub gs06: u32,
    /// ST02 of the first transaction.
    pub st02: u32,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            isa13: 1,
            gs06: 1,
            st02: 1,
        }
    }
}

/// The largest control number: ISA13, GS06 and ST02 all fit nine digits.
pub const MAX_CONTROL: u32 = 999_999_999;

impl Control {
    /// `ISA13[,GS06,ST02]` as `--new-control-numbers` takes it: one to three numbers from
    /// 1 to 999999999, comma-separated; those left out start at 1.
    pub fn parse(s: &str) -> Result<Control, String> {
        let parts: Vec<&str> = s.split(',').collect();
        if parts.len() > 3 {
            return Err("expected ISA13[,GS06,ST02]: at most three numbers".into());
        }
        let mut n = [1u32; 3];
        for (slot, part) in n.iter_mut().zip(&parts) {
            let part = part.trim();
            *slot = match part.parse::<u32>() {
                Ok(v)
                    if (1..=MAX_CONTROL).contains(&v)
                        && part.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    v
                }
                _ => {
                    return Err(format!(
                        "{} is not a control number from 1 to {MAX_CONTROL}",
                        crate::echo::cut(part)
                    ));
                }
            };
        }
        Ok(Control {
            isa13: n[0],
            gs06: n[1],
            st02: n[2],
        })
    }

    /// Takes the next interchange control number (after 999999999 comes 1).
    pub fn next_isa13(&mut self) -> u32 {
        take(&mut self.isa13)
    }

    /// Takes the next group control number.
    pub fn next_gs06(&mut self) -> u32 {
        take(&mut self.gs06)
    }

    /// Takes the next transaction control number.
    pub fn next_st02(&mut self) -> u32 {
        take(&mut self.st02)
    }
}

fn take(n: &mut u32) -> u32 {
    let v = *n;
    *n = if v >= MAX_CONTROL { 1 } else { v + 1 };
    v
}

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

struct OpenTransaction {
    /// `SegmentBuf::segments` before ST.
    first_segment: u64,
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
    /// transaction of the open group's kind if none is open.
    pub fn claim(&mut self, kind: Kind, bp: &BillingProvider, claim: &Claim) -> io::Result<()> {
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
    ) -> io::Result<()> {
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
    ) -> io::Result<()> {
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
        self.flush_full()
    }

    /// Writes SE for the open transaction, if any.
    pub fn close_transaction(&mut self) -> io::Result<()> {
        if let Some(tx) = self.tx.take() {
            let count = self.buf.segments() - tx.first_segment + 1;
            let se = OwnedSegment::new("SE", [count.to_string(), tx.control]);
            self.write(&se)?;
        }
        Ok(())
    }

    fn close_group(&mut self) -> io::Result<()> {
        self.close_transaction()?;
        if let Some((_, gs06, n)) = self.group.take() {
            self.write(&OwnedSegment::new("GE", [n.to_string(), gs06.to_string()]))?;
        }
        Ok(())
    }

    /// Closes what is open, writes IEA and flushes; returns the output and the bytes
    /// written in all.
    pub fn finish(mut self) -> io::Result<(W, u64)> {
        self.close_group()?;
        let iea = OwnedSegment::new(
            "IEA",
            [
                self.groups.to_string(),
                format!("{:09}", self.control.isa13 % 1_000_000_000),
            ],
        );
        self.write(&iea)?;
        self.flush_buf()?;
        self.out.flush()?;
        let written = self.flushed;
        Ok((self.out, written))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_numbers_parse() {
        let c = |isa13, gs06, st02| Control { isa13, gs06, st02 };
        assert_eq!(Control::parse("5"), Ok(c(5, 1, 1)));
        assert_eq!(Control::parse("5,6,7"), Ok(c(5, 6, 7)));
        assert_eq!(Control::parse("5,6"), Ok(c(5, 6, 1)));
        for bad in ["", "0", "1,2,3,4", "a", "1000000000", "-1", "+5", "1,,2"] {
            assert!(Control::parse(bad).is_err(), "{bad}");
        }
        let mut n = c(MAX_CONTROL, 1, 9);
        assert_eq!((n.next_isa13(), n.next_isa13()), (MAX_CONTROL, 1));
        assert_eq!((n.next_st02(), n.next_st02()), (9, 10));
    }
}
