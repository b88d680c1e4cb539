//! Dates of service: D8 single days and RD8 ranges.

use chrono::NaiveDate;

/// `CCYYMMDD` as a date.
pub fn parse_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // What `%Y%m%d` reads from eight digits, without chrono's format parser.
    let n = |d: &[u8]| d.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'));
    NaiveDate::from_ymd_opt(n(&b[..4]) as i32, n(&b[4..6]), n(&b[6..]))
}

/// A line's date: one day (D8) or a range (RD8), `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineDate {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Written as RD8.
    pub range: bool,
}

impl LineDate {
    /// Reads DTP02/DTP03; `None` when the qualifier or the date is not valid.
    pub fn parse(qualifier: &[u8], value: &[u8]) -> Option<Self> {
        match qualifier {
            b"D8" => {
                let d = parse_date(value)?;
                Some(LineDate {
                    from: d,
                    to: d,
                    range: false,
                })
            }
            b"RD8" => {
                let i = value.iter().position(|&b| b == b'-')?;
                let (from, to) = (parse_date(&value[..i])?, parse_date(&value[i + 1..])?);
                (from <= to).then_some(LineDate {
                    from,
                    to,
                    range: true,
                })
            }
            _ => None,
        }
    }

    /// A single day (D8, or an RD8 whose ends are the same day).
    pub fn day(&self) -> Option<NaiveDate> {
        (self.from == self.to).then_some(self.from)
    }

    /// Whether `d` falls in the date or range.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// Whether two dates share a day.
    pub fn overlaps(&self, other: &LineDate) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_d8_and_rd8() {
        let d = LineDate::parse(b"D8", b"20260110").unwrap();
        assert_eq!(d.day(), parse_date(b"20260110"));
        let r = LineDate::parse(b"RD8", b"20260101-20260131").unwrap();
        assert!(r.range && r.contains(parse_date(b"20260110").unwrap()));
        assert_eq!(LineDate::parse(b"RD8", b"20260131-20260101"), None);
        assert_eq!(LineDate::parse(b"D8", b"2026011"), None);
        assert_eq!(LineDate::parse(b"DT", b"20260110"), None);
    }

    #[test]
    fn parse_date_agrees_with_chrono_format() {
        for year in ["0000", "0004", "1900", "2000", "2024", "2025", "9999"] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let s = format!("{year}{month:02}{day:02}");
                    assert_eq!(
                        parse_date(s.as_bytes()),
                        NaiveDate::parse_from_str(&s, "%Y%m%d").ok(),
                        "{s}"
                    );
                }
            }
        }
    }
}
