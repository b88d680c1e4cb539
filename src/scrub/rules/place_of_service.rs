//! ## What it does
//! On an 837P claim, checks the place of service of each J2326 line: SV105 when present,
//! else the claim's CLM05-1. Home (12) and telehealth (02, 10) are denied.
//!
//! ## Why is this bad?
//! Nusinersen is injected intrathecally by a physician, with imaging when needed, in a
//! facility or office (11, 19, 22, 24 are plausible). It cannot be given at home or over
//! telehealth; a claim saying so is denied.
//!
//! ## Example
//! ```text
//! CLM*CLAIM0001*12650***12:B:1*Y*A*Y*Y~...LX*1~SV1*HC:J2326:JZ*12500*UN*120***1~
//! ```
//!
//! ## Fix
//! None: the real place of service is not on the claim. 837I claims have no place of
//! service (the type of bill says where) and are not checked. When the place comes from
//! CLM05-1, the finding is on the CLM segment (one per claim, however many J2326 lines
//! inherit it); when it comes from SV105, it is on that line.
//!
//! ## References
//! CMS Place of Service code set (02, 10, 12); FDA Spinraza label (intrathecal
//! administration by healthcare professionals).

use crate::claim::Claim;
use crate::echo;
use crate::grammar::Kind;
use crate::report::{RuleId, Severity};
use crate::scrub::catalog::listed;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct PlaceOfService;

static META: Meta = Meta {
    id: RuleId::PlaceOfService,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("place_of_service.rs"),
};

impl Rule for PlaceOfService {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if cx.kind != Kind::Professional {
            return;
        }
        let mut claim_reported = false;
        for line in claim.lines.iter().filter(|l| cx.is_drug(l)) {
            let (pos, at) = match (line.place_of_service, line.service) {
                (p, Some(sv)) if !p.is_empty() => (p, sv),
                _ => (claim.facility, claim.clm),
            };
            if !listed(&cx.catalog.place_of_service.denied, pos) {
                continue;
            }
            if at == claim.clm {
                if claim_reported {
                    continue;
                }
                claim_reported = true;
            }
            out.push(Hit::new(
                at,
                format!(
                    "{} billed with place of service {}",
                    cx.catalog.drug.hcpcs,
                    echo::code(pos)
                ),
            ));
        }
    }
}
