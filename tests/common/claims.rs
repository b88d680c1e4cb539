//! The edge-case language: one-claim 837P and 837I transactions built from what a case
//! changes (`Claim`, `Line`), scrubbed through the library, and the findings a case looks
//! at. Everything a case does not name comes from one valid claim, so cases differ only
//! where they say so.
//!
//! ```text
//! Claim::p837()
//!     .hi("ABK:M6281*ABF:G121")
//!     .line(Line::drug().code("J2326").units("12"))
//!     .line(Line::service("62321").on(D2))
//!     .render()
//! ```
//!
//! The render computes what a hand-written claim gets wrong: LX numbering, CLM02 (the sum
//! of the line charges) and SE01. Segments end in `~` and a newline.

use rust_decimal::Decimal;
use x837::report::{Finding, Severity};
use x837::scrub::{self, Fixes, Scrubbed, Settings};

/// The date of service of every line that does not say otherwise.
pub const D1: &str = "D8*20260110";
/// The next day.
pub const D2: &str = "D8*20260111";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// 837P, 005010X222A1: SV1 lines, CLM05 place of service.
    P,
    /// 837I, 005010X223A2: SV2 lines with a revenue code, a DTP*434 statement period.
    I,
}

/// One claim in one transaction in one interchange.
#[derive(Clone, Debug)]
pub struct Claim {
    kind: Kind,
    place: String,
    statement: String,
    prior_auth: bool,
    /// `None` until a case names its diagnoses: then one HI segment per `hi` call.
    hi: Option<Vec<String>>,
    other: Vec<String>,
    lines: Vec<Line>,
}

impl Claim {
    /// An 837P claim in an office (CLM05 `11`: at a facility place of service the facility
    /// bills the drug, see `facility-drug-professional`) with a prior authorization
    /// (REF*G1) and an SMA diagnosis (`ABK:G121`), and no lines.
    pub fn p837() -> Claim {
        Claim::new(Kind::P)
    }

    /// An 837I outpatient claim (type of bill 13) over the one day 2026-01-10, with a
    /// prior authorization, an SMA diagnosis and an attending provider, and no lines.
    pub fn i837() -> Claim {
        Claim::new(Kind::I)
    }

