//! Kernels of the quality metrics ([`crate::metrics`]): squared differences of
//! two rows (PSNR), BT.601 luma of a BGRX row, and the running window moments
//! and per-window SSIM of two luma planes.
//!
//! SSIM works on four rows of windows at once: [`scalar::update_moments`]
//! slides the 7-row column sums down one row and records them as one of four
//! interleaved *bands* (column `i` of band `k` at `4 i + k`), and
//! [`scalar::ssim_rows4`] then walks the bands' columns with the four bands in
//! the four lanes of a vector, so each window's 7-column sum is the previous
//! one plus the column entering and minus the one leaving (two operations per
//! moment instead of six), all lanes at once.
//!
//! [`scalar`] is the reference, [`wide`] its SIMD twin; every pair is
//! **bit-exact** (the tests below compare them on every tail length):
//!
//! - Squared differences are summed in integers.
//! - Luma is kept as the integer `299 R + 587 G + 114 B` (1000 times BT.601's
//!   `0.299 R + 0.587 G + 0.114 B`), stored in `f64`. Every window moment built
//!   from it (sums of x, y, x², y², xy over 7 rows and 7 columns, at most
//!   49 · 255000² ≈ 3.2e12) is an integer below 2^53, so each `f64` addition and
//!   product on the way is exact and the order of operations cannot matter.
//! - The SSIM of a window is the same sequence of IEEE operations in both twins
//!   (no fused multiply-add), so it rounds identically.
// The scalar twins are only called for row tails, by tests and by benchmarks.
#![cfg_attr(not(feature = "bench-internals"), allow(dead_code))]

/// SSIM's window side (scikit-image's default `win_size`).
pub const WIN: usize = 7;

/// Pixels in a window, as the `f64` the formula uses.
const NP: f64 = (WIN * WIN) as f64;

/// Rows of windows [`scalar::ssim_rows4`] computes in one pass (interleaved bands).
pub const BANDS: usize = 4;

/// One implementation of every metric kernel, so the pipelines in
/// [`crate::metrics`] can be instantiated with either twin (benchmarks and the
/// agreement tests run the scalar one).
pub trait Kernels {
    /// See [`scalar::sq_diff_sums4`].
    fn sq_diff_sums4(a: &[u8], b: &[u8]) -> [u64; 4];
    /// See [`scalar::luma_bgrx`].
    fn luma_bgrx(src: &[u8], out: &mut [f64]);
    /// See [`scalar::update_moments`].
    fn update_moments(io: Rows<'_>, sums: &mut [f64], bands: &mut [f64], band: usize);
    /// See [`scalar::ssim_rows4`].
    fn ssim_rows4(bands: &[f64], c1: f64, c2: f64, out: &mut [f64]);
}

/// The luma rows entering (`x_in`, `y_in`) and leaving (`x_out`, `y_out`) the
/// window, all of one length.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    /// Row of the first image entering the window.
    pub x_in: &'a [f64],
    /// Row of the second image entering the window.
    pub y_in: &'a [f64],
    /// Row of the first image leaving the window (zeros while it fills).
    pub x_out: &'a [f64],
    /// Row of the second image leaving the window.
    pub y_out: &'a [f64],
}

/// The scalar kernels.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scalar;

/// The `wide` kernels (what the metrics use).
#[derive(Debug, Clone, Copy, Default)]
pub struct Wide;

impl Kernels for Scalar {
    fn sq_diff_sums4(a: &[u8], b: &[u8]) -> [u64; 4] {
        scalar::sq_diff_sums4(a, b)
    }
    fn luma_bgrx(src: &[u8], out: &mut [f64]) {
        scalar::luma_bgrx(src, out)
    }
    fn update_moments(io: Rows<'_>, sums: &mut [f64], bands: &mut [f64], band: usize) {
        scalar::update_moments(io, sums, bands, band)
    }
    fn ssim_rows4(bands: &[f64], c1: f64, c2: f64, out: &mut [f64]) {
        scalar::ssim_rows4(bands, c1, c2, out)
    }
}

