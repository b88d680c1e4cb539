//! Structure-aware inputs: fuzz bytes read as a description of an X12 input (a base
//! interchange, new delimiters, edits of its segments and elements, a cut) rather than as
//! the input itself, so that what the targets see gets past the ISA into the loops,
//! claims and lines. The bases are the bundled samples, seeded synth batches (with
//! injected errors) and the acknowledgments and replies x837 writes for them. Shared by
//! the fuzz targets (`fuzz/`) and the property tests (`tests/properties.rs`).

use std::collections::BTreeMap;

use arbitrary::{Result, Unstructured};

/// The bundled 837 samples: every J2326 scrub case and the walkthrough file.
pub const SAMPLES: &[&[u8]] = &[
    include_bytes!("../../samples/837p-j2326.x12"),
    include_bytes!("../../samples/scrub/admin-code-variant.x12"),
    include_bytes!("../../samples/scrub/admin-code.x12"),
    include_bytes!("../../samples/scrub/admin-dos-match.x12"),
    include_bytes!("../../samples/scrub/admin-missing.x12"),
    include_bytes!("../../samples/scrub/claim-balance.x12"),
    include_bytes!("../../samples/scrub/claim-frequency.x12"),
    include_bytes!("../../samples/scrub/concurrent-therapy.x12"),
    include_bytes!("../../samples/scrub/diagnosis-format.x12"),
    include_bytes!("../../samples/scrub/diagnosis-missing.x12"),
    include_bytes!("../../samples/scrub/diagnosis-not-sma.x12"),
    include_bytes!("../../samples/scrub/diagnosis-pointer.x12"),
    include_bytes!("../../samples/scrub/diagnosis-primary.x12"),
    include_bytes!("../../samples/scrub/diagnosis-unspecified.x12"),
    include_bytes!("../../samples/scrub/dose-frequency.x12"),
    include_bytes!("../../samples/scrub/dose-interval.x12"),
    include_bytes!("../../samples/scrub/drug-units.x12"),
    include_bytes!("../../samples/scrub/duplicate-claim-id.x12"),
    include_bytes!("../../samples/scrub/duplicate-service.x12"),
    include_bytes!("../../samples/scrub/em-modifier-25.x12"),
    include_bytes!("../../samples/scrub/facility-drug-professional.x12"),
    include_bytes!("../../samples/scrub/imaging-bundled.x12"),
    include_bytes!("../../samples/scrub/line-numbering.x12"),
    include_bytes!("../../samples/scrub/mue-units.x12"),
    include_bytes!("../../samples/scrub/ndc-format.x12"),
    include_bytes!("../../samples/scrub/ndc-missing.x12"),
    include_bytes!("../../samples/scrub/ndc-product.x12"),
    include_bytes!("../../samples/scrub/ndc-qualifier.x12"),
    include_bytes!("../../samples/scrub/ndc-quantity.x12"),
    include_bytes!("../../samples/scrub/ndc-unit.x12"),
    include_bytes!("../../samples/scrub/place-of-service.x12"),
    include_bytes!("../../samples/scrub/prior-auth.x12"),
    include_bytes!("../../samples/scrub/revenue-code.x12"),
    include_bytes!("../../samples/scrub/waste-modifier.x12"),
];

/// The claim descriptions of `samples/claims/` (`x837 generate`).
pub const DESCRIPTIONS: &[&[u8]] = &[
    include_bytes!("../../samples/claims/837p-j2326.json"),
    include_bytes!("../../samples/claims/837p-office.json"),
    include_bytes!("../../samples/claims/837p-dependent.json"),
    include_bytes!("../../samples/claims/837i-outpatient.json"),
];

