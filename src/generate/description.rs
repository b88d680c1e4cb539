//! The claim description: a JSON document (serde) that names everything an 837 needs.
//!
//! `parse` reads it and checks it, so that every problem comes back with its JSON path.
//! See `docs/claim-description.md` for the format.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::guide::ISA_ID_WIDTH;
pub use super::guide::Kind;
use super::guide::{self, Slot};
use crate::echo::cut_message;
use crate::grammar::external;

/// A whole description: one interchange with one transaction holding `claims`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// `837p` or `837i`; the command line may override it.
    #[serde(default)]
    pub kind: Option<Kind>,
    /// Creation date `YYYY-MM-DD` (ISA09, GS04, BHT04).
    pub date: String,
    /// Creation time `HH:MM` (ISA10, GS05, BHT05).
    pub time: String,
    /// ISA15: `T` test (the default) or `P` production.
    #[serde(default)]
    pub usage: Option<String>,
    /// BHT03; the ST02 control number when absent.
    #[serde(default)]
    pub reference: Option<String>,
    pub submitter: Submitter,
    pub receiver: Receiver,
    pub billing_provider: BillingProvider,
    pub claims: Vec<Claim>,
}

/// Loop 1000A and the sender ids of ISA06/GS02.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submitter {
    /// ISA06, GS02 and NM109 of 1000A.
    pub id: String,
    pub name: String,
    pub contact_name: String,
    /// Ten digits.
    pub phone: String,
}

/// Loop 1000B and the receiver ids of ISA08/GS03.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receiver {
    pub id: String,
    pub name: String,
}

/// A street address (N3/N4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub city: String,
    /// Two-letter state code.
    pub state: String,
    /// Five or nine digits (nine for a billing provider).
    pub zip: String,
}

/// Loops 2000A and 2010AA: an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingProvider {
    pub name: String,
    /// Ten digits with a valid check digit.
    pub npi: String,
    /// Employer identification number, nine digits (REF*EI).
    pub tax_id: String,
    /// Health care provider taxonomy code, ten characters (PRV*BI*PXC).
    pub taxonomy: String,
    pub address: Address,
}

/// Loop 2000B/2010BA: the insured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscriber {
    pub member_id: String,
    pub last_name: String,
    pub first_name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `F`, `M` or `U`.
    pub gender: String,
    pub address: Address,
    #[serde(default)]
    pub group_number: Option<String>,
    /// SBR01: `P` (the default), `S`, `T`.
    #[serde(default)]
    pub payer_responsibility: Option<String>,
}

/// How the patient is related to the subscriber (PAT01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relationship {
    Spouse,
    Child,
    Employee,
    Other,
}

impl Relationship {
    /// The X12 individual relationship code.
    pub fn code(self) -> &'static str {
        match self {
            Relationship::Spouse => "01",
            Relationship::Child => "19",
            Relationship::Employee => "20",
            Relationship::Other => "G8",
        }
    }
}

/// Loop 2000C/2010CA: a patient who is not the subscriber.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    pub relationship: Relationship,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: String,
    pub gender: String,
    pub address: Address,
}

/// Loop 2010BB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    pub name: String,
    /// Payer identifier (NM109 with qualifier PI).
    pub id: String,
    /// SBR09 claim filing indicator: `CI`, `BL`, `MB`, `MA`, `MC`, `HM`, ...
    pub filing_indicator: String,
}

/// A person with an NPI (837I attending provider, loop 2310A).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practitioner {
    pub last_name: String,
    pub first_name: String,
    pub npi: String,
}

/// A date range, both ends included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: String,
    pub to: String,
}

