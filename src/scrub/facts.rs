//! What the worklist shows of a claim, read off the claim view the rules just saw: CLM01,
//! the payer, the dates of service, the billed amount, the J2326 units and NDC.

use crate::claim::Claim;
use crate::digits;
use crate::echo;
use crate::report::ClaimFacts;
use crate::x12::Transaction;

use super::rule::Cx;

/// `d.normalize().to_string()`, without `fmt`.
fn decimal(d: rust_decimal::Decimal) -> String {
    let mut out = Vec::with_capacity(12);
    digits::push_decimal(&mut out, d);
    String::from_utf8(out).unwrap_or_default()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The facts of `claim` in `cx`'s transaction. `at` gives a segment's index (in the
/// transaction `cx` reads) as the index in the input file of the segment it stands for;
/// `input` is the transaction as read.
pub fn of(
    cx: &Cx<'_, '_>,
    claim: &Claim<'_>,
    input: &Transaction<'_>,
    at: &dyn Fn(usize) -> usize,
) -> ClaimFacts {
    let mut dates = claim.statement.into_iter().collect::<Vec<_>>();
    dates.extend(claim.lines.iter().filter_map(|l| cx.line_date(claim, l)));
    let from = dates.iter().map(|d| d.from).min();
    let to = dates.iter().map(|d| d.to).max();
    let drug: Vec<_> = claim.lines.iter().filter(|l| cx.is_drug(l)).collect();
    let first = drug.first();
    let d = cx
        .tx
        .segments
        .first()
        .map(|s| s.delimiters)
        .unwrap_or_default();
    let interchange = input.interchange();
    ClaimFacts {
        id: text(claim.id),
        payer: if claim.payer.is_empty() {
            String::new()
        } else {
            echo::code(claim.payer)
        },
        from: from.map(digits::iso),
        to: to.map(digits::iso),
        billed: claim.billed.map(decimal),
        drug_units: first.and_then(|l| l.units).map(decimal),
        ndc: first.and_then(|l| l.drug).map(|d| echo::code(d.ndc)),
        drug_lines: drug.len(),
        rejected: false,
        interchange: (!interchange.is_empty()).then(|| text(interchange)),
        transaction: Some(text(input.control())),
        first: at(claim.clm),
        last: at(claim.last.min(cx.tx.segments.len().saturating_sub(1))),
        element: char::from(d.element),
        terminator: char::from(d.segment),
        findings: 0..0,
        left_out: false,
    }
}
