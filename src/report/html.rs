//! The HTML report: one self-contained page (inline CSS and script, nothing fetched) that
//! billing staff work from. A summary first, then the claims that need a person, the
//! largest billed amounts first, each with what is wrong in plain words, what to do (the
//! rule's own "Fix" documentation) and what x837 changed; the claims fixed automatically
//! and the clean ones folded away. The page stays under [`MAX_PAGE`] bytes for any batch.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use rust_decimal::Decimal;

use super::render::tally_words;
use super::worklist::{self, Counts, Entry, Worklist, is_open, is_review};
use super::{ClaimFacts, Finding, FixClass, Report, RuleId, Source};
use crate::echo::escape;

/// The page's size is kept under this, whatever the batch.
pub const MAX_PAGE: usize = 5_000_000;
/// Of it, what the claims needing action may take.
const WORKLIST_BYTES: usize = 3_800_000;
/// Of it, what the list of claims fixed automatically may take.
const FIXED_BYTES: usize = 300_000;
/// Inputs listed one by one, and what their rows may take.
const MAX_INPUTS: usize = 300;
const INPUT_BYTES: usize = 200_000;
/// Payers in the summary table and in the payer filter.
const PAYER_ROWS: usize = 100;

/// `s` for HTML text and attributes; control characters are escaped as in the text
/// report, since HTML has no way to show them.
pub fn esc(s: &str) -> String {
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

/// `12,345`.
fn num(n: usize) -> String {
    let s = n.to_string();
    let mut o = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            o.push(',');
        }
        o.push(c);
    }
    o
}

/// `$12,650.00`, `-$5.00`.
pub fn money(d: Decimal) -> String {
    let s = format!("{:.2}", d.round_dp(2).abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let grouped = match int.parse::<usize>() {
        Ok(n) => num(n),
        Err(_) => int.to_string(),
    };
    let sign = if d.is_sign_negative() && !d.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${grouped}.{frac}")
}

/// A rule's documentation as the page shows it.
struct RuleText {
    /// One line on what is wrong, in plain words.
    plain: String,
    /// "Why is this bad?", as HTML.
    why: Option<String>,
    /// "Fix": what to do, as HTML.
    fix: String,
}

/// The lines of section `name` of a rule's documentation (`## Fix`).
fn section(doc: &str, name: &str) -> Option<String> {
    let mut lines = doc.lines().skip_while(|l| l.trim() != format!("## {name}"));
    lines.next()?;
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
    let text = body.join("\n").trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// Documentation text as HTML: paragraphs at blank lines, `code` spans, the rest escaped.
fn md(text: &str) -> String {
    let mut o = String::new();
    for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        if para.trim_start().starts_with("```") {
            let code: Vec<&str> = para.lines().filter(|l| !l.starts_with("```")).collect();
            let _ = write!(o, "<pre>{}</pre>", esc(&code.join("\n")));
            continue;
        }
        o.push_str("<p>");
        for (i, part) in para.split('`').enumerate() {
            let part = esc(&part.replace('\n', " "));
            if i % 2 == 1 {
                let _ = write!(o, "<code>{part}</code>");
            } else {
                o.push_str(&part);
            }
        }
        o.push_str("</p>");
    }
    o
}

/// Advice for the rules that have no documentation of their own (envelope and guide).
fn generic_fix(id: RuleId) -> &'static str {
    match id.source() {
        Source::Envelope => {
            "The file's envelope (ISA/GS/ST and their trailers) is wrong. x837 does not change envelopes: have the file made again by the system that wrote it, or fix the envelope there, and send it again."
        }
        _ => {
            "The claim does not follow the implementation guide here, and x837 has no fix for it. Correct the claim in the billing system (or the clearinghouse's claim edit screen) and send it again."
        }
    }
}

/// What a person does about a finding x837 cannot correct, after the rule's reason why.
const BY_HAND: &str = "Correct the claim in the billing system (or the clearinghouse's claim edit screen) and send it again.";

/// A rule's "Fix" section as advice: one that starts "None:" (x837 has no fix) says so in
/// words and what a person does instead.
fn fix_html(fix: &str) -> String {
    match fix.strip_prefix("None:") {
        Some(why) => format!(
            "{}{}",
            md(&format!(
                "x837 cannot correct this by itself: {}",
                why.trim_start()
            )),
            md(BY_HAND)
        ),
        None => md(fix),
    }
}

/// The documentation of every rule the report names.
fn rule_texts(report: &Report, w: &Worklist) -> BTreeMap<RuleId, RuleText> {
    let mut out = BTreeMap::new();
    for &id in w.rules.keys() {
        let doc = report.rule_docs.and_then(|d| d(id));
        let fix = doc.as_deref().and_then(|d| section(d, "Fix"));
        let why = doc.as_deref().and_then(|d| section(d, "Why is this bad?"));
        out.insert(
            id,
            RuleText {
                plain: id.summary().to_string(),
                why: why.map(|w| md(&w)),
                fix: fix.map_or_else(|| md(generic_fix(id)), |f| fix_html(&f)),
            },
        );
    }
    out
}

