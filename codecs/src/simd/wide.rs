//! SIMD kernels on `wide` vectors (SSE2 on baseline x86-64, AVX2 with
//! `-C target-cpu=x86-64-v3`, NEON on aarch64); same contracts as [`super::scalar`].
//! Each handles whole vectors and leaves the remainder to the scalar code.

use super::scalar::{self, QuantDivisors, dct, ycc};
use bytemuck::cast;
use wide::{i16x8, i16x16, i32x4, i32x8, u8x16, u16x8, u32x4, u64x4};

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

// ---------------------------------------------------------------------------
// Baseline JPEG encoder kernels, bit-exact with their scalar twins.

#[cold]
#[inline(never)]
fn short_input() -> ! {
    // Callers checked the lengths up front; keep the panic path out of the loops.
    panic!("kernel read past the end of its input")
}

/// Weights `lo`, `hi` for [`i16x16::dot`] against 32-bit lanes taken as
/// (low half, high half) pairs of 16-bit values.
#[inline(always)]
fn pair(lo: i32, hi: i32) -> i16x16 {
    cast(i32x8::splat((lo & 0xffff) | (hi << 16)))
}

/// 8 pixels of `BPP` bytes as 32-bit lanes `B | G << 8 | R << 16 | junk << 24`.
#[inline(always)]
fn load_px8<const BPP: usize>(s: &[u8]) -> i32x8 {
    if BPP == 4 {
        match s.first_chunk::<32>() {
            Some(a) => cast(*a),
            None => short_input(),
        }
    } else {
        let Some(c) = s.first_chunk::<24>() else { short_input() };
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&c[at..at + 8]);
            u64::from_le_bytes(w)
        };
        // Each 64-bit word holds two whole pixels in its low 6 bytes (the last
        // one read 2 bytes early so as not to run past the 24); spread them to
        // two 32-bit lanes.
        let w = u64x4::from([word(0), word(6), word(12), word(16) >> 16]);
        let pixels = (w & u64x4::splat(0x00ff_ffff)) | ((w << 8_u32) & u64x4::splat(0x00ff_ffff_0000_0000));
        cast(pixels)
    }
}

/// B and R of each pixel as a 16-bit pair, G alone in the 32-bit lane.
#[inline(always)]
fn split_px(px: i32x8) -> (i16x16, i32x8) {
    let br = cast(px & i32x8::splat(0x00ff_00ff));
    let g = (px >> 8_u32) & i32x8::splat(0xff);
    (br, g)
}

/// Y of 8 pixels: `pmaddwd` takes B, R in one multiply-add; G's weight (over
/// 2^15) is split into `Y_G - 2^14` and a shift, which also carries the rounding.
#[inline(always)]
fn luma8(br: i16x16, g: i32x8) -> i32x8 {
    let g16: i16x16 = cast(g);
    let sum = br.dot(pair(ycc::Y_B, ycc::Y_R)) + g16.dot(pair(ycc::Y_G - (1 << 14), 0));
    (sum + ((g + i32x8::splat(ycc::Y_ROUND >> 14)) << 14_u32)) >> 16_u32
}

/// Cb and Cr of 8 pixels, as the offset minus the negated sum so that the 0.5
/// weight fits a signed 16-bit multiplier (-2^15).
#[inline(always)]
fn chroma8(br: i16x16, g: i32x8) -> (i32x8, i32x8) {
    let g16: i16x16 = cast(g);
    let offset = i32x8::splat(ycc::C_OFFSET);
    let cb = br.dot(pair(-ycc::HALF, ycc::CB_R)) + g16.dot(pair(ycc::CB_G, 0));
    let cr = br.dot(pair(ycc::CR_B, -ycc::HALF)) + g16.dot(pair(ycc::CR_G, 0));
    ((offset - cb) >> 16_u32, (offset - cr) >> 16_u32)
}

/// 16 lanes of 0..=255 to bytes.
#[inline(always)]
fn pack16(lo: i32x8, hi: i32x8) -> u8x16 {
    u8x16::narrow_i16x8(i16x8::from_i32x8_saturate(lo), i16x8::from_i32x8_saturate(hi))
}

