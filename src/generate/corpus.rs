//! `x837 synth --corpus`: a regression suite for any EDI system. One small batch per
//! variant and kind, the variant alone in it, and one clean batch per layout and kind (the
//! same claims in every layout); each with its truth file, and a `MANIFEST.tsv` naming
//! for each file its kind, variant, the rule ids expected and where they are.

use std::collections::BTreeSet;
use std::io;

use super::Control;
use super::layout::{Layout, LineEnding, Separators};
use super::synth::{self, Extra, Options, SynthKind};
use super::variants::{self, Applies, Selection};
use crate::report::RuleId;

/// Claims in each batch of the corpus.
pub const CLAIMS: u64 = 4;

/// How many seeds are tried for a batch where the variant lands (a J2326 variant needs a
/// J2326 claim, an ordinary-claim variant an ordinary claim).
const TRIES: u64 = 64;

/// One file of the corpus, held in memory (they are small).
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Path under the corpus directory: `837p/units-1.x12`.
    pub name: String,
    /// `837p` or `837i`.
    pub kind: &'static str,
    /// The variant, or `none` for a layout's clean batch.
    pub variant: String,
    /// The layout's name (`standard` for the variants' batches).
    pub layout: &'static str,
    pub edi: Vec<u8>,
    pub truth: Vec<u8>,
    /// Every rule id expected from the file, sorted.
    pub rules: Vec<String>,
    /// Where: `claim=...`, `segment=N`, `byte=N segment=N`, `-` for none.
    pub at: String,
    /// Whether the file's rule ids hold only under the corpus's `x837.toml` (synth's
    /// config, `samples/synth/x837.toml`).
    pub config: bool,
}

/// The config file written beside the manifest, for the files whose `config` column names it.
pub const CONFIG_NAME: &str = "x837.toml";

fn seps(text: &str) -> Separators {
    Separators::parse(text).unwrap_or(Separators::STANDARD)
}

/// The layouts of the corpus, with the rule ids each makes x837 report on clean claims
/// (an ISA11 that is not a repetition separator is a `repetition-separator` warning).
pub fn layouts() -> Vec<(&'static str, Layout, &'static [RuleId])> {
    let d = Layout::default();
    let with = |s: &str| Layout {
        separators: seps(s),
        ..d
    };
    let ending = |e| Layout {
        line_ending: e,
        ..d
    };
    let no_rep = &[RuleId::RepetitionSeparator][..];
    vec![
        ("standard", d, &[]),
        ("pipe", with("|,^,>,~"), &[]),
        (
            "newline-terminator",
            Layout {
                line_ending: LineEnding::None,
                ..with("*,:,^,\\n")
            },
            &[],
        ),
        ("tilde-element", with("~,:,^,_"), &[]),
        ("isa11-is-isa16", with("*,:,:,~"), no_rep),
        ("isa11-u", with("*,:,U,~"), no_rep),
        ("one-line", ending(LineEnding::None), &[]),
        ("crlf", ending(LineEnding::CrLf), &[]),
        ("cr", ending(LineEnding::Cr), &[]),
        ("bom", Layout { bom: true, ..d }, &[]),
        (
            "wrap-80",
            Layout {
                wrap: Some(80),
                ..d
            },
            &[],
        ),
        ("indent", Layout { indent: true, ..d }, &[]),
    ]
}

fn options(kind: SynthKind, seed: u64, claims: u64) -> Options {
    Options {
        claims,
        seed,
        kind,
        error_rate: 1.0,
        control: Control::default(),
    }
}

fn batch(options: &Options, extra: &Extra) -> io::Result<(Vec<u8>, Vec<u8>, synth::Summary)> {
    let mut edi = Vec::new();
    let mut truth = Vec::new();
    let summary = synth::run_with(options, extra, &mut edi, Some(&mut truth))?;
    Ok((edi, truth, summary))
}

