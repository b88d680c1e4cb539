//! The report formats, and which one a report path asks for.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::Path;

use super::{Report, render};

/// A report format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Text,
    Html,
}

impl Format {
    /// The format a report path's extension names: `.json` JSON, `.html` or `.htm` HTML,
    /// `.txt`, `.text` or none (`/dev/stderr`, `/dev/fd/63`, `-`) text. Any other
    /// extension is refused rather than guessed.
    pub fn for_path(path: &OsStr) -> Result<Format, String> {
        let Some(ext) = Path::new(path).extension() else {
            return Ok(Format::Text);
        };
        match ext.to_string_lossy().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "html" | "htm" => Ok(Format::Html),
            "txt" | "text" => Ok(Format::Text),
            other => Err(format!(
                "--report {}: no report format has the extension .{other} (use .json, .html, .txt, or --format)",
                path.to_string_lossy()
            )),
        }
    }

    /// Writes `report` in this format.
    pub fn render(self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Format::Json => render::json(report, out),
            Format::Text => render::text(report, out),
            Format::Html => render::html(report, out),
        }
    }
}
