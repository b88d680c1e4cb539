//! `x837 validate` throughput, library only (no file reading, no output): a ~100 MB synth
//! batch of many transactions (837P and 837I), and one ~50 MB 837P transaction made by
//! repeating a synth transaction's 2000A loops with the HL numbers renumbered. Prints MB/s
//! (1 MB = 10^6 bytes) and the peak resident memory (the input held in memory included).
//!
//! `cargo bench --bench validate`; `X837_BENCH_MB=20` scales the batch (the single
//! transaction is half of it), `X837_BENCH_RUNS` sets the number of timed runs (best kept).

mod common;

use std::hint::black_box;

use common::{best, env, report};
use x837::generate::synth::{self, SynthKind};
use x837::x12::{Reader, Unit};

/// Claims per MB of synth output (about 640 bytes a claim).
const CLAIMS_PER_MB: u64 = 1570;

fn batch(claims: u64, kind: SynthKind, error_rate: f64) -> Vec<u8> {
    let options = synth::Options {
        claims,
        seed: 1,
        kind,
        error_rate,
        ..synth::Options::default()
    };
    let mut out = Vec::new();
    synth::run(&options, &mut out, None::<Vec<u8>>).expect("synth writes to memory");
    out
}

/// Replaces element `n` (from 1) of a segment body written with `*`.
fn with_element(body: &[u8], n: usize, value: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = body.split(|&b| b == b'*').collect();
    if n < parts.len() {
        parts[n] = value;
    }
    parts.join(&b'*')
}

/// One 837P transaction of about `target` bytes: the ISA, GS, ST and 1000 loops of a synth
/// transaction, its 2000A..2400 loops repeated with HL01/HL02 shifted, then SE, GE, IEA.
pub fn single_transaction(target: usize) -> Vec<u8> {
    let seed = batch(synth::CLAIMS_PER_TRANSACTION, SynthKind::Professional, 0.0);
    let mut reader = Reader::new(&seed);
    let mut head = Vec::new(); // ISA, GS
    let mut tx_head: Vec<Vec<u8>> = Vec::new(); // ST .. 1000B
    let mut body: Vec<Vec<u8>> = Vec::new(); // first HL .. before SE
    let mut hls = 0usize;
    for unit in reader.by_ref() {
        match unit.expect("synth output reads") {
            Unit::Transaction(tx) if tx_head.is_empty() => {
                for seg in &tx.segments {
                    if seg.is("SE") {
                        break;
                    }
                    let b = seg.body().to_vec();
                    if seg.is("HL") {
                        hls += 1;
                    }
                    if hls == 0 {
                        tx_head.push(b);
                    } else {
                        body.push(b);
                    }
                }
            }
            Unit::Segment(s) if s.is("ISA") || s.is("GS") => {
                head.extend_from_slice(s.body());
                head.extend_from_slice(b"~\n");
            }
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(target + (1 << 20));
    out.extend_from_slice(&head);
    let mut count = 0usize;
    for s in &tx_head {
        out.extend_from_slice(s);
        out.extend_from_slice(b"~\n");
        count += 1;
    }
    let mut copy = 0usize;
    while out.len() < target {
        let shift = copy * hls;
        for s in &body {
            if s.starts_with(b"HL*") {
                let parts: Vec<&[u8]> = s.split(|&b| b == b'*').collect();
                let num = |v: &[u8]| -> Vec<u8> {
                    let n: usize = std::str::from_utf8(v).expect("digits").parse().expect("n");
                    (n + shift).to_string().into_bytes()
                };
                let mut seg = with_element(s, 1, &num(parts[1]));
                if !parts[2].is_empty() {
                    seg = with_element(&seg, 2, &num(parts[2]));
                }
                out.extend_from_slice(&seg);
            } else {
                out.extend_from_slice(s);
            }
            out.extend_from_slice(b"~\n");
            count += 1;
        }
        copy += 1;
    }
    count += 1; // SE
    let st02 = tx_head[0].split(|&b| b == b'*').nth(2).expect("ST02");
    out.extend_from_slice(format!("SE*{count}*").as_bytes());
    out.extend_from_slice(st02);
    out.extend_from_slice(b"~\nGE*1*1~\nIEA*1*000000001~\n");
    out
}

fn main() {
    let mb = env("X837_BENCH_MB", 100) as u64;
    let runs = env("X837_BENCH_RUNS", 3).max(1);

    let input = batch(mb * CLAIMS_PER_MB, SynthKind::Mixed, 0.0);
    let (d, v) = best(runs, || {
        x837::validate::validate(black_box(&input), "bench")
    });
    println!(
        "batch: {:.1} MB, {} transactions, best of {runs} runs",
        input.len() as f64 / 1e6,
        v.transactions
    );
    assert!(
        v.error.is_none() && v.findings.is_empty(),
        "the batch is clean"
    );
    report("validate: batch of many transactions", input.len(), d);
    drop(input);

    let single = single_transaction(mb as usize * 500_000);
    let (d, v) = best(runs, || {
        x837::validate::validate(black_box(&single), "bench")
    });
    println!(
        "single transaction: {:.1} MB, {} transaction(s)",
        single.len() as f64 / 1e6,
        v.transactions
    );
    assert_eq!(v.transactions, 1);
    assert!(
        v.error.is_none() && v.findings.is_empty(),
        "the single transaction is clean: {:?}",
        v.findings.first()
    );
    report("validate: one large transaction", single.len(), d);
}
