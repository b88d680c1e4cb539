//! The injectable errors: every variant synth can write, the rule ids validation and the
//! scrub must then report, which claims or envelopes it applies to, and the selection
//! `--inject` makes of them. Data only: how each is written is in `synth.rs` (the J2326
//! variants, edits of the claim description) and `breaks.rs` (the X12 ones, edits of
//! written segments and trailers).

use crate::report::RuleId;

/// Which kinds of claim a variant applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Both,
    Professional,
    Institutional,
}

impl Applies {
    pub fn name(self) -> &'static str {
        match self {
            Applies::Both => "both",
            Applies::Professional => "837p",
            Applies::Institutional => "837i",
        }
    }
}

/// What a variant breaks, and so where its findings land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One J2326 claim (the J2326 rule catalogue); findings name the claim.
    J2326,
    /// One ordinary (office or emergency) claim, in its 2300 loop or below; findings
    /// name the claim.
    Claim,
    /// The HL of one ordinary claim's subscriber: findings name no claim.
    Hierarchy,
    /// One transaction set's SE.
    Transaction,
    /// One functional group's GE.
    Group,
    /// The interchange's IEA.
    Interchange,
    /// The whole batch: the file is cut short.
    Batch,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::J2326 => "j2326-claim",
            Scope::Claim => "claim",
            Scope::Hierarchy => "hierarchy",
            Scope::Transaction => "transaction",
            Scope::Group => "group",
            Scope::Interchange => "interchange",
            Scope::Batch => "batch",
        }
    }
}

/// One way to break a batch: its name, the rule ids validation or the scrub must then
/// report for it (and nothing else), which kinds and what it applies to.
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    pub name: &'static str,
    pub rules: &'static [RuleId],
    /// Rule ids validation reports besides (the scrub's fix of `rules` removes them);
    /// the truth of an `--inject` batch lists them too.
    pub also: &'static [RuleId],
    pub applies: Applies,
    pub scope: Scope,
    /// Claims the variant writes: 1, or a group of claims of one patient (or one CLM01)
    /// of which only the last carries the rule ids; the others are valid alone.
    pub claims: u64,
    /// Whether the scrub needs synth's config (`samples/synth/x837.toml`: the payer ids
    /// mapped to profiles, the placeholder 50 mg NDC) for the truth to hold.
    pub config: bool,
    /// Whether synth draws it without `--inject` (the round-1 J2326 catalogue: a seed
    /// gives the batch it always has).
    pub default: bool,
}

const fn j(name: &'static str, rules: &'static [RuleId], applies: Applies) -> Variant {
    Variant {
        name,
        rules,
        also: &[],
        applies,
        scope: Scope::J2326,
        claims: 1,
        config: false,
        default: true,
    }
}

/// A J2326 variant of round 2 (`domain/j2326.md`, "Round 2"): chosen with `--inject` only.
const fn r2(name: &'static str, rules: &'static [RuleId], applies: Applies) -> Variant {
    Variant {
        name,
        rules,
        also: &[],
        applies,
        scope: Scope::J2326,
        claims: 1,
        config: false,
        default: false,
    }
}

/// A round-2 variant that holds only under synth's config.
const fn r2c(name: &'static str, rules: &'static [RuleId], applies: Applies) -> Variant {
    Variant {
        config: true,
        ..r2(name, rules, applies)
    }
}

/// A round-2 variant of `claims` claims (the cross-claim rules).
const fn r2g(name: &'static str, rules: &'static [RuleId], claims: u64) -> Variant {
    Variant {
        claims,
        ..r2(name, rules, Applies::Both)
    }
}

/// A J2326 variant whose break validation also reports under `also`.
const fn ja(
    name: &'static str,
    rules: &'static [RuleId],
    also: &'static [RuleId],
    applies: Applies,
) -> Variant {
    Variant {
        name,
        rules,
        also,
        applies,
        scope: Scope::J2326,
        claims: 1,
        config: false,
        default: true,
    }
}

const fn x(name: &'static str, rule: &'static [RuleId], scope: Scope) -> Variant {
    Variant {
        name,
        rules: rule,
        also: &[],
        applies: Applies::Both,
        scope,
        claims: 1,
        config: false,
        default: false,
    }
}

use Applies::{Both, Institutional as OnlyI, Professional as OnlyP};
use Scope::{Batch, Claim, Group, Hierarchy, Interchange, Transaction};

