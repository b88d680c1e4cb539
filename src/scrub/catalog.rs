//! The drug catalog: product facts and profiles as data (`catalog.toml`), parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::Deserialize;

const TEXT: &str = include_str!("catalog.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub drug: Drug,
    pub admin: Admin,
    pub imaging: Imaging,
    pub diagnosis: Diagnoses,
    pub place_of_service: PlaceOfService,
    pub evaluation: Evaluation,
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drug {
    pub hcpcs: String,
    pub name: String,
    pub units_per_dose: Decimal,
    pub ndcs: Vec<String>,
    pub labeler_product: String,
    pub ndc_quantity_per_dose: Decimal,
    pub ndc_unit: String,
    pub unit_slips: Vec<Decimal>,
    pub waste_modifier_from: chrono::NaiveDate,
    /// Modifier of a single-dose vial fully used (JZ).
    pub no_waste_modifier: String,
    /// Modifier of a documented discard, on its own line (JW).
    pub waste_modifier: String,
    pub concurrent: Vec<String>,
    pub revenue_code: String,
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
}

impl Drug {
    /// Whether `code` is this drug's HCPCS.
    pub fn is(&self, code: &[u8]) -> bool {
        code == self.hcpcs.as_bytes()
    }
}

/// Whether `code` is in `list`.
pub fn listed(list: &[String], code: &[u8]) -> bool {
    list.iter().any(|c| c.as_bytes() == code)
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
        assert_eq!(c.drug.units_per_dose, Decimal::from(120));
        assert_eq!(c.drug.ndcs, ["64406005801"]);
        assert!(
            c.drug
                .ndcs
                .iter()
                .all(|n| n.starts_with(&c.drug.labeler_product))
        );
        assert_eq!(c.profiles["default"].admin_code, "62321");
        assert_eq!(c.profiles["cpt-lumbar"].admin_code, "62323");
        assert_eq!(c.profiles["noridian"].admin_code, "96450");
        for p in c.profiles.values() {
            assert!(listed(&c.admin.intrathecal, p.admin_code.as_bytes()));
        }
        for a in &c.admin.add_on {
            assert!(listed(&c.admin.wrong_route, a.as_bytes()), "{a}");
        }
    }
}
