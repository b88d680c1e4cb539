//! The invariants the fuzz targets check on every input, as plain functions that panic
//! with what broke: the fuzz targets (`fuzz/fuzz_targets/`), the property tests
//! (`tests/properties.rs`) and the replay of the regression inputs and minimised corpora
//! (`tests/fuzz_regressions.rs`) all call these, so the three check the same thing.

use std::collections::{BTreeMap, HashSet};
use std::ops::ControlFlow;
use std::path::Path;

use x837::report::{Finding, RuleId, Severity};
use x837::run::scrub::{Options, Scrub};
use x837::run::{Lines, Status};
use x837::scrub::{Fixes, Settings};
use x837::x12::stream::{self, Event};
use x837::x12::writer::round_trip as write_back;
use x837::x12::{Lexer, Mode, Unit};

/// The name the inputs go by in findings and messages.
pub const NAME: &str = "fuzz.x12";

fn is_trivia(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C)
}

/// Line breaks in `bytes` as the lexer counts them: LF, or a CR not followed by LF.
fn breaks(bytes: &[u8], next: Option<u8>) -> u32 {
    let mut n = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let after = bytes.get(i + 1).copied().or(next);
        n += u32::from(b == b'\n' || (b == b'\r' && after != Some(b'\n')));
    }
    n
}

/// Lexing: every byte belongs to exactly one segment (its body, terminator or the
/// trivia after it) or to the prefix; segments follow each other with increasing byte
/// offsets, indices and lines; an error is placed at or after the last segment read.
/// Returns whether the whole input lexed.
pub fn lex(data: &[u8]) -> bool {
    let lexer = Lexer::new(data);
    let prefix = lexer.prefix();
    assert!(
        data.starts_with(prefix),
        "the prefix is not the input's start"
    );
    let bom = usize::from(prefix.starts_with(b"\xEF\xBB\xBF")) * 3;
    assert!(
        prefix[bom..].iter().all(|&b| is_trivia(b)),
        "the prefix holds more than a BOM and white space"
    );
    let mut at = prefix.len();
    let mut index = 0;
    let mut line = 1 + breaks(prefix, data.get(at).copied());
    let mut ok = true;
    for seg in lexer {
        match seg {
            Ok(s) => {
                assert!(ok, "a segment after a lexing error");
                assert_eq!(
                    s.byte, at,
                    "segment {index} does not start where the last ended"
                );
                assert_eq!(s.index, index, "segment indices skip");
                assert_eq!(s.line, line, "segment {index}: wrong line");
                let raw = s.raw();
                assert_eq!(
                    &data[s.byte..s.end()],
                    raw,
                    "segment {index}: raw is not the input"
                );
                let body = s.body();
                let term = usize::from(s.terminated());
                assert_eq!(body.len() + term + s.trivia().len(), raw.len());
                if s.terminated() {
                    assert_eq!(raw[body.len()], s.delimiters.segment);
                } else {
                    assert_eq!(
                        s.end(),
                        data.len(),
                        "an unterminated segment before the end"
                    );
                }
                assert!(
                    s.trivia().iter().all(|&b| is_trivia(b)),
                    "segment {index}: its trivia is not white space"
                );
                assert!(s.id().len() <= body.len());
                let _ = (s.element_count(), s.value(1), s.component(1, 2));
                for e in s.elements() {
                    let _ = (e.repetitions().count(), e.components().count(), e.text());
                }
                line += breaks(raw, data.get(s.end()).copied());
                at = s.end();
                index += 1;
            }
            Err(e) => {
                let b = e.location().byte;
                assert!(
                    b >= at.min(data.len()) || index == 0,
                    "an error before the last segment"
                );
                assert!(b <= data.len(), "an error past the end");
                ok = false;
            }
        }
    }
    if ok {
        assert_eq!(at, data.len(), "bytes after the last segment");
    }
    ok
}

/// What a stream of events says, comparable across block sizes.
fn events(data: &[u8], chunk: usize) -> Vec<String> {
    let mut out = Vec::new();
    let _ = stream::for_each_with_chunk(data, chunk, |e| {
        out.push(match e {
            Event::Prefix(p) => format!("prefix {p:?}"),
            Event::Unit(Unit::Segment(s)) => {
                format!("segment {} {} {:?}", s.index, s.byte, s.raw())
            }
            Event::Unit(Unit::Transaction(tx)) => {
                let segs: Vec<(usize, usize, &[u8])> = tx
                    .segments
                    .iter()
                    .map(|s| (s.index, s.byte, s.raw()))
                    .collect();
                format!("transaction {:?} {segs:?}", tx.envelope)
            }
            Event::Problems(p) => format!("problems {p:?}"),
            Event::Error(e, rest) => format!("error {e:?} {}", rest.len()),
        });
        ControlFlow::Continue(())
    });
    out
}

