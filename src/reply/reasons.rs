//! What payers' codes mean to x837, as data: the CARC values (Claim Adjustment Reason
//! Codes, the public list maintained by X12, https://x12.org/codes/claim-adjustment-reason-codes)
//! and RARC values (Remittance Advice Remark Codes, https://x12.org/codes/remittance-advice-remark-codes;
//! every value is in `grammars/external-codes.txt`'s `remark_code`) and 277CA claim status
//! codes a J2326 denial or rejection commonly carries, each with a short description in
//! our own words and the x837 rules that explain it. Codes outside the table are shown by
//! number only.

/// One code of the mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    /// `CARC`, `RARC` or `277CA` (a claim status code, STC01-02).
    pub list: &'static str,
    pub code: &'static str,
    /// Our short description of the code.
    pub description: &'static str,
    /// The x837 rules that explain it.
    pub rules: &'static [&'static str],
}

const NDC: &[&str] = &[
    "ndc-missing",
    "ndc-qualifier",
    "ndc-format",
    "ndc-product",
    "ndc-unit",
    "ndc-quantity",
];
const DIAGNOSIS: &[&str] = &[
    "diagnosis-missing",
    "diagnosis-unspecified",
    "diagnosis-not-sma",
    "diagnosis-format",
    "diagnosis-pointer",
    "diagnosis-primary",
];

/// The mapping. CARC 16 maps to the NDC rules only together with RARC M119 or M123 (see
/// [`rules_for`]).
pub const REASONS: &[Reason] = &[
    Reason {
        list: "CARC",
        code: "4",
        description: "the procedure code is inconsistent with the modifier, or a required modifier is missing",
        rules: &["waste-modifier"],
    },
    Reason {
        list: "CARC",
        code: "11",
        description: "the diagnosis is inconsistent with the procedure",
        rules: DIAGNOSIS,
    },
    Reason {
        list: "CARC",
        code: "16",
        description: "the claim lacks information or has submission or billing errors",
        rules: &[],
    },
    Reason {
        list: "CARC",
        code: "18",
        description: "exact duplicate claim or service",
        rules: &["duplicate-service"],
    },
    Reason {
        list: "CARC",
        code: "97",
        description: "the service is included in the payment for another service already adjudicated",
        rules: &["imaging-bundled"],
    },
    Reason {
        list: "CARC",
        code: "151",
        description: "the information does not support this many units or services",
        rules: &["drug-units"],
    },
    Reason {
        list: "CARC",
        code: "45",
        description: "charge exceeds the fee schedule or contracted amount (not a denial)",
        rules: &[],
    },
    Reason {
        list: "CARC",
        code: "1",
        description: "deductible amount (patient responsibility)",
        rules: &[],
    },
    Reason {
        list: "CARC",
        code: "2",
        description: "coinsurance amount (patient responsibility)",
        rules: &[],
    },
    Reason {
        list: "CARC",
        code: "3",
        description: "co-payment amount (patient responsibility)",
        rules: &[],
    },
    Reason {
        list: "RARC",
        code: "M119",
        description: "missing, incomplete or invalid NDC",
        rules: NDC,
    },
    Reason {
        list: "RARC",
        code: "M123",
        description: "missing, incomplete or invalid name, strength or dosage of the drug",
        rules: NDC,
    },
    Reason {
        list: "RARC",
        code: "N362",
        description: "the units of service exceed the acceptable maximum (MUE)",
        rules: &["mue-units"],
    },
    Reason {
        list: "RARC",
        code: "M80",
        description: "not covered when performed during the same session as another service",
        rules: &["imaging-bundled"],
    },
    Reason {
        list: "277CA",
        code: "21",
        description: "missing or invalid information",
        rules: &[],
    },
    Reason {
        list: "277CA",
        code: "254",
        description: "the principal diagnosis code is missing or invalid",
        rules: DIAGNOSIS,
    },
    Reason {
        list: "277CA",
        code: "255",
        description: "a diagnosis code is missing or invalid",
        rules: DIAGNOSIS,
    },
    Reason {
        list: "277CA",
        code: "476",
        description: "the NDC is missing or invalid",
        rules: NDC,
    },
    Reason {
        list: "277CA",
        code: "512",
        description: "the service units are missing or invalid",
        rules: &["drug-units"],
    },
];

/// The mapping's entry for `code` of `list`.
pub fn lookup(list: &str, code: &str) -> Option<&'static Reason> {
    REASONS.iter().find(|r| r.list == list && r.code == code)
}

/// Whether a CO adjustment with CARC `reason` is a denial x837 resends for (a code of the
/// mapping that names rules, or 16).
pub fn denies(reason: &str) -> bool {
    reason == "16" || lookup("CARC", reason).is_some_and(|r| !r.rules.is_empty())
}

/// The rules a CARC `reason` points to, given the remark codes said with it: CO-16 points
/// to the NDC rules only with M119 or M123.
pub fn rules_for(reason: &str, remarks: &[String]) -> Vec<&'static str> {
    if reason == "16" {
        return remarks
            .iter()
            .filter(|r| matches!(r.as_str(), "M119" | "M123"))
            .flat_map(|r| lookup("RARC", r).map_or(&[][..], |m| m.rules))
            .copied()
            .collect();
    }
    lookup("CARC", reason).map_or(Vec::new(), |r| r.rules.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_named_exists_and_every_rarc_is_on_the_list() {
        for r in REASONS {
            for id in r.rules {
                assert!(crate::report::RuleId::parse(id).is_some(), "{id}");
            }
            if r.list == "RARC" {
                assert_eq!(
                    crate::grammar::external::contains("remark_code", r.code),
                    Some(true),
                    "{}",
                    r.code
                );
            }
        }
        assert!(denies("16") && denies("4") && denies("97") && !denies("45") && !denies("1"));
        assert_eq!(rules_for("16", &[]), Vec::<&str>::new());
        assert!(rules_for("16", &["M119".into()]).contains(&"ndc-missing"));
    }
}
