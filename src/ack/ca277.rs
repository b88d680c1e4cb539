//! The 277CA (005010X214) of one 837 transaction set the 999 accepted: the batch (2000A,
//! 2000B), each billing provider (2000C) and each claim (2000D/2200D, TRN02 = CLM01,
//! STC04 = CLM02), accepted or rejected by the error-level findings that remain on it;
//! a finding on a service line names that line too (2220D, REF*FJ = LX01). Which rule
//! gives which status is `claim_status.toml`. The patient's name and member id are the
//! guide's (2100D): an acknowledgment is EDI for the trading partner, not a report.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::envelope::{Body, Parties, composite, fit, segment, simple};
use super::mapping::{self, Status};
use crate::claim::{self, Claim, LineDate, ServiceLine};
use crate::report::{Finding, Severity, Source};
use crate::tree::Tree;
use crate::x12::{Delimiters, OwnedElement, OwnedSegment, Segment, Transaction};

/// STC holds three statuses (STC01, STC10, STC11).
const PER_STC: usize = 3;

/// Where a claim is: interchange (ISA13), transaction (ST02), CLM01.
pub type ClaimKey = (String, String, String);

/// The findings of other checks (the J2326 rules) that remain on each claim, by claim.
#[derive(Debug, Default)]
pub struct Remaining<'f> {
    by_claim: HashMap<ClaimKey, Vec<&'f Finding>>,
}

impl<'f> Remaining<'f> {
    /// The error-level scrub findings of `findings` that were not fixed, by claim.
    /// Validation findings are left out: the acknowledged input is validated anew.
    pub fn of(findings: &'f [Finding]) -> Self {
        let mut by_claim: HashMap<ClaimKey, Vec<&'f Finding>> = HashMap::new();
        for f in findings {
            let rejects =
                f.severity == Severity::Error && !f.fixed && f.rule.source() == Source::Scrub;
            if let (true, Some(claim)) = (rejects, &f.claim) {
                let p = &f.position;
                let key = (
                    p.interchange.clone().unwrap_or_default(),
                    p.transaction.clone().unwrap_or_default(),
                    claim.clone(),
                );
                by_claim.entry(key).or_default().push(f);
            }
        }
        Remaining { by_claim }
    }

    fn on(&self, key: &ClaimKey) -> &[&'f Finding] {
        self.by_claim.get(key).map_or(&[], Vec::as_slice)
    }
}

/// The 277CA body (BHT to the last claim) of one transaction, and what it says.
#[derive(Debug, Clone, Default)]
pub struct TxBody {
    pub body: Body,
    /// ST02 of the transaction acknowledged.
    pub control: String,
    /// CLM01 of every claim, in order.
    pub claims: Vec<String>,
    pub accepted: usize,
    pub rejected: usize,
}

/// What the acknowledgment of one transaction needs to know about where it stands.
pub struct Context<'a> {
    /// ISA13 of the interchange.
    pub interchange: &'a str,
    pub date: NaiveDate,
    pub time: String,
    /// The acknowledgment's delimiters and line endings, which the body is written in.
    pub parties: &'a Parties,
}

/// The statuses of one claim: its own, and those of its lines by LX01.
#[derive(Default)]
struct Verdict<'s> {
    claim: Vec<&'s Status>,
    lines: Vec<(String, Vec<&'s Status>)>,
}

impl<'s> Verdict<'s> {
    fn rejected(&self) -> bool {
        !self.claim.is_empty() || !self.lines.is_empty()
    }

