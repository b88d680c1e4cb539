//! Typed views of the replies to an 837, read like any X12 with their guides: the TA1
//! (an interchange accepted or rejected), the 999 (which transaction sets, segments and
//! elements were wrong), the 277CA (which claims and lines were accepted or rejected) and
//! the 835 remittance (which claims and lines were paid, adjusted or denied, and why).
//! `x837 info` counts them; tests and a resubmission read them.

mod ca277;
mod k999;
mod r835;
pub mod reasons;
mod ta1;

use std::ops::ControlFlow;

pub use ca277::{BatchAck, ClaimAck, LineAck, StatusCode};
pub use k999::{ElementError, GroupAck, SegmentError, TransactionAck};
pub use r835::{Adjustment, ClaimPayment, LinePayment, Remittance};
pub use ta1::Ta1;

use crate::grammar::{self, Kind};
use crate::x12::stream::{self, Event};
use crate::x12::{Transaction, Unit};

/// One transaction set read as a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A 999: the acknowledgment of one functional group.
    Implementation(GroupAck),
    /// A 277CA: the claims of one batch.
    ClaimAcknowledgment(BatchAck),
    /// An 835: the claims of one payment.
    Remittance(Remittance),
}

/// Reads `tx` as a reply when it is a 999, a 277CA or an 835 of a guide x837 carries.
pub fn of_transaction(tx: &Transaction<'_>) -> Option<Reply> {
    let guide = String::from_utf8_lossy(tx.guide());
    let g = grammar::for_set(tx.set_id(), &guide)?;
    let mut findings = Vec::new();
    let tree = crate::tree::build(g, tx, "", &mut findings);
    match g.kind {
        Kind::Implementation => Some(Reply::Implementation(k999::read(&tree, tx))),
        Kind::ClaimAcknowledgment => Some(Reply::ClaimAcknowledgment(ca277::read(&tree, tx))),
        Kind::Remittance => Some(Reply::Remittance(r835::read(&tree, tx))),
        Kind::Professional | Kind::Institutional => None,
    }
}

/// Every reply in an input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replies {
    pub ta1: Vec<Ta1>,
    /// The 999s, one per acknowledged group.
    pub groups: Vec<GroupAck>,
    /// The 277CAs, one per acknowledged batch.
    pub batches: Vec<BatchAck>,
    /// The 835s, one per payment.
    pub remittances: Vec<Remittance>,
}

impl Replies {
    /// Every claim the 277CAs acknowledge.
    pub fn claims(&self) -> impl Iterator<Item = &ClaimAck> {
        self.batches.iter().flat_map(|b| b.claims.iter())
    }

    /// Every claim the 835s pay, adjust or deny.
    pub fn payments(&self) -> impl Iterator<Item = &ClaimPayment> {
        self.remittances.iter().flat_map(|r| r.claims.iter())
    }

    /// Every transaction set the 999s acknowledge.
    pub fn transactions(&self) -> impl Iterator<Item = &TransactionAck> {
        self.groups.iter().flat_map(|g| g.transactions.iter())
    }
}

/// Reads every TA1, 999, 277CA and 835 of `input` (what cannot be read is left out).
pub fn read(input: &[u8]) -> Replies {
    let mut out = Replies::default();
    // Reading from memory cannot fail.
    let _ = stream::for_each(input, |event| {
        match event {
            Event::Unit(Unit::Segment(seg)) if seg.is("TA1") => out.ta1.push(Ta1::of(&seg)),
            Event::Unit(Unit::Transaction(tx)) => match of_transaction(&tx) {
                Some(Reply::Implementation(g)) => out.groups.push(g),
                Some(Reply::ClaimAcknowledgment(b)) => out.batches.push(b),
                Some(Reply::Remittance(r)) => out.remittances.push(r),
                None => {}
            },
            _ => {}
        }
        ControlFlow::Continue(())
    });
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
