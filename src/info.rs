//! `x837 info`: the counts a person checks first, per input.

use std::ops::ControlFlow;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::report::Finding;
use crate::x12::stream::{self, Event};
use crate::x12::{LexError, Segment, Unit};

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
                if let Some(a) = crate::claim::decimal(seg.value(2)) {
                    self.billed = self.billed.saturating_add(a);
                }
            }
            _ => {}
        }
    }
}

/// Counts `input`, named `file` in the result.
pub fn count(input: &[u8], file: &str) -> Counted {
    // Reading from memory cannot fail.
    count_read(input, file).unwrap_or_else(|_| Counted {
        info: Info::default(),
        findings: Vec::new(),
        error: None,
    })
}

/// Counts an input read as a stream, one block at a time.
pub fn count_read(read: impl std::io::Read, file: &str) -> std::io::Result<Counted> {
    let mut info = Info {
        file: file.to_string(),
        ..Info::default()
    };
    let mut error = None;
    let mut findings = Vec::new();
    stream::for_each(read, file, |event| match event {
        Event::Unit(Unit::Segment(s)) => {
            info.count(&s);
            ControlFlow::Continue(())
        }
        Event::Unit(Unit::Transaction(t)) => {
            t.segments.iter().for_each(|s| info.count(s));
            ControlFlow::Continue(())
        }
        Event::Error(e, _) => {
            error = Some(e);
            ControlFlow::Continue(())
        }
        Event::Findings(mut f) => {
            findings.append(&mut f);
            ControlFlow::Continue(())
        }
        Event::Prefix(_) => ControlFlow::Continue(()),
    })?;
    Ok(Counted {
        info,
        findings,
        error,
    })
}
