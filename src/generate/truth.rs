//! The truth file of a synth batch: for every claim the rule ids it must produce, and,
//! when `--inject` was given, the injected errors whose findings name no claim (broken
//! trailers, the HL hierarchy) and where a cut batch ends.
//!
//! ```json
//! {"claims": {
//! "SYN000000001": ["ndc-unit"]
//! },
//! "envelopes": [
//! {"variant": "se01-wrong", "interchange": "000000001", "group": "1", "transaction": "0001", "segment": 173, "rules": ["segment-count"]}
//! ],
//! "hierarchy": [
//! {"variant": "hl-parent-unknown", "interchange": "000000001", "group": "1", "transaction": "0001", "claim": "SYN000000002", "segment": 14, "rules": ["hl-structure"]}
//! ],
//! "cut": {"byte": 2040, "segment": 61, "claim": "SYN000000002"}}
//! ```
//!
//! Claims stream out as they are made; the other entries are few and kept to the end.

use std::io::{self, Write};

use crate::report::RuleId;

/// The truth file is handed to its output in chunks of about this size.
const TRUTH_FLUSH_AT: usize = 1 << 16;

/// Where a batch was cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// The file's length: the byte the cut is at.
    pub byte: u64,
    /// Index of the last segment, the one cut short (it lacks its terminator).
    pub segment: u64,
    /// The last claim written.
    pub claim: String,
}

/// One injected error outside any claim: its place and rule ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed<'a> {
    pub variant: &'a str,
    pub interchange: &'a str,
    pub group: Option<&'a str>,
    pub transaction: Option<&'a str>,
    pub claim: Option<&'a str>,
    pub segment: u64,
    pub rules: &'a [RuleId],
}

/// Streams the truth file.
pub struct Truth<T: Write> {
    out: T,
    first: bool,
    /// Entries not yet handed to `out`.
    buf: Vec<u8>,
    /// Whether the `envelopes`, `hierarchy` (and `cut`) keys are written.
    extended: bool,
    envelopes: Vec<u8>,
    hierarchy: Vec<u8>,
}

fn rule_list(b: &mut Vec<u8>, rules: &[RuleId]) {
    b.push(b'[');
    for (i, r) in rules.iter().enumerate() {
        if i > 0 {
            b.extend_from_slice(b", ");
        }
        b.push(b'"');
        b.extend_from_slice(r.as_str().as_bytes());
        b.push(b'"');
    }
    b.push(b']');
}

/// `"key": "value"` or `"key": null`, with a comma before. Values are plain ASCII
/// without quotes (variant names, control numbers, synth's claim ids).
fn field(b: &mut Vec<u8>, key: &str, value: Option<&str>) {
    b.extend_from_slice(b", \"");
    b.extend_from_slice(key.as_bytes());
    b.extend_from_slice(b"\": ");
    match value {
        Some(v) => {
            b.push(b'"');
            b.extend_from_slice(v.as_bytes());
            b.push(b'"');
        }
        None => b.extend_from_slice(b"null"),
    }
}

impl<T: Write> Truth<T> {
    /// A truth file; `extended` adds the keys for the errors outside claims.
    pub fn new(out: T, extended: bool) -> io::Result<Self> {
        let mut buf = Vec::with_capacity(TRUTH_FLUSH_AT + 256);
        buf.extend_from_slice(b"{\"claims\": {");
        Ok(Truth {
            out,
            first: true,
            buf,
            extended,
            envelopes: Vec::new(),
            hierarchy: Vec::new(),
        })
    }

    pub fn claim(&mut self, id: &str, rules: &[RuleId]) -> io::Result<()> {
        let b = &mut self.buf;
        b.extend_from_slice(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        // Synth ids and rule ids are plain ASCII without quotes: no escaping needed.
        b.push(b'"');
        b.extend_from_slice(id.as_bytes());
        b.extend_from_slice(b"\": ");
        rule_list(b, rules);
        if b.len() >= TRUTH_FLUSH_AT {
            self.out.write_all(b)?;
            b.clear();
        }
        Ok(())
    }

    /// A broken trailer (`claim` is `None`) or HL (`claim` is the claim whose HL it is).
    pub fn placed(&mut self, p: &Placed<'_>) {
        let b = if p.claim.is_some() {
            &mut self.hierarchy
        } else {
            &mut self.envelopes
        };
        b.extend_from_slice(if b.is_empty() { b"\n" } else { b",\n" });
        b.extend_from_slice(b"{\"variant\": \"");
        b.extend_from_slice(p.variant.as_bytes());
        b.push(b'"');
        field(b, "interchange", Some(p.interchange));
        field(b, "group", p.group);
        field(b, "transaction", p.transaction);
        if p.claim.is_some() {
            field(b, "claim", p.claim);
        }
        b.extend_from_slice(b", \"segment\": ");
        b.extend_from_slice(p.segment.to_string().as_bytes());
        b.extend_from_slice(b", \"rules\": ");
        rule_list(b, p.rules);
        b.push(b'}');
    }

    pub fn finish(mut self, cut: Option<&Cut>) -> io::Result<T> {
        if self.extended {
            let b = &mut self.buf;
            b.extend_from_slice(b"\n},\n\"envelopes\": [");
            b.extend_from_slice(&self.envelopes);
            b.extend_from_slice(b"\n],\n\"hierarchy\": [");
            b.extend_from_slice(&self.hierarchy);
            b.extend_from_slice(b"\n]");
            if let Some(c) = cut {
                b.extend_from_slice(
                    format!(
                        ",\n\"cut\": {{\"byte\": {}, \"segment\": {}, \"claim\": \"{}\"}}",
                        c.byte, c.segment, c.claim
                    )
                    .as_bytes(),
                );
            }
            b.extend_from_slice(b"}\n");
        } else {
            self.buf.extend_from_slice(b"\n}}\n");
        }
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}
