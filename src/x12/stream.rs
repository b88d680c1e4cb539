//! Streaming: reads an input in blocks that end right after an SE, GE or IEA segment, so
//! that memory is bounded by the largest transaction (plus one read-ahead chunk), not the
//! file, and hands each block's units to a callback with the envelope state carried over.

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::sync::Arc;

use super::envelope::{Reader, ReaderState, Transaction, Unit};
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
    blocks_with_chunk(read, chunk, |_, e| f(e))
}

self_cell::self_cell!(
    /// An event that holds its block's bytes by reference count: it can outlive the
    /// block's turn, so that a parallel pass works on across blocks (see
    /// [`map_in_order`]). [`Shared::event`] is the event itself.
    struct Shared {
        owner: Arc<Vec<u8>>,
        #[covariant]
        dependent: Event,
    }
);

impl Shared {
    /// `event`, read from `block`, holding `block`.
    fn of(block: &Arc<Vec<u8>>, event: Event<'_>) -> Shared {
        Shared::new(Arc::clone(block), |owner| event.rebase(owner))
    }

    /// The event.
    fn event(&self) -> &Event<'_> {
        self.borrow_dependent()
    }

    /// Done with: a transaction's segment list goes back to this thread's lists (see
    /// [`super::spare`]) for a later transaction to fill.
    fn recycle(mut self) {
        self.with_dependent_mut(|_, event| {
            if let Event::Unit(Unit::Transaction(tx)) = event {
                super::spare::give(std::mem::take(&mut tx.segments));
            }
        });
    }
}

impl Event<'_> {
    /// The same event borrowed from `bytes`, the block it was read from (borrowed again,
    /// for another lifetime).
    fn rebase(self, bytes: &[u8]) -> Event<'_> {
        let slice = |s: &[u8]| super::segment::rebased(s, bytes);
        match self {
            Event::Prefix(p) => Event::Prefix(slice(p)),
            Event::Unit(Unit::Segment(seg)) => Event::Unit(Unit::Segment(seg.rebase(bytes))),
            Event::Unit(Unit::Transaction(tx)) => {
                // Collected into the list's own allocation: the items are the same size.
                let segments = (tx.segments.into_iter()).map(|seg| seg.rebase(bytes));
                Event::Unit(Unit::Transaction(Transaction::new(
                    segments.collect(),
                    tx.envelope,
                )))
            }
            Event::Problems(p) => Event::Problems(p),
            Event::Error(e, rest) => Event::Error(e, slice(rest)),
        }
    }
}

/// Reads `read` block by block, as [`for_each`] does, and hands `f` every event as a
/// [`Shared`], which holds its block: a pass can go on working on a block's last
/// transactions while `f` takes the next block's first ones. The next block is read as soon
/// as the last event of a block is handed out. A block's bytes are read into again once no
/// event holds them.
fn for_each_shared<R: Read>(
    read: R,
    mut f: impl FnMut(Shared) -> ControlFlow<()>,
) -> io::Result<()> {
    blocks_with_chunk(read, CHUNK, |block, event| f(Shared::of(block, event)))
}

