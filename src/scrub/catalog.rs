//! The drug catalog: product facts and profiles as data (`catalog.toml`), parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::Deserialize;

const TEXT: &str = include_str!("catalog.toml");

/// The catalog's version, in every report's `tool.catalog`: `j2326-2` added strengths
/// and regimens, payer policy and the rules across claims.
pub const VERSION: &str = "j2326-2";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub drug: Drug,
    pub admin: Admin,
    pub imaging: Imaging,
    pub diagnosis: Diagnoses,
    pub place_of_service: PlaceOfService,
    pub frequency: Frequency,
    pub evaluation: Evaluation,
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drug {
    pub hcpcs: String,
    pub name: String,
    pub ndc_unit: String,
    /// Labeler-products that are bulk listings, never a billed NDC.
    pub not_billable: Vec<String>,
    /// 837I facility codes (CLM05-1) where JZ/JW do not apply.
    pub waste_modifier_exempt_facility: Vec<String>,
    pub waste_modifier_from: chrono::NaiveDate,
    /// Modifier of a single-dose vial fully used (JZ).
    pub no_waste_modifier: String,
    /// Modifier of a documented discard, on its own line (JW).
    pub waste_modifier: String,
    pub concurrent: Vec<String>,
    pub revenue_code: String,
    /// The strengths, by name (`12 mg/5 mL`).
    pub strength: BTreeMap<String, Strength>,
    /// Regimens other than `standard` (always on), by name.
    pub regimen: BTreeMap<String, Regimen>,
}

/// One strength of the drug: a 5 mL single-dose vial.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Strength {
    /// `standard`, or a key of `[drug.regimen]`.
    pub regimen: String,
    /// J2326 units (0.1 mg) of one dose.
    pub units: Decimal,
    /// mL of one dose (CTP04 of a full dose).
    pub ml: Decimal,
    /// Its finished-package NDCs, 11 digits.
    pub ndcs: Vec<String>,
    /// Labeler (5) + product (4) digits: any package code of it is this strength.
    pub labeler_product: Option<String>,
}

/// A regimen that is on from a date of service, unless switched off.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Regimen {
    pub from: chrono::NaiveDate,
    pub enabled: bool,
}

/// Dose spacing and counts; a profile may override any of them.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Frequency {
    pub min_interval_days: i64,
    pub window_days: i64,
    pub max_first_year: usize,
    pub max_rolling: usize,
}

/// `[frequency]` of a profile or config: what it changes.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct FrequencyOverride {
    pub min_interval_days: Option<i64>,
    pub window_days: Option<i64>,
    pub max_first_year: Option<usize>,
    pub max_rolling: Option<usize>,
}

impl Frequency {
    pub fn with(self, o: &FrequencyOverride) -> Frequency {
        Frequency {
            min_interval_days: o.min_interval_days.unwrap_or(self.min_interval_days),
            window_days: o.window_days.unwrap_or(self.window_days),
            max_first_year: o.max_first_year.unwrap_or(self.max_first_year),
            max_rolling: o.max_rolling.unwrap_or(self.max_rolling),
        }
    }
}

/// A medically unlikely edit: the most units of one HCPCS per line (MAI 1) or per claim
/// and date (MAI 2, 3).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mue {
    pub units: Decimal,
    pub mai: u8,
}

/// Whether a claim's missing NDC may be inserted, or only shown (`hold`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NdcInsert {
    #[default]
    Insert,
    Hold,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    pub intrathecal: Vec<String>,
    pub wrong_route: Vec<String>,
    pub punctures: Vec<String>,
    pub add_on: Vec<String>,
    pub other_drug_prefixes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imaging {
    pub codes: Vec<String>,
    pub bundles_with: Vec<String>,
    pub removable_with: Vec<String>,
    pub allowed_with: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diagnoses {
    pub sma: Vec<String>,
    pub typed: Vec<String>,
    pub unspecified: Vec<String>,
    pub not_sma_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceOfService {
    pub denied: Vec<String>,
    /// Facility places of service, where the facility bills the drug.
    pub facility_drug: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    pub codes: Vec<String>,
    pub modifier: String,
}

/// A profile: which administration code a payer expects, and its policy choices.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub description: String,
    pub admin_code: String,
    pub prior_auth_required: bool,
    /// The SMA codes a J2326 line's primary diagnosis must be one of (`diagnosis-primary`).
    #[serde(default)]
    pub primary_diagnoses: Vec<String>,
    /// The codes that count as SMA for the diagnosis rules; empty: the catalog's SMA codes.
    #[serde(default)]
    pub covered_diagnoses: Vec<String>,
    #[serde(default)]
    pub ndc_insert: NdcInsert,
    /// The high-dose regimen: on (the catalog's default) or off.
    pub high_dose: Option<bool>,
    #[serde(default)]
    pub frequency: FrequencyOverride,
    /// MUE per HCPCS (`[mue.J2326] units, mai`).
    #[serde(default)]
    pub mue: BTreeMap<String, Mue>,
}

impl Drug {
    /// Whether `code` is this drug's HCPCS.
    pub fn is(&self, code: &[u8]) -> bool {
        crate::x12::same(code, self.hcpcs.as_bytes())
    }
}

/// Whether `code` is in `list`.
pub fn listed(list: &[String], code: &[u8]) -> bool {
    list.iter().any(|c| crate::x12::same(c.as_bytes(), code))
}

/// The embedded catalog.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| toml::from_str(TEXT).expect("src/scrub/catalog.toml parses (tested)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_parses_with_the_documented_facts() {
        let c = catalog();
        assert_eq!(c.drug.hcpcs, "J2326");
        let s12 = &c.drug.strength["12 mg/5 mL"];
        assert_eq!((s12.units, s12.ml), (Decimal::from(120), Decimal::from(5)));
        assert_eq!(s12.ndcs, ["64406005801"]);
        assert!(
            s12.ndcs
                .iter()
                .all(|n| n.starts_with(s12.labeler_product.as_deref().unwrap()))
        );
        assert_eq!(c.drug.strength["28 mg/5 mL"].units, Decimal::from(280));
        assert_eq!(c.drug.strength["50 mg/5 mL"].units, Decimal::from(500));
        for s in c.drug.strength.values() {
            assert!(s.regimen == "standard" || c.drug.regimen.contains_key(&s.regimen));
        }
        assert_eq!(c.profiles["default"].admin_code, "62321");
        assert_eq!(c.profiles["cpt-lumbar"].admin_code, "62323");
        assert_eq!(c.profiles["noridian"].admin_code, "96450");
        assert_eq!(c.profiles["noridian"].primary_diagnoses, ["G120", "G121"]);
        assert!(
            c.profiles["bcbsnd"]
                .covered_diagnoses
                .contains(&"G1225".to_string())
        );
        for p in c.profiles.values() {
            assert!(listed(&c.admin.intrathecal, p.admin_code.as_bytes()));
        }
        for a in &c.admin.add_on {
            assert!(listed(&c.admin.wrong_route, a.as_bytes()), "{a}");
        }
    }
}
