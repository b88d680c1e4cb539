//! Lexer and envelope-reader throughput on a ~100 MB 837P batch built in memory: one ISA/GS
//! around many copies of a realistic transaction. Prints MB/s (1 MB = 10^6 bytes) and the
//! peak resident memory of each stage (the input held in memory included).
//!
//! `cargo bench --bench lexer`; `X837_BENCH_MB=20` changes the size, `X837_BENCH_RUNS` the
//! number of timed runs (the best is reported).

mod common;

use std::hint::black_box;

use common::{best, env, report};
use x837::x12::{Lexer, Reader, Unit};

const ISA: &str = "ISA*00*          *00*          *ZZ*SUBMITTERS ID  *ZZ*RECEIVERS ID   *200101*1253*^*00501*000000905*0*T*:~\n";

const TRANSACTION: &str = "ST*837*{N}*005010X222A1~
BHT*0019*00*244579*20061015*1023*CH~
NM1*41*2*PREMIER BILLING SERVICE*****46*TGJ23~
PER*IC*JERRY*TE*3055552222~
NM1*40*2*KEY INSURANCE COMPANY*****46*66783JJT~
HL*1**20*1~
PRV*BI*PXC*203BF0100Y~
NM1*85*2*BEN KILDARE SERVICE*****XX*9876543210~
N3*234 SEAWAY ST~
N4*MIAMI*FL*33111~
REF*EI*587654321~
HL*2*1*22*0~
SBR*P*18*12312-A******CI~
NM1*IL*1*SMITH*TED****MI*000221111A~
N3*236 N MAIN ST~
N4*MIAMI*FL*33413~
DMG*D8*19430501*M~
NM1*PR*2*ALLIANCE HEALTH*****PI*999996666~
CLM*26463774*1040.50***11:B:1*Y*A*Y*I~
REF*D9*17312345600006351~
HI*ABK:G1221*ABF:Z1159~
NM1*82*1*KILDARE*BEN****XX*1234567893~
PRV*PE*PXC*204C00000X~
LX*1~
SV1*HC:99213:25*40.50*UN*1***1~
DTP*472*D8*20061003~
LX*2~
SV1*HC:J2326:JZ*1000*UN*12***1:2~
DTP*472*D8*20061003~
LIN**N4*71860030021~
CTP****1*UN~
REF*XZ*RX123456~
SE*{COUNT}*{N}~
";

fn build(target: usize) -> (Vec<u8>, usize) {
    let count = TRANSACTION.lines().count();
    let mut out = Vec::with_capacity(target + 4096);
    out.extend_from_slice(ISA.as_bytes());
    out.extend_from_slice(b"GS*HC*SENDER*RECEIVER*20061015*1023*1*X*005010X222A1~\n");
    let mut n = 0usize;
    while out.len() < target {
        n += 1;
        let control = format!("{:09}", n % 1_000_000_000);
        let tx = TRANSACTION
            .replace("{N}", &control)
            .replace("{COUNT}", &count.to_string());
        out.extend_from_slice(tx.as_bytes());
    }
    out.extend_from_slice(format!("GE*{n}*1~\nIEA*1*000000905~\n").as_bytes());
    (out, n)
}

fn main() {
    let mb = env("X837_BENCH_MB", 100);
    let runs = env("X837_BENCH_RUNS", 5).max(1);
    let (input, transactions) = build(mb * 1_000_000);
    let len = input.len();
    println!(
        "input: {:.1} MB, {transactions} transactions, best of {runs} runs",
        len as f64 / 1e6
    );

    // Lexing: every segment with its id and span.
    let (d, (segments, id_bytes)) = best(runs, || {
        let mut segments = 0usize;
        let mut id_bytes = 0usize;
        for seg in Lexer::new(black_box(&input)) {
            let seg = seg.expect("lexes");
            id_bytes += seg.id().len() + (seg.end() - seg.byte) % 2;
            segments += 1;
        }
        (segments, id_bytes)
    });
    black_box(id_bytes);
    report("lex (id + span of every segment)", len, d);

    // The envelope reader on top: transactions grouped, counts and control numbers checked.
    let (d, (units, findings)) = best(runs, || {
        let mut reader = Reader::new(black_box(&input));
        let mut units = 0usize;
        for u in reader.by_ref() {
            if let Unit::Transaction(t) = u.expect("reads") {
                units += t.segments.len();
            } else {
                units += 1;
            }
        }
        (units, reader.take_problems().len())
    });
    report("envelope reader (lex + ST/SE, counts)", len, d);

    // The round trip in copy mode, for reference.
    let (d, out) = best(runs.min(3), || {
        x837::x12::writer::round_trip(black_box(&input), x837::x12::Mode::Copy).expect("reads")
    });
    report("round trip (Copy)", len, d);

    assert_eq!(units, segments, "the reader hands out every segment");
    assert_eq!(findings, 0, "the generated batch is clean");
    assert_eq!(out.len(), len);
    println!("{segments} segments");
}
