//! Claim-level checks: CLM02 against the line charges, LX numbering, HL numbering.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::claim::decimal;

use crate::echo;
use crate::report::limit::{Admit, Limit};
use crate::report::{ElementAt, Finding, Position, RuleId, Severity};
use crate::tree::Tree;
use crate::x12::{Segment, Transaction};

pub mod rules {
    use crate::report::RuleId;

    /// CLM02 is not the sum of the line charges (SV102 / SV203).
    pub const CLAIM_BALANCE: RuleId = RuleId::ClaimBalance;
    /// LX01 does not number the claim's lines 1, 2, 3...
    pub const LINE_NUMBERING: RuleId = RuleId::LineNumbering;
    /// HL01 out of sequence, or HL02 naming no earlier HL.
    pub const HL_STRUCTURE: RuleId = RuleId::HlStructure;
}

/// The line charge of a 2400 loop's service segment, if it has one.
pub fn line_charge(seg: &Segment<'_>) -> Option<Decimal> {
    match seg.id() {
        b"SV1" => decimal(seg.value(2)),
        b"SV2" => decimal(seg.value(3)),
        _ => None,
    }
}

pub fn check(
    tree: &Tree,
    tx: &Transaction<'_>,
    file: &str,
    findings: &mut Vec<Finding>,
    limit: &mut Limit,
) {
    // `element`: the element of segment `i` the finding is about.
    let mut push = |rule, message: String, i: usize, element: usize| {
        let position = Position::at(file, tx, &tx.segments[i]);
        match limit.admit(rule) {
            Admit::List => findings.push(
                Finding::new(rule, Severity::Error, message, position)
                    .at_element(Some(ElementAt::element(element))),
            ),
            Admit::First => limit.over(rule, Severity::Error, position, None),
            Admit::Over => {}
        }
    };
    for (c, node) in tree.loops.iter().enumerate() {
        if node.def.id == "2300" {
            claim(tree, tx, c, &mut push);
        }
    }
    hl_numbering(tx, &mut push);
}

/// CLM02 against the line charges and LX numbering, of the claim of 2300 loop `c`.
fn claim(
    tree: &Tree,
    tx: &Transaction<'_>,
    c: usize,
    push: &mut impl FnMut(RuleId, String, usize, usize),
) {
    let node = &tree.loops[c];
    let clm = &tx.segments[node.first];
    let mut total = Decimal::ZERO;
    let mut lines = 0u32;
    for (l, line) in tree.loops.iter().enumerate().skip(c + 1) {
        if line.first > node.last {
            break;
        }
        if line.parent != Some(c) || line.def.id != "2400" {
            continue;
        }
        lines += 1;
        let lx = &tx.segments[line.first];
        if !is_number(lx.value(1), lines as usize) {
            push(
                rules::LINE_NUMBERING,
                format!("LX01 is {}, expected {lines}", echo::quoted(lx.value(1))),
                line.first,
                1,
            );
        }
        let charge = (line.first + 1..=line.last)
            .filter(|&i| tree.placed[i].loop_index == l)
            .find_map(|i| line_charge(&tx.segments[i]));
        if let Some(charge) = charge {
            total += charge;
        }
    }
    if let Some(billed) = decimal(clm.value(2))
        && lines > 0
        && billed != total
    {
        push(
            rules::CLAIM_BALANCE,
            format!("CLM02 {billed} is not the sum of the line charges {total}"),
            node.first,
            2,
        );
    }
}

/// HL numbering: HL01 counts from 1; HL02 names an earlier HL01, of the level the guide
/// puts above this one. While every HL01 so far is its count, HL n is `seen[n - 1]`, and
/// a map of HL01 to level is needed only once one is not.
fn hl_numbering(tx: &Transaction<'_>, push: &mut impl FnMut(RuleId, String, usize, usize)) {
    let mut seen: Vec<(&[u8], &[u8])> = Vec::new();
    let mut by_id: Option<HashMap<&[u8], &[u8]>> = None;
    let mut count = 0usize;
    for (i, seg) in tx.segments.iter().enumerate() {
        if !seg.is("HL") {
            continue;
        }
        count += 1;
        let [id, parent, level] = seg.values::<3>();
        if !is_number(id, count) {
            push(
                rules::HL_STRUCTURE,
                format!("HL01 is {}, expected {count}", echo::quoted(id)),
                i,
                1,
            );
            if by_id.is_none() {
                by_id = Some(seen.iter().copied().collect());
            }
        }
        let parent_level = match &by_id {
            Some(map) => map.get(parent).copied(),
            None => number(parent)
                .filter(|&p| p >= 1 && p < count)
                .map(|p| seen[p - 1].1),
        };
        match (parent_level, parent_of(level)) {
            (None, _) if !parent.is_empty() => push(
                rules::HL_STRUCTURE,
                format!("HL02 {} names no earlier HL", echo::quoted(parent)),
                i,
                2,
            ),
            (Some(got), Some((want, name))) if got != want => push(
                rules::HL_STRUCTURE,
                format!(
                    "HL02 {} names an HL of level {}; a {name} HL ({}) goes under level {}",
                    echo::quoted(parent),
                    echo::quoted(got),
                    echo::code(level),
                    String::from_utf8_lossy(want)
                ),
                i,
                2,
            ),
            _ => {}
        }
        match &mut by_id {
            Some(map) => {
                map.insert(id, level);
            }
            None => seen.push((id, level)),
        }
    }
}

/// The level (HL03) an HL of `level` must be under, and the name of `level`: a
/// subscriber (22) under a billing provider (20), a patient (23) under a subscriber.
fn parent_of(level: &[u8]) -> Option<(&'static [u8], &'static str)> {
    match level {
        b"22" => Some((b"20", "subscriber")),
        b"23" => Some((b"22", "patient")),
        _ => None,
    }
}

/// The value of `b` when it is a number written as `to_string` writes it (no sign, no
/// leading zero).
fn number(b: &[u8]) -> Option<usize> {
    if b.is_empty() || b.len() > 18 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    b.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + usize::from(d - b'0'))
    })
}

/// Whether `b` is `n.to_string()`.
fn is_number(b: &[u8], n: usize) -> bool {
    number(b) == Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_to_string_writes_them() {
        for n in [0usize, 1, 9, 10, 99, 100, 12345] {
            assert!(is_number(n.to_string().as_bytes(), n));
        }
        for (b, n) in [
            (&b"01"[..], 1),
            (b"", 0),
            (b"+1", 1),
            (b" 1", 1),
            (b"1 ", 1),
            (b"00", 0),
        ] {
            assert!(!is_number(b, n));
        }
        assert_eq!(number(b"0"), Some(0));
        assert_eq!(number(b"1234567890123456789"), None);
    }
}
