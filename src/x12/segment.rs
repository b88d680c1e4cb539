//! The zero-copy segment: a borrowed slice of the input with its position.
//!
//! Elements, components and repetitions are split lazily, on access, without allocating.

use super::delimiters::Delimiters;

/// One segment as it stands in the input.
///
/// `raw` holds the body (`NM1*85*2*...`), the terminator if present, and the trivia
/// (newlines, spaces) that follow it up to the next segment, so that concatenating the
/// `raw` of every segment after the file's prefix gives back the input byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    raw: &'a [u8],
    body_len: u32,
    /// The id's length; `u16::MAX` when it is longer (only in garbage): found again on use.
    id_len: u16,
    terminated: bool,
    /// Byte offset of the segment's first byte in the input, counted from 0.
    pub byte: usize,
    /// Index of the segment in the input, counted from 0 (ISA is segment 0).
    pub index: usize,
    /// Line of the segment's first byte, counted from 1.
    pub line: u32,
    /// The delimiters of the interchange the segment belongs to.
    pub delimiters: Delimiters,
}

impl<'a> Segment<'a> {
    /// Builds a segment from its raw bytes; `body_len` excludes the terminator and trivia.
    pub(crate) fn new(
        raw: &'a [u8],
        body_len: usize,
        terminated: bool,
        byte: usize,
        index: usize,
        line: u32,
        delimiters: Delimiters,
    ) -> Self {
        let body = &raw[..body_len];
        let id_len = id_end(delimiters.element, body);
        Segment {
            raw,
            body_len: body_len as u32,
            id_len: u16::try_from(id_len).unwrap_or(u16::MAX),
            terminated,
            byte,
            index,
            line,
            delimiters,
        }
    }

    /// The segment id: `NM1`, `CLM`, `SE`: the bytes before the first element separator.
    pub fn id(&self) -> &'a [u8] {
        &self.raw[..self.id_end()]
    }

    fn id_end(&self) -> usize {
        match self.id_len {
            u16::MAX => id_end(self.delimiters.element, self.body()),
            n => usize::from(n),
        }
    }

    /// True when the id is `id`.
    pub fn is(&self, id: &str) -> bool {
        same(self.id(), id.as_bytes())
    }

    /// The body without terminator: id and elements.
    pub fn body(&self) -> &'a [u8] {
        &self.raw[..self.body_len as usize]
    }

    /// Body, terminator and trailing trivia: the bytes to copy for an untouched segment.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Whether the segment ended with its terminator (the last one of a file may not).
    pub fn terminated(&self) -> bool {
        self.terminated
    }

    /// Bytes after the terminator up to the next segment: line endings, indentation.
    pub fn trivia(&self) -> &'a [u8] {
        let start = self.body_len as usize + usize::from(self.terminated);
        &self.raw[start..]
    }

    /// Byte offset just past the segment's raw bytes.
    pub fn end(&self) -> usize {
        self.byte + self.raw.len()
    }

    /// The elements after the id, in order, empty ones included.
    pub fn elements(&self) -> Elements<'a> {
        let body = self.body();
        let id = self.id_end();
        let rest = if id < body.len() {
            Some(&body[id + 1..])
        } else {
            None
        };
        Elements {
            rest,
            delimiters: self.delimiters,
        }
    }

    /// Element `n` counted as the guide does (`NM101` is 1); `None` when absent.
    pub fn element(&self, n: usize) -> Option<Element<'a>> {
        if n == 0 {
            return None;
        }
        self.elements().nth(n - 1)
    }

    /// The bytes of element `n`, or empty when absent.
    pub fn value(&self, n: usize) -> &'a [u8] {
        self.element(n).map(|e| e.bytes()).unwrap_or_default()
    }

    /// The bytes of elements 1 to `N` in one pass: `[0]` is element 1, absent ones empty.
    pub fn values<const N: usize>(&self) -> [&'a [u8]; N] {
        let mut out: [&'a [u8]; N] = [b""; N];
        for (slot, e) in out.iter_mut().zip(self.elements()) {
            *slot = e.bytes();
        }
        out
    }

    /// The bytes of component `c` (from 1) of element `n`, or empty when absent.
    pub fn component(&self, n: usize, c: usize) -> &'a [u8] {
        self.element(n)
            .and_then(|e| e.component(c))
            .unwrap_or_default()
    }

    /// Number of elements after the id, empty trailing ones included.
    pub fn element_count(&self) -> usize {
        self.elements().count()
    }

    /// The same segment borrowed from `bytes`, the bytes it lies in (borrowed again, for
    /// another lifetime): see [`rebased`].
    #[inline]
    pub(crate) fn rebase(self, bytes: &[u8]) -> Segment<'_> {
        Segment {
            raw: rebased(self.raw, bytes),
            body_len: self.body_len,
            id_len: self.id_len,
            terminated: self.terminated,
            byte: self.byte,
            index: self.index,
            line: self.line,
            delimiters: self.delimiters,
        }
    }

    /// The segment's raw bytes with the elements given (numbered from 1, present ones
    /// only) set to new values, every other byte (delimiters, terminator, trivia) as
    /// read: for envelope segments, whose elements are never composites (ISA16 is the
    /// component separator itself).
    pub fn with_elements(&self, set: &[(usize, &[u8])]) -> Vec<u8> {
        set_elements(self.raw, self.body().len(), self.delimiters.element, set)
    }
}

