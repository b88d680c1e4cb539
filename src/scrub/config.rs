//! Settings of a scrub run: profile, fix classes, `--config x837.toml`.
//!
//! An unknown rule id, profile or key in a config is an error, never ignored.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use super::catalog::{Profile, catalog, listed};
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
        }
    }
}

/// The profile in force for one claim, with overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub name: String,
    pub admin_code: String,
    pub prior_auth_required: bool,
}

fn known_profile(name: &str) -> Result<(), String> {
    if catalog().profiles.contains_key(name) {
        Ok(())
    } else {
        let names: Vec<&str> = catalog().profiles.keys().map(String::as_str).collect();
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
        if let Some(p) = profile.or(file.profile.as_deref()) {
            known_profile(p)?;
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
            known_profile(p)?;
            s.payers.insert(payer.clone(), p.clone());
        }
        Ok(s)
    }

    /// The profile for a claim to payer `payer`.
    pub fn resolve(&self, payer: &[u8]) -> Resolved {
        let name = std::str::from_utf8(payer)
            .ok()
            .and_then(|p| self.payers.get(p.trim()))
            .unwrap_or(&self.profile);
        let fallback = Profile {
            description: String::new(),
            admin_code: "62321".into(),
            prior_auth_required: false,
        };
        let p = catalog().profiles.get(name).unwrap_or(&fallback);
        Resolved {
            name: name.clone(),
            admin_code: self
                .admin_code
                .clone()
                .unwrap_or_else(|| p.admin_code.clone()),
            prior_auth_required: self.prior_auth_required.unwrap_or(p.prior_auth_required),
        }
    }

    /// The severity of `rule` after the config's changes.
    pub fn severity(&self, rule: RuleId, default: Severity) -> Severity {
        self.severities.get(&rule).copied().unwrap_or(default)
    }
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
