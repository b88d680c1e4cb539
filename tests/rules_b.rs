//! Edge cases of the administration, imaging, place-of-service, prior-auth and E/M rules:
//! small 837P/837I claims scrubbed through the library.

#![allow(clippy::unwrap_used)]

use x837::report::{FixClass, Severity};
use x837::scrub::{self, Fixes, Scrubbed, Settings};

#[derive(Clone, Copy, PartialEq)]
enum K {
    P,
    I,
}

const D1: &str = "D8*20260110";
const D2: &str = "D8*20260111";

/// A J2326 line (without LX): service, date (`""` for none), 2410.
fn drug(k: K, dtp: &str) -> Vec<String> {
    let mut v = vec![match k {
        K::P => "SV1*HC:J2326:JZ*12500*UN*120***1".to_string(),
        K::I => "SV2*0636*HC:J2326:JZ*12500*UN*120".to_string(),
    }];
    if !dtp.is_empty() {
        v.push(format!("DTP*472*{dtp}"));
    }
    v.push("LIN**N4*64406005801".into());
    v.push("CTP****5*ML".into());
    v
}

/// Another line: `code` may carry modifiers (`99213:25`).
fn svc(k: K, code: &str, dtp: &str) -> Vec<String> {
    let mut v = vec![match k {
        K::P => format!("SV1*HC:{code}*100*UN*1***1"),
        K::I => format!("SV2*0361*HC:{code}*100*UN*1"),
    }];
    if !dtp.is_empty() {
        v.push(format!("DTP*472*{dtp}"));
    }
    v
}

/// A one-claim transaction: `clm05` (837P place of service), the 2300 segments after CLM
/// (`claim`), and the lines, numbered here. CLM02 and SE01 are computed.
fn edi(k: K, clm05: &str, claim: &[&str], lines: &[Vec<String>]) -> Vec<u8> {
    let total: u64 = lines
        .iter()
        .flatten()
        .filter_map(|s| {
            let e: Vec<&str> = s.split('*').collect();
            match e[0] {
                "SV1" => e[2].parse::<u64>().ok(),
                "SV2" => e[3].parse::<u64>().ok(),
                _ => None,
            }
        })
        .sum();
    let (guide, provider, clm) = match k {
        K::P => (
            "005010X222A1",
            "2084N0400X",
            format!("CLM*CLAIM0001*{total}***{clm05}:B:1*Y*A*Y*Y"),
        ),
        K::I => (
            "005010X223A2",
            "282N00000X",
            format!("CLM*CLAIM0001*{total}***13:A:1**A*Y*Y"),
        ),
    };
    let mut tx: Vec<String> = vec![
        format!("ST*837*0001*{guide}"),
        "BHT*0019*00*BATCH0001*20260115*1200*CH".into(),
        "NM1*41*2*NEUROLOGY INFUSION CLINIC*****46*X837SUBMIT".into(),
        "PER*IC*BILLING OFFICE*TE*5555550100".into(),
        "NM1*40*2*EXAMPLE PAYER CLEARINGHOUSE*****46*X837RECEIVE".into(),
        "HL*1**20*1".into(),
        format!("PRV*BI*PXC*{provider}"),
        "NM1*85*2*NEUROLOGY INFUSION CLINIC*****XX*1234567893".into(),
        "N3*100 MAIN STREET".into(),
        "N4*SPRINGFIELD*IL*627010001".into(),
        "REF*EI*123456789".into(),
        "HL*2*1*22*0".into(),
        "SBR*P*18*GRP001******CI".into(),
        "NM1*IL*1*DOE*JANE****MI*MEMBER0001".into(),
        "N3*200 OAK AVENUE".into(),
        "N4*SPRINGFIELD*IL*627020002".into(),
        "DMG*D8*20150301*F".into(),
        "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*PAYER01".into(),
        clm,
    ];
    tx.extend(claim.iter().map(|s| s.to_string()));
    for (n, l) in lines.iter().enumerate() {
        tx.push(format!("LX*{}", n + 1));
        tx.extend(l.iter().cloned());
    }
    tx.push(format!("SE*{}*0001", tx.len() + 1));
    let mut out = format!(
        "ISA*00*          *00*          *ZZ*X837SUBMIT     *ZZ*X837RECEIVE    *260115*1200*^*00501*000000101*0*T*:~\nGS*HC*X837SUBMIT*X837RECEIVE*20260115*1200*101*X*{guide}~\n"
    );
    for s in tx {
        out.push_str(&s);
        out.push_str("~\n");
    }
    out.push_str("GE*1*101~\nIEA*1*000000101~\n");
    out.into_bytes()
}

