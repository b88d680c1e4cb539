#![allow(clippy::unwrap_used)]
//! Edge cases of the NDC, units, modifier, revenue-code, concurrent-therapy and diagnosis
//! rules, each on a small claim built here.

use x837::report::{FixClass, Severity};
use x837::scrub::{self, Fixes, Settings};

const HEAD_P: &str = "ISA*00*          *00*          *ZZ*X837SUBMIT     *ZZ*X837RECEIVE    *260115*1200*^*00501*000000101*0*T*:~
GS*HC*X837SUBMIT*X837RECEIVE*20260115*1200*101*X*005010X222A1~
ST*837*0001*005010X222A1~
BHT*0019*00*BATCH0001*20260115*1200*CH~
NM1*41*2*NEUROLOGY INFUSION CLINIC*****46*X837SUBMIT~
PER*IC*BILLING OFFICE*TE*5555550100~
NM1*40*2*EXAMPLE PAYER CLEARINGHOUSE*****46*X837RECEIVE~
HL*1**20*1~
PRV*BI*PXC*2084N0400X~
NM1*85*2*NEUROLOGY INFUSION CLINIC*****XX*1234567893~
N3*100 MAIN STREET~
N4*SPRINGFIELD*IL*627010001~
REF*EI*123456789~
HL*2*1*22*0~
SBR*P*18*GRP001******CI~
NM1*IL*1*DOE*JANE****MI*MEMBER0001~
N3*200 OAK AVENUE~
N4*SPRINGFIELD*IL*627020002~
DMG*D8*20150301*F~
NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*PAYER01~
";

const HEAD_I: &str = "ISA*00*          *00*          *ZZ*X837SUBMIT     *ZZ*X837RECEIVE    *260115*1200*^*00501*000000102*0*T*:~
GS*HC*X837SUBMIT*X837RECEIVE*20260115*1200*102*X*005010X223A2~
ST*837*0001*005010X223A2~
BHT*0019*00*BATCH0002*20260115*1200*CH~
NM1*41*2*GENERAL HOSPITAL*****46*X837SUBMIT~
PER*IC*BILLING OFFICE*TE*5555550100~
NM1*40*2*EXAMPLE PAYER CLEARINGHOUSE*****46*X837RECEIVE~
HL*1**20*1~
PRV*BI*PXC*282N00000X~
NM1*85*2*GENERAL HOSPITAL*****XX*1234567893~
N3*100 MAIN STREET~
N4*SPRINGFIELD*IL*627010001~
REF*EI*123456789~
HL*2*1*22*0~
SBR*P*18*GRP001******CI~
NM1*IL*1*DOE*JANE****MI*MEMBER0001~
N3*200 OAK AVENUE~
N4*SPRINGFIELD*IL*627020002~
DMG*D8*20150301*F~
NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*PAYER01~
";

/// A J2326 line: procedure composite, units, date qualifier and value, NDC segments.
fn drug(proc: &str, units: &str, date: &str, ndc: &str) -> String {
    format!("SV1*{proc}*12500*UN*{units}***1~DTP*472*{date}~{ndc}")
}

const NDC: &str = "LIN**N4*64406005801~CTP****5*ML~";
const ADMIN: &str = "SV1*HC:62321*150*UN*1***1~DTP*472*D8*20260110~";

/// A whole 837P claim: the HI segment body and each line's segments after LX.
fn p837(hi: &str, lines: &[&str]) -> String {
    claim(
        HEAD_P,
        "CLM*C1*{total}***22:B:1*Y*A*Y*Y~REF*G1*PA1~",
        hi,
        lines,
        2,
    )
}

/// A whole 837I claim with statement dates `statement` (DTP*434 value, RD8).
fn i837(statement: &str, hi: &str, lines: &[&str]) -> String {
    let clm =
        format!("CLM*C2*{{total}}***13:A:1**A*Y*Y~DTP*434*RD8*{statement}~CL1*3**01~REF*G1*PA2~");
    let lines: Vec<&str> = lines.to_vec();
    let mut s = claim(HEAD_I, &clm, hi, &lines, 3);
    let at = s.find("LX*1~").unwrap();
    s.insert_str(at, "NM1*71*1*SMITH*ANNA****XX*1234567893~");
    recount(&s.replace("GE*1*101~IEA*1*000000101~", "GE*1*102~IEA*1*000000102~"))
}

