//! ## What it does
//! Checks that the NDC of a J2326 line (LIN03 under `N4`) is a Spinraza NDC: a catalog
//! NDC (64406005801), or at least the labeler-product 64406-0058.
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
//! FDA Spinraza label and NDC Directory (64406-058-01); X12 RFIs on LIN/CTP in the 837.

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::ndc;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct NdcProduct;

static META: Meta = Meta {
    id: RuleId::NdcProduct,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("ndc_product.rs"),
};

impl Rule for NdcProduct {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let drug = &cx.catalog.drug;
        for line in claim.lines.iter().filter(|l| cx.is_drug(l)) {
            let Some(d) = line.drug else { continue };
            if d.qualifier != b"N4" || !ndc::is_11(d.ndc) {
                continue;
            }
            let n = String::from_utf8_lossy(d.ndc);
            if drug.ndcs.iter().any(|k| *k == n) {
                continue;
            }
            out.push(if n.starts_with(drug.labeler_product.as_str()) {
                Hit::new(
                    d.lin,
                    format!(
                        "NDC {n} is a {} package code the NDC Directory does not list",
                        drug.hcpcs
                    ),
                )
                .severity(Severity::Warning)
            } else {
                Hit::new(d.lin, format!("NDC {n} is not a {} NDC", drug.hcpcs))
            });
        }
    }
}
