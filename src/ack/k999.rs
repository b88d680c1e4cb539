//! The 999 (005010X231A1) of one transaction set, from its validation findings: AK2, an
//! IK3 per segment in error (with the claim's CTX and an IK4 per element), IK5; and the
//! AK9 of a functional group. Which finding gives which code is `syntax_errors.toml`.

use std::collections::BTreeMap;

use super::envelope::{composite, fit, segment, simple};
use super::mapping::{self, SyntaxErrors};
use crate::echo;
use crate::grammar::{self, DataType, ElementDef, SegmentDef};
use crate::report::{ElementAt, Finding, RuleId, Severity, Source};
use crate::tree::Tree;
use crate::validate::element::quotable;
use crate::x12::{Delimiters, OwnedSegment, Segment, Transaction};

/// IK502 and AK905 hold at most five codes each.
const MAX_CODES: usize = 5;

/// How far x837 could read a transaction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Validated with its guide.
    Validated,
    /// An 837 of a guide x837 does not carry.
    GuideUnsupported,
    /// A set x837 does not validate (an 835).
    NotSupported,
}

/// The acknowledgment of one transaction set: its 2000 loop (AK2 to IK5).
#[derive(Debug, Clone)]
pub struct TxAck {
    pub segments: Vec<OwnedSegment>,
    pub accepted: bool,
}

/// One IK3 being put together: its segment, what is wrong with it, its IK4s.
struct Ik3 {
    id: String,
    position: usize,
    loop_id: Option<String>,
    code: Option<String>,
    claim: Option<String>,
    elements: BTreeMap<(u8, u8, u8, String), OwnedSegment>,
}

/// The base loop number of a guide's loop id (`2010AA` is loop 2010 of the transaction
/// set diagram), which is what IK303 (AN 1-4) holds.
fn base_loop(id: &str) -> Option<String> {
    let digits: String = id.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty() && digits.len() <= 4).then_some(digits)
}

/// The id of the innermost loop of a loop path (`2000A[1]/2300[2]/CLM` is `2300`).
fn innermost(path: &str) -> Option<&str> {
    path.rsplit('/')
        .find_map(|p| p.split_once('[').map(|(id, _)| id))
}

/// The element of definition `def` that `at` points at, its component's when it has one.
fn element_def<'d>(def: Option<&'d SegmentDef>, at: &ElementAt) -> Option<&'d ElementDef> {
    let e = def?.element(usize::from(at.position))?;
    match at.component {
        Some(c) => e.component(usize::from(c)),
        None => Some(e),
    }
}

/// The value `at` points at in `seg`.
fn value_at<'a>(seg: &Segment<'a>, at: &ElementAt) -> &'a [u8] {
    let Some(e) = seg.element(usize::from(at.position)) else {
        return b"";
    };
    let rep = at
        .repetition
        .map_or(0, |r| usize::from(r).saturating_sub(1));
    let Some(r) = e.repetitions().nth(rep) else {
        return b"";
    };
    match at.component {
        Some(c) => r
            .split(|&b| b == seg.delimiters.component)
            .nth(usize::from(c).saturating_sub(1))
            .unwrap_or_default(),
        None => r,
    }
}

/// Which of a rule's IK403 codes fits what the element holds.
fn variant(rule: RuleId, at: &ElementAt, def: Option<&ElementDef>, value: &[u8]) -> &'static str {
    match rule {
        RuleId::ElementTooMany if at.component.is_some() => "components",
        RuleId::ElementTooMany => "elements",
        RuleId::ElementLength => match def {
            Some(d) if (String::from_utf8_lossy(value).chars().count() as u32) < d.min_len => {
                "short"
            }
            _ => "long",
        },
        RuleId::ElementType => match def.map(|d| d.data_type) {
            Some(DataType::Date) => "date",
            Some(DataType::Time) => "time",
            Some(DataType::Alphanumeric | DataType::Identifier)
                if value.iter().all(|&b| (0x20..0x7F).contains(&b)) =>
            {
                "pattern"
            }
            _ => "other",
        },
        RuleId::SyntaxRule if value.is_empty() => "absent",
        RuleId::SyntaxRule => "present",
        _ => "",
    }
}

/// The IK4 of an element-level finding.
fn ik4(
    f: &Finding,
    at: &ElementAt,
    seg: &Segment<'_>,
    def: Option<&SegmentDef>,
    codes: &SyntaxErrors,
    d: &Delimiters,
) -> Option<((u8, u8, u8, String), OwnedSegment)> {
    let pick = codes.element.get(f.rule.as_str())?;
    let edef = element_def(def, at);
    let value = value_at(seg, at);
    let code = pick.code(variant(f.rule, at, edef, value))?.to_string();
    let number = at.number.or(edef.and_then(|e| e.data_element));
    let position = at.position.to_string();
    let component = at.component.map(|c| c.to_string()).unwrap_or_default();
    let repetition = at.repetition.map(|r| r.to_string()).unwrap_or_default();
    // IK404 only under the echo rule: a code, from a coded element of a segment that is
    // not personal.
    let copy = match (def, edef) {
        (Some(s), Some(e)) if !value.is_empty() && quotable(s, e, value) => fit(value, 1, 99, d),
        _ => None,
    };
    let seg = segment(
        "IK4",
        vec![
            composite([position.as_str(), component.as_str(), repetition.as_str()]),
            simple(number.map(|n| n.to_string()).unwrap_or_default()),
            simple(code.clone()),
            simple(copy.unwrap_or_default()),
        ],
    );
    let key = (
        at.position,
        at.component.unwrap_or(0),
        at.repetition.unwrap_or(0),
        code,
    );
    Some((key, seg))
}

