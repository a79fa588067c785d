//! The GLZ parse: walks one stream's pixels and chooses, at each position, a
//! literal or the match that saves the most bytes among these candidates:
//!
//! - the previous pixel (a run) and the pixel one row up, in this image;
//! - the last four displacements into earlier images that gave a match (a
//!   scrolled or moved region goes on at the same displacement, row after row,
//!   past the pixels that changed);
//! - the shared hash index's last position for the pixels starting here, in
//!   this image or in any earlier image of the window.
//!
//! A match found through the index or a displacement is also extended backwards
//! over pending literals, so the index need not hold every position: inside
//! copies from earlier images only every [`INSERT_STEP`]th position is
//! recorded. That keeps long matches cheap while later images can still find
//! the content after the image it was first copied from has left the window
//! (the reference encoder records match ends only, and loses such content, see
//! `seq_drag_win2`).

use super::dictionary::{Entry, HashIndex};
use super::emit::{self, MAX_IMAGE_DIST, MAX_OFFSET, Stream};
use crate::simd;

/// Pending literals after which the parse looks at every other position (and so on).
const ACCEL_SHIFT: u32 = 8;

/// Displacements into earlier images remembered as candidates.
const REPS: usize = 4;

/// A position is an anchor when these bits of its 2-pixel hash are zero: one
/// position in 8, chosen by content, so the same content has the same anchors
/// in every image.
const ANCHOR_MASK: u64 = 1;
/// Where those bits sit in the hash (away from the bits that pick local slots).
const ANCHOR_SHIFT: u32 = 24;

/// Pixels a hash covers, and the hash of those starting at a position.
pub(super) trait Hashed: Stream {
    /// Pixels the hash reads.
    const HASH_PX: usize;
    /// The hash of `px[i..i + HASH_PX]` (in bounds).
    fn hash(px: &[u32], i: usize) -> u64;
    /// The hash of `px[i..i + LONG_PX]` (in bounds), for the shared index.
    #[inline(always)]
    fn long_hash(px: &[u32], i: usize) -> u64 {
        // Pairs of pixels through independent multiplies, so the products overlap.
        let p = &px[i..i + LONG_PX];
        let mut h = 0u64;
        for (j, pair) in p.chunks_exact(2).enumerate() {
            let v = u64::from(Self::key(pair[0])) | u64::from(Self::key(pair[1])) << 32;
            h ^= v.wrapping_mul(PAIR_MUL[j]);
        }
        h.wrapping_mul(MUL)
    }
}

/// Pixels the shared index hashes: long enough that the last place a sequence
/// was seen is usually the place it came from (text glyph rows repeat a lot
/// at 3 pixels), short enough to catch moved widgets.
const LONG_PX: usize = 12;

const MUL: u64 = 0x9e37_79b9_7f4a_7c15;
/// Odd constants, one per pixel pair of [`Hashed::long_hash`].
const PAIR_MUL: [u64; LONG_PX / 2] = [
    0xff51_afd7_ed55_8ccd,
    0xc4ce_b9fe_1a85_ec53,
    0x8765_4321_0fed_cba9,
    0xd6e8_feb8_6659_fd93,
    0xa076_1d64_78bd_642f,
    0xe703_7ed1_a0b4_28db,
];

impl Hashed for emit::Rgb {
    const HASH_PX: usize = 2;
    #[inline(always)]
    fn hash(px: &[u32], i: usize) -> u64 {
        let v = u64::from(Self::key(px[i])) | u64::from(Self::key(px[i + 1])) << 24;
        v.wrapping_mul(MUL)
    }
}

impl Hashed for emit::Rgb16 {
    const HASH_PX: usize = 3;
    #[inline(always)]
    fn hash(px: &[u32], i: usize) -> u64 {
        let v = u64::from(px[i]) | u64::from(px[i + 1]) << 16 | u64::from(px[i + 2]) << 32 | 1 << 63;
        v.wrapping_mul(MUL)
    }
}

impl Hashed for emit::Alpha {
    const HASH_PX: usize = 4;
    #[inline(always)]
    fn hash(px: &[u32], i: usize) -> u64 {
        let a = |k: usize| u64::from(Self::key(px[i + k]));
        let v = a(0) | a(1) << 8 | a(2) << 16 | a(3) << 24 | 1 << 62;
        v.wrapping_mul(MUL)
    }
}

