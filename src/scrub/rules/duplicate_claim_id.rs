//! ## What it does
//! Checks that no two claims of one transaction (ST-SE) carry the same CLM01 (compared as
//! written, trimmed). Every claim, not only J2326 ones; reported on the second CLM.
//!
//! ## Why is this bad?
//! CLM01 is the submitter's claim identifier: the payer's 277CA and 835 answer by it, and
//! a payer that sees it twice rejects the second claim as a duplicate, or answers for
//! only one of them, so the other is never paid or cannot be matched.
//!
//! ## Example
//! ```text
//! CLM*A1*12500***11:B:1*Y*A*Y*Y~ ... CLM*A1*8000***11:B:1*Y*A*Y*Y~
//! ```
//!
//! ## Fix
//! None: which claim should carry another identifier is the submitter's to decide.
//!
//! ## Decisions
//! - Silent for a pair `duplicate-service` reports (one original J2326 service billed twice
//!   for one patient, payer and billing provider on one day): it owns the pair, so the
//!   pair is reported once.
//! - Across transactions or files the same CLM01 is not reported: submitters reuse
//!   identifiers across batches legitimately (replacements keep the CLM01).
//!
//! ## References
//! ASC X12 005010X222A1 and X223A2 2300 CLM01 (patient control number, returned in the
//! 277CA 2200D TRN02 and the 835 CLP01).

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::lines::service;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct DuplicateClaimId;

static META: Meta = Meta {
    id: RuleId::DuplicateClaimId,
    severity: Severity::Warning,
    fixes: Fixes::Never,
    source: include_str!("duplicate_claim_id.rs"),
};

impl Rule for DuplicateClaimId {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let Some((first, earlier)) = cx.earlier.get(claim.id.trim_ascii()) else {
            return;
        };
        let owned = cx.enabled(RuleId::DuplicateService)
            && matches!((earlier, service(cx, claim)), (Some(a), Some(b)) if a.duplicates(&b));
        if owned {
            return;
        }
        // The earlier claim's CLM as its index in the input, whichever pass this is.
        let position = *first;
        out.push(Hit::new(
            claim.clm,
            format!(
                "CLM01 {} is also the claim at segment {position} of this transaction",
                crate::echo::code(claim.id.trim_ascii())
            ),
        ));
    }
}