fn claim(head: &str, clm: &str, hi: &str, lines: &[&str], charge_el: usize) -> String {
    let total: rust_decimal::Decimal = lines
        .iter()
        .map(|l| {
            let sv = l.split('~').next().unwrap();
            sv.split('*')
                .nth(charge_el)
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    let mut s = head.replace('\n', "");
    s.push_str(&clm.replace("{total}", &total.to_string()));
    s.push_str(&format!("HI*{hi}~"));
    for (n, l) in lines.iter().enumerate() {
        s.push_str(&format!("LX*{}~{l}", n + 1));
        if !l.ends_with('~') {
            s.push('~');
        }
    }
    s.push_str("SE*0*0001~GE*1*101~IEA*1*000000101~");
    recount(&s)
}

/// Sets SE01 to the segments from ST to SE.
fn recount(s: &str) -> String {
    let segs: Vec<&str> = s.split('~').filter(|x| !x.is_empty()).collect();
    let st = segs.iter().position(|x| x.starts_with("ST*")).unwrap();
    let se = segs.iter().position(|x| x.starts_with("SE*")).unwrap();
    let mut out: Vec<String> = segs.iter().map(ToString::to_string).collect();
    out[se] = format!("SE*{}*0001", se - st + 1);
    out.join("~") + "~"
}

fn run(edi: &str, fixes: Fixes) -> scrub::Scrubbed {
    let settings = Settings::new(None, fixes, None).unwrap();
    let s = scrub::scrub(edi.as_bytes(), "t", &settings);
    assert!(s.error.is_none(), "{:?}", s.error);
    s
}

/// `(fixed, severity)` of each finding of `rule`.
fn hits(s: &scrub::Scrubbed, rule: &str) -> Vec<(bool, Severity)> {
    s.findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.fixed, f.severity))
        .collect()
}

fn out(s: &scrub::Scrubbed) -> String {
    String::from_utf8(s.output.clone()).unwrap()
}

fn all(edi: &str) -> scrub::Scrubbed {
    let s = run(edi, Fixes::All);
    let again = run(&out(&s), Fixes::All);
    assert_eq!(again.fixed(), 0, "not idempotent: {:#?}", again.findings);
    s
}

const E: (bool, Severity) = (false, Severity::Error);
const F: (bool, Severity) = (true, Severity::Error);
const W: (bool, Severity) = (false, Severity::Warning);

#[test]
fn the_base_claim_is_clean() {
    let edi = p837(
        "ABK:G121",
        &[&drug("HC:J2326:JZ", "120", "D8*20260110", NDC), ADMIN],
    );
    let s = all(&edi);
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
    // A clean claim comes out byte for byte.
    assert_eq!(out(&s), edi);
    assert!(out(&s).contains("SV1*HC:J2326:JZ*12500*UN*120***1~"));
}

// ---- ndc-qualifier / ndc-format / ndc-product

fn with_lin(lin: &str) -> String {
    p837(
        "ABK:G121",
        &[
            &drug(
                "HC:J2326:JZ",
                "120",
                "D8*20260110",
                &format!("{lin}~CTP****5*ML~"),
            ),
            ADMIN,
        ],
    )
}

#[test]
fn ndc_qualifier_n1_n2_n3_are_converted_by_their_layout() {
    for (lin, after) in [
        ("LIN**N2*6440605801", "LIN**N4*64406005801~"),
        ("LIN**N3*6440600581", "LIN**N4*64406005801~"),
        ("LIN**N2*64406-058-01", "LIN**N4*64406005801~"),
        ("LIN**N1*64406005801", "LIN**N4*64406005801~"),
    ] {
        let s = all(&with_lin(lin));
        assert_eq!(hits(&s, "ndc-qualifier"), [F], "{lin}");
        assert!(hits(&s, "ndc-format").is_empty(), "{lin}");
        assert!(hits(&s, "ndc-product").is_empty(), "{lin}");
        assert!(out(&s).contains(after), "{lin}: {}", out(&s));
    }
    // N1 (4-4-2) gives 06440605801: converted, then not a J2326 NDC.
    let s = all(&with_lin("LIN**N1*6440605801"));
    assert_eq!(hits(&s, "ndc-qualifier"), [F]);
    assert_eq!(hits(&s, "ndc-product"), [E]);
    assert!(out(&s).contains("LIN**N4*06440605801~"));
}

