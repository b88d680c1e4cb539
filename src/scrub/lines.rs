//! Helpers the line and diagnosis rules share: where an 837P or 837I service line keeps
//! its procedure and units, which lines are the drug's, and which diagnoses are SMA codes.

use crate::claim::{Claim, Diagnosis, ServiceLine};
use crate::grammar::Kind;

use super::rule::Cx;

/// The element of SV1 (837P) or SV2 (837I) holding the procedure composite.
pub fn procedure_element(kind: Kind) -> usize {
    match kind {
        Kind::Professional => 1,
        Kind::Institutional => 2,
    }
}

/// The element of SV1 (837P) or SV2 (837I) holding the units.
pub fn units_element(kind: Kind) -> usize {
    match kind {
        Kind::Professional => 4,
        Kind::Institutional => 5,
    }
}

/// The claim's drug lines (J2326).
pub fn drug_lines<'l, 'a>(
    cx: &'l Cx<'_, '_>,
    claim: &'l Claim<'a>,
) -> impl Iterator<Item = &'l ServiceLine<'a>> + 'l {
    claim.lines.iter().filter(move |l| cx.is_drug(l))
}

/// Whether the line carries the waste modifier (JW: a documented discard).
pub fn has_jw(cx: &Cx<'_, '_>, line: &ServiceLine<'_>) -> bool {
    line.has_modifier(&cx.catalog.drug.waste_modifier)
}

/// Whether the line carries the no-waste modifier (JZ).
pub fn has_jz(cx: &Cx<'_, '_>, line: &ServiceLine<'_>) -> bool {
    line.has_modifier(&cx.catalog.drug.no_waste_modifier)
}

/// The diagnoses the SMA rules read: ABK/ABF, and on 837I also ABJ/APR.
pub fn sma_candidates<'c, 'a>(
    cx: &Cx<'_, '_>,
    claim: &'c Claim<'a>,
) -> impl Iterator<Item = &'c Diagnosis<'a>> + 'c {
    let institutional = cx.kind == Kind::Institutional;
    claim.diagnoses.iter().filter(move |d| match d.qualifier {
        b"ABK" | b"ABF" => true,
        b"ABJ" | b"APR" => institutional,
        _ => false,
    })
}

/// Whether a normalised diagnosis code is in `list`.
pub fn in_list(list: &[String], code: &str) -> bool {
    list.iter().any(|c| c == code)
}
