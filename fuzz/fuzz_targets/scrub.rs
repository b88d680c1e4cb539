//! The scrub as `x837 scrub -o OUT --report R.json --split-rejected DIR --quarantine DIR`
//! runs it: the output lexes and validates at least as clean as the input, rule by rule;
//! a second scrub fixes nothing and changes nothing; edited or inserted segments are
//! valid by the guide; the report, the summary line and the exit status agree; every
//! claim read is written, split off or left out (and quarantined) exactly once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837::scrub::Fixes;
use x837_fuzz::{invariants, shape};

fuzz_target!(|data: &[u8]| {
    let input = shape::input(data, false);
    let fixes = match data.last().copied().unwrap_or(0) % 8 {
        0 => Fixes::None,
        1 => Fixes::Repair,
        _ => Fixes::All,
    };
    invariants::scrub(&input, fixes);
});