impl Kernels for Wide {
    fn sq_diff_sums4(a: &[u8], b: &[u8]) -> [u64; 4] {
        wide::sq_diff_sums4(a, b)
    }
    fn luma_bgrx(src: &[u8], out: &mut [f64]) {
        wide::luma_bgrx(src, out)
    }
    fn update_moments(io: Rows<'_>, sums: &mut [f64], bands: &mut [f64], band: usize) {
        wide::update_moments(io, sums, bands, band)
    }
    fn ssim_rows4(bands: &[f64], c1: f64, c2: f64, out: &mut [f64]) {
        wide::ssim_rows4(bands, c1, c2, out)
    }
}

/// The five moment blocks of `sums` (x, y, x², y², xy; `n` columns each).
fn split5(sums: &mut [f64], n: usize) -> [&mut [f64]; 5] {
    let (x, rest) = sums.split_at_mut(n);
    let (y, rest) = rest.split_at_mut(n);
    let (xx, rest) = rest.split_at_mut(n);
    let (yy, xy) = rest.split_at_mut(n);
    [x, y, xx, yy, xy]
}

/// The scalar reference.
pub mod scalar {
    use super::{BANDS, NP, Rows, WIN, split5};

    /// Σ (a[i] − b[i])² apart for each byte position modulo 4 (B, G, R, X of
    /// 32-bit pixels): `out[k]` sums the positions `i ≡ k (mod 4)`.
    ///
    /// # Panics
    /// If `a` and `b` differ in length (a caller bug).
    pub fn sq_diff_sums4(a: &[u8], b: &[u8]) -> [u64; 4] {
        assert_eq!(a.len(), b.len(), "rows of different lengths");
        let mut out = [0u64; 4];
        for (i, (&p, &q)) in a.iter().zip(b).enumerate() {
            let d = u64::from(p.abs_diff(q));
            out[i % 4] += d * d;
        }
        out
    }

    /// Luma of `out.len()` BGRX pixels as `299 R + 587 G + 114 B` (BT.601 times
    /// 1000, exact), X ignored.
    ///
    /// # Panics
    /// If `src` holds fewer than `4 * out.len()` bytes (a caller bug).
    pub fn luma_bgrx(src: &[u8], out: &mut [f64]) {
        assert!(src.len() >= 4 * out.len(), "short BGRX row");
        for (o, p) in out.iter_mut().zip(src.chunks_exact(4)) {
            let l = 114 * u32::from(p[0]) + 587 * u32::from(p[1]) + 299 * u32::from(p[2]);
            *o = f64::from(l);
        }
    }

    /// Slides the window's column sums down a row and records them as band
    /// `band` (0..4): adds rows `x_in`, `y_in` and takes away rows `x_out`,
    /// `y_out` (zeros while the window fills). `sums` holds five blocks of
    /// `n = x_in.len()` columns: Σx, Σy, Σx², Σy², Σxy; `bands` five blocks of
    /// `4 n`, column `i` of band `k` at `4 i + k` in each. Exact for
    /// integer-valued rows whose sums stay below 2^53.
    ///
    /// # Panics
    /// If the rows differ in length, `sums` is not `5 n` long, `bands` not
    /// `20 n`, or `band >= 4` (caller bugs).
    pub fn update_moments(io: Rows<'_>, sums: &mut [f64], bands: &mut [f64], band: usize) {
        let n = check_update(io, sums, bands, band);
        update_cols(io, split5(sums, n), bands, band, 0);
    }

    /// Checks [`update_moments`]' sizes; returns the row length.
    pub(super) fn check_update(io: Rows<'_>, sums: &[f64], bands: &[f64], band: usize) -> usize {
        let n = io.x_in.len();
        let rows = io.y_in.len() == n && io.x_out.len() == n && io.y_out.len() == n;
        assert!(rows && sums.len() == 5 * n && bands.len() == 5 * BANDS * n && band < BANDS, "moment sizes");
        n
    }

