//! The fix loop of one transaction, after ruff's: validate and run the rules, apply the
//! fixes that do not overlap, and run again on the result until no fix is left. What it
//! returns is the last pass's open findings plus the fixes actually written; a condition
//! a fix removed is simply not in the last pass.
//!
//! Every segment a fix edits or inserts is checked against the grammar in the next pass;
//! a fix that would write an invalid segment is refused (its finding stays open and says
//! why) and the pass is done again without it.

use std::collections::{HashMap, HashSet};

use crate::claim;
use crate::grammar::Grammar;
use crate::report::{Finding, Position, Severity};
use crate::tree::Tree;
use crate::validate::{self, codes, element};
use crate::x12::{Edit, Lexer, Mode, OwnedSegment, Segment, Transaction, Writer};

use super::catalog;
use super::config::{Resolved, Settings};
use super::registry;
use super::rule::{Cx, Fix, Rule};

/// How often the rules run on one transaction before the scrub gives up converging.
pub const MAX_PASSES: usize = 8;

/// Rule id of the finding made when fixes keep producing fixes.
pub const NOT_CONVERGED: &str = "scrub-not-converged";

/// The result for one transaction.
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// The corrected transaction; `None` when it is written as read.
    pub output: Option<Vec<u8>>,
}

/// One state of the transaction between passes.
#[derive(Clone)]
struct State {
    bytes: Option<Vec<u8>>,
    /// Per segment of this state: the index in the input transaction it stands for (an
    /// inserted segment stands for the one it was inserted after).
    origins: Vec<usize>,
    /// Per segment: the fix (index in `Loop::written`) that edited or inserted it.
    touched: Vec<Option<usize>>,
}

/// A fix written into the transaction, with what it is checked against next pass.
struct Written {
    finding: Finding,
    /// Rule ids of problems the segments it edits already had (not the fix's doing).
    baseline: HashSet<&'static str>,
    key: Key,
}

/// A finding's identity across passes: rule and input segment.
type Key = (&'static str, usize);

/// Re-reads an edited transaction.
fn relex<'b>(bytes: &'b [u8], like: &Transaction<'_>) -> Transaction<'b> {
    let d = like.segments[0].delimiters;
    Transaction::new(
        Lexer::continuing(bytes, d).filter_map(Result::ok).collect(),
        like.envelope.clone(),
    )
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
        None => out.push((
            crate::tree::rules::SEGMENT_UNEXPECTED,
            "the segment is not expected here".to_string(),
        )),
    }
    codes::check(seg, &mut out);
    out
}

/// The state after `edits` are applied to `view` (in state `from`); each edit comes with
/// the index in `written` of the fix it belongs to.
fn apply(view: &Transaction<'_>, from: &State, edits: &[(usize, Edit)]) -> State {
    let mut deleted: HashSet<usize> = HashSet::new();
    let mut set_by: HashMap<usize, usize> = HashMap::new();
    let mut inserted: HashMap<usize, Vec<usize>> = HashMap::new();
    for (k, e) in edits {
        match e {
            Edit::Delete { segment } => {
                deleted.insert(*segment);
            }
            Edit::Set { segment, .. } => {
                set_by.insert(*segment, *k);
            }
            Edit::Insert { after, .. } => inserted.entry(*after).or_default().push(*k),
        }
    }
    let plain: Vec<Edit> = edits.iter().map(|(_, e)| e.clone()).collect();
    let mut w = Writer::new(Vec::new(), Mode::Copy);
    // Writing into memory cannot fail.
    let _ = w.transaction(view, &plain);
    let mut origins = Vec::with_capacity(view.segments.len() + inserted.len());
    let mut touched = Vec::with_capacity(origins.capacity());
    for (i, s) in view.segments.iter().enumerate() {
        let origin = from.origins[i];
        if !deleted.contains(&s.index) {
            origins.push(origin);
            // Only this pass's edits are checked next pass.
            touched.push(set_by.get(&s.index).copied());
        }
        for &k in inserted.get(&s.index).map_or(&[][..], Vec::as_slice) {
            origins.push(origin);
            touched.push(Some(k));
        }
    }
    State {
        bytes: Some(w.into_inner()),
        origins,
        touched,
    }
}

