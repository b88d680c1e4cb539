//! Findings and the reports that render them.

mod finding;

pub use finding::{Finding, FixClass, Position, Severity};
