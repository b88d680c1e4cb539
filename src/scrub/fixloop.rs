//! The fix loop of one transaction, after ruff's: validate and run the rules, apply the
//! fixes that do not overlap, and run again on the result until no fix is left. What it
//! returns is the last pass's open findings plus the fixes actually written; a condition
//! a fix removed is simply not in the last pass.
//!
//! Every segment a fix edits or inserts is checked against the grammar in the next pass;
//! a fix that would write an invalid segment is refused (its finding stays open and says
//! why) and the pass is done again without it.

use std::collections::{HashMap, HashSet};

use crate::claim::{self, Claim};
use crate::grammar::Grammar;
use crate::report::{ClaimFacts, Finding, Position, RuleId, Severity};
use crate::tree::Tree;
use crate::validate::{self, codes, element};
use crate::x12::{Edit, Lexer, Mode, OwnedSegment, Segment, Transaction, Writer, spare};

use super::catalog;
use super::config::{Resolved, Settings};
use super::registry;
use super::rule::{Cx, Enabled, Fix, Hit, Meta, Rule};
use super::{facts, index, lines};

/// How often the rules run on one transaction before the scrub gives up converging.
pub const MAX_PASSES: usize = 8;

/// The largest transaction (in segments) whose first pass keeps what it read of each
/// claim for the next: about 30 bytes a segment, so at most some 8 MB. A larger one (a
/// single transaction of a whole day's claims) runs its next pass in full instead, its
/// memory as it was.
const REPLAY_SEGMENTS: usize = 1 << 18;

/// Passes in all, restarts after refused fixes included, before giving up.
const MAX_WORK: usize = 4 * MAX_PASSES;

/// What a finding whose fix is held (shown, never written) says before why.
const HELD: &str = "; held: ";

/// Rule id of the finding made when fixes keep producing fixes.
pub const NOT_CONVERGED: RuleId = RuleId::ScrubNotConverged;

/// The result for one transaction.
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// The corrected transaction; `None` when it is written as read.
    pub output: Option<Vec<u8>>,
    /// The claims an error-level finding remains on, by the index of their CLM segment
    /// in the transaction as written (the corrected one, else the input): for
    /// `--split-rejected`.
    pub rejected: Vec<usize>,
    /// What the worklist shows of each claim, as written, in order.
    pub claims: Vec<ClaimFacts>,
    /// What each J2326 claim adds to the run's index (cross-claim rules).
    pub indexed: Vec<index::Found>,
}

/// One state of the transaction between passes.
struct State {
    bytes: Option<Vec<u8>>,
    /// Per segment of this state: the index in the input transaction it stands for (an
    /// inserted segment stands for the one it was inserted after).
    origins: Vec<u32>,
    /// The segments (index in this state) the last pass's fixes edited or inserted, with
    /// the fix (index in `written`) that did: few, so kept sparse.
    touched: Vec<(usize, usize)>,
    /// Per segment of this state: its index in the state before when its bytes are that
    /// segment's, unedited (`u32::MAX` for one this pass edited or inserted). Validation
    /// skips the element checks of a segment found clean there under the same definition.
    carried: Vec<u32>,
    /// Where each segment of `bytes` lies, found by [`layout`] when `bytes` were written,
    /// so that the next pass need not lex them again; `None`: lex them.
    layout: Option<Vec<Shape>>,
}

/// One segment of a state's bytes: its length with terminator and trivia, its body's,
/// whether it is terminated, and its line.
#[derive(Debug, Clone, Copy)]
struct Shape {
    raw: u32,
    body: u32,
    terminated: bool,
    line: u32,
}

impl Shape {
    /// The shape of `seg`, standing at `line`.
    fn of(seg: &Segment<'_>, line: u32) -> Shape {
        Shape {
            raw: seg.raw().len() as u32,
            body: seg.body().len() as u32,
            terminated: seg.terminated(),
            line,
        }
    }
}

impl State {
    fn origin(&self, i: usize) -> usize {
        self.origins.get(i).map_or(0, |&o| o as usize)
    }

    /// The input as read.
    fn initial(n: usize) -> State {
        State {
            bytes: None,
            origins: (0..n as u32).collect(),
            touched: Vec::new(),
            carried: Vec::new(),
            layout: None,
        }
    }
}

/// A fix written into the transaction, with what it is checked against next pass.
struct Written {
    finding: Finding,
    /// Rule ids of problems the segments it edits already had (not the fix's doing).
    baseline: HashSet<RuleId>,
    key: Key,
}

/// A finding's identity across passes: rule and input segment.
type Key = (RuleId, usize);

/// Re-reads an edited transaction of about `segments` segments.
pub(super) fn relex<'b>(
    bytes: &'b [u8],
    like: &Transaction<'_>,
    segments: usize,
) -> Transaction<'b> {
    let d = like.segments[0].delimiters;
    let mut v = spare::take(segments);
    v.extend(Lexer::continuing(bytes, d).filter_map(Result::ok));
    Transaction::new(v, like.envelope.clone())
}

/// The transaction of a state: its bytes re-read, through their layout when [`apply`]
/// found it (the same segments as [`relex`] gives, without lexing them again).
fn reread<'b>(
    bytes: &'b [u8],
    layout: Option<Vec<Shape>>,
    like: &Transaction<'_>,
) -> Transaction<'b> {
    let Some(layout) = layout else {
        return relex(bytes, like, like.segments.len());
    };
    let d = like.segments[0].delimiters;
    let mut v = spare::take(layout.len());
    let mut pos = 0;
    for (j, s) in layout.iter().enumerate() {
        let end = pos + s.raw as usize;
        let raw = &bytes[pos..end];
        v.push(Segment::new(
            raw,
            s.body as usize,
            s.terminated,
            pos,
            j,
            s.line,
            d,
        ));
        pos = end;
    }
    let tx = Transaction::new(v, like.envelope.clone());
    debug_assert_eq!(
        format!("{:?}", tx.segments),
        format!("{:?}", relex(bytes, like, layout.len()).segments),
        "a transaction re-read through its layout differs from one lexed again"
    );
    tx
}