/// Streaming: the units, problems and errors do not depend on where blocks are cut.
pub fn stream(data: &[u8], chunk: usize) {
    let whole = events(data, usize::MAX / 2);
    let cut = events(data, chunk);
    assert_eq!(
        whole, cut,
        "block size {chunk} changes what the stream reads"
    );
}

/// Round trip: whenever the input reads, Copy and Reserialize give it back byte for byte.
pub fn round_trip(data: &[u8]) {
    let copy = write_back(data, Mode::Copy);
    let reser = write_back(data, Mode::Reserialize);
    assert_eq!(
        copy.is_ok(),
        reser.is_ok(),
        "one writer mode reads, the other not"
    );
    if let (Ok(c), Ok(r)) = (copy, reser) {
        assert_eq!(c, data, "Copy does not give the input back");
        assert_eq!(r, data, "Reserialize does not give the input back");
    }
}

/// Segment ids by index, and the byte each line starts at (lines counted from 1).
struct Layout {
    ids: Vec<Vec<u8>>,
    lines: Vec<usize>,
}

impl Layout {
    fn of(data: &[u8]) -> Layout {
        let ids = Lexer::new(data)
            .map_while(Result::ok)
            .map(|s| s.id().to_vec())
            .collect();
        let mut lines = vec![0];
        for i in 0..data.len() {
            let b = data[i];
            if b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')) {
                lines.push(i + 1);
            }
        }
        Layout { ids, lines }
    }
}

/// Every finding is placed inside the input: a byte no further than its end, a
/// segment that was read (or the one after the last, for what is missing at the end),
/// and the line its byte is on.
pub fn positioned(findings: &[Finding], data: &[u8]) {
    let layout = Layout::of(data);
    for f in findings {
        let p = &f.position;
        assert!(
            p.byte <= data.len(),
            "{}: byte {} past the end {}",
            f.rule.as_str(),
            p.byte,
            data.len()
        );
        assert!(
            p.segment <= layout.ids.len(),
            "{}: segment {} of {}",
            f.rule.as_str(),
            p.segment,
            layout.ids.len()
        );
        let line = layout.lines.partition_point(|&start| start <= p.byte);
        assert!(p.text_line >= 1, "{}: line 0", f.rule.as_str());
        assert_eq!(
            p.text_line as usize,
            line,
            "{}: byte {} is not on line {}",
            f.rule.as_str(),
            p.byte,
            p.text_line
        );
        assert_eq!(p.file, NAME);
    }
}

/// A reader that hands out at most `n` bytes a call.
struct Trickle<'a>(&'a [u8], usize);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(self.1).min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// Validation: every finding positioned inside the input; validating twice, or from a
/// reader that gives a few bytes at a time, gives the same findings.
pub fn validate(data: &[u8], trickle: usize) -> x837::validate::Validated {
    let first = x837::validate::validate(data, NAME);
    positioned(&first.findings, data);
    let again = x837::validate::validate(data, NAME);
    assert_eq!(first.findings, again.findings, "validating twice differs");
    let read = x837::validate::validate_read(Trickle(data, trickle.max(1)), NAME)
        .expect("reading from memory");
    assert_eq!(
        first.findings, read.findings,
        "validating from a slow reader differs"
    );
    assert_eq!(first.error, read.error);
    first
}

/// CLM segments inside 837 transaction sets.
pub fn claims_in(data: &[u8]) -> usize {
    count_claims(Lexer::new(data))
}

/// CLM segments inside the 837 transaction sets of a part of an input as read (what
/// `--quarantine` writes): a whole interchange, or a group or transaction set that reads
/// with the `delimiters` of the input.
fn claims_in_part(data: &[u8], delimiters: Option<x837::x12::Delimiters>) -> usize {
    // A part that starts with an ISA reads with its own delimiters, unless that ISA is one
    // the lexer cannot read: the input read it with the delimiters before it.
    let own_isa = data.starts_with(b"ISA") && Lexer::new(data).next().is_some_and(|r| r.is_ok());
    match delimiters {
        Some(d) if !own_isa => count_claims(Lexer::continuing(data, d)),
        _ => claims_in(data),
    }
}

