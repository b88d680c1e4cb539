//! ## What it does
//! Checks that a claim with J2326 carries a prior authorization number: `REF*G1` in the
//! 2300 claim loop, or on the J2326 line itself (2400).
//!
//! ## Why is this bad?
//! Most commercial plans and Medicaid programs require prior authorization for
//! nusinersen; a claim without the number is pended or denied. The severity is a warning,
//! raised to an error by a profile or config with `prior_auth_required = true`.
//!
//! ## Example
//! ```text
//! CLM*CLAIM0001*12650***22:B:1*Y*A*Y*Y~HI*ABK:G121~LX*1~SV1*HC:J2326:JZ*12500*UN*120***1~
//! ```
//!
//! ## Fix
//! None: the number comes from the payer. A REF*G1 in 2300 covers every line; without
//! it, each J2326 line without its own REF*G1 is reported on its SV1/SV2.
//!
//! ## References
//! ASC X12 005010X222A1 and 005010X223A2, 2300 and 2400 REF*G1 (prior authorization).

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct PriorAuth;

static META: Meta = Meta {
    id: RuleId::PriorAuth,
    severity: Severity::Warning,
    fixes: Fixes::Never,
    source: include_str!("prior_auth.rs"),
};

impl Rule for PriorAuth {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if claim.prior_auth {
            return;
        }
        let severity = if cx.profile.prior_auth_required {
            Severity::Error
        } else {
            META.severity
        };
        for line in claim
            .lines
            .iter()
            .filter(|l| cx.is_drug(l) && !l.prior_auth)
        {
            let hit = Hit::new(
                line.service.unwrap_or(line.lx),
                format!(
                    "no prior authorization (REF*G1) for the {} line",
                    cx.catalog.drug.hcpcs
                ),
            );
            out.push(hit.severity(severity));
        }
    }
}
