//! Standard error as the console: messages with control bytes escaped, and a progress
//! line for long inputs only when standard error is a terminal (never in a pipeline's
//! logs), always cleared before the next message so the two never share a line.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use x837::run::Console;

/// Progress is shown every this many bytes.
const STEP: u64 = 64 << 20;

struct State<W> {
    out: W,
    /// The byte count at which progress is shown next.
    next: u64,
    /// A progress line is on screen.
    shown: bool,
}

/// A console over `W`; `terminal` says whether progress may be drawn.
pub struct Terminal<W: Write> {
    terminal: bool,
    state: Mutex<State<W>>,
}

/// The console of the binary.
pub type Stderr = Terminal<std::io::Stderr>;

impl Stderr {
    pub fn new() -> Self {
        Terminal::over(std::io::stderr(), std::io::stderr().is_terminal())
    }
}

impl<W: Write> Terminal<W> {
    pub fn over(out: W, terminal: bool) -> Self {
        Terminal {
            terminal,
            state: Mutex::new(State {
                out,
                next: STEP,
                shown: false,
            }),
        }
    }

    /// Clears a progress line left on screen.
    pub fn finish(&self) {
        if let Ok(mut s) = self.state.lock() {
            clear(&mut s);
        }
    }
}

fn clear<W: Write>(s: &mut State<W>) {
    if s.shown {
        let _ = s.out.write_all(b"\r\x1b[K");
        let _ = s.out.flush();
        s.shown = false;
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

impl<W: Write + Send> Console for Terminal<W> {
    fn say(&self, line: &str) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        clear(&mut s);
        let _ = writeln!(s.out, "{}", escaped(line));
        let _ = s.out.flush();
    }

    fn progress(&self, name: &str, read: u64, total: Option<u64>) {
        if !self.terminal {
            return;
        }
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        if read < s.next {
            // A new input starts below the last mark.
            if read < STEP {
                s.next = STEP;
            }
            return;
        }
        s.next = read + STEP;
        s.shown = true;
        let name = escaped(name);
        let _ = match total {
            Some(t) if t > 0 => write!(
                s.out,
                "\r\x1b[K{name}: {} of {} MB read ({}%)",
                read >> 20,
                t >> 20,
                read * 100 / t
            ),
            _ => write!(s.out, "\r\x1b[K{name}: {} MB read", read >> 20),
        };
        let _ = s.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(t: &Terminal<Vec<u8>>) -> String {
        String::from_utf8(t.state.lock().unwrap().out.clone()).unwrap()
    }

    #[test]
    fn a_summary_never_shares_the_progress_line() {
        let t = Terminal::over(Vec::new(), true);
        t.progress("big.x12", 64 << 20, None);
        t.say("big.x12: 200000 claims, 3 findings");
        let out = shown(&t);
        assert!(
            out.contains("64 MB read\r\x1b[Kbig.x12: 200000 claims"),
            "{out:?}"
        );
        assert!(out.ends_with("claims, 3 findings\n"));
    }

    #[test]
    fn no_progress_off_a_terminal_and_control_bytes_escaped() {
        let t = Terminal::over(Vec::new(), false);
        t.progress("big.x12", 1 << 30, Some(2 << 30));
        t.say("bad\x1b[31mname: x");
        assert_eq!(shown(&t), "bad\\x1b[31mname: x\n");
    }
}
