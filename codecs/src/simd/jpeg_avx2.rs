//! AVX2 twins of the JPEG encoder's hot kernels, chosen at run time: `wide`
//! picks its instructions when the crate is compiled, so the default (SSE2)
//! build would otherwise never use the 256-bit registers that libjpeg-turbo
//! finds at run time. Each public function here is the safe dispatching
//! wrapper the encoder calls: the AVX2 code when the CPU has it, the `wide`
//! twin otherwise (and for remainders). All are bit-exact with the scalar
//! twins in [`super::scalar`] (agreement tests in `tests.rs`, fuzz target
//! `simd_agree`), as [`super::yuv`]'s AVX2 kernel is.

use core::arch::x86_64::{
    __m128i, __m256i, _mm_cvtsi64_si128, _mm_unpacklo_epi64, _mm256_abs_epi16, _mm256_add_epi16, _mm256_add_epi32,
    _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_castsi128_si256, _mm256_cvtepu8_epi16, _mm256_hadd_epi16,
    _mm256_inserti128_si256, _mm256_madd_epi16, _mm256_mulhi_epu16, _mm256_or_si256, _mm256_packs_epi32,
    _mm256_packus_epi16, _mm256_permute4x64_epi64, _mm256_permutevar8x32_epi32, _mm256_set1_epi16, _mm256_set1_epi32,
    _mm256_setr_epi8, _mm256_setr_epi32, _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_sign_epi16,
    _mm256_slli_epi16, _mm256_srai_epi16, _mm256_srai_epi32, _mm256_srli_epi16, _mm256_srli_epi32, _mm256_sub_epi16,
    _mm256_sub_epi32, _mm256_unpackhi_epi16, _mm256_unpackhi_epi32, _mm256_unpackhi_epi64, _mm256_unpacklo_epi16,
    _mm256_unpacklo_epi32, _mm256_unpacklo_epi64,
};

use super::scalar::{self, QuantDivisors, dct, ycc};
use super::wide;

/// Whether this CPU has AVX2 (std caches the answer).
pub fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

// ---------------------------------------------------------------------------
// Forward DCT and quantization: two blocks a pass, one per 128-bit half.

/// See [`scalar::fdct_quantize2`]: both blocks in one pass on AVX2, block `a`
/// in the low 128-bit half of every register and `b` in the high half, so the
/// 16-bit algorithm of [`wide`]'s SSE2 DCT (in-lane unpacks, `pmaddwd`) runs
/// on both at once; through [`wide::fdct_quantize`] without AVX2.
pub fn fdct_quantize2(
    a: &[u8],
    stride_a: usize,
    div_a: &QuantDivisors,
    b: &[u8],
    stride_b: usize,
    div_b: &QuantDivisors,
    out: &mut [[i16; 64]; 2],
) {
    assert!(a.len() >= 7 * stride_a + 8 && b.len() >= 7 * stride_b + 8, "block runs past its plane");
    // (Strides of 2^32 and more, which no picture has, go to `wide`: see the kernel.)
    let strides = stride_a <= u32::MAX as usize && stride_b <= u32::MAX as usize;
    if strides && available() {
        // Side by side in one plane (the encoder's luma pairs): one 16-byte load a row.
        let adjacent = stride_a == stride_b && b.as_ptr() == a.as_ptr().wrapping_add(8) && a.len() >= 7 * stride_a + 16;
        // One table for both (all the encoder's pairs but one): one broadcast load a row.
        let same = std::ptr::eq(div_a, div_b);
        let kernel = match (adjacent, same) {
            (true, true) => fdct_quantize2_avx2::<true, true>,
            (true, false) => fdct_quantize2_avx2::<true, false>,
            (false, true) => fdct_quantize2_avx2::<false, true>,
            (false, false) => fdct_quantize2_avx2::<false, false>,
        };
        // SAFETY: the kernels only need AVX2, which the CPU was just found to
        // have; they touch memory through slices alone.
        #[allow(unsafe_code)]
        unsafe {
            kernel(a, stride_a, div_a, b, stride_b, div_b, out)
        }
    } else {
        let [oa, ob] = out;
        wide::fdct_quantize(a, stride_a, div_a, oa);
        wide::fdct_quantize(b, stride_b, div_b, ob);
    }
}

