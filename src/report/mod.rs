//! Findings and the reports that render them.

mod document;
pub mod echo;
mod finding;
pub mod render;

pub use document::{Input, REPORT_VERSION, Report, Summary, Tool};
pub use finding::{Finding, FixClass, Position, Severity};
