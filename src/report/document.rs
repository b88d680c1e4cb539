//! The scrub report: one document for every input of a run, rendered as JSON, text or HTML.

use serde::Serialize;

use super::spool::FindingSpool;
use super::{Finding, Position, RuleId, Severity};

/// An interchange, group or transaction that did not close, left out of the corrected
/// output (never fixed, never written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// `interchange`, `group` or `transaction`.
    pub what: &'static str,
    /// Its control number (ISA13, GS06 or ST02).
    pub control: String,
    /// Where its header is.
    #[serde(flatten)]
    pub position: Position,
    /// CLM segments it held.
    pub claims: usize,
    pub reason: String,
}

/// One input's result, as the report takes it.
#[derive(Debug)]
pub struct Outcome {
    pub claims: usize,
    pub findings: FindingSpool,
    pub left_out: Vec<LeftOut>,
    /// Reading stopped before the end of the input.
    pub unread: bool,
    /// Claims that kept an error and went to the rejected output (`--split-rejected`).
    pub claims_split_off: usize,
    /// Where they went, when a file was written.
    pub rejected_output: Option<String>,
    /// The control numbers given to what was written, old to new.
    pub control_numbers: Vec<crate::x12::Renumbered>,
    /// Claims with J2326 whose patient could not be keyed for the cross-claim rules.
    pub claims_not_keyed: usize,
}

/// Report format version; bumped when a key changes meaning.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    /// Rule catalogue and product facts the run used.
    pub catalog: &'static str,
    pub profile: String,
    pub options: serde_json::Value,
    /// The drug's strengths under the run's profile: regimen, units, mL, NDCs, from when,
    /// enabled (scrub only).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub regimens: serde_json::Value,
    /// The settings in force for each profile the run may use (scrub only).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub profiles: serde_json::Value,
}

/// The counts of a list of findings. `errors` and `warnings` count the findings of that
/// severity that remain: neither fixed nor, under `--check`, fixable.
#[derive(Debug, Clone, Copy, Serialize, Default, PartialEq, Eq)]
pub struct Tally {
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub fixed: usize,
    pub would_fix: usize,
}

impl Tally {
    pub fn of(findings: &[Finding]) -> Tally {
        let mut t = Tally::default();
        findings.iter().for_each(|f| t.add_one(f));
        t
    }

    /// Counts one more finding.
    pub fn add_one(&mut self, f: &Finding) {
        self.findings += 1;
        self.fixed += usize::from(f.fixed);
        self.would_fix += usize::from(f.would_fix);
        if !f.fixed && !f.would_fix {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => {}
            }
        }
    }

    /// Counts `f`, already counted, as it is once [`unfix`](super::unfix)ed: no longer fixed
    /// (or fixable), so an error or warning that remains.
    pub fn unfix_one(&mut self, f: &Finding) {
        if !f.fixed && !f.would_fix {
            return;
        }
        self.fixed -= usize::from(f.fixed).min(self.fixed);
        self.would_fix -= usize::from(f.would_fix).min(self.would_fix);
        match f.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => {}
        }
    }

    fn add(&mut self, o: &Tally) {
        self.findings += o.findings;
        self.errors += o.errors;
        self.warnings += o.warnings;
        self.fixed += o.fixed;
        self.would_fix += o.would_fix;
    }
}

/// One input of a run.
#[derive(Debug, Serialize)]
pub struct Input {
    pub file: String,
    pub sha256: String,
    pub claims: usize,
    /// Claims of interchanges, groups or transactions that did not close.
    pub claims_left_out: usize,
    #[serde(flatten)]
    pub tally: Tally,
    /// Claims that kept an error and went to the rejected output (`--split-rejected`).
    pub claims_split_off: usize,
    /// Claims with J2326 whose patient could not be keyed (a subscriber id, a valid D8
    /// date of birth or a first name missing): they take no part in the cross-claim rules.
    pub claims_not_keyed: usize,
    /// The file they went to (`--split-rejected`; none when no claim was split off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_output: Option<String>,
    /// The control numbers given to the corrected output (`--new-control-numbers`) and
    /// to the rejected one (`--split-rejected`), old to new.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub control_numbers: Vec<crate::x12::Renumbered>,
    /// What was left out of the corrected output, and why.
    pub left_out: Vec<LeftOut>,
    /// The input could not be read to its end, or parts were left out.
    pub incomplete: bool,
    /// Its findings, in input order (under the report's `findings`).
    #[serde(skip)]
    pub findings: FindingSpool,
}

