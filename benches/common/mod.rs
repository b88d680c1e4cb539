//! Timing helpers the benches share: best of N runs, MB/s lines, settings from the
//! environment. Each bench uses a subset.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// A setting from the environment (`X837_BENCH_MB`, `X837_BENCH_RUNS`), else `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `f` `runs` times and returns the best time and the last result.
pub fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        last = Some(r);
    }
    (best, last.expect("at least one run"))
}

/// Prints one result line: what, milliseconds, MB/s (1 MB = 10^6 bytes).
pub fn report(what: &str, bytes: usize, d: Duration) {
    let mbs = bytes as f64 / 1e6 / d.as_secs_f64();
    println!(
        "{what:<44} {:>8.1} ms {:>8.0} MB/s",
        d.as_secs_f64() * 1e3,
        mbs
    );
}
