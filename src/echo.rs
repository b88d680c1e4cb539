//! What of the input a message may repeat.
//!
//! Malformed input puts personal data where codes belong: a wrong element separator makes
//! a whole NM1 look like one segment id, a terminator inside a name starts a "segment"
//! named after the rest of it, shifted elements put a name in a coded element. So a
//! message quotes a segment id only when it is shaped like one, and a value only when it
//! is shaped like a code; anything else is described by its length. Callers that know
//! the guide add its conditions (a coded element, a segment that is not personal, a
//! length the element allows) before asking for [`code`] or [`quoted`].
//!
//! Text meant for a terminal or a text report goes through [`escape`], so that control
//! bytes and escape sequences in the input are shown, never obeyed.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The longest value a message quotes: codes are short, names and notes are not.
pub const MAX_CODE: usize = 15;

/// How much of a value (a config setting, an argument) a message keeps.
pub const MAX_SHOWN: usize = 40;

/// How much of a whole message from elsewhere (a parser's error) is kept.
pub const MAX_MESSAGE: usize = 300;

/// Whether `id` is shaped like a segment id: an upper-case letter, then one or two
/// upper-case letters or digits.
pub fn is_segment_id(id: &[u8]) -> bool {
    matches!(id, [first, rest @ ..] if first.is_ascii_uppercase()
        && (1..=2).contains(&rest.len())
        && rest.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

/// `segment NM1`, or `an unrecognised segment of 40 bytes` when the id is not shaped
/// like one (`body` is the segment without its terminator).
pub fn segment(id: &[u8], body: &[u8]) -> String {
    if is_segment_id(id) {
        format!("segment {}", String::from_utf8_lossy(id))
    } else {
        format!("an unrecognised segment of {}", count(body.len(), "byte"))
    }
}

/// Whether `value` is shaped like a code: 1 to [`MAX_CODE`] ASCII letters, digits, `.`
/// or `-`. Letters of either case, because a code written in lower case (`g12.1`, `ml`)
/// is a mistake the rules name; a space or any other byte makes it text.
pub fn is_code(value: &[u8]) -> bool {
    (1..=MAX_CODE).contains(&value.len())
        && value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// `a value of 23 characters`.
pub fn describe(value: &[u8]) -> String {
    let chars = std::str::from_utf8(value).map_or(value.len(), |s| s.chars().count());
    format!("a value of {}", count(chars, "character"))
}

/// The value itself when it is shaped like a code (`J2326`), else its description.
pub fn code(value: &[u8]) -> String {
    if is_code(value) {
        String::from_utf8_lossy(value).into_owned()
    } else {
        describe(value)
    }
}

/// The value in quotes when it is shaped like a code (`'J2326'`), else its description.
pub fn quoted(value: &[u8]) -> String {
    if is_code(value) {
        format!("'{}'", String::from_utf8_lossy(value))
    } else {
        describe(value)
    }
}

/// A delimiter in quotes (`'U'`, `':'`) when it is one printable byte, else described.
pub fn delimiter(value: &[u8]) -> String {
    match value {
        [b] if b.is_ascii_graphic() => format!("'{}'", char::from(*b)),
        _ => describe(value),
    }
}

/// `1 byte`, `40 bytes`.
fn count(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `s` with control characters (C0, DEL, C1; so ESC and CSI, newlines and tabs too)
/// written as `\x1b` or `\u{9b}`, so that a terminal shows them instead of obeying them.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match u32::from(c) {
            n if c.is_control() && n < 0x80 => {
                let _ = write!(out, "\\x{n:02x}");
            }
            n if c.is_control() => {
                let _ = write!(out, "\\u{{{n:x}}}");
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` cut to its first `max` characters and escaped; a cut value ends with
/// `… (N bytes)` so that the reader knows it was longer.
pub fn cut_to(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}… ({})", escape(&s[..at]), count(s.len(), "byte")),
        None => escape(s).into_owned(),
    }
}

/// A value as a message shows it: at most [`MAX_SHOWN`] characters, escaped.
pub fn cut(s: &str) -> String {
    cut_to(s, MAX_SHOWN)
}

/// A message made elsewhere, which may quote its input: at most [`MAX_MESSAGE`]
/// characters, escaped.
pub fn cut_message(s: &str) -> String {
    cut_to(s, MAX_MESSAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_ids() {
        for id in [&b"NM1"[..], b"SV1", b"HL", b"ST", b"N3", b"CLM", b"K3"] {
            assert!(is_segment_id(id), "{id:?}");
        }
        for id in [
            &b"N"[..],
            b"",
            b"JANE",
            b"BRIEN",
            b"NM1|IL|1|DOE",
            b"nm1",
            b"1NM",
            b"NM-",
            b"N\x1b[",
        ] {
            assert!(!is_segment_id(id), "{id:?}");
        }
        assert_eq!(segment(b"NM1", b"NM1*IL"), "segment NM1");
        let body = b"NM1|IL|1|DOE|JANE||||MI|MEMBER0001";
        assert_eq!(segment(body, body), "an unrecognised segment of 34 bytes");
    }

    #[test]
    fn codes_are_quoted_and_text_is_described() {
        assert_eq!(quoted(b"J2326"), "'J2326'");
        assert_eq!(quoted(b"64406-058-01"), "'64406-058-01'");
        assert_eq!(quoted(b"g12.1"), "'g12.1'");
        assert_eq!(code(b"N4"), "N4");
        assert_eq!(quoted(b"JANE DOE DOB"), "a value of 12 characters");
        assert_eq!(quoted(b"DOE JANE"), "a value of 8 characters");
        assert_eq!(quoted(b"ABCDEFGHIJKLMNOP"), "a value of 16 characters");
        assert_eq!(quoted(b"A\x1b[2J"), "a value of 5 characters");
        assert_eq!(quoted("É1".as_bytes()), "a value of 2 characters");
        assert_eq!(quoted(b"X"), "'X'");
        assert_eq!(code(b""), "a value of 0 characters");
        assert_eq!(delimiter(b"U"), "'U'");
        assert_eq!(delimiter(b":"), "':'");
        assert_eq!(delimiter(b" "), "a value of 1 character");
        assert_eq!(delimiter(b"UU"), "a value of 2 characters");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("plain text"), "plain text");
        assert_eq!(escape("a\x1b[31mred\x07"), "a\\x1b[31mred\\x07");
        assert_eq!(escape("line\nnext\ttab\r"), "line\\x0anext\\x09tab\\x0d");
        assert_eq!(escape("\u{9b}2J\u{7f}"), "\\u{9b}2J\\x7f");
        assert_eq!(escape("naïve"), "naïve");
    }

    #[test]
    fn long_values_are_cut() {
        assert_eq!(cut("short"), "short");
        let long = "A".repeat(50_000_000);
        let shown = cut(&long);
        assert_eq!(shown, format!("{}… (50000000 bytes)", "A".repeat(40)));
        assert_eq!(cut_to("ééé", 2), "éé… (6 bytes)");
        assert_eq!(cut("\x1b[2J"), "\\x1b[2J");
    }
}
