//! Builds the loop tree by walking the grammar, segment by segment.

use super::{LoopNode, Placed, Tree, rules};

use crate::echo;
use crate::grammar::{Grammar, LONG_ID, LoopDef, Node, SegmentDef, Usage, pack_id};
use crate::report::limit::{Admit, Limit};
use crate::report::{Finding, Missing, Position, RuleId, Severity};
use crate::x12::{Segment, Transaction};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Quality {
    /// Same id, and the qualifier value is one of the definition's codes.
    Exact,
    /// Same id; the qualifier is not one the guide lists here.
    IdOnly,
}

/// The segment a child stands for: itself, or the trigger of a child loop.
fn child_segment(def: &'static LoopDef, child: usize) -> Option<&'static SegmentDef> {
    match def.children.get(child)? {
        Node::Segment(s) => Some(s),
        Node::Loop(l) => match l.children.first() {
            Some(Node::Segment(t)) => Some(t),
            _ => None,
        },
    }
}

/// The segment being placed, with its id packed and its last qualifier value read.
struct Subject<'s, 'a> {
    seg: &'s Segment<'a>,
    id: u32,
    /// (position, composite, value) of the last qualifier read.
    memo: Option<(usize, bool, &'a [u8])>,
}

impl<'a> Subject<'_, 'a> {
    /// How well the segment fits child `child` of `def`; its id is known to pack alike.
    fn fit(&mut self, def: &'static LoopDef, child: usize) -> Option<Quality> {
        let target = child_segment(def, child)?;
        if self.id == LONG_ID && self.seg.id() != target.id.as_bytes() {
            return None;
        }
        let Some((pos, composite, codes)) = &target.compiled.key.qualifier else {
            return Some(Quality::Exact);
        };
        let value = match self.memo {
            Some((p, c, v)) if p == *pos && c == *composite => v,
            _ => {
                let v = if *composite {
                    self.seg.component(*pos, 1)
                } else {
                    self.seg.value(*pos)
                };
                self.memo = Some((*pos, *composite, v));
                v
            }
        };
        if codes.contains(value) {
            Some(Quality::Exact)
        } else {
            Some(Quality::IdOnly)
        }
    }
}

struct Frame {
    node: usize,
    def: &'static LoopDef,
    /// Highest child index matched so far, for order checks.
    pos: usize,
    /// Offset of this frame's per-child counts in `Walk::counts`.
    counts: usize,
}

struct Walk<'t, 'a> {
    tx: &'t Transaction<'a>,
    file: &'t str,
    tree: Tree,
    stack: Vec<Frame>,
    counts: Vec<u32>,
    findings: &'t mut Vec<Finding>,
    limit: &'t mut Limit,
}

enum Target {
    Segment { depth: usize, child: usize },
    Loop { depth: usize, child: usize },
}

impl<'t, 'a> Walk<'t, 'a> {
    /// Adds a finding, its message made only when it is listed (see [`Limit`]).
    fn finding(
        &mut self,
        rule: RuleId,
        severity: Severity,
        message: impl FnOnce() -> String,
        seg: usize,
        loop_index: usize,
    ) {
        let admit = self.limit.admit(rule);
        if admit == Admit::Over {
            return;
        }
        let s = &self.tx.segments[seg];
        let position = Position::at(self.file, self.tx, s);
        let path = self.tree.loop_path(loop_index);
        let path = Some(if path.is_empty() {
            self.tree.loops[loop_index].def.id.clone()
        } else {
            path
        });
        if admit == Admit::First {
            self.limit.over(rule, severity, position, path);
            return;
        }
        let mut f = Finding::new(rule, severity, message(), position);
        f.loop_path = path;
        self.findings.push(f);
    }

    /// A finding that `missing` is missing, as [`Walk::finding`] makes it.
    fn missing(
        &mut self,
        rule: RuleId,
        message: impl FnOnce() -> String,
        missing: Missing,
        seg: usize,
        loop_index: usize,
    ) {
        let before = self.findings.len();
        self.finding(rule, Severity::Error, message, seg, loop_index);
        if self.findings.len() > before
            && let Some(f) = self.findings.last_mut()
        {
            f.missing = Some(missing);
        }
    }

    fn push(&mut self, def: &'static LoopDef, seg: usize, ordinal: u32) {
        let parent = self.stack.last().map(|f| f.node);
        let node = self.tree.loops.len();
        self.tree.loops.push(LoopNode {
            def,
            parent,
            ordinal,
            first: seg,
            last: seg,
        });
        let counts = self.counts.len();
        self.counts.resize(counts + def.children.len(), 0);
        self.counts[counts] = 1;
        self.stack.push(Frame {
            node,
            def,
            pos: 0,
            counts,
        });
    }

    /// Closes frames above `depth`, reporting what each is missing.
    fn pop_to(&mut self, depth: usize) {
        while self.stack.len() > depth + 1 {
            self.close_top();
        }
    }

    fn close_top(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let node = frame.node;
        let at = self.tree.loops[node].first;
        for &i in &frame.def.compiled.required {
            if self.counts[frame.counts + i] > 0 {
                continue;
            }
            match &frame.def.children[i] {
                // A transaction without SE is the envelope reader's (`envelope-structure`).
                Node::Segment(s) if s.usage == Usage::Required && s.id != "SE" => {
                    let missing = Missing {
                        segment: s.id.clone(),
                        loop_id: None,
                    };
                    self.missing(
                        rules::SEGMENT_MISSING,
                        || {
                            format!(
                                "required segment {} ({}) missing from loop {}",
                                s.id, s.name, frame.def.id
                            )
                        },
                        missing,
                        at,
                        node,
                    );
                }
                Node::Loop(l) if l.usage == Usage::Required => {
                    let missing = Missing {
                        segment: l.trigger().id.clone(),
                        loop_id: Some(l.id.clone()),
                    };
                    self.missing(
                        rules::LOOP_MISSING,
                        || {
                            format!(
                                "required loop {} ({}) missing from loop {}",
                                l.id, l.name, frame.def.id
                            )
                        },
                        missing,
                        at,
                        node,
                    );
                }
                _ => {}
            }
        }
        self.counts.truncate(frame.counts);
        if let Some(parent) = self.stack.last() {
            let last = self.tree.loops[node].last;
            let p = parent.node;
            if self.tree.loops[p].last < last {
                self.tree.loops[p].last = last;
            }
        }
    }

    /// Finds where `seg` goes: the open loop nearest the top that has it as a segment
    /// (its trigger excluded: a trigger starts a new loop) or as the trigger of a child loop.
    fn target(&self, subject: &mut Subject<'_, '_>, want: Quality) -> Option<Target> {
        for depth in (0..self.stack.len()).rev() {
            let def = self.stack[depth].def;
            let candidates = def.compiled.candidates(subject.id);
            let mut known = false;
            for &(_, child) in candidates {
                let fit = subject.fit(def, child);
                known |= fit.is_some();
                if fit == Some(want) {
                    return Some(match &def.children[child] {
                        Node::Segment(_) => Target::Segment { depth, child },
                        Node::Loop(_) => Target::Loop { depth, child },
                    });
                }
            }
            // An id-only match is accepted only in the innermost loop that knows the id.
            if want == Quality::IdOnly && known {
                return None;
            }
        }
        None
    }

    fn place(&mut self, i: usize) {
        let seg = self.tx.segments[i];
        let mut subject = Subject {
            seg: &seg,
            id: pack_id(seg.id()),
            memo: None,
        };
        let target = self
            .target(&mut subject, Quality::Exact)
            .or_else(|| self.target(&mut subject, Quality::IdOnly));
        match target {
            Some(Target::Segment { depth, child }) => {
                self.pop_to(depth);
                self.count_child(child, i);
                let frame = &self.stack[depth];
                let Node::Segment(def) = &frame.def.children[child] else {
                    return;
                };
                let node = frame.node;
                self.tree.placed.push(Placed {
                    loop_index: node,
                    def: Some(def),
                });
                self.tree.loops[node].last = i;
                if def.usage == Usage::NotUsed {
                    self.finding(
                        rules::SEGMENT_NOT_USED,
                        Severity::Error,
                        || {
                            format!(
                                "segment {} ({}) is not used in loop {}",
                                def.id, def.name, frame.def.id
                            )
                        },
                        i,
                        node,
                    );
                }
            }
            Some(Target::Loop { depth, child }) => {
                self.pop_to(depth);
                self.count_child(child, i);
                let frame = &self.stack[depth];
                let ordinal = self.counts[frame.counts + child];
                let Node::Loop(def) = &frame.def.children[child] else {
                    return;
                };
                self.push(def, i, ordinal);
                let node = self.tree.loops.len() - 1;
                self.tree.placed.push(Placed {
                    loop_index: node,
                    def: Some(def.trigger()),
                });
            }
            None => {
                let node = self.stack.last().map_or(0, |f| f.node);
                self.tree.placed.push(Placed {
                    loop_index: node,
                    def: None,
                });
                self.tree.loops[node].last = i;
                self.finding(
                    rules::SEGMENT_UNEXPECTED,
                    Severity::Error,
                    || {
                        format!(
                            "{} is not expected here",
                            echo::segment(seg.id(), seg.body())
                        )
                    },
                    i,
                    node,
                );
            }
        }
    }

    /// Counts a use of child `child` of the top frame and checks order and repeats. Namesake
    /// segments at one guide position (the 835's 2100 DTMs, all @0500) may come in any
    /// order.
    fn count_child(&mut self, child: usize, i: usize) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let def = frame.def;
        let node = frame.node;
        let out_of_order = child < frame.pos && !same_position(def, child, frame.pos);
        frame.pos = frame.pos.max(child);
        let slot = frame.counts + child;
        self.counts[slot] += 1;
        let n = self.counts[slot];
        let (limit, what, id, rule) = match &def.children[child] {
            Node::Segment(s) => (s.max_use, "segment", &s.id, rules::SEGMENT_REPEAT),
            Node::Loop(l) => (l.repeat, "loop", &l.id, rules::LOOP_REPEAT),
        };
        if out_of_order {
            self.finding(
                rules::SEGMENT_ORDER,
                Severity::Error,
                || format!("{what} {id} is out of order in loop {}", def.id),
                i,
                node,
            );
        }
        if !limit.allows(n) {
            self.finding(
                rule,
                Severity::Error,
                || {
                    format!(
                        "{what} {id} repeats {n} times in loop {}, at most {limit} allowed",
                        def.id
                    )
                },
                i,
                node,
            );
        }
    }
}

