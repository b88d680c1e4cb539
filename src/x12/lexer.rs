//! The lexer: finds every segment of an input, with the delimiters of its interchange.
//!
//! It knows X12 syntax and nothing about 837. Segments are borrowed; nothing is allocated.

use super::delimiters::{Delimiters, IsaProblem, read_isa, starts_with_isa};
use super::error::{LexError, Location};
use super::segment::Segment;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether `bytes[i]` ends a line: LF, or a CR not followed by LF (old Mac line ends).
fn is_break(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\n' => true,
        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

pub(crate) fn is_trivia(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C)
}

/// An iterator over the segments of one input.
///
/// The first item is an error when the input is not X12 (anything but a BOM and white
/// space before the first `ISA`). A later ISA that cannot give delimiters ends the
/// iteration with an error; the segments before it stand.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    input: &'a [u8],
    /// Byte offset of `input[0]` in the whole stream.
    base: usize,
    pos: usize,
    index: usize,
    line: u32,
    delimiters: Option<Delimiters>,
    prefix_len: usize,
    done: bool,
    /// More input may follow `input`: a segment that reaches its end is not read yet.
    partial: bool,
}

/// Where a lexer stands between two blocks of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LexState {
    /// Byte offset in the stream.
    pub offset: usize,
    /// Index of the next segment.
    pub index: usize,
    /// Line of the next byte.
    pub line: u32,
    /// The delimiters of the interchange being read, once an ISA was read.
    pub delimiters: Option<Delimiters>,
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        let mut pos = 0;
        let mut line = 1;
        if input.starts_with(BOM) {
            pos = BOM.len();
        }
        while pos < input.len() && is_trivia(input[pos]) {
            if input[pos] == b'\n' {
                line += 1;
            }
            pos += 1;
        }
        Lexer {
            input,
            base: 0,
            pos,
            index: 0,
            line,
            delimiters: None,
            prefix_len: pos,
            done: false,
            partial: false,
        }
    }

    /// A lexer over the first block of a stream: like `new`, but a segment that reaches
    /// the end of `input` is left for the next block when `partial`.
    pub fn first_block(input: &'a [u8], partial: bool) -> Self {
        Lexer {
            partial,
            ..Lexer::new(input)
        }
    }

    /// A lexer over a later block of a stream, from where the previous block stopped.
    pub fn resume(input: &'a [u8], state: LexState, partial: bool) -> Self {
        Lexer {
            input,
            base: state.offset,
            pos: 0,
            index: state.index,
            line: state.line.max(1),
            delimiters: state.delimiters,
            prefix_len: 0,
            done: false,
            partial,
        }
    }

    /// Where the lexer stands: the state to resume the next block with.
    pub fn state(&self) -> LexState {
        LexState {
            offset: self.base + self.pos,
            index: self.index,
            line: self.line,
            delimiters: self.delimiters,
        }
    }

    /// Bytes of `input` read so far (segments returned and the prefix).
    pub fn consumed(&self) -> usize {
        self.pos
    }

    /// A lexer over segments of an interchange whose ISA was read elsewhere: `input`
    /// starts at a segment and uses `delimiters`. Used to re-read an edited transaction.
    pub fn continuing(input: &'a [u8], delimiters: Delimiters) -> Self {
        Lexer {
            input,
            base: 0,
            pos: 0,
            index: 0,
            line: 1,
            delimiters: Some(delimiters),
            prefix_len: 0,
            done: false,
            partial: false,
        }
    }

    /// The BOM and white space before the first segment, kept for writing back.
    pub fn prefix(&self) -> &'a [u8] {
        &self.input[..self.prefix_len]
    }

    /// The delimiters of the interchange being read.
    pub fn delimiters(&self) -> Option<Delimiters> {
        self.delimiters
    }

    fn location(&self) -> Location {
        Location {
            byte: self.base + self.pos,
            segment: self.index,
            line: self.line,
        }
    }

    fn fail(&mut self, e: LexError) -> Option<Result<Segment<'a>, LexError>> {
        self.done = true;
        Some(Err(e))
    }

    /// Reads the ISA at `self.pos` and switches to its delimiters.
    fn isa(&mut self) -> Result<usize, LexError> {
        let at = self.location();
        match read_isa(&self.input[self.pos..]) {
            Ok(h) => {
                self.delimiters = Some(h.delimiters);
                Ok(h.body_len)
            }
            Err(IsaProblem::CutShort) => Err(LexError::IsaCutShort { at }),
            Err(IsaProblem::Conflict(why)) => Err(LexError::IsaDelimiters { why, at }),
        }
    }

    /// Finds the end of the body starting at `self.pos`: (body_len, newlines inside).
    fn body_len(&self, terminator: u8) -> (usize, u32) {
        let hay = &self.input[self.pos..];
        if terminator == b'\n' {
            let len = memchr::memchr(b'\n', hay).unwrap_or(hay.len());
            // A CR inside the body is a line break of its own (none is followed by LF).
            let crs = memchr::memchr_iter(b'\r', &hay[..len]).filter(|&i| i + 1 < len);
            return (len, crs.count() as u32);
        }
        let mut newlines = 0;
        let mut from = 0;
        loop {
            match memchr::memchr3(terminator, b'\n', b'\r', &hay[from..]) {
                Some(i) if hay[from + i] == terminator => return (from + i, newlines),
                Some(i) => {
                    newlines += u32::from(is_break(hay, from + i));
                    from += i + 1;
                }
                None => return (hay.len(), newlines),
            }
        }
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<Segment<'a>, LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.pos >= self.input.len() {
            if self.delimiters.is_none() && !self.partial {
                let at = self.location();
                let what = "empty input, no ISA segment".to_string();
                return self.fail(LexError::NotX12 { what, at });
            }
            return None;
        }
        let rest = &self.input[self.pos..];
        if self.partial && rest.len() < 4 {
            return None;
        }
        let isa_here = starts_with_isa(rest);
        if self.delimiters.is_none() && !isa_here {
            let what = if rest.iter().take(512).any(|&b| b == 0) {
                "binary data".to_string()
            } else if memchr::memmem::find(&rest[..rest.len().min(1 << 16)], b"ISA").is_some() {
                "bytes before the first ISA".to_string()
            } else {
                "no ISA segment".to_string()
            };
            let at = self.location();
            return self.fail(LexError::NotX12 { what, at });
        }
        let (body_len, body_newlines, terminator) = if isa_here {
            match self.isa() {
                Ok(len) => {
                    // A wrapped ISA (a newline in its padding) still moves the line count.
                    let nl = (0..len).filter(|&i| is_break(rest, i)).count() as u32;
                    (len, nl, self.delimiters.map(|d| d.segment))
                }
                Err(LexError::IsaCutShort { .. }) if self.partial => return None,
                Err(e) => return self.fail(e),
            }
        } else {
            let t = self.delimiters.map(|d| d.segment).unwrap_or(b'~');
            let (len, nl) = self.body_len(t);
            (len, nl, Some(t))
        };
        let terminator = terminator.unwrap_or(b'~');
        let start = self.pos;
        let mut end = start + body_len;
        let terminated = end < self.input.len() && self.input[end] == terminator;
        let mut trailing_newlines = u32::from(terminated && is_break(self.input, end));
        if terminated {
            end += 1;
        }
        while end < self.input.len() && is_trivia(self.input[end]) {
            trailing_newlines += u32::from(is_break(self.input, end));
            end += 1;
        }
        if self.partial && end >= self.input.len() {
            // The segment, or the trivia after it, may go on in the next block.
            return None;
        }
        let delimiters = self.delimiters.unwrap_or_default();
        let segment = Segment::new(
            &self.input[start..end],
            body_len,
            terminated,
            self.base + start,
            self.index,
            self.line,
            delimiters,
        );
        self.pos = end;
        self.index += 1;
        self.line += body_newlines + trailing_newlines;
        Some(Ok(segment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*SUBMITTERS ID  *ZZ*RECEIVERS ID   *200101*1253*^*00501*000000905*0*T*:~";

    fn lex(input: &[u8]) -> (Vec<Segment<'_>>, Option<LexError>) {
        let mut segs = Vec::new();
        for r in Lexer::new(input) {
            match r {
                Ok(s) => segs.push(s),
                Err(e) => return (segs, Some(e)),
            }
        }
        (segs, None)
    }

    fn ids(segs: &[Segment<'_>]) -> Vec<String> {
        segs.iter()
            .map(|s| String::from_utf8_lossy(s.id()).into_owned())
            .collect()
    }

    #[test]
    fn lexes_and_tiles_the_input() {
        let input = format!(
            "\u{feff}  \n{ISA}\nGS*HC*A~\r\n  ST*837*0001~SE*2*0001~GE*1*1~IEA*1*000000905~\n"
        );
        let (segs, err) = lex(input.as_bytes());
        assert_eq!(err, None);
        assert_eq!(ids(&segs), ["ISA", "GS", "ST", "SE", "GE", "IEA"]);
        let lexer = Lexer::new(input.as_bytes());
        let mut back = lexer.prefix().to_vec();
        for s in &segs {
            back.extend_from_slice(s.raw());
        }
        assert_eq!(back, input.as_bytes());
        assert_eq!(
            segs.iter().map(|s| s.line).collect::<Vec<_>>(),
            [2, 3, 4, 4, 4, 4]
        );
        assert_eq!(segs[1].trivia(), b"\r\n  ");
        assert_eq!(segs[2].byte, input.find("ST*").unwrap());
    }

    #[test]
    fn newline_terminator() {
        let isa = ISA.replace(":~", ":\n");
        let input = format!("{isa}GS*HC*A\nST*837*1\n\nSE*2*1\nGE*1*1\nIEA*1*000000905");
        let (segs, err) = lex(input.as_bytes());
        assert_eq!(err, None);
        assert_eq!(ids(&segs), ["ISA", "GS", "ST", "SE", "GE", "IEA"]);
        assert!(!segs[5].terminated());
        assert_eq!(segs[3].line, 5);
        assert_eq!(segs[2].value(1), b"837");
    }

    #[test]
    fn several_interchanges_with_their_own_delimiters() {
        let second = ISA.replace('*', "|").replace(":~", "^'");
        let input = format!("{ISA}IEA*0*000000905~\n{second}GS|HC|A'IEA|0|1'");
        let (segs, err) = lex(input.as_bytes());
        assert_eq!(err, None);
        assert_eq!(ids(&segs), ["ISA", "IEA", "ISA", "GS", "IEA"]);
        assert_eq!(segs[3].delimiters.element, b'|');
        assert_eq!(segs[3].value(1), b"HC");
    }

    #[test]
    fn not_x12() {
        for input in [&b"hello ISA*"[..], b"", b"GS*HC~", b"\x00\x01\x02ISA"] {
            let (segs, err) = lex(input);
            assert!(segs.is_empty());
            assert!(matches!(err, Some(LexError::NotX12 { .. })), "{err:?}");
        }
        let (_, err) = lex(b"ISA*00*   *");
        assert!(matches!(err, Some(LexError::IsaCutShort { .. })));
    }

    /// Regression: newlines inside the ISA body were not counted, so every later segment
    /// of an interchange with a wrapped ISA had its line one too low.
    #[test]
    fn wrapped_isa_counts_lines() {
        let isa = ISA.replace("*ZZ*RECEIVERS", "*ZZ\n*RECEIVERS");
        let input = format!("{isa}\nGS*HC*A~\nIEA*0*000000905~");
        let (segs, err) = lex(input.as_bytes());
        assert_eq!(err, None);
        assert_eq!(ids(&segs), ["ISA", "GS", "IEA"]);
        assert_eq!(segs[0].value(8), b"RECEIVERS ID   ");
        assert_eq!(segs[1].line, 3);
        assert_eq!(segs[2].line, 4);
    }

    #[test]
    fn a_lone_cr_ends_a_line_and_crlf_counts_once() {
        for (ending, cr_term) in [
            ("~\r", false),
            ("~\r\n", false),
            ("\r", true),
            ("\r\n", true),
        ] {
            let isa = if cr_term {
                ISA.replace(":~", ":\r")
            } else {
                ISA.to_string()
            };
            let input = format!(
                "{isa}{}GS*HC{ending}ST*837{ending}SE*2",
                // What follows the ISA's own terminator.
                &ending[1..]
            );
            let (segs, err) = lex(input.as_bytes());
            assert_eq!(err, None, "{ending:?}");
            assert_eq!(
                segs.iter().map(|s| s.line).collect::<Vec<_>>(),
                [1, 2, 3, 4],
                "{ending:?}"
            );
        }
    }

    #[test]
    fn wrapped_line_counts_lines() {
        let input = format!("{ISA}\nNM1*85*2*A\nB~N3*X~");
        let (segs, _) = lex(input.as_bytes());
        assert_eq!(segs[1].body(), b"NM1*85*2*A\nB");
        assert_eq!(segs[2].line, 3);
    }
}
