//! The TA1: an interchange acknowledged (TA104 `A`, `E`) or rejected (`R`), with its note.

use super::text;
use crate::x12::Segment;

/// One TA1 segment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ta1 {
    /// TA101: ISA13 of the interchange it answers.
    pub control: String,
    /// TA102 (YYMMDD) and TA103 (HHMM): that interchange's date and time.
    pub date: String,
    pub time: String,
    /// TA104: `A` accepted, `E` accepted with errors, `R` rejected.
    pub code: String,
    /// TA105: the note code (`000` no error, `024` invalid content...).
    pub note: String,
    /// Index of the segment in its input.
    pub segment: usize,
}

impl Ta1 {
    pub fn of(seg: &Segment<'_>) -> Ta1 {
        let [control, date, time, code, note] = seg.values::<5>();
        Ta1 {
            control: text(control),
            date: text(date),
            time: text(time),
            code: text(code),
            note: text(note),
            segment: seg.index,
        }
    }

    /// Whether the interchange was accepted (with errors or not).
    pub fn accepted(&self) -> bool {
        self.code == "A" || self.code == "E"
    }
}
