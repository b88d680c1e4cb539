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
/// claim of the transaction the range of them that is its own. Claims come in input
/// order, so one pass over both.
pub fn attach(mut claims: Vec<ClaimFacts>, batch: &mut [Finding], base: usize) -> Vec<ClaimFacts> {
    batch.sort_by_key(|f| f.position.segment);
    let mut i = 0;
    for c in &mut claims {
        while i < batch.len() && batch[i].position.segment < c.first {
            i += 1;
        }
        let start = i;
        while i < batch.len() && batch[i].position.segment <= c.last {
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

    fn at(segment: usize) -> Finding {
        Finding::new(
            RuleId::NdcMissing,
            Severity::Error,
            "m",
            Position {
                segment,
                ..Position::default()
            },
        )
    }

    #[test]
    fn each_claim_takes_the_findings_inside_it() {
        let claim = |first, last| ClaimFacts {
            first,
            last,
            ..ClaimFacts::default()
        };
        let mut batch = vec![at(40), at(3), at(12), at(25), at(10), at(31)];
        let claims = attach(
            vec![claim(10, 20), claim(21, 30), claim(31, 35)],
            &mut batch,
            7,
        );
        let segs: Vec<usize> = batch.iter().map(|f| f.position.segment).collect();
        assert_eq!(segs, [3, 10, 12, 25, 31, 40]);
        let ranges: Vec<Range<usize>> = claims.into_iter().map(|c| c.findings).collect();
        assert_eq!(ranges, [8..10, 10..11, 11..12]);
    }
}
