//! Every scrub rule, in the order they run: a rule that owns a condition runs before the
//! rules that defer to it.

use super::rule::Rule;
use super::rules;
use crate::report::RuleId;

/// All rules, in catalogue order.
pub fn all() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// The rule with id `id`.
pub fn find(id: RuleId) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
}

/// The documentation of rule `id` (What it does / Why is this bad? / Example / Fix /
/// References), when it is a scrub rule: what the report's worklist shows.
pub fn doc(id: RuleId) -> Option<String> {
    find(id).map(|r| r.meta().doc())
}
