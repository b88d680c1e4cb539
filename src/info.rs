//! `x837 info`: the counts a person checks first, per input.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::report::Finding;
use crate::x12::{LexError, Reader, Segment, Unit};

/// Counts of one input. `segments` counts every segment, ISA to IEA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Info {
    pub file: String,
    pub interchanges: u64,
    pub groups: u64,
    pub transactions: u64,
    pub segments: u64,
    /// CLM segments.
    pub claims: u64,
    /// LX segments.
    pub lines: u64,
    /// Sum of CLM02, as a decimal string.
    #[serde(serialize_with = "decimal_string")]
    pub billed: Decimal,
}

fn decimal_string<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

/// The result of counting one input: the counts, envelope findings, and the error that
/// stopped reading, if any (the counts then cover what was read before it).
#[derive(Debug)]
pub struct Counted {
    pub info: Info,
    pub findings: Vec<Finding>,
    pub error: Option<LexError>,
}

impl Info {
    fn count(&mut self, seg: &Segment<'_>) {
        self.segments += 1;
        match seg.id() {
            b"ISA" => self.interchanges += 1,
            b"GS" => self.groups += 1,
            b"ST" => self.transactions += 1,
            b"LX" => self.lines += 1,
            b"CLM" => {
                self.claims += 1;
                let amount = std::str::from_utf8(seg.value(2))
                    .ok()
                    .and_then(|s| s.trim().parse::<Decimal>().ok());
                if let Some(a) = amount {
                    self.billed = self.billed.saturating_add(a);
                }
            }
            _ => {}
        }
    }
}

/// Counts `input`, named `file` in the result.
pub fn count(input: &[u8], file: &str) -> Counted {
    let mut info = Info {
        file: file.to_string(),
        ..Info::default()
    };
    let mut reader = Reader::new(input, file);
    let mut error = None;
    for unit in reader.by_ref() {
        match unit {
            Ok(Unit::Segment(s)) => info.count(&s),
            Ok(Unit::Transaction(t)) => t.segments.iter().for_each(|s| info.count(s)),
            Err(e) => error = Some(e),
        }
    }
    Counted {
        info,
        findings: reader.take_findings(),
        error,
    }
}
