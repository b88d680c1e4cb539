//! Envelopes: groups segments into interchanges (ISA/IEA), functional groups (GS/GE) and
//! transaction sets (ST/SE), checking control numbers and counts as it goes.
//!
//! It streams: one transaction is held at a time, so memory is bounded by the largest
//! transaction, not the file. Problems are reported with a position, never a stop.

use std::collections::VecDeque;
use std::sync::Arc;

use super::error::LexError;
use super::lexer::{LexState, Lexer};
use super::problem::{Check, Problem};
use super::segment::Segment;
use crate::echo;

/// The width of each ISA element: the ISA is fixed-width, so that a receiver can read it
/// at fixed offsets.
const ISA_WIDTHS: [usize; 16] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

/// Bytes of an ISA from its `I` to its terminator included.
const ISA_LEN: usize = 106;

/// Interchange id qualifiers (ISA05, ISA07) that X12 005010 lists.
const ID_QUALIFIERS: &[&[u8]] = &[
    b"01", b"14", b"20", b"27", b"28", b"29", b"30", b"33", b"ZZ",
];

/// The ISA elements with a code list (X12 005010): authorization and security
/// information qualifiers, id qualifiers, acknowledgment requested, usage indicator.
const ISA_CODES: [(usize, &[&[u8]]); 6] = [
    (1, &[b"00", b"03"]),
    (3, &[b"00", b"01"]),
    (5, ID_QUALIFIERS),
    (7, ID_QUALIFIERS),
    (14, &[b"0", b"1"]),
    (15, &[b"P", b"T"]),
];

/// The envelope around a transaction: what its ISA and GS said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// ISA13, empty when the transaction is outside an interchange.
    pub interchange: Vec<u8>,
    /// GS01, the functional identifier code (`HC` for claims).
    pub functional_id: Vec<u8>,
    /// GS08, the version of the implementation guide.
    pub version: Vec<u8>,
}

/// One transaction set, ST to SE (SE may be missing), with the envelope around it.
#[derive(Debug, Clone)]
pub struct Transaction<'a> {
    pub segments: Vec<Segment<'a>>,
    pub envelope: Arc<Envelope>,
}

impl<'a> Transaction<'a> {
    /// A transaction of `segments` in `envelope`.
    pub fn new(segments: Vec<Segment<'a>>, envelope: Arc<Envelope>) -> Self {
        Transaction { segments, envelope }
    }

    /// ISA13 of the interchange, empty when the transaction is outside one.
    pub fn interchange(&self) -> &[u8] {
        &self.envelope.interchange
    }

    /// GS01.
    pub fn functional_id(&self) -> &[u8] {
        &self.envelope.functional_id
    }

    /// GS08.
    pub fn version(&self) -> &[u8] {
        &self.envelope.version
    }

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

