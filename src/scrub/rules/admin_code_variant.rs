//! ## What it does
//! Checks a claim with J2326 for an intrathecal administration code (62320, 62321,
//! 62322, 62323, 96450) other than the one the profile expects (`default`: 62321;
//! `cpt-lumbar`: 62323; `noridian`: 96450; or `[admin] expected_code` in the config).
//!
//! ## Why is this bad?
//! Sources disagree on the code: the billing reference says 62321, the CPT descriptors
//! make 62322/62323 the lumbar codes, some Medicare contractors expect 96450. A payer
//! that expects one code may review or deny another.
//!
//! ## Example
//! ```text
//! LX*2~SV1*HC:62322*150*UN*1***1~DTP*472*D8*20260110~
//! ```
//! (under the `default` profile, which expects 62321)
//!
//! ## Fix
//! None: each of these codes is a real intrathecal administration, and which one was
//! performed is the provider's to say. Every administration line of a claim with J2326 is
//! checked, on any date (an administration line on another date is also reported by
//! `admin-dos-match` when the drug has none on its own date).
//!
//! ## References
//! CPT 62320-62323 descriptors; Noridian JE/JF Part B articles A58578/A58579 (96450).

use crate::claim::Claim;
use crate::report::{RuleId, Severity};
use crate::scrub::pairing::has_drug;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct AdminCodeVariant;

static META: Meta = Meta {
    id: RuleId::AdminCodeVariant,
    severity: Severity::Warning,
    fixes: Fixes::Never,
    source: include_str!("admin_code_variant.rs"),
};

impl Rule for AdminCodeVariant {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        if !has_drug(cx, claim) {
            return;
        }
        let expected = cx.profile.admin_code.as_str();
        for line in claim.lines.iter().filter(|l| cx.is_admin(l)) {
            if line.code == expected.as_bytes() {
                continue;
            }
            out.push(Hit::new(
                line.service.unwrap_or(line.lx),
                format!(
                    "administration code {} where the {} profile expects {expected}",
                    line.code_shown(),
                    cx.profile.name
                ),
            ));
        }
    }
}
