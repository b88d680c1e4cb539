//! Claim-level checks: CLM02 against the line charges, LX numbering, HL numbering.

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::report::{Finding, Severity};
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

fn decimal(b: &[u8]) -> Option<Decimal> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
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
            if lx.value(1) != lines.to_string().as_bytes() {
                push(
                    rules::LINE_NUMBERING,
                    format!(
                        "LX01 is '{}', expected {lines}",
                        String::from_utf8_lossy(lx.value(1))
                    ),
                    line.first,
                );
            }
            let service = (line.first + 1..=line.last).find(|&i| {
                tree.placed[i].loop_index == l && line_charge(&tx.segments[i]).is_some()
            });
            if let Some(i) = service {
                total += line_charge(&tx.segments[i]).unwrap_or_default();
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
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut count = 0usize;
    for (i, seg) in tx.segments.iter().enumerate() {
        if !seg.is("HL") {
            continue;
        }
        count += 1;
        let expected = count.to_string();
        let id = seg.value(1);
        if id != expected.as_bytes() {
            push(
                rules::HL_STRUCTURE,
                format!(
                    "HL01 is '{}', expected {expected}",
                    String::from_utf8_lossy(id)
                ),
                i,
            );
        }
        let parent = seg.value(2);
        if !parent.is_empty() && !seen.contains(&parent) {
            push(
                rules::HL_STRUCTURE,
                format!(
                    "HL02 '{}' names no earlier HL",
                    String::from_utf8_lossy(parent)
                ),
                i,
            );
        }
        seen.insert(id);
    }
}
