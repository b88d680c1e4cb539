//! ## What it does
//! Under a profile that lists `primary_diagnoses` (`noridian`: G12.0, G12.1), checks that
//! the primary diagnosis of each J2326 line is one of them: on an 837P the code at the HI
//! position the line's first pointer (SV107-1) names, on an 837I the principal diagnosis
//! (HI*ABK). Reported when that code is an SMA code outside the list.
//!
//! ## Why is this bad?
//! Noridian's billing article A58578 covers nusinersen with G12.0 or G12.1 as the primary
//! diagnosis; a claim whose line points first at G12.8 or G12.9 is denied as not
//! reasonable and necessary even with G12.1 elsewhere on the claim.
//!
//! ## Example
//! ```text
//! HI*ABK:G128*ABF:G121~ ... SV1*HC:J2326:JZ*12500*UN*120***1:2~   (under noridian)
//! ```
//!
//! ## Fix
//! 837P: puts the position of the first code of the profile's list present on the claim
//! (position 12 or lower) first in SV107, keeping the other pointers after it (at most
//! four) (recode). Without such a code, or on an 837I (the principal diagnosis is the
//! facility's coding), unfixed.
//!
//! ## Decisions
//! - Silent when the claim has no covered SMA code (`diagnosis-missing`,
//!   `diagnosis-not-sma` own that) or the 837P line points at none (`diagnosis-pointer`
//!   owns that).
//! - A claim with this finding gets no `diagnosis-unspecified`: a claim gets at most one
//!   of `diagnosis-missing`, `diagnosis-not-sma`, `diagnosis-primary`,
//!   `diagnosis-unspecified`.
//!
//! ## References
//! Noridian LCA A58578 (nusinersen: primary diagnosis G12.0 or G12.1); ICD-10-CM G12.1
//! inclusion terms; ASC X12 005010X222A1 2400 SV107.

use crate::claim::{Claim, Diagnosis};
use crate::grammar::Kind;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::lines::{
    covered, first_pointer, in_list, pointer_edits, sma_candidates, with_service,
};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

use super::diagnosis_missing::{SmaState, sma_state};

pub struct DiagnosisPrimary;

static META: Meta = Meta {
    id: RuleId::DiagnosisPrimary,
    severity: Severity::Warning,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("diagnosis_primary.rs"),
};

/// A primary diagnosis that is an SMA code outside the profile's list.
fn wrong(cx: &Cx<'_, '_>, d: Option<&Diagnosis<'_>>) -> Option<String> {
    let code = d?.normalized();
    let list = &cx.profile.policy.primary_diagnoses;
    (in_list(covered(cx), &code) && !in_list(list, &code)).then_some(code)
}

/// The claim's lines whose primary diagnosis is wrong: (segment to report on, code,
/// the line's SV1 when an 837P line).
fn misses(cx: &Cx<'_, '_>, claim: &Claim<'_>) -> Vec<(usize, String, Option<usize>)> {
    if cx.profile.policy.primary_diagnoses.is_empty()
        || !matches!(
            sma_state(cx, claim),
            Some(SmaState::Typed | SmaState::Unspecified)
        )
    {
        return Vec::new();
    }
    if cx.kind == Kind::Institutional {
        let principal = claim.diagnoses.iter().find(|d| d.qualifier == b"ABK");
        return (wrong(cx, principal)
            .map(|c| (principal.map_or(claim.clm, |d| d.segment), c, None)))
        .into_iter()
        .collect();
    }
    let sma: Vec<usize> = sma_candidates(cx, claim)
        .filter(|d| in_list(covered(cx), &d.normalized()))
        .map(|d| d.pointer)
        .collect();
    with_service(cx, claim)
        .filter(|(line, _)| line.pointers.iter().any(|p| sma.contains(p)))
        .filter_map(|(line, sv)| {
            let first = line
                .pointers
                .first()
                .and_then(|p| claim.diagnoses.get(p - 1));
            wrong(cx, first).map(|c| (sv, c, Some(sv)))
        })
        .collect()
}

/// Whether the claim has this rule's finding (for `diagnosis-unspecified` to stay silent).
pub fn applies(cx: &Cx<'_, '_>, claim: &Claim<'_>) -> bool {
    cx.enabled(RuleId::DiagnosisPrimary) && !misses(cx, claim).is_empty()
}

impl Rule for DiagnosisPrimary {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let list = cx.profile.policy.primary_diagnoses.join(", ");
        let target = first_pointer(cx, claim).filter(|&p| {
            (claim.diagnoses.get(p - 1))
                .is_some_and(|d| in_list(&cx.profile.policy.primary_diagnoses, &d.normalized()))
        });
        for (at, code, sv) in misses(cx, claim) {
            let hit = Hit::new(
                at,
                format!(
                    "the {} line's primary diagnosis {code} is not one the payer covers first ({list})",
                    cx.catalog.drug.hcpcs
                ),
            );
            out.push(match (sv, target) {
                (Some(sv), Some(p)) => {
                    let line = claim.lines.iter().find(|l| l.service == Some(sv));
                    match line {
                        Some(l) => hit.fix(FixClass::Recode, pointer_edits(cx, sv, &l.pointers, p)),
                        None => hit,
                    }
                }
                _ => hit,
            });
        }
    }
}