/// The transaction-level IK502 code a finding gives, if it gives one.
fn transaction_code(
    f: &Finding,
    tx: &Transaction<'_>,
    codes: &'static SyntaxErrors,
) -> Option<&'static str> {
    let at_se = tx
        .segments
        .last()
        .is_some_and(|s| s.is("SE") && s.index == f.position.segment);
    let at_st = tx
        .segments
        .first()
        .is_some_and(|s| s.index == f.position.segment);
    let key = match f.rule {
        RuleId::SegmentCount if at_se => "segment-count",
        RuleId::ControlNumber if at_se => "control-number",
        RuleId::VersionMismatch => "version-mismatch",
        RuleId::GuideUnsupported => "guide-unsupported",
        // The GS01 check is a code-invalid on ST about no element of it.
        RuleId::CodeInvalid if at_st && f.element.is_none() => "wrong-group",
        _ => return None,
    };
    codes.transaction.get(key).map(String::as_str)
}

/// The acknowledgment of transaction `tx`, from its error-level `findings` (validation
/// and envelope, positions in the same input), its `tree` when it was validated.
pub fn transaction(
    tx: &Transaction<'_>,
    tree: Option<&Tree>,
    read: Read,
    findings: &[Finding],
    d: &Delimiters,
) -> Option<TxAck> {
    let codes = mapping::syntax_errors();
    let st = tx.segments.first()?;
    let set = fit(st.value(1), 3, 3, d)?;
    let control = fit(st.value(2), 4, 9, d)?;
    if !ak201_codes().contains(&set) {
        return None;
    }
    let closed = tx.segments.len() > 1 && tx.segments.last().is_some_and(|s| s.is("SE"));
    let mut ik5: Vec<&str> = Vec::new();
    let add = |c: Option<&'static str>, ik5: &mut Vec<&'static str>| {
        if let Some(c) = c
            && !ik5.contains(&c)
        {
            ik5.push(c);
        }
    };
    if !closed {
        add(
            codes.transaction.get("unclosed").map(String::as_str),
            &mut ik5,
        );
    }
    if read == Read::NotSupported {
        add(
            codes.transaction.get("not-supported").map(String::as_str),
            &mut ik5,
        );
    }
    let errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error || f.rule == RuleId::GuideUnsupported)
        .collect();
    for f in &errors {
        add(transaction_code(f, tx, codes), &mut ik5);
    }
    let ik3s = segments_in_error(tx, tree, &errors, codes, d);
    if !ik3s.is_empty() {
        add(
            codes.transaction.get("in-error").map(String::as_str),
            &mut ik5,
        );
    }
    let mut out = vec![segment(
        "AK2",
        vec![
            simple(set),
            simple(control),
            simple(
                fit(st.value(3), 1, 35, d)
                    .filter(|v| echo::is_code(v.as_bytes()))
                    .unwrap_or_default(),
            ),
        ],
    )];
    out.extend(ik3s);
    let accepted = ik5.is_empty();
    let mut ik5_elements = vec![simple(if accepted { "A" } else { "R" })];
    ik5_elements.extend(ik5.iter().take(MAX_CODES).map(|c| simple(*c)));
    out.push(segment("IK5", ik5_elements));
    Some(TxAck {
        segments: out,
        accepted,
    })
}

