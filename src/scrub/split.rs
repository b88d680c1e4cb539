//! Splitting a transaction by claim (`--split-rejected`): the claims an error remains on
//! go to a transaction of their own, with copies of the loops above them (billing
//! provider, subscriber, patient), and the rest stay. HL numbers and parents are
//! renumbered in both, SE01 recounted; the segments themselves are copied as read.

use std::collections::{BTreeSet, HashMap};

use crate::tree::Tree;
use crate::x12::{Edit, Mode, Transaction, Writer};

/// The two halves of a transaction.
pub struct Split {
    /// The claims that stay, as a transaction; `None` when every claim is split off.
    pub kept: Option<Vec<u8>>,
    /// The claims split off, as a transaction with control number `st02`.
    pub rejected: Vec<u8>,
    /// How many claims each half holds.
    pub kept_claims: usize,
    pub rejected_claims: usize,
}

/// The hierarchical loops (HL) of an 837 and its claim loop.
fn is_hl(id: &str) -> bool {
    matches!(id, "2000A" | "2000B" | "2000C")
}

/// For each segment, the nearest loop above it (itself included) that is an HL loop or
/// a claim (2300); `None` for the header and trailer.
fn owners(tree: &Tree) -> Vec<Option<usize>> {
    (0..tree.placed.len())
        .map(|i| {
            let mut at = Some(tree.placed[i].loop_index);
            while let Some(l) = at {
                let id = tree.loops[l].def.id.as_str();
                if is_hl(id) || id == "2300" {
                    return Some(l);
                }
                at = tree.loops[l].parent;
            }
            None
        })
        .collect()
}

/// The HL loops above loop `l`, nearest first.
fn hl_ancestors(tree: &Tree, l: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = tree.loops[l].parent;
    while let Some(p) = at {
        if is_hl(&tree.loops[p].def.id) {
            out.push(p);
        }
        at = tree.loops[p].parent;
    }
    out
}

/// Edits that renumber the HL segments `hls` (indices into `tx`, in order) 1, 2, 3...,
/// their parents and their child codes, as they stand together in one transaction.
fn renumber(tx: &Transaction<'_>, hls: &[usize], has_child: &BTreeSet<usize>) -> Vec<Edit> {
    let mut ids: HashMap<&[u8], usize> = HashMap::new();
    let mut edits = Vec::new();
    for (n, &i) in hls.iter().enumerate() {
        let seg = &tx.segments[i];
        let [id, parent, _, child] = seg.values::<4>();
        let new = (n + 1).to_string();
        ids.insert(id, n + 1);
        let mut set = |element: usize, value: String, old: &[u8]| {
            if value.as_bytes() != old {
                edits.push(Edit::Set {
                    segment: seg.index,
                    element,
                    component: 0,
                    value: value.into_bytes(),
                });
            }
        };
        set(1, new, id);
        if !parent.is_empty()
            && let Some(p) = ids.get(parent)
        {
            set(2, p.to_string(), parent);
        }
        if !child.is_empty() {
            let code = if has_child.contains(&i) { "1" } else { "0" };
            set(4, code.to_string(), child);
        }
    }
    edits
}

/// Writes the segments `keep` (indices into `tx`) as one transaction with `edits`, SE01
/// set to their count (segments inserted counted, deleted not).
fn write(tx: &Transaction<'_>, keep: &[usize], mut edits: Vec<Edit>) -> Vec<u8> {
    let segments: Vec<_> = keep.iter().map(|&i| tx.segments[i]).collect();
    let kept: BTreeSet<usize> = segments.iter().map(|s| s.index).collect();
    let inserted = (edits.iter())
        .filter(|e| matches!(e, Edit::Insert { after, .. } if kept.contains(after)))
        .count();
    let deleted = (edits.iter())
        .filter(|e| matches!(e, Edit::Delete { segment } if kept.contains(segment)))
        .count();
    if let Some(se) = segments.last().filter(|s| s.is("SE")) {
        let n = segments.len() + inserted - deleted;
        edits.push(Edit::Set {
            segment: se.index,
            element: 1,
            component: 0,
            value: n.to_string().into_bytes(),
        });
    }
    let part = Transaction::new(segments, tx.envelope.clone());
    let mut w = Writer::new(Vec::new(), Mode::Copy);
    // Writing into memory cannot fail.
    let _ = w.transaction(&part, &edits);
    w.into_inner()
}