const STYLE: &str = "*{box-sizing:border-box}\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2329;background:#f5f6f8;font-size:15px}\
header{background:#1f3a5f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}\
main{padding:16px 24px;max-width:1500px}h2{font-size:18px;margin:24px 0 8px}\
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}\
.card{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:10px 16px;min-width:170px}\
.card .n{font-size:26px;font-weight:600}.card .sub{color:#555}\
.card.action{border-left:6px solid #c0392b}.card.fixed{border-left:6px solid #2e7d32}.card.clean{border-left:6px solid #90a4ae}\
.tables{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}\
table{border-collapse:collapse;background:#fff}th,td{border:1px solid #d8dde3;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#eef1f4;font-weight:600}caption{text-align:left;font-weight:600;padding:4px 0}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:90%}\
.error{color:#b71c1c}.warning{color:#9a5b00}.info{color:#546e7a}\
.badge{display:inline-block;border-radius:10px;padding:0 8px;margin:1px 2px;font-size:12px;white-space:nowrap;border:1px solid}\
.badge.error{background:#fdecea}.badge.warning{background:#fff4e0}.badge.review{color:#5d4037;background:#fff3cd}\
.badge.rejected,.badge.left-out{color:#fff;background:#b71c1c;border-color:#b71c1c}.badge.fixed{color:#1b5e20;background:#e8f5e9}\
.controls{display:flex;flex-wrap:wrap;gap:10px;align-items:end;background:#fff;border:1px solid #d8dde3;padding:8px 12px;border-radius:6px;position:sticky;top:0;z-index:1}\
.controls label{display:flex;flex-direction:column;font-size:12px;color:#444}\
.controls select,.controls input{font-size:14px;padding:3px}\
#wl-table{width:100%}tbody.claim{border-top:3px solid #c9d1da}tbody.claim tr.head td{background:#fbfcfd}\
tbody.claim tr.head td.clm code{font-size:100%;font-weight:600}\
tr.detail td{padding:6px 12px 10px}ul.issues{margin:0;padding-left:18px}ul.issues li{margin:4px 0}\
.plain{font-weight:600}.msg{color:#333}.rule{color:#607d8b;white-space:nowrap}\
details.fix{margin:2px 0 4px}details.fix summary{cursor:pointer;color:#1f5f99}details.fix div{background:#f3f7fb;border-left:3px solid #1f5f99;padding:2px 10px}\
details.fix p{margin:6px 0}.change{margin:6px 0}.change p{margin:2px 0}\
.seg{overflow-x:auto;max-width:100%}.seg table{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}\
.seg td,.seg th{white-space:pre;padding:2px 6px}.seg th{font-family:system-ui,sans-serif;font-weight:500;background:#f4f4f4}\
.seg tr.after td.chg,.seg tr.added td{background:#e6f4ea}.seg tr.before td.chg,.seg tr.removed td{background:#fdecea}\
.where{color:#667;font-size:12px;margin:4px 0 0}\
details.section{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:6px 12px;margin:12px 0}\
details.section>summary{cursor:pointer;font-weight:600;font-size:16px}\
.note{background:#fff8e1;border:1px solid #f0d58a;padding:6px 10px;border-radius:4px}\
.banner{background:#e3f2fd;border:1px solid #90caf9;padding:8px 12px;border-radius:6px;margin:8px 0}\
#none{padding:12px;color:#555}[hidden]{display:none!important}";

/// Filters, search and sort over the worklist; the page reads fully without it.
const SCRIPT: &str = r#"(function(){
function g(id){return document.getElementById(id);}
var rows=[].slice.call(document.querySelectorAll('#wl-table tbody.claim'));
var fixed=[].slice.call(document.querySelectorAll('#fixed-list tr.fixedrow'));
var ids=['f-rule','f-sev','f-payer','f-status'];
function has(list,v){return !v||(' '+list+' ').indexOf(' '+v+' ')>=0;}
function apply(){
 var q=g('q').value.trim().toLowerCase(),r=g('f-rule').value,s=g('f-sev').value,p=g('f-payer').value,st=g('f-status').value,n=0,m=0;
 rows.forEach(function(b){var d=b.dataset;var ok=has(d.rules,r)&&has(d.sev,s)&&(!p||d.payer===p)&&has(d.status,st)&&(!q||d.clm.indexOf(q)>=0);b.hidden=!ok;if(ok)n++;});
 fixed.forEach(function(t){var ok=!q||t.dataset.clm.indexOf(q)>=0;t.hidden=!ok;if(ok)m++;});
 g('shown').textContent=n;g('none').hidden=n>0;var fs=g('fixed-shown');if(fs)fs.textContent=m;
}
function sort(){
 var k=g('sort').value,t=g('wl-table');
 rows.slice().sort(function(a,b){var x=parseFloat(a.dataset.billed),y=parseFloat(b.dataset.billed),o=a.dataset.seq-b.dataset.seq;
  return k==='order'?o:k==='asc'?(x-y)||o:(y-x)||o;}).forEach(function(b){t.appendChild(b);});
}
ids.forEach(function(id){g(id).addEventListener('change',apply);});
g('q').addEventListener('input',apply);g('sort').addEventListener('change',sort);
g('reset').addEventListener('click',function(){ids.forEach(function(id){g(id).value='';});g('q').value='';apply();});
apply();
})();"#;

