//! Lexing: every byte belongs to exactly one segment or trivia, positions increase, and
//! the stream reads the same whatever its block size; the envelope reader's findings
//! are inside the input. Inputs are shaped X12 (see `x837_fuzz::shape`) or raw bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837_fuzz::{invariants, shape};

fuzz_target!(|data: &[u8]| {
    let input = shape::input(data, true);
    invariants::lex(&input);
    let chunk = 16 + usize::from(data.last().copied().unwrap_or(0)) * 3;
    invariants::stream(&input, chunk);
    let mut reader = x837::x12::Reader::new(&input);
    for unit in reader.by_ref() {
        let _ = unit;
    }
    for p in reader.take_problems() {
        assert!(p.byte <= input.len(), "an envelope problem past the end");
    }
});
