//! Description to segments: the loops of one claim (2000B to 2400) and of its billing
//! provider (2000A), the 1000A/1000B header, each an `OwnedSegment` in guide order.

use rust_decimal::Decimal;

use super::description::{
    Address, BillingProvider, Claim, Kind, Line, Receiver, Submitter, diagnosis_code,
    split_type_of_bill,
};
use crate::x12::{OwnedElement, OwnedSegment};

/// X12 decimal: no trailing zeros, no exponent.
pub fn decimal(d: Decimal) -> String {
    d.normalize().to_string()
}

/// `YYYY-MM-DD` to `CCYYMMDD`.
pub fn d8(date: &str) -> String {
    date.replace('-', "")
}

fn seg(id: &str, elements: &[&str]) -> OwnedSegment {
    OwnedSegment::new(id, elements.iter().copied())
}

fn n3n4(out: &mut Vec<OwnedSegment>, a: &Address) {
    match &a.line2 {
        Some(l2) => out.push(seg("N3", &[&a.line1, l2])),
        None => out.push(seg("N3", &[&a.line1])),
    }
    out.push(seg("N4", &[&a.city, &a.state, &a.zip]));
}

/// BHT then loops 1000A (submitter) and 1000B (receiver).
pub fn header(
    out: &mut Vec<OwnedSegment>,
    reference: &str,
    date: &str,
    time: &str,
    submitter: &Submitter,
    receiver: &Receiver,
) {
    out.push(seg(
        "BHT",
        &[
            "0019",
            "00",
            reference,
            &d8(date),
            &time.replace(':', ""),
            "CH",
        ],
    ));
    out.push(seg(
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
    ));
    out.push(seg(
        "PER",
        &["IC", &submitter.contact_name, "TE", &submitter.phone],
    ));
    out.push(seg(
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
    ));
}

/// Loop 2000A (HL `hl`, no parent) and 2010AA.
pub fn billing_provider(out: &mut Vec<OwnedSegment>, hl: u64, bp: &BillingProvider) {
    out.push(seg("HL", &[&hl.to_string(), "", "20", "1"]));
    out.push(seg("PRV", &["BI", "PXC", &bp.taxonomy]));
    out.push(seg(
        "NM1",
        &["85", "2", &bp.name, "", "", "", "", "XX", &bp.npi],
    ));
    n3n4(out, &bp.address);
    out.push(seg("REF", &["EI", &bp.tax_id]));
}

/// The sum of the line charges: CLM02.
pub fn claim_total(claim: &Claim) -> Decimal {
    claim.lines.iter().map(|l| l.charge).sum()
}

/// Loops 2000B (HL `hl`, parent `parent`), 2010BA, 2010BB, 2000C/2010CA when the patient
/// is not the subscriber, 2300 and its 2400 lines. Returns the number of HL used (1 or 2).
pub fn claim(out: &mut Vec<OwnedSegment>, kind: Kind, hl: u64, parent: u64, claim: &Claim) -> u64 {
    let s = &claim.subscriber;
    let has_patient = claim.patient.is_some();
    out.push(seg(
        "HL",
        &[
            &hl.to_string(),
            &parent.to_string(),
            "22",
            if has_patient { "1" } else { "0" },
        ],
    ));
    out.push(seg(
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
    ));
    out.push(seg(
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
    ));
    n3n4(out, &s.address);
    if !has_patient {
        out.push(seg("DMG", &["D8", &d8(&s.birth_date), &s.gender]));
    }
    out.push(seg(
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
    ));
    let mut used = 1;
    if let Some(p) = &claim.patient {
        out.push(seg(
            "HL",
            &[&(hl + 1).to_string(), &hl.to_string(), "23", "0"],
        ));
        out.push(seg("PAT", &[p.relationship.code()]));
        out.push(seg("NM1", &["QC", "1", &p.last_name, &p.first_name]));
        n3n4(out, &p.address);
        out.push(seg("DMG", &["D8", &d8(&p.birth_date), &p.gender]));
        used = 2;
    }
    clm(out, kind, claim);
    for (i, line) in claim.lines.iter().enumerate() {
        service_line(out, kind, i + 1, line);
    }
    used
}

