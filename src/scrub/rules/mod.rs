//! One file per rule, named after its id. `ALL` is the registry, in run order.

mod admin_code;
mod admin_code_variant;
mod admin_dos_match;
mod admin_missing;
mod claim_balance;
mod claim_frequency;
mod concurrent_therapy;
mod diagnosis_format;
mod diagnosis_missing;
mod diagnosis_not_sma;
mod diagnosis_pointer;
mod diagnosis_primary;
mod diagnosis_unspecified;
mod dose_frequency;
mod dose_interval;
mod drug_units;
mod duplicate_claim_id;
mod duplicate_service;
mod em_modifier_25;
mod facility_drug_professional;
mod imaging_bundled;
mod line_numbering;
mod mue_units;
pub(crate) mod ndc_format;
mod ndc_missing;
mod ndc_product;
mod ndc_qualifier;
mod ndc_quantity;
mod ndc_unit;
mod place_of_service;
mod prior_auth;
mod revenue_code;
mod waste_modifier;

use super::rule::Rule;

/// Every rule, in catalogue order (owners of a condition before the rules that defer).
pub static ALL: &[&dyn Rule] = &[
    &ndc_missing::NdcMissing,
    &ndc_qualifier::NdcQualifier,
    &ndc_format::NdcFormat,
    &ndc_product::NdcProduct,
    &ndc_unit::NdcUnit,
    &ndc_quantity::NdcQuantity,
    &drug_units::DrugUnits,
    &waste_modifier::WasteModifier,
    &admin_code::AdminCode,
    &admin_code_variant::AdminCodeVariant,
    &admin_missing::AdminMissing,
    &admin_dos_match::AdminDosMatch,
    &imaging_bundled::ImagingBundled,
    &diagnosis_missing::DiagnosisMissing,
    &diagnosis_unspecified::DiagnosisUnspecified,
    &diagnosis_not_sma::DiagnosisNotSma,
    &diagnosis_format::DiagnosisFormat,
    &diagnosis_pointer::DiagnosisPointer,
    &diagnosis_primary::DiagnosisPrimary,
    &place_of_service::PlaceOfService,
    &prior_auth::PriorAuth,
    &concurrent_therapy::ConcurrentTherapy,
    &revenue_code::RevenueCode,
    &em_modifier_25::EmModifier25,
    &claim_balance::ClaimBalance,
    &line_numbering::LineNumbering,
    &claim_frequency::ClaimFrequency,
    &duplicate_claim_id::DuplicateClaimId,
    &mue_units::MueUnits,
    &dose_interval::DoseInterval,
    &dose_frequency::DoseFrequency,
    &duplicate_service::DuplicateService,
    &facility_drug_professional::FacilityDrugProfessional,
];
