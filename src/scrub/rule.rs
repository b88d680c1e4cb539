//! The rule trait, what a rule returns (hits with fixes), and the context it reads.

use crate::claim::{Claim, LineDate, ServiceLine};
use crate::grammar::Kind;
use crate::report::{FixClass, Severity};
use crate::tree::Tree;
use crate::x12::{Edit, OwnedSegment, Segment, Transaction};

use super::catalog::Catalog;
use super::config::Resolved;

/// A fix: edits to the transaction and what kind of change they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub class: FixClass,
    pub edits: Vec<Edit>,
}

/// One finding of a rule on one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Index in the transaction of the segment the finding is about.
    pub segment: usize,
    pub fix: Option<Fix>,
}

impl Hit {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        segment: usize,
        message: impl Into<String>,
    ) -> Self {
        Hit {
            rule,
            severity,
            message: message.into(),
            segment,
            fix: None,
        }
    }

    /// Attaches a fix.
    pub fn fix(mut self, class: FixClass, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix { class, edits });
        self
    }
}

/// What a rule may read.
pub struct Cx<'c, 'a> {
    pub tx: &'c Transaction<'a>,
    pub tree: &'c Tree,
    pub catalog: &'static Catalog,
    pub profile: &'c Resolved,
    pub kind: Kind,
}

impl<'a> Cx<'_, 'a> {
    /// Segment `i` of the transaction.
    pub fn seg(&self, i: usize) -> &Segment<'a> {
        &self.tx.segments[i]
    }

    /// An edit setting element `element` (component `component`, 0 for the whole element).
    pub fn set(
        &self,
        i: usize,
        element: usize,
        component: usize,
        value: impl Into<Vec<u8>>,
    ) -> Edit {
        Edit::Set {
            segment: self.tx.segments[i].index,
            element,
            component,
            value: value.into(),
        }
    }

    /// An edit inserting `segment` after segment `i`.
    pub fn insert_after(&self, i: usize, segment: OwnedSegment) -> Edit {
        Edit::Insert {
            after: self.tx.segments[i].index,
            segment,
        }
    }

    /// Edits removing segments `first..=last`.
    pub fn delete(&self, first: usize, last: usize) -> Vec<Edit> {
        (first..=last)
            .map(|i| Edit::Delete {
                segment: self.tx.segments[i].index,
            })
            .collect()
    }

    /// Whether the line is the catalog drug's (SV101-2 / SV202-2 is J2326).
    pub fn is_drug(&self, line: &ServiceLine<'_>) -> bool {
        self.catalog.drug.is(line.code)
    }

    /// Whether the line is an intrathecal administration (62320-62323, 96450).
    pub fn is_admin(&self, line: &ServiceLine<'_>) -> bool {
        super::catalog::listed(&self.catalog.admin.intrathecal, line.code)
    }

    /// The line's date: its DTP*472; on an 837I line without one, the claim's DTP*434
    /// when it is a single day; else unknown.
    pub fn line_date(&self, claim: &Claim<'_>, line: &ServiceLine<'_>) -> Option<LineDate> {
        match (line.date, self.kind) {
            (Some(d), _) => Some(d),
            (None, Kind::Institutional) => claim.statement.filter(|s| s.day().is_some()),
            (None, Kind::Professional) => None,
        }
    }
}

/// A scrub rule. Its documentation is the `//!` comment at the top of its file, in the
/// sections What it does / Why is this bad? / Example / Fix / References.
pub trait Rule: Sync {
    /// The stable id (`ndc-missing`).
    fn id(&self) -> &'static str;
    /// The severity of its findings, before the config changes it.
    fn severity(&self) -> Severity;
    /// The text of its source file, for the documentation.
    fn source(&self) -> &'static str;
    /// Checks one claim.
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>);

    /// The `//!` documentation of the rule's file.
    fn doc(&self) -> String {
        self.source()
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.strip_prefix("//! ")
                    .unwrap_or(l.trim_start_matches("//!"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
