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
