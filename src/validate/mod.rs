//! Implementation-guide validation of 837 transactions and of the acknowledgments sent
//! back for them (999, 277CA, 835): structure (from the loop tree), elements, code formats and
//! the claim-level balancing and numbering checks.

mod claims;
pub mod codes;
pub mod element;

use std::ops::ControlFlow;

use crate::echo;
use crate::grammar;
use crate::report::limit::{Admit, Limit};
use crate::report::{Finding, Position, RuleId, Severity};
use crate::tree::{self, Tree};
use crate::x12::stream::{self, Event};
use crate::x12::{LexError, Transaction, Unit};

/// Rule ids of transaction-level checks.
pub mod rules {
    use crate::report::RuleId;

    /// ST03 differs from GS08.
    pub const VERSION_MISMATCH: RuleId = RuleId::VersionMismatch;
    /// An 837, 999 or 277 whose guide x837 does not carry: not validated.
    pub const GUIDE_UNSUPPORTED: RuleId = RuleId::GuideUnsupported;
    pub use super::claims::rules::*;
}

/// What validating one input found.
#[derive(Debug, Default)]
pub struct Validated {
    pub findings: Vec<Finding>,
    /// The error that stopped reading, if any; findings cover what was read before it.
    pub error: Option<LexError>,
    /// Transactions validated (837, 999 and 277CA).
    pub transactions: usize,
    /// Transactions of other sets (834...) or unsupported guides (837D...), passed through.
    pub passed_through: usize,
    /// Interchanges, groups and transactions that do not close: the input is incomplete.
    pub unclosed: usize,
}

/// Counts the interchanges, groups and transactions of a stream that do not close.
#[derive(Debug, Default)]
struct Closing {
    isa: bool,
    gs: bool,
    unclosed: usize,
}

impl Closing {
    fn transaction(&mut self, tx: &Transaction<'_>) {
        let closed = tx.segments.len() > 1 && tx.segments.last().is_some_and(|s| s.is("SE"));
        self.unclosed += usize::from(!closed);
    }

    fn segment(&mut self, s: &crate::x12::Segment<'_>) {
        match s.id() {
            b"ISA" => {
                self.unclosed += usize::from(self.isa || self.gs);
                (self.isa, self.gs) = (true, false);
            }
            b"GS" => {
                self.unclosed += usize::from(self.gs);
                self.gs = true;
            }
            b"GE" => self.gs = false,
            b"IEA" => {
                self.unclosed += usize::from(self.gs);
                (self.isa, self.gs) = (false, false);
            }
            _ => {}
        }
    }

    fn finish(&mut self) -> usize {
        self.unclosed + usize::from(self.isa || self.gs)
    }
}

