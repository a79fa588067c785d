//! Image quality metrics: PSNR and SSIM on BGRX images and rectangles, and on
//! 8-bit planes (video luma).
//!
//! Both follow scikit-image's definitions so their numbers can be checked
//! against it (`codecs/tests/metrics.rs` records its values):
//!
//! - PSNR: `10 log10(255² / MSE)`, the MSE over every sample compared
//!   (`skimage.metrics.peak_signal_noise_ratio(data_range=255)`); per B, G, R
//!   channel, and combined over the three (X or alpha ignored). Identical inputs
//!   give `f64::INFINITY`.
//! - SSIM: the mean structural similarity of the luma, with a uniform 7x7
//!   window, sample (N-1) covariances, K1 = 0.01, K2 = 0.03 and the 3-pixel
//!   border left out (`structural_similarity(data_range=255)` with its
//!   defaults). The luma of BGRX pixels is JFIF's 8-bit Y
//!   (`round(0.299 R + 0.587 G + 0.114 B)`), the same one our JPEG encoder codes.

use crate::error::{Error, ParameterKind, Result};
use crate::image::{ImageRef, PixelFormat, Rect};
use crate::simd::metrics::{ColumnMoments, Update};
use crate::simd::{self, metrics as kernels};

/// SSIM's window side (scikit-image's default `win_size`).
pub const SSIM_WINDOW: usize = 7;
const K1: f64 = 0.01;
const K2: f64 = 0.03;

/// PSNR in dB per channel and over the three channels together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Psnr {
    /// Blue channel.
    pub b: f64,
    /// Green channel.
    pub g: f64,
    /// Red channel.
    pub r: f64,
    /// All B, G and R samples together (not the mean of the three PSNRs).
    pub combined: f64,
}

fn psnr_from(sse: u64, samples: u64) -> f64 {
    if sse == 0 {
        return f64::INFINITY;
    }
    let mse = sse as f64 / samples as f64;
    10.0 * (255.0 * 255.0 / mse).log10()
}

/// Checks two images for a metric: 32-bit BGRX/BGRA both, same size.
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

/// PSNR of `b` against `a`, two BGRX (or BGRA, alpha ignored) images of one size.
pub fn psnr_bgrx(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<Psnr> {
    check_pair(a, b)?;
    let mut sse = [0u64; 3];
    for y in 0..a.height() {
        let per_byte = kernels::wide::sum_squared_diff_by_lane(a.row(y), b.row(y));
        for (s, lane) in sse.iter_mut().zip(per_byte) {
            *s += lane;
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

/// [`psnr_bgrx`] of the `rect` part of both images.
pub fn psnr_bgrx_rect(a: &ImageRef<'_>, b: &ImageRef<'_>, rect: Rect) -> Result<Psnr> {
    check_pair(a, b)?;
    psnr_bgrx(&a.sub_image(rect)?, &b.sub_image(rect)?)
}

/// Checks a plane of `width` x `height` samples `stride` apart fits `len` bytes.
fn check_plane(len: usize, width: usize, height: usize, stride: usize) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::Parameter(ParameterKind::EmptyImage));
    }
    if stride < width {
        return Err(Error::Parameter(ParameterKind::StrideTooSmall { min: width as u64, given: stride as u64 }));
    }
    let need = (height - 1).checked_mul(stride).and_then(|n| n.checked_add(width));
    match need {
        Some(need) if need <= len => Ok(()),
        Some(need) => Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: need as u64, given: len as u64 })),
        None => Err(Error::Parameter(ParameterKind::SizeOverflow)),
    }
}

/// PSNR of two 8-bit planes (a video frame's luma, say) of `width` x `height`
/// samples, rows `stride_a` and `stride_b` bytes apart.
pub fn psnr_plane(a: &[u8], b: &[u8], width: usize, height: usize, stride_a: usize, stride_b: usize) -> Result<f64> {
    check_plane(a.len(), width, height, stride_a)?;
    check_plane(b.len(), width, height, stride_b)?;
    let sse: u64 = (0..height)
        .map(|r| kernels::wide::sum_squared_diff(&a[r * stride_a..][..width], &b[r * stride_b..][..width]))
        .sum();
    Ok(psnr_from(sse, (width * height) as u64))
}