/// Every injected error. Notes on the truth:
/// - units 1/5/12/1200 keep CTP04 at 5: `ndc-quantity` uses the units after `drug-units`
///   (120), so only `drug-units`;
/// - N1/N2/N3 qualifiers belong to `ndc-qualifier` alone, and their LIN03 converts to the
///   J2326 NDC, so neither `ndc-format` nor `ndc-product`;
/// - a non-ML unit is `ndc-unit` alone; a LIN without CTP is `ndc-missing`;
/// - a JW line beside the JZ line also makes the date's units 144: `drug-units` too;
/// - with no SMA code on the claim the diagnosis rule that owns it reports, and
///   `diagnosis-pointer` (which fixes a pointer towards an SMA code the claim has) stays
///   silent.
const VARIANTS: &[Variant] = &[
    j("units-1", &[RuleId::DrugUnits], Both),
    j("units-5", &[RuleId::DrugUnits], Both),
    j("units-12", &[RuleId::DrugUnits], Both),
    j("units-1200", &[RuleId::DrugUnits], Both),
    j("lin-qualifier-n1", &[RuleId::NdcQualifier], Both),
    j("lin-qualifier-n2", &[RuleId::NdcQualifier], Both),
    j("lin-qualifier-n3", &[RuleId::NdcQualifier], Both),
    j("ndc-hyphenated-5-3-2", &[RuleId::NdcFormat], Both),
    j("ndc-hyphenated-5-4-2", &[RuleId::NdcFormat], Both),
    j("ndc-bare-10-digits", &[RuleId::NdcFormat], Both),
    j("ndc-unlisted-package", &[RuleId::NdcProduct], Both),
    j("ndc-other-product", &[RuleId::NdcProduct], Both),
    j("ndc-loop-missing", &[RuleId::NdcMissing], Both),
    ja(
        "ndc-lin-without-ctp",
        &[RuleId::NdcMissing],
        &[RuleId::SegmentMissing],
        Both,
    ),
    j("ndc-unit-un", &[RuleId::NdcUnit], Both),
    j("ndc-unit-other", &[RuleId::NdcUnit], Both),
    j("ndc-quantity-wrong", &[RuleId::NdcQuantity], Both),
    j("waste-jz-missing", &[RuleId::WasteModifier], Both),
    j("waste-jw-instead-of-jz", &[RuleId::WasteModifier], Both),
    j("waste-jz-and-jw-one-line", &[RuleId::WasteModifier], Both),
    j(
        "waste-jw-line-beside-jz",
        &[RuleId::WasteModifier, RuleId::DrugUnits],
        Both,
    ),
    j("waste-jz-on-admin-line", &[RuleId::WasteModifier], Both),
    j("admin-code-iv", &[RuleId::AdminCode], Both),
    j("admin-code-im-sc", &[RuleId::AdminCode], Both),
    j("admin-code-chemo", &[RuleId::AdminCode], Both),
    j("admin-code-puncture", &[RuleId::AdminCode], Both),
    j("admin-code-variant", &[RuleId::AdminCodeVariant], Both),
    j("admin-missing", &[RuleId::AdminMissing], Both),
    j("admin-other-date", &[RuleId::AdminDosMatch], Both),
    j("admin-rd8-range-misses", &[RuleId::AdminDosMatch], Both),
    j("imaging-77003", &[RuleId::ImagingBundled], Both),
    j("imaging-77012", &[RuleId::ImagingBundled], Both),
    j("diagnosis-point", &[RuleId::DiagnosisFormat], Both),
    j("diagnosis-lower-case", &[RuleId::DiagnosisFormat], Both),
    j(
        "diagnosis-g12-9-only",
        &[RuleId::DiagnosisUnspecified],
        Both,
    ),
    j("diagnosis-g12-25", &[RuleId::DiagnosisNotSma], Both),
    j("diagnosis-no-sma", &[RuleId::DiagnosisMissing], Both),
    j(
        "diagnosis-pointer-not-sma",
        &[RuleId::DiagnosisPointer],
        OnlyP,
    ),
    j("place-of-service-home", &[RuleId::PlaceOfService], OnlyP),
    j(
        "place-of-service-telehealth",
        &[RuleId::PlaceOfService],
        OnlyP,
    ),
    j(
        "place-of-service-line-home",
        &[RuleId::PlaceOfService],
        OnlyP,
    ),
    j("prior-auth-missing", &[RuleId::PriorAuth], Both),
    j("concurrent-j3399", &[RuleId::ConcurrentTherapy], Both),
    j("revenue-code-not-0636", &[RuleId::RevenueCode], OnlyI),
    j("em-without-25", &[RuleId::EmModifier25], Both),
    j("claim-total-mismatch", &[RuleId::ClaimBalance], Both),
    j("lx-out-of-order", &[RuleId::LineNumbering], Both),
    // Round 2. Groups: the claims before the last are valid alone (truth []).
    r2g("dose-interval-7-days", &[RuleId::DoseInterval], 2),
    r2g("dose-frequency-7-in-year", &[RuleId::DoseFrequency], 7),
    r2g("duplicate-claim-resent", &[RuleId::DuplicateService], 2),
    // Two claims, one CLM01: the truth names it once, with the union of both claims' ids.
    r2g("duplicate-clm01", &[RuleId::DuplicateClaimId], 2),
    r2(
        "frequency-replacement-without-f8",
        &[RuleId::ClaimFrequency],
        Both,
    ),
    r2(
        "frequency-original-with-f8",
        &[RuleId::ClaimFrequency],
        Both,
    ),
    r2c("diagnosis-primary-g12-8", &[RuleId::DiagnosisPrimary], Both),
    r2c("mue-units-over", &[RuleId::MueUnits], Both),
    r2(
        "facility-pos-22",
        &[RuleId::FacilityDrugProfessional],
        OnlyP,
    ),
    r2("ndc-missing-medicaid", &[RuleId::NdcMissing], Both),
    r2("units-500-with-12mg-ndc", &[RuleId::DrugUnits], Both),
    r2("ndc-bulk-64406-310", &[RuleId::NdcProduct], Both),
    // Valid claims the round-1 rules would have flagged: truth [].
    r2("waste-jz-missing-rhc", &[], OnlyI),
    r2c("diagnosis-g12-25-covered", &[], Both),
    r2c("high-dose-500", &[], Both),
    // The X12 variants: one condition, one finding (a cut file leaves its transaction,
    // group and interchange open: one `envelope-structure` for each, listed under the
    // truth's `envelopes`).
    x("se01-wrong", &[RuleId::SegmentCount], Transaction),
    x("se02-mismatch", &[RuleId::ControlNumber], Transaction),
    x("se-missing", &[RuleId::EnvelopeStructure], Transaction),
    x("ge01-wrong", &[RuleId::TransactionCount], Group),
    x("ge02-mismatch", &[RuleId::ControlNumber], Group),
    x("ge-missing", &[RuleId::EnvelopeStructure], Group),
    x("iea01-wrong", &[RuleId::GroupCount], Interchange),
    x("iea02-mismatch", &[RuleId::ControlNumber], Interchange),
    x("iea-missing", &[RuleId::EnvelopeStructure], Interchange),
    x("truncated", &[RuleId::EnvelopeStructure], Batch),
    x("segment-missing-hi", &[RuleId::SegmentMissing], Claim),
    x("element-missing-clm07", &[RuleId::ElementMissing], Claim),
    x(
        "segment-order-dtp-before-sv",
        &[RuleId::SegmentOrder],
        Claim,
    ),
    x("segment-unknown", &[RuleId::SegmentUnexpected], Claim),
    x("code-invalid-unit-basis", &[RuleId::CodeInvalid], Claim),
    x("element-too-long-units", &[RuleId::ElementLength], Claim),
    x("date-invalid", &[RuleId::DateFormat], Claim),
    x("clm02-unbalanced", &[RuleId::ClaimBalance], Claim),
    x("lx-gap", &[RuleId::LineNumbering], Claim),
    x("npi-check-digit", &[RuleId::NpiCheckDigit], Claim),
    x("hl-out-of-sequence", &[RuleId::HlStructure], Hierarchy),
    x("hl-parent-unknown", &[RuleId::HlStructure], Hierarchy),
];

