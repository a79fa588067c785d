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

// ---------------------------------------------------------------------------
// Baseline JPEG encoder kernels (libjpeg's arithmetic: jccolor.c, jcsample.c,
// jfdctint.c, jcdctmgr.c), all bit-exact with their `wide` twins.

/// JFIF BT.601 weights in 16-bit fixed point, `round(x * 65536)`.
pub(super) mod ycc {
    /// 0.29900 (R to Y).
    pub const Y_R: i32 = 19595;
    /// 0.58700 (G to Y).
    pub const Y_G: i32 = 38470;
    /// 0.11400 (B to Y).
    pub const Y_B: i32 = 7471;
    /// 0.16874 (R to -Cb).
    pub const CB_R: i32 = 11059;
    /// 0.33126 (G to -Cb).
    pub const CB_G: i32 = 21709;
    /// 0.5 (B to Cb and R to Cr).
    pub const HALF: i32 = 32768;
    /// 0.41869 (G to -Cr).
    pub const CR_G: i32 = 27439;
    /// 0.08131 (B to -Cr).
    pub const CR_B: i32 = 5329;
    /// Rounds Y to nearest.
    pub const Y_ROUND: i32 = 1 << 15;
    /// Centres the chroma on 128 and rounds; one short of a half so that the
    /// largest chroma (an exact 255.5 before rounding) stays 255.
    pub const C_OFFSET: i32 = (128 << 16) + (1 << 15) - 1;
}

#[inline(always)]
fn luma(b: i32, g: i32, r: i32) -> u8 {
    ((ycc::Y_R * r + ycc::Y_G * g + ycc::Y_B * b + ycc::Y_ROUND) >> 16) as u8
}

/// Cb and Cr of one pixel (0..=255 each).
#[inline(always)]
fn chroma(b: i32, g: i32, r: i32) -> (u8, u8) {
    let cb = (ycc::HALF * b - ycc::CB_R * r - ycc::CB_G * g + ycc::C_OFFSET) >> 16;
    let cr = (ycc::HALF * r - ycc::CR_G * g - ycc::CR_B * b + ycc::C_OFFSET) >> 16;
    (cb as u8, cr as u8)
}

