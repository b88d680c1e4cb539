//! The fuzz targets' invariants (`fuzz/src/invariants.rs`) as property tests, so that
//! `cargo test` checks them without a fuzzer: over shaped X12 (samples, synth batches
//! with injected errors and the replies x837 writes, edited segment by segment, with
//! other delimiters; `fuzz/src/shape.rs`), over bytes flipped in the samples, and over
//! claim descriptions. Few cases each: the fuzzers run the millions.

#![allow(clippy::unwrap_used)]

#[path = "../fuzz/src/invariants.rs"]
#[allow(dead_code)]
mod invariants;
#[path = "../fuzz/src/shape.rs"]
#[allow(dead_code)]
mod shape;

use arbitrary::Unstructured;
use proptest::collection::vec;
use proptest::prelude::*;
use x837::scrub::Fixes;

/// A shaped input (`X837_FUZZ_SHOW=PATH` keeps the last one there).
fn shaped(bytes: &[u8], replies: bool) -> Vec<u8> {
    let x = shape::x12(&mut Unstructured::new(bytes), replies).unwrap_or_default();
    shape::show(&x);
    x
}

/// A sample with some of its bytes replaced.
fn flipped(sample: usize, flips: &[(usize, u8)]) -> Vec<u8> {
    let mut data = shape::SAMPLES[sample % shape::SAMPLES.len()].to_vec();
    for &(at, b) in flips {
        let n = data.len();
        data[at % n] = b;
    }
    data
}

fn fixes() -> impl Strategy<Value = Fixes> {
    prop_oneof![Just(Fixes::All), Just(Fixes::Repair), Just(Fixes::None)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn lexing_tiles_the_input_whatever_the_blocks(bytes in vec(any::<u8>(), 0..200), chunk in 16usize..400) {
        let x = shaped(&bytes, true);
        invariants::lex(&x);
        invariants::stream(&x, chunk);
    }

    #[test]
    fn parse_then_write_gives_the_input_back(bytes in vec(any::<u8>(), 0..200)) {
        invariants::round_trip(&shaped(&bytes, true));
    }

    #[test]
    fn flipped_bytes_lex_write_back_and_validate(sample in any::<usize>(), flips in vec((any::<usize>(), any::<u8>()), 1..6)) {
        let x = flipped(sample, &flips);
        invariants::lex(&x);
        invariants::round_trip(&x);
        invariants::validate(&x, 7);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn findings_are_positioned_and_repeatable(bytes in vec(any::<u8>(), 0..200), trickle in 1usize..64) {
        invariants::validate(&shaped(&bytes, false), trickle);
    }

    #[test]
    fn replies_read_the_same_and_findings_are_positioned(bytes in vec(any::<u8>(), 0..200), trickle in 1usize..64) {
        invariants::readers(&shaped(&bytes, true), trickle);
    }

    #[test]
    fn descriptions_give_clean_edi_or_errors_with_paths(bytes in vec(any::<u8>(), 0..300)) {
        // Too few bytes to choose with (arbitrary's NotEnoughData): nothing to check.
        if let Ok((json, valid)) = shape::description(&mut Unstructured::new(&bytes)) {
            invariants::generate(&json, valid);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn scrub_keeps_its_invariants(bytes in vec(any::<u8>(), 0..200), fixes in fixes()) {
        invariants::scrub(&shaped(&bytes, false), fixes);
    }

    #[test]
    fn scrub_of_synth_with_injected_errors_keeps_its_invariants(seed in 0u64..10_000, claims in 1u64..6, kind in 0u8..3) {
        invariants::scrub(&shape::synth(seed, claims, kind, true), Fixes::All);
    }
}
