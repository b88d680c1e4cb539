//! ## What it does
//! Across the run (every input of one `x837 scrub`), checks that two doses of one patient
//! are at least `[frequency] min_interval_days` (14) apart. A dose is one patient and one
//! line date with a J2326 line without JW, on a claim that is not a void (CLM05-3 8);
//! several lines or claims on one date are one dose. Reported on the later dose's first
//! J2326 line, naming the earlier claim.
//!
//! ## Why is this bad?
//! The label spaces every two doses at least 14 days apart, in every schedule (the
//! loading doses, the high-dose regimen, missed-dose catch-up). Two doses closer than that
//! are a billing error (a date, a resubmission billed as a new claim) or need records:
//! payers review them.
//!
//! ## Example
//! ```text
//! claim A: DTP*472*D8*20260105~   claim B, same patient: DTP*472*D8*20260112~
//! ```
//!
//! ## Fix
//! None: which date is wrong, or whether both doses were given, does not follow from the
//! claims.
//!
//! ## Decisions
//! - Patients are matched by a key made of the subscriber id, the patient's date of birth
//!   and first name (HMAC under a key drawn per run, never written); a claim missing any
//!   of them, or with a date of birth that is not a valid D8, is not keyed and takes no
//!   part (the report counts such claims). A spelling difference only loses a match.
//! - The gap between an RD8 range and another date is the later end minus the earlier
//!   start: only a gap short even at its widest is reported. A same-day pair is one dose.
//! - Within one claim too, and across payers (one person); lines with an unknown date are
//!   skipped.
//! - A warning: a finding of the run, not of one claim; it joins the report and the exit
//!   code after the last input, and the corrected EDI does not wait for it.
//!
//! ## References
//! FDA Spinraza label 2.1 (doses at least 14 days apart; missed-dose table).

use crate::report::{RuleId, Severity};
use crate::scrub::index::{Hit as Across, Hits, Run};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct DoseInterval;

static META: Meta = Meta {
    id: RuleId::DoseInterval,
    severity: Severity::Warning,
    fixes: Fixes::Never,
    source: include_str!("dose_interval.rs"),
};

/// For each dose (by patient, in date order) whether this rule reports it, and the gap.
pub fn short(run: &Run<'_>, doses: &[crate::scrub::index::Line]) -> Vec<Option<i64>> {
    let mut out = vec![None; doses.len()];
    for i in 1..doses.len() {
        let (a, b) = (&doses[i - 1], &doses[i]);
        let gap = (b.to() - a.from).num_days();
        if gap < run.frequency(b).min_interval_days {
            out[i] = Some(gap);
        }
    }
    out
}

impl Rule for DoseInterval {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, _: &Cx<'_, '_>, _: &crate::claim::Claim<'_>, _: &mut Vec<Hit>) {}
    fn across(&self, run: &Run<'_>, out: &mut Hits) {
        for patient in run.patients() {
            let doses = Run::doses(patient);
            for (i, gap) in short(run, &doses).into_iter().enumerate() {
                let Some(gap) = gap else { continue };
                let min = run.frequency(&doses[i]).min_interval_days;
                out.push(Across {
                    rule: META.id,
                    severity: META.severity,
                    line: doses[i],
                    other: Some(doses[i - 1]),
                    message: format!(
                        "a dose {gap} days after the same patient's dose on {{other}}; doses are at least {min} days apart"
                    ),
                });
            }
        }
    }
}