/// Converts `y.len()` pixels of `bpp` bytes (3: B,G,R; 4: B,G,R,X) to JFIF
/// Y, Cb, Cr with libjpeg's 16-bit fixed-point weights (`jccolor.c`).
///
/// `src` must hold at least `y.len() * bpp` bytes and `cb`, `cr` as many
/// samples as `y`.
pub fn ycc_from_bgr(src: &[u8], bpp: usize, y: &mut [u8], cb: &mut [u8], cr: &mut [u8]) {
    let n = y.len();
    assert!(matches!(bpp, 3 | 4) && src.len() >= n * bpp && cb.len() == n && cr.len() == n);
    for (i, px) in src.chunks_exact(bpp).take(n).enumerate() {
        let (b, g, r) = (i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
        y[i] = luma(b, g, r);
        (cb[i], cr[i]) = chroma(b, g, r);
    }
}

/// The Y of [`ycc_from_bgr`] alone (grayscale JPEG); `src` holds at least
/// `y.len() * bpp` bytes.
pub fn luma_from_bgr(src: &[u8], bpp: usize, y: &mut [u8]) {
    let n = y.len();
    assert!(matches!(bpp, 3 | 4) && src.len() >= n * bpp);
    for (o, px) in y.iter_mut().zip(src.chunks_exact(bpp)) {
        *o = luma(i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
    }
}

/// Averages 2x2 blocks of two rows into `out.len()` samples (libjpeg's h2v2
/// downsampling): the rounding bias alternates 1, 2, 1, 2, ... along the row so
/// that it does not drift the average up or down. `top` and `bottom` hold at
/// least `2 * out.len()` samples.
pub fn downsample_2x2(top: &[u8], bottom: &[u8], out: &mut [u8]) {
    let n = out.len();
    assert!(top.len() >= 2 * n && bottom.len() >= 2 * n);
    for (i, ((o, t), b)) in out.iter_mut().zip(top.chunks_exact(2)).zip(bottom.chunks_exact(2)).enumerate() {
        let sum = u16::from(t[0]) + u16::from(t[1]) + u16::from(b[0]) + u16::from(b[1]);
        *o = ((sum + 1 + (i as u16 & 1)) >> 2) as u8;
    }
}

/// 4:2:0 colour conversion of two picture rows, as the encoder prepares an
/// MCU row: [`ycc_from_bgr`] of the first `w` pixels of `top` and `bottom`,
/// the last pixel repeated out to the padded width `pw = y_top.len()`, and
/// the Cb, Cr of both rows through [`downsample_2x2`] into `cb`, `cr`
/// (`pw / 2` samples each). The full-resolution chroma is never stored.
///
/// `y_bottom` is as long as `y_top`; `top` and `bottom` hold at least
/// `w * bpp` bytes; `w <= pw`, and `w >= 1` unless `pw == 0`.
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
    check_420(top, bottom, bpp, w, pw, y_bottom.len(), cb.len(), cr.len());
    let px = |row: &[u8], i: usize| {
        let p = &row[i.min(w - 1) * bpp..];
        (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]))
    };
    for i in 0..pw {
        let (b, g, r) = px(top, i);
        y_top[i] = luma(b, g, r);
        let (b, g, r) = px(bottom, i);
        y_bottom[i] = luma(b, g, r);
    }
    for k in 0..pw / 2 {
        let (mut sb, mut sr) = (0u16, 0u16);
        for (row, i) in [(top, 2 * k), (top, 2 * k + 1), (bottom, 2 * k), (bottom, 2 * k + 1)] {
            let (b, g, r) = px(row, i);
            let (c_b, c_r) = chroma(b, g, r);
            sb += u16::from(c_b);
            sr += u16::from(c_r);
        }
        let bias = 1 + (k as u16 & 1);
        cb[k] = ((sb + bias) >> 2) as u8;
        cr[k] = ((sr + bias) >> 2) as u8;
    }
}

/// The length contract of every `ycc_420_rows` (see [`ycc_420_rows`]).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(super) fn check_420(
    top: &[u8],
    bottom: &[u8],
    bpp: usize,
    w: usize,
    pw: usize,
    y_bottom: usize,
    cb: usize,
    cr: usize,
) {
    assert!(matches!(bpp, 3 | 4) && w <= pw && (w > 0 || pw == 0), "bpp {bpp}, {w} of {pw} pixels");
    assert!(y_bottom == pw && cb == pw / 2 && cr == pw / 2, "output rows {pw}, {y_bottom}, {cb}, {cr}");
    assert!(top.len() >= w * bpp && bottom.len() >= w * bpp, "input rows shorter than {w} pixels");
}

/// `round(x * 2^13)` of the islow DCT's rotation factors (`FIX_x_xxx` in
/// jfdctint.c), with `ck = cos(k pi / 16)`.
pub(super) mod dct {
    /// Fraction bits of the constants.
    pub const CONST_BITS: u32 = 13;
    /// Extra fraction bits the row pass keeps for the column pass.
    pub const PASS1_BITS: u32 = 2;
    /// sqrt(2) (-c1 + c3 + c5 - c7).
    pub const F0_298: i32 = 2446;
    /// sqrt(2) (c3 - c5).
    pub const F0_390: i32 = 3196;
    /// sqrt(2) c6.
    pub const F0_541: i32 = 4433;
    /// sqrt(2) (c2 - c6).
    pub const F0_765: i32 = 6270;
    /// sqrt(2) (c3 - c7).
    pub const F0_899: i32 = 7373;
    /// sqrt(2) c3.
    pub const F1_175: i32 = 9633;
    /// sqrt(2) (c1 + c3 - c5 - c7).
    pub const F1_501: i32 = 12299;
    /// sqrt(2) (c2 + c6).
    pub const F1_847: i32 = 15137;
    /// sqrt(2) (c3 + c5).
    pub const F1_961: i32 = 16069;
    /// sqrt(2) (c1 + c3 - c5 + c7).
    pub const F2_053: i32 = 16819;
    /// sqrt(2) (c1 + c3).
    pub const F2_562: i32 = 20995;
    /// sqrt(2) (c1 + c3 + c5 - c7).
    pub const F3_072: i32 = 25172;
}

