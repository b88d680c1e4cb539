//! ## What it does
//! Checks that the NDC of a J2326 line (LIN03 under `N4`) is a Spinraza NDC billable on
//! the line's date: a catalog NDC of a strength enabled on that date (64406005801 for the
//! 12 mg vial; the 28 mg and 50 mg vials list none in the catalog, a config may add the
//! carton's), or at least a strength's labeler-product (64406-0058).
//!
//! - A strength's labeler-product with an unlisted package code: warning.
//! - An NDC of a high-dose strength on a date before the regimen's `from`: error; with
//!   the regimen switched off (`high_dose = false`): warning.
//! - A `not_billable` labeler-product (64406-0310, a bulk listing: drug for further
//!   processing, 504 vials): error.
//! - Another product code of the labeler (64406): warning when the line's units equal
//!   those of an enabled strength that lists no NDC (280, 500: it may be that strength's
//!   unlisted NDC), else error.
//! - Any other NDC: error.
//!
//! Whether the units match the NDC's strength is `drug-units`'.
//!
//! ## Why is this bad?
//! Payers cross-check the NDC against the HCPCS code; an NDC of another product is
//! denied. The billing reference gives the package code `-12` (64406005812), which the
//! FDA listing does not have: a known product with an unlisted package code is likely to
//! be reviewed, so it is a warning.
//!
//! ## Example
//! ```text
//! SV1*HC:J2326:JZ*12500*UN*120***1~ ... LIN**N4*64406005812~   (warning)
//! SV1*HC:J2326:JZ*12500*UN*120***1~ ... LIN**N4*00069015001~   (error)
//! ```
//!
//! ## Fix
//! None: which NDC was administered does not follow from the claim.
//!
//! ## Decisions
//! Silent while the NDC is not 11 digits (`ndc-format` owns that) or LIN02 is not `N4`
//! (`ndc-qualifier` owns that); it reports once they have applied.
//!
//! ## References
//! FDA Spinraza label and NDC Directory (64406-058-01; 64406-310-01 DRUG FOR FURTHER
//! PROCESSING); Medi-Cal physician-administered drugs (bulk drugs not payable); X12 RFIs
//! on LIN/CTP in the 837.

use crate::claim::{Claim, ServiceLine};
use crate::report::{RuleId, Severity};
use crate::scrub::dose::units_after;
use crate::scrub::ndc;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct NdcProduct;

static META: Meta = Meta {
    id: RuleId::NdcProduct,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("ndc_product.rs"),
};

/// What is wrong with the 11-digit NDC `n` of a J2326 line, and how badly.
fn judge(
    cx: &Cx<'_, '_>,
    claim: &Claim<'_>,
    line: &ServiceLine<'_>,
    n: &str,
) -> Option<(Severity, String)> {
    let (drug, strengths) = (&cx.catalog.drug, cx.strengths());
    let date = cx.line_date(claim, line);
    let hcpcs = &drug.hcpcs;
    if let Some(s) = strengths.list.iter().find(|s| s.lists(n)) {
        return match (s.enabled, s.enabled_on(date)) {
            (_, true) => None,
            (true, false) => Some((
                Severity::Error,
                format!(
                    "NDC {n} is of the {} strength, not billable before its regimen's date",
                    s.name
                ),
            )),
            (false, _) => Some((
                Severity::Warning,
                format!(
                    "NDC {n} is of the {} strength, whose regimen is switched off",
                    s.name
                ),
            )),
        };
    }
    if drug.not_billable.iter().any(|p| n.starts_with(p.as_str())) {
        return Some((
            Severity::Error,
            format!("NDC {n} is a bulk listing, never a billed {hcpcs} NDC"),
        ));
    }
    if strengths.list.iter().any(|s| s.names(n)) {
        return Some((
            Severity::Warning,
            format!("NDC {n} is a {hcpcs} package code the NDC Directory does not list"),
        ));
    }
    let labeler = (strengths.list.iter())
        .find_map(|s| s.labeler_product.as_deref())
        .map(|p| &p[..p.len().min(5)]);
    let unlisted = |u| {
        strengths
            .enabled(date)
            .any(|s| s.ndcs.is_empty() && s.units == u)
    };
    if labeler.is_some_and(|l| n.starts_with(l))
        && units_after(cx, claim, line).is_some_and(unlisted)
    {
        return Some((
            Severity::Warning,
            format!(
                "NDC {n} is a product code the catalog does not list; its units are those of a strength without a listed NDC"
            ),
        ));
    }
    Some((Severity::Error, format!("NDC {n} is not a {hcpcs} NDC")))
}

impl Rule for NdcProduct {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        for line in claim.lines.iter().filter(|l| cx.is_drug(l)) {
            let Some(d) = line.drug else { continue };
            if d.qualifier != b"N4" || !ndc::is_11(d.ndc) {
                continue;
            }
            let n = String::from_utf8_lossy(d.ndc);
            if let Some((severity, message)) = judge(cx, claim, line, &n) {
                out.push(Hit::new(d.lin, message).severity(severity));
            }
        }
    }
}
