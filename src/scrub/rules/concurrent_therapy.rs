//! ## What it does
//! Checks that a claim with J2326 does not also bill J3399 (Zolgensma,
//! onasemnogene abeparvovec), another SMA therapy.
//!
//! ## Why is this bad?
//! Payer SMA policies cover one disease-modifying therapy at a time: nusinersen after gene
//! therapy, or both on one claim, is denied for lack of medical necessity unless a
//! specific exception is documented and authorized.
//!
//! ## Example
//! ```text
//! SV1*HC:J2326:JZ*12500*UN*120***1~ ... SV1*HC:J3399*2125000*UN*1***1~
//! ```
//!
//! ## Fix
//! None: which therapy was meant does not follow from the claim.
//!
//! ## Decisions
//! The finding is on each concurrent line's SV1/SV2; the products come from the catalog
//! (`drug.concurrent`).
//!
//! ## References
//! FDA Spinraza and Zolgensma labels; commercial and Medicaid SMA medical policies
//! (one disease-modifying therapy at a time).

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::catalog::listed;
use crate::scrub::lines::drug_lines;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct ConcurrentTherapy;

static META: Meta = Meta {
    id: RuleId::ConcurrentTherapy,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("concurrent_therapy.rs"),
};

impl Rule for ConcurrentTherapy {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if drug_lines(cx, claim).next().is_none() {
            return;
        }
        let drug = &cx.catalog.drug;
        for line in &claim.lines {
            if listed(&drug.concurrent, line.code) {
                out.push(Hit::new(
                    line.service.unwrap_or(line.lx),
                    format!(
                        "{} billed on the same claim as {}",
                        line.code_shown(),
                        drug.hcpcs
                    ),
                ));
            }
        }
    }
}
