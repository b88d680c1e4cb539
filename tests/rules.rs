#![allow(clippy::unwrap_used)]
//! Edge cases of the scrub rules, each on a small claim of the language in
//! `tests/common/claims.rs`, scrubbed through the library: NDC, units, modifiers, revenue
//! code, concurrent therapy and diagnoses, then administration pairing and codes, imaging,
//! place of service, prior authorization and E/M.

mod common;

use common::claims::{
    Claim, D2, FIXED, Line, OPEN, WARN, first, fixes, hits, hits_on_lines, on, output, profile,
    rule_of, scrub, settle,
};
use x837::report::FixClass;
use x837::scrub::{Fixes, Scrubbed, Settings};

/// A dose and its administration on one date: the claim most NDC and units cases vary.
fn dose(drug: Line) -> String {
    Claim::p837().line(drug).line(Line::admin()).render()
}

#[test]
fn the_base_claim_is_clean() {
    let edi = dose(Line::drug());
    let s = settle(&edi);
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
    // A clean claim comes out byte for byte.
    assert_eq!(output(&s), edi);
    assert!(output(&s).contains("SV1*HC:J2326:JZ*12500*UN*120***1~"));
}

// ---- ndc-qualifier / ndc-format / ndc-product

#[test]
fn ndc_qualifier_n1_n2_n3_are_converted_by_their_layout() {
    for (qualifier, id, after) in [
        ("N2", "6440605801", "LIN**N4*64406005801~"),
        ("N3", "6440600581", "LIN**N4*64406005801~"),
        ("N2", "64406-058-01", "LIN**N4*64406005801~"),
        ("N1", "64406005801", "LIN**N4*64406005801~"),
    ] {
        let s = settle(dose(Line::drug().ndc(qualifier, id)));
        assert_eq!(hits(&s, "ndc-qualifier"), [FIXED], "{qualifier} {id}");
        assert!(hits(&s, "ndc-format").is_empty(), "{qualifier} {id}");
        assert!(hits(&s, "ndc-product").is_empty(), "{qualifier} {id}");
        assert!(
            output(&s).contains(after),
            "{qualifier} {id}: {}",
            output(&s)
        );
    }
    // N1 (4-4-2) gives 06440605801: converted, then not a J2326 NDC.
    let s = settle(dose(Line::drug().ndc("N1", "6440605801")));
    assert_eq!(hits(&s, "ndc-qualifier"), [FIXED]);
    assert_eq!(hits(&s, "ndc-product"), [OPEN]);
    assert!(output(&s).contains("LIN**N4*06440605801~"));
}

#[test]
fn ndc_qualifier_other_qualifiers_and_contradicting_layouts_stay() {
    for (qualifier, id) in [
        ("EN", "6440605801"),
        ("N1", "64406-058-01"),
        ("N2", "644060058"),
    ] {
        let edi = dose(Line::drug().ndc(qualifier, id));
        let s = settle(&edi);
        assert_eq!(hits(&s, "ndc-qualifier"), [OPEN], "{qualifier} {id}");
        assert!(hits(&s, "ndc-format").is_empty(), "{qualifier} {id}");
        // Nothing is fixed: the LIN stays as written, and so does the rest.
        let lin = format!("LIN**{qualifier}*{id}~");
        assert!(output(&s).contains(&lin), "{lin}: {}", output(&s));
        assert_eq!(output(&s), edi, "{lin}");
    }
}

#[test]
fn ndc_format_hyphenated_layouts() {
    for (id, after) in [
        ("6440-6058-01", "LIN**N4*06440605801~"),
        ("64406-058-01", "LIN**N4*64406005801~"),
        ("64406-0058-1", "LIN**N4*64406005801~"),
        ("64406-0058-01", "LIN**N4*64406005801~"),
        ("64406 0058 01", "LIN**N4*64406005801~"),
    ] {
        let s = settle(dose(Line::drug().ndc("N4", id)));
        assert_eq!(hits(&s, "ndc-format"), [FIXED], "{id}");
        assert!(output(&s).contains(after), "{id}: {}", output(&s));
    }
}

