//! Renders a report: JSON for programs, text and one self-contained HTML page for people.

use std::fmt::Write as _;

use super::echo::escape;
use super::{Finding, Report};

/// The report as pretty JSON.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Findings of one file, grouped by claim in order of first appearance.
fn by_claim<'r>(report: &'r Report, file: &str) -> Vec<(Option<&'r str>, Vec<&'r Finding>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Finding>)> = Vec::new();
    for f in report.findings.iter().filter(|f| f.position.file == file) {
        let claim = f.claim.as_deref();
        match groups.iter_mut().find(|(c, _)| *c == claim) {
            Some((_, v)) => v.push(f),
            None => groups.push((claim, vec![f])),
        }
    }
    groups
}

fn status(f: &Finding) -> &'static str {
    match (f.fixed, f.fix_class) {
        (true, Some(super::FixClass::Recode)) => "fixed (recode: review)",
        (true, _) => "fixed (repair)",
        (false, Some(_)) => "not applied",
        (false, None) => "open",
    }
}

/// The text report, grouped by claim. What comes from the input (file names, claim and
/// line ids, messages, segment text) has its control characters escaped, so that the
/// report can be shown on a terminal.
pub fn text(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "x837 {} scrub report: {} inputs, {} claims, {} findings, {} fixed; {} errors and {} warnings remain",
        report.tool.version,
        report.inputs.len(),
        s.claims,
        s.findings,
        s.fixed,
        s.errors,
        s.warnings
    );
    let _ = writeln!(
        out,
        "profile {}, options {}",
        report.tool.profile, report.tool.options
    );
    for input in &report.inputs {
        let _ = writeln!(
            out,
            "\n{} (sha256 {}): {} claims, {} findings, {} fixed",
            escape(&input.file),
            input.sha256,
            input.claims,
            input.findings,
            input.fixed
        );
        for (claim, findings) in by_claim(report, &input.file) {
            match claim {
                Some(c) => {
                    let _ = writeln!(out, "  claim {}", escape(c));
                }
                None => {
                    let _ = writeln!(out, "  outside any claim");
                }
            }
            for f in findings {
                let line = f
                    .service_line
                    .as_deref()
                    .map(|l| format!(" line {}", escape(l)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {} {} [{}]{line} segment {} (line {}, byte {}): {}",
                    f.severity,
                    status(f),
                    f.rule,
                    f.position.segment,
                    f.position.text_line,
                    f.position.byte,
                    escape(&f.message)
                );
                if let (Some(b), Some(a)) = (&f.before, &f.after) {
                    let _ = writeln!(out, "        before: {}", escape(b));
                    let _ = writeln!(out, "        after:  {}", escape(a));
                }
            }
        }
    }
    out
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
pub fn html(report: &Report) -> String {
    let s = &report.summary;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>x837 scrub report</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        o,
        "<h1>x837 scrub report</h1><table class=\"summary\"><tr><td>inputs</td><td>{}</td></tr><tr><td>claims</td><td>{}</td></tr><tr><td>findings</td><td>{}</td></tr><tr><td>fixed</td><td>{}</td></tr><tr><td>errors remaining</td><td class=\"error\">{}</td></tr><tr><td>warnings remaining</td><td class=\"warning\">{}</td></tr><tr><td>profile</td><td>{}</td></tr><tr><td>x837</td><td>{}</td></tr></table>",
        report.inputs.len(),
        s.claims,
        s.findings,
        s.fixed,
        s.errors,
        s.warnings,
        esc(&report.tool.profile),
        esc(report.tool.version)
    );
    let _ = write!(
        o,
        "<p>Rows marked <span class=\"review\">review</span> are recodes: they change what was billed and need a person's check before the claim is resubmitted.</p>"
    );
    for input in &report.inputs {
        let _ = write!(
            o,
            "<h2>{}</h2><p>{} claims, {} findings, {} fixed. SHA-256 <code>{}</code></p>",
            esc(&input.file),
            input.claims,
            input.findings,
            input.fixed,
            esc(&input.sha256)
        );
        for (claim, findings) in by_claim(report, &input.file) {
            let title = claim.map_or_else(
                || "Outside any claim".to_string(),
                |c| format!("Claim {}", esc(c)),
            );
            let _ = write!(
                o,
                "<h3>{title}</h3><table><tr><th>severity</th><th>rule</th><th>line</th><th>what</th><th>status</th><th>before</th><th>after</th><th>where</th></tr>"
            );
            for f in findings {
                let review = f.fixed && f.fix_class == Some(super::FixClass::Recode);
                let _ = write!(
                    o,
                    "<tr{}><td class=\"{}\">{}</td><td><code class=\"rule\">{}</code></td><td>{}</td><td>{}</td><td{}>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>segment {}, line {}, byte {}<br><code>{}</code></td></tr>",
                    if review { " class=\"review\"" } else { "" },
                    f.severity,
                    f.severity,
                    esc(f.rule),
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
                );
            }
            o.push_str("</table>");
        }
    }
    o.push_str("</body></html>\n");
    o
}
