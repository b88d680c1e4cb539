//! Reading inputs: a path, or `-` for standard input.

use std::io::Read;

/// Reads a whole input. `-` is standard input.
pub fn read(path: &str) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

/// The name used for an input in messages and reports.
pub fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}