#[test]
fn ndc_qualifier_other_qualifiers_and_contradicting_layouts_stay() {
    for lin in [
        "LIN**EN*6440605801",
        "LIN**N1*64406-058-01",
        "LIN**N2*644060058",
    ] {
        let edi = with_lin(lin);
        let s = all(&edi);
        assert_eq!(hits(&s, "ndc-qualifier"), [E], "{lin}");
        assert!(hits(&s, "ndc-format").is_empty(), "{lin}");
        // Nothing is fixed: the LIN stays as written, and so does the rest.
        assert!(out(&s).contains(&format!("{lin}~")), "{lin}: {}", out(&s));
        assert_eq!(out(&s), edi, "{lin}");
    }
}

#[test]
fn ndc_format_hyphenated_layouts() {
    for (lin, after) in [
        ("LIN**N4*6440-6058-01", "LIN**N4*06440605801~"),
        ("LIN**N4*64406-058-01", "LIN**N4*64406005801~"),
        ("LIN**N4*64406-0058-1", "LIN**N4*64406005801~"),
        ("LIN**N4*64406-0058-01", "LIN**N4*64406005801~"),
        ("LIN**N4*64406 0058 01", "LIN**N4*64406005801~"),
    ] {
        let s = all(&with_lin(lin));
        assert_eq!(hits(&s, "ndc-format"), [F], "{lin}");
        assert!(out(&s).contains(after), "{lin}: {}", out(&s));
    }
}

#[test]
fn ndc_format_bare_10_digits_unique_vs_unknown() {
    // Exactly one reading (5-3-2) is the catalog NDC.
    let s = all(&with_lin("LIN**N4*6440605801"));
    assert_eq!(hits(&s, "ndc-format"), [F]);
    assert!(out(&s).contains("LIN**N4*64406005801~"));
    // No reading is a catalog NDC: unfixed, and ndc-product waits.
    let s = all(&with_lin("LIN**N4*1234567890"));
    assert_eq!(hits(&s, "ndc-format"), [E]);
    assert!(hits(&s, "ndc-product").is_empty());
    // On a line of another drug nothing is known: unfixed, though one reading matches.
    let other = "SV1*HC:J1100*10*UN*1***1~DTP*472*D8*20260110~LIN**N4*6440605801~CTP****1*ML~";
    let s = all(&p837(
        "ABK:G121",
        &[
            &drug("HC:J2326:JZ", "120", "D8*20260110", NDC),
            ADMIN,
            other,
        ],
    ));
    assert_eq!(hits(&s, "ndc-format"), [E]);
    // Other lengths and letters.
    for lin in [
        "LIN**N4*644060058",
        "LIN**N4*6440A605801",
        "LIN**N4*64406-58-01",
    ] {
        let s = all(&with_lin(lin));
        assert_eq!(hits(&s, "ndc-format"), [E], "{lin}");
    }
}

#[test]
fn ndc_product_package_warning_and_foreign_error() {
    let s = all(&with_lin("LIN**N4*64406005812"));
    assert_eq!(hits(&s, "ndc-product"), [W]);
    let s = all(&with_lin("LIN**N4*00069015001"));
    assert_eq!(hits(&s, "ndc-product"), [E]);
    assert!(s.findings.iter().all(|f| f.fix_class.is_none()));
}

// ---- ndc-unit / ndc-quantity / drug-units

fn units_claim(units: &str, ctp: &str) -> String {
    p837(
        "ABK:G121",
        &[
            &drug(
                "HC:J2326:JZ",
                units,
                "D8*20260110",
                &format!("LIN**N4*64406005801~{ctp}~"),
            ),
            ADMIN,
        ],
    )
}