    /// ST03 when present, else GS08.
    pub fn guide(&self) -> &[u8] {
        match self.segments.first().map(|s| s.value(3)) {
            Some(v) if !v.is_empty() => v,
            _ => self.version(),
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

/// An open ISA or GS: what its trailer is checked against.
#[derive(Debug, Clone)]
struct Open {
    /// `ISA` or `GS`.
    id: &'static str,
    /// ISA13 or GS06.
    control: Vec<u8>,
    /// Groups in the interchange, or transactions in the group.
    children: usize,
    /// TA1 segments in the interchange.
    ta1: usize,
    /// For a GS: the envelope its transactions carry.
    envelope: Arc<Envelope>,
}

/// Where a segment stood: for findings about what comes after it.
#[derive(Debug, Clone, Copy)]
struct Spot {
    index: usize,
    byte: usize,
    line: u32,
}

impl From<&Segment<'_>> for Spot {
    fn from(s: &Segment<'_>) -> Self {
        Spot {
            index: s.index,
            byte: s.byte,
            line: s.line,
        }
    }
}

/// What the envelope reader carries from one block of a stream to the next.
#[derive(Debug, Clone)]
pub struct ReaderState {
    lex: LexState,
    isa: Option<Open>,
    gs: Option<Open>,
    problems: Vec<Problem>,
    last: Option<Spot>,
    capacity: usize,
}

impl Default for ReaderState {
    fn default() -> Self {
        ReaderState::new()
    }
}

impl ReaderState {
    /// The state before the first block of an input.
    pub fn new() -> Self {
        ReaderState {
            lex: LexState::default(),
            isa: None,
            gs: None,
            problems: Vec::new(),
            last: None,
            capacity: 0,
        }
    }

    /// Takes the problems found so far.
    pub fn take_problems(&mut self) -> Vec<Problem> {
        std::mem::take(&mut self.problems)
    }

    /// Where the lexer stands: the start of the next block.
    pub fn lex(&self) -> LexState {
        self.lex
    }
}

/// Streams the units of one input (or one block of a stream) and collects envelope
/// findings.
#[derive(Debug)]
pub struct Reader<'a> {
    lexer: Lexer<'a>,
    state: ReaderState,
    st: Option<Vec<Segment<'a>>>,
    queue: VecDeque<Unit<'a>>,
    error: Option<LexError>,
    finished: bool,
    /// This block is the end of the input: open envelopes are closed at its end.
    last_block: bool,
}

/// Largest capacity carried from one transaction to the next (segments).
const MAX_CAPACITY_HINT: usize = 4096;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// YYMMDD with a month and a day that can be (the ISA's and TA1's dates).
pub fn is_yymmdd(v: &[u8]) -> bool {
    let two = |i: usize| u32::from(v[i] - b'0') * 10 + u32::from(v[i + 1] - b'0');
    v.len() == 6
        && v.iter().all(u8::is_ascii_digit)
        && (1..=12).contains(&two(2))
        && (1..=31).contains(&two(4))
}

/// HHMM, a time of day.
pub fn is_hhmm(v: &[u8]) -> bool {
    let two = |i: usize| u32::from(v[i] - b'0') * 10 + u32::from(v[i + 1] - b'0');
    v.len() == 4 && v.iter().all(u8::is_ascii_digit) && two(0) < 24 && two(2) < 60
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
    /// Reads a whole input.
    pub fn new(input: &'a [u8]) -> Self {
        Reader::block(input, ReaderState::new(), true, true)
    }

    /// Reads one block of a stream: `first` when it starts the input, `last` when it ends
    /// it. A block other than the last must end right after a segment (see `stream`).
    pub fn block(input: &'a [u8], state: ReaderState, first: bool, last: bool) -> Self {
        let lexer = if first {
            Lexer::first_block(input, false)
        } else {
            Lexer::resume(input, state.lex, false)
        };
        Reader {
            lexer,
            state,
            st: None,
            queue: VecDeque::new(),
            error: None,
            finished: false,
            last_block: last,
        }
    }

    /// The state to read the next block with. Call after the iterator ended.
    pub fn suspend(mut self) -> ReaderState {
        self.state.lex = self.lexer.state();
        self.state
    }

    /// The BOM and white space before the first segment.
    pub fn prefix(&self) -> &'a [u8] {
        self.lexer.prefix()
    }

    /// Takes the problems found so far.
    pub fn take_problems(&mut self) -> Vec<Problem> {
        self.state.take_problems()
    }

    fn problem(&mut self, check: Check, warning: bool, message: String, at: Spot) {
        self.problem_in(check, warning, message, at, None);
    }

    /// A problem about element `element` of the segment at `at`.
    fn problem_in(
        &mut self,
        check: Check,
        warning: bool,
        message: String,
        at: Spot,
        element: Option<u8>,
    ) {
        let problem = Problem {
            element,
            check,
            warning,
            message,
            segment: at.index,
            byte: at.byte,
            line: at.line,
            interchange: self.state.isa.as_ref().map(|o| text(&o.control)),
            transaction: (self.st.as_ref())
                .and_then(|v| v.first())
                .map(|st| text(st.value(2))),
        };
        self.state.problems.push(problem);
    }

    fn close_transaction(&mut self, at: Spot) {
        if self.st.is_some() {
            let control = self.st.as_ref().map(|v| v[0].value(2)).unwrap_or_default();
            let message = format!("transaction {} has no SE", echo::code(control));
            self.problem(Check::Structure, false, message, at);
        }
        if let Some(segments) = self.st.take() {
            self.emit_transaction(segments);
        }
    }

