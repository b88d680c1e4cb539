//! The J2326 scrub: rules find problems on claims and propose fixes as edits; the writer
//! applies them; rules run again on the result until nothing more is fixed.
//!
//! One transaction at a time: an untouched transaction is copied byte for byte.

pub mod catalog;
pub mod config;
pub mod lines;
pub mod ndc;
pub mod pairing;
pub mod registry;
pub mod rule;
pub mod rules;

use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Write};

use crate::claim;
use crate::grammar::{self, Grammar};
use crate::report::{Finding, Position, Severity};
use crate::validate;
use crate::x12::stream::{self, Event};
use crate::x12::{Edit, LexError, Lexer, Mode, OwnedSegment, Segment, Transaction, Unit, Writer};

use config::Resolved;
pub use config::{Fixes, Settings};
pub use rule::{Cx, Fix, Hit, Rule};

/// How often the rules run on one transaction before the scrub gives up converging.
const MAX_PASSES: usize = 8;

/// Rule id of the finding made when fixes keep producing fixes.
pub const NOT_CONVERGED: &str = "scrub-not-converged";

/// What scrubbing one input produced.
#[derive(Debug, Default)]
pub struct Scrubbed {
    /// The corrected input (empty when reading failed before the first segment).
    pub output: Vec<u8>,
    pub findings: Vec<Finding>,
    pub error: Option<LexError>,
    /// CLM segments in the input.
    pub claims: usize,
    /// 837 transactions scrubbed.
    pub transactions: usize,
    /// Other transactions passed through untouched.
    pub passed_through: usize,
    /// Whether any output was written (none when the input is not X12).
    pub wrote: bool,
    /// Error- and warning-level findings that remain after the fixes.
    pub remaining_errors: usize,
    pub remaining_warnings: usize,
}

impl Scrubbed {
    /// Findings whose fix was applied.
    pub fn fixed(&self) -> usize {
        self.findings.iter().filter(|f| f.fixed).count()
    }
}

/// Scrubs one input named `file`, returning the corrected EDI in `Scrubbed::output`.
pub fn scrub(input: &[u8], file: &str, settings: &Settings) -> Scrubbed {
    let mut output = Vec::with_capacity(input.len() + input.len() / 64);
    // Reading from and writing to memory cannot fail.
    let mut out = scrub_to(input, file, settings, &mut output).unwrap_or_default();
    out.output = output;
    out
}

