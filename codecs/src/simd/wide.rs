//! SIMD kernels on `wide` vectors (SSE2 on baseline x86-64, AVX2 with
//! `-C target-cpu=x86-64-v3`, NEON on aarch64); same contracts as [`super::scalar`].
//! Each handles whole vectors and leaves the remainder to the scalar code.

use super::scalar;
use bytemuck::cast;
use wide::{i16x8, i32x8, u8x16, u16x8, u32x4};

#[inline(always)]
fn load16(s: &[u8]) -> u8x16 {
    match s.first_chunk::<16>() {
        Some(a) => u8x16::from(*a),
        None => unreachable_load(),
    }
}

#[cold]
#[inline(never)]
fn unreachable_load() -> u8x16 {
    // Callers only load whole chunks they checked; keep the panic path out of the loops.
    panic!("kernel loaded past the end of a row")
}

/// Floor of `(a + b) / 2` per byte, without widening: `(a & b) + ((a ^ b) >> 1)`.
#[inline(always)]
fn avg_floor(a: u8x16, b: u8x16) -> u8x16 {
    // No 8-bit shift in SSE2: shift 16-bit lanes and drop the bit that crossed bytes.
    let half = cast::<u16x8, u8x16>(cast::<u8x16, u16x8>(a ^ b) >> 1) & u8x16::splat(0x7f);
    (a & b) + half
}

/// Folds `bits`-bit residuals held in bytes (see [`scalar::fold`]): `2d`, or its
/// complement when the residual's top bit (its sign) is set.
#[inline(always)]
fn fold8(d: u8x16, mask: u8x16, sign_bit: u8x16) -> u8x16 {
    let d = d & mask;
    let negative = (d & sign_bit).cmp_eq(sign_bit);
    ((d + d) ^ negative) & mask
}

/// See [`scalar::fold_residuals`]: 16 bytes per step, in byte lanes.
pub fn fold_residuals(prev: Option<&[u8]>, cur: &[u8], out: &mut [u8], bits: u32, step: usize) {
    let n = cur.len();
    assert!(out.len() >= n && prev.is_none_or(|p| p.len() >= n));
    let head = step.min(n);
    let mask = u8x16::splat(((1u32 << bits) - 1) as u8);
    let sign_bit = u8x16::splat(1 << (bits - 1));
    let mut j = head;
    match prev {
        None => {
            scalar::fold_residuals(None, &cur[..head], &mut out[..head], bits, step);
            while j + 16 <= n {
                let d = load16(&cur[j..]) - load16(&cur[j - step..]);
                out[j..j + 16].copy_from_slice(fold8(d, mask, sign_bit).as_array_ref());
                j += 16;
            }
            for k in j..n {
                out[k] = scalar::fold(cur[k].wrapping_sub(cur[k - step]), bits);
            }
        }
        Some(prev) => {
            scalar::fold_residuals(Some(&prev[..head]), &cur[..head], &mut out[..head], bits, step);
            while j + 16 <= n {
                let pred = avg_floor(load16(&cur[j - step..]), load16(&prev[j..]));
                let d = load16(&cur[j..]) - pred;
                out[j..j + 16].copy_from_slice(fold8(d, mask, sign_bit).as_array_ref());
                j += 16;
            }
            for k in j..n {
                let pred = ((u16::from(cur[k - step]) + u16::from(prev[k])) >> 1) as u8;
                out[k] = scalar::fold(cur[k].wrapping_sub(pred), bits);
            }
        }
    }
}

/// See [`scalar::count_repeats`]: 16 flags per compare.
pub fn count_repeats(flags: &[u8]) -> usize {
    let zero = u8x16::ZERO;
    let mut i = 0;
    while i + 16 <= flags.len() {
        if load16(&flags[i..]).cmp_eq(zero).any() {
            break;
        }
        i += 16;
    }
    i + scalar::count_repeats(&flags[i..])
}