impl Validated {
    /// The worst severity found, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Adds claim (CLM01), service line (LX01) and loop path to a finding at segment `i`.
pub fn locate(finding: &mut Finding, tree: &Tree, tx: &Transaction<'_>, i: usize) {
    let Some(placed) = tree.placed.get(i) else {
        return;
    };
    let l = placed.loop_index;
    if finding.loop_path.is_none() {
        finding.loop_path = Some(tree.segment_path(i, tx.segments[i].id()));
    }
    if let Some(c) = tree.ancestor(l, "2300") {
        let clm = &tx.segments[tree.loops[c].first];
        finding.claim = Some(String::from_utf8_lossy(clm.value(1)).into_owned());
    }
    if let Some(s) = tree.ancestor(l, "2400") {
        let lx = &tx.segments[tree.loops[s].first];
        finding.service_line = Some(String::from_utf8_lossy(lx.value(1)).into_owned());
    }
}

/// Validates one transaction with `grammar` (an 837, 999 or 277CA guide); returns its tree.
pub fn transaction(
    grammar: &'static grammar::Grammar,
    tx: &Transaction<'_>,
    file: &str,
    findings: &mut Vec<Finding>,
) -> Tree {
    transaction_with(
        grammar,
        tx,
        file,
        findings,
        &mut CleanSegments::new(tx.segments.len()),
    )
}

/// [`transaction`] with a memory of clean segments shared with other transactions (of
/// one input, or the passes of a scrub).
pub(crate) fn transaction_with(
    grammar: &'static grammar::Grammar,
    tx: &Transaction<'_>,
    file: &str,
    findings: &mut Vec<Finding>,
    clean: &mut CleanSegments,
) -> Tree {
    let start = findings.len();
    let mut limit = Limit::new();
    let tree = tree::build_limited(grammar, tx, file, findings, &mut limit);
    let mut problems = Vec::new();
    let known = std::mem::take(&mut clean.known);
    clean.found.clear();
    clean.found.resize(tx.segments.len(), 0);
    for (i, seg) in tx.segments.iter().enumerate() {
        let def = tree.placed[i].def;
        let id = CleanSegments::id(def);
        if known.get(i) == Some(&id) || clean.contains(def, seg) {
            clean.found[i] = id;
            continue;
        }
        problems.clear();
        if let Some(def) = def {
            element::check(seg, def, &mut problems);
        }
        codes::check(seg, &mut problems);
        if problems.is_empty() {
            clean.insert(def, seg);
            clean.found[i] = id;
        }
        for p in problems.drain(..) {
            let rule = ndc_qualifier_rule(p.rule, &tree, i, seg);
            let position = Position::at(file, tx, seg);
            match limit.admit(rule) {
                Admit::List => {
                    let f = Finding::new(rule, Severity::Error, p.message, position);
                    findings.push(f.at_element(p.at));
                }
                Admit::First => limit.over(rule, Severity::Error, position, None),
                Admit::Over => {}
            }
        }
    }
    claims::check(&tree, tx, file, findings, &mut limit);
    limit.finish(findings);
    let st03 = tx.segments.first().map(|s| s.value(3)).unwrap_or_default();
    let st03_invalid = findings[start..].iter().any(|f| {
        f.position.segment == tx.segments[0].index && f.rule == element::rules::CODE_INVALID
    });
    if !st03.is_empty() && !st03_invalid && !tx.version().is_empty() && st03 != tx.version() {
        let m = format!(
            "ST03 {} differs from GS08 {}",
            echo::code(st03),
            echo::code(tx.version())
        );
        findings.push(Finding::new(
            rules::VERSION_MISMATCH,
            Severity::Error,
            m,
            Position::at(file, tx, &tx.segments[0]),
        ));
    }
    // The x12 layer reads GS01 for any set; that an 837 needs HC is the guide's. After
    // the ST03 check, which takes a code-invalid on ST for a bad ST03.
    let gs01 = tx.functional_id();
    let kind = grammar.kind;
    if !gs01.is_empty() && gs01 != kind.functional_id().as_bytes() {
        let article = if kind.is_claim() { "an" } else { "a" };
        let m = format!(
            "GS01 {} is not {}, the functional group of {article} {}",
            echo::quoted(gs01),
            kind.functional_id(),
            kind.set_id()
        );
        findings.push(Finding::new(
            element::rules::CODE_INVALID,
            Severity::Error,
            m,
            Position::at(file, tx, &tx.segments[0]),
        ));
    }
    let first = tx.segments.first().map_or(0, |s| s.index);
    for f in &mut findings[start..] {
        // A transaction's segments are consecutive in the input.
        let i = f.position.segment.wrapping_sub(first);
        if i < tx.segments.len() {
            locate(f, &tree, tx, i);
        }
    }
    tree
}

/// Segments already found to have no element or code-format problem, so that a segment
/// repeated verbatim (`LX*1`, a common `DTP*472`, the same provider `NM1`) is checked
/// once. Both checks read only the segment's bytes, its delimiters and its definition,
/// so those are the key, kept by value and compared in full (the hash picks the slot and,
/// kept in `tags`, turns away most segments not held). Direct-mapped and bounded: a collision just overwrites a slot, which costs a
/// re-check later; bodies longer than [`Clean::BODY`] bytes are not remembered.
///
/// Besides, by position: what the last validation found clean (`found`, per segment the
/// definition it was clean under), which a scrub's next pass carries over to the segments
/// it did not change (`carry`), whatever their length or the table's collisions.
pub(crate) struct CleanSegments {
    slots: Vec<Option<Clean>>,
    /// Per slot, its segment's hash with the lowest bit set (0: empty): read first, so
    /// that a segment not remembered costs a read of this dense table (64 KB at most),
    /// not of its 120-byte slot (perf: that load was 45% of the function's samples).
    tags: Vec<u64>,
    /// Per segment of the last validated transaction: [`CleanSegments::id`] of the
    /// definition it was found clean under, 0 when it was not.
    found: Vec<usize>,
    /// Per segment of the next transaction validated (then cleared): the same, carried.
    known: Vec<usize>,
}

struct Clean {
    def: usize,
    delimiters: crate::x12::Delimiters,
    len: u8,
    body: [u8; Clean::BODY],
}

impl Clean {
    const BODY: usize = 96;
}

impl CleanSegments {
    /// At most this many slots (under a MB).
    const MAX_SLOTS: usize = 1 << 13;

