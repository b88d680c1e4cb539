//! The second half of `x837 resubmit`: the claims taken out are scrubbed (as `x837 scrub
//! -o OUT --split-rejected DIR --new-control-numbers N` over one file holding only them),
//! and the report puts what the payer said beside what x837 found and fixed.

use std::collections::BTreeSet;
use std::ffi::OsString;

use serde::Serialize;
use serde_json::{Value, json};

use crate::report::Format;
use crate::x12::Control;

use super::resubmit::{Answered, Options, Unmatched, totals};
use super::{Console, Held, Status};

/// What matching found.
pub struct Found {
    pub answered: Vec<Answered>,
    pub unmatched: Vec<Unmatched>,
}

/// One claim of the report: what the payer said and what x837 found and fixed.
#[derive(Debug, Serialize)]
struct ClaimReport<'a> {
    #[serde(flatten)]
    answered: &'a Answered,
    /// `output`, `split`, `reported` (an error remains, no --split-rejected) or none.
    went_to: Option<&'static str>,
    x837_found: Vec<String>,
    x837_fixed: Vec<String>,
    errors_remaining: usize,
    /// Payer codes no x837 finding on the claim explains.
    payer_unexplained: Vec<String>,
    /// x837 rules that found something the payer did not mention.
    x837_unmentioned: Vec<String>,
}