    fn new(kind: Kind) -> Claim {
        Claim {
            kind,
            place: "11".into(),
            statement: "20260110-20260110".into(),
            prior_auth: true,
            hi: None,
            other: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// CLM05-1, the place of service (837P).
    pub fn place(mut self, code: &str) -> Claim {
        self.place = code.into();
        self
    }

    /// The DTP*434 statement period, `CCYYMMDD-CCYYMMDD` (837I).
    pub fn statement(mut self, range: &str) -> Claim {
        self.statement = range.into();
        self
    }

    /// One HI segment, its elements as written (`ABK:G121*ABF:Z1159`); the first call
    /// replaces the default diagnosis, later ones add segments.
    pub fn hi(mut self, body: &str) -> Claim {
        self.hi
            .get_or_insert_with(Vec::new)
            .push(format!("HI*{body}"));
        self
    }

    /// Without the claim's REF*G1.
    pub fn no_prior_auth(mut self) -> Claim {
        self.prior_auth = false;
        self
    }

    /// A segment written as is after the claim's own (2320 other-payer loops, say).
    pub fn segment(mut self, text: &str) -> Claim {
        self.other.push(text.into());
        self
    }

    /// The next service line; LX01 is its place in the claim.
    pub fn line(mut self, line: Line) -> Claim {
        self.lines.push(line);
        self
    }

    /// The next service lines.
    pub fn lines(self, lines: impl IntoIterator<Item = Line>) -> Claim {
        lines.into_iter().fold(self, Claim::line)
    }

    /// The interchange, ISA to IEA.
    pub fn render(&self) -> String {
        let (guide, taxonomy) = match self.kind {
            Kind::P => ("005010X222A1", "2084N0400X"),
            Kind::I => ("005010X223A2", "282N00000X"),
        };
        let total: Decimal = self
            .lines
            .iter()
            .map(|l| {
                l.charge
                    .parse::<Decimal>()
                    .unwrap_or_else(|e| panic!("charge {}: {e}", l.charge))
            })
            .sum();
        let mut tx: Vec<String> = vec![
            format!("ST*837*0001*{guide}"),
            "BHT*0019*00*BATCH0001*20260115*1200*CH".into(),
            "NM1*41*2*NEUROLOGY INFUSION CLINIC*****46*X837SUBMIT".into(),
            "PER*IC*BILLING OFFICE*TE*5555550100".into(),
            "NM1*40*2*EXAMPLE PAYER CLEARINGHOUSE*****46*X837RECEIVE".into(),
            "HL*1**20*1".into(),
            format!("PRV*BI*PXC*{taxonomy}"),
            "NM1*85*2*NEUROLOGY INFUSION CLINIC*****XX*1234567893".into(),
            "N3*100 MAIN STREET".into(),
            "N4*SPRINGFIELD*IL*627010001".into(),
            "REF*EI*123456789".into(),
            "HL*2*1*22*0".into(),
            "SBR*P*18*GRP001******CI".into(),
            "NM1*IL*1*DOE*JANE****MI*MEMBER0001".into(),
            "N3*200 OAK AVENUE".into(),
            "N4*SPRINGFIELD*IL*627020002".into(),
            "DMG*D8*20150301*F".into(),
            "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*PAYER01".into(),
        ];
        match self.kind {
            Kind::P => tx.push(format!(
                "CLM*CLAIM0001*{total}***{}:B:1*Y*A*Y*Y",
                self.place
            )),
            Kind::I => {
                tx.push(format!("CLM*CLAIM0001*{total}***13:A:1**A*Y*Y"));
                tx.push(format!("DTP*434*RD8*{}", self.statement));
                tx.push("CL1*3**01".into());
            }
        }
        if self.prior_auth {
            tx.push("REF*G1*PA20260001".into());
        }
        match &self.hi {
            Some(hi) => tx.extend(hi.iter().cloned()),
            None => tx.push("HI*ABK:G121".into()),
        }
        if self.kind == Kind::I {
            tx.push("NM1*71*1*SMITH*ANNA****XX*1234567893".into());
        }
        tx.extend(self.other.iter().cloned());
        for (n, line) in self.lines.iter().enumerate() {
            tx.push(format!("LX*{}", n + 1));
            line.segments(self.kind, &mut tx);
        }
        tx.push(format!("SE*{}*0001", tx.len() + 1));
        let mut out = String::from(
            "ISA*00*          *00*          *ZZ*X837SUBMIT     *ZZ*X837RECEIVE    *260115*1200*^*00501*000000101*0*T*:~\n",
        );
        out.push_str(&format!(
            "GS*HC*X837SUBMIT*X837RECEIVE*20260115*1200*101*X*{guide}~\n"
        ));
        for s in tx {
            out.push_str(&s);
            out.push_str("~\n");
        }
        out.push_str("GE*1*101~\nIEA*1*000000101~\n");
        out
    }
}

/// One service line: SV1 (837P) or SV2 (837I), its DTP*472, line REFs and its drug
/// identification (LIN, CTP).
#[derive(Clone, Debug)]
pub struct Line {
    code: String,
    charge: String,
    units: String,
    /// SV105 (837P).
    place: String,
    /// SV107 (837P).
    pointer: String,
    /// SV201 (837I).
    revenue: String,
    date: Option<String>,
    refs: Vec<String>,
    ndc: Option<(String, String)>,
    quantity: Option<(String, String)>,
}

impl Line {
    /// A J2326 (nusinersen) dose with the JZ modifier: 120 units, 12500, on `D1`, with
    /// its 11-digit NDC under N4 and 5 mL (revenue code 0636 on 837I).
    pub fn drug() -> Line {
        Line {
            code: "J2326:JZ".into(),
            charge: "12500".into(),
            units: "120".into(),
            place: String::new(),
            pointer: "1".into(),
            revenue: "0636".into(),
            date: Some(D1.into()),
            refs: Vec::new(),
            ndc: Some(("N4".into(), "64406005801".into())),
            quantity: Some(("5".into(), "ML".into())),
        }
    }

    /// Another service, `code` with its modifiers (`99213:25`): one unit, 100, on `D1`,
    /// no drug (revenue code 0361 on 837I).
    pub fn service(code: &str) -> Line {
        Line {
            code: code.into(),
            charge: "100".into(),
            units: "1".into(),
            place: String::new(),
            pointer: "1".into(),
            revenue: "0361".into(),
            date: Some(D1.into()),
            refs: Vec::new(),
            ndc: None,
            quantity: None,
        }
    }

    /// The intrathecal administration a dose goes with (62321, the default profile's
    /// code), on `D1`.
    pub fn admin() -> Line {
        Line::service("62321")
    }

    /// The HCPCS/CPT code and modifiers after `HC:` (`J2326:KX:59`).
    pub fn code(mut self, code: &str) -> Line {
        self.code = code.into();
        self
    }

    pub fn charge(mut self, charge: &str) -> Line {
        self.charge = charge.into();
        self
    }

    pub fn units(mut self, units: &str) -> Line {
        self.units = units.into();
        self
    }

    /// SV105, the line's place of service (837P).
    pub fn place(mut self, code: &str) -> Line {
        self.place = code.into();
        self
    }

    /// SV107, the diagnosis pointers (`1:2`) (837P).
    pub fn pointer(mut self, pointer: &str) -> Line {
        self.pointer = pointer.into();
        self
    }

    /// SV201, the revenue code (837I).
    pub fn revenue(mut self, code: &str) -> Line {
        self.revenue = code.into();
        self
    }

    /// The DTP*472 date as qualifier and value (`D8*20260110`, `RD8*20260101-20260131`).
    pub fn on(mut self, date: &str) -> Line {
        self.date = Some(date.into());
        self
    }

    /// Without a DTP*472.
    pub fn undated(mut self) -> Line {
        self.date = None;
        self
    }

    /// A line REF*G1, prior authorization.
    pub fn prior_auth(mut self, number: &str) -> Line {
        self.refs.push(format!("REF*G1*{number}"));
        self
    }

    /// LIN02 and LIN03, the product id as written (`N2`, `6440605801`).
    pub fn ndc(mut self, qualifier: &str, id: &str) -> Line {
        self.ndc = Some((qualifier.into(), id.into()));
        self
    }

    /// Without its 2410 loop (no LIN, no CTP).
    pub fn no_ndc(mut self) -> Line {
        self.ndc = None;
        self.quantity = None;
        self
    }

    /// CTP04 and CTP05-1, the drug quantity and its unit; an empty unit leaves CTP05 out.
    pub fn quantity(mut self, quantity: &str, unit: &str) -> Line {
        self.quantity = Some((quantity.into(), unit.into()));
        self
    }

    fn segments(&self, kind: Kind, out: &mut Vec<String>) {
        out.push(match kind {
            Kind::P => format!(
                "SV1*HC:{}*{}*UN*{}*{}**{}",
                self.code, self.charge, self.units, self.place, self.pointer
            ),
            Kind::I => format!(
                "SV2*{}*HC:{}*{}*UN*{}",
                self.revenue, self.code, self.charge, self.units
            ),
        });
        if let Some(d) = &self.date {
            out.push(format!("DTP*472*{d}"));
        }
        out.extend(self.refs.iter().cloned());
        if let Some((qualifier, id)) = &self.ndc {
            out.push(format!("LIN**{qualifier}*{id}"));
        }
        match &self.quantity {
            Some((q, u)) if u.is_empty() => out.push(format!("CTP****{q}")),
            Some((q, u)) => out.push(format!("CTP****{q}*{u}")),
            None => {}
        }
    }
}

/// Settings with `fixes` and nothing else changed.
pub fn fixes(fixes: Fixes) -> Settings {
    Settings::new(None, fixes, None).expect("settings")
}

/// Settings of the named payer profile.
pub fn profile(name: &str) -> Settings {
    Settings::new(Some(name), Fixes::All, None).expect("profile")
}

/// Scrubs `input`, which must read to the end.
pub fn scrub(input: impl AsRef<[u8]>, settings: &Settings) -> Scrubbed {
    let s = scrub::scrub(input.as_ref(), "t", settings);
    assert!(s.error.is_none(), "{:?}", s.error);
    s
}

/// Scrubs `input` with every fix, and checks that its output scrubs with nothing more
/// to fix.
pub fn settle(input: impl AsRef<[u8]>) -> Scrubbed {
    let s = scrub(input, &Settings::default());
    let again = scrub(&s.output, &Settings::default());
    assert_eq!(again.fixed(), 0, "not idempotent: {:#?}", again.findings);
    s
}

/// The corrected EDI as text.
pub fn output(s: &Scrubbed) -> &str {
    std::str::from_utf8(&s.output).expect("output is UTF-8")
}

/// A finding's rule id as text, whatever type `Finding::rule` has.
pub fn rule_of(f: &Finding) -> String {
    f.rule.to_string()
}

/// `(severity, fixed)` of each finding of `rule`, in report order.
pub fn hits(s: &Scrubbed, rule: &str) -> Vec<(Severity, bool)> {
    s.findings
        .iter()
        .filter(|f| rule_of(f) == rule)
        .map(|f| (f.severity, f.fixed))
        .collect()
}

/// `(severity, fixed, LX01)` of each finding of `rule`; `""` for one on the claim.
pub fn hits_on_lines<'s>(s: &'s Scrubbed, rule: &str) -> Vec<(Severity, bool, &'s str)> {
    s.findings
        .iter()
        .filter(|f| rule_of(f) == rule)
        .map(|f| (f.severity, f.fixed, f.service_line.as_deref().unwrap_or("")))
        .collect()
}

/// The first finding of `rule`.
pub fn first<'s>(s: &'s Scrubbed, rule: &str) -> &'s Finding {
    s.findings
        .iter()
        .find(|f| rule_of(f) == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {:#?}", s.findings))
}

/// An error left open, an error fixed, a warning left open: what `hits` lists.
pub const OPEN: (Severity, bool) = (Severity::Error, false);
pub const FIXED: (Severity, bool) = (Severity::Error, true);
pub const WARN: (Severity, bool) = (Severity::Warning, false);

/// `hit` on service line `lx` (`""` for the claim), as `hits_on_lines` lists it.
pub fn on(hit: (Severity, bool), lx: &str) -> (Severity, bool, &str) {
    (hit.0, hit.1, lx)
}
