//! Implementation guides as data: the model and the loader for `grammars/*`: the two
//! 837s and the responses sent back for them (999, 277CA, 835). The guides are embedded
//! in the binary and parsed once, on first use.

mod compiled;
mod error;
pub mod external;
mod model;
mod parse;

use std::sync::OnceLock;

pub(crate) use compiled::{LONG_ID, pack_code, pack_id};
pub use error::GrammarError;
pub use model::{DataType, ElementDef, Grammar, Kind, LoopDef, Node, Repeat, SegmentDef, Usage};
pub use parse::parse_grammar;

const PROFESSIONAL_TEXT: &str = include_str!("../../grammars/837p.x222a1.grammar");
const INSTITUTIONAL_TEXT: &str = include_str!("../../grammars/837i.x223a2.grammar");
const IMPLEMENTATION_TEXT: &str = include_str!("../../grammars/999.x231a1.grammar");
const CLAIM_ACK_TEXT: &str = include_str!("../../grammars/277ca.x214.grammar");
const REMITTANCE_TEXT: &str = include_str!("../../grammars/835.x221a1.grammar");

/// The 837P guide, 005010X222A1.
pub fn professional() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        parse_grammar(PROFESSIONAL_TEXT)
            .expect("embedded grammars/837p.x222a1.grammar parses (tested in grammar::tests)")
    })
}

/// The 837I guide, 005010X223A2.
pub fn institutional() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        parse_grammar(INSTITUTIONAL_TEXT)
            .expect("embedded grammars/837i.x223a2.grammar parses (tested in grammar::tests)")
    })
}

/// The 999 implementation acknowledgment guide, 005010X231A1.
pub fn implementation() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        parse_grammar(IMPLEMENTATION_TEXT)
            .expect("embedded grammars/999.x231a1.grammar parses (tested in grammar::tests)")
    })
}

/// The 277CA claim acknowledgment guide, 005010X214.
pub fn claim_acknowledgment() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        parse_grammar(CLAIM_ACK_TEXT)
            .expect("embedded grammars/277ca.x214.grammar parses (tested in grammar::tests)")
    })
}

/// The 835 claim payment/advice guide (the remittance), 005010X221A1.
pub fn remittance() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        parse_grammar(REMITTANCE_TEXT)
            .expect("embedded grammars/835.x221a1.grammar parses (tested in grammar::tests)")
    })
}

/// The grammar of a kind.
pub fn for_kind(kind: Kind) -> &'static Grammar {
    match kind {
        Kind::Professional => professional(),
        Kind::Institutional => institutional(),
        Kind::Implementation => implementation(),
        Kind::ClaimAcknowledgment => claim_acknowledgment(),
        Kind::Remittance => remittance(),
    }
}

/// Every grammar x837 carries.
pub fn all() -> [&'static Grammar; 5] {
    [
        professional(),
        institutional(),
        implementation(),
        claim_acknowledgment(),
        remittance(),
    ]
}

/// The grammar to read a transaction with, from GS08 (or ST03). Errata and the bare
/// guide id read with the guide x837 carries: `005010X222A2` and `005010X222` with
/// X222A1, `005010X223A3` and `005010X223` with X223A2, `005010X231` (what pyx12 writes)
/// with X231A1. Surrounding spaces and letter case are ignored. `None` for anything else
/// (an 837D, an 835, a 4010 guide).
pub fn for_version(gs08: &str) -> Option<&'static Grammar> {
    let v = gs08.trim().to_ascii_uppercase();
    match v.as_str() {
        "005010X222A1" | "005010X222A2" | "005010X222" => Some(professional()),
        "005010X223A2" | "005010X223A3" | "005010X223" => Some(institutional()),
        "005010X231A1" | "005010X231" => Some(implementation()),
        "005010X214" => Some(claim_acknowledgment()),
        "005010X221A1" => Some(remittance()),
        _ => None,
    }
}

