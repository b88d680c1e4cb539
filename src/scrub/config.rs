//! Settings of a scrub run: profile, fix classes, `--config x837.toml`.
//!
//! An unknown rule id, profile or key in a config is an error, never ignored.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use super::catalog::{FrequencyOverride, Mue, NdcInsert, Profile, catalog, listed};
use super::strength::Strengths;
use crate::echo::{cut, cut_message};
use crate::report::{FixClass, RuleId, Severity};

/// Which fix classes are applied (`--fixes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fixes {
    #[default]
    All,
    Repair,
    None,
}

impl Fixes {
    pub fn applies(self, class: FixClass) -> bool {
        match self {
            Fixes::All => true,
            Fixes::Repair => class == FixClass::Repair,
            Fixes::None => false,
        }
    }
}

/// The `x837.toml` file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Profile for payers not listed under `[payers]`.
    pub profile: Option<String>,
    /// Rule ids turned off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity per rule id: "error", "warning" or "info".
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Overrides of the profile's policy.
    pub admin: Option<AdminConfig>,
    /// Profile per payer id (2010BB NM109).
    #[serde(default)]
    pub payers: BTreeMap<String, String>,
    /// The high-dose regimen on or off for every profile that does not say.
    pub high_dose: Option<bool>,
    /// NDCs a site adds to a strength (`[drug.strength."50 mg/5 mL"] ndcs = [...]`).
    pub drug: Option<DrugConfig>,
    /// Profiles defined or changed here (`[profiles.NAME]`): what a key leaves out comes
    /// from the catalog's profile of that name, else from `default`.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrugConfig {
    #[serde(default)]
    pub strength: BTreeMap<String, StrengthConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrengthConfig {
    pub ndcs: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    pub description: Option<String>,
    pub admin_code: Option<String>,
    pub prior_auth_required: Option<bool>,
    pub primary_diagnoses: Option<Vec<String>>,
    pub covered_diagnoses: Option<Vec<String>>,
    pub ndc_insert: Option<NdcInsert>,
    pub high_dose: Option<bool>,
    pub frequency: Option<FrequencyOverride>,
    pub mue: Option<BTreeMap<String, Mue>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// The expected administration code, one of the intrathecal codes.
    pub expected_code: Option<String>,
    /// Whether a missing prior authorization is an error rather than a warning.
    pub prior_auth_required: Option<bool>,
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: String,
    pub fixes: Fixes,
    /// A dry run (`--check`): fixes are found and reported as `would_fix`, not written.
    pub check: bool,
    /// Keep what is left out as read (`Scrubbed::quarantined`, for `--quarantine`).
    pub quarantine: bool,
    pub disabled: HashSet<RuleId>,
    pub severities: HashMap<RuleId, Severity>,
    pub admin_code: Option<String>,
    pub prior_auth_required: Option<bool>,
    pub payers: HashMap<String, String>,
    /// The profile in force for each profile name, overrides applied.
    pub resolved: BTreeMap<String, Resolved>,
    /// What patients are keyed under in this run's cross-claim rules: random per
    /// settings, never written.
    pub secret: super::index::Secret,
    /// Read each claim's facts for a worklist (`Scrubbed::claims`, the HTML report's);
    /// a run whose report does not show them skips the work.
    pub worklist: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            profile: "default".into(),
            fixes: Fixes::All,
            check: false,
            quarantine: false,
            disabled: HashSet::new(),
            severities: HashMap::new(),
            admin_code: None,
            prior_auth_required: None,
            payers: HashMap::new(),
            resolved: resolve_all(&catalog().profiles, &[], None, None, None),
            secret: super::index::Secret::random(),
            worklist: true,
        }
    }
}

/// The profile in force for one claim, with overrides applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resolved {
    pub name: String,
    pub admin_code: String,
    pub prior_auth_required: bool,
    #[serde(flatten)]
    pub policy: std::sync::Arc<Policy>,
}

