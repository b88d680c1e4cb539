//! ## What it does
//! Checks J2326 units against the profile's medically unlikely edit (`[mue.J2326] units,
//! mai`): per line under MAI 1, per claim and date under MAI 2 and 3. Only totals that
//! `drug-units` accepts as a dose are checked. Inactive until a site configures an MUE:
//! none is shipped (837P uses a practitioner value, 837I an outpatient one).
//!
//! ## Why is this bad?
//! Units above the MUE are denied by Medicare's claim processing (MAI 1: the line; MAI 2
//! and 3: the day's total). The case to catch: 500 high-dose units against an MUE still
//! set for the 12 mg dose.
//!
//! ## Example
//! ```text
//! [profiles.mine.mue.J2326] units = "100", mai = 3
//! SV1*HC:J2326:JZ*12500*UN*120***1~   (120 over 100)
//! ```
//!
//! ## Fix
//! None: which units were given does not follow from the claim; an appeal with records is
//! the payer's way past an MUE.
//!
//! ## Decisions
//! - No public J2326 MUE value was found (CMS publishes practitioner and outpatient
//!   tables; the J2326 row was not seen): the value is configuration, not catalog.
//! - Units that are not a number are skipped (validation reports them).
//!
//! ## References
//! CMS Medically Unlikely Edits (MAI 1, 2, 3); CMS NCCI policy manual, chapter 1.

use rust_decimal::Decimal;

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::dose::groups;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

use super::drug_units::accepted;

pub struct MueUnits;

static META: Meta = Meta {
    id: RuleId::MueUnits,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("mue_units.rs"),
};

impl Rule for MueUnits {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let hcpcs = &cx.catalog.drug.hcpcs;
        let Some(mue) = cx.profile.policy.mue.get(hcpcs.as_str()) else {
            return;
        };
        let limit = mue.units.normalize();
        for g in groups(cx, claim) {
            let Some(total) = g.lines.iter().map(|l| l.units).sum::<Option<Decimal>>() else {
                continue;
            };
            if !accepted(cx, claim, &g, total) {
                continue;
            }
            if mue.mai == 1 {
                for l in g
                    .lines
                    .iter()
                    .filter(|l| l.units.is_some_and(|u| u > mue.units))
                {
                    let u = l.units.unwrap_or_default().normalize();
                    out.push(Hit::new(
                        l.service.unwrap_or(l.lx),
                        format!(
                            "{hcpcs} units {u} on one line are over the MUE of {limit} (MAI 1)"
                        ),
                    ));
                }
            } else if total > mue.units {
                let first = g.lines[0];
                out.push(Hit::new(
                    first.service.unwrap_or(first.lx),
                    format!(
                        "{hcpcs} units {} on one date are over the MUE of {limit} (MAI {})",
                        total.normalize(),
                        mue.mai
                    ),
                ));
            }
        }
    }
}
