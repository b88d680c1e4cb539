//! Streaming: reads an input in blocks that end right after an SE, GE or IEA segment, so
//! that memory is bounded by the largest transaction (plus one read-ahead chunk), not the
//! file, and hands each block's units to a callback with the envelope state carried over.

use std::io::{self, Read};
use std::ops::ControlFlow;

use super::envelope::{Reader, ReaderState, Unit};
use super::error::LexError;
use super::lexer::{LexState, Lexer, is_trivia};
use super::problem::Problem;

/// How much of an input that is not X12 the lexer looks at to say why.
pub const NOT_X12_LOOKAHEAD: usize = 1 << 16;

/// How much is read ahead before a block is cut.
pub const CHUNK: usize = 4 << 20;

/// One block: whole segments, ending after a segment that closes a transaction, group or
/// interchange (or at the end of input).
#[derive(Debug)]
pub struct Block {
    pub bytes: Vec<u8>,
    /// Where the lexer stands at the block's first byte.
    pub start: LexState,
    pub first: bool,
    pub last: bool,
}

/// Cuts a byte stream into blocks.
pub struct Blocks<R: Read> {
    read: R,
    buf: Vec<u8>,
    state: LexState,
    first: bool,
    eof: bool,
    done: bool,
    chunk: usize,
    /// Bytes at the start of the buffer already scanned back without finding a cut.
    scanned: usize,
    /// The bytes of a block done with, emptied, for the next read (see [`Blocks::recycle`]).
    spare: Vec<u8>,
}

impl<R: Read> Blocks<R> {
    pub fn new(read: R) -> Self {
        Blocks::with_chunk(read, CHUNK)
    }

    /// With a read-ahead of `chunk` bytes (small ones are for tests).
    pub fn with_chunk(read: R, chunk: usize) -> Self {
        Blocks {
            read,
            buf: Vec::new(),
            state: LexState::default(),
            first: true,
            eof: false,
            done: false,
            chunk: chunk.max(16),
            scanned: 0,
            spare: Vec::new(),
        }
    }

    /// Takes back a block's bytes once done with, so that the next block is read into
    /// memory already in use rather than memory the allocator would get from the system
    /// and fault in again. Kept only when of the usual size (a block grown to hold one
    /// huge transaction is let go).
    pub fn recycle(&mut self, bytes: Vec<u8>) {
        let usual = self
            .chunk
            .saturating_mul(2)
            .saturating_add(NOT_X12_LOOKAHEAD);
        if bytes.capacity() <= usual {
            self.spare = bytes;
        }
    }

    /// The buffer's first `at` bytes as a block; the rest stays, in the spare buffer.
    fn split(&mut self, at: usize) -> Vec<u8> {
        let mut rest = std::mem::take(&mut self.spare);
        rest.clear();
        rest.extend_from_slice(&self.buf[at..]);
        self.buf.truncate(at);
        std::mem::replace(&mut self.buf, rest)
    }