/// X12 tokens the edits draw their values from: segment ids, qualifiers, codes and
/// values the guides and the J2326 rules look at (the same as `fuzz/x12.dict`).
pub const TOKENS: &[&str] = &[
    "ISA",
    "IEA",
    "GS",
    "GE",
    "ST",
    "SE",
    "BHT",
    "NM1",
    "N3",
    "N4",
    "REF",
    "PER",
    "HL",
    "PRV",
    "SBR",
    "PAT",
    "DMG",
    "CLM",
    "DTP",
    "HI",
    "LX",
    "SV1",
    "SV2",
    "LIN",
    "CTP",
    "CL1",
    "AMT",
    "K3",
    "NTE",
    "TA1",
    "AK1",
    "AK2",
    "AK9",
    "IK3",
    "IK4",
    "IK5",
    "STC",
    "TRN",
    "CLP",
    "CAS",
    "SVC",
    "BPR",
    "QTY",
    "837",
    "999",
    "277",
    "835",
    "005010X222A1",
    "005010X223A2",
    "005010X223A3",
    "005010X231A1",
    "005010X214",
    "005010X221A1",
    "00501",
    "HC",
    "FA",
    "HN",
    "HP",
    "0019",
    "00",
    "CH",
    "41",
    "40",
    "85",
    "87",
    "IL",
    "PR",
    "QC",
    "DN",
    "82",
    "77",
    "DK",
    "20",
    "22",
    "23",
    "1",
    "0",
    "P",
    "S",
    "T",
    "CI",
    "MB",
    "MC",
    "BL",
    "XX",
    "MI",
    "PI",
    "46",
    "24",
    "EI",
    "G1",
    "9F",
    "D8",
    "RD8",
    "472",
    "431",
    "434",
    "435",
    "ABK",
    "ABF",
    "BK",
    "BF",
    "ABJ",
    "G121",
    "G120",
    "G122",
    "G128",
    "G129",
    "Z79899",
    "J2326",
    "96450",
    "62321",
    "99214",
    "JZ",
    "JW",
    "25",
    "N4",
    "64406005801",
    "ML",
    "UN",
    "MJ",
    "F2",
    "GR",
    "ME",
    "DA",
    "HC:J2326",
    "HC:J2326:JZ",
    "HC:96450",
    "ABK:G121",
    "11",
    "19",
    "22:B:1",
    "11:B:1",
    "13:A:1",
    "0636",
    "0250",
    "0131",
    "A",
    "Y",
    "N",
    "W",
    "I",
    "U",
    "F",
    "M",
    "18",
    "01",
    "1234567893",
    "1234567890",
    "127500.00",
    "12650",
    "5",
    "120",
    "0.5",
    "-1",
    "99999999999",
    "20240328",
    "20240328-20240329",
    "20260115",
    "1200",
    "260115",
    "000000101",
    "0001",
    "101",
    "X",
];

/// Where a shaped input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    /// One of `SAMPLES`.
    Sample(usize),
    /// A synth batch: seed, claims, kind (0 professional, 1 institutional, 2 mixed) and
    /// whether every J2326 claim gets an injected error.
    Synth {
        seed: u64,
        claims: u64,
        kind: u8,
        inject: bool,
    },
    /// What x837 answers a synth batch with: 0 TA1, 1 999, 2 277CA (`x837 ack`), 3 the
    /// payer's 277CA, 4 its 835 (`x837 synth --responses`).
    Reply { seed: u64, which: u8 },
}

/// The bytes of a base, made once per process (synth batches and replies cost a scrub).
pub fn base(b: Base) -> Vec<u8> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static MADE: Mutex<Option<HashMap<Base, Vec<u8>>>> = Mutex::new(None);
    if let Ok(mut made) = MADE.lock() {
        let made = made.get_or_insert_with(HashMap::new);
        if made.len() > 4096 {
            made.clear();
        }
        return made.entry(b).or_insert_with(|| make(b)).clone();
    }
    make(b)
}

fn make(b: Base) -> Vec<u8> {
    match b {
        Base::Sample(i) => SAMPLES[i % SAMPLES.len()].to_vec(),
        Base::Synth {
            seed,
            claims,
            kind,
            inject,
        } => synth(seed, claims, kind, inject),
        Base::Reply { seed, which } => reply(seed, which),
    }
}

/// A synth batch in memory (`x837 synth --claims N --seed S [--error-rate 1]`).
pub fn synth(seed: u64, claims: u64, kind: u8, inject: bool) -> Vec<u8> {
    use x837::generate::synth::{self, SynthKind};
    let options = synth::Options {
        claims: claims.clamp(1, 8),
        seed,
        kind: match kind % 3 {
            0 => SynthKind::Professional,
            1 => SynthKind::Institutional,
            _ => SynthKind::Mixed,
        },
        error_rate: if inject { 1.0 } else { 0.0 },
        control: Default::default(),
    };
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = synth::run(&options, &mut out, None::<Vec<u8>>);
    out
}