/// The page.
pub fn page(report: &Report, o: &mut dyn Write) -> io::Result<()> {
    let w = Worklist::of(report)?;
    let texts = rule_texts(report, &w);
    let check = report.check();
    write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>x837 claims worklist</title><style>{STYLE}</style></head><body>"
    )?;
    header(report, o)?;
    o.write_all(b"<main>")?;
    summary(report, &w, check, o)?;
    tables(&w, &texts, o)?;
    worklist_section(report, &w, &texts, o)?;
    fixed_section(&w, check, o)?;
    clean_section(&w, o)?;
    outside_section(report, &w, &texts, o)?;
    inputs_section(report, o)?;
    glossary(&texts, o)?;
    writeln!(o, "</main><script>{SCRIPT}</script></body></html>")
}

fn header(report: &Report, o: &mut dyn Write) -> io::Result<()> {
    let n = report.inputs.len();
    let names: Vec<String> = report.inputs.iter().take(3).map(|i| esc(&i.file)).collect();
    let more = if n > 3 {
        format!(" and {} more", num(n - 3))
    } else {
        String::new()
    };
    write!(
        o,
        "<header><h1>Claims worklist</h1><p>{}{more} · profile {} · x837 {}{}</p></header>",
        names.join(", "),
        esc(&report.tool.profile),
        esc(report.tool.version),
        if report.check() {
            " · dry run (--check): nothing was written"
        } else {
            ""
        }
    )
}

fn summary(report: &Report, w: &Worklist, check: bool, o: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let fixed_words = if check {
        "would be fixed automatically"
    } else {
        "fixed automatically"
    };
    write!(
        o,
        "<section id=\"summary\"><div class=\"cards\">\
<div class=\"card\"><div class=\"n\" id=\"sum-claims\">{}</div><div>claims</div><div class=\"sub\" id=\"sum-billed\">{} billed</div></div>\
<div class=\"card action\"><div class=\"n\" id=\"sum-action\">{}</div><div>claims need a person</div><div class=\"sub\" id=\"sum-action-billed\">{} billed</div></div>\
<div class=\"card fixed\"><div class=\"n\" id=\"sum-fixed\">{}</div><div>{fixed_words}</div><div class=\"sub\">{} billed</div></div>\
<div class=\"card clean\"><div class=\"n\" id=\"sum-clean\">{}</div><div>clean</div><div class=\"sub\">{} billed</div></div></div>",
        num(s.claims),
        money(w.all.billed),
        num(w.action.claims),
        money(w.action.billed),
        num(w.fixed.claims),
        money(w.fixed.billed),
        num(w.clean.claims),
        money(w.clean.billed),
    )?;
    write!(o, "<p>{}.", esc(&tally_words(&s.tally, check)))?;
    let unscrubbed = s.claims.saturating_sub(w.all.claims);
    if unscrubbed > 0 {
        write!(
            o,
            " <span class=\"note\">{} claims were not scrubbed (in a part of the input that did not close, or of a guide x837 does not carry).</span>",
            num(unscrubbed)
        )?;
    }
    if s.claims_left_out > 0 {
        write!(
            o,
            " <span class=\"note\">{} claims were left out of the corrected output (incomplete input): see Inputs below.</span>",
            num(s.claims_left_out)
        )?;
    }
    if s.claims_split_off > 0 {
        write!(
            o,
            " {} claims with errors were split off to the rejected file.",
            num(s.claims_split_off)
        )?;
    }
    o.write_all(b"</p></section>")
}

fn counts_cells(c: &Counts) -> String {
    format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        num(c.findings),
        num(c.fixed),
        num(c.open)
    )
}

