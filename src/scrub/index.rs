//! The run's index of J2326 lines, for the rules that need more than one claim
//! (`dose-interval`, `dose-frequency`, `duplicate-service`, `facility-drug-professional`:
//! `domain/j2326.md`, "Definitions (additions)", Run and Patient key).
//!
//! Each input's scrub adds a [`Part`]: one compact [`Line`] per J2326 line (36 bytes, in
//! chunks) and, in a temporary file, where the line is (its claim, file, segment), read
//! back only for lines a rule reports. After the last input, [`across`] sorts the lines by
//! patient and runs the rules over each patient's slice. Memory grows with J2326 lines
//! (36 bytes each), not bytes.
//!
//! Patients are compared by a key: HMAC-SHA-256 under a [`Secret`] drawn at random for each
//! run and never written, of the subscriber id, the patient's date of birth and first
//! name. The key and what it is made of appear in no report, message or log.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;

use chrono::{Datelike, NaiveDate};
use hmac::{KeyInit, Mac};

use crate::claim::{Claim, LineDate, ServiceLine, parse_date};
use crate::grammar::Kind;
use crate::report::{Finding, Position, RuleId, Severity};

pub use super::hits::{Hit, Hits};

/// A patient key: the first 12 bytes of the HMAC (96 bits: no two patients of any run
/// share one by chance).
pub type PatientKey = [u8; 12];

/// The secret patients are keyed under: random for each run, never written or shown.
#[derive(Clone)]
pub struct Secret(Keyed);

/// The HMAC keyed once: each key is a clone of it, not the key's two hashed pads again.
type Keyed = hmac::Hmac<sha2::Sha256>;

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// A secret from the operating system's random source. Should that fail, one from the
    /// time and process: still never written, only less hard to guess.
    pub fn random() -> Self {
        let mut b = [0u8; 32];
        if getrandom::fill(&mut b).is_err() {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            b[..16].copy_from_slice(&t.to_le_bytes());
            b[16..20].copy_from_slice(&std::process::id().to_le_bytes());
        }
        Secret::from_bytes(b)
    }

    /// A given secret (for callers that compare across runs of their own).
    pub fn from_bytes(b: [u8; 32]) -> Self {
        Secret(
            Keyed::new_from_slice(&b)
                .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length")),
        )
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut m = self.0.clone();
        for p in parts {
            m.update(p);
            m.update(&[0x1f]);
        }
        m.finalize().into_bytes().into()
    }
}

/// Whether a claim of `kind` with frequency code `f` (CLM05-3) is an original: neither a
/// replacement (7) nor a void (8), nor on an 837I Q.
pub fn original(kind: Kind, f: u8) -> bool {
    !(matches!(f, b'7' | b'8') || kind == Kind::Institutional && f == b'Q')
}

/// Trimmed and upper-cased.
fn norm(b: &[u8]) -> Vec<u8> {
    b.trim_ascii().to_ascii_uppercase()
}

/// The claim's patient key; `None` when a part is missing or the date of birth is not a
/// valid D8 (the claim is then not keyed).
pub fn patient_key(secret: &Secret, claim: &Claim<'_>) -> Option<PatientKey> {
    let (member, dob, first) = keyable(claim)?;
    Some(key_of(
        secret,
        member,
        dob,
        &letters(first).collect::<Vec<u8>>(),
    ))
}

/// What a claim's patient key is made of, when it can be keyed: the subscriber id, the
/// patient's D8 date of birth and first name (one letter at least), trimmed.
fn keyable<'a>(claim: &Claim<'a>) -> Option<(&'a [u8], &'a [u8], &'a [u8])> {
    let (member, person) = claim.parties.person();
    let valid = person.dob_format == b"D8" && parse_date(person.dob).is_some();
    let (member, first) = (member.trim_ascii(), person.first);
    (valid && !member.is_empty() && first.iter().any(u8::is_ascii_alphabetic))
        .then(|| (member, person.dob.trim_ascii(), first))
}