/// Where the segments of `bytes`, just written from `view`, lie: a segment carried
/// unedited (`carried[j]`, its index in `view`) is checked to hold the same bytes, not
/// lexed; an edited or inserted one is lexed. `None` when anything is not as the lexer
/// would read it (the bytes differ, an ISA, trivia after a carried segment, a lexing
/// error): the next pass then lexes the whole transaction, as before.
fn layout(bytes: &[u8], view: &Transaction<'_>, carried: &[u32]) -> Option<Vec<Shape>> {
    let d = view.segments.first()?.delimiters;
    let mut out = Vec::with_capacity(carried.len());
    let (mut pos, mut line) = (0usize, 1u32);
    for &c in carried {
        let rest = &bytes[pos..];
        if crate::x12::delimiters::starts_with_isa(rest) {
            return None;
        }
        // The writer writes a carried segment's bytes as read, but for what it keeps
        // right itself (SE01, the count): such a segment is lexed. So is the last one,
        // which has no next segment to take its lines from.
        let i = c as usize;
        let same = (view.segments.get(i))
            .zip(view.segments.get(i + 1))
            .filter(|(s, _)| {
                let next = rest.get(s.raw().len());
                rest.starts_with(s.raw()) && !next.is_some_and(|&b| crate::x12::lexer::is_trivia(b))
            });
        let shape = match same {
            Some((s, after)) => {
                let shape = Shape::of(s, line);
                line = line.wrapping_add(after.line.wrapping_sub(s.line));
                shape
            }
            None => {
                let mut lexer = Lexer::continuing(rest, d);
                let shape = Shape::of(&lexer.next()?.ok()?, line);
                line = line.wrapping_add(lexer.state().line - 1);
                shape
            }
        };
        pos += shape.raw as usize;
        out.push(shape);
    }
    (pos == bytes.len()).then_some(out)
}

/// Text of a segment body, for before/after.
fn body_text(seg: &Segment<'_>) -> String {
    String::from_utf8_lossy(seg.body()).into_owned()
}

/// The segment `seg` with the `Set` edits of `edits` applied; `None` when deleted.
fn edited(seg: &Segment<'_>, edits: &[Edit]) -> Option<Option<OwnedSegment>> {
    let mut owned: Option<OwnedSegment> = None;
    for e in edits {
        match e {
            Edit::Set {
                segment,
                element,
                component,
                value,
            } if *segment == seg.index => owned
                .get_or_insert_with(|| OwnedSegment::from_segment(seg))
                .set(*element, *component, value),
            Edit::Delete { segment } if *segment == seg.index => return None,
            _ => {}
        }
    }
    Some(owned)
}

/// Before and after texts of a fix applied to `view`.
fn before_after(view: &Transaction<'_>, hit_segment: usize, fix: &Fix) -> (String, String) {
    let first = view.segments.first().map_or(0, |s| s.index);
    let mut touched: Vec<usize> = fix
        .edits
        .iter()
        .filter_map(|e| match e {
            Edit::Set { segment, .. } | Edit::Delete { segment } => segment
                .checked_sub(first)
                .filter(|&i| i < view.segments.len()),
            Edit::Insert { .. } => None,
        })
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let d = view.segments[0].delimiters;
    let term = (d.segment as char).to_string();
    let mut before = Vec::new();
    let mut after = Vec::new();
    for &i in &touched {
        let seg = &view.segments[i];
        before.push(body_text(seg));
        if let Some(owned) = edited(seg, &fix.edits) {
            after.push(owned.map_or_else(|| body_text(seg), |o| o.text(&d)));
        }
    }
    for e in &fix.edits {
        if let Edit::Insert { segment, .. } = e {
            after.push(segment.text(&d));
        }
    }
    if before.is_empty() {
        before.push(body_text(&view.segments[hit_segment]));
        after.insert(0, body_text(&view.segments[hit_segment]));
    }
    (before.join(&term), after.join(&term))
}

/// Element and code-format problems of one segment placed with `def`.
fn problems(seg: &Segment<'_>, def: Option<&crate::grammar::SegmentDef>) -> Vec<element::Problem> {
    let mut out = Vec::new();
    match def {
        Some(def) => element::check(seg, def, &mut out),
        None => out.push(element::Problem::new(
            crate::tree::rules::SEGMENT_UNEXPECTED,
            "the segment is not expected here",
        )),
    }
    codes::check(seg, &mut out);
    out
}

/// The state after `edits` are applied to `view` (in state `from`); each edit comes with
/// the index in `written` of the fix it belongs to.
fn apply(view: &Transaction<'_>, from: &State, edits: &[(usize, Edit)]) -> State {
    // The edits by the segment they change or follow, in the order given: a transaction
    // has thousands of segments and a pass few edits, so each segment looks its own up.
    let mut by_target: Vec<(usize, usize)> = (edits.iter().enumerate())
        .map(|(n, (_, e))| (e.target(), n))
        .collect();
    by_target.sort_unstable();
    let plain: Vec<Edit> = edits.iter().map(|(_, e)| e.clone()).collect();
    let size: usize = view.segments.iter().map(|s| s.raw().len()).sum();
    let mut w = Writer::new(spare::take_bytes(size + size / 16 + 256), Mode::Copy);
    // Writing into memory cannot fail.
    let _ = w.transaction(view, &plain);
    let inserts = (by_target.iter())
        .filter(|&&(_, n)| matches!(edits[n].1, Edit::Insert { .. }))
        .count();
    let mut origins = Vec::with_capacity(view.segments.len() + inserts);
    let mut carried = Vec::with_capacity(origins.capacity());
    let mut touched = Vec::new();
    // The segments come in input order, as `by_target` is sorted: one cursor walks both
    // (a binary search per segment was 1% of a scrub at 30% errors, by perf).
    let mut next = 0;
    for (i, s) in view.segments.iter().enumerate() {
        let origin = from.origins[i];
        while by_target.get(next).is_some_and(|&(t, _)| t < s.index) {
            next += 1;
        }
        let start = next;
        while by_target.get(next).is_some_and(|&(t, _)| t == s.index) {
            next += 1;
        }
        let here = &by_target[start..next];
        let deleted = (here.iter()).any(|&(_, n)| matches!(edits[n].1, Edit::Delete { .. }));
        if !deleted {
            // Only this pass's edits are checked next pass: the last one setting it.
            let set = (here.iter().rev())
                .find(|&&(_, n)| matches!(edits[n].1, Edit::Set { .. }))
                .map(|&(_, n)| edits[n].0);
            if let Some(k) = set {
                touched.push((origins.len(), k));
                carried.push(u32::MAX);
            } else {
                carried.push(i as u32);
            }
            origins.push(origin);
        }
        for &(_, n) in here {
            if matches!(edits[n].1, Edit::Insert { .. }) {
                touched.push((origins.len(), edits[n].0));
                carried.push(u32::MAX);
                origins.push(origin);
            }
        }
    }
    let bytes = w.into_inner();
    let layout = if carried.len() <= REPLAY_SEGMENTS {
        layout(&bytes, view, &carried)
    } else {
        None
    };
    State {
        bytes: Some(bytes),
        origins,
        touched,
        carried,
        layout,
    }
}

