//! The 999: for one functional group (AK1, AK9), each transaction set (AK2, IK5) and
//! the segments (IK3, with the claim of its CTX) and elements (IK4) it says are wrong.

use super::text;
use crate::tree::Tree;
use crate::x12::{Segment, Transaction};

/// An element a 999 says is wrong (IK4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementError {
    /// IK401: element, component and repetition positions (0 when not given).
    pub position: u8,
    pub component: u8,
    pub repetition: u8,
    /// IK402: the data element number.
    pub number: String,
    /// IK403.
    pub code: String,
    /// IK404: the value copied, if any.
    pub value: String,
}

/// A segment a 999 says is wrong (IK3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentError {
    /// IK301, IK302 (from 1, ST is 1), IK303, IK304.
    pub id: String,
    pub position: usize,
    pub loop_id: String,
    pub code: String,
    /// CLM01 of the claim it is in (CTX*CLM01), when given.
    pub claim: Option<String>,
    pub elements: Vec<ElementError>,
}

/// The acknowledgment of one transaction set (AK2 to IK5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionAck {
    /// AK201, AK202, AK203.
    pub set: String,
    pub control: String,
    pub guide: String,
    /// IK501: `A`, `E` (accepted), `R`, `M`, `W`, `X` (rejected).
    pub code: String,
    /// IK502..IK506.
    pub errors: Vec<String>,
    pub segments: Vec<SegmentError>,
}

impl TransactionAck {
    /// Whether the set was accepted (with errors noted or not).
    pub fn accepted(&self) -> bool {
        self.code == "A" || self.code == "E"
    }
}

/// The 999 of one functional group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupAck {
    /// AK101, AK102, AK103.
    pub functional_id: String,
    pub control: String,
    pub version: String,
    pub transactions: Vec<TransactionAck>,
    /// AK901..AK904, AK905..AK909.
    pub code: String,
    pub included: String,
    pub received: String,
    pub accepted: String,
    pub errors: Vec<String>,
}

fn element(seg: &Segment<'_>) -> ElementError {
    let n = |b: &[u8]| text(b).parse::<u8>().unwrap_or(0);
    ElementError {
        position: n(seg.component(1, 1)),
        component: n(seg.component(1, 2)),
        repetition: n(seg.component(1, 3)),
        number: text(seg.value(2)),
        code: text(seg.value(3)),
        value: text(seg.value(4)),
    }
}

fn codes(seg: &Segment<'_>, from: usize, to: usize) -> Vec<String> {
    (from..=to)
        .map(|i| text(seg.value(i)))
        .filter(|c| !c.is_empty())
        .collect()
}

/// Reads a 999 transaction set whose loop tree is `tree`.
pub fn read(tree: &Tree, tx: &Transaction<'_>) -> GroupAck {
    let mut g = GroupAck::default();
    for (i, seg) in tx.segments.iter().enumerate() {
        let loop_id = tree.loop_id(i);
        match seg.id() {
            b"AK1" => {
                g.functional_id = text(seg.value(1));
                g.control = text(seg.value(2));
                g.version = text(seg.value(3));
            }
            b"AK2" => g.transactions.push(TransactionAck {
                set: text(seg.value(1)),
                control: text(seg.value(2)),
                guide: text(seg.value(3)),
                code: String::new(),
                errors: Vec::new(),
                segments: Vec::new(),
            }),
            b"IK3" => {
                if let Some(t) = g.transactions.last_mut() {
                    t.segments.push(SegmentError {
                        id: text(seg.value(1)),
                        position: text(seg.value(2)).parse().unwrap_or(0),
                        loop_id: text(seg.value(3)),
                        code: text(seg.value(4)),
                        claim: None,
                        elements: Vec::new(),
                    });
                }
            }
            b"CTX" if loop_id == "2100" && seg.component(1, 1) == b"CLM01" => {
                let s = g
                    .transactions
                    .last_mut()
                    .and_then(|t| t.segments.last_mut());
                if let Some(s) = s {
                    s.claim = Some(text(seg.component(1, 2)));
                }
            }
            b"IK4" => {
                let s = g
                    .transactions
                    .last_mut()
                    .and_then(|t| t.segments.last_mut());
                if let Some(s) = s {
                    s.elements.push(element(seg));
                }
            }
            b"IK5" => {
                if let Some(t) = g.transactions.last_mut() {
                    t.code = text(seg.value(1));
                    t.errors = codes(seg, 2, 6);
                }
            }
            b"AK9" => {
                g.code = text(seg.value(1));
                g.included = text(seg.value(2));
                g.received = text(seg.value(3));
                g.accepted = text(seg.value(4));
                g.errors = codes(seg, 5, 9);
            }
            _ => {}
        }
    }
    g
}
