//! How a generated interchange is laid out: its four delimiters, line endings, a byte
//! order mark, fixed-width lines and indentation. The claims are the same whatever the
//! layout: `LayoutWriter` rewrites the standard form synth writes (`*`, `:`, `^`, `~` and
//! a newline), segment by segment, so only the bytes between the values change.

use std::io::{self, Write};

/// The four delimiters: ISA's element separator, ISA16, ISA11 and the terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    pub element: u8,
    pub component: u8,
    /// Written as ISA11; a repetition separator only when the lexer takes it for one.
    pub repetition: u8,
    pub segment: u8,
}

impl Separators {
    pub const STANDARD: Separators = Separators {
        element: b'*',
        component: b':',
        repetition: b'^',
        segment: b'~',
    };

    /// `ELEM,COMP,REP,TERM`: each one character, or `\n`, `\r`, `\t`, `\\`, `\xHH`.
    pub fn parse(text: &str) -> Result<Separators, String> {
        let b = text.as_bytes();
        let parts: Vec<Vec<u8>> = if b.len() == 7 && b[1] == b',' && b[3] == b',' && b[5] == b',' {
            b.iter().step_by(2).map(|&c| vec![c]).collect()
        } else {
            text.split(',').map(|p| p.as_bytes().to_vec()).collect()
        };
        if parts.len() != 4 {
            return Err("give four delimiters: ELEM,COMP,REP,TERM (e.g. `*,:,^,~`)".into());
        }
        let mut got = [0u8; 4];
        for (slot, part) in got.iter_mut().zip(&parts) {
            *slot = unescape(part)?;
        }
        let s = Separators {
            element: got[0],
            component: got[1],
            repetition: got[2],
            segment: got[3],
        };
        s.check()?;
        Ok(s)
    }

    /// Refuses a set the lexer cannot read, or one that a byte of synth's values would
    /// collide with (letters, digits, space, `.` and `-` stand in values).
    pub fn check(&self) -> Result<(), String> {
        let in_values = |c: u8| c.is_ascii_alphanumeric() || c == b' ' || c == b'.' || c == b'-';
        let printable = |c: u8| c.is_ascii_graphic();
        let name = |c: u8| crate::echo::escape(&char::from(c).to_string()).into_owned();
        for (what, c) in [
            ("element separator", self.element),
            ("ISA16", self.component),
        ] {
            if !printable(c) || in_values(c) {
                return Err(format!(
                    "{what} {} must be a printable character other than a letter, digit, `.` or `-`",
                    name(c)
                ));
            }
        }
        let t = self.segment;
        if !(t == b'\n' || t == b'\r' || printable(t)) || in_values(t) {
            return Err(format!(
                "terminator {} must be a newline, a carriage return or a printable character other than a letter, digit, `.` or `-`",
                name(t)
            ));
        }
        if !printable(self.repetition) {
            return Err(format!("ISA11 {} must be printable", name(self.repetition)));
        }
        if self.element == self.component
            || t == self.element
            || t == self.component
            || self.repetition == self.element
            || self.repetition == t
        {
            return Err(
                "the element separator, ISA16 and the terminator must differ, and ISA11 from the element separator and the terminator"
                    .into(),
            );
        }
        Ok(())
    }
}

fn unescape(part: &[u8]) -> Result<u8, String> {
    match part {
        [c] => Ok(*c),
        b"\\n" => Ok(b'\n'),
        b"\\r" => Ok(b'\r'),
        b"\\t" => Ok(b'\t'),
        b"\\\\" => Ok(b'\\'),
        [b'\\', b'x', h @ ..] if h.len() == 2 => std::str::from_utf8(h)
            .ok()
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .ok_or_else(|| "`\\x` takes two hexadecimal digits".to_string()),
        _ => Err(format!(
            "{} is not one character (escapes: \\n \\r \\t \\\\ \\xHH)",
            crate::echo::quoted(part)
        )),
    }
}

/// What follows each terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    None,
    Lf,
    CrLf,
    Cr,
}

impl LineEnding {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::None => b"",
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
            LineEnding::Cr => b"\r",
        }
    }
}

/// A whole layout. `Layout::default()` is synth's standard form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub separators: Separators,
    /// After each terminator; with `wrap`, what ends each fixed-width line instead.
    pub line_ending: LineEnding,
    /// A UTF-8 byte order mark before the ISA.
    pub bom: bool,
    /// Lines of exactly this many bytes (the last one shorter), cut anywhere.
    pub wrap: Option<usize>,
    /// Segments indented by envelope and HL level.
    pub indent: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            separators: Separators::STANDARD,
            line_ending: LineEnding::Lf,
            bom: false,
            wrap: None,
            indent: false,
        }
    }
}