/// Loop 2300 and its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// CLM01, the patient control number.
    pub id: String,
    pub subscriber: Subscriber,
    /// Present only when the patient is not the subscriber (loop 2000C).
    #[serde(default)]
    pub patient: Option<Patient>,
    pub payer: Payer,
    /// 837P: place of service code (CLM05-1).
    #[serde(default)]
    pub place_of_service: Option<String>,
    /// 837P: claim frequency code (CLM05-3), `1` when absent.
    #[serde(default)]
    pub frequency: Option<String>,
    /// 837I: type of bill, three digits or four with a leading zero (`0131`).
    #[serde(default)]
    pub type_of_bill: Option<String>,
    /// 837I: statement period (DTP*434).
    #[serde(default)]
    pub statement_dates: Option<Period>,
    /// 837I: patient status code (CL103), `01` when absent.
    #[serde(default)]
    pub patient_status: Option<String>,
    /// 837I: attending provider (loop 2310A).
    #[serde(default)]
    pub attending: Option<Practitioner>,
    /// REF*G1.
    #[serde(default)]
    pub prior_authorization: Option<String>,
    /// ICD-10-CM codes, with or without the point; the first is the principal one.
    pub diagnoses: Vec<String>,
    pub lines: Vec<Line>,
    /// CLM02: the sum of the line charges when absent; when given, it must be that sum
    /// (under `--as-written`, it is written as given).
    #[serde(default)]
    pub total: Option<Decimal>,
}

/// Loop 2400: one service line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// HCPCS/CPT code.
    pub procedure: String,
    #[serde(default)]
    pub modifiers: Vec<String>,
    /// 837I: revenue code, four digits.
    #[serde(default)]
    pub revenue_code: Option<String>,
    pub charge: Decimal,
    pub units: Decimal,
    /// `UN` (the default) or `MJ` minutes (837P), `DA` days (837I).
    #[serde(default)]
    pub unit_basis: Option<String>,
    /// Date of service `YYYY-MM-DD`, or the first day of a range.
    pub date: String,
    /// Last day of a range (DTP*472*RD8).
    #[serde(default)]
    pub date_to: Option<String>,
    /// 837P: positions (from 1) in `diagnoses`; `[1]` when absent.
    #[serde(default)]
    pub diagnosis_pointers: Vec<u8>,
    /// 837P: place of service of this line when it differs from the claim's (SV105).
    #[serde(default)]
    pub place_of_service: Option<String>,
    /// Loop 2410.
    #[serde(default)]
    pub ndc: Option<Ndc>,
}

/// Loop 2410: drug identification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ndc {
    /// Eleven digits, no hyphens (LIN03 with N4).
    pub code: String,
    /// CTP04.
    pub quantity: Decimal,
    /// CTP05-1: `F2`, `GR`, `ME`, `ML` or `UN`.
    pub unit: String,
}

/// One problem with a description, at a JSON path such as `claims[0].lines[1].date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescriptionError {
    /// The JSON path; empty for the document itself.
    pub path: String,
    pub message: String,
}

/// Messages quote the values they reject (and serde's quote whole strings): cut.
impl fmt::Display for DescriptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = cut_message(&self.message);
        if self.path.is_empty() {
            write!(f, "{message}")
        } else {
            write!(f, "{}: {message}", cut_message(&self.path))
        }
    }
}

/// Reads a description from JSON and checks it for `kind` (or its own `kind`).
///
/// Returns every problem found, each with its path; nothing is built from a description
/// with problems.
pub fn parse(
    json: &[u8],
    kind: Option<Kind>,
) -> Result<(Description, Kind), Vec<DescriptionError>> {
    let (desc, kind) = read(json, kind)?;
    let errors = check(&desc, kind);
    if errors.is_empty() {
        Ok((desc, kind))
    } else {
        Err(errors)
    }
}

/// A description with its checks as warnings (`generate --as-written`): only what stops
/// it being read (JSON syntax, a missing or unknown field, a value of the wrong JSON type,
/// no kind) is an error. The description is to be written as given.
pub fn parse_as_written(
    json: &[u8],
    kind: Option<Kind>,
) -> Result<(Description, Kind, Vec<DescriptionError>), Vec<DescriptionError>> {
    let (desc, kind) = read(json, kind)?;
    let warnings = check(&desc, kind);
    Ok((desc, kind, warnings))
}

