//! Helpers shared by the integration tests: the corpus, a renderer of X12 from a plain
//! structure (written independently of the crate's writer), small lexing helpers, and the
//! claim language the rule edge cases are written in (`claims`).
//!
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod claims;
pub mod pyx12;
pub mod serve;
pub mod stricter;

use std::path::PathBuf;
use std::process::{Command, Output};

use x837::x12::{Lexer, OwnedElement, OwnedSegment, Segment};

/// The shared material: `X837_SHARED`, else `../shared` beside the checkout. Tests that
/// read it carry `#[cfg_attr(no_shared, ignore = ...)]` (see build.rs), so without it they
/// are ignored, never passed.
pub fn shared() -> PathBuf {
    match std::env::var_os("X837_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")),
    }
}

/// The shared corpus of real 837 files.
pub fn corpus_dir() -> PathBuf {
    shared().join("corpus")
}

/// The shared acknowledgments and responses (999, TA1, 277CA, 835).
pub fn acks_dir() -> PathBuf {
    shared().join("acks")
}

/// One corpus file's path, by its full name.
pub fn corpus_path(name: &str) -> String {
    corpus_dir().join(name).to_string_lossy().into_owned()
}

/// Corpus files that are not X12: prose before the ISA, no ISA, a bare ST..SE.
pub const NOT_X12: [&str; 4] = ["10_", "28_", "37_", "41_"];

/// Every corpus file (MANIFEST.tsv and README.md left out), sorted by name.
pub fn corpus_files() -> Vec<PathBuf> {
    let dir = corpus_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the corpus at {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            let name = file_name(p);
            name != "MANIFEST.tsv" && name != "README.md"
        })
        .collect();
    files.sort();
    assert!(files.len() >= 30, "corpus looks incomplete: {files:?}");
    files
}

pub fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

pub fn is_x12(p: &std::path::Path) -> bool {
    let name = file_name(p);
    !NOT_X12.iter().any(|prefix| name.starts_with(prefix))
}

/// The corpus files that are X12.
pub fn x12_corpus() -> Vec<(String, Vec<u8>)> {
    corpus_files()
        .into_iter()
        .filter(|p| is_x12(p))
        .map(|p| (file_name(&p), std::fs::read(&p).expect("read corpus file")))
        .collect()
}

/// One corpus file by its number prefix (`"16"`).
pub fn corpus_file(prefix: &str) -> (PathBuf, Vec<u8>) {
    let p = corpus_files()
        .into_iter()
        .find(|p| file_name(p).starts_with(&format!("{prefix}_")))
        .unwrap_or_else(|| panic!("no corpus file {prefix}_*"));
    let bytes = std::fs::read(&p).expect("read corpus file");
    (p, bytes)
}

/// The MANIFEST.tsv rows as (file name, column name -> value).
pub fn manifest() -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("manifest");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A plain segment: id, then elements, each a list of repetitions, each a list of
/// components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plain {
    pub id: Vec<u8>,
    pub elements: Vec<Vec<Vec<Vec<u8>>>>,
}

impl Plain {
    /// From `"SV1*HC:J2326:JZ*1000*UN"` in the standard delimiters `*`, `:`, `^`.
    pub fn parse(text: &str) -> Plain {
        let mut parts = text.split('*');
        let id = parts.next().expect("id").as_bytes().to_vec();
        let elements = parts
            .map(|e| {
                e.split('^')
                    .map(|r| r.split(':').map(|c| c.as_bytes().to_vec()).collect())
                    .collect()
            })
            .collect();
        Plain { id, elements }
    }

    /// The body with the delimiters given; repetitions are joined with `repetition`.
    pub fn render(&self, element: u8, component: u8, repetition: Option<u8>) -> Vec<u8> {
        let mut out = self.id.clone();
        for e in &self.elements {
            out.push(element);
            for (r, rep) in e.iter().enumerate() {
                if r > 0 {
                    out.push(repetition.expect("repetitions need a separator"));
                }
                for (c, comp) in rep.iter().enumerate() {
                    if c > 0 {
                        out.push(component);
                    }
                    out.extend_from_slice(comp);
                }
            }
        }
        out
    }