/// Maps `work` over the events of `read` in parallel and calls `consume(event, result)`
/// in input order, on the calling thread (see [`crate::parallel::map_in_order`]): the
/// streaming pass of `validate` and `scrub`. Each event is given back once consumed, its
/// segment list for a later transaction to fill. When `consume` breaks, nothing more is
/// read.
pub fn map_in_order<R: Send + 'static>(
    read: impl Read,
    work: impl Fn(&Event<'_>) -> R + Sync,
    mut consume: impl FnMut(&Event<'_>, R) -> ControlFlow<()>,
) -> io::Result<()> {
    crate::parallel::map_in_order(
        |e: &Shared| work(e.event()),
        |shared, r| {
            let flow = consume(shared.event(), r);
            shared.recycle();
            flow
        },
        |pipe| for_each_shared(read, |e| pipe.push(e)),
    )
}

fn blocks_with_chunk<R: Read>(
    read: R,
    chunk: usize,
    mut f: impl FnMut(&Arc<Vec<u8>>, Event<'_>) -> ControlFlow<()>,
) -> io::Result<()> {
    let mut blocks = Blocks::with_chunk(read, chunk);
    let mut state = ReaderState::new();
    // Blocks handed out, oldest first, until no event holds them.
    let mut held: std::collections::VecDeque<Arc<Vec<u8>>> = Default::default();
    while let Some(block) = blocks.next_block()? {
        let bytes = Arc::new(block.bytes);
        let mut reader = Reader::block(&bytes, std::mem::take(&mut state), block.first, block.last);
        let flow = block_events(&mut reader, &bytes, &block.start, block.first, &mut f);
        // Taken in full unless `f` broke (nothing more is read then): the reader's state
        // goes back for the next block, and the blocks are cut from where it stands.
        state = reader.suspend();
        blocks.resume_from(state.lex());
        held.push_back(bytes);
        while held.front().is_some_and(|b| Arc::strong_count(b) == 1) {
            if let Some(Ok(done)) = held.pop_front().map(Arc::try_unwrap) {
                blocks.recycle(done);
            }
        }
        if flow.is_break() {
            break;
        }
    }
    Ok(())
}

/// Hands `f` the events of one block, read by `reader`. `Break` when `f` broke, or when
/// reading stopped at an error (the block is then the last).
fn block_events(
    reader: &mut Reader<'_>,
    bytes: &Arc<Vec<u8>>,
    start: &LexState,
    first: bool,
    f: &mut impl FnMut(&Arc<Vec<u8>>, Event<'_>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let mut give = |e: Event<'_>| f(bytes, e);
    if first {
        give(Event::Prefix(reader.prefix()))?;
    }
    let mut error = None;
    while let Some(unit) = reader.next() {
        let found = reader.take_problems();
        if !found.is_empty() {
            give(Event::Problems(found))?;
        }
        match unit {
            Ok(u) => give(Event::Unit(u))?,
            Err(e) => error = Some(e),
        }
    }
    let found = reader.take_problems();
    if !found.is_empty() {
        give(Event::Problems(found))?;
    }
    match error {
        Some(e) => {
            // A block with an error is the last: no cut point lies after the error, so the
            // block was read to the end of input.
            let at = (e.location().byte.saturating_sub(start.offset)).min(bytes.len());
            let _ = give(Event::Error(e, &bytes[at..]));
            ControlFlow::Break(())
        }
        None => ControlFlow::Continue(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shared transaction is the one read, in the same list, its segments over the
    /// block it holds.
    #[test]
    fn a_shared_event_keeps_its_list_and_reads_its_own_block() {
        let block = Arc::new(include_bytes!("../../samples/scrub/ndc-missing.x12").to_vec());
        let mut reader = Reader::new(&block);
        let tx = std::iter::from_fn(|| reader.next())
            .find_map(|u| match u {
                Ok(Unit::Transaction(tx)) => Some(tx),
                _ => None,
            })
            .expect("a transaction");
        let (list, bodies): (usize, Vec<Vec<u8>>) = (
            tx.segments.as_ptr() as usize,
            tx.segments.iter().map(|s| s.body().to_vec()).collect(),
        );
        let shared = Shared::of(&block, Event::Unit(Unit::Transaction(tx)));
        drop(reader);
        let Event::Unit(Unit::Transaction(tx)) = shared.event() else {
            panic!("not a transaction");
        };
        assert_eq!(tx.segments.as_ptr() as usize, list, "collected in place");
        assert_eq!(
            tx.segments
                .iter()
                .map(|s| s.body().to_vec())
                .collect::<Vec<_>>(),
            bodies
        );
        let within = block.as_ptr() as usize..block.as_ptr() as usize + block.len();
        assert!(
            tx.segments
                .iter()
                .all(|s| within.contains(&(s.raw().as_ptr() as usize)))
        );
        assert_eq!(Arc::strong_count(&block), 2, "the event holds the block");
        shared.recycle();
        assert_eq!(
            Arc::strong_count(&block),
            1,
            "and lets it go once done with"
        );
    }
}