/// The segment `raw` (its body the first `body_len` bytes, elements separated by `sep`)
/// with the elements given set to new values: see [`Segment::with_elements`].
pub fn set_elements(raw: &[u8], body_len: usize, sep: u8, set: &[(usize, &[u8])]) -> Vec<u8> {
    let body = &raw[..body_len.min(raw.len())];
    let mut out = Vec::with_capacity(raw.len() + 16);
    let mut n = 0;
    let mut from = 0;
    for (i, b) in body.iter().copied().enumerate().chain([(body.len(), sep)]) {
        if b != sep {
            continue;
        }
        match set.iter().find(|(e, _)| *e == n) {
            Some((_, v)) if n > 0 => out.extend_from_slice(v),
            _ => out.extend_from_slice(&body[from..i]),
        }
        if i < body.len() {
            out.push(sep);
        }
        from = i + 1;
        n += 1;
    }
    out.extend_from_slice(&raw[body.len()..]);
    out
}

/// `part`, which lies in `bytes`, borrowed from `bytes`: the same slice for the lifetime
/// of `bytes`. Should `part` lie outside them (it does not where this is used), the result
/// is empty.
#[inline]
pub(crate) fn rebased<'c>(part: &[u8], bytes: &'c [u8]) -> &'c [u8] {
    let at = (part.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
    debug_assert!(
        at <= bytes.len() && part.len() <= bytes.len() - at,
        "a slice outside the bytes it was read from"
    );
    (at.checked_add(part.len()))
        .and_then(|end| bytes.get(at..end))
        .unwrap_or_default()
}

/// `a == b` for the short strings of X12 (ids, qualifiers, codes), compared byte by byte
/// in place: `==` on slices calls `memcmp` once the lengths agree, which costs more than
/// the compare for a few bytes, and the scrub asks millions of these.
#[inline]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Where the id ends: the first element separator, or the end of the body.
///
/// Ids are two or three bytes, so a scan of the first bytes finds the separator before
/// `memchr` would have finished its set-up; `memchr` is kept for odd, long ids.
#[inline]
fn id_end(sep: u8, body: &[u8]) -> usize {
    const SHORT: usize = 4;
    let head = &body[..body.len().min(SHORT)];
    if let Some(i) = head.iter().position(|&b| b == sep) {
        return i;
    }
    if body.len() <= SHORT {
        return body.len();
    }
    memchr::memchr(sep, &body[SHORT..]).map_or(body.len(), |i| i + SHORT)
}

/// Iterator over a segment's elements.
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    rest: Option<&'a [u8]>,
    delimiters: Delimiters,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Element<'a>;

    fn next(&mut self) -> Option<Element<'a>> {
        let rest = self.rest?;
        let (value, next) = split_once(rest, self.delimiters.element);
        self.rest = next;
        Some(Element {
            bytes: value,
            delimiters: self.delimiters,
        })
    }
}

/// Elements and components are short (a few bytes): a plain scan beats memchr's setup.
fn split_once(bytes: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match bytes.iter().position(|&b| b == sep) {
        Some(i) => (&bytes[..i], Some(&bytes[i + 1..])),
        None => (bytes, None),
    }
}

/// One element: a simple value, a composite of components, or repetitions of either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    bytes: &'a [u8],
    delimiters: Delimiters,
}

impl<'a> Element<'a> {
    /// The element's bytes as written, separators inside it included.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The element as text; bytes that are not UTF-8 are replaced.
    pub fn text(&self) -> std::borrow::Cow<'a, str> {
        String::from_utf8_lossy(self.bytes)
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The repetitions of the element (one when the interchange has no repetition separator).
    pub fn repetitions(&self) -> Parts<'a> {
        Parts {
            rest: Some(self.bytes),
            sep: self.delimiters.repetition,
        }
    }

    /// The components of the (first repetition of the) element.
    pub fn components(&self) -> Parts<'a> {
        let first = self.repetitions().next().unwrap_or_default();
        Parts {
            rest: Some(first),
            sep: Some(self.delimiters.component),
        }
    }

    /// Component `c` counted from 1 (`SV101-2` is component 2).
    pub fn component(&self, c: usize) -> Option<&'a [u8]> {
        if c == 0 {
            return None;
        }
        self.components().nth(c - 1)
    }
}