fn clm(out: &mut Vec<OwnedSegment>, kind: Kind, claim: &Claim) {
    let total = decimal(claim_total(claim));
    let (clm05, signature) = match kind {
        Kind::Professional => (
            OwnedElement::composite([
                claim.place_of_service.as_deref().unwrap_or("11"),
                "B",
                claim.frequency.as_deref().unwrap_or("1"),
            ]),
            "Y",
        ),
        Kind::Institutional => {
            let (facility, frequency) = claim
                .type_of_bill
                .as_deref()
                .and_then(split_type_of_bill)
                .unwrap_or(("13", "1"));
            (OwnedElement::composite([facility, "A", frequency]), "")
        }
    };
    let mut c = OwnedSegment::new("CLM", [claim.id.as_str(), &total, "", ""]);
    c.elements.push(clm05);
    for e in [signature, "A", "Y", "Y"] {
        c.elements.push(OwnedElement::simple(e));
    }
    out.push(c);
    if kind == Kind::Institutional {
        if let Some(per) = &claim.statement_dates {
            let range = format!("{}-{}", d8(&per.from), d8(&per.to));
            out.push(seg("DTP", &["434", "RD8", &range]));
        }
        let status = claim.patient_status.as_deref().unwrap_or("01");
        out.push(seg("CL1", &["", "", status]));
    }
    if let Some(auth) = &claim.prior_authorization {
        out.push(seg("REF", &["G1", auth]));
    }
    let codes: Vec<String> = claim.diagnoses.iter().map(|d| diagnosis_code(d)).collect();
    match kind {
        Kind::Professional => {
            let mut hi = OwnedSegment::new("HI", Vec::<Vec<u8>>::new());
            for (i, code) in codes.iter().enumerate() {
                let q = if i == 0 { "ABK" } else { "ABF" };
                hi.elements
                    .push(OwnedElement::composite([q, code.as_str()]));
            }
            out.push(hi);
        }
        Kind::Institutional => {
            if let Some(first) = codes.first() {
                let mut hi = OwnedSegment::new("HI", Vec::<Vec<u8>>::new());
                hi.elements
                    .push(OwnedElement::composite(["ABK", first.as_str()]));
                out.push(hi);
            }
            if codes.len() > 1 {
                let mut hi = OwnedSegment::new("HI", Vec::<Vec<u8>>::new());
                for code in &codes[1..] {
                    hi.elements
                        .push(OwnedElement::composite(["ABF", code.as_str()]));
                }
                out.push(hi);
            }
            if let Some(a) = &claim.attending {
                out.push(seg(
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
                ));
            }
        }
    }
}

/// The `HC:code:mod...` composite of SV101 / SV202.
pub fn procedure(code: &str, modifiers: &[String]) -> OwnedElement {
    let mut comps: Vec<Vec<u8>> = vec![b"HC".to_vec(), code.as_bytes().to_vec()];
    comps.extend(modifiers.iter().map(|m| m.as_bytes().to_vec()));
    OwnedElement {
        repetitions: vec![comps],
    }
}

/// Loop 2400 (LX `n`, SV1 or SV2, DTP*472) and its 2410 loop.
pub fn service_line(out: &mut Vec<OwnedSegment>, kind: Kind, n: usize, line: &Line) {
    out.push(seg("LX", &[&n.to_string()]));
    let charge = decimal(line.charge);
    let units = decimal(line.units);
    let basis = line.unit_basis.as_deref().unwrap_or("UN");
    match kind {
        Kind::Professional => {
            let mut sv = OwnedSegment {
                id: b"SV1".to_vec(),
                ..OwnedSegment::default()
            };
            sv.elements
                .push(procedure(&line.procedure, &line.modifiers));
            for e in [
                charge.as_str(),
                basis,
                &units,
                line.place_of_service.as_deref().unwrap_or(""),
                "",
            ] {
                sv.elements.push(OwnedElement::simple(e));
            }
            let pointers: Vec<String> = if line.diagnosis_pointers.is_empty() {
                vec!["1".into()]
            } else {
                line.diagnosis_pointers.iter().map(u8::to_string).collect()
            };
            sv.elements.push(OwnedElement::composite(pointers));
            out.push(sv);
        }
        Kind::Institutional => {
            let mut sv = OwnedSegment {
                id: b"SV2".to_vec(),
                ..OwnedSegment::default()
            };
            sv.elements.push(OwnedElement::simple(
                line.revenue_code.as_deref().unwrap_or("0000"),
            ));
            sv.elements
                .push(procedure(&line.procedure, &line.modifiers));
            for e in [charge.as_str(), basis, &units] {
                sv.elements.push(OwnedElement::simple(e));
            }
            out.push(sv);
        }
    }
    match &line.date_to {
        Some(to) => {
            let range = format!("{}-{}", d8(&line.date), d8(to));
            out.push(seg("DTP", &["472", "RD8", &range]));
        }
        None => out.push(seg("DTP", &["472", "D8", &d8(&line.date)])),
    }
    if let Some(ndc) = &line.ndc {
        out.push(seg("LIN", &["", "N4", &ndc.code]));
        let mut ctp = OwnedSegment::new("CTP", ["", "", "", &decimal(ndc.quantity)]);
        ctp.elements
            .push(OwnedElement::composite([ndc.unit.as_str()]));
        out.push(ctp);
    }
}