/// The delimiters quarantined part `path` (`FILE.N.KIND.x12`, the report's `left_out[N-1]`)
/// reads with: those the input's segment at its byte was read with, which may not be the
/// input's first segment's (an unreadable ISA is left out with its interchange, and an
/// `ISA` inside the data may lex on its own with other delimiters).
fn part_delimiters(
    data: &[u8],
    entry: &serde_json::Value,
    path: &Path,
) -> Option<x837::x12::Delimiters> {
    let name = path.file_name()?.to_str()?;
    let stem = name.rsplitn(3, '.').nth(2)?;
    let n: usize = stem.rsplit('.').next()?.parse().ok()?;
    let byte = entry["left_out"][n.checked_sub(1)?]["byte"].as_u64()? as usize;
    // As the input was read: the delimiters of its segment at that byte.
    (Lexer::new(data).filter_map(Result::ok))
        .take_while(|s| s.byte <= byte)
        .last()
        .map(|s| s.delimiters)
}

fn count_claims(lexer: Lexer<'_>) -> usize {
    let mut n = 0;
    let mut in_837 = false;
    for s in lexer.map_while(Result::ok) {
        match s.id() {
            b"ST" => in_837 = s.value(1) == b"837",
            b"SE" | b"GE" | b"IEA" | b"GS" | b"ISA" => in_837 = false,
            b"CLM" if in_837 => n += 1,
            _ => {}
        }
    }
    n
}

/// The numbers at the start of `part`, up to `n` of them.
fn numbers(part: &str, n: usize) -> Vec<usize> {
    (part.split(|c: char| !c.is_ascii_digit()))
        .filter(|w| !w.is_empty())
        .filter_map(|w| w.parse().ok())
        .take(n)
        .collect()
}

/// What the summary lines on standard error say of the input: claims, findings, fixed,
/// errors, warnings, claims left out, claims split off. The line after the cross-claim
/// rules restates the first five in all.
fn said(lines: &[String]) -> Option<[usize; 7]> {
    let mut out: Option<[usize; 7]> = None;
    for l in lines {
        let Some(rest) = l.strip_prefix(&format!("{NAME}: ")) else {
            continue;
        };
        let late = rest.starts_with("after the run: ");
        let rest = rest.strip_prefix("after the run: ").unwrap_or(rest);
        let parts: Vec<&str> = rest.split("; ").collect();
        if parts.len() < 2 || !parts[0].contains(" claims, ") {
            continue;
        }
        let (head, tail) = (numbers(parts[0], 3), numbers(parts[1], 2));
        if head.len() < 3 || tail.len() < 2 {
            continue;
        }
        let mut s = out.unwrap_or_default();
        s[..3].copy_from_slice(&head);
        s[3..5].copy_from_slice(&tail);
        if !late {
            for p in &parts[2..] {
                let n = numbers(p, 1).first().copied().unwrap_or(usize::MAX);
                if p.contains("claims left out") {
                    s[5] = n;
                } else if p.contains("split off to") {
                    s[6] = n;
                }
            }
        }
        out = Some(s);
    }
    out
}

fn count(v: &serde_json::Value, key: &str) -> usize {
    v[key].as_u64().map_or(usize::MAX, |n| n as usize)
}

/// Files under `dir` (recursively), with the `.why` notes apart.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Validation findings worth comparing: errors and warnings, by rule.
fn by_rule(findings: &[Finding]) -> BTreeMap<RuleId, usize> {
    let mut m = BTreeMap::new();
    for f in findings.iter().filter(|f| f.severity != Severity::Info) {
        *m.entry(f.rule).or_default() += 1;
    }
    m
}

/// The rules that judge one segment's elements by the guide.
const ELEMENT_RULES: &[RuleId] = &[
    RuleId::CodeInvalid,
    RuleId::ElementLength,
    RuleId::ElementMissing,
    RuleId::ElementNotUsed,
    RuleId::ElementRepeat,
    RuleId::ElementTooMany,
    RuleId::ElementType,
    RuleId::SyntaxRule,
];

/// Element-level findings as (rule, segment id, element position).
fn element_findings(findings: &[Finding], ids: &[Vec<u8>]) -> HashSet<(RuleId, Vec<u8>, u8)> {
    findings
        .iter()
        .filter(|f| ELEMENT_RULES.contains(&f.rule))
        .map(|f| {
            let id = ids.get(f.position.segment).cloned().unwrap_or_default();
            (f.rule, id, f.element.map_or(0, |e| e.position))
        })
        .collect()
}