/// The IK3 loops (IK3, CTX, IK4s) of the segments `errors` are on, in input order.
fn segments_in_error(
    tx: &Transaction<'_>,
    tree: Option<&Tree>,
    errors: &[&Finding],
    codes: &SyntaxErrors,
    d: &Delimiters,
) -> Vec<OwnedSegment> {
    let first = tx.segments.first().map_or(0, |s| s.index);
    let mut ik3s: BTreeMap<(usize, String), Ik3> = BTreeMap::new();
    for f in errors {
        let i = f.position.segment.wrapping_sub(first);
        let Some(seg) = tx.segments.get(i) else {
            continue;
        };
        let segment_code = codes.segment.get(f.rule.as_str());
        let element_level = f.element.is_some() && codes.element.contains_key(f.rule.as_str());
        if segment_code.is_none() && !element_level {
            continue;
        }
        let (id, loop_id) = match &f.missing {
            Some(m) => (
                m.segment.clone(),
                m.loop_id.clone().or_else(|| {
                    f.loop_path
                        .as_deref()
                        .and_then(innermost)
                        .map(str::to_string)
                }),
            ),
            None => (
                String::from_utf8_lossy(seg.id()).into_owned(),
                f.loop_path
                    .as_deref()
                    .and_then(innermost)
                    .map(str::to_string),
            ),
        };
        if !echo::is_segment_id(id.as_bytes()) {
            continue;
        }
        let ik3 = ik3s.entry((i, id.clone())).or_insert_with(|| Ik3 {
            id,
            position: i + 1,
            loop_id: loop_id.as_deref().and_then(base_loop),
            code: None,
            claim: None,
            elements: BTreeMap::new(),
        });
        if ik3.code.is_none() {
            ik3.code = segment_code.cloned();
        }
        if ik3.claim.is_none() {
            ik3.claim = f.claim.as_deref().and_then(|c| fit(c.as_bytes(), 1, 35, d));
        }
        if let (true, Some(at)) = (element_level && f.missing.is_none(), f.element.as_ref()) {
            let def = tree.and_then(|t| t.placed.get(i)).and_then(|p| p.def);
            if let Some((key, s)) = ik4(f, at, seg, def, codes, d) {
                ik3.elements.entry(key).or_insert(s);
            }
        }
    }
    let mut out = Vec::new();
    for ik3 in ik3s.into_values() {
        out.push(segment(
            "IK3",
            vec![
                simple(ik3.id),
                simple(ik3.position.to_string()),
                simple(ik3.loop_id.unwrap_or_default()),
                simple(ik3.code.unwrap_or_else(|| "8".to_string())),
            ],
        ));
        if let Some(c) = ik3.claim {
            out.push(segment("CTX", vec![composite(["CLM01", c.as_str()])]));
        }
        out.extend(ik3.elements.into_values());
    }
    out
}

/// The sets an AK201 may name (the 999 guide's list).
fn ak201_codes() -> &'static [String] {
    grammar::implementation()
        .find_loop("2000")
        .map(|l| l.trigger())
        .and_then(|ak2| ak2.element(1))
        .map_or(&[], |e| e.codes.as_slice())
}

/// The functional groups an AK101 may name (the 999 guide's list).
pub fn ak101_codes() -> &'static [String] {
    grammar::implementation()
        .root
        .segments()
        .find(|s| s.id == "AK1")
        .and_then(|ak1| ak1.element(1))
        .map_or(&[], |e| e.codes.as_slice())
}

/// What a functional group's trailer said, and what was wrong with the group as a whole.
#[derive(Debug, Clone, Default)]
pub struct GroupEnd {
    /// GE01 as written, when the group closed.
    pub ge01: Option<Vec<u8>>,
    /// The group has a GE.
    pub closed: bool,
    /// Error findings at the GE (GE01, GE02).
    pub findings: Vec<Finding>,
}

/// The AK9 of a group of `received` transaction sets, `accepted` of them accepted.
/// Returns it and whether the group as a whole was rejected.
pub fn ak9(end: &GroupEnd, received: usize, accepted: usize) -> (OwnedSegment, bool) {
    let codes = mapping::syntax_errors();
    let mut ak905: Vec<&str> = Vec::new();
    let mut add = |key: &str| {
        if let Some(c) = codes.group.get(key)
            && !ak905.contains(&c.as_str())
        {
            ak905.push(c);
        }
    };
    if !end.closed {
        add("unclosed");
    }
    for f in end
        .findings
        .iter()
        .filter(|f| f.rule.source() == Source::Envelope)
    {
        match f.rule {
            RuleId::TransactionCount => add("transaction-count"),
            RuleId::ControlNumber => add("control-number"),
            _ => {}
        }
    }
    let group_error = !ak905.is_empty();
    let code = if group_error || accepted == 0 {
        "R"
    } else if accepted == received {
        "A"
    } else {
        "P"
    };
    let included = end
        .ge01
        .as_deref()
        .filter(|v| (1..=6).contains(&v.len()) && v.iter().all(u8::is_ascii_digit))
        .map_or_else(
            || received.to_string(),
            |v| String::from_utf8_lossy(v).into_owned(),
        );
    let mut elements = vec![
        simple(code),
        simple(included),
        simple(received.to_string()),
        simple(if group_error { 0 } else { accepted }.to_string()),
    ];
    elements.extend(ak905.iter().take(MAX_CODES).map(|c| simple(*c)));
    (segment("AK9", elements), code == "R")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_ids_as_ik303_holds_them() {
        assert_eq!(base_loop("2010AA").as_deref(), Some("2010"));
        assert_eq!(base_loop("2300").as_deref(), Some("2300"));
        assert_eq!(base_loop("ST_LOOP"), None);
        assert_eq!(innermost("2000A[1]/2000B[1]/2300[1]/CLM"), Some("2300"));
        assert_eq!(innermost("2000A[1]/2010AA[1]"), Some("2010AA"));
        assert_eq!(innermost("BHT"), None);
    }

    #[test]
    fn the_999_guide_lists_are_read() {
        assert!(ak101_codes().iter().any(|c| c == "HC"));
        assert!(ak201_codes().iter().any(|c| c == "837"));
    }
}