    /// A memory sized for about `segments` segments.
    pub(crate) fn new(segments: usize) -> Self {
        let n = segments.clamp(16, Self::MAX_SLOTS).next_power_of_two();
        CleanSegments {
            slots: (0..n).map(|_| None).collect(),
            tags: vec![0; n],
            found: Vec::new(),
            known: Vec::new(),
        }
    }

    /// A definition (or none) as a number that is never 0.
    fn id(def: Option<&grammar::SegmentDef>) -> usize {
        def.map_or(1, |d| std::ptr::from_ref(d) as usize)
    }

    /// The next validation's segment `j` is the last one's segment `from[j]`, unchanged
    /// (`u32::MAX`: changed or new): what was found clean there holds, under the same
    /// definition. An empty `from` carries nothing.
    pub(crate) fn carry(&mut self, from: &[u32]) {
        self.known.clear();
        let found = &self.found;
        (self.known).extend(
            from.iter()
                .map(|&p| found.get(p as usize).copied().unwrap_or(0)),
        );
    }

    fn key(def: Option<&grammar::SegmentDef>, body: &[u8]) -> (u64, usize) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let def = def.map_or(0, |d| std::ptr::from_ref(d) as usize);
        let mut h = (def as u64 ^ body.len() as u64).wrapping_mul(K);
        let mut chunks = body.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        // The last few bytes as one word, zero above them: built in a register, not
        // copied into a buffer, whose byte stores the word's load would wait for (about 5%
        // of a clean scrub's time by perf's samples).
        let last = (chunks.remainder().iter().rev()).fold(0, |w, &b| (w << 8) | u64::from(b));
        h = (h.rotate_left(5) ^ last).wrapping_mul(K);
        (h, def)
    }

    fn slot(&self, hash: u64) -> usize {
        (hash >> 32) as usize & (self.slots.len() - 1)
    }

    fn contains(&self, def: Option<&grammar::SegmentDef>, seg: &crate::x12::Segment<'_>) -> bool {
        let body = seg.body();
        if body.len() > Clean::BODY {
            return false;
        }
        let (hash, def) = Self::key(def, body);
        let at = self.slot(hash);
        if self.tags[at] != hash | 1 {
            return false;
        }
        matches!(&self.slots[at], Some(c)
            if c.def == def
                && c.delimiters == seg.delimiters
                && c.body[..usize::from(c.len)] == *body)
    }

    fn insert(&mut self, def: Option<&grammar::SegmentDef>, seg: &crate::x12::Segment<'_>) {
        let body = seg.body();
        if body.len() > Clean::BODY {
            return;
        }
        let (hash, def) = Self::key(def, body);
        let at = self.slot(hash);
        self.tags[at] = hash | 1;
        let mut bytes = [0u8; Clean::BODY];
        bytes[..body.len()].copy_from_slice(body);
        self.slots[at] = Some(Clean {
            def,
            delimiters: seg.delimiters,
            len: body.len() as u8,
            body: bytes,
        });
    }
}

