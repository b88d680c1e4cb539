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

#[test]
fn no_report_format_quotes_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let desc = dir.path().join("claim.json");
    fs::write(&desc, description()).unwrap();
    let edi = dir.path().join("claim.x12");
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
