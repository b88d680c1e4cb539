//! Renders a report: JSON for programs, text and one self-contained HTML page for people.

use std::io::{self, Write};

use super::{Finding, Input, LeftOut, Report, Tally};
use crate::echo::escape;

/// The report as pretty JSON.
pub fn json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
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
    /// A claim's run starts (`later`: not the input's first).
    Claim {
        claim: Option<&'f str>,
        later: bool,
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
            let later = current.is_some();
            each(Run::Claim {
                claim: f.claim.as_deref(),
                later,
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
pub fn late_line(input: &Input, late: &[Finding], check: bool) -> String {
    let mut by: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for f in late {
        *by.entry(f.rule.as_str()).or_default() += 1;
    }
    let rules: Vec<String> = by.iter().map(|(r, n)| format!("{r} {n}")).collect();
    format!(
        "{}: after the run: {} claims, {} (across claims: {})",
        escape(&input.file),
        input.claims,
        tally_words(&input.tally, check),
        rules.join(", ")
    )
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
            Run::Claim { claim: Some(c), .. } => writeln!(out, "  claim {}", escape(c)),
            Run::Claim { claim: None, .. } => writeln!(out, "  outside any claim"),
            Run::Finding(f) => text_finding(f, out),
            Run::End => Ok(()),
        })?;
    }
    Ok(())
}

/// `s` for HTML text and attributes; control characters are escaped as in the text
/// report, since HTML has no way to show them.
fn esc(s: &str) -> String {
    let s = escape(s);
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}\
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#f0f0f0}code{font-family:ui-monospace,monospace;font-size:90%}\
.error{color:#a00;font-weight:bold}.warning{color:#a60}.info{color:#555}\
.review{background:#fff3cd}.fixed{color:#060}\
table.summary{width:auto}.summary td{border:none;padding:2px 12px 2px 0}\
td code{word-break:break-all}td code.rule{white-space:nowrap;word-break:normal}";

/// One self-contained HTML page: summary, a table per claim, before/after for each fix,
/// recodes marked for review.
pub fn html(report: &Report, o: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let check = report.check();
    write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>x837 scrub report</title><style>{STYLE}</style></head><body>"
    )?;
    let (fixed_label, fixed, remain) = if check {
        ("would be fixed", s.tally.would_fix, "would remain")
    } else {
        ("fixed", s.tally.fixed, "remaining")
    };
    write!(
        o,
        "<h1>x837 scrub report</h1><table class=\"summary\"><tr><td>inputs</td><td>{}</td></tr><tr><td>claims</td><td>{}</td></tr><tr><td>claims left out</td><td>{}</td></tr><tr><td>claims split off</td><td>{}</td></tr><tr><td>findings</td><td>{}</td></tr><tr><td>{fixed_label}</td><td>{fixed}</td></tr><tr><td>errors {remain}</td><td class=\"error\">{}</td></tr><tr><td>warnings {remain}</td><td class=\"warning\">{}</td></tr><tr><td>profile</td><td>{}</td></tr><tr><td>x837</td><td>{}</td></tr></table>",
        report.inputs.len(),
        s.claims,
        s.claims_left_out,
        s.claims_split_off,
        s.tally.findings,
        s.tally.errors,
        s.tally.warnings,
        esc(&report.tool.profile),
        esc(report.tool.version)
    )?;
    write!(
        o,
        "<p>Rows marked <span class=\"review\">review</span> are recodes: they change what was billed and need a person's check before the claim is resubmitted.</p>"
    )?;
    for input in &report.inputs {
        let t = &input.tally;
        write!(
            o,
            "<h2>{}</h2><p>{} claims, {} findings, {} {fixed_label}. SHA-256 <code>{}</code></p>",
            esc(&input.file),
            input.claims,
            t.findings,
            if check { t.would_fix } else { t.fixed },
            esc(&input.sha256)
        )?;
        for l in &input.left_out {
            write!(
                o,
                "<p class=\"error\">Left out: {}</p>",
                esc(&left_out_line(l))
            )?;
        }
        by_claim(input, |run| match run {
            Run::Claim { claim, later } => {
                if later {
                    o.write_all(b"</table>")?;
                }
                let title = claim.map_or_else(
                    || "Outside any claim".to_string(),
                    |c| format!("Claim {}", esc(c)),
                );
                write!(
                    o,
                    "<h3>{title}</h3><table><tr><th>severity</th><th>rule</th><th>line</th><th>what</th><th>status</th><th>before</th><th>after</th><th>where</th></tr>"
                )
            }
            Run::Finding(f) => html_finding(f, o),
            Run::End => o.write_all(b"</table>"),
        })?;
    }
    o.write_all(b"</body></html>\n")
}

/// One finding's row of the HTML report.
fn html_finding(f: &Finding, o: &mut dyn Write) -> io::Result<()> {
    let review = (f.fixed || f.would_fix) && f.fix_class == Some(super::FixClass::Recode);
    write!(
        o,
        "<tr{}><td class=\"{}\">{}</td><td><code class=\"rule\">{}</code></td><td>{}</td><td>{}</td><td{}>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>segment {}, line {}, byte {}<br><code>{}</code></td></tr>",
        if review { " class=\"review\"" } else { "" },
        f.severity,
        f.severity,
        esc(f.rule.as_str()),
        esc(f.service_line.as_deref().unwrap_or("")),
        esc(&f.message),
        if f.fixed { " class=\"fixed\"" } else { "" },
        status(f),
        esc(f.before.as_deref().unwrap_or("")),
        esc(f.after.as_deref().unwrap_or("")),
        f.position.segment,
        f.position.text_line,
        f.position.byte,
        esc(f.loop_path.as_deref().unwrap_or(""))
    )
}
