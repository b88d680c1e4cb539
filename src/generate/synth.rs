//! Seeded batches of synthetic claims: J2326 claims with their administration line and
//! ordinary office and outpatient claims, valid or with one injected error from the J2326
//! rule catalogue, and a truth file naming the rule ids each claim must produce.
//!
//! Everything streams: one claim is held at a time, whatever the batch size.

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::breaks::{self, SegmentEdit, clm_total_off};
use super::description::{
    Address, BillingProvider, Claim, Kind, Line, Ndc, Patient, Payer, Period, Practitioner,
    Receiver, Relationship, Submitter, Subscriber, npi_check_digit,
};
use super::interchange::{Broken, Control, Envelope, InterchangeWriter, TrailerBreak};
use super::layout::{Layout, LayoutWriter};
use super::rng::Rng;
use super::segment::push_padded;
use super::truth::{Cut, Placed, Truth};
use super::variants::{self, Scope, Selection, Variant};
use crate::digits::iso;
use crate::report::RuleId;
use crate::x12::OwnedSegment;

/// Which guides a batch uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthKind {
    Professional,
    Institutional,
    /// Runs of either kind, each kind in its own functional group.
    Mixed,
}

/// What to make.
#[derive(Debug, Clone)]
pub struct Options {
    pub claims: u64,
    pub seed: u64,
    pub kind: SynthKind,
    /// Share of J2326 claims that get one injected error, 0.0 to 1.0.
    pub error_rate: f64,
    pub control: Control,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            claims: 100,
            seed: 0,
            kind: SynthKind::Professional,
            error_rate: 0.0,
            control: Control::default(),
        }
    }
}

/// At most this many claims per transaction set.
pub const CLAIMS_PER_TRANSACTION: u64 = 1000;

/// What a run made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub claims: u64,
    pub j2326_claims: u64,
    /// Claims with an injected error, by variant name.
    pub injected: BTreeMap<&'static str, u64>,
    pub bytes: u64,
}

/// The J2326 NDC of the catalogue, 11 digits.
pub const J2326_NDC: &str = "64406005801";

/// Every J2326 variant name and the rule ids it must produce (`variants::all` has the X12
/// ones too).
pub fn variants() -> impl Iterator<Item = (&'static str, &'static [RuleId])> {
    variants::all()
        .iter()
        .filter(|v| v.scope == Scope::J2326)
        .map(|v| (v.name, v.rules))
}

const FIRST_NAMES: &[&str] = &[
    "OLIVIA", "LIAM", "EMMA", "NOAH", "AVA", "ELIJAH", "SOPHIA", "LUCAS", "MIA", "MASON", "AMELIA",
    "ETHAN", "HARPER", "JAMES", "EVELYN", "MATEO", "GRACE", "HENRY", "CHLOE", "LEO",
];
const LAST_NAMES: &[&str] = &[
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "RODRIGUEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "LOPEZ",
    "GONZALEZ",
    "WILSON",
    "ANDERSON",
    "THOMAS",
    "TAYLOR",
    "MOORE",
    "JACKSON",
    "MARTIN",
    "LEE",
    "PEREZ",
    "THOMPSON",
    "WHITE",
    "HARRIS",
    "CLARK",
];
const STREETS: &[&str] = &[
    "MAIN ST",
    "OAK AVE",
    "MAPLE DR",
    "CEDAR LN",
    "PINE ST",
    "ELM ST",
    "LAKE RD",
    "HILL ST",
    "PARK AVE",
    "RIVER RD",
    "WASHINGTON BLVD",
    "SUNSET DR",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("COLUMBUS", "OH", "43215"),
    ("DENVER", "CO", "80202"),
    ("AUSTIN", "TX", "78701"),
    ("BOSTON", "MA", "02108"),
    ("SEATTLE", "WA", "98101"),
    ("NASHVILLE", "TN", "37203"),
    ("PHOENIX", "AZ", "85004"),
    ("RALEIGH", "NC", "27601"),
    ("MADISON", "WI", "53703"),
    ("PORTLAND", "OR", "97204"),
];
const PROFESSIONAL_PROVIDERS: &[(&str, &str)] = &[
    ("CHILDRENS NEUROMUSCULAR CLINIC", "2084N0400X"),
    ("VALLEY NEUROLOGY ASSOCIATES", "2084N0400X"),
    ("SUMMIT PEDIATRIC NEUROLOGY", "2084P0800X"),
    ("LAKESIDE FAMILY MEDICINE", "207Q00000X"),
    ("RIVERBEND INTERNAL MEDICINE", "207R00000X"),
];
const INSTITUTIONAL_PROVIDERS: &[(&str, &str)] = &[
    ("LAKESIDE GENERAL HOSPITAL", "282N00000X"),
    ("ST MARY REGIONAL MEDICAL CENTER", "282N00000X"),
    ("UNIVERSITY CHILDRENS HOSPITAL", "282NC2000X"),
    ("MERCY COMMUNITY HOSPITAL", "282N00000X"),
];
const PAYERS: &[(&str, &str, &str)] = &[
    ("MEDICARE", "04412", "MB"),
    ("BLUE CROSS BLUE SHIELD", "00590", "BL"),
    ("AETNA", "60054", "CI"),
    ("UNITEDHEALTHCARE", "87726", "CI"),
    ("CIGNA", "62308", "CI"),
    ("STATE MEDICAID", "77027", "MC"),
];
const SMA_CODES: &[&str] = &["G12.0", "G12.1", "G12.8"];
const OTHER_DX: &[&str] = &["Z79.899", "R26.89", "M62.81", "R62.50"];
const PUNCTURES: &[&str] = &["62270", "62272", "62328", "62329"];

/// The synthetic world of a run: providers and payers drawn once from the seed.
struct World {
    professional: Vec<BillingProvider>,
    institutional: Vec<BillingProvider>,
    attending: Vec<Practitioner>,
}

fn npi(rng: &mut Rng) -> String {
    let first9 = format!("1{}", rng.digits(8));
    let check = npi_check_digit(&first9).unwrap_or(0);
    format!("{first9}{check}")
}

fn address(rng: &mut Rng, zip9: bool) -> Address {
    let (city, state, zip) = *rng.pick(CITIES);
    let mut line1 = String::with_capacity(24);
    push_padded(&mut line1, rng.range(1, 9999), 0);
    line1.push(' ');
    line1.push_str(rng.pick::<&str>(STREETS));
    Address {
        line1,
        line2: None,
        city: city.into(),
        state: state.into(),
        zip: if zip9 {
            let mut z = String::with_capacity(9);
            z.push_str(zip);
            rng.push_digits(&mut z, 4);
            z
        } else {
            zip.into()
        },
    }
}

fn provider(rng: &mut Rng, name: &str, taxonomy: &str) -> BillingProvider {
    BillingProvider {
        name: name.into(),
        npi: npi(rng),
        tax_id: rng.digits(9),
        taxonomy: taxonomy.into(),
        address: address(rng, true),
    }
}