/// The rules a run applies: every rule the settings leave enabled, in catalogue order.
#[derive(Default)]
pub struct Rules<'r> {
    pub list: Vec<&'r dyn Rule>,
    pub enabled: Enabled,
}

impl Rules<'static> {
    /// The registry's rules that `settings` leave enabled.
    pub fn of(settings: &Settings) -> Self {
        let list: Vec<&'static dyn Rule> = (registry::all().iter().copied())
            .filter(|r| !settings.disabled.contains(&r.meta().id))
            .collect();
        Rules::new(list)
    }
}

impl<'r> Rules<'r> {
    pub fn new(list: Vec<&'r dyn Rule>) -> Self {
        let enabled = Enabled::new(list.iter().map(|r| r.meta().id));
        Rules { list, enabled }
    }
}

/// What one run of the fix loop reads.
struct Run<'r, 't, 'a> {
    g: &'static Grammar,
    tx: &'t Transaction<'a>,
    file: &'r str,
    settings: &'r Settings,
    rules: &'r Rules<'r>,
}

/// A fix a pass would write, with the finding it fixes.
struct Chosen {
    /// Index of its finding in the pass's findings.
    finding: usize,
    key: Key,
    fix: Fix,
    baseline: HashSet<RuleId>,
}

/// The findings a pass has made so far: each with where it is in the pass's view, an
/// index by rule and input segment, and the fixes that apply.
struct Found<'f> {
    open: Vec<Finding>,
    at: Vec<usize>,
    index: HashMap<Key, usize>,
    fixes: &'f mut Vec<(usize, Key, Fix)>,
    /// The facts of each claim, with its CLM's index in the view.
    claims: Vec<(usize, ClaimFacts)>,
    indexed: Vec<index::Found>,
}

/// What a hit is taken against.
struct Taking<'r, 'a> {
    view: &'r Transaction<'a>,
    tree: &'r Tree,
    state: &'r State,
    refused: &'r HashMap<Key, String>,
}

/// Whether a pass reads on after a claim, its fixes so far in `found`: not once a fix
/// has turned up, unless the pass is the `last` (what it had read is dropped then).
fn still_reading(reading: bool, last: bool, found: &mut Found<'_>) -> bool {
    if reading && !last && !found.fixes.is_empty() {
        found.claims = Vec::new();
        found.indexed = Vec::new();
        return false;
    }
    reading
}

/// What the first pass read of one claim, for the pass after it.
struct ClaimRead<'a> {
    /// Its CLM and last segment, as positions in the first pass's view (the input).
    clm: usize,
    last: usize,
    /// CLM01, trimmed.
    id: &'a [u8],
    /// What the claims before it held under its id when its rules ran: the first one's
    /// CLM (its index in the input) and service.
    before: Option<(usize, Option<index::Service<'a>>)>,
    /// The rules' hits on it (with the index of the rule in the run's list), in order.
    hits: Vec<(usize, Hit)>,
    /// Where its facts and what it adds to the index are in [`Reads`].
    facts: Option<usize>,
    indexed: Option<usize>,
    /// A fix of the first pass edits a segment of it (or inserts one after it).
    touched: bool,
}

/// What the first pass read: each claim, and the first claim under each id with its
/// service (what the claims after it compare with).
#[derive(Default)]
struct Reads<'a> {
    claims: Vec<ClaimRead<'a>>,
    earlier: index::Earlier<'a>,
    /// The claims' facts (with their CLM) and what they add to the index, as a pass that
    /// ends the loop gives them.
    facts: Vec<(usize, ClaimFacts)>,
    indexed: Vec<index::Found>,
}

/// The first pass's claims, taken again by the pass after it.
struct Replay<'a> {
    reads: Vec<Option<ClaimRead<'a>>>,
    earlier: index::Earlier<'a>,
    facts: Vec<(usize, ClaimFacts)>,
    indexed: Vec<index::Found>,
    /// Per position in the first pass's view: its position in this pass's view when it
    /// is written as read, else `u32::MAX`.
    moved: Vec<u32>,
    /// The first pass's first segment index (edits name segments by index).
    first: usize,
    /// The next read to look at: claims come in order.
    cursor: usize,
}

impl<'a> Replay<'a> {
    /// What the pass after the first takes of `reads`, the first pass's view being `tx`
    /// (the input), its fixes `edits`, and `carried` what [`apply`] made of its segments.
    /// `None` when the first pass kept nothing, or a fix edits a segment outside every
    /// claim (the loops above the claims, and the header, are every claim's).
    fn new(
        reads: Reads<'a>,
        tx: &Transaction<'_>,
        edits: &[(usize, Edit)],
        carried: &[u32],
    ) -> Option<Self> {
        if reads.claims.is_empty() {
            // The first pass kept nothing (no claim, or over [`REPLAY_SEGMENTS`]).
            return None;
        }
        let first = tx.segments.first().map_or(0, |s| s.index);
        let len = tx.segments.len();
        let targets = edits.iter().map(|(_, e)| e.target().wrapping_sub(first));
        let Reads {
            claims: mut reads,
            earlier,
            facts,
            indexed,
        } = reads;
        for t in targets {
            let k = reads.partition_point(|r| r.clm <= t).checked_sub(1)?;
            if t > reads[k].last {
                return None;
            }
            reads[k].touched = true;
        }
        let mut moved = vec![u32::MAX; len];
        for (j, &c) in carried.iter().enumerate() {
            if let Some(m) = moved.get_mut(c as usize) {
                *m = j as u32;
            }
        }
        Some(Replay {
            reads: reads.into_iter().map(Some).collect(),
            earlier,
            facts,
            indexed,
            moved,
            first,
            cursor: 0,
        })
    }

