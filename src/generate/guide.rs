//! What the implementation guide allows in the elements a claim description fills:
//! lengths, code lists and repeats, read from the grammars so the checks never restate them.

use std::fmt;
use std::iter;

use serde::{Deserialize, Serialize};

use crate::grammar::{self, ElementDef, Grammar, LoopDef, Repeat, SegmentDef, Usage};

/// ISA06 and ISA08, the sender and receiver ids: fixed width, padded with spaces.
pub const ISA_ID_WIDTH: usize = 15;

/// Which implementation guide to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// Professional, 005010X222A1.
    #[serde(rename = "837p")]
    Professional,
    /// Institutional, 005010X223A2.
    #[serde(rename = "837i")]
    Institutional,
}

impl Kind {
    /// GS08 and ST03.
    pub fn version(self) -> &'static str {
        match self {
            Kind::Professional => "005010X222A1",
            Kind::Institutional => "005010X223A2",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Professional => "837p",
            Kind::Institutional => "837i",
        })
    }
}

/// An element a description field is written into: its loop, its segment (with the code
/// that tells it from namesakes in the same loop, such as REF `G1`), and its reference
/// (`NM103`, `CLM05-01`, or a composite, `SV107`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub loop_id: &'static str,
    pub segment: &'static str,
    pub qualifier: Option<&'static str>,
    pub element: &'static str,
}

impl Slot {
    pub const fn new(loop_id: &'static str, segment: &'static str, element: &'static str) -> Slot {
        Slot {
            loop_id,
            segment,
            qualifier: None,
            element,
        }
    }

    pub const fn qualified(mut self, code: &'static str) -> Slot {
        self.qualifier = Some(code);
        self
    }
}

/// The grammar a description of `kind` is written with.
pub fn grammar(kind: Kind) -> &'static Grammar {
    grammar::for_kind(match kind {
        Kind::Professional => grammar::Kind::Professional,
        Kind::Institutional => grammar::Kind::Institutional,
    })
}

/// The first loop `id` of the guide (the copy of 2300 under 2000B; both are the same).
///
/// # Panics
/// When the guide has no such loop: the ids are constants of this crate, and the tests
/// resolve each of them in both embedded grammars.
pub fn loop_def(kind: Kind, id: &str) -> &'static LoopDef {
    grammar(kind)
        .find_loop(id)
        .unwrap_or_else(|| panic!("{kind}: no loop {id} in the grammar"))
}

/// The segment `id` of loop `loop_id`, the one qualified by `qualifier` when given.
///
/// # Panics
/// As `loop_def`, when the segment is not there.
pub fn segment(
    kind: Kind,
    loop_id: &str,
    id: &str,
    qualifier: Option<&str>,
) -> &'static SegmentDef {
    loop_def(kind, loop_id)
        .segments()
        .find(|s| {
            s.id == id
                && qualifier.is_none_or(|q| {
                    s.qualifier()
                        .is_some_and(|(_, codes)| codes.iter().any(|c| c == q))
                })
        })
        .unwrap_or_else(|| panic!("{kind}: no {id} {qualifier:?} in loop {loop_id}"))
}

/// The element definition at `at`.
///
/// # Panics
/// As `loop_def`, when the element is not there.
pub fn element(kind: Kind, at: Slot) -> &'static ElementDef {
    segment(kind, at.loop_id, at.segment, at.qualifier)
        .elements
        .iter()
        .flat_map(|e| iter::once(e).chain(&e.components))
        .find(|e| e.reference == at.element)
        .unwrap_or_else(|| panic!("{kind}: no element {at:?}"))
}

/// How many times loop `id` may occur in its parent (`usize::MAX` for `>1`).
pub fn repeat(kind: Kind, id: &str) -> usize {
    match loop_def(kind, id).repeat {
        Repeat::Max(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Repeat::Unbounded => usize::MAX,
    }
}

/// The elements of a segment the guide uses (HI01..HI12 of the 837P diagnosis HI, only HI01
/// of the 837I principal diagnosis).
pub fn used_elements(kind: Kind, loop_id: &str, id: &str, qualifier: Option<&str>) -> usize {
    used(&segment(kind, loop_id, id, qualifier).elements, "")
}

/// The components of the composite at `at` the guide uses whose name starts with `name`
/// (`Procedure Modifier`: SV101-03..06).
pub fn used_components(kind: Kind, at: Slot, name: &str) -> usize {
    used(&element(kind, at).components, name)
}

fn used(parts: &[ElementDef], name: &str) -> usize {
    parts
        .iter()
        .filter(|p| p.usage != Usage::NotUsed && p.name.starts_with(name))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [Kind; 2] = [Kind::Professional, Kind::Institutional];

    #[test]
    fn slots_find_their_elements() {
        for kind in BOTH {
            let nm103 = element(kind, Slot::new("2010BA", "NM1", "NM103"));
            assert_eq!(nm103.name, "Subscriber Last Name");
            let auth = element(kind, Slot::new("2300", "REF", "REF02").qualified("G1"));
            assert_eq!(auth.name, "Prior Authorization Number");
            let unit = element(kind, Slot::new("2410", "CTP", "CTP05-01"));
            assert_eq!(unit.codes, ["F2", "GR", "ME", "ML", "UN"]);
        }
        let pos = element(Kind::Professional, Slot::new("2300", "CLM", "CLM05-01"));
        assert_eq!(pos.external.as_deref(), Some("pos"));
    }

    #[test]
    fn repeats_and_used_parts() {
        assert_eq!(repeat(Kind::Professional, "2400"), 50);
        assert_eq!(repeat(Kind::Institutional, "2400"), 999);
        let sv101 = Slot::new("2400", "SV1", "SV101");
        assert_eq!(
            used_components(Kind::Professional, sv101, "Procedure Modifier"),
            4
        );
        let sv202 = Slot::new("2400", "SV2", "SV202");
        assert_eq!(
            used_components(Kind::Institutional, sv202, "Procedure Modifier"),
            4
        );
        let sv107 = Slot::new("2400", "SV1", "SV107");
        assert_eq!(used_components(Kind::Professional, sv107, ""), 4);
        let hi = |kind, q| used_elements(kind, "2300", "HI", Some(q));
        assert_eq!(hi(Kind::Professional, "ABK"), 12);
        // The 837I principal diagnosis HI carries only HI01; the others go in one more HI.
        assert_eq!(hi(Kind::Institutional, "ABK"), 1);
        assert_eq!(hi(Kind::Institutional, "ABF"), 12);
    }

    #[test]
    #[should_panic(expected = "no element")]
    fn a_slot_the_guide_lacks_is_a_bug() {
        element(Kind::Professional, Slot::new("2010BA", "NM1", "NM113"));
    }
}
