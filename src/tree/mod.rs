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

use crate::grammar::{Grammar, LoopDef, SegmentDef};

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