#[test]
fn ndc_format_bare_10_digits_unique_vs_unknown() {
    // Exactly one reading (5-3-2) is the catalog NDC.
    let s = settle(dose(Line::drug().ndc("N4", "6440605801")));
    assert_eq!(hits(&s, "ndc-format"), [FIXED]);
    assert!(output(&s).contains("LIN**N4*64406005801~"));
    // No reading is a catalog NDC: unfixed, and ndc-product waits.
    let s = settle(dose(Line::drug().ndc("N4", "1234567890")));
    assert_eq!(hits(&s, "ndc-format"), [OPEN]);
    assert!(hits(&s, "ndc-product").is_empty());
    // On a line of another drug nothing is known: unfixed, though one reading matches.
    let other = Line::service("J1100")
        .ndc("N4", "6440605801")
        .quantity("1", "ML");
    let s = settle(
        Claim::p837()
            .line(Line::drug())
            .line(Line::admin())
            .line(other)
            .render(),
    );
    assert_eq!(hits(&s, "ndc-format"), [OPEN]);
    // Other lengths and letters.
    for id in ["644060058", "6440A605801", "64406-58-01"] {
        let s = settle(dose(Line::drug().ndc("N4", id)));
        assert_eq!(hits(&s, "ndc-format"), [OPEN], "{id}");
    }
}

#[test]
fn ndc_product_package_warning_and_foreign_error() {
    let s = settle(dose(Line::drug().ndc("N4", "64406005812")));
    assert_eq!(hits(&s, "ndc-product"), [WARN]);
    let s = settle(dose(Line::drug().ndc("N4", "00069015001")));
    assert_eq!(hits(&s, "ndc-product"), [OPEN]);
    assert!(s.findings.iter().all(|f| f.fix_class.is_none()));
}

// ---- ndc-unit / ndc-quantity / drug-units

#[test]
fn drug_units_each_slip_is_set_to_120() {
    for slip in ["1", "5", "12", "1200", "12.0"] {
        let s = settle(dose(Line::drug().units(slip)));
        assert_eq!(hits(&s, "drug-units"), [FIXED], "{slip}");
        assert!(hits(&s, "ndc-quantity").is_empty(), "{slip}");
        let o = output(&s);
        assert!(
            o.contains("SV1*HC:J2326:JZ*12500*UN*120***1~"),
            "{slip}: {o}"
        );
        assert!(
            o.contains("CLM*CLAIM0001*12600*"),
            "{slip}: the charge stays"
        );
        assert_eq!(first(&s, "drug-units").fix_class, Some(FixClass::Recode));
    }
    // 120.0 is 120.
    let s = settle(dose(Line::drug().units("120.0")));
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
}

#[test]
fn drug_units_other_totals_stay_and_quantity_follows_billed_units() {
    let s = settle(dose(Line::drug().units("60")));
    assert_eq!(hits(&s, "drug-units"), [OPEN]);
    assert_eq!(hits(&s, "ndc-quantity"), [FIXED]);
    assert!(output(&s).contains("CTP****2.5*ML~"), "{}", output(&s));
    let s = settle(dose(Line::drug().units("100").quantity("4.167", "ML")));
    assert_eq!(hits(&s, "ndc-quantity"), []);
}

#[test]
fn ndc_quantity_uses_the_units_after_drug_units_even_under_repair() {
    // 12 units is a slip: the quantity is compared with 120 units, 5 mL.
    let edi = dose(Line::drug().units("12").quantity("0.5", "ML"));
    let s = settle(&edi);
    assert_eq!(hits(&s, "drug-units"), [FIXED]);
    assert_eq!(hits(&s, "ndc-quantity"), [FIXED]);
    assert!(output(&s).contains("CTP****5*ML~"));
    let s = scrub(&edi, &fixes(Fixes::Repair));
    assert_eq!(hits(&s, "drug-units"), [OPEN]);
    assert_eq!(hits(&s, "ndc-quantity"), [FIXED]);
    let o = output(&s);
    assert!(o.contains("SV1*HC:J2326:JZ*12500*UN*12***1~") && o.contains("CTP****5*ML~"));
    // --fixes none: reported, nothing changed.
    let s = scrub(&edi, &fixes(Fixes::None));
    assert_eq!(hits(&s, "ndc-quantity"), [OPEN]);
    assert_eq!(output(&s), edi);
}

#[test]
fn ndc_unit_owns_a_non_ml_unit() {
    for (quantity, unit) in [("12", "ME"), ("1", "UN"), ("5", "ml"), ("5", "")] {
        let s = settle(dose(Line::drug().quantity(quantity, unit)));
        assert_eq!(hits(&s, "ndc-unit"), [FIXED], "{quantity} {unit}");
        assert!(hits(&s, "ndc-quantity").is_empty(), "{quantity} {unit}");
        assert!(
            output(&s).contains("CTP****5*ML~"),
            "{quantity} {unit}: {}",
            output(&s)
        );
    }
    // With a unit slip the quantity is that of 120 units.
    let s = settle(dose(Line::drug().units("1200").quantity("12", "ME")));
    assert_eq!(hits(&s, "ndc-unit"), [FIXED]);
    assert!(output(&s).contains("CTP****5*ML~"));
}

