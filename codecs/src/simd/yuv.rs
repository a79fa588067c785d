//! BGRX to I420 (BT.601, limited range): the conversion in front of the H.264
//! encoder. Two source rows make two luma rows and one row of each chroma
//! plane, the chroma taken from the 2x2 average of the colours (as libyuv
//! does), not from the average of four per-pixel chroma values.
//!
//! [`scalar::i420_rows`] is the reference; [`wide::i420_rows`] its SIMD twin,
//! bit-exact (the tests below compare them on every tail length).

/// BT.601 limited-range weights in 15-bit fixed point, `round(x * 2^15)`, each
/// row adjusted by at most one so the luma weights sum to `219/255` and the
/// chroma weights to zero (a gray input gives exactly 128 chroma).
pub(crate) mod bt601 {
    /// 0.256788 (R to Y).
    pub const Y_R: i32 = 8414;
    /// 0.504129 (G to Y).
    pub const Y_G: i32 = 16520;
    /// 0.097906 (B to Y).
    pub const Y_B: i32 = 3208;
    /// 16 and a rounding half, in the luma's fixed point.
    pub const Y_OFFSET: i32 = (16 << 15) + (1 << 14);
    /// 0.148223 (R to -U).
    pub const U_R: i32 = 4857;
    /// 0.290993 (G to -U).
    pub const U_G: i32 = 9535;
    /// 0.439216 (B to U and R to V).
    pub const UV_MAX: i32 = 14392;
    /// 0.367788 (G to -V).
    pub const V_G: i32 = 12052;
    /// 0.071427 (B to -V).
    pub const V_B: i32 = 2340;
    /// 128 and a rounding half for chroma computed from four-pixel sums
    /// (fixed point 2^17: 2^15 for the weights, 4 for the average).
    pub const C_OFFSET: i32 = (128 << 17) + (1 << 16);
}

/// The signature every `i420_rows` shares: two BGRX rows in; two luma rows,
/// one U and one V row out.
#[cfg_attr(not(any(test, feature = "bench-internals")), allow(dead_code))]
pub type RowsKernel = fn(&[u8], &[u8], &mut [u8], &mut [u8], &mut [u8], &mut [u8]);

/// The fastest kernel this build and CPU have: AVX2 when found at run time,
/// else `wide`. Same contract as [`scalar::i420_rows`].
pub fn i420_rows(top: &[u8], bottom: &[u8], y_top: &mut [u8], y_bottom: &mut [u8], u: &mut [u8], v: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    avx2::i420_rows(top, bottom, y_top, y_bottom, u, v);
    #[cfg(not(target_arch = "x86_64"))]
    wide::i420_rows(top, bottom, y_top, y_bottom, u, v);
}

/// The scalar reference.
pub mod scalar {
    use super::bt601::*;

    /// Y of one pixel.
    #[inline(always)]
    pub fn luma(b: i32, g: i32, r: i32) -> u8 {
        ((Y_R * r + Y_G * g + Y_B * b + Y_OFFSET) >> 15) as u8
    }

    /// U and V from sums of four pixels' B, G, R.
    #[inline(always)]
    pub fn chroma4(b4: i32, g4: i32, r4: i32) -> (u8, u8) {
        let u = (UV_MAX * b4 - U_R * r4 - U_G * g4 + C_OFFSET) >> 17;
        let v = (UV_MAX * r4 - V_G * g4 - V_B * b4 + C_OFFSET) >> 17;
        (u as u8, v as u8)
    }

    /// Converts two BGRX rows of `n = y_top.len()` pixels: luma of both rows
    /// into `y_top`, `y_bottom`, and the chroma of each 2x2 block into `u`,
    /// `v` (`n.div_ceil(2)` samples each; an odd last column pairs with
    /// itself). For the last row of an odd height, pass the same row twice.
    ///
    /// `top` and `bottom` hold at least `4 * n` bytes.
    pub fn i420_rows(top: &[u8], bottom: &[u8], y_top: &mut [u8], y_bottom: &mut [u8], u: &mut [u8], v: &mut [u8]) {
        let n = y_top.len();
        let c = n.div_ceil(2);
        assert!(top.len() >= 4 * n && bottom.len() >= 4 * n && y_bottom.len() == n && u.len() == c && v.len() == c);
        let px = |row: &[u8], i: usize| (i32::from(row[4 * i]), i32::from(row[4 * i + 1]), i32::from(row[4 * i + 2]));
        for i in 0..n {
            let (b, g, r) = px(top, i);
            y_top[i] = luma(b, g, r);
            let (b, g, r) = px(bottom, i);
            y_bottom[i] = luma(b, g, r);
        }
        for k in 0..c {
            let (left, right) = (2 * k, (2 * k + 1).min(n - 1));
            let mut sum = (0, 0, 0);
            for (row, i) in [(top, left), (top, right), (bottom, left), (bottom, right)] {
                let (b, g, r) = px(row, i);
                sum = (sum.0 + b, sum.1 + g, sum.2 + r);
            }
            (u[k], v[k]) = chroma4(sum.0, sum.1, sum.2);
        }
    }

