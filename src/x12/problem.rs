//! What the envelope reader finds wrong, in its own terms: a check, a message and where.
//! The layers above turn a problem into a finding (`report::Finding::from_problem`), with
//! the file name and the rule id of the findings model.

/// An envelope check. `id()` is its stable name, the rule id its findings carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// A trailer is missing, or a segment stands outside the envelope it needs.
    Structure,
    /// SE01 is not the number of segments from ST to SE.
    SegmentCount,
    /// GE01 is not the number of transaction sets in the group.
    TransactionCount,
    /// IEA01 is not the number of functional groups in the interchange.
    GroupCount,
    /// A trailer's control number differs from its header's (IEA02, GE02, SE02).
    ControlNumber,
    /// ISA11 cannot be used as a repetition separator.
    RepetitionSeparator,
    /// The ISA (or a TA1 element) is not its fixed width (an element-length finding).
    IsaWidth,
    /// An ISA or TA1 code outside its X12 list (a code-invalid finding).
    IsaCode,
    /// ISA13 (or a TA1 control number, date or time) is not digits (an element-type
    /// finding).
    IsaDigits,
    /// A TA1 without one of its five elements (an element-missing finding).
    ControlMissing,
    /// A TA1 with more than its five elements (an element-too-many finding).
    ControlTooMany,
}

impl Check {
    /// The rule id of the check's findings.
    pub fn id(self) -> &'static str {
        match self {
            Check::Structure => "envelope-structure",
            Check::SegmentCount => "segment-count",
            Check::TransactionCount => "transaction-count",
            Check::GroupCount => "group-count",
            Check::ControlNumber => "control-number",
            Check::RepetitionSeparator => "repetition-separator",
            Check::IsaWidth => "element-length",
            Check::IsaCode => "code-invalid",
            Check::IsaDigits => "element-type",
            Check::ControlMissing => "element-missing",
            Check::ControlTooMany => "element-too-many",
        }
    }
}

/// One envelope problem. Segment indices and byte offsets count from 0, lines from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub check: Check,
    /// A warning rather than an error (an ISA11 that is not a separator).
    pub warning: bool,
    /// Short, lower case; quotes values only under the echo rule (`crate::echo`).
    pub message: String,
    pub segment: usize,
    pub byte: usize,
    pub line: u32,
    /// The element of the ISA or TA1 the problem is about (`6` for ISA06), when it is one.
    pub element: Option<u8>,
    /// ISA13 of the interchange open at the problem, if any.
    pub interchange: Option<String>,
    /// ST02 of the transaction open at the problem, if any.
    pub transaction: Option<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "segment {} (line {}, byte {}): {} [{}]: {}",
            self.segment,
            self.line,
            self.byte,
            if self.warning { "warning" } else { "error" },
            self.check.id(),
            crate::echo::escape(&self.message)
        )
    }
}
