//! ## What it does
//! Checks that the CTP unit of measure (CTP05-1) of a J2326 line is `ML`.
//!
//! ## Why is this bad?
//! Spinraza is a liquid (12 mg / 5 mL): the NDC quantity is billed in milliliters. A
//! quantity in units (UN), milligrams (ME) or grams (GR) does not match the NDC's package
//! and payers deny the line.
//!
//! ## Example
//! ```text
//! LIN**N4*64406005801~CTP****12*ME~
//! ```
//!
//! ## Fix
//! Sets `ML` and the matching quantity, `ml` × units / `units` of the line's strength
//! (5 mL × units / 120 for the 12 mg vial; repair: the units are what was billed; the CTP
//! only describes them).
//!
//! ## Decisions
//! Where the catalogue is silent:
//! - The units are those after `drug-units` (120 where its fix condition holds), the same
//!   as `ndc-quantity` uses, so both rules agree on the quantity.
//! - The quantity is rounded to 3 decimal places (the NDC quantity precision payers
//!   accept).
//! - When the line's units are not a number the finding stays unfixed.
//! - The strength is the line strength (`domain/j2326.md`, Round 2): the NDC's, else the
//!   one enabled strength whose units the line bills; while it is unknown this rule is
//!   silent (`ndc-product` or `ndc-missing` owns the line).
//!
//! `ndc-quantity` is silent while the unit is not `ML`.
//!
//! ## References
//! FDA Spinraza label (12 mg / 5 mL); X12 RFIs on LIN/CTP in the 837 (CTP05-1 F2, GR, ME,
//! ML, UN).

use crate::claim::Claim;
use crate::echo;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::dose::{line_strength, quantity};
use crate::scrub::lines::with_ctp;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct NdcUnit;

static META: Meta = Meta {
    id: RuleId::NdcUnit,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Repair),
    source: include_str!("ndc_unit.rs"),
};

impl Rule for NdcUnit {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let ml = cx.catalog.drug.ndc_unit.as_str();
        for (line, d, ctp) in with_ctp(cx, claim) {
            // With an unknown line strength `ndc-product` or `ndc-missing` owns the line.
            if d.unit == ml.as_bytes() || line_strength(cx, claim, line).is_none() {
                continue;
            }
            let hit = Hit::new(
                ctp,
                if d.unit.is_empty() {
                    format!("CTP05-1 unit is empty, not {ml}")
                } else {
                    format!("CTP05-1 unit is {}, not {ml}", echo::quoted(d.unit))
                },
            );
            out.push(match quantity(cx, claim, line) {
                Some(q) => hit.fix(
                    FixClass::Repair,
                    vec![cx.set(ctp, 4, 0, q.to_string()), cx.set(ctp, 5, 1, ml)],
                ),
                None => hit,
            });
        }
    }
}
