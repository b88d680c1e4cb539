//! ## What it does
//! Checks that CLM02, the claim's total charge, equals the sum of its line charges
//! (SV102 on 837P, SV203 on 837I).
//!
//! ## Why is this bad?
//! The implementation guides require the claim total to balance with its lines; payers
//! reject a claim that does not balance at the front end.
//!
//! ## Example
//! ```text
//! CLM*CLAIM0001*1000***22:B:1*Y*A*Y*Y~ ... SV1*HC:J2326:JZ*12500*UN*120***1~
//! ```
//!
//! ## Fix
//! Sets CLM02 to the sum of the line charges (repair: the lines are what was billed).
//! Applied after lines are removed by other fixes, too. A claim whose line charges are
//! not all numbers is left unfixed.
//!
//! ## References
//! ASC X12 005010X222A1 and 005010X223A2, 2300 CLM02 note: the total of all line charges.

use rust_decimal::Decimal;

use crate::claim::Claim;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct ClaimBalance;

static META: Meta = Meta {
    id: RuleId::ClaimBalance,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Repair),
    source: include_str!("claim_balance.rs"),
};

impl Rule for ClaimBalance {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if claim.lines.is_empty() || claim.lines.iter().any(|l| l.charge.is_none()) {
            return;
        }
        let total: Decimal = claim.lines.iter().filter_map(|l| l.charge).sum();
        if claim.billed == Some(total) {
            return;
        }
        let billed = claim
            .billed
            .map_or_else(|| "not a number".to_string(), |b| b.to_string());
        let hit = Hit::new(
            claim.clm,
            format!("CLM02 {billed} is not the sum of the line charges {total}"),
        );
        out.push(hit.fix(
            FixClass::Repair,
            vec![cx.set(claim.clm, 2, 0, total.to_string())],
        ));
    }
}
