//! Control numbers: ISA13/IEA02, GS06/GE02 and ST02/SE02 as x837 gives them to what it
//! writes (`--new-control-numbers ISA13[,GS06,ST02]`), and the map of old numbers to new
//! ones when it renumbers what it read.

use serde::Serialize;

/// The next control numbers; each interchange, group and transaction written takes the
/// next one of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    /// ISA13, at most nine digits.
    pub isa13: u32,
    /// GS06 of the next group.
    pub gs06: u32,
    /// ST02 of the next transaction.
    pub st02: u32,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            isa13: 1,
            gs06: 1,
            st02: 1,
        }
    }
}

/// The largest control number: ISA13, GS06 and ST02 all fit nine digits.
pub const MAX_CONTROL: u32 = 999_999_999;

impl Control {
    /// `ISA13[,GS06,ST02]` as `--new-control-numbers` takes it: one to three numbers from
    /// 1 to 999999999, comma-separated; those left out start at 1.
    pub fn parse(s: &str) -> Result<Control, String> {
        let parts: Vec<&str> = s.split(',').collect();
        if parts.len() > 3 {
            return Err("expected ISA13[,GS06,ST02]: at most three numbers".into());
        }
        let mut n = [1u32; 3];
        for (slot, part) in n.iter_mut().zip(&parts) {
            let part = part.trim();
            *slot = match part.parse::<u32>() {
                Ok(v)
                    if (1..=MAX_CONTROL).contains(&v)
                        && part.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    v
                }
                _ => {
                    return Err(format!(
                        "{} is not a control number from 1 to {MAX_CONTROL}",
                        crate::echo::cut(part)
                    ));
                }
            };
        }
        Ok(Control {
            isa13: n[0],
            gs06: n[1],
            st02: n[2],
        })
    }

    /// Takes the next interchange control number (after 999999999 comes 1).
    pub fn next_isa13(&mut self) -> u32 {
        take(&mut self.isa13)
    }

    /// Takes the next group control number.
    pub fn next_gs06(&mut self) -> u32 {
        take(&mut self.gs06)
    }

    /// Takes the next transaction control number.
    pub fn next_st02(&mut self) -> u32 {
        take(&mut self.st02)
    }

    /// These numbers moved on by `n` interchanges, groups and transactions.
    pub fn after(self, n: Counts) -> Control {
        Control {
            isa13: skip(self.isa13, n.interchanges),
            gs06: skip(self.gs06, n.groups),
            st02: skip(self.st02, n.transactions),
        }
    }
}

fn take(n: &mut u32) -> u32 {
    let v = *n;
    *n = skip(v, 1);
    v
}

/// `v` moved on by `by`, 1 following 999999999.
fn skip(v: u32, by: u64) -> u32 {
    let max = u64::from(MAX_CONTROL);
    let at = (u64::from(v.clamp(1, MAX_CONTROL)) - 1 + by % max) % max;
    // Below MAX_CONTROL, so it fits.
    u32::try_from(at + 1).unwrap_or(1)
}

/// How many interchanges, groups and transactions an input holds (or an output may).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub interchanges: u64,
    pub groups: u64,
    pub transactions: u64,
}

impl Counts {
    pub fn add(&mut self, o: Counts) {
        self.interchanges += o.interchanges;
        self.groups += o.groups;
        self.transactions += o.transactions;
    }
}

/// Counts the interchanges, groups and transactions of an input, to the end or to where
/// it stops being readable (the numbers an input needs are known before it is written).
pub fn count<R: std::io::Read>(read: R) -> std::io::Result<Counts> {
    use super::Unit;
    let mut n = Counts::default();
    super::stream::for_each(read, |e| {
        match e {
            super::stream::Event::Unit(Unit::Segment(s)) if s.is("ISA") => n.interchanges += 1,
            super::stream::Event::Unit(Unit::Segment(s)) if s.is("GS") => n.groups += 1,
            super::stream::Event::Unit(Unit::Transaction(_)) => n.transactions += 1,
            _ => {}
        }
        std::ops::ControlFlow::Continue(())
    })?;
    Ok(n)
}

/// ISA13 as written: nine digits.
pub fn isa13(n: u32) -> String {
    format!("{n:09}")
}

/// GS06 as written: no leading zeros.
pub fn gs06(n: u32) -> String {
    n.to_string()
}

/// ST02 as written: at least four digits.
pub fn st02(n: u32) -> String {
    format!("{n:04}")
}

/// One old control number and the new one it became (or `count` consecutive ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renumbered {
    /// `ISA13`, `GS06` or `ST02`.
    pub element: &'static str,
    pub old: String,
    pub new: String,
    /// How many consecutive numbers from `old` became consecutive numbers from `new`.
    pub count: u64,
    /// The interchange (its old ISA13) a group or transaction is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interchange: Option<String>,
    /// The group (its old GS06) a transaction is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `corrected` or `rejected`: the output it was written to.
    pub output: &'static str,
}

/// Gives the envelopes of one output new control numbers and keeps the map.
#[derive(Debug, Clone)]
pub struct Renumber {
    next: Control,
    output: &'static str,
    pub map: Vec<Renumbered>,
    /// The open interchange and group: (old, new).
    isa: Option<(String, String)>,
    gs: Option<(String, String)>,
}

