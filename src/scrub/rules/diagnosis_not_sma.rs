//! ## What it does
//! Checks, on a claim with J2326 and no SMA code, for a G12.20-G12.29 code (motor neuron
//! disease, including G12.25 progressive spinal muscle atrophy).
//!
//! ## Why is this bad?
//! G12.2x codes read like SMA but are motor neuron disease; Spinraza is not indicated
//! for it and the claim is denied for medical necessity. The billing reference's
//! "progressive spinal muscle atrophy" code is this mistake.
//!
//! ## Example
//! ```text
//! HI*ABK:G1225~
//! ```
//!
//! ## Fix
//! None: the SMA code comes from the medical record.
//!
//! ## Decisions
//! Takes the place of `diagnosis-missing` on such a claim (at most one of the three
//! diagnosis rules per claim). With an SMA code also present the claim is not reported.
//! The finding is on the HI holding the G12.2x code.
//!
//! ## References
//! ICD-10-CM G12.2 (motor neuron disease) and G12.0-G12.9; FDA Spinraza label.

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::lines::sma_candidates;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

use super::diagnosis_missing::{SmaState, hi_or_clm, sma_state};

pub struct DiagnosisNotSma;

static META: Meta = Meta {
    id: RuleId::DiagnosisNotSma,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("diagnosis_not_sma.rs"),
};

impl Rule for DiagnosisNotSma {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if sma_state(cx, claim) != Some(SmaState::NotSma) {
            return;
        }
        let prefix = cx.catalog.diagnosis.not_sma_prefix.as_str();
        let found = sma_candidates(cx, claim).find(|d| d.normalized().starts_with(prefix));
        out.push(Hit::new(
            found.map_or_else(|| hi_or_clm(claim), |d| d.segment),
            format!(
                "{} is motor neuron disease, not SMA; no SMA diagnosis on the claim",
                found.map(|d| d.normalized()).unwrap_or_default()
            ),
        ));
    }
}