#[test]
fn drug_units_each_slip_is_set_to_120() {
    for slip in ["1", "5", "12", "1200", "12.0"] {
        let s = all(&units_claim(slip, "CTP****5*ML"));
        assert_eq!(hits(&s, "drug-units"), [F], "{slip}");
        assert!(hits(&s, "ndc-quantity").is_empty(), "{slip}");
        let o = out(&s);
        assert!(
            o.contains("SV1*HC:J2326:JZ*12500*UN*120***1~"),
            "{slip}: {o}"
        );
        assert!(o.contains("CLM*C1*12650*"), "{slip}: the charge stays");
        let c = s.findings.iter().find(|f| f.rule == "drug-units").unwrap();
        assert_eq!(c.fix_class, Some(FixClass::Recode));
    }
    // 120.0 is 120.
    let s = all(&units_claim("120.0", "CTP****5*ML"));
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
}

#[test]
fn drug_units_other_totals_stay_and_quantity_follows_billed_units() {
    let s = all(&units_claim("60", "CTP****5*ML"));
    assert_eq!(hits(&s, "drug-units"), [E]);
    assert_eq!(hits(&s, "ndc-quantity"), [F]);
    assert!(out(&s).contains("CTP****2.5*ML~"), "{}", out(&s));
    let s = all(&units_claim("100", "CTP****4.167*ML"));
    assert_eq!(hits(&s, "ndc-quantity"), []);
}

#[test]
fn ndc_quantity_uses_the_units_after_drug_units_even_under_repair() {
    // 12 units is a slip: the quantity is compared with 120 units, 5 mL.
    let s = all(&units_claim("12", "CTP****0.5*ML"));
    assert_eq!(hits(&s, "drug-units"), [F]);
    assert_eq!(hits(&s, "ndc-quantity"), [F]);
    assert!(out(&s).contains("CTP****5*ML~"));
    let s = run(&units_claim("12", "CTP****0.5*ML"), Fixes::Repair);
    assert_eq!(hits(&s, "drug-units"), [E]);
    assert_eq!(hits(&s, "ndc-quantity"), [F]);
    let o = out(&s);
    assert!(o.contains("SV1*HC:J2326:JZ*12500*UN*12***1~") && o.contains("CTP****5*ML~"));
    // --fixes none: reported, nothing changed.
    let edi = units_claim("12", "CTP****0.5*ML");
    let s = run(&edi, Fixes::None);
    assert_eq!(hits(&s, "ndc-quantity"), [E]);
    assert_eq!(out(&s), edi);
}

#[test]
fn ndc_unit_owns_a_non_ml_unit() {
    for ctp in ["CTP****12*ME", "CTP****1*UN", "CTP****5*ml", "CTP****5"] {
        let s = all(&units_claim("120", ctp));
        assert_eq!(hits(&s, "ndc-unit"), [F], "{ctp}");
        assert!(hits(&s, "ndc-quantity").is_empty(), "{ctp}");
        assert!(out(&s).contains("CTP****5*ML~"), "{ctp}: {}", out(&s));
    }
    // With a unit slip the quantity is that of 120 units.
    let s = all(&units_claim("1200", "CTP****12*ME"));
    assert_eq!(hits(&s, "ndc-unit"), [F]);
    assert!(out(&s).contains("CTP****5*ML~"));
}

#[test]
fn drug_units_several_lines_on_one_date_and_on_several_dates() {
    let l = |u: &str, d: &str| drug("HC:J2326:JZ", u, d, NDC);
    // Split over two lines on one date, totalling 120: fine for drug-units.
    let a = drug(
        "HC:J2326:JZ",
        "60",
        "D8*20260110",
        "LIN**N4*64406005801~CTP****2.5*ML~",
    );
    let s = all(&p837("ABK:G121", &[&a, &a, ADMIN]));
    assert!(hits(&s, "drug-units").is_empty());
    // Two lines on one date not totalling 120: one finding, unfixed.
    let s = all(&p837(
        "ABK:G121",
        &[&l("12", "D8*20260110"), &l("12", "D8*20260110"), ADMIN],
    ));
    assert_eq!(hits(&s, "drug-units"), [E]);
    // Two dates, a slip on each: both fixed.
    let admin2 = "SV1*HC:62321*150*UN*1***1~DTP*472*D8*20260124~";
    let s = all(&p837(
        "ABK:G121",
        &[
            &l("12", "D8*20260110"),
            ADMIN,
            &l("5", "D8*20260124"),
            admin2,
        ],
    ));
    assert_eq!(hits(&s, "drug-units"), [F, F]);
}

