//! The generator: a claim description (JSON) becomes an 837 interchange, and `synth` makes
//! seeded batches of valid and deliberately broken claims with a truth file.

pub mod build;
pub mod description;
mod guide;
pub mod interchange;
pub mod rng;
pub mod segment;
pub mod synth;

use std::io::{self, Write};

pub use description::{Description, DescriptionError, Kind, parse};
pub use interchange::{Control, Envelope, InterchangeWriter, MAX_CONTROL};

/// Writes the interchange for a checked description (see `description::parse`): one group,
/// one transaction holding every claim.
pub fn write<W: Write>(desc: &Description, kind: Kind, control: Control, out: W) -> io::Result<W> {
    let envelope = Envelope {
        submitter: desc.submitter.clone(),
        receiver: desc.receiver.clone(),
        date: desc.date.clone(),
        time: desc.time.clone(),
        usage: desc.usage.clone().unwrap_or_else(|| "T".into()),
        reference: desc.reference.clone(),
    };
    let mut w = InterchangeWriter::new(out, envelope, control)?;
    w.open_transaction(kind)?;
    for claim in &desc.claims {
        w.claim(kind, &desc.billing_provider, claim)?;
    }
    Ok(w.finish()?.0)
}
