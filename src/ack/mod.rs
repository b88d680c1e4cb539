//! Acknowledgments a clearinghouse sends back for what it received: a TA1 for an
//! interchange whose envelope is broken (or that asks for one), a 999 (005010X231A1) per
//! functional group from the validation findings, and a 277CA (005010X214) per claim
//! from those and the J2326 rules' findings. All three are X12 interchanges addressed
//! back to the sender, in the input's delimiters, with fresh control numbers.
//!
//! ```
//! use x837::ack::{acknowledge, Options};
//! use x837::x12::Control;
//!
//! let claim = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/837p-j2326.x12"))?;
//! let acks = acknowledge(&claim, "837p-j2326.x12", &[], &Options::default(), &mut Control::default());
//! assert!(String::from_utf8_lossy(&acks.k999).contains("IK5*A~"));
//! assert_eq!(acks.summary.claims_accepted, 1);
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod ca277;
pub mod envelope;
pub mod k999;
pub mod mapping;
mod received;
pub mod ta1;

use chrono::NaiveDateTime;

use crate::x12::LexError;

/// Which acknowledgments to write (`--kinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kinds {
    pub ta1: bool,
    pub k999: bool,
    pub ca277: bool,
}

impl Default for Kinds {
    fn default() -> Self {
        Kinds {
            ta1: true,
            k999: true,
            ca277: true,
        }
    }
}

impl Kinds {
    /// `ta1,999,277ca` as `--kinds` takes it: a comma-separated list of those names.
    pub fn parse(s: &str) -> Result<Kinds, String> {
        let mut k = Kinds {
            ta1: false,
            k999: false,
            ca277: false,
        };
        for part in s.split(',') {
            match part.trim().to_ascii_lowercase().as_str() {
                "ta1" => k.ta1 = true,
                "999" => k.k999 = true,
                "277ca" => k.ca277 = true,
                other => {
                    return Err(format!(
                        "unknown kind {}: expected ta1, 999 or 277ca",
                        crate::echo::cut(other)
                    ));
                }
            }
        }
        Ok(k)
    }
}

/// How to acknowledge.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub kinds: Kinds,
    /// The date and time the acknowledgments carry (ISA09/10, GS04/05, BHT, STC02, DTP).
    pub now: NaiveDateTime,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kinds: Kinds::default(),
            now: chrono::Utc::now().naive_utc(),
        }
    }
}

/// A claim that no 277CA acknowledges, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotAcknowledged {
    /// CLM01.
    pub claim: String,
    /// ISA13 of its interchange, when it is in one.
    pub interchange: Option<String>,
    /// ST02 of its transaction.
    pub transaction: String,
    pub reason: &'static str,
}

/// What the acknowledgments of one input say.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Interchanges read.
    pub interchanges: usize,
    /// Interchanges a TA1 rejects.
    pub interchanges_rejected: usize,
    /// Transaction sets a 999 acknowledges, and how many of them it rejects.
    pub transactions: usize,
    pub transactions_rejected: usize,
    /// Claims a 277CA acknowledges.
    pub claims_accepted: usize,
    pub claims_rejected: usize,
    /// Claims no 277CA acknowledges: their transaction set, group or interchange was
    /// rejected, or could not be acknowledged.
    pub not_acknowledged: Vec<NotAcknowledged>,
}

impl Summary {
    /// Whether anything was rejected.
    pub fn rejected(&self) -> bool {
        self.interchanges_rejected > 0
            || self.transactions_rejected > 0
            || self.claims_rejected > 0
            || !self.not_acknowledged.is_empty()
    }
}

/// The acknowledgments of one input: each file holds one interchange per interchange
/// of the input it answers (none when nothing of that kind is sent back).
#[derive(Debug, Default)]
pub struct Acks {
    pub ta1: Vec<u8>,
    pub k999: Vec<u8>,
    pub ca277: Vec<u8>,
    pub summary: Summary,
    /// The error that stopped reading, if any: what follows it is not acknowledged.
    pub error: Option<LexError>,
}

pub use received::acknowledge;
