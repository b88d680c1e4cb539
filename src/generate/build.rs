//! Description to segments: the loops of one claim (2000B to 2400) and of its billing
//! provider (2000A), the 1000A/1000B header, each written into a `SegmentBuf` in guide order.

use rust_decimal::Decimal;

use super::description::{
    Address, BillingProvider, Claim, Kind, Line, Receiver, Submitter, diagnosis_code,
    split_type_of_bill,
};
use super::segment::{SegmentBuf, push_decimal};

/// X12 decimal: no trailing zeros, no exponent.
pub fn decimal(d: Decimal) -> String {
    let mut out = Vec::new();
    push_decimal(&mut out, d);
    String::from_utf8(out).unwrap_or_default()
}

/// `YYYY-MM-DD` to `CCYYMMDD`.
pub fn d8(date: &str) -> String {
    date.replace('-', "")
}

fn n3n4(out: &mut SegmentBuf, a: &Address) {
    match &a.line2 {
        Some(l2) => out.seg("N3", &[&a.line1, l2]),
        None => out.seg("N3", &[&a.line1]),
    }
    out.seg("N4", &[&a.city, &a.state, &a.zip]);
}

/// BHT then loops 1000A (submitter) and 1000B (receiver).
pub fn header(
    out: &mut SegmentBuf,
    reference: &str,
    date: &str,
    time: &str,
    submitter: &Submitter,
    receiver: &Receiver,
) {
    out.seg(
        "BHT",
        &[
            "0019",
            "00",
            reference,
            &d8(date),
            &time.replace(':', ""),
            "CH",
        ],
    );
    out.seg(
        "NM1",
        &[
            "41",
            "2",
            &submitter.name,
            "",
            "",
            "",
            "",
            "46",
            &submitter.id,
        ],
    );
    out.seg(
        "PER",
        &["IC", &submitter.contact_name, "TE", &submitter.phone],
    );
    out.seg(
        "NM1",
        &[
            "40",
            "2",
            &receiver.name,
            "",
            "",
            "",
            "",
            "46",
            &receiver.id,
        ],
    );
}

/// Loop 2000A (HL `hl`, no parent) and 2010AA.
pub fn billing_provider(out: &mut SegmentBuf, hl: u64, bp: &BillingProvider) {
    out.id("HL").el_num(hl).els(&["", "20", "1"]).end();
    out.seg("PRV", &["BI", "PXC", &bp.taxonomy]);
    out.seg("NM1", &["85", "2", &bp.name, "", "", "", "", "XX", &bp.npi]);
    n3n4(out, &bp.address);
    out.seg("REF", &["EI", &bp.tax_id]);
}

/// The sum of the line charges: CLM02.
pub fn claim_total(claim: &Claim) -> Decimal {
    claim.lines.iter().map(|l| l.charge).sum()
}

/// Loops 2000B (HL `hl`, parent `parent`), 2010BA, 2010BB, 2000C/2010CA when the patient
/// is not the subscriber, 2300 and its 2400 lines. Returns the number of HL used (1 or 2).
pub fn claim(out: &mut SegmentBuf, kind: Kind, hl: u64, parent: u64, claim: &Claim) -> u64 {
    let s = &claim.subscriber;
    let has_patient = claim.patient.is_some();
    out.id("HL")
        .el_num(hl)
        .el_num(parent)
        .els(&["22", if has_patient { "1" } else { "0" }])
        .end();
    out.seg(
        "SBR",
        &[
            s.payer_responsibility.as_deref().unwrap_or("P"),
            if has_patient { "" } else { "18" },
            s.group_number.as_deref().unwrap_or(""),
            "",
            "",
            "",
            "",
            "",
            &claim.payer.filing_indicator,
        ],
    );
    out.seg(
        "NM1",
        &[
            "IL",
            "1",
            &s.last_name,
            &s.first_name,
            "",
            "",
            "",
            "MI",
            &s.member_id,
        ],
    );
    n3n4(out, &s.address);
    if !has_patient {
        out.id("DMG")
            .el("D8")
            .el("")
            .d8(&s.birth_date)
            .el(&s.gender)
            .end();
    }
    out.seg(
        "NM1",
        &[
            "PR",
            "2",
            &claim.payer.name,
            "",
            "",
            "",
            "",
            "PI",
            &claim.payer.id,
        ],
    );
    let mut used = 1;
    if let Some(p) = &claim.patient {
        out.id("HL")
            .el_num(hl + 1)
            .el_num(hl)
            .els(&["23", "0"])
            .end();
        out.seg("PAT", &[p.relationship.code()]);
        out.seg("NM1", &["QC", "1", &p.last_name, &p.first_name]);
        n3n4(out, &p.address);
        out.id("DMG")
            .el("D8")
            .el("")
            .d8(&p.birth_date)
            .el(&p.gender)
            .end();
        used = 2;
    }
    clm(out, kind, claim);
    for (i, line) in claim.lines.iter().enumerate() {
        service_line(out, kind, i + 1, line);
    }
    used
}