    /// Converts one row of I420 back to BGRX (alpha byte 255): the inverse
    /// BT.601 limited-range matrix, chroma repeated over its two columns.
    /// `y.len()` pixels; `u`, `v` hold `y.len().div_ceil(2)` samples and
    /// `out` at least `4 * y.len()` bytes.
    pub fn bgrx_from_i420_row(y: &[u8], u: &[u8], v: &[u8], out: &mut [u8]) {
        let n = y.len();
        assert!(u.len() >= n.div_ceil(2) && v.len() >= n.div_ceil(2) && out.len() >= 4 * n);
        // 1.164383 (Y), 1.596027 (V to R), 0.391762 (U to G), 0.812968 (V to G), 2.017232 (U to B), in 2^14.
        const Y: i32 = 19077;
        const VR: i32 = 26149;
        const UG: i32 = 6419;
        const VG: i32 = 13320;
        const UB: i32 = 33050;
        let clamp = |x: i32| ((x + (1 << 13)) >> 14).clamp(0, 255) as u8;
        for (i, o) in out.chunks_exact_mut(4).take(n).enumerate() {
            let yy = Y * (i32::from(y[i]) - 16);
            let (cu, cv) = (i32::from(u[i / 2]) - 128, i32::from(v[i / 2]) - 128);
            o[0] = clamp(yy + UB * cu);
            o[1] = clamp(yy - UG * cu - VG * cv);
            o[2] = clamp(yy + VR * cv);
            o[3] = 255;
        }
    }
}

/// The `wide` twin of [`scalar::i420_rows`].
pub mod wide {
    use super::bt601::*;
    use super::scalar;
    use bytemuck::cast;
    use wide::{i16x8, i16x16, i32x8, u8x16, u16x8, u64x4};

    /// 8 BGRX pixels as 32-bit lanes.
    #[inline(always)]
    fn load8(s: &[u8]) -> i32x8 {
        match s.first_chunk::<32>() {
            Some(a) => cast(*a),
            None => super::short_input(),
        }
    }

    /// Weights `lo`, `hi` for [`i16x16::dot`] on lanes holding 16-bit pairs.
    #[inline(always)]
    fn pair(lo: i32, hi: i32) -> i16x16 {
        cast(i32x8::splat((lo & 0xffff) | (hi << 16)))
    }

    /// (B | R << 16, G) per lane: B and R side by side for one 16-bit
    /// multiply-add, G alone.
    #[inline(always)]
    fn split(px: i32x8) -> (i32x8, i32x8) {
        (px & i32x8::splat(0x00ff_00ff), (px >> 8_u32) & i32x8::splat(0xff))
    }

    #[inline(always)]
    fn luma8(br: i32x8, g: i32x8) -> i32x8 {
        let br: i16x16 = cast(br);
        let g: i16x16 = cast(g);
        (br.dot(pair(Y_B, Y_R)) + g.dot(pair(Y_G, 0)) + i32x8::splat(Y_OFFSET)) >> 15_u32
    }

    /// 16 lanes of 0..=255 to bytes.
    #[inline(always)]
    fn pack16(lo: i32x8, hi: i32x8) -> u8x16 {
        u8x16::narrow_i16x8(i16x8::from_i32x8_saturate(lo), i16x8::from_i32x8_saturate(hi))
    }

