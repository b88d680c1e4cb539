//! ## What it does
//! Checks that LX01 numbers the claim's service lines 1, 2, 3, ... in order.
//!
//! ## Why is this bad?
//! The guides require LX01 to start at 1 and increase by 1 within each claim; remittance
//! advice and corrections refer to lines by this number, and payers reject gaps.
//!
//! ## Example
//! ```text
//! LX*1~SV1*...~LX*3~SV1*...~
//! ```
//!
//! ## Fix
//! Renumbers every LX of the claim from 1 (repair). Also applied after a fix removes a
//! line.
//!
//! ## References
//! ASC X12 005010X222A1 and 005010X223A2, 2400 LX01 note.

use crate::claim::Claim;
use crate::echo;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct LineNumbering;

static META: Meta = Meta {
    id: RuleId::LineNumbering,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Repair),
    source: include_str!("line_numbering.rs"),
};

impl Rule for LineNumbering {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let mut buf = [0; 20];
        for (n, line) in claim.lines.iter().enumerate() {
            // Compared without a string made for every line of every claim.
            if line.number != crate::digits::u64_in(n as u64 + 1, &mut buf) {
                let expected = (n + 1).to_string();
                let hit = Hit::new(
                    line.lx,
                    format!("LX01 is {}, expected {expected}", echo::quoted(line.number)),
                );
                out.push(hit.fix(FixClass::Repair, vec![cx.set(line.lx, 1, 0, expected)]));
            }
        }
    }
}