impl Layout {
    pub fn is_standard(&self) -> bool {
        *self == Layout::default()
    }

    /// Refuses what cannot be laid out together.
    pub fn check(&self) -> Result<(), String> {
        self.separators.check()?;
        if let Some(n) = self.wrap {
            if n == 0 {
                return Err("--wrap takes a width of at least 1".into());
            }
            if self.indent {
                return Err("--wrap and --indent cannot go together".into());
            }
            if matches!(self.separators.segment, b'\n' | b'\r') {
                return Err("--wrap needs a terminator that is not a line break".into());
            }
        }
        Ok(())
    }

    /// The break that ends a wrapped line.
    fn wrap_break(&self) -> &'static [u8] {
        match self.line_ending {
            LineEnding::None => b"\n",
            e => e.bytes(),
        }
    }
}

/// Output is handed on in chunks of about this size.
const FLUSH_AT: usize = 1 << 16;

/// Rewrites synth's standard form into a layout, one segment behind: the last segment is
/// held until `finish`, which writes it with its terminator or, for a cut batch, without.
pub struct LayoutWriter<W: Write> {
    out: W,
    layout: Layout,
    map: [u8; 256],
    /// The segment being read, in the standard form.
    pending: Vec<u8>,
    /// The last whole segment read (its body, without `~` and the newline), when
    /// `holding`.
    held: Vec<u8>,
    holding: bool,
    buf: Vec<u8>,
    written: u64,
    segments: u64,
    started: bool,
    /// Bytes on the current wrapped line.
    column: usize,
    /// HL level of the last HL in the open transaction (0 for 20, 1 for 22, 2 for 23).
    hl: Option<usize>,
}

impl<W: Write> LayoutWriter<W> {
    pub fn new(out: W, layout: Layout) -> Self {
        let mut map = [0u8; 256];
        for (i, m) in map.iter_mut().enumerate() {
            *m = i as u8;
        }
        let s = layout.separators;
        map[usize::from(b'*')] = s.element;
        map[usize::from(b':')] = s.component;
        map[usize::from(b'^')] = s.repetition;
        LayoutWriter {
            out,
            layout,
            map,
            pending: Vec::with_capacity(256),
            held: Vec::with_capacity(256),
            holding: false,
            buf: Vec::with_capacity(FLUSH_AT + 1024),
            written: 0,
            segments: 0,
            started: false,
            column: 0,
            hl: None,
        }
    }

    fn indent_of(&mut self, id: &[u8], body: &[u8]) -> usize {
        match id {
            b"ISA" | b"IEA" => 0,
            b"GS" | b"GE" => 1,
            b"ST" | b"SE" => {
                self.hl = None;
                2
            }
            b"HL" => {
                let level = match body.split(|&b| b == b'*').nth(3) {
                    Some(b"20") => 0,
                    Some(b"22") => 1,
                    _ => 2,
                };
                self.hl = Some(level);
                3 + level
            }
            _ => self.hl.map_or(3, |l| 4 + l),
        }
    }

    /// Appends `bytes`, cut into lines when wrapping.
    fn put(&mut self, bytes: &[u8]) {
        let Some(width) = self.layout.wrap else {
            self.buf.extend_from_slice(bytes);
            return;
        };
        let brk = self.layout.wrap_break();
        let mut rest = bytes;
        while !rest.is_empty() {
            if self.column == width {
                self.buf.extend_from_slice(brk);
                self.column = 0;
            }
            let n = rest.len().min(width - self.column);
            self.buf.extend_from_slice(&rest[..n]);
            self.column += n;
            rest = &rest[n..];
        }
    }

    fn emit(&mut self, body: &[u8], terminated: bool) -> io::Result<()> {
        if !self.started {
            self.started = true;
            if self.layout.bom {
                self.buf.extend_from_slice(b"\xEF\xBB\xBF");
            }
        }
        let id_end = body.iter().position(|&b| b == b'*').unwrap_or(body.len());
        if self.layout.indent {
            let depth = self.indent_of(&body[..id_end], body);
            self.buf.resize(self.buf.len() + 2 * depth, b' ');
        }
        if self.layout.wrap.is_none() {
            let map = &self.map;
            self.buf.extend(body.iter().map(|&b| map[usize::from(b)]));
        } else {
            let mapped: Vec<u8> = body.iter().map(|&b| self.map[usize::from(b)]).collect();
            self.put(&mapped);
        }
        if terminated {
            self.put(&[self.layout.separators.segment]);
            if self.layout.wrap.is_none() {
                self.buf.extend_from_slice(self.layout.line_ending.bytes());
            }
        }
        self.segments += 1;
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.written += self.buf.len() as u64;
        let r = self.out.write_all(&self.buf);
        self.buf.clear();
        r
    }