impl Renumber {
    pub fn new(next: Control, output: &'static str) -> Renumber {
        Renumber {
            next,
            output,
            map: Vec::new(),
            isa: None,
            gs: None,
        }
    }

    /// An interchange starts: its new ISA13.
    pub fn isa(&mut self, old: &[u8]) -> String {
        let new = isa13(self.next.next_isa13());
        let old = String::from_utf8_lossy(old).into_owned();
        self.push("ISA13", &old, &new, None, None);
        self.isa = Some((old, new.clone()));
        self.gs = None;
        new
    }

    /// A group starts: its new GS06.
    pub fn gs(&mut self, old: &[u8]) -> String {
        let new = gs06(self.next.next_gs06());
        let old = String::from_utf8_lossy(old).into_owned();
        let isa = self.isa.as_ref().map(|(o, _)| o.clone());
        self.push("GS06", &old, &new, isa, None);
        self.gs = Some((old, new.clone()));
        new
    }

    /// A transaction: its new ST02.
    pub fn st(&mut self, old: &[u8]) -> String {
        let new = st02(self.next.next_st02());
        let old = String::from_utf8_lossy(old).into_owned();
        let isa = self.isa.as_ref().map(|(o, _)| o.clone());
        let gs = self.gs.as_ref().map(|(o, _)| o.clone());
        // Consecutive numbers that stay consecutive extend the last entry.
        if let Some(last) = self.map.last_mut()
            && last.element == "ST02"
            && last.interchange == isa
            && last.group == gs
            && follows(&last.old, last.count, &old)
            && follows(&last.new, last.count, &new)
        {
            last.count += 1;
            return new;
        }
        self.push("ST02", &old, &new, isa, gs);
        new
    }

    /// The new GS06 of the open group (for its GE02).
    pub fn ge(&mut self) -> Option<String> {
        self.gs.take().map(|(_, new)| new)
    }

    /// The new ISA13 of the open interchange (for its IEA02).
    pub fn iea(&mut self) -> Option<String> {
        self.gs = None;
        self.isa.take().map(|(_, new)| new)
    }

    /// Where the map stands, to take back what is left out with `truncate`.
    pub fn mark(&self) -> usize {
        self.map.len()
    }

    /// Forgets the entries after `mark` (their interchange or group was left out; the
    /// numbers they took stay taken).
    pub fn truncate(&mut self, mark: usize) {
        self.map.truncate(mark);
    }

    fn push(
        &mut self,
        element: &'static str,
        old: &str,
        new: &str,
        interchange: Option<String>,
        group: Option<String>,
    ) {
        self.map.push(Renumbered {
            element,
            old: old.to_string(),
            new: new.to_string(),
            count: 1,
            interchange,
            group,
            output: self.output,
        });
    }
}

/// Whether `next` is `count` after `first`, as numbers written with the same width.
fn follows(first: &str, count: u64, next: &str) -> bool {
    match (first.parse::<u64>(), next.parse::<u64>()) {
        (Ok(a), Ok(b)) => a + count == b && first.len() == next.len(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_numbers_parse() {
        let c = |isa13, gs06, st02| Control { isa13, gs06, st02 };
        assert_eq!(Control::parse("5"), Ok(c(5, 1, 1)));
        assert_eq!(Control::parse("5,6,7"), Ok(c(5, 6, 7)));
        assert_eq!(Control::parse("5,6"), Ok(c(5, 6, 1)));
        for bad in ["", "0", "1,2,3,4", "-1", "+5", "1000000000", "a", "5,,6"] {
            assert!(Control::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_wrap_after_nine_digits() {
        let mut c = Control {
            isa13: MAX_CONTROL,
            gs06: 1,
            st02: 1,
        };
        assert_eq!(c.next_isa13(), MAX_CONTROL);
        assert_eq!(c.next_isa13(), 1);
        let n = Counts {
            interchanges: 3,
            groups: u64::from(MAX_CONTROL),
            transactions: 0,
        };
        let a = Control {
            isa13: MAX_CONTROL - 1,
            gs06: 7,
            st02: 9,
        }
        .after(n);
        assert_eq!((a.isa13, a.gs06, a.st02), (2, 7, 9));
    }

    #[test]
    fn consecutive_transactions_are_one_entry() {
        let mut r = Renumber::new(
            Control {
                isa13: 50,
                gs06: 60,
                st02: 70,
            },
            "corrected",
        );
        assert_eq!(r.isa(b"000000001"), "000000050");
        assert_eq!(r.gs(b"1"), "60");
        for old in ["0001", "0002", "0003", "0009"] {
            r.st(old.as_bytes());
        }
        assert_eq!(r.ge().as_deref(), Some("60"));
        assert_eq!(r.iea().as_deref(), Some("000000050"));
        let st: Vec<(&str, u64)> = (r.map.iter())
            .filter(|m| m.element == "ST02")
            .map(|m| (m.old.as_str(), m.count))
            .collect();
        assert_eq!(st, [("0001", 3), ("0009", 1)]);
        assert_eq!(r.map[3].new, "0073");
    }
}
