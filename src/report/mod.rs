//! Findings and the reports that render them.

mod claims;
mod document;
mod finding;
mod format;
pub mod html;
pub mod limit;
pub mod render;
mod rule_id;
mod spool;
pub mod worklist;

pub use claims::{ClaimFacts, attach};
pub use document::{Input, LeftOut, Outcome, REPORT_VERSION, Report, Summary, Tally, Tool};
pub use finding::{ElementAt, Finding, FixClass, Missing, Position, Severity};
pub use format::Format;
pub use rule_id::{RuleId, Source};
pub use spool::{FindingSink, FindingSpool, Findings, unfix};
