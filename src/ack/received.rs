//! Reads what was received the way the acknowledgments answer it: interchange by
//! interchange (a TA1 each when needed), group by group (a 999 each), transaction by
//! transaction (its 999 loop and, for an 837 the 999 accepts, its 277CA), validating each
//! transaction as it streams by. An interchange's acknowledgments are written once its
//! IEA (or the end of the input) is read.

use std::ops::ControlFlow;

use super::ca277::{self, Remaining, TxBody};
use super::envelope::{Parties, Writer, fit, segment, simple};
use super::k999::{self, GroupEnd, Read, TxAck};
use super::ta1::{self, Problems};
use super::{Acks, NotAcknowledged, Options};
use crate::report::{Finding, RuleId};
use crate::validate::{self, CleanSegments};
use crate::x12::Control;
use crate::x12::stream::{self, Event};
use crate::x12::{Problem, Segment, Transaction, Unit};

/// Why a claim gets no 277CA entry.
const OUTSIDE: &str = "its transaction set is outside an interchange or functional group";
const TX_REJECTED: &str = "the 999 rejects its transaction set";
const TX_UNANSWERABLE: &str = "its transaction set cannot be named in a 999 (ST01 or ST02)";
const GROUP_REJECTED: &str = "the 999 rejects its functional group";
const GROUP_UNANSWERABLE: &str =
    "its functional group cannot be named in a 999 (GS01, GS06 or GS08)";
const INTERCHANGE_REJECTED: &str = "a TA1 rejects its interchange";

/// One functional group as read so far.
struct Group {
    /// GS01..GS08.
    gs: Vec<Vec<u8>>,
    end: GroupEnd,
    received: usize,
    acks: Vec<TxAck>,
    bodies: Vec<TxBody>,
    /// Claims of transaction sets the 999 rejects or cannot name.
    unanswered: Vec<NotAcknowledged>,
}

/// One interchange as read so far.
struct Interchange {
    /// ISA01..ISA16.
    isa: Vec<Vec<u8>>,
    parties: Parties,
    problems: Problems,
    groups: Vec<Group>,
    group_open: bool,
    /// Claims of transaction sets outside any group.
    loose: Vec<NotAcknowledged>,
}

impl Interchange {
    fn control(&self) -> String {
        self.isa
            .get(12)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    }
}

struct Driver<'d> {
    file: &'d str,
    remaining: Remaining<'d>,
    options: &'d Options,
    numbers: &'d mut Control,
    /// Which bytes occur in the input.
    used: [bool; 256],
    clean: CleanSegments,
    /// Envelope problems not yet matched with their segment.
    pending: Vec<Problem>,
    open: Option<Interchange>,
    /// Index of the last segment read.
    last: usize,
    acks: Acks,
}

fn values(seg: &Segment<'_>, n: usize) -> Vec<Vec<u8>> {
    (1..=n).map(|i| seg.value(i).to_vec()).collect()
}

/// CLM01 of every claim of an 837 transaction, with the reason none is acknowledged.
fn claims_of(
    tx: &Transaction<'_>,
    interchange: Option<String>,
    reason: &'static str,
) -> Vec<NotAcknowledged> {
    if tx.set_id() != b"837" {
        return Vec::new();
    }
    let transaction = String::from_utf8_lossy(tx.control()).into_owned();
    tx.segments
        .iter()
        .filter(|s| s.is("CLM"))
        .map(|s| NotAcknowledged {
            claim: String::from_utf8_lossy(s.value(1)).into_owned(),
            interchange: interchange.clone(),
            transaction: transaction.clone(),
            reason,
        })
        .collect()
}

