//! Envelopes: groups segments into interchanges (ISA/IEA), functional groups (GS/GE) and
//! transaction sets (ST/SE), checking control numbers and counts as it goes.
//!
//! It streams: one transaction is held at a time, so memory is bounded by the largest
//! transaction, not the file. Problems are findings with a position, never a stop.

use std::collections::VecDeque;

use super::error::LexError;
use super::lexer::Lexer;
use super::segment::Segment;
use crate::report::{Finding, Position, Severity};

/// Rule ids of the envelope checks.
pub mod rules {
    /// A trailer is missing, or a segment stands outside the envelope it needs.
    pub const STRUCTURE: &str = "envelope-structure";
    /// SE01 is not the number of segments from ST to SE.
    pub const SEGMENT_COUNT: &str = "segment-count";
    /// GE01 is not the number of transaction sets in the group.
    pub const TRANSACTION_COUNT: &str = "transaction-count";
    /// IEA01 is not the number of functional groups in the interchange.
    pub const GROUP_COUNT: &str = "group-count";
    /// A trailer's control number differs from its header's (IEA02, GE02, SE02).
    pub const CONTROL_NUMBER: &str = "control-number";
    /// ISA11 cannot be used as a repetition separator.
    pub const REPETITION_SEPARATOR: &str = "repetition-separator";
}

/// One transaction set, ST to SE (SE may be missing), with the envelope around it.
#[derive(Debug, Clone)]
pub struct Transaction<'a> {
    pub segments: Vec<Segment<'a>>,
    /// ISA13 of the interchange, empty when the transaction is outside one.
    pub interchange: &'a [u8],
    /// GS01, the functional identifier code (`HC` for claims).
    pub functional_id: &'a [u8],
    /// GS08, the version of the implementation guide.
    pub version: &'a [u8],
}

impl<'a> Transaction<'a> {
    /// ST01: `837`, `835`...
    pub fn set_id(&self) -> &'a [u8] {
        self.segments
            .first()
            .map(|s| s.value(1))
            .unwrap_or_default()
    }

    /// ST02.
    pub fn control(&self) -> &'a [u8] {
        self.segments
            .first()
            .map(|s| s.value(2))
            .unwrap_or_default()
    }

    /// The position of `segment` of this transaction, in input `file`.
    pub fn position(&self, file: &str, segment: &Segment<'_>) -> Position {
        Position {
            file: file.to_string(),
            interchange: (!self.interchange.is_empty()).then(|| text(self.interchange)),
            transaction: Some(text(self.control())),
            segment: segment.index,
            byte: segment.byte,
            text_line: segment.line,
        }
    }

    /// ST03 when present, else GS08.
    pub fn guide(&self) -> &'a [u8] {
        match self.segments.first().map(|s| s.value(3)) {
            Some(v) if !v.is_empty() => v,
            _ => self.version,
        }
    }
}

/// What the envelope reader yields, in input order.
#[derive(Debug, Clone)]
pub enum Unit<'a> {
    /// ISA, GS, GE, IEA, or a segment that stands outside any transaction.
    Segment(Segment<'a>),
    Transaction(Transaction<'a>),
}

#[derive(Debug, Clone)]
struct Open<'a> {
    header: Segment<'a>,
    children: usize,
}

/// Streams the units of one input and collects envelope findings.
#[derive(Debug)]
pub struct Reader<'a> {
    lexer: Lexer<'a>,
    file: String,
    isa: Option<Open<'a>>,
    gs: Option<Open<'a>>,
    st: Option<Vec<Segment<'a>>>,
    queue: VecDeque<Unit<'a>>,
    findings: Vec<Finding>,
    error: Option<LexError>,
    finished: bool,
    /// The last segment read: where the end of input stands for trailers it lacks.
    last: Option<Segment<'a>>,
    /// Capacity for the next transaction: the size of the last one, so that a batch of
    /// similar transactions does not grow each vector from empty.
    capacity: usize,
}

/// Largest capacity carried from one transaction to the next (segments).
const MAX_CAPACITY_HINT: usize = 4096;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn number(b: &[u8]) -> Option<u64> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