    /// Reads until the buffer holds `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        if self.eof || self.buf.len() >= want {
            return Ok(());
        }
        let need = (want - self.buf.len()) as u64;
        // read_to_end grows the buffer without zeroing what it is about to overwrite.
        let n = (&mut self.read).take(need).read_to_end(&mut self.buf)?;
        if (n as u64) < need {
            self.eof = true;
        }
        Ok(())
    }

    /// Where to cut the buffer: after the last complete SE, GE or IEA segment, with the
    /// lexer state there. `None` when the buffer holds none (or a lex error stops it).
    /// `Err(true)` when the input fails before its first segment (it is not X12).
    fn cut(&self) -> Result<Option<(usize, LexState)>, bool> {
        let mut lexer = if self.first {
            Lexer::first_block(&self.buf, true)
        } else {
            Lexer::resume(&self.buf, self.state, true)
        };
        let mut cut = None;
        let mut any = false;
        while let Some(item) = lexer.next() {
            any |= item.is_ok();
            match item {
                Ok(seg) if matches!(seg.id(), b"SE" | b"GE" | b"IEA") => {
                    cut = Some((lexer.consumed(), lexer.state()));
                }
                Ok(_) => {}
                // Cut before the error; the next block then reads on to the end of input.
                Err(_) if cut.is_some() => return Ok(cut),
                Err(_) => return Err(self.first && !any),
            }
        }
        Ok(cut)
    }

    /// Where to cut without lexing: after the last complete SE, GE or IEA segment, found by
    /// scanning back from the end for a terminator followed by one of them. Only when the
    /// buffer's delimiters are known and no ISA in it may change them; else `None`.
    fn fast_cut(&mut self) -> Option<usize> {
        // The first block reads its delimiters from its own ISA; any later ISA may change
        // them, so then the lexer decides.
        let (d, from) = if self.first {
            // Cuts come after the ISA: a lenient one may hold a terminator and `SE`.
            match Lexer::first_block(&self.buf, true).next() {
                Some(Ok(isa)) if isa.is("ISA") => (isa.delimiters, isa.end()),
                _ => return None,
            }
        } else {
            (self.state.delimiters?, 0)
        };
        // An ISA that starts a segment (after a terminator and trivia), not `LISA` in a name.
        let starts_segment = |p: usize| {
            let mut q = p;
            while q > 0 && is_trivia(self.buf[q - 1]) && self.buf[q - 1] != d.segment {
                q -= 1;
            }
            q == 0 || self.buf[q - 1] == d.segment
        };
        if memchr::memmem::find_iter(&self.buf[from..], b"ISA").any(|p| starts_segment(from + p)) {
            return None;
        }
        let (term, sep, buf) = (d.segment, d.element, &self.buf[..]);
        let closes = |rest: &[u8]| {
            (rest.starts_with(b"SE") || rest.starts_with(b"GE")) && rest.get(2) == Some(&sep)
                || rest.starts_with(b"IEA") && rest.get(3) == Some(&sep)
        };
        let mut end = buf.len();
        while let Some(t) = memchr::memrchr(term, &buf[..end]) {
            let mut start = t + 1;
            while start < buf.len() && is_trivia(buf[start]) {
                start += 1;
            }
            if start < from {
                break;
            }
            if closes(&buf[start..])
                && let Some(e) = memchr::memchr(term, &buf[start..])
            {
                let mut after = start + e + 1;
                while after < buf.len() && is_trivia(buf[after]) {
                    after += 1;
                }
                // The trivia must end inside the buffer, or it may go on in the next read.
                if after < buf.len() {
                    self.scanned = 0;
                    return Some(after);
                }
            }
            // What lies before the last scan's end was scanned then; this terminator was
            // the one whose segment may have been cut short by that end.
            if t < self.scanned {
                break;
            }
            end = t;
        }
        self.scanned = buf.len();
        None
    }

    /// Where the lexer stands at the start of the next block: the driver's reader state
    /// after the block just handed out (a cut found without lexing does not know it).
    pub fn resume_from(&mut self, state: LexState) {
        self.state = state;
    }

    /// The next block, or `None` after the last.
    pub fn next_block(&mut self) -> io::Result<Option<Block>> {
        if self.done {
            return Ok(None);
        }
        let mut want = self.chunk;
        self.scanned = 0;
        loop {
            self.fill(want)?;
            if self.eof {
                self.done = true;
                let block = Block {
                    bytes: std::mem::take(&mut self.buf),
                    start: self.state,
                    first: self.first,
                    last: true,
                };
                return Ok(Some(block));
            }
            if let Some(at) = self.fast_cut().filter(|&at| at > 0) {
                let bytes = self.split(at);
                let first = std::mem::replace(&mut self.first, false);
                return Ok(Some(Block {
                    bytes,
                    start: self.state,
                    first,
                    last: false,
                }));
            }
            match self.cut() {
                // Not X12 from the start: nothing will be read or written; stop once the
                // lexer has seen as much as it looks at to say why.
                Err(true) if !self.eof && self.buf.len() < NOT_X12_LOOKAHEAD => {
                    want = NOT_X12_LOOKAHEAD;
                }
                Err(true) => {
                    self.done = true;
                    let block = Block {
                        bytes: std::mem::take(&mut self.buf),
                        start: self.state,
                        first: true,
                        last: true,
                    };
                    return Ok(Some(block));
                }
                Ok(Some((at, state))) if at > 0 => {
                    let bytes = self.split(at);
                    let block = Block {
                        bytes,
                        start: self.state,
                        first: self.first,
                        last: false,
                    };
                    self.state = state;
                    self.first = false;
                    return Ok(Some(block));
                }
                // No transaction ends in the buffer (a huge one, or an error ahead):
                // read more.
                _ => want = self.buf.len().saturating_mul(2).max(self.chunk),
            }
        }
    }
}