/// Scrubs `selected`, writes OUT, the split and the report; the exit status.
pub fn finish(
    o: &Options,
    console: &dyn Console,
    start: Control,
    selected: &[u8],
    found: Found,
) -> Result<Status, String> {
    let resent = found.answered.iter().filter(|a| a.resent).count();
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let mut status = Status::Clean;
    let scrub = if resent > 0 {
        let (s, report) = scrub(o, console, start, selected, tmp.path())?;
        status = s;
        report
    } else {
        console.say("x837 resubmit: no claim to resend; OUT is not written");
        Value::Null
    };
    let claims = claim_reports(&found.answered, &scrub, o.split_rejected.is_some());
    let troubles = (found.answered.iter())
        .filter(|a| matches!(a.outcome, "conflicting" | "ambiguous" | "charge-mismatch"))
        .count()
        + found.unmatched.len();
    if troubles > 0 || claims.iter().any(|c| c.errors_remaining > 0) {
        status = status.max(Status::Findings);
    }
    let report = report(o, &found, &claims, scrub);
    summary(console, &found, &claims);
    if let Some(path) = &o.report {
        let format = match o.format {
            Some(f) => f,
            None => Format::for_path(path).map_err(|e| e.to_string())?,
        };
        let bytes = render(&report, format);
        let target =
            crate::output::Target::resolve(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Err(e) = crate::output::write_to(&target, 0o644, &bytes) {
            console.say(&format!(
                "x837: {}: cannot write: {e}",
                path.to_string_lossy()
            ));
            status = Status::Failed;
        }
    }
    Ok(status)
}

trait Shown {
    fn display(&self) -> String;
}

impl Shown for OsString {
    fn display(&self) -> String {
        self.to_string_lossy().into_owned()
    }
}

/// Runs the scrub over the selected claims; its status and JSON report.
fn scrub(
    o: &Options,
    console: &dyn Console,
    start: Control,
    selected: &[u8],
    tmp: &std::path::Path,
) -> Result<(Status, Value), String> {
    let name = std::path::Path::new(&o.output)
        .file_name()
        .map_or_else(|| OsString::from("resubmit.x12"), |n| n.to_os_string());
    let input = tmp.join("in");
    std::fs::create_dir_all(&input).map_err(|e| e.to_string())?;
    let input = input.join(&name);
    std::fs::write(&input, selected).map_err(|e| format!("cannot write a temporary file: {e}"))?;
    let report = tmp.join("scrub.json");
    let split = (o.split_rejected.clone()).unwrap_or_else(|| tmp.join("split").into_os_string());
    let options = super::scrub::Options {
        files: vec![input.clone().into_os_string()],
        output: Some(o.output.clone()),
        report: Some(report.clone().into_os_string()),
        format: Some(Format::Json),
        profile: o.profile.clone(),
        config: o.config.clone(),
        fixes: o.fixes,
        split_rejected: Some(split),
        new_control_numbers: Some(start),
        ..super::scrub::Options::default()
    };
    let s = super::scrub::Scrub::new(options).map_err(|e| e.0)?;
    let held = Held::new(console);
    let status = s.run(&held);
    let shown = input.to_string_lossy().into_owned();
    for line in held.lines() {
        console.say(&line.replace(&shown, "resubmit"));
    }
    let text = std::fs::read(&report).map_err(|e| format!("the scrub report: {e}"))?;
    let v = serde_json::from_slice(&text).map_err(|e| format!("the scrub report: {e}"))?;
    Ok((status, v))
}

/// The rule ids of the scrub findings on claim `id`: (found, fixed, errors remaining).
fn findings_of(scrub: &Value, id: &str) -> (BTreeSet<String>, BTreeSet<String>, usize) {
    let mut found = BTreeSet::new();
    let mut fixed = BTreeSet::new();
    let mut errors = 0;
    let empty = Vec::new();
    for f in scrub["findings"].as_array().unwrap_or(&empty) {
        if f["claim"] != id {
            continue;
        }
        let rule = f["rule"].as_str().unwrap_or_default().to_string();
        if f["fixed"] == true {
            fixed.insert(rule.clone());
        } else if f["severity"] == "error" {
            errors += 1;
        }
        found.insert(rule);
    }
    (found, fixed, errors)
}

fn claim_reports<'a>(answered: &'a [Answered], scrub: &Value, split: bool) -> Vec<ClaimReport<'a>> {
    answered
        .iter()
        .map(|a| {
            let (found, fixed, errors) = if a.resent {
                findings_of(scrub, &a.claim)
            } else {
                Default::default()
            };
            let explained: BTreeSet<&str> = (a.payer_said.iter())
                .flat_map(|c| c.rules.iter().copied())
                .collect();
            let payer_unexplained = (a.payer_said.iter())
                .filter(|c| c.denies && !c.rules.iter().any(|r| found.contains(*r)))
                .map(|c| c.code.clone())
                .collect();
            let x837_unmentioned = (found.iter())
                .filter(|r| !explained.contains(r.as_str()))
                .cloned()
                .collect();
            let went_to = match (a.resent, errors > 0, split) {
                (false, _, _) => None,
                (true, false, _) => Some("output"),
                (true, true, true) => Some("split"),
                (true, true, false) => Some("reported"),
            };
            ClaimReport {
                answered: a,
                went_to,
                x837_found: found.into_iter().collect(),
                x837_fixed: fixed.into_iter().collect(),
                errors_remaining: errors,
                payer_unexplained,
                x837_unmentioned,
            }
        })
        .collect()
}

