//! ## What it does
//! On an 837I, checks that every J2326 line is billed under revenue code 0636 (SV201).
//!
//! ## Why is this bad?
//! Hospital outpatient claims bill drugs that need detailed coding under revenue code
//! 0636 ("drugs requiring detailed coding"); Medicare and most payers deny or reprocess a
//! HCPCS drug line under another revenue code (0250 general pharmacy, 0260 IV therapy).
//!
//! ## Example
//! ```text
//! SV2*0250*HC:J2326:JZ*12500*UN*120~
//! ```
//!
//! ## Fix
//! Sets SV201 to 0636 (recode: the revenue code is part of what was billed).
//!
//! ## Decisions
//! An 837P has no revenue code: the rule does not apply there.
//!
//! ## References
//! ASC X12 005010X223A2 2400 SV201; NUBC UB-04 revenue code 0636; CMS Claims Processing
//! Manual ch. 4 and 17 (drugs requiring detailed coding).

use crate::claim::Claim;
use crate::echo;
use crate::grammar::Kind;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::lines::with_service;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct RevenueCode;

static META: Meta = Meta {
    id: RuleId::RevenueCode,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("revenue_code.rs"),
};

impl Rule for RevenueCode {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if cx.kind != Kind::Institutional {
            return;
        }
        let rev = cx.catalog.drug.revenue_code.as_str();
        for (line, sv) in with_service(cx, claim) {
            if line.revenue == rev.as_bytes() {
                continue;
            }
            let hit = Hit::new(
                sv,
                format!(
                    "the {} line is under revenue code {}, not {rev}",
                    cx.catalog.drug.hcpcs,
                    echo::quoted(line.revenue)
                ),
            );
            out.push(hit.fix(FixClass::Recode, vec![cx.set(sv, 1, 0, rev)]));
        }
    }
}
