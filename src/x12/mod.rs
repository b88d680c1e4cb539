//! X12 syntax: delimiters, the lexer, the segment model, envelopes and the writer.
//!
//! Nothing here knows about 837; it reads and writes any X12 interchange losslessly.

pub mod control;
pub mod delimiters;
pub mod envelope;
pub mod error;
pub mod lexer;
pub mod problem;
pub mod segment;
pub mod spare;
pub mod stream;
pub mod writer;

pub use control::{Control, Counts, Renumber, Renumbered};
pub use delimiters::Delimiters;
pub use envelope::{Envelope, Reader, ReaderState, Transaction, Unit};
pub use error::{LexError, Location};
pub use lexer::Lexer;
pub use problem::{Check, Problem};
pub use segment::{Element, Segment, same};
pub use writer::{Edit, Mode, OwnedElement, OwnedSegment, Writer};