/// A first name's letters, upper-cased: what the key and `Service` compare of it.
fn letters(first: &[u8]) -> impl Iterator<Item = u8> + '_ {
    (first.iter())
        .filter(|c| c.is_ascii_alphabetic())
        .map(u8::to_ascii_uppercase)
}

/// The patient key of a subscriber id, a date of birth (CCYYMMDD) and a first name's
/// letters, each trimmed and upper-cased.
pub fn key_of(secret: &Secret, member: &[u8], dob: &[u8], first: &[u8]) -> PatientKey {
    let mac = secret.mac(&[b"patient", &norm(member), &norm(dob), &norm(first)]);
    let mut key = [0u8; 12];
    key.copy_from_slice(&mac[..12]);
    key
}

/// A value compared as written (a payer id, an NPI), keyed so that it is not kept as is;
/// `None` when blank.
fn keyed(secret: &Secret, what: &[u8], b: &[u8]) -> Option<[u8; 4]> {
    let b = b.trim_ascii();
    (!b.is_empty()).then(|| secret.mac(&[what, b])[..4].try_into().unwrap_or([0; 4]))
}

/// One J2326 line of the run, in 36 bytes: what the rules compare; where it is (its
/// claim, file and segment, for a finding's place) waits in its part's temporary file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// The patient key (zero when the claim is not keyed: see `keyed`).
    key: PatientKey,
    /// The payer id and billing NPI, keyed together (zero when either is blank): compared
    /// only between the lines of one patient, so 32 bits are plenty.
    billed: [u8; 4],
    pub from: NaiveDate,
    /// Days from `from` to the end of its RD8 range.
    span: u16,
    /// Input (index in the run).
    pub input: u32,
    /// The line's segment number in the input (its SV1/SV2, or the CLM for a place of
    /// service reported on it).
    pub segment: u32,
    /// Segments from the claim's CLM to `segment`.
    back: u16,
    flags: u8,
    /// Index of the profile in force (in `Settings::resolved` order).
    pub profile: u8,
}

const KEYED: u8 = 1;
const BILLED: u8 = 2;
const INSTITUTIONAL: u8 = 4;
const JW: u8 = 8;
const FACILITY: u8 = 16;
const FACILITY_CLM: u8 = 32;
const ORIGINAL: u8 = 64;
const VOID: u8 = 128;

impl Line {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// The patient key, when the claim is keyed.
    pub fn key(&self) -> Option<PatientKey> {
        self.has(KEYED).then_some(self.key)
    }

    /// The payer id and billing NPI (keyed), when both are written.
    pub fn billed(&self) -> Option<[u8; 4]> {
        self.has(BILLED).then_some(self.billed)
    }

    pub fn to(&self) -> NaiveDate {
        self.from + chrono::Days::new(u64::from(self.span))
    }

    pub fn kind(&self) -> Kind {
        if self.has(INSTITUTIONAL) {
            Kind::Institutional
        } else {
            Kind::Professional
        }
    }

    /// An 837P line at a facility place of service; `Some(true)` when that place is the
    /// claim's (CLM05-1), reported on the CLM.
    pub fn facility(&self) -> Option<bool> {
        self.has(FACILITY).then_some(self.has(FACILITY_CLM))
    }

    /// The claim it is on: its CLM's segment number in the input.
    pub fn claim(&self) -> (u32, u32) {
        (self.input, self.segment - u32::from(self.back))
    }

    /// Whether the claim is an original (CLM05-3 neither 7 nor 8; 837I: nor Q).
    pub fn original(&self) -> bool {
        self.has(ORIGINAL)
    }

    /// Whether it may make a dose: keyed, no JW, not on a void.
    pub fn doses(&self) -> bool {
        self.has(KEYED) && !self.has(JW) && !self.has(VOID)
    }

