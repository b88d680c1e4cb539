//! `x837 resubmit`: the claims a payer sent back, matched to the originals, scrubbed and
//! resent; round trips over synthetic batches and their `synth --responses`, real 277CA
//! and 835 files, and the cases that are reported, never guessed.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_decimal::Decimal;
use serde_json::Value;

fn x837_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The CLM segments of an 837, by CLM01: (CLM02, CLM05-3, REF*F8 of the claim).
fn claims(edi: &[u8]) -> BTreeMap<String, (String, String, Option<String>)> {
    let text = String::from_utf8_lossy(edi);
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for seg in text.split('~').map(str::trim) {
        let e: Vec<&str> = seg.split('*').collect();
        match e[0] {
            "CLM" => {
                let freq = e[5].split(':').nth(2).unwrap_or("").to_string();
                out.insert(e[1].to_string(), (e[2].to_string(), freq, None));
                current = Some(e[1].to_string());
            }
            "REF" if e[1] == "F8" => {
                if let Some(c) = &current {
                    out.get_mut(c).unwrap().2 = Some(e[2].to_string());
                }
            }
            "LX" | "SE" => current = None,
            _ => {}
        }
    }
    out
}

/// A synth batch in `dir` with its truth and responses.
fn batch(dir: &Path, kind: &str, claims: &str, seed: &str) -> BTreeMap<String, Vec<String>> {
    let out = x837_in(
        dir,
        &[
            "synth",
            "--kind",
            kind,
            "--claims",
            claims,
            "--seed",
            seed,
            "--error-rate",
            "0.4",
            "--truth",
            "t.json",
            "-o",
            "b.x12",
            "--responses",
            "resp",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t: Value = serde_json::from_slice(&std::fs::read(dir.join("t.json")).unwrap()).unwrap();
    serde_json::from_value(t["claims"].clone()).unwrap()
}

fn resubmit(dir: &Path, extra: &[&str]) -> (std::process::Output, Value) {
    let mut args = vec![
        "resubmit",
        "b.x12",
        "--ack",
        "resp/b.x12.277ca",
        "--remit",
        "resp/b.x12.835",
        "-o",
        "out.x12",
        "--split-rejected",
        "split",
        "--report",
        "r.json",
    ];
    args.extend_from_slice(extra);
    let out = x837_in(dir, &args);
    let r = serde_json::from_slice(&std::fs::read(dir.join("r.json")).unwrap()).unwrap();
    (out, r)
}

fn read_or_empty(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

#[test]
fn round_trip_on_synth_batches() {
    for (kind, n, seed) in [
        ("837p", "30", "1"),
        ("837i", "25", "2"),
        ("mixed", "40", "3"),
    ] {
        let d = tempfile::tempdir().unwrap();
        let truth = batch(d.path(), kind, n, seed);
        let original = claims(&std::fs::read(d.path().join("b.x12")).unwrap());
        let (out, r) = resubmit(d.path(), &[]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
        let resent_out = claims(&read_or_empty(&d.path().join("out.x12")));
        let resent_split = claims(&read_or_empty(&d.path().join("split/out.x12")));
        // Exactly the claims the responses rejected or denied: those with an error.
        let came_back: BTreeSet<&String> = truth
            .iter()
            .filter(|(_, r)| !r.is_empty())
            .map(|(c, _)| c)
            .collect();
        let resent: BTreeSet<&String> = resent_out.keys().chain(resent_split.keys()).collect();
        assert_eq!(resent, came_back, "{kind}");
        assert!(resent_out.keys().all(|c| !resent_split.contains_key(c)));
        // Replacements carry 7 and the payer's claim control number; new claims as billed.
        let by_claim: BTreeMap<&str, &Value> = (r["claims"].as_array().unwrap().iter())
            .map(|c| (c["claim"].as_str().unwrap(), c))
            .collect();
        for (id, (_, freq, f8)) in resent_out.iter().chain(&resent_split) {
            match by_claim[id.as_str()]["outcome"].as_str().unwrap() {
                "denied" => {
                    assert_eq!(freq, "7", "{id}");
                    assert_eq!(f8.as_deref(), Some(format!("PCN{id}").as_str()), "{id}");
                }
                "rejected" => {
                    assert_eq!(freq, &original[id].1, "{id}");
                    assert_eq!(f8, &None, "{id}");
                }
                o => panic!("{id} resent as {o}"),
            }
        }
        // OUT validates clean and a scrub of it fixes nothing.
        if !resent_out.is_empty() {
            let v = x837_in(d.path(), &["validate", "out.x12"]);
            assert_eq!(
                v.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&v.stderr)
            );
            let s = x837_in(
                d.path(),
                &["scrub", "out.x12", "--check", "--format", "json"],
            );
            let s: Value = serde_json::from_slice(&s.stdout).unwrap();
            assert_eq!(s["summary"]["fixed"], 0);
            assert_eq!(s["summary"]["would_fix"], 0);
            assert_eq!(s["summary"]["errors"], 0);
        }
        // Counts and billed totals reconcile.
        let s = &r["summary"];
        assert_eq!(s["claims_answered"], original.len());
        assert_eq!(s["claims_resent"], came_back.len());
        assert_eq!(s["to_output"], resent_out.len());
        assert_eq!(s["split_off"], resent_split.len());
        assert_eq!(s["responses_unmatched"], 0);
        let billed = |m: &BTreeMap<String, (String, String, Option<String>)>| -> Decimal {
            m.keys()
                .map(|c| original[c].0.parse::<Decimal>().unwrap())
                .sum()
        };
        assert_eq!(
            s["billed_to_output"]
                .as_str()
                .unwrap()
                .parse::<Decimal>()
                .unwrap(),
            billed(&resent_out)
        );
        assert_eq!(
            s["billed_split_off"]
                .as_str()
                .unwrap()
                .parse::<Decimal>()
                .unwrap(),
            billed(&resent_split)
        );
        let by: Decimal = (s["by_outcome"].as_object().unwrap().values())
            .map(|v| v["billed"].as_str().unwrap().parse::<Decimal>().unwrap())
            .sum();
        assert_eq!(
            by,
            billed(
                &original
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            )
        );
        // Nothing accepted or paid is resent; every resent claim says what the payer said.
        for c in r["claims"].as_array().unwrap() {
            let resent = c["resent"].as_bool().unwrap();
            assert_eq!(
                resent,
                matches!(c["outcome"].as_str().unwrap(), "rejected" | "denied")
            );
            if resent {
                assert!(!c["payer_said"].as_array().unwrap().is_empty());
            }
        }
    }
}

#[test]
fn pyx12_accepts_out_and_the_synth_responses() {
    let d = tempfile::tempdir().unwrap();
    batch(d.path(), "mixed", "30", "5");
    let (out, _) = resubmit(d.path(), &[]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    for f in ["out.x12", "resp/b.x12.277ca", "resp/b.x12.835"] {
        // pyx12 validates an 835, then fails writing its own 999 for it: the verdict line is read.
        common::pyx12::assert_ok(f, &std::fs::read(d.path().join(f)).unwrap());
    }
}

#[test]
fn the_report_puts_the_payer_beside_x837() {
    let d = tempfile::tempdir().unwrap();
    batch(d.path(), "837p", "30", "1");
    let (_, r) = resubmit(d.path(), &[]);
    let resent: Vec<&Value> = (r["claims"].as_array().unwrap().iter())
        .filter(|c| c["resent"] == true)
        .collect();
    assert!(!resent.is_empty());
    for c in &resent {
        for k in [
            "x837_found",
            "x837_fixed",
            "payer_unexplained",
            "x837_unmentioned",
        ] {
            assert!(c[k].is_array(), "{k}");
        }
        let p = &c["payer_said"][0];
        assert!(p["code"].is_string() && p["source"].is_string());
    }
    // Text and HTML say the same per claim.
    for (path, fmt) in [("r.txt", "text"), ("r.html", "html")] {
        let out = x837_in(
            d.path(),
            &[
                "resubmit",
                "b.x12",
                "--ack",
                "resp/b.x12.277ca",
                "--remit",
                "resp/b.x12.835",
                "-o",
                "out2.x12",
                "--report",
                path,
                "--format",
                fmt,
            ],
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
        let text = std::fs::read_to_string(d.path().join(path)).unwrap();
        for c in &resent {
            assert!(text.contains(c["claim"].as_str().unwrap()));
        }
        assert!(!text.contains("PATIENT"), "no patient name in the report");
    }
}

#[test]
fn conflicts_duplicates_and_unknown_claims_are_reported_not_resent() {
    let d = tempfile::tempdir().unwrap();
    let truth = batch(d.path(), "837p", "30", "1");
    let ack = std::fs::read_to_string(d.path().join("resp/b.x12.277ca")).unwrap();
    let remit = std::fs::read_to_string(d.path().join("resp/b.x12.835")).unwrap();
    // A claim rejected in the 277CA shows up in the 835 too: conflicting.
    let rejected = (ack.split('~').map(str::trim))
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[0].starts_with("TRN*2*SYN") && w[1].contains("*U*"))
        .map(|w| w[0]["TRN*2*".len()..].to_string())
        .unwrap();
    let paid = (truth.iter())
        .find(|(_, r)| r.is_empty())
        .map(|(c, _)| c.clone())
        .unwrap();
    let remit = remit.replace(&format!("CLP*{paid}*"), &format!("CLP*{rejected}*"));
    std::fs::write(d.path().join("resp/b.x12.835"), remit).unwrap();
    let (out, r) = resubmit(d.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let of = |id: &str| {
        r["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["claim"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(of(&rejected)["outcome"], "conflicting");
    assert_eq!(of(&rejected)["resent"], false);
    assert_eq!(of(&paid)["outcome"], "accepted");
    assert!(!claims(&read_or_empty(&d.path().join("out.x12"))).contains_key(&rejected));
    // The same batch twice: every claim answered is ambiguous, nothing is resent.
    let out = x837_in(
        d.path(),
        &[
            "resubmit",
            "b.x12",
            "b.x12",
            "--ack",
            "resp/b.x12.277ca",
            "-o",
            "twice.x12",
            "--report",
            "twice.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let r: Value =
        serde_json::from_slice(&std::fs::read(d.path().join("twice.json")).unwrap()).unwrap();
    assert!(
        r["claims"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["outcome"] == "ambiguous")
    );
    assert!(
        r["unmatched"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["why"] == "several-claims")
    );
    assert!(!d.path().join("twice.x12").exists());
}

#[test]
fn bad_usage_is_refused() {
    let d = tempfile::tempdir().unwrap();
    batch(d.path(), "837p", "5", "1");
    for args in [
        &["resubmit", "b.x12", "-o", "o.x12"][..],
        &["resubmit", "b.x12", "--ack", "resp/b.x12.277ca", "-o", "-"],
        &["resubmit", "b.x12", "--ack", "nope.277ca", "-o", "o.x12"],
        &["resubmit", "b.x12", "--ack", "b.x12", "-o", "o.x12"],
    ] {
        let out = x837_in(d.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!d.path().join("o.x12").exists());
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn real_277ca_and_835_files() {
    let d = tempfile::tempdir().unwrap();
    batch(d.path(), "837p", "10", "1");
    let acks = common::acks_dir();
    let mut real: Vec<(String, &str)> = Vec::new();
    for e in std::fs::read_dir(&acks).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let r = x837::reply::read(&bytes);
        if !r.batches.is_empty() {
            real.push((p.to_string_lossy().into_owned(), "--ack"));
        }
        if !r.remittances.is_empty() {
            real.push((p.to_string_lossy().into_owned(), "--remit"));
        }
        // A 277CA cut short before its claims (21_): refused with a message, exit 2.
        if !r.batches.is_empty() && r.claims().next().is_none() {
            let path = p.to_string_lossy().into_owned();
            let out = x837_in(
                d.path(),
                &["resubmit", "b.x12", "--ack", &path, "-o", "o.x12"],
            );
            assert_eq!(out.status.code(), Some(2), "{path}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("holds no 277CA claim"));
            real.pop();
        }
    }
    assert!(real.len() >= 12, "{}", real.len());
    // Every real response names no claim of a synth batch: all unmatched, nothing resent.
    for (path, flag) in &real {
        let out = x837_in(
            d.path(),
            &[
                "resubmit", "b.x12", flag, path, "-o", "o.x12", "--report", "u.json",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{path}: {out:?}");
        let r: Value =
            serde_json::from_slice(&std::fs::read(d.path().join("u.json")).unwrap()).unwrap();
        assert_eq!(r["summary"]["claims_answered"], 0, "{path}");
        assert!(
            r["summary"]["responses_unmatched"].as_u64().unwrap() > 0,
            "{path}"
        );
        assert!(!d.path().join("o.x12").exists());
    }
    // An 837 made to match one real 277CA (eMedNY, rejected A7:562:85, STC04 199.14) and
    // one real 835 (pyx12's, CLP*2005555A*4 with CLP07 4276512332), by CLM01.
    let edi = std::fs::read_to_string(d.path().join("b.x12")).unwrap();
    let c = claims(edi.as_bytes());
    let ids: Vec<&String> = c.keys().take(2).collect();
    let edi = edi
        .replace(
            &format!("CLM*{}*{}*", ids[0], c[ids[0]].0),
            "CLM*3920394930203*199.14*",
        )
        .replace(&format!("CLM*{}*", ids[1]), "CLM*2005555A*");
    std::fs::write(d.path().join("m.x12"), edi).unwrap();
    let ack = acks.join("19_imsweb_x12_277CA_rejected.txt");
    let remit = acks.join("30_azoner_835_mult_loops.txt");
    let out = x837_in(
        d.path(),
        &[
            "resubmit",
            "m.x12",
            "--ack",
            &ack.to_string_lossy(),
            "--remit",
            &remit.to_string_lossy(),
            "-o",
            "m-out.x12",
            "--split-rejected",
            "m-split",
            "--report",
            "m.json",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let r: Value =
        serde_json::from_slice(&std::fs::read(d.path().join("m.json")).unwrap()).unwrap();
    let of = |id: &str| {
        r["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["claim"] == id)
            .cloned()
            .unwrap()
    };
    let a = of("3920394930203");
    assert_eq!(
        (a["outcome"].as_str(), a["payer_claim_277"].as_str()),
        (Some("rejected"), Some("1107000000001120"))
    );
    assert_eq!(a["payer_said"][0]["code"], "A7:562:85");
    let b = of("2005555A");
    assert_eq!(
        (b["outcome"].as_str(), b["payer_claim_835"].as_str()),
        (Some("denied"), Some("4276512332"))
    );
    assert!(
        b["payer_said"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "CO-16")
    );
    // The 835's lines name REF*6R nowhere, so none is unmatched; the replacement carries F8.
    let all: BTreeMap<_, _> = claims(&read_or_empty(&d.path().join("m-out.x12")))
        .into_iter()
        .chain(claims(&read_or_empty(&d.path().join("m-split/m-out.x12"))))
        .collect();
    assert_eq!(all["2005555A"].1, "7");
    assert_eq!(all["2005555A"].2.as_deref(), Some("4276512332"));
    assert!(all.contains_key("3920394930203"));
    assert_eq!(all.len(), 2);
}

/// An 835 for claims of `b.x12`, one `CLP...` block each.
fn remit_835(blocks: &[String]) -> String {
    let mut s = vec![
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*SUBMITTER      *240815*1200*^*00501*000000301*0*P*:".to_string(),
        "GS*HP*PAYER*SUBMITTER*20240815*1200*301*X*005010X221A1".into(),
        "ST*835*0001".into(),
        "BPR*H*0*C*NON************20240815".into(),
        "TRN*1*CHECK3*1512345678".into(),
        "DTM*405*20240815".into(),
        "N1*PR*PAYER".into(),
        "N3*1 MAIN ST".into(),
        "N4*FARGO*ND*58102".into(),
        "PER*BL*EDI*TE*7015551212".into(),
        "N1*PE*BILLING*XX*1234567893".into(),
        "LX*1".into(),
    ];
    for b in blocks {
        s.extend(b.split('~').map(str::to_string));
    }
    let n = s.len() - 2 + 1;
    s.push(format!("SE*{n}*0001"));
    s.push("GE*1*301".into());
    s.push("IEA*1*000000301".into());
    s.join("~\n") + "~\n"
}

#[test]
fn line_denials_patient_responsibility_and_reversals() {
    let d = tempfile::tempdir().unwrap();
    batch(d.path(), "837p", "6", "4");
    let c = claims(&std::fs::read(d.path().join("b.x12")).unwrap());
    let ids: Vec<&String> = c.keys().collect();
    let (a, b, r) = (ids[0], ids[1], ids[2]);
    let blocks = vec![
        // Paid in part; line 1 denied CO-151 with nothing paid for it; a line 9 it has not.
        format!(
            "CLP*{a}*1*{}*10**MC*PAYA~NM1*QC*1*PATIENT*X****MI*X1~SVC*HC:62321*10*0**1~CAS*CO*151*10~REF*6R*1~SVC*HC:99999*1*0**1~REF*6R*9",
            c[a].0
        ),
        // Patient responsibility only: not a denial.
        format!(
            "CLP*{b}*1*{}*0*{}*MC*PAYB~CAS*PR*1*{}~NM1*QC*1*PATIENT*X****MI*X2",
            c[b].0, c[b].0, c[b].0
        ),
        // A reversal: reported, nothing resent.
        format!(
            "CLP*{r}*22*-{}*0**MC*PAYR~NM1*QC*1*PATIENT*X****MI*X3",
            c[r].0
        ),
    ];
    std::fs::write(d.path().join("lines.835"), remit_835(&blocks)).unwrap();
    let v = x837_in(d.path(), &["validate", "lines.835"]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let out = x837_in(
        d.path(),
        &[
            "resubmit",
            "b.x12",
            "--remit",
            "lines.835",
            "-o",
            "l.x12",
            "--report",
            "l.json",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let rep: Value =
        serde_json::from_slice(&std::fs::read(d.path().join("l.json")).unwrap()).unwrap();
    let of = |id: &str| {
        rep["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["claim"] == id)
            .cloned()
            .unwrap()
    };
    let ca = of(a);
    assert_eq!(ca["outcome"], "denied");
    assert_eq!(ca["unmatched_lines"], serde_json::json!(["9"]));
    let p = ca["payer_said"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "CO-151")
        .cloned()
        .unwrap();
    assert_eq!(
        (p["line"].as_str(), p["rules"][0].as_str()),
        (Some("1"), Some("drug-units"))
    );
    assert_eq!(of(b)["outcome"], "paid");
    assert_eq!(of(r)["outcome"], "reversed");
    let resent = claims(&std::fs::read(d.path().join("l.x12")).unwrap_or_default());
    let resent_ids: Vec<&String> = resent.keys().collect();
    assert!(resent_ids.is_empty() || resent_ids == [a], "{resent_ids:?}");
    assert_eq!(rep["summary"]["claims_resent"], 1);
}
