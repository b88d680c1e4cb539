//! A typed, read-only view of the claims of a transaction, shared by 837P and 837I, so
//! that a rule is written once for both. Everything borrows from the transaction.

mod dates;

pub use dates::{LineDate, parse_date};

/// HI qualifiers whose codes are ICD-10-CM diagnoses (never amounts or PCS codes).
pub const DIAGNOSIS_QUALIFIERS: [&[u8]; 5] = [b"ABK", b"ABF", b"ABJ", b"APR", b"ABN"];

use rust_decimal::Decimal;

use crate::grammar::Kind;
use crate::tree::Tree;
use crate::x12::{Segment, Transaction};

/// One HI diagnosis code.
#[derive(Debug, Clone, Copy)]
pub struct Diagnosis<'a> {
    /// Index of the HI segment in the transaction.
    pub segment: usize,
    /// Element of the HI segment (HI01 is 1).
    pub element: usize,
    pub qualifier: &'a [u8],
    pub code: &'a [u8],
    /// 1-based position in the claim's diagnosis list, as SV107 pointers count.
    pub pointer: usize,
}

impl Diagnosis<'_> {
    /// The code as rules compare it: no point, upper case.
    pub fn normalized(&self) -> String {
        self.normalized_chars().collect()
    }

    /// The characters of [`Self::normalized`], without building the string.
    pub fn normalized_chars(&self) -> impl Iterator<Item = char> + '_ {
        self.code
            .iter()
            .filter(|&&b| b != b'.')
            .map(|b| b.to_ascii_uppercase() as char)
    }

    /// Whether the normalized code is one of `list`.
    pub fn normalized_in(&self, list: &[String]) -> bool {
        list.iter().any(|c| self.normalized_chars().eq(c.chars()))
    }

    /// Whether the normalized code starts with `prefix`.
    pub fn normalized_starts_with(&self, prefix: &str) -> bool {
        let mut chars = self.normalized_chars();
        prefix.chars().all(|c| chars.next() == Some(c))
    }
}

/// The 2410 drug identification of a line.
#[derive(Debug, Clone, Copy)]
pub struct Drug<'a> {
    /// Index of the LIN segment.
    pub lin: usize,
    /// Index of the CTP segment, if present.
    pub ctp: Option<usize>,
    /// LIN02 (`N4`).
    pub qualifier: &'a [u8],
    /// LIN03 as written.
    pub ndc: &'a [u8],
    /// CTP04.
    pub quantity: Option<Decimal>,
    /// CTP05-1 (`ML`).
    pub unit: &'a [u8],
}

/// One 2400 service line.
#[derive(Debug, Clone)]
pub struct ServiceLine<'a> {
    /// Index of the 2400 loop in the tree.
    pub loop_index: usize,
    /// Index of the LX segment.
    pub lx: usize,
    /// LX01.
    pub number: &'a [u8],
    /// Index of SV1 (837P) or SV2 (837I).
    pub service: Option<usize>,
    /// SV101-1 / SV202-1 (`HC`).
    pub qualifier: &'a [u8],
    /// SV101-2 / SV202-2.
    pub code: &'a [u8],
    /// Modifiers, empty where absent.
    pub modifiers: [&'a [u8]; 4],
    /// SV102 / SV203.
    pub charge: Option<Decimal>,
    /// SV104 / SV205.
    pub units: Option<Decimal>,
    /// SV201 (837I).
    pub revenue: &'a [u8],
    /// SV105 (837P), empty where absent.
    pub place_of_service: &'a [u8],
    /// SV107 pointers (837P).
    pub pointers: Vec<usize>,
    /// DTP*472.
    pub date: Option<LineDate>,
    /// Index of the DTP*472 segment.
    pub dtp: Option<usize>,
    pub drug: Option<Drug<'a>>,
    /// REF*G1 on the line.
    pub prior_auth: bool,
    /// Index of the last segment of the 2400 loop before any 2420 loop (where inserted
    /// 2410 segments go).
    pub insert_after: usize,
    /// Index of the last segment of the whole 2400 loop.
    pub last: usize,
}

impl ServiceLine<'_> {
    /// Whether a modifier is present.
    pub fn has_modifier(&self, m: &str) -> bool {
        self.modifiers.contains(&m.as_bytes())
    }

    /// The procedure code as a message shows it: itself when it is shaped like a code,
    /// else described (see [`crate::echo`]).
    pub fn code_shown(&self) -> String {
        crate::echo::code(self.code)
    }
}