/// See [`scalar::fdct_quantize`]: one block through [`fdct_quantize2`] (both
/// halves the same block) on AVX2, [`wide::fdct_quantize`] otherwise.
pub fn fdct_quantize(src: &[u8], stride: usize, divisors: &QuantDivisors, out: &mut [i16; 64]) {
    if available() {
        let mut two = [[0; 64]; 2];
        fdct_quantize2(src, stride, divisors, src, stride, divisors, &mut two);
        *out = two[0];
    } else {
        wide::fdct_quantize(src, stride, divisors, out);
    }
}

/// 8 bytes at `s[at..]` as the low half of an SSE register.
#[inline]
#[target_feature(enable = "avx2")]
fn load8(s: &[u8], at: usize) -> __m128i {
    match s.get(at..).and_then(|s| s.first_chunk::<8>()) {
        Some(b) => _mm_cvtsi64_si128(i64::from_le_bytes(*b)),
        None => super::yuv::short_input(),
    }
}

/// 16 bytes at `s[at..]`.
#[inline(always)]
fn load16(s: &[u8], at: usize) -> __m128i {
    match s.get(at..).and_then(|s| s.first_chunk::<16>()) {
        Some(b) => bytemuck::cast(*b),
        None => super::yuv::short_input(),
    }
}

/// Row `k` (8 values) of `a`'s table in the low half, of `b`'s in the high.
#[inline]
#[target_feature(enable = "avx2")]
fn table_rows<const SAME: bool>(a: &[u16; 64], b: &[u16; 64], k: usize) -> __m256i {
    let row = |t: &[u16; 64]| -> __m128i { bytemuck::cast(*t[8 * k..].first_chunk::<8>().unwrap_or(&[0; 8])) };
    if SAME {
        _mm256_broadcastsi128_si256(row(a))
    } else {
        _mm256_inserti128_si256(_mm256_castsi128_si256(row(a)), row(b), 1)
    }
}

/// 8x8 transpose of 16-bit values within each 128-bit half (SSE2's unpack
/// sequence; AVX2's unpacks never cross the halves, so both blocks at once).
#[inline]
#[target_feature(enable = "avx2")]
fn transpose(r: [__m256i; 8]) -> [__m256i; 8] {
    let a = [
        _mm256_unpacklo_epi16(r[0], r[1]),
        _mm256_unpackhi_epi16(r[0], r[1]),
        _mm256_unpacklo_epi16(r[2], r[3]),
        _mm256_unpackhi_epi16(r[2], r[3]),
        _mm256_unpacklo_epi16(r[4], r[5]),
        _mm256_unpackhi_epi16(r[4], r[5]),
        _mm256_unpacklo_epi16(r[6], r[7]),
        _mm256_unpackhi_epi16(r[6], r[7]),
    ];
    let b = [
        _mm256_unpacklo_epi32(a[0], a[2]),
        _mm256_unpackhi_epi32(a[0], a[2]),
        _mm256_unpacklo_epi32(a[1], a[3]),
        _mm256_unpackhi_epi32(a[1], a[3]),
        _mm256_unpacklo_epi32(a[4], a[6]),
        _mm256_unpackhi_epi32(a[4], a[6]),
        _mm256_unpacklo_epi32(a[5], a[7]),
        _mm256_unpackhi_epi32(a[5], a[7]),
    ];
    [
        _mm256_unpacklo_epi64(b[0], b[4]),
        _mm256_unpackhi_epi64(b[0], b[4]),
        _mm256_unpacklo_epi64(b[1], b[5]),
        _mm256_unpackhi_epi64(b[1], b[5]),
        _mm256_unpacklo_epi64(b[2], b[6]),
        _mm256_unpackhi_epi64(b[2], b[6]),
        _mm256_unpacklo_epi64(b[3], b[7]),
        _mm256_unpackhi_epi64(b[3], b[7]),
    ]
}