/// The pixels of one stream and what it may reference.
pub(super) struct Context<'a, S: Stream> {
    /// This image's pixels, in stream order.
    pub(super) cur: &'a [u32],
    /// Pixels per row.
    pub(super) width: usize,
    /// This image's id.
    pub(super) id: u64,
    /// The window, oldest first, with this image last: the pixels of each image
    /// this stream may reference (same type), `None` for the others.
    pub(super) window: Vec<Option<&'a [u32]>>,
    /// The id of `window[0]`.
    pub(super) first_id: u64,
    pub(super) index: &'a HashIndex,
    /// The stream kind the parse codes.
    pub(super) stream: core::marker::PhantomData<S>,
}

/// Bits of the table of this image's own positions: 2^16 slots of 8 bytes, in L2 beside the image.
const LOCAL_BITS: u32 = 16;

/// What an encoder keeps from one image to the next, to spare allocations.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// Hash-index entries of the image being coded, published when it is done.
    publish: Vec<(u32, Entry)>,
    local: LocalTable,
}

/// The most recent position of this image for each hash, with its first pixel's
/// key beside it, so most candidates that cannot match are dropped without
/// reading the image. It is not cleared between images: a slot left by an
/// earlier image is a candidate like any other, checked against the pixels.
#[derive(Debug)]
struct LocalTable {
    slots: Vec<u64>,
    shift: u32,
}

impl Default for LocalTable {
    fn default() -> Self {
        LocalTable { slots: vec![u64::MAX; 1 << LOCAL_BITS], shift: 64 - LOCAL_BITS }
    }
}

impl LocalTable {
    /// The position and key stored for `hash`, replaced by `pos` and `key`.
    #[inline(always)]
    fn replace(&mut self, hash: u64, pos: usize, key: u32) -> (usize, u32) {
        let slot = (hash >> self.shift) as usize;
        let old = core::mem::replace(&mut self.slots[slot], pos as u64 | u64::from(key) << 32);
        (old as u32 as usize, (old >> 32) as u32)
    }

    #[inline(always)]
    fn set(&mut self, hash: u64, pos: usize, key: u32) {
        self.slots[(hash >> self.shift) as usize] = pos as u64 | u64::from(key) << 32;
    }
}

/// A candidate match: where it starts in this image, how long, and its source.
#[derive(Clone, Copy)]
struct Found {
    start: usize,
    len: usize,
    /// 0: this image (then `offset` is the distance back minus 1).
    image_dist: u64,
    offset: usize,
    gain: isize,
}

/// Pixels common to `a` and `b` from their starts, compared on `S::MASK`.
#[inline(always)]
fn common<S: Stream>(a: &[u32], b: &[u32]) -> usize {
    let n = a.len().min(b.len());
    let mask = u64::from(S::MASK) | u64::from(S::MASK) << 32;
    simd::masked_prefix_len(bytemuck::cast_slice(&a[..n]), bytemuck::cast_slice(&b[..n]), mask) / 4
}

