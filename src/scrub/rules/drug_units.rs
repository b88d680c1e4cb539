//! ## What it does
//! Checks that, per claim and date of service, the units of the J2326 lines (a JW line
//! included) total one dose in 0.1 mg units: the `units` of the strength the lines' NDCs
//! name (120 for the 12 mg vial, 280 for 28 mg, 500 for 50 mg), or, when no NDC names one,
//! the units of a strength enabled on that date (120; with the high-dose regimen, from its
//! date, also 280 or 500). Compared as decimals (`120.0` is 120).
//!
//! ## Why is this bad?
//! Spinraza is a flat dose from a single-dose vial: 12 mg (120 units of J2326) in the
//! standard regimen, 50 mg loading and 28 mg maintenance (500 and 280 units) in the
//! high-dose one. Any other total is a unit error (1 vial, 5 mL, 12 mg, or 1200 read as
//! 0.01 mg) and payers deny or downcode the line. Units that disagree with the NDC's
//! strength (500 units with the 12 mg NDC) bill a dose the package does not hold.
//!
//! ## Example
//! ```text
//! SV1*HC:J2326:JZ*12500*UN*12***1~DTP*472*D8*20260110~
//! ```
//!
//! ## Fix
//! Only when the date has a single J2326 line and no JW line: a slip of the NDC's strength
//! (1 vial, 5 mL, its mg, or mg x 100) becomes that strength's units; without an NDC
//! strength, 12 or 1200 becomes 120 (and 1 or 5 becomes 120 only while the standard
//! strength alone is enabled: with high-dose on, "1 vial" names no strength). Recode; the
//! charge stays as billed. Other totals, several lines on the date, units that disagree
//! with the NDC's strength, and lines whose NDCs name two strengths stay unfixed: whether
//! the NDC or the units are wrong does not follow from the claim.
//!
//! ## Decisions
//! Where the catalogue is silent:
//! - Lines are grouped by their line date exactly as written: one day (D8), or one RD8
//!   range. A range is one administration: it must total 120 too. Lines whose date is
//!   unknown (no DTP*472 and, on 837I, no single-day DTP*434) form one group.
//! - A group with a line whose units are not a number is skipped (validation reports it).
//! - `ndc-unit` and `ndc-quantity` compute the CTP quantity from the units this rule
//!   would set whenever its fix condition holds, even under `--fixes repair`.
//! - The strengths, their units and slips, and the high-dose regimen's date and switch are
//!   catalog data (`[drug.strength]`, `[drug.regimen.high-dose]`; `high_dose = false` in a
//!   profile or config turns it off); the rule never spells 120.
//!
//! ## References
//! FDA Spinraza label (12 mg / 5 mL single-dose vial; D&A 2.1-2.5 revised 03/2026 for the
//! 28 mg and 50 mg vials); HCPCS J2326 descriptor (0.1 mg);
//! CMS JW/JZ policy (the discarded amount is on its own line and counts toward the vial).

use rust_decimal::Decimal;

use crate::claim::Claim;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::dose::{Agreed, Group, fixed_units, group_strength, groups};
use crate::scrub::lines::units_element;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct DrugUnits;

static META: Meta = Meta {
    id: RuleId::DrugUnits,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("drug_units.rs"),
};

/// "120", "120 or 500", "120, 280 or 500".
fn either(units: &[Decimal]) -> String {
    let shown: Vec<String> = units.iter().map(|u| u.normalize().to_string()).collect();
    match shown.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "none".to_string(),
    }
}

/// What is wrong with a group's total, if anything.
fn problem(
    cx: &Cx<'_, '_>,
    claim: &Claim<'_>,
    g: &Group<'_, '_>,
    total: Decimal,
) -> Option<String> {
    let hcpcs = &cx.catalog.drug.hcpcs;
    let enabled: Vec<Decimal> = cx.strengths().enabled(g.date).map(|s| s.units).collect();
    let expected = match group_strength(cx, claim, g) {
        Agreed::Conflict(a, b) => {
            return Some(format!(
                "{hcpcs} lines on one date bill NDCs of two strengths, {} and {}",
                a.name, b.name
            ));
        }
        Agreed::One(s) if total == s.units => return None,
        Agreed::One(s) if enabled.len() > 1 => {
            format!("{} ({} by its NDC)", s.units.normalize(), s.name)
        }
        Agreed::One(s) => s.units.normalize().to_string(),
        Agreed::None if enabled.contains(&total) => return None,
        Agreed::None => either(&enabled),
    };
    let total = total.normalize();
    Some(match g.lines.len() {
        1 => format!("{hcpcs} units {total} are not one dose of {expected}"),
        n => format!("{hcpcs} units on one date total {total} over {n} lines, not {expected}"),
    })
}

/// Whether `drug-units` accepts a group's total as one dose.
pub fn accepted(cx: &Cx<'_, '_>, claim: &Claim<'_>, g: &Group<'_, '_>, total: Decimal) -> bool {
    problem(cx, claim, g, total).is_none()
}

impl Rule for DrugUnits {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        for g in groups(cx, claim) {
            let Some(total) = g.lines.iter().map(|l| l.units).sum::<Option<Decimal>>() else {
                continue;
            };
            let Some(message) = problem(cx, claim, &g, total) else {
                continue;
            };
            let first = g.lines[0];
            let hit = Hit::new(first.service.unwrap_or(first.lx), message);
            out.push(match (first.service, fixed_units(cx, claim, &g)) {
                (Some(sv), Some(units)) => hit.fix(
                    FixClass::Recode,
                    vec![cx.set(sv, units_element(cx.kind), 0, units.to_string())],
                ),
                _ => hit,
            });
        }
    }
}
