//! ## What it does
//! On a claim with J2326, checks each evaluation and management line (99202-99205,
//! 99211-99215) billed on the date of an intrathecal administration line (62320-62323,
//! 96450) for modifier 25.
//!
//! ## Why is this bad?
//! A visit on the day of a procedure is bundled into the procedure unless modifier 25
//! says it was a significant, separately identifiable service; without it the visit is
//! denied or the claim is reviewed.
//!
//! ## Example
//! ```text
//! LX*2~SV1*HC:62321*150*UN*1***1~DTP*472*D8*20260110~
//! LX*3~SV1*HC:99213*120*UN*1***1~DTP*472*D8*20260110~
//! ```
//!
//! ## Fix
//! None: whether the visit was separately identifiable is documented in the record, not
//! on the claim; adding the modifier would assert it. Dates share a day as in the other
//! date rules (a D8 inside an RD8 range). An E/M line whose date is unknown (no DTP*472,
//! and on 837I no single-day DTP*434) on a claim with an administration line is
//! reported too, since it may be on that date.
//!
//! ## References
//! CPT modifier 25; NCCI Policy Manual chapter I (E/M on the day of a minor procedure).

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::catalog::listed;
use crate::scrub::pairing::{has_drug, lines_on};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct EmModifier25;

static META: Meta = Meta {
    id: RuleId::EmModifier25,
    severity: Severity::Warning,
    fixes: Fixes::Never,
    source: include_str!("em_modifier_25.rs"),
};

impl Rule for EmModifier25 {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if !has_drug(cx, claim) || !claim.lines.iter().any(|l| cx.is_admin(l)) {
            return;
        }
        let ev = &cx.catalog.evaluation;
        for line in claim.lines.iter().filter(|l| listed(&ev.codes, l.code)) {
            if line.has_modifier(&ev.modifier) {
                continue;
            }
            let message = match cx.line_date(claim, line) {
                Some(date) => {
                    if !lines_on(cx, claim, &date).any(|l| cx.is_admin(l)) {
                        continue;
                    }
                    format!(
                        "{} on an administration date without modifier {}",
                        line.code_shown(),
                        ev.modifier
                    )
                }
                None => format!(
                    "{} has no date of service and no modifier {}; it may be on the administration date",
                    line.code_shown(),
                    ev.modifier
                ),
            };
            out.push(Hit::new(line.service.unwrap_or(line.lx), message));
        }
    }
}
