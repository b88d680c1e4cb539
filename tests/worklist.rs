//! The HTML report as a worklist, read as text: its counts agree with the JSON report of
//! the same run, the claims needing action are those the JSON report says, largest billed
//! first, each finding with the Fix advice of `x837 rules ID`, fixes shown element by
//! element; a batch past the cap lists the largest claims and counts the rest; every
//! value echoed from the input is escaped. (tests/browser.rs loads the page in Chromium.)

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::Path;

fn synth(dir: &Path, claims: &str, rate: &str, seed: &str) -> std::path::PathBuf {
    let p = dir.join(format!("synth-{claims}-{rate}.x12"));
    let out = common::x837(&[
        "synth",
        "--claims",
        claims,
        "--seed",
        seed,
        "--error-rate",
        rate,
        "-o",
        p.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p
}

/// The HTML and JSON reports of one scrub of `input`.
fn reports(input: &Path, extra: &[&str]) -> (String, serde_json::Value) {
    let dir = input.parent().unwrap();
    let (html, json) = (dir.join("r.html"), dir.join("r.json"));
    for r in [&html, &json] {
        let mut args = vec![
            "scrub",
            input.to_str().unwrap(),
            "--check",
            "-q",
            "--report",
            r.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = common::x837(&args);
        assert!(
            out.status.code() != Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let json = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    (fs::read_to_string(&html).unwrap(), json)
}

/// The values of `attr="..."` on the elements that start with `open`, in page order.
fn attrs(html: &str, open: &str, attr: &str) -> Vec<String> {
    html.match_indices(open)
        .map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            let at = tag
                .find(&format!(" {attr}=\""))
                .unwrap_or_else(|| panic!("no {attr} in {tag}"));
            let v = &tag[at + attr.len() + 3..];
            v[..v.find('"').unwrap()].to_string()
        })
        .collect()
}

/// The text of the element with `id`.
fn by_id(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..start + rest[start..].find('<').unwrap()].to_string()
}

fn count(text: &str) -> usize {
    text.replace(',', "")
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {text:?}"))
}

/// CLM01 to CLM02 of every claim of `input`.
fn billed(input: &Path) -> HashMap<String, f64> {
    let text = fs::read_to_string(input).unwrap();
    text.split('~')
        .map(str::trim)
        .filter(|s| s.starts_with("CLM*"))
        .map(|s| {
            let e: Vec<&str> = s.split('*').collect();
            (e[1].to_string(), e[2].parse().unwrap_or(0.0))
        })
        .collect()
}

/// Per claim, what the JSON report says: needs a person (an open error or warning, or a
/// recode), or only fixed.
fn from_json(json: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut action = BTreeSet::new();
    let mut fixed = BTreeSet::new();
    for f in json["findings"].as_array().unwrap() {
        let Some(claim) = f["claim"].as_str() else {
            continue;
        };
        let done = f["fixed"] == true || f["would_fix"] == true;
        let sev = f["severity"].as_str().unwrap();
        if (!done && sev != "info") || (done && f["fix_class"] == "recode") {
            action.insert(claim.to_string());
        } else if done {
            fixed.insert(claim.to_string());
        }
    }
    let fixed = fixed.difference(&action).cloned().collect();
    (action, fixed)
}

#[test]
fn the_worklist_agrees_with_the_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = synth(dir.path(), "1500", "0.3", "21");
    let (html, json) = reports(&input, &[]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: nothing fetched.
    for outside in ["src=\"http", "href=\"http", "<link", "@import", "url("] {
        assert!(!html.contains(outside), "the page fetches {outside}");
    }
    assert_eq!(count(&by_id(&html, "sum-claims")), 1500);
    let (action, fixed) = from_json(&json);
    let shown: Vec<String> = attrs(&html, "<tbody class=\"claim\"", "data-clm");
    let statuses = attrs(&html, "<tbody class=\"claim\"", "data-status");
    assert_eq!(count(&by_id(&html, "sum-action")), shown.len());
    assert!(shown.len() > 100, "{}", shown.len());
    let shown_set: BTreeSet<String> = shown.iter().cloned().collect();
    for c in &action {
        assert!(
            shown_set.contains(&c.to_lowercase()),
            "{c} needs action but is not listed"
        );
    }
    for (c, st) in shown.iter().zip(&statuses) {
        let listed = action.iter().any(|a| a.to_lowercase() == *c);
        assert!(
            listed || st.contains("rejected"),
            "{c} listed ({st}) without a reason"
        );
    }
    assert_eq!(count(&by_id(&html, "sum-fixed")), fixed.len());
    // The largest billed amounts first.
    let amounts: Vec<f64> = attrs(&html, "<tbody class=\"claim\"", "data-billed")
        .iter()
        .map(|b| b.parse().unwrap())
        .collect();
    assert!(
        amounts.windows(2).all(|w| w[0] >= w[1]),
        "not sorted by amount"
    );
    let by_clm = billed(&input);
    let first = shown[0].to_uppercase();
    assert!((by_clm[&first] - amounts[0]).abs() < 0.005, "{first}");

    // Findings by rule: the JSON report's tally.
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in json["findings"].as_array().unwrap() {
        let t = tally
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_default();
        t.0 += 1;
        t.1 += usize::from(f["fixed"] == true || f["would_fix"] == true);
    }
    for (rule, (n, done)) in &tally {
        let at = html
            .find(&format!("<tr data-rule=\"{rule}\">"))
            .unwrap_or_else(|| panic!("no row for {rule}"));
        let row = &html[at..at + html[at..].find("</tr>").unwrap()];
        let nums: Vec<usize> = row
            .match_indices("<td class=\"num\">")
            .map(|(i, _)| count(&row[i + 16..i + 16 + row[i + 16..].find('<').unwrap()]))
            .collect();
        assert_eq!(nums, [*n, *done, n - done], "{rule}: {row}");
    }

    // Each open finding's advice is its rule's Fix section, from `x837 rules ID`.
    let doc = String::from_utf8(common::x837(&["rules", "place-of-service"]).stdout).unwrap();
    let fix = doc
        .split("## Fix")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    // (A rule x837 cannot fix says "None:" first; the page says that in words.)
    let fix = fix.trim().strip_prefix("None:").unwrap_or(fix);
    let first_words: String = fix.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
    assert!(html.contains("x837 cannot correct this by itself"));
    assert!(
        !first_words.contains('`'),
        "pick words without code: {first_words}"
    );
    assert!(
        html.contains(&first_words),
        "the page lacks the Fix advice {first_words:?}"
    );
    assert!(html.contains("<summary>What to do</summary>"));

    // A recode in the worklist shows its segments element by element.
    let recode = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["fix_class"] == "recode" && f["before"].as_str().is_some_and(|b| !b.contains('~'))
        })
        .unwrap();
    let before = recode["before"].as_str().unwrap();
    let cells: String = before
        .split('*')
        .map(|e| format!("<td{}>{e}</td>", ""))
        .collect::<Vec<_>>()
        .join("");
    let plain = cells.replace("<td>", "").replace("</td>", "|");
    let row_at = html.find("<tr class=\"before\"><th>before</th>").unwrap();
    assert!(row_at > 0 && !plain.is_empty());
    let mut found = false;
    for (i, _) in html.match_indices("<tr class=\"before\"><th>before</th>") {
        let row = &html[i..i + html[i..].find("</tr>").unwrap()];
        let els: Vec<String> = row
            .split("<td")
            .skip(1)
            .map(|c| {
                let c = &c[c.find('>').unwrap() + 1..];
                c[..c.find("</td>").unwrap()].to_string()
            })
            .collect();
        if els.join("*") == before {
            found = true;
            assert!(
                row.contains("class=\"chg\""),
                "no changed element marked: {row}"
            );
        }
    }
    assert!(found, "no before row for {before}");
    assert!(html.len() < 5_000_000);
}

