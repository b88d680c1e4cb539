//! ## What it does
//! Checks that the CTP quantity (CTP04) of a J2326 line is `ml` × units / `units` of the
//! line's strength (5 mL × units / 120 for the 12 mg vial; 5 mL per full vial at every
//! strength: 280 units of the 28 mg vial, 500 of the 50 mg one), the units being those
//! after `drug-units`.
//!
//! ## Why is this bad?
//! Payers check the NDC quantity against the HCPCS units: 120 units of J2326 are one
//! 5 mL vial. A quantity of 1 (vial), 12 (mg) or 0.5 does not match and the line is denied.
//!
//! ## Example
//! ```text
//! SV1*HC:J2326:JZ*12500*UN*120***1~ ... LIN**N4*64406005801~CTP****1*ML~
//! ```
//!
//! ## Fix
//! Sets CTP04 to the quantity (repair: the CTP describes the units billed).
//!
//! ## Decisions
//! Where the catalogue is silent:
//! - "Units after `drug-units`": when `drug-units` would set 120 on the line (its fix
//!   condition holds, whether or not `--fixes` applies recodes), the quantity is 5 mL;
//!   else it follows the billed units.
//! - Quantities are compared and written rounded to 3 decimal places (100 units:
//!   4.167 mL), printed normalised (5, 2.5, never 5.000).
//! - Silent when the line's units are not a number, when CTP05-1 is not `ML` (`ndc-unit`
//!   owns it), when the CTP is missing (`ndc-missing` owns it) or when the line strength
//!   (`domain/j2326.md`, Round 2: the NDC's, else the one enabled strength whose units the
//!   line bills) is unknown (`ndc-product` or `ndc-missing` owns it). A CTP04 that is not
//!   a number is reported and set.
//! - Silent when the date's units are another strength's dose than the one its NDC names
//!   (500 units with the 12 mg NDC): `drug-units` owns that, and whether the NDC or the
//!   units are wrong, and so the quantity, does not follow from the claim.
//!
//! ## References
//! FDA Spinraza label (12 mg / 5 mL); X12 RFIs on LIN/CTP in the 837 (CTP04 quantity).

use crate::claim::Claim;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::dose::{disagrees, quantity, units_after};
use crate::scrub::lines::with_ctp;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct NdcQuantity;

static META: Meta = Meta {
    id: RuleId::NdcQuantity,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Repair),
    source: include_str!("ndc_quantity.rs"),
};

impl Rule for NdcQuantity {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let ml = cx.catalog.drug.ndc_unit.as_str();
        for (line, d, ctp) in with_ctp(cx, claim) {
            if d.unit != ml.as_bytes() {
                continue;
            }
            let (Some(units), Some(expected)) =
                (units_after(cx, claim, line), quantity(cx, claim, line))
            else {
                continue;
            };
            if d.quantity.map(|q| q.round_dp(3)) == Some(expected) || disagrees(cx, claim, line) {
                continue;
            }
            let billed = d
                .quantity
                .map_or_else(|| "not a number".to_string(), |q| q.normalize().to_string());
            let hit = Hit::new(
                ctp,
                format!(
                    "CTP04 quantity {billed} {ml} does not match {} units: {expected} {ml}",
                    units.normalize()
                ),
            );
            out.push(hit.fix(
                FixClass::Repair,
                vec![cx.set(ctp, 4, 0, expected.to_string())],
            ));
        }
    }
}
