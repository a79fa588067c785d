//! Reference kernels: plain loops, the definition the `wide` versions must match.
//! Some are only called by the agreement tests and the benches.
//!
//! Rows are interleaved: a pixel is `step` bytes (1 for gray, 4 for B,G,R,X/A)
//! and every byte lane is treated alike, so one call covers all channels.

#![cfg_attr(not(feature = "bench-internals"), allow(dead_code))]

/// Folds a signed residual of `bits` (5 or 8) bits to unsigned: 0, -1, 1, -2, ... → 0, 1, 2, 3, ...
/// (`xlatU2L` in spice-common quic.c).
#[inline(always)]
pub fn fold(d: u8, bits: u32) -> u8 {
    let mask = ((1u32 << bits) - 1) as u8;
    let d = d & mask;
    let half = mask >> 1;
    if d <= half { d << 1 } else { ((mask - d) << 1) + 1 }
}

/// QUIC prediction residuals of a row of `step`-byte pixels, folded with [`fold`].
///
/// Without `prev` (first row): the first pixel against 0, then each byte against
/// the same byte of the pixel to its left. With `prev`: the first pixel against
/// the pixel above, then against `(left + above) >> 1`.
pub fn fold_residuals(prev: Option<&[u8]>, cur: &[u8], out: &mut [u8], bits: u32, step: usize) {
    let n = cur.len();
    assert!(out.len() >= n && prev.is_none_or(|p| p.len() >= n));
    let head = step.min(n);
    for j in 0..head {
        let p = prev.map_or(0, |p| p[j]);
        out[j] = fold(cur[j].wrapping_sub(p), bits);
    }
    match prev {
        None => {
            for j in head..n {
                out[j] = fold(cur[j].wrapping_sub(cur[j - step]), bits);
            }
        }
        Some(prev) => {
            for j in head..n {
                let pred = ((u16::from(cur[j - step]) + u16::from(prev[j])) >> 1) as u8;
                out[j] = fold(cur[j].wrapping_sub(pred), bits);
            }
        }
    }
}

/// The run key of pixel `i`: its bytes under `mask` (`step` 4) or its byte (`step` 1).
#[inline(always)]
pub fn key(row: &[u8], i: usize, step: usize, mask: u32) -> u32 {
    if step == 4 {
        let p = &row[4 * i..4 * i + 4];
        u32::from_le_bytes([p[0], p[1], p[2], p[3]]) & mask
    } else {
        u32::from(row[i])
    }
}

/// Number of leading nonzero bytes of `flags` (the length of a run of repeats).
pub fn count_repeats(flags: &[u8]) -> usize {
    flags.iter().take_while(|&&f| f != 0).count()
}

/// `out[i] = 1` when pixel `i` has the key of pixel `i - 1`, else 0 (`out[0] = 0`).
pub fn repeat_flags(row: &[u8], step: usize, mask: u32, out: &mut [u8]) {
    let n = row.len() / step;
    if n == 0 {
        return;
    }
    out[0] = 0;
    for (i, o) in out.iter_mut().enumerate().take(n).skip(1) {
        *o = u8::from(key(row, i, step, mask) == key(row, i - 1, step, mask));
    }
}

/// Repeats the 4-byte pixel `px` over `dst` (a whole number of pixels).
pub fn fill_pixels(dst: &mut [u8], px: [u8; 4]) {
    for p in dst.chunks_exact_mut(4) {
        p.copy_from_slice(&px);
    }
}

/// Sets byte `lane` (0..4) of every 4-byte pixel of `dst` to `v`, leaving the others.
pub fn fill_lane(dst: &mut [u8], lane: usize, v: u8) {
    for p in dst.chunks_exact_mut(4) {
        p[lane] = v;
    }
}

/// Widens packed 3-byte B,G,R pixels to 4-byte B,G,R,0 pixels, as many as both
/// slices hold (`min(src.len() / 3, dst.len() / 4)`), leaving the rest of `dst`
/// alone (LZ RGB literals, `COPY_COMP_PIXEL` of `lz_decompress_tmpl.c`).
pub fn widen_bgr(src: &[u8], dst: &mut [u8]) {
    for (s, d) in src.chunks_exact(3).zip(dst.chunks_exact_mut(4)) {
        d.copy_from_slice(&[s[0], s[1], s[2], 0]);
    }
}

/// Leading bytes of `a` and `b` (up to the shorter) that agree under `mask`,
/// whose little-endian bytes repeat every 8 bytes: the LZ encoder's match length
/// in bytes (`SAME_PIXEL` of `lz_compress_tmpl.c`: the pad byte of 32-bit pixels
/// and bit 15 of RGB16 do not count).
pub fn masked_prefix_len(a: &[u8], b: &[u8], mask: u64) -> usize {
    let m = mask.to_le_bytes();
    a.iter().zip(b).enumerate().take_while(|&(k, (x, y))| (x ^ y) & m[k % 8] == 0).count()
}

/// Packs 4-byte B,G,R,X pixels to their 3 bytes B,G,R, as many as both slices
/// hold (`min(src.len() / 4, dst.len() / 3)`), leaving the rest of `dst` alone
/// (LZ RGB literals, `ENCODE_PIXEL` of `lz_compress_tmpl.c`).
pub fn pack_bgr(src: &[u8], dst: &mut [u8]) {
    for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(3)) {
        d.copy_from_slice(&s[..3]);
    }
}

/// Byte `lane` (0..4) of each 4-byte pixel of `src`, as many as both slices hold
/// (`min(src.len() / 4, dst.len())`), leaving the rest of `dst` alone (the LZ
/// alpha stream's pixels).
pub fn gather_lane(src: &[u8], lane: usize, dst: &mut [u8]) {
    for (s, d) in src.chunks_exact(4).zip(dst.iter_mut()) {
        *d = s[lane];
    }
}
