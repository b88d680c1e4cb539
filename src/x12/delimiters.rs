//! The four X12 delimiters, read from an interchange's ISA segment.
//!
//! Nothing here is read at a fixed offset: the element separator is the byte after `ISA`,
//! ISA16 is the byte after the sixteenth separator, and the terminator is the byte after it.

use nom::IResult;
use nom::bytes::complete::{tag, take};

/// How one interchange writes its segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Delimiters {
    /// Between elements; the byte after `ISA`.
    pub element: u8,
    /// Between the components of a composite element; ISA16.
    pub component: u8,
    /// Between repetitions of an element; ISA11 when it is a usable separator.
    pub repetition: Option<u8>,
    /// After every segment; the byte after ISA16.
    pub segment: u8,
}

impl Default for Delimiters {
    fn default() -> Self {
        Delimiters {
            element: b'*',
            component: b':',
            repetition: Some(b'^'),
            segment: b'~',
        }
    }
}

/// Why an ISA segment could not give delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IsaProblem {
    /// The input ended (or the 200-byte look-ahead ran out) before ISA16 and its terminator.
    CutShort,
    /// Two delimiters are the same byte, so segments or elements cannot be told apart.
    Conflict(&'static str),
}

/// What reading the ISA header found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsaHeader {
    pub delimiters: Delimiters,
    /// Length of the ISA segment body: from `I` up to, not including, the terminator.
    pub body_len: usize,
    /// The raw ISA11 value when it could not be used as a repetition separator.
    pub unusable_isa11: Option<Vec<u8>>,
}

/// A real ISA is 106 bytes; allow generous padding mistakes but never scan a whole file.
const ISA_LOOKAHEAD: usize = 200;

fn isa_tag(input: &[u8]) -> IResult<&[u8], u8> {
    let (rest, _) = tag(&b"ISA"[..])(input)?;
    let (rest, sep) = take(1usize)(rest)?;
    Ok((rest, sep[0]))
}

/// True when `input` starts with `ISA` followed by a plausible element separator.
pub fn starts_with_isa(input: &[u8]) -> bool {
    matches!(isa_tag(input), Ok((_, sep)) if !sep.is_ascii_alphanumeric() && !sep.is_ascii_whitespace())
}

/// Reads the delimiters from an ISA segment at the start of `input`.
pub fn read_isa(input: &[u8]) -> Result<IsaHeader, IsaProblem> {
    let (_, element) = isa_tag(input).map_err(|_| IsaProblem::CutShort)?;
    let window = &input[..input.len().min(ISA_LOOKAHEAD)];
    // Position just after the 16th element separator.
    let mut seps = memchr::memchr_iter(element, window);
    let sixteenth = seps.nth(15).ok_or(IsaProblem::CutShort)?;
    let isa16_at = sixteenth + 1;
    let term_at = isa16_at + 1;
    if term_at >= window.len() {
        return Err(IsaProblem::CutShort);
    }
    let component = window[isa16_at];
    let segment = window[term_at];
    if component == element {
        return Err(IsaProblem::Conflict("ISA16 equals the element separator"));
    }
    if segment == element {
        return Err(IsaProblem::Conflict(
            "the segment terminator equals the element separator",
        ));
    }
    if segment == component {
        return Err(IsaProblem::Conflict(
            "the segment terminator equals the component separator (ISA16)",
        ));
    }
    // ISA11 is the 11th element: between the 11th and 12th separators.
    let mut seps = memchr::memchr_iter(element, window);
    let before_isa11 = seps.nth(10).ok_or(IsaProblem::CutShort)?;
    let after_isa11 = seps.next().ok_or(IsaProblem::CutShort)?;
    let isa11 = &window[before_isa11 + 1..after_isa11];
    let usable = isa11.len() == 1
        && !isa11[0].is_ascii_alphanumeric()
        && !isa11[0].is_ascii_whitespace()
        && isa11[0] != element
        && isa11[0] != component
        && isa11[0] != segment;
    let (repetition, unusable_isa11) = if usable {
        (Some(isa11[0]), None)
    } else {
        (None, Some(isa11.to_vec()))
    };
    Ok(IsaHeader {
        delimiters: Delimiters {
            element,
            component,
            repetition,
            segment,
        },
        body_len: isa16_at + 1,
        unusable_isa11,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &[u8] = b"ISA*00*          *00*          *ZZ*SUBMITTERS ID  *ZZ*RECEIVERS ID   *200101*1253*^*00501*000000905*0*T*:~";

    #[test]
    fn reads_standard_delimiters() {
        let h = read_isa(ISA).unwrap();
        assert_eq!(h.delimiters, Delimiters::default());
        assert_eq!(h.body_len, 105);
        assert_eq!(h.unusable_isa11, None);
    }

    #[test]
    fn alphanumeric_isa11_is_not_a_repetition_separator() {
        let isa = String::from_utf8(ISA.to_vec())
            .unwrap()
            .replace("*^*", "*U*");
        let h = read_isa(isa.as_bytes()).unwrap();
        assert_eq!(h.delimiters.repetition, None);
        assert_eq!(h.unusable_isa11, Some(b"U".to_vec()));
    }

    #[test]
    fn isa11_equal_to_isa16_is_not_a_repetition_separator() {
        let isa = String::from_utf8(ISA.to_vec())
            .unwrap()
            .replace("*^*", "*:*");
        let h = read_isa(isa.as_bytes()).unwrap();
        assert_eq!(h.delimiters.repetition, None);
    }

    #[test]
    fn other_delimiters() {
        let isa = String::from_utf8(ISA.to_vec())
            .unwrap()
            .replace('*', "|")
            .replace(":~", "^\n")
            .replace("|^|", "|`|");
        let h = read_isa(isa.as_bytes()).unwrap();
        assert_eq!(
            h.delimiters,
            Delimiters {
                element: b'|',
                component: b'^',
                repetition: Some(b'`'),
                segment: b'\n'
            }
        );
    }

    #[test]
    fn cut_short() {
        for n in [0, 3, 4, 50, 104, 105] {
            assert_eq!(read_isa(&ISA[..n]), Err(IsaProblem::CutShort), "{n}");
        }
    }

    #[test]
    fn conflicting_delimiters() {
        let isa = String::from_utf8(ISA.to_vec()).unwrap().replace(":~", "**");
        assert!(matches!(
            read_isa(isa.as_bytes()),
            Err(IsaProblem::Conflict(_))
        ));
    }

    #[test]
    fn detects_isa_start() {
        assert!(starts_with_isa(b"ISA*00"));
        assert!(starts_with_isa(b"ISA|00"));
        assert!(!starts_with_isa(b"ISAX"));
        assert!(!starts_with_isa(b"IS"));
        assert!(!starts_with_isa(b"GS*"));
    }
}