/// A profile's payer policy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Policy {
    /// The SMA codes a J2326 line's primary diagnosis must be one of; empty: any.
    pub primary_diagnoses: Vec<String>,
    /// The codes that count as SMA for the diagnosis rules.
    pub covered_diagnoses: Vec<String>,
    pub ndc_insert: NdcInsert,
    pub high_dose: bool,
    pub frequency: super::catalog::Frequency,
    pub mue: BTreeMap<String, Mue>,
    #[serde(skip)]
    pub strengths: Strengths,
}

/// Every profile of `profiles` in force: `admin` and `prior_auth` override each, the NDCs
/// of `extra` join their strengths, `high_dose` applies where a profile does not say.
fn resolve_all(
    profiles: &BTreeMap<String, Profile>,
    extra: &[(String, Vec<String>)],
    high_dose: Option<bool>,
    admin: Option<&str>,
    prior_auth: Option<bool>,
) -> BTreeMap<String, Resolved> {
    let c = catalog();
    let default_high = c.drug.regimen.values().all(|r| r.enabled);
    (profiles.iter())
        .map(|(name, p)| {
            let high = p.high_dose.or(high_dose);
            let covered = match p.covered_diagnoses.is_empty() {
                true => c.diagnosis.sma.clone(),
                false => p.covered_diagnoses.clone(),
            };
            let policy = Policy {
                primary_diagnoses: p.primary_diagnoses.clone(),
                covered_diagnoses: covered,
                ndc_insert: p.ndc_insert,
                high_dose: high.unwrap_or(default_high),
                frequency: c.frequency.with(&p.frequency),
                mue: p.mue.clone(),
                strengths: Strengths::new(c, extra, high),
            };
            let r = Resolved {
                name: name.clone(),
                admin_code: admin.map_or_else(|| p.admin_code.clone(), str::to_string),
                prior_auth_required: prior_auth.unwrap_or(p.prior_auth_required),
                policy: std::sync::Arc::new(policy),
            };
            (name.clone(), r)
        })
        .collect()
}

/// A diagnosis code as the catalog writes it: a letter, then 2 to 6 letters or digits.
fn diagnosis_code(code: &str) -> bool {
    let b = code.as_bytes();
    (3..=7).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// `file`'s profiles merged over the catalog's, checked.
fn profiles_of(file: &ConfigFile) -> Result<BTreeMap<String, Profile>, String> {
    let c = catalog();
    let mut out = c.profiles.clone();
    for (name, pc) in &file.profiles {
        let base = c.profiles.get(name).or_else(|| c.profiles.get("default"));
        let mut p = base.cloned().ok_or("the catalog has no default profile")?;
        if !c.profiles.contains_key(name) {
            p.description = format!("{} (from the config)", cut(name));
        }
        let at = |key: &str| format!("config: profiles.{}.{key}", cut(name));
        if let Some(d) = &pc.description {
            p.description = d.clone();
        }
        if let Some(code) = &pc.admin_code {
            if !listed(&c.admin.intrathecal, code.as_bytes()) {
                return Err(format!(
                    "{}: '{}' is not an intrathecal administration code",
                    at("admin_code"),
                    cut(code)
                ));
            }
            p.admin_code = code.clone();
        }
        p.prior_auth_required = pc.prior_auth_required.unwrap_or(p.prior_auth_required);
        for (key, list, slot) in [
            (
                "primary_diagnoses",
                &pc.primary_diagnoses,
                &mut p.primary_diagnoses,
            ),
            (
                "covered_diagnoses",
                &pc.covered_diagnoses,
                &mut p.covered_diagnoses,
            ),
        ] {
            if let Some(list) = list {
                if let Some(bad) = list.iter().find(|d| !diagnosis_code(d)) {
                    return Err(format!(
                        "{}: '{}' is not an ICD-10-CM code without its point (G121)",
                        at(key),
                        cut(bad)
                    ));
                }
                slot.clone_from(list);
            }
        }
        p.ndc_insert = pc.ndc_insert.unwrap_or(p.ndc_insert);
        p.high_dose = pc.high_dose.or(p.high_dose);
        if let Some(f) = &pc.frequency {
            let days = [f.min_interval_days, f.window_days].into_iter().flatten();
            if days.into_iter().any(|d| d < 1)
                || [f.max_first_year, f.max_rolling].contains(&Some(0))
            {
                return Err(format!(
                    "{}: every value must be at least 1",
                    at("frequency")
                ));
            }
            p.frequency = *f;
        }
        if let Some(m) = &pc.mue {
            for (code, mue) in m {
                if !(1..=3).contains(&mue.mai) || mue.units <= rust_decimal::Decimal::ZERO {
                    return Err(format!(
                        "{}: units must be above 0 and mai 1, 2 or 3",
                        at(&format!("mue.{}", cut(code)))
                    ));
                }
            }
            p.mue.clone_from(m);
        }
        out.insert(name.clone(), p);
    }
    Ok(out)
}

/// `file`'s NDCs per strength, checked.
fn extra_ndcs(file: &ConfigFile) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out = Vec::new();
    for (name, s) in file.drug.iter().flat_map(|d| &d.strength) {
        if !catalog().drug.strength.contains_key(name) {
            let known: Vec<&str> = catalog().drug.strength.keys().map(String::as_str).collect();
            return Err(format!(
                "config: drug.strength '{}' is not a strength ({})",
                cut(name),
                known.join(", ")
            ));
        }
        if let Some(bad) = s
            .ndcs
            .iter()
            .find(|n| n.len() != 11 || !n.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!(
                "config: drug.strength.\"{}\".ndcs: '{}' is not an 11-digit NDC",
                cut(name),
                cut(bad)
            ));
        }
        out.push((name.clone(), s.ndcs.clone()));
    }
    Ok(out)
}

