//! Issue 16's matrix through the `x837` binary on files, as a user runs it: for each size,
//! a synth 837P batch of many transactions (`x837 synth --claims N --seed 1`, about 580
//! bytes a claim, 1000 claims a transaction) and the same claims in one large transaction,
//! each clean and with `--error-rate 0.3`, it times
//!
//! - `x837 synth` writing the batch (MB/s of output);
//! - `x837 info` (lex, envelopes, claim counts: the CLI command closest to lexing; the
//!   lexer alone is `cargo bench --bench lexer`);
//! - `x837 validate`, its findings written to a file;
//! - `x837 scrub -o OUT --report r.json`, `r.txt` and `r.html` (read, validate, scrub, write,
//!   report).
//!
//! Every command runs with `--jobs 1` under `/usr/bin/time` (GNU time): one table row per
//! command with the best wall time of N runs, MB/s of input (1 MB = 10^6 bytes), the CPU
//! time (user + system) of that best run and MB/s by it (steadier than the wall time on a
//! shared machine; GNU time counts in 10 ms), and its peak resident memory. Without
//! `/usr/bin/time` the CPU and memory columns say `-`.
//!
//! `cargo bench --bench cli`. Settings from the environment:
//! - `X837_BENCH_SIZES` sizes in MB, comma-separated (default `1,100`);
//! - `X837_BENCH_RUNS` runs per command, best kept (default 3);
//! - `X837_BENCH_JOBS` the `--jobs` value (default 1);
//! - `X837_BENCH_DATA` where the inputs and outputs go (default `<target>/tmp/bench-data`;
//!   a 100 MB size needs about 1.2 GB there);
//! - `X837_BENCH_ONLY` only the rows whose command contains this text (e.g. `scrub`);
//! - `X837_BENCH_INPUT` a file to run info, validate and scrub on instead of the matrix
//!   (no synth), e.g. a 500 MB batch for `--jobs 2` against `--jobs 1`;
//! - `X837_BENCH_BIN` another x837 binary to measure (default: the one cargo builds).
//!
//! The one large transaction is made from the batch's bytes: its ISA, GS and the first
//! transaction's header (ST to 1000B), then every transaction's loops from the first HL to
//! before SE, HL01/HL02 renumbered to run on, then SE, GE, IEA. The bench checks that the
//! clean inputs validate without findings (exit code 0), so a broken input is not timed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Claims per MB of `x837 synth --kind 837p` output (about 580 bytes a claim).
const CLAIMS_PER_MB: u64 = 1730;

/// GNU time, for the peak resident memory and CPU time of each run.
const TIME: &str = "/usr/bin/time";

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn number(name: &str, default: usize) -> usize {
    setting(name, &default.to_string())
        .parse()
        .unwrap_or_else(|_| panic!("{name} must be a number"))
}

/// What one run of a command cost.
#[derive(Clone, Copy)]
struct Cost {
    wall: Duration,
    cpu: Option<f64>,
    peak_kb: Option<u64>,
}

/// How the bench runs commands: the binary, `/usr/bin/time` if present, the data dir.
struct Bench {
    bin: PathBuf,
    timed: bool,
    data: PathBuf,
    runs: usize,
    jobs: String,
    only: String,
}