/// Scrubs one 837 transaction with `grammar`.
pub fn transaction(
    g: &'static Grammar,
    tx: &Transaction<'_>,
    file: &str,
    settings: &Settings,
    clean: &mut validate::CleanSegments,
) -> Outcome {
    let rules: Vec<&dyn Rule> = (registry::all().iter().copied())
        .filter(|r| !settings.disabled.contains(r.id()))
        .collect();
    let n = tx.segments.len();
    let position = |origin: usize| -> Position {
        tx.position(file, &tx.segments[origin.min(n.saturating_sub(1))])
    };
    let mut state = State {
        bytes: None,
        origins: (0..n).collect(),
        touched: vec![None; n],
    };
    // Fixes written so far, in the order they were applied.
    let mut written: Vec<Written> = Vec::new();
    // Fixes refused because they would write an invalid segment: key -> why.
    let mut refused: HashMap<Key, String> = HashMap::new();
    // To go back to when a fix of the last pass is refused: the state before it, how
    // many fixes were written then, and the pass count.
    let mut previous: Option<(State, usize, usize)> = None;
    let mut first_pass: Option<Vec<Finding>> = None;
    let mut passes = 0;
    loop {
        let relexed = state.bytes.as_deref().map(|b| relex(b, tx));
        let view: &Transaction<'_> = relexed.as_ref().unwrap_or(tx);
        let mut open: Vec<Finding> = Vec::new();
        let tree = validate::transaction_with(g, view, file, &mut open, clean);
        // The last pass's fixes, checked against the grammar on what they wrote.
        let bad = check_written(view, &tree, &state, &written);
        if !bad.is_empty() {
            let Some((back, keep, count)) = previous.take() else {
                // Cannot happen: a touched segment implies a previous pass.
                break Outcome {
                    findings: first_pass.unwrap_or_default(),
                    output: None,
                };
            };
            for (k, why) in bad {
                refused.insert(written[k].key, why);
            }
            written.truncate(keep);
            passes = count;
            drop(relexed);
            state = back;
            continue;
        }
        let first = view.segments.first().map_or(0, |s| s.index);
        // Validation findings: one per rule, segment and message (an inserted segment
        // counts as the one it follows).
        let mut seen_v: HashSet<(&'static str, usize, String)> = HashSet::new();
        for f in &mut open {
            let i = f.position.segment - first;
            let origin = state.origins.get(i).copied().unwrap_or(0);
            f.position = position(origin);
        }
        open.retain(|f| seen_v.insert((f.rule, f.position.segment, f.message.clone())));
        // One finding per rule and input segment: a rule's hit on a segment validation
        // already reported under the same id (`ndc-qualifier`) lends it its fix.
        let mut index: HashMap<Key, usize> = HashMap::new();
        let base = tx.segments.first().map_or(0, |s| s.index);
        for (k, f) in open.iter().enumerate() {
            // Positions now name input segments: the origin is the offset from ST.
            index
                .entry((f.rule, f.position.segment - base))
                .or_insert(k);
        }
        let mut fixed_keys: HashSet<Key> = HashSet::new();
        let claims = claim::claims(&tree, view);
        let mut fixes: Vec<(usize, Key, Fix)> = Vec::new();
        // A profile depends only on the payer, and a transaction has few payers.
        let mut profiles: Vec<(&[u8], Resolved)> = Vec::new();
        let mut hits = Vec::new();
        for c in &claims {
            let k = match profiles.iter().position(|(p, _)| *p == c.payer) {
                Some(k) => k,
                None => {
                    profiles.push((c.payer, settings.resolve(c.payer)));
                    profiles.len() - 1
                }
            };
            let cx = Cx {
                tx: view,
                tree: &tree,
                catalog: catalog::catalog(),
                profile: &profiles[k].1,
                kind: g.kind,
            };
            for rule in &rules {
                rule.check(&cx, c, &mut hits);
            }
            for hit in hits.drain(..) {
                let origin = state.origins.get(hit.segment).copied().unwrap_or(0);
                let key = (hit.rule, origin);
                let k = match index.get(&key) {
                    Some(&k) => k,
                    None => {
                        let severity = settings.severity(hit.rule, hit.severity);
                        let mut f = Finding::new(hit.rule, severity, hit.message, position(origin));
                        validate::locate(&mut f, &tree, view, hit.segment);
                        f.position = position(origin);
                        index.insert(key, open.len());
                        open.push(f);
                        open.len() - 1
                    }
                };
                let Some(fix) = hit.fix else { continue };
                if !fixed_keys.insert(key) {
                    continue;
                }
                let f = &mut open[k];
                f.fix_class = Some(fix.class);
                if let Some(why) = refused.get(&key) {
                    f.message = format!("{}; not fixed: {why}", f.message);
                } else if settings.fixes.applies(fix.class) {
                    let (before, after) = before_after(view, hit.segment, &fix);
                    f.before = Some(before);
                    f.after = Some(after);
                    fixes.push((k, key, fix));
                }
            }
        }
        if first_pass.is_none() {
            first_pass = Some(open.clone());
        }
        // The fixes that do not touch a segment another fix of this pass touches.
        let mut taken: HashSet<usize> = HashSet::new();
        let mut chosen: Vec<(usize, Key, Fix)> = Vec::new();
        for (k, key, fix) in fixes {
            if fix.edits.iter().any(|e| taken.contains(&e.target())) {
                continue;
            }
            taken.extend(fix.edits.iter().map(Edit::target));
            chosen.push((k, key, fix));
        }
        if chosen.is_empty() {
            // Done: what the last pass left open, plus every fix written.
            let mut findings = merged(written);
            for f in &mut findings {
                if settings.check {
                    f.fixed = false;
                    f.would_fix = true;
                } else {
                    f.fixed = true;
                }
            }
            for f in &mut open {
                f.before = None;
                f.after = None;
            }
            findings.extend(open);
            break Outcome {
                findings,
                output: state.bytes,
            };
        }
        passes += 1;
        if passes >= MAX_PASSES {
            // Written as read: the findings are those of the input, none fixed.
            let mut findings = first_pass.unwrap_or_default();
            for f in &mut findings {
                f.before = None;
                f.after = None;
            }
            let mut f = Finding::new(
                NOT_CONVERGED,
                Severity::Error,
                "fixes did not converge; the transaction is left as read",
                position(0),
            );
            f.loop_path = Some("ST_LOOP".into());
            findings.push(f);
            break Outcome {
                findings,
                output: None,
            };
        }
        let keep = written.len();
        let mut edits: Vec<(usize, Edit)> = Vec::new();
        for (k, key, fix) in chosen {
            let at = written.len();
            let baseline = baseline(view, &tree, &fix);
            edits.extend(fix.edits.into_iter().map(|e| (at, e)));
            written.push(Written {
                finding: open[k].clone(),
                baseline,
                key,
            });
        }
        let next = apply(view, &state, &edits);
        drop(relexed);
        previous = Some((std::mem::replace(&mut state, next), keep, passes - 1));
    }
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
fn baseline(view: &Transaction<'_>, tree: &Tree, fix: &Fix) -> HashSet<&'static str> {
    let first = view.segments.first().map_or(0, |s| s.index);
    let mut out = HashSet::new();
    for e in &fix.edits {
        if let Edit::Set { segment, .. } = e
            && let Some(i) = segment
                .checked_sub(first)
                .filter(|&i| i < view.segments.len())
        {
            let def = tree.placed.get(i).and_then(|p| p.def);
            out.extend(problems(&view.segments[i], def).into_iter().map(|(r, _)| r));
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
    for (i, t) in state.touched.iter().enumerate() {
        let Some(k) = *t else { continue };
        if bad.iter().any(|(b, _)| *b == k) {
            continue;
        }
        let Some(seg) = view.segments.get(i) else {
            continue;
        };
        let def = tree.placed.get(i).and_then(|p| p.def);
        let new = problems(seg, def)
            .into_iter()
            .find(|(rule, _)| !written[k].baseline.contains(rule));
        if let Some((_, why)) = new {
            bad.push((k, format!("the corrected segment would be invalid ({why})")));
        }
    }
    bad
}
