//! The envelopes of the acknowledgments: an interchange addressed back to the sender of
//! the one it answers (sender and receiver swapped), in its delimiters and line endings,
//! with fresh control numbers.

use chrono::NaiveDateTime;

use crate::x12::Control;
use crate::x12::{Delimiters, OwnedElement, OwnedSegment};

/// The interchange id qualifiers X12 005010 lists (ISA05, ISA07).
const ID_QUALIFIERS: [&str; 9] = ["01", "14", "20", "27", "28", "29", "30", "33", "ZZ"];

/// What an acknowledgment's envelope takes from the interchange it answers.
#[derive(Debug, Clone)]
pub struct Parties {
    /// ISA05 and ISA06 of the acknowledgment: the answered interchange's receiver.
    pub sender: (String, String),
    /// ISA07 and ISA08: the answered interchange's sender.
    pub receiver: (String, String),
    /// ISA15, `P` or `T`.
    pub usage: String,
    /// Its delimiters (a repetition separator chosen when it had none).
    pub delimiters: Delimiters,
    /// What follows each segment terminator (its line ending), when anything does.
    pub eol: Vec<u8>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `value` cut or padded with spaces to `width`.
fn fixed(value: &str, width: usize) -> String {
    let mut v: String = value.chars().take(width).collect();
    while v.chars().count() < width {
        v.push(' ');
    }
    v
}

impl Parties {
    /// From the answered interchange's ISA (values of ISA01..ISA16) and delimiters; `used`
    /// says which bytes occur in its input, so that a chosen repetition separator clashes
    /// with no value.
    pub fn of(isa: &[Vec<u8>], delimiters: Delimiters, eol: &[u8], used: &[bool; 256]) -> Parties {
        let value = |n: usize| isa.get(n - 1).map(|v| text(v)).unwrap_or_default();
        let qualifier = |n: usize| {
            let q = value(n);
            if ID_QUALIFIERS.contains(&q.as_str()) {
                q
            } else {
                "ZZ".to_string()
            }
        };
        let usage = match value(15).as_str() {
            "T" => "T",
            _ => "P",
        };
        let mut delimiters = if usable(&delimiters) {
            delimiters
        } else {
            Delimiters {
                element: b'*',
                component: b':',
                repetition: Some(b'^'),
                segment: b'~',
            }
        };
        if delimiters.repetition.is_none() {
            delimiters.repetition = b"^{|!`\\".iter().copied().find(|&b| {
                !used[usize::from(b)]
                    && ![delimiters.element, delimiters.component, delimiters.segment].contains(&b)
            });
        }
        let eol = match eol {
            b"\r\n" | b"\n" | b"\r" => eol.to_vec(),
            _ => Vec::new(),
        };
        // An id that cannot be written back as it is (a delimiter inside, too long).
        let id = |n: usize| {
            let v = value(n);
            let v = fit(v.trim_end().as_bytes(), 1, 15, &delimiters)
                .filter(|v| v.is_ascii())
                .unwrap_or_else(|| "UNKNOWN".into());
            fixed(&v, 15)
        };
        Parties {
            sender: (qualifier(7), id(8)),
            receiver: (qualifier(5), id(6)),
            usage: usage.to_string(),
            delimiters,
            eol,
        }
    }
}

/// Whether an acknowledgment can be written in `d`: four different bytes, none of them a
/// letter, digit, space, `.` or `-` (which the values it writes hold), the terminator
/// printable or a line break, the others printable.
fn usable(d: &Delimiters) -> bool {
    let bad = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'.' | b'-');
    let mut all = vec![d.element, d.component, d.segment];
    all.extend(d.repetition);
    let distinct = all
        .iter()
        .enumerate()
        .all(|(i, a)| !all[i + 1..].contains(a));
    distinct
        && !all.iter().any(|&b| bad(b))
        && [d.element, d.component]
            .iter()
            .chain(d.repetition.iter())
            .all(u8::is_ascii_graphic)
        && (d.segment.is_ascii_graphic() || matches!(d.segment, b'\n' | b'\r'))
}

/// Segments written ahead of the envelope they go in: their bytes and their count, so a
/// long acknowledgment is held as the bytes it will be, not as segments.
#[derive(Debug, Clone, Default)]
pub struct Body {
    bytes: Vec<u8>,
    count: usize,
}

impl Body {
    /// Adds `s`, written with `parties`' delimiters and line endings.
    pub fn push(&mut self, s: &OwnedSegment, parties: &Parties) {
        let d = &parties.delimiters;
        self.bytes.extend_from_slice(&s.body(d));
        self.bytes.push(d.segment);
        self.bytes.extend_from_slice(&parties.eol);
        self.count += 1;
    }

    /// Adds every segment of `segments`.
    pub fn extend<'s>(
        &mut self,
        segments: impl IntoIterator<Item = &'s OwnedSegment>,
        parties: &Parties,
    ) {
        for s in segments {
            self.push(s, parties);
        }
    }

    /// Adds the segments of `other`.
    pub fn append(&mut self, other: &Body) {
        self.bytes.extend_from_slice(&other.bytes);
        self.count += other.count;
    }
}

/// Writes acknowledgment interchanges one segment at a time.
pub struct Writer<'p> {
    parties: &'p Parties,
    now: NaiveDateTime,
    out: Vec<u8>,
    /// Segments of the open transaction, ST included.
    segments: usize,
    /// Transactions of the open group.
    transactions: usize,
    /// Groups of the open interchange.
    groups: usize,
    isa13: u32,
    gs06: u32,
    st02: String,
}

