//! Envelope checks: wrong counts, control numbers that differ, missing trailers and
//! segments outside their envelope are findings with a position, never a stop.

mod common;

use x837::report::{Finding, Severity};
/// The envelope checks' rule ids, as the findings carry them.
mod rules {
    use x837::report::RuleId;
    pub const STRUCTURE: RuleId = RuleId::EnvelopeStructure;
    pub const SEGMENT_COUNT: RuleId = RuleId::SegmentCount;
    pub const TRANSACTION_COUNT: RuleId = RuleId::TransactionCount;
    pub const GROUP_COUNT: RuleId = RuleId::GroupCount;
    pub const CONTROL_NUMBER: RuleId = RuleId::ControlNumber;
    pub const REPETITION_SEPARATOR: RuleId = RuleId::RepetitionSeparator;
}
use x837::x12::{Reader, Unit};

/// Joins segments (standard delimiters) with `~\n`, after a standard ISA.
fn file(control: &str, segments: &[&str]) -> Vec<u8> {
    let mut out = common::isa(b'*', b'^', b':', control);
    out.extend_from_slice(b"~\n");
    for s in segments {
        out.extend_from_slice(s.as_bytes());
        out.extend_from_slice(b"~\n");
    }
    out
}

struct Read {
    findings: Vec<Finding>,
    transactions: usize,
    units: usize,
}

fn read(input: &[u8]) -> Read {
    let mut reader = Reader::new(input);
    let mut transactions = 0;
    let mut units = 0;
    for unit in reader.by_ref() {
        units += 1;
        if let Unit::Transaction(_) = unit.expect("reads") {
            transactions += 1;
        }
    }
    Read {
        findings: (reader.take_problems().into_iter())
            .map(|p| Finding::from_problem(p, "test.x12"))
            .collect(),
        transactions,
        units,
    }
}

/// Byte offset and line of the segment starting with `start` (the first such).
fn where_is(input: &[u8], start: &str) -> (usize, u32) {
    let needle = format!("\n{start}");
    let at = memchr::memmem::find(input, needle.as_bytes()).expect("segment in input") + 1;
    let line = 1 + input[..at].iter().filter(|&&b| b == b'\n').count() as u32;
    (at, line)
}

fn assert_finding(
    input: &[u8],
    f: &Finding,
    rule: x837::report::RuleId,
    segment: usize,
    starts: &str,
) {
    assert_eq!(f.rule, rule, "{f}");
    assert_eq!(f.severity, Severity::Error, "{f}");
    assert_eq!(f.position.segment, segment, "{f}");
    let (byte, line) = where_is(input, starts);
    assert_eq!(f.position.byte, byte, "{f}");
    assert_eq!(f.position.text_line, line, "{f}");
    assert_eq!(f.position.file, "test.x12");
    let shown = f.to_string();
    assert!(
        shown.contains(&format!("segment {segment} (line {line}, byte {byte})")),
        "{shown}"
    );
}

#[test]
fn a_clean_interchange_has_no_findings() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1",
            "ST*837*0001",
            "BHT*0019*00*1*20200101*1200*CH",
            "SE*3*0001",
            "ST*837*0002",
            "BHT*0019*00*1*20200101*1200*CH",
            "SE*3*0002",
            "GE*2*7",
            "IEA*1*000000001",
        ],
    );
    let r = read(&input);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert_eq!(r.transactions, 2);
}

#[test]
fn wrong_counts_and_control_numbers() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1", // 1
            "ST*837*0001",                              // 2
            "BHT*0019*00*1*20200101*1200*CH",           // 3
            "SE*5*0002",                                // 4: 3 segments; ST02 0001
            "GE*2*8",                                   // 5: 1 transaction; GS06 7
            "IEA*2*000000002",                          // 6: 1 group; ISA13 ...1
        ],
    );
    let r = read(&input);
    let f = &r.findings;
    assert_eq!(f.len(), 6, "{f:#?}");
    assert_finding(&input, &f[0], rules::SEGMENT_COUNT, 4, "SE*");
    assert!(f[0].message.contains("says 5"), "{}", f[0].message);
    assert!(f[0].message.contains("there are 3"), "{}", f[0].message);
    assert_eq!(f[0].position.transaction.as_deref(), Some("0001"));
    assert_eq!(f[0].position.interchange.as_deref(), Some("000000001"));
    assert_finding(&input, &f[1], rules::CONTROL_NUMBER, 4, "SE*");
    assert!(f[1].message.contains("ST02"), "{}", f[1].message);
    assert_finding(&input, &f[2], rules::TRANSACTION_COUNT, 5, "GE*");
    assert_finding(&input, &f[3], rules::CONTROL_NUMBER, 5, "GE*");
    assert!(f[3].message.contains("GS06"), "{}", f[3].message);
    assert_finding(&input, &f[4], rules::GROUP_COUNT, 6, "IEA*");
    assert_finding(&input, &f[5], rules::CONTROL_NUMBER, 6, "IEA*");
    assert!(f[5].message.contains("ISA13"), "{}", f[5].message);
}

