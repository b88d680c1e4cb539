//! Segment lists kept for reuse. A transaction's list of segments is large (tens of
//! thousands of segments in a claim file) and short-lived; given back to the allocator at
//! the end of each block or pass, its memory went back to the system and was faulted in
//! again for the next one (perf: 59,136 page faults for `validate` on a 100 MB batch, most
//! of them for these lists; 6,178 once they are reused). An emptied list is kept here and
//! filled by a later transaction, read from other bytes.

use super::segment::Segment;

/// Emptied segment lists, bounded in number and in the segments they have room for.
#[derive(Debug, Default)]
pub struct Spare {
    lists: Vec<Vec<Segment<'static>>>,
    /// Segments the kept lists have room for, in all.
    room: usize,
}

/// A copy keeps nothing: the lists are this one's.
impl Clone for Spare {
    fn clone(&self) -> Self {
        Spare::default()
    }
}

impl Spare {
    /// Most lists kept.
    const LISTS: usize = 64;
    /// Most segments the kept lists have room for in all (about 12 MB).
    const ROOM: usize = 1 << 18;

    /// Keeps `segments`' allocation for a later list, when it fits the bounds.
    pub fn give(&mut self, segments: Vec<Segment<'_>>) {
        let room = segments.capacity();
        if self.lists.len() < Self::LISTS && self.room + room <= Self::ROOM {
            self.room += room;
            self.lists.push(unborrowed(segments));
        }
    }

    /// An empty list with room for `capacity` segments: a kept one when there is one.
    pub fn take<'a>(&mut self, capacity: usize) -> Vec<Segment<'a>> {
        match self.lists.pop() {
            Some(list) => {
                self.room -= list.capacity();
                let mut v = unborrowed(list);
                v.reserve(capacity);
                v
            }
            None => Vec::with_capacity(capacity),
        }
    }
}

thread_local! {
    /// Lists kept by each thread, for the transactions it reads again (a scrub's passes).
    static SPARE: std::cell::RefCell<Spare> = std::cell::RefCell::new(Spare::default());
    /// Byte buffers kept by each thread: a scrub's corrected transactions, written and
    /// then copied to the output (a fresh buffer each was 24,000 page faults on a 100 MB
    /// batch at 30% errors).
    static BYTES: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Most byte buffers kept by a thread, and most bytes each may hold.
const BUFFERS: usize = 8;
const BUFFER_BYTES: usize = 8 << 20;

/// An empty byte buffer with room for `capacity` bytes: a kept one when there is one.
pub fn take_bytes(capacity: usize) -> Vec<u8> {
    let kept = BYTES.try_with(|b| b.try_borrow_mut().ok().and_then(|mut b| b.pop()));
    let mut v = kept.ok().flatten().unwrap_or_default();
    v.reserve(capacity);
    v
}

/// Keeps `bytes`' allocation for a later [`take_bytes`] on this thread, within the bounds.
pub fn give_bytes(mut bytes: Vec<u8>) {
    if bytes.capacity() > BUFFER_BYTES {
        return;
    }
    bytes.clear();
    let _ = BYTES.try_with(|b| {
        b.try_borrow_mut().map(|mut b| {
            if b.len() < BUFFERS {
                b.push(bytes);
            }
        })
    });
}

/// [`Spare::take`] from this thread's lists.
pub fn take<'a>(capacity: usize) -> Vec<Segment<'a>> {
    (SPARE
        .try_with(|s| s.try_borrow_mut().ok().map(|mut s| s.take(capacity)))
        .ok())
    .flatten()
    .unwrap_or_else(|| Vec::with_capacity(capacity))
}

/// [`Spare::give`] to this thread's lists.
pub fn give(segments: Vec<Segment<'_>>) {
    // Not during the thread's teardown, when its spare lists may be gone already.
    let _ = SPARE.try_with(|s| s.try_borrow_mut().map(|mut s| s.give(segments)));
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
    use crate::x12::{Reader, Unit};

    fn segments(bytes: &[u8]) -> Vec<Segment<'_>> {
        (Reader::new(bytes))
            .find_map(|u| match u {
                Ok(Unit::Transaction(t)) => Some(t.segments),
                _ => None,
            })
            .expect("a transaction")
    }

    /// A list given back is filled again in the same allocation, with the new segments
    /// only; one over the bound is let go.
    #[test]
    fn a_list_given_back_is_filled_again_in_place() {
        let input = include_bytes!("../../samples/scrub/ndc-missing.x12").to_vec();
        let first = segments(&input);
        let (n, at) = (first.len(), first.as_ptr() as usize);
        let mut spare = Spare::default();
        spare.give(first);
        let other = input.clone();
        let mut list = spare.take(n);
        assert_eq!(list.as_ptr() as usize, at, "the same allocation");
        assert!(list.is_empty());
        list.extend(segments(&other));
        let range = other.as_ptr() as usize..other.as_ptr() as usize + other.len();
        assert!(
            list.iter()
                .all(|s| range.contains(&(s.raw().as_ptr() as usize)))
        );
        assert_eq!(spare.room, 0);
        spare.give(Vec::with_capacity(Spare::ROOM + 1));
        assert!(spare.lists.is_empty() && spare.room == 0, "over the bound");
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