impl World {
    fn new(rng: &mut Rng) -> Self {
        let professional = PROFESSIONAL_PROVIDERS
            .iter()
            .map(|(n, t)| provider(rng, n, t))
            .collect();
        let institutional = INSTITUTIONAL_PROVIDERS
            .iter()
            .map(|(n, t)| provider(rng, n, t))
            .collect();
        let attending = (0..6)
            .map(|_| Practitioner {
                last_name: rng.pick(LAST_NAMES).to_string(),
                first_name: rng.pick(FIRST_NAMES).to_string(),
                npi: npi(rng),
            })
            .collect();
        World {
            professional,
            institutional,
            attending,
        }
    }
}

fn date_between(rng: &mut Rng, from: NaiveDate, days: u64) -> NaiveDate {
    from.checked_add_days(Days::new(rng.below(days)))
        .unwrap_or(from)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// `prefix` then `n` digits drawn from `rng`.
fn prefixed_digits(rng: &mut Rng, prefix: &str, n: usize) -> String {
    let mut s = String::with_capacity(prefix.len() + n);
    s.push_str(prefix);
    rng.push_digits(&mut s, n);
    s
}

fn money(cents: u64) -> Decimal {
    Decimal::new(cents as i64, 2)
}

fn line(procedure: &str, modifiers: &[&str], charge: Decimal, units: u32, date: &str) -> Line {
    Line {
        procedure: procedure.into(),
        modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
        revenue_code: None,
        charge,
        units: Decimal::from(units),
        unit_basis: None,
        date: date.into(),
        date_to: None,
        diagnosis_pointers: Vec::new(),
        place_of_service: None,
        ndc: None,
    }
}

fn ndc(code: &str, quantity: Decimal, unit: &str) -> Option<Ndc> {
    Some(Ndc {
        code: code.into(),
        quantity,
        unit: unit.into(),
    })
}

/// The created date of every synth interchange: output depends on the seed only.
const CREATED: &str = "2024-07-01";
/// The created date of a batch that may hold `high-dose-500` claims (dates of service
/// from 2026-03-30 to 2026-05-28): after them.
const CREATED_HIGH_DOSE: &str = "2026-06-01";

/// CLM01 of the claim at index `i` of a batch.
fn claim_id(i: u64) -> String {
    let mut id = String::with_capacity(12);
    id.push_str("SYN");
    push_padded(&mut id, i + 1, 9);
    id
}

struct Made {
    claim: Claim,
    j2326: bool,
}

fn person_claim(rng: &mut Rng, kind: Kind, id: String, child_share: f64) -> Claim {
    let (pname, pid, mut filing) = *rng.pick(PAYERS);
    if kind == Kind::Institutional && filing == "MB" {
        filing = "MA";
    }
    let last = rng.pick(LAST_NAMES).to_string();
    let sub_address = address(rng, false);
    // Every claim its own patient: a member id from the claim's own number, so no two
    // claims of a batch share a patient key (random ids collide in large batches). The
    // draw still happens, so the rest of the batch is as before.
    let _ = prefixed_digits(rng, &pid[..1], 9);
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    let subscriber = Subscriber {
        member_id: format!("{}{digits:0>9}", &pid[..1]),
        last_name: last.clone(),
        first_name: rng.pick(FIRST_NAMES).to_string(),
        birth_date: iso(date_between(rng, ymd(1950, 1, 1), 45 * 365)),
        gender: if rng.chance(0.5) { "F" } else { "M" }.into(),
        address: sub_address.clone(),
        group_number: (filing == "CI" || filing == "BL").then(|| prefixed_digits(rng, "GRP", 6)),
        payer_responsibility: None,
    };
    let patient = if rng.chance(child_share) {
        Some(Patient {
            relationship: Relationship::Child,
            last_name: last,
            first_name: rng.pick(FIRST_NAMES).to_string(),
            birth_date: iso(date_between(rng, ymd(2008, 1, 1), 15 * 365)),
            gender: if rng.chance(0.5) { "F" } else { "M" }.into(),
            address: sub_address,
        })
    } else if rng.chance(0.1) {
        Some(Patient {
            relationship: Relationship::Spouse,
            last_name: last,
            first_name: rng.pick(FIRST_NAMES).to_string(),
            birth_date: iso(date_between(rng, ymd(1955, 1, 1), 40 * 365)),
            gender: if rng.chance(0.5) { "F" } else { "M" }.into(),
            address: sub_address,
        })
    } else {
        None
    };
    Claim {
        id,
        subscriber,
        patient,
        payer: Payer {
            name: pname.into(),
            id: pid.into(),
            filing_indicator: filing.into(),
        },
        place_of_service: None,
        frequency: None,
        type_of_bill: None,
        statement_dates: None,
        patient_status: None,
        attending: None,
        prior_authorization: None,
        diagnoses: Vec::new(),
        lines: Vec::new(),
        total: None,
    }
}

/// Fills the kind-specific claim fields once the lines are known.
fn finish_claim(rng: &mut Rng, world: &World, kind: Kind, claim: &mut Claim, pos: &str) {
    match kind {
        Kind::Professional => {
            claim.place_of_service = Some(pos.into());
            for l in &mut claim.lines {
                l.revenue_code = None;
            }
        }
        Kind::Institutional => {
            claim.type_of_bill = Some("0131".into());
            claim.attending = Some(rng.pick(&world.attending).clone());
            for l in &mut claim.lines {
                l.diagnosis_pointers.clear();
            }
            statement_period(claim);
        }
    }
}

/// 837I: the statement period covers every line date.
fn statement_period(claim: &mut Claim) {
    let from = claim.lines.iter().map(|l| l.date.clone()).min();
    let to = claim
        .lines
        .iter()
        .map(|l| l.date_to.clone().unwrap_or_else(|| l.date.clone()))
        .max();
    if let (Some(from), Some(to)) = (from, to) {
        claim.statement_dates = Some(Period { from, to });
    }
}

fn j2326_claim(rng: &mut Rng, world: &World, kind: Kind, id: String) -> Claim {
    let mut claim = person_claim(rng, kind, id, 0.55);
    let date = iso(date_between(rng, ymd(2024, 1, 8), 170));
    claim.diagnoses.push(rng.pick(SMA_CODES).to_string());
    if rng.chance(0.4) {
        claim.diagnoses.push(rng.pick(OTHER_DX).to_string());
    }
    claim.prior_authorization = Some(prefixed_digits(rng, "PA", 8));
    let mut admin = line("62321", &[], money(rng.range(90_000, 160_000)), 1, &date);
    admin.revenue_code = Some("0361".into());
    let mut drug = line(
        "J2326",
        &["JZ"],
        money(rng.range(12_000_000, 14_500_000)),
        120,
        &date,
    );
    drug.revenue_code = Some("0636".into());
    drug.ndc = ndc(J2326_NDC, Decimal::from(5), "ML");
    if claim.diagnoses.len() > 1 && rng.chance(0.5) {
        drug.diagnosis_pointers = vec![1, 2];
    }
    let mut lines = if rng.chance(0.7) {
        vec![admin, drug]
    } else {
        vec![drug, admin]
    };
    if rng.chance(0.3) {
        let mut em = line(
            rng.pick::<&str>(&["99213", "99214", "99215"]),
            &["25"],
            money(rng.range(11_000, 26_000)),
            1,
            &date,
        );
        em.revenue_code = Some("0510".into());
        lines.insert(0, em);
    }
    if rng.chance(0.25) {
        let mut sedation = line("99152", &[], money(rng.range(15_000, 30_000)), 1, &date);
        sedation.revenue_code = Some("0370".into());
        lines.push(sedation);
    }
    claim.lines = lines;
    let pos = *rng.pick(&["11", "24"]);
    finish_claim(rng, world, kind, &mut claim, pos);
    claim
}

fn office_claim(rng: &mut Rng, world: &World, kind: Kind, id: String) -> Claim {
    let mut claim = person_claim(rng, kind, id, 0.2);
    let date = iso(date_between(rng, ymd(2024, 1, 8), 170));
    let dx: &[&str] = match kind {
        Kind::Professional => &[
            "I10", "E11.9", "J06.9", "M54.50", "R51.9", "E78.5", "Z00.00",
        ],
        Kind::Institutional => &["R10.9", "R11.0", "K52.9", "R07.9", "S93.401A", "J18.9"],
    };
    let n_dx = rng.range(1, 3) as usize;
    for _ in 0..n_dx {
        let d = rng.pick(dx).to_string();
        if !claim.diagnoses.contains(&d) {
            claim.diagnoses.push(d);
        }
    }
    let ndx = claim.diagnoses.len() as u8;
    let mut lines = Vec::new();
    match kind {
        Kind::Professional => {
            let em = *rng.pick(&["99212", "99213", "99214", "99203", "99204"]);
            lines.push(line(em, &[], money(rng.range(9_000, 24_000)), 1, &date));
            let extras: &[(&str, u64)] = &[
                ("36415", 1_200),
                ("81002", 800),
                ("87880", 2_500),
                ("93000", 4_500),
            ];
            for _ in 0..rng.below(3) {
                let (code, cents) = *rng.pick(extras);
                lines.push(line(code, &[], money(cents), 1, &date));
            }
            if rng.chance(0.3) {
                lines.push(line("96372", &[], money(4_500), 1, &date));
                let mut drug = line("J1885", &[], money(1_800), 2, &date);
                drug.ndc = ndc("00409379501", Decimal::from(2), "ML");
                lines.push(drug);
            }
            for l in &mut lines {
                l.diagnosis_pointers = vec![rng.range(1, u64::from(ndx)) as u8];
            }
        }
        Kind::Institutional => {
            let em = *rng.pick(&["99283", "99284", "99285"]);
            let mut visit = line(em, &[], money(rng.range(40_000, 150_000)), 1, &date);
            visit.revenue_code = Some("0450".into());
            lines.push(visit);
            let extras: &[(&str, &str, u64)] = &[
                ("0300", "80053", 12_000),
                ("0301", "85025", 4_500),
                ("0320", "71046", 31_000),
                ("0350", "70450", 95_000),
                ("0730", "93005", 9_000),
            ];
            for _ in 0..rng.range(1, 4) {
                let (rev, code, cents) = *rng.pick(extras);
                let mut l = line(code, &[], money(cents), 1, &date);
                l.revenue_code = Some(rev.into());
                lines.push(l);
            }
            if rng.chance(0.3) {
                let mut drug = line("J2405", &[], money(2_200), 4, &date);
                drug.revenue_code = Some("0636".into());
                drug.ndc = ndc("00409475503", Decimal::from(2), "ML");
                lines.push(drug);
            }
        }
    }
    claim.lines = lines;
    finish_claim(rng, world, kind, &mut claim, "11");
    claim
}

fn make_claim(rng: &mut Rng, world: &World, kind: Kind, id: String) -> Made {
    if rng.chance(0.5) {
        Made {
            claim: j2326_claim(rng, world, kind, id),
            j2326: true,
        }
    } else {
        Made {
            claim: office_claim(rng, world, kind, id),
            j2326: false,
        }
    }
}

fn drug_index(claim: &Claim) -> usize {
    claim
        .lines
        .iter()
        .position(|l| l.procedure == "J2326")
        .unwrap_or(0)
}

fn admin_index(claim: &Claim) -> Option<usize> {
    claim.lines.iter().position(|l| l.procedure == "62321")
}

fn shift(date: &str, days: i64) -> String {
    match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        Ok(d) => iso(d + chrono::Duration::days(days)),
        Err(_) => date.to_string(),
    }
}

