//! Lexes and reads envelopes of arbitrary bytes: no panic; segments tile the input; when
//! lexing succeeds, both writer modes give the input back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use x837::x12::writer::round_trip;
use x837::x12::{Lexer, Mode, Reader};

fuzz_target!(|data: &[u8]| {
    let lexer = Lexer::new(data);
    let mut at = lexer.prefix().len();
    let mut ok = true;
    for seg in lexer {
        match seg {
            Ok(s) => {
                assert_eq!(s.byte, at);
                let _ = (s.id(), s.element_count(), s.value(1), s.component(1, 2));
                for e in s.elements() {
                    let _ = (e.repetitions().count(), e.components().count());
                }
                at = s.end();
            }
            Err(e) => {
                assert!(e.location().byte <= data.len());
                ok = false;
            }
        }
    }
    if ok {
        assert_eq!(at, data.len());
    }
    let mut reader = Reader::new(data);
    for unit in reader.by_ref() {
        let _ = unit;
    }
    for f in reader.take_findings() {
        assert!(f.position.byte <= data.len());
    }
    if ok {
        for mode in [Mode::Copy, Mode::Reserialize] {
            let out = round_trip(data, mode).expect("lexes, so it reads");
            assert_eq!(out, data, "{mode:?}");
        }
    }
});