#[test]
fn drug_units_rd8_range_is_one_group() {
    let s = all(&p837(
        "ABK:G121",
        &[
            &drug("HC:J2326:JZ", "12", "RD8*20260101-20260131", NDC),
            ADMIN,
        ],
    ));
    assert_eq!(hits(&s, "drug-units"), [F]);
}

// ---- waste-modifier

#[test]
fn waste_modifier_adds_jz_in_the_first_free_slot() {
    for (proc, after) in [
        ("HC:J2326", "SV1*HC:J2326:JZ*"),
        ("HC:J2326:KX", "SV1*HC:J2326:KX:JZ*"),
        ("HC:J2326:KX:59:XU", "SV1*HC:J2326:KX:59:XU:JZ*"),
    ] {
        let s = all(&p837(
            "ABK:G121",
            &[&drug(proc, "120", "D8*20260110", NDC), ADMIN],
        ));
        assert_eq!(hits(&s, "waste-modifier"), [F], "{proc}");
        assert!(out(&s).contains(after), "{proc}: {}", out(&s));
    }
    // No free slot.
    let s = all(&p837(
        "ABK:G121",
        &[
            &drug("HC:J2326:KX:59:XU:GA", "120", "D8*20260110", NDC),
            ADMIN,
        ],
    ));
    assert_eq!(hits(&s, "waste-modifier"), [E]);
}

#[test]
fn waste_modifier_dates_and_rd8_ranges() {
    // Before 2023-07-01: not required.
    let admin = "SV1*HC:62321*150*UN*1***1~DTP*472*D8*20230610~";
    let s = all(&p837(
        "ABK:G121",
        &[&drug("HC:J2326", "120", "D8*20230610", NDC), admin],
    ));
    assert!(hits(&s, "waste-modifier").is_empty());
    // A range ending on or after 2023-07-01 is in effect.
    let s = all(&p837(
        "ABK:G121",
        &[
            &drug("HC:J2326", "120", "RD8*20230615-20230715", NDC),
            admin,
        ],
    ));
    assert_eq!(hits(&s, "waste-modifier"), [F]);
    let s = all(&p837(
        "ABK:G121",
        &[
            &drug("HC:J2326", "120", "RD8*20230601-20230630", NDC),
            admin,
        ],
    ));
    assert!(hits(&s, "waste-modifier").is_empty());
}

#[test]
fn waste_modifier_jw_lines() {
    let jw = drug(
        "HC:J2326:JW",
        "20",
        "D8*20260110",
        "LIN**N4*64406005801~CTP****0.833*ML~",
    );
    let given = drug(
        "HC:J2326",
        "100",
        "D8*20260110",
        "LIN**N4*64406005801~CTP****4.167*ML~",
    );
    let given_jz = drug(
        "HC:J2326:JZ",
        "100",
        "D8*20260110",
        "LIN**N4*64406005801~CTP****4.167*ML~",
    );
    // Administered line without modifier beside a JW line: fine, JZ never added.
    let s = all(&p837("ABK:G121", &[&given, &jw, ADMIN]));
    assert!(hits(&s, "waste-modifier").is_empty(), "{:#?}", s.findings);
    assert!(hits(&s, "drug-units").is_empty());
    assert!(hits(&s, "ndc-quantity").is_empty());
    // A JZ line and a JW line on one date.
    let s = all(&p837("ABK:G121", &[&given_jz, &jw, ADMIN]));
    assert_eq!(hits(&s, "waste-modifier"), [E]);
    // A JW line alone.
    let alone = drug("HC:J2326:JW", "120", "D8*20260110", NDC);
    let s = all(&p837("ABK:G121", &[&alone, ADMIN]));
    assert_eq!(hits(&s, "waste-modifier"), [E]);
    // JZ and JW on one line.
    let both = drug("HC:J2326:JZ:JW", "120", "D8*20260110", NDC);
    let s = all(&p837("ABK:G121", &[&both, ADMIN]));
    assert_eq!(hits(&s, "waste-modifier"), [E]);
    // A single JW line with a slip: drug-units reports, never fixes.
    let slip = drug("HC:J2326:JW", "12", "D8*20260110", NDC);
    let s = all(&p837("ABK:G121", &[&slip, ADMIN]));
    assert_eq!(hits(&s, "drug-units"), [E]);
}

