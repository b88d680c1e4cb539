//! The loop tree as JSON, for `x837 parse`: serialised straight from the tree and the
//! segments, without building a JSON value, so memory stays that of the tree.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::Tree;
use crate::x12::{Segment, Transaction};

/// One element: a string, or the array of its components when it has several.
struct ElementJson<'s, 'a>(&'s crate::x12::Element<'a>);

impl Serialize for ElementJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        if e.components().nth(1).is_some() {
            let mut seq = s.serialize_seq(None)?;
            for c in e.components() {
                seq.serialize_element(&String::from_utf8_lossy(c))?;
            }
            seq.end()
        } else {
            s.serialize_str(&e.text())
        }
    }
}

struct Elements<'s, 'a>(&'s Segment<'a>);

impl Serialize for Elements<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for e in self.0.elements() {
            seq.serialize_element(&ElementJson(&e))?;
        }
        seq.end()
    }
}

struct SegmentJson<'s, 'a> {
    seg: &'s Segment<'a>,
    name: Option<&'static str>,
}

impl Serialize for SegmentJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("id", &String::from_utf8_lossy(self.seg.id()))?;
        m.serialize_entry("name", &self.name)?;
        m.serialize_entry("segment", &self.seg.index)?;
        m.serialize_entry("byte", &self.seg.byte)?;
        m.serialize_entry("elements", &Elements(self.seg))?;
        m.end()
    }
}

/// One loop: its own segments, then its child loops.
struct LoopJson<'t, 'a> {
    tree: &'t Tree,
    tx: &'t Transaction<'a>,
    index: usize,
}

impl LoopJson<'_, '_> {
    /// The loop's own segments and its child loops, in order.
    fn parts(&self) -> (Vec<usize>, Vec<usize>) {
        let (tree, index) = (self.tree, self.index);
        let node = &tree.loops[index];
        let mut segments = Vec::new();
        let mut loops = Vec::new();
        let mut i = node.first;
        let mut child = index + 1;
        while i <= node.last && i < tree.placed.len() {
            if tree.placed[i].loop_index == index {
                segments.push(i);
                i += 1;
                continue;
            }
            // The next child loop in pre-order starts here.
            while child < tree.loops.len() && tree.loops[child].parent != Some(index) {
                child += 1;
            }
            match tree.loops.get(child) {
                Some(c) if c.first == i => {
                    loops.push(child);
                    i = c.last + 1;
                    child += 1;
                }
                _ => i += 1,
            }
        }
        (segments, loops)
    }
}

struct Segments<'t, 'a>(&'t LoopJson<'t, 'a>, &'t [usize]);

impl Serialize for Segments<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for &i in self.1 {
            let name = self.0.tree.placed[i].def.map(|d| d.name.as_str());
            seq.serialize_element(&SegmentJson {
                seg: &self.0.tx.segments[i],
                name,
            })?;
        }
        seq.end()
    }
}

struct Loops<'t, 'a>(&'t LoopJson<'t, 'a>, &'t [usize]);

impl Serialize for Loops<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for &index in self.1 {
            seq.serialize_element(&LoopJson {
                tree: self.0.tree,
                tx: self.0.tx,
                index,
            })?;
        }
        seq.end()
    }
}

impl Serialize for LoopJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let node = &self.tree.loops[self.index];
        let (segments, loops) = self.parts();
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("loop", &node.def.id)?;
        m.serialize_entry("name", &node.def.name)?;
        m.serialize_entry("segments", &Segments(self, &segments))?;
        m.serialize_entry("loops", &Loops(self, &loops))?;
        m.end()
    }
}

/// The tree of one transaction, serialisable as
/// `{"loop", "name", "segments": [...], "loops": [...]}` (null for an empty tree).
pub struct TreeJson<'t, 'a> {
    tree: &'t Tree,
    tx: &'t Transaction<'a>,
}

impl Serialize for TreeJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.tree.loops.is_empty() {
            return s.serialize_none();
        }
        LoopJson {
            tree: self.tree,
            tx: self.tx,
            index: 0,
        }
        .serialize(s)
    }
}

/// The tree of one transaction as JSON, to serialise.
pub fn to_json<'t, 'a>(tree: &'t Tree, tx: &'t Transaction<'a>) -> TreeJson<'t, 'a> {
    TreeJson { tree, tx }
}