impl Bench {
    /// Runs `x837 args` once, standard output to `stdout` (or nowhere). Exit codes 0 and 1
    /// are results (1: findings remain); any other fails the bench.
    fn once(&self, args: &[String], stdout: Option<&Path>) -> (Cost, i32) {
        let usage = self.data.join("time.txt");
        let mut cmd = if self.timed {
            let mut c = Command::new(TIME);
            c.arg("-f")
                .arg("%U %S %M")
                .arg("-o")
                .arg(&usage)
                .arg(&self.bin);
            c
        } else {
            Command::new(&self.bin)
        };
        cmd.args(args).current_dir(&self.data).stdin(Stdio::null());
        cmd.stdout(match stdout {
            Some(p) => Stdio::from(fs::File::create(p).expect("create the output file")),
            None => Stdio::null(),
        });
        cmd.stderr(Stdio::piped());
        let start = Instant::now();
        let out = cmd.output().expect("run x837");
        let wall = start.elapsed();
        let code = out.status.code().unwrap_or(-1);
        if code != 0 && code != 1 {
            panic!(
                "x837 {} exited with {code}:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let (cpu, peak_kb) = if self.timed {
            parse_time(&fs::read_to_string(&usage).unwrap_or_default())
        } else {
            (None, None)
        };
        (Cost { wall, cpu, peak_kb }, code)
    }

    /// Best of `runs` runs (by wall time); the exit code of the last.
    fn best(&self, args: &[String], stdout: Option<&Path>) -> (Cost, i32) {
        let mut best: Option<Cost> = None;
        let mut code = 0;
        for _ in 0..self.runs {
            let (c, k) = self.once(args, stdout);
            code = k;
            if best.is_none_or(|b| c.wall < b.wall) {
                best = Some(c);
            }
        }
        (best.expect("at least one run"), code)
    }

    /// Times a command and prints its row; `bytes` is what MB/s is counted in (the input,
    /// or for synth its output, measured after the runs).
    fn row(&self, input: &str, args: &[String], stdout: Option<&str>, bytes: &dyn Fn() -> u64) {
        let shown = match stdout {
            Some(f) => format!("x837 {} > {f}", args.join(" ")),
            None => format!("x837 {}", args.join(" ")),
        };
        if !shown.contains(&self.only) {
            return;
        }
        let (cost, _) = self.best(args, stdout.map(|f| self.data.join(f)).as_deref());
        print_row(input, &shown, bytes(), cost);
    }
}

/// `%U %S %M` as GNU time writes it (after a "Command exited with non-zero status" line).
fn parse_time(text: &str) -> (Option<f64>, Option<u64>) {
    let Some(last) = text.lines().rev().find(|l| !l.trim().is_empty()) else {
        return (None, None);
    };
    let f: Vec<&str> = last.split_whitespace().collect();
    if f.len() != 3 {
        return (None, None);
    }
    let cpu = match (f[0].parse::<f64>(), f[1].parse::<f64>()) {
        (Ok(u), Ok(s)) => Some(u + s),
        _ => None,
    };
    (cpu, f[2].parse().ok())
}

fn print_row(input: &str, command: &str, bytes: u64, c: Cost) {
    let secs = c.wall.as_secs_f64();
    let mb = bytes as f64 / 1e6;
    let cpu = c.cpu.map_or("-".into(), |s| format!("{s:.2}"));
    // 10 ms is GNU time's resolution: no CPU rate below it.
    let cpu_rate = c
        .cpu
        .filter(|&s| s >= 0.01)
        .map_or("-".into(), |s| format!("{:.1}", mb / s));
    let peak = c
        .peak_kb
        .map_or("-".into(), |k| format!("{:.0}", k as f64 / 1024.0));
    println!(
        "| {input} | `{command}` | {mb:.1} | {secs:.3} | {:.1} | {cpu} | {cpu_rate} | {peak} |",
        mb / secs
    );
}

fn header() {
    println!("| input | command | MB | best wall s | MB/s | CPU s | MB/s of CPU | peak RSS MB |");
    println!("|---|---|---|---|---|---|---|---|");
}

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

fn size_of(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// info, validate and scrub with each report format on one file in the data dir.
fn commands(b: &Bench, label: &str, file: &str) {
    let path = b.data.join(file);
    let bytes = || size_of(&path);
    let j = b.jobs.as_str();
    b.row(label, &args(&["info", "--jobs", j, file]), None, &bytes);
    b.row(
        label,
        &args(&["validate", "--jobs", j, file]),
        Some("findings.txt"),
        &bytes,
    );
    for report in ["r.json", "r.txt", "r.html"] {
        let a = [
            "scrub", "--jobs", j, file, "-o", "out.x12", "--report", report,
        ];
        b.row(label, &args(&a), None, &bytes);
    }
}

/// The id of a segment (the bytes before the first `*`).
fn id(seg: &[u8]) -> &[u8] {
    seg.split(|&c| c == b'*').next().unwrap_or(seg)
}

/// HL01/HL02 shifted by `shift` (left as written when not a number).
fn renumber(seg: &[u8], shift: usize) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = seg.split(|&c| c == b'*').map(<[u8]>::to_vec).collect();
    for p in parts.iter_mut().skip(1).take(2) {
        if let Ok(n) = std::str::from_utf8(p).unwrap_or("").parse::<usize>() {
            *p = (n + shift).to_string().into_bytes();
        }
    }
    parts.join(&b'*')
}

/// The batch's claims in one transaction (see the header); synth's delimiters `*` and `~`.
fn one_transaction(batch: &[u8]) -> Vec<u8> {
    let segs = batch
        .split(|&c| c == b'~')
        .map(|s| s.trim_ascii_start())
        .filter(|s| !s.is_empty());
    let mut out = Vec::with_capacity(batch.len());
    let push = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend_from_slice(s);
        out.extend_from_slice(b"~\n");
    };
    let (mut head_done, mut in_loops, mut transactions) = (false, false, 0usize);
    let (mut count, mut hls, mut shift, mut st02) = (0usize, 0usize, 0usize, Vec::new());
    for s in segs {
        match id(s) {
            b"ISA" | b"GS" if transactions == 0 => push(&mut out, s),
            b"ST" => {
                transactions += 1;
                in_loops = false;
                shift = hls;
                if transactions == 1 {
                    st02 = s.split(|&c| c == b'*').nth(2).unwrap_or(b"0001").to_vec();
                    push(&mut out, s);
                    count += 1;
                }
            }
            b"SE" | b"GE" | b"IEA" | b"ISA" | b"GS" => {
                in_loops = false;
                head_done |= transactions > 0;
            }
            b"HL" => {
                in_loops = true;
                hls += 1;
                push(&mut out, &renumber(s, shift));
                count += 1;
            }
            _ if in_loops || (!head_done && transactions == 1) => {
                push(&mut out, s);
                count += 1;
            }
            _ => {}
        }
    }
    let st02 = String::from_utf8_lossy(&st02);
    out.extend_from_slice(
        format!("SE*{}*{st02}~\nGE*1*1~\nIEA*1*000000001~\n", count + 1).as_bytes(),
    );
    out
}

