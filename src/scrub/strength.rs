//! The drug's strengths in force for one profile: the catalog's, with the NDCs a config
//! adds and the high-dose regimen on or off; and what a line's strength is (see
//! `domain/j2326.md`, "Definitions (additions)").

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::catalog::Catalog;
use crate::claim::LineDate;

/// One strength as a profile sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub name: String,
    pub regimen: String,
    pub units: Decimal,
    pub ml: Decimal,
    /// Its finished-package NDCs: the catalog's and those the config adds.
    pub ndcs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labeler_product: Option<String>,
    /// The first date of service it is billed for (none: always).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Its regimen is switched on.
    pub enabled: bool,
}

impl Named {
    /// Whether it is an enabled strength for a line date (an unknown date counts as on or
    /// after `from`; a range, when any day of it is).
    pub fn enabled_on(&self, date: Option<LineDate>) -> bool {
        self.enabled
            && match (self.from, date) {
                (Some(from), Some(d)) => d.to >= from,
                _ => true,
            }
    }

    /// Whether `ndc` (11 digits) is one of its listed NDCs.
    pub fn lists(&self, ndc: &str) -> bool {
        self.ndcs.iter().any(|n| n == ndc)
    }

    /// Whether `ndc` (11 digits) is this strength's: listed, or of its labeler-product.
    pub fn names(&self, ndc: &str) -> bool {
        self.lists(ndc) || (self.labeler_product.as_deref()).is_some_and(|p| ndc.starts_with(p))
    }

    /// The unit counts that are known slips for one dose of it: 1 (a vial), its mL, its
    /// mg, and mg x 100 (0.01 mg units).
    pub fn slips(&self) -> [Decimal; 4] {
        let mg = self.units / Decimal::TEN;
        [
            Decimal::ONE,
            self.ml,
            mg.normalize(),
            (mg * Decimal::ONE_HUNDRED).normalize(),
        ]
    }

    /// The CTP04 quantity for `units` of it, rounded to the 3 decimal places every rule
    /// compares and writes, normalised (5, 4.167).
    pub fn quantity(&self, units: Decimal) -> Decimal {
        (self.ml * units / self.units).round_dp(3).normalize()
    }
}

/// The strengths of one profile, in the catalog's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strengths {
    pub list: Vec<Named>,
}

impl Strengths {
    /// From the catalog, with `extra` NDCs per strength name and the high-dose switch
    /// (`None`: the catalog's).
    pub fn new(
        catalog: &Catalog,
        extra: &[(String, Vec<String>)],
        high_dose: Option<bool>,
    ) -> Self {
        let list = (catalog.drug.strength.iter())
            .map(|(name, s)| {
                let regimen = catalog.drug.regimen.get(&s.regimen);
                let mut ndcs = s.ndcs.clone();
                for (n, more) in extra.iter().filter(|(n, _)| n == name) {
                    debug_assert_eq!(n, name);
                    ndcs.extend(more.iter().filter(|m| !s.ndcs.contains(m)).cloned());
                }
                Named {
                    name: name.clone(),
                    regimen: s.regimen.clone(),
                    units: s.units,
                    ml: s.ml,
                    ndcs,
                    labeler_product: s.labeler_product.clone(),
                    from: regimen.map(|r| r.from),
                    enabled: match regimen {
                        Some(r) => high_dose.unwrap_or(r.enabled),
                        None => true,
                    },
                }
            })
            .collect();
        Strengths { list }
    }

    /// The enabled strengths for a line date.
    pub fn enabled(&self, date: Option<LineDate>) -> impl Iterator<Item = &Named> {
        self.list.iter().filter(move |s| s.enabled_on(date))
    }

    /// The one enabled strength for a date, when only one is.
    pub fn alone(&self, date: Option<LineDate>) -> Option<&Named> {
        let mut e = self.enabled(date);
        match (e.next(), e.next()) {
            (Some(s), None) => Some(s),
            _ => None,
        }
    }

    /// The strength `ndc` (11 digits) names: a listed NDC first, then a labeler-product.
    pub fn of_ndc(&self, ndc: &str) -> Option<&Named> {
        (self.list.iter().find(|s| s.lists(ndc)))
            .or_else(|| self.list.iter().find(|s| s.names(ndc)))
    }

    /// The one enabled strength for a date whose dose is `units`.
    pub fn with_units(&self, units: Decimal, date: Option<LineDate>) -> Option<&Named> {
        let mut e = self.enabled(date).filter(|s| s.units == units);
        match (e.next(), e.next()) {
            (Some(s), None) => Some(s),
            _ => None,
        }
    }

    /// Every listed NDC, of every strength.
    pub fn all_ndcs(&self) -> Vec<String> {
        self.list
            .iter()
            .flat_map(|s| s.ndcs.iter().cloned())
            .collect()
    }

    /// The strength of the standard regimen.
    pub fn standard(&self) -> Option<&Named> {
        self.list.iter().find(|s| s.regimen == "standard")
    }

    /// Whether `units` is a dose of an enabled strength for a date.
    pub fn is_dose(&self, units: Decimal, date: Option<LineDate>) -> bool {
        self.enabled(date).any(|s| s.units == units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scrub::catalog::catalog;

    fn day(s: &str) -> Option<LineDate> {
        LineDate::parse(b"D8", s.as_bytes())
    }

    #[test]
    fn the_high_dose_strengths_are_enabled_from_their_date() {
        let s = Strengths::new(catalog(), &[], None);
        let names = |d| s.enabled(d).map(|n| n.name.as_str()).collect::<Vec<_>>();
        assert_eq!(names(day("20260329")), ["12 mg/5 mL"]);
        assert_eq!(
            names(day("20260330")),
            ["12 mg/5 mL", "28 mg/5 mL", "50 mg/5 mL"]
        );
        assert_eq!(
            names(None).len(),
            3,
            "an unknown date counts as on or after"
        );
        assert_eq!(s.alone(day("20250101")).unwrap().units, Decimal::from(120));
        assert!(s.alone(day("20260401")).is_none());
        let off = Strengths::new(catalog(), &[], Some(false));
        assert_eq!(off.alone(day("20260401")).unwrap().name, "12 mg/5 mL");
    }

    #[test]
    fn slips_ndcs_and_quantities_per_strength() {
        let extra = vec![("50 mg/5 mL".to_string(), vec!["64406099901".to_string()])];
        let s = Strengths::new(catalog(), &extra, None);
        let d = |u: i64| Decimal::from(u);
        assert_eq!(s.list[0].slips(), [d(1), d(5), d(12), d(1200)]);
        assert_eq!(s.list[2].slips(), [d(1), d(5), d(50), d(5000)]);
        assert_eq!(s.of_ndc("64406005801").unwrap().name, "12 mg/5 mL");
        assert_eq!(
            s.of_ndc("64406005812").unwrap().name,
            "12 mg/5 mL",
            "labeler-product"
        );
        assert_eq!(s.of_ndc("64406099901").unwrap().name, "50 mg/5 mL");
        assert!(s.of_ndc("64406031001").is_none());
        assert_eq!(s.list[2].quantity(d(500)), d(5));
        assert_eq!(s.list[1].quantity(d(140)).to_string(), "2.5");
        assert_eq!(s.with_units(d(280), None).unwrap().name, "28 mg/5 mL");
    }
}