/// The claims of group variant `v` made from the valid J2326 claim `base` at index `i`
/// (the others take the indexes after it).
fn group_claims(
    rng: &mut Rng,
    world: &World,
    kind: Kind,
    base: Claim,
    v: &Variant,
    i: u64,
) -> Vec<Claim> {
    let again = |claim: &Claim, k: u64, days: i64| {
        let mut c = claim.clone();
        c.id = claim_id(i + k);
        for l in &mut c.lines {
            l.date = shift(&l.date, days);
            l.date_to = l.date_to.as_deref().map(|d| shift(d, days));
        }
        if kind == Kind::Institutional {
            statement_period(&mut c);
        }
        c
    };
    match v.name {
        // A second dose of the patient a week after the first.
        "dose-interval-7-days" => {
            let second = again(&base, 1, 7);
            vec![base, second]
        }
        // Seven doses 30 days apart, the last on the claim's own date.
        "dose-frequency-7-in-year" => (0..7)
            .map(|k| again(&base, k, 30 * (k as i64 - 6)))
            .collect(),
        // The same claim again under the next CLM01.
        "duplicate-claim-resent" => {
            let second = again(&base, 1, 0);
            vec![base, second]
        }
        // Another patient's claim (its member id from the next index) under this CLM01.
        "duplicate-clm01" => {
            let mut other = j2326_claim(rng, world, kind, claim_id(i + 1));
            other.id = base.id.clone();
            vec![base, other]
        }
        _ => vec![base],
    }
}

/// Changes the description for `variant`; returns a segment edit when one is needed.
/// Injects `variant` into `claim`; an edit for the written segments where the variant is
/// about how they are written.
fn inject(rng: &mut Rng, kind: Kind, claim: &mut Claim, variant: &str) -> Option<SegmentEdit> {
    let segment_edit = drug_variant(rng, claim, variant)
        .or_else(|| admin_variant(rng, claim, variant))
        .or_else(|| claim_variant(rng, claim, variant))
        .or_else(|| round2_variant(rng, kind, claim, variant))
        .flatten();
    if kind == Kind::Institutional {
        statement_period(claim);
    }
    segment_edit
}