/// `wide`'s `fdct_pass16` (the scalar `fdct_1d` on 16 lanes, the rotations
/// regrouped into sums of two products): each product pair is one `pmaddwd`
/// on the two operands interleaved, low and high halves, packed back to 16
/// bits after the rounding shift. The same integer operations in the same
/// order, so the same results; the ranges are argued there (every sum fits
/// 16 bits for 8-bit samples).
#[inline]
#[target_feature(enable = "avx2")]
fn fdct_pass(v: [__m256i; 8], first: bool) -> [__m256i; 8] {
    use dct::*;
    let (add, sub) = (_mm256_add_epi16, _mm256_sub_epi16);
    let rot = if first { CONST_BITS - PASS1_BITS } else { CONST_BITS + PASS1_BITS };
    let dc = |x: __m256i| {
        if first {
            _mm256_slli_epi16(x, PASS1_BITS as i32)
        } else {
            _mm256_srai_epi16(add(x, _mm256_set1_epi16(1 << (PASS1_BITS - 1))), PASS1_BITS as i32)
        }
    };
    let (s0, s1, s2, s3) = (add(v[0], v[7]), add(v[1], v[6]), add(v[2], v[5]), add(v[3], v[4]));
    let (e0, e1, e2, e3) = (add(s0, s3), add(s1, s2), sub(s1, s2), sub(s0, s3));
    let (t4, t5, t6, t7) = (sub(v[3], v[4]), sub(v[2], v[5]), sub(v[1], v[6]), sub(v[0], v[7]));
    let (za, zb) = (add(t4, t6), add(t5, t7));
    // (x, y) interleaved: each 32-bit lane a (x, y) pair for `pmaddwd`.
    let pairs = |x, y| (_mm256_unpacklo_epi16(x, y), _mm256_unpackhi_epi16(x, y));
    // x * cx + y * cy in 32 bits, (low, high) halves.
    let mul = |(lo, hi): (__m256i, __m256i), cx: i32, cy: i32| {
        let w = _mm256_set1_epi32((cx & 0xffff) | (cy << 16));
        (_mm256_madd_epi16(lo, w), _mm256_madd_epi16(hi, w))
    };
    let add2 = |x: (__m256i, __m256i), y: (__m256i, __m256i)| (_mm256_add_epi32(x.0, y.0), _mm256_add_epi32(x.1, y.1));
    // Rounding right shift (DESCALE), back to 16-bit lanes in the original
    // order; `shift` of a sum that already holds the rounding half.
    const ROW: i32 = (CONST_BITS - PASS1_BITS) as i32;
    const COL: i32 = (CONST_BITS + PASS1_BITS) as i32;
    let half = _mm256_set1_epi32(1 << (rot - 1));
    let shift = |(lo, hi): (__m256i, __m256i)| {
        let s = |x| if first { _mm256_srai_epi32(x, ROW) } else { _mm256_srai_epi32(x, COL) };
        _mm256_packs_epi32(s(lo), s(hi))
    };
    let rounded = |(lo, hi): (__m256i, __m256i)| (_mm256_add_epi32(lo, half), _mm256_add_epi32(hi, half));
    let (p47, p56, pz, p32) = (pairs(t4, t7), pairs(t5, t6), pairs(za, zb), pairs(e3, e2));
    // z3 and z4 each go into two outputs: they carry the rounding half for them.
    let z3 = rounded(mul(pz, F1_175 - F1_961, F1_175));
    let z4 = rounded(mul(pz, F1_175, F1_175 - F0_390));
    [
        dc(add(e0, e1)),
        shift(add2(mul(p47, -F0_899, F1_501 - F0_899), z4)),
        shift(rounded(mul(p32, F0_541 + F0_765, F0_541))),
        shift(add2(mul(p56, -F2_562, F3_072 - F2_562), z3)),
        dc(sub(e0, e1)),
        shift(add2(mul(p56, F2_053 - F2_562, -F2_562), z4)),
        shift(rounded(mul(p32, F0_541, F0_541 - F1_847))),
        shift(add2(mul(p47, F0_298 - F0_899, -F0_899), z3)),
    ]
}