    /// What the crate parsed, in the same shape, through `Segment`'s own accessors.
    pub fn of(seg: &Segment<'_>) -> Plain {
        let c = seg.delimiters.component;
        Plain {
            id: seg.id().to_vec(),
            elements: seg
                .elements()
                .map(|e| {
                    e.repetitions()
                        .map(|r| r.split(|&b| b == c).map(<[u8]>::to_vec).collect())
                        .collect()
                })
                .collect(),
        }
    }

    pub fn to_owned_segment(&self) -> OwnedSegment {
        OwnedSegment {
            id: self.id.clone(),
            elements: self
                .elements
                .iter()
                .map(|e| OwnedElement {
                    repetitions: e.clone(),
                })
                .collect(),
        }
    }
}

/// A header ISA with the given delimiters; `isa11` is the byte written in ISA11.
pub fn isa(element: u8, isa11: u8, component: u8, control: &str) -> Vec<u8> {
    assert_eq!(control.len(), 9);
    let fields: [&[u8]; 16] = [
        b"00",
        b"          ",
        b"00",
        b"          ",
        b"ZZ",
        b"SUBMITTERS ID  ",
        b"ZZ",
        b"RECEIVERS ID   ",
        b"200101",
        b"1253",
        &[isa11],
        b"00501",
        control.as_bytes(),
        b"0",
        b"T",
        &[component],
    ];
    let mut out = b"ISA".to_vec();
    for f in fields {
        out.push(element);
        out.extend_from_slice(f);
    }
    assert_eq!(out.len(), 105, "an ISA body is 105 bytes");
    out
}

/// A realistic 837P transaction body (ST to SE), standard delimiters, no repetitions:
/// SE01 is filled in by the caller's count.
pub const SAMPLE_837P: &[&str] = &[
    "ST*837*{ST02}*005010X222A1",
    "BHT*0019*00*244579*20061015*1023*CH",
    "NM1*41*2*PREMIER BILLING SERVICE*****46*TGJ23",
    "PER*IC*JERRY*TE*3055552222",
    "NM1*40*2*KEY INSURANCE COMPANY*****46*66783JJT",
    "HL*1**20*1",
    "NM1*85*2*BEN KILDARE SERVICE*****XX*9876543210",
    "N3*234 SEAWAY ST",
    "N4*MIAMI*FL*33111",
    "REF*EI*587654321",
    "HL*2*1*22*0",
    "SBR*P*18*12312-A******CI",
    "NM1*IL*1*SMITH*TED****MI*000221111A",
    "N3*236 N MAIN ST",
    "N4*MIAMI*FL*33413",
    "DMG*D8*19430501*M",
    "NM1*PR*2*ALLIANCE HEALTH*****PI*999996666",
    "CLM*26463774*1040.50***11:B:1*Y*A*Y*I",
    "REF*D9*17312345600006351",
    "HI*ABK:G1221*ABF:Z1159",
    "LX*1",
    "SV1*HC:99213:25*40.50*UN*1***1",
    "DTP*472*D8*20061003",
    "LX*2",
    "SV1*HC:J2326:JZ*1000*UN*12***1:2",
    "DTP*472*D8*20061003",
    "LIN**N4*71860030021",
    "CTP****1*UN",
];

/// The sample transaction with control number `st02`, SE01 counted, as plain segments.
pub fn sample_transaction(st02: &str) -> Vec<Plain> {
    let mut segs: Vec<Plain> = SAMPLE_837P
        .iter()
        .map(|s| Plain::parse(&s.replace("{ST02}", st02)))
        .collect();
    let n = segs.len() + 1;
    segs.push(Plain::parse(&format!("SE*{n}*{st02}")));
    segs
}

/// Lexes `input` to the end, panicking on a lex error.
pub fn lex_all(input: &[u8]) -> Vec<Segment<'_>> {
    Lexer::new(input)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("lex error: {e}"))
}

/// Shows bytes as text for assertion messages.
pub fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `x837` binary with `args`.
pub fn x837(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_x837"))
        .args(args)
        .output()
        .expect("run x837")
}