    /// "Later": by line date, then by input order.
    pub fn order(&self) -> (NaiveDate, NaiveDate, u32, u32) {
        (self.from, self.to(), self.input, self.segment)
    }

    pub fn same_day(&self, o: &Line) -> bool {
        self.from <= o.to() && o.from <= self.to()
    }
}

/// Where a line is: what a finding on it says.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Place {
    pub claim: String,
    pub position: Position,
    pub loop_path: Option<String>,
    pub service_line: Option<String>,
}

impl Place {
    /// The place as a part keeps it: a compact postcard record, made and read back once
    /// per J2326 line (as JSON it cost about 4,000 instructions a line, 1.2% of a scrub
    /// at 30% errors by callgrind). A place always serialises: strings and numbers.
    pub fn record(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    fn from_record(bytes: &[u8]) -> io::Result<Place> {
        postcard::from_bytes(bytes).map_err(io::Error::other)
    }
}

/// What one claim adds: its lines and their places.
#[derive(Debug, Default)]
pub struct Found {
    /// Each line with its place as the record the part keeps ([`Place::record`]), made
    /// by the thread that scrubbed the claim, not the one that writes.
    pub lines: Vec<(Line, Vec<u8>)>,
    /// The claim has J2326 but could not be keyed.
    pub unkeyed: bool,
}

/// What the index needs of one claim's J2326 lines, with their dates.
pub struct Facts<'c, 'a> {
    pub claim: &'c Claim<'a>,
    pub lines: Vec<(&'c ServiceLine<'a>, Option<LineDate>, bool, Option<bool>)>,
    pub profile: u16,
    /// The input segment of the claim's CLM (what `place(claim.clm)` gives as its
    /// segment, without making the rest of a place).
    pub clm: usize,
}

/// The index lines of one claim: `place(segment)` says where a segment (its index in the
/// transaction as scrubbed) is.
pub fn found(secret: &Secret, facts: &Facts<'_, '_>, place: impl Fn(usize) -> Place) -> Found {
    let claim = facts.claim;
    let key = patient_key(secret, claim);
    let mut out = Found {
        unkeyed: key.is_none() && !facts.lines.is_empty(),
        lines: Vec::new(),
    };
    let billed = match (
        claim.payer.trim_ascii(),
        claim.parties.billing_npi.trim_ascii(),
    ) {
        (b"", _) | (_, b"") => None,
        (p, n) => keyed(secret, b"billed", &[p, b"\x1f", n].concat()),
    };
    let frequency = claim.frequency.first().copied().unwrap_or(b' ');
    let flag = |on: bool, f: u8| if on { f } else { 0 };
    let mut common = flag(key.is_some(), KEYED)
        | flag(billed.is_some(), BILLED)
        | flag(original(claim.kind, frequency), ORIGINAL)
        | flag(frequency == b'8', VOID);
    if claim.kind == Kind::Institutional {
        common |= INSTITUTIONAL;
    }
    let mut on_clm = false;
    let clm = facts.clm;
    for &(line, date, jw, facility) in &facts.lines {
        let Some(date) = date else { continue };
        // A place of service from CLM05-1 is reported once per claim, on the CLM.
        let facility = match facility {
            Some(true) if on_clm => None,
            f => f,
        };
        on_clm |= facility == Some(true);
        let at = match facility {
            Some(true) => claim.clm,
            _ => line.service.unwrap_or(line.lx),
        };
        let p = place(at);
        let segment = p.position.segment;
        let flags = common
            | flag(jw, JW)
            | flag(facility.is_some(), FACILITY)
            | flag(facility == Some(true), FACILITY_CLM);
        let l = Line {
            key: key.unwrap_or_default(),
            billed: billed.unwrap_or_default(),
            from: date.from,
            span: (date.to - date.from)
                .num_days()
                .clamp(0, i64::from(u16::MAX)) as u16,
            input: 0,
            segment: u32::try_from(segment).unwrap_or(u32::MAX),
            back: u16::try_from(segment.saturating_sub(clm)).unwrap_or(u16::MAX),
            flags,
            profile: u8::try_from(facts.profile).unwrap_or(u8::MAX),
        };
        out.lines.push((l, p.record()));
    }
    // Places are looked up by segment: in segment order (the CLM's may come later).
    out.lines.sort_by_key(|(l, _)| l.segment);
    out
}

/// One input's lines, as fixed records in a temporary file (read back a bucket of patients
/// at a time when the run evaluates); their places in a second one, found by segment
/// number through a third of fixed records (segment, length, offset), in segment order.
#[derive(Debug, Default)]
pub struct Part {
    lines: Option<BufWriter<File>>,
    /// Lines added.
    added: usize,
    /// Claims with J2326 that could not be keyed.
    pub unkeyed: usize,
    places: Option<(BufWriter<File>, BufWriter<File>)>,
    written: u64,
    /// The segment of every [`FENCE`]th record of the places' index: a lookup reads the
    /// one block of records its segment falls in.
    fences: Vec<u32>,
    /// The last block of records read (its number and bytes): the rules' findings come
    /// in segment order, so most lookups find their record in it.
    block: std::sync::Mutex<Option<(usize, Vec<u8>)>>,
}

/// The little-endian `u32` at `at` in `b` (the records here and in [`Hits`]' file).
pub(super) fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A record of the places' index: segment (4), length (4), offset (8).
const RECORD: usize = 16;

/// Records in a block of the places' index (16 KB).
const FENCE: usize = 1024;

/// A line as written to its part's file.
pub(super) const LINE: usize = 34;

impl Line {
    pub(super) fn to_bytes(self) -> [u8; LINE] {
        let mut b = [0u8; LINE];
        b[..12].copy_from_slice(&self.key);
        b[12..16].copy_from_slice(&self.billed);
        b[16..20].copy_from_slice(&self.from.num_days_from_ce().to_le_bytes());
        b[20..22].copy_from_slice(&self.span.to_le_bytes());
        b[22..26].copy_from_slice(&self.input.to_le_bytes());
        b[26..30].copy_from_slice(&self.segment.to_le_bytes());
        b[30..32].copy_from_slice(&self.back.to_le_bytes());
        b[32] = self.flags;
        b[33] = self.profile;
        b
    }

