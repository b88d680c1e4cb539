//! Memory and work that grow no faster than the input, measured at two sizes (never by
//! wall-clock time): peak resident memory of this process (reset between measurements
//! through /proc/self/clear_refs) and this thread's CPU time (/proc/thread-self/schedstat)
//! for rendering reports. One test, so nothing else runs in the process meanwhile.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::ops::ControlFlow;

/// Peak resident memory of the process since the last reset, in bytes.
fn peak() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb * 1024
}

fn current() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb * 1024
}

/// Peak memory `f` adds above what is resident when it starts.
fn peak_of(f: impl FnOnce()) -> u64 {
    fs::write("/proc/self/clear_refs", "5").unwrap();
    let base = current();
    f();
    peak().saturating_sub(base)
}

/// CPU time of this thread, in nanoseconds.
fn cpu() -> u64 {
    let s = fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn sample() -> String {
    fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/837p-j2326.x12"
    ))
    .unwrap()
}

/// The sample with `n` copies of `extra` before its SE (SE01 left as it is).
fn with_segments(extra: &str, n: usize) -> Vec<u8> {
    let s = sample();
    let se = s.find("\nSE*").unwrap() + 1;
    let mut out = String::with_capacity(s.len() + extra.len() * n);
    out.push_str(&s[..se]);
    for _ in 0..n {
        out.push_str(extra);
    }
    out.push_str(&s[se..]);
    out.into_bytes()
}

/// A batch of `n` transactions, each with one segment the guide does not expect: one
/// finding each.
fn findings_batch(n: usize) -> Vec<u8> {
    let s = sample();
    let st = s.find("ST*837*").unwrap();
    let se = s.find("\nSE*").unwrap() + 1;
    let se_end = se + s[se..].find('\n').unwrap() + 1;
    let ge = s.find("GE*").unwrap();
    let mut out = s[..st].to_string();
    let body = &s[st..se];
    for i in 0..n {
        let tx = body.replace("ST*837*0001", &format!("ST*837*{:04}", i % 9999 + 1));
        out.push_str(&tx);
        out.push_str("ZZ*1~\n");
        out.push_str(&s[se..se_end].replace("0001", &format!("{:04}", i % 9999 + 1)));
    }
    out.push_str(&s[ge..]);
    out.into_bytes()
}

fn report_of(claims: usize) -> x837::report::Report {
    use x837::report::{Finding, Outcome, Position, Report, RuleId, Severity, Tool};
    let mut findings = Vec::with_capacity(claims * 2);
    for c in 0..claims {
        for r in [RuleId::DrugUnits, RuleId::NdcMissing] {
            let mut f = Finding::new(
                r,
                Severity::Error,
                "J2326 units 100 are not one dose of 120",
                Position {
                    file: "in.x12".into(),
                    interchange: Some("000000001".into()),
                    transaction: Some(format!("{:04}", c / 50)),
                    segment: c * 30,
                    byte: c * 900,
                    text_line: c as u32 * 30 + 1,
                },
            );
            f.claim = Some(format!("CLAIM{c:07}"));
            f.before = Some("SV1*HC:J2326:JZ*12500*UN*100***1".into());
            f.after = Some("SV1*HC:J2326:JZ*12500*UN*120***1".into());
            findings.push(f);
        }
    }
    let mut report = Report::new(Tool {
        name: "x837",
        version: "test",
        catalog: "j2326-1",
        profile: "default".into(),
        options: serde_json::Value::Null,
        regimens: serde_json::Value::Null,
        profiles: serde_json::Value::Null,
    });
    report
        .add(
            "in.x12",
            String::new(),
            Outcome {
                claims,
                findings: findings.into(),
                left_out: Vec::new(),
                unread: false,
                claims_split_off: 0,
                rejected_output: None,
                control_numbers: Vec::new(),
                claims_not_keyed: 0,
            },
        )
        .unwrap();
    report
}

/// CPU time to render `report` in `format`: renders until at least 50 ms of CPU time
/// have passed (the kernel's count is coarse) and returns the time per render.
fn render_time(report: &x837::report::Report, format: x837::report::Format) -> u64 {
    let start = cpu();
    let mut n = 0;
    while cpu() - start < 50_000_000 || n < 2 {
        format.render(report, &mut std::io::sink()).unwrap();
        n += 1;
    }
    (cpu() - start) / n
}

#[test]
fn memory_and_work_grow_linearly() {
    // One transaction of many tiny segments: bounded per segment (a segment, its place
    // in the tree), not by a finding each.
    let small = with_segments("ZZ~", 300_000);
    let large = with_segments("ZZ~", 1_200_000);
    let run = |input: &[u8]| {
        peak_of(|| {
            let v =
                x837::validate::validate_each(input, "in", |_| ControlFlow::Continue(())).unwrap();
            assert_eq!(v.transactions, 1);
        })
    };
    let (a, b) = (run(&small), run(&large));
    let per_segment = (b.saturating_sub(a)) / 900_000;
    println!("validate: {per_segment} bytes per tiny segment ({a} -> {b})");
    assert!(
        per_segment <= 96,
        "validate: {per_segment} bytes per segment ({a} -> {b})"
    );
    // The scrub too (with the findings it keeps, limited per rule).
    let run = |input: &[u8]| {
        peak_of(|| {
            let s = x837::scrub::scrub(input, "in", &x837::scrub::Settings::default());
            assert!(s.findings.len() <= 1100, "{} findings", s.findings.len());
        })
    };
    let (a, b) = (run(&small), run(&large));
    let per_segment = (b.saturating_sub(a)) / 900_000;
    println!("scrub: {per_segment} bytes per tiny segment ({a} -> {b})");
    assert!(
        per_segment <= 200,
        "scrub: {per_segment} bytes per segment ({a} -> {b})"
    );

    // A million extra elements in one segment: one finding, memory of the segment's bytes.
    let wide = with_segments(&format!("REF*EA{}~", "*X".repeat(1_000_000)), 1);
    let mut n = 0;
    let m = peak_of(|| {
        x837::validate::validate_each(&wide[..], "in", |batch| {
            n += batch
                .iter()
                .filter(|f| f.rule == "element-too-many")
                .count();
            ControlFlow::Continue(())
        })
        .unwrap();
    });
    assert_eq!(n, 1);
    assert!(m < 64 << 20, "{m} bytes for a 2 MB segment");

    // Validation streams its findings: memory does not grow with them.
    let few = findings_batch(2_000);
    let many = findings_batch(8_000);
    let run = |input: &[u8]| {
        let mut seen = 0;
        let m = peak_of(|| {
            x837::validate::validate_each(input, "in", |batch| {
                seen += batch.len();
                ControlFlow::Continue(())
            })
            .unwrap();
        });
        (m, seen)
    };
    let ((a, fa), (b, fb)) = (run(&few), run(&many));
    assert!(fb >= 8_000 && fa >= 2_000, "{fa} {fb}");
    assert!(
        b < a + (8 << 20),
        "validate keeps findings: {a} -> {b} bytes for {fa} -> {fb}"
    );

    // Reports render in time linear in their findings (quadratic would be 16x).
    let (r1, r4) = (report_of(5_000), report_of(20_000));
    for format in [
        x837::report::Format::Text,
        x837::report::Format::Html,
        x837::report::Format::Json,
    ] {
        let (t1, t4) = (render_time(&r1, format), render_time(&r4, format));
        println!("{format:?} report: {t1} ns -> {t4} ns for 4x the findings");
        assert!(
            t4 < t1 * 8,
            "{format:?}: {t1} ns -> {t4} ns for 4x the findings"
        );
    }
}
