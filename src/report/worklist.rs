//! The worklist of a report, gathered in one pass over each input's spooled claims and
//! findings: totals by rule, severity and payer, and of the claims that need a person
//! only those with the largest billed amounts (a bounded heap), so a page for any batch
//! is made in bounded memory.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use std::io;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::{ClaimFacts, Finding, FixClass, Report, RuleId, Severity};

/// Claims needing action kept for the page, the largest billed amounts first.
pub const MAX_CLAIMS: usize = 2000;
/// Claims fixed automatically listed (the largest billed amounts first).
pub const MAX_FIXED: usize = 500;
/// Findings kept per claim shown.
pub const MAX_CLAIM_FINDINGS: usize = 50;
/// Findings outside any claim listed.
pub const MAX_OUTSIDE: usize = 100;
/// Payers counted one by one; the rest are summed up together.
pub const MAX_PAYERS: usize = 200;

/// Findings counted three ways.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub findings: usize,
    /// Fixed (or, under `--check`, would be).
    pub fixed: usize,
    /// Neither: what remains.
    pub open: usize,
}

impl Counts {
    fn add(&mut self, f: &Finding) {
        self.findings += 1;
        if f.fixed || f.would_fix {
            self.fixed += 1;
        } else {
            self.open += 1;
        }
    }
}

/// Claims and what they billed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Money {
    pub claims: usize,
    pub billed: Decimal,
}

impl Money {
    fn add(&mut self, billed: Decimal) {
        self.claims += 1;
        // A sum past Decimal's range (never from real claims) stays where it was.
        self.billed = self.billed.checked_add(billed).unwrap_or(self.billed);
    }
}

/// One payer's claims.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Payer {
    pub all: Money,
    pub action: Money,
}

/// What became of a claim, as the worklist sorts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A person must act: an open error or warning, a recode to review, an error above
    /// the claim, or its part of the input was left out.
    Action,
    /// Every finding was fixed (repairs only, or under `--check`, would be).
    Fixed,
    /// No finding that needs anything.
    Clean,
}

/// A finding that remains (neither fixed nor fixable under `--check`), error or warning.
pub fn is_open(f: &Finding) -> bool {
    !f.fixed && !f.would_fix && f.severity >= Severity::Warning
}

/// A recode x837 wrote (or would write): it changes what was billed, so a person checks it.
pub fn is_review(f: &Finding) -> bool {
    (f.fixed || f.would_fix) && f.fix_class == Some(FixClass::Recode)
}

/// What became of claim `c` with `findings`.
pub fn status(c: &ClaimFacts, findings: &[Finding]) -> Status {
    if c.rejected || c.left_out || findings.iter().any(|f| is_open(f) || is_review(f)) {
        Status::Action
    } else if findings.iter().any(|f| f.fixed || f.would_fix) {
        Status::Fixed
    } else {
        Status::Clean
    }
}

/// A claim the page lists, with its findings.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index of its input in the report.
    pub input: usize,
    /// Its place in the run (claims counted over the inputs from 0).
    pub seq: usize,
    pub facts: ClaimFacts,
    pub billed: Decimal,
    /// Its findings, at most [`MAX_CLAIM_FINDINGS`].
    pub findings: Vec<Finding>,
    /// Its findings beyond those.
    pub more_findings: usize,
}

/// Orders entries by billed amount, the earlier claim first among equal amounts.
struct ByBilled(Entry);

impl ByBilled {
    fn key(&self) -> (Decimal, Reverse<usize>) {
        (self.0.billed, Reverse(self.0.seq))
    }
}

impl PartialEq for ByBilled {
    fn eq(&self, o: &Self) -> bool {
        self.key() == o.key()
    }
}
impl Eq for ByBilled {}
impl PartialOrd for ByBilled {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for ByBilled {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key().cmp(&o.key())
    }
}

/// The `cap` entries with the largest billed amounts.
struct Top {
    cap: usize,
    heap: BinaryHeap<Reverse<ByBilled>>,
    /// Entries pushed out, and what they billed.
    rest: Money,
}

impl Top {
    fn new(cap: usize) -> Self {
        Top {
            cap,
            heap: BinaryHeap::new(),
            rest: Money::default(),
        }
    }

    /// Whether an entry billing `billed` as claim `seq` would be kept.
    fn takes(&self, billed: Decimal, seq: usize) -> bool {
        self.heap.len() < self.cap
            || self
                .heap
                .peek()
                .is_some_and(|Reverse(min)| (billed, Reverse(seq)) > min.key())
    }

    fn push(&mut self, e: Entry) {
        self.heap.push(Reverse(ByBilled(e)));
        if self.heap.len() > self.cap
            && let Some(Reverse(out)) = self.heap.pop()
        {
            self.rest.add(out.0.billed);
        }
    }

    /// The entries, the largest billed amount first.
    fn into_sorted(self) -> Vec<Entry> {
        let mut v: Vec<Entry> = self.heap.into_iter().map(|Reverse(b)| b.0).collect();
        v.sort_by_key(|e| Reverse((e.billed, Reverse(e.seq))));
        v
    }
}

/// Everything the page shows, gathered from the report.
#[derive(Debug)]
pub struct Worklist {
    /// Claims the scrub saw (in 837 transactions it could scrub), and their billed total.
    pub all: Money,
    pub action: Money,
    pub fixed: Money,
    pub clean: Money,
    /// Of the claims needing action, those whose part of the input was left out.
    pub left_out: usize,
    pub rules: BTreeMap<RuleId, Counts>,
    /// By severity: info, warning, error.
    pub severities: [Counts; 3],
    pub payers: BTreeMap<String, Payer>,
    /// Claims of the payers past [`MAX_PAYERS`].
    pub other_payers: Payer,
    /// The claims needing action with the largest billed amounts, largest first.
    pub shown: Vec<Entry>,
    /// The claims needing action not in `shown`.
    pub not_shown: Money,
    /// Claims fixed automatically with the largest billed amounts, largest first.
    pub fixed_shown: Vec<Entry>,
    /// Findings outside any claim (envelopes, headers), the first [`MAX_OUTSIDE`], with
    /// their input's index.
    pub outside: Vec<(usize, Finding)>,
    pub outside_counts: Counts,
}

