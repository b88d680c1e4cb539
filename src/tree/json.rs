//! The loop tree as JSON, for `x837 parse`.

use serde_json::{Value, json};

use super::Tree;
use crate::x12::{Segment, Transaction};

fn segment_json(seg: &Segment<'_>, name: Option<&str>) -> Value {
    let elements: Vec<Value> = seg
        .elements()
        .map(|e| {
            let comps: Vec<String> = e
                .components()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            if comps.len() > 1 {
                json!(comps)
            } else {
                json!(e.text())
            }
        })
        .collect();
    json!({
        "id": String::from_utf8_lossy(seg.id()),
        "name": name,
        "segment": seg.index,
        "byte": seg.byte,
        "elements": elements,
    })
}

fn loop_json(tree: &Tree, tx: &Transaction<'_>, index: usize) -> Value {
    let node = &tree.loops[index];
    let mut segments = Vec::new();
    let mut loops = Vec::new();
    let mut i = node.first;
    let mut child = index + 1;
    while i <= node.last && i < tree.placed.len() {
        if tree.placed[i].loop_index == index {
            let name = tree.placed[i].def.map(|d| d.name.as_str());
            segments.push(segment_json(&tx.segments[i], name));
            i += 1;
            continue;
        }
        // The next child loop in pre-order starts here.
        while child < tree.loops.len() && tree.loops[child].parent != Some(index) {
            child += 1;
        }
        match tree.loops.get(child) {
            Some(c) if c.first == i => {
                loops.push(loop_json(tree, tx, child));
                i = c.last + 1;
                child += 1;
            }
            _ => i += 1,
        }
    }
    json!({
        "loop": node.def.id,
        "name": node.def.name,
        "segments": segments,
        "loops": loops,
    })
}

/// The tree of one transaction: `{"loop", "name", "segments": [...], "loops": [...]}`.
pub fn to_json(tree: &Tree, tx: &Transaction<'_>) -> Value {
    if tree.loops.is_empty() {
        return Value::Null;
    }
    loop_json(tree, tx, 0)
}
