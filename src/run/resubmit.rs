//! `x837 resubmit`: the claims a payer sent back (rejected in a 277CA, denied in an 835),
//! matched to the original 837s by CLM01, taken out of them with their parent loops, a
//! denial made a replacement (CLM05-3 `7`, REF*F8 the payer's CLP07), then scrubbed like
//! `x837 scrub --split-rejected` over one file holding only them: what is clean goes to
//! OUT with fresh control numbers, what keeps an error to the split directory.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::ops::ControlFlow;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::grammar;
use crate::reply::{self, ClaimAck, ClaimPayment, reasons};
use crate::report::Format;
use crate::scrub::Fixes;
use crate::scrub::rejected::Rejected;
use crate::scrub::split::split_with;
use crate::tree::Tree;
use crate::x12::stream::{self, Event};
use crate::x12::{Control, Edit, OwnedSegment, Transaction, Unit};

use super::{Console, Status, Usage};

/// The options of `x837 resubmit` as given.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub originals: Vec<OsString>,
    pub acks: Vec<OsString>,
    pub remits: Vec<OsString>,
    pub output: OsString,
    pub split_rejected: Option<OsString>,
    pub report: Option<OsString>,
    pub format: Option<Format>,
    pub profile: Option<String>,
    pub config: Option<OsString>,
    pub fixes: Fixes,
    pub new_control_numbers: Option<Control>,
}

/// What the payer said of a claim, one code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PayerCode {
    /// `277CA` or `835`.
    pub source: &'static str,
    /// `claim`, or the line's LX01.
    pub line: Option<String>,
    /// `A7:562:85` (category:status:entity), `CO-16`, `N14`.
    pub code: String,
    /// Our short description, for codes of the mapping.
    pub description: Option<&'static str>,
    /// The x837 rules that explain it.
    pub rules: Vec<&'static str>,
    /// Whether it is a reason to reject or deny (a 277CA category A3/A6/A7/A8, a CO
    /// adjustment of a mapped reason, a remark code); CO-45 and PR are not.
    pub denies: bool,
}

/// One original claim the responses answer, and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Answered {
    pub file: String,
    /// CLM01.
    pub claim: String,
    /// CLM02.
    pub billed: String,
    /// `rejected`, `denied`, `conflicting`, `reversed`, `accepted`, `paid`,
    /// `charge-mismatch`, `ambiguous`.
    pub outcome: &'static str,
    /// Whether it was taken out to be resent (to OUT or the split directory).
    pub resent: bool,
    /// REF*1K of the 277CA.
    pub payer_claim_277: Option<String>,
    /// CLP07 of the 835 (REF*F8 of the replacement).
    pub payer_claim_835: Option<String>,
    /// CLM05-3 as resent: as billed for a rejection, 7 for a denial.
    pub frequency: Option<String>,
    pub payer_said: Vec<PayerCode>,
    /// Response lines (REF*FJ, REF*6R) that name no LX01 of the claim.
    pub unmatched_lines: Vec<String>,
}

/// A response that names no claim of the originals, or several.
#[derive(Debug, Clone, Serialize)]
pub struct Unmatched {
    pub file: String,
    pub source: &'static str,
    /// The CLM01 it names (277CA 2200D TRN02, 835 CLP01).
    pub claim: String,
    /// `no-claim` or `several-claims`.
    pub why: &'static str,
}

/// One response, as read.
#[derive(Debug, Clone)]
enum Said {
    Ack(ClaimAck),
    Remit(ClaimPayment),
}

#[derive(Debug, Clone)]
struct Response {
    file: String,
    said: Said,
}

impl Response {
    fn source(&self) -> &'static str {
        match self.said {
            Said::Ack(_) => "277CA",
            Said::Remit(_) => "835",
        }
    }
}

/// A checked resubmit run.
#[derive(Debug)]
pub struct Resubmit {
    options: Options,
}