/// The scrub, run as `x837 scrub` runs it (`run::scrub::Scrub`, one input, files in a
/// temporary directory: `-o`, `--report report.json`, `--split-rejected`, `--quarantine`).
pub fn scrub(data: &[u8], fixes: Fixes) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let d = dir.path();
    let input = d.join("in.x12");
    std::fs::write(&input, data).expect("write the input");
    let (out, report, rejected, quarantine) = (
        d.join("out.x12"),
        d.join("report.json"),
        d.join("rejected"),
        d.join("quarantine"),
    );
    let options = Options {
        files: vec![input.into()],
        output: Some(out.clone().into()),
        report: Some(report.clone().into()),
        split_rejected: Some(rejected.clone().into()),
        quarantine: Some(quarantine.clone().into()),
        fixes,
        jobs: Some(1),
        shown_as: Some(NAME.into()),
        ..Options::default()
    };
    let run = Scrub::new(options).expect("the options are fine");
    let console = Lines::default();
    let status = run.run(&console);
    let lines = console.0.into_inner().expect("the console's lines");
    let text = std::fs::read(&report).expect("the report is written");
    let r: serde_json::Value = serde_json::from_slice(&text).expect("the report is JSON");
    agree(&r, &lines, status);
    let entry = &r["inputs"][0];
    let written = std::fs::read(&out).unwrap_or_default();
    let split_files = files(&rejected);
    let split: usize = split_files
        .iter()
        .map(|p| claims_in(&std::fs::read(p).unwrap_or_default()))
        .sum();
    let quarantined: usize = files(&quarantine)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "x12"))
        .map(|p| {
            let delimiters = part_delimiters(data, entry, p);
            claims_in_part(&std::fs::read(p).unwrap_or_default(), delimiters)
        })
        .sum();
    let read = count(entry, "claims");
    let left_out = count(entry, "claims_left_out");
    let kept = claims_in(&written);
    assert_eq!(
        kept + split + left_out,
        read,
        "claims written {kept} + split off {split} + left out {left_out} != read {read}"
    );
    assert_eq!(split, count(entry, "claims_split_off"), "claims split off");
    assert_eq!(quarantined, left_out, "claims quarantined != left out");
    if lex(data) {
        assert_eq!(
            read,
            claims_in(data),
            "claims read != CLMs in the input's 837s"
        );
    }
    if !written.is_empty() {
        scrubbed(data, &written, fixes);
    }
    for p in &split_files {
        let bytes = std::fs::read(p).unwrap_or_default();
        assert!(lex(&bytes), "the rejected output does not lex");
    }
}

/// The counts of a report's input and summary, in the order its summary line says them
/// (see `said`).
const SUMMARY_KEYS: [&str; 7] = [
    "claims",
    "findings",
    "fixed",
    "errors",
    "warnings",
    "claims_left_out",
    "claims_split_off",
];

/// The report, the summary line said and the exit status agree.
fn agree(r: &serde_json::Value, lines: &[String], status: Status) {
    let entry = &r["inputs"][0];
    let s = &r["summary"];
    for k in SUMMARY_KEYS {
        assert_eq!(
            count(entry, k),
            count(s, k),
            "the report's summary and its input differ on {k}"
        );
    }
    let findings = r["findings"].as_array().expect("the report's findings");
    assert_eq!(
        findings.len(),
        count(s, "findings"),
        "the report's findings and its count"
    );
    let fixed = findings.iter().filter(|f| f["fixed"] == true).count();
    assert_eq!(
        fixed,
        count(s, "fixed"),
        "the report's fixed findings and its count"
    );
    let open = |sev: &str| {
        (findings.iter())
            .filter(|f| f["severity"] == sev && f["fixed"] != true && f["would_fix"] != true)
            .count()
    };
    assert_eq!(
        open("error"),
        count(s, "errors"),
        "the report's errors and its count"
    );
    assert_eq!(
        open("warning"),
        count(s, "warnings"),
        "the report's warnings and its count"
    );
    let in_report: Vec<usize> = SUMMARY_KEYS.iter().map(|k| count(s, k)).collect();
    let incomplete = entry["incomplete"] == true;
    match said(lines) {
        Some(line) => assert_eq!(
            line.to_vec(),
            in_report,
            "standard error and the report differ: {lines:?}"
        ),
        None => panic!("no summary line on standard error: {lines:?}"),
    }
    let expected = if incomplete {
        Status::Failed
    } else if count(s, "errors") > 0 {
        Status::Findings
    } else {
        Status::Clean
    };
    assert_eq!(
        status, expected,
        "the exit status and the report differ: {lines:?}"
    );
}

