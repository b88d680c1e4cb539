//! `x837 rules`: every rule id x837 can report, or one rule's documentation.

use std::io::{self, Write};

use crate::report::{RuleId, Severity, Source};
use crate::scrub::registry;

use super::{Console, Status, wrote};

/// The severity a rule's findings have before any config.
fn severity(id: RuleId) -> Severity {
    match (registry::find(id), id) {
        (Some(rule), _) => rule.meta().severity,
        (None, RuleId::RepetitionSeparator | RuleId::GuideUnsupported) => Severity::Warning,
        (None, _) => Severity::Error,
    }
}

fn source(id: RuleId) -> &'static str {
    match id.source() {
        Source::Envelope => "envelope",
        Source::Guide => "validation",
        Source::Scrub => "scrub",
    }
}

/// Lists every rule id (`id` None) or prints one rule's documentation.
pub fn run(id: Option<&str>, console: &dyn Console) -> Status {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let r = match id {
        Some(id) => match RuleId::parse(id) {
            Some(r) => match registry::find(r) {
                Some(rule) => writeln!(out, "{r} ({})\n\n{}", severity(r), rule.meta().doc()),
                None => writeln!(
                    out,
                    "{r} ({}, {})\n\n{}",
                    severity(r),
                    source(r),
                    r.summary()
                ),
            },
            None => {
                let id = crate::echo::cut(id);
                console.say(&format!("x837: unknown rule id '{id}' (see `x837 rules`)"));
                return Status::Failed;
            }
        },
        None => RuleId::ALL.iter().try_for_each(|&r| {
            let summary = match registry::find(r) {
                Some(rule) => rule.meta().summary(),
                None => r.summary().to_string(),
            };
            writeln!(
                out,
                "{:<24} {:<8} {:<11} {}",
                r.as_str(),
                severity(r).to_string(),
                source(r),
                summary
            )
        }),
    };
    wrote(
        r.and_then(|()| out.flush()),
        "<stdout>",
        Status::Clean,
        console,
    )
}
