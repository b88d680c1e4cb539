//! One file per rule, named after its id. `ALL` is the registry, in run order.

mod claim_balance;
mod concurrent_therapy;
mod diagnosis_format;
mod diagnosis_missing;
mod diagnosis_not_sma;
mod diagnosis_pointer;
mod diagnosis_unspecified;
mod drug_units;
mod line_numbering;
mod ndc_format;
mod ndc_missing;
mod ndc_product;
mod ndc_qualifier;
mod ndc_quantity;
mod ndc_unit;
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
    &diagnosis_missing::DiagnosisMissing,
    &diagnosis_unspecified::DiagnosisUnspecified,
    &diagnosis_not_sma::DiagnosisNotSma,
    &diagnosis_format::DiagnosisFormat,
    &diagnosis_pointer::DiagnosisPointer,
    &concurrent_therapy::ConcurrentTherapy,
    &revenue_code::RevenueCode,
    &claim_balance::ClaimBalance,
    &line_numbering::LineNumbering,
];
