//! The writer: copies untouched segments byte for byte and re-serialises only edited or
//! inserted ones, with their interchange's delimiters and their neighbours' line endings.
//!
//! SE01 is recomputed when a transaction gains or loses segments; GE01 and IEA01 when a
//! group loses transactions or an interchange loses groups.

use std::io::{self, Write};

use super::delimiters::Delimiters;
use super::envelope::{Transaction, Unit};
use super::segment::Segment;

/// One element held by value: its repetitions, each a list of components.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnedElement {
    pub repetitions: Vec<Vec<Vec<u8>>>,
}

impl OwnedElement {
    /// A simple element with one value.
    pub fn simple(value: impl Into<Vec<u8>>) -> Self {
        OwnedElement {
            repetitions: vec![vec![value.into()]],
        }
    }

    /// A composite element from its components.
    pub fn composite<I, V>(components: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<Vec<u8>>,
    {
        OwnedElement {
            repetitions: vec![components.into_iter().map(Into::into).collect()],
        }
    }

    fn is_empty(&self) -> bool {
        self.repetitions.iter().flatten().all(|c| c.is_empty())
    }

    fn write(&self, out: &mut Vec<u8>, d: &Delimiters) {
        for (r, rep) in self.repetitions.iter().enumerate() {
            if r > 0 {
                // Without a repetition separator only one repetition can be written.
                match d.repetition {
                    Some(sep) => out.push(sep),
                    None => break,
                }
            }
            for (c, comp) in rep.iter().enumerate() {
                if c > 0 {
                    out.push(d.component);
                }
                out.extend_from_slice(comp);
            }
        }
    }
}

/// A segment held by value: for edited and inserted segments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnedSegment {
    pub id: Vec<u8>,
    pub elements: Vec<OwnedElement>,
}