/// A reply to a small synth batch with injected errors.
pub fn reply(seed: u64, which: u8) -> Vec<u8> {
    let batch = synth(seed, 3, 0, true);
    match which % 5 {
        w @ 0..=2 => {
            let settings = x837::scrub::Settings::default();
            let s = x837::scrub::scrub(&batch, "base", &settings);
            let options = x837::ack::Options {
                kinds: x837::ack::Kinds::default(),
                now: fixed_now(),
            };
            let mut numbers = x837::x12::Control::default();
            let acks = x837::ack::acknowledge(&batch, "base", &s.findings, &options, &mut numbers);
            match w {
                0 => acks.ta1,
                1 => acks.k999,
                _ => acks.ca277,
            }
        }
        w => {
            let (ack, remit) = x837::generate::responses::responses(&batch, &BTreeMap::new());
            if w == 3 { ack } else { remit }
        }
    }
}

/// A fixed time for the acknowledgments, so that a shaped input is the same every run.
fn fixed_now() -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::default()
}

/// An X12 input as segments of elements (each element's text with the base's component
/// and repetition separators in it).
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub segments: Vec<Vec<Vec<u8>>>,
    /// Element, component, repetition, segment separators of the base.
    pub delimiters: [u8; 4],
}

impl Doc {
    /// Reads `bytes` (what lexes of it).
    pub fn read(bytes: &[u8]) -> Doc {
        let mut doc = Doc {
            segments: Vec::new(),
            delimiters: [b'*', b':', b'^', b'~'],
        };
        let lexer = x837::x12::Lexer::new(bytes);
        for seg in lexer {
            let Ok(seg) = seg else { break };
            let d = seg.delimiters;
            doc.delimiters = [
                d.element,
                d.component,
                d.repetition.unwrap_or(b'^'),
                d.segment,
            ];
            let body = seg.body();
            doc.segments.push(
                body.split(|&b| b == d.element)
                    .map(<[u8]>::to_vec)
                    .collect(),
            );
        }
        doc
    }

    /// Writes the segments with `delims` (element, component, repetition, segment) and
    /// `eol` after each terminator.
    pub fn write(&self, delims: [u8; 4], eol: &[u8]) -> Vec<u8> {
        let [_, bc, br, _] = self.delimiters;
        let [e, c, r, s] = delims;
        let mut out = Vec::new();
        for seg in &self.segments {
            let isa = seg.first().is_some_and(|id| id == b"ISA");
            for (i, el) in seg.iter().enumerate() {
                if i > 0 {
                    out.push(e);
                }
                if isa && i == 11 && el.len() == 1 {
                    out.push(r);
                } else if isa && i == 16 && el.len() == 1 {
                    out.push(c);
                } else {
                    out.extend(el.iter().map(|&b| match b {
                        b if b == bc => c,
                        b if b == br => r,
                        b => b,
                    }));
                }
            }
            out.push(s);
            out.extend_from_slice(eol);
        }
        out
    }
}

/// Separators a shaped input may use, valid ones first.
const ELEMENT: &[u8] = b"*|\x1d!^";
const COMPONENT: &[u8] = b":>\x1f\\*";
const REPETITION: &[u8] = b"^{\x1e`:";
const SEGMENT: &[u8] = b"~'\n\x1c*";
const EOL: &[&[u8]] = &[b"\n", b"", b"\r\n", b"\r", b"\n\n  "];

/// One edit of a shaped input.
#[derive(Debug, Clone)]
enum Op {
    SetElement(usize, usize, Vec<u8>),
    SetComponent(usize, usize, usize, Vec<u8>),
    Remove(usize),
    Duplicate(usize),
    Move(usize, usize),
    Insert(usize, Vec<Vec<u8>>),
    /// Appends another base (a second interchange).
    Append(Base),
}

fn pick(u: &mut Unstructured<'_>, n: usize) -> Result<usize> {
    if n == 0 {
        return Ok(0);
    }
    u.choose_index(n)
}

/// A value for an element: a token, digits, a long run, fuzz bytes, or nothing.
fn value(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0u8..=9)? {
        0..=3 => TOKENS[pick(u, TOKENS.len())?].as_bytes().to_vec(),
        4 => Vec::new(),
        5 => u
            .int_in_range(0u64..=99_999_999_999)?
            .to_string()
            .into_bytes(),
        6 => vec![b'A'; u.int_in_range(1usize..=90)?],
        7 => {
            let n = u.int_in_range(0usize..=12)?;
            u.bytes(n)?.to_vec()
        }
        8 => format!(
            "{}.{:02}",
            u.int_in_range(0u32..=200_000)?,
            u.int_in_range(0u8..=99)?
        )
        .into_bytes(),
        _ => {
            let mut v = TOKENS[pick(u, TOKENS.len())?].as_bytes().to_vec();
            v.push(*u.choose(b"*:^~ ")?);
            v
        }
    })
}