    /// U and V of the 2x2 blocks of 8 columns (4 blocks) as bytes
    /// `u0 v0 u1 v1 ...` in the low byte of each 16-bit lane of a `u16x8`.
    #[inline(always)]
    fn chroma_pairs(br: i32x8, g: i32x8) -> i32x8 {
        // Add each odd lane into the even lane before it: the column pairs.
        // Sums stay below 2^11 per 16-bit field, so no carry crosses a field.
        let pairs = |x: i32x8| -> i32x8 {
            let w: u64x4 = cast(x);
            cast(w + (w >> 32_u32))
        };
        let (br, g): (i16x16, i16x16) = (cast(pairs(br)), cast(pairs(g)));
        let offset = i32x8::splat(C_OFFSET);
        let u = (br.dot(pair(UV_MAX, -U_R)) + g.dot(pair(-U_G, 0)) + offset) >> 17_u32;
        let v = (br.dot(pair(-V_B, UV_MAX)) + g.dot(pair(-V_G, 0)) + offset) >> 17_u32;
        // Even lanes hold the results; put V in the odd lanes instead of the junk.
        let low = u64x4::splat(0xffff_ffff);
        let (u, v): (u64x4, u64x4) = (cast(u), cast(v));
        cast((u & low) | (v << 32_u32))
    }

    /// See [`scalar::i420_rows`]: 16 columns a step.
    pub fn i420_rows(top: &[u8], bottom: &[u8], y_top: &mut [u8], y_bottom: &mut [u8], u: &mut [u8], v: &mut [u8]) {
        let n = y_top.len();
        let c = n.div_ceil(2);
        assert!(top.len() >= 4 * n && bottom.len() >= 4 * n && y_bottom.len() == n && u.len() == c && v.len() == c);
        let low = u16x8::splat(0xff);
        let mut i = 0;
        while i + 16 <= n {
            let (t0, t1) = (split(load8(&top[4 * i..])), split(load8(&top[4 * i + 32..])));
            let (b0, b1) = (split(load8(&bottom[4 * i..])), split(load8(&bottom[4 * i + 32..])));
            y_top[i..i + 16].copy_from_slice(pack16(luma8(t0.0, t0.1), luma8(t1.0, t1.1)).as_array_ref());
            y_bottom[i..i + 16].copy_from_slice(pack16(luma8(b0.0, b0.1), luma8(b1.0, b1.1)).as_array_ref());
            let uv0 = chroma_pairs(t0.0 + b0.0, t0.1 + b0.1);
            let uv1 = chroma_pairs(t1.0 + b1.0, t1.1 + b1.1);
            // u0 v0 u1 v1 ... u7 v7 as bytes, then split the interleave.
            let uv: u16x8 = cast(pack16(uv0, uv1));
            let us = u8x16::narrow_i16x8(cast(uv & low), i16x8::splat(0));
            let vs = u8x16::narrow_i16x8(cast(uv >> 8_u32), i16x8::splat(0));
            let k = i / 2;
            u[k..k + 8].copy_from_slice(&us.as_array_ref()[..8]);
            v[k..k + 8].copy_from_slice(&vs.as_array_ref()[..8]);
            i += 16;
        }
        let k = i / 2;
        scalar::i420_rows(
            &top[4 * i..],
            &bottom[4 * i..],
            &mut y_top[i..],
            &mut y_bottom[i..],
            &mut u[k..],
            &mut v[k..],
        );
    }
}

/// An AVX2 twin of [`scalar::i420_rows`], chosen at run time: `wide` picks its
/// instructions when the crate is compiled, so a baseline (SSE2) build would
/// otherwise never use the 256-bit registers every x86-64 server since 2013 has.
#[cfg(target_arch = "x86_64")]
pub mod avx2 {
    use core::arch::x86_64::{
        __m256i, _mm256_add_epi32, _mm256_and_si256, _mm256_hadd_epi32, _mm256_madd_epi16, _mm256_packs_epi32,
        _mm256_packus_epi16, _mm256_permute4x64_epi64, _mm256_permutevar8x32_epi32, _mm256_set1_epi32,
        _mm256_setr_epi8, _mm256_setr_epi32, _mm256_shuffle_epi8, _mm256_srai_epi32, _mm256_srli_epi16,
    };

    use super::bt601::*;