/// See [`scalar::repeat_flags`]: compares each vector of pixels with the one a pixel earlier.
pub fn repeat_flags(row: &[u8], step: usize, mask: u32, out: &mut [u8]) {
    let n = row.len() / step;
    if n == 0 {
        return;
    }
    out[0] = 0;
    let mut i = 1;
    if step == 4 {
        let m = u32x4::splat(mask);
        let one = u32x4::splat(1);
        // 16 pixels a step: four 4-lane compares packed down to 16 flag bytes.
        let eq = |k: usize| {
            let a = cast::<u8x16, u32x4>(load16(&row[4 * k..])) & m;
            let b = cast::<u8x16, u32x4>(load16(&row[4 * (k - 1)..])) & m;
            a.cmp_eq(b) & one
        };
        while i + 16 <= n {
            let lo = i16x8::from_i32x8_saturate(cast::<[u32x4; 2], i32x8>([eq(i), eq(i + 4)]));
            let hi = i16x8::from_i32x8_saturate(cast::<[u32x4; 2], i32x8>([eq(i + 8), eq(i + 12)]));
            out[i..i + 16].copy_from_slice(u8x16::narrow_i16x8(lo, hi).as_array_ref());
            i += 16;
        }
    } else {
        let one = u8x16::splat(1);
        while i + 16 <= n {
            let f = load16(&row[i..]).cmp_eq(load16(&row[i - 1..])) & one;
            out[i..i + 16].copy_from_slice(f.as_array_ref());
            i += 16;
        }
    }
    for (k, o) in out.iter_mut().enumerate().take(n).skip(i) {
        *o = u8::from(scalar::key(row, k, step, mask) == scalar::key(row, k - 1, step, mask));
    }
}

/// See [`scalar::fill_pixels`]: 16-byte stores.
pub fn fill_pixels(dst: &mut [u8], px: [u8; 4]) {
    let pattern = u8x16::from([
        px[0], px[1], px[2], px[3], px[0], px[1], px[2], px[3], px[0], px[1], px[2], px[3], px[0], px[1], px[2], px[3],
    ]);
    let mut chunks = dst.chunks_exact_mut(16);
    for c in &mut chunks {
        c.copy_from_slice(pattern.as_array_ref());
    }
    scalar::fill_pixels(chunks.into_remainder(), px);
}

/// See [`scalar::fill_lane`]: blends 4 pixels at a time.
pub fn fill_lane(dst: &mut [u8], lane: usize, v: u8) {
    let mut keep = [0xffu8; 16];
    let mut set = [0u8; 16];
    for k in (lane..16).step_by(4) {
        keep[k] = 0;
        set[k] = v;
    }
    let (keep, set) = (u8x16::from(keep), u8x16::from(set));
    let mut chunks = dst.chunks_exact_mut(16);
    for c in &mut chunks {
        let x = (load16(c) & keep) | set;
        c.copy_from_slice(x.as_array_ref());
    }
    scalar::fill_lane(chunks.into_remainder(), lane, v);
}

/// See [`scalar::widen_bgr`]: 4 pixels a step, as two 8-byte loads (at bytes 0
/// and 6 of the group, so each holds two whole pixels) spread into 16 bytes.
/// A step reads 14 bytes, so the last group of an exact-length `src` goes to
/// the scalar code with the remainder.
#[inline]
pub fn widen_bgr(src: &[u8], dst: &mut [u8]) {
    let n = (src.len() / 3).min(dst.len() / 4);
    let groups = (n / 4).min(src.len().saturating_sub(2) / 12);
    // Bytes b0 g0 r0 b1 g1 r1 .. of two pixels, as a little-endian word, to B,G,R,0 twice.
    let spread = |w: u64| (w & 0x00ff_ffff) | ((w << 8) & 0x00ff_ffff_0000_0000);
    let word = |at: usize| u64::from_le_bytes(src[at..at + 8].try_into().unwrap_or([0; 8]));
    for g in 0..groups {
        let v = wide::u64x2::from([spread(word(12 * g)), spread(word(12 * g + 6))]);
        dst[16 * g..16 * g + 16].copy_from_slice(&cast::<wide::u64x2, [u8; 16]>(v));
    }
    scalar::widen_bgr(&src[12 * groups..3 * n], &mut dst[16 * groups..4 * n]);
}