/// The usual 2300 segments: prior authorization and an SMA diagnosis.
const P_CLAIM: &[&str] = &["REF*G1*PA20260001", "HI*ABK:G121"];

fn i_claim(statement: &str) -> Vec<String> {
    vec![
        format!("DTP*434*{statement}"),
        "CL1*1*1*01".into(),
        "REF*G1*PA20260001".into(),
        "HI*ABK:G121".into(),
    ]
}

fn run(input: &[u8], settings: &Settings) -> Scrubbed {
    let s = scrub::scrub(input, "t", settings);
    assert!(s.error.is_none(), "{:?}", s.error);
    s
}

fn all() -> Settings {
    Settings::default()
}

fn profile(p: &str) -> Settings {
    Settings::new(Some(p), Fixes::All, None).unwrap()
}

fn repair() -> Settings {
    Settings::new(None, Fixes::Repair, None).unwrap()
}

/// (severity, fixed, service line) of each finding of `rule`.
fn found(s: &Scrubbed, rule: &str) -> Vec<(Severity, bool, String)> {
    s.findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            (
                f.severity,
                f.fixed,
                f.service_line.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn text(s: &Scrubbed) -> String {
    String::from_utf8(s.output.clone()).unwrap()
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

fn l(n: &str) -> String {
    n.to_string()
}

// ---- pairing and admin-dos-match ----

#[test]
fn several_admin_lines_on_several_dates_pair_by_date() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, D1),
            svc(K::P, "62321", D1),
            drug(K::P, D2),
            svc(K::P, "62321", D2),
            drug(K::P, "D8*20260301"),
        ],
    );
    let s = run(&input, &all());
    // Only the third dose has no administration; several J2326 lines: no fix.
    assert_eq!(found(&s, "admin-dos-match"), [(E, false, l("5"))]);
    assert!(found(&s, "admin-missing").is_empty());
    assert!(found(&s, "admin-code-variant").is_empty());
    assert_eq!(s.output, input);
}

#[test]
fn rd8_drug_range_pairs_with_an_administration_inside_it() {
    let range = "RD8*20260101-20260131";
    let s = run(
        &edi(
            K::P,
            "22",
            P_CLAIM,
            &[drug(K::P, range), svc(K::P, "62321", D1)],
        ),
        &all(),
    );
    assert!(found(&s, "admin-dos-match").is_empty());
    // Outside the range: reported, never fixed (RD8).
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[drug(K::P, range), svc(K::P, "62321", "D8*20260205")],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-dos-match"), [(E, false, l("1"))]);
    assert_eq!(s.output, input);
}

#[test]
fn admin_dos_match_fix_needs_both_d8() {
    // Administration billed over a range that misses the drug's day: no fix.
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, "D8*20260301"),
            svc(K::P, "62321", "RD8*20260101-20260131"),
        ],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-dos-match"), [(E, false, l("1"))]);
    assert_eq!(s.output, input);
    // Two administration lines on other dates: no fix.
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, "D8*20260301"),
            svc(K::P, "62321", D1),
            svc(K::P, "62321", D2),
        ],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-dos-match"), [(E, false, l("1"))]);
    assert_eq!(s.output, input);
}

#[test]
fn admin_dos_match_fixes_one_drug_and_one_admin_line() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[drug(K::P, D2), svc(K::P, "62321", D1)],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-dos-match"), [(E, true, l("1"))]);
    let out = text(&s);
    assert!(!out.contains("20260111"), "{out}");
    // --fixes repair: reported, the recode not applied.
    let s = run(&input, &repair());
    assert_eq!(found(&s, "admin-dos-match"), [(E, false, l("1"))]);
    let f = s
        .findings
        .iter()
        .find(|f| f.rule == "admin-dos-match")
        .unwrap();
    assert_eq!(f.fix_class, Some(FixClass::Recode));
    assert_eq!(s.output, input);
}

