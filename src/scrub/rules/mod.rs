//! One file per rule, named after its id. `ALL` is the registry, in run order.

mod claim_balance;
mod line_numbering;
mod ndc_missing;

use super::rule::Rule;

/// Every rule, in catalogue order (owners of a condition before the rules that defer).
pub static ALL: &[&dyn Rule] = &[
    &ndc_missing::NdcMissing,
    &claim_balance::ClaimBalance,
    &line_numbering::LineNumbering,
];