impl Resubmit {
    /// Checks `options`; nothing is read or written yet.
    pub fn new(options: Options) -> Result<Resubmit, Usage> {
        if options.acks.is_empty() && options.remits.is_empty() {
            return Err(Usage("resubmit needs --ack FILE or --remit FILE".into()));
        }
        if options.output == "-" {
            return Err(Usage(
                "resubmit writes OUT to a file (-o -, standard output, is refused)".into(),
            ));
        }
        if options.format.is_some() && options.report.is_none() {
            return Err(Usage("--format needs --report PATH".into()));
        }
        Ok(Resubmit { options })
    }

    /// Runs it; returns the exit status.
    pub fn run(&self, console: &dyn Console) -> Status {
        match self.try_run(console) {
            Ok(s) => s,
            Err(e) => {
                console.say(&format!("x837: resubmit: {e}"));
                Status::Failed
            }
        }
    }

    fn try_run(&self, console: &dyn Console) -> Result<Status, String> {
        let o = &self.options;
        let mut responses: HashMap<String, Vec<Response>> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        for (files, ack) in [(&o.acks, true), (&o.remits, false)] {
            for f in files {
                read_responses(f, ack, &mut responses, &mut order)?;
            }
        }
        let originals: Vec<(String, Vec<u8>)> = (o.originals.iter())
            .map(|f| {
                let name = f.to_string_lossy().into_owned();
                std::fs::read(f)
                    .map(|b| (name.clone(), b))
                    .map_err(|e| format!("{name}: cannot read: {e}"))
            })
            .collect::<Result<_, _>>()?;
        let counts = claim_ids(&originals);
        let mut selected = Vec::new();
        let mut answered = Vec::new();
        let mut sel = Rejected::new(&mut selected, Control::default());
        for (name, bytes) in &originals {
            select(name, bytes, &responses, &counts, &mut sel, &mut answered)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        sel.finish().map_err(|e| e.to_string())?;
        let unmatched = unmatched(&order, &responses, &counts);
        let start = o.new_control_numbers.unwrap_or_else(|| fresh(&originals));
        super::resubmit_scrub::finish(
            o,
            console,
            start,
            &selected,
            super::resubmit_scrub::Found {
                answered,
                unmatched,
            },
        )
    }
}

/// Reads the responses of one file into `by_claim` (keyed by the CLM01 they name).
fn read_responses(
    f: &OsString,
    ack: bool,
    by_claim: &mut HashMap<String, Vec<Response>>,
    order: &mut Vec<String>,
) -> Result<(), String> {
    let name = f.to_string_lossy().into_owned();
    let bytes = std::fs::read(f).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let r = reply::read(&bytes);
    let said: Vec<Said> = if ack {
        r.claims().cloned().map(Said::Ack).collect()
    } else {
        r.payments().cloned().map(Said::Remit).collect()
    };
    if said.is_empty() {
        let what = if ack { "277CA" } else { "835" };
        return Err(format!("{name}: holds no {what} claim"));
    }
    for s in said {
        let claim = match &s {
            Said::Ack(a) => a.claim.clone(),
            Said::Remit(p) => p.claim.clone(),
        };
        if !by_claim.contains_key(&claim) {
            order.push(claim.clone());
        }
        (by_claim.entry(claim).or_default()).push(Response {
            file: name.clone(),
            said: s,
        });
    }
    Ok(())
}

/// How many claims of the originals carry each CLM01.
fn claim_ids(originals: &[(String, Vec<u8>)]) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for (_, bytes) in originals {
        let _ = stream::for_each(&bytes[..], |e| {
            if let Event::Unit(Unit::Transaction(tx)) = e {
                for s in tx.segments.iter().filter(|s| s.is("CLM")) {
                    *n.entry(text(s.value(1))).or_insert(0) += 1;
                }
            }
            ControlFlow::Continue(())
        });
    }
    n
}

