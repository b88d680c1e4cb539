//! The writer with edits: untouched segments keep their bytes, edited ones are written with
//! the interchange's delimiters and their neighbours' line endings, and counts that edits
//! invalidate (SE01, GE01) are recomputed.

mod common;

use x837::x12::{Edit, Mode, OwnedSegment, Reader, Transaction, Unit, Writer};

/// A sample interchange: two transactions in one group, each segment ended by `ending`.
fn sample(ending: &str, element: u8, component: u8, isa11: u8, terminator: u8) -> Vec<u8> {
    let d = (element, component, Some(isa11));
    let mut out = common::isa(element, isa11, component, "000000001");
    let end = |out: &mut Vec<u8>| {
        out.push(terminator);
        out.extend_from_slice(ending.as_bytes());
    };
    end(&mut out);
    let mut segs = vec![common::Plain::parse(
        "GS*HC*SENDER*RECEIVER*20061015*1023*1*X*005010X222A1",
    )];
    segs.extend(common::sample_transaction("0001"));
    segs.extend(common::sample_transaction("0002"));
    segs.push(common::Plain::parse("GE*2*1"));
    segs.push(common::Plain::parse("IEA*1*000000001"));
    for s in segs {
        out.extend_from_slice(&s.render(d.0, d.1, d.2));
        end(&mut out);
    }
    out
}

fn units(input: &[u8]) -> Vec<Unit<'_>> {
    Reader::new(input)
        .collect::<Result<Vec<_>, _>>()
        .expect("reads")
}

fn first_transaction<'a>(units: &[Unit<'a>]) -> Transaction<'a> {
    units
        .iter()
        .find_map(|u| match u {
            Unit::Transaction(t) => Some(t.clone()),
            Unit::Segment(_) => None,
        })
        .expect("a transaction")
}

fn write_tx(tx: &Transaction<'_>, edits: &[Edit]) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), Mode::Copy);
    w.transaction(tx, edits).expect("write to a Vec");
    w.into_inner()
}

/// The original bytes of the transaction.
fn original(tx: &Transaction<'_>) -> Vec<u8> {
    tx.segments.iter().flat_map(|s| s.raw().to_vec()).collect()
}

fn index_of(tx: &Transaction<'_>, id: &str, nth: usize) -> usize {
    tx.segments
        .iter()
        .filter(|s| s.is(id))
        .nth(nth)
        .unwrap_or_else(|| panic!("{id} #{nth}"))
        .index
}

/// Replaces the first occurrence of `from` in `hay` by `to`.
fn replace_once(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = memchr::memmem::find(hay, from)
        .unwrap_or_else(|| panic!("{:?} not found", common::show(from)));
    [&hay[..at], to, &hay[at + from.len()..]].concat()
}

#[test]
fn no_edits_copies_the_transaction() {
    let input = sample("\r\n", b'*', b':', b'^', b'~');
    let units = units(&input);
    let tx = first_transaction(&units);
    assert_eq!(write_tx(&tx, &[]), original(&tx));
}

#[test]
fn set_rewrites_only_that_segment_and_untouched_ones_keep_their_bytes() {
    // A non-canonical untouched segment (trailing empty elements, odd spacing) must survive.
    let input = sample("\r\n", b'*', b':', b'^', b'~');
    let input = replace_once(&input, b"REF*EI*587654321~", b"REF*EI*587654321**~ ");
    let units = units(&input);
    let tx = first_transaction(&units);
    let clm = index_of(&tx, "CLM", 0);
    let out = write_tx(
        &tx,
        &[Edit::Set {
            segment: clm,
            element: 2,
            component: 0,
            value: b"99.99".to_vec(),
        }],
    );
    let want = replace_once(
        &original(&tx),
        b"CLM*26463774*1040.50***11:B:1*Y*A*Y*I~\r\n",
        b"CLM*26463774*99.99***11:B:1*Y*A*Y*I~\r\n",
    );
    assert_eq!(common::show(&out), common::show(&want));
    assert!(memchr::memmem::find(&out, b"REF*EI*587654321**~ ").is_some());
}

#[test]
fn set_uses_the_interchange_delimiters() {
    let input = sample("\n", b'|', b'>', b'$', b'_');
    let units = units(&input);
    let tx = first_transaction(&units);
    let sv1 = index_of(&tx, "SV1", 1);
    let out = write_tx(
        &tx,
        &[
            Edit::Set {
                segment: sv1,
                element: 1,
                component: 2,
                value: b"J2327".to_vec(),
            },
            Edit::Set {
                segment: sv1,
                element: 7,
                component: 3,
                value: b"3".to_vec(),
            },
        ],
    );
    let want = replace_once(
        &original(&tx),
        b"SV1|HC>J2326>JZ|1000|UN|12|||1>2_\n",
        b"SV1|HC>J2327>JZ|1000|UN|12|||1>2>3_\n",
    );
    assert_eq!(common::show(&out), common::show(&want));
}