fn tables(w: &Worklist, texts: &BTreeMap<RuleId, RuleText>, o: &mut dyn Write) -> io::Result<()> {
    o.write_all(b"<div class=\"tables\"><table id=\"by-rule\"><caption>Findings by rule</caption><tr><th>rule</th><th>what is wrong</th><th class=\"num\">findings</th><th class=\"num\">fixed</th><th class=\"num\">open</th></tr>")?;
    let mut rules: Vec<(&RuleId, &Counts)> = w.rules.iter().collect();
    rules.sort_by_key(|r| std::cmp::Reverse((r.1.open, r.1.findings)));
    for (id, c) in rules {
        let plain = texts.get(id).map_or("", |t| t.plain.as_str());
        write!(
            o,
            "<tr data-rule=\"{id}\"><td><a href=\"#rule-{id}\"><code>{id}</code></a></td><td>{}</td>{}</tr>",
            esc(plain),
            counts_cells(c)
        )?;
    }
    o.write_all(b"</table><table id=\"by-severity\"><caption>By severity</caption><tr><th>severity</th><th class=\"num\">findings</th><th class=\"num\">fixed</th><th class=\"num\">open</th></tr>")?;
    for (name, c) in
        ["error", "warning", "info"]
            .iter()
            .zip([w.severities[2], w.severities[1], w.severities[0]])
    {
        write!(
            o,
            "<tr><td class=\"{name}\">{name}</td>{}</tr>",
            counts_cells(&c)
        )?;
    }
    o.write_all(b"</table><table id=\"by-payer\"><caption>By payer (2010BB payer id)</caption><tr><th>payer</th><th class=\"num\">claims</th><th class=\"num\">billed</th><th class=\"num\">need a person</th><th class=\"num\">their billed</th></tr>")?;
    let mut payers: Vec<(&String, &worklist::Payer)> = w.payers.iter().collect();
    payers.sort_by(|a, b| b.1.action.billed.cmp(&a.1.action.billed).then(a.0.cmp(b.0)));
    let mut rest = w.other_payers;
    let mut listed = 0;
    for (id, p) in payers {
        if listed >= PAYER_ROWS {
            rest.all.claims += p.all.claims;
            rest.all.billed = rest
                .all
                .billed
                .checked_add(p.all.billed)
                .unwrap_or(rest.all.billed);
            rest.action.claims += p.action.claims;
            rest.action.billed = (rest.action.billed)
                .checked_add(p.action.billed)
                .unwrap_or(rest.action.billed);
            continue;
        }
        listed += 1;
        let shown = if id.is_empty() {
            "(none)".to_string()
        } else {
            esc(id)
        };
        payer_row(&format!("<code>{shown}</code>"), p, o)?;
    }
    if rest.all.claims > 0 {
        payer_row("other payers", &rest, o)?;
    }
    o.write_all(b"</table></div>")
}

fn payer_row(name: &str, p: &worklist::Payer, o: &mut dyn Write) -> io::Result<()> {
    write!(
        o,
        "<tr><td>{name}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        num(p.all.claims),
        money(p.all.billed),
        num(p.action.claims),
        money(p.action.billed)
    )
}

/// The filter controls over the claims shown.
fn controls(w: &Worklist, o: &mut dyn Write) -> io::Result<()> {
    let mut rules: BTreeMap<RuleId, usize> = BTreeMap::new();
    let mut payers: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &w.shown {
        for f in &e.findings {
            *rules.entry(f.rule).or_default() += 1;
        }
        *payers.entry(e.facts.payer.as_str()).or_default() += 1;
    }
    o.write_all(b"<div class=\"controls\"><label>Rule<select id=\"f-rule\"><option value=\"\">any rule</option>")?;
    for (id, n) in &rules {
        write!(o, "<option value=\"{id}\">{id} ({})</option>", num(*n))?;
    }
    o.write_all(b"</select></label><label>Severity<select id=\"f-sev\"><option value=\"\">any</option><option value=\"error\">error remains</option><option value=\"warning\">warning remains</option></select></label><label>Payer<select id=\"f-payer\"><option value=\"\">any payer</option>")?;
    let mut by_count: Vec<(&str, usize)> = payers.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    by_count.truncate(PAYER_ROWS);
    by_count.sort();
    for (p, n) in by_count {
        let shown = if p.is_empty() { "(none)" } else { p };
        write!(
            o,
            "<option value=\"{}\">{} ({})</option>",
            esc(p),
            esc(shown),
            num(n)
        )?;
    }
    o.write_all(b"</select></label><label>Status<select id=\"f-status\"><option value=\"\">any</option><option value=\"open\">something to correct</option><option value=\"review\">a recode to check</option><option value=\"rejected\">keeps an error (rejected)</option><option value=\"left-out\">left out (incomplete input)</option></select></label>\
<label>Search CLM01<input id=\"q\" type=\"search\" placeholder=\"claim id\" autocomplete=\"off\"></label>\
<label>Sort<select id=\"sort\"><option value=\"desc\">billed, largest first</option><option value=\"asc\">billed, smallest first</option><option value=\"order\">as in the file</option></select></label>\
<button id=\"reset\" type=\"button\">Clear</button><span>showing <b id=\"shown\">-</b> claims</span></div>")
}

