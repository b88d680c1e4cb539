//! ## What it does
//! On an 837P, checks that each J2326 line's diagnosis pointers (SV107) point at an SMA
//! code (G12.0, G12.1, G12.8, G12.9; the profile's `covered_diagnoses`: under `bcbsnd`
//! also G12.25) of the claim's HI.
//!
//! ## Why is this bad?
//! Payers read the line's medical necessity from the diagnoses it points at, the first
//! one above all; a J2326 line pointing at, say, a muscle-weakness code is denied even
//! when the claim lists SMA elsewhere.
//!
//! ## Example
//! ```text
//! HI*ABK:M6281*ABF:G121~ ... SV1*HC:J2326:JZ*12500*UN*120***1~
//! ```
//!
//! ## Fix
//! Puts the position of the claim's first typed SMA code (G12.0, G12.1, G12.8) first in
//! SV107, keeping the other pointers after it (at most four) (recode). Under a profile
//! with `primary_diagnoses` (`noridian`: G12.0, G12.1) the first code of that list present
//! on the claim goes first instead, so the fix never makes a `diagnosis-primary` finding.
//! With no typed SMA code on the claim (G12.9 only) the finding stays unfixed.
//!
//! ## Decisions
//! Where the catalogue is silent:
//! - Silent when the claim has no SMA code at all: `diagnosis-missing` /
//!   `diagnosis-not-sma` own that condition; pointing elsewhere cannot fix it.
//! - An empty SV107, or pointers past the end of the diagnosis list, point at no SMA code.
//! - A typed SMA code past position 12 cannot be pointed at: unfixed.
//!
//! ## References
//! ASC X12 005010X222A1 2400 SV107 (C004, pointers 1-12 into 2300 HI); CMS-1500 item 24E;
//! FDA Spinraza label (indication: SMA).

use crate::claim::Claim;
use crate::grammar::Kind;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::lines::{
    covered, first_pointer, in_list, pointer_edits, sma_candidates, with_service,
};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

use super::diagnosis_missing::{SmaState, sma_state};

pub struct DiagnosisPointer;

static META: Meta = Meta {
    id: RuleId::DiagnosisPointer,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("diagnosis_pointer.rs"),
};

/// The highest position a pointer may name.
const MAX_POSITION: usize = 12;

impl Rule for DiagnosisPointer {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if cx.kind != Kind::Professional
            || !matches!(
                sma_state(cx, claim),
                Some(SmaState::Typed | SmaState::Unspecified)
            )
        {
            return;
        }
        let sma: Vec<usize> = sma_candidates(cx, claim)
            .filter(|d| in_list(covered(cx), &d.normalized()))
            .map(|d| d.pointer)
            .collect();
        let typed = first_pointer(cx, claim).filter(|&p| p <= MAX_POSITION);
        for (line, sv) in with_service(cx, claim) {
            if line.pointers.iter().any(|p| sma.contains(p)) {
                continue;
            }
            let hit = Hit::new(
                sv,
                format!(
                    "the {} line's diagnosis pointers name no SMA code",
                    cx.catalog.drug.hcpcs
                ),
            );
            let Some(p) = typed else {
                out.push(hit);
                continue;
            };
            let edits = pointer_edits(cx, sv, &line.pointers, p);
            out.push(hit.fix(FixClass::Recode, edits));
        }
    }
}
