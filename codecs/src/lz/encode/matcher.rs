//! Match finding for the LZ encoder: a hash table of recent positions, and the
//! length of the common run of pixels at two positions.
//!
//! The reference (`lz_compress_tmpl.c`) keeps one slot per 13-bit hash of three
//! pixels and updates it only at literals and at the last two pixels of a match.
//! Here the table has up to 2^14 slots (sized to the image), is keyed on a
//! shorter prefix (two RGB32 pixels), and keeps each position's first-pixel key
//! beside it, so most candidates that cannot match are dropped without touching
//! the image. The caller also tries the pixel to the left (runs) and the pixel
//! above, which no hash finds as reliably.
//!
//! Measured on the golden-vector images: 2^14 slots beat 2^15–2^17 on speed at
//! the same size within 0.5%; a three-pixel RGB32 key lost 1–5% in size and
//! speed; for RGB16 a two-pixel key gains 15% in size on photos but costs 20%
//! speed, four pixels lose size; inserting positions inside matches gained
//! under 0.1% and cost screens 25% speed.

use super::layout::{load64, mask64};
use crate::simd;

/// Largest table: 2^14 slots of 8 bytes, so that it stays in cache beside the image.
const MAX_HASH_BITS: u32 = 14;
/// Smallest table, for tiny images (the table is cleared per image).
const MIN_HASH_BITS: u32 = 8;

/// Bytes of a position that the hash covers: two RGB32 pixels, three RGB16
/// pixels, or four palette/alpha bytes: a little over the shortest match worth
/// coding, so that a hit usually is one.
const fn hash_bytes<const B: usize>() -> u32 {
    match B {
        4 => 8,
        2 => 6,
        _ => 4,
    }
}

/// Most recent position for each hash of the pixels starting there, with the
/// key of its first pixel beside it, so a candidate that cannot match is
/// rejected without reading the image at a random place.
pub(super) struct HashTable {
    slots: Vec<u64>,
    shift: u32,
}

impl HashTable {
    /// An empty table sized for `pixels` positions.
    pub(super) fn new(pixels: usize) -> Self {
        let bits = (usize::BITS - pixels.leading_zeros()).clamp(MIN_HASH_BITS, MAX_HASH_BITS);
        HashTable { slots: vec![0; 1 << bits], shift: 64 - bits }
    }

    /// The slot for the pixels at byte offset `at` (which must have 8 bytes after it).
    #[inline(always)]
    pub(super) fn slot<const B: usize>(&self, data: &[u8], at: usize) -> usize {
        self.slot_of::<B>(load64(data, at))
    }

    /// The slot for the pixels whose first 8 bytes are `word` (little-endian).
    #[inline(always)]
    pub(super) fn slot_of<const B: usize>(&self, word: u64) -> usize {
        let bits = hash_bytes::<B>() * 8;
        let v = word & mask64::<B>() & (u64::MAX >> (64 - bits));
        (v.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The position and first-pixel key stored in `slot`, replaced by `pos` and `key`.
    #[inline(always)]
    pub(super) fn swap(&mut self, slot: usize, pos: usize, key: u32) -> (usize, u32) {
        let old = core::mem::replace(&mut self.slots[slot], pos as u64 | u64::from(key) << 32);
        (old as u32 as usize, (old >> 32) as u32)
    }

    /// Records `pos`, whose first pixel has `key`, in `slot`.
    #[inline(always)]
    pub(super) fn set(&mut self, slot: usize, pos: usize, key: u32) {
        self.slots[slot] = pos as u64 | u64::from(key) << 32;
    }
}

/// How many pixels from pixel `cur` on equal those from pixel `src` (`src < cur`,
/// overlap allowed: an LZ copy runs forward), at most `max`.
#[inline(always)]
pub(super) fn match_len<const B: usize>(data: &[u8], src: usize, cur: usize, max: usize) -> usize {
    let a = &data[src * B..(src + max) * B];
    let b = &data[cur * B..(cur + max) * B];
    // The first differing compared byte lies in the first differing pixel.
    simd::masked_prefix_len(a, b, mask64::<B>()) / B
}
