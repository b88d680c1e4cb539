//! The 277CA: for one batch (2200B) its totals, and for each claim (2200D: TRN02 is the
//! claim's CLM01) its statuses and charge, with the service lines it names (2220D).

use rust_decimal::Decimal;

use super::text;
use crate::tree::Tree;
use crate::x12::{Segment, Transaction};

/// Categories a claim or line is rejected with.
const REJECTED: [&str; 4] = ["A3", "A6", "A7", "A8"];

/// One status composite (STC01, STC10, STC11): category, status, entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCode {
    pub category: String,
    pub status: String,
    pub entity: String,
}

impl StatusCode {
    /// Whether the category is one of rejection (A3, A6, A7, A8).
    pub fn rejects(&self) -> bool {
        REJECTED.contains(&self.category.as_str())
    }
}

/// A service line a 277CA names (2220D).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineAck {
    /// SVC01-02.
    pub procedure: String,
    /// SVC02.
    pub charge: Option<Decimal>,
    pub statuses: Vec<StatusCode>,
    /// REF*FJ: the line's LX01 in the claim acknowledged.
    pub line: Option<String>,
}

/// One claim of a 277CA (2200D).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimAck {
    /// TRN02: the claim's CLM01.
    pub claim: String,
    pub statuses: Vec<StatusCode>,
    /// STC03 of the first STC: `WQ` accepted, `U` rejected.
    pub action: String,
    /// STC04: the claim's CLM02.
    pub charge: Option<Decimal>,
    /// REF*1K: the payer's claim control number.
    pub payer_claim: Option<String>,
    pub lines: Vec<LineAck>,
}

impl ClaimAck {
    /// Whether the claim was rejected (a status of category A3, A6, A7 or A8).
    pub fn rejected(&self) -> bool {
        self.statuses.iter().any(StatusCode::rejects)
    }
}

/// One 277CA transaction set: a batch and its claims.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchAck {
    /// 2200B TRN02: the batch's BHT03.
    pub trace: String,
    /// 2200B STC04: the batch's total charge.
    pub charge: Option<Decimal>,
    /// 2200B QTY*90 / QTY*AA and AMT*YU / AMT*YY.
    pub accepted: Option<Decimal>,
    pub rejected: Option<Decimal>,
    pub accepted_amount: Option<Decimal>,
    pub rejected_amount: Option<Decimal>,
    pub claims: Vec<ClaimAck>,
}

fn decimal(b: &[u8]) -> Option<Decimal> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

fn statuses(seg: &Segment<'_>) -> Vec<StatusCode> {
    [1, 10, 11]
        .into_iter()
        .filter_map(|n| {
            let e = seg.element(n)?;
            let mut parts = e.components();
            let mut next = || text(parts.next().unwrap_or_default());
            let s = StatusCode {
                category: next(),
                status: next(),
                entity: next(),
            };
            (!s.category.is_empty()).then_some(s)
        })
        .collect()
}

/// A segment of loop 2200B.
fn batch_segment(b: &mut BatchAck, seg: &Segment<'_>) {
    match (seg.id(), seg.value(1)) {
        (b"TRN", _) => b.trace = text(seg.value(2)),
        (b"STC", _) => b.charge = decimal(seg.value(4)),
        (b"QTY", b"90") => b.accepted = decimal(seg.value(2)),
        (b"QTY", b"AA") => b.rejected = decimal(seg.value(2)),
        (b"AMT", b"YU") => b.accepted_amount = decimal(seg.value(2)),
        (b"AMT", b"YY") => b.rejected_amount = decimal(seg.value(2)),
        _ => {}
    }
}

/// Reads a 277CA transaction set whose loop tree is `tree`.
pub fn read(tree: &Tree, tx: &Transaction<'_>) -> BatchAck {
    let mut b = BatchAck::default();
    for (i, seg) in tx.segments.iter().enumerate() {
        match (tree.loop_id(i), seg.id()) {
            ("2200B", _) => batch_segment(&mut b, seg),
            ("2200D", b"TRN") => b.claims.push(ClaimAck {
                claim: text(seg.value(2)),
                ..ClaimAck::default()
            }),
            ("2200D", b"STC") => {
                if let Some(c) = b.claims.last_mut() {
                    if c.statuses.is_empty() {
                        c.action = text(seg.value(3));
                        c.charge = decimal(seg.value(4));
                    }
                    c.statuses.extend(statuses(seg));
                }
            }
            ("2200D", b"REF") if seg.value(1) == b"1K" => {
                if let Some(c) = b.claims.last_mut() {
                    c.payer_claim = Some(text(seg.value(2)));
                }
            }
            ("2220D", id) => {
                let Some(c) = b.claims.last_mut() else {
                    continue;
                };
                if id == b"SVC" {
                    c.lines.push(LineAck {
                        procedure: text(seg.component(1, 2)),
                        charge: decimal(seg.value(2)),
                        ..LineAck::default()
                    });
                } else if let Some(l) = c.lines.last_mut() {
                    match (id, seg.value(1)) {
                        (b"STC", _) => l.statuses.extend(statuses(seg)),
                        (b"REF", b"FJ") => l.line = Some(text(seg.value(2))),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    b
}
