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
//! Adds `LIN**N4*<NDC>` and `CTP****<ml × units / strength units>*ML` at the end of the
//! 2400 loop, before any 2420 loop (recode: it adds what was billed), only when the line's
//! units (a JW line: its date's total) equal the units of exactly one strength enabled on
//! the date and that strength lists exactly one NDC: 120 units insert `64406005801` and
//! `CTP****5*ML`; 280 and 500 stay unfixed while the 28 mg and 50 mg strengths list no
//! NDC (a config may add the carton's). With a LIN but no CTP, only the CTP is added,
//! after the LIN, from the line's strength (else unfixed). The units are those after
//! `drug-units` (one condition, one report: `ndc-quantity` then has nothing to correct),
//! and the quantity is rounded to 3 decimal places as `ndc-quantity` writes it (100 units:
//! 4.167, which fits CTP04's 15 characters). When the line's units are not a number, the
//! finding stays unfixed.
//!
//! **Held**: on a claim whose 2000B SBR09 is `MC` (Medicaid), or whose profile sets
//! `ndc_insert = "hold"`, the LIN/CTP is never written, under any `--fixes`: the finding
//! shows it as `after` with `fixed: false`, because the NDC billed must be the one on the
//! package administered (billing another NDC to Medicaid is fraud; rebates are invoiced by
//! NDC).
//!
//! ## References
//! FDA NDC Directory (64406-058-01); X12 RFIs on LIN/CTP in the 837 2410 loop; Oregon
//! Health Authority NDC FAQ for physician-administered drugs; DRA 2005 (Medicaid rebates
//! by NDC).

use rust_decimal::Decimal;

use crate::claim::{Claim, ServiceLine};
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::catalog::NdcInsert;
use crate::scrub::dose::{quantity, total_after, units_after};
use crate::scrub::lines::has_jw;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};
use crate::x12::{OwnedElement, OwnedSegment};

pub struct NdcMissing;

static META: Meta = Meta {
    id: RuleId::NdcMissing,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("ndc_missing.rs"),
};

/// Why an inserted NDC is held on this claim, if it is.
const HELD: &str = "the NDC must be the one on the package administered (Medicaid)";

/// The CTP of a J2326 line: `CTP****<quantity>*ML`.
pub fn ctp(cx: &Cx<'_, '_>, quantity: Decimal) -> OwnedSegment {
    let mut s = OwnedSegment::new("CTP", ["", "", "", quantity.to_string().as_str()]);
    (s.elements).push(OwnedElement::composite([cx.catalog.drug.ndc_unit.as_str()]));
    s
}

/// The LIN and CTP to insert on a line without 2410: the one NDC of the one enabled
/// strength whose units the line (a JW line: its date) bills.
fn inserted(
    cx: &Cx<'_, '_>,
    claim: &Claim<'_>,
    line: &ServiceLine<'_>,
) -> Option<[OwnedSegment; 2]> {
    let units = units_after(cx, claim, line)?;
    let dose = if has_jw(cx, line) {
        total_after(cx, claim, line)?
    } else {
        units
    };
    let strength = cx.strengths().with_units(dose, cx.line_date(claim, line))?;
    let [ndc] = strength.ndcs.as_slice() else {
        return None;
    };
    let lin = OwnedSegment::new("LIN", ["", "N4", ndc.as_str()]);
    Some([lin, ctp(cx, strength.quantity(units))])
}

/// Whether an inserted NDC is only shown on this claim.
fn held(cx: &Cx<'_, '_>, claim: &Claim<'_>) -> bool {
    claim.parties.filing == b"MC" || cx.profile.policy.ndc_insert == NdcInsert::Hold
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
                    out.push(match quantity(cx, claim, line) {
                        Some(q) => {
                            hit.fix(FixClass::Recode, vec![cx.insert_after(d.lin, ctp(cx, q))])
                        }
                        None => hit,
                    });
                }
                None => {
                    let hit = Hit::new(at, "the J2326 line has no NDC (2410 LIN/CTP)");
                    let Some([lin, ctp]) = inserted(cx, claim, line) else {
                        out.push(hit);
                        continue;
                    };
                    let edits = vec![
                        cx.insert_after(line.insert_after, lin),
                        cx.insert_after(line.insert_after, ctp),
                    ];
                    let hit = hit.fix(FixClass::Recode, edits);
                    out.push(if held(cx, claim) { hit.held(HELD) } else { hit });
                }
            }
        }
    }
}
