//! ## What it does
//! Checks an 837P J2326 line billed at a facility place of service (`[place_of_service]
//! facility_drug`: 19 and 22, outpatient hospital): the place is SV105, else CLM05-1
//! (then the finding is on the CLM, once per claim). Info; a warning when the run also
//! holds an 837I J2326 line for that patient on that day.
//!
//! ## Why is this bad?
//! When the provider and the facility bill separately, the facility bills the drug
//! (Noridian A58579): a professional claim for J2326 at an outpatient hospital is denied,
//! and with the hospital's 837I for the same dose in the batch the drug is billed twice.
//!
//! ## Example
//! ```text
//! CLM*A1*12500***22:B:1*Y*A*Y*Y~ ... SV1*HC:J2326:JZ*12500*UN*120***1~
//! ```
//!
//! ## Fix
//! None: the professional claim keeps the administration; whether the drug line should go
//! is the biller's decision.
//!
//! ## Decisions
//! - `place-of-service` owns 02, 10 and 12 (telehealth, home).
//! - The 837I line is matched as `dose-interval` matches patients (unkeyed claims: info
//!   only) and as the other date rules match days.
//! - A finding of the run: it joins the report after the last input.
//!
//! ## References
//! Noridian LCA A58579 (billing and coding: nusinersen); CMS place of service codes 19,
//! 22.

use crate::grammar::Kind;
use crate::report::{RuleId, Severity};
use crate::scrub::index::{Hit as Across, Hits, Line, Run};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

pub struct FacilityDrugProfessional;

static META: Meta = Meta {
    id: RuleId::FacilityDrugProfessional,
    severity: Severity::Info,
    fixes: Fixes::Never,
    source: include_str!("facility_drug_professional.rs"),
};

impl Rule for FacilityDrugProfessional {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, _: &Cx<'_, '_>, _: &crate::claim::Claim<'_>, _: &mut Vec<Hit>) {}
    fn across(&self, run: &Run<'_>, out: &mut Hits) {
        let hit = |l: &Line, other: Option<&Line>| {
            match other {
            Some(o) => Across {
                rule: META.id,
                severity: Severity::Warning,
                line: *l,
                other: Some(*o),
                message: "an 837P J2326 line at a facility place of service, and the facility's 837I bills J2326 for this patient that day: {other}".into(),
            },
            None => Across {
                rule: META.id,
                severity: META.severity,
                line: *l,
                other: None,
                message: "an 837P J2326 line at a facility place of service (19, 22): the facility bills the drug".into(),
            },
        }
        };
        for l in run.unkeyed().iter().filter(|l| l.facility().is_some()) {
            out.push(hit(l, None));
        }
        for patient in run.patients() {
            for l in patient.iter().filter(|l| l.facility().is_some()) {
                let other =
                    (patient.iter()).find(|o| o.kind() == Kind::Institutional && o.same_day(l));
                out.push(hit(l, other));
            }
        }
    }
}