    /// [`update_moments`] of columns `from..`.
    pub(super) fn update_cols(io: Rows<'_>, s: [&mut [f64]; 5], bands: &mut [f64], band: usize, from: usize) {
        let n = io.x_in.len();
        let [sx, sy, sxx, syy, sxy] = s;
        for i in from..n {
            let (a, b, c, d) = (io.x_in[i], io.y_in[i], io.x_out[i], io.y_out[i]);
            sx[i] += a - c;
            sy[i] += b - d;
            sxx[i] += a * a - c * c;
            syy[i] += b * b - d * d;
            sxy[i] += a * b - c * d;
            for (q, v) in [sx[i], sy[i], sxx[i], syy[i], sxy[i]].into_iter().enumerate() {
                bands[q * BANDS * n + BANDS * i + band] = v;
            }
        }
    }

    /// SSIM of one window from its sums (scikit-image's formula with sample
    /// covariances, every term multiplied through by `NP² s²` or
    /// `NP (NP − 1) s²`, `s` the luma scale; `c1`, `c2` come scaled the same way).
    #[inline(always)]
    pub(super) fn ssim_of(h: [f64; 5], c1: f64, c2: f64) -> f64 {
        let [hx, hy, hxx, hyy, hxy] = h;
        let sxsy = hx * hy;
        let a1 = 2.0 * sxsy + c1;
        let a2 = 2.0 * (NP * hxy - sxsy) + c2;
        let b1 = (hx * hx + hy * hy) + c1;
        let b2 = ((NP * hxx - hx * hx) + (NP * hyy - hy * hy)) + c2;
        (a1 * a2) / (b1 * b2)
    }

    /// SSIM of every 7x7 window of four rows of windows whose column sums
    /// [`update_moments`] recorded in `bands` (five blocks of `4 n`):
    /// `out[4 i + k]` for the window over columns `i..i + 7` of band `k`,
    /// `out.len() == 4 (n - 6)`. The sums must be integers below 2^53 (they are).
    ///
    /// With `s` the luma scale (1000 for [`luma_bgrx`], 1 for 8-bit planes),
    /// `c1 = (0.01 · 255 · s)² · 49²` and `c2 = (0.03 · 255 · s)² · 49 · 48`.
    ///
    /// # Panics
    /// If `out.len()` is not a multiple of 4 or `bands.len() != 5 (out.len() + 24)`
    /// (caller bugs).
    pub fn ssim_rows4(bands: &[f64], c1: f64, c2: f64, out: &mut [f64]) {
        let n = check_rows4(bands, out);
        ssim_cols(bands, n, c1, c2, out, 0);
    }

    /// Checks [`ssim_rows4`]' sizes; returns the columns of a band.
    pub(super) fn check_rows4(bands: &[f64], out: &[f64]) -> usize {
        let n = out.len() / BANDS + WIN - 1;
        assert!(out.len() % BANDS == 0 && bands.len() == 5 * BANDS * n, "moment sizes");
        n
    }

    /// [`ssim_rows4`] of the outputs `from..` (`from` a multiple of 4).
    pub(super) fn ssim_cols(bands: &[f64], n: usize, c1: f64, c2: f64, out: &mut [f64], from: usize) {
        for (j, o) in out.iter_mut().enumerate().skip(from) {
            let (i, k) = (j / BANDS, j % BANDS);
            let h: [f64; 5] =
                core::array::from_fn(|q| (0..WIN).map(|c| bands[q * BANDS * n + BANDS * (i + c) + k]).sum());
            *o = ssim_of(h, c1, c2);
        }
    }
}

/// The `wide` twins.
pub mod wide {
    use super::{BANDS, NP, Rows, WIN, scalar, split5};
    use bytemuck::cast;
    use wide::{f64x2, f64x4, i16x8, u8x16, u16x8, u32x8, u64x2};

    #[inline(always)]
    fn load16(s: &[u8]) -> u8x16 {
        match s.first_chunk::<16>() {
            Some(a) => u8x16::from(*a),
            None => short_input(),
        }
    }

    #[inline(always)]
    fn load4(s: &[f64]) -> f64x4 {
        match s.first_chunk::<4>() {
            Some(a) => f64x4::from(*a),
            None => short_input(),
        }
    }

    #[inline(always)]
    fn store4(d: &mut [f64], v: f64x4) {
        if let Some(a) = d.first_chunk_mut::<4>() {
            *a = v.into();
        }
    }

