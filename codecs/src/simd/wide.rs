//! SIMD kernels on `wide` vectors (SSE2 on baseline x86-64, AVX2 with
//! `-C target-cpu=x86-64-v3`, NEON on aarch64); same contracts as [`super::scalar`].
//! Each handles whole vectors and leaves the remainder to the scalar code.

use super::scalar;
use bytemuck::cast;
use wide::{i16x8, u8x16, u16x8, u32x4};

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

/// Folds 16-bit lanes holding `bits`-bit residuals (see [`scalar::fold`]).
#[inline(always)]
fn fold16(d: u16x8, mask: u16x8, sign_shift: u32) -> u16x8 {
    let d = d & mask;
    let sign = d >> sign_shift;
    ((d << 1) ^ (u16x8::ZERO - sign)) & mask
}

#[inline(always)]
fn widen(v: u8x16) -> (u16x8, u16x8) {
    (u16x8::from_u8x16_low(v), u16x8::from_u8x16_high(v))
}

#[inline(always)]
fn narrow(lo: u16x8, hi: u16x8) -> u8x16 {
    u8x16::narrow_i16x8(cast::<u16x8, i16x8>(lo), cast::<u16x8, i16x8>(hi))
}

/// See [`scalar::fold_residuals`]: 16 bytes per step in 16-bit lanes.
pub fn fold_residuals(prev: Option<&[u8]>, cur: &[u8], out: &mut [u8], bits: u32, step: usize) {
    let n = cur.len();
    assert!(out.len() >= n && prev.is_none_or(|p| p.len() >= n));
    let head = step.min(n);
    let mask = u16x8::splat(((1u32 << bits) - 1) as u16);
    let shift = bits - 1;
    let mut j = head;
    match prev {
        None => {
            scalar::fold_residuals(None, &cur[..head], &mut out[..head], bits, step);
            while j + 16 <= n {
                let (c0, c1) = widen(load16(&cur[j..]));
                let (a0, a1) = widen(load16(&cur[j - step..]));
                let v = narrow(fold16(c0 - a0, mask, shift), fold16(c1 - a1, mask, shift));
                out[j..j + 16].copy_from_slice(v.as_array_ref());
                j += 16;
            }
            for k in j..n {
                out[k] = scalar::fold(cur[k].wrapping_sub(cur[k - step]), bits);
            }
        }
        Some(prev) => {
            scalar::fold_residuals(Some(&prev[..head]), &cur[..head], &mut out[..head], bits, step);
            while j + 16 <= n {
                let (c0, c1) = widen(load16(&cur[j..]));
                let (a0, a1) = widen(load16(&cur[j - step..]));
                let (b0, b1) = widen(load16(&prev[j..]));
                let (p0, p1) = ((a0 + b0) >> 1, (a1 + b1) >> 1);
                let v = narrow(fold16(c0 - p0, mask, shift), fold16(c1 - p1, mask, shift));
                out[j..j + 16].copy_from_slice(v.as_array_ref());
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
        while i + 4 <= n {
            let a = cast::<u8x16, u32x4>(load16(&row[4 * i..])) & m;
            let b = cast::<u8x16, u32x4>(load16(&row[4 * (i - 1)..])) & m;
            let f = (a.cmp_eq(b) & one).to_array();
            out[i..i + 4].copy_from_slice(&[f[0] as u8, f[1] as u8, f[2] as u8, f[3] as u8]);
            i += 4;
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
