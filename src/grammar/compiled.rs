//! What the loader precomputes from each definition for the per-segment hot path: code
//! lists packed for comparison without `memcmp`, segment ids as integers, each loop's
//! children indexed by segment id, syntax notes parsed. Derived from the public fields.

use super::external;
use super::model::{ElementDef, Node, SegmentDef, Usage};

/// A segment id of up to three bytes as one integer (bytes and length); longer ids, which
/// no guide uses, are [`LONG_ID`] and compared byte by byte.
#[inline]
pub(crate) fn pack_id(id: &[u8]) -> u32 {
    match *id {
        [] => 0,
        [a] => u32::from(a) | 1 << 24,
        [a, b] => u32::from(a) | u32::from(b) << 8 | 2 << 24,
        [a, b, c] => u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16 | 3 << 24,
        _ => LONG_ID,
    }
}

/// The packed id of every id longer than three bytes.
pub(crate) const LONG_ID: u32 = u32::MAX;

/// Up to seven bytes and their length in one integer.
#[inline]
pub(crate) fn pack_code(v: &[u8]) -> Option<u64> {
    if v.len() > 7 {
        return None;
    }
    let mut k = (v.len() as u64) << 56;
    for (i, &b) in v.iter().enumerate() {
        k |= u64::from(b) << (8 * i);
    }
    Some(k)
}

/// A set of codes: short ones packed and sorted, long ones as bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CodeSet {
    short: Vec<u64>,
    long: Vec<Box<[u8]>>,
}

impl CodeSet {
    pub(crate) fn new<'s>(codes: impl IntoIterator<Item = &'s str>) -> Self {
        let mut set = CodeSet::default();
        for c in codes {
            match pack_code(c.as_bytes()) {
                Some(k) => set.short.push(k),
                None => set.long.push(c.as_bytes().into()),
            }
        }
        set.short.sort_unstable();
        set.short.dedup();
        set
    }

    #[inline]
    pub(crate) fn contains(&self, v: &[u8]) -> bool {
        match pack_code(v) {
            Some(k) => {
                if self.short.len() <= 8 {
                    self.short.contains(&k)
                } else {
                    self.short.binary_search(&k).is_ok()
                }
            }
            None => self.long.iter().any(|c| **c == *v),
        }
    }
}

/// Precomputed checks of one simple element or component.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ValueChecks {
    /// `codes` as a set.
    pub(crate) codes: CodeSet,
    /// The external list named by `external`, when x837 knows it.
    pub(crate) external: Option<&'static CodeSet>,
    /// `regex` when it is `[0-9]{n}` or `[0-9]{m,n}`: the digit counts allowed.
    pub(crate) digits: Option<(usize, usize)>,
}

impl ValueChecks {
    pub(crate) fn new(e: &ElementDef) -> Self {
        ValueChecks {
            codes: CodeSet::new(e.codes.iter().map(String::as_str)),
            external: e.external.as_deref().and_then(external::code_set),
            digits: e.regex.as_deref().and_then(digit_pattern),
        }
    }
}

/// The digit counts of `[0-9]{n}` and `[0-9]{m,n}`; `None` for any other pattern.
pub(crate) fn digit_pattern(re: &str) -> Option<(usize, usize)> {
    let rest = re
        .strip_prefix("[0-9]{")
        .and_then(|r| r.strip_suffix('}'))?;
    Some(match rest.split_once(',') {
        Some((a, b)) => (a.parse().unwrap_or(0), b.parse().unwrap_or(usize::MAX)),
        None => {
            let n = rest.parse().unwrap_or(0);
            (n, n)
        }
    })
}

/// One X12 syntax note (`P0809`) parsed: its kind letter and element positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxRule {
    pub(crate) kind: u8,
    pub(crate) positions: Vec<usize>,
}

impl SyntaxRule {
    pub(crate) fn new(rule: &str) -> Self {
        let (kind, digits) = rule.split_at(1.min(rule.len()));
        let mut positions = Vec::new();
        for c in digits.as_bytes().chunks(2) {
            if positions.len() < 16 && c.len() == 2 && c.iter().all(u8::is_ascii_digit) {
                positions.push(usize::from(c[0] - b'0') * 10 + usize::from(c[1] - b'0'));
            }
        }
        SyntaxRule {
            kind: kind.as_bytes().first().copied().unwrap_or(0),
            positions,
        }
    }

    /// Whether the note is broken, given which elements are present (index 0 is `xx01`).
    #[inline]
    pub(crate) fn broken(&self, present: &[bool]) -> bool {
        let has = |p: usize| p >= 1 && present.get(p - 1).copied().unwrap_or(false);
        let count = self.positions.iter().filter(|&&p| has(p)).count();
        let first = self.positions.first().copied().unwrap_or(0);
        match self.kind {
            b'P' => count > 0 && count < self.positions.len(),
            b'R' => count == 0,
            b'E' => count > 1,
            b'C' => has(first) && count < self.positions.len(),
            b'L' => has(first) && count == 1,
            _ => false,
        }
    }
}

/// What tells a segment apart from its namesakes in a loop.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ChildKey {
    /// [`pack_id`] of the segment id.
    pub(crate) id: u32,
    /// The qualifier: element position, whether it is a composite, its codes.
    pub(crate) qualifier: Option<(usize, bool, CodeSet)>,
}

/// Precomputed facts of one segment definition.
/// Segments whose values may identify a person: their values are never quoted.
pub const PERSONAL: [&str; 7] = ["NM1", "N3", "N4", "DMG", "PER", "REF", "PAT"];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SegmentChecks {
    /// Whether the segment's values may identify a person (never quoted).
    pub(crate) personal: bool,
    /// Indices in `elements` of the required elements.
    pub(crate) required: Vec<usize>,
    /// `syntax`, parsed, in the same order.
    pub(crate) syntax: Vec<SyntaxRule>,
    /// How the tree builder recognises the segment.
    pub(crate) key: ChildKey,
}

