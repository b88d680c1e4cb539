//! The 835 remittance: for each claim (2100: CLP01 is the claim's CLM01) its status,
//! amounts, the payer's claim control number (CLP07), adjustments (CAS) and remark codes
//! (MOA, MIA), and the service lines (2110: REF*6R is the line's LX01) with theirs (CAS,
//! LQ*HE).

use rust_decimal::Decimal;

use super::text;
use crate::tree::Tree;
use crate::x12::{Segment, Transaction};

/// One reason of a CAS segment: its group (CO, PR, OA, PI, CR), reason (a CARC value),
/// amount and quantity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Adjustment {
    pub group: String,
    pub reason: String,
    pub amount: Option<Decimal>,
    pub quantity: Option<Decimal>,
}

/// A service line of an 835 claim (2110).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinePayment {
    /// SVC01-02.
    pub procedure: String,
    /// SVC02, SVC03.
    pub charge: Option<Decimal>,
    pub paid: Option<Decimal>,
    /// SVC05.
    pub units: Option<Decimal>,
    /// REF*6R: the line's LX01 in the claim paid.
    pub line: Option<String>,
    pub adjustments: Vec<Adjustment>,
    /// LQ*HE: remark codes (RARC).
    pub remarks: Vec<String>,
}

/// One claim of an 835 (2100).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimPayment {
    /// CLP01: the claim's CLM01.
    pub claim: String,
    /// CLP02: 1, 2, 3 processed as primary, secondary, tertiary; 4 denied; 22 reversal...
    pub status: String,
    /// CLP03, CLP04, CLP05.
    pub charge: Option<Decimal>,
    pub paid: Option<Decimal>,
    pub patient_responsibility: Option<Decimal>,
    /// CLP07: the payer's claim control number.
    pub payer_claim: String,
    pub adjustments: Vec<Adjustment>,
    /// MOA and MIA remark codes (RARC).
    pub remarks: Vec<String>,
    pub lines: Vec<LinePayment>,
}

impl ClaimPayment {
    /// Whether nothing was paid for the claim (CLP04 zero or absent).
    pub fn unpaid(&self) -> bool {
        self.paid.is_none_or(|p| p.is_zero())
    }
}

/// One 835 transaction set: a payment and the claims it pays or denies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Remittance {
    /// BPR02: the total paid.
    pub paid: Option<Decimal>,
    /// TRN02: the check or EFT trace number.
    pub trace: String,
    /// 1000A N102: the payer's name.
    pub payer: String,
    pub claims: Vec<ClaimPayment>,
}

fn decimal(b: &[u8]) -> Option<Decimal> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

/// The reasons of a CAS segment (CAS02-04, 05-07, ... 17-19).
fn adjustments(seg: &Segment<'_>) -> Vec<Adjustment> {
    let group = text(seg.value(1));
    (0..6)
        .filter_map(|k| {
            let at = 2 + 3 * k;
            let reason = text(seg.value(at));
            (!reason.is_empty()).then(|| Adjustment {
                group: group.clone(),
                reason,
                amount: decimal(seg.value(at + 1)),
                quantity: decimal(seg.value(at + 2)),
            })
        })
        .collect()
}

/// The remark codes of a MOA (MOA03-07) or MIA (MIA05, MIA20-24).
fn remarks(seg: &Segment<'_>) -> Vec<String> {
    let at: &[usize] = if seg.is("MOA") {
        &[3, 4, 5, 6, 7]
    } else {
        &[5, 20, 21, 22, 23, 24]
    };
    at.iter()
        .map(|&n| text(seg.value(n)))
        .filter(|r| !r.is_empty())
        .collect()
}

/// A segment of loop 2100 after its CLP.
fn claim_segment(c: &mut ClaimPayment, seg: &Segment<'_>) {
    match seg.id() {
        b"CAS" => c.adjustments.extend(adjustments(seg)),
        b"MOA" | b"MIA" => c.remarks.extend(remarks(seg)),
        _ => {}
    }
}

/// A segment of loop 2110.
fn line_segment(c: &mut ClaimPayment, seg: &Segment<'_>) {
    if seg.is("SVC") {
        c.lines.push(LinePayment {
            procedure: text(seg.component(1, 2)),
            charge: decimal(seg.value(2)),
            paid: decimal(seg.value(3)),
            units: decimal(seg.value(5)),
            ..LinePayment::default()
        });
        return;
    }
    let Some(l) = c.lines.last_mut() else {
        return;
    };
    match (seg.id(), seg.value(1)) {
        (b"CAS", _) => l.adjustments.extend(adjustments(seg)),
        (b"REF", b"6R") => l.line = Some(text(seg.value(2))),
        (b"LQ", b"HE") => l.remarks.push(text(seg.value(2))),
        _ => {}
    }
}

/// Reads an 835 transaction set whose loop tree is `tree`.
pub fn read(tree: &Tree, tx: &Transaction<'_>) -> Remittance {
    let mut r = Remittance::default();
    for (i, seg) in tx.segments.iter().enumerate() {
        match (tree.loop_id(i), seg.id()) {
            ("ST_LOOP", b"BPR") => r.paid = decimal(seg.value(2)),
            ("ST_LOOP", b"TRN") => r.trace = text(seg.value(2)),
            ("1000A", b"N1") => r.payer = text(seg.value(2)),
            ("2100", b"CLP") => r.claims.push(ClaimPayment {
                claim: text(seg.value(1)),
                status: text(seg.value(2)),
                charge: decimal(seg.value(3)),
                paid: decimal(seg.value(4)),
                patient_responsibility: decimal(seg.value(5)),
                payer_claim: text(seg.value(7)),
                ..ClaimPayment::default()
            }),
            ("2100", _) => {
                if let Some(c) = r.claims.last_mut() {
                    claim_segment(c, seg);
                }
            }
            ("2110", _) => {
                if let Some(c) = r.claims.last_mut() {
                    line_segment(c, seg);
                }
            }
            _ => {}
        }
    }
    r
}
