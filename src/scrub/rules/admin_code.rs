//! ## What it does
//! Checks a claim with J2326 for an administration billed with the wrong code: an
//! IV/IM/SC administration (96365-96368, 96372, 96374-96379, 96401, 96409, 96413-96417)
//! or a diagnostic or drainage puncture (62270, 62272, 62328, 62329).
//!
//! ## Why is this bad?
//! Nusinersen is given intrathecally by lumbar puncture. An infusion or injection code
//! says the drug went in by another route, and a diagnostic or drainage puncture is not
//! an injection; the payer denies the administration, and often the drug with it.
//!
//! ## Example
//! ```text
//! LX*1~SV1*HC:J2326:JZ*12500*UN*120***1~DTP*472*D8*20260110~...
//! LX*2~SV1*HC:96372*150*UN*1***1~DTP*472*D8*20260110~
//! ```
//!
//! ## Fix
//! Sets the procedure code (SV101-2 on 837P, SV202-2 on 837I) to the profile's
//! administration code (default 62321) and the units to 1; modifiers, charge and date are
//! kept (recode). Only when the right value follows from the claim:
//! - the line's date is known and a J2326 line is on it (same day, or inside its RD8 range);
//! - that date has no administration line (62320-62323, 96450);
//! - the line is the only wrong administration line on that date;
//! - no other drug is on that date: a line that is not J2326 and either has a HCPCS code
//!   starting with a catalog `other_drug_prefixes` entry (J) or carries a 2410 NDC, since
//!   the wrong code may then be that drug's administration (a J2326 JW line is the same
//!   drug, not another);
//! - the code is not an add-on (96366-96368, 96375, 96376, 96415, 96417): an add-on is
//!   never the first administration.
//!
//! Every such line on the claim is reported, whatever its date ("billed with J2326"
//! means on the same claim). A line whose date is unknown (no DTP*472, and on 837I no
//! single-day DTP*434) is reported and never fixed.
//!
//! ## References
//! FDA Spinraza label (intrathecal use only); CPT 62320-62323 descriptors and
//! parentheticals; Noridian JE/JF articles A58578/A58579 (96450).

use crate::claim::{Claim, ServiceLine};
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::catalog::listed;
use crate::scrub::pairing::{has_drug, lines_on};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct AdminCode;

static META: Meta = Meta {
    id: RuleId::AdminCode,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("admin_code.rs"),
};

/// Whether `line` is one this rule reports: a wrong administration code, when the rule
/// runs. The rules that leave such a line to this one do so only then.
pub fn reported(cx: &Cx<'_, '_>, line: &ServiceLine<'_>) -> bool {
    cx.enabled(RuleId::AdminCode) && is_wrong_admin(cx, line)
}

/// Whether the line is billed with a wrong administration code.
pub fn is_wrong_admin(cx: &Cx<'_, '_>, line: &ServiceLine<'_>) -> bool {
    let a = &cx.catalog.admin;
    listed(&a.wrong_route, line.code) || listed(&a.punctures, line.code)
}

/// Whether the line is a drug other than the catalog's.
fn is_other_drug(cx: &Cx<'_, '_>, line: &ServiceLine<'_>) -> bool {
    !cx.is_drug(line)
        && (line.drug.is_some()
            || cx
                .catalog
                .admin
                .other_drug_prefixes
                .iter()
                .any(|p| line.code.starts_with(p.as_bytes())))
}

impl AdminCode {
    /// Whether `line`'s code may be set to the profile's (see the Fix section).
    fn recodable(cx: &Cx<'_, '_>, claim: &Claim<'_>, line: &ServiceLine<'_>) -> bool {
        if listed(&cx.catalog.admin.add_on, line.code) || line.service.is_none() {
            return false;
        }
        let Some(date) = cx.line_date(claim, line) else {
            return false;
        };
        let mut drug = false;
        let mut wrong = 0;
        for l in lines_on(cx, claim, &date) {
            if cx.is_admin(l) || is_other_drug(cx, l) {
                return false;
            }
            drug |= cx.is_drug(l);
            wrong += usize::from(is_wrong_admin(cx, l));
        }
        drug && wrong == 1
    }
}

impl Rule for AdminCode {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if !has_drug(cx, claim) {
            return;
        }
        for line in claim.lines.iter().filter(|l| is_wrong_admin(cx, l)) {
            let at = line.service.unwrap_or(line.lx);
            let hit = Hit::new(
                at,
                format!(
                    "{} is not an intrathecal administration code for {}",
                    line.code_shown(),
                    cx.catalog.drug.hcpcs
                ),
            );
            if !Self::recodable(cx, claim, line) {
                out.push(hit);
                continue;
            }
            let procedure = crate::scrub::lines::procedure_element(cx.kind);
            let units = crate::scrub::lines::units_element(cx.kind);
            out.push(hit.fix(
                FixClass::Recode,
                vec![
                    cx.set(at, procedure, 2, cx.profile.admin_code.as_str()),
                    cx.set(at, units, 0, "1"),
                ],
            ));
        }
    }
}