/// The variants of the J2326 line: units, NDC and waste modifiers. Returns `None` when `variant` is not one of them.
fn drug_variant(rng: &mut Rng, claim: &mut Claim, variant: &str) -> Option<Option<SegmentEdit>> {
    let di = drug_index(claim);
    let ai = admin_index(claim);
    let set_units = |claim: &mut Claim, units: u32| {
        claim.lines[di].units = Decimal::from(units);
    };
    let mut segment_edit: Option<SegmentEdit> = None;
    match variant {
        "units-1" => set_units(claim, 1),
        "units-5" => set_units(claim, 5),
        "units-12" => set_units(claim, 12),
        "units-1200" => set_units(claim, 1200),
        "lin-qualifier-n1" => segment_edit = Some(lin_edit("N1", J2326_NDC)),
        "lin-qualifier-n2" => segment_edit = Some(lin_edit("N2", "64406-058-01")),
        "lin-qualifier-n3" => segment_edit = Some(lin_edit("N3", "64406-0058-1")),
        "ndc-hyphenated-5-3-2" => set_ndc(claim, di, "64406-058-01"),
        "ndc-hyphenated-5-4-2" => set_ndc(claim, di, "64406-0058-01"),
        "ndc-bare-10-digits" => set_ndc(claim, di, "6440605801"),
        "ndc-unlisted-package" => set_ndc(claim, di, "64406005812"),
        "ndc-other-product" => set_ndc(claim, di, "50242017607"),
        // Off Medicaid: there the NDC is held, never inserted (`ndc-missing-medicaid`).
        "ndc-loop-missing" => {
            off_medicaid(claim);
            claim.lines[di].ndc = None;
        }
        "ndc-lin-without-ctp" => {
            off_medicaid(claim);
            segment_edit = Some(Box::new(drop_drug_ctp));
        }
        "ndc-unit-un" => {
            if let Some(n) = &mut claim.lines[di].ndc {
                n.unit = "UN".into();
                n.quantity = Decimal::ONE;
            }
        }
        "ndc-unit-other" => {
            let unit = *rng.pick(&["F2", "GR", "ME"]);
            if let Some(n) = &mut claim.lines[di].ndc {
                n.unit = unit.into();
            }
        }
        "ndc-quantity-wrong" => {
            let q = *rng.pick(&[1i64, 10, 12, 120, 25]);
            if let Some(n) = &mut claim.lines[di].ndc {
                n.quantity = Decimal::from(q);
            }
        }
        "waste-jz-missing" => claim.lines[di].modifiers.clear(),
        "waste-jw-instead-of-jz" => claim.lines[di].modifiers = vec!["JW".into()],
        "waste-jz-and-jw-one-line" => {
            claim.lines[di].modifiers = vec!["JZ".into(), "JW".into()];
        }
        "waste-jw-line-beside-jz" => {
            let mut jw = claim.lines[di].clone();
            jw.modifiers = vec!["JW".into()];
            jw.units = Decimal::from(24);
            jw.charge = (claim.lines[di].charge / Decimal::from(5)).round_dp(2);
            jw.ndc = ndc(J2326_NDC, Decimal::ONE, "ML");
            claim.lines.insert(di + 1, jw);
        }
        "waste-jz-on-admin-line" => {
            if let Some(ai) = ai {
                claim.lines[ai].modifiers = vec!["JZ".into()];
            }
        }
        _ => return None,
    }
    Some(segment_edit)
}

/// The variants of the administration: its code, date, presence, imaging beside it. Returns `None` when `variant` is not one of them.
fn admin_variant(rng: &mut Rng, claim: &mut Claim, variant: &str) -> Option<Option<SegmentEdit>> {
    let di = drug_index(claim);
    let ai = admin_index(claim);
    let date = claim.lines[di].date.clone();
    match variant {
        "admin-code-iv" => set_admin(
            claim,
            ai,
            rng.pick::<&str>(&["96365", "96366", "96374", "96375"]),
        ),
        "admin-code-im-sc" => set_admin(claim, ai, rng.pick::<&str>(&["96372", "96401"])),
        "admin-code-chemo" => set_admin(claim, ai, rng.pick::<&str>(&["96409", "96413", "96415"])),
        "admin-code-puncture" => set_admin(claim, ai, rng.pick::<&str>(PUNCTURES)),
        "admin-code-variant" => {
            set_admin(
                claim,
                ai,
                rng.pick::<&str>(&["62320", "62322", "62323", "96450"]),
            );
        }
        "admin-missing" => {
            if let Some(ai) = ai {
                claim.lines.remove(ai);
            }
        }
        "admin-other-date" => {
            if let Some(ai) = ai {
                let days = *rng.pick(&[-14i64, -7, -1, 1]);
                claim.lines[ai].date = shift(&date, days);
            }
        }
        "admin-rd8-range-misses" => {
            claim.lines[di].date = shift(&date, 1);
            claim.lines[di].date_to = Some(shift(&date, 3));
        }
        "imaging-77003" | "imaging-77012" => {
            let code = &variant[8..];
            let mut img = line(code, &[], money(rng.range(20_000, 45_000)), 1, &date);
            img.revenue_code = Some("0320".into());
            let at = ai.map_or(claim.lines.len(), |a| a + 1);
            claim.lines.insert(at, img);
        }
        _ => return None,
    }
    Some(None)
}

/// The variants of the claim: diagnoses, place of service, authorization, other lines, totals and numbering. Returns `None` when `variant` is not one of them.
fn claim_variant(rng: &mut Rng, claim: &mut Claim, variant: &str) -> Option<Option<SegmentEdit>> {
    let di = drug_index(claim);
    let ai = admin_index(claim);
    let date = claim.lines[di].date.clone();
    let mut segment_edit: Option<SegmentEdit> = None;
    match variant {
        "diagnosis-point" => segment_edit = Some(Box::new(|s| principal_dx(s, true))),
        "diagnosis-lower-case" => segment_edit = Some(Box::new(|s| principal_dx(s, false))),
        "diagnosis-g12-9-only" => claim.diagnoses[0] = "G12.9".into(),
        "diagnosis-g12-25" => claim.diagnoses[0] = "G12.25".into(),
        "diagnosis-no-sma" => {
            claim.diagnoses[0] = rng
                .pick(&["M62.81", "R26.89", "G71.00", "G70.00"])
                .to_string()
        }
        "diagnosis-pointer-not-sma" => {
            if claim.diagnoses.len() < 2 {
                claim.diagnoses.push(rng.pick(OTHER_DX).to_string());
            }
            claim.lines[di].diagnosis_pointers = vec![2];
        }
        "place-of-service-home" => claim.place_of_service = Some("12".into()),
        "place-of-service-telehealth" => {
            claim.place_of_service = Some(rng.pick(&["02", "10"]).to_string());
        }
        "place-of-service-line-home" => claim.lines[di].place_of_service = Some("12".into()),
        "prior-auth-missing" => claim.prior_authorization = None,
        "concurrent-j3399" => {
            let mut z = line("J3399", &[], money(212_500_000), 1, &date);
            z.revenue_code = Some("0636".into());
            claim.lines.push(z);
        }
        "revenue-code-not-0636" => {
            claim.lines[di].revenue_code = Some(rng.pick(&["0250", "0637", "0260"]).to_string());
        }
        "em-without-25" => {
            let admin_date = ai.map_or(date.clone(), |a| claim.lines[a].date.clone());
            claim
                .lines
                .retain(|l| !l.modifiers.iter().any(|m| m == "25"));
            let mut em = line(
                rng.pick::<&str>(&["99213", "99214"]),
                &[],
                money(rng.range(11_000, 26_000)),
                1,
                &admin_date,
            );
            em.revenue_code = Some("0510".into());
            claim.lines.insert(0, em);
        }
        "claim-total-mismatch" => {
            let delta = money(rng.range(1, 50_000));
            segment_edit = Some(Box::new(move |s| clm_total_off(s, delta)));
        }
        "lx-out-of-order" => segment_edit = Some(Box::new(|s| swap_lx(s))),
        _ => return None,
    }
    Some(segment_edit)
}

