//! Element checks against the guide: usage, repeats, type, length, code lists, and the
//! X12 syntax notes (P, R, E, C, L) of each segment.

use crate::echo;
use crate::grammar::{DataType, ElementDef, SegmentDef, Usage};
use crate::report::{ElementAt, RuleId};
use crate::x12::Segment;

/// Rule ids of element checks.
pub mod rules {
    use crate::report::RuleId;

    pub const ELEMENT_MISSING: RuleId = RuleId::ElementMissing;
    pub const ELEMENT_NOT_USED: RuleId = RuleId::ElementNotUsed;
    pub const ELEMENT_TOO_MANY: RuleId = RuleId::ElementTooMany;
    pub const ELEMENT_REPEAT: RuleId = RuleId::ElementRepeat;
    pub const SYNTAX_RULE: RuleId = RuleId::SyntaxRule;
    pub const ELEMENT_LENGTH: RuleId = RuleId::ElementLength;
    pub const ELEMENT_TYPE: RuleId = RuleId::ElementType;
    pub const CODE_INVALID: RuleId = RuleId::CodeInvalid;
}

/// One problem in a segment: rule id, message, and the element it is about when it is
/// about one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: RuleId,
    pub message: String,
    pub at: Option<ElementAt>,
}

impl Problem {
    /// A problem of the segment as a whole.
    pub fn new(rule: RuleId, message: impl Into<String>) -> Self {
        Problem {
            rule,
            message: message.into(),
            at: None,
        }
    }

    /// A problem about the element at `at`.
    pub fn at(rule: RuleId, message: impl Into<String>, at: ElementAt) -> Self {
        Problem {
            rule,
            message: message.into(),
            at: Some(at),
        }
    }
}

/// Where an element of definition `def` at `position` stands, its number from `def`.
fn place(def: &ElementDef, position: usize) -> ElementAt {
    ElementAt {
        number: def.data_element,
        ..ElementAt::element(position)
    }
}

/// Whether a value of element `def` in a segment defined by `segment` may be quoted in a
/// message (and copied into a 999's IK404): a code, from a coded element of a segment
/// that is not personal, of a length the element allows (a name shifted into it is
/// longer, as a rule). See `crate::echo`.
pub fn quotable(segment: &SegmentDef, def: &ElementDef, value: &[u8]) -> bool {
    !segment.compiled.personal && coded_fit(def, value.len() as u32) && echo::is_code(value)
}

/// Whether `def` is a coded element and `len` a length it allows.
fn coded_fit(def: &ElementDef, len: u32) -> bool {
    let coded =
        def.data_type == DataType::Identifier || !def.codes.is_empty() || def.external.is_some();
    coded && (def.min_len..=def.max_len).contains(&len)
}

/// Most components a composite is split into at once; more fall back to re-splitting.
const COMPONENTS: usize = 16;

/// Checks every element of `seg` against `def`.
pub fn check(seg: &Segment<'_>, def: &SegmentDef, out: &mut Vec<Problem>) {
    let quote = !def.compiled.personal;
    let d = seg.delimiters;
    // Clean: every byte printable ASCII and no repetition separator, as most segments
    // are. Then each value passes the AN/ID character check, its length is its byte
    // count, and each element is one repetition. (0 stands for no separator: 0 is not
    // printable anyway.) No early exit, so the scan vectorises.
    let r = d.repetition.unwrap_or(0);
    let clean =
        (seg.body().iter()).fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x5F) & (b != r));
    let mut present = [false; 64];
    let mut n = 0;
    let defined = def.elements.last().map_or(0, |e| e.position);
    for (i, element) in seg.elements().enumerate() {
        n = i + 1;
        if i < present.len() {
            present[i] = !element.is_empty();
        }
        if n > defined {
            // One finding for the segment however many there are, counted below; empty
            // ones too, since X12 sends no trailing separators.
            continue;
        }
        let Some(edef) = def.element(i + 1) else {
            continue;
        };
        if element.is_empty() {
            continue;
        }
        let at = place(edef, i + 1);
        if edef.usage == Usage::NotUsed {
            let m = format!("{} is not used", edef.reference);
            out.push(Problem::at(rules::ELEMENT_NOT_USED, m, at));
            continue;
        }
        let bytes = element.bytes();
        // As many as `element.repetitions()` yields: one more than the separators.
        let reps = match d.repetition {
            Some(r) if !clean => bytes.iter().filter(|&&b| b == r).count() + 1,
            _ => 1,
        };
        if reps as u32 > edef.repeat.max(1) {
            let m = format!(
                "{} repeats {reps} times, at most {}",
                edef.reference,
                edef.repeat.max(1)
            );
            out.push(Problem::at(rules::ELEMENT_REPEAT, m, at));
        }
        let cx = Cx {
            component: d.component,
            quote,
            clean,
        };
        if reps == 1 {
            check_repetition(edef, bytes, &cx, at, out);
        } else {
            for (r, rep) in element.repetitions().enumerate() {
                let at = ElementAt {
                    repetition: Some(u8::try_from(r + 1).unwrap_or(u8::MAX)),
                    ..at
                };
                check_repetition(edef, rep, &cx, at, out);
            }
        }
    }
    if n > defined {
        let m = format!("{} has {n} elements, the guide defines {defined}", def.id);
        let at = ElementAt::element(defined + 1);
        out.push(Problem::at(rules::ELEMENT_TOO_MANY, m, at));
    }
    for &e in &def.compiled.required {
        let edef = &def.elements[e];
        let given = edef.position <= n && present.get(edef.position - 1).copied().unwrap_or(false);
        if !given {
            let m = format!("required {} ({}) is missing", edef.reference, edef.name);
            out.push(Problem::at(
                rules::ELEMENT_MISSING,
                m,
                place(edef, edef.position),
            ));
        }
    }
    syntax_notes(def, &present, out);
}

