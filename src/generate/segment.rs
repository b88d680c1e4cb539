//! `SegmentBuf`: segments written straight into one reusable byte buffer with the default
//! delimiters (`*`, `:`, `~` and a newline), numbers and decimals formatted without `fmt`.

use rust_decimal::Decimal;

pub use crate::digits::{push_decimal, push_padded, push_u64};
use crate::x12::{Delimiters, OwnedElement, OwnedSegment};

const D: Delimiters = Delimiters {
    element: b'*',
    component: b':',
    repetition: Some(b'^'),
    segment: b'~',
};

/// Bytes of whole segments, each ended by `~` and a newline, and how many there are.
#[derive(Debug, Default, Clone)]
pub struct SegmentBuf {
    bytes: Vec<u8>,
    segments: u64,
    /// Values as given (`generate --as-written`): decimals keep their scale, codes their
    /// points and case.
    verbatim: bool,
}

impl SegmentBuf {
    pub fn with_capacity(bytes: usize) -> Self {
        SegmentBuf {
            bytes: Vec::with_capacity(bytes),
            segments: 0,
            verbatim: false,
        }
    }

    /// Writes values as given from now on (see `verbatim`).
    pub fn set_verbatim(&mut self) {
        self.verbatim = true;
    }

    /// Whether values are written as given.
    pub fn verbatim(&self) -> bool {
        self.verbatim
    }

    /// The delimiters every segment here is written with.
    pub const fn delimiters() -> Delimiters {
        D
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Segments ended since this buffer was made (less those taken by `split_off`): a
    /// running count that `clear` keeps, so SE01 can be counted across flushes.
    pub fn segments(&self) -> u64 {
        self.segments
    }

    /// Drops the bytes (once written out); the segment count stays.
    pub fn clear(&mut self) {
        self.bytes.clear();
    }

    /// Starts a segment with its id.
    pub fn id(&mut self, id: &str) -> &mut Self {
        self.bytes.extend_from_slice(id.as_bytes());
        self
    }

    /// Appends a simple element.
    pub fn el(&mut self, value: &str) -> &mut Self {
        self.bytes.push(D.element);
        self.bytes.extend_from_slice(value.as_bytes());
        self
    }

    /// Appends simple elements.
    pub fn els(&mut self, values: &[&str]) -> &mut Self {
        for v in values {
            self.el(v);
        }
        self
    }

    /// Appends a component to the element being written.
    pub fn comp(&mut self, value: &str) -> &mut Self {
        self.bytes.push(D.component);
        self.bytes.extend_from_slice(value.as_bytes());
        self
    }

    /// Appends text to the element or component being written.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.bytes.extend_from_slice(value.as_bytes());
        self
    }

    /// Appends an element holding `n` in decimal.
    pub fn el_num(&mut self, n: u64) -> &mut Self {
        self.bytes.push(D.element);
        self.num(n)
    }

    /// Appends `n` in decimal to the element being written.
    pub fn num(&mut self, n: u64) -> &mut Self {
        push_u64(&mut self.bytes, n);
        self
    }

    /// Appends an element holding `d` as `build::decimal` writes it.
    pub fn el_decimal(&mut self, d: Decimal) -> &mut Self {
        self.bytes.push(D.element);
        if self.verbatim {
            self.bytes.extend_from_slice(d.to_string().as_bytes());
        } else {
            push_decimal(&mut self.bytes, d);
        }
        self
    }

    /// Appends `YYYY-MM-DD` as `CCYYMMDD` (every `-` dropped) to the element being written.
    pub fn d8(&mut self, date: &str) -> &mut Self {
        self.bytes
            .extend(date.as_bytes().iter().copied().filter(|&b| b != b'-'));
        self
    }

    /// Ends the segment.
    pub fn end(&mut self) {
        self.bytes.push(D.segment);
        self.bytes.push(b'\n');
        self.segments += 1;
    }

    /// A whole segment of simple elements.
    pub fn seg(&mut self, id: &str, elements: &[&str]) {
        self.id(id).els(elements).end();
    }