/// See [`scalar::masked_prefix_len`]: 16 bytes a compare, the first differing
/// byte found from the compare's bit mask.
#[inline]
pub fn masked_prefix_len(a: &[u8], b: &[u8], mask: u64) -> usize {
    let n = a.len().min(b.len());
    let m = mask.to_le_bytes();
    let vm =
        u8x16::from([m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]]);
    let mut i = 0;
    while i + 16 <= n {
        let diff = (load16(&a[i..]) ^ load16(&b[i..])) & vm;
        let same = diff.cmp_eq(u8x16::ZERO).move_mask() as u32;
        if same != 0xffff {
            return i + (!same).trailing_zeros() as usize;
        }
        i += 16;
    }
    // 16-byte steps keep the mask's phase (16 is a multiple of 8).
    i + scalar::masked_prefix_len(&a[i..n], &b[i..n], mask)
}

/// See [`scalar::pack_bgr`]: 4 pixels a step, each pair of pixels squeezed to 6
/// bytes in a 64-bit lane, stored as 8 + 4 bytes. Not dispatched (the scalar loop
/// measured faster); kept for the agreement test and the benches.
#[cfg_attr(not(feature = "bench-internals"), allow(dead_code))]
#[inline]
pub fn pack_bgr(src: &[u8], dst: &mut [u8]) {
    let n = (src.len() / 4).min(dst.len() / 3);
    let groups = n / 4;
    let lo = wide::u64x2::splat(0x0000_0000_00ff_ffff);
    let hi = wide::u64x2::splat(0x0000_ffff_ff00_0000);
    for g in 0..groups {
        let w = cast::<u8x16, wide::u64x2>(load16(&src[16 * g..]));
        // B,G,R,X,B,G,R,X to B,G,R,B,G,R in the low 6 bytes of each lane.
        let squeezed: wide::u64x2 = (w & lo) | ((w >> 8_i32) & hi);
        let [p, q] = squeezed.to_array();
        let out = &mut dst[12 * g..12 * g + 12];
        out[..8].copy_from_slice(&(p | q << 48).to_le_bytes());
        out[8..].copy_from_slice(&((q >> 16) as u32).to_le_bytes());
    }
    scalar::pack_bgr(&src[16 * groups..4 * n], &mut dst[12 * groups..3 * n]);
}

/// See [`scalar::gather_lane`]: 16 pixels a step, the lane shifted down in 32-bit
/// lanes and narrowed to bytes.
#[inline]
pub fn gather_lane(src: &[u8], lane: usize, dst: &mut [u8]) {
    let n = (src.len() / 4).min(dst.len());
    let groups = n / 16;
    let shift = 8 * lane as u32;
    let byte = u32x4::splat(0xff);
    let pick = |at: usize| (cast::<u8x16, u32x4>(load16(&src[at..])) >> shift) & byte;
    for g in 0..groups {
        let at = 64 * g;
        let lo = i16x8::from_i32x8_saturate(cast::<[u32x4; 2], i32x8>([pick(at), pick(at + 16)]));
        let hi = i16x8::from_i32x8_saturate(cast::<[u32x4; 2], i32x8>([pick(at + 32), pick(at + 48)]));
        dst[16 * g..16 * g + 16].copy_from_slice(u8x16::narrow_i16x8(lo, hi).as_array_ref());
    }
    scalar::gather_lane(&src[64 * groups..4 * n], lane, &mut dst[16 * groups..n]);
}