fn base_of(u: &mut Unstructured<'_>, replies: bool) -> Result<Base> {
    let seed = u64::from(u.arbitrary::<u8>()?);
    Ok(match u.int_in_range(0u8..=if replies { 5 } else { 3 })? {
        0 | 1 => Base::Sample(pick(u, SAMPLES.len())?),
        2 | 3 => Base::Synth {
            seed,
            claims: u.int_in_range(1u64..=5)?,
            kind: u.arbitrary()?,
            inject: u.arbitrary()?,
        },
        _ => Base::Reply {
            seed,
            which: u.arbitrary()?,
        },
    })
}

fn op(u: &mut Unstructured<'_>, replies: bool) -> Result<Op> {
    let at = usize::from(u.arbitrary::<u16>()?);
    Ok(match u.int_in_range(0u8..=12)? {
        0..=4 => Op::SetElement(at, u.int_in_range(0usize..=20)?, value(u)?),
        5 | 6 => Op::SetComponent(
            at,
            u.int_in_range(1usize..=12)?,
            u.int_in_range(0usize..=7)?,
            value(u)?,
        ),
        7 => Op::Remove(at),
        8 => Op::Duplicate(at),
        9 => Op::Move(at, usize::from(u.arbitrary::<u16>()?)),
        10 | 11 => {
            let mut seg = vec![TOKENS[pick(u, 45)?].as_bytes().to_vec()];
            for _ in 0..u.int_in_range(0usize..=8)? {
                seg.push(value(u)?);
            }
            Op::Insert(at, seg)
        }
        _ => Op::Append(base_of(u, replies)?),
    })
}

fn apply(doc: &mut Doc, op: Op) {
    let n = doc.segments.len();
    if n == 0 {
        return;
    }
    match op {
        Op::SetElement(s, e, v) => {
            let seg = &mut doc.segments[s % n];
            if seg.len() <= e {
                seg.resize(e + 1, Vec::new());
            }
            seg[e] = v;
        }
        Op::SetComponent(s, e, c, v) => {
            let comp = doc.delimiters[1];
            let seg = &mut doc.segments[s % n];
            if seg.len() <= e {
                seg.resize(e + 1, Vec::new());
            }
            let mut parts: Vec<Vec<u8>> =
                seg[e].split(|&b| b == comp).map(<[u8]>::to_vec).collect();
            if parts.len() <= c {
                parts.resize(c + 1, Vec::new());
            }
            parts[c] = v;
            seg[e] = parts.join(&comp);
        }
        Op::Remove(s) => {
            doc.segments.remove(s % n);
        }
        Op::Duplicate(s) => {
            let seg = doc.segments[s % n].clone();
            doc.segments.insert(s % n, seg);
        }
        Op::Move(from, to) => {
            let seg = doc.segments.remove(from % n);
            doc.segments.insert(to % n, seg);
        }
        Op::Insert(s, seg) => doc.segments.insert(s % (n + 1), seg),
        Op::Append(b) => doc.segments.extend(Doc::read(&base(b)).segments),
    }
}

/// A shaped X12 input from fuzz bytes: a base, up to 16 edits, delimiters and line ends,
/// and sometimes a cut or a few raw bytes spliced in. `replies` lets the base be an
/// acknowledgment or a remittance.
pub fn x12(u: &mut Unstructured<'_>, replies: bool) -> Result<Vec<u8>> {
    let b = base_of(u, replies)?;
    let mut doc = Doc::read(&base(b));
    for _ in 0..u.int_in_range(0usize..=16)? {
        let o = op(u, replies)?;
        apply(&mut doc, o);
    }
    // Mostly the usual separators; else any of the lists (which may clash: bad ISAs too).
    let delims = if u.ratio(3u8, 4u8)? {
        [b'*', b':', b'^', b'~']
    } else {
        [
            *u.choose(ELEMENT)?,
            *u.choose(COMPONENT)?,
            *u.choose(REPETITION)?,
            *u.choose(SEGMENT)?,
        ]
    };
    let eol = EOL[pick(u, EOL.len())?];
    let mut out = doc.write(delims, eol);
    match u.int_in_range(0u8..=7)? {
        0 if !out.is_empty() => {
            let at = pick(u, out.len())?;
            out.truncate(at);
        }
        1 if !out.is_empty() => {
            let at = pick(u, out.len())?;
            let n = u.int_in_range(0usize..=8)?;
            let raw = u.bytes(n)?.to_vec();
            out.splice(at..at, raw);
        }
        _ => {}
    }
    Ok(out)
}

