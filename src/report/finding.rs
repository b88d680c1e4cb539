//! The one findings model shared by envelope checks, validation and scrub rules.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::RuleId;
use crate::echo::escape;

/// How bad a finding is: an error is denied or rejected by a payer, a warning is likely
/// reviewed, info is for the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// What a fix changes: how something is written (repair) or what was billed (recode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixClass {
    Repair,
    Recode,
}

/// Where a finding is. Byte offsets and segment indices count from 0, lines from 1;
/// `segment` is the index in the file (ISA is 0).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Position {
    pub file: String,
    /// ISA13 of the interchange, when inside one.
    pub interchange: Option<String>,
    /// ST02 of the transaction, when inside one.
    pub transaction: Option<String>,
    pub segment: usize,
    pub byte: usize,
    pub text_line: u32,
}

/// Where in its segment a finding is: the element's position (from 1), the component
/// and the repetition within it (from 1, when it has them), and the element's X12 data
/// element number when the guide gives it. What a 999 puts in IK4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ElementAt {
    pub position: u8,
    pub component: Option<u8>,
    pub repetition: Option<u8>,
    /// The data element number (`98` for NM101).
    pub number: Option<u16>,
}

impl ElementAt {
    /// Element `position` of its segment, nothing more known.
    pub fn element(position: usize) -> ElementAt {
        ElementAt {
            position: u8::try_from(position).unwrap_or(u8::MAX),
            ..ElementAt::default()
        }
    }
}

/// What a `segment-missing` or `loop-missing` finding says is missing: the segment (the
/// loop's first segment, for a loop) and the loop's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    pub segment: String,
    #[serde(rename = "loop")]
    pub loop_id: Option<String>,
}

/// One result of a check or a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    /// The fix was written into the corrected output.
    pub fixed: bool,
    /// Under `--check`: the scrub would write a fix (`fixed` is then false).
    pub would_fix: bool,
    pub fix_class: Option<FixClass>,
    /// CLM01 of the claim, when the finding is inside one.
    pub claim: Option<String>,
    /// Short, lower case; never quotes names, addresses, dates of birth or member ids.
    pub message: String,
    #[serde(flatten)]
    pub position: Position,
    /// Loop path such as `2000B/2300[1]/2400[2]/SV1`.
    #[serde(rename = "loop")]
    pub loop_path: Option<String>,
    /// LX01 of the service line, when inside one.
    pub service_line: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The element, component and repetition the finding is about, for element checks.
    pub element: Option<ElementAt>,
    /// What is missing, for `segment-missing` and `loop-missing`.
    pub missing: Option<Missing>,
}

impl Finding {
    pub fn new(
        rule: RuleId,
        severity: Severity,
        message: impl Into<String>,
        position: Position,
    ) -> Self {
        Finding {
            rule,
            severity,
            fixed: false,
            would_fix: false,
            fix_class: None,
            claim: None,
            message: message.into(),
            position,
            loop_path: None,
            service_line: None,
            before: None,
            after: None,
            element: None,
            missing: None,
        }
    }

    /// The finding, about `at` of its segment.
    pub fn at_element(mut self, at: Option<ElementAt>) -> Self {
        self.element = at;
        self
    }
}

/// One line of text, for a terminal: control characters are escaped.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.position;
        write!(
            f,
            "{}: segment {} (line {}, byte {}): {} [{}]: {}",
            escape(&p.file),
            p.segment,
            p.text_line,
            p.byte,
            self.severity,
            self.rule,
            escape(&self.message)
        )
    }
}

impl Finding {
    /// The finding an envelope problem of input `file` makes.
    pub fn from_problem(p: crate::x12::Problem, file: &str) -> Finding {
        let severity = if p.warning {
            Severity::Warning
        } else {
            Severity::Error
        };
        let position = Position {
            file: file.to_string(),
            interchange: p.interchange,
            transaction: p.transaction,
            segment: p.segment,
            byte: p.byte,
            text_line: p.line,
        };
        let element = p.element.map(|e| ElementAt::element(usize::from(e)));
        Finding::new(p.check.into(), severity, p.message, position).at_element(element)
    }
}

impl Position {
    /// Where `segment` of transaction `tx` stands in input `file`.
    pub fn at(
        file: &str,
        tx: &crate::x12::Transaction<'_>,
        segment: &crate::x12::Segment<'_>,
    ) -> Position {
        let interchange = tx.interchange();
        Position {
            file: file.to_string(),
            interchange: (!interchange.is_empty())
                .then(|| String::from_utf8_lossy(interchange).into_owned()),
            transaction: Some(String::from_utf8_lossy(tx.control()).into_owned()),
            segment: segment.index,
            byte: segment.byte,
            text_line: segment.line,
        }
    }
}