    #[cold]
    #[inline(never)]
    fn short_input() -> ! {
        // Callers checked the lengths up front; keep the panic path out of the loops.
        panic!("metric kernel read past the end of its input")
    }

    /// See [`scalar::sq_diff_sums4`]: 16 bytes a step; the absolute differences
    /// squared in 16-bit lanes (255² fits), added into 32-bit lanes that keep
    /// the byte positions modulo 4 apart, flushed to 64 bits before a lane
    /// could overflow.
    pub fn sq_diff_sums4(a: &[u8], b: &[u8]) -> [u64; 4] {
        assert_eq!(a.len(), b.len(), "rows of different lengths");
        let whole = a.len() / 16 * 16;
        let mut out = [0u64; 4];
        // A step adds 2 · 255² to each lane: 8192 steps stay below 2^31.
        const BLOCK: usize = 16 * 8192;
        for (ca, cb) in a[..whole].chunks(BLOCK).zip(b[..whole].chunks(BLOCK)) {
            let mut acc = u32x8::splat(0);
            for (x, y) in ca.chunks_exact(16).zip(cb.chunks_exact(16)) {
                let (x, y) = (load16(x), load16(y));
                let d = x.saturating_sub(y) | y.saturating_sub(x);
                let (lo, hi) = (u16x8::from_u8x16_low(d), u16x8::from_u8x16_high(d));
                acc += u32x8::from(lo * lo) + u32x8::from(hi * hi);
            }
            let lanes = acc.to_array();
            for (k, o) in out.iter_mut().enumerate() {
                *o += u64::from(lanes[k]) + u64::from(lanes[k + 4]);
            }
        }
        let tail = scalar::sq_diff_sums4(&a[whole..], &b[whole..]);
        // The tail starts at a multiple of 16, so its positions keep their lane.
        for (o, t) in out.iter_mut().zip(tail) {
            *o += t;
        }
        out
    }

    /// See [`scalar::luma_bgrx`]: 4 pixels a step. B, G and R, X meet their
    /// weights in a 16-bit multiply-add (X's weight is 0); the two halves of
    /// each pixel add in a 64-bit lane, which becomes an `f64` exactly by the
    /// 2^52 trick (the value below 2^52 as the mantissa, then 2^52 taken off).
    pub fn luma_bgrx(src: &[u8], out: &mut [f64]) {
        let n = out.len();
        assert!(src.len() >= 4 * n, "short BGRX row");
        let weights = i16x8::from([114, 587, 299, 0, 114, 587, 299, 0]);
        let low32 = u64x2::splat(0xffff_ffff);
        let magic = u64x2::splat(0x4330_0000_0000_0000);
        let two52 = f64x2::splat(4_503_599_627_370_496.0);
        let to_f64 = |pair: u16x8| -> f64x2 {
            // Lanes (B·114 + G·587, R·299) per pixel: their sum in the low half.
            let d: u64x2 = cast(cast::<u16x8, i16x8>(pair).dot(weights));
            let luma = (d + (d >> 32_u32)) & low32;
            cast::<u64x2, f64x2>(luma | magic) - two52
        };
        let whole = n / 4 * 4;
        for (px, o) in src[..4 * whole].chunks_exact(16).zip(out[..whole].chunks_exact_mut(4)) {
            let v = load16(px);
            let (lo, hi) = (to_f64(u16x8::from_u8x16_low(v)), to_f64(u16x8::from_u8x16_high(v)));
            o[..2].copy_from_slice(lo.as_array_ref());
            o[2..].copy_from_slice(hi.as_array_ref());
        }
        scalar::luma_bgrx(&src[4 * whole..], &mut out[whole..]);
    }

    /// Writes the 4 lanes of `v` (columns `i..i + 4`) to band `band` of the
    /// interleaved columns starting at `d` (4 apart).
    #[inline(always)]
    fn scatter(d: &mut [f64], band: usize, v: f64x4) {
        if let Some(d) = d.first_chunk_mut::<16>() {
            let band = band % BANDS;
            let a = v.to_array();
            d[band] = a[0];
            d[BANDS + band] = a[1];
            d[2 * BANDS + band] = a[2];
            d[3 * BANDS + band] = a[3];
        }
    }