#[test]
fn waste_modifier_on_a_code_not_in_the_catalog() {
    let admin_jz = "SV1*HC:62321:JZ*150*UN*1***1~DTP*472*D8*20260110~";
    let s = all(&p837(
        "ABK:G121",
        &[&drug("HC:J2326:JZ", "120", "D8*20260110", NDC), admin_jz],
    ));
    assert_eq!(hits(&s, "waste-modifier"), [E]);
    // Without J2326 on the claim the rule does not look.
    let s = all(&p837("ABK:G121", &[admin_jz]));
    assert!(hits(&s, "waste-modifier").is_empty());
}

// ---- 837I: revenue-code, lines without a date

fn i_line(rev: &str, proc: &str, dtp: bool) -> String {
    let date = if dtp { "DTP*472*D8*20260110~" } else { "" };
    format!("SV2*{rev}*{proc}*12500*UN*120~{date}{NDC}")
}

const I_ADMIN: &str = "SV2*0361*HC:62321*150*UN*1~DTP*472*D8*20260110~";

#[test]
fn revenue_code_is_set_on_837i_only() {
    let s = all(&i837(
        "20260110-20260110",
        "ABK:G121",
        &[&i_line("0250", "HC:J2326:JZ", true), I_ADMIN],
    ));
    assert_eq!(hits(&s, "revenue-code"), [F]);
    assert!(out(&s).contains("SV2*0636*HC:J2326:JZ*"));
    let c = s
        .findings
        .iter()
        .find(|f| f.rule == "revenue-code")
        .unwrap();
    assert_eq!(c.fix_class, Some(FixClass::Recode));
    let s = all(&i837(
        "20260110-20260110",
        "ABK:G121",
        &[&i_line("0636", "HC:J2326:JZ", true), I_ADMIN],
    ));
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
}

#[test]
fn i837_line_without_a_date_uses_a_single_day_statement() {
    // Statement of one day: the line's date is known, JZ is added.
    let s = all(&i837(
        "20260110-20260110",
        "ABK:G121",
        &[&i_line("0636", "HC:J2326", false), I_ADMIN],
    ));
    assert_eq!(hits(&s, "waste-modifier"), [F]);
    // Statement over several days: date unknown, reported, never fixed.
    let s = all(&i837(
        "20260101-20260131",
        "ABK:G121",
        &[&i_line("0636", "HC:J2326", false), I_ADMIN],
    ));
    assert_eq!(hits(&s, "waste-modifier"), [E]);
    // drug-units still checks the undated line.
    let undated = "SV2*0636*HC:J2326:JZ*12500*UN*12~LIN**N4*64406005801~CTP****5*ML~";
    let s = all(&i837("20260101-20260131", "ABK:G121", &[undated, I_ADMIN]));
    assert_eq!(hits(&s, "drug-units"), [F]);
}

#[test]
fn i837_diagnoses_count_apr_and_abj() {
    let s = all(&i837(
        "20260110-20260110",
        "ABK:M6281~HI*APR:G121",
        &[&i_line("0636", "HC:J2326:JZ", true), I_ADMIN],
    ));
    assert!(
        hits(&s, "diagnosis-missing").is_empty(),
        "{:#?}",
        s.findings
    );
    assert!(hits(&s, "diagnosis-pointer").is_empty());
}

// ---- concurrent-therapy

#[test]
fn concurrent_therapy_only_with_j2326() {
    let zolgensma = "SV1*HC:J3399*2125000*UN*1***1~DTP*472*D8*20260110~";
    let s = all(&p837(
        "ABK:G121",
        &[
            &drug("HC:J2326:JZ", "120", "D8*20260110", NDC),
            ADMIN,
            zolgensma,
        ],
    ));
    assert_eq!(hits(&s, "concurrent-therapy"), [E]);
    let s = all(&p837("ABK:G121", &[zolgensma]));
    assert!(hits(&s, "concurrent-therapy").is_empty());
}

// ---- diagnoses

fn dx(hi: &str, pointer: &str) -> scrub::Scrubbed {
    let line = format!("SV1*HC:J2326:JZ*12500*UN*120***{pointer}~DTP*472*D8*20260110~{NDC}");
    all(&p837(hi, &[&line, ADMIN]))
}