impl SegmentChecks {
    pub(crate) fn new(s: &SegmentDef) -> Self {
        SegmentChecks {
            personal: PERSONAL.contains(&s.id.as_str()),
            required: (s.elements.iter().enumerate())
                .filter(|(_, e)| e.usage == Usage::Required)
                .map(|(i, _)| i)
                .collect(),
            syntax: s.syntax.iter().map(|r| SyntaxRule::new(r)).collect(),
            key: ChildKey {
                id: pack_id(s.id.as_bytes()),
                qualifier: s.qualifier().map(|(pos, codes)| {
                    let composite = s.element(pos).is_some_and(ElementDef::is_composite);
                    (
                        pos,
                        composite,
                        CodeSet::new(codes.iter().map(String::as_str)),
                    )
                }),
            },
        }
    }
}

/// A loop's children indexed for the tree builder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct LoopIndex {
    /// (packed id, child index) of every child but the trigger, sorted: the children a
    /// segment id may be, in guide order.
    pub(crate) by_id: Vec<(u32, usize)>,
    /// Open-addressed table over `by_id`: (packed id, start, end) of each distinct id,
    /// [`EMPTY`] in free slots; its length is a power of two.
    table: Vec<(u32, u16, u16)>,
    /// Indices of the required children.
    pub(crate) required: Vec<usize>,
}

/// A free slot of `LoopIndex::table` (no packed id is this large).
const EMPTY: u32 = u32::MAX - 1;

#[inline]
fn slot(id: u32, mask: usize) -> usize {
    (id.wrapping_mul(0x9E37_79B1) >> 16) as usize & mask
}

impl LoopIndex {
    pub(crate) fn new(children: &[Node]) -> Self {
        let key = |n: &Node| match n {
            Node::Segment(s) => s.compiled.key.id,
            Node::Loop(l) => match l.children.first() {
                Some(Node::Segment(t)) => t.compiled.key.id,
                _ => LONG_ID,
            },
        };
        let mut by_id: Vec<(u32, usize)> = (children.iter().enumerate().skip(1))
            .map(|(i, n)| (key(n), i))
            .collect();
        by_id.sort_unstable();
        let distinct = by_id.chunk_by(|a, b| a.0 == b.0).count();
        let size = (2 * distinct).next_power_of_two().max(4);
        let mut table = vec![(EMPTY, 0u16, 0u16); size];
        let mut start = 0;
        for run in by_id.chunk_by(|a, b| a.0 == b.0) {
            let mut at = slot(run[0].0, size - 1);
            while table[at].0 != EMPTY {
                at = (at + 1) & (size - 1);
            }
            // Loops have a few dozen children at most.
            table[at] = (run[0].0, start as u16, (start + run.len()) as u16);
            start += run.len();
        }
        LoopIndex {
            by_id,
            table,
            required: (children.iter().enumerate())
                .filter(|(_, n)| match n {
                    Node::Segment(s) => s.usage == Usage::Required,
                    Node::Loop(l) => l.usage == Usage::Required,
                })
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The children (trigger excluded) whose id packs to `id`, in guide order.
    #[inline]
    pub(crate) fn candidates(&self, id: u32) -> &[(u32, usize)] {
        let mask = self.table.len().wrapping_sub(1);
        if self.table.is_empty() {
            return &[];
        }
        let mut at = slot(id, mask);
        loop {
            let (k, lo, hi) = self.table[at];
            if k == id {
                return &self.by_id[usize::from(lo)..usize::from(hi)];
            }
            if k == EMPTY {
                return &[];
            }
            at = (at + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_sets() {
        let s = CodeSet::new(["18", "01", "G8", "ABCDEFGH", "X"]);
        for c in ["18", "01", "G8", "ABCDEFGH", "X"] {
            assert!(s.contains(c.as_bytes()), "{c}");
        }
        for c in ["1", "018", "", "ABCDEFG", "ABCDEFGHI", "X\0"] {
            assert!(!s.contains(c.as_bytes()), "{c}");
        }
        let many =
            CodeSet::new((0..100).map(|i| Box::leak(format!("{i:02}").into_boxed_str()) as &str));
        assert!(many.contains(b"42") && !many.contains(b"100"));
    }

    #[test]
    fn loop_index_finds_children_by_id() {
        let g = crate::grammar::professional();
        for l in g.root.descendants() {
            for (i, n) in l.children.iter().enumerate().skip(1) {
                let id = match n {
                    Node::Segment(s) => &s.id,
                    Node::Loop(c) => &c.trigger().id,
                };
                let c = l.compiled.candidates(pack_id(id.as_bytes()));
                assert!(c.iter().any(|&(_, j)| j == i), "{} {id}", l.id);
                assert!(c.windows(2).all(|w| w[0].1 < w[1].1));
            }
            assert!(l.compiled.candidates(pack_id(b"ZZZ")).is_empty());
        }
    }

    #[test]
    fn digit_patterns() {
        assert_eq!(digit_pattern("[0-9]{9}"), Some((9, 9)));
        assert_eq!(digit_pattern("[0-9]{1,5}"), Some((1, 5)));
        assert_eq!(digit_pattern("[A-Z]{2}"), None);
    }

    #[test]
    fn ids_pack_apart() {
        let ids: [&[u8]; 6] = [b"", b"N", b"N3", b"N3\0", b"NM1", b"NM1X"];
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                assert_ne!(pack_id(a), pack_id(b));
            }
        }
        assert_eq!(pack_id(b"ABCD"), LONG_ID);
    }
}