    /// Adds what `read`, now the claim with its CLM at `clm` (its position in this pass's
    /// view, its index in the input), kept for the outcome to `found` when the pass still
    /// reads; and the claim to `earlier` when it was the first under its id (then, and so
    /// now).
    fn give(
        &mut self,
        read: &ClaimRead<'a>,
        clm: (usize, usize),
        reading: bool,
        found: &mut Found<'_>,
        earlier: &mut index::Earlier<'a>,
    ) {
        if reading {
            if let Some(k) = read.facts {
                found
                    .claims
                    .push((clm.0, std::mem::take(&mut self.facts[k].1)));
            }
            if let Some(k) = read.indexed {
                found.indexed.push(std::mem::take(&mut self.indexed[k]));
            }
        }
        if read.before.is_none()
            && let Some((_, service)) = self.earlier.remove(read.id)
        {
            earlier.insert(read.id, (clm.1, service));
        }
    }

    fn moved(&self, p: usize) -> Option<usize> {
        (self.moved.get(p).copied()).and_then(|m| (m != u32::MAX).then_some(m as usize))
    }

    /// What the first pass read of the claim of 2300 loop `c` of `view`, its positions
    /// moved to `view`'s: when no fix touched it, its segments are all as read, and the
    /// claims before it hold what they held under its id then.
    fn take(
        &mut self,
        view: &Transaction<'_>,
        tree: &Tree,
        c: usize,
        earlier: &index::Earlier<'_>,
    ) -> Option<ClaimRead<'a>> {
        let (clm, last) = (tree.loops[c].first, tree.loops[c].last);
        while let Some(r) = self.reads.get(self.cursor)
            && r.as_ref()
                .is_none_or(|r| self.moved(r.clm).is_none_or(|m| m < clm))
        {
            self.cursor += 1;
        }
        let r = self.reads.get(self.cursor)?.as_ref()?;
        let span = r.last.checked_sub(r.clm)?;
        if r.touched
            || last.checked_sub(clm) != Some(span)
            || !(0..=span).all(|k| self.moved(r.clm + k) == Some(clm + k))
        {
            return None;
        }
        let same = match (&r.before, earlier.get(r.id)) {
            (None, None) => true,
            (Some((c1, s1)), Some((c2, s2))) => c1 == c2 && s1 == s2,
            _ => false,
        };
        if !same {
            return None;
        }
        let mut read = self.reads[self.cursor].take()?;
        self.cursor += 1;
        let index = |i: usize| {
            let p = self.moved(i.checked_sub(self.first)?)?;
            view.segments.get(p).map(|s| s.index)
        };
        for (_, hit) in &mut read.hits {
            hit.segment = self.moved(hit.segment)?;
            for e in hit.fix.iter_mut().flat_map(|f| f.edits.iter_mut()) {
                match e {
                    Edit::Set { segment, .. } | Edit::Delete { segment } => {
                        *segment = index(*segment)?;
                    }
                    Edit::Insert { after, .. } => *after = index(*after)?,
                }
            }
        }
        Some(read)
    }
}