impl<'p> Writer<'p> {
    pub fn new(parties: &'p Parties, now: NaiveDateTime) -> Self {
        Writer {
            parties,
            now,
            out: Vec::new(),
            segments: 0,
            transactions: 0,
            groups: 0,
            isa13: 0,
            gs06: 0,
            st02: String::new(),
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// Writes one segment (counted in the open transaction).
    pub fn segment(&mut self, s: &OwnedSegment) {
        let d = &self.parties.delimiters;
        self.out.extend_from_slice(&s.body(d));
        self.out.push(d.segment);
        self.out.extend_from_slice(&self.parties.eol);
        self.segments += 1;
    }

    /// Writes the segments of `body` (counted in the open transaction).
    pub fn body(&mut self, body: &Body) {
        self.out.extend_from_slice(&body.bytes);
        self.segments += body.count;
    }

    /// Opens an interchange with the next ISA13.
    pub fn interchange(&mut self, numbers: &mut Control) {
        let p = self.parties;
        self.isa13 = numbers.next_isa13();
        self.groups = 0;
        let d = p.delimiters;
        let rep = d
            .repetition
            .map_or_else(|| "^".to_string(), |r| char::from(r).to_string());
        let isa = OwnedSegment::new(
            "ISA",
            [
                "00".to_string(),
                fixed("", 10),
                "00".into(),
                fixed("", 10),
                p.sender.0.clone(),
                p.sender.1.clone(),
                p.receiver.0.clone(),
                p.receiver.1.clone(),
                self.now.format("%y%m%d").to_string(),
                self.now.format("%H%M").to_string(),
                rep,
                "00501".into(),
                format!("{:09}", self.isa13),
                "0".into(),
                p.usage.clone(),
                char::from(d.component).to_string(),
            ],
        );
        self.segment(&isa);
    }

    /// Closes the interchange (IEA).
    pub fn end_interchange(&mut self) {
        let iea = OwnedSegment::new(
            "IEA",
            [self.groups.to_string(), format!("{:09}", self.isa13)],
        );
        self.segment(&iea);
    }

    /// Opens a functional group `functional_id` of guide `version`, from `sender` to
    /// `receiver` (GS02, GS03), with the next GS06.
    pub fn group(
        &mut self,
        numbers: &mut Control,
        functional_id: &str,
        version: &str,
        sender: &str,
        receiver: &str,
    ) {
        self.gs06 = numbers.next_gs06();
        self.transactions = 0;
        self.groups += 1;
        let gs = OwnedSegment::new(
            "GS",
            [
                functional_id,
                sender,
                receiver,
                &self.now.format("%Y%m%d").to_string(),
                &self.now.format("%H%M").to_string(),
                &self.gs06.to_string(),
                "X",
                version,
            ],
        );
        self.segment(&gs);
    }

    /// Closes the group (GE).
    pub fn end_group(&mut self) {
        let ge = OwnedSegment::new("GE", [self.transactions.to_string(), self.gs06.to_string()]);
        self.segment(&ge);
    }

    /// Opens a transaction set `set` of guide `version` with the next ST02.
    pub fn transaction(&mut self, numbers: &mut Control, set: &str, version: &str) {
        self.st02 = format!("{:04}", numbers.next_st02());
        self.transactions += 1;
        self.segments = 0;
        let st = OwnedSegment::new("ST", [set, &self.st02, version]);
        self.segment(&st);
    }

    /// Closes the transaction (SE, with its count).
    pub fn end_transaction(&mut self) {
        let se = OwnedSegment::new("SE", [(self.segments + 1).to_string(), self.st02.clone()]);
        self.segment(&se);
    }

    /// The open interchange's ISA13, as written.
    pub fn isa13(&self) -> String {
        format!("{:09}", self.isa13)
    }
}

/// A composite of `components`, trailing empty ones left out.
pub fn composite<'a>(components: impl IntoIterator<Item = &'a str>) -> OwnedElement {
    let mut parts: Vec<Vec<u8>> = components
        .into_iter()
        .map(|c| c.as_bytes().to_vec())
        .collect();
    while parts.len() > 1 && parts.last().is_some_and(Vec::is_empty) {
        parts.pop();
    }
    OwnedElement {
        repetitions: vec![parts],
    }
}

/// A segment of elements, trailing empty ones left out.
pub fn segment(id: &str, elements: Vec<OwnedElement>) -> OwnedSegment {
    let mut s = OwnedSegment {
        id: id.as_bytes().to_vec(),
        elements,
    };
    s.trim();
    s
}

/// A simple element.
pub fn simple(value: impl Into<Vec<u8>>) -> OwnedElement {
    OwnedElement::simple(value)
}

/// `value` when it fits an AN element of `min..=max` characters in an acknowledgment
/// written with `d`: UTF-8 without control characters or delimiters, else `None`.
pub fn fit(value: &[u8], min: usize, max: usize, d: &Delimiters) -> Option<String> {
    let s = std::str::from_utf8(value).ok()?;
    let delimiter =
        |b: u8| [d.element, d.component, d.segment].contains(&b) || Some(b) == d.repetition;
    let ok = (min..=max).contains(&s.chars().count())
        && !s.chars().any(char::is_control)
        && !value.iter().any(|&b| delimiter(b));
    ok.then(|| s.to_string())
}
