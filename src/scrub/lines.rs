//! Helpers the line and diagnosis rules share: where an 837P or 837I service line keeps
//! its procedure and units, which lines are the drug's, and which diagnoses are SMA codes.

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

/// The codes that count as SMA for the diagnosis rules: the profile's `covered_diagnoses`
/// (by default the catalog's SMA codes; `bcbsnd` adds G12.25).
pub fn covered<'c>(cx: &'c Cx<'_, '_>) -> &'c [String] {
    &cx.profile.policy.covered_diagnoses
}

/// Whether a normalised code is a covered code that names the SMA type (not G12.9).
pub fn is_typed(cx: &Cx<'_, '_>, code: &str) -> bool {
    in_list(covered(cx), code) && !in_list(&cx.catalog.diagnosis.unspecified, code)
}

/// The pointer (1-based position) of the code an SMA line should point at first: under a
/// profile with `primary_diagnoses`, the first code of that list present on the claim;
/// else (or with none present) the claim's first typed SMA code. Positions past 12 cannot
/// be pointed at.
pub fn first_pointer(cx: &Cx<'_, '_>, claim: &Claim<'_>) -> Option<usize> {
    let within = |d: &&Diagnosis<'_>| d.pointer <= 12;
    let primary = (cx.profile.policy.primary_diagnoses.iter()).find_map(|code| {
        sma_candidates(cx, claim)
            .filter(within)
            .find(|d| d.normalized() == *code)
    });
    primary
        .or_else(|| {
            sma_candidates(cx, claim)
                .filter(within)
                .find(|d| is_typed(cx, &d.normalized()))
        })
        .map(|d| d.pointer)
}

/// Whether an 837P J2326 line is at a facility place of service (19, 22: the facility
/// bills the drug): `Some(true)` when that place is the claim's (CLM05-1, no SV105),
/// `Some(false)` when it is the line's own SV105.
pub fn facility_place(cx: &Cx<'_, '_>, claim: &Claim<'_>, line: &ServiceLine<'_>) -> Option<bool> {
    if cx.kind != Kind::Professional {
        return None;
    }
    let (pos, from_clm) = match line.place_of_service.trim_ascii() {
        b"" => (claim.facility, true),
        p => (p, false),
    };
    (cx.catalog.place_of_service.facility_drug.iter())
        .any(|f| f.as_bytes() == pos)
        .then_some(from_clm)
}

/// The claim's identity as `duplicate-service` compares it (see [`super::index::Service`]).
pub fn service<'a>(cx: &Cx<'_, '_>, claim: &Claim<'a>) -> Option<super::index::Service<'a>> {
    let days: Vec<_> = (claim.lines.iter().filter(|l| cx.is_drug(l)))
        .filter_map(|l| cx.line_date(claim, l).map(|d| (d.from, d.to)))
        .collect();
    if days.is_empty() {
        return None;
    }
    super::index::Service::of(claim, days)
}

/// The edits that make SV107 (of service segment `sv`, holding `pointers`) start with
/// pointer `first`, the others after it, four at most.
pub fn pointer_edits(
    cx: &Cx<'_, '_>,
    sv: usize,
    pointers: &[usize],
    first: usize,
) -> Vec<crate::x12::Edit> {
    let mut new = vec![first];
    new.extend(pointers.iter().copied().filter(|&q| q != first));
    new.truncate(4);
    let old = cx.seg(sv).element(7).map_or(0, |e| e.components().count());
    (1..=old.max(new.len()))
        .rev()
        .map(|c| {
            let v = new.get(c - 1).map(ToString::to_string).unwrap_or_default();
            cx.set(sv, 7, c, v)
        })
        .collect()
}
