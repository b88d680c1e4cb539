//! ## What it does
//! Checks that every J2326 line carries its drug identification: a 2410 loop with
//! `LIN**N4*<NDC>` and its `CTP` quantity.
//!
//! ## Why is this bad?
//! Payers require the NDC with its quantity and unit on every physician-administered
//! drug line; a J2326 line without it is denied. A LIN without its CTP counts as missing.
//!
//! ## Example
//! ```text
//! LX*1~SV1*HC:J2326:JZ*12500*UN*120***1~DTP*472*D8*20260110~LX*2~
//! ```
//!
//! ## Fix
//! Adds `LIN**N4*64406005801` and `CTP****<5 × units / 120>*ML` at the end of the 2400
//! loop, before any 2420 loop (recode: it adds what was billed). With a LIN but no CTP,
//! only the CTP is added, after the LIN. The units are those after `drug-units` (one
//! condition, one report: `ndc-quantity` then has nothing to correct), and the quantity
//! is rounded to 3 decimal places as `ndc-quantity` writes it (100 units: 4.167, which
//! fits CTP04's 15 characters). When the line's units are not a number, the finding
//! stays unfixed.
//!
//! ## References
//! FDA NDC Directory (64406-058-01); X12 RFIs on LIN/CTP in the 837 2410 loop.

use rust_decimal::Decimal;

use crate::claim::Claim;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};
use crate::x12::{OwnedElement, OwnedSegment};

use super::drug_units::units_after;
use crate::scrub::lines::quantity;

pub struct NdcMissing;

static META: Meta = Meta {
    id: RuleId::NdcMissing,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("ndc_missing.rs"),
};

/// The CTP of a J2326 line: `CTP****<quantity>*ML`, the quantity rounded as `ndc-quantity`
/// rounds it (3 decimal places).
pub fn ctp(cx: &Cx<'_, '_>, units: Decimal) -> OwnedSegment {
    let d = &cx.catalog.drug;
    let q = quantity(cx, units);
    let mut s = OwnedSegment::new("CTP", ["", "", "", q.to_string().as_str()]);
    s.elements
        .push(OwnedElement::composite([d.ndc_unit.as_str()]));
    s
}

impl Rule for NdcMissing {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        for line in claim.lines.iter().filter(|l| cx.is_drug(l)) {
            let at = line.service.unwrap_or(line.lx);
            match line.drug {
                Some(d) if d.ctp.is_some() => {}
                Some(d) => {
                    let hit = Hit::new(d.lin, "the J2326 line's LIN has no CTP quantity");
                    out.push(match units_after(cx, claim, line) {
                        Some(u) => {
                            hit.fix(FixClass::Recode, vec![cx.insert_after(d.lin, ctp(cx, u))])
                        }
                        None => hit,
                    });
                }
                None => {
                    let hit = Hit::new(at, "the J2326 line has no NDC (2410 LIN/CTP)");
                    out.push(match units_after(cx, claim, line) {
                        Some(u) => {
                            let ndc = cx.catalog.drug.ndcs.first().cloned().unwrap_or_default();
                            let lin = OwnedSegment::new("LIN", ["", "N4", ndc.as_str()]);
                            hit.fix(
                                FixClass::Recode,
                                vec![
                                    cx.insert_after(line.insert_after, lin),
                                    cx.insert_after(line.insert_after, ctp(cx, u)),
                                ],
                            )
                        }
                        None => hit,
                    });
                }
            }
        }
    }
}