/// What a pass does with what the first pass read of each claim.
enum Memory<'r, 'a> {
    None,
    /// The first pass: keep it.
    Record(&'r mut Reads<'a>),
    /// The pass after it: take it again for the claims no fix touched.
    Replay(Replay<'a>),
}

/// The CLM (index in `view`) of each claim an error-level finding of `open` is on, in
/// order; `at` is where each finding is in the view.
fn claims_in_error(
    tree: &Tree,
    view: &Transaction<'_>,
    open: &[Finding],
    at: &[usize],
) -> Vec<usize> {
    let clm = |i: &usize| view.segments.get(*i).is_some_and(|s| s.is("CLM"));
    let mut out: Vec<usize> = Vec::new();
    for (_, &i) in open
        .iter()
        .zip(at)
        .filter(|(f, _)| f.severity == Severity::Error)
    {
        let l = tree.placed.get(i).map(|p| p.loop_index);
        // A finding in a claim is that claim's; one in the hierarchical loop of a
        // billing provider, subscriber or patient is every claim's under it; one
        // anywhere else (the header, a segment the guide does not place) every claim's.
        let (from, to) = match l {
            Some(l) => match tree.ancestor(l, "2300") {
                Some(c) => (tree.loops[c].first, tree.loops[c].first),
                None => match hl_ancestor(tree, l) {
                    Some(h) => (tree.loops[h].first, tree.loops[h].last),
                    None => (0, view.segments.len()),
                },
            },
            None => (0, view.segments.len()),
        };
        let end = to.min(view.segments.len().saturating_sub(1));
        out.extend((from..=end).filter(clm));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The nearest hierarchical (HL) loop containing loop `index`, itself included.
fn hl_ancestor(tree: &Tree, index: usize) -> Option<usize> {
    let mut at = Some(index);
    while let Some(i) = at {
        if tree.loops[i].def.id.starts_with("2000") {
            return Some(i);
        }
        at = tree.loops[i].parent;
    }
    None
}

/// What one pass found.
enum Pass {
    /// Fixes of the last pass wrote invalid segments: (index in `written`, why).
    Refused(Vec<(usize, String)>),
    /// The pass's open findings and the fixes it would write (none overlapping).
    Found {
        open: Vec<Finding>,
        chosen: Vec<Chosen>,
        /// The CLM (view index) of each claim an open error-level finding is on.
        rejected: Vec<usize>,
        /// The claims of the view, `rejected` marked.
        claims: Vec<ClaimFacts>,
        indexed: Vec<index::Found>,
    },
}

impl<'a> Run<'_, '_, 'a> {
    /// The input segment index (as in a position) of the segment `i` of `state`.
    fn input_index(&self, state: &State, i: usize) -> usize {
        let last = self.tx.segments.len().saturating_sub(1);
        (self.tx.segments.get(state.origin(i).min(last))).map_or(0, |s| s.index)
    }

    fn position(&self, origin: usize) -> Position {
        let n = self.tx.segments.len();
        Position::at(
            self.file,
            self.tx,
            &self.tx.segments[origin.min(n.saturating_sub(1))],
        )
    }

    /// Validates `view` (in `state`), checks the last pass's fixes, runs the rules. What
    /// the worklist and the run's index read off each claim is read only on a pass that
    /// ends the loop: one with no fix to write, or `last`.
    #[allow(clippy::too_many_arguments)]
    fn pass<'v>(
        &self,
        view: &Transaction<'v>,
        state: &State,
        written: &[Written],
        refused: &HashMap<Key, String>,
        clean: &mut validate::CleanSegments,
        last: bool,
        memory: &mut Memory<'_, 'v>,
    ) -> Pass {
        let mut open: Vec<Finding> = Vec::new();
        let tree = validate::transaction_with(self.g, view, self.file, &mut open, clean);
        // The last pass's fixes, checked against the grammar on what they wrote.
        let bad = check_written(view, &tree, state, written);
        if !bad.is_empty() {
            return Pass::Refused(bad);
        }
        let first = view.segments.first().map_or(0, |s| s.index);
        // Validation findings: one per rule, segment and message (an inserted segment
        // counts as the one it follows). `at` keeps where each finding is in this view.
        let mut seen: HashSet<(RuleId, usize, String)> = HashSet::new();
        let mut at: Vec<usize> = Vec::with_capacity(open.len());
        open = (open.into_iter())
            .filter_map(|mut f| {
                let i = f.position.segment - first;
                f.position = self.position(state.origin(i));
                seen.insert((f.rule, f.position.segment, f.message.clone()))
                    .then(|| {
                        at.push(i);
                        f
                    })
            })
            .collect();
        // One finding per rule and input segment: a rule's hit on a segment validation
        // already reported under the same id (`ndc-qualifier`) lends it its fix.
        let base = self.tx.segments.first().map_or(0, |s| s.index);
        let mut index: HashMap<Key, usize> = HashMap::with_capacity(open.len());
        for (k, f) in open.iter().enumerate() {
            index
                .entry((f.rule, f.position.segment - base))
                .or_insert(k);
        }
        let mut fixes = Vec::new();
        let mut found = Found {
            open,
            at,
            index,
            fixes: &mut fixes,
            claims: Vec::new(),
            indexed: Vec::new(),
        };
        let taking = Taking {
            view,
            tree: &tree,
            state,
            refused,
        };
        self.walk_all(&taking, last, &mut found, memory);
        let Found {
            open,
            at,
            claims,
            indexed,
            ..
        } = found;
        let rejected = claims_in_error(&tree, view, &open, &at);
        let claims = (claims.into_iter())
            .map(|(clm, mut c)| {
                c.rejected = rejected.binary_search(&clm).is_ok();
                c
            })
            .collect();
        // The fixes that do not touch a segment another fix of this pass touches.
        let mut taken: HashSet<usize> = HashSet::new();
        let mut chosen = Vec::new();
        for (finding, key, fix) in fixes {
            if fix.edits.iter().any(|e| taken.contains(&e.target())) {
                continue;
            }
            taken.extend(fix.edits.iter().map(Edit::target));
            let baseline = baseline(view, &tree, &fix);
            chosen.push(Chosen {
                finding,
                key,
                fix,
                baseline,
            });
        }
        Pass::Found {
            open,
            chosen,
            rejected,
            claims,
            indexed,
        }
    }

    /// [`Run::walk`], then, when the pass recorded and ends the loop, what it read of each
    /// claim moved to the outcome. Tests and fuzzing (debug assertions) check a replayed
    /// pass against the full one it stands for.
    fn walk_all<'v>(
        &self,
        t: &Taking<'_, 'v>,
        last: bool,
        found: &mut Found<'_>,
        memory: &mut Memory<'_, 'v>,
    ) {
        #[cfg(debug_assertions)]
        let full = matches!(memory, Memory::Replay(_)).then(|| {
            let mut fixes = Vec::new();
            let mut f = Found {
                open: found.open.clone(),
                at: found.at.clone(),
                index: found.index.clone(),
                fixes: &mut fixes,
                claims: Vec::new(),
                indexed: Vec::new(),
            };
            self.walk(t, last, &mut f, &mut Memory::None);
            let Found {
                open,
                at,
                claims,
                indexed,
                ..
            } = f;
            format!("{:?}", ((open, at, &fixes), claims, indexed))
        });
        self.walk(t, last, found, memory);
        #[cfg(debug_assertions)]
        if let Some(full) = full {
            let replayed = (&found.open, &found.at, &found.fixes);
            let replayed = format!("{:?}", (replayed, &found.claims, &found.indexed));
            assert_eq!(full, replayed, "a replayed pass differs from the full one");
        }
        if let Memory::Record(reads) = memory
            && found.fixes.is_empty()
        {
            // The first pass ends the loop: what it read of each claim is the outcome's.
            found.claims = std::mem::take(&mut reads.facts);
            found.indexed = std::mem::take(&mut reads.indexed);
        }
    }

    /// The pass on the input as read, which keeps what it reads of each claim in `reads`
    /// for the next pass (when the transaction is at most [`REPLAY_SEGMENTS`] long).
    fn first_pass(
        &self,
        state: &State,
        written: &[Written],
        refused: &HashMap<Key, String>,
        clean: &mut validate::CleanSegments,
        reads: &mut Reads<'a>,
    ) -> Pass {
        *reads = Reads::default();
        let mut memory = if self.tx.segments.len() <= REPLAY_SEGMENTS {
            Memory::Record(reads)
        } else {
            Memory::None
        };
        self.pass(self.tx, state, written, refused, clean, false, &mut memory)
    }

    /// What claim `c` adds to the run's index, when it bills the drug.
    fn index(&self, cx: &Cx<'_, '_>, c: &Claim<'_>, state: &State, out: &mut Vec<index::Found>) {
        let lines: Vec<_> = (c.lines.iter().filter(|l| cx.is_drug(l)))
            .map(|l| {
                (
                    l,
                    cx.line_date(c, l),
                    lines::has_jw(cx, l),
                    lines::facility_place(cx, c, l),
                )
            })
            .collect();
        if lines.is_empty() {
            return;
        }
        let profile = (self.settings.resolved.keys())
            .position(|k| *k == cx.profile.name)
            .unwrap_or(0) as u16;
        let clm = self.input_index(state, c.clm);
        let facts = index::Facts {
            claim: c,
            lines,
            profile,
            clm,
        };
        out.push(index::found(&self.settings.secret, &facts, |seg| {
            let mut f = Finding::new(
                RuleId::DrugUnits,
                Severity::Info,
                "",
                self.position(state.origin(seg)),
            );
            validate::locate(&mut f, cx.tree, cx.tx, seg);
            index::Place {
                claim: f.claim.unwrap_or_default(),
                position: f.position,
                loop_path: f.loop_path,
                service_line: f.service_line,
            }
        }));
    }

    /// The profile of `payer`, resolved once per payer of a pass (a transaction has few).
    fn profile<'p>(&self, profiles: &mut Vec<(&'p [u8], Resolved)>, payer: &'p [u8]) -> usize {
        match profiles.iter().position(|(p, _)| *p == payer) {
            Some(k) => k,
            None => {
                profiles.push((payer, self.settings.resolve(payer)));
                profiles.len() - 1
            }
        }
    }

    /// Walks the claims of `view` once: runs the rules on each, adding their findings and
    /// the fixes that apply to `found`; and reads what the worklist (`facts`, when the
    /// settings want it) and the run's index take of it, which only a pass that ends the
    /// loop keeps (`last`, or one without a fix): read while no fix has turned up, dropped
    /// when one does, so a clean transaction is walked once and no claim is kept.
    ///
    /// The first pass keeps what it read of each claim (`Memory::Record`); the pass after
    /// it takes that again for a claim no fix touched (`Memory::Replay`), its rules not run
    /// again: what they read (the claim, the loops above it, the claims before it under
    /// the same id) is as it was.
    fn walk<'v>(
        &self,
        taking: &Taking<'_, 'v>,
        last: bool,
        found: &mut Found<'_>,
        memory: &mut Memory<'_, 'v>,
    ) {
        let &Taking {
            view, tree, state, ..
        } = taking;
        let mut fixed_keys: HashSet<Key> = HashSet::new();
        let mut hits = Vec::new();
        let at = |i: usize| self.input_index(state, i);
        let worklist = self.settings.worklist;
        let recording = matches!(memory, Memory::Record(_));
        let mut reading = true;
        let mut profiles: Vec<(&[u8], Resolved)> = Vec::new();
        // Room for every claim at once: grown from empty, it was rehashed some 18 times a
        // pass (8 M instructions on a 5 MB batch at 30% errors).
        let mut earlier = index::Earlier::with_capacity(claim::count(tree));
        for pending in claim::each_pending(tree, view) {
            if let Memory::Replay(replay) = memory
                && let Some(mut read) = replay.take(view, tree, pending.loop_index, &earlier)
            {
                let clm = tree.loops[pending.loop_index].first;
                for (k, hit) in std::mem::take(&mut read.hits) {
                    let meta = self.rules.list[k].meta();
                    self.take(meta, hit, taking, found, &mut fixed_keys);
                }
                reading = still_reading(reading, last, found);
                replay.give(&read, (clm, at(clm)), reading, found, &mut earlier);
                continue;
            }
            let c = pending.claim(tree, view);
            let k = self.profile(&mut profiles, c.payer);
            let cx = Cx {
                tx: view,
                tree,
                catalog: catalog::catalog(),
                profile: &profiles[k].1,
                kind: self.g.kind,
                enabled: &self.rules.enabled,
                earlier: &earlier,
            };
            let mut kept = Vec::new();
            for (r, rule) in self.rules.list.iter().enumerate() {
                let meta = rule.meta();
                rule.check(&cx, &c, &mut hits);
                for hit in hits.drain(..) {
                    if recording {
                        kept.push((r, hit.clone()));
                    }
                    self.take(meta, hit, taking, found, &mut fixed_keys);
                }
            }
            let service = lines::service(&cx, &c);
            let id = c.id.trim_ascii();
            if let Memory::Record(reads) = memory {
                let facts = worklist.then(|| {
                    let facts = facts::of(&cx, &c, self.tx, &at);
                    reads.facts.push((c.clm, facts));
                    reads.facts.len() - 1
                });
                let before = reads.indexed.len();
                self.index(&cx, &c, state, &mut reads.indexed);
                reads.claims.push(ClaimRead {
                    clm: c.clm,
                    last: c.last,
                    id,
                    before: earlier.get(id).cloned(),
                    hits: kept,
                    facts,
                    indexed: (reads.indexed.len() > before).then_some(before),
                    touched: false,
                });
            } else {
                reading = still_reading(reading, last, found);
                if reading {
                    if worklist {
                        found.claims.push((c.clm, facts::of(&cx, &c, self.tx, &at)));
                    }
                    self.index(&cx, &c, state, &mut found.indexed);
                }
            }
            earlier.entry(id).or_insert((at(c.clm), service));
        }
        if let Memory::Record(reads) = memory {
            reads.earlier = earlier;
        }
    }

    /// Stamps a hit of the rule `meta` describes with its id and severity, and adds it
    /// to the pass's findings (or to the finding validation made of the same condition),
    /// its fix to the pass's fixes when it applies.
    fn take(
        &self,
        meta: &Meta,
        hit: Hit,
        t: &Taking<'_, '_>,
        found: &mut Found<'_>,
        fixed_keys: &mut HashSet<Key>,
    ) {
        let origin = t.state.origin(hit.segment);
        let key = (meta.id, origin);
        let k = match found.index.get(&key) {
            Some(&k) => k,
            None => {
                let default = hit.severity.unwrap_or(meta.severity);
                let severity = self.settings.severity(meta.id, default);
                let mut f = Finding::new(meta.id, severity, hit.message, self.position(origin));
                validate::locate(&mut f, t.tree, t.view, hit.segment);
                f.position = self.position(origin);
                found.index.insert(key, found.open.len());
                found.open.push(f);
                found.at.push(hit.segment);
                found.open.len() - 1
            }
        };
        let Some(fix) = hit.fix else { return };
        if !fixed_keys.insert(key) {
            return;
        }
        let f = &mut found.open[k];
        f.fix_class = Some(fix.class);
        if let Some(why) = hit.held {
            let (before, after) = before_after(t.view, hit.segment, &fix);
            (f.before, f.after) = (Some(before), Some(after));
            f.message = format!("{}{HELD}{why}", f.message);
        } else if let Some(why) = t.refused.get(&key) {
            f.message = format!("{}; not fixed: {why}", f.message);
        } else if self.settings.fixes.applies(fix.class) {
            let (before, after) = before_after(t.view, hit.segment, &fix);
            f.before = Some(before);
            f.after = Some(after);
            found.fixes.push((k, key, fix));
        }
    }

    /// The input's own findings, none fixed, and `scrub-not-converged`: for a
    /// transaction written as read.
    fn not_converged(&self, clean: &mut validate::CleanSegments) -> Outcome {
        let state = State::initial(self.tx.segments.len());
        let (mut findings, rejected, claims, indexed) = match self.pass(
            self.tx,
            &state,
            &[],
            &HashMap::new(),
            clean,
            true,
            &mut Memory::None,
        ) {
            Pass::Found {
                open,
                rejected,
                claims,
                indexed,
                ..
            } => (open, rejected, claims, indexed),
            Pass::Refused(_) => (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        };
        for f in &mut findings {
            f.before = None;
            f.after = None;
        }
        let mut f = Finding::new(
            NOT_CONVERGED,
            Severity::Error,
            "fixes did not converge; the transaction is left as read",
            self.position(0),
        );
        f.loop_path = Some("ST_LOOP".into());
        findings.push(f);
        // The error is the transaction's, so every claim's.
        let claims = (claims.into_iter())
            .map(|c| ClaimFacts {
                rejected: true,
                ..c
            })
            .collect();
        Outcome {
            findings,
            output: None,
            rejected,
            claims,
            indexed,
        }
    }
}

