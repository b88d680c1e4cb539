//! Renders a report: JSON for programs, text and one self-contained HTML page for people
//! (the worklist, in `html.rs`).

use std::io::{self, Write};

use super::{Finding, Input, LeftOut, Report, Tally};
use crate::echo::escape;

/// The report as pretty JSON.
pub fn json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // serde_json writes a few bytes at a time: into a buffer of a known type, which
    // inlines them, not through `dyn Write` call by call.
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, report).map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// Which claim a finding belongs to: consecutive findings of the same interchange,
/// transaction and CLM01 form one run (findings are in input order, so one pass and no
/// search; two claims that share a CLM01 stay apart).
#[derive(PartialEq, Eq)]
struct ClaimKey {
    claim: Option<String>,
    transaction: Option<String>,
    interchange: Option<String>,
}

impl ClaimKey {
    fn of(f: &Finding) -> Self {
        ClaimKey {
            claim: f.claim.clone(),
            transaction: f.position.transaction.clone(),
            interchange: f.position.interchange.clone(),
        }
    }
}

/// What `by_claim` hands on.
enum Run<'f> {
    /// A claim's run starts.
    Claim {
        claim: Option<&'f str>,
    },
    Finding(&'f Finding),
    /// The input's last run has ended (if it had any finding).
    End,
}

/// Reads back the findings of `input` from its spool, telling `each` where each claim's
/// run starts and ends.
fn by_claim(input: &Input, mut each: impl FnMut(Run<'_>) -> io::Result<()>) -> io::Result<()> {
    let mut current: Option<ClaimKey> = None;
    input.findings.for_each(|f| {
        let key = ClaimKey::of(&f);
        if current.as_ref() != Some(&key) {
            each(Run::Claim {
                claim: f.claim.as_deref(),
            })?;
            current = Some(key);
        }
        each(Run::Finding(&f))
    })?;
    if current.is_some() {
        each(Run::End)?;
    }
    Ok(())
}

fn status(f: &Finding) -> &'static str {
    match (f.fixed, f.would_fix, f.fix_class) {
        (true, _, Some(super::FixClass::Recode)) => "fixed (recode: review)",
        (true, _, _) => "fixed (repair)",
        (false, true, Some(super::FixClass::Recode)) => "would fix (recode: review)",
        (false, true, _) => "would fix (repair)",
        (false, false, Some(_)) => "not applied",
        (false, false, None) => "open",
    }
}

/// The words of a summary: `2 findings, 2 fixed; 0 errors and 0 warnings remain`, or
/// under `--check` `2 findings, 2 would be fixed; 0 errors and 0 warnings would remain`.
pub fn tally_words(t: &Tally, check: bool) -> String {
    if check {
        format!(
            "{} findings, {} would be fixed; {} errors and {} warnings would remain",
            t.findings, t.would_fix, t.errors, t.warnings
        )
    } else {
        format!(
            "{} findings, {} fixed; {} errors and {} warnings remain",
            t.findings, t.fixed, t.errors, t.warnings
        )
    }
}

/// The one-line summary of an input, as standard error shows it.
pub fn input_line(input: &Input, check: bool) -> String {
    let mut line = format!(
        "{}: {} claims, {}",
        escape(&input.file),
        input.claims,
        tally_words(&input.tally, check)
    );
    if input.claims_left_out > 0 || !input.left_out.is_empty() {
        line.push_str(&format!(
            "; {} claims left out (incomplete input)",
            input.claims_left_out
        ));
    }
    if let Some(to) = &input.rejected_output {
        line.push_str(&format!(
            "; {} claims with errors split off to {}",
            input.claims_split_off,
            escape(to)
        ));
    }
    line
}

/// The line said after the run for an input the cross-claim rules found something on: its
/// summary again, in all, and what those rules added:
/// `FILE: after the run: 1 claims, 2 findings, 0 fixed; 1 errors and 1 warnings remain
/// (across claims: dose-interval 1, duplicate-service 1)`.
pub fn late_line(input: &Input, across: &str, check: bool) -> String {
    format!(
        "{}: after the run: {} claims, {} (across claims: {across})",
        escape(&input.file),
        input.claims,
        tally_words(&input.tally, check),
    )
}

/// The findings of each rule among `findings`, by rule id: `dose-interval 1, duplicate-service 1`.
pub fn rule_counts(findings: &[Finding]) -> String {
    let mut by = RuleCounts::new();
    for f in findings {
        *by.entry(f.rule.as_str()).or_default() += 1;
    }
    counts_line(&by)
}

/// Findings counted by rule id.
pub type RuleCounts = std::collections::BTreeMap<&'static str, usize>;

/// `dose-interval 1, duplicate-service 1`: the counts, by rule id.
pub fn counts_line(by: &RuleCounts) -> String {
    let rules: Vec<String> = by.iter().map(|(r, n)| format!("{r} {n}")).collect();
    rules.join(", ")
}

fn left_out_line(l: &LeftOut) -> String {
    format!(
        "{} {} at segment {} (line {}, byte {}), {} claims: {}",
        l.what,
        l.control,
        l.position.segment,
        l.position.text_line,
        l.position.byte,
        l.claims,
        escape(&l.reason)
    )
}

/// One finding of the text report.
fn text_finding(f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let line = f
        .service_line
        .as_deref()
        .map(|l| format!(" line {}", escape(l)))
        .unwrap_or_default();
    writeln!(
        out,
        "    {} {} [{}]{line} segment {} (line {}, byte {}): {}",
        f.severity,
        status(f),
        f.rule,
        f.position.segment,
        f.position.text_line,
        f.position.byte,
        escape(&f.message)
    )?;
    if let (Some(b), Some(a)) = (&f.before, &f.after) {
        writeln!(out, "        before: {}", escape(b))?;
        writeln!(out, "        after:  {}", escape(a))?;
    }
    Ok(())
}

/// The text report, grouped by claim.
pub fn text(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    writeln!(
        out,
        "x837 {} scrub report: {} inputs, {} claims, {}",
        report.tool.version,
        report.inputs.len(),
        s.claims,
        tally_words(&s.tally, report.check())
    )?;
    if s.claims_left_out > 0 {
        writeln!(
            out,
            "{} claims left out of the corrected output (incomplete input)",
            s.claims_left_out
        )?;
    }
    if s.claims_split_off > 0 {
        writeln!(
            out,
            "{} claims with errors split off to the rejected outputs",
            s.claims_split_off
        )?;
    }
    writeln!(
        out,
        "profile {}, options {}",
        report.tool.profile, report.tool.options
    )?;
    for input in &report.inputs {
        writeln!(
            out,
            "\n{} (sha256 {}): {} claims, {}",
            escape(&input.file),
            input.sha256,
            input.claims,
            tally_words(&input.tally, report.check())
        )?;
        for l in &input.left_out {
            writeln!(out, "  left out: {}", left_out_line(l))?;
        }
        by_claim(input, |run| match run {
            Run::Claim { claim: Some(c) } => writeln!(out, "  claim {}", escape(c)),
            Run::Claim { claim: None } => writeln!(out, "  outside any claim"),
            Run::Finding(f) => text_finding(f, out),
            Run::End => Ok(()),
        })?;
    }
    Ok(())
}

/// The HTML worklist (see [`super::html`]).
pub fn html(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    super::html::page(report, out)
}