    /// Whether this CPU has AVX2 (std caches the answer).
    pub fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
    }

    /// See [`super::scalar::i420_rows`]: 32 columns a step on AVX2 when the CPU
    /// has it, the rest (and CPUs without it) through [`super::wide::i420_rows`].
    pub fn i420_rows(top: &[u8], bottom: &[u8], y_top: &mut [u8], y_bottom: &mut [u8], u: &mut [u8], v: &mut [u8]) {
        let n = y_top.len();
        let c = n.div_ceil(2);
        assert!(top.len() >= 4 * n && bottom.len() >= 4 * n && y_bottom.len() == n && u.len() == c && v.len() == c);
        let done = if available() {
            // SAFETY: `rows` only needs AVX2, which the CPU was just found to have;
            // it touches memory through slices alone.
            #[allow(unsafe_code)]
            unsafe {
                rows(top, bottom, y_top, y_bottom, u, v)
            }
        } else {
            0
        };
        let k = done / 2;
        super::wide::i420_rows(
            &top[4 * done..],
            &bottom[4 * done..],
            &mut y_top[done..],
            &mut y_bottom[done..],
            &mut u[k..],
            &mut v[k..],
        );
    }

    #[inline(always)]
    fn load8(s: &[u8]) -> __m256i {
        match s.first_chunk::<32>() {
            Some(a) => bytemuck::cast(*a),
            None => super::short_input(),
        }
    }

    /// Converts whole 32-column steps and returns how many columns it did.
    #[target_feature(enable = "avx2")]
    fn rows(top: &[u8], bottom: &[u8], y_top: &mut [u8], y_bottom: &mut [u8], u: &mut [u8], v: &mut [u8]) -> usize {
        let pair = |lo: i32, hi: i32| _mm256_set1_epi32((lo & 0xffff) | (hi << 16));
        let mask_br = _mm256_set1_epi32(0x00ff_00ff);
        let (y_br, y_g, y_off) = (pair(Y_B, Y_R), pair(Y_G, 0), _mm256_set1_epi32(Y_OFFSET));
        let (u_br, u_g) = (pair(UV_MAX, -U_R), pair(-U_G, 0));
        let (v_br, v_g) = (pair(-V_B, UV_MAX), pair(-V_G, 0));
        let c_off = _mm256_set1_epi32(C_OFFSET);
        // After packs and packus the dwords come as (group, half) pairs; this
        // puts each group's two halves back together.
        let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        // Each 8 bytes of chroma come as U U V V U U V V (two groups a 128-bit
        // lane): gather the lane's U bytes, then its V bytes.
        let split_uv = _mm256_setr_epi8(
            0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15, 0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
        );
        // (B, R) and (G, X) as 16-bit pairs; X meets a zero weight.
        let split = |px: __m256i| (_mm256_and_si256(px, mask_br), _mm256_srli_epi16(px, 8));
        let luma = |(br, g): (__m256i, __m256i)| {
            let sum = _mm256_add_epi32(_mm256_madd_epi16(br, y_br), _mm256_madd_epi16(g, y_g));
            _mm256_srai_epi32(_mm256_add_epi32(sum, y_off), 15)
        };
        // U and V are linear in B, G, R, so weigh each column of the two-row
        // sums, then add column pairs: `hadd` gives U0 U1 V0 V1 | U2 U3 V2 V3.
        let chroma = |(tb, tg): (__m256i, __m256i), (bb, bg): (__m256i, __m256i)| {
            let (br, g) = (_mm256_add_epi32(tb, bb), _mm256_add_epi32(tg, bg));
            let weigh = |wbr, wg| _mm256_add_epi32(_mm256_madd_epi16(br, wbr), _mm256_madd_epi16(g, wg));
            let uv = _mm256_hadd_epi32(weigh(u_br, u_g), weigh(v_br, v_g));
            _mm256_srai_epi32(_mm256_add_epi32(uv, c_off), 17)
        };
        let bytes32 = |a, b, c, d| {
            let packed = _mm256_packus_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
            bytemuck::cast::<__m256i, [u8; 32]>(_mm256_permutevar8x32_epi32(packed, order))
        };
        let n = y_top.len() / 32 * 32;
        let steps = top[..4 * n]
            .chunks_exact(128)
            .zip(bottom[..4 * n].chunks_exact(128))
            .zip(y_top[..n].chunks_exact_mut(32).zip(y_bottom[..n].chunks_exact_mut(32)))
            .zip(u[..n / 2].chunks_exact_mut(16).zip(v[..n / 2].chunks_exact_mut(16)));
        for (((top, bottom), (y_top, y_bottom)), (u, v)) in steps {
            let t = [0, 1, 2, 3].map(|j| split(load8(&top[32 * j..])));
            let b = [0, 1, 2, 3].map(|j| split(load8(&bottom[32 * j..])));
            y_top.copy_from_slice(&bytes32(luma(t[0]), luma(t[1]), luma(t[2]), luma(t[3])));
            y_bottom.copy_from_slice(&bytes32(luma(b[0]), luma(b[1]), luma(b[2]), luma(b[3])));
            let uv: __m256i =
                bytemuck::cast(bytes32(chroma(t[0], b[0]), chroma(t[1], b[1]), chroma(t[2], b[2]), chroma(t[3], b[3])));
            let grouped = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(uv, split_uv), 0b11_01_10_00);
            let halves = bytemuck::cast::<__m256i, [u8; 32]>(grouped);
            u.copy_from_slice(&halves[..16]);
            v.copy_from_slice(&halves[16..]);
        }
        n
    }
}