fn report(o: &Options, found: &Found, claims: &[ClaimReport<'_>], scrub: Value) -> Value {
    let count = |what: &str| claims.iter().filter(|c| c.went_to == Some(what)).count();
    let by_outcome: serde_json::Map<String, Value> = totals(&found.answered)
        .into_iter()
        .map(|(k, (n, billed))| {
            (
                k.to_string(),
                json!({"claims": n, "billed": billed.to_string()}),
            )
        })
        .collect();
    let billed = |what: &str| {
        (claims.iter().filter(|c| c.went_to == Some(what)))
            .filter_map(|c| crate::claim::decimal(c.answered.billed.as_bytes()))
            .sum::<rust_decimal::Decimal>()
            .to_string()
    };
    json!({
        "version": 1,
        "tool": {"name": "x837", "command": "resubmit", "version": env!("CARGO_PKG_VERSION")},
        "inputs": {
            "originals": o.originals.iter().map(|f| f.to_string_lossy()).collect::<Vec<_>>(),
            "acks": o.acks.iter().map(|f| f.to_string_lossy()).collect::<Vec<_>>(),
            "remits": o.remits.iter().map(|f| f.to_string_lossy()).collect::<Vec<_>>(),
        },
        "summary": {
            "claims_answered": found.answered.len(),
            "claims_resent": claims.iter().filter(|c| c.answered.resent).count(),
            "to_output": count("output"),
            "split_off": count("split"),
            "reported_only": count("reported"),
            "billed_to_output": billed("output"),
            "billed_split_off": billed("split"),
            "responses_unmatched": found.unmatched.len(),
            "by_outcome": by_outcome,
        },
        "claims": claims,
        "unmatched": found.unmatched,
        "scrub": scrub,
    })
}

fn summary(console: &dyn Console, found: &Found, claims: &[ClaimReport<'_>]) {
    let t = totals(&found.answered);
    let parts: Vec<String> = t.iter().map(|(k, (n, _))| format!("{n} {k}")).collect();
    let count = |what: &str| claims.iter().filter(|c| c.went_to == Some(what)).count();
    console.say(&format!(
        "x837 resubmit: {} claims answered ({}); {} to OUT, {} split off, {} reported only; {} responses unmatched",
        found.answered.len(),
        if parts.is_empty() { "none".into() } else { parts.join(", ") },
        count("output"),
        count("split"),
        count("reported"),
        found.unmatched.len()
    ));
}

/// The report as `format`.
fn render(report: &Value, format: Format) -> Vec<u8> {
    match format {
        Format::Json => {
            let mut b = serde_json::to_vec_pretty(report).unwrap_or_default();
            b.push(b'\n');
            b
        }
        Format::Text => text(report).into_bytes(),
        Format::Html => {
            let body = text(report)
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>x837 resubmit</title></head>\n<body><pre>\n{body}</pre></body></html>\n"
            )
            .into_bytes()
        }
    }
}

/// The text report: the summary, then a paragraph per claim, then the unmatched responses.
fn text(r: &Value) -> String {
    let mut out = String::from("x837 resubmit\n");
    let s = &r["summary"];
    out += &format!(
        "claims answered {}, resent {}: {} to OUT, {} split off, {} reported only; responses unmatched {}\n",
        s["claims_answered"],
        s["claims_resent"],
        s["to_output"],
        s["split_off"],
        s["reported_only"],
        s["responses_unmatched"]
    );
    let empty = Vec::new();
    for c in r["claims"].as_array().unwrap_or(&empty) {
        out += &format!(
            "\n{} (billed {}): {}{}\n",
            c["claim"].as_str().unwrap_or_default(),
            c["billed"].as_str().unwrap_or_default(),
            c["outcome"].as_str().unwrap_or_default(),
            c["went_to"]
                .as_str()
                .map(|w| format!(", to {w}"))
                .unwrap_or_default()
        );
        for p in c["payer_said"].as_array().unwrap_or(&empty) {
            let line = p["line"]
                .as_str()
                .map(|l| format!(" line {l}"))
                .unwrap_or_default();
            let d = p["description"]
                .as_str()
                .unwrap_or("(not in x837's mapping)");
            out += &format!(
                "  payer {}{}: {} {}\n",
                p["source"].as_str().unwrap_or_default(),
                line,
                p["code"].as_str().unwrap_or_default(),
                d
            );
        }
        let list = |k: &str| {
            let v: Vec<&str> = (c[k].as_array().unwrap_or(&empty).iter())
                .filter_map(|x| x.as_str())
                .collect();
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        out += &format!(
            "  x837 found: {}; fixed: {}\n",
            list("x837_found"),
            list("x837_fixed")
        );
        out += &format!(
            "  payer reasons x837 does not explain: {}\n",
            list("payer_unexplained")
        );
        out += &format!(
            "  x837 findings the payer did not mention: {}\n",
            list("x837_unmentioned")
        );
    }
    for u in r["unmatched"].as_array().unwrap_or(&empty) {
        out += &format!(
            "\nunmatched: {} {} names claim {} ({})\n",
            u["file"].as_str().unwrap_or_default(),
            u["source"].as_str().unwrap_or_default(),
            u["claim"].as_str().unwrap_or_default(),
            u["why"].as_str().unwrap_or_default()
        );
    }
    out
}
