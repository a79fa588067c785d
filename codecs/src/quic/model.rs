//! The adaptive QUIC model: the Golomb-Rice code family, per-channel bucket
//! statistics, the shared wait/update schedule and the MELCODE run coder state.
//!
//! Everything here is shared verbatim by the encoder and the decoder; any
//! difference between them would desynchronise the model.

use super::tables::{MAX_CODEWORD_LEN, MELC_J, TABRAND, WM_INDEX_MAX, WM_STEP_PIXELS, WM_TRIGGER};

/// Code parameters for one bit depth (8 bits per channel, or 5 for RGB16).
pub(crate) struct Family {
    /// Bits per channel.
    pub bpc: u32,
    /// Channel value mask (`2^bpc - 1`).
    pub mask: u32,
    /// Values below this are coded as plain Golomb-Rice codewords, per code `l`.
    pub n_gr: [u32; 8],
    /// Length of the escape ("not GR") codeword, per code `l`.
    pub not_gr_len: [u32; 8],
    /// A 32-bit window at or below this mask starts with an escape prefix.
    pub not_gr_prefix_mask: [u32; 8],
    /// Suffix bits of the escape codeword.
    pub not_gr_suffix_len: [u32; 8],
    /// Codeword for value `n` with code `l`, packed as `code << 5 | len`.
    pub code: [[u32; 8]; 256],
    /// Codeword length for value `n` with code `l`.
    pub code_len: [[u8; 8]; 256],
    /// Residual folding: small signed residuals to small unsigned values.
    pub fold: [u8; 256],
    /// Inverse of `fold`.
    pub unfold: [u8; 256],
    /// Bucket index of a context value (the previous folded residual).
    pub bucket_of: [u8; 256],
}

const fn low_mask(bits: u32) -> u32 {
    if bits >= 32 { u32::MAX } else { (1u32 << bits) - 1 }
}

const fn ceil_log2(v: u32) -> u32 {
    if v <= 1 { 0 } else { 32 - (v - 1).leading_zeros() }
}

impl Family {
    const fn new(bpc: u32) -> Family {
        let mask = low_mask(bpc);
        let mut f = Family {
            bpc,
            mask,
            n_gr: [0; 8],
            not_gr_len: [0; 8],
            not_gr_prefix_mask: [0; 8],
            not_gr_suffix_len: [0; 8],
            code: [[0; 8]; 256],
            code_len: [[0; 8]; 256],
            fold: [0; 256],
            unfold: [0; 256],
            bucket_of: [0; 256],
        };
        let mut l = 0;
        while l < bpc {
            // The escape prefix is as long as the limit allows, but no longer than
            // the number of GR prefixes the value range can use.
            let mut prefix = MAX_CODEWORD_LEN - bpc;
            if prefix > low_mask(bpc - l) {
                prefix = low_mask(bpc - l);
            }
            let escaped = mask + 1 - (prefix << l);
            f.n_gr[l as usize] = prefix << l;
            f.not_gr_suffix_len[l as usize] = ceil_log2(escaped);
            f.not_gr_len[l as usize] = prefix + f.not_gr_suffix_len[l as usize];
            f.not_gr_prefix_mask[l as usize] = low_mask(32 - prefix);
            let mut n = 0;
            while n < 256 {
                let (code, len) = if n < f.n_gr[l as usize] {
                    ((1 << l) | (n & low_mask(l)), (n >> l) + l + 1)
                } else {
                    (n - f.n_gr[l as usize], f.not_gr_len[l as usize])
                };
                f.code[n as usize][l as usize] = (code << 5) | len;
                f.code_len[n as usize][l as usize] = len as u8;
                n += 1;
            }
            l += 1;
        }
        let half = mask >> 1;
        let mut s = 0;
        while s <= mask {
            f.fold[s as usize] = if s <= half { (s << 1) as u8 } else { (((mask - s) << 1) + 1) as u8 };
            f.unfold[s as usize] = if s & 1 == 1 { (mask - (s >> 1)) as u8 } else { (s >> 1) as u8 };
            s += 1;
        }
        // Buckets cover 1, 2, 4, ... contexts; the last one takes whatever remains
        // once the next bucket would not fit (model evolution 3).
        let levels = mask + 1;
        let mut start = 0;
        let mut size = 1;
        let mut bucket = 0;
        loop {
            let mut end = start + size - 1;
            if end + size >= levels {
                end = levels - 1;
            }
            let mut v = start;
            while v <= end {
                f.bucket_of[v as usize] = bucket;
                v += 1;
            }
            if end == levels - 1 {
                break;
            }
            bucket += 1;
            start = end + 1;
            size *= 2;
        }
        // Contexts are masked to the channel depth before the lookup.
        let mut v = levels;
        while v < 256 {
            f.bucket_of[v as usize] = f.bucket_of[(v & mask) as usize];
            v += 1;
        }
        f
    }
}

