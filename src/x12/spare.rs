//! Lists kept for reuse ([`Pool`]): segment lists here, and the loop tree's lists and the
//! scrub's byte buffers in their own pools. A transaction's list of segments is large (tens of
//! thousands of segments in a claim file) and short-lived; given back to the allocator at
//! the end of each block or pass, its memory went back to the system and was faulted in
//! again for the next one (perf: 59,136 page faults for `validate` on a 100 MB batch, most
//! of them for these lists; 6,178 once they are reused). An emptied list is kept here and
//! filled by a later transaction, read from other bytes.

use std::cell::RefCell;
use std::thread::LocalKey;

use super::segment::Segment;

/// What a [`Pool`] keeps: a list (or lists) it can empty, and the room it holds.
pub trait Reusable {
    /// Items it has room for.
    fn room(&self) -> usize;
    fn empty(&mut self);
}

impl<T> Reusable for Vec<T> {
    fn room(&self) -> usize {
        self.capacity()
    }
    fn empty(&mut self) {
        self.clear();
    }
}

impl<A: Reusable, B: Reusable> Reusable for (A, B) {
    fn room(&self) -> usize {
        self.0.room() + self.1.room()
    }
    fn empty(&mut self) {
        self.0.empty();
        self.1.empty();
    }
}

/// Emptied lists kept for reuse, bounded in number and in the room they hold in all.
#[derive(Debug)]
pub struct Pool<T> {
    kept: Vec<T>,
    /// Room of the kept lists, in all.
    room: usize,
    /// Most lists kept, and most room in all.
    most: usize,
    limit: usize,
}

/// A copy keeps nothing: the lists are this one's.
impl<T> Clone for Pool<T> {
    fn clone(&self) -> Self {
        Pool::new(self.most, self.limit)
    }
}

impl<T> Pool<T> {
    /// An empty pool keeping at most `most` lists, with room for `limit` items in all.
    pub const fn new(most: usize, limit: usize) -> Self {
        Pool {
            kept: Vec::new(),
            room: 0,
            most,
            limit,
        }
    }
}

impl<T: Reusable> Pool<T> {
    /// Keeps `item`'s allocation, emptied, when it has any and fits the bounds.
    pub fn give(&mut self, mut item: T) {
        let room = item.room();
        if room > 0 && self.kept.len() < self.most && self.room + room <= self.limit {
            item.empty();
            self.room += room;
            self.kept.push(item);
        }
    }

    /// A kept list, empty, if any.
    pub fn take(&mut self) -> Option<T> {
        let item = self.kept.pop()?;
        self.room -= item.room();
        Some(item)
    }
}

/// `f` on this thread's pool `key`; `None` during the thread's teardown, when its pools may
/// be gone already (or should the pool be in use).
pub fn with<T, R>(
    key: &'static LocalKey<RefCell<Pool<T>>>,
    f: impl FnOnce(&mut Pool<T>) -> R,
) -> Option<R> {
    (key.try_with(|p| p.try_borrow_mut().ok().map(|mut p| f(&mut p)))
        .ok())
    .flatten()
}

/// Emptied segment lists.
pub type Spare = Pool<Vec<Segment<'static>>>;

impl Spare {
    /// Most lists kept, and most segments they have room for in all (about 12 MB).
    const LISTS: usize = 64;
    const ROOM: usize = 1 << 18;

    /// A pool of segment lists.
    pub const fn lists() -> Self {
        Pool::new(Self::LISTS, Self::ROOM)
    }

    /// Keeps `segments`' allocation for a later list, when it fits the bounds.
    pub fn give_list(&mut self, segments: Vec<Segment<'_>>) {
        self.give(unborrowed(segments));
    }

    /// An empty list with room for `capacity` segments: a kept one when there is one.
    pub fn take_list<'a>(&mut self, capacity: usize) -> Vec<Segment<'a>> {
        let mut v = self.take().map(unborrowed).unwrap_or_default();
        v.reserve(capacity);
        v
    }
}

