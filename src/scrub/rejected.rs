//! The output of `--split-rejected`: the claims an error remains on, with valid envelopes
//! of their own. An interchange or group of the input gets its copy here only once a
//! claim of it is split off; copies take fresh control numbers, and their trailers the
//! counts of what was written here.

use std::io;

use crate::output::Rewind;
use crate::x12::{Segment, Writer};

/// Control numbers of the next interchange, group and transaction written here.
#[derive(Debug, Clone, Copy)]
pub struct Next {
    pub isa13: u32,
    pub gs06: u32,
    pub st02: u32,
}

impl Default for Next {
    fn default() -> Self {
        Next {
            isa13: 1,
            gs06: 1,
            st02: 1,
        }
    }
}

/// An envelope header of the input, copied here when first needed.
struct Pending {
    /// Its bytes as read, with its new control number.
    copy: Vec<u8>,
    isa: bool,
    /// Its control number here.
    control: String,
    written: bool,
    /// Where the output stood before it.
    mark: u64,
}

impl Pending {
    fn new(seg: &Segment<'_>, element: usize, control: String, mark: u64) -> Pending {
        Pending {
            copy: renumbered(seg, element, &control, None),
            isa: seg.is("ISA"),
            control,
            written: false,
            mark,
        }
    }
}

/// `seg` as read with element `element` set to `control` (and element 1 to `count`).
fn renumbered(seg: &Segment<'_>, element: usize, control: &str, count: Option<usize>) -> Vec<u8> {
    let count = count.map(|n| n.to_string());
    let mut set = vec![(element, control.as_bytes())];
    if let Some(n) = &count {
        set.push((1, n.as_bytes()));
    }
    seg.with_elements(&set)
}

pub struct Rejected<'r> {
    writer: Writer<&'r mut dyn Rewind>,
    next: Next,
    isa: Option<Pending>,
    gs: Option<Pending>,
    /// Groups written in the open interchange, transactions in the open group.
    groups: usize,
    transactions: usize,
}

impl<'r> Rejected<'r> {
    pub fn new(out: &'r mut dyn Rewind, next: Next) -> Self {
        Rejected {
            writer: Writer::new(out, crate::x12::Mode::Copy),
            next,
            isa: None,
            gs: None,
            groups: 0,
            transactions: 0,
        }
    }

    /// An ISA of the input: copied here if a claim of its interchange is split off.
    pub fn isa(&mut self, seg: &Segment<'_>) {
        let control = format!("{:09}", self.next.isa13);
        let mark = self.writer.get_ref().written();
        self.isa = Some(Pending::new(seg, 13, control, mark));
        self.gs = None;
        self.groups = 0;
    }

    /// A GS of the input.
    pub fn gs(&mut self, seg: &Segment<'_>) {
        let control = self.next.gs06.to_string();
        let mark = self.writer.get_ref().written();
        self.gs = Some(Pending::new(seg, 6, control, mark));
        self.transactions = 0;
    }

    /// The control number the next split-off transaction takes.
    pub fn st02(&self) -> String {
        format!("{:04}", self.next.st02)
    }

    /// Writes a split-off transaction (numbered with `st02()`), after the headers it needs.
    pub fn transaction(&mut self, bytes: &[u8]) -> io::Result<()> {
        for p in [self.isa.as_mut(), self.gs.as_mut()].into_iter().flatten() {
            if !p.written {
                self.writer.raw_segment(&p.copy)?;
                p.written = true;
                if p.isa {
                    self.next.isa13 += 1;
                } else {
                    self.next.gs06 += 1;
                }
            }
        }
        self.next.st02 += 1;
        self.transactions += 1;
        self.writer.raw_transaction(bytes)
    }

    /// Writes a trailer like `seg` counting `n`, with control number `control`.
    fn trailer(&mut self, seg: &Segment<'_>, n: usize, control: &str) -> io::Result<()> {
        self.writer
            .raw_segment(&renumbered(seg, 2, control, Some(n)))
    }

    /// A GE of the input: closes its copy here, if there is one.
    pub fn ge(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        if let Some(gs) = self.gs.take().filter(|g| g.written) {
            self.trailer(seg, self.transactions, &gs.control)?;
            self.groups += 1;
        }
        Ok(())
    }

    /// An IEA of the input: closes its copy here, if there is one, and makes it final.
    pub fn iea(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        if let Some(isa) = self.isa.take().filter(|i| i.written) {
            self.trailer(seg, self.groups, &isa.control)?;
        }
        self.gs = None;
        self.writer.get_mut().settle()
    }

    /// The open group of the input is left out: so is its copy here.
    pub fn drop_group(&mut self) -> io::Result<()> {
        if let Some(gs) = self.gs.take() {
            self.writer.get_mut().rewind(gs.mark)?;
        }
        Ok(())
    }

    /// The open interchange of the input is left out: so is its copy here.
    pub fn drop_interchange(&mut self) -> io::Result<()> {
        self.gs = None;
        if let Some(isa) = self.isa.take() {
            self.writer.get_mut().rewind(isa.mark)?;
        }
        Ok(())
    }

    /// Makes everything final.
    pub fn finish(mut self) -> io::Result<()> {
        let out = self.writer.get_mut();
        out.settle()?;
        out.flush()
    }
}
