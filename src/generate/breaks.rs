//! How the X12 variants of an ordinary claim are written: edits of the claim's written
//! segments (from its subscriber HL to its last service line), each breaking one thing
//! validation checks and nothing else (`variants.rs` names the rule id each produces).

use super::description::{Kind, npi_check_digit};
use super::rng::Rng;
use crate::x12::OwnedSegment;

/// A change to one claim's written segments, applied once.
pub type SegmentEdit = Box<dyn FnOnce(&mut Vec<OwnedSegment>)>;

/// The edit for the X12 claim or hierarchy variant `name`; `None` for another name.
pub fn claim_edit(name: &str, kind: Kind, rng: &mut Rng) -> Option<SegmentEdit> {
    let professional = kind == Kind::Professional;
    let edit: SegmentEdit = match name {
        "segment-missing-hi" => Box::new(|s: &mut Vec<OwnedSegment>| s.retain(|x| x.id != b"HI")),
        "element-missing-clm07" => Box::new(|s| set_first(s, b"CLM", 7, b"")),
        "segment-order-dtp-before-sv" => Box::new(dtp_before_service),
        "segment-unknown" => Box::new(|s| insert_before_lx(s, OwnedSegment::new("ZZZ", ["1"]))),
        "code-invalid-unit-basis" => Box::new(move |s| {
            let (id, at) = service(professional);
            set_first(s, id, at.basis, b"XX");
        }),
        "element-too-long-units" => Box::new(move |s| {
            let (id, at) = service(professional);
            if let Some(sv) = s.iter_mut().find(|x| x.id == id) {
                // The same number of units in 16 characters: SV104/SV205 take at most 15.
                let units = value(sv, at.units).to_vec();
                let mut long = vec![b'0'; 16usize.saturating_sub(units.len())];
                long.extend_from_slice(&units);
                sv.set(at.units, 0, &long);
            }
        }),
        "date-invalid" => Box::new(|s| {
            if let Some(dtp) = s
                .iter_mut()
                .find(|x| x.id == b"DTP" && value(x, 1) == b"472")
            {
                // 31 February of the service year.
                let mut date = value(dtp, 3).get(..4).unwrap_or(b"2024").to_vec();
                date.extend_from_slice(b"0231");
                dtp.set(3, 0, &date);
            }
        }),
        "clm02-unbalanced" => {
            let cents = rng.range(1, 50_000);
            Box::new(move |s| clm_total_off(s, rust_decimal::Decimal::new(cents as i64, 2)))
        }
        "lx-gap" => Box::new(|s| lx_gap(s)),
        "npi-check-digit" => {
            let first9 = format!("1{}", rng.digits(8));
            let good = npi_check_digit(&first9).unwrap_or(0);
            let npi = format!("{first9}{}", (good + 1 + rng.below(9) as u8) % 10);
            Box::new(move |s| {
                let nm1 = OwnedSegment::new(
                    "NM1",
                    ["82", "1", "RENDER", "PAT", "", "", "", "XX", npi.as_str()],
                );
                insert_before_lx(s, nm1);
            })
        }
        "hl-out-of-sequence" => Box::new(|s| hl_out_of_sequence(s)),
        "hl-parent-unknown" => Box::new(|s| {
            if let Some(hl) = s.first_mut().filter(|x| x.id == b"HL") {
                hl.set(2, 0, b"999999");
            }
        }),
        _ => return None,
    };
    Some(edit)
}

/// Where the service segment keeps its unit basis and units.
struct ServiceAt {
    basis: usize,
    units: usize,
}

fn service(professional: bool) -> (&'static [u8], ServiceAt) {
    if professional {
        (b"SV1", ServiceAt { basis: 3, units: 4 })
    } else {
        (b"SV2", ServiceAt { basis: 4, units: 5 })
    }
}

/// The first component of element `n` (from 1), or empty.
fn value(s: &OwnedSegment, n: usize) -> &[u8] {
    s.elements
        .get(n.wrapping_sub(1))
        .and_then(|e| e.repetitions.first())
        .and_then(|r| r.first())
        .map_or(&[][..], Vec::as_slice)
}

fn set_first(segs: &mut [OwnedSegment], id: &[u8], n: usize, v: &[u8]) {
    if let Some(s) = segs.iter_mut().find(|s| s.id == id) {
        s.set(n, 0, v);
    }
}

fn insert_before_lx(segs: &mut Vec<OwnedSegment>, seg: OwnedSegment) {
    let at = segs
        .iter()
        .position(|s| s.id == b"LX")
        .unwrap_or(segs.len());
    segs.insert(at, seg);
}

/// The first line's DTP*472 moved before its SV1/SV2.
fn dtp_before_service(segs: &mut Vec<OwnedSegment>) {
    let Some(sv) = segs.iter().position(|s| s.id == b"SV1" || s.id == b"SV2") else {
        return;
    };
    if let Some(d) = segs[sv..]
        .iter()
        .position(|s| s.id == b"DTP" && value(s, 1) == b"472")
    {
        let dtp = segs.remove(sv + d);
        segs.insert(sv, dtp);
    }
}

/// The last line numbered one too high: 1, 2, 4.
fn lx_gap(segs: &mut [OwnedSegment]) {
    let n = segs.iter().filter(|s| s.id == b"LX").count();
    if let Some(lx) = segs.iter_mut().rev().find(|s| s.id == b"LX") {
        lx.set(1, 0, (n + 1).to_string().as_bytes());
    }
}

/// The subscriber's HL01 fifty ahead of its place, its patient's HL02 following it.
fn hl_out_of_sequence(segs: &mut [OwnedSegment]) {
    let Some(hl) = segs.first_mut().filter(|x| x.id == b"HL") else {
        return;
    };
    let old = value(hl, 1).to_vec();
    let n: u64 = std::str::from_utf8(&old)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let new = (n + 50).to_string();
    hl.set(1, 0, new.as_bytes());
    for s in segs.iter_mut().skip(1) {
        if s.id == b"HL" && value(s, 2) == old.as_slice() {
            s.set(2, 0, new.as_bytes());
        }
    }
}

/// CLM02 off by `delta` from the sum of the lines.
pub fn clm_total_off(segs: &mut [OwnedSegment], delta: rust_decimal::Decimal) {
    if let Some(clm) = segs.iter_mut().find(|s| s.id == b"CLM") {
        let total = std::str::from_utf8(value(clm, 2))
            .ok()
            .and_then(|v| v.parse::<rust_decimal::Decimal>().ok())
            .unwrap_or_default();
        clm.set(2, 0, super::build::decimal(total + delta).as_bytes());
    }
}
