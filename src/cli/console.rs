//! Standard error as the console: messages with control bytes escaped (then coloured, when
//! asked), and a progress bar only when standard error is a terminal (never in a
//! pipeline's logs), suspended while a message is written so the two never share a line.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use x837::run::Console;

/// Whether messages are coloured (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    /// When standard error is a terminal and `NO_COLOR` is not set.
    Auto,
    Always,
    Never,
}

impl ColorArg {
    /// Whether to colour, given whether standard error is a terminal and `NO_COLOR`.
    pub fn applies(self, terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorArg::Always => true,
            ColorArg::Never => false,
            // https://no-color.org: set and not empty.
            ColorArg::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }
}

/// Counts behind the bar's message.
#[derive(Default)]
struct Done {
    files: usize,
    of: usize,
    claims: usize,
}

/// A console over `W`.
pub struct Terminal<W: Write> {
    color: bool,
    /// The bar, when standard error is a terminal; drawn only once a run starts.
    bar: Option<ProgressBar>,
    state: Mutex<(W, Done)>,
}

/// The console of the binary.
pub type Stderr = Terminal<std::io::Stderr>;

impl Stderr {
    /// The console of standard error; `quiet` draws no bar.
    pub fn new(color: ColorArg, quiet: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let color = color.applies(terminal, std::env::var_os("NO_COLOR").as_deref());
        let bar = (terminal && !quiet)
            .then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()));
        Terminal::over(std::io::stderr(), color, bar)
    }
}

impl<W: Write> Terminal<W> {
    pub fn over(out: W, color: bool, bar: Option<ProgressBar>) -> Self {
        Terminal {
            color,
            bar,
            state: Mutex::new((out, Done::default())),
        }
    }

    /// Takes the bar off the screen, for good.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
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

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const BOLD_RED: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// `line` (already escaped) with what a person looks for coloured: x837's own errors,
/// the severity of a finding, and remaining errors and warnings.
fn coloured(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("x837: ") {
        return format!("{BOLD_RED}x837:{RESET} {rest}");
    }
    let mut out = line.to_string();
    for (word, colour) in [(": error [", RED), (": warning [", YELLOW)] {
        if let Some(at) = out.find(word) {
            let w = &word[2..word.len() - 2];
            out = format!(
                "{}: {colour}{w}{RESET} [{}",
                &out[..at],
                &out[at + word.len()..]
            );
            break;
        }
    }
    // "3 errors and 1 warnings remain", "0 errors, 0 warnings".
    let words: Vec<&str> = out.split(' ').collect();
    let mut rebuilt = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(|n| n.trim_end_matches([',', ';']));
        let colour = match (w.parse::<u64>(), next) {
            (Ok(0), Some("errors" | "warnings")) => Some(GREEN),
            (Ok(_), Some("errors")) => Some(RED),
            (Ok(_), Some("warnings")) => Some(YELLOW),
            _ => None,
        };
        match colour {
            Some(c) => rebuilt.push(format!("{c}{w}{RESET}")),
            None => rebuilt.push((*w).to_string()),
        }
    }
    rebuilt.join(" ")
}

impl<W: Write + Send> Console for Terminal<W> {
    fn say(&self, line: &str) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        let mut text = escaped(line);
        if self.color {
            text = coloured(&text);
        }
        let out = &mut s.0;
        let mut write = || {
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        };
        match &self.bar {
            Some(b) => b.suspend(write),
            None => write(),
        }
    }

    fn start(&self, files: usize, bytes: Option<u64>) {
        let Some(b) = &self.bar else {
            return;
        };
        if let Ok(mut s) = self.state.lock() {
            s.1 = Done {
                of: files,
                ..Done::default()
            };
        }
        let template = match bytes {
            Some(_) => {
                "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} {eta} left {msg}"
            }
            None => "{elapsed_precise} {spinner} {bytes} {binary_bytes_per_sec} {msg}",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_length(bytes.unwrap_or(0));
        b.set_message(format!("0/{files} files"));
        b.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
        b.enable_steady_tick(Duration::from_millis(250));
    }

    fn read(&self, bytes: u64) {
        if let Some(b) = &self.bar {
            b.inc(bytes);
        }
    }

    fn done(&self, claims: usize) {
        let Some(b) = &self.bar else {
            return;
        };
        if let Ok(mut s) = self.state.lock() {
            s.1.files += 1;
            s.1.claims += claims;
            let d = &s.1;
            b.set_message(format!("{}/{} files, {} claims", d.files, d.of, d.claims));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(t: &Terminal<Vec<u8>>) -> String {
        String::from_utf8(t.state.lock().unwrap().0.clone()).unwrap()
    }

    #[test]
    fn a_summary_waits_for_the_bar_to_step_aside() {
        let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::hidden());
        let t = Terminal::over(Vec::new(), false, Some(bar));
        t.start(2, Some(100));
        t.read(50);
        t.done(7);
        t.say("big.x12: 200000 claims, 3 findings");
        assert_eq!(shown(&t), "big.x12: 200000 claims, 3 findings\n");
        let b = t.bar.as_ref().unwrap();
        assert_eq!(b.position(), 50);
        assert_eq!(b.message(), "1/2 files, 7 claims");
        t.finish();
        assert!(b.is_finished());
    }

    #[test]
    fn no_bar_off_a_terminal_and_control_bytes_escaped() {
        let t = Terminal::over(Vec::new(), false, None);
        t.start(1, Some(1 << 30));
        t.read(1 << 20);
        t.say("bad\x1b[31mname: x");
        assert_eq!(shown(&t), "bad\\x1b[31mname: x\n");
    }

    #[test]
    fn colours_only_what_x837_says_and_never_the_input() {
        let t = Terminal::over(Vec::new(), true, None);
        t.say("x837: in.x12: cannot read: gone");
        t.say("in.x12: 3 claims, 2 findings, 1 fixed; 1 errors and 0 warnings remain");
        t.say("in.x12: segment 4 (line 5, byte 90): warning [ndc-format]: \x1b[2J");
        let out = shown(&t);
        assert!(out.starts_with("\x1b[1;31mx837:\x1b[0m in.x12"), "{out:?}");
        assert!(
            out.contains("\x1b[31m1\x1b[0m errors and \x1b[32m0\x1b[0m warnings"),
            "{out:?}"
        );
        assert!(
            out.contains(": \x1b[33mwarning\x1b[0m [ndc-format]: \\x1b[2J"),
            "{out:?}"
        );
    }

    #[test]
    fn no_color_is_honoured_unless_colour_is_asked_for() {
        use std::ffi::OsStr;
        assert!(ColorArg::Auto.applies(true, None));
        assert!(ColorArg::Auto.applies(true, Some(OsStr::new(""))));
        assert!(!ColorArg::Auto.applies(true, Some(OsStr::new("1"))));
        assert!(!ColorArg::Auto.applies(false, None));
        assert!(ColorArg::Always.applies(false, Some(OsStr::new("1"))));
        assert!(!ColorArg::Never.applies(true, None));
    }
}
