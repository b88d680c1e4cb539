//! ## What it does
//! Checks that under qualifier `N4` LIN03 is an 11-digit NDC: no hyphens, no spaces, not
//! 10 digits. Applies to every line, not only J2326 lines.
//!
//! ## Why is this bad?
//! `N4` means the 11-digit 5-4-2 form without separators; payers match it against their
//! NDC files and reject any other spelling.
//!
//! ## Example
//! ```text
//! LIN**N4*64406-058-01~
//! ```
//!
//! ## Fix
//! Hyphenated or spaced input is deterministic: 4-4-2 → 0+labeler, 5-3-2 → 0+product,
//! 5-4-1 → 0+package, 5-4-2 as is; the hyphens are dropped (repair). A bare 10-digit NDC
//! is ambiguous: it is converted only when exactly one of its three 11-digit readings is
//! a catalog NDC for the line's HCPCS (for J2326: 64406005801); otherwise it stays
//! unfixed.
//!
//! ## Decisions
//! Where the catalogue is silent:
//! - Only catalog NDCs count as known for a bare 10-digit NDC (not other package codes of
//!   the labeler-product); a line of another drug has no catalog NDC, so its bare
//!   10-digit NDC stays unfixed.
//! - An 11-digit NDC with only leading or trailing spaces is trimmed.
//! - Anything else (other part lengths, letters, 9 or 12 digits): unfixed.
//!
//! Silent when LIN02 is not `N4` (`ndc-qualifier` owns that).
//!
//! ## References
//! ASC X12 005010X222A1 / 005010X223A2 2410 LIN03 (N4: 11 digits, 5-4-2, no separators);
//! FDA NDC Directory (10-digit layouts); X12 RFIs on LIN/CTP in the 837.

use crate::claim::{Claim, ServiceLine};
use crate::echo;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::lines::with_drug;
use crate::scrub::ndc;
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct NdcFormat;

static META: Meta = Meta {
    id: RuleId::NdcFormat,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Repair),
    source: include_str!("ndc_format.rs"),
};

/// The 11-digit NDC `raw` stands for on `line`, when that follows from it.
pub fn eleven(cx: &Cx<'_, '_>, line: &ServiceLine<'_>, raw: &str) -> Option<String> {
    let t = raw.trim();
    if ndc::is_11(t.as_bytes()) {
        return Some(t.to_string());
    }
    if t.contains(['-', ' ']) {
        return ndc::from_hyphenated(t);
    }
    if !cx.is_drug(line) {
        return None;
    }
    from_bare(t, &cx.strengths().all_ndcs())
}

/// The one reading of a bare 10-digit NDC that is in `known`; `None` when none or several are.
fn from_bare(raw: &str, known: &[String]) -> Option<String> {
    let found: Vec<String> = ndc::candidates(raw)
        .into_iter()
        .filter(|c| known.contains(c))
        .collect();
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

impl Rule for NdcFormat {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        for (line, d) in with_drug(claim) {
            if d.qualifier != b"N4" || ndc::is_11(d.ndc) {
                continue;
            }
            let raw = String::from_utf8_lossy(d.ndc);
            let hit = Hit::new(
                d.lin,
                format!("LIN03 NDC {} is not 11 digits", echo::quoted(d.ndc)),
            );
            out.push(match eleven(cx, line, &raw) {
                Some(n) => hit.fix(FixClass::Repair, vec![cx.set(d.lin, 3, 0, n)]),
                None => hit,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_10_digits_convert_only_when_one_reading_is_known() {
        let one = ["64406005801".to_string()];
        assert_eq!(
            from_bare("6440605801", &one).as_deref(),
            Some("64406005801")
        );
        // Two readings known (4-4-2 and 5-3-2): ambiguous, unfixed.
        let two = ["06440605801".to_string(), "64406005801".to_string()];
        assert_eq!(from_bare("6440605801", &two), None);
        assert_eq!(from_bare("1234567890", &one), None);
        assert_eq!(from_bare("644060580", &one), None);
    }
}
