//! The generator: a claim description (JSON) becomes an 837 interchange, and `synth` makes
//! seeded batches of valid and deliberately broken claims with a truth file.

pub mod breaks;
pub mod build;
pub mod corpus;
pub mod description;
mod guide;
pub mod interchange;
pub mod layout;
pub mod responses;
pub mod rng;
pub mod segment;
pub mod synth;
pub mod truth;
pub mod variants;

use std::io::{self, Write};

pub use description::{Description, DescriptionError, Kind, parse, parse_as_written};
pub use interchange::{Control, Envelope, InterchangeWriter};

/// Writes the interchange for a checked description (see `description::parse`): one group,
/// one transaction holding every claim.
pub fn write<W: Write>(desc: &Description, kind: Kind, control: Control, out: W) -> io::Result<W> {
    write_with(desc, kind, control, false, out)
}

/// `write`, with the claims' values as given when `as_written` (see
/// `description::parse_as_written`): amounts keep their scale, diagnoses their point and
/// case, a given CLM02 (`total`) is written whatever the lines add up to.
pub fn write_with<W: Write>(
    desc: &Description,
    kind: Kind,
    control: Control,
    as_written: bool,
    out: W,
) -> io::Result<W> {
    let envelope = Envelope {
        submitter: desc.submitter.clone(),
        receiver: desc.receiver.clone(),
        date: desc.date.clone(),
        time: desc.time.clone(),
        usage: desc.usage.clone().unwrap_or_else(|| "T".into()),
        reference: desc.reference.clone(),
    };
    let mut w = InterchangeWriter::new(out, envelope, control)?;
    if as_written {
        w.set_as_written();
    }
    w.open_transaction(kind)?;
    for claim in &desc.claims {
        w.claim(kind, &desc.billing_provider, claim)?;
    }
    Ok(w.finish()?.0)
}