thread_local! {
    /// Lists kept by each thread, for the transactions it reads again (a scrub's passes).
    static SPARE: RefCell<Spare> = const { RefCell::new(Spare::lists()) };
    /// Byte buffers kept by each thread: a scrub's corrected transactions, written and
    /// then copied to the output (a fresh buffer each was 24,000 page faults on a 100 MB
    /// batch at 30% errors).
    static BYTES: RefCell<Pool<Vec<u8>>> =
        const { RefCell::new(Pool::new(BUFFERS, BUFFERS * BUFFER_BYTES)) };
}

/// Most byte buffers kept by a thread, and most bytes each may hold.
const BUFFERS: usize = 8;
const BUFFER_BYTES: usize = 8 << 20;

/// An empty byte buffer with room for `capacity` bytes: a kept one when there is one.
pub fn take_bytes(capacity: usize) -> Vec<u8> {
    let mut v = with(&BYTES, Pool::take).flatten().unwrap_or_default();
    v.reserve(capacity);
    v
}

/// Keeps `bytes`' allocation for a later [`take_bytes`] on this thread, within the bounds.
pub fn give_bytes(bytes: Vec<u8>) {
    if bytes.capacity() <= BUFFER_BYTES {
        with(&BYTES, |p| p.give(bytes));
    }
}

/// [`Spare::take_list`] from this thread's lists.
pub fn take<'a>(capacity: usize) -> Vec<Segment<'a>> {
    with(&SPARE, |s| s.take_list(capacity)).unwrap_or_else(|| Vec::with_capacity(capacity))
}

/// [`Spare::give_list`] to this thread's lists.
pub fn give(segments: Vec<Segment<'_>>) {
    with(&SPARE, |s| s.give_list(segments));
}

/// A segment list emptied, its allocation kept, for segments of another lifetime (the
/// standard library collects a vector into its own allocation when the item sizes agree).
#[allow(clippy::unnecessary_filter_map)] // `filter` could not change the item type
fn unborrowed<'b>(mut segments: Vec<Segment<'_>>) -> Vec<Segment<'b>> {
    segments.clear();
    segments.into_iter().filter_map(|_| None).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::envelope::first_transaction;

    fn segments(bytes: &[u8]) -> Vec<Segment<'_>> {
        first_transaction(bytes).segments
    }

    /// A list given back is filled again in the same allocation, with the new segments
    /// only; one over the bound is let go.
    #[test]
    fn a_list_given_back_is_filled_again_in_place() {
        let input = include_bytes!("../../samples/scrub/ndc-missing.x12").to_vec();
        let first = segments(&input);
        let (n, at) = (first.len(), first.as_ptr() as usize);
        let mut spare = Spare::lists();
        spare.give_list(first);
        let other = input.clone();
        let mut list = spare.take_list(n);
        assert_eq!(list.as_ptr() as usize, at, "the same allocation");
        assert!(list.is_empty());
        list.extend(segments(&other));
        let range = other.as_ptr() as usize..other.as_ptr() as usize + other.len();
        assert!(
            list.iter()
                .all(|s| range.contains(&(s.raw().as_ptr() as usize)))
        );
        assert_eq!(spare.room, 0);
        spare.give_list(Vec::with_capacity(Spare::ROOM + 1));
        assert!(spare.kept.is_empty() && spare.room == 0, "over the bound");
    }

    /// A byte buffer given back is the next one taken on the thread, emptied; one over
    /// the bound is not kept.
    #[test]
    fn a_byte_buffer_given_back_is_taken_again_empty() {
        let mut b = take_bytes(1000);
        b.extend_from_slice(b"ST*837*0001~");
        let at = b.as_ptr() as usize;
        give_bytes(b);
        let again = take_bytes(10);
        assert_eq!(again.as_ptr() as usize, at);
        assert!(again.is_empty() && again.capacity() >= 1000);
        give_bytes(Vec::with_capacity(BUFFER_BYTES + 1));
        let next = take_bytes(10);
        assert!(
            next.capacity() < BUFFER_BYTES,
            "the big buffer was not kept"
        );
    }
}
