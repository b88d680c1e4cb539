//! The implementation guide as values: loops, segments, elements, usage, repeats and codes.
//! Built once by the loader, which also fills each definition's `compiled` facts (see
//! `compiled.rs`) for the per-segment hot path.

use std::fmt;

use super::compiled::{LoopIndex, SegmentChecks, ValueChecks};

/// A whole guide for one transaction set (ST to SE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grammar {
    /// The guide's version as written in GS08/ST03, e.g. `005010X222A1`.
    pub version: String,
    pub kind: Kind,
    pub name: String,
    /// The transaction set loop (`ST_LOOP`): ST, BHT, the 1000 and 2000 loops, SE.
    pub root: LoopDef,
}

impl Grammar {
    /// The first loop with this id in document order (`2300` appears under both 2000B and
    /// 2000C; this returns the one under 2000B).
    pub fn find_loop(&self, id: &str) -> Option<&LoopDef> {
        self.root.descendants().into_iter().find(|l| l.id == id)
    }

    /// Every loop with this id, in document order.
    pub fn find_loops(&self, id: &str) -> Vec<&LoopDef> {
        self.root
            .descendants()
            .into_iter()
            .filter(|l| l.id == id)
            .collect()
    }
}

/// Which transaction set a grammar describes: one of the two 837s, or one of the
/// responses sent back for them (999, 277CA, the 835 remittance). Claim views and scrub rules are for 837s only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 837P, written `P` in grammar files.
    Professional,
    /// 837I, written `I` in grammar files.
    Institutional,
    /// The 999 implementation acknowledgment (005010X231A1), written `999`.
    Implementation,
    /// The 277CA claim acknowledgment (005010X214), written `277CA`.
    ClaimAcknowledgment,
    /// The 835 claim payment/advice, the remittance (005010X221A1), written `835`.
    Remittance,
}

impl Kind {
    /// The kind a grammar file's first line names (`P`, `I`, `999`, `277CA`, `835`).
    pub fn from_letter(s: &str) -> Option<Self> {
        match s {
            "P" => Some(Self::Professional),
            "I" => Some(Self::Institutional),
            "999" => Some(Self::Implementation),
            "277CA" => Some(Self::ClaimAcknowledgment),
            "835" => Some(Self::Remittance),
            _ => None,
        }
    }

    /// How a grammar file names the kind.
    pub fn letter(self) -> &'static str {
        match self {
            Self::Professional => "P",
            Self::Institutional => "I",
            Self::Implementation => "999",
            Self::ClaimAcknowledgment => "277CA",
            Self::Remittance => "835",
        }
    }

    /// Whether the set is an 837, the claims the claim view and the scrub rules read.
    pub fn is_claim(self) -> bool {
        matches!(self, Self::Professional | Self::Institutional)
    }

    /// ST01 of the set.
    pub fn set_id(self) -> &'static str {
        match self {
            Self::Professional | Self::Institutional => "837",
            Self::Implementation => "999",
            Self::ClaimAcknowledgment => "277",
            Self::Remittance => "835",
        }
    }

    /// GS01 of the functional group the set travels in.
    pub fn functional_id(self) -> &'static str {
        match self {
            Self::Professional | Self::Institutional => "HC",
            Self::Implementation => "FA",
            Self::ClaimAcknowledgment => "HN",
            Self::Remittance => "HP",
        }
    }
}

/// Implementation guide usage of a loop, segment or element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Usage {
    Required,
    Situational,
    NotUsed,
}

impl Usage {
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "R" => Some(Self::Required),
            "S" => Some(Self::Situational),
            "N" => Some(Self::NotUsed),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Required => "R",
            Self::Situational => "S",
            Self::NotUsed => "N",
        }
    }
}

/// How many times a loop may repeat or a segment may occur: `1`, `10`, or `>1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repeat {
    Max(u32),
    Unbounded,
}

