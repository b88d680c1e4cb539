//! A scrub of one input held in memory, for callers that are not a command line (the
//! Python package): the corrected bytes, the report the CLI would write, its exit status.

use std::collections::HashMap;

use crate::info::ClaimInfo;
use crate::input;
use crate::report::{FindingSpool, Report, Severity};
use crate::scrub::{Extras, scrub_with};
use crate::x12::LexError;

use super::scrub::{Options, settings, tool};
use super::{Status, Usage};

/// What scrubbing one input in memory gave.
#[derive(Debug)]
pub struct Scrubbed {
    /// The corrected EDI: the complete parts of the input (empty when none was read).
    pub output: Vec<u8>,
    /// The report `x837 scrub --report` writes for this one input under its name.
    pub report: Report,
    /// The exit status the CLI gives for it.
    pub status: Status,
    /// What stopped the reading, if anything did.
    pub error: Option<LexError>,
    /// Whether a complete part was read and written (the CLI writes no file when not).
    pub wrote: bool,
}

impl Scrubbed {
    /// Whether not one segment of the input could be read (the CLI's "not X12").
    pub fn unreadable(&self) -> bool {
        self.error
            .as_ref()
            .is_some_and(|e| e.location().segment == 0)
    }

    /// The claims of the corrected output, each with the error- and warning-level
    /// findings that remain on it: those whose `claim` is its CLM01 in its interchange and
    /// transaction. `input` is the input scrubbed: where claims share a CLM01 in one
    /// transaction, a finding goes to the one whose CLM it follows in the input.
    pub fn claims(&self, input: &[u8]) -> std::io::Result<Vec<ClaimInfo>> {
        let drug = crate::scrub::catalog::catalog().drug.hcpcs.as_bytes();
        let mut claims = crate::info::claims_read(self.output.as_slice(), drug)?;
        let at = by_key(&claims);
        let starts: HashMap<Key, Vec<usize>> = by_key(&crate::info::claims_read(input, drug)?)
            .into_iter()
            .map(|(key, (_, segments))| (key, segments))
            .collect();
        for entry in &self.report.inputs {
            entry.findings.for_each(|f| {
                let remains = !f.fixed && !f.would_fix;
                let (Some(claim), Some(isa), Some(st), true) = (
                    f.claim,
                    f.position.interchange,
                    f.position.transaction,
                    remains,
                ) else {
                    return Ok(());
                };
                let key = (isa, st, claim);
                let Some((indices, _)) = at.get(&key) else {
                    return Ok(());
                };
                // The claim of that CLM01 whose CLM is the last before the finding.
                let nth = starts.get(&key).map_or(0, |s| {
                    s.partition_point(|&seg| seg <= f.position.segment)
                        .saturating_sub(1)
                });
                let Some(&i) = indices.get(nth).or(indices.last()) else {
                    return Ok(());
                };
                match f.severity {
                    Severity::Error => claims[i].errors += 1,
                    Severity::Warning => claims[i].warnings += 1,
                    Severity::Info => {}
                }
                Ok(())
            })?;
        }
        Ok(claims)
    }
}

/// A claim's (ISA13, ST02, CLM01).
type Key = (String, String, String);

/// Per key, the indices of its claims in `claims` and their CLM segments, in order.
fn by_key(claims: &[ClaimInfo]) -> HashMap<Key, (Vec<usize>, Vec<usize>)> {
    let mut at: HashMap<Key, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (i, c) in claims.iter().enumerate() {
        let key = (
            c.interchange.clone(),
            c.transaction.clone(),
            c.clm01.clone(),
        );
        let entry = at.entry(key).or_default();
        entry.0.push(i);
        entry.1.push(c.segment);
    }
    at
}