/// One 8-point islow DCT over `v`: even outputs from the sums, odd outputs from
/// the differences (the Loeffler–Ligtenberg–Moschytz flow graph, 12 multiplies).
/// The row pass (`first`) scales its outputs up by `2^PASS1_BITS` to keep
/// precision for the column pass, which divides that back out.
#[inline(always)]
fn fdct_1d(v: [i32; 8], first: bool) -> [i32; 8] {
    use dct::*;
    // Rounding right shift (libjpeg's DESCALE).
    let descale = |x: i32, n: u32| (x + (1 << (n - 1))) >> n;
    // The row pass keeps PASS1_BITS of fraction; the column pass drops them and
    // the rotations' CONST_BITS.
    let rot = if first { CONST_BITS - PASS1_BITS } else { CONST_BITS + PASS1_BITS };
    let dc = |x: i32| if first { x << PASS1_BITS } else { descale(x, PASS1_BITS) };

    let (s0, s1, s2, s3) = (v[0] + v[7], v[1] + v[6], v[2] + v[5], v[3] + v[4]);
    let (e0, e1, e2, e3) = (s0 + s3, s1 + s2, s1 - s2, s0 - s3);
    let mut out = [0i32; 8];
    out[0] = dc(e0 + e1);
    out[4] = dc(e0 - e1);
    let z = (e2 + e3) * F0_541;
    out[2] = descale(z + e3 * F0_765, rot);
    out[6] = descale(z - e2 * F1_847, rot);

    // Odd part, on the differences (libjpeg's tmp4..tmp7).
    let (t4, t5, t6, t7) = (v[3] - v[4], v[2] - v[5], v[1] - v[6], v[0] - v[7]);
    let z5 = (t4 + t5 + t6 + t7) * F1_175;
    let z1 = -(t4 + t7) * F0_899;
    let z2 = -(t5 + t6) * F2_562;
    let z3 = -(t4 + t6) * F1_961 + z5;
    let z4 = -(t5 + t7) * F0_390 + z5;
    out[7] = descale(t4 * F0_298 + z1 + z3, rot);
    out[5] = descale(t5 * F2_053 + z2 + z4, rot);
    out[3] = descale(t6 * F3_072 + z2 + z3, rot);
    out[1] = descale(t7 * F1_501 + z1 + z4, rot);
    out
}

/// Forward DCT of the 8x8 block at `src` (row `r` at `src[r * stride..][..8]`)
/// after the level shift by 128, with libjpeg's islow integer arithmetic
/// (`jfdctint.c`): `out` (natural row-major order, vertical frequency major)
/// is 8 times the orthonormal 2-D DCT-II, as libjpeg hands it to quantization.
///
/// `src` must hold at least `7 * stride + 8` samples.
pub fn fdct_islow(src: &[u8], stride: usize, out: &mut [i32; 64]) {
    assert!(src.len() >= 7 * stride + 8);
    let mut rows = [[0i32; 8]; 8];
    for (r, row) in rows.iter_mut().enumerate() {
        let s = &src[r * stride..r * stride + 8];
        *row = fdct_1d(std::array::from_fn(|k| i32::from(s[k]) - 128), true);
    }
    for c in 0..8 {
        let col = fdct_1d(std::array::from_fn(|r| rows[r][c]), false);
        for (u, v) in col.into_iter().enumerate() {
            out[u * 8 + c] = v;
        }
    }
}

