//! The mappings from findings to acknowledgment codes, as data: `ta1_notes.toml` (TA105),
//! `syntax_errors.toml` (the 999's IK304, IK403, IK502 and AK905) and
//! `claim_status.toml` (the 277CA's STC). Embedded and parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::report::RuleId;

const TA1_NOTES: &str = include_str!("ta1_notes.toml");
const SYNTAX_ERRORS: &str = include_str!("syntax_errors.toml");
const CLAIM_STATUS: &str = include_str!("claim_status.toml");

/// TA105 note codes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ta1Notes {
    /// Problems of the interchange as a whole: `unclosed`, `content`, `group-count`,
    /// `control-number`, `width`.
    pub interchange: BTreeMap<String, String>,
    /// By ISA element (`ISA06`).
    pub isa: BTreeMap<String, String>,
}

/// A code, or codes picked by what the element holds (`short`/`long`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Pick {
    One(String),
    By(BTreeMap<String, String>),
}

impl Pick {
    /// The code for `variant` (a single code whatever the variant).
    pub fn code(&self, variant: &str) -> Option<&str> {
        match self {
            Pick::One(c) => Some(c),
            Pick::By(m) => m.get(variant).map(String::as_str),
        }
    }
}

/// The 999's codes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntaxErrors {
    /// IK304 by rule id.
    pub segment: BTreeMap<String, String>,
    /// IK403 by rule id.
    pub element: BTreeMap<String, Pick>,
    /// IK502 by condition or rule id.
    pub transaction: BTreeMap<String, String>,
    /// AK905 by condition or rule id.
    pub group: BTreeMap<String, String>,
}

/// One STC composite as the table gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    pub category: String,
    pub status: String,
    pub entity: Option<String>,
    pub description: String,
}

/// The claim-level status of a claim rejected for its lines only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesStatus {
    pub status: String,
    pub description: String,
}

/// The 277CA's codes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimStatus {
    pub accepted: Status,
    pub received: Status,
    pub lines: LinesStatus,
    pub default: Status,
    pub rules: BTreeMap<String, Status>,
}

impl ClaimStatus {
    /// How a rejecting finding of `rule` is reported.
    pub fn of(&self, rule: RuleId) -> &Status {
        self.rules.get(rule.as_str()).unwrap_or(&self.default)
    }
}

/// The TA105 table.
pub fn ta1_notes() -> &'static Ta1Notes {
    static T: OnceLock<Ta1Notes> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str(TA1_NOTES).expect("embedded src/ack/ta1_notes.toml parses (tested)")
    })
}

/// The 999 table.
pub fn syntax_errors() -> &'static SyntaxErrors {
    static T: OnceLock<SyntaxErrors> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str(SYNTAX_ERRORS).expect("embedded src/ack/syntax_errors.toml parses (tested)")
    })
}

/// The 277CA table.
pub fn claim_status() -> &'static ClaimStatus {
    static T: OnceLock<ClaimStatus> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str(CLAIM_STATUS).expect("embedded src/ack/claim_status.toml parses (tested)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::{self, external};
    use crate::report::Source;

    /// The codes the 999 guide lists for element `n` of `segment` in loop `loop_id`.
    fn codes_999(loop_id: &str, segment: &str, n: usize) -> Vec<String> {
        let g = grammar::implementation();
        let l = g.find_loop(loop_id).expect(loop_id);
        let s = l.segments().find(|s| s.id == segment).expect(segment);
        s.element(n).expect("element").codes.clone()
    }

    #[test]
    fn tables_parse_and_name_real_rules() {
        let s = syntax_errors();
        for rule in s.segment.keys().chain(s.element.keys()) {
            assert!(RuleId::parse(rule).is_some(), "{rule}");
        }
        for rule in claim_status().rules.keys() {
            assert!(RuleId::parse(rule).is_some(), "{rule}");
        }
        assert!(!ta1_notes().isa.is_empty());
    }

    #[test]
    fn every_999_code_is_one_the_guide_lists() {
        let s = syntax_errors();
        let ik304 = codes_999("2100", "IK3", 4);
        let ik403 = codes_999("2110", "IK4", 3);
        let ik502 = codes_999("2000", "IK5", 2);
        let ak905 = codes_999("ST_LOOP", "AK9", 5);
        for c in s.segment.values() {
            assert!(ik304.contains(c), "IK304 {c}");
        }
        for p in s.element.values() {
            let codes: Vec<&String> = match p {
                Pick::One(c) => vec![c],
                Pick::By(m) => m.values().collect(),
            };
            for c in codes {
                assert!(ik403.contains(c), "IK403 {c}");
            }
        }
        for c in s.transaction.values() {
            assert!(ik502.contains(c), "IK502 {c}");
        }
        for c in s.group.values() {
            assert!(ak905.contains(c), "AK905 {c}");
        }
    }

    #[test]
    fn every_ta1_note_is_one_x12_lists() {
        for c in ta1_notes()
            .interchange
            .values()
            .chain(ta1_notes().isa.values())
        {
            let n: u32 = c.parse().expect("digits");
            assert!(c.len() == 3 && n <= 31, "{c}");
        }
        for n in 1..=16 {
            assert!(
                ta1_notes().isa.contains_key(&format!("ISA{n:02}")),
                "ISA{n:02}"
            );
        }
    }

    #[test]
    fn every_scrub_rule_has_a_claim_status_and_every_code_is_pyx12s() {
        let t = claim_status();
        for r in RuleId::ALL.iter().filter(|r| r.source() == Source::Scrub) {
            assert!(t.rules.contains_key(r.as_str()), "{r} has no claim status");
        }
        let g = grammar::claim_acknowledgment();
        let stc = g
            .find_loop("2200D")
            .expect("2200D")
            .segments()
            .find(|s| s.id == "STC");
        let stc01_03 = stc
            .expect("STC")
            .element(1)
            .and_then(|e| e.component(3))
            .expect("STC01-03");
        let all = t
            .rules
            .values()
            .chain([&t.accepted, &t.received, &t.default]);
        for s in all {
            assert_eq!(
                external::contains("claim_status_cat", &s.category),
                Some(true),
                "{s:?}"
            );
            assert_eq!(
                external::contains("claim_status", &s.status),
                Some(true),
                "{s:?}"
            );
            if let Some(e) = &s.entity {
                assert_eq!(external::contains("entity_id", e), Some(true), "{s:?}");
                assert!(stc01_03.codes.contains(e), "{s:?}");
            }
            assert!(!s.description.is_empty());
        }
        assert_eq!(
            external::contains("claim_status", &t.lines.status),
            Some(true)
        );
        for s in t.rules.values().chain([&t.default]) {
            assert!(
                ["A3", "A6", "A7", "A8"].contains(&s.category.as_str()),
                "{s:?}"
            );
        }
        assert!(["A1", "A2"].contains(&t.accepted.category.as_str()));
    }
}