#[test]
fn drug_units_several_lines_on_one_date_and_on_several_dates() {
    // Split over two lines on one date, totalling 120: fine for drug-units.
    let half = Line::drug().units("60").quantity("2.5", "ML");
    let s = settle(
        Claim::p837()
            .line(half.clone())
            .line(half)
            .line(Line::admin())
            .render(),
    );
    assert!(hits(&s, "drug-units").is_empty());
    // Two lines on one date not totalling 120: one finding, unfixed.
    let s = settle(
        Claim::p837()
            .line(Line::drug().units("12"))
            .line(Line::drug().units("12"))
            .line(Line::admin())
            .render(),
    );
    assert_eq!(hits(&s, "drug-units"), [OPEN]);
    // Two dates, a slip on each: both fixed.
    let later = "D8*20260124";
    let s = settle(
        Claim::p837()
            .line(Line::drug().units("12"))
            .line(Line::admin())
            .line(Line::drug().units("5").on(later))
            .line(Line::admin().on(later))
            .render(),
    );
    assert_eq!(hits(&s, "drug-units"), [FIXED, FIXED]);
}

#[test]
fn drug_units_rd8_range_is_one_group() {
    let s = settle(dose(Line::drug().units("12").on("RD8*20260101-20260131")));
    assert_eq!(hits(&s, "drug-units"), [FIXED]);
}

// ---- waste-modifier

#[test]
fn waste_modifier_adds_jz_in_the_first_free_slot() {
    for (code, after) in [
        ("J2326", "SV1*HC:J2326:JZ*"),
        ("J2326:KX", "SV1*HC:J2326:KX:JZ*"),
        ("J2326:KX:59:XU", "SV1*HC:J2326:KX:59:XU:JZ*"),
    ] {
        let s = settle(dose(Line::drug().code(code)));
        assert_eq!(hits(&s, "waste-modifier"), [FIXED], "{code}");
        assert!(output(&s).contains(after), "{code}: {}", output(&s));
    }
    // No free slot.
    let s = settle(dose(Line::drug().code("J2326:KX:59:XU:GA")));
    assert_eq!(hits(&s, "waste-modifier"), [OPEN]);
}

#[test]
fn waste_modifier_dates_and_rd8_ranges() {
    let before = "D8*20230610";
    let claim = |date: &str| {
        Claim::p837()
            .line(Line::drug().code("J2326").on(date))
            .line(Line::admin().on(before))
            .render()
    };
    // Before 2023-07-01: not required.
    let s = settle(claim(before));
    assert!(hits(&s, "waste-modifier").is_empty());
    // A range ending on or after 2023-07-01 is in effect.
    let s = settle(claim("RD8*20230615-20230715"));
    assert_eq!(hits(&s, "waste-modifier"), [FIXED]);
    let s = settle(claim("RD8*20230601-20230630"));
    assert!(hits(&s, "waste-modifier").is_empty());
}

#[test]
fn waste_modifier_jw_lines() {
    let jw = Line::drug()
        .code("J2326:JW")
        .units("20")
        .quantity("0.833", "ML");
    let given = Line::drug()
        .code("J2326")
        .units("100")
        .quantity("4.167", "ML");
    let given_jz = Line::drug().units("100").quantity("4.167", "ML");
    let claim = |a: Line, b: Line| Claim::p837().line(a).line(b).line(Line::admin()).render();
    // Administered line without modifier beside a JW line: fine, JZ never added.
    let s = settle(claim(given, jw.clone()));
    assert!(hits(&s, "waste-modifier").is_empty(), "{:#?}", s.findings);
    assert!(hits(&s, "drug-units").is_empty());
    assert!(hits(&s, "ndc-quantity").is_empty());
    // A JZ line and a JW line on one date.
    let s = settle(claim(given_jz, jw));
    assert_eq!(hits(&s, "waste-modifier"), [OPEN]);
    // A JW line alone.
    let s = settle(dose(Line::drug().code("J2326:JW")));
    assert_eq!(hits(&s, "waste-modifier"), [OPEN]);
    // JZ and JW on one line.
    let s = settle(dose(Line::drug().code("J2326:JZ:JW")));
    assert_eq!(hits(&s, "waste-modifier"), [OPEN]);
    // A single JW line with a slip: drug-units reports, never fixes.
    let s = settle(dose(Line::drug().code("J2326:JW").units("12")));
    assert_eq!(hits(&s, "drug-units"), [OPEN]);
}

