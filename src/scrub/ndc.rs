//! NDC conversions to the 11-digit 5-4-2 form billed under qualifier N4.

/// The layout a 10-digit NDC is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 4-4-2: pad the labeler (qualifier N1).
    L442,
    /// 5-3-2: pad the product (qualifier N2).
    L532,
    /// 5-4-1: pad the package (qualifier N3).
    L541,
}

impl Layout {
    /// The layout LIN02 names: N1, N2, N3.
    pub fn from_qualifier(q: &[u8]) -> Option<Self> {
        match q {
            b"N1" => Some(Layout::L442),
            b"N2" => Some(Layout::L532),
            b"N3" => Some(Layout::L541),
            _ => None,
        }
    }

    /// Pads 10 digits in this layout to 11.
    pub fn pad(self, d: &str) -> Option<String> {
        if d.len() != 10 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(match self {
            Layout::L442 => format!("0{d}"),
            Layout::L532 => format!("{}0{}", &d[..5], &d[5..]),
            Layout::L541 => format!("{}0{}", &d[..9], &d[9..]),
        })
    }
}

/// A hyphenated or spaced NDC in 11 digits, deterministic by its parts' lengths; `None`
/// when it is not one of 4-4-2, 5-3-2, 5-4-1, 5-4-2.
pub fn from_hyphenated(raw: &str) -> Option<String> {
    let parts: Vec<&str> = raw.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (a, b, c) = (parts[0], parts[1], parts[2]);
    match (a.len(), b.len(), c.len()) {
        (4, 4, 2) => Some(format!("0{a}{b}{c}")),
        (5, 3, 2) => Some(format!("{a}0{b}{c}")),
        (5, 4, 1) => Some(format!("{a}{b}0{c}")),
        (5, 4, 2) => Some(format!("{a}{b}{c}")),
        _ => None,
    }
}

/// The three 11-digit readings of a bare 10-digit NDC.
pub fn candidates(d: &str) -> Vec<String> {
    [Layout::L442, Layout::L532, Layout::L541]
        .iter()
        .filter_map(|l| l.pad(d))
        .collect()
}

/// Whether `ndc` is 11 digits.
pub fn is_11(ndc: &[u8]) -> bool {
    ndc.len() == 11 && ndc.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(
            from_hyphenated("64406-058-01").as_deref(),
            Some("64406005801")
        );
        assert_eq!(
            from_hyphenated("6440-6058-01").as_deref(),
            Some("06440605801")
        );
        assert_eq!(
            from_hyphenated("64406-0058-1").as_deref(),
            Some("64406005801")
        );
        assert_eq!(
            from_hyphenated("64406-0058-01").as_deref(),
            Some("64406005801")
        );
        assert_eq!(
            from_hyphenated("64406 0058 01").as_deref(),
            Some("64406005801")
        );
        assert_eq!(from_hyphenated("644060058-01"), None);
        assert_eq!(
            Layout::L532.pad("6440605801").as_deref(),
            Some("64406005801")
        );
        assert_eq!(
            candidates("6440605801"),
            ["06440605801", "64406005801", "64406058001"]
        );
    }
}
