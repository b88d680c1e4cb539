//! ## What it does
//! For dates of service from 2023-07-01, checks the JZ/JW modifiers of a claim with J2326:
//! - a J2326 line with neither JZ nor JW, and no JW line on that date;
//! - JZ and JW on one line;
//! - a JZ line and a JW line on one date;
//! - a JW line with no administered J2326 line (one without JW) on its date;
//! - JZ or JW on a code that is not in the catalog.
//!
//! ## Why is this bad?
//! CMS requires JZ on every single-dose-vial drug line with no discarded amount, and JW on
//! a separate line for a documented discard, from 2023-07-01 (claims may be returned
//! from 2023-10-01). Spinraza is a single-dose vial used in full: its line needs JZ.
//!
//! ## Example
//! ```text
//! SV1*HC:J2326*12500*UN*120***1~DTP*472*D8*20260110~
//! ```
//!
//! ## Fix
//! The first case only: JZ in the first free modifier slot of SV101 / SV202 (repair: a
//! vial fully used requires it; nothing billed changes). Never beside a JW line; the
//! other cases stay unfixed.
//!
//! ## Decisions
//! Where the catalogue is silent:
//! - An RD8 range is in effect when it ends on or after 2023-07-01; two lines are "on one
//!   date" when their dates share a day.
//! - A line whose date is unknown is treated as in effect (dates before 2023-07-01 are
//!   past timely filing) and is reported, but JZ is not added: whether a JW line shares
//!   its date is unknown.
//! - No free modifier slot (four modifiers): reported, unfixed.
//! - Silent on an 837I whose facility code CLM05-1 is in `waste_modifier_exempt_facility`
//!   (11 inpatient under IPPS, 71 RHC, 77 FQHC: the CMS FAQ puts them outside JW/JZ; CAHs,
//!   85, are in scope): JZ is never added there, and a JZ or JW present there is left
//!   alone.
//!
//! ## References
//! CMS JW/JZ modifier policy (Discarded Drugs and Biologicals FAQ; JZ required from
//! 2023-07-01, claims returned from 2023-10-01); FDA Spinraza label (single-dose vial).

use crate::claim::{Claim, LineDate, ServiceLine};
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::lines::{has_jw, has_jz, procedure_element};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct WasteModifier;

static META: Meta = Meta {
    id: RuleId::WasteModifier,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Repair),
    source: include_str!("waste_modifier.rs"),
};

fn same_date(a: Option<LineDate>, b: Option<LineDate>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.overlaps(&b))
}

/// An 837I whose facility code (CLM05-1) is outside the JW/JZ policy: inpatient under
/// IPPS, RHC, FQHC (`waste_modifier_exempt_facility`).
fn exempt(cx: &Cx<'_, '_>, claim: &Claim<'_>) -> bool {
    cx.kind == crate::grammar::Kind::Institutional
        && (cx.catalog.drug.waste_modifier_exempt_facility.iter())
            .any(|f| f.as_bytes() == claim.facility)
}

impl Rule for WasteModifier {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let drug = &cx.catalog.drug;
        if !claim.lines.iter().any(|l| cx.is_drug(l)) || exempt(cx, claim) {
            return;
        }
        let (jz, jw) = (&drug.no_waste_modifier, &drug.waste_modifier);
        let dated: Vec<(&ServiceLine<'_>, Option<LineDate>)> = claim
            .lines
            .iter()
            .map(|l| (l, cx.line_date(claim, l)))
            .filter(|(_, d)| d.is_none_or(|d| d.to >= drug.waste_modifier_from))
            .collect();
        let drugs: Vec<_> = dated.iter().filter(|(l, _)| cx.is_drug(l)).collect();
        for &&(line, date) in &drugs {
            let at = line.service.unwrap_or(line.lx);
            let hit = |m: String| Hit::new(at, m);
            let on_date = || {
                drugs
                    .iter()
                    .filter(move |(o, d)| o.lx != line.lx && same_date(*d, date))
            };
            let (z, w) = (has_jz(cx, line), has_jw(cx, line));
            if z && w {
                out.push(hit(format!("{jz} and {jw} on one line")));
            } else if w && on_date().any(|(o, _)| has_jz(cx, o)) {
                out.push(hit(format!("a {jw} line and a {jz} line on one date")));
            } else if w && !on_date().any(|(o, _)| !has_jw(cx, o)) {
                out.push(hit(format!(
                    "a {jw} line with no administered {} line on its date",
                    drug.hcpcs
                )));
            } else if !z && !w && !on_date().any(|(o, _)| has_jw(cx, o)) {
                let h = hit(format!("the {} line has neither {jz} nor {jw}", drug.hcpcs));
                let slot = line.modifiers.iter().position(|m| m.is_empty());
                out.push(match (line.service, slot, date) {
                    (Some(sv), Some(s), Some(_)) => h.fix(
                        FixClass::Repair,
                        vec![cx.set(sv, procedure_element(cx.kind), 3 + s, jz.as_str())],
                    ),
                    _ => h,
                });
            }
        }
        for &(line, _) in dated.iter().filter(|(l, _)| !cx.is_drug(l)) {
            for m in [jz, jw] {
                if line.has_modifier(m) {
                    out.push(Hit::new(
                        line.service.unwrap_or(line.lx),
                        format!("{m} on {}, which is not a catalog drug", line.code_shown()),
                    ));
                    break;
                }
            }
        }
    }
}