fn known_profile(profiles: &BTreeMap<String, Profile>, name: &str) -> Result<(), String> {
    if profiles.contains_key(name) {
        Ok(())
    } else {
        let names: Vec<&str> = profiles.keys().map(String::as_str).collect();
        Err(format!(
            "unknown profile '{}' (known: {})",
            cut(name),
            names.join(", ")
        ))
    }
}

fn known_rule(id: &str) -> Result<RuleId, String> {
    RuleId::scrub(id).ok_or_else(|| format!("unknown rule id '{}' (see `x837 rules`)", cut(id)))
}

/// A TOML error without the source line toml's own message quotes (a whole line, however
/// long): its message, cut, and where it is.
fn config_error(text: &str, e: &toml::de::Error) -> String {
    let message = cut_message(e.message().trim_end());
    match e.span() {
        Some(span) => {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
            let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
            format!("config: {message} (line {line}, column {column})")
        }
        None => format!("config: {message}"),
    }
}

impl Settings {
    /// Settings from the command line's profile and fixes and an optional config text.
    pub fn new(profile: Option<&str>, fixes: Fixes, config: Option<&str>) -> Result<Self, String> {
        let file: ConfigFile = match config {
            Some(text) => toml::from_str(text).map_err(|e| config_error(text, &e))?,
            None => ConfigFile::default(),
        };
        let mut s = Settings {
            fixes,
            ..Settings::default()
        };
        let profiles = profiles_of(&file)?;
        let extra = extra_ndcs(&file)?;
        if let Some(p) = profile.or(file.profile.as_deref()) {
            known_profile(&profiles, p)?;
            s.profile = p.to_string();
        }
        for id in &file.disable {
            s.disabled.insert(known_rule(id)?);
        }
        for (id, sev) in &file.severity {
            let sev = match sev.as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                other => {
                    return Err(format!(
                        "config: severity '{}' for {} is not error, warning or info",
                        cut(other),
                        cut(id)
                    ));
                }
            };
            s.severities.insert(known_rule(id)?, sev);
        }
        if let Some(a) = &file.admin {
            if let Some(code) = &a.expected_code {
                if !listed(&catalog().admin.intrathecal, code.as_bytes()) {
                    return Err(format!(
                        "config: admin.expected_code '{}' is not an intrathecal administration code ({})",
                        cut(code),
                        catalog().admin.intrathecal.join(", ")
                    ));
                }
                s.admin_code = Some(code.clone());
            }
            s.prior_auth_required = a.prior_auth_required;
        }
        for (payer, p) in &file.payers {
            known_profile(&profiles, p)?;
            s.payers.insert(payer.clone(), p.clone());
        }
        let (admin, auth) = (s.admin_code.as_deref(), s.prior_auth_required);
        s.resolved = resolve_all(&profiles, &extra, file.high_dose, admin, auth);
        Ok(s)
    }

    /// The profiles a run may use: its default and those `[payers]` names.
    pub fn in_force(&self) -> Vec<&Resolved> {
        let mut names: Vec<&String> = vec![&self.profile];
        names.extend(self.payers.values());
        names.sort();
        names.dedup();
        names.iter().filter_map(|n| self.resolved.get(*n)).collect()
    }

    /// The profile for a claim to payer `payer`.
    pub fn resolve(&self, payer: &[u8]) -> Resolved {
        let name = std::str::from_utf8(payer)
            .ok()
            .and_then(|p| self.payers.get(p.trim()))
            .unwrap_or(&self.profile);
        match self
            .resolved
            .get(name)
            .or_else(|| self.resolved.get("default"))
        {
            Some(r) => r.clone(),
            // Unreachable: the catalog's profiles are always there (tested).
            None => unreachable_profile(),
        }
    }

    /// The severity of `rule` after the config's changes.
    pub fn severity(&self, rule: RuleId, default: Severity) -> Severity {
        self.severities.get(&rule).copied().unwrap_or(default)
    }
}