#[inline(always)]
fn ycc_rows<const BPP: usize>(src: &[u8], y: &mut [u8], cb: &mut [u8], cr: &mut [u8]) {
    let n = y.len();
    let mut i = 0;
    while i + 16 <= n {
        let s = &src[i * BPP..];
        let (br0, g0) = split_px(load_px8::<BPP>(s));
        let (br1, g1) = split_px(load_px8::<BPP>(&s[8 * BPP..]));
        let ((cb0, cr0), (cb1, cr1)) = (chroma8(br0, g0), chroma8(br1, g1));
        y[i..i + 16].copy_from_slice(pack16(luma8(br0, g0), luma8(br1, g1)).as_array_ref());
        cb[i..i + 16].copy_from_slice(pack16(cb0, cb1).as_array_ref());
        cr[i..i + 16].copy_from_slice(pack16(cr0, cr1).as_array_ref());
        i += 16;
    }
    scalar::ycc_from_bgr(&src[i * BPP..], BPP, &mut y[i..], &mut cb[i..], &mut cr[i..]);
}

/// See [`scalar::ycc_from_bgr`]: 16 pixels a step, 32-bit lanes, the weights
/// applied with 16-bit multiply-adds.
pub fn ycc_from_bgr(src: &[u8], bpp: usize, y: &mut [u8], cb: &mut [u8], cr: &mut [u8]) {
    let n = y.len();
    assert!(matches!(bpp, 3 | 4) && src.len() >= n * bpp && cb.len() == n && cr.len() == n);
    if bpp == 4 { ycc_rows::<4>(src, y, cb, cr) } else { ycc_rows::<3>(src, y, cb, cr) }
}

#[inline(always)]
fn luma_rows<const BPP: usize>(src: &[u8], y: &mut [u8]) {
    let n = y.len();
    let mut i = 0;
    while i + 16 <= n {
        let s = &src[i * BPP..];
        let (br0, g0) = split_px(load_px8::<BPP>(s));
        let (br1, g1) = split_px(load_px8::<BPP>(&s[8 * BPP..]));
        y[i..i + 16].copy_from_slice(pack16(luma8(br0, g0), luma8(br1, g1)).as_array_ref());
        i += 16;
    }
    scalar::luma_from_bgr(&src[i * BPP..], BPP, &mut y[i..]);
}

/// See [`scalar::luma_from_bgr`]: the Y half of [`ycc_from_bgr`].
pub fn luma_from_bgr(src: &[u8], bpp: usize, y: &mut [u8]) {
    assert!(matches!(bpp, 3 | 4) && src.len() >= y.len() * bpp);
    if bpp == 4 { luma_rows::<4>(src, y) } else { luma_rows::<3>(src, y) }
}

/// See [`scalar::downsample_2x2`]: 16 outputs a step; each 16-bit lane of a
/// row vector is a horizontal pair, summed as its low byte plus its high byte.
pub fn downsample_2x2(top: &[u8], bottom: &[u8], out: &mut [u8]) {
    let n = out.len();
    assert!(top.len() >= 2 * n && bottom.len() >= 2 * n);
    // Steps start at even outputs, so the bias pattern lines up with the scalar one.
    let bias = u16x8::from([1, 2, 1, 2, 1, 2, 1, 2]);
    let low = u16x8::splat(0xff);
    let pairs = |v: u8x16| {
        let w: u16x8 = cast(v);
        (w & low) + (w >> 8_u32)
    };
    let mut i = 0;
    while i + 16 <= n {
        let avg = |at: usize| (pairs(load16(&top[at..])) + pairs(load16(&bottom[at..])) + bias) >> 2_u32;
        let (lo, hi) = (avg(2 * i), avg(2 * i + 16));
        out[i..i + 16].copy_from_slice(u8x16::narrow_i16x8(cast(lo), cast(hi)).as_array_ref());
        i += 16;
    }
    scalar::downsample_2x2(&top[2 * i..], &bottom[2 * i..], &mut out[i..]);
}

