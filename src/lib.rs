//! x837: read, validate, generate and scrub ANSI X12 837 health claims.
//!
//! The binary `x837` is a thin shell over this library; see `ARCHITECTURE.md`.

pub mod claim;
pub mod generate;
pub mod grammar;
pub mod info;
pub mod input;
pub mod output;
pub mod report;
pub mod scrub;
pub mod tree;
pub mod validate;
pub mod x12;