fn worklist_section(
    report: &Report,
    w: &Worklist,
    texts: &BTreeMap<RuleId, RuleText>,
    o: &mut dyn Write,
) -> io::Result<()> {
    write!(
        o,
        "<section id=\"worklist\"><h2>Claims that need a person ({})</h2><p>An error or warning remains, a recode needs checking, or an error above the claim (in its billing provider, subscriber or patient loop, or the header) keeps it from going out. The largest billed amounts come first.</p><noscript><p class=\"note\">Filters and search need JavaScript; every claim below is shown.</p></noscript>",
        num(w.action.claims)
    )?;
    controls(w, o)?;
    o.write_all(b"<table id=\"wl-table\"><thead><tr><th>claim (CLM01)</th><th>payer</th><th>date(s) of service</th><th class=\"num\">billed</th><th class=\"num\">J2326 units</th><th>NDC</th><th>status</th></tr></thead>")?;
    let mut used = 0;
    let mut cut = worklist::Money::default();
    for e in &w.shown {
        let block = claim_block(report, e, texts);
        if used + block.len() > WORKLIST_BYTES {
            cut.claims += 1;
            cut.billed = cut.billed.checked_add(e.billed).unwrap_or(cut.billed);
            continue;
        }
        used += block.len();
        o.write_all(block.as_bytes())?;
    }
    o.write_all(b"</table><p id=\"none\" hidden>No claim shown matches the filters.</p>")?;
    let rest = w.not_shown.claims + cut.claims;
    if rest > 0 {
        let billed = w
            .not_shown
            .billed
            .checked_add(cut.billed)
            .unwrap_or(w.not_shown.billed);
        write!(
            o,
            "<p class=\"note\" id=\"not-shown\"><b>{}</b> more claims need a person ({} billed); they billed less than those shown and are left off to keep this page small. Every one is in the JSON report (<code>--report FILE.json</code>).</p>",
            num(rest),
            money(billed)
        )?;
    }
    o.write_all(b"</section>")
}

fn dates(c: &ClaimFacts) -> String {
    match (&c.from, &c.to) {
        (Some(f), Some(t)) if f == t => esc(f),
        (Some(f), Some(t)) => format!("{} to {}", esc(f), esc(t)),
        _ => "-".into(),
    }
}

/// The words of a claim's status and its filter tokens.
fn claim_status(e: &Entry) -> (String, String, String) {
    let open: Vec<&Finding> = e.findings.iter().filter(|f| is_open(f)).collect();
    let errors = open
        .iter()
        .filter(|f| f.severity == super::Severity::Error)
        .count();
    let warnings = open.len() - errors;
    let review = e.findings.iter().filter(|f| is_review(f)).count();
    let fixed = e.findings.iter().filter(|f| f.fixed || f.would_fix).count();
    let mut badges = String::new();
    let mut status = Vec::new();
    let mut sev = Vec::new();
    if errors > 0 {
        let _ = write!(
            badges,
            "<span class=\"badge error\">{errors} error{}</span>",
            if errors > 1 { "s" } else { "" }
        );
        sev.push("error");
    }
    if warnings > 0 {
        let _ = write!(
            badges,
            "<span class=\"badge warning\">{warnings} warning{}</span>",
            if warnings > 1 { "s" } else { "" }
        );
        sev.push("warning");
    }
    if !open.is_empty() {
        status.push("open");
    }
    if review > 0 {
        let _ = write!(
            badges,
            "<span class=\"badge review\">{review} recode{} to check</span>",
            if review > 1 { "s" } else { "" }
        );
        status.push("review");
    }
    if fixed > review {
        let _ = write!(
            badges,
            "<span class=\"badge fixed\">{} repaired</span>",
            fixed - review
        );
    }
    if e.facts.rejected {
        badges.push_str("<span class=\"badge rejected\">rejected</span>");
        status.push("rejected");
        if !sev.contains(&"error") {
            sev.push("error");
        }
    }
    if e.facts.left_out {
        badges.push_str("<span class=\"badge left-out\">left out</span>");
        status.push("left-out");
    }
    (badges, status.join(" "), sev.join(" "))
}

