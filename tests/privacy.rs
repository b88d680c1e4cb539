//! Reports are safe to share: claims made with known names, addresses, dates of birth and
//! member ids, then broken so that every kind of finding has something to say (a fix on the
//! claim, validation findings on the subscriber's and patient's own segments), and every
//! report format is searched for each known value.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::process::Command;

/// The personal values the claims carry; none may appear in any report.
const PERSONAL: &[&str] = &[
    "QZLASTNAME",
    "QZFIRSTNAME",
    "QZKIDLAST",
    "QZKIDFIRST",
    "QZMEMBER77",
    "QZ STREET 12",
    "QZCITYNAME",
    "QZ LANE 9",
    "QZOTHERCITY",
    "19610723",
    "1961-07-23",
    "20150409",
    "2015-04-09",
    "49999",
    "QZ7",
];

fn description() -> String {
    r#"{
  "kind": "837p", "date": "2026-01-15", "time": "12:00", "usage": "T",
  "submitter": {"id": "SUBMIT01", "name": "CLINIC BILLING", "contact_name": "BILLING", "phone": "5555550100"},
  "receiver": {"id": "RECEIVE01", "name": "CLEARINGHOUSE"},
  "billing_provider": {"name": "NEURO CLINIC", "npi": "1234567893", "tax_id": "123456789",
    "taxonomy": "2084N0400X",
    "address": {"line1": "1 MAIN ST", "city": "SPRINGFIELD", "state": "IL", "zip": "627010001"}},
  "claims": [
    {"id": "PRIV-1",
     "subscriber": {"member_id": "QZMEMBER77", "last_name": "QZLASTNAME", "first_name": "QZFIRSTNAME",
       "birth_date": "1961-07-23", "gender": "F",
       "address": {"line1": "QZ STREET 12", "city": "QZCITYNAME", "state": "IL", "zip": "49999"}},
     "patient": {"relationship": "child", "last_name": "QZKIDLAST", "first_name": "QZKIDFIRST",
       "birth_date": "2015-04-09", "gender": "M",
       "address": {"line1": "QZ LANE 9", "city": "QZOTHERCITY", "state": "IL", "zip": "49999"}},
     "payer": {"name": "HEALTH PLAN", "id": "PAYER01", "filing_indicator": "CI"},
     "place_of_service": "22", "frequency": "1", "prior_authorization": "PA1",
     "diagnoses": ["G12.1"],
     "lines": [
       {"procedure": "J2326", "modifiers": ["JZ"], "charge": "12500", "units": 120, "unit_basis": "UN",
        "date": "2026-01-10", "diagnosis_pointers": [1]},
       {"procedure": "62321", "charge": "150", "units": 1, "date": "2026-01-10", "diagnosis_pointers": [1]}
     ]}
  ]
}"#
    .to_string()
}