/// A quantization table prepared for [`quantize`]: the table itself for the
/// plain division, and for the `wide` twin a 16-bit reciprocal and scale per
/// coefficient that give the same quotients without dividing.
///
/// Laid out in order and 32-byte aligned, so the `wide` code can view each
/// table as vectors in place.
#[derive(Clone, Debug, PartialEq, Eq)]
#[repr(C, align(32))]
pub struct QuantDivisors {
    /// The table value `q` (1..=255) per coefficient, natural order.
    pub(super) q: [u16; 64],
    /// `4 q`: half the divisor `8 q`, the rounding term.
    pub(super) round: [u16; 64],
    /// Reciprocal of `4 q` for the first high-half multiply (see [`QuantDivisors::new`]).
    pub(super) recip: [u16; 64],
    /// `2^(16 - shift)`: the second high-half multiply, a per-lane right shift.
    pub(super) scale: [u16; 64],
}

impl QuantDivisors {
    /// Prepares the quantization table `q` (values 1..=255, natural order).
    ///
    /// The quotient `floor(t / 8q)` for `t = |c| + 4q < 2^16` is computed as
    /// `floor(floor(t / 2) / d)` with `d = 4q` and `n = floor(t / 2) < 2^15`:
    /// with `k = floor(log2 d)` and `d` not a power of two, `m = ceil(2^(16+k) / d)`
    /// fits 16 bits and `floor(n m / 2^(16+k))` is exact, because the excess
    /// `n (m d - 2^(16+k)) / (d 2^(16+k)) < n / 2^(16+k) < 2^-(k+1) < 1/d` cannot
    /// carry past the next multiple of `d`. A power of two `d = 2^k` takes
    /// `m = 2^15` and a shift one less. `k >= 2`, so the shift past the first
    /// high half is 1..=9 and `2^(16 - shift)` fits 16 bits.
    pub fn new(q: &[u16; 64]) -> Self {
        let mut out = QuantDivisors { q: *q, round: [0; 64], recip: [0; 64], scale: [0; 64] };
        for (i, &qi) in q.iter().enumerate() {
            assert!((1..=255).contains(&qi), "quantization table value {qi} out of 1..=255");
            let d = 4 * u32::from(qi);
            let k = d.ilog2();
            let (recip, shift) =
                if d.is_power_of_two() { (1 << 15, k - 1) } else { ((1u32 << (16 + k)).div_ceil(d), k) };
            out.round[i] = d as u16;
            out.recip[i] = recip as u16;
            out.scale[i] = (1u32 << (16 - shift)) as u16;
        }
        out
    }

    /// The table values, natural order.
    pub fn table(&self) -> &[u16; 64] {
        &self.q
    }
}

/// Quantizes DCT output (8 times the coefficient, as [`fdct_islow`] gives it):
/// `out[i] = sign(c) * ((|c| + 4q) / 8q)`, rounding half away from zero
/// (libjpeg's integer quantization, `jcdctmgr.c`). `|c|` must be at most
/// 32767 (islow output of 8-bit samples stays within about 8200).
pub fn quantize(coefs: &[i32; 64], divisors: &QuantDivisors, out: &mut [i16; 64]) {
    for ((o, &c), &q) in out.iter_mut().zip(coefs).zip(&divisors.q) {
        let d = 8 * i32::from(q);
        let m = (c.abs() + d / 2) / d;
        *o = (if c < 0 { -m } else { m }) as i16;
    }
}

/// [`fdct_islow`] then [`quantize`]: the quantized coefficients of the 8x8
/// block at `src` (natural order). `src` must hold at least `7 * stride + 8`
/// samples.
pub fn fdct_quantize(src: &[u8], stride: usize, divisors: &QuantDivisors, out: &mut [i16; 64]) {
    let mut coefs = [0; 64];
    fdct_islow(src, stride, &mut coefs);
    quantize(&coefs, divisors, out);
}

/// [`fdct_quantize`] of two blocks, `a` (stride `stride_a`, table `div_a`)
/// into `out[0]` and `b` into `out[1]`: the shape of the AVX2 twin, which
/// transforms both in one pass of 16-bit lanes.
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
