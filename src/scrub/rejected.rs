//! The output of `--split-rejected`: the claims an error remains on, with valid envelopes
//! of their own. An interchange or group of the input gets its copy here only once a
//! claim of it is split off; copies take fresh control numbers (mapped in the report),
//! and their trailers the counts of what was written here.

use std::io;

use crate::output::Rewind;
use crate::x12::segment::set_elements;
use crate::x12::{Control, Renumber, Renumbered, Segment, Writer};

/// An envelope header of the input, copied here when first needed.
struct Pending {
    /// Its bytes as read.
    raw: Vec<u8>,
    body: usize,
    sep: u8,
    isa: bool,
    written: bool,
    /// Where the output and the map stood before it.
    mark: u64,
    /// Where its copy was written (when `written`).
    at: u64,
    map: usize,
}

impl Pending {
    fn new(seg: &Segment<'_>, mark: u64, map: usize) -> Pending {
        Pending {
            raw: seg.raw().to_vec(),
            body: seg.body().len(),
            sep: seg.delimiters.element,
            isa: seg.is("ISA"),
            written: false,
            mark,
            at: 0,
            map,
        }
    }

    /// Its control number as read.
    fn control(&self) -> Vec<u8> {
        let n = if self.isa { 13 } else { 6 };
        let body = &self.raw[..self.body];
        body.split(|&b| b == self.sep)
            .nth(n)
            .unwrap_or_default()
            .to_vec()
    }
}

pub struct Rejected<'r> {
    writer: Writer<&'r mut dyn Rewind>,
    numbers: Renumber,
    isa: Option<Pending>,
    gs: Option<Pending>,
    /// Groups written in the open interchange, transactions in the open group.
    groups: usize,
    transactions: usize,
}

impl<'r> Rejected<'r> {
    /// Writes to `out`, numbering from `next`.
    pub fn new(out: &'r mut dyn Rewind, next: Control) -> Self {
        Rejected {
            writer: Writer::new(out, crate::x12::Mode::Copy),
            numbers: Renumber::new(next, "rejected"),
            isa: None,
            gs: None,
            groups: 0,
            transactions: 0,
        }
    }

    /// An ISA of the input: copied here if a claim of its interchange is split off.
    pub fn isa(&mut self, seg: &Segment<'_>) {
        let mark = self.writer.get_ref().written();
        self.isa = Some(Pending::new(seg, mark, self.numbers.mark()));
        self.gs = None;
        self.groups = 0;
    }

    /// A GS of the input.
    pub fn gs(&mut self, seg: &Segment<'_>) {
        let mark = self.writer.get_ref().written();
        self.gs = Some(Pending::new(seg, mark, self.numbers.mark()));
        self.transactions = 0;
    }

    /// Starts a split-off transaction whose ST02 was `old`: writes the headers it needs;
    /// the ST02 it takes here.
    pub fn begin(&mut self, old: &[u8]) -> io::Result<String> {
        for p in [self.isa.as_mut(), self.gs.as_mut()].into_iter().flatten() {
            if !p.written {
                p.at = self.writer.get_ref().written();
                let old = p.control();
                let (n, new) = if p.isa {
                    (13, self.numbers.isa(&old))
                } else {
                    (6, self.numbers.gs(&old))
                };
                let bytes = set_elements(&p.raw, p.body, p.sep, &[(n, new.as_bytes())]);
                self.writer.raw_segment(&bytes)?;
                p.written = true;
            }
        }
        Ok(self.numbers.st(old))
    }

    /// Writes the transaction `begin` started.
    pub fn transaction(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.transactions += 1;
        self.writer.raw_transaction(bytes)
    }

    /// Writes a trailer like `seg` counting `n`, with control number `control`.
    fn trailer(&mut self, seg: &Segment<'_>, n: usize, control: &str) -> io::Result<()> {
        let n = n.to_string();
        let bytes = seg.with_elements(&[(1, n.as_bytes()), (2, control.as_bytes())]);
        self.writer.raw_segment(&bytes)
    }

    /// A GE of the input: closes its copy here, if there is one.
    pub fn ge(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        if self.gs.take().is_some_and(|g| g.written)
            && let Some(control) = self.numbers.ge()
        {
            self.trailer(seg, self.transactions, &control)?;
            self.groups += 1;
        }
        Ok(())
    }

    /// An IEA of the input: closes its copy here, if there is one, and makes it final.
    pub fn iea(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        self.gs = None;
        if self.isa.take().is_some_and(|i| i.written)
            && let Some(control) = self.numbers.iea()
        {
            self.trailer(seg, self.groups, &control)?;
        }
        self.writer.get_mut().settle()
    }

    /// The open group of the input is left out: so is its copy here.
    pub fn drop_group(&mut self) -> io::Result<()> {
        if let Some(gs) = self.gs.take() {
            self.writer.get_mut().rewind(gs.mark)?;
            self.numbers.truncate(gs.map);
            self.numbers.ge();
            // The interchange's copy, written with the group's first claim, went with it.
            if let Some(isa) = self.isa.as_mut().filter(|i| i.written && i.at >= gs.mark) {
                isa.written = false;
                self.numbers.iea();
            }
        }
        Ok(())
    }

    /// The open interchange of the input is left out: so is its copy here.
    pub fn drop_interchange(&mut self) -> io::Result<()> {
        self.gs = None;
        if let Some(isa) = self.isa.take() {
            self.writer.get_mut().rewind(isa.mark)?;
            self.numbers.truncate(isa.map);
            self.numbers.iea();
        }
        Ok(())
    }

    /// Makes everything final; the control numbers it gave.
    pub fn finish(mut self) -> io::Result<Vec<Renumbered>> {
        let out = self.writer.get_mut();
        out.settle()?;
        out.flush()?;
        Ok(self.numbers.map)
    }
}