fn clm(out: &mut SegmentBuf, kind: Kind, claim: &Claim) {
    out.id("CLM")
        .el(&claim.id)
        .el_decimal(claim.total.unwrap_or_else(|| claim_total(claim)))
        .els(&["", ""]);
    match kind {
        Kind::Professional => {
            out.el(claim.place_of_service.as_deref().unwrap_or("11"))
                .comp("B")
                .comp(claim.frequency.as_deref().unwrap_or("1"))
                .el("Y");
        }
        Kind::Institutional => {
            let tob = claim.type_of_bill.as_deref();
            let (facility, frequency) = match tob.and_then(split_type_of_bill) {
                Some(split) => split,
                // As written: a type of bill that does not split stands in CLM05-1.
                None if out.verbatim() => (tob.unwrap_or("13"), "1"),
                None => ("13", "1"),
            };
            out.el(facility).comp("A").comp(frequency).el("");
        }
    }
    out.els(&["A", "Y", "Y"]).end();
    if kind == Kind::Institutional {
        if let Some(per) = &claim.statement_dates {
            out.id("DTP")
                .els(&["434", "RD8", ""])
                .d8(&per.from)
                .text("-")
                .d8(&per.to)
                .end();
        }
        let status = claim.patient_status.as_deref().unwrap_or("01");
        out.seg("CL1", &["", "", status]);
    }
    if let Some(auth) = &claim.prior_authorization {
        out.seg("REF", &["G1", auth]);
    }
    match kind {
        Kind::Professional => {
            out.id("HI");
            for (i, d) in claim.diagnoses.iter().enumerate() {
                out.el(if i == 0 { "ABK" } else { "ABF" }).comp("");
                diagnosis(out, d);
            }
            out.end();
        }
        Kind::Institutional => {
            if let Some(first) = claim.diagnoses.first() {
                out.id("HI").el("ABK").comp("");
                diagnosis(out, first);
                out.end();
            }
            if claim.diagnoses.len() > 1 {
                out.id("HI");
                for d in &claim.diagnoses[1..] {
                    out.el("ABF").comp("");
                    diagnosis(out, d);
                }
                out.end();
            }
            if let Some(a) = &claim.attending {
                out.seg(
                    "NM1",
                    &[
                        "71",
                        "1",
                        &a.last_name,
                        &a.first_name,
                        "",
                        "",
                        "",
                        "XX",
                        &a.npi,
                    ],
                );
            }
        }
    }
}

/// A diagnosis code as `diagnosis_code` writes it, appended to the open component.
fn diagnosis(out: &mut SegmentBuf, code: &str) {
    if out.verbatim() || code.bytes().all(|b| b != b'.' && !b.is_ascii_lowercase()) {
        out.text(code);
    } else {
        out.text(&diagnosis_code(code));
    }
}

/// The `HC:code:mod...` composite of SV101 / SV202.
pub fn procedure(out: &mut SegmentBuf, code: &str, modifiers: &[String]) {
    out.el("HC").comp(code);
    for m in modifiers {
        out.comp(m);
    }
}

/// Loop 2400 (LX `n`, SV1 or SV2, DTP*472) and its 2410 loop.
pub fn service_line(out: &mut SegmentBuf, kind: Kind, n: usize, line: &Line) {
    out.id("LX").el_num(n as u64).end();
    let basis = line.unit_basis.as_deref().unwrap_or("UN");
    match kind {
        Kind::Professional => {
            out.id("SV1");
            procedure(out, &line.procedure, &line.modifiers);
            out.el_decimal(line.charge)
                .el(basis)
                .el_decimal(line.units)
                .el(line.place_of_service.as_deref().unwrap_or(""))
                .el("");
            if line.diagnosis_pointers.is_empty() {
                out.el("1");
            } else {
                for (i, p) in line.diagnosis_pointers.iter().enumerate() {
                    if i == 0 {
                        out.el("");
                    } else {
                        out.comp("");
                    }
                    out.num(u64::from(*p));
                }
            }
            out.end();
        }
        Kind::Institutional => {
            out.id("SV2")
                .el(line.revenue_code.as_deref().unwrap_or("0000"));
            procedure(out, &line.procedure, &line.modifiers);
            out.el_decimal(line.charge)
                .el(basis)
                .el_decimal(line.units)
                .end();
        }
    }
    out.id("DTP").els(&["472"]);
    match &line.date_to {
        Some(to) => {
            out.els(&["RD8", ""]).d8(&line.date).text("-").d8(to);
        }
        None => {
            out.els(&["D8", ""]).d8(&line.date);
        }
    }
    out.end();
    if let Some(ndc) = &line.ndc {
        out.seg("LIN", &["", "N4", &ndc.code]);
        out.id("CTP")
            .els(&["", "", ""])
            .el_decimal(ndc.quantity)
            .el(&ndc.unit)
            .end();
    }
}
