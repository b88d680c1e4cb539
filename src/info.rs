//! `x837 info`: the counts a person checks first, per input.

use std::ops::ControlFlow;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::reply::Reply;
use crate::report::RuleId;
use crate::report::{Finding, Position, Severity};
use crate::x12::stream::{self, Event};
use crate::x12::{LexError, Segment, Unit};

/// Counts of one input. `segments` counts every segment, ISA to IEA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Info {
    pub file: String,
    pub interchanges: u64,
    pub groups: u64,
    pub transactions: u64,
    pub segments: u64,
    /// CLM segments.
    pub claims: u64,
    /// LX segments.
    pub lines: u64,
    /// Sum of CLM02, as a decimal string.
    #[serde(serialize_with = "decimal_string")]
    pub billed: Decimal,
    /// What the acknowledgments in the input (TA1, 999, 277CA) say; `None` when it holds
    /// none.
    pub acknowledged: Option<Acknowledged>,
}

/// How many of something an acknowledgment accepts and rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Verdicts {
    pub accepted: u64,
    pub rejected: u64,
}

impl Verdicts {
    fn add(&mut self, accepted: bool) {
        if accepted {
            self.accepted += 1;
        } else {
            self.rejected += 1;
        }
    }
}

/// What the acknowledgments in an input say: interchanges (TA1), transaction sets
/// (999 AK2/IK5) and claims (277CA 2200D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Acknowledged {
    pub interchanges: Verdicts,
    pub transactions: Verdicts,
    pub claims: Verdicts,
}

impl Info {
    fn acknowledged(&mut self) -> &mut Acknowledged {
        self.acknowledged.get_or_insert_with(Acknowledged::default)
    }

    /// Counts what the TA1 `seg` acknowledges.
    fn ta1(&mut self, seg: &Segment<'_>) {
        let ta1 = crate::reply::Ta1::of(seg);
        self.acknowledged().interchanges.add(ta1.accepted());
    }

    /// Counts what a 999 or 277CA acknowledges.
    fn reply(&mut self, tx: &crate::x12::Transaction<'_>) {
        match crate::reply::of_transaction(tx) {
            Some(Reply::Implementation(g)) => {
                let a = self.acknowledged();
                g.transactions
                    .iter()
                    .for_each(|t| a.transactions.add(t.accepted()));
            }
            Some(Reply::ClaimAcknowledgment(b)) => {
                let a = self.acknowledged();
                b.claims.iter().for_each(|c| a.claims.add(!c.rejected()));
            }
            None => {}
        }
    }
}

fn decimal_string<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

/// The result of counting one input: the counts, envelope findings (and a warning for each
/// claim `billed` leaves out), and the error that stopped reading, if any (the counts then
/// cover what was read before it).
#[derive(Debug)]
pub struct Counted {
    pub info: Info,
    pub findings: Vec<Finding>,
    pub error: Option<LexError>,
}

impl Info {
    /// Counts `seg`; false when it is a CLM whose CLM02 is not a number, so that `billed`
    /// leaves it out.
    fn count(&mut self, seg: &Segment<'_>) -> bool {
        self.segments += 1;
        match seg.id() {
            b"ISA" => self.interchanges += 1,
            b"GS" => self.groups += 1,
            b"ST" => self.transactions += 1,
            b"LX" => self.lines += 1,
            b"CLM" => {
                self.claims += 1;
                match crate::claim::decimal(seg.value(2)) {
                    Some(a) => self.billed = self.billed.saturating_add(a),
                    None => return false,
                }
            }
            _ => {}
        }
        true
    }
}

/// The warning for a CLM02 that `billed` leaves out, at `position`.
fn unbilled(seg: &Segment<'_>, position: Position) -> Finding {
    let what = if seg.value(2).is_empty() {
        "CLM02 is missing"
    } else {
        "CLM02 is not a number"
    };
    Finding::new(
        RuleId::ElementType,
        Severity::Warning,
        format!("{what}; billed leaves this claim out"),
        position,
    )
}