#[test]
fn insert_takes_the_neighbours_line_ending_and_recounts_se01() {
    let input = sample("\r\n", b'*', b':', b'^', b'~');
    let units = units(&input);
    let tx = first_transaction(&units);
    let n = tx.segments.len();
    let dtp = index_of(&tx, "DTP", 0);
    let out = write_tx(
        &tx,
        &[Edit::Insert {
            after: dtp,
            segment: OwnedSegment::new("NTE", ["ADD", "CHECKED"]),
        }],
    );
    let orig = original(&tx);
    let with_nte = replace_once(
        &orig,
        b"DTP*472*D8*20061003~\r\n",
        b"DTP*472*D8*20061003~\r\nNTE*ADD*CHECKED~\r\n",
    );
    let want = replace_once(
        &with_nte,
        format!("SE*{n}*0001~\r\n").as_bytes(),
        format!("SE*{}*0001~\r\n", n + 1).as_bytes(),
    );
    assert_eq!(common::show(&out), common::show(&want));
}

#[test]
fn delete_recounts_se01() {
    let input = sample("\n", b'*', b':', b'^', b'~');
    let units = units(&input);
    let tx = first_transaction(&units);
    let n = tx.segments.len();
    let edits = [
        Edit::Delete {
            segment: index_of(&tx, "DTP", 0),
        },
        Edit::Delete {
            segment: index_of(&tx, "DTP", 1),
        },
    ];
    let out = write_tx(&tx, &edits);
    let text = common::show(&out);
    assert!(!text.contains("DTP*"), "{text}");
    assert!(text.ends_with(&format!("SE*{}*0001~\n", n - 2)), "{text}");
    // The recount agrees with the envelope reader's own count.
    let segs = common::lex_all(&input);
    let mut rebuilt = segs[..2]
        .iter()
        .flat_map(|s| s.raw().to_vec())
        .collect::<Vec<u8>>();
    rebuilt.extend_from_slice(&out);
    rebuilt.extend_from_slice(b"GE*1*1~\nIEA*1*000000001~\n");
    let mut reader = Reader::new(&rebuilt);
    for u in reader.by_ref() {
        u.expect("reads");
    }
    assert!(reader.take_problems().is_empty());
}

/// Regression: a segment inserted after a segment that is also deleted was lost, because
/// the writer skipped every edit addressed to a deleted segment.
#[test]
fn insert_after_a_deleted_segment_replaces_it() {
    let input = sample("\n", b'*', b':', b'^', b'~');
    let units = units(&input);
    let tx = first_transaction(&units);
    let n = tx.segments.len();
    let ref_d9 = index_of(&tx, "REF", 1);
    let out = write_tx(
        &tx,
        &[
            Edit::Delete { segment: ref_d9 },
            Edit::Insert {
                after: ref_d9,
                segment: OwnedSegment::new("REF", ["G1", "PA123"]),
            },
        ],
    );
    let want = replace_once(
        &original(&tx),
        b"REF*D9*17312345600006351~\n",
        b"REF*G1*PA123~\n",
    );
    // One out, one in: SE01 stays the same.
    assert!(want.ends_with(format!("SE*{n}*0001~\n").as_bytes()));
    assert_eq!(common::show(&out), common::show(&want));
}

#[test]
fn edits_for_other_transactions_are_ignored() {
    let input = sample("\n", b'*', b':', b'^', b'~');
    let units = units(&input);
    let tx = first_transaction(&units);
    let beyond = tx.segments.last().expect("SE").index + 5;
    let out = write_tx(&tx, &[Edit::Delete { segment: beyond }]);
    // Nothing of this transaction is removed; SE01 recomputed stays what it was.
    assert_eq!(out, original(&tx));
}

#[test]
fn drop_transaction_recounts_ge01_only() {
    let input = sample("\r\n", b'*', b':', b'^', b'~');
    let units = units(&input);
    let mut w = Writer::new(Vec::new(), Mode::Copy);
    let mut seen = 0;
    for u in &units {
        if let Unit::Transaction(_) = u {
            seen += 1;
            if seen == 1 {
                w.drop_transaction();
                continue;
            }
        }
        w.unit(u, &[]).expect("write to a Vec");
    }
    let out = w.into_inner();
    let text = common::show(&out);
    assert!(text.contains("GE*1*1~\r\n"), "{text}");
    assert!(text.contains("IEA*1*000000001~\r\n"), "{text}");
    assert!(!text.contains("ST*837*0001"), "{text}");
    assert!(text.contains("ST*837*0002"), "{text}");
    // What was kept is byte for byte the input, GE01 aside.
    let tx1: Vec<u8> = first_transaction(&units)
        .segments
        .iter()
        .flat_map(|s| s.raw().to_vec())
        .collect();
    let want = replace_once(&replace_once(&input, &tx1, b""), b"GE*2*1", b"GE*1*1");
    assert_eq!(common::show(&out), common::show(&want));
}

#[test]
fn reserialize_mode_applies_edits_too() {
    let input = sample("\n", b'*', b':', b'^', b'~');
    let units = units(&input);
    let tx = first_transaction(&units);
    let mut w = Writer::new(Vec::new(), Mode::Reserialize);
    let lx = index_of(&tx, "LX", 1);
    w.transaction(&tx, &[Edit::Delete { segment: lx }])
        .expect("write to a Vec");
    let out = w.into_inner();
    let want = replace_once(&original(&tx), b"LX*2~\n", b"");
    let n = tx.segments.len();
    let want = replace_once(
        &want,
        format!("SE*{n}*").as_bytes(),
        format!("SE*{}*", n - 1).as_bytes(),
    );
    assert_eq!(common::show(&out), common::show(&want));
}