    /// `s[..4] += m`, recorded in band `band` of `b` too.
    #[inline(always)]
    fn slide(s: &mut [f64], b: &mut [f64], band: usize, m: f64x4) {
        let v = load4(s) + m;
        store4(s, v);
        scatter(b, band, v);
    }

    /// See [`scalar::update_moments`]: 4 columns a step.
    pub fn update_moments(io: Rows<'_>, sums: &mut [f64], bands: &mut [f64], band: usize) {
        let n = scalar::check_update(io, sums, bands, band);
        let [sx, sy, sxx, syy, sxy] = split5(sums, n);
        let [bx, by, bxx, byy, bxy] = split5(bands, BANDS * n);
        let whole = n / 4 * 4;
        for i in (0..whole).step_by(4) {
            let (a, b) = (load4(&io.x_in[i..]), load4(&io.y_in[i..]));
            let (c, d) = (load4(&io.x_out[i..]), load4(&io.y_out[i..]));
            let j = BANDS * i;
            slide(&mut sx[i..], &mut bx[j..], band, a - c);
            slide(&mut sy[i..], &mut by[j..], band, b - d);
            slide(&mut sxx[i..], &mut bxx[j..], band, a * a - c * c);
            slide(&mut syy[i..], &mut byy[j..], band, b * b - d * d);
            slide(&mut sxy[i..], &mut bxy[j..], band, a * b - c * d);
        }
        scalar::update_cols(io, [sx, sy, sxx, syy, sxy], bands, band, whole);
    }