/// Mean SSIM of the luma of two BGRX (or BGRA) images of one size, at least
/// 7x7 pixels.
pub fn ssim_bgrx(a: &ImageRef<'_>, b: &ImageRef<'_>) -> Result<f64> {
    check_pair(a, b)?;
    let (w, h) = (a.width() as usize, a.height() as usize);
    let luma = |img: &ImageRef<'_>| {
        let mut out = vec![0u8; w * h];
        for (y, row) in out.chunks_exact_mut(w).enumerate() {
            simd::luma_from_bgr(img.row(y as u32), 4, row);
        }
        out
    };
    ssim_plane(&luma(a), &luma(b), w, h, w, w)
}

/// [`ssim_bgrx`] of the `rect` part of both images.
pub fn ssim_bgrx_rect(a: &ImageRef<'_>, b: &ImageRef<'_>, rect: Rect) -> Result<f64> {
    check_pair(a, b)?;
    ssim_bgrx(&a.sub_image(rect)?, &b.sub_image(rect)?)
}

/// Mean SSIM of two 8-bit planes, at least 7x7 samples (see the module notes).
pub fn ssim_plane(a: &[u8], b: &[u8], width: usize, height: usize, stride_a: usize, stride_b: usize) -> Result<f64> {
    check_plane(a.len(), width, height, stride_a)?;
    check_plane(b.len(), width, height, stride_b)?;
    if width < SSIM_WINDOW || height < SSIM_WINDOW {
        return Err(Error::Parameter(ParameterKind::UnsupportedSize { width: width as u32, height: height as u32 }));
    }
    let win = SSIM_WINDOW;
    let np = (win * win) as f64;
    let cov_norm = np / (np - 1.0);
    let (c1, c2) = ((K1 * 255.0).powi(2), (K2 * 255.0).powi(2));
    let row_a = |r: usize| &a[r * stride_a..][..width];
    let row_b = |r: usize| &b[r * stride_b..][..width];
    // Column sums over the window's rows, slid down a row at a time; each
    // window's total is then slid along the row. Integer sums are exact.
    let mut cols = ColumnMoments::new(width);
    for r in 0..win - 1 {
        kernels::wide::moments(row_a(r), row_b(r), &mut cols, Update::Add);
    }
    let mut total = 0.0;
    for bottom in win - 1..height {
        kernels::wide::moments(row_a(bottom), row_b(bottom), &mut cols, Update::Add);
        let mut s = [0u64; 5];
        let sums = [&cols.x, &cols.y, &cols.xx, &cols.yy, &cols.xy];
        for (acc, col) in s.iter_mut().zip(sums) {
            *acc = col[..win].iter().map(|&v| u64::from(v)).sum();
        }
        let mut row_total = 0.0;
        for left in 0..=width - win {
            if left > 0 {
                for (acc, col) in s.iter_mut().zip(sums) {
                    *acc = *acc + u64::from(col[left + win - 1]) - u64::from(col[left - 1]);
                }
            }
            let [sx, sy, sxx, syy, sxy] = s.map(|v| v as f64 / np);
            let (vx, vy, vxy) = (cov_norm * (sxx - sx * sx), cov_norm * (syy - sy * sy), cov_norm * (sxy - sx * sy));
            let num = (2.0 * sx * sy + c1) * (2.0 * vxy + c2);
            let den = (sx * sx + sy * sy + c1) * (vx + vy + c2);
            row_total += num / den;
        }
        total += row_total;
        kernels::wide::moments(row_a(bottom + 1 - win), row_b(bottom + 1 - win), &mut cols, Update::Sub);
    }
    Ok(total / ((width + 1 - win) * (height + 1 - win)) as f64)
}