/// Which HL segments of `chosen` (segment indices, in order) have a child HL among them.
fn with_children(tx: &Transaction<'_>, tree: &Tree, chosen: &[usize]) -> BTreeSet<usize> {
    let set: BTreeSet<usize> = chosen.iter().copied().collect();
    let mut out = BTreeSet::new();
    for &i in chosen {
        if tx.segments[i].is("HL")
            && let Some(&p) = hl_ancestors(tree, tree.placed[i].loop_index).first()
            && set.contains(&tree.loops[p].first)
        {
            out.insert(tree.loops[p].first);
        }
    }
    out
}

/// Whether `tx` (whose tree is `tree`) can be split by claim: every CLM starts a claim
/// loop and every segment is placed. A CLM the guide did not place as a claim (no HL
/// above it, say) would otherwise be lost with its transaction or copied into both.
pub fn splittable(tx: &Transaction<'_>, tree: &Tree) -> bool {
    let clms = tx.segments.iter().filter(|s| s.is("CLM")).count();
    let claims = (tree.loops.iter())
        .filter(|l| l.def.id == "2300" && tx.segments.get(l.first).is_some_and(|s| s.is("CLM")))
        .count();
    clms == claims && tree.placed.len() == tx.segments.len()
}

/// Splits `tx` (whose tree is `tree`): the claims whose CLM is at an index of `rejected`
/// go to a transaction numbered `st02`, the rest stay.
pub fn split(tx: &Transaction<'_>, tree: &Tree, rejected: &[usize], st02: &str) -> Split {
    split_with(tx, tree, rejected, st02, Vec::new())
}

/// [`split`], with `extra` edits (segment indices as read) applied to the claims split off.
pub fn split_with(
    tx: &Transaction<'_>,
    tree: &Tree,
    rejected: &[usize],
    st02: &str,
    extra: Vec<Edit>,
) -> Split {
    let owner = owners(tree);
    let claims: Vec<usize> = (0..tree.loops.len())
        .filter(|&l| tree.loops[l].def.id == "2300")
        .collect();
    let out: BTreeSet<usize> = (claims.iter().copied())
        .filter(|&l| rejected.contains(&tree.loops[l].first))
        .collect();
    // An HL loop stays where a claim under it stays, goes where a claim under it goes.
    let mut hl_kept: BTreeSet<usize> = BTreeSet::new();
    let mut hl_out: BTreeSet<usize> = BTreeSet::new();
    for &c in &claims {
        let to = if out.contains(&c) {
            &mut hl_out
        } else {
            &mut hl_kept
        };
        to.extend(hl_ancestors(tree, c));
    }
    let claim_of = |l: usize| {
        let mut at = Some(l);
        while let Some(x) = at {
            if tree.loops[x].def.id == "2300" {
                return Some(x);
            }
            at = tree.loops[x].parent;
        }
        None
    };
    let mut kept = Vec::new();
    let mut split_off = Vec::new();
    for i in 0..tx.segments.len() {
        match owner[i] {
            None => {
                kept.push(i);
                split_off.push(i);
            }
            Some(o) if is_hl(&tree.loops[o].def.id) => {
                if hl_kept.contains(&o) {
                    kept.push(i);
                }
                if hl_out.contains(&o) {
                    split_off.push(i);
                }
            }
            Some(o) => match claim_of(o) {
                Some(c) if out.contains(&c) => split_off.push(i),
                _ => kept.push(i),
            },
        }
    }
    let part = |chosen: &[usize]| -> Vec<Edit> {
        let hls: Vec<usize> = chosen
            .iter()
            .copied()
            .filter(|&i| tx.segments[i].is("HL"))
            .collect();
        renumber(tx, &hls, &with_children(tx, tree, chosen))
    };
    let kept_claims = claims.len() - out.len();
    let kept_bytes = (kept_claims > 0).then(|| write(tx, &kept, part(&kept)));
    let mut edits = part(&split_off);
    edits.extend(extra);
    // Its own control number, in ST02 and SE02.
    for i in [split_off.first(), split_off.last()].into_iter().flatten() {
        edits.push(Edit::Set {
            segment: tx.segments[*i].index,
            element: 2,
            component: 0,
            value: st02.as_bytes().to_vec(),
        });
    }
    Split {
        kept: kept_bytes,
        rejected: write(tx, &split_off, edits),
        kept_claims,
        rejected_claims: out.len(),
    }
}