impl Repeat {
    /// Whether `count` occurrences are within the limit.
    pub fn allows(self, count: u32) -> bool {
        match self {
            Self::Max(max) => count <= max,
            Self::Unbounded => true,
        }
    }
}

impl fmt::Display for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Max(n) => write!(f, "{n}"),
            Self::Unbounded => f.write_str(">1"),
        }
    }
}

/// X12 data element types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// `AN`: string.
    Alphanumeric,
    /// `ID`: a code from a list.
    Identifier,
    /// `N0`..`N9`: integer with an implied number of decimals.
    Numeric { decimals: u8 },
    /// `R`: decimal number with an optional explicit point.
    Decimal,
    /// `DT`: CCYYMMDD.
    Date,
    /// `TM`: HHMM[SS[d..]].
    Time,
    /// `B`: binary.
    Binary,
    /// A composite; its components carry the types.
    Composite,
}

impl DataType {
    pub fn from_code(s: &str) -> Option<Self> {
        Some(match s {
            "AN" => Self::Alphanumeric,
            "ID" => Self::Identifier,
            "R" => Self::Decimal,
            "DT" => Self::Date,
            "TM" => Self::Time,
            "B" => Self::Binary,
            _ => {
                let d = s.strip_prefix('N')?;
                if d.len() != 1 {
                    return None;
                }
                let decimals = d.parse::<u8>().ok()?;
                Self::Numeric { decimals }
            }
        })
    }

    pub fn code(self) -> &'static str {
        const N: [&str; 10] = ["N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"];
        match self {
            Self::Alphanumeric => "AN",
            Self::Identifier => "ID",
            Self::Numeric { decimals } => N.get(usize::from(decimals)).copied().unwrap_or("N"),
            Self::Decimal => "R",
            Self::Date => "DT",
            Self::Time => "TM",
            Self::Binary => "B",
            Self::Composite => "composite",
        }
    }
}

/// A child of a loop, in guide order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Segment(SegmentDef),
    Loop(LoopDef),
}

/// A loop: its first child is always a segment, the trigger that starts the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopDef {
    /// The guide's loop id (`2010AA`, `2300`), or `ST_LOOP` for the transaction set.
    pub id: String,
    pub name: String,
    pub usage: Usage,
    pub repeat: Repeat,
    pub children: Vec<Node>,
    /// The children indexed by segment id; derived from `children` by the loader.
    pub(crate) compiled: LoopIndex,
}

impl LoopDef {
    /// The segment that starts this loop.
    ///
    /// # Panics
    /// Only for a hand-built `LoopDef` whose first child is not a segment; `parse_grammar`
    /// rejects such a loop, so every loaded grammar has a trigger.
    pub fn trigger(&self) -> &SegmentDef {
        match self.children.first() {
            Some(Node::Segment(s)) => s,
            _ => panic!("loop {} does not start with a segment", self.id),
        }
    }

    /// The direct child segments, in order.
    pub fn segments(&self) -> impl Iterator<Item = &SegmentDef> {
        self.children.iter().filter_map(|n| match n {
            Node::Segment(s) => Some(s),
            Node::Loop(_) => None,
        })
    }

    /// The direct child loops, in order.
    pub fn loops(&self) -> impl Iterator<Item = &LoopDef> {
        self.children.iter().filter_map(|n| match n {
            Node::Loop(l) => Some(l),
            Node::Segment(_) => None,
        })
    }

    /// This loop and every loop below it, in document order.
    pub fn descendants(&self) -> Vec<&LoopDef> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(l) = stack.pop() {
            out.push(l);
            let before = stack.len();
            stack.extend(l.loops());
            stack[before..].reverse();
        }
        out
    }
}