/// One size of the matrix: synth the batch (clean, then 30% errors), build the single
/// transaction from it, and run the commands on both.
fn matrix(b: &Bench, mb: u64) {
    for rate in ["0", "0.3"] {
        let claims = (mb * CLAIMS_PER_MB).to_string();
        let batch = format!("batch-{mb}mb-e{rate}.x12");
        let mut a = args(&["synth", "--claims", &claims, "--seed", "1"]);
        if rate != "0" {
            a.extend(args(&["--error-rate", rate]));
        }
        a.extend(args(&["-o", &batch]));
        let path = b.data.join(&batch);
        let label = format!("{mb} MB batch, errors {rate}");
        if format!("x837 {}", a.join(" ")).contains(&b.only) {
            b.row(&label, &a, None, &|| size_of(&path));
        } else if !path.exists() {
            b.once(&a, None);
        }
        let single = format!("single-{mb}mb-e{rate}.x12");
        let bytes = fs::read(&path).expect("read the batch");
        fs::write(b.data.join(&single), one_transaction(&bytes)).expect("write the transaction");
        drop(bytes);
        if rate == "0" {
            for f in [&batch, &single] {
                let (_, code) = b.once(&args(&["validate", "-q", "--jobs", "1", f]), None);
                assert_eq!(code, 0, "{f} is clean: it validates without findings");
            }
        }
        commands(b, &label, &batch);
        let label = format!("{mb} MB one transaction, errors {rate}");
        commands(b, &label, &single);
    }
}

fn main() {
    let data = PathBuf::from(setting(
        "X837_BENCH_DATA",
        &format!("{}/bench-data", env!("CARGO_TARGET_TMPDIR")),
    ));
    fs::create_dir_all(&data).expect("create the data dir");
    let data = data.canonicalize().expect("the data dir");
    let b = Bench {
        bin: PathBuf::from(setting("X837_BENCH_BIN", env!("CARGO_BIN_EXE_x837"))),
        timed: Path::new(TIME).exists(),
        data,
        runs: number("X837_BENCH_RUNS", 3).max(1),
        jobs: number("X837_BENCH_JOBS", 1).to_string(),
        only: setting("X837_BENCH_ONLY", ""),
    };
    println!(
        "x837 {}, best of {} runs, --jobs {}, in {}",
        b.bin.display(),
        b.runs,
        b.jobs,
        b.data.display()
    );
    if !b.timed {
        println!("{TIME} not found: no CPU time or peak memory (Debian: apt-get install time)");
    }
    header();
    if let Ok(input) = std::env::var("X837_BENCH_INPUT") {
        let input = fs::canonicalize(&input).expect("X837_BENCH_INPUT names a file");
        commands(
            &b,
            &input.display().to_string(),
            &input.display().to_string(),
        );
        return;
    }
    for mb in setting("X837_BENCH_SIZES", "1,100").split(',') {
        let mb: u64 = mb.trim().parse().expect("X837_BENCH_SIZES: sizes in MB");
        matrix(&b, mb);
    }
}