#[test]
fn institutional_line_without_dtp472_uses_a_single_day_dtp434() {
    let single = i_claim("RD8*20260110-20260110");
    let single: Vec<&str> = single.iter().map(String::as_str).collect();
    let s = run(
        &edi(K::I, "", &single, &[drug(K::I, ""), svc(K::I, "62321", D1)]),
        &all(),
    );
    assert!(found(&s, "admin-dos-match").is_empty(), "{:?}", s.findings);
    assert!(found(&s, "admin-missing").is_empty());
    // Single statement day, administration on another day: reported; the drug line has
    // no DTP*472 to set, so no fix.
    let input = edi(K::I, "", &single, &[drug(K::I, ""), svc(K::I, "62321", D2)]);
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-dos-match"), [(E, false, l("1"))]);
    assert_eq!(s.output, input);
}

#[test]
fn institutional_line_without_dtp472_and_a_statement_range_has_an_unknown_date() {
    let range = i_claim("RD8*20260101-20260131");
    let range: Vec<&str> = range.iter().map(String::as_str).collect();
    let input = edi(K::I, "", &range, &[drug(K::I, ""), svc(K::I, "62321", D1)]);
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-dos-match"), [(E, false, l("1"))]);
    let f = s
        .findings
        .iter()
        .find(|f| f.rule == "admin-dos-match")
        .unwrap();
    assert!(f.message.contains("no date of service"), "{}", f.message);
    assert_eq!(s.output, input);
}

// ---- admin-code, admin-missing ----

#[test]
fn admin_code_recodes_the_single_wrong_line() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[drug(K::P, D1), svc(K::P, "96374", D1)],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-code"), [(E, true, l("2"))]);
    assert!(found(&s, "admin-missing").is_empty());
    assert!(text(&s).contains("SV1*HC:62321*100*UN*1***1~\nDTP*472*D8*20260110~"));
    // A second scrub finds nothing.
    let again = run(&s.output, &all());
    assert_eq!(again.output, s.output);
    assert!(
        again
            .findings
            .iter()
            .all(|f| !f.rule.as_str().starts_with("admin")),
        "{:?}",
        again.findings
    );
}

#[test]
fn admin_code_recodes_to_the_profile_code_on_837i() {
    let c = i_claim("RD8*20260110-20260110");
    let c: Vec<&str> = c.iter().map(String::as_str).collect();
    let input = edi(K::I, "", &c, &[drug(K::I, D1), svc(K::I, "62270", D1)]);
    let s = run(&input, &profile("noridian"));
    assert_eq!(found(&s, "admin-code"), [(E, true, l("2"))]);
    assert!(
        text(&s).contains("SV2*0361*HC:96450*100*UN*1~"),
        "{}",
        text(&s)
    );
    let s = run(&input, &profile("cpt-lumbar"));
    assert!(
        text(&s).contains("SV2*0361*HC:62323*100*UN*1~"),
        "{}",
        text(&s)
    );
}

#[test]
fn admin_code_units_become_one() {
    let mut line = svc(K::P, "96372", D1);
    line[0] = "SV1*HC:96372*100*UN*3***1".into();
    let s = run(&edi(K::P, "22", P_CLAIM, &[drug(K::P, D1), line]), &all());
    assert_eq!(found(&s, "admin-code"), [(E, true, l("2"))]);
    assert!(text(&s).contains("SV1*HC:62321*100*UN*1***1~"));
}

#[test]
fn admin_code_leaves_an_add_on_code_unfixed() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[drug(K::P, D1), svc(K::P, "96366", D1)],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-code"), [(E, false, l("2"))]);
    // admin-code owns it: not also admin-missing.
    assert!(found(&s, "admin-missing").is_empty());
    assert_eq!(s.output, input);
}

#[test]
fn admin_code_with_two_wrong_lines_on_the_date_fixes_neither() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, D1),
            svc(K::P, "96365", D1),
            svc(K::P, "96372", D1),
        ],
    );
    let s = run(&input, &all());
    assert_eq!(
        found(&s, "admin-code"),
        [(E, false, l("2")), (E, false, l("3"))]
    );
    assert_eq!(s.output, input);
}