/// One claim of the worklist: its row, and under it what is wrong and what was changed.
fn claim_block(report: &Report, e: &Entry, texts: &BTreeMap<RuleId, RuleText>) -> String {
    let c = &e.facts;
    let (badges, status, sev) = claim_status(e);
    let mut rules: Vec<&str> = e.findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    let units = match (&c.drug_units, c.drug_lines) {
        (Some(u), n) if n > 1 => format!("{} <small>({n} J2326 lines)</small>", esc(u)),
        (Some(u), _) => esc(u),
        (None, 0) => "-".into(),
        (None, _) => "?".into(),
    };
    let mut s = String::with_capacity(1024);
    let _ = write!(
        s,
        "<tbody class=\"claim\" data-seq=\"{}\" data-billed=\"{}\" data-clm=\"{}\" data-payer=\"{}\" data-rules=\"{}\" data-status=\"{status}\" data-sev=\"{sev}\"><tr class=\"head\"><td class=\"clm\"><code>{}</code></td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{units}</td><td><code>{}</code></td><td>{badges}</td></tr><tr class=\"detail\"><td colspan=\"7\">",
        e.seq,
        e.billed.round_dp(2),
        esc(&c.id.to_lowercase()),
        esc(&c.payer),
        rules.join(" "),
        esc(&c.id),
        esc(&c.payer),
        dates(c),
        c.billed
            .as_ref()
            .map_or_else(|| "-".into(), |_| money(e.billed)),
        c.ndc.as_deref().map_or_else(|| "-".into(), esc),
    );
    issues(&mut s, e, texts);
    // Issue 13 ("Fixing a rejected batch"): what the payer said of this claim (277CA STC,
    // 835 CARC/RARC, matched by CLM01) goes here, between x837's findings and its changes.
    changes(&mut s, e, texts);
    let file = report.inputs.get(e.input).map_or("", |i| i.file.as_str());
    let _ = write!(
        s,
        "<p class=\"where\">{} · interchange {} · transaction {} · CLM at segment {}</p></td></tr></tbody>",
        esc(file),
        esc(c.interchange.as_deref().unwrap_or("-")),
        esc(c.transaction.as_deref().unwrap_or("-")),
        c.first
    );
    s
}

/// A finding in plain words, with what to do.
fn issue(s: &mut String, f: &Finding, texts: &BTreeMap<RuleId, RuleText>) {
    let t = texts.get(&f.rule);
    let line = f
        .service_line
        .as_deref()
        .map(|l| format!(" (line {})", esc(l)))
        .unwrap_or_default();
    let _ = write!(
        s,
        "<li class=\"issue\" data-rule=\"{}\"><span class=\"badge {}\">{}</span> <span class=\"plain\">{}</span>{line} <span class=\"msg\">{}</span> <a class=\"rule\" href=\"#rule-{}\"><code>{}</code></a>",
        f.rule,
        f.severity,
        f.severity,
        esc(t.map_or("", |t| t.plain.as_str())),
        esc(&f.message),
        f.rule,
        f.rule
    );
    if let Some(t) = t {
        let _ = write!(
            s,
            "<details class=\"fix\"><summary>What to do</summary><div>{}</div></details>",
            t.fix
        );
    }
    s.push_str("</li>");
}

fn issues(s: &mut String, e: &Entry, texts: &BTreeMap<RuleId, RuleText>) {
    let open: Vec<&Finding> = e
        .findings
        .iter()
        .filter(|f| !f.fixed && !f.would_fix)
        .collect();
    if open.is_empty() && e.facts.rejected {
        s.push_str("<p>An error in a loop above this claim (its billing provider, subscriber or patient, or the header) keeps it from going out: see <a href=\"#outside\">findings outside any claim</a>.</p>");
    }
    if !open.is_empty() {
        s.push_str("<ul class=\"issues\">");
        for f in open {
            issue(s, f, texts);
        }
        s.push_str("</ul>");
    }
    if e.more_findings > 0 {
        let _ = write!(
            s,
            "<p class=\"note\">{} more findings on this claim are in the JSON report.</p>",
            num(e.more_findings)
        );
    }
}

/// What x837 changed on the claim: each fix's segments before and after, by element.
fn changes(s: &mut String, e: &Entry, texts: &BTreeMap<RuleId, RuleText>) {
    let fixed: Vec<&Finding> = e
        .findings
        .iter()
        .filter(|f| f.fixed || f.would_fix)
        .collect();
    if fixed.is_empty() {
        return;
    }
    let verb = if fixed.iter().any(|f| f.would_fix) {
        "What x837 would change"
    } else {
        "What x837 changed"
    };
    let _ = write!(s, "<div class=\"changes\"><b>{verb}</b>");
    for f in fixed {
        let class = match f.fix_class {
            Some(FixClass::Recode) => {
                "<span class=\"badge review\">recode: check it before sending</span>"
            }
            _ => "<span class=\"badge fixed\">repair</span>",
        };
        let plain = texts.get(&f.rule).map_or("", |t| t.plain.as_str());
        let _ = write!(
            s,
            "<div class=\"change\" data-rule=\"{}\"><p>{class} <span class=\"plain\">{}</span> <span class=\"msg\">{}</span> <code class=\"rule\">{}</code></p>",
            f.rule,
            esc(plain),
            esc(&f.message),
            f.rule
        );
        if let (Some(b), Some(a)) = (&f.before, &f.after) {
            before_after(s, b, a, e.facts.element, e.facts.terminator);
        }
        s.push_str("</div>");
    }
    s.push_str("</div>");
}