impl<S: Hashed> Context<'_, S> {
    /// Codes the stream, appending to `out`. The positions it records for later
    /// images go to the shared index only at the end: until then, lookups there
    /// see earlier images only, not repeats within this one (those come from a
    /// table of its own).
    pub(super) fn parse(&self, out: &mut Vec<u8>, scratch: &mut Scratch) {
        let cur = self.cur;
        let n = cur.len();
        let Scratch { publish, local } = scratch;
        publish.clear();
        let me = self.window.len() - 1;
        let w = self.width;
        let mut lit = 0usize;
        let mut i = 0usize;
        // Recent displacements into earlier images, most recent first: (window
        // index, i - source position). They start with "the same place in the
        // previous image": static screen regions.
        let mut reps: [(usize, isize); REPS] = [(usize::MAX, 0); REPS];
        if me > 0 {
            reps[0] = (me - 1, 0);
        }
        // The shared index can only help if the window holds another image of this type.
        let has_earlier = self.window[..me].iter().any(Option::is_some);
        while i < n {
            let k = S::key(cur[i]);
            let mut best = Found { start: i, len: 0, image_dist: 0, offset: 0, gain: 0 };
            if i > 0 && S::key(cur[i - 1]) == k {
                self.in_image(&mut best, i, 1, lit);
            }
            if i >= w && w > 1 && S::key(cur[i - w]) == k {
                self.in_image(&mut best, i, w, lit);
            }
            for &(idx, delta) in &reps {
                if let Some(src) = self.window.get(idx).copied().flatten() {
                    if let Ok(q) = usize::try_from(i as isize - delta) {
                        if src.get(q).map(|&p| S::key(p)) == Some(k) {
                            self.cross(&mut best, i, idx, src, q, lit);
                        }
                    }
                }
            }
            if i + S::HASH_PX <= n {
                let h = S::hash(cur, i);
                let (pos, key) = local.replace(h, i, k);
                if key == k && pos < i && i - pos > 1 {
                    self.in_image(&mut best, i, i - pos, lit);
                }
                // Anchors: positions picked by their content (see the module docs).
                if (h >> ANCHOR_SHIFT) & ANCHOR_MASK == 0 && i + LONG_PX <= n {
                    let slot = HashIndex::slot(S::long_hash(cur, i));
                    publish.push((slot as u32, Entry::new(self.id, i, k)));
                    if has_earlier {
                        let e = self.index.get(slot);
                        if e.key() == k {
                            if let Some(idx) = e.snapshot_index(self.first_id, self.window.len()) {
                                if let Some(src) = self.window[idx].filter(|_| idx != me) {
                                    let pos = e.pos();
                                    if src.get(pos).map(|&p| S::key(p)) == Some(k) {
                                        self.cross(&mut best, i, idx, src, pos, lit);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if best.gain <= 0 {
                // Step faster through long stretches without matches (noise,
                // photos), as LZ4 does: one position more per 2^ACCEL_SHIFT misses.
                i += 1 + ((i - lit) >> ACCEL_SHIFT);
                continue;
            }
            if lit < best.start {
                emit::literals::<S>(&cur[lit..best.start], out);
            }
            emit::copy::<S>(best.len, best.image_dist, best.offset, out);
            let end = best.start + best.len;
            if best.image_dist != 0 {
                let idx = me - best.image_dist as usize;
                let rep = (idx, best.start as isize - best.offset as isize);
                // Move to front.
                let at = reps.iter().position(|&r| r == rep).unwrap_or(REPS - 1);
                reps.copy_within(0..at, 1);
                reps[0] = rep;
            }
            if end + S::HASH_PX <= n + 1 {
                // The match's last position: the next stretch often goes on from there.
                let q = end - 1;
                local.set(S::hash(cur, q), q, S::key(cur[q]));
            }
            lit = end;
            i = end;
        }
        if lit < n {
            emit::literals::<S>(&cur[lit..], out);
        }
        for &(slot, e) in publish.iter() {
            self.index.set(slot as usize, e);
        }
    }

    /// Considers the match `dist` pixels back in this image at `i`, extended
    /// backwards down to `lit`.
    #[inline(always)]
    fn in_image(&self, best: &mut Found, i: usize, dist: usize, lit: usize) {
        if dist > MAX_OFFSET {
            return;
        }
        let cur = self.cur;
        if best.len > 0 {
            // Only worth measuring if it also matches where the best so far stops.
            let e = best.start + best.len;
            if e >= cur.len() || !S::same(cur[e], cur[e - dist]) {
                return;
            }
        }
        // Forward: a copy runs front to back, so the source may overlap the match.
        let fwd = common::<S>(&cur[i..], &cur[i - dist..]);
        let mut start = i;
        while start > lit && start > dist && S::same(cur[start - 1], cur[start - 1 - dist]) {
            start -= 1;
        }
        let len = fwd + (i - start);
        let gain = emit::gain::<S>(len, 0, dist - 1);
        if gain > best.gain {
            *best = Found { start, len, image_dist: 0, offset: dist - 1, gain };
        }
    }

    /// Considers the match at pixel `q` of the earlier image `window[idx]` at
    /// `i`, extended backwards down to `lit`.
    #[inline(always)]
    fn cross(&self, best: &mut Found, i: usize, idx: usize, src: &[u32], q: usize, lit: usize) {
        let image_dist = (self.window.len() - 1 - idx) as u64;
        if image_dist > MAX_IMAGE_DIST {
            return;
        }
        let cur = self.cur;
        if best.len > 0 {
            // Only worth measuring if it also matches where the best so far stops.
            let e = best.start + best.len;
            if e >= cur.len() || !src.get(q + (e - i)).is_some_and(|&p| S::same(p, cur[e])) {
                return;
            }
        }
        let fwd = common::<S>(&cur[i..], &src[q..]);
        let back = (i - lit).min(q);
        let mut b = 0;
        while b < back && S::same(cur[i - 1 - b], src[q - 1 - b]) {
            b += 1;
        }
        let len = fwd + b;
        let gain = emit::gain::<S>(len, image_dist, q - b);
        if gain > best.gain {
            *best = Found { start: i - b, len, image_dist, offset: q - b, gain };
        }
    }
}