    /// Writes the held segment (without its terminator when `cut`) and flushes; returns
    /// the output, the bytes written and the segments written.
    pub fn finish(mut self, cut: bool) -> io::Result<(W, u64, u64)> {
        if self.holding {
            let last = std::mem::take(&mut self.held);
            self.emit(&last, !cut)?;
        }
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest, false)?;
        }
        if !cut && self.layout.wrap.is_some() && self.column > 0 {
            self.buf.extend_from_slice(self.layout.wrap_break());
        }
        self.flush_buf()?;
        self.out.flush()?;
        Ok((self.out, self.written, self.segments))
    }
}

impl<W: Write> Write for LayoutWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            self.pending.extend_from_slice(&rest[..=nl]);
            rest = &rest[nl + 1..];
            // Synth's values hold no newline: this one ends a segment (`~` before it).
            let body_len = self.pending.len().saturating_sub(2);
            self.pending.truncate(body_len);
            // The pending segment is held; the one held before is written.
            std::mem::swap(&mut self.pending, &mut self.held);
            if self.holding {
                let prev = std::mem::take(&mut self.pending);
                self.emit(&prev, true)?;
                self.pending = prev;
            }
            self.holding = true;
            self.pending.clear();
        }
        self.pending.extend_from_slice(rest);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lay(layout: Layout, input: &[u8], cut: bool) -> Vec<u8> {
        let mut w = LayoutWriter::new(Vec::new(), layout);
        w.write_all(input).unwrap();
        w.finish(cut).unwrap().0
    }

    #[test]
    fn delimiters_parse_and_refuse() {
        let s = Separators::parse("|,^,>,\\n").unwrap();
        assert_eq!(
            (s.element, s.component, s.repetition, s.segment),
            (b'|', b'^', b'>', b'\n')
        );
        assert_eq!(Separators::parse("*,:,^,~").unwrap(), Separators::STANDARD);
        assert_eq!(Separators::parse("~,:,U,_").unwrap().repetition, b'U');
        assert!(Separators::parse("*,:,:,~").is_ok());
        assert_eq!(Separators::parse("\\x2c,:,^,~").unwrap().element, b',');
        for bad in [
            "*,*,^,~",
            "A,:,^,~",
            "*,:,^",
            "*,:,*,~",
            "*,:,^,.",
            "*,:,^,ab",
            "\\n,:,^,~",
        ] {
            assert!(Separators::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rewrites_segment_by_segment() {
        let input = b"ISA*00*:~\nHL*1**20*1~\nNM1*85~\nHL*2*1*22*0~\nCLM*A*1:B~\nSE*5*1~\n";
        let mut l = Layout {
            separators: Separators::parse("|,>,^,\\n").unwrap(),
            line_ending: LineEnding::None,
            ..Layout::default()
        };
        assert_eq!(
            lay(l, input, false),
            b"ISA|00|>\nHL|1||20|1\nNM1|85\nHL|2|1|22|0\nCLM|A|1>B\nSE|5|1\n".to_vec()
        );
        assert_eq!(
            lay(l, input, true),
            b"ISA|00|>\nHL|1||20|1\nNM1|85\nHL|2|1|22|0\nCLM|A|1>B\nSE|5|1".to_vec()
        );
        l = Layout {
            indent: true,
            bom: true,
            line_ending: LineEnding::CrLf,
            ..Layout::default()
        };
        let got = String::from_utf8(lay(l, input, false)).unwrap();
        assert_eq!(
            got,
            "\u{feff}ISA*00*:~\r\n      HL*1**20*1~\r\n        NM1*85~\r\n        HL*2*1*22*0~\r\n          CLM*A*1:B~\r\n    SE*5*1~\r\n"
        );
        l = Layout {
            wrap: Some(8),
            ..Layout::default()
        };
        let got = lay(l, input, false);
        assert!(got.split(|&b| b == b'\n').all(|line| line.len() <= 8));
        let joined: Vec<u8> = got.iter().copied().filter(|&b| b != b'\n').collect();
        let plain: Vec<u8> = input.iter().copied().filter(|&b| b != b'\n').collect();
        assert_eq!(joined, plain);
    }
}
