//! Pairs a J2326 line with its administration line, as the catalogue defines it: the
//! administration line on the drug line's date (inside its RD8 range); the profile's code
//! first, then the lowest LX.

use crate::claim::{Claim, LineDate, ServiceLine};

use super::rule::Cx;

/// What the claim says about a drug line's administration.
#[derive(Debug, Clone, Copy)]
pub enum Pairing<'l, 'a> {
    /// The drug line's date is unknown: date rules report, never fix.
    UnknownDate,
    /// No administration line with a known date shares a day with the drug line.
    Unpaired(LineDate),
    /// The administration line on its date.
    Paired(&'l ServiceLine<'a>),
}

/// Whether two line dates share a day: equal D8 dates, a day inside a range, or two
/// overlapping ranges.
pub fn same_day(a: &LineDate, b: &LineDate) -> bool {
    a.overlaps(b)
}

/// LX01 as a number, for "lowest LX"; a line whose LX01 is not a number sorts last.
pub fn lx_number(line: &ServiceLine<'_>) -> u64 {
    std::str::from_utf8(line.number)
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(u64::MAX)
}

/// Whether the claim has a line of the catalog's drug.
pub fn has_drug(cx: &Cx<'_, '_>, claim: &Claim<'_>) -> bool {
    claim.lines.iter().any(|l| cx.is_drug(l))
}

/// The claim's lines with a known date sharing a day with `date`.
pub fn lines_on<'l, 'a>(
    cx: &Cx<'_, '_>,
    claim: &'l Claim<'a>,
    date: &LineDate,
) -> impl Iterator<Item = &'l ServiceLine<'a>> {
    let dates: Vec<Option<LineDate>> = claim.lines.iter().map(|l| cx.line_date(claim, l)).collect();
    let date = *date;
    claim
        .lines
        .iter()
        .zip(dates)
        .filter(move |(_, d)| d.is_some_and(|d| same_day(&d, &date)))
        .map(|(l, _)| l)
}

/// The administration line paired with `drug`.
pub fn admin_for<'l, 'a>(
    cx: &Cx<'_, '_>,
    claim: &'l Claim<'a>,
    drug: &ServiceLine<'_>,
) -> Pairing<'l, 'a> {
    let Some(date) = cx.line_date(claim, drug) else {
        return Pairing::UnknownDate;
    };
    let profile = cx.profile.admin_code.as_bytes();
    lines_on(cx, claim, &date)
        .filter(|l| cx.is_admin(l))
        .min_by_key(|l| (l.code != profile, lx_number(l)))
        .map_or(Pairing::Unpaired(date), Pairing::Paired)
}
