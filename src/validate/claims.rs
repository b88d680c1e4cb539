//! Claim-level checks: CLM02 against the line charges, LX numbering, HL numbering.

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::claim::decimal;

use crate::report::{Finding, Severity, echo};
use crate::tree::Tree;
use crate::x12::{Segment, Transaction};

pub mod rules {
    /// CLM02 is not the sum of the line charges (SV102 / SV203).
    pub const CLAIM_BALANCE: &str = "claim-balance";
    /// LX01 does not number the claim's lines 1, 2, 3...
    pub const LINE_NUMBERING: &str = "line-numbering";
    /// HL01 out of sequence, or HL02 naming no earlier HL.
    pub const HL_STRUCTURE: &str = "hl-structure";
}

/// The line charge of a 2400 loop's service segment, if it has one.
pub fn line_charge(seg: &Segment<'_>) -> Option<Decimal> {
    match seg.id() {
        b"SV1" => decimal(seg.value(2)),
        b"SV2" => decimal(seg.value(3)),
        _ => None,
    }
}

pub fn check(tree: &Tree, tx: &Transaction<'_>, file: &str, findings: &mut Vec<Finding>) {
    let mut push = |rule, message: String, i: usize| {
        findings.push(Finding::new(
            rule,
            Severity::Error,
            message,
            tx.position(file, &tx.segments[i]),
        ));
    };
    // Claims and their lines.
    for (c, node) in tree.loops.iter().enumerate() {
        if node.def.id != "2300" {
            continue;
        }
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
            );
        }
    }
    // HL numbering: HL01 counts from 1; HL02 names an earlier HL01.
    // While every HL01 so far is its count, the HL01s seen are exactly 1..count, and the
    // set is needed only once one is not.
    let mut ids: Vec<&[u8]> = Vec::new();
    let mut seen: Option<HashSet<&[u8]>> = None;
    let mut count = 0usize;
    for (i, seg) in tx.segments.iter().enumerate() {
        if !seg.is("HL") {
            continue;
        }
        count += 1;
        let [id, parent] = seg.values::<2>();
        if !is_number(id, count) {
            push(
                rules::HL_STRUCTURE,
                format!("HL01 is {}, expected {count}", echo::quoted(id)),
                i,
            );
            if seen.is_none() {
                seen = Some(ids.iter().copied().collect());
            }
        }
        let known = match &seen {
            Some(set) => set.contains(&parent),
            None => number(parent).is_some_and(|p| p >= 1 && p < count),
        };
        if !parent.is_empty() && !known {
            push(
                rules::HL_STRUCTURE,
                format!("HL02 {} names no earlier HL", echo::quoted(parent)),
                i,
            );
        }
        match &mut seen {
            Some(set) => {
                set.insert(id);
            }
            None => ids.push(id),
        }
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
