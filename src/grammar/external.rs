//! External code lists (`external=states` in a grammar): `grammars/external-codes.txt`.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::compiled::CodeSet;

const TEXT: &str = include_str!("../../grammars/external-codes.txt");

/// Each list's codes, packed as the hot path reads them (built once: hashing each code
/// into a set first cost more than the rest of loading a guide's codes).
type Sets = HashMap<&'static str, CodeSet>;

fn parse(text: &'static str) -> Sets {
    let mut lists: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    let mut current = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("codeset ") {
            let id = rest.split_whitespace().next().unwrap_or_default();
            // A list named twice is one list.
            current = Some(match lists.iter().position(|(l, _)| *l == id) {
                Some(at) => at,
                None => {
                    lists.push((id, Vec::new()));
                    lists.len() - 1
                }
            });
        } else if let Some(at) = current {
            lists[at].1.extend(line.split_whitespace());
        }
    }
    (lists.into_iter())
        .map(|(id, codes)| (id, CodeSet::new(codes)))
        .collect()
}

fn sets() -> &'static Sets {
    static SETS: OnceLock<Sets> = OnceLock::new();
    SETS.get_or_init(|| parse(TEXT))
}

/// Whether `code` is in the external list `list`; `None` when the list is unknown.
pub fn contains(list: &str, code: &str) -> Option<bool> {
    sets().get(list).map(|s| s.contains(code.as_bytes()))
}

/// The external list `list` packed for the hot path; `None` when the list is unknown.
pub(crate) fn code_set(list: &str) -> Option<&'static CodeSet> {
    sets().get(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load() {
        assert_eq!(contains("states", "IL"), Some(true));
        assert_eq!(contains("states", "ST"), Some(false));
        assert_eq!(contains("states", "NA"), Some(false));
        assert_eq!(contains("pos", "11"), Some(true));
        assert_eq!(contains("pos", "00"), Some(false));
        assert_eq!(contains("country", "US"), Some(true));
        assert_eq!(contains("nonesuch", "US"), None);
    }

    #[test]
    fn every_external_list_the_grammars_name_is_known() {
        for g in crate::grammar::all() {
            for l in g.root.descendants() {
                for s in l.segments() {
                    for e in s
                        .elements
                        .iter()
                        .chain(s.elements.iter().flat_map(|e| e.components.iter()))
                    {
                        if let Some(x) = &e.external {
                            assert!(contains(x, "").is_some(), "{} {}: {x}", l.id, e.reference);
                        }
                    }
                }
            }
        }
    }
}
