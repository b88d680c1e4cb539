//! Helpers the line and diagnosis rules share: where an 837P or 837I service line keeps
//! its procedure and units, which lines are the drug's, and which diagnoses are SMA codes.

use rust_decimal::Decimal;

use crate::claim::{Claim, Diagnosis, Drug, ServiceLine};
use crate::grammar::Kind;

use super::rule::Cx;

/// The element of SV1 (837P) or SV2 (837I) holding the procedure composite.
pub fn procedure_element(kind: Kind) -> usize {
    match kind {
        Kind::Professional => 1,
        // 837I; rules see no other kind.
        _ => 2,
    }
}

/// The element of SV1 (837P) or SV2 (837I) holding the units.
pub fn units_element(kind: Kind) -> usize {
    match kind {
        Kind::Professional => 4,
        _ => 5,
    }
}

/// The claim's drug lines (J2326).
pub fn drug_lines<'l, 'a>(
    cx: &'l Cx<'_, '_>,
    claim: &'l Claim<'a>,
) -> impl Iterator<Item = &'l ServiceLine<'a>> + 'l {
    claim.lines.iter().filter(move |l| cx.is_drug(l))
}

/// The lines that carry a 2410 drug loop (a LIN), with it: whatever their procedure.
pub fn with_drug<'l, 'a>(
    claim: &'l Claim<'a>,
) -> impl Iterator<Item = (&'l ServiceLine<'a>, Drug<'a>)> + 'l {
    claim.lines.iter().filter_map(|l| l.drug.map(|d| (l, d)))
}

/// The drug lines whose 2410 has its CTP: the line, its drug loop and the CTP's index.
pub fn with_ctp<'l, 'a>(
    cx: &'l Cx<'_, '_>,
    claim: &'l Claim<'a>,
) -> impl Iterator<Item = (&'l ServiceLine<'a>, Drug<'a>, usize)> + 'l {
    drug_lines(cx, claim).filter_map(|l| l.drug.and_then(|d| d.ctp.map(|c| (l, d, c))))
}

/// The drug lines with their service segment (SV1 or SV2): the line and its index.
pub fn with_service<'l, 'a>(
    cx: &'l Cx<'_, '_>,
    claim: &'l Claim<'a>,
) -> impl Iterator<Item = (&'l ServiceLine<'a>, usize)> + 'l {
    drug_lines(cx, claim).filter_map(|l| l.service.map(|s| (l, s)))
}

/// The CTP quantity for `units` of the drug (5 mL per 120 units), rounded to the 3
/// decimal places every rule compares and writes, normalised (5, 4.167).
pub fn quantity(cx: &Cx<'_, '_>, units: Decimal) -> Decimal {
    let d = &cx.catalog.drug;
    (d.ndc_quantity_per_dose * units / d.units_per_dose)
        .round_dp(3)
        .normalize()
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
