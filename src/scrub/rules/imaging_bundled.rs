//! ## What it does
//! Checks a claim with J2326 for imaging guidance (77003 fluoroscopy, 77012 CT) billed on
//! the same date of service as a spinal injection or puncture code 62320-62329.
//!
//! ## Why is this bad?
//! Since 2017, 62320-62327 include imaging guidance when it is performed (62321, 62323,
//! 62325, 62327 are the "with imaging" codes), and CPT's parentheticals say not to report
//! 77003/77012 with them; 62328/62329 likewise include it. The payer denies the imaging
//! line under NCCI. 96450 is not in the family: 77003 with 96450 may be billed.
//!
//! ## Example
//! ```text
//! LX*2~SV1*HC:62321*150*UN*1***1~DTP*472*D8*20260110~
//! LX*3~SV1*HC:77003*90*UN*1***1~DTP*472*D8*20260110~
//! ```
//!
//! ## Fix
//! With 62321, 62323, 62328 or 62329 on that date (codes whose descriptor includes the
//! imaging), and no 2320/2430 loop on the claim (no other payer's adjudication refers to
//! its lines): removes the whole imaging 2400 loop, renumbers the LX of the lines after it
//! and recomputes CLM02 from the remaining line charges, all as one fix (recode), so the
//! removal is reported once, not again as `line-numbering` and `claim-balance`. With only 62320 or
//! 62322 (codes that say no imaging was used, yet imaging was billed) the claim is
//! contradictory and the finding stays unfixed.
//!
//! Dates: lines share a date when their dates share a day (a D8 inside an RD8 range).
//! The imaging line is removed only when it and the injection line both have a known
//! single-day date; an imaging line billed over a range may hold other days' imaging and
//! is only reported. An imaging line whose date is unknown (no DTP*472, and on 837I no
//! single-day DTP*434) on a claim with an injection line is reported, never fixed.
//!
//! ## References
//! CPT 62320-62323 and 77003 descriptors and parentheticals; NCCI procedure-to-procedure
//! edits; Noridian JE/JF articles A58578/A58579 (96450 with 77003).

use rust_decimal::Decimal;

use crate::claim::{Claim, ServiceLine};
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::catalog::listed;
use crate::scrub::pairing::{has_drug, lines_on};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};
use crate::x12::Edit;

pub struct ImagingBundled;

static META: Meta = Meta {
    id: RuleId::ImagingBundled,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("imaging_bundled.rs"),
};

impl Rule for ImagingBundled {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if !has_drug(cx, claim) {
            return;
        }
        let im = &cx.catalog.imaging;
        let bundles = |l: &ServiceLine<'_>| {
            listed(&im.bundles_with, l.code) && !listed(&im.allowed_with, l.code)
        };
        for line in claim.lines.iter().filter(|l| listed(&im.codes, l.code)) {
            let at = line.service.unwrap_or(line.lx);
            let Some(date) = cx.line_date(claim, line) else {
                if claim.lines.iter().any(&bundles) {
                    out.push(Hit::new(
                        at,
                        format!(
                            "{} line has no date of service to check against the injection",
                            line.code_shown()
                        ),
                    ));
                }
                continue;
            };
            let partners: Vec<&ServiceLine<'_>> =
                lines_on(cx, claim, &date).filter(|l| bundles(l)).collect();
            let Some(first) = partners.first() else {
                continue;
            };
            let removable = partners
                .iter()
                .filter(|l| listed(&im.removable_with, l.code))
                .find(|l| cx.line_date(claim, l).is_some_and(|d| d.day().is_some()));
            let hit = Hit::new(
                at,
                format!(
                    "{} is bundled into {} on the same date of service",
                    line.code_shown(),
                    removable.unwrap_or(first).code_shown()
                ),
            );
            if removable.is_some() && date.day().is_some() && !claim.has_2320 && !claim.has_2430 {
                out.push(hit.fix(FixClass::Recode, remove_line(cx, claim, line)));
            } else {
                out.push(hit);
            }
        }
    }
}

/// The edits removing `line`'s whole 2400 loop, renumbering the lines after it and setting
/// CLM02 to the remaining charges (when those of the lines with a service segment are all
/// numbers).
fn remove_line(cx: &Cx<'_, '_>, claim: &Claim<'_>, line: &ServiceLine<'_>) -> Vec<Edit> {
    let mut edits = cx.delete(line.lx, line.last);
    let remaining: Vec<&ServiceLine<'_>> = claim.lines.iter().filter(|l| l.lx != line.lx).collect();
    for (n, l) in remaining.iter().enumerate() {
        let number = (n + 1).to_string();
        if l.number != number.as_bytes() {
            edits.push(cx.set(l.lx, 1, 0, number));
        }
    }
    // A line without a service segment has no charge, and `claim-balance` sums nothing
    // for it: it does not keep CLM02 from being set.
    let mut billed = remaining.iter().filter(|l| l.service.is_some());
    if billed.all(|l| l.charge.is_some()) {
        let total: Decimal = remaining.iter().filter_map(|l| l.charge).sum();
        if claim.billed != Some(total) {
            edits.push(cx.set(claim.clm, 2, 0, total.to_string()));
        }
    }
    edits
}