#[test]
fn past_the_cap_the_largest_claims_are_listed_and_the_rest_counted() {
    let dir = tempfile::tempdir().unwrap();
    let input = synth(dir.path(), "9000", "1", "5");
    let (html, json) = reports(&input, &[]);
    // The page shows what each claim bills as corrected (a fix can change CLM02).
    let corrected = dir.path().join("corrected.x12");
    common::x837(&[
        "scrub",
        input.to_str().unwrap(),
        "-q",
        "-o",
        corrected.to_str().unwrap(),
    ]);
    let shown = attrs(&html, "<tbody class=\"claim\"", "data-clm");
    let need = count(&by_id(&html, "sum-action"));
    assert!(need > 2000, "the batch should pass the cap: {need}");
    assert!(
        shown.len() <= 2000 && shown.len() >= 1000,
        "{}",
        shown.len()
    );
    let rest = html.split("id=\"not-shown\"><b>").nth(1).unwrap();
    assert_eq!(count(&rest[..rest.find('<').unwrap()]), need - shown.len());
    // Those left off billed no more than the least of those listed.
    let by_clm = billed(&corrected);
    let listed: BTreeSet<String> = shown.iter().map(|c| c.to_uppercase()).collect();
    let least = listed
        .iter()
        .map(|c| by_clm[c])
        .fold(f64::INFINITY, f64::min);
    let (action, _) = from_json(&json);
    for c in action.iter().filter(|c| !listed.contains(*c)) {
        assert!(
            by_clm[c] <= least + 0.005,
            "{c} billed {} but was left off (least listed {least})",
            by_clm[c]
        );
    }
    assert!(html.len() < 5_000_000, "{} bytes", html.len());
    assert!(html.contains("id=\"fixed\"") && html.contains("id=\"clean\""));
}