    fn emit_transaction(&mut self, segments: Vec<Segment<'a>>) {
        // Bounded so that one huge transaction does not pin its size on every later one.
        self.state.capacity = segments.len().min(MAX_CAPACITY_HINT);
        let envelope = match self.state.gs.as_mut() {
            Some(gs) => {
                gs.children += 1;
                gs.envelope.clone()
            }
            None => Arc::new(Envelope {
                interchange: self
                    .state
                    .isa
                    .as_ref()
                    .map(|o| o.control.clone())
                    .unwrap_or_default(),
                ..Envelope::default()
            }),
        };
        self.queue
            .push_back(Unit::Transaction(Transaction { segments, envelope }));
    }

    /// Reports an open GS or ISA that ends without its trailer.
    fn unclosed(&mut self, open: Option<Open>, what: &str, trailer: &str, at: Spot) {
        if let Some(o) = open {
            let m = format!("{what} {} has no {trailer}", echo::code(&o.control));
            self.problem(Check::Structure, false, m, at);
        }
    }

    fn close_group(&mut self, at: Spot) {
        let gs = self.state.gs.take();
        self.unclosed(gs, "functional group", "GE", at);
    }

    fn close_interchange(&mut self, at: Spot) {
        let isa = self.state.isa.take();
        self.unclosed(isa, "interchange", "IEA", at);
    }

    fn check_count(&mut self, check: Check, what: &str, seg: &Segment<'a>, actual: usize) {
        let stated = seg.value(1);
        if number(stated) != Some(actual as u64) {
            self.problem(
                check,
                false,
                format!(
                    "{}01 says {} {what}, there are {actual}",
                    text(seg.id()),
                    echo::code(stated)
                ),
                seg.into(),
            );
        }
    }

    fn check_control(&mut self, seg: &Segment<'a>, header: &'static str, control: &[u8], n: usize) {
        let trailer = seg.value(2);
        if !same_control(trailer, control) {
            self.problem(
                Check::ControlNumber,
                false,
                format!(
                    "{}02 {} differs from {header}{n:02} {}",
                    text(seg.id()),
                    echo::code(trailer),
                    echo::code(control)
                ),
                seg.into(),
            );
        }
    }

    fn isa11(&mut self, isa: &Segment<'a>) {
        if isa.delimiters.repetition.is_none() {
            let v = echo::delimiter(isa.value(11));
            self.problem(
                Check::RepetitionSeparator,
                true,
                format!(
                    "ISA11 {v} is not a usable repetition separator; elements are not split at it"
                ),
                isa.into(),
            );
        }
    }