#[test]
fn admin_code_with_another_drug_on_the_date_is_not_fixed() {
    // A J-code drug.
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, D1),
            svc(K::P, "96372", D1),
            svc(K::P, "J1100", D1),
        ],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-code"), [(E, false, l("2"))]);
    assert_eq!(s.output, input);
    // The other drug on another date does not block the fix.
    let s = run(
        &edi(
            K::P,
            "22",
            P_CLAIM,
            &[
                drug(K::P, D1),
                svc(K::P, "96372", D1),
                svc(K::P, "J1100", D2),
            ],
        ),
        &all(),
    );
    assert_eq!(found(&s, "admin-code"), [(E, true, l("2"))]);
}

#[test]
fn admin_code_with_an_administration_line_on_the_date_is_not_fixed() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, D1),
            svc(K::P, "62321", D1),
            svc(K::P, "62272", D1),
        ],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-code"), [(E, false, l("3"))]);
    assert_eq!(s.output, input);
}

#[test]
fn admin_code_without_the_drug_on_its_date_or_with_unknown_date_is_not_fixed() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[drug(K::P, D1), svc(K::P, "96372", D2)],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-code"), [(E, false, l("2"))]);
    // The drug's date has a wrong line nowhere and no admin line: no admin-dos-match
    // either (no administration line on the claim).
    assert!(found(&s, "admin-dos-match").is_empty());
    assert_eq!(s.output, input);
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[drug(K::P, D1), svc(K::P, "96372", "")],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-code"), [(E, false, l("2"))]);
    assert_eq!(s.output, input);
}

#[test]
fn admin_code_owns_the_drug_date_over_admin_dos_match() {
    // Wrong code on the drug's date, a real administration on another: recode the wrong
    // line, do not move the drug's date.
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, D1),
            svc(K::P, "96372", D1),
            svc(K::P, "62321", D2),
        ],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-code"), [(E, true, l("2"))]);
    assert!(found(&s, "admin-dos-match").is_empty());
    let out = text(&s);
    assert!(out.contains("SV1*HC:J2326:JZ*12500*UN*120***1~\nDTP*472*D8*20260110~"));
}

#[test]
fn admin_code_fixes_repair_reports_the_recode_unapplied() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[drug(K::P, D1), svc(K::P, "96372", D1)],
    );
    let s = run(&input, &repair());
    assert_eq!(found(&s, "admin-code"), [(E, false, l("2"))]);
    let f = s.findings.iter().find(|f| f.rule == "admin-code").unwrap();
    assert_eq!(f.fix_class, Some(FixClass::Recode));
    assert_eq!(s.output, input);
    assert!(s.tally().errors >= 1);
}

#[test]
fn admin_missing_once_per_claim() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[drug(K::P, D1), drug(K::P, D2), svc(K::P, "99213:25", D1)],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "admin-missing"), [(E, false, l("1"))]);
    assert!(found(&s, "admin-dos-match").is_empty());
    // No J2326: nothing of these rules.
    let s = run(&edi(K::P, "22", P_CLAIM, &[svc(K::P, "99213", D1)]), &all());
    assert!(
        s.findings
            .iter()
            .all(|f| !f.rule.as_str().starts_with("admin"))
    );
}

// ---- profiles ----

#[test]
fn each_profile_expects_its_code() {
    let cases = [
        ("default", "62321", false),
        ("default", "62320", true),
        ("default", "62322", true),
        ("default", "62323", true),
        ("default", "96450", true),
        ("cpt-lumbar", "62323", false),
        ("cpt-lumbar", "62321", true),
        ("noridian", "96450", false),
        ("noridian", "62321", true),
    ];
    for (p, code, variant) in cases {
        let s = run(
            &edi(K::P, "22", P_CLAIM, &[drug(K::P, D1), svc(K::P, code, D1)]),
            &profile(p),
        );
        let expected = if variant {
            vec![(W, false, l("2"))]
        } else {
            vec![]
        };
        assert_eq!(found(&s, "admin-code-variant"), expected, "{p} {code}");
        assert!(found(&s, "admin-dos-match").is_empty(), "{p} {code}");
        assert!(found(&s, "admin-missing").is_empty(), "{p} {code}");
    }
}