/// The responses that name no claim of the originals, or several.
fn unmatched(
    order: &[String],
    responses: &HashMap<String, Vec<Response>>,
    counts: &HashMap<String, usize>,
) -> Vec<Unmatched> {
    let mut out = Vec::new();
    for claim in order {
        let why = match counts.get(claim).copied().unwrap_or(0) {
            0 => "no-claim",
            1 => continue,
            _ => "several-claims",
        };
        for r in &responses[claim] {
            out.push(Unmatched {
                file: r.file.clone(),
                source: r.source(),
                claim: claim.clone(),
                why,
            });
        }
    }
    out
}

/// Fresh control numbers: ISA13 one past the highest of the originals, GS06 and ST02 1.
fn fresh(originals: &[(String, Vec<u8>)]) -> Control {
    let mut top = 0u32;
    for (_, bytes) in originals {
        let _ = stream::for_each(&bytes[..], |e| {
            if let Event::Unit(Unit::Segment(s)) = &e
                && s.is("ISA")
            {
                let n = text(s.value(13)).trim().parse::<u32>().unwrap_or(0);
                top = top.max(n);
            }
            ControlFlow::Continue(())
        });
    }
    Control {
        isa13: if top >= 999_999_999 { 1 } else { top + 1 },
        ..Control::default()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Takes the answered claims of one original out into `sel`.
fn select(
    name: &str,
    bytes: &[u8],
    responses: &HashMap<String, Vec<Response>>,
    counts: &HashMap<String, usize>,
    sel: &mut Rejected<'_>,
    answered: &mut Vec<Answered>,
) -> std::io::Result<()> {
    let mut failed = None;
    stream::for_each(bytes, |e| {
        let r = match e {
            Event::Unit(Unit::Segment(s)) => match s.id() {
                b"ISA" => {
                    sel.isa(&s);
                    Ok(())
                }
                b"GS" => {
                    sel.gs(&s);
                    Ok(())
                }
                b"GE" => sel.ge(&s),
                b"IEA" => sel.iea(&s),
                _ => Ok(()),
            },
            Event::Unit(Unit::Transaction(tx)) => {
                transaction(name, &tx, responses, counts, sel, answered)
            }
            Event::Error(e, _) => Err(std::io::Error::other(e.to_string())),
            _ => Ok(()),
        };
        match r {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    failed.map_or(Ok(()), Err)
}

/// The answered claims of one 837 transaction, taken out with their parent loops.
fn transaction(
    name: &str,
    tx: &Transaction<'_>,
    responses: &HashMap<String, Vec<Response>>,
    counts: &HashMap<String, usize>,
    sel: &mut Rejected<'_>,
    answered: &mut Vec<Answered>,
) -> std::io::Result<()> {
    let guide = String::from_utf8_lossy(tx.guide()).into_owned();
    let Some(g) = grammar::for_set(tx.set_id(), &guide).filter(|g| g.kind.is_claim()) else {
        return Ok(());
    };
    let mut findings = Vec::new();
    let tree = crate::tree::build(g, tx, name, &mut findings);
    let mut chosen = Vec::new();
    let mut edits = Vec::new();
    for l in (0..tree.loops.len()).filter(|&l| tree.loops[l].def.id == "2300") {
        let clm = &tx.segments[tree.loops[l].first];
        let id = text(clm.value(1));
        let Some(said) = responses.get(&id) else {
            continue;
        };
        let mut a = judge(name, clm, said, counts.get(&id).copied().unwrap_or(0));
        a.unmatched_lines = unmatched_lines(tx, &tree, l, said);
        if a.resent {
            chosen.push(tree.loops[l].first);
            if a.outcome == "denied" {
                edits.extend(replacement(tx, &tree, l, a.payer_claim_835.as_deref()));
                a.frequency = Some("7".into());
            }
        }
        answered.push(a);
    }
    if chosen.is_empty() {
        return Ok(());
    }
    let st02 = sel.begin(tx.control())?;
    let part = split_with(tx, &tree, &chosen, &st02, edits);
    sel.transaction(&part.rejected)
}

/// Decides what becomes of the claim `clm` that `said` answers (`n` claims carry its CLM01).
fn judge(name: &str, clm: &crate::x12::Segment<'_>, said: &[Response], n: usize) -> Answered {
    let acks: Vec<&ClaimAck> = (said.iter())
        .filter_map(|r| match &r.said {
            Said::Ack(a) => Some(a),
            Said::Remit(_) => None,
        })
        .collect();
    let remits: Vec<&ClaimPayment> = (said.iter())
        .filter_map(|r| match &r.said {
            Said::Remit(p) => Some(p),
            Said::Ack(_) => None,
        })
        .collect();
    let billed = crate::claim::decimal(clm.value(2));
    let mismatch = acks
        .iter()
        .any(|a| a.charge.is_some() && a.charge != billed);
    let rejected = acks.iter().any(|a| a.rejected());
    let last = remits.last();
    let outcome = if n > 1 {
        "ambiguous"
    } else if mismatch {
        "charge-mismatch"
    } else if rejected && !remits.is_empty() {
        "conflicting"
    } else if last.is_some_and(|p| p.status == "22") {
        "reversed"
    } else if last.is_some_and(|p| denied(p)) {
        "denied"
    } else if rejected {
        "rejected"
    } else if remits.is_empty() {
        "accepted"
    } else {
        "paid"
    };
    let mut payer_said = Vec::new();
    acks.iter().for_each(|a| payer_said.extend(ack_codes(a)));
    remits
        .iter()
        .for_each(|p| payer_said.extend(remit_codes(p)));
    Answered {
        file: name.to_string(),
        claim: text(clm.value(1)),
        billed: text(clm.value(2)),
        outcome,
        resent: matches!(outcome, "rejected" | "denied"),
        payer_claim_277: acks.iter().find_map(|a| a.payer_claim.clone()),
        payer_claim_835: last
            .map(|p| p.payer_claim.clone())
            .filter(|c| !c.is_empty()),
        frequency: (outcome == "rejected").then(|| text(clm.component(5, 3))),
        payer_said,
        unmatched_lines: Vec::new(),
    }
}

/// Whether an 835 claim is a denial: CLP02 4; or CLP02 1, 2 or 3 with a CO adjustment of
/// a mapped reason on the claim or a line and nothing paid for it. PR is never a denial.
fn denied(p: &ClaimPayment) -> bool {
    let co = |a: &[reply::Adjustment]| {
        a.iter()
            .any(|a| a.group == "CO" && reasons::denies(&a.reason))
    };
    match p.status.as_str() {
        "4" => true,
        "1" | "2" | "3" => {
            (co(&p.adjustments) && p.unpaid())
                || (p.lines.iter())
                    .any(|l| co(&l.adjustments) && l.paid.is_none_or(|x| x.is_zero()))
        }
        _ => false,
    }
}

fn ack_codes(a: &ClaimAck) -> Vec<PayerCode> {
    let status = |line: Option<String>, s: &reply::StatusCode| {
        let m = reasons::lookup("277CA", &s.status);
        PayerCode {
            source: "277CA",
            line,
            code: format!("{}:{}:{}", s.category, s.status, s.entity)
                .trim_end_matches(':')
                .to_string(),
            description: m.map(|m| m.description),
            rules: m.map_or(Vec::new(), |m| m.rules.to_vec()),
            denies: s.rejects(),
        }
    };
    let mut out: Vec<PayerCode> = a.statuses.iter().map(|s| status(None, s)).collect();
    for l in &a.lines {
        out.extend(l.statuses.iter().map(|s| status(l.line.clone(), s)));
    }
    out
}

fn remit_codes(p: &ClaimPayment) -> Vec<PayerCode> {
    let mut out = Vec::new();
    let mut push = |line: Option<String>, adj: &[reply::Adjustment], remarks: &[String]| {
        // A line's CO-16 is read with the claim's remark codes too (MOA).
        let mut context = remarks.to_vec();
        context.extend(p.remarks.iter().cloned());
        for a in adj {
            let m = reasons::lookup("CARC", &a.reason);
            out.push(PayerCode {
                source: "835",
                line: line.clone(),
                code: format!("{}-{}", a.group, a.reason),
                description: m.map(|m| m.description),
                rules: reasons::rules_for(&a.reason, &context),
                denies: a.group == "CO" && reasons::denies(&a.reason),
            });
        }
        for r in remarks {
            let m = reasons::lookup("RARC", r);
            out.push(PayerCode {
                source: "835",
                line: line.clone(),
                code: r.clone(),
                description: m.map(|m| m.description),
                rules: m.map_or(Vec::new(), |m| m.rules.to_vec()),
                denies: m.is_some_and(|m| !m.rules.is_empty()),
            });
        }
    };
    push(None, &p.adjustments, &p.remarks);
    for l in &p.lines {
        push(l.line.clone(), &l.adjustments, &l.remarks);
    }
    out
}

/// The LX01 values of claim loop `l`.
fn lx01s(tx: &Transaction<'_>, tree: &Tree, l: usize) -> Vec<String> {
    let node = &tree.loops[l];
    (node.first..=node.last.min(tx.segments.len() - 1))
        .filter(|&i| tx.segments[i].is("LX"))
        .map(|i| text(tx.segments[i].value(1)))
        .collect()
}

/// The response lines (277CA REF*FJ, 835 REF*6R) that name no LX01 of claim loop `l`.
fn unmatched_lines(tx: &Transaction<'_>, tree: &Tree, l: usize, said: &[Response]) -> Vec<String> {
    let lx = lx01s(tx, tree, l);
    let mut out: Vec<String> = Vec::new();
    for r in said {
        let lines: Vec<Option<String>> = match &r.said {
            Said::Ack(a) => a.lines.iter().map(|l| l.line.clone()).collect(),
            Said::Remit(p) => p.lines.iter().map(|l| l.line.clone()).collect(),
        };
        for n in lines.into_iter().flatten() {
            if !lx.contains(&n) && !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// The edits that make claim loop `l` a replacement of the payer's claim `payer_claim`:
/// CLM05-3 `7`, and REF*F8 set (or added after the last 2300 segment placed before it).
fn replacement(
    tx: &Transaction<'_>,
    tree: &Tree,
    l: usize,
    payer_claim: Option<&str>,
) -> Vec<Edit> {
    let node = &tree.loops[l];
    let clm = &tx.segments[node.first];
    let mut edits = vec![Edit::Set {
        segment: clm.index,
        element: 5,
        component: 3,
        value: b"7".to_vec(),
    }];
    let Some(f8) = payer_claim else {
        return edits;
    };
    let own: Vec<usize> = (node.first..=node.last.min(tx.segments.len() - 1))
        .filter(|&i| tree.placed[i].loop_index == l)
        .collect();
    if let Some(&i) = own
        .iter()
        .find(|&&i| tx.segments[i].is("REF") && tx.segments[i].value(1) == b"F8")
    {
        edits.push(Edit::Set {
            segment: tx.segments[i].index,
            element: 2,
            component: 0,
            value: f8.as_bytes().to_vec(),
        });
        return edits;
    }
    // REF*F8 is at guide position 1800 with the other 2300 REFs.
    let after = own
        .iter()
        .copied()
        .take_while(|&i| tree.placed[i].def.is_none_or(|d| d.position <= 1800))
        .last()
        .unwrap_or(node.first);
    edits.push(Edit::Insert {
        after: tx.segments[after].index,
        segment: OwnedSegment::new("REF", ["F8", f8]),
    });
    edits
}

/// Claim counts and billed totals by outcome.
pub fn totals(answered: &[Answered]) -> BTreeMap<&'static str, (usize, Decimal)> {
    let mut t: BTreeMap<&'static str, (usize, Decimal)> = BTreeMap::new();
    for a in answered {
        let e = t.entry(a.outcome).or_default();
        e.0 += 1;
        e.1 += crate::claim::decimal(a.billed.as_bytes()).unwrap_or_default();
    }
    t
}