#[cold]
#[inline(never)]
pub(crate) fn short_input() -> ! {
    // Callers checked the lengths up front; keep the panic path out of the loops.
    panic!("kernel read past the end of its input")
}

#[cfg(test)]
mod tests {
    use super::{scalar, wide};
    use crate::simd::tests::rng;

    fn convert(f: super::RowsKernel, t: &[u8], b: &[u8], n: usize) -> Vec<u8> {
        let c = n.div_ceil(2);
        let (mut yt, mut yb, mut u, mut v) = (vec![0xa5; n], vec![0x5a; n], vec![0x33; c], vec![0xcc; c]);
        f(t, b, &mut yt, &mut yb, &mut u, &mut v);
        [yt, yb, u, v].concat()
    }

    #[test]
    fn i420_rows_agree_on_every_tail_length() {
        let mut next = rng(0x1420);
        for n in 1..=100 {
            for trial in 0..6 {
                let mut row = || -> Vec<u8> {
                    (0..4 * n)
                        .map(|_| match trial {
                            0 => 0,
                            1 => 255,
                            2 => [0, 255][(next() >> 40) as usize & 1],
                            _ => (next() >> 33) as u8,
                        })
                        .collect()
                };
                let (t, b) = (row(), row());
                let s = convert(scalar::i420_rows, &t, &b, n);
                let w = convert(wide::i420_rows, &t, &b, n);
                assert_eq!(s, w, "wide: n={n} trial={trial}");
                #[cfg(target_arch = "x86_64")]
                {
                    // Runs the AVX2 code itself where the CPU has it (as CI's does).
                    let a = convert(super::avx2::i420_rows, &t, &b, n);
                    assert_eq!(s, a, "avx2 ({}): n={n} trial={trial}", super::avx2::available());
                }
            }
        }
    }

    #[test]
    fn the_limited_range_ends_and_gray_are_exact() {
        let conv = |b: u8, g: u8, r: u8| {
            let row = [b, g, r, 0].repeat(16);
            convert(wide::i420_rows, &row, &row, 16)
        };
        let white = conv(255, 255, 255);
        assert!(white[..32].iter().all(|&y| y == 235) && white[32..].iter().all(|&c| c == 128));
        let black = conv(0, 0, 0);
        assert!(black[..32].iter().all(|&y| y == 16) && black[32..].iter().all(|&c| c == 128));
        for level in [1u8, 77, 128, 200, 254] {
            assert!(conv(level, level, level)[32..].iter().all(|&c| c == 128), "gray {level}");
        }
        // Saturated primaries reach the nominal chroma extremes 16 and 240.
        let blue = conv(255, 0, 0);
        assert_eq!((blue[32], blue[40]), (240, 110)); // U max; V of blue 128 - 0.0714*255 = 109.8
        let red = conv(0, 0, 255);
        assert_eq!(red[40], 240);
    }

    #[test]
    fn round_trip_through_the_inverse_stays_close() {
        let mut next = rng(7);
        let mut worst = 0;
        for _ in 0..2000 {
            // A flat 2x2 block survives chroma subsampling, so only rounding remains.
            let px = [(next() >> 20) as u8, (next() >> 30) as u8, (next() >> 40) as u8, 0];
            let row = px.repeat(2);
            let (mut y, mut y2, mut u, mut v) = ([0; 2], [0; 2], [0; 1], [0; 1]);
            scalar::i420_rows(&row, &row, &mut y, &mut y2, &mut u, &mut v);
            let mut back = [0; 8];
            scalar::bgrx_from_i420_row(&y, &u, &v, &mut back);
            for c in 0..3 {
                worst = worst.max(back[c].abs_diff(px[c]));
            }
        }
        // Limited range quantizes luma to 219 levels and chroma to 224: about
        // one code of error, two where a channel clips.
        assert!(worst <= 3, "worst channel error {worst}");
    }
}
