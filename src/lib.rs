//! x837: read, validate, generate and scrub ANSI X12 837 health claims.
//!
//! The binary `x837` is a thin shell over this library; see `ARCHITECTURE.md`.
//!
//! ```
//! use x837::scrub::{scrub, Settings};
//!
//! let claim = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/scrub/ndc-missing.x12"))?;
//! let result = scrub(&claim, "ndc-missing.x12", &Settings::default());
//! // The J2326 line had no NDC: the scrub adds LIN/CTP and says so.
//! assert_eq!(result.findings[0].rule, "ndc-missing");
//! assert!(result.findings[0].fixed);
//! assert!(String::from_utf8_lossy(&result.output).contains("LIN**N4*64406005801~"));
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod ack;
pub mod claim;
pub mod digits;
pub mod echo;
pub mod generate;
pub mod grammar;
pub mod info;
pub mod input;
pub mod output;
pub mod parallel;
pub mod reply;
pub mod report;
pub mod run;
pub mod scrub;
pub mod tree;
pub mod validate;
pub mod x12;
