//! Round trip: every X12 corpus file and every generated delimiter/terminator variant comes
//! back byte for byte from parse + write, copying and re-serialising; elements are split
//! the way the interchange's delimiters say.

mod common;

use common::{Plain, isa, lex_all, sample_transaction, show, x12_corpus};
use x837::x12::Check;
use x837::x12::writer::round_trip;
use x837::x12::{Delimiters, Mode, Reader};

fn assert_round_trips(name: &str, input: &[u8]) {
    for mode in [Mode::Copy, Mode::Reserialize] {
        let out = round_trip(input, mode)
            .unwrap_or_else(|e| panic!("{name}: {mode:?} round trip failed to read: {e}"));
        if out != input {
            let at = out
                .iter()
                .zip(input)
                .position(|(a, b)| a != b)
                .unwrap_or(out.len().min(input.len()));
            panic!(
                "{name}: {mode:?} round trip differs at byte {at} (lengths {} vs {}):\n got: {:?}\nwant: {:?}",
                out.len(),
                input.len(),
                show(&out[at.saturating_sub(20)..out.len().min(at + 40)]),
                show(&input[at.saturating_sub(20)..input.len().min(at + 40)]),
            );
        }
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn every_x12_corpus_file_round_trips_both_ways() {
    let corpus = x12_corpus();
    assert!(corpus.len() >= 25, "{} X12 files", corpus.len());
    for (name, bytes) in &corpus {
        assert_round_trips(name, bytes);
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn non_x12_corpus_files_are_refused_not_written() {
    for p in common::corpus_files() {
        if common::is_x12(&p) {
            continue;
        }
        let bytes = std::fs::read(&p).expect("read");
        for mode in [Mode::Copy, Mode::Reserialize] {
            let r = round_trip(&bytes, mode);
            assert!(r.is_err(), "{}: {mode:?} should refuse", p.display());
        }
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn corpus_lexing_tiles_every_file() {
    for (name, bytes) in x12_corpus() {
        let lexer = x837::x12::Lexer::new(&bytes);
        let mut at = lexer.prefix().len();
        for seg in lex_all(&bytes) {
            assert_eq!(seg.byte, at, "{name}: segment {} starts where", seg.index);
            assert_eq!(&bytes[seg.byte..seg.end()], seg.raw(), "{name}");
            at = seg.end();
        }
        assert_eq!(at, bytes.len(), "{name}: segments cover the whole file");
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn corpus_isa11_u_does_not_split_un() {
    // imsweb files have ISA11 = U; `UN` in SV1/SV2 must stay one value.
    let (_, bytes) = common::corpus_file("16");
    let segs = lex_all(&bytes);
    assert_eq!(segs[0].delimiters.repetition, None);
    let sv1: Vec<_> = segs.iter().filter(|s| s.is("SV1")).collect();
    assert!(!sv1.is_empty());
    for s in sv1 {
        let e3 = s.element(3).expect("SV103");
        assert_eq!(e3.bytes(), b"UN", "{}", show(s.body()));
        assert_eq!(e3.repetitions().count(), 1);
    }
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn corpus_newline_terminator_and_backquote_repetition() {
    // 33: ISA16 `>`, ISA11 backquote, a newline terminator and indented segments.
    let (_, bytes) = common::corpus_file("33");
    let segs = lex_all(&bytes);
    assert_eq!(
        segs[0].delimiters,
        Delimiters {
            element: b'*',
            component: b'>',
            repetition: Some(b'`'),
            segment: b'\n'
        }
    );
    assert!(
        segs[1].is("GS"),
        "indentation is trivia, not part of the id"
    );
    assert_eq!(segs.last().map(|s| s.id()), Some(&b"IEA"[..]));
}

#[cfg_attr(
    no_shared,
    ignore = "needs the shared corpus: X837_SHARED or ../shared"
)]
#[test]
fn corpus_bom_and_cr_terminator() {
    // 29: a BOM, `\r` after ISA16 is the terminator, `\n` and spaces are trivia.
    let (_, bytes) = common::corpus_file("29");
    let lexer = x837::x12::Lexer::new(&bytes);
    assert!(lexer.prefix().starts_with(b"\xEF\xBB\xBF"));
    let segs = lex_all(&bytes);
    assert_eq!(segs[0].delimiters.segment, b'\r');
    assert!(segs[1].is("GS"));
    assert!(segs.iter().all(|s| !s.id().is_empty()));
}

/// A segment terminator and what follows it.
#[derive(Debug, Clone, Copy)]
struct Ending {
    terminator: u8,
    trivia: &'static [u8],
}

const ENDINGS: [Ending; 6] = [
    Ending {
        terminator: b'~',
        trivia: b"",
    },
    Ending {
        terminator: b'~',
        trivia: b"\n",
    },
    Ending {
        terminator: b'~',
        trivia: b"\r\n",
    },
    Ending {
        terminator: b'\r',
        trivia: b"",
    },
    Ending {
        terminator: b'_',
        trivia: b"",
    },
    Ending {
        terminator: b'\n',
        trivia: b"",
    },
];

#[derive(Debug, Clone, Copy)]
struct Variant {
    element: u8,
    component: u8,
    isa11: u8,
    ending: Ending,
    bom: bool,
    indent: bool,
    /// Two interchanges (the second in default delimiters), two groups, two transactions.
    several: bool,
    unterminated_last: bool,
}

impl Variant {
    /// The repetition separator the interchange should get: none when ISA11 is a letter
    /// or equal to ISA16.
    fn repetition(&self) -> Option<u8> {
        (!self.isa11.is_ascii_alphanumeric() && self.isa11 != self.component).then_some(self.isa11)
    }

    fn delimiters(&self) -> Delimiters {
        Delimiters {
            element: self.element,
            component: self.component,
            repetition: self.repetition(),
            segment: self.ending.terminator,
        }
    }
}

/// Every valid combination of the delimiters and endings the issue lists.
fn variants() -> Vec<Variant> {
    let mut out = Vec::new();
    for element in [b'*', b'|', b'~'] {
        for component in [b':', b'>', b'^', b'|'] {
            // `0` stands for "ISA11 equal to ISA16".
            for isa11 in [b'^', b'`', b'|', b'$', b'U', 0] {
                let isa11 = if isa11 == 0 { component } else { isa11 };
                for ending in ENDINGS {
                    let t = ending.terminator;
                    if component == element || isa11 == element || t == element || t == component {
                        continue;
                    }
                    for flags in 0..16u8 {
                        out.push(Variant {
                            element,
                            component,
                            isa11,
                            ending,
                            bom: flags & 1 != 0,
                            indent: flags & 2 != 0,
                            several: flags & 4 != 0,
                            unterminated_last: flags & 8 != 0,
                        });
                    }
                }
            }
        }
    }
    out
}

/// What a built file should lex to: the ISA's delimiters, or a plain segment.
#[derive(Debug, Clone)]
enum Expect {
    Isa(Delimiters, u8),
    Plain(Plain),
}

struct Builder {
    out: Vec<u8>,
    expect: Vec<Expect>,
    last_ending_len: usize,
}

impl Builder {
    fn end(&mut self, d: &Delimiters, trivia: &[u8]) {
        self.out.push(d.segment);
        self.out.extend_from_slice(trivia);
        self.last_ending_len = 1 + trivia.len();
    }

    fn plain(&mut self, p: Plain, d: &Delimiters, trivia: &[u8]) {
        self.out
            .extend_from_slice(&p.render(d.element, d.component, d.repetition));
        self.end(d, trivia);
        self.expect.push(Expect::Plain(p));
    }

    /// One interchange: `groups[g]` transactions in group g.
    fn interchange(
        &mut self,
        d: Delimiters,
        isa11: u8,
        trivia: &[u8],
        control: &str,
        groups: &[usize],
    ) {
        self.out
            .extend_from_slice(&isa(d.element, isa11, d.component, control));
        self.end(&d, trivia);
        self.expect.push(Expect::Isa(d, isa11));
        for (g, &n) in groups.iter().enumerate() {
            let gs = format!(
                "GS*HC*SENDER*RECEIVER*20061015*1023*{}*X*005010X222A1",
                g + 1
            );
            self.plain(Plain::parse(&gs), &d, trivia);
            for t in 0..n {
                let mut tx = sample_transaction(&format!("{:04}", t + 1));
                let se = tx.pop().expect("SE");
                // A repeated composite, when the interchange can write one.
                let k3 = if d.repetition.is_some() {
                    "K3*FIRST^SECOND:PART"
                } else {
                    "K3*FIRST:PART"
                };
                tx.push(Plain::parse(k3));
                tx.push(Plain::parse(&format!("SE*{}*{:04}", tx.len() + 1, t + 1)));
                drop(se);
                for p in tx {
                    self.plain(p, &d, trivia);
                }
            }
            self.plain(Plain::parse(&format!("GE*{n}*{}", g + 1)), &d, trivia);
        }
        let iea = format!("IEA*{}*{control}", groups.len());
        self.plain(Plain::parse(&iea), &d, trivia);
    }
}

fn build(v: &Variant) -> (Vec<u8>, Vec<Expect>) {
    let mut b = Builder {
        out: Vec::new(),
        expect: Vec::new(),
        last_ending_len: 0,
    };
    if v.bom {
        b.out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut trivia = v.ending.trivia.to_vec();
    if v.indent {
        trivia.extend_from_slice(b"    ");
    }
    let d = v.delimiters();
    if v.several {
        b.interchange(d, v.isa11, &trivia, "000000001", &[2, 1]);
        b.interchange(Delimiters::default(), b'^', b"\n", "000000002", &[1]);
    } else {
        b.interchange(d, v.isa11, &trivia, "000000001", &[1]);
    }
    if v.unterminated_last {
        let n = b.out.len() - b.last_ending_len;
        b.out.truncate(n);
    }
    (b.out, b.expect)
}

fn check_structure(v: &Variant, input: &[u8], expect: &[Expect]) {
    let segs = lex_all(input);
    assert_eq!(segs.len(), expect.len(), "{v:?}: segment count");
    for (seg, want) in segs.iter().zip(expect) {
        match want {
            Expect::Isa(d, isa11) => {
                assert!(seg.is("ISA"), "{v:?}");
                assert_eq!(seg.delimiters, *d, "{v:?}");
                assert_eq!(seg.value(11), [*isa11], "{v:?}");
                assert_eq!(seg.value(16), [d.component], "{v:?}");
                assert_eq!(seg.element_count(), 16, "{v:?}");
            }
            Expect::Plain(p) => {
                assert_eq!(Plain::of(seg), *p, "{v:?}: segment {}", seg.index);
                if seg.is("SV1") {
                    assert_eq!(seg.component(1, 1), b"HC", "{v:?}");
                    assert!(matches!(seg.component(1, 2), b"99213" | b"J2326"), "{v:?}");
                    let e3 = seg.element(3).expect("SV103");
                    assert_eq!(e3.bytes(), b"UN", "{v:?}");
                    assert_eq!(e3.repetitions().count(), 1, "{v:?}");
                }
                if seg.is("K3") {
                    let reps = seg.element(1).expect("K301").repetitions().count();
                    let want = if seg.delimiters.repetition.is_some() {
                        2
                    } else {
                        1
                    };
                    assert_eq!(reps, want, "{v:?}");
                }
            }
        }
    }
    let last = segs.last().expect("segments");
    assert_eq!(last.terminated(), !v.unterminated_last, "{v:?}");
}

#[test]
fn generated_variants_round_trip_and_split_right() {
    let variants = variants();
    // 3 element separators x 4 components x 6 ISA11 x 6 endings, less the conflicts.
    assert!(variants.len() > 2000, "{}", variants.len());
    for v in &variants {
        let (input, expect) = build(v);
        check_structure(v, &input, &expect);
        assert_round_trips(&format!("{v:?}"), &input);

        // Envelopes are right by construction; only the ISA11 warning may appear.
        let mut reader = Reader::new(&input);
        for unit in reader.by_ref() {
            unit.expect("reads");
        }
        let findings = reader.take_problems();
        let want = usize::from(v.repetition().is_none());
        assert_eq!(findings.len(), want, "{v:?}: {findings:#?}");
        for f in &findings {
            assert_eq!(f.check, Check::RepetitionSeparator, "{v:?}");
            assert_eq!(f.segment, 0);
        }
    }
}

#[test]
fn isa11_equal_to_isa16_is_no_repetition_separator() {
    let v = Variant {
        element: b'*',
        component: b':',
        isa11: b':',
        ending: ENDINGS[1],
        bom: false,
        indent: false,
        several: false,
        unterminated_last: false,
    };
    let (input, _) = build(&v);
    let segs = lex_all(&input);
    assert_eq!(segs[0].delimiters.repetition, None);
    let sv1 = segs.iter().find(|s| s.is("SV1")).expect("SV1");
    assert_eq!(sv1.component(1, 2), b"99213");
    assert_eq!(sv1.component(1, 3), b"25");
}

#[test]
fn tilde_element_separator_with_newline_terminator() {
    let v = Variant {
        element: b'~',
        component: b'>',
        isa11: b'$',
        ending: ENDINGS[5],
        bom: true,
        indent: true,
        several: true,
        unterminated_last: true,
    };
    let (input, _) = build(&v);
    let segs = lex_all(&input);
    let sv1 = segs.iter().find(|s| s.is("SV1")).expect("SV1");
    assert_eq!(sv1.body(), b"SV1~HC>99213>25~40.50~UN~1~~~1");
    assert_eq!(sv1.value(2), b"40.50");
    // The second interchange has its own, default delimiters.
    let isa2 = segs
        .iter()
        .filter(|s| s.is("ISA"))
        .nth(1)
        .expect("second ISA");
    assert_eq!(isa2.delimiters, Delimiters::default());
    assert_round_trips("tilde element", &input);
}
