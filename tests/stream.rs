//! Streaming gives the same units, positions and findings as reading the whole input at
//! once, whatever the block size: over the corpus, the samples and generated batches, with
//! read-ahead chunks from 16 bytes (every segment on a block edge) to the default.

#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::ops::ControlFlow;
use std::path::PathBuf;

use x837::x12::stream::{self, Event};
use x837::x12::{Reader, Unit};

/// A unit as comparable text: kind, segment positions and raw bytes.
fn describe(unit: &Unit<'_>) -> String {
    let segs = match unit {
        Unit::Segment(s) => vec![*s],
        Unit::Transaction(t) => t.segments.clone(),
    };
    let kind = match unit {
        Unit::Segment(_) => "segment".to_string(),
        Unit::Transaction(t) => format!(
            "tx {:?} {:?}",
            String::from_utf8_lossy(t.interchange()),
            String::from_utf8_lossy(t.version())
        ),
    };
    let body: Vec<String> = segs
        .iter()
        .map(|s| {
            format!(
                "{}@{}:{}:{}={:?}",
                s.index,
                s.byte,
                s.line,
                s.delimiters.element,
                String::from_utf8_lossy(s.raw())
            )
        })
        .collect();
    format!("{kind} [{}]", body.join(" "))
}

fn whole(input: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut reader = Reader::new(input);
    let mut units = Vec::new();
    let prefix = reader.prefix().to_vec();
    units.push(format!("prefix {prefix:?}"));
    for u in reader.by_ref() {
        match u {
            Ok(u) => units.push(describe(&u)),
            Err(e) => units.push(format!("error {e}")),
        }
    }
    let findings = reader
        .take_problems()
        .iter()
        .map(|f| f.to_string())
        .collect();
    (units, findings)
}

fn streamed(input: &[u8], chunk: usize) -> (Vec<String>, Vec<String>) {
    let mut units = Vec::new();
    let mut findings = Vec::new();
    stream::for_each_with_chunk(input, chunk, |e| {
        match e {
            Event::Prefix(p) => units.push(format!("prefix {:?}", p.to_vec())),
            Event::Unit(u) => units.push(describe(&u)),
            Event::Error(e, _) => units.push(format!("error {e}")),
            Event::Problems(f) => findings.extend(f.iter().map(|f| f.to_string())),
        }
        ControlFlow::Continue(())
    })
    .unwrap();
    (units, findings)
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        common::corpus_dir(),
        root.join("samples"),
        root.join("samples/scrub"),
    ] {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                out.push((p.display().to_string(), fs::read(&p).unwrap()));
            }
        }
    }
    let mut batch = Vec::new();
    let options = x837::generate::synth::Options {
        claims: 3000,
        seed: 5,
        kind: x837::generate::synth::SynthKind::Mixed,
        error_rate: 0.3,
        control: x837::generate::Control {
            isa13: 1,
            gs06: 1,
            st02: 1,
        },
    };
    x837::generate::synth::run(&options, &mut batch, None::<&mut Vec<u8>>).unwrap();
    out.push(("synth".into(), batch));
    out
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn blocks_of_any_size_read_like_the_whole_input() {
    for (name, input) in inputs() {
        let expected = whole(&input);
        for chunk in [16, 100, 997, 1 << 16, stream::CHUNK] {
            let got = streamed(&input, chunk);
            assert_eq!(
                got.0.len(),
                expected.0.len(),
                "{name} chunk {chunk}: unit count"
            );
            for (a, b) in got.0.iter().zip(&expected.0) {
                assert_eq!(a, b, "{name} chunk {chunk}");
            }
            assert_eq!(got.1, expected.1, "{name} chunk {chunk}: findings");
        }
    }
}

#[test]
fn a_broken_interchange_later_in_the_stream_is_reported_and_the_rest_passed_on() {
    let good = fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/837p-j2326.x12"
    ))
    .unwrap();
    let mut input = good.clone();
    input.extend_from_slice(b"ISA*00*  *cut short");
    for chunk in [16, 100, 1 << 16] {
        let mut rest = Vec::new();
        let mut error = None;
        let mut units = 0;
        stream::for_each_with_chunk(&input[..], chunk, |e| {
            match e {
                Event::Unit(_) => units += 1,
                Event::Error(e, r) => {
                    error = Some(e.to_string());
                    rest = r.to_vec();
                }
                Event::Prefix(_) | Event::Problems(_) => {}
            }
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(units >= 5, "chunk {chunk}: {units} units");
        assert!(error.unwrap().contains("cut short"));
        assert_eq!(rest, b"ISA*00*  *cut short", "chunk {chunk}");
    }
}

#[test]
fn an_isa_with_new_delimiters_mid_stream_and_isa_inside_data() {
    let one = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/837p-j2326.x12"
    ))
    .unwrap()
    .replace("NM1*IL*1*DOE*JANE", "NM1*IL*1*DOE*ISABEL")
    .replace("N3*200 OAK AVENUE", "N3*1 LISA*ISA WAY");
    // The same interchange again with `|` elements, `>` components and `\n` terminators.
    let two = one
        .replace('*', "|")
        .replace(":~", ">\n")
        .replace("~\n", "\n")
        .replace("HC:J2326:JZ", "HC>J2326>JZ")
        .replace("HC:62321", "HC>62321")
        .replace("22:B:1", "22>B>1")
        .replace("ABK:G121", "ABK>G121");
    for input in [
        format!("{one}{two}"),
        format!("{two}{one}"),
        format!("{one}{one}{two}{two}"),
    ] {
        let expected = whole(input.as_bytes());
        assert!(expected.1.is_empty(), "{:?}", expected.1);
        for chunk in [16, 50, 100, 333, 997, 4096] {
            assert_eq!(streamed(input.as_bytes(), chunk), expected, "chunk {chunk}");
        }
    }
}