fn unreachable_profile() -> Resolved {
    let p = Profile {
        description: String::new(),
        admin_code: "62321".into(),
        prior_auth_required: false,
        primary_diagnoses: Vec::new(),
        covered_diagnoses: Vec::new(),
        ndc_insert: NdcInsert::Insert,
        high_dose: None,
        frequency: FrequencyOverride::default(),
        mue: BTreeMap::new(),
    };
    let mut one = BTreeMap::new();
    one.insert("default".to_string(), p);
    resolve_all(&one, &[], None, None, None)
        .remove("default")
        .expect("one profile in, one out")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_things_are_errors() {
        assert!(Settings::new(Some("nope"), Fixes::All, None).is_err());
        assert!(Settings::new(None, Fixes::All, Some("disable = [\"no-such-rule\"]")).is_err());
        assert!(Settings::new(None, Fixes::All, Some("colour = \"red\"")).is_err());
        assert!(Settings::new(None, Fixes::All, Some("[payers]\nP1 = \"nope\"")).is_err());
        assert!(
            Settings::new(None, Fixes::All, Some("[admin]\nexpected_code = \"99999\"")).is_err()
        );
        assert!(
            Settings::new(None, Fixes::All, Some("[severity]\nprior-auth = \"fatal\"")).is_err()
        );
    }

    #[test]
    fn payers_and_overrides() {
        let s = Settings::new(
            Some("default"),
            Fixes::Repair,
            Some("[payers]\nPAYER9 = \"noridian\"\n[admin]\nprior_auth_required = true\n[severity]\nclaim-balance = \"warning\""),
        )
        .unwrap();
        assert_eq!(s.resolve(b"PAYER9").admin_code, "96450");
        assert_eq!(s.resolve(b"OTHER").admin_code, "62321");
        assert!(s.resolve(b"OTHER").prior_auth_required);
        assert_eq!(
            s.severity(RuleId::ClaimBalance, Severity::Error),
            Severity::Warning
        );
        assert!(!s.fixes.applies(FixClass::Recode));
    }
}