    pub(super) fn from_bytes(b: &[u8; LINE]) -> Line {
        let word = |a: usize| le_u32(b, a);
        let half = |a: usize| u16::from_le_bytes([b[a], b[a + 1]]);
        let mut key = [0u8; 12];
        key.copy_from_slice(&b[..12]);
        Line {
            key,
            billed: [b[12], b[13], b[14], b[15]],
            from: NaiveDate::from_num_days_from_ce_opt(word(16) as i32).unwrap_or_default(),
            span: half(20),
            input: word(22),
            segment: word(26),
            back: half(30),
            flags: b[32],
            profile: b[33],
        }
    }

    /// A line of no claim at `segment` of input `input` (for tests).
    #[cfg(test)]
    pub(super) fn at(input: u32, segment: u32) -> Line {
        Line {
            key: [0; 12],
            billed: [0; 4],
            from: NaiveDate::default(),
            span: 0,
            input,
            segment,
            back: 0,
            flags: 0,
            profile: 0,
        }
    }

    /// Which of `buckets` the line is read in: all of a patient's lines in one (by the
    /// key's first byte: the key is an HMAC, so the buckets come out even); unkeyed
    /// lines in the first.
    fn bucket(&self, buckets: usize) -> usize {
        self.key().map_or(0, |k| usize::from(k[0]) % buckets)
    }
}

impl Part {
    /// Adds what one claim found (claims come in input order).
    pub fn add(&mut self, found: Found) -> io::Result<()> {
        self.unkeyed += usize::from(found.unkeyed);
        for (line, bytes) in found.lines {
            let (places, index) = match &mut self.places {
                Some(f) => f,
                None => self.places.insert((
                    BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
                    BufWriter::with_capacity(1 << 14, tempfile::tempfile()?),
                )),
            };
            places.write_all(&bytes)?;
            if self.added.is_multiple_of(FENCE) {
                self.fences.push(line.segment);
            }
            index.write_all(&line.segment.to_le_bytes())?;
            index.write_all(&(bytes.len() as u32).to_le_bytes())?;
            index.write_all(&self.written.to_le_bytes())?;
            self.written += bytes.len() as u64;
            let lines = match &mut self.lines {
                Some(f) => f,
                None => {
                    (self.lines).insert(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?))
                }
            };
            lines.write_all(&line.to_bytes())?;
            self.added += 1;
        }
        Ok(())
    }

