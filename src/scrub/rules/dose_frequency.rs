//! ## What it does
//! Across the run, counts the doses of each patient in a window of `[frequency]
//! window_days` (365) ending on each dose: over `max_first_year` (6) is reported always;
//! over `max_rolling` (3) when the run also holds a dose of that patient at least two years
//! (729 days) before, so the window lies after the first 12 months of treatment.
//! Reported once per patient and limit, on the first dose over it. Doses `dose-interval`
//! reports are not counted.
//!
//! ## Why is this bad?
//! The 12 mg schedule gives 6 doses in the first year (4 loading, 2 maintenance) and 3
//! in any later year; the high-dose schedule at most 5 and 3. Noridian's A58578 reviews
//! claims beyond those counts: more doses than the schedule are reviewed claim by claim.
//!
//! ## Example
//! ```text
//! seven claims of one patient within 365 days, each 14 or more days apart
//! ```
//!
//! ## Fix
//! None.
//!
//! ## Decisions
//! - A warning: the label's missed-dose catch-up (up to 3 doses 14 days apart) can exceed
//!   the counts legitimately.
//! - The limits are profile data, the same in every profile shipped (14 days from the
//!   label, 6 and 3 from A58578); a config may change them per profile.
//! - Patients and doses as `dose-interval` defines them.
//! - A dose over both limits is reported once, as over `max_first_year`.
//!
//! ## References
//! Noridian LCA A58578 (frequency); FDA Spinraza label 2.1 and 2.2 (schedules).

use chrono::Days;

use crate::report::{RuleId, Severity};
use crate::scrub::index::{Hit as Across, Hits, Line, Run};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

use super::dose_interval::short;

pub struct DoseFrequency;

static META: Meta = Meta {
    id: RuleId::DoseFrequency,
    severity: Severity::Warning,
    fixes: Fixes::Never,
    source: include_str!("dose_frequency.rs"),
};

/// Days before a dose the run must hold another for the window to lie after the first
/// 12 months.
const AFTER_FIRST_YEAR: u64 = 729;

fn hit(line: Line, message: String) -> Across {
    Across {
        rule: META.id,
        severity: META.severity,
        line,
        other: None,
        message,
    }
}

/// The findings for one patient's doses, in date order.
fn patient(run: &Run<'_>, doses: &[Line], out: &mut Hits) {
    let first = doses[0].from;
    let counted: Vec<Line> = (doses.iter().zip(short(run, doses)))
        .filter(|(_, s)| s.is_none())
        .map(|(d, _)| *d)
        .collect();
    let (mut first_year, mut rolling) = (false, false);
    for (i, d) in counted.iter().enumerate() {
        let f = run.frequency(d);
        let start = d
            .from
            .checked_sub_days(Days::new(f.window_days.max(1) as u64 - 1))
            .unwrap_or(d.from);
        let n = counted[..=i].iter().filter(|o| o.from >= start).count();
        if !first_year && n > f.max_first_year {
            first_year = true;
            out.push(hit(
                *d,
                format!(
                    "{n} doses of one patient in {} days, over {}",
                    f.window_days, f.max_first_year
                ),
            ));
        }
        let later = d
            .from
            .checked_sub_days(Days::new(AFTER_FIRST_YEAR))
            .is_some_and(|t| first <= t);
        if !rolling && later && n > f.max_rolling && n <= f.max_first_year {
            rolling = true;
            out.push(hit(
                *d,
                format!("{n} doses of one patient in {} days after the first year of treatment, over {}", f.window_days, f.max_rolling),
            ));
        }
    }
}

impl Rule for DoseFrequency {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, _: &Cx<'_, '_>, _: &crate::claim::Claim<'_>, _: &mut Vec<Hit>) {}
    fn across(&self, run: &Run<'_>, out: &mut Hits) {
        for lines in run.patients() {
            let doses = Run::doses(lines);
            if !doses.is_empty() {
                patient(run, &doses, out);
            }
        }
    }
}