/// One 2300 claim.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    pub kind: Kind,
    /// Index of the 2300 loop in the tree.
    pub loop_index: usize,
    /// Index of the CLM segment.
    pub clm: usize,
    /// CLM01.
    pub id: &'a [u8],
    /// CLM02.
    pub billed: Option<Decimal>,
    /// CLM05-1: place of service (837P) or facility type (837I).
    pub facility: &'a [u8],
    pub diagnoses: Vec<Diagnosis<'a>>,
    /// REF*G1 in 2300.
    pub prior_auth: bool,
    /// DTP*434 statement dates (837I).
    pub statement: Option<LineDate>,
    pub lines: Vec<ServiceLine<'a>>,
    /// NM109 of the payer (2010BB NM1*PR).
    pub payer: &'a [u8],
    /// A 2320 (other subscriber) loop in the claim.
    pub has_2320: bool,
    /// A 2430 (line adjudication) loop in the claim.
    pub has_2430: bool,
    /// Index of the claim's last segment.
    pub last: usize,
    /// CLM05-3: the claim frequency code (837I: the type of bill's last digit).
    pub frequency: &'a [u8],
    /// Index of the 2300 REF*F8 (payer claim control number) with a REF02 that is not blank.
    pub f8: Option<usize>,
    /// Who the claim is for and who bills it (2000A, 2000B, 2000C above it).
    pub parties: Parties<'a>,
}

/// What the loops above a claim say about its parties. Patient identifiers: never shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Parties<'a> {
    /// 2010AA NM109 when NM108 is `XX`.
    pub billing_npi: &'a [u8],
    /// 2000B SBR09: the claim filing indicator (`MC` Medicaid).
    pub filing: &'a [u8],
    pub subscriber: Person<'a>,
    /// The 2010CA patient, when a 2000C loop is present.
    pub patient: Option<Person<'a>>,
}

/// A person's identifying elements (NM109, NM104, DMG01/DMG02). Never shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person<'a> {
    pub id: &'a [u8],
    pub first: &'a [u8],
    pub dob_format: &'a [u8],
    pub dob: &'a [u8],
}

impl<'a> Parties<'a> {
    /// The person the claim is for: the 2010CA patient, else the subscriber, with the
    /// subscriber's member id.
    pub fn person(&self) -> (&'a [u8], Person<'a>) {
        (self.subscriber.id, self.patient.unwrap_or(self.subscriber))
    }

    /// Reads loop `l` when it tells about the parties.
    fn read(&mut self, tree: &Tree, tx: &Transaction<'a>, l: usize) {
        let node = &tree.loops[l];
        let seg = &tx.segments[node.first];
        let person = || {
            let mut p = Person {
                id: seg.value(9),
                first: seg.value(4),
                ..Person::default()
            };
            let last = node.last.min(tx.segments.len() - 1);
            if let Some(dmg) = tx.segments[node.first..=last].iter().find(|s| s.is("DMG")) {
                (p.dob_format, p.dob) = (dmg.value(1), dmg.value(2));
            }
            p
        };
        match node.def.id.as_str() {
            "2010AA" => {
                self.billing_npi = if seg.value(8) == b"XX" {
                    seg.value(9)
                } else {
                    b""
                };
            }
            "2000B" => {
                let last = node.last.min(tx.segments.len() - 1);
                let sbr = tx.segments[node.first..=last]
                    .iter()
                    .take(3)
                    .find(|s| s.is("SBR"));
                self.filing = sbr.map_or(&b""[..], |s| s.value(9));
                self.patient = None;
            }
            "2010BA" => self.subscriber = person(),
            "2010CA" => self.patient = Some(person()),
            _ => {}
        }
    }
}

/// An X12 decimal (`R`) element as a number; `None` when it is not one.
pub fn decimal(b: &[u8]) -> Option<Decimal> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

/// The claims of a transaction, in order.
pub fn claims<'a>(tree: &Tree, tx: &Transaction<'a>) -> Vec<Claim<'a>> {
    each(tree, tx).collect()
}

/// The claims of a transaction, one at a time (a view of a large transaction is never
/// held whole).
pub fn each<'t, 'a>(
    tree: &'t Tree,
    tx: &'t Transaction<'a>,
) -> impl Iterator<Item = Claim<'a>> + 't {
    each_pending(tree, tx).map(|p| p.claim(tree, tx))
}

/// A claim of [`each_pending`]: where it is and what the loops above it say, its view
/// made only when wanted ([`Pending::claim`]).
pub struct Pending<'a> {
    /// Index of the 2300 loop in the tree.
    pub loop_index: usize,
    payer: &'a [u8],
    parties: Parties<'a>,
}