/// The X12 syntax notes of `def`, given which elements are present.
fn syntax_notes(def: &SegmentDef, present: &[bool], out: &mut Vec<Problem>) {
    for (rule, parsed) in def.syntax.iter().zip(&def.compiled.syntax) {
        // One condition, one finding: a note broken only because a required element is
        // absent is already an `element-missing`.
        let absent_required = |p: &usize| {
            !present.get(p.wrapping_sub(1)).copied().unwrap_or(false)
                && def.element(*p).is_some_and(|e| e.usage == Usage::Required)
        };
        let owned_by_missing = parsed.kind != b'E' && parsed.positions.iter().any(absent_required);
        if parsed.broken(present)
            && !owned_by_missing
            && let Some(m) = syntax(rule, present, &def.id)
        {
            let at = syntax_element(parsed.kind, &parsed.positions, present);
            let at = at.map(|p| {
                def.element(p)
                    .map_or(ElementAt::element(p), |e| place(e, p))
            });
            out.push(Problem {
                rule: rules::SYNTAX_RULE,
                message: m,
                at,
            });
        }
    }
}

/// The element a broken syntax note is about: for an exclusion (E), the second element
/// present; for the others, the first that is absent (after the first, for C and L).
fn syntax_element(kind: u8, positions: &[usize], present: &[bool]) -> Option<usize> {
    let has = |p: &usize| *p >= 1 && present.get(p - 1).copied().unwrap_or(false);
    match kind {
        b'E' => positions.iter().filter(|p| has(p)).nth(1).copied(),
        b'R' => positions.first().copied(),
        b'C' | b'L' => positions.iter().skip(1).find(|p| !has(p)).copied(),
        _ => positions.iter().find(|p| !has(p)).copied(),
    }
}

/// What the checks of one segment's values share.
struct Cx {
    component: u8,
    quote: bool,
    clean: bool,
}

/// Checks one repetition of an element: a simple value or a composite.
fn check_repetition(edef: &ElementDef, rep: &[u8], cx: &Cx, at: ElementAt, out: &mut Vec<Problem>) {
    let component = cx.component;
    if !edef.is_composite() {
        check_value(edef, rep, cx, at, out);
        return;
    }
    let in_composite = |c: usize, cdef: Option<&ElementDef>| ElementAt {
        component: Some(u8::try_from(c).unwrap_or(u8::MAX)),
        number: cdef.and_then(|d| d.data_element),
        ..at
    };
    let mut parts: [&[u8]; COMPONENTS] = [b""; COMPONENTS];
    let mut given = 0;
    let mut extra = false;
    for (c, value) in rep.split(|&b| b == component).enumerate() {
        given = c + 1;
        if c < COMPONENTS {
            parts[c] = value;
        }
        match edef.component(c + 1) {
            Some(cdef) => check_value(cdef, value, cx, in_composite(c + 1, Some(cdef)), out),
            None => extra |= !value.is_empty(),
        }
    }
    if extra {
        let m = format!(
            "{} has more components than the guide defines",
            edef.reference
        );
        let first = edef.components.last().map_or(1, |c| c.position + 1);
        out.push(Problem::at(
            rules::ELEMENT_TOO_MANY,
            m,
            in_composite(first, None),
        ));
    }
    for cdef in &edef.components {
        if cdef.usage != Usage::Required {
            continue;
        }
        let value = if cdef.position > given {
            b""
        } else if cdef.position <= COMPONENTS {
            parts[cdef.position - 1]
        } else {
            rep.split(|&b| b == component)
                .nth(cdef.position - 1)
                .unwrap_or_default()
        };
        if value.is_empty() {
            let m = format!("required {} is missing", cdef.reference);
            let at = in_composite(cdef.position, Some(cdef));
            out.push(Problem::at(rules::ELEMENT_MISSING, m, at));
        }
    }
}