/// The kernel of [`fdct_quantize2`]. `ADJACENT`: `b` starts 8 bytes after
/// `a` with the same stride, and `a` holds 16 bytes of every row. `SAME`:
/// `div_a` is `div_b`.
#[target_feature(enable = "avx2")]
fn fdct_quantize2_avx2<const ADJACENT: bool, const SAME: bool>(
    a: &[u8],
    stride_a: usize,
    div_a: &QuantDivisors,
    b: &[u8],
    stride_b: usize,
    div_b: &QuantDivisors,
    out: &mut [[i16; 64]; 2],
) {
    // Strides below 2^32 let the compiler see that every row is in bounds
    // once the last one is, so the loads below go unchecked.
    let fits = |s: &[u8], stride: usize, row: usize| stride <= u32::MAX as usize && s.len() >= 7 * stride + row;
    assert!(fits(a, stride_a, if ADJACENT { 16 } else { 8 }) && fits(b, stride_b, 8));
    // Row r of both blocks, widened to 16-bit lanes and level-shifted.
    let level = _mm256_set1_epi16(128);
    let rows: [__m256i; 8] = std::array::from_fn(|r| {
        let bytes = if ADJACENT {
            load16(a, r * stride_a)
        } else {
            _mm_unpacklo_epi64(load8(a, r * stride_a), load8(b, r * stride_b))
        };
        _mm256_sub_epi16(_mm256_cvtepu8_epi16(bytes), level)
    });
    let cols = fdct_pass(transpose(rows), true);
    let coefs = fdct_pass(transpose(cols), false);
    // Quantization as `wide`'s: floor((|c| + 4q) / 2) through two high-half
    // multiplies (see `QuantDivisors::new`), the sign put back. LLVM rewrites
    // a `pmulhuw` of a `pmulhuw` into both halves widened to 32 bits (six more
    // instructions a row); OR-ing a zero it cannot see through keeps the two
    // plain multiplies.
    let opaque_zero = std::hint::black_box(_mm256_setzero_si256());
    let q: [[__m128i; 2]; 8] = std::array::from_fn(|k| {
        let c = coefs[k];
        let t = _mm256_srli_epi16(
            _mm256_add_epi16(_mm256_abs_epi16(c), table_rows::<SAME>(&div_a.round, &div_b.round, k)),
            1,
        );
        let m = _mm256_or_si256(_mm256_mulhi_epu16(t, table_rows::<SAME>(&div_a.recip, &div_b.recip, k)), opaque_zero);
        let m = _mm256_mulhi_epu16(m, table_rows::<SAME>(&div_a.scale, &div_b.scale, k));
        bytemuck::cast(_mm256_sign_epi16(m, c))
    });
    let [oa, ob] = out;
    *oa = bytemuck::cast(q.map(|h| h[0]));
    *ob = bytemuck::cast(q.map(|h| h[1]));
}

// ---------------------------------------------------------------------------
// 4:2:0 colour conversion with the chroma downsampled on the fly.

/// See [`scalar::ycc_420_rows`]: 32 columns of both rows a step on AVX2, the
/// remainder and the padding (and CPUs without AVX2) through
/// [`wide::ycc_420_rows`].
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
    let pw = y_top.len();
    scalar::check_420(top, bottom, bpp, w, pw, y_bottom.len(), cb.len(), cr.len());
    // Leave at least one real pixel to the remainder when there is padding to fill.
    let steps = match () {
        _ if !available() => 0,
        _ if w == pw => w / 32,
        _ => (w - 1) / 32,
    };
    let done = 32 * steps;
    if steps > 0 {
        let (t, b) = (&top[..done * bpp], &bottom[..done * bpp]);
        let (yt, yb, c_b, c_r) = (&mut y_top[..done], &mut y_bottom[..done], &mut cb[..done / 2], &mut cr[..done / 2]);
        // SAFETY: `ycc_420_avx2` only needs AVX2, which the CPU was found to
        // have; it touches memory through slices alone.
        #[allow(unsafe_code)]
        unsafe {
            if bpp == 4 { ycc_420_avx2::<4>(t, b, yt, yb, c_b, c_r) } else { ycc_420_avx2::<3>(t, b, yt, yb, c_b, c_r) }
        }
    }
    // `done` is a multiple of 32, so the chroma bias pattern lines up.
    wide::ycc_420_rows(
        &top[done * bpp..],
        &bottom[done * bpp..],
        bpp,
        w - done,
        &mut y_top[done..],
        &mut y_bottom[done..],
        &mut cb[done / 2..],
        &mut cr[done / 2..],
    );
}