/// Synth's config, `samples/synth/x837.toml`: the scrub needs it for the variants whose
/// `config` is set (the payer ids below mapped to profiles, the placeholder 50 mg NDC).
pub const CONFIG: &str = include_str!("../../samples/synth/x837.toml");

/// The payer ids `samples/synth/x837.toml` maps to profiles: (name, id, filing indicator).
pub const NORIDIAN_PAYER: (&str, &str, &str) = ("NORIDIAN JF PART B", "SYNNORIDIAN", "MB");
pub const BCBSND_PAYER: (&str, &str, &str) = ("BCBS NORTH DAKOTA", "SYNBCBSND", "BL");
pub const MUE_PAYER: (&str, &str, &str) = ("MUE TEST PAYER", "SYNMUE100", "CI");
/// The placeholder 50 mg/5 mL NDC `samples/synth/x837.toml` adds (the catalog lists none).
pub const HIGH_DOSE_NDC: &str = "64406099950";
/// The first date of service of the high-dose regimen.
const HIGH_DOSE_FROM: (i32, u32, u32) = (2026, 3, 30);
const MEDICAID: (&str, &str, &str) = ("STATE MEDICAID", "77027", "MC");
const COMMERCIAL: (&str, &str, &str) = ("AETNA", "60054", "CI");

fn set_payer(claim: &mut Claim, (name, id, filing): (&str, &str, &str)) {
    claim.payer = Payer {
        name: name.into(),
        id: id.into(),
        filing_indicator: filing.into(),
    };
}

/// A Medicaid claim moved to a commercial payer (a fix the variant expects is applied).
fn off_medicaid(claim: &mut Claim) {
    if claim.payer.filing_indicator == "MC" {
        set_payer(claim, COMMERCIAL);
    }
}

/// Every line of the claim on `date`.
fn all_on(claim: &mut Claim, date: &str) {
    for l in &mut claim.lines {
        l.date = date.into();
        l.date_to = None;
    }
}

/// The single-claim variants of round 2 (`domain/j2326.md`, "Round 2"). Returns `None`
/// when `variant` is not one of them.
fn round2_variant(
    rng: &mut Rng,
    kind: Kind,
    claim: &mut Claim,
    variant: &str,
) -> Option<Option<SegmentEdit>> {
    let di = drug_index(claim);
    let ai = admin_index(claim);
    let institutional = kind == Kind::Institutional;
    let mut segment_edit: Option<SegmentEdit> = None;
    match variant {
        "frequency-replacement-without-f8" if institutional => {
            claim.type_of_bill = Some("0137".into());
        }
        "frequency-replacement-without-f8" => claim.frequency = Some("7".into()),
        "frequency-original-with-f8" => {
            let number = prefixed_digits(rng, "PCN", 10);
            segment_edit = Some(Box::new(move |s| add_f8(s, &number)));
        }
        "diagnosis-primary-g12-8" => {
            set_payer(claim, NORIDIAN_PAYER);
            set_admin(claim, ai, "96450");
            claim.diagnoses = vec!["G12.8".into()];
            if !institutional {
                claim.lines[di].diagnosis_pointers = vec![1];
            }
        }
        "mue-units-over" => set_payer(claim, MUE_PAYER),
        "facility-pos-22" => claim.place_of_service = Some("22".into()),
        "ndc-missing-medicaid" => {
            set_payer(claim, MEDICAID);
            claim.lines[di].ndc = None;
        }
        // The CTP follows the units (5 mL x 500 / 120): the disagreement is the units'
        // with the NDC's strength alone (`drug-units`), not the quantity's with the units.
        "units-500-with-12mg-ndc" => {
            claim.lines[di].units = Decimal::from(500);
            if let Some(n) = &mut claim.lines[di].ndc {
                n.quantity = Decimal::new(20_833, 3);
            }
        }
        "ndc-bulk-64406-310" => set_ndc(claim, di, "64406031001"),
        "waste-jz-missing-rhc" => {
            claim.type_of_bill = Some("0711".into());
            claim.lines[di].modifiers.clear();
        }
        "diagnosis-g12-25-covered" => {
            set_payer(claim, BCBSND_PAYER);
            set_admin(claim, ai, "62323");
            claim.diagnoses[0] = "G12.25".into();
        }
        "high-dose-500" => {
            let (y, m, d) = HIGH_DOSE_FROM;
            let date = iso(date_between(rng, ymd(y, m, d), 60));
            all_on(claim, &date);
            claim.lines[di].units = Decimal::from(500);
            set_ndc(claim, di, HIGH_DOSE_NDC);
        }
        _ => return None,
    }
    Some(segment_edit)
}

/// Adds `REF*F8*number` to the 2300 loop, after its REF*G1 (the guides' order), else
/// before the first LX.
fn add_f8(segs: &mut Vec<OwnedSegment>, number: &str) {
    let lx = segs
        .iter()
        .position(|s| s.id == b"LX")
        .unwrap_or(segs.len());
    let g1 = segs[..lx].iter().position(|s| {
        s.id == b"REF"
            && s.elements.first().is_some_and(|e| {
                e.repetitions
                    .first()
                    .and_then(|r| r.first())
                    .is_some_and(|c| c == b"G1")
            })
    });
    let at = g1.map_or(lx, |g| g + 1);
    segs.insert(at, OwnedSegment::new("REF", ["F8", number]));
}

fn set_ndc(claim: &mut Claim, di: usize, code: &str) {
    if let Some(n) = &mut claim.lines[di].ndc {
        n.code = code.into();
    }
}

fn set_admin(claim: &mut Claim, ai: Option<usize>, code: &str) {
    if let Some(ai) = ai {
        claim.lines[ai].procedure = code.into();
    }
}

fn is_j2326_service(s: &OwnedSegment) -> bool {
    let comp = match s.id.as_slice() {
        b"SV1" => s.elements.first(),
        b"SV2" => s.elements.get(1),
        _ => None,
    };
    comp.and_then(|e| e.repetitions.first())
        .and_then(|r| r.get(1))
        .is_some_and(|c| c == b"J2326")
}

/// Index of the J2326 line's first segment of `id` after its SV1/SV2, before the next LX.
fn in_drug_line(segs: &[OwnedSegment], id: &[u8]) -> Option<usize> {
    let sv = segs.iter().position(is_j2326_service)?;
    segs[sv + 1..]
        .iter()
        .take_while(|s| s.id != b"LX")
        .position(|s| s.id == id)
        .map(|i| sv + 1 + i)
}

fn lin_edit(qualifier: &'static str, code: &'static str) -> SegmentEdit {
    Box::new(move |segs| {
        if let Some(i) = in_drug_line(segs, b"LIN") {
            segs[i].set(2, 0, qualifier.as_bytes());
            segs[i].set(3, 0, code.as_bytes());
        }
    })
}

