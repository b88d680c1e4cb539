//! `x837 scrub` throughput, library only: `x837::scrub::scrub` on a ~100 MB synth batch
//! (837P and 837I) without errors and with J2326 errors injected into 30% of the J2326
//! claims, then the JSON report of the run. Prints MB/s of input (1 MB = 10^6 bytes) and the
//! peak resident memory (the input held in memory included).
//!
//! `cargo bench --bench scrub`; `X837_BENCH_MB=20` scales the batches, `X837_BENCH_RUNS`
//! sets the number of timed runs (best kept).

mod common;

use std::hint::black_box;

use common::{best, env, report, report_time};
use x837::generate::synth::{self, SynthKind};
use x837::report::{Report, Tool, render};
use x837::scrub::Settings;

/// Claims per MB of synth output (about 640 bytes a claim).
const CLAIMS_PER_MB: u64 = 1570;

fn batch(claims: u64, error_rate: f64) -> Vec<u8> {
    let options = synth::Options {
        claims,
        seed: 1,
        kind: SynthKind::Mixed,
        error_rate,
        ..synth::Options::default()
    };
    let mut out = Vec::new();
    synth::run(&options, &mut out, None::<Vec<u8>>).expect("synth writes to memory");
    out
}

fn main() {
    let mb = env("X837_BENCH_MB", 100) as u64;
    let runs = env("X837_BENCH_RUNS", 3).max(1);
    let settings = Settings::default();
    println!("best of {runs} runs");
    for rate in [0.0, 0.3] {
        let input = batch(mb * CLAIMS_PER_MB, rate);
        let (d, s) = best(runs, || {
            x837::scrub::scrub(black_box(&input), "bench", &settings)
        });
        assert!(s.error.is_none());
        println!(
            "batch: {:.1} MB, error rate {rate}: {} claims, {} findings, {} fixed",
            input.len() as f64 / 1e6,
            s.claims,
            s.findings.len(),
            s.fixed()
        );
        report(&format!("scrub (error rate {rate})"), input.len(), d);
        let (r, rendered) = best(runs, || {
            let mut report = Report::new(Tool {
                name: "x837",
                version: "bench",
                catalog: "j2326-1",
                profile: settings.profile.clone(),
                options: serde_json::Value::Null,
                regimens: serde_json::Value::Null,
                profiles: serde_json::Value::Null,
            });
            report
                .add(
                    "bench",
                    String::new(),
                    x837::report::Outcome {
                        claims: s.claims,
                        findings: s.findings.clone().into(),
                        left_out: Vec::new(),
                        unread: false,
                        claims_split_off: 0,
                        rejected_output: None,
                        control_numbers: Vec::new(),
                        claims_not_keyed: 0,
                    },
                )
                .expect("a report in memory");
            let mut out = Vec::new();
            let _ = render::json(black_box(&report), &mut out);
            out
        });
        println!("json report: {:.1} MB", rendered.len() as f64 / 1e6);
        report(&format!("json report (error rate {rate})"), input.len(), r);
        report_time(
            &format!("scrub + json report (error rate {rate})"),
            input.len(),
            d + r,
        );
    }
}
