//! ## What it does
//! Checks that a claim with J2326 carries an SMA diagnosis (G12.0, G12.1, G12.8 or G12.9)
//! among its ABK/ABF codes (837I: also ABJ, APR).
//!
//! ## Why is this bad?
//! Spinraza is covered for spinal muscular atrophy only; without an SMA code the claim is
//! denied for medical necessity.
//!
//! ## Example
//! ```text
//! HI*ABK:M6281~
//! ```
//!
//! ## Fix
//! None: the diagnosis comes from the medical record.
//!
//! ## Decisions
//! A claim gets at most one of `diagnosis-missing`, `diagnosis-not-sma` and
//! `diagnosis-unspecified`: with a G12.20-G12.29 code present and no SMA code,
//! `diagnosis-not-sma` reports instead. Codes are compared without point, upper case.
//! The finding is on the claim's first HI (on CLM when it has none).
//!
//! ## References
//! FDA Spinraza label (indication: SMA); ICD-10-CM G12.0-G12.9; payer SMA medical
//! policies; X12 RFI on the implied decimal in ICD codes.

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::lines::{drug_lines, sma_candidates};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct DiagnosisMissing;

static META: Meta = Meta {
    id: RuleId::DiagnosisMissing,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("diagnosis_missing.rs"),
};

/// What the SMA diagnoses of a claim with the drug are, for the three exclusive rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmaState {
    /// No SMA code and no G12.2x code.
    Missing,
    /// No SMA code, a G12.2x code present.
    NotSma,
    /// G12.9 is the only SMA code.
    Unspecified,
    /// A typed SMA code present.
    Typed,
}

/// The claim's SMA state; `None` when the claim has no drug line.
pub fn sma_state(cx: &Cx<'_, '_>, claim: &Claim<'_>) -> Option<SmaState> {
    drug_lines(cx, claim).next()?;
    let dx = &cx.catalog.diagnosis;
    let covered = crate::scrub::lines::covered(cx);
    // Three rules ask for every drug claim: no strings built.
    let (mut sma, mut all_unspecified, mut not_sma) = (false, true, false);
    for d in sma_candidates(cx, claim) {
        if d.normalized_in(covered) {
            sma = true;
            all_unspecified &= d.normalized_in(&dx.unspecified);
        }
        not_sma |= d.normalized_starts_with(&dx.not_sma_prefix);
    }
    Some(if !sma {
        if not_sma {
            SmaState::NotSma
        } else {
            SmaState::Missing
        }
    } else if all_unspecified {
        SmaState::Unspecified
    } else {
        SmaState::Typed
    })
}

/// The claim's first HI, or its CLM.
pub fn hi_or_clm(claim: &Claim<'_>) -> usize {
    claim.diagnoses.first().map_or(claim.clm, |d| d.segment)
}

impl Rule for DiagnosisMissing {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if sma_state(cx, claim) == Some(SmaState::Missing) {
            out.push(Hit::new(
                hi_or_clm(claim),
                format!("no SMA diagnosis on a claim with {}", cx.catalog.drug.hcpcs),
            ));
        }
    }
}
