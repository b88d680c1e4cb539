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
use crate::report::{FixClass, Severity, echo};
use crate::scrub::rule::{Cx, Hit, Rule};

pub struct LineNumbering;

impl Rule for LineNumbering {
    fn id(&self) -> &'static str {
        "line-numbering"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn source(&self) -> &'static str {
        include_str!("line_numbering.rs")
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        for (n, line) in claim.lines.iter().enumerate() {
            let expected = (n + 1).to_string();
            if line.number != expected.as_bytes() {
                let hit = Hit::new(
                    self.id(),
                    self.severity(),
                    line.lx,
                    format!("LX01 is {}, expected {expected}", echo::quoted(line.number)),
                );
                out.push(hit.fix(FixClass::Repair, vec![cx.set(line.lx, 1, 0, expected)]));
            }
        }
    }
}
