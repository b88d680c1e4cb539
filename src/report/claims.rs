//! What the HTML worklist shows of each claim (payer, dates, billed, J2326 units and NDC),
//! taken by the scrub as it streams, and which of the input's findings are the claim's.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::Finding;

/// One claim as the worklist shows it: only codes, amounts and dates of service, never a
/// name, an address, a date of birth or a member id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClaimFacts {
    /// CLM01.
    pub id: String,
    /// NM109 of the 2010BB payer, when shaped like a code (else described).
    pub payer: String,
    /// The first and last date of service (`YYYY-MM-DD`), from the lines' DTP*472 (and an
    /// 837I's DTP*434).
    pub from: Option<String>,
    pub to: Option<String>,
    /// CLM02 as a decimal string, when it is a number.
    pub billed: Option<String>,
    /// The first J2326 line's units (SV104 / SV205), when a number.
    pub drug_units: Option<String>,
    /// That line's NDC (LIN03), when shaped like a code (else described).
    pub ndc: Option<String>,
    /// J2326 lines on the claim.
    pub drug_lines: usize,
    /// An error-level finding remains on the claim or in a loop above it: it is what
    /// `--split-rejected` splits off.
    pub rejected: bool,
    /// ISA13 and ST02 of its transaction.
    pub interchange: Option<String>,
    pub transaction: Option<String>,
    /// Index in the input file of its CLM segment and of its last segment: the findings
    /// positioned between them are the claim's.
    pub first: usize,
    pub last: usize,
    /// The element separator and segment terminator of its interchange, to split the
    /// before and after of its fixes by element.
    pub element: char,
    pub terminator: char,
    /// Which of the input's findings (indices in its spool, in input order) are the
    /// claim's; set by [`attach`].
    pub findings: Range<usize>,
    /// Its interchange or group was left out of the corrected output.
    #[serde(default)]
    pub left_out: bool,
}

/// Puts `batch` (the findings of one transaction and the envelope problems before it) in
/// input order, as they are then added to the spool from index `base` on, and gives each
/// claim of the transaction the range of them that is its own: from its CLM on, those
/// that name it, up to the next claim's CLM. (Not up to its own last segment: the claims
/// are read off the transaction as corrected, where a segment a fix removed is gone, but
/// the finding of that fix is still positioned on it.) Claims come in input order, so one
/// pass over both.
pub fn attach(mut claims: Vec<ClaimFacts>, batch: &mut [Finding], base: usize) -> Vec<ClaimFacts> {
    batch.sort_by_key(|f| f.position.segment);
    let nexts: Vec<usize> = (claims.iter().skip(1).map(|c| c.first))
        .chain([usize::MAX])
        .collect();
    let mut i = 0;
    for (c, next) in claims.iter_mut().zip(nexts) {
        while i < batch.len() && batch[i].position.segment < c.first {
            i += 1;
        }
        let start = i;
        while i < batch.len()
            && batch[i].position.segment < next
            && batch[i].claim.as_deref() == Some(c.id.as_str())
        {
            i += 1;
        }
        c.findings = base + start..base + i;
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Position, RuleId, Severity};

    fn at(segment: usize, claim: Option<&str>) -> Finding {
        let mut f = Finding::new(
            RuleId::NdcMissing,
            Severity::Error,
            "m",
            Position {
                segment,
                ..Position::default()
            },
        );
        f.claim = claim.map(String::from);
        f
    }

    #[test]
    fn each_claim_takes_the_findings_inside_it() {
        let claim = |id: &str, first, last| ClaimFacts {
            id: id.into(),
            first,
            last,
            ..ClaimFacts::default()
        };
        // 22: on a segment a fix removed, past the corrected claim's last; 29: a
        // subscriber loop's, before the next claim; 40: the trailer's.
        let mut batch = vec![
            at(40, None),
            at(3, None),
            at(12, Some("A")),
            at(25, Some("B")),
            at(10, Some("A")),
            at(31, Some("C")),
            at(22, Some("A")),
            at(29, None),
        ];
        let claims = attach(
            vec![claim("A", 10, 20), claim("B", 24, 28), claim("C", 31, 35)],
            &mut batch,
            7,
        );
        let segs: Vec<usize> = batch.iter().map(|f| f.position.segment).collect();
        assert_eq!(segs, [3, 10, 12, 22, 25, 29, 31, 40]);
        let ranges: Vec<Range<usize>> = claims.into_iter().map(|c| c.findings).collect();
        assert_eq!(ranges, [8..11, 11..12, 13..14]);
    }
}
