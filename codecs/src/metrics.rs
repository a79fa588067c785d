//! Image quality metrics: PSNR and SSIM of two BGRX images (or rectangles of
//! them), and of two 8-bit planes (a video frame's luma, say).
//!
//! Both follow scikit-image so their values can be checked against it
//! (`codecs/tests/metrics.rs` records its numbers, `docs/metrics.md` the details):
//!
//! - **PSNR**: `10 log10(255² / MSE)`, the MSE over every sample compared, as
//!   `skimage.metrics.peak_signal_noise_ratio(a, b, data_range=255)`; per B, G,
//!   R channel and combined over the three channels' samples together (X or
//!   alpha ignored). Identical inputs give `f64::INFINITY`.
//! - **SSIM**: the mean structural similarity as
//!   `skimage.metrics.structural_similarity(a, b, data_range=255,
//!   gaussian_weights=False, win_size=7)`: a uniform 7x7 window, sample
//!   covariances (`N / (N − 1)`), `K1 = 0.01`, `K2 = 0.03`, averaged over the
//!   windows that lie inside the image (scikit-image crops 3 pixels at each
//!   border). BGRX images are compared on their BT.601 luma
//!   `0.299 R + 0.587 G + 0.114 B`, not rounded (kept exactly, as the integer
//!   `299 R + 587 G + 114 B`); planes on their 8-bit samples.
//!
//! Sums of squared differences are integers, and so are the SSIM window sums
//! (the metric kernels in `simd/metrics.rs`): only the last few operations of each
//! window's SSIM round.

use crate::error::{Error, ParameterKind, Result};
use crate::image::{ImageRef, PixelFormat, Rect};
use crate::simd::metrics::{BANDS, Kernels, Rows, WIN, Wide};

/// PSNR in dB per channel and combined (over the B, G, R samples together; X ignored). `f64::INFINITY` when identical.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Psnr {
    /// Blue channel.
    pub b: f64,
    /// Green channel.
    pub g: f64,
    /// Red channel.
    pub r: f64,
    /// All B, G and R samples together (the MSE of all three, not a mean of the three PSNRs).
    pub combined: f64,
}

/// PSNR in dB of `sse` summed over `samples` 8-bit samples (scikit-image's
/// `10 * log10(data_range ** 2 / mse)`).
fn psnr_from(sse: u128, samples: u64) -> f64 {
    if sse == 0 {
        return f64::INFINITY;
    }
    let mse = sse as f64 / samples as f64;
    10.0 * (65025.0 / mse).log10()
}

/// Checks two images for a metric: both 32-bit B, G, R, X/A (any stride, either
/// row order) and of one size.
fn check_pair(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<()> {
    let bgrx = |f| matches!(f, PixelFormat::Bgrx32 | PixelFormat::Bgra32);
    if !bgrx(a.format()) || !bgrx(b.format()) {
        return Err(Error::Parameter(ParameterKind::FormatMismatch));
    }
    if (a.width(), a.height()) != (b.width(), b.height()) {
        return Err(Error::Parameter(ParameterKind::UnsupportedSize { width: b.width(), height: b.height() }));
    }
    Ok(())
}

/// Checks that a plane of `width` x `height` samples, rows `stride` apart, fits `len` bytes.
fn check_plane(len: usize, width: usize, height: usize, stride: usize) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::Parameter(ParameterKind::EmptyImage));
    }
    if stride < width {
        return Err(Error::Parameter(ParameterKind::StrideTooSmall { min: width as u64, given: stride as u64 }));
    }
    match (height - 1).checked_mul(stride).and_then(|n| n.checked_add(width)) {
        Some(need) if need <= len => Ok(()),
        Some(need) => Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: need as u64, given: len as u64 })),
        None => Err(Error::Parameter(ParameterKind::SizeOverflow)),
    }
}

