//! `x837 parse`: the loop tree of every transaction as JSON, written transaction by
//! transaction as the input streams.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::ops::ControlFlow;

use crate::input;
use crate::reply::Ta1;
use crate::report::Finding;
use crate::x12::Unit;
use crate::x12::stream::{self, Event};

use super::{Console, Status, wrote};

/// Writes `{"file": NAME, "transactions": [{"set", "control", "guide", "tree"}, ...],
/// "ta1": [...]}`: the loop tree of every 837, 999 and 277CA transaction, and every TA1.
pub fn run(path: &OsStr, console: &dyn Console) -> Status {
    let name = input::display_name(path);
    let read = match input::open(path) {
        Ok(r) => r,
        Err(e) => {
            console.say(&format!("x837: {name}: cannot read: {e}"));
            return Status::Failed;
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut status = Status::Clean;
    let mut failed: Option<io::Error> = None;
    let mut first = true;
    let mut ta1: Vec<Ta1> = Vec::new();
    let head = serde_json::json!({ "file": name }).to_string();
    if let Err(e) = write!(out, "{},\"transactions\":[", &head[..head.len() - 1]) {
        failed = Some(e);
    }
    let read = stream::for_each(read, |event| {
        if failed.is_some() {
            return ControlFlow::Break(());
        }
        match event {
            Event::Unit(Unit::Transaction(tx)) => {
                let guide = String::from_utf8_lossy(tx.guide()).into_owned();
                let grammar = crate::grammar::for_set(tx.set_id(), &guide);
                let mut findings = Vec::new();
                let tree = grammar.map(|g| crate::tree::build(g, &tx, &name, &mut findings));
                for f in &findings {
                    console.say(&f.to_string());
                }
                let doc = TxJson {
                    set: String::from_utf8_lossy(tx.set_id()).into_owned(),
                    control: String::from_utf8_lossy(tx.control()).into_owned(),
                    guide,
                    tree: tree.as_ref().map(|t| crate::tree::to_json(t, &tx)),
                };
                let mut bytes = if std::mem::take(&mut first) {
                    b"\n".to_vec()
                } else {
                    b",\n".to_vec()
                };
                if let Err(e) = serde_json::to_writer_pretty(&mut bytes, &doc) {
                    failed = Some(io::Error::other(e));
                    return ControlFlow::Break(());
                }
                if let Err(e) = out.write_all(&bytes) {
                    failed = Some(e);
                    return ControlFlow::Break(());
                }
            }
            Event::Problems(p) => p
                .into_iter()
                .for_each(|p| console.say(&Finding::from_problem(p, &name).to_string())),
            Event::Error(e, _) => {
                console.say(&format!("x837: {name}: {e}"));
                status = Status::Failed;
            }
            Event::Unit(Unit::Segment(seg)) if seg.is("TA1") => ta1.push(Ta1::of(&seg)),
            Event::Unit(Unit::Segment(_)) | Event::Prefix(_) => {}
        }
        ControlFlow::Continue(())
    });
    if let Err(e) = read {
        console.say(&format!("x837: {name}: cannot read: {e}"));
        return Status::Failed;
    }
    let ta1 = serde_json::to_string(&ta1).unwrap_or_else(|_| "[]".into());
    let end = write!(out, "\n],\"ta1\":{ta1}}}\n").and_then(|()| out.flush());
    wrote(failed.map_or(end, Err), "<stdout>", status, console)
}

#[derive(serde::Serialize)]
struct TxJson<'t, 'a> {
    set: String,
    control: String,
    guide: String,
    tree: Option<crate::tree::TreeJson<'t, 'a>>,
}
