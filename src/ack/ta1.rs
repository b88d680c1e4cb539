//! The TA1 of one interchange: rejected (TA104 `R`) with the note code of its first
//! envelope problem when its envelope is broken, accepted (`A`, `000`) when it asks for
//! one (ISA14 `1`); which problem gives which note is `ta1_notes.toml`.

use super::mapping;
use crate::report::{Finding, RuleId, Severity, Source};
use crate::x12::OwnedSegment;
use crate::x12::envelope::{is_hhmm, is_yymmdd};

/// What was wrong with one interchange's envelope, in input order.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    /// (segment index, TA105) of each problem found.
    notes: Vec<(usize, &'static str)>,
}

impl Problems {
    /// Whether the envelope is broken.
    pub fn broken(&self) -> bool {
        !self.notes.is_empty()
    }

    /// The note of the first problem.
    pub fn first(&self) -> Option<&'static str> {
        self.notes.iter().min_by_key(|(i, _)| *i).map(|(_, n)| *n)
    }

    /// A problem of the interchange as a whole (`unclosed`, `content`) at segment `at`.
    pub fn add(&mut self, what: &str, at: usize) {
        if let Some(n) = mapping::ta1_notes().interchange.get(what) {
            self.notes.push((at, n));
        }
    }

    /// An error-level envelope finding on the ISA (about one of its elements, or its
    /// width) or on the IEA (IEA01, IEA02). What does not close is found by the reading
    /// itself (`add`): the reader reports it where the next envelope starts.
    pub fn finding(&mut self, f: &Finding) {
        if f.severity != Severity::Error || f.rule == RuleId::EnvelopeStructure {
            return;
        }
        let t = mapping::ta1_notes();
        let note = match (f.rule, f.element) {
            (RuleId::GroupCount, _) => t.interchange.get("group-count"),
            (RuleId::ControlNumber, _) => t.interchange.get("control-number"),
            (RuleId::ElementLength | RuleId::CodeInvalid | RuleId::ElementType, Some(e)) => {
                t.isa.get(&format!("ISA{:02}", e.position))
            }
            (RuleId::ElementLength, None) => t.interchange.get("width"),
            _ if f.rule.source() == Source::Envelope => t.interchange.get("content"),
            _ => None,
        };
        if let Some(n) = note {
            self.notes.push((f.position.segment, n));
        }
    }
}

/// `value` when it is `width` digits, else zeros.
fn digits(value: &[u8], width: usize) -> String {
    if value.len() == width && value.iter().all(u8::is_ascii_digit) {
        String::from_utf8_lossy(value).into_owned()
    } else {
        "0".repeat(width)
    }
}

/// The TA1 answering the interchange whose ISA holds `isa` (ISA01..ISA16), when it needs
/// one: its envelope is broken, or it asks for one. `today` (YYMMDD) and `now` (HHMM)
/// stand in for an ISA09 or ISA10 that is not a date or time.
pub fn ta1(isa: &[Vec<u8>], problems: &Problems, today: &str, now: &str) -> Option<OwnedSegment> {
    let value = |n: usize| isa.get(n - 1).map_or(&[][..], Vec::as_slice);
    let asked = value(14) == b"1";
    let (code, note) = match problems.first() {
        Some(note) => ("R", note),
        None if asked => ("A", "000"),
        None => return None,
    };
    let (d, t) = (value(9), value(10));
    let date = if is_yymmdd(d) {
        String::from_utf8_lossy(d).into_owned()
    } else {
        today.to_string()
    };
    let time = if is_hhmm(t) {
        String::from_utf8_lossy(t).into_owned()
    } else {
        now.to_string()
    };
    Some(OwnedSegment::new(
        "TA1",
        [
            digits(value(13), 9),
            date,
            time,
            code.to_string(),
            note.to_string(),
        ],
    ))
}
