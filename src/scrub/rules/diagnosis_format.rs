//! ## What it does
//! Checks that HI diagnosis codes (C022-02 of ABK, ABF, ABJ, APR, ABN only; never amounts,
//! dates or value codes) have no decimal point and no lower-case letter. Applies to every
//! claim.
//!
//! ## Why is this bad?
//! The 837 carries ICD-10-CM codes with an implied decimal; `G12.1` or `g121` does not
//! match the payer's code tables and the claim is rejected at the front end.
//!
//! ## Example
//! ```text
//! HI*ABK:G12.1*ABF:m62.81~
//! ```
//!
//! ## Fix
//! Strips the point and upper-cases (repair), every such code of the HI in one edit.
//!
//! ## Decisions
//! A code that would still not have the ICD-10-CM shape after the fix (`G1.21.`, `12.1`)
//! stays unfixed, so the fix never trades this finding for a `diagnosis-code` one.
//!
//! ## References
//! ASC X12 005010X222A1 / 005010X223A2 2300 HI (C022-02, no decimal point); X12 RFI on
//! the implied decimal in ICD codes.

use crate::claim::Claim;
use crate::echo;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};
use crate::validate::codes::icd10_shape;

pub struct DiagnosisFormat;

static META: Meta = Meta {
    id: RuleId::DiagnosisFormat,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Repair),
    source: include_str!("diagnosis_format.rs"),
};

impl Rule for DiagnosisFormat {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let bad: Vec<_> = claim
            .diagnoses
            .iter()
            .filter(|d| d.code.contains(&b'.') || d.code.iter().any(u8::is_ascii_lowercase))
            .collect();
        let mut segments: Vec<usize> = bad.iter().map(|d| d.segment).collect();
        segments.dedup();
        for hi in segments {
            let here: Vec<_> = bad.iter().filter(|d| d.segment == hi).collect();
            let hit = Hit::new(
                hi,
                format!(
                    "HI{:02}-2 diagnosis {} has a point or lower case",
                    here[0].element,
                    echo::quoted(here[0].code)
                ),
            );
            let edits: Option<Vec<_>> = here
                .iter()
                .map(|d| {
                    let n = d.normalized();
                    icd10_shape(n.as_bytes()).then(|| cx.set(hi, d.element, 2, n))
                })
                .collect();
            out.push(match edits {
                Some(e) => hit.fix(FixClass::Repair, e),
                None => hit,
            });
        }
    }
}