/// The 8-bit family.
pub(crate) static FAMILY_8: Family = Family::new(8);
/// The 5-bit family (RGB16).
pub(crate) static FAMILY_5: Family = Family::new(5);

/// The family for 5-bit (`true`) or 8-bit channels, as a compile-time choice.
#[inline(always)]
pub(crate) fn family<const B5: bool>() -> &'static Family {
    if B5 { &FAMILY_5 } else { &FAMILY_8 }
}

/// Pixel layout of a channel group, fixed at compile time: `STEP` bytes a pixel,
/// `N` channels. Three channels are r, g, b of B,G,R,X; one channel is either the
/// alpha byte of B,G,R,A (`STEP` 4) or a gray byte (`STEP` 1).
pub(crate) struct Layout<const N: usize, const STEP: usize>;

impl<const N: usize, const STEP: usize> Layout<N, STEP> {
    /// Byte offset of channel `c` inside a pixel (coding order r, g, b).
    pub const OFF: [usize; N] = {
        let mut off = [0; N];
        let mut c = 0;
        while c < N {
            off[c] = if N == 3 {
                2 - c
            } else if STEP == 4 {
                3
            } else {
                0
            };
            c += 1;
        }
        off
    };
    /// Mask selecting the coded bytes of a little-endian pixel word (the run key).
    pub const KEY: u32 = if N == 3 {
        0x00ff_ffff
    } else if STEP == 4 {
        0xff00_0000
    } else {
        0xff
    };
}

/// Statistics of one channel: per bucket, the summed code lengths of each code.
#[derive(Clone)]
pub(crate) struct ChannelModel {
    counters: [[u32; 8]; 8],
    best: [u8; 8],
}

impl ChannelModel {
    pub(crate) fn new(bpc: u32) -> Self {
        ChannelModel { counters: [[0; 8]; 8], best: [(bpc - 1) as u8; 8] }
    }

    /// The code parameter to use in context bucket `bucket`.
    #[inline(always)]
    pub(crate) fn code_for(&self, bucket: u8) -> usize {
        // `& 7`: codes and buckets are below 8, and saying so drops bounds checks.
        usize::from(self.best[usize::from(bucket & 7)] & 7)
    }

    /// Learns from value `val` coded in context bucket `bucket`.
    #[inline]
    pub(crate) fn update(&mut self, fam: &Family, bucket: u8, val: u8, trigger: u32) {
        let b = usize::from(bucket & 7);
        let lens = &fam.code_len[usize::from(val)];
        let c = &mut self.counters[b];
        let top = fam.bpc as usize - 1;
        c[top] += u32::from(lens[top]);
        let mut best = top;
        let mut best_len = c[top];
        for l in (0..top).rev() {
            c[l] += u32::from(lens[l]);
            if c[l] < best_len {
                best = l;
                best_len = c[l];
            }
        }
        self.best[b] = best as u8;
        if best_len > trigger {
            for v in c.iter_mut().take(fam.bpc as usize) {
                *v >>= 1;
            }
        }
    }
}

/// One row segment with a fixed wait mask.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment {
    pub start: usize,
    pub end: usize,
    /// Wait-mask index in force for the segment.
    pub wm_index: u32,
}

impl Segment {
    #[inline]
    pub(crate) fn wait_mask(&self) -> u32 {
        low_mask(self.wm_index)
    }

    #[inline]
    pub(crate) fn trigger(&self) -> u32 {
        WM_TRIGGER[self.wm_index.min(10) as usize]
    }
}

/// State shared by the channels coded together (r, g, b; or one gray/alpha channel).
#[derive(Clone, Copy)]
pub(crate) struct CommonState {
    /// Coded pixels left before the next model update.
    waitcnt: u32,
    seed: u32,
    wm_index: u32,
    /// Coded pixels left before the wait mask widens.
    wm_left: u32,
    melc_state: u32,
    melc_len: u32,
}

impl CommonState {
    pub(crate) fn new() -> Self {
        CommonState { waitcnt: 0, seed: 0xff, wm_index: 0, wm_left: WM_STEP_PIXELS, melc_state: 0, melc_len: MELC_J[0] }
    }

