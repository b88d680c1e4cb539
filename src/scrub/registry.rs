//! Every scrub rule, in the order they run: a rule that owns a condition runs before the
//! rules that defer to it.

use super::rule::Rule;
use super::rules;

/// All rules, in catalogue order.
pub fn all() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// The rule with id `id`.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.id() == id)
}