    /// The lines of bucket `bucket` of `buckets`, each stamped with the part's index.
    fn bucket(&self, input: u32, bucket: usize, buckets: usize) -> io::Result<Vec<Line>> {
        let Some(lines) = &self.lines else {
            return Ok(Vec::new());
        };
        const PER_READ: usize = 2048;
        let file = lines.get_ref();
        let mut out = Vec::new();
        let mut buf = vec![0u8; PER_READ * LINE];
        let mut done = 0;
        while done < self.added {
            let n = (self.added - done).min(PER_READ);
            let chunk = &mut buf[..n * LINE];
            file.read_exact_at(chunk, (done * LINE) as u64)?;
            for b in chunk.chunks_exact(LINE) {
                let line = Line::from_bytes(b.try_into().unwrap_or(&[0; LINE]));
                if line.bucket(buckets) == bucket {
                    out.push(Line { input, ..line });
                }
            }
            done += n;
        }
        Ok(out)
    }

    /// Makes the places readable.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(l) = &mut self.lines {
            l.flush()?;
        }
        match &mut self.places {
            Some((p, i)) => p.flush().and_then(|()| i.flush()),
            None => Ok(()),
        }
    }

    /// Where the place of `line` is in the places' file: (length, offset).
    fn record(&self, index: &File, line: &Line) -> io::Result<Option<(u32, u64)>> {
        // The block whose first segment is the last one at or before the line's.
        let Some(b) = self
            .fences
            .partition_point(|&s| s <= line.segment)
            .checked_sub(1)
        else {
            return Ok(None);
        };
        let mut cached = self.block.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = match &mut *cached {
            Some((at, bytes)) if *at == b => bytes,
            slot => {
                let n = (self.added - b * FENCE).min(FENCE);
                let mut bytes = vec![0u8; n * RECORD];
                index.read_exact_at(&mut bytes, (b * FENCE * RECORD) as u64)?;
                &mut slot.insert((b, bytes)).1
            }
        };
        let word = |a: usize| le_u32(bytes, a);
        let (mut lo, mut hi) = (0, bytes.len() / RECORD);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match word(mid * RECORD).cmp(&line.segment) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let at = mid * RECORD;
                    let mut off = [0u8; 8];
                    off.copy_from_slice(&bytes[at + 8..at + RECORD]);
                    return Ok(Some((word(at + 4), u64::from_le_bytes(off))));
                }
            }
        }
        Ok(None)
    }

    fn place(&self, line: &Line) -> io::Result<Place> {
        let (places, index) = self
            .places
            .as_ref()
            .ok_or_else(|| io::Error::other("no places"))?;
        let (places, index) = (places.get_ref(), index.get_ref());
        let Some((len, offset)) = self.record(index, line)? else {
            return Err(io::Error::other("a line's place is not in the index"));
        };
        let mut buf = vec![0u8; len as usize];
        places.read_exact_at(&mut buf, offset)?;
        Place::from_record(&buf)
    }
}

