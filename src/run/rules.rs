//! `x837 rules`: the list of rules, or one rule's documentation.

use std::io::{self, Write};

use crate::scrub::registry;

use super::{Console, Status, closed_pipe};

/// Lists the rules (`id` None) or prints one rule's documentation.
pub fn run(id: Option<&str>, console: &dyn Console) -> Status {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let r = match id {
        Some(id) => match registry::find(id) {
            Some(rule) => writeln!(out, "{} ({})\n\n{}", rule.id(), rule.severity(), rule.doc()),
            None => {
                let id = crate::report::echo::cut(id);
                console.say(&format!("x837: unknown rule id '{id}' (see `x837 rules`)"));
                return Status::Failed;
            }
        },
        None => registry::all().iter().try_for_each(|rule| {
            let doc = rule.doc();
            let summary = doc
                .lines()
                .skip_while(|l| !l.starts_with("## What it does"))
                .nth(1)
                .unwrap_or_default()
                .to_string();
            writeln!(
                out,
                "{:<24} {:<8} {}",
                rule.id(),
                rule.severity().to_string(),
                summary
            )
        }),
    };
    match r.and_then(|()| out.flush()) {
        Ok(()) => Status::Clean,
        Err(e) if closed_pipe(&e) => Status::Clean,
        Err(e) => {
            console.say(&format!("x837: cannot write: {e}"));
            Status::Failed
        }
    }
}
