//! Streaming: reads an input in blocks that end right after an SE, GE or IEA segment, so
//! that memory is bounded by the largest transaction (plus one read-ahead chunk), not the
//! file, and hands each block's units to a callback with the envelope state carried over.

use std::io::{self, Read};
use std::ops::ControlFlow;

use super::envelope::{Reader, ReaderState, Unit};
use super::error::LexError;
use super::lexer::{LexState, Lexer, is_trivia};
use super::problem::Problem;
use crate::parallel::Source;

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
    /// What followed the last cut (less than a transaction, as a rule): the start of the
    /// next block, kept apart so that the buffer it goes into can be a block done with
    /// by then. Blocks therefore take two buffers of their size, the one handed out and the
    /// one read ahead, not three.
    tail: Vec<u8>,
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
            tail: Vec::new(),
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

    /// The buffer's first `at` bytes as a block; the rest waits in `tail`.
    fn split(&mut self, at: usize) -> Vec<u8> {
        self.tail.clear();
        self.tail.extend_from_slice(&self.buf[at..]);
        self.buf.truncate(at);
        std::mem::take(&mut self.buf)
    }

    /// After a cut: the buffer to read the next block into (a block's, done with, when
    /// there is one), starting with what followed the cut.
    fn resume_buffer(&mut self) {
        if self.buf.is_empty() {
            self.buf = std::mem::take(&mut self.spare);
            self.buf.clear();
            self.buf.extend_from_slice(&self.tail);
            self.tail.clear();
        }
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
        self.resume_buffer();
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
    blocks_with_chunk(read, chunk, |events| {
        while let Some(e) = events.next_item() {
            f(e)?;
        }
        ControlFlow::Continue(())
    })
}

/// Reads `read` block by block and hands `f` each block's events as a [`Source`] that
/// lexes them as they are taken (so that its transactions can be worked on together, in
/// parallel, while the rest of the block is read), until `f` returns
/// `ControlFlow::Break`. A block holds whole transactions. `f` takes every event of the
/// block unless it breaks; the source's [`Source::on_empty`] reads the next block ahead
/// (once a block, as soon as its events are all taken) while other threads work on the
/// block's last transactions.
pub fn for_each_block<R: Read>(
    read: R,
    f: impl FnMut(&mut BlockEvents<'_, '_>) -> ControlFlow<()>,
) -> io::Result<()> {
    blocks_with_chunk(read, CHUNK, f)
}

/// The blocks of a stream, and the next one when it was read ahead (its read error waits
/// here until its turn).
struct Reading<R: Read> {
    blocks: Blocks<R>,
    ahead: Option<io::Result<Option<Block>>>,
}

/// What a block's events do to the blocks being read, whatever they read from.
trait ReadAhead {
    /// Where the lexer stands after the block: where the next block's cut is lexed from.
    fn resume_from(&mut self, state: LexState);
    /// Reads the next block ahead, unless it is already.
    fn read_ahead(&mut self);
}

impl<R: Read> ReadAhead for Reading<R> {
    fn resume_from(&mut self, state: LexState) {
        self.blocks.resume_from(state);
    }

    fn read_ahead(&mut self) {
        if self.ahead.is_none() {
            self.ahead = Some(self.blocks.next_block());
        }
    }
}

/// One block's events, lexed as they are taken (see [`for_each_block`]).
pub struct BlockEvents<'b, 'r> {
    /// `None` once the block's last event is taken: its state is back in `state`.
    reader: Option<Reader<'b>>,
    state: &'r mut ReaderState,
    prefix: Option<&'b [u8]>,
    /// An event to hand out next: a unit after the problems found with it, or the error
    /// that ends the block after its last problems.
    held: Option<Event<'b>>,
    error: Option<LexError>,
    bytes: &'b [u8],
    start: usize,
    /// Reading stopped at an error: this block is the last.
    last: bool,
    reading: &'r mut dyn ReadAhead,
}

impl<'b> BlockEvents<'b, '_> {
    /// The block's last event has been taken.
    fn ended(&self) -> bool {
        self.reader.is_none()
    }

    /// The reader is done with the block: its state goes back for the next one, and the
    /// blocks are cut from where it stands.
    fn end(&mut self) {
        if let Some(reader) = self.reader.take() {
            *self.state = reader.suspend();
            self.reading.resume_from(self.state.lex());
        }
    }
}

impl<'b> Source for BlockEvents<'b, '_> {
    type Item = Event<'b>;

    fn next_item(&mut self) -> Option<Event<'b>> {
        if let Some(p) = self.prefix.take() {
            return Some(Event::Prefix(p));
        }
        if let Some(e) = self.held.take() {
            return Some(e);
        }
        loop {
            let reader = self.reader.as_mut()?;
            let Some(unit) = reader.next() else {
                let found = reader.take_problems();
                self.end();
                self.held = self.error.take().map(|e| {
                    self.last = true;
                    // A block with an error is the last: no cut point lies after the
                    // error, so the block was read to the end of input.
                    let at = (e.location().byte.saturating_sub(self.start)).min(self.bytes.len());
                    Event::Error(e, &self.bytes[at..])
                });
                if !found.is_empty() {
                    return Some(Event::Problems(found));
                }
                return self.held.take();
            };
            let found = reader.take_problems();
            let event = match unit {
                Ok(u) => Some(Event::Unit(u)),
                Err(e) => {
                    self.error = Some(e);
                    None
                }
            };
            if !found.is_empty() {
                self.held = event;
                return Some(Event::Problems(found));
            }
            if event.is_some() {
                return event;
            }
        }
    }

    fn done(&mut self, event: Event<'b>) {
        if let Event::Unit(Unit::Transaction(tx)) = event {
            match self.reader.as_mut() {
                Some(r) => r.recycle(tx.segments),
                None => self.state.recycle(tx.segments),
            }
        }
    }

    fn on_empty(&mut self) {
        if self.ended() && !self.last {
            self.reading.read_ahead();
        }
    }
}

fn blocks_with_chunk<R: Read>(
    read: R,
    chunk: usize,
    mut f: impl FnMut(&mut BlockEvents<'_, '_>) -> ControlFlow<()>,
) -> io::Result<()> {
    let mut reading = Reading {
        blocks: Blocks::with_chunk(read, chunk),
        ahead: None,
    };
    let mut state = ReaderState::new();
    loop {
        let next = match reading.ahead.take() {
            Some(read) => read?,
            None => reading.blocks.next_block()?,
        };
        let Some(block) = next else { break };
        let reader = Reader::block(
            &block.bytes,
            std::mem::take(&mut state),
            block.first,
            block.last,
        );
        let mut events = BlockEvents {
            prefix: block.first.then(|| reader.prefix()),
            reader: Some(reader),
            state: &mut state,
            held: None,
            error: None,
            bytes: &block.bytes,
            start: block.start.offset,
            last: false,
            reading: &mut reading,
        };
        let flow = f(&mut events);
        // Taken in full unless `f` broke (nothing more is read then): the reader's state
        // goes back for the next block.
        events.end();
        let last = events.last;
        drop(events);
        reading.blocks.recycle(block.bytes);
        if flow.is_break() || last {
            break;
        }
    }
    Ok(())
}