/// The whole run.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    pub claims: usize,
    pub claims_left_out: usize,
    pub claims_split_off: usize,
    pub claims_not_keyed: usize,
    #[serde(flatten)]
    pub tally: Tally,
}

/// The report of a run: its findings stay in their inputs' spools until it is written.
#[derive(Debug)]
pub struct Report {
    pub version: u32,
    pub tool: Tool,
    pub inputs: Vec<Input>,
    pub summary: Summary,
    /// Each rule's documentation (What it does / Why is this bad? / Example / Fix /
    /// References), for the HTML worklist's plain words and advice; the scrub rules
    /// keep it (`x837 rules ID`), the report only shows it.
    pub rule_docs: Option<fn(RuleId) -> Option<String>>,
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut r = s.serialize_struct("Report", 5)?;
        r.serialize_field("version", &self.version)?;
        r.serialize_field("tool", &self.tool)?;
        r.serialize_field("inputs", &self.inputs)?;
        r.serialize_field("summary", &self.summary)?;
        r.serialize_field("findings", &AllFindings(&self.inputs))?;
        r.end()
    }
}

/// Every input's findings, read back from the spools as they are serialised.
struct AllFindings<'r>(&'r [Input]);

impl Serialize for AllFindings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(None)?;
        let mut failed: Option<S::Error> = None;
        for input in self.0 {
            let read = input.findings.for_each(|f| {
                seq.serialize_element(&f).map_err(|e| {
                    failed = Some(e);
                    std::io::Error::other("serialising a finding failed")
                })
            });
            if let Some(e) = failed {
                return Err(e);
            }
            read.map_err(S::Error::custom)?;
        }
        seq.end()
    }
}

impl Report {
    /// Whether the run was a dry run (`--check`), from its options.
    pub fn check(&self) -> bool {
        self.tool
            .options
            .get("check")
            .and_then(serde_json::Value::as_bool)
            == Some(true)
    }

    pub fn new(tool: Tool) -> Self {
        Report {
            version: REPORT_VERSION,
            tool,
            inputs: Vec::new(),
            summary: Summary::default(),
            rule_docs: None,
        }
    }

    /// Adds one input's result; returns its entry (what its summary line says).
    pub fn add(&mut self, file: &str, sha256: String, outcome: Outcome) -> std::io::Result<&Input> {
        let mut findings = outcome.findings;
        let tally = findings.finish()?;
        let input = Input {
            file: file.to_string(),
            sha256,
            claims: outcome.claims,
            claims_left_out: outcome.left_out.iter().map(|l| l.claims).sum(),
            tally,
            claims_split_off: outcome.claims_split_off,
            claims_not_keyed: outcome.claims_not_keyed,
            rejected_output: outcome.rejected_output,
            control_numbers: outcome.control_numbers,
            incomplete: outcome.unread || !outcome.left_out.is_empty(),
            left_out: outcome.left_out,
            findings,
        };
        self.summary.claims += input.claims;
        self.summary.claims_left_out += input.claims_left_out;
        self.summary.claims_split_off += input.claims_split_off;
        self.summary.claims_not_keyed += input.claims_not_keyed;
        self.summary.tally.add(&tally);
        self.inputs.push(input);
        Ok(&self.inputs[self.inputs.len() - 1])
    }

    /// Adds findings made after the run (the cross-claim rules) to input `i`; its entry.
    pub fn add_late(&mut self, i: usize, findings: Vec<Finding>) -> std::io::Result<&Input> {
        for f in findings {
            self.push_late(i, f)?;
        }
        self.finish_late(i)
    }

    /// Adds one finding made after the run to input `i` (its spool keeps it: see
    /// [`FindingSpool`](super::FindingSpool)); [`Report::finish_late`] then recounts the
    /// input.
    pub fn push_late(&mut self, i: usize, f: Finding) -> std::io::Result<()> {
        use super::FindingSink;
        self.summary.tally.add_one(&f);
        self.inputs[i].findings.push(f)
    }

    /// Recounts input `i` after its late findings; its entry.
    pub fn finish_late(&mut self, i: usize) -> std::io::Result<&Input> {
        let input = &mut self.inputs[i];
        input.tally = input.findings.finish()?;
        Ok(&self.inputs[i])
    }
}
