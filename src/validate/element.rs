//! Element checks against the guide: usage, repeats, type, length, code lists, and the
//! X12 syntax notes (P, R, E, C, L) of each segment.

use chrono::NaiveDate;

use crate::grammar::{DataType, ElementDef, SegmentDef, Usage, external};
use crate::x12::Segment;

/// Rule ids of element checks.
pub mod rules {
    pub const ELEMENT_MISSING: &str = "element-missing";
    pub const ELEMENT_NOT_USED: &str = "element-not-used";
    pub const ELEMENT_TOO_MANY: &str = "element-too-many";
    pub const ELEMENT_REPEAT: &str = "element-repeat";
    pub const ELEMENT_LENGTH: &str = "element-length";
    pub const ELEMENT_TYPE: &str = "element-type";
    pub const CODE_INVALID: &str = "code-invalid";
    pub const SYNTAX_RULE: &str = "syntax-rule";
}

/// One problem in a segment: rule id and message.
pub type Problem = (&'static str, String);

/// Segments whose values may identify a person: their values are never quoted.
const PERSONAL: [&str; 7] = ["NM1", "N3", "N4", "DMG", "PER", "REF", "PAT"];

/// Checks every element of `seg` against `def`.
pub fn check(seg: &Segment<'_>, def: &SegmentDef, out: &mut Vec<Problem>) {
    let quote = !PERSONAL.contains(&def.id.as_str());
    let mut present = [false; 64];
    let mut n = 0;
    for (i, element) in seg.elements().enumerate() {
        n = i + 1;
        if i < present.len() {
            present[i] = !element.is_empty();
        }
        let Some(edef) = def.element(i + 1) else {
            if !element.is_empty() {
                out.push((
                    rules::ELEMENT_TOO_MANY,
                    format!("{} has more elements than the guide defines ({n})", def.id),
                ));
            }
            continue;
        };
        if element.is_empty() {
            continue;
        }
        if edef.usage == Usage::NotUsed {
            out.push((
                rules::ELEMENT_NOT_USED,
                format!("{} is not used", edef.reference),
            ));
            continue;
        }
        let reps: Vec<&[u8]> = element.repetitions().collect();
        if reps.len() as u32 > edef.repeat.max(1) {
            out.push((
                rules::ELEMENT_REPEAT,
                format!(
                    "{} repeats {} times, at most {}",
                    edef.reference,
                    reps.len(),
                    edef.repeat.max(1)
                ),
            ));
        }
        let d = seg.delimiters;
        for rep in reps {
            if edef.is_composite() {
                let comps: Vec<&[u8]> = rep.split(|&b| b == d.component).collect();
                for (c, value) in comps.iter().enumerate() {
                    match edef.component(c + 1) {
                        Some(cdef) => check_value(cdef, value, quote, out),
                        None if !value.is_empty() => out.push((
                            rules::ELEMENT_TOO_MANY,
                            format!(
                                "{} has more components than the guide defines",
                                edef.reference
                            ),
                        )),
                        None => {}
                    }
                }
                for cdef in &edef.components {
                    let value = comps.get(cdef.position - 1).copied().unwrap_or_default();
                    if value.is_empty() && cdef.usage == Usage::Required {
                        out.push((
                            rules::ELEMENT_MISSING,
                            format!("required {} is missing", cdef.reference),
                        ));
                    }
                }
            } else {
                check_value(edef, rep, quote, out);
            }
        }
    }
    for edef in &def.elements {
        let given = edef.position <= n && present.get(edef.position - 1).copied().unwrap_or(false);
        if !given && edef.usage == Usage::Required {
            out.push((
                rules::ELEMENT_MISSING,
                format!("required {} ({}) is missing", edef.reference, edef.name),
            ));
        }
    }
    for rule in &def.syntax {
        if let Some(m) = syntax(rule, &present, &def.id) {
            out.push((rules::SYNTAX_RULE, m));
        }
    }
}

/// Checks one simple value (an element or a component) that is present.
fn check_value(def: &ElementDef, value: &[u8], quote: bool, out: &mut Vec<Problem>) {
    if value.is_empty() {
        return;
    }
    if def.usage == Usage::NotUsed {
        out.push((
            rules::ELEMENT_NOT_USED,
            format!("{} is not used", def.reference),
        ));
        return;
    }
    let r = &def.reference;
    let text = String::from_utf8_lossy(value);
    let ok_type = match def.data_type {
        DataType::Numeric { .. } => is_integer(value),
        DataType::Decimal => is_decimal(value),
        DataType::Date => is_date(value),
        DataType::Time => is_time(value),
        DataType::Alphanumeric | DataType::Identifier => {
            value.iter().all(|&b| b >= 0x20 && b != 0x7F)
        }
        DataType::Binary | DataType::Composite => true,
    };
    if !ok_type {
        out.push((
            rules::ELEMENT_TYPE,
            format!("{r} is not a valid {} value", def.data_type.code()),
        ));
        return;
    }
    let len = match def.data_type {
        DataType::Numeric { .. } | DataType::Decimal => {
            value.iter().filter(|b| b.is_ascii_digit()).count()
        }
        _ => text.chars().count(),
    } as u32;
    if len < def.min_len || len > def.max_len {
        out.push((
            rules::ELEMENT_LENGTH,
            format!(
                "{r} has length {len}, the guide allows {}-{}",
                def.min_len, def.max_len
            ),
        ));
    }
    let shown = if quote {
        format!("'{}'", shorten(&text))
    } else {
        "the value".to_string()
    };
    if !def.codes.is_empty() && !def.codes.iter().any(|c| c.as_bytes() == value) {
        out.push((
            rules::CODE_INVALID,
            format!("{shown} is not a valid code for {r}"),
        ));
    } else if let Some(list) = &def.external
        && external::contains(list, &text) == Some(false)
    {
        let m = format!("{shown} is not a valid {list} code for {r}");
        out.push((rules::CODE_INVALID, m));
    }
    if let Some(re) = &def.regex
        && !matches_regex(re, value)
    {
        out.push((
            rules::ELEMENT_TYPE,
            format!("{r} does not have the form {re}"),
        ));
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(12).collect()
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
    let s = std::str::from_utf8(v).unwrap_or_default();
    match v.len() {
        8 => NaiveDate::parse_from_str(s, "%Y%m%d").is_ok(),
        6 => NaiveDate::parse_from_str(&format!("20{s}"), "%Y%m%d").is_ok(),
        _ => false,
    }
}

fn is_time(v: &[u8]) -> bool {
    if !v.iter().all(u8::is_ascii_digit) || !matches!(v.len(), 4 | 6 | 7 | 8) {
        return false;
    }
    let n = |i: usize| u32::from(v[i] - b'0') * 10 + u32::from(v[i + 1] - b'0');
    n(0) < 24 && n(2) < 60 && (v.len() < 6 || n(4) < 60)
}

/// The regex forms the grammars use: `[0-9]{n}` and `[0-9]{m,n}`.
fn matches_regex(re: &str, v: &[u8]) -> bool {
    let Some(rest) = re.strip_prefix("[0-9]{").and_then(|r| r.strip_suffix('}')) else {
        return true;
    };
    let (lo, hi) = match rest.split_once(',') {
        Some((a, b)) => (a.parse().unwrap_or(0), b.parse().unwrap_or(usize::MAX)),
        None => {
            let n = rest.parse().unwrap_or(0);
            (n, n)
        }
    };
    v.iter().all(u8::is_ascii_digit) && (lo..=hi).contains(&v.len())
}

/// Checks one X12 syntax note such as `P0809` against which elements are present.
fn syntax(rule: &str, present: &[bool], seg: &str) -> Option<String> {
    let (kind, digits) = rule.split_at(1.min(rule.len()));
    let positions: Vec<usize> = digits
        .as_bytes()
        .chunks(2)
        .filter_map(|c| std::str::from_utf8(c).ok()?.parse().ok())
        .collect();
    let has = |p: usize| p >= 1 && present.get(p - 1).copied().unwrap_or(false);
    let count = positions.iter().filter(|&&p| has(p)).count();
    let name = |p: &usize| format!("{seg}{p:02}");
    let list = positions.iter().map(name).collect::<Vec<_>>().join(", ");
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
        assert!(matches_regex("[0-9]{9}", b"627010001") && !matches_regex("[0-9]{9}", b"62701"));
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
