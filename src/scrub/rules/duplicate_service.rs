//! ## What it does
//! Across the run, checks that no J2326 service is billed twice: two original claims
//! (CLM05-3 neither 7 nor 8; 837I: nor Q) for the same patient, payer id (2010BB NM109),
//! billing provider (2010AA NM109 under XX) and line day. Reported on the later claim's
//! J2326 line, naming the first.
//!
//! ## Why is this bad?
//! The payer denies the second claim as a duplicate (CARC 18); a batch that bills one
//! dose twice is usually a claim sent again under a new CLM01, and the denial costs a
//! rework cycle or, when both are paid, a refund.
//!
//! ## Example
//! ```text
//! claim A1 and claim A2, same patient, payer and billing NPI: DTP*472*D8*20260110~ on both
//! ```
//!
//! ## Fix
//! None: a claim is never dropped, and which copy the payer holds is unknown.
//!
//! ## Decisions
//! - A replacement (7) replaces a claim outside the run and a void (8) bills nothing:
//!   neither takes part.
//! - Payer id and billing NPI are compared as written and must be present on both; lines
//!   share a day as in the other date rules (an RD8 range shares each of its days).
//! - Patients are matched as `dose-interval` matches them; unkeyed claims take no part.
//! - It owns the pair: `duplicate-claim-id` stays silent for two such claims of one
//!   transaction with one CLM01, and `dose-interval` sees distinct dates only.
//!
//! ## References
//! X12 CARC 18 (exact duplicate claim/service); ASC X12 005010X222A1 2300 CLM05-3.

use crate::report::{RuleId, Severity};
use crate::scrub::index::{Hit as Across, Hits, Line, Run};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct DuplicateService;

static META: Meta = Meta {
    id: RuleId::DuplicateService,
    severity: Severity::Error,
    fixes: Fixes::Never,
    source: include_str!("duplicate_service.rs"),
};

impl Rule for DuplicateService {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, _: &Cx<'_, '_>, _: &crate::claim::Claim<'_>, _: &mut Vec<Hit>) {}
    fn across(&self, run: &Run<'_>, out: &mut Hits) {
        let mut found: Vec<(Line, Line)> = Vec::new();
        let mut reported: Vec<(u32, u32)> = Vec::new();
        for patient in run.patients() {
            // One patient's original lines with a payer and billing NPI, in "later" order.
            let lines: Vec<&Line> = (patient.iter())
                .filter(|l| l.original() && l.billed().is_some())
                .collect();
            reported.clear();
            for (j, b) in lines.iter().enumerate() {
                if reported.contains(&b.claim()) {
                    continue;
                }
                let first = lines[..j]
                    .iter()
                    .find(|a| a.billed() == b.billed() && a.claim() != b.claim() && a.same_day(b));
                if let Some(a) = first {
                    reported.push(b.claim());
                    found.push((**b, **a));
                }
            }
        }
        out.extend(found.into_iter().map(|(b, a)| Across {
            rule: META.id,
            severity: META.severity,
            line: b,
            other: Some(a),
            message: "the J2326 service of {other} is billed again: same patient, payer, billing provider and day".into(),
        }));
    }
}