/// Reads a description and its kind, without checking its values.
fn read(json: &[u8], kind: Option<Kind>) -> Result<(Description, Kind), Vec<DescriptionError>> {
    let de = &mut serde_json::Deserializer::from_slice(json);
    let desc: Description = serde_path_to_error::deserialize(de).map_err(|e| {
        let mut path = e.path().to_string();
        if path == "." || path == "?" {
            path.clear();
        }
        let mut message = e.into_inner().to_string();
        // Name the missing field in the path: `claims[0].lines[1].date: missing field`.
        if let Some(rest) = message.strip_prefix("missing field `")
            && let Some((field, at)) = rest.split_once('`')
        {
            path = if path.is_empty() {
                field.to_string()
            } else {
                format!("{path}.{field}")
            };
            message = format!("missing field{at}");
        }
        vec![DescriptionError { path, message }]
    })?;
    let Some(kind) = kind.or(desc.kind) else {
        return Err(vec![DescriptionError {
            path: "kind".into(),
            message: "no kind: give \"kind\": \"837p\" or \"837i\", or --kind".into(),
        }]);
    };
    Ok((desc, kind))
}

/// Collects semantic problems with their paths; the guide of `kind` gives the lengths and
/// code lists of the elements the fields are written into.
struct Checker {
    kind: Kind,
    errors: Vec<DescriptionError>,
}

impl Checker {
    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(DescriptionError {
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// Free text: min..=max printable ASCII characters, none of them an X12 delimiter.
    fn text(&mut self, path: &str, value: &str, min: usize, max: usize) -> bool {
        if value.trim().is_empty() {
            self.fail(path, "must not be empty");
            false
        } else if value.len() < min {
            self.fail(path, format!("at least {min} characters"));
            false
        } else if value.len() > max {
            self.fail(path, format!("longer than {max} characters"));
            false
        } else if let Some(c) = value
            .chars()
            .find(|c| !(' '..='~').contains(c) || "*:^~".contains(*c))
        {
            self.fail(path, format!("character {c:?} cannot be written in X12"));
            false
        } else {
            true
        }
    }

    /// Free text written into the element at `at`, within the guide's lengths for it.
    fn field(&mut self, path: &str, value: &str, at: Slot) -> bool {
        let e = guide::element(self.kind, at);
        self.text(path, value, e.min_len as usize, e.max_len as usize)
    }

    fn opt_field(&mut self, path: &str, value: Option<&str>, at: Slot) {
        if let Some(v) = value {
            self.field(path, v, at);
        }
    }

    fn digits(&mut self, path: &str, value: &str, lens: &[usize]) -> bool {
        let ok = lens.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            let lens: Vec<String> = lens.iter().map(ToString::to_string).collect();
            self.fail(path, format!("must be {} digits", lens.join(" or ")));
        }
        ok
    }

    fn code<S: AsRef<str>>(&mut self, path: &str, value: &str, allowed: &[S]) -> bool {
        let ok = allowed.iter().any(|a| a.as_ref() == value);
        if !ok {
            let allowed: Vec<&str> = allowed.iter().map(AsRef::as_ref).collect();
            self.fail(
                path,
                format!(
                    "unknown code {value:?} (expected one of {})",
                    allowed.join(", ")
                ),
            );
        }
        ok
    }

    /// A code the guide allows in the element at `at`: one of its codes, else of the
    /// external list it names (`states`, `pos`); any value when it names neither.
    fn listed(&mut self, path: &str, value: &str, at: Slot) -> bool {
        let e = guide::element(self.kind, at);
        if !e.codes.is_empty() {
            return self.code(path, value, &e.codes);
        }
        let Some(list) = e.external.as_deref() else {
            return true;
        };
        // A list the grammar names but the code file lacks is caught by the grammar's
        // tests; here it lets every value through, as validation does.
        let ok = external::contains(list, value).unwrap_or(true);
        if !ok {
            self.fail(
                path,
                format!("unknown code {value:?} (not in the guide's {list} list)"),
            );
        }
        ok
    }

    fn date(&mut self, path: &str, value: &str) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(d) if value.len() == 10 => Some(d),
            _ => {
                self.fail(path, format!("{value:?} is not a date YYYY-MM-DD"));
                None
            }
        }
    }

    fn npi(&mut self, path: &str, value: &str) {
        if self.digits(path, value, &[10]) && !npi_valid(value) {
            self.fail(path, "NPI check digit is wrong");
        }
    }

    /// The N3 and N4 of loop `loop_id`.
    fn address(&mut self, path: &str, a: &Address, loop_id: &'static str, zip9: bool) {
        self.field(
            &format!("{path}.line1"),
            &a.line1,
            Slot::new(loop_id, "N3", "N301"),
        );
        self.opt_field(
            &format!("{path}.line2"),
            a.line2.as_deref(),
            Slot::new(loop_id, "N3", "N302"),
        );
        self.field(
            &format!("{path}.city"),
            &a.city,
            Slot::new(loop_id, "N4", "N401"),
        );
        if !(a.state.len() == 2 && a.state.bytes().all(|b| b.is_ascii_uppercase())) {
            self.fail(&format!("{path}.state"), "must be two upper-case letters");
        } else {
            self.listed(
                &format!("{path}.state"),
                &a.state,
                Slot::new(loop_id, "N4", "N402"),
            );
        }
        self.digits(
            &format!("{path}.zip"),
            &a.zip,
            if zip9 { &[9] } else { &[5, 9] },
        );
    }

    fn amount(&mut self, path: &str, value: Decimal, positive: bool) {
        if value.is_sign_negative() || (positive && value.is_zero()) {
            self.fail(path, "must be greater than zero");
        } else if value.scale() > 2 && value.normalize().scale() > 2 {
            self.fail(path, "at most two decimal places");
        } else if value >= Decimal::from(10_000_000_000i64) {
            self.fail(path, "too large");
        }
    }
}

