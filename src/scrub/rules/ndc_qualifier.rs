//! ## What it does
//! Checks that LIN02, the qualifier of a line's NDC in the 2410 loop, is `N4`. Applies to
//! every line, not only J2326 lines.
//!
//! ## Why is this bad?
//! The 837 guides allow only `N4` (the 11-digit 5-4-2 NDC). `N1`, `N2` and `N3` name the
//! 10-digit 4-4-2, 5-3-2 and 5-4-1 layouts; payers reject them at the front end.
//!
//! ## Example
//! ```text
//! LIN**N2*6440605801~   (5-3-2 layout, 10 digits)
//! ```
//!
//! ## Fix
//! Under `N1`/`N2`/`N3`: pads LIN03 by that layout to 11 digits (4-4-2 → 0+labeler,
//! 5-3-2 → 0+product, 5-4-1 → 0+package) and sets `N4` (repair). Other qualifiers (`EN`,
//! `UP`, empty, ...): no fix.
//!
//! ## Decisions
//! Where the catalogue is silent:
//! - LIN03 written with hyphens or spaces under `N1`/`N2`/`N3` is converted only when its
//!   parts have the layout the qualifier names (`N1` with `6440-6058-01`); parts in another
//!   layout contradict the qualifier and stay unfixed.
//! - LIN03 already 11 digits under `N1`/`N2`/`N3`: only the qualifier is set to `N4`.
//! - Anything else (9 digits, letters): unfixed.
//!
//! `ndc-format` stays silent until the qualifier is `N4`.
//!
//! ## References
//! ASC X12 005010X222A1 / 005010X223A2 2410 LIN02 (code N4 only); X12 RFIs on LIN/CTP in
//! the 837; FDA NDC Directory (10-digit layouts).

use crate::claim::Claim;
use crate::echo;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::lines::with_drug;
use crate::scrub::ndc::{self, Layout};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct NdcQualifier;

static META: Meta = Meta {
    id: RuleId::NdcQualifier,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Repair),
    source: include_str!("ndc_qualifier.rs"),
};

/// The 11 digits LIN03 stands for under the 10-digit layout `layout`.
fn convert(layout: Layout, raw: &str) -> Option<String> {
    let raw = raw.trim();
    if ndc::is_11(raw.as_bytes()) {
        return Some(raw.to_string());
    }
    if raw.contains(['-', ' ']) {
        let parts: Vec<&str> = raw.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        let wanted: &[usize] = match layout {
            Layout::L442 => &[4, 4, 2],
            Layout::L532 => &[5, 3, 2],
            Layout::L541 => &[5, 4, 1],
        };
        return if lens == wanted {
            ndc::from_hyphenated(raw)
        } else {
            None
        };
    }
    layout.pad(raw)
}

impl Rule for NdcQualifier {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        for (_, d) in with_drug(claim) {
            if d.qualifier == b"N4" {
                continue;
            }
            let hit = Hit::new(
                d.lin,
                if d.qualifier.is_empty() {
                    "LIN02 NDC qualifier is empty, not N4".to_string()
                } else {
                    format!(
                        "LIN02 NDC qualifier is {}, not N4",
                        echo::quoted(d.qualifier)
                    )
                },
            );
            let fixed = Layout::from_qualifier(d.qualifier)
                .and_then(|l| convert(l, &String::from_utf8_lossy(d.ndc)));
            out.push(match fixed {
                Some(n) => hit.fix(
                    FixClass::Repair,
                    vec![cx.set(d.lin, 2, 0, "N4"), cx.set(d.lin, 3, 0, n)],
                ),
                None => hit,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_by_the_qualifier_layout() {
        assert_eq!(
            convert(Layout::L442, "6440605801").as_deref(),
            Some("06440605801")
        );
        assert_eq!(
            convert(Layout::L532, "6440605801").as_deref(),
            Some("64406005801")
        );
        assert_eq!(
            convert(Layout::L541, "6440600581").as_deref(),
            Some("64406005801")
        );
        assert_eq!(
            convert(Layout::L532, "64406-058-01").as_deref(),
            Some("64406005801")
        );
        // Parts that contradict the qualifier.
        assert_eq!(convert(Layout::L442, "64406-058-01"), None);
        assert_eq!(
            convert(Layout::L442, "64406005801").as_deref(),
            Some("64406005801")
        );
        assert_eq!(convert(Layout::L532, "644060058"), None);
    }
}