/// See [`scalar::ycc_from_bgr`] (the 4:4:4 conversion): 32 pixels a step on
/// AVX2, the rest (and CPUs without it) through [`wide::ycc_from_bgr`].
pub fn ycc_from_bgr(src: &[u8], bpp: usize, y: &mut [u8], cb: &mut [u8], cr: &mut [u8]) {
    let n = y.len();
    assert!(matches!(bpp, 3 | 4) && src.len() >= n * bpp && cb.len() == n && cr.len() == n);
    let done = if available() { n / 32 * 32 } else { 0 };
    if done > 0 {
        let (s, y, cb, cr) = (&src[..done * bpp], &mut y[..done], &mut cb[..done], &mut cr[..done]);
        // SAFETY: `ycc_avx2` only needs AVX2, which the CPU was found to have;
        // it touches memory through slices alone.
        #[allow(unsafe_code)]
        unsafe {
            if bpp == 4 { ycc_avx2::<4>(s, y, cb, cr) } else { ycc_avx2::<3>(s, y, cb, cr) }
        }
    }
    wide::ycc_from_bgr(&src[done * bpp..], bpp, &mut y[done..], &mut cb[done..], &mut cr[done..]);
}

/// See [`scalar::luma_from_bgr`] (grayscale JPEG): the Y of [`ycc_from_bgr`].
pub fn luma_from_bgr(src: &[u8], bpp: usize, y: &mut [u8]) {
    let n = y.len();
    assert!(matches!(bpp, 3 | 4) && src.len() >= n * bpp);
    let done = if available() { n / 32 * 32 } else { 0 };
    if done > 0 {
        let (s, y) = (&src[..done * bpp], &mut y[..done]);
        // SAFETY: `luma_avx2` only needs AVX2, which the CPU was found to have;
        // it touches memory through slices alone.
        #[allow(unsafe_code)]
        unsafe {
            if bpp == 4 { luma_avx2::<4>(s, y) } else { luma_avx2::<3>(s, y) }
        }
    }
    wide::luma_from_bgr(&src[done * bpp..], bpp, &mut y[done..]);
}

// Y's G weight is split into two equal 16-bit halves.
const _: () = assert!(ycc::Y_G % 2 == 0 && ycc::Y_G / 2 < 1 << 15);

/// The constants of [`ycc_420_avx2`], made once a call.
struct Ycc {
    /// Weights of the (B, R) and (G, G) pairs: Y, Cb, Cr.
    y: (__m256i, __m256i),
    cb: (__m256i, __m256i),
    cr: (__m256i, __m256i),
    y_round: __m256i,
    c_offset: __m256i,
    /// B and R of 4-byte pixels, and the byte shuffles to (G, G) of 4-byte
    /// pixels, to (B, R) and (G, G) of 3-byte ones.
    mask_br: __m256i,
    gg4: __m256i,
    br3: __m256i,
    gg3: __m256i,
    /// Dword order that undoes `packs` + `packus` across the halves.
    order: __m256i,
    /// The downsampling bias, 1 and 2 alternating.
    bias: __m256i,
    /// Byte order that undoes `hadd` + `packus` + `permute4x64` of the chroma.
    unscramble: __m256i,
}

