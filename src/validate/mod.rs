//! Implementation-guide validation of 837 transactions: structure (from the loop tree),
//! elements, code formats and the claim-level balancing and numbering checks.

mod claims;
pub mod codes;
pub mod element;

use crate::grammar;
use crate::report::{Finding, Severity};
use crate::tree::{self, Tree};
use crate::x12::stream::{self, Event};
use crate::x12::{LexError, Transaction, Unit};

/// Rule ids of transaction-level checks.
pub mod rules {
    /// ST03 differs from GS08.
    pub const VERSION_MISMATCH: &str = "version-mismatch";
    /// An 837 whose guide x837 does not carry: not validated.
    pub const GUIDE_UNSUPPORTED: &str = "guide-unsupported";
    pub use super::claims::rules::*;
}

/// What validating one input found.
#[derive(Debug, Default)]
pub struct Validated {
    pub findings: Vec<Finding>,
    /// The error that stopped reading, if any; findings cover what was read before it.
    pub error: Option<LexError>,
    /// 837 transactions validated.
    pub transactions: usize,
    /// Transactions of other sets (835, 837D...) or unsupported guides, passed through.
    pub passed_through: usize,
}

impl Validated {
    /// The worst severity found, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Adds claim (CLM01), service line (LX01) and loop path to a finding at segment `i`.
pub fn locate(finding: &mut Finding, tree: &Tree, tx: &Transaction<'_>, i: usize) {
    let Some(placed) = tree.placed.get(i) else {
        return;
    };
    let l = placed.loop_index;
    if finding.loop_path.is_none() {
        finding.loop_path = Some(tree.segment_path(i, tx.segments[i].id()));
    }
    if let Some(c) = tree.ancestor(l, "2300") {
        let clm = &tx.segments[tree.loops[c].first];
        finding.claim = Some(String::from_utf8_lossy(clm.value(1)).into_owned());
    }
    if let Some(s) = tree.ancestor(l, "2400") {
        let lx = &tx.segments[tree.loops[s].first];
        finding.service_line = Some(String::from_utf8_lossy(lx.value(1)).into_owned());
    }
}

/// Validates one 837 transaction with `grammar`; returns its tree.
pub fn transaction(
    grammar: &'static grammar::Grammar,
    tx: &Transaction<'_>,
    file: &str,
    findings: &mut Vec<Finding>,
) -> Tree {
    let start = findings.len();
    let tree = tree::build(grammar, tx, file, findings);
    let mut problems = Vec::new();
    for (i, seg) in tx.segments.iter().enumerate() {
        problems.clear();
        if let Some(def) = tree.placed[i].def {
            element::check(seg, def, &mut problems);
        }
        codes::check(seg, &mut problems);
        for (rule, message) in problems.drain(..) {
            let rule = ndc_qualifier_rule(rule, &tree, i, seg);
            findings.push(Finding::new(
                rule,
                Severity::Error,
                message,
                tx.position(file, seg),
            ));
        }
    }
    claims::check(&tree, tx, file, findings);
    let st03 = tx.segments.first().map(|s| s.value(3)).unwrap_or_default();
    let st03_invalid = findings[start..].iter().any(|f| {
        f.position.segment == tx.segments[0].index && f.rule == element::rules::CODE_INVALID
    });
    if !st03.is_empty() && !st03_invalid && !tx.version().is_empty() && st03 != tx.version() {
        let m = format!(
            "ST03 {} differs from GS08 {}",
            String::from_utf8_lossy(st03),
            String::from_utf8_lossy(tx.version())
        );
        findings.push(Finding::new(
            rules::VERSION_MISMATCH,
            Severity::Error,
            m,
            tx.position(file, &tx.segments[0]),
        ));
    }
    let first = tx.segments.first().map_or(0, |s| s.index);
    for f in &mut findings[start..] {
        // A transaction's segments are consecutive in the input.
        let i = f.position.segment.wrapping_sub(first);
        if i < tx.segments.len() {
            locate(f, &tree, tx, i);
        }
    }
    tree
}

/// `domain/j2326.md` gives LIN02 that is not N4 its own id: one condition, one id.
fn ndc_qualifier_rule(
    rule: &'static str,
    tree: &Tree,
    i: usize,
    seg: &crate::x12::Segment<'_>,
) -> &'static str {
    if rule == element::rules::CODE_INVALID
        && seg.is("LIN")
        && tree.loop_id(i) == "2410"
        && seg.value(2) != b"N4"
    {
        "ndc-qualifier"
    } else {
        rule
    }
}

/// Validates every transaction of one input named `file`.
pub fn validate(input: &[u8], file: &str) -> Validated {
    // Reading from memory cannot fail.
    validate_read(input, file).unwrap_or_default()
}

/// Validates an input read as a stream, one transaction at a time.
pub fn validate_read(read: impl std::io::Read, file: &str) -> std::io::Result<Validated> {
    let mut out = Validated::default();
    let env = stream::for_each(read, file, |event| match event {
        Event::Unit(Unit::Transaction(tx)) => {
            if tx.set_id() != b"837" {
                out.passed_through += 1;
                return;
            }
            match grammar::for_version(&String::from_utf8_lossy(tx.guide())) {
                Some(g) => {
                    out.transactions += 1;
                    transaction(g, &tx, file, &mut out.findings);
                }
                None => {
                    out.passed_through += 1;
                    let m = format!(
                        "guide '{}' is not one x837 validates (005010X222A1, 005010X223A2)",
                        String::from_utf8_lossy(tx.guide())
                    );
                    out.findings.push(Finding::new(
                        rules::GUIDE_UNSUPPORTED,
                        Severity::Warning,
                        m,
                        tx.position(file, &tx.segments[0]),
                    ));
                }
            }
        }
        Event::Error(e, _) => out.error = Some(e),
        Event::Unit(Unit::Segment(_)) | Event::Prefix(_) => {}
    })?;
    let mut findings = env;
    findings.append(&mut out.findings);
    out.findings = findings;
    out.findings.sort_by_key(|f| f.position.segment);
    Ok(out)
}
