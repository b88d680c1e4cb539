//! ## What it does
//! Checks, on a claim with J2326, whether G12.9 (SMA, unspecified) is the only SMA code.
//!
//! ## Why is this bad?
//! Payer SMA policies ask for the SMA type (G12.0 type I, G12.1 other inherited incl.
//! types II-IV, G12.8 other); an unspecified code is often pended for records or denied.
//!
//! ## Example
//! ```text
//! HI*ABK:G129~
//! ```
//!
//! ## Fix
//! None: the SMA type comes from the medical record.
//!
//! ## Decisions
//! A warning. At most one of `diagnosis-missing`, `diagnosis-not-sma`,
//! `diagnosis-unspecified` per claim. The finding is on the HI holding the G12.9.
//!
//! ## References
//! ICD-10-CM G12.0-G12.9; payer SMA medical policies (genetic confirmation, SMA type).

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::lines::{in_list, sma_candidates};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

use super::diagnosis_missing::{SmaState, hi_or_clm, sma_state};

pub struct DiagnosisUnspecified;

static META: Meta = Meta {
    id: RuleId::DiagnosisUnspecified,
    severity: Severity::Warning,
    fixes: Fixes::Never,
    source: include_str!("diagnosis_unspecified.rs"),
};

impl Rule for DiagnosisUnspecified {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if sma_state(cx, claim) != Some(SmaState::Unspecified)
            || super::diagnosis_primary::applies(cx, claim)
        {
            return;
        }
        let dx = &cx.catalog.diagnosis;
        let at = sma_candidates(cx, claim)
            .find(|d| in_list(&dx.unspecified, &d.normalized()))
            .map_or_else(|| hi_or_clm(claim), |d| d.segment);
        out.push(Hit::new(
            at,
            "the only SMA diagnosis is unspecified; payers ask for the SMA type",
        ));
    }
}
