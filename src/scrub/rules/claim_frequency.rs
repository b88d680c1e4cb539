//! ## What it does
//! Checks the claim frequency code (CLM05-3) against the payer's claim number: a
//! replacement (7) or void (8) needs the payer's claim control number in 2300 REF*F8
//! (error); an original claim with a REF*F8 (any other code; on an 837I also other than
//! Q) is a warning. Every claim, not only J2326 ones.
//!
//! ## Why is this bad?
//! A replacement or void without the number of the claim it replaces is rejected at the
//! payer's front end: the payer cannot tell which claim it changes. A payer claim number
//! on an original claim is contradictory: either the code or the REF is wrong.
//!
//! ## Example
//! ```text
//! CLM*A1*12500***11:B:7*Y*A*Y*Y~   (no REF*F8 in 2300: error)
//! ```
//!
//! ## Fix
//! None: the number comes from the payer's 835 or 277, and with F8 on an original whether
//! the code or the REF is wrong does not follow from the claim.
//!
//! ## Decisions
//! - A REF*F8 whose REF02 is blank counts as absent.
//! - A missing CLM05-3 is validation's (its required element), not this rule's.
//! - A finding on a replacement or void is on the CLM; on an original, on the REF*F8.
//!
//! ## References
//! ASC X12 005010X222A1 and X223A2 2300 CLM05-3 and REF*F8 (payer claim control number);
//! X12 RFIs 1538, 2110 and 2173.

use crate::claim::Claim;
use crate::grammar::Kind;
use crate::report::{RuleId, Severity};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct ClaimFrequency;

static META: Meta = Meta {
    id: RuleId::ClaimFrequency,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("claim_frequency.rs"),
};

impl Rule for ClaimFrequency {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let code = claim.frequency.trim_ascii();
        if code.is_empty() {
            return;
        }
        let changes = matches!(code, b"7" | b"8");
        let shown = crate::echo::code(code);
        match claim.f8 {
            None if changes => out.push(Hit::new(
                claim.clm,
                format!(
                    "claim frequency {shown} ({}) without the payer's claim number (REF*F8)",
                    if code == b"7" { "replacement" } else { "void" }
                ),
            )),
            Some(r) if !(changes || cx.kind == Kind::Institutional && code == b"Q") => out.push(
                Hit::new(
                    r,
                    format!(
                        "REF*F8 (payer claim number) on a claim of frequency {shown}, an original"
                    ),
                )
                .severity(Severity::Warning),
            ),
            _ => {}
        }
    }
}