/// Scrubs one 837 transaction with `grammar` and `rules`.
pub fn transaction<'a>(
    g: &'static Grammar,
    tx: &Transaction<'a>,
    file: &str,
    settings: &Settings,
    rules: &Rules<'_>,
    clean: &mut validate::CleanSegments,
) -> Outcome {
    let run = Run {
        g,
        tx,
        file,
        settings,
        rules,
    };
    let n = tx.segments.len();
    let mut state = State::initial(n);
    // Fixes written so far, in the order they were applied.
    let mut written: Vec<Written> = Vec::new();
    // Fixes refused because they would write an invalid segment: key -> why.
    let mut refused: HashMap<Key, String> = HashMap::new();
    let mut passes = 0;
    // What the first pass read of each claim, and the pass after it takes of that.
    let mut reads = Reads::default();
    let mut replay: Option<Replay<'a>> = None;
    // Passes done in all, restarts after a refused fix included: a bound on the work.
    for _ in 0..MAX_WORK {
        let layout = state.layout.take();
        let relexed = (state.bytes.as_deref()).map(|b| reread(b, layout, tx));
        let view: &Transaction<'_> = relexed.as_ref().unwrap_or(tx);
        // What the last pass found clean and this one did not change is not checked again.
        clean.carry(&state.carried);
        let first = relexed.is_none();
        let found = match &relexed {
            None => run.first_pass(&state, &written, &refused, clean, &mut reads),
            Some(v) => {
                let mut memory = replay.take().map_or(Memory::None, Memory::Replay);
                run.pass(v, &state, &written, &refused, clean, false, &mut memory)
            }
        };
        let (open, chosen, rejected, claims, indexed) = match found {
            Pass::Found {
                open,
                chosen,
                rejected,
                claims,
                indexed,
            } => (open, chosen, rejected, claims, indexed),
            Pass::Refused(bad) => {
                // Start again from the input without the refused fixes (rules are
                // deterministic, so the others come back as they were). Rare, so no
                // earlier state is kept for it.
                for (k, why) in bad {
                    refused.insert(written[k].key, why);
                }
                written.clear();
                passes = 0;
                done_with(relexed);
                state = State::initial(n);
                continue;
            }
        };
        if chosen.is_empty() {
            done_with(relexed);
            // Done: what the last pass left open, plus every fix written.
            return Outcome {
                findings: finished(written, open, settings.check),
                output: state.bytes,
                rejected,
                claims,
                indexed,
            };
        }
        passes += 1;
        if passes >= MAX_PASSES {
            break;
        }
        let mut edits: Vec<(usize, Edit)> = Vec::new();
        for c in chosen {
            let at = written.len();
            edits.extend(c.fix.edits.into_iter().map(|e| (at, e)));
            written.push(Written {
                finding: open[c.finding].clone(),
                baseline: c.baseline,
                key: c.key,
            });
        }
        let next = apply(view, &state, &edits);
        if first {
            replay = Replay::new(std::mem::take(&mut reads), tx, &edits, &next.carried);
        }
        done_with(relexed);
        replaced(std::mem::replace(&mut state, next));
    }
    drop(state);
    run.not_converged(clean)
}

