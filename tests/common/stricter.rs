//! The rules on which x837 is stricter than pyx12 4.0.0, with why x837 is right: the
//! validation oracle (tests/oracle.rs) and the 999 comparison (tests/acks.rs) both
//! explain a disagreement with them and nothing else.

/// Rules x837 checks that pyx12 4.0.0 does not, with the reason x837 is right.
pub const STRICTER: &[(&str, &str)] = &[
    (
        "npi-check-digit",
        "NM109 under NM108 XX is a National Provider Identifier; its tenth digit is the Luhn check digit over 80840 and the first nine (45 CFR 162.406, CMS NPI check-digit standard); pyx12 only checks the length",
    ),
    (
        "claim-balance",
        "005010X222A1/X223A2 2300 CLM02: the total claim charge must equal the sum of the service line charges (SV102/SV203); pyx12 does not add them up",
    ),
    (
        "diagnosis-format",
        "005010X222A1/X223A2 HI: diagnosis codes are sent without the decimal point (the point is implied); pyx12 accepts any AN value",
    ),
    (
        "ndc-format",
        "005010X222A1/X223A2 2410 LIN03 under N4: the NDC in 11-digit 5-4-2 form without hyphens; pyx12 accepts any AN value",
    ),
];

/// Files where a specific finding explains the disagreement.
pub const STRICTER_FILES: &[(&str, &str, &str)] = &[(
    "42_apimeister_005010_837.edi",
    "code-invalid",
    "ST03 is '005010X222'; the 005010X222A1 guide requires ST03 = 005010X222A1 (pyx12's map leaves ST03 without a code list)",
)];