/// Scrubs an input read as a stream, one transaction at a time, writing the corrected EDI
/// to `sink` as it goes (nothing at all when the input is not X12). `Scrubbed::output` is
/// left empty; `Scrubbed::wrote` says whether anything was written.
pub fn scrub_to<R: Read, W: Write>(
    read: R,
    file: &str,
    settings: &Settings,
    sink: W,
) -> io::Result<Scrubbed> {
    let mut out = Scrubbed::default();
    let mut writer = Writer::new(sink, Mode::Copy);
    // Segments already found clean, shared by the transactions and passes of this input.
    let mut clean = validate::CleanSegments::new(usize::MAX);
    let mut prefix: Option<Vec<u8>> = None;
    let mut failed: Option<io::Error> = None;
    let env = stream::for_each(read, file, |event| {
        if failed.is_some() {
            return;
        }
        let result = match event {
            Event::Prefix(p) => {
                prefix = Some(p.to_vec());
                Ok(())
            }
            Event::Unit(unit) => {
                let mut r = match prefix.take() {
                    Some(p) => writer.prefix(&p),
                    None => Ok(()),
                };
                out.wrote = true;
                if r.is_ok() {
                    r = unit_out(&unit, file, settings, &mut out, &mut writer, &mut clean);
                }
                r
            }
            Event::Error(e, rest) => {
                // Bytes the reader could not go past are passed through unchanged, unless
                // nothing at all could be read (then there is no output).
                let r = if out.wrote {
                    writer.prefix(rest)
                } else {
                    Ok(())
                };
                out.error = Some(e);
                r
            }
        };
        if let Err(e) = result {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    for f in &env {
        match f.severity {
            Severity::Error => out.remaining_errors += 1,
            Severity::Warning => out.remaining_warnings += 1,
            Severity::Info => {}
        }
    }
    let mut findings = env;
    findings.append(&mut out.findings);
    // In input order, so a report reads claim after claim as the file does.
    findings.sort_by_key(|f| f.position.segment);
    out.findings = findings;
    writer.into_inner().flush()?;
    Ok(out)
}

/// Scrubs and writes one unit.
fn unit_out<W: Write>(
    unit: &Unit<'_>,
    file: &str,
    settings: &Settings,
    out: &mut Scrubbed,
    writer: &mut Writer<W>,
    clean: &mut validate::CleanSegments,
) -> io::Result<()> {
    let Unit::Transaction(tx) = unit else {
        return writer.unit(unit, &[]);
    };
    out.claims += tx.segments.iter().filter(|s| s.is("CLM")).count();
    let g = (tx.set_id() == b"837")
        .then(|| grammar::for_version(&String::from_utf8_lossy(tx.guide())))
        .flatten();
    let Some(g) = g else {
        out.passed_through += 1;
        return writer.transaction(tx, &[]);
    };
    out.transactions += 1;
    let t = transaction(g, tx, file, settings, clean);
    out.remaining_errors += t.remaining.0;
    out.remaining_warnings += t.remaining.1;
    out.findings.extend(t.findings);
    match t.output {
        Some(bytes) => writer.raw_transaction(&bytes),
        None => writer.transaction(tx, &[]),
    }
}

struct Scrubbed1 {
    findings: Vec<Finding>,
    output: Option<Vec<u8>>,
    remaining: (usize, usize),
}

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

/// Before and after texts of a fix applied to `view`.
fn before_after(view: &Transaction<'_>, hit_segment: usize, fix: &Fix) -> (String, String) {
    // A transaction's segments are consecutive: file index - first index = view index.
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
        let mut owned: Option<OwnedSegment> = None;
        let mut deleted = false;
        for e in &fix.edits {
            match e {
                Edit::Set {
                    segment,
                    element,
                    component,
                    value,
                } if *segment == seg.index => owned
                    .get_or_insert_with(|| OwnedSegment::from_segment(seg))
                    .set(*element, *component, value),
                Edit::Delete { segment } if *segment == seg.index => deleted = true,
                _ => {}
            }
        }
        if !deleted {
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

/// The targets (file indices) a fix changes, for conflict checks.
fn targets(fix: &Fix) -> impl Iterator<Item = usize> + '_ {
    fix.edits.iter().map(|e| match e {
        Edit::Set { segment, .. } | Edit::Delete { segment } => *segment,
        Edit::Insert { after, .. } => *after,
    })
}

/// Where each segment of the edited transaction came from: the index in the previous
/// view of the segment itself, or of the segment it was inserted after.
fn origins_after(view: &Transaction<'_>, edits: &[Edit]) -> Vec<usize> {
    let deleted: HashSet<usize> = edits
        .iter()
        .filter_map(|e| match e {
            Edit::Delete { segment } => Some(*segment),
            _ => None,
        })
        .collect();
    let mut inserted: HashMap<usize, usize> = HashMap::new();
    for e in edits {
        if let Edit::Insert { after, .. } = e {
            *inserted.entry(*after).or_default() += 1;
        }
    }
    let mut out = Vec::with_capacity(view.segments.len() + inserted.len());
    for (i, s) in view.segments.iter().enumerate() {
        if !deleted.contains(&s.index) {
            out.push(i);
        }
        for _ in 0..inserted.get(&s.index).copied().unwrap_or(0) {
            out.push(i);
        }
    }
    out
}

fn transaction(
    g: &'static Grammar,
    tx: &Transaction<'_>,
    file: &str,
    settings: &Settings,
    clean: &mut validate::CleanSegments,
) -> Scrubbed1 {
    let mut findings: Vec<Finding> = Vec::new();
    // (rule, original segment) -> index in `findings`.
    let mut reported: HashMap<(&'static str, usize), usize> = HashMap::new();
    let mut origins: Vec<usize> = (0..tx.segments.len()).collect();
    let mut bytes: Option<Vec<u8>> = None;
    let mut present: HashSet<usize>;
    let mut pass = 0;
    let rules: Vec<&dyn Rule> = (registry::all().iter().copied())
        .filter(|r| !settings.disabled.contains(r.id()))
        .collect();
    loop {
        let relexed;
        let view: &Transaction<'_> = match &bytes {
            Some(b) => {
                relexed = relex(b, tx);
                &relexed
            }
            None => tx,
        };
        let position = |i: usize| -> Position {
            let o = origins.get(i).copied().unwrap_or(0);
            tx.position(file, &tx.segments[o.min(tx.segments.len() - 1)])
        };
        let mut vfind = Vec::new();
        let tree = validate::transaction_with(g, view, file, &mut vfind, clean);
        present = HashSet::new();
        let first = view.segments.first().map_or(0, |s| s.index);
        for mut f in vfind {
            let i = f.position.segment - first;
            let key = (f.rule, origins.get(i).copied().unwrap_or(0));
            if let Some(&k) = reported.get(&key) {
                present.insert(k);
                continue;
            }
            f.position = position(i);
            reported.insert(key, findings.len());
            present.insert(findings.len());
            findings.push(f);
        }
        let claims = claim::claims(&tree, view);
        let mut fixes: Vec<(usize, Fix)> = Vec::new();
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
                let key = (hit.rule, origins.get(hit.segment).copied().unwrap_or(0));
                let k = match reported.get(&key) {
                    Some(&k) => k,
                    None => {
                        let severity = settings.severity(hit.rule, hit.severity);
                        let mut f = Finding::new(
                            hit.rule,
                            severity,
                            hit.message.clone(),
                            position(hit.segment),
                        );
                        validate::locate(&mut f, &tree, view, hit.segment);
                        f.position = position(hit.segment);
                        reported.insert(key, findings.len());
                        findings.push(f);
                        findings.len() - 1
                    }
                };
                present.insert(k);
                if let Some(fix) = hit.fix {
                    if settings.fixes.applies(fix.class) {
                        let (before, after) = before_after(view, hit.segment, &fix);
                        let f = &mut findings[k];
                        f.fix_class = Some(fix.class);
                        f.before = Some(before);
                        f.after = Some(after);
                        fixes.push((k, fix));
                    } else {
                        findings[k].fix_class = Some(fix.class);
                    }
                }
            }
        }
        // Apply the fixes that do not touch a segment another fix of this pass touches.
        let mut taken: HashSet<usize> = HashSet::new();
        let mut edits: Vec<Edit> = Vec::new();
        for (k, fix) in &fixes {
            if targets(fix).any(|t| taken.contains(&t)) {
                continue;
            }
            taken.extend(targets(fix));
            edits.extend(fix.edits.iter().cloned());
            findings[*k].fixed = true;
            present.remove(k);
        }
        if edits.is_empty() {
            break;
        }
        pass += 1;
        if pass >= MAX_PASSES {
            let mut f = Finding::new(
                NOT_CONVERGED,
                Severity::Error,
                "fixes did not converge; the transaction is left as read",
                position(0),
            );
            f.loop_path = Some("ST_LOOP".into());
            findings.push(f);
            return Scrubbed1 {
                remaining: (1, 0),
                findings,
                output: None,
            };
        }
        let mut w = Writer::new(Vec::new(), Mode::Copy);
        let _ = w.transaction(view, &edits);
        let prev = origins.clone();
        origins = origins_after(view, &edits)
            .into_iter()
            .map(|i| prev[i])
            .collect();
        bytes = Some(w.into_inner());
    }
    let mut remaining = (0, 0);
    for (k, f) in findings.iter().enumerate() {
        if present.contains(&k) && !f.fixed {
            match f.severity {
                Severity::Error => remaining.0 += 1,
                Severity::Warning => remaining.1 += 1,
                Severity::Info => {}
            }
        }
    }
    Scrubbed1 {
        findings,
        output: bytes,
        remaining,
    }
}