#[test]
fn pairing_prefers_the_profile_code() {
    // Both 62321 and 96450 on the date: paired either way, variant reported for the other.
    let s = run(
        &edi(
            K::P,
            "22",
            P_CLAIM,
            &[
                drug(K::P, D1),
                svc(K::P, "62321", D1),
                svc(K::P, "96450", D1),
            ],
        ),
        &profile("noridian"),
    );
    assert!(found(&s, "admin-dos-match").is_empty());
    assert_eq!(found(&s, "admin-code-variant"), [(W, false, l("2"))]);
}

// ---- imaging-bundled ----

#[test]
fn imaging_with_each_administration_code() {
    // (code, finding expected, fixed)
    let cases = [
        ("62320", true, false),
        ("62321", true, true),
        ("62322", true, false),
        ("62323", true, true),
        ("62328", true, true),
        ("62329", true, true),
        ("96450", false, false),
    ];
    for imaging in ["77003", "77012"] {
        for (code, hit, fixed) in cases {
            let input = edi(
                K::P,
                "22",
                P_CLAIM,
                &[drug(K::P, D1), svc(K::P, imaging, D1), svc(K::P, code, D1)],
            );
            let s = run(&input, &all());
            let expected = if hit {
                vec![(E, fixed, l("2"))]
            } else {
                vec![]
            };
            assert_eq!(found(&s, "imaging-bundled"), expected, "{imaging} {code}");
            let out = text(&s);
            if fixed {
                assert!(!out.contains(imaging), "{imaging} {code}");
                assert!(out.contains("CLM*CLAIM0001*12600*"), "{out}");
                assert!(out.contains("LX*2~\nSV1*HC:"), "{out}");
                assert!(!out.contains("LX*3~"), "{out}");
                // The removal renumbers and recomputes in the same fix: reported once.
                assert_eq!(found(&s, "claim-balance"), []);
                assert_eq!(found(&s, "line-numbering"), []);
            } else {
                assert_eq!(s.output, input, "{imaging} {code}");
            }
        }
    }
}

#[test]
fn imaging_on_another_date_or_over_a_range() {
    let s = run(
        &edi(
            K::P,
            "22",
            P_CLAIM,
            &[
                drug(K::P, D1),
                svc(K::P, "62321", D1),
                svc(K::P, "77003", D2),
            ],
        ),
        &all(),
    );
    assert!(found(&s, "imaging-bundled").is_empty());
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, D1),
            svc(K::P, "62321", D1),
            svc(K::P, "77003", "RD8*20260101-20260131"),
        ],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "imaging-bundled"), [(E, false, l("3"))]);
    assert_eq!(s.output, input);
}

#[test]
fn imaging_is_kept_when_another_payer_adjudicated_the_claim() {
    let claim = [
        "REF*G1*PA20260001",
        "HI*ABK:G121",
        "SBR*S*18*GRP002******CI",
        "OI***Y***Y",
        "NM1*IL*1*DOE*JANE****MI*MEMBER0002",
        "NM1*PR*2*OTHER PLAN*****PI*PAYER02",
    ];
    let input = edi(
        K::P,
        "22",
        &claim,
        &[
            drug(K::P, D1),
            svc(K::P, "62321", D1),
            svc(K::P, "77003", D1),
        ],
    );
    let s = run(&input, &all());
    assert_eq!(found(&s, "imaging-bundled"), [(E, false, l("3"))]);
    assert_eq!(s.output, input);
}

#[test]
fn imaging_removal_is_a_recode() {
    let input = edi(
        K::P,
        "22",
        P_CLAIM,
        &[
            drug(K::P, D1),
            svc(K::P, "77003", D1),
            svc(K::P, "62321", D1),
        ],
    );
    let s = run(&input, &repair());
    assert_eq!(found(&s, "imaging-bundled"), [(E, false, l("2"))]);
    assert_eq!(s.output, input);
}

// ---- place-of-service, prior-auth, em-modifier-25 ----

