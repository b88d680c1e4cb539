//! The loop tree: places every segment of an 837 transaction in its loop by walking the
//! implementation guide in `grammars/`. Nothing about the guide's structure is coded here.
//!
//! The walk never stops: an unexpected segment is reported and kept in the loop it was
//! found in, and the walk goes on, so one run shows every problem.

mod build;
mod json;
mod memo;

pub use build::{build, build_limited};
pub use json::{TreeJson, to_json};

use std::cell::RefCell;

use crate::grammar::{Grammar, LoopDef, SegmentDef};
use crate::x12::spare::{self, Pool};

/// Rule ids of structural findings made while building the tree.
pub mod rules {
    use crate::report::RuleId;

    /// A segment that no loop open at that point allows.
    pub const SEGMENT_UNEXPECTED: RuleId = RuleId::SegmentUnexpected;
    /// A segment before one that the guide puts ahead of it.
    pub const SEGMENT_ORDER: RuleId = RuleId::SegmentOrder;
    /// A required segment missing from its loop.
    pub const SEGMENT_MISSING: RuleId = RuleId::SegmentMissing;
    /// A segment repeated more often than the guide allows.
    pub const SEGMENT_REPEAT: RuleId = RuleId::SegmentRepeat;
    /// A segment the guide marks not used.
    pub const SEGMENT_NOT_USED: RuleId = RuleId::SegmentNotUsed;
    /// A required loop missing.
    pub const LOOP_MISSING: RuleId = RuleId::LoopMissing;
    /// A loop repeated more often than the guide allows.
    pub const LOOP_REPEAT: RuleId = RuleId::LoopRepeat;
}

/// One loop instance.
#[derive(Debug, Clone)]
pub struct LoopNode {
    pub def: &'static LoopDef,
    /// Index of the parent in `Tree::loops`; `None` for the root (ST_LOOP).
    pub parent: Option<usize>,
    /// 1-based count among the parent's loops with the same id.
    pub ordinal: u32,
    /// Index in the transaction's segments of the loop's first segment (its trigger).
    pub first: usize,
    /// Index of the loop's last segment, its descendants' included.
    pub last: usize,
}

/// Where one segment was placed.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    /// Index in `Tree::loops`.
    pub loop_index: usize,
    /// The guide's segment; `None` for an unexpected segment.
    pub def: Option<&'static SegmentDef>,
}

/// The loop tree of one transaction: loops in pre-order and one `Placed` per segment of
/// the transaction, in the same order as `Transaction::segments`.
#[derive(Debug, Clone)]
pub struct Tree {
    pub grammar: &'static Grammar,
    pub loops: Vec<LoopNode>,
    pub placed: Vec<Placed>,
}

/// A tree's lists, given back to the thread's spare lists when it goes (see [`SPARES`]).
impl Drop for Tree {
    fn drop(&mut self) {
        let lists = (
            std::mem::take(&mut self.loops),
            std::mem::take(&mut self.placed),
        );
        spare::with(&SPARES, |s| s.give(lists));
    }
}

thread_local! {
    /// The lists of trees done with, emptied, for the next trees this thread builds: large
    /// and short-lived (a loop for every two segments and a place for each), given back to
    /// the allocator they went back to the system at once and were faulted in again for
    /// the next transaction. At most 16, with room for 524,288 loops and places in all
    /// (about 12 MB).
    static SPARES: RefCell<Pool<(Vec<LoopNode>, Vec<Placed>)>> =
        const { RefCell::new(Pool::new(16, 1 << 19)) };
}

/// Lists for a tree of about `loops` loops and `placed` segments: spare ones if any.
fn lists(loops: usize, placed: usize) -> (Vec<LoopNode>, Vec<Placed>) {
    let (mut l, mut p) = spare::with(&SPARES, Pool::take)
        .flatten()
        .unwrap_or_default();
    l.reserve(loops);
    p.reserve(placed);
    (l, p)
}

impl Tree {
    /// The loop path of loop `index`, such as `2000A[1]/2000B[1]/2300[2]/2400[1]`.
    pub fn loop_path(&self, index: usize) -> String {
        // Made for every finding: its ordinals without `fmt`, in one allocation.
        let mut chain = Vec::with_capacity(8);
        let mut at = Some(index);
        while let Some(i) = at {
            let node = &self.loops[i];
            if node.parent.is_some() {
                chain.push(i);
            }
            at = node.parent;
        }
        let mut out = String::with_capacity(64);
        for (n, i) in chain.iter().rev().enumerate() {
            if n > 0 {
                out.push('/');
            }
            let node = &self.loops[*i];
            out.push_str(&node.def.id);
            out.push('[');
            crate::digits::push_padded(&mut out, u64::from(node.ordinal), 1);
            out.push(']');
        }
        out
    }

    /// The loop path of a segment, ending in its id: `2000A[1]/2000B[1]/2300[1]/CLM`.
    /// An id not shaped like one is left out: it may be a name cut off by a stray
    /// terminator.
    pub fn segment_path(&self, segment: usize, id: &[u8]) -> String {
        let mut p = self.loop_path(self.placed[segment].loop_index);
        if !crate::echo::is_segment_id(id) {
            return p;
        }
        if !p.is_empty() {
            p.push('/');
        }
        p.push_str(&String::from_utf8_lossy(id));
        p
    }

    /// The id of the loop segment `segment` is in (`2400`, `ST_LOOP`).
    pub fn loop_id(&self, segment: usize) -> &'static str {
        &self.loops[self.placed[segment].loop_index].def.id
    }

    /// The nearest loop with id `id` containing loop `index`, itself included.
    pub fn ancestor(&self, index: usize, id: &str) -> Option<usize> {
        let mut at = Some(index);
        while let Some(i) = at {
            if self.loops[i].def.id == id {
                return Some(i);
            }
            at = self.loops[i].parent;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::envelope::first_transaction as first;

    /// A tree's lists, once it is dropped, hold the next tree built on the thread, and
    /// only that tree: the same loops and places as a tree built on new lists.
    #[test]
    fn a_dropped_trees_lists_hold_the_next_tree() {
        let g = crate::grammar::professional();
        let a = include_bytes!("../../samples/scrub/ndc-missing.x12");
        let b = include_bytes!("../../samples/837p-j2326.x12");
        let (ta, tb) = (first(a), first(b));
        let mut found = Vec::new();
        let before = format!("{:?}", build(g, &tb, "t", &mut found).loops);
        let tree = build(g, &ta, "t", &mut found);
        let at = (tree.loops.as_ptr() as usize, tree.placed.as_ptr() as usize);
        drop(tree);
        let again = build(g, &tb, "t", &mut found);
        assert_eq!(
            (
                again.loops.as_ptr() as usize,
                again.placed.as_ptr() as usize
            ),
            at
        );
        assert_eq!(format!("{:?}", again.loops), before);
        assert_eq!(again.placed.len(), tb.segments.len());
    }
}