/// The rule ids and places a truth file lists.
fn read_truth(truth: &[u8]) -> (BTreeSet<String>, String) {
    let t: serde_json::Value = serde_json::from_slice(truth).unwrap_or_default();
    let mut rules = BTreeSet::new();
    let mut at = Vec::new();
    let mut claims = Vec::new();
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(map) = t["claims"].as_object() {
        for (claim, r) in map {
            let r = ids(r);
            if !r.is_empty() {
                claims.push(claim.clone());
                rules.extend(r);
            }
        }
    }
    if !claims.is_empty() {
        at.push(format!("claim={}", claims.join(",")));
    }
    let mut segments = BTreeSet::new();
    for key in ["envelopes", "hierarchy"] {
        for e in t[key].as_array().into_iter().flatten() {
            rules.extend(ids(&e["rules"]));
            if let Some(n) = e["segment"].as_u64() {
                segments.insert(n);
            }
        }
    }
    if let Some(b) = t["cut"]["byte"].as_u64() {
        at.push(format!("byte={b}"));
    }
    if !segments.is_empty() {
        let s: Vec<String> = segments.iter().map(u64::to_string).collect();
        at.push(format!("segment={}", s.join(",")));
    }
    let at = if at.is_empty() {
        "-".to_string()
    } else {
        at.join(" ")
    };
    (rules, at)
}

/// Every file of the corpus for `seed`, in the order of the manifest.
pub fn build(seed: u64) -> io::Result<Vec<CorpusFile>> {
    let mut files = Vec::new();
    for (kind, synth_kind, professional) in [
        ("837p", SynthKind::Professional, true),
        ("837i", SynthKind::Institutional, false),
    ] {
        for v in variants::all() {
            let applies = match v.applies {
                Applies::Both => true,
                Applies::Professional => professional,
                Applies::Institutional => !professional,
            };
            if !applies {
                continue;
            }
            let extra = Extra {
                inject: Selection::only(v.name),
                layout: Layout::default(),
            };
            let mut made = None;
            for k in 0..TRIES {
                // A group variant's claims and one more.
                let claims = CLAIMS.max(v.claims + 1);
                let b = batch(&options(synth_kind, seed.wrapping_add(k), claims), &extra)?;
                if b.2.injected.contains_key(v.name) {
                    made = Some(b);
                    break;
                }
            }
            let Some((edi, truth, _)) = made else {
                continue;
            };
            let (rules, at) = read_truth(&truth);
            files.push(CorpusFile {
                name: format!("{kind}/{}.x12", v.name),
                kind,
                variant: v.name.to_string(),
                layout: "standard",
                edi,
                truth,
                rules: rules.into_iter().collect(),
                at,
                config: v.config,
            });
        }
        for (name, layout, expected) in layouts() {
            let extra = Extra {
                inject: Selection::none(),
                layout,
            };
            let (edi, truth, _) = batch(&options(synth_kind, seed, CLAIMS), &extra)?;
            files.push(CorpusFile {
                name: format!("{kind}/layout-{name}.x12"),
                kind,
                variant: "none".into(),
                layout: name,
                edi,
                truth,
                rules: expected.iter().map(|r| r.as_str().to_string()).collect(),
                at: "-".into(),
                config: false,
            });
        }
    }
    Ok(files)
}

/// The truth file's name beside `name`: `837p/units-1.truth.json`.
pub fn truth_name(name: &str) -> String {
    format!("{}.truth.json", name.strip_suffix(".x12").unwrap_or(name))
}

/// `MANIFEST.tsv`: `file kind variant rules where layout truth config`, tab-separated
/// (`config`: `x837.toml`, the config to scrub the file with, or `-`).
pub fn manifest(files: &[CorpusFile]) -> String {
    let mut out = String::from("file\tkind\tvariant\trules\twhere\tlayout\ttruth\tconfig\n");
    for f in files {
        let rules = if f.rules.is_empty() {
            "-".to_string()
        } else {
            f.rules.join(",")
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            f.name,
            f.kind,
            f.variant,
            rules,
            f.at,
            f.layout,
            truth_name(&f.name),
            if f.config { CONFIG_NAME } else { "-" }
        ));
    }
    out
}