/// True when `npi` (ten digits) has the right Luhn check digit with the 80840 prefix.
pub fn npi_valid(npi: &str) -> bool {
    crate::validate::codes::npi_valid(npi.as_bytes())
}

/// The check digit for the first nine digits of an NPI.
pub fn npi_check_digit(first9: &str) -> Option<u8> {
    crate::validate::codes::npi_check_digit(first9.as_bytes())
}

/// A diagnosis code as written in HI: without the point, upper case.
pub fn diagnosis_code(code: &str) -> String {
    code.chars()
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Facility type code (CLM05-1) and frequency (CLM05-3) from a type of bill.
pub fn split_type_of_bill(tob: &str) -> Option<(&str, &str)> {
    let t = tob
        .strip_prefix('0')
        .filter(|_| tob.len() == 4)
        .unwrap_or(tob);
    (t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit())).then(|| (&t[..2], &t[2..]))
}

/// CLM05-03 codes x837 writes: original, replacement, void. The guide's list is the NUBC's
/// (code source 235), which the grammars do not carry.
const FREQUENCIES: &[&str] = &["1", "7", "8"];

/// Small counts in words, as the messages say them ("at most four modifiers").
fn in_words(n: usize) -> String {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

/// The most diagnoses the HI segments `build` writes can hold: the 837P's one HI, or the
/// 837I's principal HI and one HI of other diagnoses.
fn max_diagnoses(kind: Kind) -> usize {
    let hi = |q| guide::used_elements(kind, "2300", "HI", Some(q));
    match kind {
        Kind::Professional => hi("ABK"),
        Kind::Institutional => hi("ABK") + hi("ABF"),
    }
}

/// The service segment of `kind`, its procedure composite, that composite's first
/// modifier and the unit basis element.
fn service(kind: Kind) -> [&'static str; 4] {
    match kind {
        Kind::Professional => ["SV1", "SV101", "SV101-03", "SV103"],
        Kind::Institutional => ["SV2", "SV202", "SV202-03", "SV204"],
    }
}

fn check(d: &Description, kind: Kind) -> Vec<DescriptionError> {
    let mut c = Checker {
        kind,
        errors: Vec::new(),
    };
    let created = c.date("date", &d.date);
    let time_ok = d.time.len() == 5 && chrono::NaiveTime::parse_from_str(&d.time, "%H:%M").is_ok();
    if !time_ok {
        c.fail("time", format!("{:?} is not a time HH:MM", d.time));
    }
    if let Some(u) = &d.usage {
        c.code("usage", u, &["T", "P"]);
    }
    c.opt_field(
        "reference",
        d.reference.as_deref(),
        Slot::new("ST_LOOP", "BHT", "BHT03"),
    );
    // The ids also fill ISA06/ISA08 and GS02/GS03 (2 to 15 characters): the envelope is
    // not in the grammars.
    if c.text("submitter.id", &d.submitter.id, 1, ISA_ID_WIDTH) && d.submitter.id.len() < 2 {
        c.fail("submitter.id", "at least two characters");
    }
    c.field(
        "submitter.name",
        &d.submitter.name,
        Slot::new("1000A", "NM1", "NM103"),
    );
    c.field(
        "submitter.contact_name",
        &d.submitter.contact_name,
        Slot::new("1000A", "PER", "PER02"),
    );
    c.digits("submitter.phone", &d.submitter.phone, &[10]);
    if c.text("receiver.id", &d.receiver.id, 1, ISA_ID_WIDTH) && d.receiver.id.len() < 2 {
        c.fail("receiver.id", "at least two characters");
    }
    c.field(
        "receiver.name",
        &d.receiver.name,
        Slot::new("1000B", "NM1", "NM103"),
    );
    let bp = &d.billing_provider;
    c.field(
        "billing_provider.name",
        &bp.name,
        Slot::new("2010AA", "NM1", "NM103"),
    );
    c.npi("billing_provider.npi", &bp.npi);
    c.digits("billing_provider.tax_id", &bp.tax_id, &[9]);
    if !(bp.taxonomy.len() == 10 && bp.taxonomy.bytes().all(|b| b.is_ascii_alphanumeric())) {
        c.fail("billing_provider.taxonomy", "must be ten letters or digits");
    }
    c.address("billing_provider.address", &bp.address, "2010AA", true);
    if d.claims.is_empty() {
        c.fail("claims", "at least one claim");
    }
    let mut seen = std::collections::HashSet::new();
    for (i, claim) in d.claims.iter().enumerate() {
        let p = format!("claims[{i}]");
        let id = Slot::new("2300", "CLM", "CLM01");
        if c.field(&format!("{p}.id"), &claim.id, id) && !seen.insert(claim.id.as_str()) {
            c.fail(&format!("{p}.id"), "same id as an earlier claim");
        }
        check_claim(&mut c, &p, claim, kind, created);
    }
    c.errors
}

/// A subscriber or patient: NM1 and DMG of `loop_id` (2010BA, 2010CA).
fn check_person(
    c: &mut Checker,
    p: &str,
    loop_id: &'static str,
    last: &str,
    first: &str,
    dob: &str,
    gender: &str,
) {
    c.field(
        &format!("{p}.last_name"),
        last,
        Slot::new(loop_id, "NM1", "NM103"),
    );
    c.field(
        &format!("{p}.first_name"),
        first,
        Slot::new(loop_id, "NM1", "NM104"),
    );
    c.date(&format!("{p}.birth_date"), dob);
    c.listed(
        &format!("{p}.gender"),
        gender,
        Slot::new(loop_id, "DMG", "DMG03"),
    );
}

fn check_claim(c: &mut Checker, p: &str, claim: &Claim, kind: Kind, created: Option<NaiveDate>) {
    check_parties(c, p, claim);
    match kind {
        Kind::Professional => check_professional(c, p, claim),
        Kind::Institutional => check_institutional(c, p, claim),
    }
    for (field, present, which) in [
        (
            "place_of_service",
            claim.place_of_service.is_some(),
            Kind::Professional,
        ),
        ("frequency", claim.frequency.is_some(), Kind::Professional),
        (
            "type_of_bill",
            claim.type_of_bill.is_some(),
            Kind::Institutional,
        ),
        (
            "statement_dates",
            claim.statement_dates.is_some(),
            Kind::Institutional,
        ),
        (
            "patient_status",
            claim.patient_status.is_some(),
            Kind::Institutional,
        ),
        ("attending", claim.attending.is_some(), Kind::Institutional),
    ] {
        if present && which != kind {
            c.fail(
                &format!("{p}.{field}"),
                format!("only for {which}, not {kind}"),
            );
        }
    }
    check_diagnoses(c, p, claim, kind);
    check_total(c, p, claim);
    if claim.lines.is_empty() {
        c.fail(&format!("{p}.lines"), "at least one line");
    }
    let max = guide::repeat(kind, "2400");
    if claim.lines.len() > max {
        c.fail(&format!("{p}.lines"), format!("at most {max} lines"));
    }
    for (i, line) in claim.lines.iter().enumerate() {
        check_line(
            c,
            &format!("{p}.lines[{i}]"),
            line,
            kind,
            claim.diagnoses.len(),
            created,
        );
    }
}

/// The subscriber (2000B, 2010BA), the patient (2000C, 2010CA), the payer (2010BB) and the
/// prior authorization.
fn check_parties(c: &mut Checker, p: &str, claim: &Claim) {
    let s = &claim.subscriber;
    let sp = format!("{p}.subscriber");
    c.field(
        &format!("{sp}.member_id"),
        &s.member_id,
        Slot::new("2010BA", "NM1", "NM109"),
    );
    check_person(
        c,
        &sp,
        "2010BA",
        &s.last_name,
        &s.first_name,
        &s.birth_date,
        &s.gender,
    );
    c.address(&format!("{sp}.address"), &s.address, "2010BA", false);
    c.opt_field(
        &format!("{sp}.group_number"),
        s.group_number.as_deref(),
        Slot::new("2000B", "SBR", "SBR03"),
    );
    if let Some(r) = &s.payer_responsibility {
        c.listed(
            &format!("{sp}.payer_responsibility"),
            r,
            Slot::new("2000B", "SBR", "SBR01"),
        );
    }
    if let Some(pat) = &claim.patient {
        let pp = format!("{p}.patient");
        check_person(
            c,
            &pp,
            "2010CA",
            &pat.last_name,
            &pat.first_name,
            &pat.birth_date,
            &pat.gender,
        );
        c.address(&format!("{pp}.address"), &pat.address, "2010CA", false);
    }
    c.field(
        &format!("{p}.payer.name"),
        &claim.payer.name,
        Slot::new("2010BB", "NM1", "NM103"),
    );
    c.field(
        &format!("{p}.payer.id"),
        &claim.payer.id,
        Slot::new("2010BB", "NM1", "NM109"),
    );
    c.listed(
        &format!("{p}.payer.filing_indicator"),
        &claim.payer.filing_indicator,
        Slot::new("2000B", "SBR", "SBR09"),
    );
    c.opt_field(
        &format!("{p}.prior_authorization"),
        claim.prior_authorization.as_deref(),
        Slot::new("2300", "REF", "REF02").qualified("G1"),
    );
}

/// CLM05 of an 837P: place of service and frequency.
fn check_professional(c: &mut Checker, p: &str, claim: &Claim) {
    match &claim.place_of_service {
        Some(pos) => {
            let path = format!("{p}.place_of_service");
            if c.digits(&path, pos, &[2]) {
                c.listed(&path, pos, Slot::new("2300", "CLM", "CLM05-01"));
            }
        }
        None => c.fail(&format!("{p}.place_of_service"), "missing (837p)"),
    }
    if let Some(f) = &claim.frequency {
        c.code(&format!("{p}.frequency"), f, FREQUENCIES);
    }
}

/// What an 837I claim adds: type of bill, statement dates, patient status, attending.
fn check_institutional(c: &mut Checker, p: &str, claim: &Claim) {
    match &claim.type_of_bill {
        Some(tob) => match split_type_of_bill(tob) {
            Some((_, f)) => {
                c.code(&format!("{p}.type_of_bill"), f, FREQUENCIES);
            }
            None => c.fail(
                &format!("{p}.type_of_bill"),
                "must be three digits, or four with a leading zero",
            ),
        },
        None => c.fail(&format!("{p}.type_of_bill"), "missing (837i)"),
    }
    match &claim.statement_dates {
        Some(per) => {
            let from = c.date(&format!("{p}.statement_dates.from"), &per.from);
            let to = c.date(&format!("{p}.statement_dates.to"), &per.to);
            if let (Some(f), Some(t)) = (from, to)
                && t < f
            {
                c.fail(&format!("{p}.statement_dates.to"), "before from");
            }
        }
        None => c.fail(&format!("{p}.statement_dates"), "missing (837i)"),
    }
    if let Some(st) = &claim.patient_status {
        c.digits(&format!("{p}.patient_status"), st, &[2]);
    }
    match &claim.attending {
        Some(a) => {
            let ap = format!("{p}.attending");
            c.field(
                &format!("{ap}.last_name"),
                &a.last_name,
                Slot::new("2310A", "NM1", "NM103"),
            );
            c.field(
                &format!("{ap}.first_name"),
                &a.first_name,
                Slot::new("2310A", "NM1", "NM104"),
            );
            c.npi(&format!("{ap}.npi"), &a.npi);
        }
        None => c.fail(&format!("{p}.attending"), "missing (837i)"),
    }
}

/// A given CLM02 is the sum of the line charges.
fn check_total(c: &mut Checker, p: &str, claim: &Claim) {
    if let Some(total) = claim.total {
        let sum: Decimal = claim.lines.iter().map(|l| l.charge).sum();
        if total != sum {
            c.fail(
                &format!("{p}.total"),
                format!("{total} is not the sum of the line charges, {sum}"),
            );
        }
    }
}

fn check_diagnoses(c: &mut Checker, p: &str, claim: &Claim, kind: Kind) {
    if claim.diagnoses.is_empty() {
        c.fail(&format!("{p}.diagnoses"), "at least one diagnosis");
    }
    let max = max_diagnoses(kind);
    if claim.diagnoses.len() > max {
        c.fail(
            &format!("{p}.diagnoses"),
            format!("at most {max} diagnoses"),
        );
    }
    for (i, dx) in claim.diagnoses.iter().enumerate() {
        let code = diagnosis_code(dx);
        let ok = (3..=7).contains(&code.len())
            && code.as_bytes()[0].is_ascii_uppercase()
            && code.bytes().all(|b| b.is_ascii_alphanumeric())
            && dx.matches('.').count() <= 1;
        if !ok {
            c.fail(
                &format!("{p}.diagnoses[{i}]"),
                format!("{dx:?} is not an ICD-10-CM code"),
            );
        }
    }
}

fn check_line(
    c: &mut Checker,
    p: &str,
    line: &Line,
    kind: Kind,
    diagnoses: usize,
    created: Option<NaiveDate>,
) {
    if !(line.procedure.len() == 5 && line.procedure.bytes().all(|b| b.is_ascii_alphanumeric())) {
        c.fail(
            &format!("{p}.procedure"),
            "must be five letters or digits (HCPCS/CPT)",
        );
    }
    let [sv, procedure, modifier, basis] = service(kind);
    let composite = Slot::new("2400", sv, procedure);
    let max = guide::used_components(kind, composite, "Procedure Modifier");
    if line.modifiers.len() > max {
        c.fail(
            &format!("{p}.modifiers"),
            format!("at most {} modifiers", in_words(max)),
        );
    }
    // Every modifier component has the same length; the first stands for them.
    let m_len = guide::element(kind, Slot::new("2400", sv, modifier)).max_len as usize;
    for (i, m) in line.modifiers.iter().enumerate() {
        if !(m.len() == m_len && m.bytes().all(|b| b.is_ascii_alphanumeric())) {
            c.fail(
                &format!("{p}.modifiers[{i}]"),
                format!("must be {} letters or digits", in_words(m_len)),
            );
        }
    }
    c.amount(&format!("{p}.charge"), line.charge, false);
    c.amount(&format!("{p}.units"), line.units, true);
    if let Some(b) = &line.unit_basis {
        c.listed(&format!("{p}.unit_basis"), b, Slot::new("2400", sv, basis));
    }
    let from = c.date(&format!("{p}.date"), &line.date);
    if let Some(to) = &line.date_to {
        let to_date = c.date(&format!("{p}.date_to"), to);
        if let (Some(f), Some(t)) = (from, to_date)
            && t < f
        {
            c.fail(&format!("{p}.date_to"), "before date");
        }
    }
    if let (Some(f), Some(cr)) = (from, created)
        && f > cr
    {
        c.fail(&format!("{p}.date"), "after the description's date");
    }
    check_line_kind(c, p, line, kind, diagnoses);
    if let Some(ndc) = &line.ndc {
        c.digits(&format!("{p}.ndc.code"), &ndc.code, &[11]);
        c.amount(&format!("{p}.ndc.quantity"), ndc.quantity, true);
        c.listed(
            &format!("{p}.ndc.unit"),
            &ndc.unit,
            Slot::new("2410", "CTP", "CTP05-01"),
        );
    }
}

/// The fields of a line that only one kind has: revenue code (837I), pointers and place of
/// service (837P).
fn check_line_kind(c: &mut Checker, p: &str, line: &Line, kind: Kind, diagnoses: usize) {
    match kind {
        Kind::Professional => {
            if line.revenue_code.is_some() {
                c.fail(&format!("{p}.revenue_code"), "only for 837i, not 837p");
            }
            let max = guide::used_components(kind, Slot::new("2400", "SV1", "SV107"), "");
            if line.diagnosis_pointers.len() > max {
                c.fail(
                    &format!("{p}.diagnosis_pointers"),
                    format!("at most {} pointers", in_words(max)),
                );
            }
            for (i, ptr) in line.diagnosis_pointers.iter().enumerate() {
                if *ptr == 0 || usize::from(*ptr) > diagnoses {
                    c.fail(
                        &format!("{p}.diagnosis_pointers[{i}]"),
                        format!("{ptr} points at no diagnosis (1..={diagnoses})"),
                    );
                }
            }
            if let Some(pos) = &line.place_of_service {
                let path = format!("{p}.place_of_service");
                if c.digits(&path, pos, &[2]) {
                    c.listed(&path, pos, Slot::new("2400", "SV1", "SV105"));
                }
            }
        }
        Kind::Institutional => {
            match &line.revenue_code {
                Some(rc) => {
                    c.digits(&format!("{p}.revenue_code"), rc, &[4]);
                }
                None => c.fail(&format!("{p}.revenue_code"), "missing (837i)"),
            }
            if !line.diagnosis_pointers.is_empty() {
                c.fail(
                    &format!("{p}.diagnosis_pointers"),
                    "only for 837p, not 837i",
                );
            }
            if line.place_of_service.is_some() {
                c.fail(&format!("{p}.place_of_service"), "only for 837p, not 837i");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi_check_digits() {
        assert!(npi_valid("1234567893"));
        assert!(!npi_valid("1234567890"));
        assert_eq!(npi_check_digit("123456789"), Some(3));
    }

    /// A sample with every optional field the checks look at filled in.
    fn full(sample: &str, kind: Kind) -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(sample).expect("sample");
        v["reference"] = "REF1".into();
        v["billing_provider"]["address"]["line2"] = "SUITE 1".into();
        for claim in v["claims"].as_array_mut().expect("claims") {
            let s = &mut claim["subscriber"];
            s["group_number"] = "G1".into();
            s["payer_responsibility"] = "S".into();
            s["address"]["line2"] = "APT 2".into();
            claim["prior_authorization"] = "PA1".into();
            match kind {
                Kind::Professional => claim["frequency"] = "7".into(),
                Kind::Institutional => claim["patient_status"] = "01".into(),
            }
            for line in claim["lines"].as_array_mut().expect("lines") {
                line["modifiers"] = serde_json::json!(["KX", "59"]);
                line["unit_basis"] = "UN".into();
                if kind == Kind::Professional {
                    line["diagnosis_pointers"] = serde_json::json!([1]);
                    line["place_of_service"] = "11".into();
                }
            }
        }
        v
    }

    #[test]
    fn every_field_is_checked_against_its_guide_element() {
        // Each field looks its element up in the grammar: a slot the guide lacks would
        // panic here, on every kind and every optional field.
        for (sample, kind) in [
            (
                include_str!("../../samples/claims/837p-dependent.json"),
                Kind::Professional,
            ),
            (
                include_str!("../../samples/claims/837i-outpatient.json"),
                Kind::Institutional,
            ),
        ] {
            let v = full(sample, kind);
            assert!(v["claims"][0]["patient"].is_object() || v["claims"][1]["patient"].is_object());
            let parsed = parse(v.to_string().as_bytes(), None);
            assert_eq!(parsed.err(), None, "{kind}");
        }
    }

    #[test]
    fn relationship_codes_are_the_guides() {
        for kind in [Kind::Professional, Kind::Institutional] {
            let pat01 = guide::element(kind, Slot::new("2000C", "PAT", "PAT01"));
            for r in [
                Relationship::Spouse,
                Relationship::Child,
                Relationship::Employee,
                Relationship::Other,
            ] {
                assert!(pat01.codes.iter().any(|c| c == r.code()), "{kind} {r:?}");
            }
        }
    }

    #[test]
    fn type_of_bill() {
        assert_eq!(split_type_of_bill("0131"), Some(("13", "1")));
        assert_eq!(split_type_of_bill("137"), Some(("13", "7")));
        assert_eq!(split_type_of_bill("13"), None);
    }
}