    fn of(findings: &[&Finding], claim: &Claim<'_>) -> Verdict<'static> {
        let table = mapping::claim_status();
        let mut v = Verdict::default();
        for f in findings {
            let status = table.of(f.rule);
            let line = f
                .service_line
                .as_deref()
                .filter(|lx| claim.lines.iter().any(|l| l.number == lx.as_bytes()));
            let list = match line {
                Some(lx) => {
                    let i = match v.lines.iter().position(|(n, _)| n == lx) {
                        Some(i) => i,
                        None => {
                            v.lines.push((lx.to_string(), Vec::new()));
                            v.lines.len() - 1
                        }
                    };
                    &mut v.lines[i].1
                }
                None => &mut v.claim,
            };
            if !list.iter().any(|s| std::ptr::eq(*s, status)) {
                list.push(status);
            }
        }
        v
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn d8(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// `DTP*472` with a single day (D8) or a range (RD8).
fn service_date(id: &str, dates: LineDate) -> OwnedSegment {
    if dates.from == dates.to {
        OwnedSegment::new(id, ["472", "D8", &d8(dates.from)])
    } else {
        OwnedSegment::new(
            id,
            [
                "472",
                "RD8",
                &format!("{}-{}", d8(dates.from), d8(dates.to)),
            ],
        )
    }
}

/// One STC composite.
fn stc_composite(s: &Status, category: Option<&str>, status: Option<&str>) -> OwnedElement {
    composite([
        category.unwrap_or(&s.category),
        status.unwrap_or(&s.status),
        s.entity.as_deref().unwrap_or(""),
    ])
}

/// STC segments for `statuses` (three to a segment): STC02 `date`, STC03 `action`,
/// STC04 `amount` when given.
fn stcs(
    composites: Vec<OwnedElement>,
    date: &str,
    action: &str,
    amount: Option<&str>,
) -> Vec<OwnedSegment> {
    composites
        .chunks(PER_STC)
        .map(|chunk| {
            let mut e = vec![
                chunk[0].clone(),
                simple(date),
                simple(action),
                simple(amount.unwrap_or_default()),
            ];
            e.extend((0..5).map(|_| simple("")));
            e.extend(chunk[1..].iter().cloned());
            segment("STC", e)
        })
        .collect()
}

/// The loop below `parent` with id `id`, if any.
fn child(tree: &Tree, parent: usize, id: &str) -> Option<usize> {
    tree.loops
        .iter()
        .enumerate()
        .skip(parent + 1)
        .take_while(|(_, l)| l.first <= tree.loops[parent].last)
        .find(|(_, l)| l.parent == Some(parent) && l.def.id == id)
        .map(|(i, _)| i)
}

/// The first segment of the loop with id `id` anywhere in the transaction.
fn first_of<'t, 'a>(tree: &Tree, tx: &'t Transaction<'a>, id: &str) -> Option<&'t Segment<'a>> {
    let l = tree.loops.iter().find(|l| l.def.id == id)?;
    tx.segments.get(l.first)
}

/// What an acknowledgment's NM1 takes from an NM1 of the 837.
struct Names<'q> {
    /// NM101.
    entity: &'q str,
    /// NM102 when the 837's is not one of these.
    persons: &'q [&'q str],
    /// How many of NM104..NM107 (first, middle, prefix, suffix) the loop uses.
    names: usize,
    /// The NM108 codes the loop allows.
    qualifiers: &'q [&'q str],
    /// NM108 and NM109 when the 837's NM108 is not one of `qualifiers` or it has no
    /// NM109.
    fallback: (&'q str, String),
}

/// An NM1 for the acknowledgment from `nm1` of the 837 (its name and id) as `fit` lets
/// them through.
fn nm1(n: &Names<'_>, nm1: Option<&Segment<'_>>, d: &Delimiters) -> OwnedSegment {
    let value = |i: usize, max: usize| {
        nm1.and_then(|s| fit(s.value(i), 1, max, d))
            .unwrap_or_default()
    };
    let pick = |v: String, ok: &[&str]| {
        if ok.contains(&v.as_str()) {
            v
        } else {
            ok.first().copied().unwrap_or_default().to_string()
        }
    };
    let (nm108, nm109) = (value(8, 2), value(9, 80));
    let (nm108, nm109) = if n.qualifiers.contains(&nm108.as_str()) && nm109.chars().count() >= 2 {
        (nm108, nm109)
    } else {
        (n.fallback.0.to_string(), n.fallback.1.clone())
    };
    let last = value(3, 60);
    let mut e = vec![
        simple(n.entity),
        simple(pick(value(2, 1), n.persons)),
        simple(if last.is_empty() {
            "UNKNOWN".to_string()
        } else {
            last
        }),
    ];
    for (i, max) in [(4, 35), (5, 25), (6, 10), (7, 10)] {
        e.push(simple(if i - 3 <= n.names {
            value(i, max)
        } else {
            String::new()
        }));
    }
    e.push(simple(nm108));
    e.push(simple(nm109));
    segment("NM1", e)
}

/// An id where the 837 gave none the acknowledgment can carry.
const NO_ID: &str = "00";

/// The billing provider's tax id (2010AA REF*EI) under 2000A loop `a`, for a 2100C
/// without an NPI.
fn tax_id(tree: &Tree, tx: &Transaction<'_>, a: usize, d: &Delimiters) -> String {
    let ein = child(tree, a, "2010AA").and_then(|l| {
        let node = &tree.loops[l];
        (node.first..=node.last.min(tx.segments.len().saturating_sub(1)))
            .map(|i| &tx.segments[i])
            .find(|s| s.is("REF") && s.value(1) == b"EI")
            .and_then(|s| fit(s.value(2), 2, 80, d))
    });
    ein.unwrap_or_else(|| NO_ID.into())
}

/// The patient of the claim of 2300 loop `c`: the 2010CA name under a 2000C, the
/// subscriber (2010BA) otherwise; the member id is the subscriber's.
fn patient(tree: &Tree, tx: &Transaction<'_>, c: usize, d: &Delimiters) -> OwnedSegment {
    let seg = |l: Option<usize>| l.and_then(|l| tx.segments.get(tree.loops[l].first));
    let subscriber = tree
        .ancestor(c, "2000B")
        .and_then(|b| child(tree, b, "2010BA"));
    let dependent = tree
        .ancestor(c, "2000C")
        .and_then(|p| child(tree, p, "2010CA"));
    let names = Names {
        entity: "QC",
        persons: &["1"],
        names: 4,
        qualifiers: &["MI", "II"],
        fallback: ("MI", NO_ID.into()),
    };
    let mut nm1 = nm1(&names, seg(dependent.or(subscriber)), d);
    // A dependent is identified by the subscriber's member id.
    if dependent.is_some() {
        let id = seg(subscriber);
        let q = id
            .and_then(|s| fit(s.value(8), 2, 2, d))
            .filter(|q| q == "II" || q == "MI");
        nm1.set(8, 0, q.unwrap_or_else(|| "MI".into()).as_bytes());
        let member = id
            .and_then(|s| fit(s.value(9), 2, 80, d))
            .unwrap_or_else(|| "00".into());
        nm1.set(9, 0, member.as_bytes());
    }
    nm1
}

/// The claim's service dates: the 837I statement period, else its lines' first to last.
fn claim_dates(claim: &Claim<'_>) -> Option<LineDate> {
    if let Some(s) = claim.statement {
        return Some(s);
    }
    let dates = claim.lines.iter().filter_map(|l| l.date);
    let from = dates.clone().map(|d| d.from).min()?;
    let to = dates.map(|d| d.to).max()?;
    Some(LineDate {
        from,
        to,
        range: from != to,
    })
}

/// The 2220D of a rejected line.
fn line_loop(
    line: &ServiceLine<'_>,
    statuses: &[&Status],
    date: &str,
    d: &Delimiters,
) -> Vec<OwnedSegment> {
    let code = fit(line.code, 1, 48, d);
    let revenue = fit(line.revenue, 1, 48, d);
    let mut svc01: Vec<String> = match (&code, &revenue) {
        (Some(c), _) => vec![
            fit(line.qualifier, 2, 2, d).unwrap_or_else(|| "HC".into()),
            c.clone(),
        ],
        (None, Some(r)) => vec!["NU".into(), r.clone()],
        (None, None) => vec!["HC".into(), "00000".into()],
    };
    svc01.extend(
        line.modifiers
            .iter()
            .filter(|m| !m.is_empty())
            .filter_map(|m| fit(m, 2, 2, d)),
    );
    let charge = line.charge.unwrap_or(Decimal::ZERO).to_string();
    let units = line.units.map(|u| u.to_string()).unwrap_or_default();
    let svc = segment(
        "SVC",
        vec![
            composite(svc01.iter().map(String::as_str)),
            simple(charge),
            simple(""),
            simple(if code.is_some() {
                revenue.unwrap_or_default()
            } else {
                String::new()
            }),
            simple(""),
            simple(""),
            simple(units),
        ],
    );
    let mut out = vec![svc];
    let composites = statuses
        .iter()
        .map(|s| stc_composite(s, None, None))
        .collect();
    out.extend(stcs(composites, date, "U", None));
    if let Some(lx) = fit(line.number, 1, 50, d) {
        out.push(OwnedSegment::new("REF", ["FJ", lx.as_str()]));
    }
    if let Some(dates) = line.date {
        out.push(service_date("DTP", dates));
    }
    out
}

/// One claim's 2000D loop after its HL (2100D, 2200D) and whether it was rejected.
fn claim_loop(
    tree: &Tree,
    tx: &Transaction<'_>,
    claim: &Claim<'_>,
    findings: &[&Finding],
    cx: &Context<'_>,
) -> (Vec<OwnedSegment>, bool) {
    let d = &cx.parties.delimiters;
    let table = mapping::claim_status();
    let verdict = Verdict::of(findings, claim);
    let date = d8(cx.date);
    let amount = claim.billed.unwrap_or(Decimal::ZERO).to_string();
    let mut out = vec![
        patient(tree, tx, claim.loop_index, d),
        OwnedSegment::new(
            "TRN",
            ["2", &fit(claim.id, 1, 50, d).unwrap_or_else(|| "0".into())],
        ),
    ];
    let composites: Vec<OwnedElement> = if !verdict.rejected() {
        vec![stc_composite(&table.accepted, None, None)]
    } else if verdict.claim.is_empty() {
        let first = verdict.lines[0].1[0];
        vec![composite([
            first.category.as_str(),
            table.lines.status.as_str(),
            first.entity.as_deref().unwrap_or(""),
        ])]
    } else {
        verdict
            .claim
            .iter()
            .map(|s| stc_composite(s, None, None))
            .collect()
    };
    let action = if verdict.rejected() { "U" } else { "WQ" };
    out.extend(stcs(composites, &date, action, Some(&amount)));
    let segs = &tx.segments;
    let clm = &segs[claim.clm];
    let node = &tree.loops[claim.loop_index];
    let d9 = (node.first..=node.last.min(segs.len().saturating_sub(1)))
        .filter(|&i| tree.placed[i].loop_index == claim.loop_index)
        .map(|i| &segs[i])
        .find(|s| s.is("REF") && s.value(1) == b"D9");
    if let Some(v) = d9.and_then(|s| fit(s.value(2), 1, 50, d)) {
        out.push(OwnedSegment::new("REF", ["D9", v.as_str()]));
    }
    if tree.grammar.kind == crate::grammar::Kind::Institutional {
        let bill = format!("{}{}", text(clm.component(5, 1)), text(clm.component(5, 3)));
        if let Some(v) = fit(bill.as_bytes(), 1, 50, d) {
            out.push(OwnedSegment::new("REF", ["BLT", v.as_str()]));
        }
    }
    let dates = claim_dates(claim).unwrap_or(LineDate {
        from: cx.date,
        to: cx.date,
        range: false,
    });
    out.push(service_date("DTP", dates));
    for (lx, statuses) in &verdict.lines {
        if let Some(line) = claim.lines.iter().find(|l| l.number == lx.as_bytes()) {
            out.extend(line_loop(line, statuses, &date, d));
        }
    }
    (out, verdict.rejected())
}

/// Accepted and rejected claims and amounts, for QTY and AMT.
#[derive(Default, Clone, Copy)]
struct Totals {
    accepted: usize,
    rejected: usize,
    accepted_amount: Decimal,
    rejected_amount: Decimal,
}

impl Totals {
    fn add(&mut self, amount: Decimal, rejected: bool) {
        if rejected {
            self.rejected += 1;
            self.rejected_amount += amount;
        } else {
            self.accepted += 1;
            self.accepted_amount += amount;
        }
    }

    fn total(&self) -> Decimal {
        self.accepted_amount + self.rejected_amount
    }

    /// QTY and AMT segments with the qualifiers given (accepted, rejected).
    fn segments(&self, qty: (&str, &str)) -> Vec<OwnedSegment> {
        let mut out = Vec::new();
        if self.accepted > 0 {
            out.push(OwnedSegment::new(
                "QTY",
                [qty.0, &self.accepted.to_string()],
            ));
        }
        if self.rejected > 0 {
            out.push(OwnedSegment::new(
                "QTY",
                [qty.1, &self.rejected.to_string()],
            ));
        }
        if self.accepted > 0 {
            out.push(OwnedSegment::new(
                "AMT",
                ["YU", &self.accepted_amount.to_string()],
            ));
        }
        if self.rejected > 0 {
            out.push(OwnedSegment::new(
                "AMT",
                ["YY", &self.rejected_amount.to_string()],
            ));
        }
        out
    }
}

/// One billing provider (2000A of the 837) and its claims' loops.
struct Provider {
    loop_index: usize,
    claims: Vec<Body>,
    totals: Totals,
}

/// The 277CA body of 837 transaction `tx` (its tree `tree`), the claims' remaining
/// findings in `remaining`.
pub fn transaction(
    tree: &Tree,
    tx: &Transaction<'_>,
    remaining: &Remaining<'_>,
    cx: &Context<'_>,
) -> TxBody {
    let control = text(tx.control());
    let mut providers: Vec<Provider> = Vec::new();
    let mut body = TxBody {
        control: control.clone(),
        ..TxBody::default()
    };
    let mut batch = Totals::default();
    for claim in claim::each(tree, tx) {
        let key = (cx.interchange.to_string(), control.clone(), text(claim.id));
        let a = tree.ancestor(claim.loop_index, "2000A").unwrap_or(0);
        let at = match providers.iter().position(|p| p.loop_index == a) {
            Some(i) => i,
            None => {
                providers.push(Provider {
                    loop_index: a,
                    claims: Vec::new(),
                    totals: Totals::default(),
                });
                providers.len() - 1
            }
        };
        let (segments, rejected) = claim_loop(tree, tx, &claim, remaining.on(&key), cx);
        let amount = claim.billed.unwrap_or(Decimal::ZERO);
        let mut written = Body::default();
        written.extend(&segments, cx.parties);
        providers[at].claims.push(written);
        providers[at].totals.add(amount, rejected);
        batch.add(amount, rejected);
        body.claims.push(key.2);
    }
    body.accepted = batch.accepted;
    body.rejected = batch.rejected;
    body.body.extend(&header(tree, tx, &batch, cx), cx.parties);
    let table = mapping::claim_status();
    let mut hl = 3;
    for p in providers {
        let provider_hl = hl.to_string();
        let billing =
            child(tree, p.loop_index, "2010AA").and_then(|l| tx.segments.get(tree.loops[l].first));
        let names = Names {
            entity: "85",
            persons: &["2", "1"],
            names: 4,
            qualifiers: &["XX", "FI", "SV"],
            fallback: ("FI", tax_id(tree, tx, p.loop_index, &cx.parties.delimiters)),
        };
        let mut out: Vec<OwnedSegment> = Vec::new();
        out.push(OwnedSegment::new(
            "HL",
            [provider_hl.as_str(), "2", "19", "1"],
        ));
        out.push(nm1(&names, billing, &cx.parties.delimiters));
        out.push(OwnedSegment::new("TRN", ["1", "0"]));
        let received = composite([
            table.received.category.as_str(),
            table.received.status.as_str(),
            "85",
        ]);
        out.push(segment(
            "STC",
            vec![
                received,
                simple(""),
                simple("WQ"),
                simple(p.totals.total().to_string()),
            ],
        ));
        out.extend(p.totals.segments(("QA", "QC")));
        body.body.extend(&out, cx.parties);
        hl += 1;
        for claim in p.claims {
            let patient = OwnedSegment::new("HL", [hl.to_string().as_str(), &provider_hl, "PT"]);
            body.body.push(&patient, cx.parties);
            body.body.append(&claim);
            hl += 1;
        }
    }
    body
}

/// BHT and the batch's 2000A and 2000B: the clearinghouse that received it (the 837's
/// receiver, 1000B), the submitter (1000A), the batch's BHT03 and its totals.
fn header(
    tree: &Tree,
    tx: &Transaction<'_>,
    batch: &Totals,
    cx: &Context<'_>,
) -> Vec<OwnedSegment> {
    let d = &cx.parties.delimiters;
    let table = mapping::claim_status();
    let trace = format!("{}-{}", cx.interchange, text(tx.control()));
    let trace = fit(trace.as_bytes(), 1, 50, d).unwrap_or_else(|| "0".into());
    let date = d8(cx.date);
    let bht03 = tx
        .segments
        .get(1)
        .filter(|s| s.is("BHT"))
        .and_then(|s| fit(s.value(3), 1, 50, d));
    let source = Names {
        entity: "AY",
        persons: &["2"],
        names: 0,
        qualifiers: &["46", "FI", "PI", "XV"],
        fallback: ("46", NO_ID.into()),
    };
    let receiver = Names {
        entity: "41",
        persons: &["2", "1"],
        names: 2,
        qualifiers: &["46"],
        fallback: ("46", NO_ID.into()),
    };
    let received = composite([
        table.received.category.as_str(),
        table.received.status.as_str(),
        "AY",
    ]);
    let mut out = vec![
        OwnedSegment::new("BHT", ["0085", "08", &trace, &date, &cx.time, "TH"]),
        OwnedSegment::new("HL", ["1", "", "20", "1"]),
        nm1(&source, first_of(tree, tx, "1000B"), d),
        OwnedSegment::new("TRN", ["1", &trace]),
        OwnedSegment::new("DTP", ["050", "D8", &date]),
        OwnedSegment::new("DTP", ["009", "D8", &date]),
        OwnedSegment::new("HL", ["2", "1", "21", "1"]),
        nm1(&receiver, first_of(tree, tx, "1000A"), d),
        OwnedSegment::new("TRN", ["2", &bht03.unwrap_or_else(|| trace.clone())]),
        segment(
            "STC",
            vec![
                received,
                simple(date),
                simple("WQ"),
                simple(batch.total().to_string()),
            ],
        ),
    ];
    out.extend(batch.segments(("90", "AA")));
    out
}
