//! Code-format checks the guides state in prose: NPI check digits, ICD-10 diagnosis codes
//! without a point, HCPCS/CPT shape, 11-digit NDCs under N4, D8/RD8 dates.

use crate::x12::Segment;

use super::element::Problem;
use crate::claim::{DIAGNOSIS_QUALIFIERS, LineDate};
use crate::echo;
use crate::report::ElementAt;

/// Rule ids of code-format checks (ids named in `domain/j2326.md` are kept).
pub mod rules {
    use crate::report::RuleId;

    pub const NPI_CHECK_DIGIT: RuleId = RuleId::NpiCheckDigit;
    pub const DIAGNOSIS_FORMAT: RuleId = RuleId::DiagnosisFormat;
    pub const DIAGNOSIS_CODE: RuleId = RuleId::DiagnosisCode;
    pub const PROCEDURE_CODE_FORMAT: RuleId = RuleId::ProcedureCodeFormat;
    pub const NDC_FORMAT: RuleId = RuleId::NdcFormat;
    pub const DATE_FORMAT: RuleId = RuleId::DateFormat;
}

/// The NPI check digit for its first nine digits: Luhn over the prefix 80840 and them.
pub fn npi_check_digit(first9: &[u8]) -> Option<u8> {
    if first9.len() != 9 || !first9.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut sum = 24; // the Luhn sum of the prefix 80840
    for (i, &b) in first9.iter().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether `npi` is ten digits whose last is the check digit of the first nine.
pub fn npi_valid(npi: &[u8]) -> bool {
    npi.len() == 10 && npi[9].is_ascii_digit() && npi_check_digit(&npi[..9]) == Some(npi[9] - b'0')
}

/// ICD-10-CM as an 837 carries it: a letter, a digit, then 1 to 5 letters or digits, no point.
pub fn icd10_shape(code: &[u8]) -> bool {
    (3..=7).contains(&code.len())
        && code[0].is_ascii_uppercase()
        && code[1].is_ascii_digit()
        && code[2..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// CPT (five digits, or four and F/T/U) or HCPCS level II (a letter A-V and four digits).
pub fn procedure_shape(code: &[u8]) -> bool {
    code.len() == 5
        && ((code[..4].iter().all(u8::is_ascii_digit)
            && (code[4].is_ascii_digit() || matches!(code[4], b'F' | b'T' | b'U')))
            || ((b'A'..=b'V').contains(&code[0]) && code[1..].iter().all(u8::is_ascii_digit)))
}

/// Element `e`, component `c` of a segment.
fn component(e: usize, c: u8) -> ElementAt {
    ElementAt {
        component: Some(c),
        ..ElementAt::element(e)
    }
}

/// Checks one segment for the code formats above.
pub fn check(seg: &Segment<'_>, out: &mut Vec<Problem>) {
    match seg.id() {
        b"NM1" => {
            let [.., q, npi] = seg.values::<9>();
            if q == b"XX" && !npi_valid(npi) {
                out.push(Problem::at(
                    rules::NPI_CHECK_DIGIT,
                    "NM109 is not a valid NPI (check digit)",
                    ElementAt::element(9),
                ));
            }
        }
        b"HI" => diagnoses(seg, out),
        b"SV1" | b"SV2" | b"SVD" => {
            let n = match seg.id() {
                b"SV1" => 1,
                b"SV2" => 2,
                _ => 3,
            };
            let mut parts = seg.element(n).map(|e| e.components());
            let mut part = || parts.as_mut().and_then(Iterator::next).unwrap_or_default();
            if part() == b"HC" {
                let code = part();
                if !procedure_shape(code) {
                    out.push(Problem::at(
                        rules::PROCEDURE_CODE_FORMAT,
                        format!(
                            "{}{n:02}-2 {} is not a CPT or HCPCS code",
                            String::from_utf8_lossy(seg.id()),
                            echo::quoted(code)
                        ),
                        component(n, 2),
                    ));
                }
            }
        }
        b"LIN" => {
            let [_, q, ndc] = seg.values::<3>();
            if q == b"N4" && (ndc.len() != 11 || !ndc.iter().all(u8::is_ascii_digit)) {
                out.push(Problem::at(
                    rules::NDC_FORMAT,
                    format!("LIN03 NDC {} is not 11 digits", echo::quoted(ndc)),
                    ElementAt::element(3),
                ));
            }
        }
        // A date of birth is personal: the message names the element, never the value.
        b"DMG" if seg.value(1) == b"D8" && LineDate::parse(b"D8", seg.value(2)).is_none() => {
            out.push(Problem::at(
                rules::DATE_FORMAT,
                "DMG02 date of birth is not a valid D8 date",
                ElementAt::element(2),
            ));
        }
        b"DTP" => {
            let [qualifier, format, v] = seg.values::<3>();
            let ok = match format {
                b"D8" | b"RD8" => LineDate::parse(format, v).is_some(),
                _ => true,
            };
            if !ok {
                out.push(Problem::at(
                    rules::DATE_FORMAT,
                    format!(
                        "DTP*{} date is not a valid {} value",
                        echo::code(qualifier),
                        echo::code(format)
                    ),
                    ElementAt::element(3),
                ));
            }
        }
        _ => {}
    }
}

/// The HI diagnoses: no point, no lower case, shaped like ICD-10-CM.
fn diagnoses(seg: &Segment<'_>, out: &mut Vec<Problem>) {
    for (i, e) in seg.elements().enumerate() {
        let mut parts = e.components();
        let q = parts.next().unwrap_or_default();
        if !DIAGNOSIS_QUALIFIERS.contains(&q) {
            continue;
        }
        let code = parts.next().unwrap_or_default();
        let shown = echo::quoted(code);
        if code.contains(&b'.') || code.iter().any(u8::is_ascii_lowercase) {
            out.push(Problem::at(
                rules::DIAGNOSIS_FORMAT,
                format!(
                    "HI{:02}-2 diagnosis {shown} has a point or lower case",
                    i + 1
                ),
                component(i + 1, 2),
            ));
        } else if !icd10_shape(code) {
            out.push(Problem::at(
                rules::DIAGNOSIS_CODE,
                format!("HI{:02}-2 {shown} is not an ICD-10-CM code", i + 1),
                component(i + 1, 2),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi() {
        assert!(npi_valid(b"1234567893"));
        assert!(!npi_valid(b"1234567890"));
        assert!(!npi_valid(b"123456789"));
        // The check digit of 123456789 is 3; any other last digit fails.
        for d in b'0'..=b'9' {
            assert_eq!(
                npi_valid(&[b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', b'9', d]),
                d == b'3'
            );
        }
    }

    #[test]
    fn shapes() {
        for ok in [&b"G121"[..], b"G12", b"Z7989", b"S72001A"] {
            assert!(icd10_shape(ok), "{ok:?}");
        }
        for bad in [&b"G12.1"[..], b"g121", b"12", b"1234"] {
            assert!(!icd10_shape(bad), "{bad:?}");
        }
        for ok in [&b"J2326"[..], b"62321", b"0001U", b"99213", b"1234F"] {
            assert!(procedure_shape(ok), "{ok:?}");
        }
        for bad in [&b"J232"[..], b"W1234", b"623211", b"J23A6"] {
            assert!(!procedure_shape(bad), "{bad:?}");
        }
    }
}
