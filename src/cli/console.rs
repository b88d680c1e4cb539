//! Standard error as the console: messages with control bytes escaped, and a progress
//! line for long inputs only when standard error is a terminal (never in a pipeline's
//! logs), always cleared before the next message.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use x837::run::Console;

/// Progress is shown every this many bytes.
const STEP: u64 = 64 << 20;

pub struct Stderr {
    terminal: bool,
    /// (next byte count to show at, whether a progress line is on screen).
    progress: Mutex<(u64, bool)>,
}

impl Stderr {
    pub fn new() -> Self {
        Stderr {
            terminal: std::io::stderr().is_terminal(),
            progress: Mutex::new((STEP, false)),
        }
    }

    fn clear(&self) {
        if let Ok(mut p) = self.progress.lock()
            && p.1
        {
            eprint!("\r\x1b[K");
            p.1 = false;
        }
    }

    /// Clears a progress line left on screen.
    pub fn finish(&self) {
        self.clear();
    }
}

/// `line` with control bytes (escape sequences among them) shown as `\xNN`.
fn escaped(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

impl Console for Stderr {
    fn say(&self, line: &str) {
        self.clear();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", escaped(line));
    }

    fn progress(&self, name: &str, read: u64, total: Option<u64>) {
        if !self.terminal {
            return;
        }
        let Ok(mut p) = self.progress.lock() else {
            return;
        };
        if read < p.0 {
            // A new input starts below the last mark.
            if read < STEP {
                p.0 = STEP;
            }
            return;
        }
        p.0 = read + STEP;
        p.1 = true;
        let name = escaped(name);
        match total {
            Some(t) if t > 0 => eprint!(
                "\r\x1b[K{name}: {} of {} MB read ({}%)",
                read >> 20,
                t >> 20,
                read * 100 / t
            ),
            _ => eprint!("\r\x1b[K{name}: {} MB read", read >> 20),
        }
    }
}