/// The claim's billed amount as a number (0 when CLM02 is not one).
fn billed(c: &ClaimFacts) -> Decimal {
    c.billed
        .as_deref()
        .and_then(|b| Decimal::from_str(b).ok())
        .unwrap_or_default()
}

struct Gather {
    w: Worklist,
    top: Top,
    fixed: Top,
    seq: usize,
}

impl Gather {
    fn finding(&mut self, f: &Finding) {
        self.w.rules.entry(f.rule).or_default().add(f);
        self.w.severities[f.severity as usize].add(f);
    }

    fn outside(&mut self, input: usize, f: Finding) {
        self.finding(&f);
        self.w.outside_counts.add(&f);
        if self.w.outside.len() < MAX_OUTSIDE {
            self.w.outside.push((input, f));
        }
    }

    fn payer(&mut self, payer: &str) -> &mut Payer {
        if self.w.payers.len() >= MAX_PAYERS && !self.w.payers.contains_key(payer) {
            return &mut self.w.other_payers;
        }
        self.w.payers.entry(payer.to_string()).or_default()
    }

    fn claim(&mut self, input: usize, facts: ClaimFacts, mut findings: Vec<Finding>) {
        findings.iter().for_each(|f| self.finding(f));
        let amount = billed(&facts);
        let seq = self.seq;
        self.seq += 1;
        self.w.all.add(amount);
        let status = status(&facts, &findings);
        let payer = self.payer(&facts.payer);
        payer.all.add(amount);
        if status == Status::Action {
            payer.action.add(amount);
        }
        let top = match status {
            Status::Action => {
                self.w.action.add(amount);
                self.w.left_out += usize::from(facts.left_out);
                &mut self.top
            }
            Status::Fixed => {
                self.w.fixed.add(amount);
                &mut self.fixed
            }
            Status::Clean => {
                self.w.clean.add(amount);
                return;
            }
        };
        if !top.takes(amount, seq) {
            top.rest.add(amount);
            return;
        }
        let more_findings = findings.len().saturating_sub(MAX_CLAIM_FINDINGS);
        findings.truncate(MAX_CLAIM_FINDINGS);
        top.push(Entry {
            input,
            seq,
            facts,
            billed: amount,
            findings,
            more_findings,
        });
    }

    /// One input: its claims in order, each with the findings of its range; the findings
    /// between them are outside any claim.
    fn input(&mut self, i: usize, spool: &super::FindingSpool) -> io::Result<()> {
        let mut findings = spool.iter();
        let mut at = 0;
        spool.for_each_claim(|c| {
            while at < c.findings.start {
                let Some(f) = findings.next() else { break };
                self.outside(i, f?);
                at += 1;
            }
            let mut mine = Vec::new();
            while at < c.findings.end {
                let Some(f) = findings.next() else { break };
                mine.push(f?);
                at += 1;
            }
            self.claim(i, c, mine);
            Ok(())
        })?;
        for f in findings {
            self.outside(i, f?);
        }
        Ok(())
    }
}

impl Worklist {
    /// Reads every input's claims and findings back from their spools.
    pub fn of(report: &Report) -> io::Result<Worklist> {
        let mut g = Gather {
            w: Worklist {
                all: Money::default(),
                action: Money::default(),
                fixed: Money::default(),
                clean: Money::default(),
                left_out: 0,
                rules: BTreeMap::new(),
                severities: [Counts::default(); 3],
                payers: BTreeMap::new(),
                other_payers: Payer::default(),
                shown: Vec::new(),
                not_shown: Money::default(),
                fixed_shown: Vec::new(),
                outside: Vec::new(),
                outside_counts: Counts::default(),
            },
            top: Top::new(MAX_CLAIMS),
            fixed: Top::new(MAX_FIXED),
            seq: 0,
        };
        for (i, input) in report.inputs.iter().enumerate() {
            g.input(i, &input.findings)?;
        }
        let mut w = g.w;
        w.not_shown = g.top.rest;
        w.shown = g.top.into_sorted();
        w.fixed_shown = g.fixed.into_sorted();
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(billed: i64, seq: usize) -> Entry {
        Entry {
            input: 0,
            seq,
            facts: ClaimFacts::default(),
            billed: Decimal::from(billed),
            findings: Vec::new(),
            more_findings: 0,
        }
    }

    #[test]
    fn top_keeps_the_largest_amounts_and_counts_the_rest() {
        let mut top = Top::new(3);
        for (seq, b) in [5, 1, 9, 5, 7, 2].into_iter().enumerate() {
            if top.takes(Decimal::from(b), seq) {
                top.push(entry(b, seq));
            } else {
                top.rest.add(Decimal::from(b));
            }
        }
        assert_eq!(top.rest.claims, 3);
        assert_eq!(top.rest.billed, Decimal::from(1 + 5 + 2));
        let kept: Vec<(Decimal, usize)> = top
            .into_sorted()
            .iter()
            .map(|e| (e.billed, e.seq))
            .collect();
        // Of the two 5s the earlier claim stays.
        let d = Decimal::from;
        assert_eq!(kept, [(d(9), 2), (d(7), 4), (d(5), 0)]);
    }
}