#[test]
fn echoed_values_are_escaped() {
    let sample = fs::read_to_string(common::root().join("samples/837p-j2326.x12")).unwrap();
    let evil = sample
        .replace("CLM*CLAIM0001*", "CLM*<script>alert(1)</script>*")
        .replace("PI*PAYER01", "PI*\"><img src=x onerror=alert(2)>")
        .replace("LIN**N4*64406005801", "LIN**N4*<b>6440600580</b>")
        .replace("ABK:G121", "ABK:G12.1<i>");
    assert_ne!(evil, sample);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("<svg onload=alert(3)>.x12");
    fs::write(&input, &evil).unwrap();
    let (html, _) = reports(&input, &[]);
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    for raw in ["<img", "<b>644", "<svg", "<i>", "onerror=alert(2)>"] {
        assert!(!html.contains(raw), "{raw} is in the page unescaped");
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the claim id is not shown"
    );
    assert!(html.contains("&lt;svg onload=alert(3)&gt;.x12"));
}

#[test]
fn several_inputs_make_one_worklist() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    let one = synth(&a, "300", "0.5", "8");
    let two = synth(&b, "200", "0.5", "9");
    let need = |input: &Path| {
        let (html, _) = reports(input, &[]);
        count(&by_id(&html, "sum-action"))
    };
    let (n1, n2) = (need(&one), need(&two));
    let page = dir.path().join("both.html");
    let out = common::x837(&[
        "scrub",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--check",
        "-q",
        "--report",
        page.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = fs::read_to_string(&page).unwrap();
    assert_eq!(count(&by_id(&html, "sum-claims")), 500);
    assert_eq!(count(&by_id(&html, "sum-action")), n1 + n2);
    assert_eq!(
        attrs(&html, "<tbody class=\"claim\"", "data-clm").len(),
        n1 + n2
    );
    assert!(html.contains("<summary>Inputs (2)</summary>"));
    for p in [&one, &two] {
        assert!(html.contains(&format!("<tr><td><code>{}</code>", p.display())));
    }
}