    /// A whole segment held by value.
    pub fn owned(&mut self, s: &OwnedSegment) {
        self.bytes.extend_from_slice(&s.id);
        for e in &s.elements {
            self.bytes.push(D.element);
            for (r, rep) in e.repetitions.iter().enumerate() {
                if r > 0 {
                    self.bytes.push(D.repetition.unwrap_or(b'^'));
                }
                for (c, comp) in rep.iter().enumerate() {
                    if c > 0 {
                        self.bytes.push(D.component);
                    }
                    self.bytes.extend_from_slice(comp);
                }
            }
        }
        self.end();
    }

    /// The segments from byte `from` on, split back into values (they must hold no
    /// delimiter inside a value, which is true of synth's data), and removed from here.
    pub fn split_off(&mut self, from: usize) -> Vec<OwnedSegment> {
        let tail = self.bytes.split_off(from);
        let segs: Vec<OwnedSegment> = tail
            .split(|&b| b == D.segment)
            .map(|s| s.strip_prefix(b"\n").unwrap_or(s))
            .filter(|s| !s.is_empty())
            .map(parse)
            .collect();
        self.segments -= segs.len() as u64;
        segs
    }
}

fn parse(text: &[u8]) -> OwnedSegment {
    let mut parts = text.split(|&b| b == D.element);
    let id = parts.next().unwrap_or_default().to_vec();
    let elements = parts
        .map(|e| OwnedElement {
            repetitions: e
                .split(|&b| Some(b) == D.repetition)
                .map(|r| r.split(|&b| b == D.component).map(<[u8]>::to_vec).collect())
                .collect(),
        })
        .collect();
    OwnedSegment { id, elements }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(d: Decimal) -> String {
        let mut out = Vec::new();
        push_decimal(&mut out, d);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn decimals_match_normalize_to_string() {
        let mut values = vec![
            Decimal::ZERO,
            Decimal::ONE,
            Decimal::new(0, 2),
            Decimal::new(5, 2),
            Decimal::new(50, 2),
            Decimal::new(1200, 2),
            Decimal::new(1205, 2),
            Decimal::new(100_000_000, 6),
            Decimal::new(1, 28),
            Decimal::new(-1250, 2),
            Decimal::new(-0, 3),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::from(120),
            Decimal::new(14_500_000, 2) / Decimal::from(5),
            Decimal::new(12_345_678, 2) / Decimal::from(7),
            Decimal::from(u64::MAX),
        ];
        for cents in (0..5000).step_by(7) {
            values.push(Decimal::new(cents, 2));
            values.push(Decimal::new(cents, 4));
        }
        for d in values {
            assert_eq!(dec(d), d.normalize().to_string(), "{d:?}");
        }
    }

    #[test]
    fn padded_numbers() {
        for n in [0, 7, 42, 999_999_999, 1_000_000_000, u64::MAX] {
            for width in [0, 1, 2, 4, 9, 25] {
                let mut s = String::from("X");
                push_padded(&mut s, n, width);
                assert_eq!(s, format!("X{n:0width$}"));
            }
        }
    }

    #[test]
    fn numbers() {
        for n in [
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            999,
            1000,
            1234,
            98765,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }

    #[test]
    fn split_off_round_trips() {
        let mut b = SegmentBuf::default();
        b.seg("ST", &["837", "0001"]);
        let at = b.len();
        b.id("CLM")
            .els(&["A", "1.5", "", ""])
            .el("11")
            .comp("B")
            .comp("1");
        b.end();
        b.seg("HI", &[]);
        b.seg("LIN", &["", "N4", "123"]);
        let segs = b.split_off(at);
        assert_eq!(b.segments(), 1);
        assert_eq!(segs.len(), 3);
        let mut again = SegmentBuf::default();
        for s in &segs {
            again.owned(s);
        }
        assert_eq!(
            again.bytes(),
            b"CLM*A*1.5***11:B:1~\nHI~\nLIN**N4*123~\n".as_slice()
        );
        assert_eq!(segs[0].elements[4].repetitions[0].len(), 3);
    }
}