/// See [`scalar::ycc_420_rows`]: [`ycc_from_bgr`] and [`downsample_2x2`] on
/// 256 columns at a time, the full-resolution chroma in stack buffers. The
/// fallback where the AVX2 twin cannot run, and that twin's remainder.
#[allow(clippy::too_many_arguments)]
pub fn ycc_420_rows(
    top: &[u8],
    bottom: &[u8],
    bpp: usize,
    w: usize,
    y_top: &mut [u8],
    y_bottom: &mut [u8],
    cb: &mut [u8],
    cr: &mut [u8],
) {
    const CHUNK: usize = 256;
    let pw = y_top.len();
    scalar::check_420(top, bottom, bpp, w, pw, y_bottom.len(), cb.len(), cr.len());
    // Cb, Cr of the top row, then of the bottom row.
    let mut full = [[0u8; CHUNK]; 4];
    // Y, Cb, Cr of the last pixel of each row, for the padding.
    let mut last = [0u8; 6];
    let mut a = 0;
    while a < pw {
        let end = (a + CHUNK).min(pw);
        let (len, real) = (end - a, w.saturating_sub(a).min(end - a));
        let [cb_t, cr_t, cb_b, cr_b] = &mut full;
        if real > 0 {
            ycc_from_bgr(&top[a * bpp..], bpp, &mut y_top[a..a + real], &mut cb_t[..real], &mut cr_t[..real]);
            ycc_from_bgr(&bottom[a * bpp..], bpp, &mut y_bottom[a..a + real], &mut cb_b[..real], &mut cr_b[..real]);
            let k = real - 1;
            last = [y_top[a + k], cb_t[k], cr_t[k], y_bottom[a + k], cb_b[k], cr_b[k]];
        }
        y_top[a + real..end].fill(last[0]);
        cb_t[real..len].fill(last[1]);
        cr_t[real..len].fill(last[2]);
        y_bottom[a + real..end].fill(last[3]);
        cb_b[real..len].fill(last[4]);
        cr_b[real..len].fill(last[5]);
        // `a` is a multiple of 256, so the bias pattern of the outputs lines up.
        let (k0, k1) = (a / 2, end / 2);
        downsample_2x2(&cb_t[..len], &cb_b[..len], &mut cb[k0..k1]);
        downsample_2x2(&cr_t[..len], &cr_b[..len], &mut cr[k0..k1]);
        a = end;
    }
}

/// `x * c` for lanes within the 16-bit range: `pmaddwd` of the low half by `c`
/// (the high half, the sign extension, meets a zero weight). One instruction
/// where a 32-bit multiply is ten cycles on AVX2 and emulated on SSE2.
#[inline(always)]
fn mulc(x: i32x8, c: i32) -> i32x8 {
    cast::<i32x8, i16x16>(x).dot(pair(c, 0))
}

/// Rounding right shift (libjpeg's DESCALE).
#[inline(always)]
fn descale(x: i32x8, n: u32) -> i32x8 {
    (x + i32x8::splat(1 << (n - 1))) >> n
}

/// The scalar `fdct_1d` on 8 lanes at once: `v[k]` holds input `k` of 8
/// independent transforms. Every multiplied operand stays within 16 bits for
/// 8-bit samples: row-pass outputs are at most 4080 in magnitude, and the
/// widest column-pass operands (`e2 + e3` and the sum of the four
/// differences) add eight of them, at most 32640.
#[inline(always)]
fn fdct_pass(v: [i32x8; 8], first: bool) -> [i32x8; 8] {
    use dct::*;
    let rot = if first { CONST_BITS - PASS1_BITS } else { CONST_BITS + PASS1_BITS };
    let dc = |x: i32x8| if first { x << PASS1_BITS } else { descale(x, PASS1_BITS) };

    let (s0, s1, s2, s3) = (v[0] + v[7], v[1] + v[6], v[2] + v[5], v[3] + v[4]);
    let (e0, e1, e2, e3) = (s0 + s3, s1 + s2, s1 - s2, s0 - s3);
    let z = mulc(e2 + e3, F0_541);
    let (t4, t5, t6, t7) = (v[3] - v[4], v[2] - v[5], v[1] - v[6], v[0] - v[7]);
    let z5 = mulc(t4 + t5 + t6 + t7, F1_175);
    let z1 = mulc(t4 + t7, -F0_899);
    let z2 = mulc(t5 + t6, -F2_562);
    let z3 = mulc(t4 + t6, -F1_961) + z5;
    let z4 = mulc(t5 + t7, -F0_390) + z5;
    [
        dc(e0 + e1),
        descale(mulc(t7, F1_501) + z1 + z4, rot),
        descale(z + mulc(e3, F0_765), rot),
        descale(mulc(t6, F3_072) + z2 + z3, rot),
        dc(e0 - e1),
        descale(mulc(t5, F2_053) + z2 + z4, rot),
        descale(z - mulc(e2, F1_847), rot),
        descale(mulc(t4, F0_298) + z1 + z3, rot),
    ]
}

/// 8x8 transpose: AVX2 has one in `wide`; elsewhere four 4x4 quadrant
/// transposes (SSE's unpack sequence), as `wide`'s 8x8 falls back to lane copies.
#[inline(always)]
fn transpose8(m: [i32x8; 8]) -> [i32x8; 8] {
    if cfg!(target_feature = "avx2") {
        return i32x8::transpose(m);
    }
    let h: [[i32x4; 2]; 8] = m.map(cast);
    let quad = |r: usize, c: usize| i32x4::transpose([h[r][c], h[r + 1][c], h[r + 2][c], h[r + 3][c]]);
    let (tl, tr, bl, br) = (quad(0, 0), quad(0, 1), quad(4, 0), quad(4, 1));
    std::array::from_fn(|k| if k < 4 { cast([tl[k], bl[k]]) } else { cast([tr[k - 4], br[k - 4]]) })
}

