//! Every rule id x837 can put on a finding, validation and scrub alike, in one list: a
//! typo is a compile error, and `x837 rules` lists them all. Ids are stable and never
//! reused.

use std::fmt;

/// Where a rule's findings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The envelope reader (ISA/GS/ST and their trailers).
    Envelope,
    /// Validation against the implementation guide.
    Guide,
    /// A J2326 scrub rule (`src/scrub/rules/`), documented in its own file.
    Scrub,
}

macro_rules! rule_ids {
    ($($variant:ident = $id:literal, $source:ident, $doc:literal;)*) => {
        /// A rule id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $(#[doc = $doc] $variant,)*
        }

        impl RuleId {
            /// Every id, in the order `x837 rules` lists them.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The id as it appears in reports and configs (`ndc-missing`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }

            /// Where the rule's findings come from.
            pub const fn source(self) -> Source {
                match self {
                    $(RuleId::$variant => Source::$source,)*
                }
            }

            /// One line on what the rule checks.
            pub const fn summary(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $doc,)*
                }
            }

            /// The id named `id`, if there is one.
            pub fn parse(id: &str) -> Option<RuleId> {
                match id {
                    $($id => Some(RuleId::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

rule_ids! {
    EnvelopeStructure = "envelope-structure", Envelope, "A trailer (SE, GE, IEA) is missing, or a segment stands outside the envelope it needs.";
    SegmentCount = "segment-count", Envelope, "SE01 is not the number of segments from ST to SE.";
    TransactionCount = "transaction-count", Envelope, "GE01 is not the number of transaction sets in the group.";
    GroupCount = "group-count", Envelope, "IEA01 is not the number of functional groups in the interchange.";
    ControlNumber = "control-number", Envelope, "A trailer's control number (SE02, GE02, IEA02) differs from its header's.";
    RepetitionSeparator = "repetition-separator", Envelope, "ISA11 is not a usable repetition separator; elements are not split at it.";
    SegmentUnexpected = "segment-unexpected", Guide, "A segment no loop open at that point allows.";
    SegmentOrder = "segment-order", Guide, "A segment before one the guide puts ahead of it.";
    SegmentMissing = "segment-missing", Guide, "A required segment is missing from its loop.";
    SegmentRepeat = "segment-repeat", Guide, "A segment repeats more often than the guide allows.";
    SegmentNotUsed = "segment-not-used", Guide, "A segment the guide marks not used.";
    LoopMissing = "loop-missing", Guide, "A required loop is missing.";
    LoopRepeat = "loop-repeat", Guide, "A loop repeats more often than the guide allows.";
    ElementMissing = "element-missing", Guide, "A required element is empty or absent.";
    ElementNotUsed = "element-not-used", Guide, "An element the guide marks not used has a value.";
    ElementTooMany = "element-too-many", Guide, "A segment or composite has more elements or components than the guide defines.";
    ElementRepeat = "element-repeat", Guide, "An element repeats more often than the guide allows.";
    ElementLength = "element-length", Guide, "A value is shorter or longer than the element allows (the ISA: not its fixed width).";
    ElementType = "element-type", Guide, "A value is not of the element's type (a number, a date, a time, ISA13 digits).";
    CodeInvalid = "code-invalid", Guide, "A code outside the element's list (ISA codes and GS01 included).";
    SyntaxRule = "syntax-rule", Guide, "An X12 syntax note of the segment is broken (paired, required, exclusive, conditional, list).";
    VersionMismatch = "version-mismatch", Guide, "ST03 differs from GS08.";
    GuideUnsupported = "guide-unsupported", Guide, "An 837 of a guide x837 does not carry: passed through unvalidated.";
    ClaimBalance = "claim-balance", Scrub, "CLM02 is not the sum of the line charges.";
    LineNumbering = "line-numbering", Scrub, "LX01 does not number the claim's lines 1, 2, 3...";
    HlStructure = "hl-structure", Guide, "HL01 out of sequence, or HL02 naming no earlier HL or one of the wrong level.";
    NpiCheckDigit = "npi-check-digit", Guide, "An NPI whose check digit is wrong.";
    DiagnosisCode = "diagnosis-code", Guide, "An HI diagnosis that is not shaped like an ICD-10-CM code.";
    ProcedureCodeFormat = "procedure-code-format", Guide, "A procedure code not shaped like HCPCS or CPT.";
    DateFormat = "date-format", Guide, "A date that is not a valid D8 or RD8 date.";
    NdcMissing = "ndc-missing", Scrub, "A J2326 line has no NDC (2410 LIN/CTP).";
    NdcQualifier = "ndc-qualifier", Scrub, "LIN02 is not N4.";
    NdcFormat = "ndc-format", Scrub, "The NDC is not 11 digits in the 5-4-2 form.";
    NdcProduct = "ndc-product", Scrub, "The NDC is not a Spinraza package.";
    NdcUnit = "ndc-unit", Scrub, "The CTP unit is not ML.";
    NdcQuantity = "ndc-quantity", Scrub, "The CTP quantity does not match the units billed.";
    DrugUnits = "drug-units", Scrub, "The J2326 units are not one dose.";
    WasteModifier = "waste-modifier", Scrub, "The J2326 line lacks JZ, or carries JW.";
    AdminCode = "admin-code", Scrub, "The administration line bills a code that is not an intrathecal injection.";
    AdminCodeVariant = "admin-code-variant", Scrub, "The intrathecal administration code is not the one the profile expects.";
    AdminMissing = "admin-missing", Scrub, "J2326 is billed without an administration line.";
    AdminDosMatch = "admin-dos-match", Scrub, "The drug and its administration are on different dates.";
    ImagingBundled = "imaging-bundled", Scrub, "Imaging guidance billed beside a code that includes it.";
    DiagnosisMissing = "diagnosis-missing", Scrub, "The claim has no spinal muscular atrophy diagnosis.";
    DiagnosisUnspecified = "diagnosis-unspecified", Scrub, "The SMA diagnosis is G12.9 (unspecified) where a typed code is expected.";
    DiagnosisNotSma = "diagnosis-not-sma", Scrub, "The J2326 line points only at diagnoses that are not SMA.";
    DiagnosisFormat = "diagnosis-format", Scrub, "A diagnosis written with a point or in lower case.";
    DiagnosisPointer = "diagnosis-pointer", Scrub, "The J2326 line's diagnosis pointer is missing or points at no SMA diagnosis.";
    PlaceOfService = "place-of-service", Scrub, "The place of service does not fit the drug's administration.";
    PriorAuth = "prior-auth", Scrub, "No prior authorization number (REF*G1).";
    ConcurrentTherapy = "concurrent-therapy", Scrub, "Another SMA therapy on the same claim.";
    RevenueCode = "revenue-code", Scrub, "The 837I J2326 line's revenue code is not 0636.";
    EmModifier25 = "em-modifier-25", Scrub, "An E/M visit on the injection date without modifier 25.";
    ClaimFrequency = "claim-frequency", Scrub, "A replacement or void without the payer's claim number (REF*F8), or an original with one.";
    DiagnosisPrimary = "diagnosis-primary", Scrub, "The J2326 line's primary diagnosis is not one the payer's policy lists first.";
    MueUnits = "mue-units", Scrub, "J2326 units above the profile's medically unlikely edit.";
    DuplicateClaimId = "duplicate-claim-id", Scrub, "Two claims of one transaction with the same CLM01.";
    DoseInterval = "dose-interval", Scrub, "Two doses of one patient in the run less than 14 days apart.";
    DoseFrequency = "dose-frequency", Scrub, "More doses of one patient in 365 days than the profile allows.";
    DuplicateService = "duplicate-service", Scrub, "The same J2326 service billed twice in the run (CARC 18).";
    FacilityDrugProfessional = "facility-drug-professional", Scrub, "An 837P J2326 line at a facility place of service, where the facility bills the drug.";
    ScrubNotConverged = "scrub-not-converged", Scrub, "Fixes kept producing fixes; the transaction is left as read.";
}

impl RuleId {
    /// The scrub rule ids, for a config that turns rules off or changes severities.
    pub fn scrub(id: &str) -> Option<RuleId> {
        RuleId::parse(id).filter(|r| r.source() == Source::Scrub && *r != RuleId::ScrubNotConverged)
    }
}

impl From<crate::x12::Check> for RuleId {
    fn from(c: crate::x12::Check) -> RuleId {
        use crate::x12::Check;
        match c {
            Check::Structure => RuleId::EnvelopeStructure,
            Check::SegmentCount => RuleId::SegmentCount,
            Check::TransactionCount => RuleId::TransactionCount,
            Check::GroupCount => RuleId::GroupCount,
            Check::ControlNumber => RuleId::ControlNumber,
            Check::RepetitionSeparator => RuleId::RepetitionSeparator,
            Check::IsaWidth => RuleId::ElementLength,
            Check::IsaCode => RuleId::CodeInvalid,
            Check::IsaDigits => RuleId::ElementType,
            Check::ControlMissing => RuleId::ElementMissing,
            Check::ControlTooMany => RuleId::ElementTooMany,
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        RuleId::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown rule id {s}")))
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl AsRef<str> for RuleId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in RuleId::ALL {
            assert!(seen.insert(r.as_str()), "{r} twice");
            assert_eq!(RuleId::parse(r.as_str()), Some(*r));
        }
        assert_eq!(RuleId::parse("ndc-missin"), None);
    }

    #[test]
    fn every_envelope_check_has_its_id() {
        use crate::x12::Check;
        for c in [
            Check::Structure,
            Check::SegmentCount,
            Check::TransactionCount,
            Check::GroupCount,
            Check::ControlNumber,
            Check::RepetitionSeparator,
            Check::IsaWidth,
            Check::IsaCode,
            Check::IsaDigits,
            Check::ControlMissing,
            Check::ControlTooMany,
        ] {
            assert_eq!(RuleId::from(c).as_str(), c.id());
        }
    }
}
