//! `x837 synth` throughput: 200,000 mixed claims at error rate 0.2 (seed 1) written to
//! `io::sink()` through a byte counter, truth file included. Prints MB/s (1 MB = 10^6 bytes)
//! and the peak resident memory of the runs.
//!
//! `cargo bench --bench synth`; `X837_BENCH_CLAIMS` changes the batch size,
//! `X837_BENCH_RUNS` the number of timed runs (the best is reported).

mod common;

use std::hint::black_box;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use x837::generate::synth::{self, Options, SynthKind};

/// `io::sink()` that counts what it is given.
struct Counter(io::Sink, u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1 += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let claims = env("X837_BENCH_CLAIMS", 200_000);
    let runs = env("X837_BENCH_RUNS", 3).max(1);
    let options = Options {
        claims,
        seed: 1,
        kind: SynthKind::Mixed,
        error_rate: 0.2,
        ..Options::default()
    };
    let mut best = Duration::MAX;
    let mut bytes = 0;
    common::reset_peak();
    for _ in 0..runs {
        let mut out = Counter(io::sink(), 0);
        let mut truth = Counter(io::sink(), 0);
        let start = Instant::now();
        let summary = synth::run(&options, &mut out, Some(&mut truth)).expect("synth");
        let took = start.elapsed();
        black_box(&summary);
        assert_eq!(summary.bytes, out.1);
        bytes = out.1;
        best = best.min(took);
    }
    let mb = bytes as f64 / 1e6;
    let peak = common::peak_mb().map_or("-".into(), |m| format!("{m:.0}"));
    println!(
        "synth {claims} claims: {mb:.1} MB in {:.3} s (best of {runs}): {:.1} MB/s, peak {peak} MB",
        best.as_secs_f64(),
        mb / best.as_secs_f64()
    );
}