/// The claim of [`description`], written and broken so every kind of finding has
/// something to say.
fn broken_claim(dir: &std::path::Path) -> std::path::PathBuf {
    let desc = dir.join("claim.json");
    fs::write(&desc, description()).unwrap();
    let edi = dir.join("claim.x12");
    let out = common::x837(&[
        "generate",
        desc.to_str().unwrap(),
        "-o",
        edi.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Break it: a point in the diagnosis (a fix), a state that is no state and a member id
    // too long on personal segments (validation findings), and a total that does not add up.
    let text = fs::read_to_string(&edi).unwrap();
    // (The subscriber's date of birth is not sent when the patient is someone else.)
    for value in PERSONAL
        .iter()
        .filter(|v| !v.contains('-') && **v != "19610723" && **v != "QZ7")
    {
        assert!(text.contains(value), "the claim lacks {value}:\n{text}");
    }
    let broken = text
        .replace("ABK:G121", "ABK:G12.1")
        .replace("*QZCITYNAME*IL*", "*QZCITYNAME*QZ7*")
        .replace("*QZMEMBER77", "*QZMEMBER77QZMEMBER77QZMEMBER77QZMEMBER77QZMEMBER77QZMEMBER77QZMEMBER77QZMEMBER77QZMEMBER77QZMEMBER77")
        .replace("CLM*PRIV-1*12650*", "CLM*PRIV-1*99*");
    fs::write(&edi, &broken).unwrap();
    edi
}

/// `x837 serve`: neither its log nor anything it serves for an upload (the worklist, the
/// JSON report, the upload page) names the patient, even when the file is named after one.
#[test]
fn serve_neither_logs_nor_shows_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let edi = broken_claim(dir.path());
    let body = fs::read(&edi).unwrap();
    let s = common::serve::Served::start(&[]);
    let mut served = vec![(
        "upload page".to_string(),
        s.request("GET", "/", &[], b"").text(),
    )];
    let up = s.request("POST", "/scrub?name=claim.x12", &[], &body);
    assert_eq!(up.status, 200, "{}", up.text());
    let v: serde_json::Value = serde_json::from_slice(&up.body).unwrap();
    let page = v["page"].as_str().unwrap().to_string();
    for file in ["", "report.json", "worklist.html"] {
        let r = s.request("GET", &format!("{page}{file}"), &[], b"");
        assert_eq!(r.status, 200);
        served.push((format!("served {page}{file}"), r.text()));
    }
    assert!(served[1].1.contains("diagnosis-format"), "{}", served[1].1);
    // A file named after the patient: the log still names no one.
    let up = s.request(
        "POST",
        "/scrub?name=QZLASTNAME-QZFIRSTNAME-19610723.x12",
        &[],
        &body,
    );
    assert_eq!(up.status, 200);
    let _ = s.request(
        "POST",
        "/scrub?name=QZLASTNAME.x12",
        &[],
        b"not an 837 QZLASTNAME",
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    served.push(("serve log".into(), s.log_text()));
    assert!(served.last().unwrap().1.contains("POST /scrub 200"));
    for (name, text) in &served {
        for value in PERSONAL {
            assert!(
                !text.contains(value),
                "the {name} contains '{value}':\n{text}"
            );
        }
    }
}

#[test]
fn no_report_format_quotes_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let edi = broken_claim(dir.path());

    let mut reports = Vec::new();
    for ext in ["json", "txt", "html"] {
        let report = dir.path().join(format!("report.{ext}"));
        let out = common::x837(&[
            "scrub",
            edi.to_str().unwrap(),
            "--check",
            "--report",
            report.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        reports.push((ext.to_string(), fs::read_to_string(&report).unwrap()));
        reports.push((
            format!("{ext} stderr"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    let validate = Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(["validate", "--format", "json", edi.to_str().unwrap()])
        .output()
        .unwrap();
    reports.push((
        "validate json".into(),
        String::from_utf8_lossy(&validate.stdout).into_owned(),
    ));
    // x837 resubmit's reports, the claim rejected in a 277CA (its patient named there).
    let ack = dir.path().join("claim.277ca");
    fs::write(&ack, ack_rejecting("PRIV-1", "99")).unwrap();
    for ext in ["json", "txt", "html"] {
        let report = dir.path().join(format!("resubmit.{ext}"));
        let out = common::x837(&[
            "resubmit",
            edi.to_str().unwrap(),
            "--ack",
            ack.to_str().unwrap(),
            "-o",
            dir.path()
                .join(format!("resent.{ext}.x12"))
                .to_str()
                .unwrap(),
            "--report",
            report.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = fs::read_to_string(&report).unwrap();
        assert!(text.contains("PRIV-1") && text.contains("A7:255"), "{text}");
        reports.push((format!("resubmit {ext}"), text));
        reports.push((
            format!("resubmit {ext} stderr"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }

    // The reports do say something about each broken place.
    let json = &reports[0].1;
    for rule in [
        "diagnosis-format",
        "code-invalid",
        "element-length",
        "claim-balance",
    ] {
        assert!(json.contains(rule), "the JSON report lacks {rule}:\n{json}");
    }
    for (name, report) in &reports {
        for value in PERSONAL {
            assert!(
                !report.contains(value),
                "the {name} report contains '{value}':\n{report}"
            );
        }
    }
}

/// A 277CA rejecting claim `id` (A7:255) of charge `charge`, naming its patient by the
/// claim's personal values, as the guide has it.
fn ack_rejecting(id: &str, charge: &str) -> String {
    [
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*SUBMIT01       *260120*1200*^*00501*000000101*0*P*:",
        "GS*HN*PAYER*SUBMIT01*20260120*1200*101*X*005010X214",
        "ST*277*0001*005010X214",
        "BHT*0085*08*B1*20260120*1200*TH",
        "HL*1**20*1",
        "NM1*PR*2*HEALTH PLAN*****PI*PAYER01",
        "TRN*1*T1",
        "DTP*050*D8*20260120",
        "DTP*009*D8*20260120",
        "HL*2*1*21*1",
        "NM1*41*2*CLINIC BILLING*****46*SUBMIT01",
        "TRN*2*B1",
        &format!("STC*A1:19*20260120*WQ*{charge}"),
        "HL*3*2*19*1",
        "NM1*85*2*NEURO CLINIC*****XX*1234567893",
        "TRN*1*0",
        &format!("STC*A1:19**WQ*{charge}"),
        "HL*4*3*PT",
        "NM1*QC*1*QZKIDLAST*QZKIDFIRST****MI*QZMEMBER77",
        &format!("TRN*2*{id}"),
        &format!("STC*A7:255*20260120*U*{charge}"),
        "DTP*472*D8*20260110",
        "SE*20*0001",
        "GE*1*101",
        "IEA*1*000000101",
    ]
    .join("~\n")
        + "~\n"
}

/// The sample with `edit` applied: the malformed input of one case.
fn malformed(edit: impl Fn(&str) -> String) -> Vec<u8> {
    let sample = fs::read_to_string(common::root().join("samples/837p-j2326.x12")).unwrap();
    let out = edit(&sample);
    assert_ne!(out, sample, "the edit changed nothing");
    out.into_bytes()
}

/// Every output a person or a pipeline sees for `input`: validate's text and JSON (and
/// their standard error), scrub's standard error and its JSON, text and HTML reports,
/// info's standard output and error.
fn every_output(dir: &std::path::Path, input: &[u8]) -> Vec<(String, Vec<u8>)> {
    let edi = dir.join("input.x12");
    fs::write(&edi, input).unwrap();
    let edi = edi.to_str().unwrap();
    let mut outputs = Vec::new();
    for format in ["text", "json"] {
        let out = common::x837(&["validate", "--format", format, edi]);
        outputs.push((format!("validate {format}"), out.stdout));
        outputs.push((format!("validate {format} stderr"), out.stderr));
    }
    for ext in ["json", "txt", "html"] {
        let report = dir.join(format!("report.{ext}"));
        let out = common::x837(&[
            "scrub",
            edi,
            "--check",
            "--report",
            report.to_str().unwrap(),
        ]);
        outputs.push((format!("scrub {ext} stderr"), out.stderr));
        outputs.push((format!("{ext} report"), fs::read(&report).unwrap()));
    }
    let out = common::x837(&["info", edi]);
    outputs.push(("info".into(), out.stdout));
    outputs.push(("info stderr".into(), out.stderr));
    // `x837 ack`: its messages and report, and the 999 (which copies a value into IK404
    // only under the echo rule). The 277CA names the patient, as its guide requires.
    let acks = dir.join("acks");
    let report = dir.join("ack.json");
    let out = common::x837(&[
        "ack",
        edi,
        "--out-dir",
        acks.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    outputs.push(("ack stderr".into(), out.stderr));
    outputs.push(("ack report".into(), fs::read(&report).unwrap_or_default()));
    outputs.push((
        "ack 999".into(),
        fs::read(acks.join("input.999")).unwrap_or_default(),
    ));
    outputs
}

/// A control character other than the line breaks the formats write themselves: C0, DEL
/// and C1 (so ESC and CSI).
fn control(text: &str) -> Option<char> {
    text.chars().find(|&c| c.is_control() && c != '\n')
}

/// One malformed input: what it is, its bytes, the rules that must find it, the personal
/// values it holds.
struct Case {
    name: &'static str,
    input: Vec<u8>,
    rules: &'static [&'static str],
    personal: &'static [&'static str],
}

/// Regression: malformed input leaked what it held. A wrong element separator made the
/// whole NM1 its segment id (`segment NM1|IL|1|DOE|JANE||||MI|MEMBER0001 is not expected
/// here`); a terminator inside a name gave `segment BRIEN`, `segment JANE`; code-invalid
/// quoted NTE01 free text, shifted SBR elements and CLM10; control bytes went raw to the
/// terminal and the text report.
#[test]
fn malformed_input_leaks_nothing() {
    let nm1 = "NM1*IL*1*DOE*JANE****MI*MEMBER0001~";
    let cases = [
        Case {
            name: "wrong element separator in the NM1",
            input: malformed(|s| s.replace(nm1, "NM1|IL|1|DOE|JANE||||MI|MEMBER0001~")),
            rules: &["segment-unexpected"],
            personal: &["DOE", "JANE", "MEMBER0001"],
        },
        Case {
            name: "an apostrophe, the terminator, inside a name",
            input: malformed(|s| s.replace('~', "'").replace("*DOE*JANE*", "*O'BRIEN*JANE*")),
            rules: &["segment-unexpected"],
            personal: &["BRIEN", "JANE", "MEMBER0001"],
        },
        Case {
            name: "a terminator inside a name",
            input: malformed(|s| s.replace(nm1, "NM1*IL*1*DOE~JANE****MI*MEMBER0001~")),
            rules: &["segment-unexpected"],
            personal: &["DOE", "JANE", "MEMBER0001"],
        },
        Case {
            name: "free text in NTE01",
            input: malformed(|s| {
                s.replace(
                    "REF*G1*PA20260001~",
                    "REF*G1*PA20260001~\nNTE*JANE DOE DOB 19610723*ADD~",
                )
            }),
            rules: &["code-invalid"],
            personal: &["DOE", "JANE", "19610723"],
        },
        Case {
            name: "shifted SBR elements",
            input: malformed(|s| {
                s.replace(
                    "SBR*P*18*GRP001******CI~",
                    "SBR*P*18***DOE JANE****MEMBER0001~",
                )
            }),
            rules: &["code-invalid"],
            personal: &["DOE", "JANE", "MEMBER0001"],
        },
        Case {
            name: "free text in CLM10",
            input: malformed(|s| s.replace("*Y*A*Y*Y~", "*Y*A*Y*Y*SIGNED JANE DOE~")),
            rules: &["code-invalid"],
            personal: &["DOE", "JANE", "SIGNED"],
        },
        Case {
            name: "control bytes and escape sequences in values",
            input: malformed(|s| {
                s.replace("CLM*CLAIM0001*", "CLM*CLAIM\x1b[2J0001*")
                    .replace("*150*UN*1***1~", "*150*U\u{9b}2J*1***1~")
                    .replace("LIN**N4*64406005801~", "LIN*\x1b[5m*N4*64406-058-01~")
            }),
            rules: &["element-type", "code-invalid", "ndc-format"],
            personal: &[],
        },
    ];
    // Every leak of every case, so that a failure shows them all.
    let mut leaks = Vec::new();
    for Case {
        name: case,
        input,
        rules,
        personal,
    } in cases
    {
        let dir = tempfile::tempdir().unwrap();
        let outputs = every_output(dir.path(), &input);
        // The malformed place is reached: each case has its findings (in validate's JSON).
        let json = String::from_utf8_lossy(&outputs[2].1);
        for rule in rules {
            assert!(
                json.contains(&format!("\"rule\":\"{rule}\"")),
                "{case}: validate finds no {rule}:\n{json}"
            );
        }
        for (name, output) in &outputs {
            let text = String::from_utf8_lossy(output);
            for value in personal.iter().chain(PERSONAL) {
                if let Some(at) = text.find(value) {
                    let line = text[..at].rsplit('\n').next().unwrap_or_default();
                    leaks.push(format!("{case}: {name} has '{value}': {line}..."));
                }
            }
            if let Some(c) = control(&text) {
                leaks.push(format!("{case}: {name} has a raw {c:?}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

/// Regression: a config error echoed the offending value whole (50 MB of it), and so did
/// other messages that quote what they reject.
#[test]
fn messages_cut_long_values() {
    let long = "Q".repeat(1 << 20);
    let dir = tempfile::tempdir().unwrap();
    let edi = common::root().join("samples/837p-j2326.x12");
    let edi = edi.to_str().unwrap();
    let short = |out: &std::process::Output, what: &str| {
        assert_eq!(out.status.code(), Some(2), "{what}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.len() < 500,
            "{what}: {} bytes: {}",
            stderr.len(),
            &stderr[..500]
        );
        assert!(stderr.starts_with("x837: "), "{what}: {stderr}");
        assert_eq!(control(&stderr), None, "{what}: {}", stderr.escape_debug());
    };
    for config in [
        format!("profile = \"{long}\""),
        format!("disable = [\"{long}\"]"),
        format!("[severity]\nprior-auth = \"{long}\""),
        format!("[severity]\n\"{long}\" = \"error\""),
        format!("[admin]\nexpected_code = \"{long}\""),
        format!("[payers]\nP1 = \"{long}\""),
        format!("{long} = 1"),
        format!("profile = \"{long}"),
        "profile = \"\u{1b}[2J\"".to_string(),
    ] {
        let path = dir.path().join("x837.toml");
        fs::write(&path, &config).unwrap();
        let out = common::x837(&["scrub", edi, "--check", "--config", path.to_str().unwrap()]);
        short(&out, &config[..30.min(config.len())]);
    }
    // Arguments are limited in size; 100 kB is long enough to tell.
    let arg = &long[..100_000];
    short(
        &common::x837(&["scrub", edi, "--check", "--profile", arg]),
        "--profile",
    );
    short(&common::x837(&["rules", arg]), "rules");
    // A claim description: a date of 1 MB, a string where a number goes.
    let desc = fs::read_to_string(common::root().join("samples/claims/837p-j2326.json")).unwrap();
    for (from, to) in [
        ("\"2024-03-28\"", format!("\"{long}\"")),
        ("\"units\": 120", format!("\"units\": \"{long}\"")),
    ] {
        assert!(desc.contains(from), "the description lacks {from}");
        let path = dir.path().join("claim.json");
        fs::write(&path, desc.replacen(from, &to, 1)).unwrap();
        short(&common::x837(&["generate", path.to_str().unwrap()]), from);
    }
}