/// PSNR of two BGRX (or BGRA; X and alpha ignored) images of one size, any stride.
///
/// Errors: `Parameter(FormatMismatch)` for another pixel format,
/// `Parameter(UnsupportedSize)` (with `b`'s size) when the sizes differ,
/// `Parameter(EmptyImage)` for an image without pixels.
pub fn psnr_bgrx(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<Psnr> {
    psnr_bgrx_with::<Wide>(a, b)
}

/// [`psnr_bgrx`] of the `rect` part of both images (`Parameter(SizeOverflow)`
/// when `rect` is not inside them, `Parameter(EmptyImage)` when it is empty).
pub fn psnr_bgrx_rect(a: &ImageRef<'_>, b: &ImageRef<'_>, rect: Rect) -> Result<Psnr> {
    check_pair(a, b)?;
    psnr_bgrx(&a.sub_image(rect)?, &b.sub_image(rect)?)
}

/// Mean SSIM of the luma (BT.601: Y = 0.299R+0.587G+0.114B from the 8-bit values, not rounded), see the module notes.
///
/// The images must be at least 7x7 (`Parameter(UnsupportedSize)` with their
/// size otherwise); other errors as [`psnr_bgrx`].
pub fn ssim_bgrx(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<f64> {
    ssim_bgrx_with::<Wide>(a, b)
}

/// [`ssim_bgrx`] of the `rect` part of both images (errors as [`psnr_bgrx_rect`]).
pub fn ssim_bgrx_rect(a: &ImageRef<'_>, b: &ImageRef<'_>, rect: Rect) -> Result<f64> {
    check_pair(a, b)?;
    ssim_bgrx(&a.sub_image(rect)?, &b.sub_image(rect)?)
}

/// PSNR of two 8-bit planes of `width` x `height` samples, rows `stride_a` and
/// `stride_b` bytes apart (`Parameter(EmptyImage)`, `StrideTooSmall`,
/// `BufferTooSmall` or `SizeOverflow` when they do not describe a plane).
pub fn psnr_plane(a: &[u8], b: &[u8], width: usize, height: usize, stride_a: usize, stride_b: usize) -> Result<f64> {
    psnr_plane_with::<Wide>(a, b, width, height, stride_a, stride_b)
}

/// Mean SSIM of two 8-bit planes (as [`psnr_plane`]; at least 7x7 samples,
/// `Parameter(UnsupportedSize)` otherwise), computed on the samples themselves.
pub fn ssim_plane(a: &[u8], b: &[u8], width: usize, height: usize, stride_a: usize, stride_b: usize) -> Result<f64> {
    ssim_plane_with::<Wide>(a, b, width, height, stride_a, stride_b)
}

fn psnr_bgrx_with<K: Kernels>(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<Psnr> {
    check_pair(a, b)?;
    if a.width() == 0 || a.height() == 0 {
        return Err(Error::Parameter(ParameterKind::EmptyImage));
    }
    // A row's sums fit u64 easily (2^32 pixels · 255²); the image's in u128.
    let mut sse = [0u128; 3];
    for y in 0..a.height() {
        let lanes = K::sq_diff_sums4(a.row(y), b.row(y));
        for (s, lane) in sse.iter_mut().zip(lanes) {
            *s += u128::from(lane);
        }
    }
    let n = u64::from(a.width()) * u64::from(a.height());
    Ok(Psnr {
        b: psnr_from(sse[0], n),
        g: psnr_from(sse[1], n),
        r: psnr_from(sse[2], n),
        combined: psnr_from(sse.iter().sum(), 3 * n),
    })
}

fn psnr_plane_with<K: Kernels>(
    a: &[u8],
    b: &[u8],
    width: usize,
    height: usize,
    stride_a: usize,
    stride_b: usize,
) -> Result<f64> {
    check_plane(a.len(), width, height, stride_a)?;
    check_plane(b.len(), width, height, stride_b)?;
    let mut sse = 0u128;
    for r in 0..height {
        let lanes = K::sq_diff_sums4(&a[r * stride_a..][..width], &b[r * stride_b..][..width]);
        sse += lanes.iter().map(|&v| u128::from(v)).sum::<u128>();
    }
    // `check_plane` found `width * height <= a.len()`.
    Ok(psnr_from(sse, (width * height) as u64))
}

fn ssim_bgrx_with<K: Kernels>(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<f64> {
    check_pair(a, b)?;
    let (w, h) = (a.width() as usize, a.height() as usize);
    if w < WIN || h < WIN {
        return Err(Error::Parameter(ParameterKind::UnsupportedSize { width: a.width(), height: a.height() }));
    }
    Ok(ssim_core::<K>(w, h, LUMA_SCALE, |y, x0, x_row, y_row| {
        K::luma_bgrx(&a.row(y as u32)[4 * x0..], x_row);
        K::luma_bgrx(&b.row(y as u32)[4 * x0..], y_row);
    }))
}

fn ssim_plane_with<K: Kernels>(
    a: &[u8],
    b: &[u8],
    width: usize,
    height: usize,
    stride_a: usize,
    stride_b: usize,
) -> Result<f64> {
    check_plane(a.len(), width, height, stride_a)?;
    check_plane(b.len(), width, height, stride_b)?;
    if width < WIN || height < WIN {
        let side = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        return Err(Error::Parameter(ParameterKind::UnsupportedSize { width: side(width), height: side(height) }));
    }
    Ok(ssim_core::<K>(width, height, 1.0, |r, x0, x_row, y_row| {
        let widen = |src: &[u8], dst: &mut [f64]| dst.iter_mut().zip(src).for_each(|(d, &s)| *d = f64::from(s));
        widen(&a[r * stride_a + x0..][..x_row.len()], x_row);
        widen(&b[r * stride_b + x0..][..y_row.len()], y_row);
    }))
}

/// The luma [`Kernels::luma_bgrx`] computes is BT.601's times this.
const LUMA_SCALE: f64 = 1000.0;

/// Windows a vertical strip of [`ssim_core`] spans: 128 columns, whose buffers
/// (about 46 KiB) stay in the L1 cache while the strip is swept top to bottom,
/// and a multiple of the 4 columns the kernels take a step.
const STRIP: usize = 122;

/// Mean SSIM of a `w` x `h` pair (both at least [`WIN`]) whose row segments
/// `load(r, x0, x, y)` writes (columns `x0..x0 + x.len()` of row `r`), as
/// integers `scale` times the 0..=255 signal.
///
/// The picture is swept in vertical strips of [`STRIP`] windows (128
/// columns). Down a strip, the window's column sums slide a row at a time (row
/// `r + 7` added, row `r` taken away) and are recorded as one of [`BANDS`]
/// interleaved bands; every four rows of windows are then evaluated together.
/// The luma rows of the window live in a ring of 8, so each is computed once
/// per strip. The SSIM values are added in one fixed order (strip, band group,
/// column, band) whatever the kernels.
fn ssim_core<K: Kernels>(
    w: usize,
    h: usize,
    scale: f64,
    mut load: impl FnMut(usize, usize, &mut [f64], &mut [f64]),
) -> f64 {
    const RING: usize = WIN + 1;
    let np = (WIN * WIN) as f64;
    // (K1 · 255 · scale)² · NP² and (K2 · 255 · scale)² · NP (NP − 1): the
    // constants of the formula multiplied through as the window sums are.
    let s2 = scale * scale;
    let c1 = 65025.0 * s2 * np * np / 10000.0;
    let c2 = 9.0 * 65025.0 * s2 * np * (np - 1.0) / 10000.0;
    let windows = w - WIN + 1;
    let max_cols = STRIP.min(windows) + WIN - 1;
    let mut xs: Vec<Vec<f64>> = (0..RING).map(|_| vec![0.0; max_cols]).collect();
    let mut ys = xs.clone();
    let zeros = vec![0.0; max_cols];
    let (mut sums, mut bands) = (vec![0.0; 5 * max_cols], vec![0.0; 5 * BANDS * max_cols]);
    let mut out = vec![0.0; BANDS * (max_cols - WIN + 1)];
    let tops = h - WIN + 1;
    let mut total = 0.0;
    for x0 in (0..windows).step_by(STRIP) {
        let cols = STRIP.min(windows - x0) + WIN - 1;
        let (sums, bands) = (&mut sums[..5 * cols], &mut bands[..5 * BANDS * cols]);
        let out = &mut out[..BANDS * (cols - WIN + 1)];
        let z = &zeros[..cols];
        for top in 0..tops {
            let band = top % BANDS;
            if top == 0 {
                sums.fill(0.0);
                for r in 0..WIN {
                    load(r, x0, &mut xs[r][..cols], &mut ys[r][..cols]);
                    let io = Rows { x_in: &xs[r][..cols], y_in: &ys[r][..cols], x_out: z, y_out: z };
                    K::update_moments(io, sums, bands, band);
                }
            } else {
                let (new, old) = ((top + WIN - 1) % RING, (top - 1) % RING);
                load(top + WIN - 1, x0, &mut xs[new][..cols], &mut ys[new][..cols]);
                let (x_in, y_in) = (&xs[new][..cols], &ys[new][..cols]);
                let io = Rows { x_in, y_in, x_out: &xs[old][..cols], y_out: &ys[old][..cols] };
                K::update_moments(io, sums, bands, band);
            }
            if band == BANDS - 1 || top == tops - 1 {
                K::ssim_rows4(bands, c1, c2, out);
                // Bands past `band` hold older rows (or zeros) in the last group.
                total += out.chunks_exact(BANDS).flat_map(|o| &o[..=band]).sum::<f64>();
            }
        }
    }
    total / (windows as f64 * tops as f64)
}

/// The metrics over a chosen kernel set ([`crate::simd::metrics::Scalar`] or
/// [`Wide`]), for benchmarks.
#[cfg(feature = "bench-internals")]
pub mod internals {
    use super::{ImageRef, Kernels, Psnr, Result};

    /// [`super::psnr_bgrx`] on kernels `K`.
    pub fn psnr_bgrx<K: Kernels>(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<Psnr> {
        super::psnr_bgrx_with::<K>(a, b)
    }

    /// [`super::ssim_bgrx`] on kernels `K`.
    pub fn ssim_bgrx<K: Kernels>(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<f64> {
        super::ssim_bgrx_with::<K>(a, b)
    }

    /// [`super::psnr_plane`] on kernels `K`.
    pub fn psnr_plane<K: Kernels>(a: &[u8], b: &[u8], w: usize, h: usize, sa: usize, sb: usize) -> Result<f64> {
        super::psnr_plane_with::<K>(a, b, w, h, sa, sb)
    }

    /// [`super::ssim_plane`] on kernels `K`.
    pub fn ssim_plane<K: Kernels>(a: &[u8], b: &[u8], w: usize, h: usize, sa: usize, sb: usize) -> Result<f64> {
        super::ssim_plane_with::<K>(a, b, w, h, sa, sb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{Image, ImageDesc};
    use crate::simd::metrics::Scalar;

    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed | 1;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    fn image(w: u32, h: u32, next: &mut impl FnMut() -> u64) -> Image {
        let data = (0..w * h * 4).map(|_| (next() >> 30) as u8).collect();
        Image::from_vec(ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap(), data).unwrap()
    }

    /// The whole pipelines on scalar and on `wide` kernels give the same bits.
    #[test]
    fn scalar_and_wide_pipelines_agree() {
        let mut next = rng(0x9e7);
        // Widths across one, two and three strips (122 windows, 128 columns each).
        for (w, h) in [(7, 7), (8, 9), (13, 7), (37, 11), (101, 33), (128, 8), (129, 9), (250, 12), (300, 10)] {
            let a = image(w, h, &mut next);
            // Half of b a noisy copy of a, half unrelated.
            let mut b = image(w, h, &mut next).into_vec();
            for (i, (q, &p)) in b.iter_mut().zip(a.data()).enumerate() {
                if i < a.data().len() / 2 {
                    *q = p.saturating_add(*q % 7);
                }
            }
            let b = Image::from_vec(*a.desc(), b).unwrap();
            let (a, b) = (a.as_ref(), b.as_ref());
            let s = ssim_bgrx_with::<Scalar>(&a, &b).unwrap();
            assert_eq!(s.to_bits(), ssim_bgrx_with::<Wide>(&a, &b).unwrap().to_bits(), "{w}x{h}");
            assert_eq!(psnr_bgrx_with::<Scalar>(&a, &b).unwrap(), psnr_bgrx_with::<Wide>(&a, &b).unwrap());
            let (pa, pb) = (a.data(), b.data());
            let (w, h, st) = (w as usize, h as usize, 4 * w as usize);
            let s = ssim_plane_with::<Scalar>(pa, pb, w, h, st, st).unwrap();
            assert_eq!(s.to_bits(), ssim_plane_with::<Wide>(pa, pb, w, h, st, st).unwrap().to_bits());
            let p = psnr_plane_with::<Scalar>(pa, pb, w, h, st, st).unwrap();
            assert_eq!(p.to_bits(), psnr_plane_with::<Wide>(pa, pb, w, h, st, st).unwrap().to_bits());
        }
    }
}