/// The grammar for a transaction of set `st01` (`837`, `999`, `277`) under guide
/// `version` (ST03, else GS08), when x837 carries it: the guide must be one of the set's.
pub fn for_set(st01: &[u8], version: &str) -> Option<&'static Grammar> {
    for_version(version).filter(|g| g.kind.set_id().as_bytes() == st01)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(g: &Grammar) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for l in g.root.descendants() {
            if !ids.contains(&l.id.as_str()) {
                ids.push(&l.id);
            }
        }
        ids
    }

    fn segment<'g>(l: &'g LoopDef, id: &str, qualifier: &str) -> Option<&'g SegmentDef> {
        l.segments().find(|s| {
            s.id == id
                && s.qualifier()
                    .is_some_and(|(_, c)| c.iter().any(|c| c == qualifier))
        })
    }

    #[test]
    fn embedded_grammars_load() {
        assert_eq!(professional().version, "005010X222A1");
        assert_eq!(professional().kind, Kind::Professional);
        assert_eq!(institutional().version, "005010X223A2");
        assert_eq!(institutional().kind, Kind::Institutional);
    }

    #[test]
    fn versions_map_to_grammars() {
        for v in [
            "005010X222A1",
            "005010X222A2",
            "005010X222",
            " 005010x222a1 ",
        ] {
            assert_eq!(
                for_version(v).map(|g| g.kind),
                Some(Kind::Professional),
                "{v}"
            );
        }
        for v in ["005010X223A2", "005010X223A3", "005010X223"] {
            assert_eq!(
                for_version(v).map(|g| g.kind),
                Some(Kind::Institutional),
                "{v}"
            );
        }
        for v in [
            "",
            "005010X224A2",
            "004010X098A1",
            "005010X222A1X",
            "005010X221",
        ] {
            assert!(for_version(v).is_none(), "{v}");
        }
        assert_eq!(
            for_version("005010X231").map(|g| g.kind),
            Some(Kind::Implementation)
        );
        assert_eq!(
            for_set(b"277", "005010X214").map(|g| g.kind),
            Some(Kind::ClaimAcknowledgment)
        );
        assert_eq!(
            for_set(b"999", "005010X231A1").map(|g| g.kind),
            Some(Kind::Implementation)
        );
        assert!(for_set(b"837", "005010X214").is_none());
        assert_eq!(
            for_set(b"835", "005010X221A1").map(|g| g.kind),
            Some(Kind::Remittance)
        );
        assert!(for_set(b"277", "005010X221A1").is_none());
    }

    #[test]
    fn remittance_grammar_loads() {
        let g = remittance();
        assert_eq!(
            (g.version.as_str(), g.kind),
            ("005010X221A1", Kind::Remittance)
        );
        let ids: Vec<&str> = g.root.descendants().iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["ST_LOOP", "1000A", "1000B", "2000", "2100", "2110"]);
        let clp = g.find_loop("2100").expect("2100").trigger();
        assert_eq!(clp.id, "CLP");
        assert!(
            clp.element(2)
                .expect("CLP02")
                .codes
                .iter()
                .any(|c| c == "22")
        );
        let svc = g.find_loop("2110").expect("2110").trigger();
        assert_eq!(svc.id, "SVC");
        // REF*6R (the line's control number, LX01 of the 837) is one of 2110's REFs.
        assert!(segment(g.find_loop("2110").expect("2110"), "REF", "6R").is_some());
        assert!(g.root.segments().any(|s| s.id == "BPR"));
    }

    #[test]
    fn acknowledgment_grammars_load() {
        let g = implementation();
        assert_eq!(
            (g.version.as_str(), g.kind),
            ("005010X231A1", Kind::Implementation)
        );
        let ids: Vec<&str> = g.root.descendants().iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["ST_LOOP", "2000", "2100", "2110"]);
        // The two CTX of 2100 are told apart by CTX01-01.
        let ctx: Vec<&SegmentDef> = g
            .find_loop("2100")
            .expect("2100")
            .segments()
            .filter(|s| s.id == "CTX")
            .collect();
        assert_eq!(ctx.len(), 2);
        assert!(
            segment(
                g.find_loop("2100").expect("2100"),
                "CTX",
                "SITUATIONAL TRIGGER"
            )
            .is_some()
        );
        assert!(segment(g.find_loop("2100").expect("2100"), "CTX", "CLM01").is_some());
        let ik4 = g.find_loop("2110").expect("2110").trigger();
        assert_eq!(ik4.element(3).and_then(|e| e.data_element), Some(621));
        assert!(
            ik4.element(3)
                .expect("IK403")
                .codes
                .iter()
                .any(|c| c == "I12")
        );
        let c = claim_acknowledgment();
        assert_eq!(
            (c.version.as_str(), c.kind),
            ("005010X214", Kind::ClaimAcknowledgment)
        );
        let ids: Vec<&str> = c.root.descendants().iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "ST_LOOP", "2000A", "2100A", "2200A", "2000B", "2100B", "2200B", "2000C", "2100C",
                "2200C", "2000D", "2100D", "2200D", "2220D"
            ]
        );
        let stc = c
            .find_loop("2200D")
            .expect("2200D")
            .segments()
            .find(|s| s.id == "STC")
            .expect("STC");
        let stc01 = stc.element(1).expect("STC01");
        assert_eq!(
            stc01.component(1).and_then(|e| e.external.as_deref()),
            Some("claim_status_cat")
        );
        assert_eq!(
            stc01.component(2).and_then(|e| e.external.as_deref()),
            Some("claim_status")
        );
        for k in [
            Kind::Professional,
            Kind::Institutional,
            Kind::Implementation,
            Kind::ClaimAcknowledgment,
            Kind::Remittance,
        ] {
            assert_eq!(for_kind(k).kind, k);
            assert_eq!(Kind::from_letter(k.letter()), Some(k));
            assert_eq!(
                for_kind(k)
                    .root
                    .trigger()
                    .element(1)
                    .map(|e| e.codes.clone()),
                Some(vec![k.set_id().to_string()])
            );
        }
    }

    #[test]
    fn every_loop_starts_with_a_segment() {
        for g in all() {
            for l in g.root.descendants() {
                assert!(
                    matches!(l.children.first(), Some(Node::Segment(_))),
                    "{}",
                    l.id
                );
            }
        }
    }

    #[test]
    fn transaction_header_and_trailer() {
        for g in all() {
            assert_eq!(g.root.trigger().id, "ST");
            let st03 = g.root.trigger().element(3).expect("ST03");
            // The 835 guide leaves ST03 unused (its files carry the guide in GS08 only).
            let usage = if g.kind == Kind::Remittance {
                Usage::NotUsed
            } else {
                Usage::Required
            };
            assert_eq!(st03.usage, usage);
            assert!(st03.codes.contains(&g.version));
            assert_eq!(
                matches!(g.kind, Kind::Implementation | Kind::Remittance),
                !g.root.segments().any(|s| s.id == "BHT")
            );
            assert!(matches!(g.root.children.last(), Some(Node::Segment(s)) if s.id == "SE"));
        }
    }

    #[test]
    fn professional_loops() {
        let expected = [
            "ST_LOOP", "1000A", "1000B", "2000A", "2010AA", "2010AB", "2010AC", "2000B", "2010BA",
            "2010BB", "2300", "2310A", "2310B", "2310C", "2310D", "2310E", "2310F", "2320",
            "2330A", "2330B", "2330C", "2330D", "2330E", "2330F", "2330G", "2400", "2410", "2420A",
            "2420B", "2420C", "2420D", "2420E", "2420F", "2420G", "2420H", "2430", "2440", "2000C",
            "2010CA",
        ];
        assert_eq!(ids(professional()), expected);
    }

    #[test]
    fn institutional_loops() {
        let expected = [
            "ST_LOOP", "1000A", "1000B", "2000A", "2010AA", "2010AB", "2010AC", "2000B", "2010BA",
            "2010BB", "2300", "2310A", "2310B", "2310C", "2310D", "2310E", "2310F", "2320",
            "2330A", "2330B", "2330C", "2330D", "2330E", "2330F", "2330G", "2330H", "2330I",
            "2400", "2410", "2420A", "2420B", "2420C", "2420D", "2430", "2000C", "2010CA",
        ];
        assert_eq!(ids(institutional()), expected);
    }

    #[test]
    fn triggers_carry_their_qualifiers() {
        let g = professional();
        let trigger = |id: &str| g.find_loop(id).expect(id).trigger();
        let codes = |id: &str| trigger(id).qualifier().map(|(p, c)| (p, c.to_vec()));
        assert_eq!(trigger("2010AA").id, "NM1");
        assert_eq!(codes("2010AA"), Some((1, vec!["85".to_string()])));
        assert_eq!(codes("2010AB"), Some((1, vec!["87".to_string()])));
        assert_eq!(codes("2000A"), Some((3, vec!["20".to_string()])));
        assert_eq!(codes("2000B"), Some((3, vec!["22".to_string()])));
        assert_eq!(codes("2000C"), Some((3, vec!["23".to_string()])));
        assert_eq!(codes("2310B"), Some((1, vec!["82".to_string()])));
        assert_eq!(codes("2420E"), Some((1, vec!["DK".to_string()])));
        assert_eq!(codes("2330B"), Some((1, vec!["PR".to_string()])));
        assert_eq!(trigger("2320").id, "SBR");
        assert_eq!(trigger("2410").id, "LIN");
        assert_eq!(trigger("2430").id, "SVD");
        assert_eq!(trigger("2440").id, "LQ");
        // 2300 sits under both 2000B (situational) and 2000C (required).
        let usages: Vec<Usage> = g.find_loops("2300").iter().map(|l| l.usage).collect();
        assert_eq!(usages, [Usage::Situational, Usage::Required]);
    }

    #[test]
    fn qualified_variants_stay_separate() {
        let claim = professional().find_loop("2300").expect("2300");
        let dtp: Vec<&SegmentDef> = claim.segments().filter(|s| s.id == "DTP").collect();
        assert!(dtp.len() > 10);
        assert_eq!(
            segment(claim, "DTP", "431").map(|s| s.name.as_str()),
            Some("Date - Onset of Current Illness or Symptom")
        );
        assert!(segment(claim, "REF", "G1").is_some());
        assert!(segment(claim, "REF", "F8").is_some());
    }

    #[test]
    fn drug_identification_2410() {
        for g in [professional(), institutional()] {
            for drug in g.find_loops("2410") {
                let lin = drug.trigger();
                assert_eq!(lin.id, "LIN");
                let lin02 = lin.element(2).expect("LIN02");
                assert!(lin02.codes.iter().any(|c| c == "N4"));
                assert_eq!(lin.element(3).map(|e| e.max_len), Some(48));
                let ctp = drug.segments().find(|s| s.id == "CTP").expect("CTP");
                assert_eq!(ctp.element(3).map(|e| e.usage), Some(Usage::NotUsed));
                let ctp05 = ctp.element(5).expect("CTP05");
                let unit = ctp05.component(1).expect("CTP05-01");
                assert_eq!(unit.codes, ["F2", "GR", "ME", "ML", "UN"], "{}", g.version);
            }
        }
    }

    #[test]
    fn professional_service_sv1() {
        let line = professional().find_loop("2400").expect("2400");
        let sv1 = line.segments().find(|s| s.id == "SV1").expect("SV1");
        let sv101 = sv1.element(1).expect("SV101");
        assert!(sv101.is_composite());
        assert_eq!(sv101.data_type, DataType::Composite);
        let first = sv101.component(1).expect("SV101-01");
        assert_eq!(first.reference, "SV101-01");
        assert!(first.codes.iter().any(|c| c == "HC"));
        assert!(first.codes.len() > 1);
        assert_eq!(sv1.element(2).map(|e| e.data_type), Some(DataType::Decimal));
    }

    #[test]
    fn institutional_claim_2300() {
        let g = institutional();
        let claim = g.find_loop("2300").expect("2300");
        assert!(claim.segments().any(|s| s.id == "CL1"));
        let statement = segment(claim, "DTP", "434").expect("DTP*434");
        assert_eq!(statement.usage, Usage::Required);
        for q in [
            "ABK", "ABJ", "APR", "ABN", "ABF", "BBR", "BBQ", "BH", "BE", "BG",
        ] {
            let hi = segment(claim, "HI", q).unwrap_or_else(|| panic!("HI {q}"));
            assert_eq!(hi.qualifier().map(|(p, _)| p), Some(1));
        }
        let line = g.find_loop("2400").expect("2400");
        assert!(line.segments().any(|s| s.id == "SV2"));
        assert!(!line.segments().any(|s| s.id == "SV1"));
    }

    #[test]
    fn element_facts() {
        let g = professional();
        let nm1 = g.find_loop("2010AA").expect("2010AA").trigger();
        let nm103 = nm1.element(3).expect("NM103");
        assert_eq!(
            (nm103.data_type, nm103.min_len, nm103.max_len),
            (DataType::Alphanumeric, 1, 60)
        );
        let clm = g.find_loop("2300").expect("2300").trigger();
        assert_eq!(clm.id, "CLM");
        let clm05 = clm.element(5).expect("CLM05");
        assert!(clm05.is_composite());
        assert_eq!(
            clm05.component(1).and_then(|c| c.external.as_deref()),
            Some("pos")
        );
        let se01 = g
            .root
            .segments()
            .last()
            .and_then(|s| s.element(1))
            .expect("SE01");
        assert_eq!(se01.data_type, DataType::Numeric { decimals: 0 });
    }
}
