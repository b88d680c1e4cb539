//! ## What it does
//! Checks that, per claim and date of service, the units of the J2326 lines (a JW line
//! included) total 120: one 12 mg dose in 0.1 mg units. Compared as decimals (`120.0` is
//! 120).
//!
//! ## Why is this bad?
//! Spinraza is a flat 12 mg dose from a single-dose vial: 120 units of J2326. Any other
//! total is a unit error (1 vial, 5 mL, 12 mg, or 1200 read as 0.01 mg) and payers deny
//! or downcode the line.
//!
//! ## Example
//! ```text
//! SV1*HC:J2326:JZ*12500*UN*12***1~DTP*472*D8*20260110~
//! ```
//!
//! ## Fix
//! Only when the date has a single J2326 line holding 1, 5, 12 or 1200 units and no JW
//! line: sets its units to 120 (recode). The charge stays as billed. Other totals, or
//! several lines on the date, stay unfixed.
//!
//! ## Decisions
//! Where the catalogue is silent:
//! - Lines are grouped by their line date exactly as written: one day (D8), or one RD8
//!   range. A range is one administration: it must total 120 too. Lines whose date is
//!   unknown (no DTP*472 and, on 837I, no single-day DTP*434) form one group.
//! - A group with a line whose units are not a number is skipped (validation reports it).
//! - `ndc-unit` and `ndc-quantity` compute the CTP quantity from the units this rule
//!   would set (120) whenever its fix condition holds, even under `--fixes repair`.
//!
//! ## References
//! FDA Spinraza label (12 mg / 5 mL single-dose vial); HCPCS J2326 descriptor (0.1 mg);
//! CMS JW/JZ policy (the discarded amount is on its own line and counts toward the vial).

use rust_decimal::Decimal;

use crate::claim::{Claim, LineDate, ServiceLine};
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::lines::{has_jw, units_element};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct DrugUnits;

static META: Meta = Meta {
    id: RuleId::DrugUnits,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("drug_units.rs"),
};

/// The claim's J2326 lines grouped by line date, in order of first appearance.
fn groups<'l, 'a>(
    cx: &Cx<'_, '_>,
    claim: &'l Claim<'a>,
) -> Vec<(Option<LineDate>, Vec<&'l ServiceLine<'a>>)> {
    let mut out: Vec<(Option<LineDate>, Vec<&ServiceLine<'a>>)> = Vec::new();
    for line in claim.lines.iter().filter(|l| cx.is_drug(l)) {
        let date = cx.line_date(claim, line);
        match out.iter_mut().find(|(d, _)| *d == date) {
            Some((_, lines)) => lines.push(line),
            None => out.push((date, vec![line])),
        }
    }
    out
}

/// Whether the fix condition holds for a group: one line, no JW, units a known slip.
fn fixable(cx: &Cx<'_, '_>, lines: &[&ServiceLine<'_>]) -> bool {
    match lines {
        [one] => {
            !has_jw(cx, one)
                && one
                    .units
                    .is_some_and(|u| cx.catalog.drug.unit_slips.contains(&u))
        }
        _ => false,
    }
}

/// The units of a J2326 line after this rule's fix: 120 where the fix condition holds
/// (whether or not its class is applied), else the billed units (always, when the rule
/// does not run).
pub fn units_after(cx: &Cx<'_, '_>, claim: &Claim<'_>, line: &ServiceLine<'_>) -> Option<Decimal> {
    if !cx.enabled(RuleId::DrugUnits) {
        return line.units;
    }
    for (_, lines) in groups(cx, claim) {
        if lines.iter().any(|l| l.lx == line.lx) {
            return if fixable(cx, &lines) {
                Some(cx.catalog.drug.units_per_dose)
            } else {
                line.units
            };
        }
    }
    line.units
}

impl Rule for DrugUnits {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let dose = cx.catalog.drug.units_per_dose;
        for (_, lines) in groups(cx, claim) {
            let Some(total) = lines.iter().map(|l| l.units).sum::<Option<Decimal>>() else {
                continue;
            };
            if total == dose {
                continue;
            }
            let first = lines[0];
            let at = first.service.unwrap_or(first.lx);
            let message = if lines.len() == 1 {
                format!(
                    "{} units {} are not one dose of {dose}",
                    cx.catalog.drug.hcpcs,
                    total.normalize()
                )
            } else {
                format!(
                    "{} units on one date total {} over {} lines, not {dose}",
                    cx.catalog.drug.hcpcs,
                    total.normalize(),
                    lines.len()
                )
            };
            let hit = Hit::new(at, message);
            out.push(match first.service {
                Some(sv) if fixable(cx, &lines) => hit.fix(
                    FixClass::Recode,
                    vec![cx.set(sv, units_element(cx.kind), 0, dose.to_string())],
                ),
                _ => hit,
            });
        }
    }
}