impl OwnedSegment {
    /// A segment of simple elements: `OwnedSegment::new("REF", ["G1", "123"])`.
    pub fn new<I, V>(id: &str, elements: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<Vec<u8>>,
    {
        OwnedSegment {
            id: id.as_bytes().to_vec(),
            elements: elements.into_iter().map(OwnedElement::simple).collect(),
        }
    }

    /// The segment's elements split with its delimiters, keeping every empty one.
    pub fn from_segment(seg: &Segment<'_>) -> Self {
        OwnedSegment {
            id: seg.id().to_vec(),
            elements: seg
                .elements()
                .map(|e| OwnedElement {
                    repetitions: e
                        .repetitions()
                        .map(|r| {
                            r.split(|&b| b == seg.delimiters.component)
                                .map(<[u8]>::to_vec)
                                .collect()
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Sets element `element` (from 1), or its component `component` (from 1; 0 sets the
    /// whole element to a simple value), adding empty elements or components as needed.
    pub fn set(&mut self, element: usize, component: usize, value: &[u8]) {
        if element == 0 {
            return;
        }
        if self.elements.len() < element {
            self.elements.resize_with(element, OwnedElement::default);
        }
        let e = &mut self.elements[element - 1];
        if component == 0 {
            *e = OwnedElement::simple(value);
        } else {
            if e.repetitions.is_empty() {
                e.repetitions.push(Vec::new());
            }
            let comps = &mut e.repetitions[0];
            if comps.len() < component {
                comps.resize_with(component, Vec::new);
            }
            comps[component - 1] = value.to_vec();
            while comps.len() > 1 && comps.last().is_some_and(|c| c.is_empty()) {
                comps.pop();
            }
        }
        self.trim();
    }

    /// Drops trailing empty elements, which X12 says are not sent.
    pub fn trim(&mut self) {
        while self.elements.last().is_some_and(OwnedElement::is_empty) {
            self.elements.pop();
        }
    }

    /// The body: id and elements joined with `d`, without terminator.
    pub fn body(&self, d: &Delimiters) -> Vec<u8> {
        let mut out = self.id.clone();
        for e in &self.elements {
            out.push(d.element);
            e.write(&mut out, d);
        }
        out
    }

    /// The body as text with the delimiters given, for reports.
    pub fn text(&self, d: &Delimiters) -> String {
        String::from_utf8_lossy(&self.body(d)).into_owned()
    }
}

/// A change to a transaction, addressed by segment index in the file (`Segment::index`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Set element `element` (from 1), component `component` (from 1, or 0 for the whole
    /// element as a simple value).
    Set {
        segment: usize,
        element: usize,
        component: usize,
        value: Vec<u8>,
    },
    /// Insert a segment after segment `after` (after edits to it).
    Insert { after: usize, segment: OwnedSegment },
    /// Remove a segment.
    Delete { segment: usize },
}

impl Edit {
    /// The segment the edit changes, or follows (an insertion).
    pub fn target(&self) -> usize {
        match self {
            Edit::Set { segment, .. } | Edit::Delete { segment } => *segment,
            Edit::Insert { after, .. } => *after,
        }
    }
}

/// How untouched segments are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Copy the original bytes (the normal mode).
    Copy,
    /// Re-serialise every segment from its parsed elements (to prove the model lossless).
    Reserialize,
}

/// Writes units back out.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    mode: Mode,
    scratch: Vec<u8>,
    /// Transactions written and dropped in the open group.
    group: (usize, bool),
    /// Groups written and dropped in the open interchange.
    interchange: (usize, bool),
}

impl<W: Write> Writer<W> {
    pub fn new(out: W, mode: Mode) -> Self {
        Writer {
            out,
            mode,
            scratch: Vec::new(),
            group: (0, false),
            interchange: (0, false),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    pub fn get_ref(&self) -> &W {
        &self.out
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Bytes before the first segment (BOM, white space).
    pub fn prefix(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// Writes one unit from the envelope reader, applying `edits` to a transaction.
    pub fn unit(&mut self, unit: &Unit<'_>, edits: &[Edit]) -> io::Result<()> {
        match unit {
            Unit::Segment(s) => self.envelope_segment(s),
            Unit::Transaction(t) => self.transaction(t, edits),
        }
    }

    /// Notes that a transaction of the open group is left out (GE01 is then recomputed).
    pub fn drop_transaction(&mut self) {
        self.group.1 = true;
    }

    /// Notes that a group of the open interchange is left out (IEA01 is then recomputed).
    pub fn drop_group(&mut self) {
        self.interchange.1 = true;
    }

    fn envelope_segment(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        self.envelope(seg, None)
    }

    /// Writes an envelope segment, its control number (ISA13, GS06, GE02 or IEA02) set
    /// to `control` when given; GE01 and IEA01 are recounted when something was left out.
    pub fn envelope(&mut self, seg: &Segment<'_>, control: Option<&[u8]>) -> io::Result<()> {
        let (recount, at) = match seg.id() {
            b"GS" => {
                self.group = (0, false);
                (None, 6)
            }
            b"ISA" => {
                self.interchange = (0, false);
                (None, 13)
            }
            b"GE" => {
                let (n, dirty) = std::mem::take(&mut self.group);
                self.interchange.0 += 1;
                if dirty {
                    self.interchange.1 |= n == 0;
                }
                (dirty.then_some(n), 2)
            }
            b"IEA" => {
                let (n, dirty) = self.interchange;
                (dirty.then_some(n), 2)
            }
            _ => (None, 0),
        };
        let count = recount.map(|n| n.to_string());
        let mut set: Vec<(usize, &[u8])> = Vec::new();
        if let Some(n) = &count {
            set.push((1, n.as_bytes()));
        }
        if let Some(c) = control.filter(|_| at > 0) {
            set.push((at, c));
        }
        if set.is_empty() {
            return self.copy(seg);
        }
        let bytes = seg.with_elements(&set);
        self.out.write_all(&bytes)
    }

    /// Writes a transaction given as its segments with ST02 and SE02 set to `st02`,
    /// counting it.
    pub fn renumbered_transaction<'s>(
        &mut self,
        segments: impl Iterator<Item = Segment<'s>>,
        st02: &[u8],
    ) -> io::Result<()> {
        self.group.0 += 1;
        let mut held: Option<Segment<'s>> = None;
        let mut first = true;
        for seg in segments {
            if let Some(prev) = held.replace(seg) {
                self.st_or_copy(&prev, first, st02)?;
                first = false;
            }
        }
        if let Some(last) = held {
            if last.is("SE") || (first && last.is("ST")) {
                self.out.write_all(&last.with_elements(&[(2, st02)]))?;
            } else {
                self.copy(&last)?;
            }
        }
        Ok(())
    }

    fn st_or_copy(&mut self, seg: &Segment<'_>, first: bool, st02: &[u8]) -> io::Result<()> {
        if first && seg.is("ST") {
            self.out.write_all(&seg.with_elements(&[(2, st02)]))
        } else {
            self.copy(seg)
        }
    }

    fn copy(&mut self, seg: &Segment<'_>) -> io::Result<()> {
        match self.mode {
            Mode::Copy => self.out.write_all(seg.raw()),
            Mode::Reserialize => self.owned(&OwnedSegment::from_segment(seg), seg),
        }
    }

    /// Writes `owned` in the place of `like`: its delimiters, terminator and trivia.
    fn owned(&mut self, owned: &OwnedSegment, like: &Segment<'_>) -> io::Result<()> {
        let d = like.delimiters;
        self.scratch.clear();
        self.scratch.extend_from_slice(&owned.id);
        for e in &owned.elements {
            self.scratch.push(d.element);
            e.write(&mut self.scratch, &d);
        }
        if like.terminated() {
            self.scratch.push(d.segment);
        }
        self.scratch.extend_from_slice(like.trivia());
        self.out.write_all(&self.scratch)
    }

    /// Writes the bytes of one segment made elsewhere (a renumbered envelope segment).
    pub fn raw_segment(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// Writes the bytes of a transaction produced elsewhere (an edited one), counting it.
    pub fn raw_transaction(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.group.0 += 1;
        self.out.write_all(bytes)
    }

    /// Writes a transaction with `edits` applied; edits for other segments are ignored.
    pub fn transaction(&mut self, tx: &Transaction<'_>, edits: &[Edit]) -> io::Result<()> {
        self.group.0 += 1;
        if edits.is_empty() {
            for s in &tx.segments {
                self.copy(s)?;
            }
            return Ok(());
        }
        let mut order: Vec<&Edit> = edits.iter().collect();
        order.sort_by_key(|e| e.target());
        let resize = edits
            .iter()
            .any(|e| matches!(e, Edit::Insert { .. } | Edit::Delete { .. }));
        let mut written = 0usize;
        let mut next = 0usize;
        let last = tx.segments.len().saturating_sub(1);
        for (i, seg) in tx.segments.iter().enumerate() {
            while next < order.len() && order[next].target() < seg.index {
                next += 1;
            }
            let start = next;
            while next < order.len() && order[next].target() == seg.index {
                next += 1;
            }
            let mine = &order[start..next];
            let is_se = i == last && seg.is("SE");
            let deleted = mine.iter().any(|e| matches!(e, Edit::Delete { .. }));
            if !deleted {
                self.edited_segment(seg, mine, is_se && resize, written)?;
                written += 1;
            }
            for e in mine {
                if let Edit::Insert { segment, .. } = e {
                    if !deleted && !seg.terminated() {
                        // The last segment had no terminator; the inserted one follows it.
                        self.out.write_all(&[seg.delimiters.segment])?;
                    }
                    // A deleted segment still lends its place: delimiters, ending, trivia.
                    self.owned(segment, seg)?;
                    written += 1;
                }
            }
        }
        Ok(())
    }

    /// Writes `seg` with its `Set` edits applied; `recount` sets SE01 to `written + 1`.
    fn edited_segment(
        &mut self,
        seg: &Segment<'_>,
        mine: &[&Edit],
        recount: bool,
        written: usize,
    ) -> io::Result<()> {
        let sets = mine.iter().filter(|e| matches!(e, Edit::Set { .. }));
        let mut owned: Option<OwnedSegment> = None;
        for e in sets {
            if let Edit::Set {
                element,
                component,
                value,
                ..
            } = e
            {
                owned
                    .get_or_insert_with(|| OwnedSegment::from_segment(seg))
                    .set(*element, *component, value);
            }
        }
        if recount {
            let count = written + 1;
            owned
                .get_or_insert_with(|| OwnedSegment::from_segment(seg))
                .set(1, 0, count.to_string().as_bytes());
        }
        match &owned {
            Some(o) => self.owned(o, seg),
            None => self.copy(seg),
        }
    }
}

/// Writes `input` back through the lexer and envelope reader without edits.
pub fn round_trip(input: &[u8], mode: Mode) -> Result<Vec<u8>, super::LexError> {
    let mut reader = super::envelope::Reader::new(input);
    let mut w = Writer::new(Vec::with_capacity(input.len()), mode);
    // Writing into a Vec cannot fail.
    let _ = w.prefix(reader.prefix());
    for unit in reader.by_ref() {
        let _ = w.unit(&unit?, &[]);
    }
    Ok(w.into_inner())
}
