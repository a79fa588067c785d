//! The LZ parse: walks one stream's pixels and chooses, at each position, a match
//! or a literal.
//!
//! At each position the candidates are the previous pixel (a run), the pixel one
//! row up, and the hash table's last position with the same prefix. The one that
//! saves the most bytes wins, if it saves any. Unlike the reference encoder,
//! matches may run to the last pixel (the decoder stops exactly at `width ×
//! height` pixels either way), and the first pixel is the only forced literal.
//!
//! The scan is split into stretches with the bounds checks hoisted out: the first
//! row has no pixel above, and the last pixels are too close to the end to hash.

use super::emit::{self, MAX_FAR, Sink};
use super::layout::{key, load64, mask64};
use super::matcher::{HashTable, match_len};

/// Codes the pixels of `data` (whole `B`-byte pixels, `row` pixels per image row)
/// as one LZ stream appended to `out`.
pub(super) fn compress<const B: usize>(data: &[u8], row: usize, out: &mut Vec<u8>) {
    let n = data.len() / B;
    if n == 0 {
        return;
    }
    // Positions whose 8 bytes are inside the buffer can be hashed.
    let hash_end = if data.len() >= 8 { (data.len() - 8) / B + 1 } else { 1 };
    // A row of one pixel makes "above" the run candidate; leave it to the run.
    // Rows longer than the far window have no reachable pixel above.
    let above_from = if row > 1 && row <= MAX_FAR { row } else { usize::MAX };
    let mut p = Parser { data, row, hash_end, table: HashTable::new(n), sink: Sink::new(out), lit: 0 };
    let mut i = 1;
    i = p.scan::<B, false, true>(i, above_from.min(hash_end));
    i = p.scan::<B, true, true>(i, hash_end);
    i = p.scan::<B, false, false>(i, above_from.min(n));
    p.scan::<B, true, false>(i, n);
    p.sink.literals::<B>(&data[p.lit * B..]);
    p.sink.finish();
}

/// State of one stream's parse.
struct Parser<'a, 'o> {
    data: &'a [u8],
    row: usize,
    /// Positions below this can be hashed.
    hash_end: usize,
    table: HashTable,
    sink: Sink<'o>,
    /// First pixel not yet written (the start of the pending literals).
    lit: usize,
}

impl Parser<'_, '_> {
    /// Parses from pixel `i` while it is below `end`, with the pixel above
    /// (`ABOVE`) and the hash table (`HASH`) as candidates; returns the position
    /// reached (past `end` when a match crosses it).
    #[inline(always)]
    fn scan<const B: usize, const ABOVE: bool, const HASH: bool>(&mut self, mut i: usize, end: usize) -> usize {
        let data = self.data;
        let row = self.row;
        // The previous pixel's key, carried from one position to the next.
        let mut prev = if i < end { key::<B>(data, i - 1) } else { 0 };
        while i < end {
            // Cheap test first: does any candidate's first pixel equal this one?
            // Where the hash reads 8 bytes anyway, the key comes from the same load.
            let word = if HASH { load64(data, i * B) } else { 0 };
            let k = if HASH { word as u32 & mask64::<B>() as u32 & px_mask::<B>() } else { key::<B>(data, i) };
            let run = k == prev;
            prev = k;
            let above = ABOVE && k == key::<B>(data, i - row);
            let mut hashed = 0;
            if HASH {
                let slot = self.table.slot_of::<B>(word);
                let (cand, cand_key) = self.table.swap(slot, i, k);
                let dist = i.wrapping_sub(cand);
                if cand_key == k && dist > 1 && dist != row && dist <= MAX_FAR {
                    hashed = dist;
                }
            }
            if !run && !above && hashed == 0 {
                i += 1;
                continue;
            }
            i = self.take_match::<B, HASH>(i, run, above, hashed);
            if i < end {
                prev = key::<B>(data, i - 1);
            }
        }
        i
    }

    /// Measures the candidates at `i` and codes the best match if it saves bytes;
    /// returns the next position to look at.
    #[inline(never)]
    fn take_match<const B: usize, const HASH: bool>(
        &mut self,
        i: usize,
        run: bool,
        above: bool,
        hashed: usize,
    ) -> usize {
        let data = self.data;
        let max = data.len() / B - i;
        let mut best = Best { len: 0, dist: 0, gain: 0 };
        // Near candidates first; a later one is measured only if it also matches
        // the pixel where the best so far stops, i.e. if it can be longer.
        if run {
            best.keep::<B>(match_len::<B>(data, i - 1, i, max), 1);
        }
        if above && best.may_grow::<B>(data, i, self.row, max) {
            best.keep::<B>(match_len::<B>(data, i - self.row, i, max), self.row);
        }
        if hashed != 0 && best.may_grow::<B>(data, i, hashed, max) {
            best.keep::<B>(match_len::<B>(data, i - hashed, i, max), hashed);
        }
        let Best { len: best_len, dist: best_dist, gain: best_gain } = best;
        if best_gain <= 0 {
            return i + 1;
        }
        if self.lit < i {
            self.sink.literals::<B>(&data[self.lit * B..i * B]);
        }
        self.sink.copy::<B>(best_len, best_dist);
        let end = i + best_len;
        if HASH {
            // Remember the match's last position (the next stretch often goes on
            // from there); inner positions are skipped, which is most of the
            // speed on long matches. One insert measured better than two.
            let p = (end - 1).min(self.hash_end - 1);
            let slot = self.table.slot::<B>(data, p * B);
            self.table.set(slot, p, key::<B>(data, p));
        }
        self.lit = end;
        end
    }
}

/// The best match found so far at one position.
struct Best {
    len: usize,
    dist: usize,
    gain: isize,
}

impl Best {
    /// Keeps the match of `len` pixels `dist` back if it saves more.
    #[inline(always)]
    fn keep<const B: usize>(&mut self, len: usize, dist: usize) {
        let gain = emit::match_gain::<B>(len, dist);
        if gain > self.gain {
            *self = Best { len, dist, gain };
        }
    }

    /// Whether the match `dist` back could be longer than the best: it must also
    /// match the pixel where the best stops.
    #[inline(always)]
    fn may_grow<const B: usize>(&self, data: &[u8], i: usize, dist: usize, max: usize) -> bool {
        self.len == 0 || (self.len < max && key::<B>(data, i + self.len - dist) == key::<B>(data, i + self.len))
    }
}

/// The bits of the first pixel in a little-endian word.
const fn px_mask<const B: usize>() -> u32 {
    match B {
        4 => 0x00ff_ffff,
        2 => 0xffff,
        _ => 0xff,
    }
}
