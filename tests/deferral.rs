//! A rule that leaves a condition to another ("one condition, one report") does so only
//! when that rule runs: turned off in a config, its conditions fall back to the others.

#![allow(clippy::unwrap_used)]

use std::fs;

use x837::scrub::{Fixes, Settings, scrub};

fn sample(name: &str) -> String {
    fs::read_to_string(format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn rules(input: &str, config: Option<&str>) -> Vec<String> {
    let settings = Settings::new(None, Fixes::All, config).unwrap();
    let s = scrub(input.as_bytes(), "in", &settings);
    s.findings.iter().map(|f| f.rule.to_string()).collect()
}

#[test]
fn without_admin_code_a_wrong_administration_line_is_no_administration() {
    // The J2326 claim with its administration billed as an IV push (96374).
    let input = sample("837p-j2326.x12").replace("SV1*HC:62321*", "SV1*HC:96374*");
    let on = rules(&input, None);
    assert!(on.contains(&"admin-code".to_string()), "{on:?}");
    assert!(!on.contains(&"admin-missing".to_string()), "{on:?}");
    let off = rules(&input, Some("disable = [\"admin-code\"]"));
    assert!(!off.contains(&"admin-code".to_string()), "{off:?}");
    assert!(off.contains(&"admin-missing".to_string()), "{off:?}");
}

#[test]
fn without_drug_units_the_ndc_quantity_follows_the_billed_units() {
    // 12 units (mg written as units): drug-units would make them 120 and ndc-quantity then
    // expects 5 mL; with drug-units off, 12 units are 0.5 mL, so CTP 5 ML is wrong.
    let input = sample("837p-j2326.x12").replace("*UN*120***", "*UN*12***");
    let on = rules(&input, None);
    assert!(on.contains(&"drug-units".to_string()), "{on:?}");
    assert!(!on.contains(&"ndc-quantity".to_string()), "{on:?}");
    let off = rules(&input, Some("disable = [\"drug-units\"]"));
    assert!(off.contains(&"ndc-quantity".to_string()), "{off:?}");
}