#[test]
fn place_of_service_from_sv105_else_clm05() {
    let mut line = drug(K::P, D1);
    line[0] = "SV1*HC:J2326:JZ*12500*UN*120*02**1".into();
    let s = run(
        &edi(K::P, "22", P_CLAIM, &[line.clone(), svc(K::P, "62321", D1)]),
        &all(),
    );
    assert_eq!(found(&s, "place-of-service"), [(E, false, l("1"))]);
    // SV105 office overrides a home CLM05.
    line[0] = "SV1*HC:J2326:JZ*12500*UN*120*11**1".into();
    let s = run(
        &edi(K::P, "12", P_CLAIM, &[line, svc(K::P, "62321", D1)]),
        &all(),
    );
    assert!(found(&s, "place-of-service").is_empty());
    // CLM05 telehealth, two drug lines: one finding on the claim.
    let s = run(
        &edi(
            K::P,
            "10",
            P_CLAIM,
            &[
                drug(K::P, D1),
                svc(K::P, "62321", D1),
                drug(K::P, D2),
                svc(K::P, "62321", D2),
            ],
        ),
        &all(),
    );
    assert_eq!(found(&s, "place-of-service"), [(E, false, String::new())]);
}

#[test]
fn prior_auth_on_the_claim_or_the_line_and_its_severity() {
    let no_ref = ["HI*ABK:G121"];
    let input = edi(
        K::P,
        "22",
        &no_ref,
        &[drug(K::P, D1), svc(K::P, "62321", D1)],
    );
    assert_eq!(
        found(&run(&input, &all()), "prior-auth"),
        [(W, false, l("1"))]
    );
    let required = Settings::new(
        None,
        Fixes::All,
        Some("[admin]\nprior_auth_required = true"),
    )
    .unwrap();
    assert_eq!(
        found(&run(&input, &required), "prior-auth"),
        [(E, false, l("1"))]
    );
    // REF*G1 on the J2326 line.
    let line = vec![
        "SV1*HC:J2326:JZ*12500*UN*120***1".to_string(),
        "DTP*472*D8*20260110".into(),
        "REF*G1*PA20260001".into(),
        "LIN**N4*64406005801".into(),
        "CTP****5*ML".into(),
    ];
    let s = run(
        &edi(K::P, "22", &no_ref, &[line, svc(K::P, "62321", D1)]),
        &required,
    );
    assert!(found(&s, "prior-auth").is_empty(), "{:?}", s.findings);
}

#[test]
fn em_modifier_25_on_an_administration_date() {
    let run_em = |code: &str, dtp: &str| {
        run(
            &edi(
                K::P,
                "22",
                P_CLAIM,
                &[drug(K::P, D1), svc(K::P, "62321", D1), svc(K::P, code, dtp)],
            ),
            &all(),
        )
    };
    assert_eq!(
        found(&run_em("99213", D1), "em-modifier-25"),
        [(W, false, l("3"))]
    );
    assert!(found(&run_em("99213:25", D1), "em-modifier-25").is_empty());
    assert!(found(&run_em("99213", D2), "em-modifier-25").is_empty());
    assert!(found(&run_em("99499", D1), "em-modifier-25").is_empty());
    assert_eq!(
        found(&run_em("99215", ""), "em-modifier-25"),
        [(W, false, l("3"))]
    );
}

#[test]
fn a_jw_line_is_a_j2326_line_for_pairing() {
    // JZ dose and a JW discard line on a date without administration: both reported,
    // no fix (two J2326 lines).
    let mut waste = drug(K::P, D2);
    waste[0] = "SV1*HC:J2326:JW*0*UN*0***1".into();
    let mut dose = drug(K::P, D2);
    dose[0] = "SV1*HC:J2326*12500*UN*120***1".into();
    let input = edi(K::P, "22", P_CLAIM, &[dose, waste, svc(K::P, "62321", D1)]);
    let s = run(&input, &all());
    assert_eq!(
        found(&s, "admin-dos-match"),
        [(E, false, l("1")), (E, false, l("2"))]
    );
    // A JW line is the same drug, not another one: admin-code still recodes.
    let mut waste = drug(K::P, D1);
    waste[0] = "SV1*HC:J2326:JW*0*UN*0***1".into();
    let s = run(
        &edi(
            K::P,
            "22",
            P_CLAIM,
            &[drug(K::P, D1), waste, svc(K::P, "96372", D1)],
        ),
        &all(),
    );
    assert_eq!(found(&s, "admin-code"), [(E, true, l("3"))]);
}
