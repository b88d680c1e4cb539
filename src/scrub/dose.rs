//! Doses on one claim: its J2326 lines grouped by date, the strength each line is of, and
//! the units `drug-units` leaves on each (`domain/j2326.md`, "Definitions (additions)" and
//! "Changes to existing rules"). The rules that compute a CTP quantity or insert an NDC
//! read these, so they agree with `drug-units` whether or not its fix is applied.

use rust_decimal::Decimal;

use crate::claim::{Claim, LineDate, ServiceLine};
use crate::report::RuleId;
use crate::scrub::lines::has_jw;
use crate::scrub::rule::Cx;
use crate::scrub::rules::ndc_format::eleven;
use crate::scrub::strength::Named;

/// The J2326 lines of one claim on one line date.
pub struct Group<'l, 'a> {
    pub date: Option<LineDate>,
    pub lines: Vec<&'l ServiceLine<'a>>,
}

/// The claim's J2326 lines grouped by line date exactly as written (one D8 day or one RD8
/// range; unknown dates form one group), in order of first appearance.
pub fn groups<'l, 'a>(cx: &Cx<'_, '_>, claim: &'l Claim<'a>) -> Vec<Group<'l, 'a>> {
    let mut out: Vec<Group<'l, 'a>> = Vec::new();
    for line in claim.lines.iter().filter(|l| cx.is_drug(l)) {
        let date = cx.line_date(claim, line);
        match out.iter_mut().find(|g| g.date == date) {
            Some(g) => g.lines.push(line),
            None => out.push(Group {
                date,
                lines: vec![line],
            }),
        }
    }
    out
}

/// The line's 11-digit NDC: its N4 LIN as written, or as `ndc-format` reads it.
pub fn ndc(cx: &Cx<'_, '_>, line: &ServiceLine<'_>) -> Option<String> {
    let d = line.drug?;
    (d.qualifier == b"N4").then(|| eleven(cx, line, &String::from_utf8_lossy(d.ndc)))?
}

/// The strength the line's NDC names; else, while one strength alone is enabled for its
/// date, that one (it needs no NDC to be named); else none.
pub fn ndc_strength<'c>(
    cx: &'c Cx<'_, '_>,
    claim: &Claim<'_>,
    line: &ServiceLine<'_>,
) -> Option<&'c Named> {
    let strengths = cx.strengths();
    ndc(cx, line)
        .and_then(|n| strengths.of_ndc(&n))
        .or_else(|| strengths.alone(cx.line_date(claim, line)))
}

/// What the NDCs of a date's lines say the dose is.
pub enum Agreed<'c> {
    /// No line names a strength.
    None,
    /// Every line that names one names this one.
    One(&'c Named),
    /// Lines name different strengths.
    Conflict(&'c Named, &'c Named),
}

/// The strength the NDCs of a group's lines agree on.
pub fn group_strength<'c>(cx: &'c Cx<'_, '_>, claim: &Claim<'_>, g: &Group<'_, '_>) -> Agreed<'c> {
    let mut found: Option<&Named> = None;
    for line in &g.lines {
        match (found, ndc_strength(cx, claim, line)) {
            (_, None) => {}
            (None, Some(s)) => found = Some(s),
            (Some(a), Some(b)) if a.name != b.name => return Agreed::Conflict(a, b),
            _ => {}
        }
    }
    found.map_or(Agreed::None, Agreed::One)
}

/// The units `drug-units` sets on a group's one line, when its fix condition holds: one
/// J2326 line, no JW, units a slip of the NDC strength (its `units`); without an NDC
/// strength, 12 or 1200 (the standard strength's mg slips) become its 120.
pub fn fixed_units(cx: &Cx<'_, '_>, claim: &Claim<'_>, g: &Group<'_, '_>) -> Option<Decimal> {
    let [one] = g.lines.as_slice() else {
        return None;
    };
    let units = one.units?;
    if has_jw(cx, one) {
        return None;
    }
    match group_strength(cx, claim, g) {
        Agreed::One(s) => (s.slips().contains(&units) && units != s.units).then_some(s.units),
        Agreed::Conflict(..) => None,
        Agreed::None => {
            let s = cx.strengths().standard().filter(|s| s.enabled_on(g.date))?;
            let [_, _, mg, centi] = s.slips();
            (units == mg || units == centi).then_some(s.units)
        }
    }
}