/// With `X837_FUZZ_SHOW=PATH` set, writes `input` there: running a target on a crash
/// file then shows the X12 it was shaped into (`fuzz/README.md`).
pub fn show(input: &[u8]) {
    static TO: std::sync::OnceLock<Option<std::ffi::OsString>> = std::sync::OnceLock::new();
    if let Some(p) = TO.get_or_init(|| std::env::var_os("X837_FUZZ_SHOW")) {
        let _ = std::fs::write(p, input);
    }
}

/// An input for a byte-level target: raw fuzz bytes when they start with `R` (what
/// libFuzzer's own mutations and the dictionary work on), else a shaped input.
pub fn input(data: &[u8], replies: bool) -> Vec<u8> {
    let input = match data.split_first() {
        Some((b'R', raw)) => raw.to_vec(),
        _ => {
            let mut u = Unstructured::new(data);
            x12(&mut u, replies).unwrap_or_default()
        }
    };
    show(&input);
    input
}

/// Values a description field may be given: valid ones of every kind of field, and
/// near misses (wrong length, wrong characters, a delimiter, out of range).
const FIELD_VALUES: &[&str] = &[
    "2024-03-28",
    "2024-02-29",
    "2023-02-29",
    "2024-13-01",
    "20240328",
    "1998-05-14",
    "09:30",
    "24:00",
    "9:30",
    "T",
    "P",
    "X",
    "837p",
    "837i",
    "837",
    "1234567893",
    "1234567890",
    "123456789",
    "311234567",
    "2084N0400X",
    "OH",
    "ZZ",
    "43215",
    "432052664",
    "4321",
    "F",
    "M",
    "U",
    "Q",
    "CI",
    "MB",
    "ZZ",
    "11",
    "19",
    "99",
    "1",
    "7",
    "8",
    "0131",
    "131",
    "0636",
    "0250",
    "01",
    "G12.1",
    "G121",
    "Z79.899",
    "A00",
    "J2326",
    "96450",
    "62321",
    "99214",
    "JZ",
    "JW",
    "25",
    "UN",
    "MJ",
    "DA",
    "ML",
    "F2",
    "GR",
    "64406005801",
    "6440600580",
    "SMA-2024-0001",
    "",
    " ",
    "A*B",
    "A:B",
    "A^B",
    "A~B",
    "\u{e9}",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
];

/// Optional fields a valid description may leave out.
const OPTIONAL: &[&str] = &[
    "usage",
    "reference",
    "line2",
    "group_number",
    "payer_responsibility",
    "patient",
    "frequency",
    "prior_authorization",
    "modifiers",
    "date_to",
];

fn json_value(u: &mut Unstructured<'_>) -> Result<serde_json::Value> {
    use serde_json::Value;
    Ok(match u.int_in_range(0u8..=9)? {
        0..=4 => Value::from(FIELD_VALUES[pick(u, FIELD_VALUES.len())?]),
        5 => Value::from(u.int_in_range(-5i64..=200_000)?),
        6 => Value::from(format!(
            "{}.{:02}",
            u.int_in_range(0u32..=99_999)?,
            u.int_in_range(0u8..=99)?
        )),
        7 => match u.int_in_range(0u8..=3)? {
            0 => Value::Null,
            1 => Value::Bool(u.arbitrary()?),
            2 => Value::Array(Vec::new()),
            _ => Value::Object(Default::default()),
        },
        8 => {
            let n = u.int_in_range(0usize..=8)?;
            Value::from(String::from_utf8_lossy(u.bytes(n)?).into_owned())
        }
        _ => Value::from(vec![u.int_in_range(0u8..=9)?]),
    })
}

