//! One upload scrubbed: the file put in a temporary directory, `x837 scrub` run on it as
//! the command line runs it (so the corrected file is the same bytes), the outputs read
//! back into memory and the directory removed before the response goes.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::sync::Arc;

use crate::report::{Format, html};
use crate::run::scrub::{Options, Scrub};
use crate::run::{Lines, Status};

use super::store::Outcome;

/// What the person asked for.
#[derive(Debug, Clone)]
pub struct Ask {
    /// The upload's file name, made safe ([`safe_name`]).
    pub name: String,
    pub profile: String,
    /// Split the claims that keep an error off (`--split-rejected`).
    pub split: bool,
    // Issue 13 ("Fixing a rejected batch"): the payer's 277CA/835 for the batch comes in
    // here beside the 837, and goes to the scrub as its option does on the command line.
}

/// Why an upload gave no result, in words for the page.
#[derive(Debug)]
pub enum Refused {
    /// The person can fix it (a bad profile, a file that is not an 837): 400/422.
    Input(String),
    /// The server failed: 500.
    Server(String),
}

/// A file name for the upload's downloads: letters, digits, `.`, `-` and `_` only,
/// at most 80 of them; `upload.x12` when nothing is left.
pub fn safe_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = (base.chars())
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(80)
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "upload.x12".into() } else { s }
}

/// Scrubs `body` (at most `max` bytes, else `Input`) as `ask` says.
pub fn run(
    ask: &Ask,
    body: &mut dyn Read,
    max: u64,
    banner: &dyn Fn(&Outcome) -> String,
) -> Result<Outcome, Refused> {
    let server = |e: io::Error| Refused::Server(format!("cannot keep the upload: {e}"));
    let dir = tempfile::Builder::new()
        .prefix("x837-serve-")
        .tempdir()
        .map_err(server)?;
    // The input under its own name, apart from the outputs.
    std::fs::create_dir(dir.path().join("in")).map_err(server)?;
    let input = dir.path().join("in").join(&ask.name);
    let mut file = std::fs::File::create(&input).map_err(server)?;
    let n = io::copy(&mut body.take(max + 1), &mut file).map_err(server)?;
    file.flush().map_err(server)?;
    drop(file);
    if n > max {
        return Err(Refused::Input(format!(
            "the file is larger than this server takes ({max} bytes; see --max-upload)"
        )));
    }
    if n == 0 {
        return Err(Refused::Input("the file is empty".into()));
    }
    let corrected = dir.path().join("corrected.x12");
    let options = Options {
        files: vec![input.clone().into_os_string()],
        output: Some(corrected.clone().into_os_string()),
        profile: Some(ask.profile.clone()),
        split_rejected: ask
            .split
            .then(|| OsString::from(dir.path().join("rejected"))),
        quiet: true,
        shown_as: Some(ask.name.clone()),
        worklist: true,
        ..Options::default()
    };
    let scrub = Scrub::new(options)
        .map_err(|e| Refused::Input(shown(&e.to_string(), dir.path(), &ask.name)))?;
    let console = Lines::default();
    let mut rendered = None;
    let mut claims = 0;
    let status = scrub.run_with(&console, &mut |report| {
        claims = report.summary.claims;
        rendered = Some(render(report, ask)?);
        Ok(())
    });
    let lines: Vec<String> = (console.0.lock().map(|l| l.clone()).unwrap_or_default())
        .iter()
        .map(|l| shown(l, dir.path(), &ask.name))
        .collect();
    // A file with claims gives its worklist even when parts of it were left out (what the
    // command line says then is shown above it); one without gives the message alone.
    let (worklist, json, rejected_at) = match rendered {
        Some(r) if status != Status::Failed || claims > 0 => r,
        _ => return Err(Refused::Input(lines.join("\n"))),
    };
    let messages = if status == Status::Failed {
        lines
    } else {
        Vec::new()
    };
    let read = |p: &std::path::Path| match std::fs::read(p) {
        Ok(b) => Ok(Some(Arc::from(b))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(server(e)),
    };
    let mut outcome = Outcome {
        name: ask.name.clone(),
        profile: ask.profile.clone(),
        messages,
        page: Arc::from(&[][..]),
        worklist: Arc::from(worklist),
        json: Arc::from(json),
        corrected: read(&corrected)?,
        rejected: match rejected_at {
            Some(p) => read(std::path::Path::new(&p))?,
            None => None,
        },
    };
    outcome.page = Arc::from(with_banner(&outcome.worklist, &banner(&outcome)));
    // The directory and everything in it goes now, before the response.
    dir.close().map_err(server)?;
    Ok(outcome)
}

/// The worklist and the JSON report, the input named as uploaded; where the rejected
/// claims were written.
fn render(
    report: &mut crate::report::Report,
    ask: &Ask,
) -> io::Result<(Vec<u8>, Vec<u8>, Option<String>)> {
    let mut rejected = None;
    for input in &mut report.inputs {
        rejected = input.rejected_output.take();
        if rejected.is_some() {
            input.rejected_output = Some(format!("rejected-{}", ask.name));
        }
    }
    let mut page = Vec::new();
    html::page(report, &mut page)?;
    let mut json = Vec::new();
    Format::Json.render(report, &mut json)?;
    Ok((page, json, rejected))
}

/// The page with `banner` at the top of its main part.
fn with_banner(page: &[u8], banner: &str) -> Vec<u8> {
    let at = page
        .windows(6)
        .position(|w| w == b"<main>")
        .map_or(0, |i| i + 6);
    let mut o = Vec::with_capacity(page.len() + banner.len());
    o.extend_from_slice(&page[..at]);
    o.extend_from_slice(banner.as_bytes());
    o.extend_from_slice(&page[at..]);
    o
}

/// A message of the scrub with the temporary directory's path taken out.
fn shown(message: &str, dir: &std::path::Path, name: &str) -> String {
    let d = dir.to_string_lossy();
    message
        .replace(&format!("{d}/in/{name}"), name)
        .replace(&*d, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("claims-2026.x12"), "claims-2026.x12");
        assert_eq!(safe_name("C:\\batch\\a b<script>.edi"), "abscript.edi");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("..."), "upload.x12");
        assert_eq!(safe_name(""), "upload.x12");
        assert_eq!(safe_name(&"x".repeat(200)).len(), 80);
    }

    #[test]
    fn the_banner_goes_under_main() {
        let page = b"<html><main><p>x</p></main>";
        assert_eq!(
            with_banner(page, "<b>B</b>"),
            b"<html><main><b>B</b><p>x</p></main>".to_vec()
        );
    }
}
