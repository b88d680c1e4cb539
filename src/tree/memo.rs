//! Where the walk put a segment, remembered: the same segment kind in the same open loops
//! goes to the same place, so the guide is searched once for it, not for every claim.
//!
//! Where a segment goes depends on the loops open (the innermost one's definition names
//! them all: the open loops are a path in the guide's tree, and a definition is in one
//! place of it), the segment's id, and the qualifier values the search reads. The first
//! qualifier the search reads is known from the innermost loop and the id alone, since
//! what comes before it in the search reads no value. So a placement is remembered by
//! (innermost loop, id, that qualifier's value) when the search read no other value;
//! one that read several is searched every time. Definitions live as long as the process
//! (the grammars are never freed), so their addresses are stable keys.

use super::build::Target;
use crate::grammar::{LoopDef, pack_code};

/// Where a segment goes; `None` for a segment no open loop takes.
type Place = Option<Target>;

/// The qualifier a search for an id in a loop reads first: element `.0` (or, `.1`, the
/// first component of that composite element); `None` when it reads no value.
type First = Option<(usize, bool)>;

/// Direct-mapped: a collision overwrites, which costs a search later.
pub(super) struct Memo {
    /// (innermost loop, id) to the first qualifier its search reads.
    firsts: Vec<Option<(usize, u32, First)>>,
    /// (innermost loop, id, first qualifier's value packed) to the place.
    places: Vec<Option<(usize, u32, u64, Place)>>,
}

impl Memo {
    const FIRSTS: usize = 1 << 10;
    const PLACES: usize = 1 << 12;

    pub(super) fn new() -> Self {
        Memo {
            firsts: vec![None; Self::FIRSTS],
            places: vec![None; Self::PLACES],
        }
    }

    fn loop_key(def: &'static LoopDef) -> usize {
        std::ptr::from_ref(def) as usize
    }

    fn slot(def: usize, id: u32, value: u64, len: usize) -> usize {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let h =
            ((def as u64).rotate_left(17) ^ u64::from(id) ^ value.rotate_left(29)).wrapping_mul(K);
        (h >> 40) as usize & (len - 1)
    }

    /// Places remembered.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.places.iter().flatten().count()
    }

    /// What a search for `id` in `def` reads first, if known.
    pub(super) fn first(&self, def: &'static LoopDef, id: u32) -> Option<First> {
        let d = Self::loop_key(def);
        match self.firsts[Self::slot(d, id, 0, Self::FIRSTS)] {
            Some((k, i, f)) if k == d && i == id => Some(f),
            _ => None,
        }
    }

    /// The key of the first qualifier's value (none read: a key no value packs to);
    /// `None` when it is too long to pack.
    fn value_key(value: Option<&[u8]>) -> Option<u64> {
        value.map_or(Some(u64::MAX), pack_code)
    }

    /// The place remembered for `id` in `def` with first qualifier value `value`.
    pub(super) fn place(
        &self,
        def: &'static LoopDef,
        id: u32,
        value: Option<&[u8]>,
    ) -> Option<Place> {
        let value = Self::value_key(value)?;
        let d = Self::loop_key(def);
        match self.places[Self::slot(d, id, value, Self::PLACES)] {
            Some((k, i, v, p)) if k == d && i == id && v == value => Some(p),
            _ => None,
        }
    }

    /// Remembers a search's result: it read `first` (its value `value`) and nothing else.
    pub(super) fn remember(
        &mut self,
        def: &'static LoopDef,
        id: u32,
        first: First,
        value: Option<&[u8]>,
        place: Place,
    ) {
        let Some(value) = Self::value_key(value) else {
            return;
        };
        let d = Self::loop_key(def);
        self.firsts[Self::slot(d, id, 0, Self::FIRSTS)] = Some((d, id, first));
        self.places[Self::slot(d, id, value, Self::PLACES)] = Some((d, id, value, place));
    }
}
