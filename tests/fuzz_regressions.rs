//! Inputs the fuzzers found, replayed through the invariants they broke (each named after
//! its bug, under `tests/fixtures/fuzz/`), and the fuzz corpora's minimised sets
//! (`fuzz/corpus/TARGET/`) replayed through their targets' invariants.

#![allow(clippy::unwrap_used)]

#[path = "../fuzz/src/invariants.rs"]
#[allow(dead_code)]
mod invariants;
#[path = "../fuzz/src/shape.rs"]
#[allow(dead_code)]
mod shape;

use std::fs;
use std::path::PathBuf;

use x837::scrub::{Fixes, Settings, scrub};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Vec<u8> {
    fs::read(root().join("tests/fixtures/fuzz").join(name)).unwrap()
}

fn idempotent(name: &str) {
    let input = fixture(name);
    let settings = Settings::default();
    let first = scrub(&input, "fuzz", &settings);
    let second = scrub(&first.output, "fuzz", &settings);
    assert_eq!(second.fixed(), 0, "{name}: a second scrub fixed more");
    assert_eq!(
        second.output, first.output,
        "{name}: a second scrub changed the output"
    );
}

/// An SV2 in an 837P was taken for the service line: diagnosis-pointer "fixed" its
/// seventh element (SV207, not a pointer) every time, never converging.
#[test]
fn scrub_sv2_in_837p_is_not_a_service_line() {
    idempotent("scrub-sv2-in-837p.x12");
    invariants::scrub(&fixture("scrub-sv2-in-837p.x12"), Fixes::All);
}

/// An interchange whose ISA the lexer cannot read (`ISA` and a line break) is left out and
/// quarantined with the delimiters of the ISA before it, as the input was read. The check
/// counted the quarantined part's claims with the part's own unreadable ISA: 0 of the 3
/// the report left out. The scrub was right; the count now reads the part as the input
/// did (this stop's fuzzing, run 5).
#[test]
fn scrub_quarantined_part_behind_an_unreadable_isa_counts_its_claims() {
    invariants::scrub(
        &fixture("scrub-quarantined-part-behind-an-unreadable-isa.x12"),
        Fixes::All,
    );
}

/// `--split-rejected` on a transaction whose CLM the guide does not place in a claim loop
/// (no HL above it): the split found no claim, dropped the transaction from the corrected
/// output and wrote nothing to the rejected one; the claim was lost.
#[test]
fn scrub_split_keeps_a_claim_outside_the_loops() {
    invariants::scrub(&fixture("scrub-split-claim-outside-hl.x12"), Fixes::All);
}

/// An interchange whose every claim was split off is not written; a stray IEA after it
/// then started the corrected output, which was no longer X12 (and its claims were not
/// counted anywhere a reader could find them).
#[test]
fn scrub_stray_segment_after_a_split_interchange() {
    let input = fixture("scrub-stray-iea-after-split-interchange.x12");
    for fixes in [Fixes::None, Fixes::All] {
        invariants::scrub(&input, fixes);
    }
}

/// A GE inside a transaction closed its group; the real GE after the SE was then a stray
/// one, which the writer counted as a group: the corrected output's IEA01 said 2 where
/// the input's (right) said 1, a group-count error the scrub made.
#[test]
fn scrub_stray_ge_is_not_counted_as_a_group() {
    invariants::scrub(
        &fixture("scrub-stray-ge-counted-as-a-group.x12"),
        Fixes::All,
    );
}

/// Segments ended by a newline: a lone CR inside one (a line break of its own) was not
/// counted, so every later segment, and every finding on it, was a line early.
#[test]
fn lex_counts_a_cr_inside_a_newline_terminated_segment() {
    let input = fixture("lex-cr-inside-a-newline-terminated-segment.x12");
    invariants::lex(&input);
    invariants::validate(&input, 5);
    invariants::scrub(&input, Fixes::All);
}

/// `--split-rejected`: a claim of a group with no GE was split off (the rejected output
/// got copies of its ISA and GS), then the group was left out; taking the group's copy
/// back took the ISA with it, but its IEA was still written: the rejected output started
/// with a stray IEA, not X12, and its claim of the next interchange was not counted.
#[test]
fn scrub_rejected_output_drops_the_isa_with_its_group() {
    let input = fixture("scrub-split-then-group-left-out-keeps-iea.x12");
    invariants::scrub(&input, Fixes::All);
}

/// `--split-rejected` on a group outside any interchange (an IEA right after the ISA
/// closed it): its claims were split off into a rejected output that then started with
/// the group's GS, with no ISA to copy: not X12, its claims not countable.
#[test]
fn scrub_split_keeps_a_group_outside_an_interchange() {
    invariants::scrub(
        &fixture("scrub-split-group-outside-an-interchange.x12"),
        Fixes::All,
    );
}

/// `--split-rejected` on an interchange whose every claim was split off, then a
/// transaction outside any interchange (after the IEA): the corrected output started with
/// its ST, no ISA before it (found by the CI fuzz smoke). It is left out now, as a stray
/// segment there is.
#[test]
fn scrub_leaves_out_a_transaction_that_would_start_the_output() {
    for fixes in [Fixes::All, Fixes::Repair, Fixes::None] {
        invariants::scrub(
            &fixture("scrub-transaction-outside-an-interchange-after-a-split.x12"),
            fixes,
        );
    }
}

/// `--split-rejected` on an interchange whose every claim was split off, then a group
/// outside any interchange (after the IEA): the corrected output started with its GS, no
/// ISA before it, so its claim was counted nowhere a reader of the outputs could find it
/// (found by a long scrub run). The group is left out now, its claims with it.
#[test]
fn scrub_leaves_out_a_group_that_would_start_the_output() {
    for fixes in [Fixes::All, Fixes::Repair, Fixes::None] {
        invariants::scrub(
            &fixture("scrub-group-outside-an-interchange-after-a-split.x12"),
            fixes,
        );
    }
}