#[test]
fn waste_modifier_on_a_code_not_in_the_catalog() {
    let admin_jz = Line::service("62321:JZ");
    let s = settle(
        Claim::p837()
            .line(Line::drug())
            .line(admin_jz.clone())
            .render(),
    );
    assert_eq!(hits(&s, "waste-modifier"), [OPEN]);
    // Without J2326 on the claim the rule does not look.
    let s = settle(Claim::p837().line(admin_jz).render());
    assert!(hits(&s, "waste-modifier").is_empty());
}

// ---- 837I: revenue-code, lines without a date

/// An 837I dose and its administration over the claim's statement period.
fn i_dose(claim: Claim, drug: Line) -> String {
    claim.line(drug).line(Line::admin()).render()
}

#[test]
fn revenue_code_is_set_on_837i_only() {
    let s = settle(i_dose(Claim::i837(), Line::drug().revenue("0250")));
    assert_eq!(hits(&s, "revenue-code"), [FIXED]);
    assert!(output(&s).contains("SV2*0636*HC:J2326:JZ*"));
    assert_eq!(first(&s, "revenue-code").fix_class, Some(FixClass::Recode));
    let s = settle(i_dose(Claim::i837(), Line::drug().revenue("0636")));
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
}

#[test]
fn i837_line_without_a_date_uses_a_single_day_statement() {
    let undated = Line::drug().code("J2326").undated();
    // Statement of one day: the line's date is known, JZ is added.
    let s = settle(i_dose(Claim::i837(), undated.clone()));
    assert_eq!(hits(&s, "waste-modifier"), [FIXED]);
    // Statement over several days: date unknown, reported, never fixed.
    let month = Claim::i837().statement("20260101-20260131");
    let s = settle(i_dose(month.clone(), undated));
    assert_eq!(hits(&s, "waste-modifier"), [OPEN]);
    // drug-units still checks the undated line.
    let s = settle(i_dose(month, Line::drug().units("12").undated()));
    assert_eq!(hits(&s, "drug-units"), [FIXED]);
}

#[test]
fn i837_diagnoses_count_apr_and_abj() {
    let claim = Claim::i837().hi("ABK:M6281").hi("APR:G121");
    let s = settle(i_dose(claim, Line::drug()));
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
    let zolgensma = Line::service("J3399");
    let s = settle(
        Claim::p837()
            .line(Line::drug())
            .line(Line::admin())
            .line(zolgensma.clone())
            .render(),
    );
    assert_eq!(hits(&s, "concurrent-therapy"), [OPEN]);
    let s = settle(Claim::p837().line(zolgensma).render());
    assert!(hits(&s, "concurrent-therapy").is_empty());
}

// ---- diagnoses

/// A dose whose line points at `pointer` on a claim with the diagnoses `hi`.
fn dx(hi: &str, pointer: &str) -> Scrubbed {
    settle(
        Claim::p837()
            .hi(hi)
            .line(Line::drug().pointer(pointer))
            .line(Line::admin())
            .render(),
    )
}

const DX_RULES: [&str; 3] = [
    "diagnosis-missing",
    "diagnosis-not-sma",
    "diagnosis-unspecified",
];

fn dx_rules(s: &Scrubbed) -> Vec<String> {
    s.findings
        .iter()
        .map(rule_of)
        .filter(|r| DX_RULES.contains(&r.as_str()))
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
    assert_eq!(hits(&s, "diagnosis-unspecified"), [WARN]);
}

#[test]
fn diagnosis_format_point_and_lower_case() {
    let s = dx("ABK:g12.1*ABF:m62.81", "1");
    assert_eq!(hits(&s, "diagnosis-format"), [FIXED]);
    assert!(
        output(&s).contains("HI*ABK:G121*ABF:M6281~"),
        "{}",
        output(&s)
    );
    assert_eq!(
        first(&s, "diagnosis-format").fix_class,
        Some(FixClass::Repair)
    );
    // A code that would not be ICD-10-CM after the fix is left.
    let s = dx("ABK:G121*ABF:12.1", "1");
    assert_eq!(hits(&s, "diagnosis-format"), [OPEN]);
    // Applies without J2326 too.
    let s = settle(Claim::p837().hi("ABK:g12.1").line(Line::admin()).render());
    assert_eq!(hits(&s, "diagnosis-format"), [FIXED]);
}