/// Checks one simple value (an element or a component) that is present; `clean` when
/// the segment's bytes are all printable ASCII.
fn check_value(def: &ElementDef, value: &[u8], cx: &Cx, at: ElementAt, out: &mut Vec<Problem>) {
    let (quote, clean) = (cx.quote, cx.clean);
    if value.is_empty() {
        return;
    }
    if def.usage == Usage::NotUsed {
        let m = format!("{} is not used", def.reference);
        out.push(Problem::at(rules::ELEMENT_NOT_USED, m, at));
        return;
    }
    let r = &def.reference;
    let ok_type = match def.data_type {
        DataType::Numeric { .. } => is_integer(value),
        DataType::Decimal => is_decimal(value),
        DataType::Date => is_date(value),
        DataType::Time => is_time(value),
        DataType::Alphanumeric | DataType::Identifier => {
            clean || value.iter().all(|&b| b >= 0x20 && b != 0x7F)
        }
        DataType::Binary | DataType::Composite => true,
    };
    if !ok_type {
        let m = format!("{r} is not a valid {} value", def.data_type.code());
        out.push(Problem::at(rules::ELEMENT_TYPE, m, at));
        return;
    }
    let len = match def.data_type {
        DataType::Numeric { .. } | DataType::Decimal => {
            value.iter().filter(|b| b.is_ascii_digit()).count()
        }
        _ if clean || value.is_ascii() => value.len(),
        _ => String::from_utf8_lossy(value).chars().count(),
    } as u32;
    if len < def.min_len || len > def.max_len {
        let m = format!(
            "{r} has length {len}, the guide allows {}-{}",
            def.min_len, def.max_len
        );
        out.push(Problem::at(rules::ELEMENT_LENGTH, m, at));
    }
    // Only a code may be quoted: a coded element of a segment that is not personal, its
    // length one the element allows (a name shifted into it is longer, as a rule).
    let shown = || {
        if quote && coded_fit(def, len) {
            echo::quoted(value)
        } else if quote {
            echo::describe(value)
        } else {
            "the value".to_string()
        }
    };
    let checks = &def.compiled;
    if !def.codes.is_empty() && !checks.codes.contains(value) {
        let m = format!("{} is not a valid code for {r}", shown());
        out.push(Problem::at(rules::CODE_INVALID, m, at));
    } else if let (Some(list), Some(set)) = (&def.external, &checks.external)
        && !set.contains(value_or_empty(value))
    {
        let m = format!("{} is not a valid {list} code for {r}", shown());
        out.push(Problem::at(rules::CODE_INVALID, m, at));
    }
    if let (Some(re), Some((lo, hi))) = (&def.regex, checks.digits)
        && !(value.iter().all(u8::is_ascii_digit) && (lo..=hi).contains(&value.len()))
    {
        let m = format!("{r} does not have the form {re}");
        out.push(Problem::at(rules::ELEMENT_TYPE, m, at));
    }
}

/// The value as an external list compares it: text that is not UTF-8 compares as empty.
fn value_or_empty(value: &[u8]) -> &[u8] {
    if std::str::from_utf8(value).is_ok() {
        value
    } else {
        b""
    }
}