impl Ycc {
    #[inline]
    #[target_feature(enable = "avx2")]
    fn new() -> Self {
        let pair = |lo: i32, hi: i32| _mm256_set1_epi32((lo & 0xffff) | (hi << 16));
        // Each pixel as two 32-bit lanes of 16-bit pairs, (B, R) and (G, G), so
        // that every weight fits a signed 16-bit multiplier: Y's G weight
        // (38470) is split in two halves, and the chroma is `offset - (negated
        // sum)` so that its 0.5 weight is -2^15.
        let z = -1;
        #[rustfmt::skip]
        let ycc = Ycc {
            y: (pair(ycc::Y_B, ycc::Y_R), pair(ycc::Y_G / 2, ycc::Y_G / 2)),
            cb: (pair(-ycc::HALF, ycc::CB_R), pair(ycc::CB_G / 2, ycc::CB_G - ycc::CB_G / 2)),
            cr: (pair(ycc::CR_B, -ycc::HALF), pair(ycc::CR_G / 2, ycc::CR_G - ycc::CR_G / 2)),
            y_round: _mm256_set1_epi32(ycc::Y_ROUND),
            c_offset: _mm256_set1_epi32(ycc::C_OFFSET),
            mask_br: _mm256_set1_epi32(0x00ff_00ff),
            gg4: _mm256_setr_epi8(
                1, z, 1, z, 5, z, 5, z, 9, z, 9, z, 13, z, 13, z,
                1, z, 1, z, 5, z, 5, z, 9, z, 9, z, 13, z, 13, z,
            ),
            // 3-byte pixels are loaded as bytes 0..16 (pixels 0-3) and 8..24
            // (pixels 4-7 at 4..16) of each 24.
            br3: _mm256_setr_epi8(
                0, z, 2, z, 3, z, 5, z, 6, z, 8, z, 9, z, 11, z,
                4, z, 6, z, 7, z, 9, z, 10, z, 12, z, 13, z, 15, z,
            ),
            gg3: _mm256_setr_epi8(
                1, z, 1, z, 4, z, 4, z, 7, z, 7, z, 10, z, 10, z,
                5, z, 5, z, 8, z, 8, z, 11, z, 11, z, 14, z, 14, z,
            ),
            order: _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7),
            bias: _mm256_set1_epi32(1 | 2 << 16),
            unscramble: _mm256_setr_epi8(
                0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15,
                0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15,
            ),
        };
        ycc
    }

    /// 8 pixels at `s[8 * BPP * g..]` as their (B, R) and (G, G) pairs.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn load<const BPP: usize>(&self, s: &[u8], g: usize) -> (__m256i, __m256i) {
        if BPP == 4 {
            let px: __m256i = match s.get(32 * g..).and_then(|s| s.first_chunk::<32>()) {
                Some(a) => bytemuck::cast(*a),
                None => super::yuv::short_input(),
            };
            (_mm256_and_si256(px, self.mask_br), _mm256_shuffle_epi8(px, self.gg4))
        } else {
            let px = _mm256_inserti128_si256(_mm256_castsi128_si256(load16(s, 24 * g)), load16(s, 24 * g + 8), 1);
            (_mm256_shuffle_epi8(px, self.br3), _mm256_shuffle_epi8(px, self.gg3))
        }
    }

    /// `pmaddwd` of the pairs with weights `w`, summed.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn weigh(&self, (br, gg): (__m256i, __m256i), w: (__m256i, __m256i)) -> __m256i {
        _mm256_add_epi32(_mm256_madd_epi16(br, w.0), _mm256_madd_epi16(gg, w.1))
    }

    /// Y of 8 pixels (0..=255 in 32-bit lanes).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn luma(&self, p: (__m256i, __m256i)) -> __m256i {
        _mm256_srli_epi32(_mm256_add_epi32(self.weigh(p, self.y), self.y_round), 16)
    }

    /// Cb or Cr (weights `w`) of 8 pixels (0..=255 in 32-bit lanes).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn chroma(&self, p: (__m256i, __m256i), w: (__m256i, __m256i)) -> __m256i {
        _mm256_srli_epi32(_mm256_sub_epi32(self.c_offset, self.weigh(p, w)), 16)
    }

    /// Cb or Cr (weights `w`) of 8 pixels of each row, added (32-bit lanes).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn chroma2(&self, t: (__m256i, __m256i), b: (__m256i, __m256i), w: (__m256i, __m256i)) -> __m256i {
        _mm256_add_epi32(self.chroma(t, w), self.chroma(b, w))
    }

    /// 32 values of 0..=255 (four vectors of 8 in 32-bit lanes) as bytes in order.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn bytes32(&self, v: [__m256i; 4]) -> [u8; 32] {
        let packed = _mm256_packus_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
        bytemuck::cast(_mm256_permutevar8x32_epi32(packed, self.order))
    }

    /// The 16 averages of 2x2 blocks from the column sums of 32 pixels (four
    /// vectors of 8 column sums), in 16-bit lanes as `hadd` leaves them:
    /// outputs 0 1 4 5 8 9 12 13 | 2 3 6 7 10 11 14 15 (so the bias, 1 for
    /// even outputs and 2 for odd ones, alternates in every half).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn average(&self, s: [__m256i; 4]) -> __m256i {
        let sums = _mm256_hadd_epi16(_mm256_packs_epi32(s[0], s[1]), _mm256_packs_epi32(s[2], s[3]));
        _mm256_srli_epi16(_mm256_add_epi16(sums, self.bias), 2)
    }
}