/// A place in a JSON document, walked down by fuzz choices.
fn walk<'v>(
    u: &mut Unstructured<'_>,
    v: &'v mut serde_json::Value,
    depth: u8,
) -> Result<&'v mut serde_json::Value> {
    use serde_json::Value;
    let stop = depth > 0 && u.ratio(1u8, 4u8)?;
    let n = match &*v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if stop || n == 0 {
        return Ok(v);
    }
    let i = pick(u, n)?;
    match v {
        Value::Object(m) => match m.values_mut().nth(i) {
            Some(child) => walk(u, child, depth + 1),
            None => unreachable!("index within the object"),
        },
        Value::Array(a) => walk(u, &mut a[i], depth + 1),
        _ => unreachable!("a container"),
    }
}

/// One edit a valid description stays valid under: a claim copied under a new id, an
/// optional field left out, a name or a charge changed.
fn safe_edit(u: &mut Unstructured<'_>, d: &mut serde_json::Value, n: usize) -> Result<()> {
    use serde_json::Value;
    match u.int_in_range(0u8..=2)? {
        0 => {
            if let Some(claims) = d["claims"]
                .as_array_mut()
                .filter(|c| !c.is_empty() && c.len() < 6)
            {
                let mut c = claims[pick(u, claims.len())?].clone();
                c["id"] = Value::from(format!("FUZZ{n}"));
                claims.push(c);
            }
        }
        1 => {
            let key = OPTIONAL[pick(u, OPTIONAL.len())?];
            let at = walk(u, d, 0)?;
            if let Some(m) = at.as_object_mut() {
                m.remove(key);
            }
        }
        _ => {
            let at = walk(u, d, 0)?;
            if let Some(m) = at.as_object_mut() {
                if m.contains_key("last_name") {
                    let len = u.int_in_range(1usize..=20)?;
                    let name: String = (0..len)
                        .map(|i| (b'A' + (i * 7 + n) as u8 % 26) as char)
                        .collect();
                    m.insert("last_name".into(), Value::from(name));
                } else if m.contains_key("charge") {
                    let cents = u.int_in_range(1u32..=9_999_999)?;
                    m.insert(
                        "charge".into(),
                        Value::from(format!("{}.{:02}", cents / 100, cents % 100)),
                    );
                    m.remove("total");
                }
            }
            if let Some(claims) = d["claims"].as_array_mut() {
                claims
                    .iter_mut()
                    .filter_map(Value::as_object_mut)
                    .for_each(|c| {
                        c.remove("total");
                    });
            }
        }
    }
    Ok(())
}

/// A claim description from fuzz bytes: one of the samples with edits that keep it
/// valid and, unless it is to stay valid, edits that may not (a field set to another
/// value or type, removed, an unknown one added, a list emptied or grown). Returns the
/// JSON and whether it is known to be valid.
pub fn description(u: &mut Unstructured<'_>) -> Result<(Vec<u8>, bool)> {
    use serde_json::Value;
    let text = DESCRIPTIONS[pick(u, DESCRIPTIONS.len())?];
    let mut d: Value = serde_json::from_slice(text).unwrap_or(Value::Null);
    for n in 0..u.int_in_range(0usize..=4)? {
        safe_edit(u, &mut d, n)?;
    }
    let valid = u.ratio(1u8, 3u8)?;
    if !valid {
        for _ in 0..u.int_in_range(1usize..=6)? {
            let v = json_value(u)?;
            let key = *u.choose(&[
                "id", "date", "npi", "units", "charge", "kind", "extra", "code",
            ])?;
            let at = walk(u, &mut d, 0)?;
            match (u.int_in_range(0u8..=5)?, &mut *at) {
                (0, Value::Object(m)) => {
                    let k = m.keys().nth(pick(u, m.len())?).cloned();
                    if let Some(k) = k {
                        m.remove(&k);
                    }
                }
                (1, Value::Object(m)) => {
                    m.insert(key.into(), v);
                }
                (2, Value::Array(a)) => a.clear(),
                (3, Value::Array(a)) if !a.is_empty() && a.len() < 8 => {
                    let c = a[pick(u, a.len())?].clone();
                    a.push(c);
                }
                (_, at) => *at = v,
            }
        }
        if !d.is_object() {
            // The document itself stays an object: its errors then have a path.
            d = Value::Object(Default::default());
        }
    }
    Ok((serde_json::to_vec_pretty(&d).unwrap_or_default(), valid))
}