/// One segment of a loop. The same segment id may appear several times in a loop with
/// different qualifiers (the 2300 DTP and REF variants); each is its own `SegmentDef`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentDef {
    pub id: String,
    pub name: String,
    pub usage: Usage,
    pub max_use: Repeat,
    /// The guide's position number (`0150`, `2310`), which orders segments in a table.
    pub position: u32,
    /// X12 syntax notes as written in the guide: `P0809`, `C1110`, `R0203`, `L...`, `E...`.
    pub syntax: Vec<String>,
    pub elements: Vec<ElementDef>,
    /// Derived from the fields above by the loader.
    pub(crate) compiled: SegmentChecks,
}

impl SegmentDef {
    /// The element at a 1-based position (`NM1` position 1 is NM101).
    pub fn element(&self, position: usize) -> Option<&ElementDef> {
        // Elements are stored in position order, so the direct index is almost always it.
        match self.elements.get(position.wrapping_sub(1)) {
            Some(e) if e.position == position => Some(e),
            _ => self.elements.iter().find(|e| e.position == position),
        }
    }

    /// The element that tells this segment apart from its namesakes: the first
    /// identifier element with a code list (NM101 `85` for 2010AA, HL03 `22` for 2000B).
    /// For a composite, its first component's codes count (HI01-01, SV101-01). Returns the
    /// element's 1-based position in the segment and its codes.
    pub fn qualifier(&self) -> Option<(usize, &[String])> {
        self.elements.iter().find_map(|e| {
            let coded = if e.is_composite() {
                e.components.first()?
            } else {
                e
            };
            (coded.data_type == DataType::Identifier && !coded.codes.is_empty())
                .then_some((e.position, coded.codes.as_slice()))
        })
    }
}

/// A simple element, a composite (with `components`), or a component of a composite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementDef {
    /// `NM101`, `CLM05`, `CLM05-01`.
    pub reference: String,
    /// 1-based position in its segment, or in its composite for a component.
    pub position: usize,
    pub name: String,
    pub data_type: DataType,
    /// Minimum length; 0 for a composite.
    pub min_len: u32,
    /// Maximum length; 0 for a composite.
    pub max_len: u32,
    pub usage: Usage,
    /// How many repetitions are allowed (1 unless the guide says otherwise).
    pub repeat: u32,
    /// The X12 data element number (`98` for NM101), when the dictionary has one; for a
    /// composite, `None`.
    pub data_element: Option<u16>,
    /// The codes the guide allows, empty when it does not enumerate them.
    pub codes: Vec<String>,
    /// The name of an external code list (`states`, `country`, `pos`, `remark_code`).
    pub external: Option<String>,
    /// A pattern the value must match, when the guide gives one.
    pub regex: Option<String>,
    /// The components of a composite, empty for a simple element. A composite the guide
    /// does not use (usage `N`) may have none listed.
    pub components: Vec<ElementDef>,
    /// Derived from `codes`, `external` and `regex` by the loader.
    pub(crate) compiled: ValueChecks,
}

impl ElementDef {
    pub fn is_composite(&self) -> bool {
        self.data_type == DataType::Composite
    }

    /// The component at a 1-based position (`CLM05` position 1 is CLM05-01).
    pub fn component(&self, position: usize) -> Option<&ElementDef> {
        match self.components.get(position.wrapping_sub(1)) {
            Some(c) if c.position == position => Some(c),
            _ => self.components.iter().find(|c| c.position == position),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_type_codes_round_trip() {
        for code in ["AN", "ID", "N0", "N2", "R", "DT", "TM", "B"] {
            let t = DataType::from_code(code).expect(code);
            assert_eq!(t.code(), code);
        }
        assert_eq!(DataType::from_code("N"), None);
        assert_eq!(DataType::from_code("N12"), None);
        assert_eq!(DataType::from_code("X"), None);
    }

    #[test]
    fn repeat_limits() {
        assert!(Repeat::Max(2).allows(2));
        assert!(!Repeat::Max(2).allows(3));
        assert!(Repeat::Unbounded.allows(u32::MAX));
        assert_eq!(Repeat::Unbounded.to_string(), ">1");
    }
}