#[test]
fn diagnosis_pointer_to_a_non_sma_code() {
    // Typed SMA present: its position goes first.
    let s = dx("ABK:M6281*ABF:G121", "1");
    assert_eq!(hits(&s, "diagnosis-pointer"), [FIXED]);
    assert!(
        output(&s).contains("SV1*HC:J2326:JZ*12500*UN*120***2:1~"),
        "{}",
        output(&s)
    );
    let s = dx("ABK:M6281*ABF:R531*ABF:G121", "1:2");
    assert_eq!(hits(&s, "diagnosis-pointer"), [FIXED]);
    assert!(output(&s).contains("***3:1:2~"), "{}", output(&s));
    let s = dx("ABK:M6281*ABF:R531*ABF:R262*ABF:R270*ABF:G121", "1:2:3:4");
    assert!(output(&s).contains("***5:1:2:3~"), "{}", output(&s));
    // Lower case typed SMA counts.
    let s = dx("ABK:M6281*ABF:g12.1", "1");
    assert_eq!(hits(&s, "diagnosis-pointer"), [FIXED]);
    assert!(output(&s).contains("***2:1~"), "{}", output(&s));
    // Pointing at an SMA code somewhere is enough.
    let s = dx("ABK:M6281*ABF:G121", "1:2");
    assert!(hits(&s, "diagnosis-pointer").is_empty());
    // Only G12.9: reported, no typed code to point at.
    let s = dx("ABK:M6281*ABF:G129", "1");
    assert_eq!(hits(&s, "diagnosis-pointer"), [OPEN]);
    // No SMA code at all: diagnosis-missing owns it.
    let s = dx("ABK:M6281", "1");
    assert!(hits(&s, "diagnosis-pointer").is_empty());
    assert_eq!(hits(&s, "diagnosis-missing"), [OPEN]);
}

// ---- pairing and admin-dos-match

#[test]
fn several_admin_lines_on_several_dates_pair_by_date() {
    let input = Claim::p837()
        .lines([
            Line::drug(),
            Line::admin(),
            Line::drug().on(D2),
            Line::admin().on(D2),
            Line::drug().on("D8*20260301"),
        ])
        .render();
    let s = scrub(&input, &Settings::default());
    // Only the third dose has no administration; several J2326 lines: no fix.
    assert_eq!(hits_on_lines(&s, "admin-dos-match"), [on(OPEN, "5")]);
    assert!(hits(&s, "admin-missing").is_empty());
    assert!(hits(&s, "admin-code-variant").is_empty());
    assert_eq!(output(&s), input);
}

#[test]
fn rd8_drug_range_pairs_with_an_administration_inside_it() {
    let range = "RD8*20260101-20260131";
    let s = scrub(
        Claim::p837()
            .lines([Line::drug().on(range), Line::admin()])
            .render(),
        &Settings::default(),
    );
    assert!(hits(&s, "admin-dos-match").is_empty());
    // Outside the range: reported, never fixed (RD8).
    let input = Claim::p837()
        .lines([Line::drug().on(range), Line::admin().on("D8*20260205")])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-dos-match"), [on(OPEN, "1")]);
    assert_eq!(output(&s), input);
}

#[test]
fn admin_dos_match_fix_needs_both_d8() {
    // Administration billed over a range that misses the drug's day: no fix.
    let input = Claim::p837()
        .lines([
            Line::drug().on("D8*20260301"),
            Line::admin().on("RD8*20260101-20260131"),
        ])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-dos-match"), [on(OPEN, "1")]);
    assert_eq!(output(&s), input);
    // Two administration lines on other dates: no fix.
    let input = Claim::p837()
        .lines([
            Line::drug().on("D8*20260301"),
            Line::admin(),
            Line::admin().on(D2),
        ])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-dos-match"), [on(OPEN, "1")]);
    assert_eq!(output(&s), input);
}

#[test]
fn admin_dos_match_fixes_one_drug_and_one_admin_line() {
    let input = Claim::p837()
        .lines([Line::drug().on(D2), Line::admin()])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-dos-match"), [on(FIXED, "1")]);
    let out = output(&s);
    assert!(!out.contains("20260111"), "{out}");
    // --fixes repair: reported, the recode not applied.
    let s = scrub(&input, &fixes(Fixes::Repair));
    assert_eq!(hits_on_lines(&s, "admin-dos-match"), [on(OPEN, "1")]);
    assert_eq!(
        first(&s, "admin-dos-match").fix_class,
        Some(FixClass::Recode)
    );
    assert_eq!(output(&s), input);
}