/// The finding of hit `h` (its place read from its part in `parts`).
fn finding(
    parts: &[Part],
    h: Hit,
    severity: impl Fn(RuleId, Severity) -> Severity,
) -> io::Result<Finding> {
    let part = &parts[h.line.input as usize];
    let place = part.place(&h.line)?;
    let message = match &h.other {
        Some(o) => {
            let other = parts[o.input as usize].place(o)?;
            h.message.replace(
                "{other}",
                &format!(
                    "claim {} ({} segment {})",
                    crate::echo::code(other.claim.as_bytes()),
                    other.position.file,
                    other.position.segment
                ),
            )
        }
        None => h.message,
    };
    let mut f = Finding::new(
        h.rule,
        severity(h.rule, h.severity),
        message,
        place.position,
    );
    f.claim = Some(place.claim);
    f.loop_path = place.loop_path;
    f.service_line = place.service_line;
    Ok(f)
}

/// The finding made when the cross-claim rules could not run (their temporary file
/// failed): an error, so the run does not pass unchecked.
pub fn failed(file: &str, e: &io::Error) -> Finding {
    let position = Position {
        file: file.to_string(),
        interchange: None,
        transaction: None,
        segment: 0,
        byte: 0,
        text_line: 0,
    };
    Finding::new(
        RuleId::DuplicateService,
        Severity::Error,
        format!("the cross-claim rules could not run: {e}"),
        position,
    )
}

/// The lines of one bucket of the run (see `Line::bucket`), each stamped with its input's
/// index, sorted by patient key (unkeyed first), then "later".
fn bucket_lines(parts: &[Part], bucket: usize, buckets: usize) -> io::Result<Vec<Line>> {
    let mut out = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        out.extend(p.bucket(i as u32, bucket, buckets)?);
    }
    out.sort_unstable_by_key(|l| (l.key(), l.order()));
    Ok(out)
}

/// How many lines the run holds in memory at once, about (8 MB of them): the rules across
/// claims read the lines a bucket of patients at a time.
const BUCKET_LINES: usize = 1 << 18;

/// What the cross-claim rules read: every J2326 line of the run, sorted by patient key
/// then "later" (see [`bucket_lines`]), and the profiles.
pub struct Run<'r> {
    pub lines: &'r [Line],
    /// The profiles in force, in `Settings::resolved` order (`Line::profile`).
    pub profiles: Vec<&'r super::config::Resolved>,
}

impl<'r> Run<'r> {
    /// The dose frequency limits of the profile `line` was billed under.
    pub fn frequency(&self, line: &Line) -> crate::scrub::catalog::Frequency {
        let p = (self.profiles.get(line.profile as usize)).or(self.profiles.first());
        p.map_or(crate::scrub::catalog::catalog().frequency, |p| {
            p.policy.frequency
        })
    }

    /// The lines of each keyed patient, in "later" order: one slice each, no copy.
    pub fn patients(&self) -> impl Iterator<Item = &'r [Line]> + 'r {
        let keyed = self.lines.partition_point(|l| l.key().is_none());
        self.lines[keyed..].chunk_by(|a, b| a.key() == b.key())
    }

    /// Lines of claims that could not be keyed.
    pub fn unkeyed(&self) -> &'r [Line] {
        &self.lines[..self.lines.partition_point(|l| l.key().is_none())]
    }

    /// One patient's doses in date order: a dose is one line date with a J2326 line
    /// without JW on a claim that is not a void; it stands here as its first line (by
    /// input order).
    pub fn doses(patient: &[Line]) -> Vec<Line> {
        let mut out: Vec<Line> = Vec::new();
        for l in patient.iter().filter(|l| l.doses()) {
            match out.iter().find(|d| (d.from, d.to()) == (l.from, l.to())) {
                Some(_) => {}
                None => out.push(*l),
            }
        }
        out.sort_by_key(Line::order);
        out
    }
}