/// A pass's transaction, read again, done with: its segment list kept for the next.
fn done_with(relexed: Option<Transaction<'_>>) {
    if let Some(v) = relexed {
        spare::give(v.segments);
    }
}

/// A state replaced by the next: its bytes kept for a later state's.
fn replaced(state: State) {
    if let Some(b) = state.bytes {
        spare::give_bytes(b);
    }
}

/// The findings of a transaction done: every fix written, marked fixed (under `--check`,
/// that it would be), then what the last pass left open.
fn finished(written: Vec<Written>, open: Vec<Finding>, check: bool) -> Vec<Finding> {
    let mut findings = merged(written);
    for f in &mut findings {
        f.fixed = !check;
        f.would_fix = check;
    }
    findings.extend(open.into_iter().map(|mut f| {
        // A held fix is shown, never written; any other open one is not shown.
        if !f.message.contains(HELD) {
            f.before = None;
            f.after = None;
        }
        f
    }));
    findings
}

/// The written fixes, one per condition: a condition fixed in several passes keeps its
/// first "before" and its last "after".
fn merged(written: Vec<Written>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(written.len());
    let mut at: HashMap<Key, usize> = HashMap::new();
    for w in written {
        match at.get(&w.key) {
            Some(&i) => out[i].after = w.finding.after,
            None => {
                at.insert(w.key, out.len());
                out.push(w.finding);
            }
        }
    }
    out
}