#[test]
fn control_numbers_match_despite_leading_zeros() {
    let input = file(
        "000000905",
        &[
            "GS*HC*S*R*20200101*1200*0007*X*005010X222A1",
            "ST*837*0001",
            "SE*2*1",
            "GE*1*7",
            "IEA*1*905",
        ],
    );
    assert!(read(&input).findings.is_empty());
}

#[test]
fn missing_se_is_found_at_the_next_envelope_segment() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1",
            "ST*837*0001",
            "BHT*0019*00*1*20200101*1200*CH",
            "GE*1*7",
            "IEA*1*000000001",
        ],
    );
    let r = read(&input);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert_finding(&input, &r.findings[0], rules::STRUCTURE, 4, "GE*");
    assert!(r.findings[0].message.contains("no SE"));
    assert_eq!(r.findings[0].position.transaction.as_deref(), Some("0001"));
    // The open transaction is still handed out, so nothing is lost.
    assert_eq!(r.transactions, 1);
}

#[test]
fn missing_ge_then_a_group_outside_any_interchange() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1",
            "ST*837*0001",
            "SE*2*0001",
            "IEA*1*000000001",
            "GS*HC*S*R*20200101*1200*9*X*005010X222A1",
            "ST*837*0002",
            "SE*2*0002",
            "GE*1*9",
        ],
    );
    let r = read(&input);
    let f = &r.findings;
    // The IEA closed the interchange: the second group is outside one, not "no IEA".
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_finding(&input, &f[0], rules::STRUCTURE, 4, "IEA*");
    assert!(
        f[0].message.contains("group 7 has no GE"),
        "{}",
        f[0].message
    );
    assert_finding(
        &input,
        &f[1],
        rules::STRUCTURE,
        5,
        "GS*HC*S*R*20200101*1200*9",
    );
    assert!(f[1].message.contains("GS outside"), "{}", f[1].message);
    assert_eq!(f[1].position.interchange, None);
}

/// A group without GE counts in IEA01 whether IEA or the next GS closes it: one missing
/// GE is one finding (`envelope-structure`), never also a `group-count`.
#[test]
fn a_group_without_ge_counts_in_iea01_before_another_group() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1",
            "ST*837*0001",
            "SE*2*0001",
            "GS*HC*S*R*20200101*1200*8*X*005010X222A1",
            "ST*837*0002",
            "SE*2*0002",
            "GE*1*8",
            "IEA*2*000000001",
        ],
    );
    let r = read(&input);
    let f = &r.findings;
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_finding(
        &input,
        &f[0],
        rules::STRUCTURE,
        4,
        "GS*HC*S*R*20200101*1200*8",
    );
    assert!(
        f[0].message.contains("group 7 has no GE"),
        "{}",
        f[0].message
    );
}

#[test]
fn missing_iea_is_found_at_the_last_segment() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1",
            "ST*837*0001",
            "SE*2*0001",
            "GE*1*7",
        ],
    );
    let r = read(&input);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert_finding(&input, &r.findings[0], rules::STRUCTURE, 4, "GE*");
    assert!(
        r.findings[0]
            .message
            .contains("interchange 000000001 has no IEA")
    );
}

#[test]
fn missing_se_at_end_of_input() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1",
            "ST*837*0001",
            "BHT*0019*00*1*20200101*1200*CH",
        ],
    );
    let r = read(&input);
    let msgs: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(r.findings.len(), 3, "{msgs:?}");
    assert!(msgs[0].contains("no SE"));
    assert!(msgs[1].contains("no GE"));
    assert!(msgs[2].contains("no IEA"));
    for f in &r.findings {
        assert_finding(&input, f, rules::STRUCTURE, 3, "BHT*");
    }
    assert_eq!(r.transactions, 1);
}

