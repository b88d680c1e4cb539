//! The scrub report: one document for every input of a run, rendered as JSON, text or HTML.

use serde::Serialize;

use super::{Finding, Severity};

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
}

#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub file: String,
    pub sha256: String,
    pub claims: usize,
    pub findings: usize,
    pub fixed: usize,
}

/// `errors` and `warnings` count the findings of that severity that remain unfixed.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    pub claims: usize,
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub fixed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub tool: Tool,
    pub inputs: Vec<Input>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(tool: Tool) -> Self {
        Report {
            version: REPORT_VERSION,
            tool,
            inputs: Vec::new(),
            summary: Summary::default(),
            findings: Vec::new(),
        }
    }

    /// Adds one input's findings.
    pub fn add(&mut self, file: &str, sha256: String, claims: usize, findings: Vec<Finding>) {
        let fixed = findings.iter().filter(|f| f.fixed).count();
        self.inputs.push(Input {
            file: file.to_string(),
            sha256,
            claims,
            findings: findings.len(),
            fixed,
        });
        self.summary.claims += claims;
        self.summary.findings += findings.len();
        self.summary.fixed += fixed;
        for f in findings.iter().filter(|f| !f.fixed) {
            match f.severity {
                Severity::Error => self.summary.errors += 1,
                Severity::Warning => self.summary.warnings += 1,
                Severity::Info => {}
            }
        }
        self.findings.extend(findings);
    }
}