    /// The ISA's fixed widths, its code lists and a numeric ISA13. ISA02 and ISA04 hold
    /// passwords and ISA06/ISA08 sender and receiver ids: their values are never quoted.
    fn check_isa(&mut self, isa: &Segment<'a>) {
        let len = isa.body().len() + 1;
        let off: Vec<(u8, String)> = (isa.elements().zip(ISA_WIDTHS).enumerate())
            .filter(|(_, (e, width))| e.bytes().len() != *width)
            .map(|(i, (e, width))| {
                let m = format!("ISA{:02} has {}, not {width}", i + 1, e.bytes().len());
                (i as u8 + 1, m)
            })
            .collect();
        if len != ISA_LEN || !off.is_empty() {
            let mut m = format!("ISA is {len} bytes, X12 fixes it at {ISA_LEN}");
            if !off.is_empty() {
                m.push_str(": ");
                m.push_str(
                    &off.iter()
                        .map(|(_, m)| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            let first = off.first().map(|(n, _)| *n);
            self.problem_in(Check::IsaWidth, false, m, isa.into(), first);
        }
        for (n, codes) in ISA_CODES {
            let v = isa.value(n);
            if !codes.contains(&v) {
                let m = format!("{} is not a valid code for ISA{n:02}", echo::quoted(v));
                self.problem_in(Check::IsaCode, false, m, isa.into(), Some(n as u8));
            }
        }
        let isa13 = isa.value(13);
        if isa13.is_empty() || !isa13.iter().all(u8::is_ascii_digit) {
            let m = "ISA13 (interchange control number) is not all digits".to_string();
            self.problem_in(Check::IsaDigits, false, m, isa.into(), Some(13));
        }
    }

    /// A TA1 (an interchange acknowledgment, inside an interchange and outside any
    /// group): its five elements, the control number, date, time and codes X12 gives them.
    fn check_ta1(&mut self, ta1: &Segment<'a>) {
        let at = Spot::from(ta1);
        let [control, date, time, code, note] = ta1.values::<5>();
        for (n, v) in [control, date, time, code, note].into_iter().enumerate() {
            if v.is_empty() {
                let m = format!("required TA1{:02} is missing", n + 1);
                self.problem_in(Check::ControlMissing, false, m, at, Some(n as u8 + 1));
            }
        }
        let extra = ta1.elements().skip(5).position(|e| !e.is_empty());
        if let Some(i) = extra {
            let m = "TA1 has more than its five elements".to_string();
            self.problem_in(Check::ControlTooMany, false, m, at, Some(i as u8 + 6));
        }
        if !control.is_empty() && control.len() != 9 {
            let m = format!("TA101 has {}, not 9", control.len());
            self.problem_in(Check::IsaWidth, false, m, at, Some(1));
        }
        let digits = |v: &[u8]| v.iter().all(u8::is_ascii_digit);
        for (n, v, ok) in [
            (1, control, digits(control)),
            (2, date, is_yymmdd(date)),
            (3, time, is_hhmm(time)),
        ] {
            if !v.is_empty() && !ok {
                let m = format!(
                    "TA1{n:02} is not a valid {}",
                    ["number", "date", "time"][n - 1]
                );
                self.problem_in(Check::IsaDigits, false, m, at, Some(n as u8));
            }
        }
        let note_ok = note.len() == 3 && digits(note) && note <= b"031".as_slice();
        for (n, v, ok) in [
            (4, code, matches!(code, b"A" | b"E" | b"R")),
            (5, note, note_ok),
        ] {
            if !v.is_empty() && !ok {
                let m = format!("{} is not a valid code for TA1{n:02}", echo::quoted(v));
                self.problem_in(Check::IsaCode, false, m, at, Some(n));
            }
        }
    }

    fn accept(&mut self, seg: Segment<'a>) {
        self.state.last = Some(Spot::from(&seg));
        match seg.id() {
            b"ISA" => self.isa(seg),
            b"GS" => self.gs(seg),
            b"ST" => {
                let at = Spot::from(&seg);
                self.close_transaction(at);
                if self.state.gs.is_none() {
                    let m = "ST outside a functional group".to_string();
                    self.problem(Check::Structure, false, m, at);
                }
                // A list a transaction done with gave back to this thread, when there is
                // one (see `stream::Shared::recycle`).
                let mut segments = super::spare::take(self.state.capacity);
                segments.push(seg);
                self.st = Some(segments);
            }
            b"SE" if self.st.is_some() => self.se(seg),
            b"TA1" if self.st.is_none() && self.state.gs.is_none() && self.state.isa.is_some() => {
                self.check_ta1(&seg);
                if let Some(isa) = self.state.isa.as_mut() {
                    isa.ta1 += 1;
                }
                self.queue.push_back(Unit::Segment(seg));
            }
            b"GE" => self.ge(seg),
            b"IEA" => self.iea(seg),
            _ => match self.st.as_mut() {
                Some(v) => v.push(seg),
                None => {
                    let m = format!(
                        "{} outside a transaction set",
                        echo::segment(seg.id(), seg.body())
                    );
                    self.problem(Check::Structure, false, m, Spot::from(&seg));
                    self.queue.push_back(Unit::Segment(seg));
                }
            },
        }
    }

    fn isa(&mut self, seg: Segment<'a>) {
        let at = Spot::from(&seg);
        self.close_transaction(at);
        self.close_group(at);
        self.close_interchange(at);
        self.state.isa = Some(Open {
            id: "ISA",
            control: seg.value(13).to_vec(),
            children: 0,
            ta1: 0,
            envelope: Arc::default(),
        });
        self.isa11(&seg);
        self.check_isa(&seg);
        self.queue.push_back(Unit::Segment(seg));
    }

    fn gs(&mut self, seg: Segment<'a>) {
        let at = Spot::from(&seg);
        self.close_transaction(at);
        if self.state.gs.is_some() {
            // A group without GE is still one of the interchange's groups, as at IEA.
            self.close_group(at);
            if let Some(isa) = self.state.isa.as_mut() {
                isa.children += 1;
            }
        }
        if self.state.isa.is_none() {
            let m = "GS outside an interchange".to_string();
            self.problem(Check::Structure, false, m, at);
        }
        let envelope = Arc::new(Envelope {
            interchange: (self.state.isa.as_ref())
                .map(|o| o.control.clone())
                .unwrap_or_default(),
            functional_id: seg.value(1).to_vec(),
            version: seg.value(8).to_vec(),
        });
        self.state.gs = Some(Open {
            id: "GS",
            control: seg.value(6).to_vec(),
            children: 0,
            ta1: 0,
            envelope,
        });
        self.queue.push_back(Unit::Segment(seg));
    }

    fn se(&mut self, seg: Segment<'a>) {
        let (st, n) = match self.st.as_mut() {
            Some(v) => {
                v.push(seg);
                (v[0], v.len())
            }
            None => return,
        };
        self.check_count(Check::SegmentCount, "segments", &seg, n);
        self.check_control(&seg, "ST", st.value(2), 2);
        let segments = self.st.take().unwrap_or_default();
        self.emit_transaction(segments);
    }

    fn ge(&mut self, seg: Segment<'a>) {
        let at = Spot::from(&seg);
        self.close_transaction(at);
        match self.state.gs.take() {
            Some(gs) => {
                let n = gs.children;
                self.check_count(Check::TransactionCount, "transactions", &seg, n);
                self.check_control(&seg, gs.id, &gs.control, 6);
                if let Some(isa) = self.state.isa.as_mut() {
                    isa.children += 1;
                }
            }
            None => {
                let m = "GE without GS".to_string();
                self.problem(Check::Structure, false, m, at);
            }
        }
        self.queue.push_back(Unit::Segment(seg));
    }

    fn iea(&mut self, seg: Segment<'a>) {
        let at = Spot::from(&seg);
        self.close_transaction(at);
        if self.state.gs.is_some() {
            self.close_group(at);
            if let Some(isa) = self.state.isa.as_mut() {
                isa.children += 1;
            }
        }
        match self.state.isa.take() {
            Some(isa) => {
                // An interchange of TA1s alone: many senders count the TA1s in IEA01.
                let ta1_only = isa.children == 0 && number(seg.value(1)) == Some(isa.ta1 as u64);
                if !ta1_only {
                    self.check_count(Check::GroupCount, "groups", &seg, isa.children);
                }
                self.check_control(&seg, isa.id, &isa.control, 13);
            }
            None => {
                let m = "IEA without ISA".to_string();
                self.problem(Check::Structure, false, m, at);
            }
        }
        self.queue.push_back(Unit::Segment(seg));
    }

    fn finish(&mut self) {
        self.finished = true;
        if !self.last_block {
            // A block ends after a segment that closed its transaction; the rest follows.
            if let Some(segments) = self.st.take() {
                self.emit_transaction(segments);
            }
            return;
        }
        // The end of input stands where the last segment ended.
        let Some(last) = self.state.last else {
            return;
        };
        self.close_transaction(last);
        self.close_group(last);
        self.close_interchange(last);
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
                    self.last_block = true;
                    self.finish();
                    self.error = Some(e);
                }
                None => self.finish(),
            }
        }
    }
}

/// The first transaction of `bytes`, for tests.
#[cfg(test)]
pub(crate) fn first_transaction(bytes: &[u8]) -> Transaction<'_> {
    (Reader::new(bytes))
        .find_map(|u| match u {
            Ok(Unit::Transaction(t)) => Some(t),
            _ => None,
        })
        .expect("a transaction")
}
