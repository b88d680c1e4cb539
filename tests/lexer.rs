//! Property tests of the lexer, envelope reader and writer: generated segments in random
//! delimiters and endings lex to what was generated and come back byte for byte; arbitrary
//! bytes never panic, and whatever lexes round-trips.

mod common;

use common::{Plain, isa};
use proptest::prelude::*;
use x837::x12::writer::round_trip;
use x837::x12::{Delimiters, Lexer, Mode, Reader};

/// Separator candidates: printable, not alphanumeric, not white space.
const POOL: &[u8] = b"*|~!^:>`$&@#%+/?=_'\\";
/// Data bytes: never a separator from POOL; `U` is data even where ISA11 is `U`.
const DATA: &[u8] = b"ABCNUXYZ0189 .-()\xC3\xA9";

#[derive(Debug, Clone)]
struct Style {
    delimiters: Delimiters,
    /// What ISA11 says: the separator, or `U` / ISA16 when there is none.
    isa11: u8,
}

fn style() -> impl Strategy<Value = Style> {
    (
        Just(POOL.to_vec()).prop_shuffle(),
        prop_oneof![Just(None), Just(Some(b'\n')), Just(Some(b'\r'))],
        0..3u8,
    )
        .prop_map(|(pool, newline_terminator, no_repetition)| {
            let (element, component, rep) = (pool[0], pool[1], pool[2]);
            let segment = newline_terminator.unwrap_or(pool[3]);
            let (repetition, isa11) = match no_repetition {
                0 => (None, b'U'),
                1 => (None, component),
                _ => (Some(rep), rep),
            };
            Style {
                delimiters: Delimiters {
                    element,
                    component,
                    repetition,
                    segment,
                },
                isa11,
            }
        })
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(proptest::sample::select(DATA), 0..6)
}

fn id() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::sample::select(vec!["GS", "ST", "SE", "GE", "IEA", "CLM", "SV1", "LX"])
            .prop_map(|s| s.as_bytes().to_vec()),
        "[A-Z][A-Z0-9]{1,2}"
            .prop_filter("not ISA", |s| s != "ISA")
            .prop_map(String::into_bytes),
    ]
}

/// A segment; repetitions only where the style has a separator for them.
fn plain(repeats: bool) -> impl Strategy<Value = Plain> {
    let reps = if repeats { 1..4usize } else { 1..2usize };
    let element = proptest::collection::vec(proptest::collection::vec(value(), 1..4), reps);
    (id(), proptest::collection::vec(element, 0..7))
        .prop_map(|(id, elements)| Plain { id, elements })
}

fn trivia() -> impl Strategy<Value = &'static [u8]> {
    proptest::sample::select(vec![&b""[..], b"\n", b"\r\n", b"  ", b"\n\t  "])
}