/// Weights `lo`, `hi` for [`i16x8::dot`].
#[inline(always)]
fn pair8(lo: i32, hi: i32) -> i16x8 {
    cast(i32x4::splat((lo & 0xffff) | (hi << 16)))
}

/// `a * ca + b * cb` in 32 bits, as (even lanes, odd lanes): `pmaddwd` with
/// one weight of each pair zero picks the even or the odd 16-bit lanes, so
/// no interleaving is needed (SSE2's `punpcklwd` is not in `wide`).
#[inline(always)]
fn mul2(a: i16x8, ca: i32, b: i16x8, cb: i32) -> (i32x4, i32x4) {
    (a.dot(pair8(ca, 0)) + b.dot(pair8(cb, 0)), a.dot(pair8(0, ca)) + b.dot(pair8(0, cb)))
}

#[inline(always)]
fn add2(x: (i32x4, i32x4), y: (i32x4, i32x4)) -> (i32x4, i32x4) {
    (x.0 + y.0, x.1 + y.1)
}

/// DESCALE of (even, odd) lanes back into one vector of 16-bit lanes.
#[inline(always)]
fn descale2(x: (i32x4, i32x4), n: u32) -> i16x8 {
    let r = i32x4::splat(1 << (n - 1));
    let (e, o) = ((x.0 + r) >> n, (x.1 + r) >> n);
    cast((e & i32x4::splat(0xffff)) | (o << 16_u32))
}

/// [`fdct_pass`] in 16-bit lanes. The rotations are regrouped into sums of
/// two products (libjpeg-turbo's SIMD form; exact integer identities, so the
/// results are the same): e.g. `out[7] = t4 (F0_298 - F0_899) - t7 F0_899 + z3`.
/// Every sample sum fits 16 bits: row-pass outputs are within ±4096 and the
/// column pass's widest sum (`e0 + e1`) adds eight of them, -32768 at the
/// least (an all-zero block) and 32648 at the most; the operands of the
/// multiplies add at most four.
#[inline(always)]
fn fdct_pass16(v: [i16x8; 8], first: bool) -> [i16x8; 8] {
    use dct::*;
    let rot = if first { CONST_BITS - PASS1_BITS } else { CONST_BITS + PASS1_BITS };
    let dc = |x: i16x8| {
        if first { x << PASS1_BITS } else { (x + i16x8::splat(1 << (PASS1_BITS - 1))) >> PASS1_BITS }
    };
    let (s0, s1, s2, s3) = (v[0] + v[7], v[1] + v[6], v[2] + v[5], v[3] + v[4]);
    let (e0, e1, e2, e3) = (s0 + s3, s1 + s2, s1 - s2, s0 - s3);
    let (t4, t5, t6, t7) = (v[3] - v[4], v[2] - v[5], v[1] - v[6], v[0] - v[7]);
    let (za, zb) = (t4 + t6, t5 + t7);
    let z3 = mul2(za, F1_175 - F1_961, zb, F1_175);
    let z4 = mul2(za, F1_175, zb, F1_175 - F0_390);
    [
        dc(e0 + e1),
        descale2(add2(mul2(t4, -F0_899, t7, F1_501 - F0_899), z4), rot),
        descale2(mul2(e3, F0_541 + F0_765, e2, F0_541), rot),
        descale2(add2(mul2(t5, -F2_562, t6, F3_072 - F2_562), z3), rot),
        dc(e0 - e1),
        descale2(add2(mul2(t5, F2_053 - F2_562, t6, -F2_562), z4), rot),
        descale2(mul2(e3, F0_541, e2, F0_541 - F1_847), rot),
        descale2(add2(mul2(t4, F0_298 - F0_899, t7, -F0_899), z3), rot),
    ]
}

/// The forward DCT of the block at `src` (see [`scalar::fdct_islow`]) as 8
/// row vectors of 16-bit lanes: transposed so that the row pass runs on 8
/// rows at once, transposed back for the column pass.
#[inline(always)]
fn fdct_rows16(src: &[u8], stride: usize) -> [i16x8; 8] {
    assert!(src.len() >= 7 * stride + 8);
    let rows: [i16x8; 8] = std::array::from_fn(|r| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&src[r * stride..r * stride + 8]);
        let bytes: u8x16 = cast([u64::from_le_bytes(b), 0]);
        i16x8::from_u8x16_low(bytes) - i16x8::splat(128)
    });
    let rows = i16x8::transpose(fdct_pass16(i16x8::transpose(rows), true));
    fdct_pass16(rows, false)
}