/// `domain/j2326.md` gives LIN02 that is not N4 its own id: one condition, one id.
fn ndc_qualifier_rule(
    rule: RuleId,
    tree: &Tree,
    i: usize,
    seg: &crate::x12::Segment<'_>,
) -> RuleId {
    if rule == element::rules::CODE_INVALID
        && seg.is("LIN")
        && tree.loop_id(i) == "2410"
        && seg.value(2) != b"N4"
    {
        RuleId::NdcQualifier
    } else {
        rule
    }
}

/// The guides x837 validates a set with, as a message lists them.
fn guides_of(set: &[u8]) -> Option<&'static str> {
    match set {
        b"837" => Some("005010X222A1, 005010X223A2"),
        b"999" => Some("005010X231A1"),
        b"277" => Some("005010X214"),
        b"835" => Some("005010X221A1"),
        _ => None,
    }
}

/// Validates one transaction of a set x837 carries a guide for (837, 999, 277CA, 835) and
/// returns its tree; `None` when it passes through unvalidated: another set (an 834),
/// or a guide x837 does not carry, which gets a `guide-unsupported` warning.
pub(crate) fn any_transaction(
    tx: &Transaction<'_>,
    file: &str,
    findings: &mut Vec<Finding>,
    clean: &mut CleanSegments,
) -> Option<Tree> {
    if let Some(g) = grammar_of(tx) {
        return Some(transaction_with(g, tx, file, findings, clean));
    }
    let supported = guides_of(tx.set_id())?;
    let m = format!(
        "guide {} is not one x837 validates ({supported})",
        echo::quoted(tx.guide())
    );
    findings.push(Finding::new(
        rules::GUIDE_UNSUPPORTED,
        Severity::Warning,
        m,
        Position::at(file, tx, &tx.segments[0]),
    ));
    None
}

/// Validates every transaction of one input named `file`.
pub fn validate(input: &[u8], file: &str) -> Validated {
    // Reading from memory cannot fail.
    validate_read(input, file).unwrap_or_default()
}

/// Validates an input read as a stream, one transaction at a time, keeping every finding.
pub fn validate_read(read: impl std::io::Read, file: &str) -> std::io::Result<Validated> {
    let mut findings = Vec::new();
    let mut out = validate_each(read, file, |batch| {
        findings.append(batch);
        ControlFlow::Continue(())
    })?;
    out.findings = findings;
    Ok(out)
}

/// Validates an input read as a stream, handing its findings to `emit` as they are made:
/// one batch per transaction (with the envelope findings that came with it), each in
/// input order, so memory does not grow with the file. `emit` may stop the reading.
/// The result's `findings` is empty.
pub fn validate_each(
    read: impl std::io::Read,
    file: &str,
    mut emit: impl FnMut(&mut Vec<Finding>) -> ControlFlow<()>,
) -> std::io::Result<Validated> {
    let mut out = Validated::default();
    let mut closing = Closing::default();
    let mut batch: Vec<Finding> = Vec::new();
    let flush = |batch: &mut Vec<Finding>,
                 emit: &mut dyn FnMut(&mut Vec<Finding>) -> ControlFlow<()>| {
        if batch.is_empty() {
            return ControlFlow::Continue(());
        }
        batch.sort_by_key(|f| f.position.segment);
        let flow = emit(batch);
        batch.clear();
        flow
    };
    // The 837 transactions are validated in parallel as they are read and handed on in
    // order, each as soon as it and those before it are done.
    let found = |e: &Event<'_>| match e {
        Event::Unit(Unit::Transaction(tx)) => Some(transaction_findings(tx, file)),
        _ => None,
    };
    let consume = |event: &Event<'_>, found: Option<Vec<Finding>>| match event {
        Event::Problems(p) => {
            batch.extend(p.iter().map(|p| Finding::from_problem(p.clone(), file)));
            ControlFlow::Continue(())
        }
        Event::Unit(Unit::Transaction(tx)) => {
            closing.transaction(tx);
            match grammar_of(tx) {
                Some(_) => out.transactions += 1,
                None => out.passed_through += 1,
            }
            batch.extend(found.unwrap_or_default());
            flush(&mut batch, &mut emit)
        }
        Event::Error(e, _) => {
            out.error = Some(e.clone());
            ControlFlow::Continue(())
        }
        Event::Unit(Unit::Segment(seg)) => {
            closing.segment(seg);
            flush(&mut batch, &mut emit)
        }
        Event::Prefix(_) => ControlFlow::Continue(()),
    };
    stream::map_in_order(read, found, consume)?;
    let _ = flush(&mut batch, &mut emit);
    out.unclosed = closing.finish();
    Ok(out)
}