#[derive(Debug, Clone)]
struct Doc {
    style: Style,
    prefix: &'static [u8],
    segments: Vec<(Plain, &'static [u8])>,
    unterminated_last: bool,
}

fn doc() -> impl Strategy<Value = Doc> {
    style().prop_flat_map(|style| {
        let repeats = style.delimiters.repetition.is_some();
        (
            Just(style),
            proptest::sample::select(vec![
                &b""[..],
                b"\xEF\xBB\xBF",
                b"\n  ",
                b"\xEF\xBB\xBF\r\n",
            ]),
            proptest::collection::vec((plain(repeats), trivia()), 0..30),
            any::<bool>(),
        )
            .prop_map(|(style, prefix, segments, unterminated_last)| Doc {
                style,
                prefix,
                segments,
                unterminated_last,
            })
    })
}

impl Doc {
    fn bytes(&self) -> Vec<u8> {
        let d = self.style.delimiters;
        let mut out = self.prefix.to_vec();
        out.extend_from_slice(&isa(d.element, self.style.isa11, d.component, "000000001"));
        out.push(d.segment);
        let n = self.segments.len();
        for (i, (p, trivia)) in self.segments.iter().enumerate() {
            out.extend_from_slice(&p.render(d.element, d.component, d.repetition));
            if !(self.unterminated_last && i + 1 == n) {
                out.push(d.segment);
                out.extend_from_slice(trivia);
            }
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_segments_lex_to_what_was_generated(doc in doc()) {
        let input = doc.bytes();
        let segs: Vec<_> = Lexer::new(&input).collect::<Result<_, _>>().map_err(|e| {
            TestCaseError::fail(format!("lex error {e}"))
        })?;
        prop_assert_eq!(segs.len(), doc.segments.len() + 1);
        prop_assert_eq!(segs[0].delimiters, doc.style.delimiters);
        for (seg, (want, _)) in segs[1..].iter().zip(&doc.segments) {
            prop_assert_eq!(&Plain::of(seg), want);
        }
        if let Some(last) = segs.last() {
            let unterminated = doc.unterminated_last && !doc.segments.is_empty();
            prop_assert_eq!(last.terminated(), !unterminated);
        }
        for mode in [Mode::Copy, Mode::Reserialize] {
            let out = round_trip(&input, mode).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&out, &input, "{:?}", mode);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_what_lexes_round_trips(
        input in proptest::collection::vec(any::<u8>(), 0..2000)
    ) {
        check_no_panic_and_round_trip(&input)?;
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_isa(
        style in style(),
        chunks in proptest::collection::vec(chunk(), 0..60),
    ) {
        let d = style.delimiters;
        let mut input = isa(d.element, style.isa11, d.component, "000000001");
        input.push(d.segment);
        for c in chunks {
            input.extend_from_slice(&c);
        }
        check_no_panic_and_round_trip(&input)?;
    }
}

/// Pieces that make X12-looking noise: random bytes, separators, ids, nested ISAs.
fn chunk() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..8),
        4 => proptest::collection::vec(proptest::sample::select(POOL), 1..4),
        2 => proptest::sample::select(vec!["ISA", "ISA*", "GS*", "ST*", "SE*1*1", "GE*", "IEA*", "\n", "\r\n", " ", "\u{feff}"])
            .prop_map(|s| s.as_bytes().to_vec()),
        1 => (style(), 0..106usize).prop_map(|(s, cut)| {
            let mut b = isa(s.delimiters.element, s.isa11, s.delimiters.component, "000000002");
            b.push(s.delimiters.segment);
            // Sometimes whole, sometimes cut short.
            if cut < 100 { b.truncate(cut + 3) }
            b
        }),
    ]
}

fn check_no_panic_and_round_trip(input: &[u8]) -> Result<(), TestCaseError> {
    let lexer = Lexer::new(input);
    let prefix = lexer.prefix().len();
    let mut at = prefix;
    let mut ok = true;
    for seg in lexer {
        match seg {
            Ok(s) => {
                prop_assert_eq!(s.byte, at);
                let _ = (s.id(), s.element_count(), s.value(1), s.component(1, 2));
                at = s.end();
            }
            Err(e) => {
                prop_assert!(e.location().byte <= input.len());
                ok = false;
            }
        }
    }
    if ok {
        prop_assert_eq!(at, input.len(), "segments tile the input");
    }
    let mut reader = Reader::new(input);
    for unit in reader.by_ref() {
        let _ = unit;
    }
    for f in reader.take_problems() {
        prop_assert!(f.byte <= input.len());
    }
    for mode in [Mode::Copy, Mode::Reserialize] {
        match round_trip(input, mode) {
            Ok(out) => {
                prop_assert!(ok, "round trip succeeded where lexing failed");
                prop_assert_eq!(&out, &input.to_vec(), "{:?}", mode);
            }
            Err(_) => prop_assert!(!ok, "lexing succeeded where round trip failed"),
        }
    }
    Ok(())
}
