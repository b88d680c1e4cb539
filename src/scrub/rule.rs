//! The rule trait, what a rule returns (hits with fixes), and the context it reads.

use crate::claim::{Claim, LineDate, ServiceLine};
use crate::grammar::Kind;
use crate::report::{FixClass, RuleId, Severity};
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

/// One finding of a rule on one claim. The engine stamps the rule's id and severity on
/// it (see [`Meta`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub message: String,
    /// Index in the transaction of the segment the finding is about.
    pub segment: usize,
    /// A severity other than the rule's own, for this finding.
    pub severity: Option<Severity>,
    pub fix: Option<Fix>,
    /// Why the fix is only shown (before and after), never written under any `--fixes`.
    pub held: Option<&'static str>,
}

impl Hit {
    pub fn new(segment: usize, message: impl Into<String>) -> Self {
        Hit {
            message: message.into(),
            segment,
            severity: None,
            fix: None,
            held: None,
        }
    }

    /// Gives this finding a severity other than the rule's.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// Shows the fix without ever writing it, saying why.
    pub fn held(mut self, why: &'static str) -> Self {
        self.held = Some(why);
        self
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
    /// The rules of the run: a rule defers to another only when that one is enabled.
    pub enabled: &'c Enabled,
    /// The claims of the transaction before this one, by CLM01.
    pub earlier: &'c super::index::Earlier<'a>,
}

/// The rules a run applies: a flag per rule id, by its place in [`RuleId::ALL`]. (A
/// `HashSet` was hashed with SipHash on every rule's question of whether another runs:
/// 38,000 times on a 5 MB batch at 30% errors.)
#[derive(Debug, Clone, Default)]
pub struct Enabled(Vec<bool>);

impl Enabled {
    pub fn new(ids: impl IntoIterator<Item = RuleId>) -> Self {
        let mut on = vec![false; RuleId::ALL.len()];
        for id in ids {
            on[id as usize] = true;
        }
        Enabled(on)
    }

    pub fn contains(&self, id: RuleId) -> bool {
        self.0.get(id as usize).copied().unwrap_or(false)
    }
}

impl<'a> Cx<'_, 'a> {
    /// Whether rule `id` runs: a rule that leaves a condition to another does so only then.
    pub fn enabled(&self, id: RuleId) -> bool {
        self.enabled.contains(id)
    }

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
    /// The drug's strengths under the claim's profile.
    pub fn strengths(&self) -> &super::strength::Strengths {
        &self.profile.policy.strengths
    }

    pub fn line_date(&self, claim: &Claim<'_>, line: &ServiceLine<'_>) -> Option<LineDate> {
        match (line.date, self.kind) {
            (Some(d), _) => Some(d),
            (None, Kind::Institutional) => claim.statement.filter(|s| s.day().is_some()),
            (None, _) => None,
        }
    }
}

/// Whether a rule fixes what it finds, and what kind of change its fix is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixes {
    /// Never: a person must decide.
    Never,
    /// When the claim holds what the fix needs (a number of units, one candidate code).
    Sometimes(FixClass),
}

/// What a rule states about itself, once: the engine stamps id and severity on its
/// hits, `x837 rules` prints its doc, the config checks its id.
#[derive(Debug)]
pub struct Meta {
    pub id: RuleId,
    /// The severity of its findings, before the config changes it.
    pub severity: Severity,
    pub fixes: Fixes,
    /// The text of its source file, whose `//!` comment is its documentation.
    pub source: &'static str,
}

impl Meta {
    /// The `//!` documentation of the rule's file, in the sections What it does / Why is
    /// this bad? / Example / Fix / References.
    pub fn doc(&self) -> String {
        self.source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.strip_prefix("//! ")
                    .unwrap_or(l.trim_start_matches("//!"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first line under "What it does".
    pub fn summary(&self) -> String {
        self.doc()
            .lines()
            .skip_while(|l| !l.starts_with("## What it does"))
            .nth(1)
            .unwrap_or_default()
            .to_string()
    }
}

/// A scrub rule, one per file under `rules/`.
pub trait Rule: Sync {
    /// What the rule states about itself.
    fn meta(&self) -> &'static Meta;
    /// Checks one claim.
    fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>);
    /// Checks the whole run's J2326 lines, after the last input (the rules that need more
    /// than one claim; the others check claims only).
    fn across(&self, _run: &super::index::Run<'_>, _out: &mut super::hits::Hits) {}
}