fn drop_drug_ctp(segs: &mut Vec<OwnedSegment>) {
    if let Some(i) = in_drug_line(segs, b"CTP") {
        segs.remove(i);
    }
}

/// Writes the first HI code with its point (`G12.1`) or in lower case.
fn principal_dx(segs: &mut [OwnedSegment], point: bool) {
    let Some(hi) = segs.iter_mut().find(|s| s.id == b"HI") else {
        return;
    };
    let Some(code) = hi
        .elements
        .first_mut()
        .and_then(|e| e.repetitions.first_mut())
        .and_then(|r| r.get_mut(1))
    else {
        return;
    };
    if point {
        if code.len() > 3 {
            code.insert(3, b'.');
        }
    } else {
        code.make_ascii_lowercase();
    }
}

/// Swaps LX01 of the first two lines (2, 1, 3, ...).
fn swap_lx(segs: &mut [OwnedSegment]) {
    let lx: Vec<usize> = segs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.id == b"LX")
        .map(|(i, _)| i)
        .take(2)
        .collect();
    if let [a, b] = lx[..] {
        segs[a].set(1, 0, b"2");
        segs[b].set(1, 0, b"1");
    }
}

/// What `--inject` and the layout options add to `Options`.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// The variants to draw from; the default is synth's J2326 catalogue.
    pub inject: Selection,
    pub layout: Layout,
}

/// Writes a batch to `out` and, when given, its truth file to `truth`.
pub fn run<W: Write, T: Write>(options: &Options, out: W, truth: Option<T>) -> io::Result<Summary> {
    run_with(options, &Extra::default(), out, truth)
}

/// `run` with the variants and layout of `extra`.
pub fn run_with<W: Write, T: Write>(
    options: &Options,
    extra: &Extra,
    out: W,
    truth: Option<T>,
) -> io::Result<Summary> {
    let extended = !extra.inject.is_default();
    let mut truth = truth.map(|t| Truth::new(t, extended)).transpose()?;
    let (summary, cut) = if extra.layout.is_standard() && !extra.inject.has(Scope::Batch) {
        let (_, summary, _) = batch(options, extra, out, truth.as_mut())?;
        (summary, None)
    } else {
        let laid = LayoutWriter::new(out, extra.layout);
        let (laid, mut summary, cut) = batch(options, extra, laid, truth.as_mut())?;
        let (_, bytes, segments) = laid.finish(cut.is_some())?;
        summary.bytes = bytes;
        let cut = cut.map(|claim| Cut {
            byte: bytes,
            segment: segments.saturating_sub(1),
            claim,
        });
        (summary, cut)
    };
    if let Some(t) = truth {
        t.finish(cut.as_ref())?;
    }
    Ok(summary)
}

/// The units whose trailer is left out: nothing inside them is broken otherwise (a scrub
/// leaves such a unit out of its output, so its claims are never checked there).
#[derive(Debug, Default)]
struct Open {
    /// The interchange's IEA is missing, or the batch is cut.
    interchange: bool,
    /// The interchange's IEA is written wrong.
    interchange_broken: bool,
    group: bool,
    group_broken: bool,
    transaction: bool,
}

impl Open {
    fn clean(&self) -> bool {
        self.interchange || self.group || self.transaction
    }
}

/// How a trailer variant writes its trailer.
fn trailer(name: &str) -> TrailerBreak {
    match name {
        "se01-wrong" | "ge01-wrong" | "iea01-wrong" => TrailerBreak::Count,
        "se-missing" | "ge-missing" | "iea-missing" => TrailerBreak::Missing,
        _ => TrailerBreak::Control,
    }
}

/// Draws one of `candidates` with chance `rate`; trailers that leave their unit open
/// are left out when `closed_only`.
fn draw(
    rng: &mut Rng,
    rate: f64,
    candidates: Vec<&'static Variant>,
    closed_only: bool,
) -> Option<&'static Variant> {
    let candidates: Vec<&'static Variant> = candidates
        .into_iter()
        .filter(|v| !closed_only || trailer(v.name) != TrailerBreak::Missing)
        .collect();
    if candidates.is_empty() || rate <= 0.0 || !rng.chance(rate) {
        return None;
    }
    Some(*rng.pick(&candidates))
}

/// Synth's envelope: sender, receiver and date fixed, so output depends on the seed only.
fn synth_envelope(created: &str) -> Envelope {
    Envelope {
        submitter: Submitter {
            id: "X837SYNTH".into(),
            name: "X837 SYNTHETIC SUBMITTER".into(),
            contact_name: "BILLING OFFICE".into(),
            phone: "5555550100".into(),
        },
        receiver: Receiver {
            id: "X837RECEIVER".into(),
            name: "X837 TEST CLEARINGHOUSE".into(),
        },
        date: created.into(),
        time: "12:00".into(),
        usage: "T".into(),
        reference: None,
    }
}

/// One batch's state: the generator, the writer and what it has injected.
struct Batch<'a, O: Write, T: Write> {
    options: &'a Options,
    inject: &'a Selection,
    rate: f64,
    rng: Rng,
    w: InterchangeWriter<O>,
    truth: Option<&'a mut Truth<T>>,
    summary: Summary,
    open: Open,
}

/// Writes the claims; returns the output (a cut batch's without trailers), the summary
/// and, for a cut batch, the last claim written.
fn batch<O: Write, T: Write>(
    options: &Options,
    extra: &Extra,
    out: O,
    truth: Option<&mut Truth<T>>,
) -> io::Result<(O, Summary, Option<String>)> {
    let mut rng = Rng::new(options.seed);
    let world = World::new(&mut rng);
    let created = if extra
        .inject
        .of(Scope::J2326, true)
        .iter()
        .any(|v| v.name == "high-dose-500")
    {
        CREATED_HIGH_DOSE
    } else {
        CREATED
    };
    let w = InterchangeWriter::new(out, synth_envelope(created), options.control)?;
    let mut b = Batch {
        options,
        inject: &extra.inject,
        rate: options.error_rate.clamp(0.0, 1.0),
        rng,
        w,
        truth,
        summary: Summary::default(),
        open: Open::default(),
    };
    let cut_after = b.batch_variants();
    let mut run_left = 0u64;
    let mut kind = match options.kind {
        SynthKind::Institutional => Kind::Institutional,
        _ => Kind::Professional,
    };
    let mut i = 0u64;
    while i < options.claims {
        if options.kind == SynthKind::Mixed {
            if run_left == 0 {
                kind = if b.rng.chance(0.5) {
                    Kind::Professional
                } else {
                    Kind::Institutional
                };
                run_left = b.rng.range(1, 60);
            }
            run_left -= 1;
        }
        let n = b.one_claim(&world, kind, i, options.claims - i)?;
        run_left = run_left.saturating_sub(n - 1);
        i += n;
        if cut_after.is_some_and(|c| c < i) {
            b.cut()?;
            let (out, written) = b.w.abandon()?;
            b.summary.bytes = written;
            return Ok((out, b.summary, Some(claim_id(i - 1))));
        }
    }
    b.w.close()?;
    b.placed(None, 0)?;
    let (out, written) = b.w.finish()?;
    b.summary.bytes = written;
    Ok((out, b.summary, None))
}