#[test]
fn institutional_line_without_dtp472_uses_a_single_day_dtp434() {
    let s = scrub(
        Claim::i837()
            .lines([Line::drug().undated(), Line::admin()])
            .render(),
        &Settings::default(),
    );
    assert!(hits(&s, "admin-dos-match").is_empty(), "{:?}", s.findings);
    assert!(hits(&s, "admin-missing").is_empty());
    // Single statement day, administration on another day: reported; the drug line has
    // no DTP*472 to set, so no fix.
    let input = Claim::i837()
        .lines([Line::drug().undated(), Line::admin().on(D2)])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-dos-match"), [on(OPEN, "1")]);
    assert_eq!(output(&s), input);
}

#[test]
fn institutional_line_without_dtp472_and_a_statement_range_has_an_unknown_date() {
    let input = Claim::i837()
        .statement("20260101-20260131")
        .lines([Line::drug().undated(), Line::admin()])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-dos-match"), [on(OPEN, "1")]);
    let f = first(&s, "admin-dos-match");
    assert!(f.message.contains("no date of service"), "{}", f.message);
    assert_eq!(output(&s), input);
}

// ---- admin-code, admin-missing

#[test]
fn admin_code_recodes_the_single_wrong_line() {
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("96374")])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(FIXED, "2")]);
    assert!(hits(&s, "admin-missing").is_empty());
    assert!(output(&s).contains("SV1*HC:62321*100*UN*1***1~\nDTP*472*D8*20260110~"));
    // A second scrub finds nothing.
    let again = scrub(&s.output, &Settings::default());
    assert_eq!(again.output, s.output);
    assert!(
        again
            .findings
            .iter()
            .all(|f| !rule_of(f).starts_with("admin")),
        "{:?}",
        again.findings
    );
}

#[test]
fn admin_code_recodes_to_the_profile_code_on_837i() {
    let input = Claim::i837()
        .lines([Line::drug(), Line::service("62270")])
        .render();
    let s = scrub(&input, &profile("noridian"));
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(FIXED, "2")]);
    assert!(
        output(&s).contains("SV2*0361*HC:96450*100*UN*1~"),
        "{}",
        output(&s)
    );
    let s = scrub(&input, &profile("cpt-lumbar"));
    assert!(
        output(&s).contains("SV2*0361*HC:62323*100*UN*1~"),
        "{}",
        output(&s)
    );
}

#[test]
fn admin_code_units_become_one() {
    let s = scrub(
        Claim::p837()
            .lines([Line::drug(), Line::service("96372").units("3")])
            .render(),
        &Settings::default(),
    );
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(FIXED, "2")]);
    assert!(output(&s).contains("SV1*HC:62321*100*UN*1***1~"));
}

#[test]
fn admin_code_leaves_an_add_on_code_unfixed() {
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("96366")])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(OPEN, "2")]);
    // admin-code owns it: not also admin-missing.
    assert!(hits(&s, "admin-missing").is_empty());
    assert_eq!(output(&s), input);
}

#[test]
fn admin_code_with_two_wrong_lines_on_the_date_fixes_neither() {
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("96365"), Line::service("96372")])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(
        hits_on_lines(&s, "admin-code"),
        [on(OPEN, "2"), on(OPEN, "3")]
    );
    assert_eq!(output(&s), input);
}

#[test]
fn admin_code_with_another_drug_on_the_date_is_not_fixed() {
    // A J-code drug.
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("96372"), Line::service("J1100")])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(OPEN, "2")]);
    assert_eq!(output(&s), input);
    // The other drug on another date does not block the fix.
    let s = scrub(
        Claim::p837()
            .lines([
                Line::drug(),
                Line::service("96372"),
                Line::service("J1100").on(D2),
            ])
            .render(),
        &Settings::default(),
    );
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(FIXED, "2")]);
}

#[test]
fn admin_code_with_an_administration_line_on_the_date_is_not_fixed() {
    let input = Claim::p837()
        .lines([Line::drug(), Line::admin(), Line::service("62272")])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(OPEN, "3")]);
    assert_eq!(output(&s), input);
}

#[test]
fn admin_code_without_the_drug_on_its_date_or_with_unknown_date_is_not_fixed() {
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("96372").on(D2)])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(OPEN, "2")]);
    // The drug's date has a wrong line nowhere and no admin line: no admin-dos-match
    // either (no administration line on the claim).
    assert!(hits(&s, "admin-dos-match").is_empty());
    assert_eq!(output(&s), input);
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("96372").undated()])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(OPEN, "2")]);
    assert_eq!(output(&s), input);
}