/// Iterator over the parts of an element split at one separator.
#[derive(Debug, Clone)]
pub struct Parts<'a> {
    rest: Option<&'a [u8]>,
    sep: Option<u8>,
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match self.sep {
            Some(sep) => {
                let (part, next) = split_once(rest, sep);
                self.rest = next;
                Some(part)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(raw: &[u8], body_len: usize) -> Segment<'_> {
        Segment::new(raw, body_len, true, 0, 0, 1, Delimiters::default())
    }

    #[test]
    fn element_n_is_the_nth_of_the_elements() {
        let bodies: [&[u8]; 9] = [
            b"",
            b"N",
            b"NM1",
            b"NM1*",
            b"NM1**",
            b"NM1*a",
            b"NM1*a**b*",
            b"*x*",
            b"SV1*HC:J2326*1*",
        ];
        for body in bodies {
            let s = seg(body, body.len());
            let all: Vec<_> = s.elements().collect();
            assert_eq!(s.element(0), None);
            for n in 1..=all.len() + 2 {
                assert_eq!(s.element(n), all.get(n - 1).copied(), "{body:?} {n}");
            }
        }
    }

    #[test]
    fn splits_elements_components_repetitions() {
        let raw = b"SV1*HC:J2326:JZ*1000*UN*120***1:2^3~\n";
        let s = seg(raw, raw.len() - 2);
        assert_eq!(s.id(), b"SV1");
        assert_eq!(s.element_count(), 7);
        assert_eq!(s.value(2), b"1000");
        assert_eq!(s.component(1, 2), b"J2326");
        assert_eq!(s.component(1, 3), b"JZ");
        assert_eq!(s.component(1, 4), b"");
        assert_eq!(s.value(5), b"");
        assert_eq!(s.value(9), b"");
        assert_eq!(
            s.values::<9>(),
            [
                &b"HC:J2326:JZ"[..],
                b"1000",
                b"UN",
                b"120",
                b"",
                b"",
                b"1:2^3",
                b"",
                b""
            ]
        );
        assert_eq!(s.values::<2>(), [&b"HC:J2326:JZ"[..], b"1000"]);
        let e7 = s.element(7).unwrap();
        assert_eq!(
            e7.repetitions().collect::<Vec<_>>(),
            vec![&b"1:2"[..], b"3"]
        );
        assert_eq!(e7.components().collect::<Vec<_>>(), vec![&b"1"[..], b"2"]);
        assert_eq!(s.trivia(), b"\n");
        assert_eq!(s.body(), &raw[..raw.len() - 2]);
    }

    #[test]
    fn segment_without_elements() {
        let s = seg(b"LX~", 2);
        assert_eq!(s.id(), b"LX");
        assert_eq!(s.element_count(), 0);
        assert_eq!(s.element(1), None);
        let s = seg(b"LX*~", 3);
        assert_eq!(s.element_count(), 1);
        assert_eq!(s.value(1), b"");
    }

    #[test]
    fn same_is_slice_equality() {
        let words: [&[u8]; 7] = [b"", b"N", b"N3", b"N4", b"NM1", b"J2326", b"J2327"];
        for a in words {
            for b in words {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn id_ends_at_the_first_separator_whatever_its_length() {
        for (raw, id) in [
            (&b"N3*X~"[..], &b"N3"[..]),
            (b"CLM*1~", b"CLM"),
            (b"ABCD*1~", b"ABCD"),
            (b"ABCDEFGH*1~", b"ABCDEFGH"),
            (b"ABCDEFGH~", b"ABCDEFGH"),
            (b"ABCD~", b"ABCD"),
            (b"*1~", b""),
            (b"~", b""),
        ] {
            let s = seg(raw, raw.len() - 1);
            assert_eq!(s.id(), id, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn no_repetition_separator_keeps_caret() {
        let d = Delimiters {
            repetition: None,
            ..Delimiters::default()
        };
        let raw = b"REF*EI*12^34~";
        let s = Segment::new(raw, raw.len() - 1, true, 0, 0, 1, d);
        assert_eq!(s.element(2).unwrap().repetitions().count(), 1);
        assert_eq!(s.component(2, 1), b"12^34");
    }
}

#[cfg(test)]
mod size {
    #[test]
    fn a_segment_is_48_bytes() {
        // Held once per segment of a transaction: its size is the per-segment memory.
        assert_eq!(std::mem::size_of::<super::Segment<'_>>(), 48);
    }

    #[test]
    fn an_id_longer_than_u16_is_still_whole() {
        let d = crate::x12::Delimiters {
            element: b'*',
            component: b':',
            repetition: None,
            segment: b'~',
        };
        let mut raw = vec![b'A'; 70_000];
        raw.extend_from_slice(b"*X~");
        let s = super::Segment::new(&raw, raw.len() - 1, true, 0, 0, 1, d);
        assert_eq!(s.id().len(), 70_000);
        assert_eq!(
            s.elements().next().map(|e| e.bytes().to_vec()),
            Some(b"X".to_vec())
        );
    }
}