/// An `ISA` segment with no element separator after its id, mid-transaction: the lexer
/// read it as a plain segment (under the first ISA's delimiters), the envelope as a new
/// interchange. The first interchange was rightly left out (no IEA before that ISA), and
/// the second then started the corrected output, which did not lex (found by a long
/// scrub run). An interchange whose ISA is no header is left out now, quarantined.
#[test]
fn scrub_leaves_out_an_interchange_with_an_unreadable_isa() {
    for fixes in [Fixes::All, Fixes::Repair, Fixes::None] {
        invariants::scrub(
            &fixture("scrub-interchange-with-an-unreadable-isa.x12"),
            fixes,
        );
    }
}

/// The input's first ISA does not lex; two groups of the interchange after it are left
/// out and quarantined with their 3 claims. The invariant counted the CLMs of a
/// quarantined group with the delimiters of the input's first segment, found none, and
/// failed ("claims quarantined 0 != left out 3"; this session's scrub run): the scrub was
/// right, the check now reads a part with the delimiters its bytes were read with.
#[test]
fn scrub_quarantined_groups_read_with_their_own_interchange() {
    for fixes in [Fixes::All, Fixes::Repair, Fixes::None] {
        invariants::scrub(
            &fixture("scrub-quarantined-group-after-an-unreadable-isa.x12"),
            fixes,
        );
    }
}

/// The same check, where the input's own ISA is fine but an `ISA` inside the data before
/// the part lexes on its own with other delimiters: a part reads with the delimiters its
/// bytes were read with, not the nearest ISA's (the second scrub run of this session found
/// this one in the first fix of the check).
#[test]
fn scrub_quarantined_groups_read_as_the_input_was_read() {
    for fixes in [Fixes::All, Fixes::Repair, Fixes::None] {
        invariants::scrub(
            &fixture("scrub-quarantined-group-after-a-garbled-isa.x12"),
            fixes,
        );
    }
}

/// An IEA closing a group outside any interchange (after a first interchange whose every
/// claim was split off): the group was left out with it, and the IEA, written recounted
/// (`IEA*0`), started the corrected output, which then did not lex. A scrub fuzz run
/// (debug assertions on) found it; the session-start binary of that run wrote it too.
#[test]
fn scrub_iea_closing_an_outside_group_does_not_start_the_output() {
    for fixes in [Fixes::All, Fixes::Repair, Fixes::None] {
        invariants::scrub(
            &fixture("scrub-iea-closing-an-outside-group-after-a-split.x12"),
            fixes,
        );
    }
}

/// `imaging-bundled` removing the 77003 line of a claim that also holds an LX without a
/// service segment: the fix set CLM02 only when every remaining line had a charge, so it
/// left CLM02 as billed and the corrected claim failed `claim-balance`, which sums nothing
/// for such a line. A scrub fuzz run (debug assertions on) found it; the session-start
/// binary of that run did the same.
#[test]
fn scrub_imaging_removal_sets_clm02_beside_an_lx_without_service() {
    for fixes in [Fixes::All, Fixes::Repair, Fixes::None] {
        invariants::scrub(
            &fixture("scrub-imaging-line-removed-beside-an-lx-without-service.x12"),
            fixes,
        );
    }
}

/// A lenient ISA (165 bytes) holding `~SE*`: the stream's fast cut scanned back into the
/// ISA and cut a block inside it, so read in blocks the input failed at byte 0
/// (`IsaCutShort`) where read whole it read on.
#[test]
fn stream_does_not_cut_inside_a_long_isa() {
    let input = fixture("stream-cut-inside-a-long-isa.x12");
    for chunk in [16, 112, 200, 4096] {
        invariants::stream(&input, chunk);
    }
    invariants::lex(&input);
}

/// Every file of the minimised corpus of `target`.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fuzz/corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().path())
                .map(|p| (p.display().to_string(), fs::read(&p).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn last(data: &[u8]) -> usize {
    usize::from(data.last().copied().unwrap_or(0))
}

/// Each input as its target reads it (see `fuzz/fuzz_targets/`).
fn replay(target: &str, check: impl Fn(&[u8])) {
    let files = corpus(target);
    assert!(
        !files.is_empty(),
        "no minimised corpus for {target} under fuzz/corpus"
    );
    for (name, data) in files {
        eprintln!("{name}");
        check(&data);
    }
}

#[test]
fn minimised_corpus_lex() {
    replay("lex", |d| {
        let x = shape::input(d, true);
        invariants::lex(&x);
        invariants::stream(&x, 16 + last(d) * 3);
    });
}

#[test]
fn minimised_corpus_round_trip() {
    replay("round_trip", |d| {
        invariants::round_trip(&shape::input(d, true))
    });
}

#[test]
fn minimised_corpus_validate() {
    replay("validate", |d| {
        invariants::validate(&shape::input(d, false), 1 + last(d));
    });
}

#[test]
fn minimised_corpus_scrub() {
    replay("scrub", |d| {
        let fixes = match last(d) % 8 {
            0 => Fixes::None,
            1 => Fixes::Repair,
            _ => Fixes::All,
        };
        invariants::scrub(&shape::input(d, false), fixes);
    });
}

#[test]
fn minimised_corpus_generate() {
    replay("generate", |d| {
        if let Ok((json, valid)) = shape::description(&mut arbitrary::Unstructured::new(d)) {
            invariants::generate(&json, valid);
        }
    });
}

#[test]
fn minimised_corpus_readers() {
    replay("readers", |d| {
        invariants::readers(&shape::input(d, true), 1 + last(d));
    });
}
