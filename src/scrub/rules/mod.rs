//! One file per rule, named after its id. `ALL` is the registry, in run order.

mod admin_code;
mod admin_code_variant;
mod admin_dos_match;
mod admin_missing;
mod claim_balance;
mod em_modifier_25;
mod imaging_bundled;
mod line_numbering;
mod ndc_missing;
mod place_of_service;
mod prior_auth;

use super::rule::Rule;

/// Every rule, in catalogue order (owners of a condition before the rules that defer).
pub static ALL: &[&dyn Rule] = &[
    &ndc_missing::NdcMissing,
    &admin_code::AdminCode,
    &admin_code_variant::AdminCodeVariant,
    &admin_missing::AdminMissing,
    &admin_dos_match::AdminDosMatch,
    &imaging_bundled::ImagingBundled,
    &place_of_service::PlaceOfService,
    &prior_auth::PriorAuth,
    &em_modifier_25::EmModifier25,
    &claim_balance::ClaimBalance,
    &line_numbering::LineNumbering,
];