/// The forward DCT of the block at `src` (see [`scalar::fdct_islow`]) as 8
/// row vectors: transposed so that the row pass runs on 8 rows at once,
/// transposed back for the column pass.
#[inline(always)]
fn fdct_rows(src: &[u8], stride: usize) -> [i32x8; 8] {
    assert!(src.len() >= 7 * stride + 8);
    let rows: [i32x8; 8] = std::array::from_fn(|r| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&src[r * stride..r * stride + 8]);
        let bytes: u8x16 = cast([u64::from_le_bytes(b), 0]);
        i32x8::from_i16x8(i16x8::from_u8x16_low(bytes)) - i32x8::splat(128)
    });
    let rows = transpose8(fdct_pass(transpose8(rows), true));
    fdct_pass(rows, false)
}

/// Whether to use the 16-bit-lane DCT ([`fdct_rows16`]) over the 32-bit one:
/// on SSE2 it is (an `i32x8` is two registers there); with AVX2 an `i32x8` is
/// one register and the 32-bit form, free of the even/odd split, measured faster.
const FDCT16: bool = !cfg!(target_feature = "avx2");

// The encoder calls the fused `fdct_quantize`; this half stays for the agreement tests and benches.
#[cfg_attr(not(any(test, feature = "bench-internals")), allow(dead_code))]
/// See [`scalar::fdct_islow`].
pub fn fdct_islow(src: &[u8], stride: usize, out: &mut [i32; 64]) {
    *out = if FDCT16 { cast(fdct_rows16(src, stride).map(i32x8::from_i16x8)) } else { cast(fdct_rows(src, stride)) };
}

/// Quantizes 8 rows of coefficients in registers (see [`quantize`]).
#[inline(always)]
fn quantize_rows(c: [i32x8; 8], divisors: &QuantDivisors) -> [i16x8; 8] {
    quantize_rows16(c.map(i16x8::from_i32x8_saturate), divisors)
}

/// [`quantize_rows`] of coefficients already in 16-bit lanes.
#[inline(always)]
fn quantize_rows16(c: [i16x8; 8], divisors: &QuantDivisors) -> [i16x8; 8] {
    // In place: `QuantDivisors` is 32-byte aligned and each table 128 bytes.
    let round: &[u16x8; 8] = bytemuck::cast_ref(&divisors.round);
    let recip: &[u16x8; 8] = bytemuck::cast_ref(&divisors.recip);
    let scale: &[u16x8; 8] = bytemuck::cast_ref(&divisors.scale);
    std::array::from_fn(|k| {
        let v = c[k];
        let sign = v >> 15_u32;
        let t = (cast::<i16x8, u16x8>((v ^ sign) - sign) + round[k]) >> 1_u32;
        let m: i16x8 = cast(t.mul_keep_high(recip[k]).mul_keep_high(scale[k]));
        (m ^ sign) - sign
    })
}

// The encoder calls the fused `fdct_quantize`; this half stays for the agreement tests and benches.
#[cfg_attr(not(any(test, feature = "bench-internals")), allow(dead_code))]
/// See [`scalar::quantize`]: 8 coefficients a step in 16-bit lanes, dividing
/// with two high-half multiplies (see [`QuantDivisors::new`]).
pub fn quantize(coefs: &[i32; 64], divisors: &QuantDivisors, out: &mut [i16; 64]) {
    *out = cast(quantize_rows(cast(*coefs), divisors));
}

/// See [`scalar::fdct_quantize`]: [`fdct_islow`] and [`quantize`] without
/// storing the coefficients in between.
pub fn fdct_quantize(src: &[u8], stride: usize, divisors: &QuantDivisors, out: &mut [i16; 64]) {
    *out = if FDCT16 {
        cast(quantize_rows16(fdct_rows16(src, stride), divisors))
    } else {
        cast(quantize_rows(fdct_rows(src, stride), divisors))
    };
}

// On x86-64 the encoder calls the AVX2 dispatcher, which uses the single-block kernel.
#[cfg_attr(all(target_arch = "x86_64", not(any(test, feature = "bench-internals"))), allow(dead_code))]
/// See [`scalar::fdct_quantize2`]: two calls of [`fdct_quantize`].
pub fn fdct_quantize2(
    a: &[u8],
    stride_a: usize,
    div_a: &QuantDivisors,
    b: &[u8],
    stride_b: usize,
    div_b: &QuantDivisors,
    out: &mut [[i16; 64]; 2],
) {
    let [oa, ob] = out;
    fdct_quantize(a, stride_a, div_a, oa);
    fdct_quantize(b, stride_b, div_b, ob);
}