impl<'a> Pending<'a> {
    /// The claim's view.
    pub fn claim(self, tree: &Tree, tx: &Transaction<'a>) -> Claim<'a> {
        let mut claim = claim(tree, tx, self.loop_index, self.payer);
        claim.parties = self.parties;
        claim
    }
}

/// Whether a loop of the tree is a claim's (2300).
fn is_claim(node: &crate::tree::LoopNode) -> bool {
    node.def.id == "2300"
}

/// How many claims [`each_pending`] yields for `tree`.
pub fn count(tree: &Tree) -> usize {
    tree.loops.iter().filter(|l| is_claim(l)).count()
}

/// The claims of a transaction, in order, without their views.
pub fn each_pending<'t, 'a>(
    tree: &'t Tree,
    tx: &'t Transaction<'a>,
) -> impl Iterator<Item = Pending<'a>> + 't {
    let mut payer: &[u8] = b"";
    let mut parties = Parties::default();
    tree.loops.iter().enumerate().filter_map(move |(c, node)| {
        match node.def.id.as_str() {
            "2010BB" => payer = tx.segments[node.first].value(9),
            "2000A" => parties = Parties::default(),
            _ => parties.read(tree, tx, c),
        }
        is_claim(node).then_some(Pending {
            loop_index: c,
            payer,
            parties,
        })
    })
}

/// The claim of 2300 loop `c`, billed to `payer`.
fn claim<'a>(tree: &Tree, tx: &Transaction<'a>, c: usize, payer: &'a [u8]) -> Claim<'a> {
    let segs = &tx.segments;
    let node = &tree.loops[c];
    let clm = &segs[node.first];
    let mut claim = Claim {
        kind: tree.grammar.kind,
        loop_index: c,
        clm: node.first,
        id: clm.value(1),
        billed: decimal(clm.value(2)),
        facility: clm.component(5, 1),
        diagnoses: Vec::new(),
        prior_auth: false,
        statement: None,
        lines: Vec::new(),
        payer,
        has_2320: false,
        has_2430: false,
        last: node.last,
        frequency: clm.component(5, 3),
        f8: None,
        parties: Parties::default(),
    };
    for i in node.first..=node.last.min(segs.len() - 1) {
        let l = tree.placed[i].loop_index;
        let seg = &segs[i];
        if l == c {
            claim_segment(&mut claim, seg, i);
            continue;
        }
        // Only the first segment of a loop below the claim tells anything.
        if tree.loops[l].first != i {
            continue;
        }
        match tree.loops[l].def.id.as_str() {
            "2320" => claim.has_2320 = true,
            "2430" => claim.has_2430 = true,
            "2400" if tree.loops[l].parent == Some(c) => {
                claim.lines.push(line(tree, tx, l));
            }
            _ => {}
        }
    }
    claim
}

fn claim_segment<'a>(claim: &mut Claim<'a>, seg: &Segment<'a>, i: usize) {
    match seg.id() {
        b"HI" => {
            for (n, e) in seg.elements().enumerate() {
                let mut parts = e.components();
                let q = parts.next().unwrap_or_default();
                if DIAGNOSIS_QUALIFIERS.contains(&q) {
                    let pointer = claim.diagnoses.len() + 1;
                    claim.diagnoses.push(Diagnosis {
                        segment: i,
                        element: n + 1,
                        qualifier: q,
                        code: parts.next().unwrap_or_default(),
                        pointer,
                    });
                }
            }
        }
        b"REF" if seg.value(1) == b"G1" => claim.prior_auth = true,
        b"REF" if seg.value(1) == b"F8" && !seg.value(2).trim_ascii().is_empty() => {
            claim.f8 = claim.f8.or(Some(i));
        }
        b"DTP" => {
            let [qualifier, format, value] = seg.values::<3>();
            if qualifier == b"434" {
                claim.statement = LineDate::parse(format, value);
            }
        }
        _ => {}
    }
}

/// A segment of the 2400 loop itself.
fn line_segment<'a>(line: &mut ServiceLine<'a>, seg: &Segment<'a>, i: usize, service_id: &[u8]) {
    match seg.id() {
        // Only the guide's own service segment: an SV2 in an 837P (or SV1 in an 837I) is
        // an unexpected segment that validation reports, not a line.
        b"SV1" | b"SV2" if line.service.is_none() && seg.id() == service_id => {
            service(line, seg, i);
        }
        b"DTP" if line.dtp.is_none() => {
            let [qualifier, format, value] = seg.values::<3>();
            if qualifier == b"472" {
                line.dtp = Some(i);
                line.date = LineDate::parse(format, value);
            }
        }
        b"REF" if seg.value(1) == b"G1" => line.prior_auth = true,
        _ => {}
    }
}