/// Runs the cross-claim rules `settings` leave enabled over the parts of one run: their
/// findings, per input (index in `parts`), in input order, then segment order (never the
/// order of the patient keys, which are random).
pub fn across(parts: &mut [Part], settings: &super::Settings) -> io::Result<Vec<(usize, Finding)>> {
    let mut out = Vec::new();
    across_each(parts, settings, |i, f| {
        out.push((i, f));
        Ok(())
    })?;
    Ok(out)
}

/// [`across`], each finding handed to `each` as it is made, in the same order: what the
/// rules find is not held in memory (see [`Hits`]). Stops at the first error, of `each`
/// or of the temporary files.
pub fn across_each(
    parts: &mut [Part],
    settings: &super::Settings,
    each: impl FnMut(usize, Finding) -> io::Result<()>,
) -> io::Result<()> {
    let total: usize = parts.iter().map(|p| p.added).sum();
    let buckets = total.div_ceil(BUCKET_LINES).clamp(1, 256);
    across_in(parts, settings, buckets, Hits::new(), each)
}

/// [`across_each`] reading the lines in `buckets` buckets of patients, the hits kept in
/// `hits`: what the rules find does not depend on how many buckets (each rule looks at
/// one patient's lines, or at one line), nor on how many hits are held in memory.
fn across_in(
    parts: &mut [Part],
    settings: &super::Settings,
    buckets: usize,
    mut hits: Hits,
    mut each: impl FnMut(usize, Finding) -> io::Result<()>,
) -> io::Result<()> {
    for p in parts.iter_mut() {
        p.finish()?;
    }
    let rules = super::fixloop::Rules::of(settings).list;
    for bucket in 0..buckets {
        let lines = bucket_lines(parts, bucket, buckets)?;
        if lines.is_empty() {
            continue;
        }
        let run = Run {
            lines: &lines,
            profiles: settings.resolved.values().collect(),
        };
        for rule in &rules {
            rule.across(&run, &mut hits);
        }
    }
    let parts = &*parts;
    hits.each(|h| {
        let input = h.line.input as usize;
        each(input, finding(parts, h, |id, s| settings.severity(id, s))?)
    })
}

/// The claim-level identity `duplicate-service` compares, for `duplicate-claim-id` to
/// leave it the pairs it owns; borrowed from the transaction (compared as the patient key
/// is made, without computing it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service<'a> {
    member: &'a [u8],
    dob: &'a [u8],
    first: &'a [u8],
    payer: &'a [u8],
    npi: &'a [u8],
    days: Vec<(NaiveDate, NaiveDate)>,
}

impl<'a> Service<'a> {
    /// An original claim that can be keyed, with J2326 on known dates, a payer and a
    /// billing NPI.
    pub fn of(claim: &Claim<'a>, days: Vec<(NaiveDate, NaiveDate)>) -> Option<Self> {
        let frequency = claim.frequency.first().copied().unwrap_or(b' ');
        let original = original(claim.kind, frequency);
        let (payer, npi) = (
            claim.payer.trim_ascii(),
            claim.parties.billing_npi.trim_ascii(),
        );
        let (member, dob, first) = keyable(claim)?;
        if !original || days.is_empty() || payer.is_empty() || npi.is_empty() {
            return None;
        }
        Some(Service {
            member,
            dob,
            first,
            payer,
            npi,
            days,
        })
    }

    /// Whether `duplicate-service` reports this pair.
    pub fn duplicates(&self, o: &Service<'_>) -> bool {
        self.member.eq_ignore_ascii_case(o.member)
            && self.dob == o.dob
            && letters(self.first).eq(letters(o.first))
            && (self.payer, self.npi) == (o.payer, o.npi)
            && (self.days.iter()).any(|a| o.days.iter().any(|b| a.0 <= b.1 && b.0 <= a.1))
    }
}