    /// See [`scalar::ssim_rows4`]: the four bands in the four lanes; each
    /// window's sums are the previous window's plus the column entering and
    /// minus the one leaving (exact: integers below 2^53), then the same
    /// operations lane by lane as [`scalar::ssim_of`].
    pub fn ssim_rows4(bands: &[f64], c1: f64, c2: f64, out: &mut [f64]) {
        let n = scalar::check_rows4(bands, out);
        if out.is_empty() {
            return;
        }
        let (np, two, c1v, c2v) = (f64x4::splat(NP), f64x4::splat(2.0), f64x4::splat(c1), f64x4::splat(c2));
        let [cx, cy, cxx, cyy, cxy]: [&[f64]; 5] = core::array::from_fn(|q| &bands[q * BANDS * n..][..BANDS * n]);
        let first = |col: &[f64]| {
            let mut s = f64x4::splat(0.0);
            for c in 0..WIN {
                s += load4(&col[BANDS * c..]);
            }
            s
        };
        let (mut hx, mut hy, mut hxx, mut hyy, mut hxy) = (first(cx), first(cy), first(cxx), first(cyy), first(cxy));
        let windows = out.len() / BANDS;
        for i in 0..windows {
            let sxsy = hx * hy;
            let a1 = two * sxsy + c1v;
            let a2 = two * (np * hxy - sxsy) + c2v;
            let b1 = (hx * hx + hy * hy) + c1v;
            let b2 = ((np * hxx - hx * hx) + (np * hyy - hy * hy)) + c2v;
            store4(&mut out[BANDS * i..], (a1 * a2) / (b1 * b2));
            if i + 1 < windows {
                // Column i + 7 enters, column i leaves.
                let (e, l) = (BANDS * (i + WIN), BANDS * i);
                let step = |col: &[f64]| load4(&col[e..]) - load4(&col[l..]);
                hx += step(cx);
                hy += step(cy);
                hxx += step(cxx);
                hyy += step(cyy);
                hxy += step(cxy);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Rows, WIN, scalar, wide};
    use crate::simd::tests::rng;

    /// `n` bytes: random, or the extremes 0 and 255 alternating.
    fn bytes(next: &mut impl FnMut() -> u64, n: usize, extreme: bool) -> Vec<u8> {
        (0..n).map(|i| if extreme { [0, 255][i % 2] } else { (next() >> 29) as u8 }).collect()
    }

    /// A luma row as `luma_bgrx` makes them (integers 0..=255000), or 8-bit samples.
    fn luma_row(next: &mut impl FnMut() -> u64, n: usize, scale: u64, mode: u64) -> Vec<f64> {
        (0..n)
            .map(|i| match mode {
                0 => 0.0,
                1 => (255 * scale) as f64,
                2 => [0.0, (255 * scale) as f64][i % 2],
                _ => ((next() >> 20) % (255 * scale + 1)) as f64,
            })
            .collect()
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn sq_diff_sums4_agree_on_every_tail_length() {
        let mut next = rng(0x55d4);
        for n in 0..=130 {
            for trial in 0..4 {
                let a = bytes(&mut next, n, trial == 3);
                let b: Vec<u8> =
                    if trial == 3 { a.iter().map(|v| 255 - v).collect() } else { bytes(&mut next, n, false) };
                let s = scalar::sq_diff_sums4(&a, &b);
                assert_eq!(s, wide::sq_diff_sums4(&a, &b), "n={n} trial={trial}");
                let direct: u64 = a.iter().zip(&b).map(|(&p, &q)| (i64::from(p) - i64::from(q)).pow(2) as u64).sum();
                assert_eq!(s.iter().sum::<u64>(), direct, "n={n}");
            }
        }
    }

    #[test]
    fn sq_diff_sums4_flush_before_overflow() {
        // Two flush blocks and a tail, every lane at its largest.
        let n = 16 * 8192 * 2 + 16 * 3 + 7;
        let (a, b) = (vec![0u8; n], vec![255u8; n]);
        let w = wide::sq_diff_sums4(&a, &b);
        assert_eq!(w, scalar::sq_diff_sums4(&a, &b));
        assert_eq!(w.iter().sum::<u64>(), n as u64 * 255 * 255);
    }

    #[test]
    fn luma_bgrx_agrees_on_every_tail_length() {
        let mut next = rng(0x1a7e);
        for n in 0..=130 {
            for extreme in [false, true] {
                let src = bytes(&mut next, 4 * n + 3, extreme);
                let (mut s, mut w) = (vec![-1.0; n], vec![-2.0; n]);
                scalar::luma_bgrx(&src, &mut s);
                wide::luma_bgrx(&src, &mut w);
                assert_eq!(bits(&s), bits(&w), "n={n}");
                for (i, &l) in s.iter().enumerate() {
                    let p = &src[4 * i..];
                    let want = 114 * u32::from(p[0]) + 587 * u32::from(p[1]) + 299 * u32::from(p[2]);
                    assert_eq!(l, f64::from(want));
                }
            }
        }
        // White and a white with X set: 255000, X ignored.
        let mut out = [0.0; 4];
        wide::luma_bgrx(&[255, 255, 255, 0, 255, 255, 255, 255, 0, 0, 0, 255, 1, 0, 0, 0], &mut out);
        assert_eq!(out, [255000.0, 255000.0, 0.0, 114.0]);
    }

    /// Rows entering and leaving.
    fn io<'a>(x_in: &'a [f64], y_in: &'a [f64], x_out: &'a [f64], y_out: &'a [f64]) -> Rows<'a> {
        Rows { x_in, y_in, x_out, y_out }
    }

    #[test]
    fn update_moments_agree_and_undo_exactly() {
        let mut next = rng(0x3073);
        for scale in [1, 1000] {
            for n in 0..=70 {
                let rows: Vec<(Vec<f64>, Vec<f64>)> = (0..9)
                    .map(|k| (luma_row(&mut next, n, scale, k % 5), luma_row(&mut next, n, scale, (k + 3) % 5)))
                    .collect();
                let zero = vec![0.0; n];
                let (mut s, mut w) = (vec![0.0; 5 * n], vec![0.0; 5 * n]);
                let (mut sb, mut wb) = (vec![-1.0; 20 * n], vec![-1.0; 20 * n]);
                for (x, y) in &rows[..WIN] {
                    scalar::update_moments(io(x, y, &zero, &zero), &mut s, &mut sb, 0);
                    wide::update_moments(io(x, y, &zero, &zero), &mut w, &mut wb, 0);
                }
                assert_eq!(bits(&s), bits(&w), "scale {scale} n={n}");
                // Slide twice: rows 0 and 1 leave, 7 and 8 enter; bands 1 and 3.
                for k in 0..2 {
                    let ((xi, yi), (xo, yo)) = (&rows[WIN + k], &rows[k]);
                    scalar::update_moments(io(xi, yi, xo, yo), &mut s, &mut sb, 2 * k + 1);
                    wide::update_moments(io(xi, yi, xo, yo), &mut w, &mut wb, 2 * k + 1);
                }
                assert_eq!(bits(&s), bits(&w), "scale {scale} n={n} after sliding");
                assert_eq!(bits(&sb), bits(&wb), "scale {scale} n={n}: bands");
                // Band 3 holds the sums; band 2 was never written.
                for q in 0..5 {
                    for i in 0..n {
                        assert_eq!(sb[q * 4 * n + 4 * i + 3], s[q * n + i]);
                        assert_eq!(sb[q * 4 * n + 4 * i + 2], -1.0);
                    }
                }
                // The slid sums are exactly those of rows 2..9 added afresh.
                let (mut fresh, mut fb) = (vec![0.0; 5 * n], vec![0.0; 20 * n]);
                for (x, y) in &rows[2..] {
                    scalar::update_moments(io(x, y, &zero, &zero), &mut fresh, &mut fb, 0);
                }
                assert_eq!(bits(&s), bits(&fresh), "scale {scale} n={n}: sliding is exact");
            }
        }
    }

    #[test]
    fn ssim_rows4_agree_on_every_tail_length() {
        let mut next = rng(0x5513);
        for scale in [1u64, 1000] {
            let s2 = (scale * scale) as f64;
            let c1 = 65025.0 * s2 * 49.0 * 49.0 / 10000.0;
            let c2 = 9.0 * 65025.0 * s2 * 49.0 * 48.0 / 10000.0;
            for windows in 0..=100 {
                let n = windows + WIN - 1;
                for trial in 0..6 {
                    // Four bands from ten rows: flat, saturated, alternating,
                    // random and mixed; the last trial compares rows with themselves.
                    let rows: Vec<(Vec<f64>, Vec<f64>)> = (0..WIN + 3)
                        .map(|r| {
                            let x = luma_row(&mut next, n, scale, (trial + r as u64) % 4 + u64::from(trial >= 4) * 3);
                            let y = if trial == 5 { x.clone() } else { luma_row(&mut next, n, scale, 3) };
                            (x, y)
                        })
                        .collect();
                    let zero = vec![0.0; n];
                    let (mut sums, mut bands) = (vec![0.0; 5 * n], vec![0.0; 20 * n]);
                    for (x, y) in &rows[..WIN] {
                        scalar::update_moments(io(x, y, &zero, &zero), &mut sums, &mut bands, 0);
                    }
                    for k in 1..4 {
                        let ((xi, yi), (xo, yo)) = (&rows[WIN - 1 + k], &rows[k - 1]);
                        scalar::update_moments(io(xi, yi, xo, yo), &mut sums, &mut bands, k);
                    }
                    let (mut s, mut w) = (vec![-1.0; 4 * windows], vec![-2.0; 4 * windows]);
                    scalar::ssim_rows4(&bands, c1, c2, &mut s);
                    wide::ssim_rows4(&bands, c1, c2, &mut w);
                    assert_eq!(bits(&s), bits(&w), "scale {scale} windows={windows} trial={trial}");
                    assert!(s.iter().all(|v| (-1.0..=1.0 + 1e-12).contains(v)), "{s:?}");
                    if trial == 5 {
                        assert!(s.iter().all(|&v| v == 1.0), "identical windows: {s:?}");
                    }
                    // Band 3's first window, straight from its 49 pixels.
                    if windows > 0 && trial < 5 {
                        let mut h = [0.0f64; 5];
                        for (x, y) in &rows[3..3 + WIN] {
                            for c in 0..WIN {
                                let (a, b) = (x[c], y[c]);
                                for (hq, v) in h.iter_mut().zip([a, b, a * a, b * b, a * b]) {
                                    *hq += v;
                                }
                            }
                        }
                        assert_eq!(s[3].to_bits(), scalar::ssim_of(h, c1, c2).to_bits());
                    }
                }
            }
        }
    }
}