/// Every variant, in the order `x837 synth --list` prints them.
pub fn all() -> &'static [Variant] {
    VARIANTS
}

/// The variant called `name`.
pub fn find(name: &str) -> Option<&'static Variant> {
    VARIANTS.iter().find(|v| v.name == name)
}

/// Which variants a batch may inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// One flag per entry of `all()`.
    chosen: Vec<bool>,
    /// The default: the J2326 variants only, drawn as synth always has.
    default: bool,
}

impl Default for Selection {
    /// Every J2326 variant (synth's batches without `--inject`).
    fn default() -> Self {
        Selection {
            chosen: VARIANTS
                .iter()
                .map(|v| v.scope == Scope::J2326 && v.default)
                .collect(),
            default: true,
        }
    }
}

impl Selection {
    /// `--inject ID[,ID...]`: variant names, rule ids (every variant that produces the
    /// rule) or `all`. An id that names neither a variant nor the rule of one is an error.
    pub fn parse(ids: &[&str]) -> Result<Selection, String> {
        let mut chosen = vec![false; VARIANTS.len()];
        for id in ids {
            let id = id.trim();
            if id == "all" {
                chosen.fill(true);
                continue;
            }
            let rule = RuleId::parse(id);
            let mut any = false;
            for (c, v) in chosen.iter_mut().zip(VARIANTS) {
                let produces = |r: RuleId| v.rules.contains(&r) || v.also.contains(&r);
                if v.name == id || rule.is_some_and(produces) {
                    *c = true;
                    any = true;
                }
            }
            if !any {
                let why = if rule.is_some() {
                    "no variant produces that rule"
                } else {
                    "not a variant or a rule id"
                };
                return Err(format!(
                    "--inject: unknown id {} ({why}; `x837 synth --list` lists them)",
                    crate::echo::quoted(id.as_bytes())
                ));
            }
        }
        Ok(Selection {
            chosen,
            default: false,
        })
    }