#[test]
fn segments_outside_a_transaction() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1",
            "NM1*41*2*STRAY",
            "ST*837*0001",
            "SE*2*0001",
            "SE*2*0001",
            "GE*1*7",
            "GE*1*7",
            "IEA*1*000000001",
            "IEA*1*000000001",
        ],
    );
    let r = read(&input);
    let f = &r.findings;
    assert_eq!(f.len(), 4, "{f:#?}");
    assert_finding(&input, &f[0], rules::STRUCTURE, 2, "NM1*");
    assert!(f[0].message.contains("NM1 outside a transaction set"));
    assert_eq!(f[0].position.transaction, None);
    assert_eq!(f[1].position.segment, 5);
    assert!(f[1].message.contains("SE outside"), "{}", f[1].message);
    assert_eq!(f[2].position.segment, 7);
    assert!(f[2].message.contains("GE without GS"), "{}", f[2].message);
    assert_eq!(f[3].position.segment, 9);
    assert!(f[3].message.contains("IEA without ISA"), "{}", f[3].message);
    // Every segment comes out as a unit: ISA, GS, NM1, tx, SE, GE, GE, IEA, IEA.
    assert_eq!(r.units, 9);
}

#[test]
fn st_outside_a_group() {
    let input = file(
        "000000001",
        &["ST*837*0001", "SE*2*0001", "IEA*0*000000001"],
    );
    let r = read(&input);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert_finding(&input, &r.findings[0], rules::STRUCTURE, 1, "ST*");
    assert!(
        r.findings[0]
            .message
            .contains("ST outside a functional group")
    );
}

#[test]
fn isa11_letter_is_a_warning_with_position() {
    let mut input = common::isa(b'*', b'U', b':', "000000001");
    input.extend_from_slice(b"~\nIEA*0*000000001~\n");
    let r = read(&input);
    assert_eq!(r.findings.len(), 1);
    let f = &r.findings[0];
    assert_eq!(f.rule, rules::REPETITION_SEPARATOR);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        (f.position.segment, f.position.byte, f.position.text_line),
        (0, 0, 1)
    );
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn corpus_16_wrong_se01_is_found() {
    let (_, bytes) = common::corpus_file("16");
    let mut reader = Reader::new(&bytes);
    for u in reader.by_ref() {
        u.expect("reads");
    }
    let f: Vec<Finding> = (reader.take_problems().into_iter())
        .map(|p| Finding::from_problem(p, "16"))
        .collect();
    let counts: Vec<&Finding> = f
        .iter()
        .filter(|f| f.rule == rules::SEGMENT_COUNT)
        .collect();
    assert_eq!(counts.len(), 1, "{f:#?}");
    assert!(
        counts[0].message.contains("says 25"),
        "{}",
        counts[0].message
    );
    assert!(
        counts[0].message.contains("there are 34"),
        "{}",
        counts[0].message
    );
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn every_x12_corpus_file_reads_to_the_end() {
    for (name, bytes) in common::x12_corpus() {
        let mut reader = Reader::new(&bytes);
        let mut segments = 0;
        for unit in reader.by_ref() {
            match unit.unwrap_or_else(|e| panic!("{name}: {e}")) {
                Unit::Segment(_) => segments += 1,
                Unit::Transaction(t) => {
                    assert!(t.segments[0].is("ST"), "{name}");
                    segments += t.segments.len();
                }
            }
        }
        assert_eq!(segments, common::lex_all(&bytes).len(), "{name}");
        for f in reader.take_problems() {
            assert!(f.byte < bytes.len(), "{name}: {f}");
        }
    }
}

/// Regression: trailers missing at the end of input were reported at the open header
/// (the GS or the ISA, segment 1 or 0), not where the input ended.
#[test]
fn missing_ge_and_iea_at_end_point_at_the_last_segment() {
    let input = file(
        "000000001",
        &[
            "GS*HC*S*R*20200101*1200*7*X*005010X222A1",
            "ST*837*0001",
            "SE*2*0001",
        ],
    );
    let r = read(&input);
    assert_eq!(r.findings.len(), 2, "{:#?}", r.findings);
    assert!(r.findings[0].message.contains("no GE"));
    assert!(r.findings[1].message.contains("no IEA"));
    for f in &r.findings {
        assert_finding(&input, f, rules::STRUCTURE, 3, "SE*");
    }
}