/// The line's service segment: SV1 (837P) or SV2 (837I).
fn service<'a>(line: &mut ServiceLine<'a>, seg: &Segment<'a>, i: usize) {
    let sv1 = seg.is("SV1");
    let (proc, charge, units) = if sv1 { (1, 2, 4) } else { (2, 3, 5) };
    let values = seg.values::<7>();
    line.service = Some(i);
    let mut parts = seg.element(proc).map(|e| e.components());
    let mut part = || parts.as_mut().and_then(Iterator::next).unwrap_or_default();
    line.qualifier = part();
    line.code = part();
    for m in 0..4 {
        line.modifiers[m] = part();
    }
    line.charge = decimal(values[charge - 1]);
    line.units = decimal(values[units - 1]);
    if sv1 {
        line.place_of_service = values[4];
        line.pointers = seg
            .element(7)
            .map(|e| {
                e.components()
                    .filter_map(|p| std::str::from_utf8(p).ok()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
    } else {
        line.revenue = values[0];
    }
}

/// A segment of the line's 2410 drug loop: its first LIN, and that LIN's first CTP.
fn drug_segment<'a>(line: &mut ServiceLine<'a>, seg: &Segment<'a>, i: usize) {
    match seg.id() {
        b"LIN" if line.drug.is_none() => {
            let [_, qualifier, ndc] = seg.values::<3>();
            line.drug = Some(Drug {
                lin: i,
                ctp: None,
                qualifier,
                ndc,
                quantity: None,
                unit: b"",
            });
        }
        b"CTP" => {
            if let Some(d) = line.drug.as_mut()
                && d.ctp.is_none()
            {
                d.ctp = Some(i);
                d.quantity = decimal(seg.value(4));
                d.unit = seg.component(5, 1);
            }
        }
        _ => {}
    }
}

fn line<'a>(tree: &Tree, tx: &Transaction<'a>, l: usize) -> ServiceLine<'a> {
    let node = &tree.loops[l];
    let segs = &tx.segments;
    let lx = &segs[node.first];
    let mut line = ServiceLine {
        loop_index: l,
        lx: node.first,
        number: lx.value(1),
        service: None,
        qualifier: b"",
        code: b"",
        modifiers: [b""; 4],
        charge: None,
        units: None,
        revenue: b"",
        place_of_service: b"",
        pointers: Vec::new(),
        date: None,
        dtp: None,
        drug: None,
        prior_auth: false,
        insert_after: node.first,
        last: node.last,
    };
    let service_id: &[u8] = match tree.grammar.kind {
        Kind::Professional => b"SV1",
        // 837I; claim views are built for 837s only.
        _ => b"SV2",
    };
    let mut in_2420 = false;
    for i in node.first..=node.last.min(segs.len() - 1) {
        let seg = &segs[i];
        let here = tree.placed[i].loop_index;
        // The line's own loop is 2400: neither 2410 nor one of the loops after it.
        let loop_id = if here == l {
            "2400"
        } else {
            tree.loops[here].def.id.as_str()
        };
        if !in_2420 && (loop_id.starts_with("2420") || loop_id == "2430" || loop_id == "2440") {
            in_2420 = true;
        }
        if !in_2420 {
            line.insert_after = i;
        }
        if here == l {
            line_segment(&mut line, seg, i, service_id);
        } else if loop_id == "2410" {
            drug_segment(&mut line, seg, i);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_comparisons_match_the_normalized_string() {
        let list = ["G1220".to_string(), "G129".to_string()];
        for code in [
            &b"g12.20"[..],
            b"G1220",
            b"G12.9",
            b"G12",
            b"G12200",
            b"",
            b"\xc3G129",
        ] {
            let d = Diagnosis {
                segment: 0,
                element: 1,
                qualifier: b"ABK",
                code,
                pointer: 1,
            };
            let n = d.normalized();
            assert_eq!(d.normalized_in(&list), list.contains(&n), "{n}");
            for prefix in ["G12", "G122", "", "g", "G12200X"] {
                assert_eq!(
                    d.normalized_starts_with(prefix),
                    n.starts_with(prefix),
                    "{n} {prefix}"
                );
            }
        }
    }
}