/// Converts the whole 32-pixel steps of `y_top.len()` pixels.
#[target_feature(enable = "avx2")]
fn ycc_420_avx2<const BPP: usize>(
    top: &[u8],
    bottom: &[u8],
    y_top: &mut [u8],
    y_bottom: &mut [u8],
    cb: &mut [u8],
    cr: &mut [u8],
) {
    let k = Ycc::new();
    let n = y_top.len() / 32 * 32;
    let steps = top[..n * BPP]
        .chunks_exact(32 * BPP)
        .zip(bottom[..n * BPP].chunks_exact(32 * BPP))
        .zip(y_top[..n].chunks_exact_mut(32).zip(y_bottom[..n].chunks_exact_mut(32)))
        .zip(cb[..n / 2].chunks_exact_mut(16).zip(cr[..n / 2].chunks_exact_mut(16)));
    for (((top, bottom), (y_top, y_bottom)), (cb, cr)) in steps {
        let t = [k.load::<BPP>(top, 0), k.load::<BPP>(top, 1), k.load::<BPP>(top, 2), k.load::<BPP>(top, 3)];
        let b =
            [k.load::<BPP>(bottom, 0), k.load::<BPP>(bottom, 1), k.load::<BPP>(bottom, 2), k.load::<BPP>(bottom, 3)];
        y_top.copy_from_slice(&k.bytes32([k.luma(t[0]), k.luma(t[1]), k.luma(t[2]), k.luma(t[3])]));
        y_bottom.copy_from_slice(&k.bytes32([k.luma(b[0]), k.luma(b[1]), k.luma(b[2]), k.luma(b[3])]));
        let cbs = k.average([
            k.chroma2(t[0], b[0], k.cb),
            k.chroma2(t[1], b[1], k.cb),
            k.chroma2(t[2], b[2], k.cb),
            k.chroma2(t[3], b[3], k.cb),
        ]);
        let crs = k.average([
            k.chroma2(t[0], b[0], k.cr),
            k.chroma2(t[1], b[1], k.cr),
            k.chroma2(t[2], b[2], k.cr),
            k.chroma2(t[3], b[3], k.cr),
        ]);
        // Cb and Cr bytes, each one's halves gathered, then in output order.
        let grouped = _mm256_permute4x64_epi64(_mm256_packus_epi16(cbs, crs), 0b11_01_10_00);
        let halves = bytemuck::cast::<__m256i, [u8; 32]>(_mm256_shuffle_epi8(grouped, k.unscramble));
        cb.copy_from_slice(&halves[..16]);
        cr.copy_from_slice(&halves[16..]);
    }
}

/// Converts the whole 32-pixel steps of `y.len()` pixels (see [`ycc_from_bgr`]).
#[target_feature(enable = "avx2")]
fn ycc_avx2<const BPP: usize>(src: &[u8], y: &mut [u8], cb: &mut [u8], cr: &mut [u8]) {
    let k = Ycc::new();
    let n = y.len() / 32 * 32;
    let steps = src[..n * BPP]
        .chunks_exact(32 * BPP)
        .zip(y[..n].chunks_exact_mut(32))
        .zip(cb[..n].chunks_exact_mut(32).zip(cr[..n].chunks_exact_mut(32)));
    for ((s, y), (cb, cr)) in steps {
        let p = [k.load::<BPP>(s, 0), k.load::<BPP>(s, 1), k.load::<BPP>(s, 2), k.load::<BPP>(s, 3)];
        y.copy_from_slice(&k.bytes32([k.luma(p[0]), k.luma(p[1]), k.luma(p[2]), k.luma(p[3])]));
        cb.copy_from_slice(&k.bytes32([
            k.chroma(p[0], k.cb),
            k.chroma(p[1], k.cb),
            k.chroma(p[2], k.cb),
            k.chroma(p[3], k.cb),
        ]));
        cr.copy_from_slice(&k.bytes32([
            k.chroma(p[0], k.cr),
            k.chroma(p[1], k.cr),
            k.chroma(p[2], k.cr),
            k.chroma(p[3], k.cr),
        ]));
    }
}

/// Converts the whole 32-pixel steps of `y.len()` pixels (see [`luma_from_bgr`]).
#[target_feature(enable = "avx2")]
fn luma_avx2<const BPP: usize>(src: &[u8], y: &mut [u8]) {
    let k = Ycc::new();
    let n = y.len() / 32 * 32;
    for (s, y) in src[..n * BPP].chunks_exact(32 * BPP).zip(y[..n].chunks_exact_mut(32)) {
        let p = [k.load::<BPP>(s, 0), k.load::<BPP>(s, 1), k.load::<BPP>(s, 2), k.load::<BPP>(s, 3)];
        y.copy_from_slice(&k.bytes32([k.luma(p[0]), k.luma(p[1]), k.luma(p[2]), k.luma(p[3])]));
    }
}