#[test]
fn admin_code_owns_the_drug_date_over_admin_dos_match() {
    // Wrong code on the drug's date, a real administration on another: recode the wrong
    // line, do not move the drug's date.
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("96372"), Line::admin().on(D2)])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(FIXED, "2")]);
    assert!(hits(&s, "admin-dos-match").is_empty());
    assert!(output(&s).contains("SV1*HC:J2326:JZ*12500*UN*120***1~\nDTP*472*D8*20260110~"));
}

#[test]
fn admin_code_fixes_repair_reports_the_recode_unapplied() {
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("96372")])
        .render();
    let s = scrub(&input, &fixes(Fixes::Repair));
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(OPEN, "2")]);
    assert_eq!(first(&s, "admin-code").fix_class, Some(FixClass::Recode));
    assert_eq!(output(&s), input);
    assert!(s.tally().errors >= 1);
}

#[test]
fn admin_missing_once_per_claim() {
    let input = Claim::p837()
        .lines([Line::drug(), Line::drug().on(D2), Line::service("99213:25")])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "admin-missing"), [on(OPEN, "1")]);
    assert!(hits(&s, "admin-dos-match").is_empty());
    // No J2326: nothing of these rules.
    let s = scrub(
        Claim::p837().lines([Line::service("99213")]).render(),
        &Settings::default(),
    );
    assert!(s.findings.iter().all(|f| !rule_of(f).starts_with("admin")));
}

// ---- profiles

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
        let s = scrub(
            Claim::p837()
                .lines([Line::drug(), Line::service(code)])
                .render(),
            &profile(p),
        );
        let expected = if variant { vec![on(WARN, "2")] } else { vec![] };
        assert_eq!(
            hits_on_lines(&s, "admin-code-variant"),
            expected,
            "{p} {code}"
        );
        assert!(hits(&s, "admin-dos-match").is_empty(), "{p} {code}");
        assert!(hits(&s, "admin-missing").is_empty(), "{p} {code}");
    }
}

#[test]
fn pairing_prefers_the_profile_code() {
    // Both 62321 and 96450 on the date: paired either way, variant reported for the other.
    let s = scrub(
        Claim::p837()
            .lines([Line::drug(), Line::admin(), Line::service("96450")])
            .render(),
        &profile("noridian"),
    );
    assert!(hits(&s, "admin-dos-match").is_empty());
    assert_eq!(hits_on_lines(&s, "admin-code-variant"), [on(WARN, "2")]);
}

// ---- imaging-bundled

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
            let input = Claim::p837()
                .lines([Line::drug(), Line::service(imaging), Line::service(code)])
                .render();
            let s = scrub(&input, &Settings::default());
            let expected = match (hit, fixed) {
                (false, _) => vec![],
                (true, false) => vec![on(OPEN, "2")],
                (true, true) => vec![on(FIXED, "2")],
            };
            assert_eq!(
                hits_on_lines(&s, "imaging-bundled"),
                expected,
                "{imaging} {code}"
            );
            let out = output(&s);
            if fixed {
                assert!(!out.contains(imaging), "{imaging} {code}");
                assert!(out.contains("CLM*CLAIM0001*12600*"), "{out}");
                assert!(out.contains("LX*2~\nSV1*HC:"), "{out}");
                assert!(!out.contains("LX*3~"), "{out}");
                // The removal renumbers and recomputes in the same fix: reported once.
                assert_eq!(hits_on_lines(&s, "claim-balance"), []);
                assert_eq!(hits_on_lines(&s, "line-numbering"), []);
            } else {
                assert_eq!(out, input, "{imaging} {code}");
            }
        }
    }
}

#[test]
fn imaging_on_another_date_or_over_a_range() {
    let s = scrub(
        Claim::p837()
            .lines([Line::drug(), Line::admin(), Line::service("77003").on(D2)])
            .render(),
        &Settings::default(),
    );
    assert!(hits(&s, "imaging-bundled").is_empty());
    let input = Claim::p837()
        .lines([
            Line::drug(),
            Line::admin(),
            Line::service("77003").on("RD8*20260101-20260131"),
        ])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "imaging-bundled"), [on(OPEN, "3")]);
    assert_eq!(output(&s), input);
}