/// The group of `line`: the claim's J2326 lines on its line date, in claim order.
pub fn group_of<'l, 'a>(
    cx: &Cx<'_, '_>,
    claim: &'l Claim<'a>,
    line: &ServiceLine<'_>,
) -> Group<'l, 'a> {
    let date = cx.line_date(claim, line);
    let lines = (claim.lines.iter())
        .filter(|l| cx.is_drug(l) && cx.line_date(claim, l) == date)
        .collect();
    Group { date, lines }
}

/// The units `drug-units` leaves on a group's one line when it would fix it.
fn fixed(cx: &Cx<'_, '_>, claim: &Claim<'_>, g: &Group<'_, '_>) -> Option<Decimal> {
    if cx.enabled(RuleId::DrugUnits) {
        fixed_units(cx, claim, g)
    } else {
        None
    }
}

/// The units of a J2326 line after `drug-units`' fix, whether or not its class is
/// applied (the billed units when the rule does not run or would not fix).
pub fn units_after(cx: &Cx<'_, '_>, claim: &Claim<'_>, line: &ServiceLine<'_>) -> Option<Decimal> {
    fixed(cx, claim, &group_of(cx, claim, line)).or(line.units)
}

/// A group's total units after `drug-units` (its fix touches a group of one line only).
fn total(cx: &Cx<'_, '_>, claim: &Claim<'_>, g: &Group<'_, '_>) -> Option<Decimal> {
    fixed(cx, claim, g).or_else(|| g.lines.iter().map(|l| l.units).sum())
}

/// The date's total units after `drug-units`: the sum over the group of `line`.
pub fn total_after(cx: &Cx<'_, '_>, claim: &Claim<'_>, line: &ServiceLine<'_>) -> Option<Decimal> {
    total(cx, claim, &group_of(cx, claim, line))
}

/// The line strength: its NDC strength; else the one enabled strength whose units equal
/// the line's units after `drug-units`; a JW line takes its date's administered line's
/// strength; else unknown.
pub fn line_strength<'c>(
    cx: &'c Cx<'_, '_>,
    claim: &Claim<'_>,
    line: &ServiceLine<'_>,
) -> Option<&'c Named> {
    if has_jw(cx, line) {
        let g = group_of(cx, claim, line);
        let given = g.lines.into_iter().find(|l| !has_jw(cx, l))?;
        return line_strength(cx, claim, given);
    }
    let date = cx.line_date(claim, line);
    ndc_strength(cx, claim, line).or_else(|| {
        cx.strengths()
            .with_units(units_after(cx, claim, line)?, date)
    })
}

/// The CTP04 quantity of a J2326 line: `ml` x units / `units` of its line strength, its
/// units after `drug-units`, rounded to 3 decimals; none while the strength is unknown.
pub fn quantity(cx: &Cx<'_, '_>, claim: &Claim<'_>, line: &ServiceLine<'_>) -> Option<Decimal> {
    Some(line_strength(cx, claim, line)?.quantity(units_after(cx, claim, line)?))
}

/// Whether the date's units name another strength than its NDCs do (500 units with the
/// 12 mg NDC): `drug-units` owns that, and the CTP quantity does not follow from the claim.
pub fn disagrees(cx: &Cx<'_, '_>, claim: &Claim<'_>, line: &ServiceLine<'_>) -> bool {
    let g = group_of(cx, claim, line);
    let Agreed::One(s) = group_strength(cx, claim, &g) else {
        return false;
    };
    total(cx, claim, &g).is_some_and(|t| t != s.units && cx.strengths().is_dose(t, g.date))
}