/// The claims of a transaction seen so far, by CLM01 as written (trimmed): the first
/// one's CLM, as its index in the input (a pass after the first reads an edited copy,
/// whose segments are numbered otherwise), and its service identity.
pub type Earlier<'a> = std::collections::HashMap<&'a [u8], (usize, Option<Service<'a>>)>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_small_whatever_the_run() {
        // One of these per J2326 line (2 GB of synth claims hold about 1.9 million),
        // written to the part's file and read back a bucket of patients at a time.
        assert!(
            std::mem::size_of::<Line>() <= 44,
            "{}",
            std::mem::size_of::<Line>()
        );
    }

    #[test]
    fn places_are_found_by_segment_whatever_order_claims_add_them() {
        let mut part = Part::default();
        let line = |segment: u32| Line {
            key: [0; 12],
            billed: [0; 4],
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            span: 0,
            input: 0,
            segment,
            back: 0,
            flags: 0,
            profile: 0,
        };
        let place = |claim: &str| Place {
            claim: claim.into(),
            position: Position::default(),
            loop_path: None,
            service_line: None,
        };
        // Past a few blocks of the index (FENCE records each): segments 5, 8, 11...
        let n = FENCE as u32 * 3 + 17;
        for i in 0..n {
            let found = Found {
                lines: vec![(line(5 + 3 * i), place(&format!("C{i}")).record())],
                unkeyed: false,
            };
            part.add(found).unwrap();
        }
        part.finish().unwrap();
        // In any order: each block's first and last, across blocks and back.
        let f = FENCE as u32;
        for i in [
            12,
            0,
            n - 1,
            f - 1,
            f,
            2 * f + 1,
            3,
            f - 1,
            n - 2,
            2 * f - 1,
        ] {
            assert_eq!(part.place(&line(5 + 3 * i)).unwrap().claim, format!("C{i}"));
        }
        for missing in [0, 4, 7, 5 + 3 * f - 1, 5 + 3 * n] {
            assert!(part.place(&line(missing)).is_err(), "{missing}");
        }
    }

    /// Many patients' lines: the same findings whatever the number of buckets the run
    /// reads them in, and a line comes back from its file as it went in.
    #[test]
    fn buckets_change_nothing_the_rules_find() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let parts = || {
            let mut part = Part::default();
            for p in 0..40u32 {
                for (j, d) in [(0, 3), (1, 3), (2, 5)] {
                    let segment = p * 10 + j + 1;
                    let line = Line {
                        key: [(p * 37 % 256) as u8; 12],
                        billed: [1, 2, 3, 4],
                        from: day(d),
                        span: 0,
                        input: 0,
                        segment,
                        back: 0,
                        flags: KEYED | BILLED | ORIGINAL,
                        profile: 0,
                    };
                    let mut b = line.to_bytes();
                    assert_eq!(Line::from_bytes(&b), line);
                    b[0] ^= 1;
                    assert_ne!(Line::from_bytes(&b), line);
                    let place = Place {
                        claim: format!("C{segment}"),
                        position: Position {
                            segment: segment as usize,
                            ..Position::default()
                        },
                        loop_path: None,
                        service_line: None,
                    };
                    let found = Found {
                        lines: vec![(line, place.record())],
                        unkeyed: false,
                    };
                    part.add(found).unwrap();
                }
            }
            vec![part]
        };
        let settings = crate::scrub::Settings::default();
        let shown = |buckets: usize, held: usize| -> Vec<String> {
            let mut found = Vec::new();
            let hits = Hits::with_limit(held);
            across_in(&mut parts(), &settings, buckets, hits, |i, f| {
                found.push(format!(
                    "{i} {} {} {}",
                    f.rule, f.position.segment, f.message
                ));
                Ok(())
            })
            .unwrap();
            found
        };
        let one = shown(1, 1 << 20);
        assert!(one.len() >= 40, "{one:?}");
        // Buckets of patients, and hits held or spilled to the file in sorted runs.
        for buckets in [1, 2, 3, 7, 256] {
            for held in [1, 5, 1 << 20] {
                assert_eq!(shown(buckets, held), one, "{buckets} buckets, {held} held");
            }
        }
    }
}