/// A corrected output: it lexes; it validates at least as clean as the input, rule by
/// rule; the segments the scrub edited or inserted are valid by the guide (no element
/// finding the input did not have); a second scrub fixes nothing and changes nothing.
fn scrubbed(input: &[u8], output: &[u8], fixes: Fixes) {
    assert!(lex(output), "the corrected output does not lex");
    let before = x837::validate::validate(input, NAME);
    let after = x837::validate::validate(output, NAME);
    let (b, a) = (by_rule(&before.findings), by_rule(&after.findings));
    for (rule, n) in &a {
        let was = b.get(rule).copied().unwrap_or(0);
        assert!(
            *n <= was,
            "{}: {was} findings in the input, {n} after the scrub",
            rule.as_str()
        );
    }
    let in_ids = Layout::of(input).ids;
    let out_ids = Layout::of(output).ids;
    let bodies: HashSet<Vec<u8>> = Lexer::new(input)
        .map_while(Result::ok)
        .map(|s| s.body().to_vec())
        .collect();
    let had = element_findings(&before.findings, &in_ids);
    let envelope: &[&[u8]] = &[b"ISA", b"IEA", b"GS", b"GE", b"ST", b"SE"];
    let edited: HashSet<usize> = Lexer::new(output)
        .map_while(Result::ok)
        .filter(|s| !bodies.contains(s.body()) && !envelope.contains(&s.id()))
        .map(|s| s.index)
        .collect();
    let on_edited: Vec<&Finding> = (after.findings.iter())
        .filter(|f| edited.contains(&f.position.segment))
        .collect();
    let on_edited: Vec<Finding> = on_edited.into_iter().cloned().collect();
    for f in element_findings(&on_edited, &out_ids) {
        assert!(
            had.contains(&f),
            "an edited segment {} has {} at element {} the input did not have",
            String::from_utf8_lossy(&f.1),
            f.0.as_str(),
            f.2
        );
    }
    let settings = Settings::new(None, fixes, None).expect("default settings");
    let second = x837::scrub::scrub(output, NAME, &settings);
    let again: Vec<&Finding> = second.findings.iter().filter(|f| f.fixed).collect();
    assert!(
        again.is_empty(),
        "a second scrub fixed more: {:?}",
        again.first().map(|f| f.rule.as_str())
    );
    assert!(second.output == output, "a second scrub changed the output");
}

/// The readers of replies (TA1, 999, 277CA, 835): no panic, the same replies read twice,
/// and their validation findings positioned inside the input.
pub fn readers(data: &[u8], trickle: usize) {
    let first = x837::reply::read(data);
    let again = x837::reply::read(data);
    assert!(first == again, "reading the replies twice differs");
    validate(data, trickle);
}

/// A claim description (`x837 generate`): one that parses gives EDI that validates
/// clean; one that does not gives errors, each with a JSON path, and no EDI. `valid`:
/// the description is known to be valid.
pub fn generate(json: &[u8], valid: bool) {
    match x837::generate::parse(json, None) {
        Ok((desc, kind)) => {
            let edi = x837::generate::write(&desc, kind, Default::default(), Vec::new())
                .expect("writing to memory");
            let v = x837::validate::validate(&edi, NAME);
            assert!(v.error.is_none(), "generated EDI does not lex");
            let bad: Vec<&Finding> = (v.findings.iter())
                .filter(|f| f.severity != Severity::Info)
                .collect();
            assert!(
                bad.is_empty(),
                "generated EDI has {} at segment {}: {}",
                bad[0].rule.as_str(),
                bad[0].position.segment,
                bad[0].message
            );
            assert!(lex(&edi));
            round_trip(&edi);
        }
        Err(errors) => {
            assert!(!valid, "a valid description was refused: {errors:?}");
            assert!(!errors.is_empty(), "refused without an error");
            for e in &errors {
                assert!(
                    !e.path.is_empty(),
                    "an error without a JSON path: {}",
                    e.message
                );
            }
            no_edi(json);
        }
    }
}

/// `x837 generate` refuses the description: exit status 2, each error said with its
/// path, and no EDI file.
fn no_edi(json: &[u8]) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desc = dir.path().join("claim.json");
    let out = dir.path().join("out.x12");
    std::fs::write(&desc, json).expect("write the description");
    let o = x837::run::generate::GenerateOptions {
        description: desc.into(),
        kind: None,
        output: Some(out.clone().into()),
        control: Default::default(),
        as_written: false,
    };
    let console = Lines::default();
    let status = x837::run::generate::generate(&o, &console);
    assert_eq!(
        status,
        Status::Failed,
        "an invalid description did not fail"
    );
    assert!(!out.exists(), "an invalid description left EDI");
    let lines = console.0.into_inner().expect("the console's lines");
    assert!(!lines.is_empty(), "refused without saying why");
}