/// A segment's elements (its id first).
fn elements(seg: &str, element: char) -> Vec<&str> {
    seg.split(element).collect()
}

/// The before and after of a fix as rows of elements: a segment changed shows both rows,
/// the elements that differ marked; one added or removed shows one row.
fn before_after(s: &mut String, before: &str, after: &str, element: char, terminator: char) {
    let split = |t: &str| -> Vec<String> {
        t.split(terminator)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    let (b, a) = (split(before), split(after));
    s.push_str("<div class=\"seg\"><table>");
    let mut ai = 0;
    for seg in &b {
        let id = elements(seg, element)[0];
        match a.get(ai) {
            Some(next) if elements(next, element)[0] == id => {
                seg_row(s, "before", seg, Some(next), element);
                seg_row(s, "after", next, Some(seg), element);
                ai += 1;
            }
            _ => seg_row(s, "removed", seg, None, element),
        }
    }
    for seg in a.iter().skip(ai) {
        seg_row(s, "added", seg, None, element);
    }
    s.push_str("</table></div>");
}

fn seg_row(s: &mut String, label: &str, seg: &str, other: Option<&String>, element: char) {
    let mine = elements(seg, element);
    let theirs = other.map(|o| elements(o, element)).unwrap_or_default();
    let _ = write!(s, "<tr class=\"{label}\"><th>{label}</th>");
    for (i, el) in mine.iter().enumerate() {
        let changed = other.is_some() && theirs.get(i) != Some(el);
        let _ = write!(
            s,
            "<td{}>{}</td>",
            if changed { " class=\"chg\"" } else { "" },
            esc(el)
        );
    }
    s.push_str("</tr>");
}

fn fixed_section(w: &Worklist, check: bool, o: &mut dyn Write) -> io::Result<()> {
    let title = if check {
        "Claims x837 would fix by itself"
    } else {
        "Claims fixed automatically"
    };
    write!(
        o,
        "<details class=\"section\" id=\"fixed\"><summary>{title} ({}, {} billed)</summary><p>Only repairs (how something was written, not what was billed): nothing to check. The largest billed amounts first; showing <span id=\"fixed-shown\">{}</span>.</p><table id=\"fixed-list\"><tr><th>claim (CLM01)</th><th>payer</th><th>date(s) of service</th><th class=\"num\">billed</th><th>what was repaired</th></tr>",
        num(w.fixed.claims),
        money(w.fixed.billed),
        num(w.fixed_shown.len())
    )?;
    let mut used = 0;
    let mut left = w.fixed.claims;
    for e in &w.fixed_shown {
        let mut rules: Vec<&str> = e.findings.iter().map(|f| f.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        let row = format!(
            "<tr class=\"fixedrow\" data-clm=\"{}\"><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&e.facts.id.to_lowercase()),
            esc(&e.facts.id),
            esc(&e.facts.payer),
            dates(&e.facts),
            money(e.billed),
            rules
                .iter()
                .map(|r| format!("<code>{r}</code>"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if used + row.len() > FIXED_BYTES {
            break;
        }
        used += row.len();
        left -= 1;
        o.write_all(row.as_bytes())?;
    }
    o.write_all(b"</table>")?;
    if left > 0 {
        write!(o, "<p>{} more are in the JSON report.</p>", num(left))?;
    }
    o.write_all(b"</details>")
}

fn clean_section(w: &Worklist, o: &mut dyn Write) -> io::Result<()> {
    write!(
        o,
        "<details class=\"section\" id=\"clean\"><summary>Clean claims ({}, {} billed)</summary><p>No finding: ready to send as they are. Counted only.</p></details>",
        num(w.clean.claims),
        money(w.clean.billed)
    )
}

fn outside_section(
    report: &Report,
    w: &Worklist,
    texts: &BTreeMap<RuleId, RuleText>,
    o: &mut dyn Write,
) -> io::Result<()> {
    let c = &w.outside_counts;
    if c.findings == 0 {
        return Ok(());
    }
    write!(
        o,
        "<details class=\"section\" id=\"outside\"{}><summary>Findings outside any claim ({}, {} open)</summary><p>In envelopes, headers, or the billing provider, subscriber and patient loops: an error here holds back every claim under it.</p><ul class=\"issues\">",
        if c.open > 0 { " open" } else { "" },
        num(c.findings),
        num(c.open)
    )?;
    for (i, f) in &w.outside {
        let mut s = String::new();
        issue(&mut s, f, texts);
        let file = report.inputs.get(*i).map_or("", |x| x.file.as_str());
        let at = format!(
            "<p class=\"where\">{} · segment {} (line {}, byte {}){}</p></li>",
            esc(file),
            f.position.segment,
            f.position.text_line,
            f.position.byte,
            if f.fixed { " · fixed" } else { "" }
        );
        o.write_all(s.trim_end_matches("</li>").as_bytes())?;
        o.write_all(at.as_bytes())?;
    }
    o.write_all(b"</ul>")?;
    if c.findings > w.outside.len() {
        write!(
            o,
            "<p>{} more are in the JSON report.</p>",
            num(c.findings - w.outside.len())
        )?;
    }
    o.write_all(b"</details>")
}

fn inputs_section(report: &Report, o: &mut dyn Write) -> io::Result<()> {
    let check = report.check();
    write!(
        o,
        "<details class=\"section\" id=\"inputs\"><summary>Inputs ({})</summary><table><tr><th>file</th><th class=\"num\">claims</th><th>findings</th><th>rejected claims</th><th>SHA-256</th></tr>",
        num(report.inputs.len())
    )?;
    let mut rows = String::new();
    let mut listed = 0;
    let mut left_out = 0;
    for input in report.inputs.iter().take(MAX_INPUTS) {
        if rows.len() > INPUT_BYTES {
            break;
        }
        listed += 1;
        let rejected = match &input.rejected_output {
            Some(to) => format!(
                "{} to <code>{}</code>",
                num(input.claims_split_off),
                esc(to)
            ),
            None => "-".into(),
        };
        let _ = write!(
            rows,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td>{}</td><td>{rejected}</td><td><code>{}</code></td></tr>",
            esc(&input.file),
            num(input.claims),
            esc(&tally_words(&input.tally, check)),
            esc(&input.sha256)
        );
        for l in input.left_out.iter().take(20) {
            if left_out >= 200 {
                break;
            }
            left_out += 1;
            let _ = write!(
                rows,
                "<tr><td colspan=\"5\" class=\"error\">left out: {} {} at segment {} (line {}, byte {}), {} claims: {}</td></tr>",
                l.what,
                esc(&l.control),
                l.position.segment,
                l.position.text_line,
                l.position.byte,
                num(l.claims),
                esc(&l.reason)
            );
        }
    }
    o.write_all(rows.as_bytes())?;
    o.write_all(b"</table>")?;
    if report.inputs.len() > listed {
        write!(
            o,
            "<p>{} more inputs are in the JSON report.</p>",
            num(report.inputs.len() - listed)
        )?;
    }
    o.write_all(b"</details>")
}

fn glossary(texts: &BTreeMap<RuleId, RuleText>, o: &mut dyn Write) -> io::Result<()> {
    if texts.is_empty() {
        return Ok(());
    }
    o.write_all(b"<details class=\"section\" id=\"rules\"><summary>The rules named on this page</summary><p>From each rule's documentation (<code>x837 rules ID</code> prints it whole).</p><dl>")?;
    for (id, t) in texts {
        write!(
            o,
            "<dt id=\"rule-{id}\"><code>{id}</code>: {}</dt><dd>",
            esc(&t.plain)
        )?;
        if let Some(why) = &t.why {
            write!(o, "<b>Why it matters</b>{why}")?;
        }
        write!(o, "<b>What to do</b>{}</dd>", t.fix)?;
    }
    o.write_all(b"</dl></details>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_money() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1234567), "1,234,567");
        assert_eq!(money(Decimal::new(1265050, 2)), "$12,650.50");
        assert_eq!(money(Decimal::new(-5, 0)), "-$5.00");
        assert_eq!(money(Decimal::ZERO), "$0.00");
        assert_eq!(money(Decimal::new(1, 3)), "$0.00");
    }

    #[test]
    fn documentation_sections_become_html() {
        let doc = "## What it does\nChecks.\n\n## Fix\nAdds `LIN**N4*<NDC>` at the end.\nMore.\n\nSecond <para>.\n\n## References\nFDA.";
        let fix = section(doc, "Fix").unwrap_or_default();
        assert_eq!(
            md(&fix),
            "<p>Adds <code>LIN**N4*&lt;NDC&gt;</code> at the end. More.</p><p>Second &lt;para&gt;.</p>"
        );
        assert_eq!(section(doc, "Why is this bad?"), None);
        assert_eq!(
            fix_html("None: the payer gives it."),
            format!(
                "<p>x837 cannot correct this by itself: the payer gives it.</p><p>{BY_HAND}</p>"
            )
            .replace('\'', "&#39;")
        );
    }

    #[test]
    fn before_and_after_split_by_element() {
        let mut s = String::new();
        before_after(
            &mut s,
            "SV1*HC:J2326*12500*UN*12",
            "SV1*HC:J2326*12500*UN*120~LIN**N4*64406005801",
            '*',
            '~',
        );
        assert!(
            s.contains("<tr class=\"before\"><th>before</th><td>SV1</td><td>HC:J2326</td>"),
            "{s}"
        );
        assert!(s.contains("<td class=\"chg\">120</td>"), "{s}");
        assert!(
            s.contains("<tr class=\"added\"><th>added</th><td>LIN</td><td></td><td>N4</td>"),
            "{s}"
        );
    }
}