/// Builds the loop tree of an 837 transaction with `grammar`, adding structural findings.
/// The transaction's first segment is taken as the root loop's trigger (ST).
pub fn build(
    grammar: &'static Grammar,
    tx: &Transaction<'_>,
    file: &str,
    findings: &mut Vec<Finding>,
) -> Tree {
    let mut limit = Limit::new();
    let tree = build_limited(grammar, tx, file, findings, &mut limit);
    limit.finish(findings);
    tree
}

/// [`build`], counting findings in `limit` (shared with the other checks of the
/// transaction, which sum it up at the end).
pub fn build_limited(
    grammar: &'static Grammar,
    tx: &Transaction<'_>,
    file: &str,
    findings: &mut Vec<Finding>,
    limit: &mut Limit,
) -> Tree {
    let mut walk = Walk {
        tx,
        file,
        tree: Tree {
            grammar,
            // A loop for every two or three segments in a claim file: reserved, not touched,
            // so the pages a transaction does not use are never resident.
            loops: Vec::with_capacity(tx.segments.len() / 2),
            placed: Vec::with_capacity(tx.segments.len()),
        },
        stack: Vec::new(),
        counts: Vec::new(),
        findings,
        limit,
    };
    if tx.segments.is_empty() {
        return walk.tree;
    }
    walk.push(&grammar.root, 0, 1);
    walk.tree.placed.push(Placed {
        loop_index: 0,
        def: Some(grammar.root.trigger()),
    });
    for i in 1..tx.segments.len() {
        walk.place(i);
    }
    walk.pop_to(0);
    walk.close_top();
    walk.tree
}

/// Whether children `a` and `b` of `def` are namesake segments at one guide position.
fn same_position(def: &LoopDef, a: usize, b: usize) -> bool {
    match (&def.children[a], &def.children[b]) {
        (Node::Segment(x), Node::Segment(y)) => x.id == y.id && x.position == y.position,
        _ => false,
    }
}