/// One claim (CLM) of an 837 transaction: what a table of claims shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimInfo {
    /// ISA13 of its interchange.
    pub interchange: String,
    /// ST02 of its transaction.
    pub transaction: String,
    /// CLM01.
    pub clm01: String,
    /// `837P`, `837I` or `837D` from the guide (ST03, else GS08); `837` for another.
    pub kind: &'static str,
    /// CLM02 as a decimal string; none when it is not a number.
    #[serde(serialize_with = "optional_decimal")]
    pub billed: Option<Decimal>,
    /// LX segments (service lines) of the claim.
    pub lines: u64,
    /// Whether a service line bills the drug asked about (SV101-2 or SV202-2).
    #[serde(rename = "j2326")]
    pub drug: bool,
    /// Error- and warning-level findings that remain on the claim: 0 here; a scrub fills
    /// them in (`run::memory`).
    pub errors: usize,
    pub warnings: usize,
    /// Index of its CLM segment in the input it was read from (ISA is 0).
    #[serde(skip)]
    pub segment: usize,
}

fn optional_decimal<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// The kind of claim a guide (ST03/GS08) is for.
fn kind_of(guide: &[u8]) -> &'static str {
    let has = |part: &[u8]| guide.windows(part.len()).any(|w| w == part);
    if has(b"X222") {
        "837P"
    } else if has(b"X223") {
        "837I"
    } else if has(b"X224") {
        "837D"
    } else {
        "837"
    }
}

/// The claims of the 837 transactions of an input read as a stream, in input order;
/// `drug` is the HCPCS code `ClaimInfo::drug` looks for (`J2326`). A claim runs from its
/// CLM to the next CLM, HL or SE; what could not be read is not in it.
pub fn claims_read(read: impl std::io::Read, drug: &[u8]) -> std::io::Result<Vec<ClaimInfo>> {
    let mut claims: Vec<ClaimInfo> = Vec::new();
    stream::for_each(read, |event| {
        if let Event::Unit(Unit::Transaction(t)) = event
            && t.set_id() == b"837"
        {
            let kind = kind_of(t.guide());
            let mut open = false;
            for s in &t.segments {
                match s.id() {
                    b"CLM" => {
                        open = true;
                        claims.push(ClaimInfo {
                            interchange: String::from_utf8_lossy(t.interchange()).into_owned(),
                            transaction: String::from_utf8_lossy(t.control()).into_owned(),
                            clm01: String::from_utf8_lossy(s.value(1)).into_owned(),
                            kind,
                            billed: crate::claim::decimal(s.value(2)),
                            lines: 0,
                            drug: false,
                            errors: 0,
                            warnings: 0,
                            segment: s.index,
                        });
                    }
                    b"HL" | b"SE" => open = false,
                    id => {
                        if let (true, Some(c)) = (open, claims.last_mut()) {
                            c.lines += u64::from(id == b"LX");
                            c.drug |= (id == b"SV1" && s.component(1, 2) == drug)
                                || (id == b"SV2" && s.component(2, 2) == drug);
                        }
                    }
                }
            }
        }
        ControlFlow::Continue(())
    })?;
    Ok(claims)
}

/// Counts `input`, named `file` in the result.
pub fn count(input: &[u8], file: &str) -> Counted {
    // Reading from memory cannot fail.
    count_read(input, file).unwrap_or_else(|_| Counted {
        info: Info::default(),
        findings: Vec::new(),
        error: None,
    })
}

/// Counts an input read as a stream, one block at a time.
pub fn count_read(read: impl std::io::Read, file: &str) -> std::io::Result<Counted> {
    let mut info = Info {
        file: file.to_string(),
        ..Info::default()
    };
    let mut error = None;
    let mut unbilled_claims = Vec::new();
    let mut findings = Vec::new();
    stream::for_each(read, |event| {
        match event {
            Event::Unit(Unit::Segment(s)) => {
                if s.is("TA1") {
                    info.ta1(&s);
                }
                if !info.count(&s) {
                    let at = Position {
                        file: file.to_string(),
                        segment: s.index,
                        byte: s.byte,
                        text_line: s.line,
                        ..Position::default()
                    };
                    unbilled_claims.push(unbilled(&s, at));
                }
            }
            Event::Unit(Unit::Transaction(t)) => {
                if matches!(t.set_id(), b"999" | b"277") {
                    info.reply(&t);
                }
                for s in &t.segments {
                    if !info.count(s) {
                        unbilled_claims.push(unbilled(s, Position::at(file, &t, s)));
                    }
                }
            }
            Event::Error(e, _) => error = Some(e),
            Event::Problems(p) => {
                findings.extend(p.into_iter().map(|p| Finding::from_problem(p, file)))
            }
            Event::Prefix(_) => {}
        }
        ControlFlow::Continue(())
    })?;
    if !unbilled_claims.is_empty() {
        findings.append(&mut unbilled_claims);
        findings.sort_by_key(|f| f.position.segment);
    }
    Ok(Counted {
        info,
        findings,
        error,
    })
}
