//! Errors that stop reading an input: it is not X12, or an interchange header is unusable.

use std::fmt;

/// Where in an input something is. Byte offsets and segment indices count from 0, lines
/// from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub byte: usize,
    pub segment: usize,
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "segment {} (line {}, byte {})",
            self.segment, self.line, self.byte
        )
    }
}

/// Why reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexError {
    #[error("not X12: {what} at {at}")]
    NotX12 { what: String, at: Location },
    #[error("ISA segment cut short at {at}")]
    IsaCutShort { at: Location },
    #[error("unusable ISA delimiters at {at}: {why}")]
    IsaDelimiters { why: &'static str, at: Location },
}

impl LexError {
    pub fn location(&self) -> Location {
        match self {
            LexError::NotX12 { at, .. }
            | LexError::IsaCutShort { at }
            | LexError::IsaDelimiters { at, .. } => *at,
        }
    }
}