/// Rule ids of the problems the segments a fix sets already have.
fn baseline(view: &Transaction<'_>, tree: &Tree, fix: &Fix) -> HashSet<RuleId> {
    let first = view.segments.first().map_or(0, |s| s.index);
    let mut out = HashSet::new();
    for e in &fix.edits {
        if let Edit::Set { segment, .. } = e
            && let Some(i) = segment
                .checked_sub(first)
                .filter(|&i| i < view.segments.len())
        {
            let def = tree.placed.get(i).and_then(|p| p.def);
            out.extend(problems(&view.segments[i], def).into_iter().map(|p| p.rule));
        }
    }
    out
}

/// The fixes (index in `written`) whose edited or inserted segments are now invalid by
/// the guide, with why.
fn check_written(
    view: &Transaction<'_>,
    tree: &Tree,
    state: &State,
    written: &[Written],
) -> Vec<(usize, String)> {
    let mut bad: Vec<(usize, String)> = Vec::new();
    for &(i, k) in &state.touched {
        if bad.iter().any(|(b, _)| *b == k) {
            continue;
        }
        let Some(seg) = view.segments.get(i) else {
            continue;
        };
        let def = tree.placed.get(i).and_then(|p| p.def);
        let new = problems(seg, def)
            .into_iter()
            .find(|p| !written[k].baseline.contains(&p.rule));
        if let Some(p) = new {
            let why = p.message;
            bad.push((k, format!("the corrected segment would be invalid ({why})")));
        }
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::Claim;
    use crate::report::FixClass;
    use crate::scrub::rule::Fixes;
    use crate::x12::{Reader, Unit};

    const SAMPLE: &[u8] = include_bytes!("../../samples/scrub/ndc-missing.x12");

    fn run(rules: &[&dyn Rule]) -> Outcome {
        let rules = Rules::new(rules.to_vec());
        let mut reader = Reader::new(SAMPLE);
        let tx = reader
            .find_map(|u| match u {
                Ok(Unit::Transaction(t)) => Some(t),
                _ => None,
            })
            .unwrap();
        let g = crate::grammar::for_version("005010X222A1").unwrap();
        let mut clean = validate::CleanSegments::new(64);
        transaction(g, &tx, "t", &Settings::default(), &rules, &mut clean)
    }

    /// Flips the prior authorization number between two values, forever.
    struct Flip;

    impl Rule for Flip {
        fn meta(&self) -> &'static Meta {
            static META: Meta = Meta {
                id: RuleId::PriorAuth,
                severity: Severity::Error,
                fixes: Fixes::Sometimes(FixClass::Repair),
                source: "",
            };
            &META
        }
        fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
            let Some(i) = (claim.clm..=claim.last).find(|&i| cx.seg(i).is("REF")) else {
                return;
            };
            let next: &[u8] = if cx.seg(i).value(2) == b"A" {
                b"B"
            } else {
                b"A"
            };
            let hit = Hit::new(i, "flips");
            out.push(hit.fix(FixClass::Repair, vec![cx.set(i, 2, 0, next)]));
        }
    }

    #[test]
    fn a_rule_that_flips_forever_leaves_nothing_fixed() {
        let o = run(&[&Flip]);
        assert!(o.output.is_none(), "written as read");
        assert!(
            o.findings.iter().all(|f| !f.fixed && !f.would_fix),
            "{:?}",
            o.findings
        );
        assert!(o.findings.iter().any(|f| f.rule == NOT_CONVERGED));
        assert!(o.findings.iter().any(|f| f.rule == "prior-auth"));
    }

    /// Inserts a CTP whose quantity is far longer than CTP04 allows.
    struct LongCtp;

    impl Rule for LongCtp {
        fn meta(&self) -> &'static Meta {
            static META: Meta = Meta {
                id: RuleId::NdcMissing,
                severity: Severity::Error,
                fixes: Fixes::Sometimes(FixClass::Recode),
                source: "",
            };
            &META
        }
        fn check(&self, cx: &Cx<'_, '_>, claim: &Claim<'_>, out: &mut Vec<Hit>) {
            let Some(line) = claim.lines.iter().find(|l| cx.is_drug(l)) else {
                return;
            };
            if line.drug.is_some() {
                return;
            }
            let at = line.service.unwrap_or(line.lx);
            let lin = OwnedSegment::new("LIN", ["", "N4", "64406005801"]);
            let mut ctp = OwnedSegment::new("CTP", ["", "", "", "4.1666666666666666666666666667"]);
            ctp.elements.push(crate::x12::OwnedElement::simple("ML"));
            let hit = Hit::new(at, "no NDC");
            out.push(hit.fix(
                FixClass::Recode,
                vec![
                    cx.insert_after(line.insert_after, lin),
                    cx.insert_after(line.insert_after, ctp),
                ],
            ));
        }
    }

    #[test]
    fn a_fix_that_would_write_an_invalid_segment_is_refused() {
        let o = run(&[&LongCtp]);
        assert!(o.output.is_none(), "nothing was written");
        let f = o.findings.iter().find(|f| f.rule == "ndc-missing").unwrap();
        assert!(!f.fixed);
        assert!(f.message.contains("not fixed"), "{}", f.message);
        assert!(f.message.contains("CTP04"), "{}", f.message);
        assert!(!o.findings.iter().any(|f| f.rule == NOT_CONVERGED));
    }

    #[test]
    fn the_real_rules_fix_the_sample_once() {
        let rules = Rules::of(&Settings::default());
        let o = run(&rules.list);
        assert!(o.output.is_some());
        let fixed: Vec<_> = o
            .findings
            .iter()
            .filter(|f| f.fixed)
            .map(|f| f.rule)
            .collect();
        assert_eq!(fixed, ["ndc-missing"]);
        assert_eq!(o.findings.len(), 1, "{:?}", o.findings);
    }
}