    /// No variant at all: a clean batch (with the extended truth file).
    pub fn none() -> Selection {
        Selection {
            chosen: vec![false; VARIANTS.len()],
            default: false,
        }
    }

    /// Only the variant called `name` (which must exist).
    pub fn only(name: &str) -> Selection {
        Selection {
            chosen: VARIANTS.iter().map(|v| v.name == name).collect(),
            default: false,
        }
    }

    /// True for the selection made without `--inject`.
    pub fn is_default(&self) -> bool {
        self.default
    }

    /// The chosen variants of `scope` that apply to claims of `professional` or not.
    pub fn of(&self, scope: Scope, professional: bool) -> Vec<&'static Variant> {
        VARIANTS
            .iter()
            .zip(&self.chosen)
            .filter(|(v, c)| **c && v.scope == scope)
            .filter(|(v, _)| match v.applies {
                Applies::Both => true,
                Applies::Professional => professional,
                Applies::Institutional => !professional,
            })
            .map(|(v, _)| v)
            .collect()
    }

    /// Whether any chosen variant applies to claims of `professional` or not.
    pub fn applies(&self, professional: bool) -> bool {
        VARIANTS.iter().zip(&self.chosen).any(|(v, c)| {
            *c && match v.applies {
                Applies::Both => true,
                Applies::Professional => professional,
                Applies::Institutional => !professional,
            }
        })
    }

    /// Whether any chosen variant is of `scope`.
    pub fn has(&self, scope: Scope) -> bool {
        VARIANTS
            .iter()
            .zip(&self.chosen)
            .any(|(v, c)| *c && v.scope == scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ids_select() {
        let mut names: Vec<&str> = VARIANTS.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), VARIANTS.len());
        let s = Selection::parse(&["drug-units"]).unwrap();
        let picked: Vec<&str> = s.of(Scope::J2326, true).iter().map(|v| v.name).collect();
        assert_eq!(
            picked,
            [
                "units-1",
                "units-5",
                "units-12",
                "units-1200",
                "waste-jw-line-beside-jz",
                "units-500-with-12mg-ndc"
            ]
        );
        let s = Selection::parse(&["se01-wrong", "control-number"]).unwrap();
        assert_eq!(s.of(Scope::Transaction, false).len(), 2);
        assert_eq!(s.of(Scope::Group, false).len(), 1);
        assert!(!s.has(Scope::J2326));
        assert!(Selection::parse(&["no-such-thing"]).is_err());
        assert!(Selection::parse(&["element-repeat"]).is_err());
        let all = Selection::parse(&["all"]).unwrap();
        assert!(all.chosen.iter().all(|&c| c));
        assert_eq!(Selection::default().of(Scope::J2326, true).len(), 46);
        // Round 2: chosen by name or rule id, never by default.
        let s = Selection::parse(&["dose-frequency", "high-dose-500"]).unwrap();
        let picked: Vec<&str> = s.of(Scope::J2326, false).iter().map(|v| v.name).collect();
        assert_eq!(picked, ["dose-frequency-7-in-year", "high-dose-500"]);
        assert!(
            VARIANTS
                .iter()
                .filter(|v| !v.default && v.scope == Scope::J2326)
                .all(|v| !Selection::default()
                    .of(Scope::J2326, true)
                    .iter()
                    .any(|d| d.name == v.name))
        );
        assert!(
            VARIANTS
                .iter()
                .filter(|v| v.config)
                .all(|v| v.scope == Scope::J2326 && v.claims == 1)
        );
    }
}
