//! Builds the loop tree by walking the grammar, segment by segment.

use super::memo::Memo;
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
    /// Qualifier values read (a value read again right after counts once).
    reads: u32,
    /// (position, composite, value) of the first qualifier read.
    first: Option<(usize, bool, &'a [u8])>,
}

impl<'a> Subject<'_, 'a> {
    fn read(&self, pos: usize, composite: bool) -> &'a [u8] {
        if composite {
            self.seg.component(pos, 1)
        } else {
            self.seg.value(pos)
        }
    }

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
                let v = self.read(*pos, *composite);
                self.reads += 1;
                self.first.get_or_insert((*pos, *composite, v));
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
    memo: &'t mut Memo,
}

/// Where a segment goes: a segment of the open loop at `depth`, or the trigger of a loop
/// it starts there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
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

    /// Where `subject` goes: first an exact fit, then one by id only.
    fn search(&self, subject: &mut Subject<'_, '_>) -> Option<Target> {
        self.target(subject, Quality::Exact)
            .or_else(|| self.target(subject, Quality::IdOnly))
    }

    /// [`Walk::search`], remembered in the memo (see [`super::memo`]).
    fn find(&mut self, subject: &mut Subject<'_, '_>) -> Option<Target> {
        let Some(top) = self.stack.last().map(|f| f.def) else {
            return self.search(subject);
        };
        if subject.id == LONG_ID {
            return self.search(subject);
        }
        if let Some(first) = self.memo.first(top, subject.id) {
            let value = first.map(|(pos, composite)| subject.read(pos, composite));
            if let Some(target) = self.memo.place(top, subject.id, value) {
                debug_assert_eq!(target, self.search(subject), "the memo's place");
                return target;
            }
        }
        let target = self.search(subject);
        if subject.reads <= 1 {
            let (first, value) = match subject.first {
                Some((pos, composite, v)) => (Some((pos, composite)), Some(v)),
                None => (None, None),
            };
            self.memo.remember(top, subject.id, first, value, target);
        }
        target
    }

    fn place(&mut self, i: usize) {
        let seg = self.tx.segments[i];
        let mut subject = Subject {
            seg: &seg,
            id: pack_id(seg.id()),
            memo: None,
            reads: 0,
            first: None,
        };
        let target = self.find(&mut subject);
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
    let warm = MEMO.try_with(|memo| match memo.try_borrow_mut() {
        Ok(mut memo) => Some(walk(grammar, tx, file, findings, limit, &mut memo)),
        Err(_) => None,
    });
    match warm {
        Ok(Some(tree)) => tree,
        // The thread's memo in use or gone (its teardown): an empty one.
        _ => walk(grammar, tx, file, findings, limit, &mut Memo::new()),
    }
}

thread_local! {
    /// The walk's placements, kept by each thread across transactions and inputs.
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::new());
}

fn walk(
    grammar: &'static Grammar,
    tx: &Transaction<'_>,
    file: &str,
    findings: &mut Vec<Finding>,
    limit: &mut Limit,
    memo: &mut Memo,
) -> Tree {
    // A loop for every two or three segments in a claim file: reserved, not touched, so
    // the pages a transaction does not use are never resident.
    let (loops, placed) = super::lists(tx.segments.len() / 2, tx.segments.len());
    let mut walk = Walk {
        tx,
        file,
        tree: Tree {
            grammar,
            loops,
            placed,
        },
        stack: Vec::new(),
        counts: Vec::new(),
        findings,
        limit,
        memo,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::{Reader, Unit};

    /// A tree as plain data: each loop's guide id, parent and span, each segment's loop
    /// and guide segment, and the findings' rules and messages.
    fn shape(tree: &Tree, findings: &[Finding]) -> String {
        let loops: Vec<_> = (tree.loops.iter())
            .map(|l| (l.def.id.as_str(), l.parent, l.ordinal, l.first, l.last))
            .collect();
        let placed: Vec<_> = (tree.placed.iter())
            .map(|p| (p.loop_index, p.def.map(|d| d.id.as_str())))
            .collect();
        let found: Vec<_> = findings.iter().map(|f| (f.rule, &f.message)).collect();
        format!("{loops:?} {placed:?} {found:?}")
    }

    /// The walk with its memo (warmed by every transaction before) places every segment
    /// where the walk with an empty memo, which searches the guide each time, does: on
    /// the scrub samples and the fuzz fixtures (broken structure, odd qualifiers), and on
    /// each with its qualifiers moved about (NM1*85 read as 87, HL levels swapped), so
    /// that one (loop, id) is met with several values.
    #[test]
    fn the_memo_places_as_the_search_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut inputs = Vec::new();
        for dir in ["samples/scrub", "tests/fixtures/fuzz"] {
            for e in std::fs::read_dir(root.join(dir)).expect("the directory") {
                let path = e.expect("an entry").path();
                if path.extension().is_some_and(|x| x == "x12") {
                    inputs.push(std::fs::read(&path).expect("the file"));
                }
            }
        }
        let swaps: [(&[u8], &[u8]); 3] = [
            (b"NM1*85", b"NM1*87"),
            (b"*22*", b"*23*"),
            (b"NM1*IL", b"NM1*QC"),
        ];
        let mut varied = Vec::new();
        for input in &inputs {
            for (from, to) in swaps {
                let text = String::from_utf8_lossy(input);
                let (from, to) = (String::from_utf8_lossy(from), String::from_utf8_lossy(to));
                varied.push(text.replace(from.as_ref(), to.as_ref()).into_bytes());
            }
        }
        inputs.extend(varied);
        let mut compared = 0;
        let mut remembered = 0;
        for input in &inputs {
            for unit in Reader::new(input) {
                let Ok(Unit::Transaction(tx)) = unit else {
                    continue;
                };
                let guide = String::from_utf8_lossy(tx.guide()).into_owned();
                let Some(g) = crate::grammar::for_set(tx.set_id(), &guide) else {
                    continue;
                };
                let (mut warm, mut cold) = (Vec::new(), Vec::new());
                let t = build(g, &tx, "t", &mut warm);
                let mut limit = Limit::new();
                let c = walk(g, &tx, "t", &mut cold, &mut limit, &mut Memo::new());
                limit.finish(&mut cold);
                assert_eq!(shape(&t, &warm), shape(&c, &cold));
                compared += 1;
                remembered += MEMO.with_borrow(|m| m.len());
            }
        }
        assert!(compared > 50, "{compared} transactions");
        assert!(remembered > 0, "the memo was used");
    }
}
