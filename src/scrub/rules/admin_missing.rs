//! ## What it does
//! Checks that a claim with J2326 also bills the drug's administration: an intrathecal
//! administration line (62320-62323, 96450), or at least a line `admin-code` reports
//! (a wrong administration code is that rule's finding, not this one's).
//!
//! ## Why is this bad?
//! The drug is given by intrathecal injection in the same encounter. A drug line without
//! any administration is denied or held for review, and the administration, a separate
//! payable service, is lost.
//!
//! ## Example
//! ```text
//! CLM*CLAIM0001*12500***22:B:1*Y*A*Y*Y~...LX*1~SV1*HC:J2326:JZ*12500*UN*120***1~
//! DTP*472*D8*20260110~LIN**N4*64406005801~CTP****5*ML~SE*...
//! ```
//!
//! ## Fix
//! None: which administration code was performed, its charge and its provider are not on
//! the claim. One finding per claim, on the first J2326 line. Administration lines on any
//! date count here; a date mismatch is `admin-dos-match`'s finding.
//!
//! ## References
//! FDA Spinraza label (intrathecal administration); CPT 62320-62323; Noridian JE/JF
//! articles A58578/A58579 (drug and administration on the same claim and date).

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

use super::admin_code;

pub struct AdminMissing;

static META: Meta = Meta {
    id: RuleId::AdminMissing,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("admin_missing.rs"),
};

impl Rule for AdminMissing {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let Some(drug) = claim.lines.iter().find(|l| cx.is_drug(l)) else {
            return;
        };
        if claim
            .lines
            .iter()
            .any(|l| cx.is_admin(l) || admin_code::reported(cx, l))
        {
            return;
        }
        out.push(Hit::new(
            drug.service.unwrap_or(drug.lx),
            format!(
                "{} is billed without an intrathecal administration line",
                cx.catalog.drug.hcpcs
            ),
        ));
    }
}