impl<O: Write, T: Write> Batch<'_, O, T> {
    /// Draws the batch's cut (the claim after which it stops) and the interchange's
    /// trailer variant.
    fn batch_variants(&mut self) -> Option<u64> {
        let cut = self.inject.of(Scope::Batch, true);
        let cut_after = match draw(&mut self.rng, self.rate, cut, false) {
            Some(v) if self.options.claims > 0 => {
                *self.summary.injected.entry(v.name).or_default() += 1;
                self.open.interchange = true;
                Some(self.rng.below(self.options.claims))
            }
            _ => None,
        };
        if cut_after.is_none() {
            let candidates = self.inject.of(Scope::Interchange, true);
            if let Some(v) = draw(&mut self.rng, self.rate, candidates, false) {
                let t = trailer(v.name);
                self.w.break_interchange(t, v.name);
                self.open.interchange = t == TrailerBreak::Missing;
                self.open.interchange_broken = true;
                *self.summary.injected.entry(v.name).or_default() += 1;
            }
        }
        cut_after
    }

    /// Opens the transaction (and group) a claim of `kind` goes in when it needs one,
    /// drawing their trailer variants.
    fn open_for(&mut self, kind: Kind) -> io::Result<()> {
        let full = self.w.claims_in_transaction() >= CLAIMS_PER_TRANSACTION
            && self.w.open_kind() == Some(kind);
        let (opens, opens_group) = self.w.opens(kind);
        if !(full || opens) {
            return Ok(());
        }
        self.w.open_transaction(kind)?;
        // The trailers just written (the previous transaction's, group's) go to the truth.
        self.placed(None, 0)?;
        let professional = kind == Kind::Professional;
        if opens_group {
            self.open.group = false;
            self.open.group_broken = false;
            if !self.open.interchange {
                let candidates = self.inject.of(Scope::Group, professional);
                let closed_only = self.open.interchange_broken;
                if let Some(v) = draw(&mut self.rng, self.rate, candidates, closed_only) {
                    let t = trailer(v.name);
                    self.w.break_group(t, v.name);
                    self.open.group = t == TrailerBreak::Missing;
                    self.open.group_broken = true;
                    *self.summary.injected.entry(v.name).or_default() += 1;
                }
            }
        }
        self.open.transaction = false;
        if !self.open.interchange && !self.open.group {
            let candidates = self.inject.of(Scope::Transaction, professional);
            let closed_only = self.open.interchange_broken || self.open.group_broken;
            if let Some(v) = draw(&mut self.rng, self.rate, candidates, closed_only) {
                let t = trailer(v.name);
                self.w.break_transaction(t, v.name);
                self.open.transaction = t == TrailerBreak::Missing;
                *self.summary.injected.entry(v.name).or_default() += 1;
            }
        }
        Ok(())
    }

    /// Makes, breaks (maybe) and writes the claim at index `i` (and, for a group variant,
    /// the claims after it: at most `room` in all), and their truth; returns how many.
    fn one_claim(&mut self, world: &World, kind: Kind, i: u64, room: u64) -> io::Result<u64> {
        let Made { mut claim, j2326 } = make_claim(&mut self.rng, world, kind, claim_id(i));
        let providers = match kind {
            Kind::Professional => &world.professional,
            Kind::Institutional => &world.institutional,
        };
        let bp = self.rng.pick(providers);
        let professional = kind == Kind::Professional;
        let mut candidates = if j2326 {
            self.summary.j2326_claims += 1;
            self.inject.of(Scope::J2326, professional)
        } else {
            let mut c = self.inject.of(Scope::Claim, professional);
            c.extend(self.inject.of(Scope::Hierarchy, professional));
            c
        };
        self.open_for(kind)?;
        // A group goes in one transaction.
        let fits = room.min(CLAIMS_PER_TRANSACTION.saturating_sub(self.w.claims_in_transaction()));
        candidates.retain(|v| v.claims == 1 || v.claims <= fits);
        let mut rules: Vec<RuleId> = Vec::new();
        let mut edit: Option<SegmentEdit> = None;
        let mut hierarchy = None;
        let variant = if self.open.clean() {
            None
        } else {
            draw(&mut self.rng, self.rate, candidates, false)
        };
        if let Some(v) = variant {
            *self.summary.injected.entry(v.name).or_default() += 1;
            if v.claims > 1 {
                return self.group(world, kind, bp, claim, v, i);
            }
            if v.scope == Scope::J2326 {
                edit = inject(&mut self.rng, kind, &mut claim, v.name);
            } else {
                edit = breaks::claim_edit(v.name, kind, &mut self.rng);
            }
            if v.scope == Scope::Hierarchy {
                hierarchy = Some(v);
            } else {
                rules.extend_from_slice(v.rules);
                if !self.inject.is_default() {
                    rules.extend_from_slice(v.also);
                }
            }
        }
        let first = match edit {
            Some(e) => self.w.claim_edited(kind, bp, &claim, e)?,
            None => self.w.claim(kind, bp, &claim)?,
        };
        if let Some(t) = &mut self.truth {
            t.claim(&claim.id, &rules)?;
        }
        if let Some(v) = hierarchy {
            self.placed(Some((v, &claim.id)), first)?;
        }
        self.summary.claims += 1;
        Ok(1)
    }

    /// Writes the `v.claims` claims of group variant `v`, from the valid J2326 claim
    /// `base` at index `i`: the claims before the last are valid alone (truth `[]`), the
    /// last carries `v.rules`.
    fn group(
        &mut self,
        world: &World,
        kind: Kind,
        bp: &BillingProvider,
        base: Claim,
        v: &'static Variant,
        i: u64,
    ) -> io::Result<u64> {
        let claims = group_claims(&mut self.rng, world, kind, base, v, i);
        let n = claims.len() as u64;
        let mut written: Vec<String> = Vec::new();
        for (k, claim) in claims.iter().enumerate() {
            self.w.claim(kind, bp, claim)?;
            let last = k + 1 == claims.len();
            if let Some(t) = &mut self.truth {
                // One CLM01 twice: the truth names it once.
                if !written.contains(&claim.id) {
                    let rules = if last || claims[k + 1..].iter().any(|c| c.id == claim.id) {
                        v.rules
                    } else {
                        &[]
                    };
                    t.claim(&claim.id, rules)?;
                }
            }
            written.push(claim.id.clone());
        }
        self.summary.claims += n;
        self.summary.j2326_claims += n - 1;
        Ok(n)
    }

    /// Hands the broken trailers to the truth, and the HL variant of claim `hl` (whose
    /// HL is segment `segment`).
    fn placed(&mut self, hl: Option<(&'static Variant, &str)>, segment: u64) -> io::Result<()> {
        let broken = self.w.take_broken();
        let Some(t) = &mut self.truth else {
            return Ok(());
        };
        for b in &broken {
            let rules = variants::find(b.variant).map_or(&[][..], |v| v.rules);
            t.placed(&placed_of(b, rules));
        }
        if let Some((v, claim)) = hl {
            let (interchange, group, transaction) = self.w.open_controls();
            t.placed(&Placed {
                variant: v.name,
                interchange: &interchange,
                group: group.as_deref(),
                transaction: transaction.as_deref(),
                claim: Some(claim),
                segment,
                rules: v.rules,
            });
        }
        Ok(())
    }

    /// The truth of a batch cut after the claim `id`: its transaction, group and
    /// interchange never close.
    fn cut(&mut self) -> io::Result<()> {
        self.placed(None, 0)?;
        let (interchange, group, transaction) = self.w.open_controls();
        // The reader reports the end of the input at its last segment.
        let at = self.w.segments().saturating_sub(1);
        let Some(t) = &mut self.truth else {
            return Ok(());
        };
        let rules = &[RuleId::EnvelopeStructure][..];
        for (g, tx) in [
            (group.as_deref(), transaction.as_deref()),
            (group.as_deref(), None),
            (None, None),
        ] {
            t.placed(&Placed {
                variant: "truncated",
                interchange: &interchange,
                group: g,
                transaction: tx,
                claim: None,
                segment: at,
                rules,
            });
        }
        Ok(())
    }
}

