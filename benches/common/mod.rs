//! Timing helpers the benches share: best of N runs, MB/s lines with the peak resident
//! memory, settings from the environment. Each bench uses a subset.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// A setting from the environment (`X837_BENCH_MB`, `X837_BENCH_RUNS`), else `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `f` `runs` times and returns the best time and the last result. Resets the peak
/// resident memory first, so the next `report` shows the peak of these runs.
pub fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    reset_peak();
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

/// Prints one result line: what, milliseconds, MB/s (1 MB = 10^6 bytes), and the process's
/// peak resident memory since the last `best` (the input held in memory included).
pub fn report(what: &str, bytes: usize, d: Duration) {
    let peak = peak_mb().map_or("-".into(), |m| format!("{m:.0}"));
    println!("{} peak {peak:>5} MB", line(what, bytes, d));
}

/// The same line without the memory (for sums of timings).
pub fn report_time(what: &str, bytes: usize, d: Duration) {
    println!("{}", line(what, bytes, d));
}

fn line(what: &str, bytes: usize, d: Duration) -> String {
    let mbs = bytes as f64 / 1e6 / d.as_secs_f64();
    format!(
        "{what:<44} {:>8.1} ms {:>8.0} MB/s",
        d.as_secs_f64() * 1e3,
        mbs
    )
}

/// Resets the kernel's peak resident memory of this process (Linux: `5` to
/// `/proc/self/clear_refs`); elsewhere the peak is the process's since it started.
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident memory in MB (VmHWM of `/proc/self/status`), where Linux says it.
pub fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