fn is_integer(v: &[u8]) -> bool {
    let digits = v.strip_prefix(b"-").unwrap_or(v);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

fn is_decimal(v: &[u8]) -> bool {
    let body = v.strip_prefix(b"-").unwrap_or(v);
    let mut dots = 0;
    let mut digits = 0;
    for &b in body {
        match b {
            b'.' => dots += 1,
            b'0'..=b'9' => digits += 1,
            _ => return false,
        }
    }
    dots <= 1 && digits > 0
}

/// CCYYMMDD (or YYMMDD for ISA-style dates) that is a real calendar date.
pub fn is_date(v: &[u8]) -> bool {
    if !v.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = |d: &[u8]| d.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'));
    let (year, rest) = match v.len() {
        8 => (n(&v[..4]), &v[4..]),
        6 => (2000 + n(&v[..2]), &v[2..]),
        _ => return false,
    };
    let (month, day) = (n(&rest[..2]), n(&rest[2..]));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn is_time(v: &[u8]) -> bool {
    if !v.iter().all(u8::is_ascii_digit) || !matches!(v.len(), 4 | 6 | 7 | 8) {
        return false;
    }
    let n = |i: usize| u32::from(v[i] - b'0') * 10 + u32::from(v[i + 1] - b'0');
    n(0) < 24 && n(2) < 60 && (v.len() < 6 || n(4) < 60)
}

/// Checks one X12 syntax note such as `P0809` against which elements are present.
fn syntax(rule: &str, present: &[bool], seg: &str) -> Option<String> {
    let (kind, digits) = rule.split_at(1.min(rule.len()));
    let mut positions = [0usize; 16];
    let mut n = 0;
    for c in digits.as_bytes().chunks(2) {
        if n < positions.len() && c.len() == 2 && c.iter().all(u8::is_ascii_digit) {
            positions[n] = usize::from(c[0] - b'0') * 10 + usize::from(c[1] - b'0');
            n += 1;
        }
    }
    let positions = &positions[..n];
    let has = |p: usize| p >= 1 && present.get(p - 1).copied().unwrap_or(false);
    let count = positions.iter().filter(|&&p| has(p)).count();
    let first = positions.first().copied().unwrap_or(0);
    let broken = match kind {
        "P" => count > 0 && count < positions.len(),
        "R" => count == 0,
        "E" => count > 1,
        "C" => has(first) && count < positions.len(),
        "L" => has(first) && count == 1,
        _ => false,
    };
    broken.then(|| {
        let what = match kind {
            "P" => "must all be present or all absent",
            "R" => "need at least one present",
            "E" => "may not be present together",
            "C" => "are required when the first is present",
            _ => "need another present when the first is",
        };
        let list = positions
            .iter()
            .map(|p| format!("{seg}{p:02}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("syntax {rule}: {list} {what}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_types() {
        assert!(is_integer(b"12") && is_integer(b"-3") && !is_integer(b"1.0") && !is_integer(b""));
        assert!(
            is_decimal(b"12.50")
                && is_decimal(b"-.5")
                && !is_decimal(b"1.2.3")
                && !is_decimal(b".")
        );
        assert!(is_date(b"20240229") && !is_date(b"20230229") && !is_date(b"2024-01-01"));
        assert!(is_time(b"1253") && is_time(b"125359") && !is_time(b"2500") && !is_time(b"12"));
    }

    #[test]
    fn dates_agree_with_chrono() {
        use chrono::NaiveDate;
        let chrono_date = |v: &[u8]| {
            let s = std::str::from_utf8(v).unwrap();
            v.iter().all(u8::is_ascii_digit)
                && match v.len() {
                    8 => NaiveDate::parse_from_str(s, "%Y%m%d").is_ok(),
                    6 => NaiveDate::parse_from_str(&format!("20{s}"), "%Y%m%d").is_ok(),
                    _ => false,
                }
        };
        let mut cases: Vec<String> = Vec::new();
        for year in [
            "0000", "0004", "1900", "1999", "2000", "2023", "2024", "2100", "9999",
        ] {
            for month in 0..=13 {
                for day in 0..=32 {
                    cases.push(format!("{year}{month:02}{day:02}"));
                }
            }
        }
        for yy in 0..100 {
            for (m, d) in [(2, 29), (2, 28), (2, 30), (12, 31), (0, 1), (1, 0)] {
                cases.push(format!("{yy:02}{m:02}{d:02}"));
            }
        }
        cases
            .extend(["", "2024", "2024022", "202402290", "2024-1-1", "+0240229"].map(String::from));
        for c in &cases {
            assert_eq!(is_date(c.as_bytes()), chrono_date(c.as_bytes()), "{c}");
        }
    }

    #[test]
    fn syntax_notes() {
        let p = |v: &[usize]| {
            let mut a = [false; 12];
            for &i in v {
                a[i - 1] = true;
            }
            a
        };
        assert_eq!(syntax("P0809", &p(&[8, 9]), "NM1"), None);
        assert!(syntax("P0809", &p(&[8]), "NM1").is_some());
        assert!(syntax("R0203", &p(&[1]), "X").is_some());
        assert_eq!(syntax("R0203", &p(&[3]), "X"), None);
        assert!(syntax("E0102", &p(&[1, 2]), "X").is_some());
        assert!(syntax("C0102", &p(&[1]), "X").is_some());
        assert_eq!(syntax("C0102", &p(&[2]), "X"), None);
        assert!(syntax("L010203", &p(&[1]), "X").is_some());
        assert_eq!(syntax("L010203", &p(&[1, 3]), "X"), None);
    }
}