const DX_RULES: [&str; 3] = [
    "diagnosis-missing",
    "diagnosis-not-sma",
    "diagnosis-unspecified",
];

fn dx_rules(s: &scrub::Scrubbed) -> Vec<&'static str> {
    s.findings
        .iter()
        .filter(|f| DX_RULES.contains(&f.rule.as_str()))
        .map(|f| f.rule.as_str())
        .collect()
}

#[test]
fn diagnosis_at_most_one_of_three_per_claim() {
    for (hi, expected) in [
        ("ABK:G121", vec![]),
        ("ABK:G120", vec![]),
        ("ABK:G128", vec![]),
        ("ABK:M6281", vec!["diagnosis-missing"]),
        ("ABK:G129", vec!["diagnosis-unspecified"]),
        ("ABK:G129*ABF:G121", vec![]),
        ("ABK:G1225", vec!["diagnosis-not-sma"]),
        ("ABK:G1221*ABF:G1229", vec!["diagnosis-not-sma"]),
        ("ABK:G1225*ABF:G121", vec![]),
        ("ABK:G1225*ABF:G129", vec!["diagnosis-unspecified"]),
        ("ABK:g12.1", vec![]),
        ("ABK:G12.9", vec!["diagnosis-unspecified"]),
    ] {
        let s = dx(hi, "1");
        assert_eq!(dx_rules(&s), expected, "{hi}");
    }
    let s = dx("ABK:G129", "1");
    assert_eq!(hits(&s, "diagnosis-unspecified"), [W]);
}

#[test]
fn diagnosis_format_point_and_lower_case() {
    let s = dx("ABK:g12.1*ABF:m62.81", "1");
    assert_eq!(hits(&s, "diagnosis-format"), [F]);
    assert!(out(&s).contains("HI*ABK:G121*ABF:M6281~"), "{}", out(&s));
    let c = s
        .findings
        .iter()
        .find(|f| f.rule == "diagnosis-format")
        .unwrap();
    assert_eq!(c.fix_class, Some(FixClass::Repair));
    // A code that would not be ICD-10-CM after the fix is left.
    let s = dx("ABK:G121*ABF:12.1", "1");
    assert_eq!(hits(&s, "diagnosis-format"), [E]);
    // Applies without J2326 too.
    let s = all(&p837("ABK:g12.1", &[ADMIN]));
    assert_eq!(hits(&s, "diagnosis-format"), [F]);
}

#[test]
fn diagnosis_pointer_to_a_non_sma_code() {
    // Typed SMA present: its position goes first.
    let s = dx("ABK:M6281*ABF:G121", "1");
    assert_eq!(hits(&s, "diagnosis-pointer"), [F]);
    assert!(
        out(&s).contains("SV1*HC:J2326:JZ*12500*UN*120***2:1~"),
        "{}",
        out(&s)
    );
    let s = dx("ABK:M6281*ABF:R531*ABF:G121", "1:2");
    assert_eq!(hits(&s, "diagnosis-pointer"), [F]);
    assert!(out(&s).contains("***3:1:2~"), "{}", out(&s));
    let s = dx("ABK:M6281*ABF:R531*ABF:R262*ABF:R270*ABF:G121", "1:2:3:4");
    assert!(out(&s).contains("***5:1:2:3~"), "{}", out(&s));
    // Lower case typed SMA counts.
    let s = dx("ABK:M6281*ABF:g12.1", "1");
    assert_eq!(hits(&s, "diagnosis-pointer"), [F]);
    assert!(out(&s).contains("***2:1~"), "{}", out(&s));
    // Pointing at an SMA code somewhere is enough.
    let s = dx("ABK:M6281*ABF:G121", "1:2");
    assert!(hits(&s, "diagnosis-pointer").is_empty());
    // Only G12.9: reported, no typed code to point at.
    let s = dx("ABK:M6281*ABF:G129", "1");
    assert_eq!(hits(&s, "diagnosis-pointer"), [E]);
    // No SMA code at all: diagnosis-missing owns it.
    let s = dx("ABK:M6281", "1");
    assert!(hits(&s, "diagnosis-pointer").is_empty());
    assert_eq!(hits(&s, "diagnosis-missing"), [E]);
}
