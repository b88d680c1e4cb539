//! ## What it does
//! Checks that each J2326 line has an intrathecal administration line (62320-62323,
//! 96450) on its date of service, when the claim has administration lines at all. A
//! J2326 line billed over an RD8 range pairs with an administration line inside the range;
//! an administration line billed over a range pairs with a drug date inside it.
//!
//! ## Why is this bad?
//! The drug and its intrathecal injection happen in one encounter. Payers match them by
//! date of service; a drug line whose administration is on another date is denied as
//! unsupported, and date typos between the two lines are a common cause.
//!
//! ## Example
//! ```text
//! LX*1~SV1*HC:J2326:JZ*12500*UN*120***1~DTP*472*D8*20260111~...
//! LX*2~SV1*HC:62321*150*UN*1***1~DTP*472*D8*20260110~
//! ```
//!
//! ## Fix
//! Only with exactly one J2326 line and one administration line on the claim, both dated
//! by a single-day D8 DTP*472 on the line: sets the J2326 line's DTP*472 date to the
//! administration line's (recode). Otherwise (several lines, RD8 ranges, a date taken from
//! the 837I DTP*434) the finding stays unfixed. A JW (discarded amount) line is a J2326
//! line: with a dose line and its JW line there are two, and neither date is moved, since
//! which of the two dates is wrong does not follow from the claim.
//!
//! A J2326 line whose date is unknown (no DTP*472, and on 837I no single-day DTP*434)
//! cannot be matched: it is reported, never fixed. A claim with no administration line
//! at all is `admin-missing`'s (or `admin-code`'s) finding, and a J2326 date that has a
//! line `admin-code` reports is left to that rule (its fix supplies the administration
//! on the drug's date); this rule is silent then.
//!
//! ## References
//! Noridian JE/JF Part B articles A58578/A58579 (drug and administration on the same date
//! of service); ASC X12 005010X222A1 2400 DTP*472.

use crate::claim::Claim;
use crate::report::{FixClass, RuleId, Severity};
use crate::scrub::pairing::{Pairing, admin_for, lines_on};
use crate::scrub::rule::{Cx, Fixes, Hit, Meta, Rule};

use super::admin_code;

pub struct AdminDosMatch;

static META: Meta = Meta {
    id: RuleId::AdminDosMatch,
    severity: Severity::Error,
    fixes: Fixes::Sometimes(FixClass::Recode),
    source: include_str!("admin_dos_match.rs"),
};

impl Rule for AdminDosMatch {
    fn meta(&self) -> &'static Meta {
        &META
    }
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
        let admins: Vec<_> = claim.lines.iter().filter(|l| cx.is_admin(l)).collect();
        if admins.is_empty() {
            return;
        }
        let drugs: Vec<_> = claim.lines.iter().filter(|l| cx.is_drug(l)).collect();
        let hcpcs = &cx.catalog.drug.hcpcs;
        for drug in &drugs {
            let at = drug.dtp.or(drug.service).unwrap_or(drug.lx);
            let date = match admin_for(cx, claim, drug) {
                Pairing::Paired(_) => continue,
                Pairing::UnknownDate => {
                    out.push(Hit::new(at,
                        format!(
                            "the {hcpcs} line has no date of service to match with its administration line"
                        ),
                    ));
                    continue;
                }
                Pairing::Unpaired(date) => date,
            };
            if lines_on(cx, claim, &date).any(|l| admin_code::reported(cx, l)) {
                continue;
            }
            let hit = Hit::new(
                at,
                format!(
                    "no administration line on the {hcpcs} date of service {}",
                    date_text(&date)
                ),
            );
            let admin_day = match admins.as_slice() {
                [a] => a.date.filter(|d| !d.range).map(|d| d.from),
                _ => None,
            };
            match (drugs.len(), drug.dtp, drug.date, admin_day) {
                (1, Some(dtp), Some(d), Some(day)) if !d.range => out.push(hit.fix(
                    FixClass::Recode,
                    vec![cx.set(dtp, 3, 0, day.format("%Y%m%d").to_string())],
                )),
                _ => out.push(hit),
            }
        }
    }
}

fn date_text(d: &crate::claim::LineDate) -> String {
    if d.range {
        format!("{}-{}", d.from.format("%Y%m%d"), d.to.format("%Y%m%d"))
    } else {
        d.from.format("%Y%m%d").to_string()
    }
}
