//! A bound on the findings of one transaction: at most [`PER_RULE`] of each rule are
//! listed, the rest counted and summed up in one finding, so that a transaction of ten
//! million stray segments costs counters, not ten million findings.

use super::{Finding, Position, RuleId, Severity};

/// Findings of one rule listed per transaction.
pub const PER_RULE: usize = 1000;

/// What [`Limit::admit`] decides for one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// List it.
    List,
    /// The first one over the limit: give its position to [`Limit::over`].
    First,
    /// Count it only.
    Over,
}

#[derive(Debug)]
struct Over {
    rule: RuleId,
    severity: Severity,
    position: Position,
    loop_path: Option<String>,
}

/// Counts findings per rule within one transaction.
#[derive(Debug, Default)]
pub struct Limit {
    /// (rule, findings seen).
    counts: Vec<(RuleId, usize)>,
    over: Vec<Over>,
}

impl Limit {
    pub fn new() -> Self {
        Limit::default()
    }

    /// Counts one finding of `rule` and says whether to list it.
    pub fn admit(&mut self, rule: RuleId) -> Admit {
        let n = match self.counts.iter_mut().find(|(r, _)| *r == rule) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.counts.push((rule, 1));
                1
            }
        };
        match n {
            n if n <= PER_RULE => Admit::List,
            n if n == PER_RULE + 1 => Admit::First,
            _ => Admit::Over,
        }
    }

    /// Where the first finding of `rule` not listed is.
    pub fn over(
        &mut self,
        rule: RuleId,
        severity: Severity,
        position: Position,
        loop_path: Option<String>,
    ) {
        self.over.push(Over {
            rule,
            severity,
            position,
            loop_path,
        });
    }

    /// Adds one finding per rule that went over the limit, saying how many more there
    /// are, at the first one not listed.
    pub fn finish(self, out: &mut Vec<Finding>) {
        for o in self.over {
            let n = self
                .counts
                .iter()
                .find(|(r, _)| *r == o.rule)
                .map_or(0, |(_, n)| n - PER_RULE);
            let mut f = Finding::new(
                o.rule,
                o.severity,
                format!(
                    "{n} more {} findings in this transaction are not listed, from here on",
                    o.rule
                ),
                o.position,
            );
            f.loop_path = o.loop_path;
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_up_to_the_limit_then_sums_up() {
        let mut l = Limit::new();
        let mut out = Vec::new();
        for i in 0..PER_RULE + 5 {
            match l.admit(RuleId::SegmentUnexpected) {
                Admit::List => out.push(Finding::new(
                    RuleId::SegmentUnexpected,
                    Severity::Error,
                    "x",
                    Position::default(),
                )),
                Admit::First => {
                    let at = Position {
                        segment: i,
                        ..Position::default()
                    };
                    l.over(RuleId::SegmentUnexpected, Severity::Error, at, None);
                }
                Admit::Over => {}
            }
        }
        assert_eq!(l.admit(RuleId::ElementType), Admit::List);
        l.finish(&mut out);
        assert_eq!(out.len(), PER_RULE + 1);
        let last = out.last().unwrap();
        assert_eq!(last.position.segment, PER_RULE);
        assert!(
            last.message.starts_with("5 more segment-unexpected"),
            "{}",
            last.message
        );
    }
}