fn placed_of<'a>(b: &'a Broken, rules: &'a [RuleId]) -> Placed<'a> {
    Placed {
        variant: b.variant,
        interchange: &b.interchange,
        group: b.group.as_deref(),
        transaction: b.transaction.as_deref(),
        claim: None,
        segment: b.segment,
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(kind: SynthKind, claims: u64, seed: u64, rate: f64) -> (Vec<u8>, Vec<u8>, Summary) {
        let options = Options {
            claims,
            seed,
            kind,
            error_rate: rate,
            control: Control::default(),
        };
        let mut out = Vec::new();
        let mut truth = Vec::new();
        let summary = run(&options, &mut out, Some(&mut truth)).unwrap();
        (out, truth, summary)
    }

    #[test]
    fn every_variant_occurs_in_ten_thousand_claims_at_half_rate() {
        let options = Options {
            claims: 10_000,
            seed: 2024,
            kind: SynthKind::Mixed,
            error_rate: 0.5,
            control: Control::default(),
        };
        let summary = run(&options, io::sink(), None::<io::Sink>).unwrap();
        for (name, _) in variants().filter(|(n, _)| variants::find(n).is_some_and(|v| v.default)) {
            let n = summary.injected.get(name).copied().unwrap_or(0);
            assert!(n > 0, "variant {name} never injected");
        }
        let injected: u64 = summary.injected.values().sum();
        let share = injected as f64 / summary.j2326_claims as f64;
        assert!((0.45..0.55).contains(&share), "share {share}");
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = batch(SynthKind::Mixed, 300, 9, 0.3);
        let b = batch(SynthKind::Mixed, 300, 9, 0.3);
        let c = batch(SynthKind::Mixed, 300, 10, 0.3);
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
        assert_ne!(a.0, c.0);
    }

    #[test]
    fn truth_lists_every_claim_and_the_injected_rules() {
        let (out, truth, summary) = batch(SynthKind::Professional, 500, 3, 1.0);
        let t: serde_json::Value = serde_json::from_slice(&truth).unwrap();
        let claims = t["claims"].as_object().unwrap();
        assert_eq!(claims.len(), 500);
        let with_rules = claims
            .values()
            .filter(|v| !v.as_array().unwrap().is_empty())
            .count() as u64;
        assert_eq!(with_rules, summary.injected.values().sum::<u64>());
        assert_eq!(with_rules, summary.j2326_claims);
        let known: Vec<&str> = variants::all()
            .iter()
            .flat_map(|v| v.rules)
            .map(|r| r.as_str())
            .collect();
        for rules in claims.values() {
            for r in rules.as_array().unwrap() {
                assert!(known.contains(&r.as_str().unwrap()));
            }
        }
        // No 837I-only variant in an 837P batch.
        assert!(!summary.injected.contains_key("revenue-code-not-0636"));
        assert!(!out.is_empty());
    }

    #[test]
    fn envelopes_and_counts_are_consistent() {
        for kind in [
            SynthKind::Professional,
            SynthKind::Institutional,
            SynthKind::Mixed,
        ] {
            let (out, _, summary) = batch(kind, 2300, 5, 0.5);
            let counted = crate::info::count(&out, "synth");
            assert!(counted.error.is_none(), "{:?}", counted.error);
            assert!(counted.findings.is_empty(), "{:?}", counted.findings);
            assert_eq!(counted.info.claims, 2300);
            assert_eq!(counted.info.interchanges, 1);
            assert!(counted.info.transactions >= 3);
            assert_eq!(summary.bytes, out.len() as u64);
        }
    }

    fn claim_text<'a>(out: &'a str, id: &str) -> &'a str {
        let start = out.find(&format!("CLM*{id}*")).unwrap();
        let end = out[start..]
            .find("\nHL*")
            .or_else(|| out[start..].find("\nSE*"))
            .unwrap();
        &out[start..start + end]
    }

    #[test]
    fn segment_level_injections_land_in_the_claim() {
        let (out, truth, _) = batch(SynthKind::Mixed, 3000, 77, 1.0);
        let out = String::from_utf8(out).unwrap();
        let t: serde_json::Value = serde_json::from_slice(&truth).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for (id, rules) in t["claims"].as_object().unwrap() {
            let rules: Vec<&str> = rules
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            let text = claim_text(&out, id);
            match rules.as_slice() {
                ["ndc-qualifier"] => {
                    assert!(
                        text.contains("LIN**N1*")
                            || text.contains("LIN**N2*")
                            || text.contains("LIN**N3*"),
                        "{text}"
                    );
                }
                ["ndc-format"] => assert!(!text.contains("LIN**N4*64406005801"), "{text}"),
                ["diagnosis-format"] => {
                    assert!(text.contains("HI*ABK:G12.") || text.contains("HI*ABK:g12"));
                }
                ["line-numbering"] => {
                    assert!(text.contains("LX*2~\n") && text.find("LX*2") < text.find("LX*1"))
                }
                ["claim-balance"] => {
                    let clm02: Decimal = text.split('*').nth(2).unwrap().parse().unwrap();
                    let sum: Decimal = text
                        .lines()
                        .filter(|l| l.starts_with("SV1*") || l.starts_with("SV2*"))
                        .map(|l| {
                            let at = if l.starts_with("SV1") { 2 } else { 3 };
                            l.split('*').nth(at).unwrap().parse::<Decimal>().unwrap()
                        })
                        .sum();
                    assert_ne!(clm02, sum);
                }
                ["ndc-missing"] => {
                    let drug = &text[text.find("J2326").unwrap()..];
                    let drug = drug.split("\nLX*").next().unwrap();
                    assert!(!drug.contains("CTP*"), "{drug}");
                }
                _ => continue,
            }
            seen.insert(rules[0]);
        }
        assert_eq!(seen.len(), 6, "{seen:?}");
    }
}