impl Driver<'_> {
    /// The pending problems of segments `from..=to`, as findings.
    fn take_problems(&mut self, from: usize, to: usize) -> Vec<Finding> {
        let (mine, rest): (Vec<Problem>, Vec<Problem>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| (from..=to).contains(&p.segment));
        self.pending = rest;
        mine.into_iter()
            .map(|p| Finding::from_problem(p, self.file))
            .collect()
    }

    fn segment(&mut self, seg: &Segment<'_>) {
        let found = self.take_problems(seg.index, seg.index);
        match seg.id() {
            b"ISA" => {
                if let Some(open) = self.open.take() {
                    self.finish(open, false, seg.index);
                }
                let mut problems = Problems::default();
                found.iter().for_each(|f| problems.finding(f));
                let isa = values(seg, 16);
                self.open = Some(Interchange {
                    parties: Parties::of(&isa, seg.delimiters, seg.trivia(), &self.used),
                    isa,
                    problems,
                    groups: Vec::new(),
                    group_open: false,
                    loose: Vec::new(),
                });
            }
            b"GS" => {
                if let Some(open) = self.open.as_mut() {
                    open.groups.push(Group {
                        gs: values(seg, 8),
                        end: GroupEnd::default(),
                        received: 0,
                        acks: Vec::new(),
                        bodies: Vec::new(),
                        unanswered: Vec::new(),
                    });
                    open.group_open = true;
                }
            }
            b"GE" => {
                if let Some(open) = self.open.as_mut() {
                    match open.groups.last_mut().filter(|_| open.group_open) {
                        Some(g) => {
                            g.end = GroupEnd {
                                ge01: Some(seg.value(1).to_vec()),
                                closed: true,
                                findings: found,
                            };
                            open.group_open = false;
                        }
                        None => open.problems.add("content", seg.index),
                    }
                }
            }
            b"IEA" => {
                if let Some(mut open) = self.open.take() {
                    found.iter().for_each(|f| open.problems.finding(f));
                    self.finish(open, true, seg.index);
                }
            }
            b"TA1" => {}
            _ => {
                if let Some(open) = self.open.as_mut() {
                    open.problems.add("content", seg.index);
                }
            }
        }
    }

    fn transaction(&mut self, tx: &Transaction<'_>) {
        let (Some(first), Some(last)) = (tx.segments.first(), tx.segments.last()) else {
            return;
        };
        let mut findings = self.take_problems(first.index, last.index);
        let tree = validate::any_transaction(tx, self.file, &mut findings, &mut self.clean);
        let Some(open) = self.open.as_mut() else {
            let claims = claims_of(tx, None, OUTSIDE);
            self.acks.summary.not_acknowledged.extend(claims);
            return;
        };
        let interchange = open.control();
        let group = match open.groups.last_mut().filter(|_| open.group_open) {
            Some(g) => g,
            None => {
                open.problems.add("content", first.index);
                open.loose.extend(claims_of(tx, Some(interchange), OUTSIDE));
                return;
            }
        };
        group.received += 1;
        let read = match &tree {
            Some(_) => Read::Validated,
            None if findings.iter().any(|f| f.rule == RuleId::GuideUnsupported) => {
                Read::GuideUnsupported
            }
            None => Read::NotSupported,
        };
        let d = open.parties.delimiters;
        let Some(ack) = k999::transaction(tx, tree.as_ref(), read, &findings, &d) else {
            group
                .unanswered
                .extend(claims_of(tx, Some(interchange), TX_UNANSWERABLE));
            return;
        };
        let claim_tree = tree.as_ref().filter(|t| t.grammar.kind.is_claim());
        match (ack.accepted, claim_tree) {
            (true, Some(tree)) => {
                let now = self.options.now;
                let cx = ca277::Context {
                    interchange: &interchange,
                    date: now.date(),
                    time: now.format("%H%M").to_string(),
                    parties: &open.parties,
                };
                group
                    .bodies
                    .push(ca277::transaction(tree, tx, &self.remaining, &cx));
            }
            (false, _) => group
                .unanswered
                .extend(claims_of(tx, Some(interchange), TX_REJECTED)),
            (true, None) => {}
        }
        group.acks.push(ack);
    }

    /// Writes the acknowledgments of interchange `ic`, which ended at segment `at` with
    /// its IEA (`closed`) or without.
    fn finish(&mut self, mut ic: Interchange, closed: bool, at: usize) {
        if !closed {
            ic.problems.add("unclosed", at);
        }
        let summary = &mut self.acks.summary;
        summary.interchanges += 1;
        let now = self.options.now;
        let (today, hhmm) = (
            now.format("%y%m%d").to_string(),
            now.format("%H%M").to_string(),
        );
        if let Some(seg) = ta1::ta1(&ic.isa, &ic.problems, &today, &hhmm)
            && self.options.kinds.ta1
        {
            let mut w = Writer::new(&ic.parties, now);
            w.interchange(self.numbers);
            w.segment(&seg);
            w.end_interchange();
            self.acks.ta1.extend(w.into_bytes());
        }
        let control = ic.control();
        summary.not_acknowledged.append(&mut ic.loose);
        if ic.problems.broken() {
            summary.interchanges_rejected += 1;
            for g in ic.groups {
                for b in &g.bodies {
                    summary
                        .not_acknowledged
                        .extend(unanswered(b, &control, INTERCHANGE_REJECTED));
                }
                summary
                    .not_acknowledged
                    .extend(g.unanswered.into_iter().map(|mut n| {
                        n.reason = INTERCHANGE_REJECTED;
                        n
                    }));
            }
            return;
        }
        let answered = self.implementation(&ic, now);
        self.claim_acknowledgment(&ic, answered, now);
    }

    /// The 999 interchange of `ic` (a 999 per group it can name); returns, per group,
    /// whether its 277CA bodies stand (the group was not rejected as a whole).
    fn implementation(&mut self, ic: &Interchange, now: chrono::NaiveDateTime) -> Vec<bool> {
        let d = ic.parties.delimiters;
        let mut w = Writer::new(&ic.parties, now);
        let mut wrote = false;
        let mut answered = Vec::new();
        let summary = &mut self.acks.summary;
        for g in &ic.groups {
            let gs = |n: usize| g.gs.get(n - 1).map_or(&[][..], Vec::as_slice);
            let nameable = k999::ak101_codes().iter().any(|c| c.as_bytes() == gs(1))
                && (1..=9).contains(&gs(6).len())
                && gs(6).iter().all(u8::is_ascii_digit)
                && fit(gs(8), 1, 12, &d).is_some();
            let accepted = g.acks.iter().filter(|a| a.accepted).count();
            summary.transactions += g.received;
            summary.transactions_rejected += g.received - accepted;
            summary
                .not_acknowledged
                .extend(g.unanswered.iter().cloned());
            let (ak9, rejected) = k999::ak9(&g.end, g.received, accepted);
            let reason = match (nameable, rejected) {
                (false, _) => Some(GROUP_UNANSWERABLE),
                (true, true) => Some(GROUP_REJECTED),
                _ => None,
            };
            answered.push(reason.is_none());
            if let Some(reason) = reason {
                for b in &g.bodies {
                    summary
                        .not_acknowledged
                        .extend(unanswered(b, &ic.control(), reason));
                }
            }
            if !nameable || !self.options.kinds.k999 {
                continue;
            }
            if !wrote {
                w.interchange(self.numbers);
                wrote = true;
            }
            let (from, to) = swapped(g, &ic.parties);
            w.group(self.numbers, "FA", "005010X231A1", &from, &to);
            w.transaction(self.numbers, "999", "005010X231A1");
            w.segment(&segment(
                "AK1",
                vec![simple(gs(1)), simple(gs(6)), simple(gs(8))],
            ));
            g.acks
                .iter()
                .flat_map(|a| a.segments.iter())
                .for_each(|s| w.segment(s));
            w.segment(&ak9);
            w.end_transaction();
            w.end_group();
        }
        if wrote {
            w.end_interchange();
            self.acks.k999.extend(w.into_bytes());
        }
        answered
    }

    /// The 277CA interchange of `ic`: a group per input group with claims to acknowledge.
    fn claim_acknowledgment(
        &mut self,
        ic: &Interchange,
        answered: Vec<bool>,
        now: chrono::NaiveDateTime,
    ) {
        let mut w = Writer::new(&ic.parties, now);
        let mut wrote = false;
        for (g, ok) in ic.groups.iter().zip(answered) {
            if !ok || g.bodies.is_empty() {
                continue;
            }
            for b in &g.bodies {
                self.acks.summary.claims_accepted += b.accepted;
                self.acks.summary.claims_rejected += b.rejected;
            }
            if !self.options.kinds.ca277 {
                continue;
            }
            if !wrote {
                w.interchange(self.numbers);
                wrote = true;
            }
            let (from, to) = swapped(g, &ic.parties);
            w.group(self.numbers, "HN", "005010X214", &from, &to);
            for b in &g.bodies {
                w.transaction(self.numbers, "277", "005010X214");
                w.body(&b.body);
                w.end_transaction();
            }
            w.end_group();
        }
        if wrote {
            w.end_interchange();
            self.acks.ca277.extend(w.into_bytes());
        }
    }
}