    fn next_random(&mut self) -> u32 {
        self.seed = self.seed.wrapping_add(1);
        TABRAND[(self.seed & 0xff) as usize]
    }

    /// Splits a row of `width` pixels into segments; the wait mask widens every
    /// 2048 pixels (counted across rows) until index 6.
    pub(crate) fn plan_row(&mut self, width: usize, out: &mut [Segment; 8]) -> usize {
        let mut n = 0;
        let mut pos = 0usize;
        let mut left = width;
        while self.wm_index < WM_INDEX_MAX && self.wm_left as usize <= left {
            if self.wm_left > 0 {
                let len = self.wm_left as usize;
                out[n] = Segment { start: pos, end: pos + len, wm_index: self.wm_index };
                n += 1;
                pos += len;
                left -= len;
            }
            self.wm_index += 1;
            self.wm_left = WM_STEP_PIXELS;
        }
        if left > 0 {
            out[n] = Segment { start: pos, end: pos + left, wm_index: self.wm_index };
            n += 1;
            if self.wm_index < WM_INDEX_MAX {
                self.wm_left -= left as u32;
            }
        }
        n
    }

    /// Coded pixels left before the next model update.
    #[inline(always)]
    pub(crate) fn wait(&self) -> u32 {
        self.waitcnt
    }

    /// Stores the countdown a segment loop kept in a register.
    #[inline(always)]
    pub(crate) fn set_wait(&mut self, wait: u32) {
        self.waitcnt = wait;
    }

    /// Draws the number of coded pixels to skip before the next update.
    #[inline(always)]
    pub(crate) fn draw_wait(&mut self, wait_mask: u32) -> u32 {
        self.next_random() & wait_mask
    }

    /// Run length unit of the MELCODE coder (`2^melc_len`).
    #[inline]
    pub(crate) fn melc_order(&self) -> u32 {
        1 << self.melc_len
    }

    #[inline]
    pub(crate) fn melc_len(&self) -> u32 {
        self.melc_len
    }

    /// One "hit" (a full `melc_order` of run): expect longer runs.
    #[inline]
    pub(crate) fn melc_hit(&mut self) {
        if self.melc_state < 31 {
            self.melc_state += 1;
            self.melc_len = MELC_J[self.melc_state as usize];
        }
    }

    /// A run ended: expect shorter runs.
    #[inline]
    pub(crate) fn melc_end(&mut self) {
        if self.melc_state > 0 {
            self.melc_state -= 1;
            self.melc_len = MELC_J[self.melc_state as usize];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_double_and_last_absorbs_the_rest() {
        let f = &FAMILY_8;
        let bounds: Vec<usize> = (1..256).filter(|&v| f.bucket_of[v] != f.bucket_of[v - 1]).collect();
        assert_eq!(bounds, vec![1, 3, 7, 15, 31, 63, 127]);
        let f5 = &FAMILY_5;
        let bounds: Vec<usize> = (1..32).filter(|&v| f5.bucket_of[v] != f5.bucket_of[v - 1]).collect();
        assert_eq!(bounds, vec![1, 3, 7, 15]);
    }

    #[test]
    fn fold_is_a_bijection_with_small_values_for_small_residuals() {
        for f in [&FAMILY_8, &FAMILY_5] {
            for s in 0..=f.mask as usize {
                assert_eq!(usize::from(f.unfold[usize::from(f.fold[s])]), s);
            }
            assert_eq!(f.fold[0], 0);
            assert_eq!(f.fold[1], 2);
            assert_eq!(f.fold[f.mask as usize], 1);
        }
    }

    #[test]
    fn codes_respect_the_length_limit_and_are_prefix_free() {
        for f in [&FAMILY_8, &FAMILY_5] {
            for l in 0..f.bpc as usize {
                let mut seen = std::collections::HashSet::new();
                for n in 0..=f.mask as usize {
                    let packed = f.code[n][l];
                    let (code, len) = (packed >> 5, packed & 31);
                    assert!((1..=MAX_CODEWORD_LEN).contains(&len));
                    // Left-align in 32 bits; no codeword may prefix another.
                    let aligned = u64::from(code) << (32 - len);
                    assert!(seen.insert((aligned, len)));
                }
                let mut all: Vec<(u64, u32)> = seen.into_iter().collect();
                all.sort();
                for w in all.windows(2) {
                    let (a, la) = w[0];
                    let (b, _) = w[1];
                    assert!(b >= a + (1u64 << (32 - la)), "prefix clash at family {} code {l}", f.bpc);
                }
            }
        }
    }
}