/// Control numbers match when they are the same digits (leading zeros aside) or bytes.
fn same_control(a: &[u8], b: &[u8]) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim_ascii() == b.trim_ascii(),
    }
}

impl<'a> Reader<'a> {
    /// `file` names the input in findings.
    pub fn new(input: &'a [u8], file: impl Into<String>) -> Self {
        Reader {
            lexer: Lexer::new(input),
            file: file.into(),
            isa: None,
            gs: None,
            st: None,
            queue: VecDeque::new(),
            findings: Vec::new(),
            error: None,
            finished: false,
            last: None,
            capacity: 0,
        }
    }

    /// The BOM and white space before the first segment.
    pub fn prefix(&self) -> &'a [u8] {
        self.lexer.prefix()
    }

    /// Takes the findings collected so far.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// The position of `segment` inside the envelopes open now.
    pub fn position_of(&self, segment: &Segment<'_>) -> Position {
        Position {
            file: self.file.clone(),
            interchange: self.isa.as_ref().map(|o| text(o.header.value(13))),
            transaction: self
                .st
                .as_ref()
                .and_then(|v| v.first())
                .map(|st| text(st.value(2))),
            segment: segment.index,
            byte: segment.byte,
            text_line: segment.line,
        }
    }

    fn finding(&mut self, rule: &'static str, severity: Severity, message: String, at: &Segment) {
        let position = self.position_of(at);
        self.findings
            .push(Finding::new(rule, severity, message, position));
    }

    fn close_transaction(&mut self, at: &Segment<'a>) {
        let position = self.position_of(at);
        if let Some(segments) = self.st.take() {
            let message = format!("transaction {} has no SE", text(segments[0].value(2)));
            self.findings.push(Finding::new(
                rules::STRUCTURE,
                Severity::Error,
                message,
                position,
            ));
            self.emit_transaction(segments);
        }
    }

    fn emit_transaction(&mut self, segments: Vec<Segment<'a>>) {
        // Bounded so that one huge transaction does not pin its size on every later one.
        self.capacity = segments.len().min(MAX_CAPACITY_HINT);
        if let Some(gs) = self.gs.as_mut() {
            gs.children += 1;
        }
        let (functional_id, version) = match &self.gs {
            Some(g) => (g.header.value(1), g.header.value(8)),
            None => (&b""[..], &b""[..]),
        };
        let interchange = self
            .isa
            .as_ref()
            .map(|o| o.header.value(13))
            .unwrap_or_default();
        self.queue.push_back(Unit::Transaction(Transaction {
            segments,
            interchange,
            functional_id,
            version,
        }));
    }

    fn close_group(&mut self, at: &Segment<'a>) {
        if let Some(gs) = self.gs.take() {
            self.finding(
                rules::STRUCTURE,
                Severity::Error,
                format!("functional group {} has no GE", text(gs.header.value(6))),
                at,
            );
        }
    }

    fn close_interchange(&mut self, at: &Segment<'a>) {
        if let Some(isa) = self.isa.take() {
            self.finding(
                rules::STRUCTURE,
                Severity::Error,
                format!("interchange {} has no IEA", text(isa.header.value(13))),
                at,
            );
        }
    }

    fn check_count(&mut self, rule: &'static str, what: &str, seg: &Segment<'a>, actual: usize) {
        let stated = seg.value(1);
        if number(stated) != Some(actual as u64) {
            self.finding(
                rule,
                Severity::Error,
                format!(
                    "{}01 says {} {what}, there are {actual}",
                    text(seg.id()),
                    text(stated)
                ),
                seg,
            );
        }
    }

    fn check_control(&mut self, seg: &Segment<'a>, header: &Segment<'a>, n: usize) {
        let (trailer, head) = (seg.value(2), header.value(n));
        if !same_control(trailer, head) {
            self.finding(
                rules::CONTROL_NUMBER,
                Severity::Error,
                format!(
                    "{}02 {} differs from {}{n:02} {}",
                    text(seg.id()),
                    text(trailer),
                    text(header.id()),
                    text(head)
                ),
                seg,
            );
        }
    }

    fn isa11(&mut self, isa: &Segment<'a>) {
        if isa.delimiters.repetition.is_none() {
            let v = text(isa.value(11));
            self.finding(
                rules::REPETITION_SEPARATOR,
                Severity::Warning,
                format!(
                    "ISA11 '{v}' is not a usable repetition separator; elements are not split at it"
                ),
                isa,
            );
        }
    }

    fn accept(&mut self, seg: Segment<'a>) {
        self.last = Some(seg);
        match seg.id() {
            b"ISA" => {
                self.close_transaction(&seg);
                self.close_group(&seg);
                self.close_interchange(&seg);
                self.isa = Some(Open {
                    header: seg,
                    children: 0,
                });
                self.isa11(&seg);
                self.queue.push_back(Unit::Segment(seg));
            }
            b"GS" => {
                self.close_transaction(&seg);
                self.close_group(&seg);
                if self.isa.is_none() {
                    let m = "GS outside an interchange".to_string();
                    self.finding(rules::STRUCTURE, Severity::Error, m, &seg);
                }
                self.gs = Some(Open {
                    header: seg,
                    children: 0,
                });
                self.queue.push_back(Unit::Segment(seg));
            }
            b"ST" => {
                self.close_transaction(&seg);
                if self.gs.is_none() {
                    let m = "ST outside a functional group".to_string();
                    self.finding(rules::STRUCTURE, Severity::Error, m, &seg);
                }
                let mut segments = Vec::with_capacity(self.capacity);
                segments.push(seg);
                self.st = Some(segments);
            }
            b"SE" if self.st.is_some() => {
                let (st, n) = match self.st.as_mut() {
                    Some(v) => {
                        v.push(seg);
                        (v[0], v.len())
                    }
                    None => return,
                };
                self.check_count(rules::SEGMENT_COUNT, "segments", &seg, n);
                self.check_control(&seg, &st, 2);
                let segments = self.st.take().unwrap_or_default();
                self.emit_transaction(segments);
            }
            b"GE" => {
                self.close_transaction(&seg);
                match self.gs.take() {
                    Some(gs) => {
                        self.check_count(
                            rules::TRANSACTION_COUNT,
                            "transactions",
                            &seg,
                            gs.children,
                        );
                        self.check_control(&seg, &gs.header, 6);
                        if let Some(isa) = self.isa.as_mut() {
                            isa.children += 1;
                        }
                    }
                    None => {
                        let m = "GE without GS".to_string();
                        self.finding(rules::STRUCTURE, Severity::Error, m, &seg);
                    }
                }
                self.queue.push_back(Unit::Segment(seg));
            }
            b"IEA" => {
                self.close_transaction(&seg);
                if let Some(gs) = self.gs.take() {
                    self.gs = Some(gs);
                    self.close_group(&seg);
                    if let Some(isa) = self.isa.as_mut() {
                        isa.children += 1;
                    }
                }
                match self.isa.take() {
                    Some(isa) => {
                        self.check_count(rules::GROUP_COUNT, "groups", &seg, isa.children);
                        self.check_control(&seg, &isa.header, 13);
                    }
                    None => {
                        let m = "IEA without ISA".to_string();
                        self.finding(rules::STRUCTURE, Severity::Error, m, &seg);
                    }
                }
                self.queue.push_back(Unit::Segment(seg));
            }
            _ => match self.st.as_mut() {
                Some(v) => v.push(seg),
                None => {
                    let m = format!("{} outside a transaction set", text(seg.id()));
                    self.finding(rules::STRUCTURE, Severity::Error, m, &seg);
                    self.queue.push_back(Unit::Segment(seg));
                }
            },
        }
    }

    fn finish(&mut self) {
        self.finished = true;
        // The end of input stands where the last segment ended.
        let Some(last) = self.last else {
            return;
        };
        self.close_transaction(&last);
        self.close_group(&last);
        self.close_interchange(&last);
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Unit<'a>, LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(u) = self.queue.pop_front() {
                return Some(Ok(u));
            }
            if let Some(e) = self.error.take() {
                return Some(Err(e));
            }
            if self.finished {
                return None;
            }
            match self.lexer.next() {
                Some(Ok(seg)) => self.accept(seg),
                Some(Err(e)) => {
                    // Keep what was read: the open transaction first, then the error.
                    self.finish();
                    self.error = Some(e);
                }
                None => self.finish(),
            }
        }
    }
}