#[test]
fn imaging_is_kept_when_another_payer_adjudicated_the_claim() {
    let claim = Claim::p837()
        .segment("SBR*S*18*GRP002******CI")
        .segment("OI***Y***Y")
        .segment("NM1*IL*1*DOE*JANE****MI*MEMBER0002")
        .segment("NM1*PR*2*OTHER PLAN*****PI*PAYER02");
    let input = claim
        .lines([Line::drug(), Line::admin(), Line::service("77003")])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(hits_on_lines(&s, "imaging-bundled"), [on(OPEN, "3")]);
    assert_eq!(output(&s), input);
}

#[test]
fn imaging_removal_is_a_recode() {
    let input = Claim::p837()
        .lines([Line::drug(), Line::service("77003"), Line::admin()])
        .render();
    let s = scrub(&input, &fixes(Fixes::Repair));
    assert_eq!(hits_on_lines(&s, "imaging-bundled"), [on(OPEN, "2")]);
    assert_eq!(output(&s), input);
}

// ---- place-of-service, prior-auth, em-modifier-25

#[test]
fn place_of_service_from_sv105_else_clm05() {
    let s = scrub(
        Claim::p837()
            .lines([Line::drug().place("02"), Line::admin()])
            .render(),
        &Settings::default(),
    );
    assert_eq!(hits_on_lines(&s, "place-of-service"), [on(OPEN, "1")]);
    // SV105 office overrides a home CLM05.
    let s = scrub(
        Claim::p837()
            .place("12")
            .lines([Line::drug().place("11"), Line::admin()])
            .render(),
        &Settings::default(),
    );
    assert!(hits(&s, "place-of-service").is_empty());
    // CLM05 telehealth, two drug lines: one finding on the claim.
    let s = scrub(
        Claim::p837()
            .place("10")
            .lines([
                Line::drug(),
                Line::admin(),
                Line::drug().on(D2),
                Line::admin().on(D2),
            ])
            .render(),
        &Settings::default(),
    );
    assert_eq!(hits_on_lines(&s, "place-of-service"), [on(OPEN, "")]);
}

#[test]
fn prior_auth_on_the_claim_or_the_line_and_its_severity() {
    let no_ref = Claim::p837().no_prior_auth();
    let input = no_ref.clone().lines([Line::drug(), Line::admin()]).render();
    assert_eq!(
        hits_on_lines(&scrub(&input, &Settings::default()), "prior-auth"),
        [on(WARN, "1")]
    );
    let required = Settings::new(
        None,
        Fixes::All,
        Some("[admin]\nprior_auth_required = true"),
    )
    .unwrap();
    assert_eq!(
        hits_on_lines(&scrub(&input, &required), "prior-auth"),
        [on(OPEN, "1")]
    );
    // REF*G1 on the J2326 line.
    let s = scrub(
        no_ref
            .lines([Line::drug().prior_auth("PA20260001"), Line::admin()])
            .render(),
        &required,
    );
    assert!(hits(&s, "prior-auth").is_empty(), "{:?}", s.findings);
}

#[test]
fn em_modifier_25_on_an_administration_date() {
    let em = |line: Line| {
        scrub(
            Claim::p837()
                .lines([Line::drug(), Line::admin(), line])
                .render(),
            &Settings::default(),
        )
    };
    assert_eq!(
        hits_on_lines(&em(Line::service("99213")), "em-modifier-25"),
        [on(WARN, "3")]
    );
    assert!(hits(&em(Line::service("99213:25")), "em-modifier-25").is_empty());
    assert!(hits(&em(Line::service("99213").on(D2)), "em-modifier-25").is_empty());
    assert!(hits(&em(Line::service("99499")), "em-modifier-25").is_empty());
    assert_eq!(
        hits_on_lines(&em(Line::service("99215").undated()), "em-modifier-25"),
        [on(WARN, "3")]
    );
}

#[test]
fn a_jw_line_is_a_j2326_line_for_pairing() {
    // JZ dose and a JW discard line on a date without administration: both reported,
    // no fix (two J2326 lines).
    let waste = Line::drug().code("J2326:JW").charge("0").units("0");
    let given = Line::drug().code("J2326");
    let input = Claim::p837()
        .lines([given.on(D2), waste.clone().on(D2), Line::admin()])
        .render();
    let s = scrub(&input, &Settings::default());
    assert_eq!(
        hits_on_lines(&s, "admin-dos-match"),
        [on(OPEN, "1"), on(OPEN, "2")]
    );
    // A JW line is the same drug, not another one: admin-code still recodes.
    let s = scrub(
        Claim::p837()
            .lines([Line::drug(), waste, Line::service("96372")])
            .render(),
        &Settings::default(),
    );
    assert_eq!(hits_on_lines(&s, "admin-code"), [on(FIXED, "3")]);
}