/// The guide x837 validates `tx` with: an 837, 999, 277CA or 835 of a guide it carries.
fn grammar_of(tx: &Transaction<'_>) -> Option<&'static grammar::Grammar> {
    grammar::for_set(tx.set_id(), &String::from_utf8_lossy(tx.guide()))
}

thread_local! {
    /// Segments already found clean, kept by each thread across transactions and inputs.
    static CLEAN: std::cell::RefCell<CleanSegments> =
        std::cell::RefCell::new(CleanSegments::new(usize::MAX));
}

/// The findings of one transaction (see [`any_transaction`]).
fn transaction_findings(tx: &Transaction<'_>, file: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    CLEAN.with_borrow_mut(|clean| any_transaction(tx, file, &mut found, clean));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::envelope::first_transaction;

    /// What a pass found clean is carried to the segments the next one did not change,
    /// and to nothing else: a segment carried as changed (`u32::MAX`) is checked again.
    #[test]
    fn carried_segments_skip_their_checks_changed_ones_do_not() {
        let good = include_bytes!("../../samples/scrub/ndc-missing.x12").to_vec();
        // The same input with the unit code of the first SV1 spoiled in place.
        let text = String::from_utf8(good.clone()).expect("ASCII");
        let bad = text.replacen("*UN*", "*QQ*", 1).into_bytes();
        assert!(bad != good, "the sample has an SV1 in units");
        let g = grammar::for_version("005010X222A1").expect("grammar");
        let (tg, tb) = (first_transaction(&good), first_transaction(&bad));
        let sv1 = (tb.segments.iter().position(|s| s.is("SV1"))).expect("an SV1");
        let mut clean = CleanSegments::new(1);
        let mut found = Vec::new();
        transaction_with(g, &tg, "t", &mut found, &mut clean);
        assert!(clean.found[sv1] != 0, "the SV1 was clean");
        let same: Vec<u32> = (0..tg.segments.len() as u32).collect();
        // Carried as unchanged: the spoiled SV1 is taken as clean, as the mapping says.
        clean.carry(&same);
        let mut carried = Vec::new();
        transaction_with(g, &tb, "t", &mut carried, &mut clean);
        // Carried as changed: checked, and the bad qualifier found.
        let mut changed = same.clone();
        changed[sv1] = u32::MAX;
        transaction_with(g, &tg, "t", &mut Vec::new(), &mut clean);
        clean.carry(&changed);
        let mut checked = Vec::new();
        transaction_with(g, &tb, "t", &mut checked, &mut clean);
        let at_sv1 = |fs: &[Finding]| {
            fs.iter()
                .any(|f| f.position.segment == tb.segments[sv1].index)
        };
        assert!(!at_sv1(&carried), "{carried:?}");
        assert!(at_sv1(&checked), "{checked:?}");
        // A carry holds for one validation only.
        let mut again = Vec::new();
        transaction_with(g, &tb, "t", &mut again, &mut clean);
        assert!(at_sv1(&again), "{again:?}");
    }
}