/// What the streaming driver hands to its callback.
#[derive(Debug)]
pub enum Event<'b> {
    /// The BOM and white space before the first segment.
    Prefix(&'b [u8]),
    Unit(Unit<'b>),
    /// Envelope problems found since the last event, handed out before the unit they
    /// came with (a wrong SE01 before its transaction), so callers can stream them.
    Problems(Vec<Problem>),
    /// Reading stopped here; `rest` is the unread input from the error on.
    Error(LexError, &'b [u8]),
}

/// Reads `read` as one input, block by block, calling `f` with every unit
/// and envelope finding in order, until it returns `ControlFlow::Break` (nothing more is
/// read then).
pub fn for_each<R: Read>(read: R, f: impl FnMut(Event<'_>) -> ControlFlow<()>) -> io::Result<()> {
    for_each_with_chunk(read, CHUNK, f)
}

/// `for_each` with a read-ahead of `chunk` bytes (small ones are for tests).
pub fn for_each_with_chunk<R: Read>(
    read: R,
    chunk: usize,
    mut f: impl FnMut(Event<'_>) -> ControlFlow<()>,
) -> io::Result<()> {
    blocks_with_chunk(read, chunk, |events, _| {
        for e in events.drain(..) {
            f(e)?;
        }
        ControlFlow::Continue(())
    })
}

/// Reads `read` block by block and hands `f` each block's events at once, in order (so
/// that its transactions can be worked on together, in parallel), until it returns
/// `ControlFlow::Break`. A block holds whole transactions. `f` is also given a way to read
/// the next block ahead (at most once a call), for a thread that would otherwise wait on
/// the block's last transactions.
pub fn for_each_block<R: Read>(
    read: R,
    mut f: impl FnMut(&[Event<'_>], &mut dyn FnMut()) -> ControlFlow<()>,
) -> io::Result<()> {
    blocks_with_chunk(read, CHUNK, |events, ahead| f(events, ahead))
}

fn blocks_with_chunk<R: Read>(
    read: R,
    chunk: usize,
    mut f: impl FnMut(&mut Vec<Event<'_>>, &mut dyn FnMut()) -> ControlFlow<()>,
) -> io::Result<()> {
    let mut blocks = Blocks::with_chunk(read, chunk);
    let mut state = ReaderState::new();
    // The next block when it was read ahead (its read error waits here until its turn).
    let mut ahead: Option<io::Result<Option<Block>>> = None;
    loop {
        let next = match ahead.take() {
            Some(read) => read?,
            None => blocks.next_block()?,
        };
        let Some(block) = next else { break };
        let mut reader = Reader::block(&block.bytes, state, block.first, block.last);
        let mut events = Vec::new();
        if block.first {
            events.push(Event::Prefix(reader.prefix()));
        }
        let mut error = None;
        while let Some(unit) = reader.next() {
            let found = reader.take_problems();
            if !found.is_empty() {
                events.push(Event::Problems(found));
            }
            match unit {
                Ok(u) => events.push(Event::Unit(u)),
                Err(e) => error = Some(e),
            }
        }
        let found = reader.take_problems();
        if !found.is_empty() {
            events.push(Event::Problems(found));
        }
        state = reader.suspend();
        blocks.resume_from(state.lex());
        let last = error.is_some();
        if let Some(e) = error {
            // A block with an error is the last: no cut point lies after the error, so the
            // block was read to the end of input.
            let at = e
                .location()
                .byte
                .saturating_sub(block.start.offset)
                .min(block.bytes.len());
            events.push(Event::Error(e, &block.bytes[at..]));
        }
        // The blocks' cut only needs the state the block just lexed ends in: set above.
        let mut read_ahead = || {
            if !last && ahead.is_none() {
                ahead = Some(blocks.next_block());
            }
        };
        let flow = f(&mut events, &mut read_ahead);
        // The block's memory, for the next block to use again.
        for e in events {
            if let Event::Unit(Unit::Transaction(tx)) = e {
                state.recycle(tx.segments);
            }
        }
        blocks.recycle(block.bytes);
        if flow.is_break() || last {
            break;
        }
    }
    Ok(())
}