/// The claims of a 277CA body that will not be sent, with why.
fn unanswered<'b>(
    b: &'b TxBody,
    interchange: &'b str,
    reason: &'static str,
) -> impl Iterator<Item = NotAcknowledged> + 'b {
    b.claims.iter().map(move |claim| NotAcknowledged {
        claim: claim.clone(),
        interchange: Some(interchange.to_string()),
        transaction: b.control.clone(),
        reason,
    })
}

/// GS02 and GS03 of an acknowledgment of group `g`: its GS03 and GS02, or the
/// interchange's ids when they do not fit.
fn swapped(g: &Group, parties: &Parties) -> (String, String) {
    let d = &parties.delimiters;
    let gs = |n: usize, fallback: &str| {
        g.gs.get(n - 1)
            .and_then(|v| fit(v, 2, 15, d))
            .unwrap_or_else(|| match fallback.trim() {
                f if f.len() >= 2 => f.to_string(),
                _ => "NONE".to_string(),
            })
    };
    (gs(3, &parties.sender.1), gs(2, &parties.receiver.1))
}

/// Acknowledges `input` (named `file` in findings), whose other findings (the J2326
/// rules', from a scrub of these same claims) are `remaining`: the error-level ones not
/// fixed reject their claims in the 277CA. The input is validated here, so the 999
/// answers exactly these bytes. Control numbers are taken from `numbers`.
pub fn acknowledge(
    input: &[u8],
    file: &str,
    remaining: &[Finding],
    options: &Options,
    numbers: &mut Control,
) -> Acks {
    let mut used = [false; 256];
    input.iter().for_each(|&b| used[usize::from(b)] = true);
    let mut d = Driver {
        file,
        remaining: Remaining::of(remaining),
        options,
        numbers,
        used,
        clean: CleanSegments::new(usize::MAX),
        pending: Vec::new(),
        open: None,
        last: 0,
        acks: Acks::default(),
    };
    // Reading from memory cannot fail.
    let _ = stream::for_each(input, |event| {
        match event {
            Event::Problems(p) => d.pending.extend(p),
            Event::Unit(Unit::Segment(seg)) => {
                d.last = seg.index;
                d.segment(&seg);
            }
            Event::Unit(Unit::Transaction(tx)) => {
                d.last = tx.segments.last().map_or(d.last, |s| s.index);
                d.transaction(&tx);
            }
            Event::Error(e, _) => d.acks.error = Some(e),
            Event::Prefix(_) => {}
        }
        ControlFlow::Continue(())
    });
    if let Some(open) = d.open.take() {
        let at = d.last;
        d.finish(open, false, at);
    }
    d.acks
}