/// Scrubs `data`, named `name` in the report, as `x837 scrub` scrubs one file with
/// `options`: its profile, config, fixes, fail-on, check and new control numbers (the
/// options that name files or directories are refused). One call is one run.
pub fn scrub_bytes(data: &[u8], name: &str, options: &Options) -> Result<Scrubbed, Usage> {
    let files = !options.files.is_empty() || options.glob.is_some();
    let outputs = options.output.is_some() || options.out_dir.is_some() || options.in_place;
    let others = options.report.is_some() || options.format.is_some();
    let dirs = options.quarantine.is_some()
        || options.split_rejected.is_some()
        || options.ack_dir.is_some();
    if files || outputs || others || dirs {
        return Err(Usage(
            "a scrub in memory takes no files, outputs, report path, quarantine, split or acks"
                .into(),
        ));
    }
    let settings = settings(options)?;
    let mut hashing = input::Hashing::new(data);
    let mut output = Vec::with_capacity(data.len() + data.len() / 64);
    let mut findings = FindingSpool::new();
    let extras = Extras {
        rejected: None,
        renumber: options.new_control_numbers,
    };
    let s = scrub_with(
        &mut hashing,
        name,
        &settings,
        &mut output,
        &mut findings,
        extras,
    );
    // Reading from and writing to memory fails only when the findings spool cannot.
    let keep = |e: std::io::Error| Usage(format!("{name}: cannot keep the findings: {e}"));
    let mut s = s.map_err(keep)?;
    let wrote = s.wrote;
    if !wrote {
        output.clear();
    }
    let error = s.error.clone();
    let incomplete = s.incomplete();
    let mut part = std::mem::take(&mut s.index);
    let mut report = Report::new(tool(&settings, options));
    let entry = report.add(name, hashing.hex(), s.outcome(findings));
    let mut tally = entry.map_err(keep)?.tally;
    // One call is one run: the cross-claim rules see this input's claims, after it.
    let late = crate::scrub::index::across(std::slice::from_mut(&mut part), &settings);
    let late: Vec<_> = match late {
        Ok(found) => found.into_iter().map(|(_, f)| f).collect(),
        Err(e) => vec![crate::scrub::index::failed(name, &e)],
    };
    if !late.is_empty() {
        tally = report.add_late(0, late).map_err(keep)?.tally;
    }
    let status = if incomplete {
        Status::Failed
    } else {
        options.fail_on.status(tally.errors, tally.warnings)
    };
    Ok(Scrubbed {
        output,
        report,
        status,
        error,
        wrote,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn sample() -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/scrub/ndc-missing.x12");
        std::fs::read(path).unwrap()
    }

    #[test]
    fn fixes_and_reports_one_input_under_its_name() {
        let s = scrub_bytes(&sample(), "in.x12", &Options::default()).unwrap();
        assert_eq!(s.status, Status::Clean);
        assert!(String::from_utf8_lossy(&s.output).contains("LIN**N4*64406005801~"));
        let json = serde_json::to_value(&s.report).unwrap();
        assert_eq!(json["inputs"][0]["file"], "in.x12");
        assert_eq!(json["findings"][0]["rule"], "ndc-missing");
        assert_eq!(json["findings"][0]["fixed"], true);
        let claims = s.claims(&sample()).unwrap();
        assert_eq!(claims.len(), 1);
        assert!(claims[0].drug);
        assert_eq!((claims[0].errors, claims[0].warnings), (0, 0));
    }

    #[test]
    fn remaining_findings_count_on_their_claim() {
        let options = Options {
            fixes: crate::scrub::Fixes::None,
            ..Options::default()
        };
        let s = scrub_bytes(&sample(), "in.x12", &options).unwrap();
        assert_eq!(s.status, Status::Findings);
        assert_eq!(s.claims(&sample()).unwrap()[0].errors, 1);
    }

    #[test]
    fn not_x12_is_unreadable_and_cut_input_is_not() {
        let s = scrub_bytes(b"hello", "h.txt", &Options::default()).unwrap();
        assert!(s.unreadable());
        assert_eq!(s.status, Status::Failed);
        assert!(s.output.is_empty() && !s.wrote);
        let data = sample();
        let cut = &data[..data.len() / 2];
        let s = scrub_bytes(cut, "cut.x12", &Options::default()).unwrap();
        assert!(!s.unreadable());
        assert_eq!(s.status, Status::Failed);
        assert_eq!(s.report.inputs[0].left_out.len(), 1);
    }

    #[test]
    fn options_naming_files_are_refused() {
        let options = Options {
            out_dir: Some("o".into()),
            ..Options::default()
        };
        assert!(scrub_bytes(b"", "x", &options).is_err());
    }
}
