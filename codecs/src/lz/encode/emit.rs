//! The LZ command syntax (`lz_compress_tmpl.c` writes it, `lz_decompress_tmpl.c`
//! reads it): literal runs and matches, appended to the output.
//!
//! - Literal run: `ctrl = n - 1` (`n` ≤ [`MAX_COPY`] pixels), then the pixels'
//!   literal bytes.
//! - Match of `L` (length field, ≥ 1) at distance `dist` (≥ 1, pixels back):
//!   `d = dist - 1`. Near (`d < 8191`): `L << 5 | d >> 8`, then `d & 255`. Far:
//!   `L << 5 | 31`, then `255`, then `d - 8191` as two big-endian bytes. When
//!   `L ≥ 7` the field is 7 and `L - 7` follows before the distance byte(s), as
//!   bytes of 255 while at least 255 is left, then the rest (< 255).

use super::layout::{length_bias, literal_bytes, write_literals};

/// Longest literal run one control byte can announce (`MAX_COPY`).
pub(super) const MAX_COPY: usize = 32;
/// Longest distance the near form carries (`MAX_DISTANCE`, after the bias of 1).
pub(super) const MAX_NEAR: usize = 8191;
/// Longest distance we use in the far form: the reference encoder's bound
/// (`distance < MAX_FARDISTANCE`, 65535 + 8191 − 1). The decoder would take three
/// more, but streams stay within what the reference itself produces.
pub(super) const MAX_FAR: usize = 65535 + 8191 - 2;

/// The output being written: the caller's vector, grown ahead (doubling) and
/// written by index, so each command is a few fixed-size stores rather than a
/// call to extend the vector. [`Sink::finish`] cuts it to what was written.
pub(super) struct Sink<'a> {
    buf: &'a mut Vec<u8>,
    pos: usize,
}

/// Room kept past every fixed-size write: a match command is gathered in an
/// 8-byte word and stored whole, then the position moves by its length.
const SLACK: usize = 16;

impl<'a> Sink<'a> {
    /// Appends to what `buf` holds.
    pub(super) fn new(buf: &'a mut Vec<u8>) -> Self {
        let pos = buf.len();
        Sink { buf, pos }
    }

    /// Ends writing: the vector holds exactly what was written.
    pub(super) fn finish(self) {
        self.buf.truncate(self.pos);
    }

    /// The buffer from the write position on, at least `n` bytes long.
    #[inline(always)]
    fn room(&mut self, n: usize) -> &mut [u8] {
        if self.pos + n > self.buf.len() {
            self.grow(n);
        }
        &mut self.buf[self.pos..]
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) {
        let len = (self.pos + n).max(self.buf.len() * 2).max(4096);
        self.buf.resize(len, 0);
    }

    /// Appends the pixels of `src` (a whole number of `B`-byte pixels) as literal runs.
    #[inline]
    pub(super) fn literals<const B: usize>(&mut self, src: &[u8]) {
        // A control byte and up to 32 pixels of at most 3 literal bytes.
        const RUN: usize = 1 + MAX_COPY * 3;
        for chunk in src.chunks(MAX_COPY * B) {
            let n = chunk.len() / B;
            let room = self.room(RUN);
            let Some(dst) = room.first_chunk_mut::<RUN>() else { return };
            dst[0] = (n - 1) as u8;
            let bytes = write_literals::<B>(chunk, &mut dst[1..]);
            self.pos += 1 + bytes;
        }
    }

    /// Appends a match of `len` pixels (more than the length bias) at distance
    /// `dist` (1..=[`MAX_FAR`]).
    #[inline(always)]
    pub(super) fn copy<const B: usize>(&mut self, len: usize, dist: usize) {
        debug_assert!(len > length_bias::<B>() && (1..=MAX_FAR).contains(&dist));
        let field = len - length_bias::<B>();
        let d = dist - 1;
        let near = d < MAX_NEAR;
        let hi = if near { (d >> 8) as u64 } else { 31 };
        // The command is gathered in a little-endian word and stored at once.
        let (mut word, mut bytes) = if field < 7 {
            ((field as u64) << 5 | hi, 1)
        } else {
            let rest = field - 7;
            if rest >= 255 {
                // Only very long matches get here: the control byte and a 255
                // byte per 255 pixels go first, the remainder with the distance.
                let room = self.room(1 + rest / 255);
                room[0] = (7 << 5) | hi as u8;
                room[1..=rest / 255].fill(255);
                self.pos += 1 + rest / 255;
                ((rest % 255) as u64, 1)
            } else {
                (7 << 5 | hi | (rest as u64) << 8, 2)
            }
        };
        if near {
            word |= ((d & 255) as u64) << (8 * bytes);
            bytes += 1;
        } else {
            let far = (d - MAX_NEAR) as u64;
            word |= (255 | (far >> 8) << 8 | (far & 255) << 16) << (8 * bytes);
            bytes += 3;
        }
        let room = self.room(SLACK);
        room[..8].copy_from_slice(&word.to_le_bytes());
        self.pos += bytes;
    }
}

/// Bytes a match of `len` pixels (more than the length bias) at distance `dist`
/// costs.
#[inline(always)]
pub(super) fn match_cost<const B: usize>(len: usize, dist: usize) -> usize {
    let field = len - length_bias::<B>();
    // Arithmetic rather than branches: the parse calls this for every candidate.
    let len_bytes = 1 + usize::from(field >= 7) + field.saturating_sub(7) / 255;
    len_bytes + 1 + 2 * usize::from(dist > MAX_NEAR)
}

/// Bytes saved by coding `len` pixels at `dist` as a match instead of literals;
/// 0 or less when the match saves nothing or is too short to code.
#[inline(always)]
pub(super) fn match_gain<const B: usize>(len: usize, dist: usize) -> isize {
    let gain = (len * literal_bytes::<B>()) as isize - match_cost::<B>(len.max(length_bias::<B>() + 1), dist) as isize;
    if len > length_bias::<B>() { gain } else { 0 }
}
