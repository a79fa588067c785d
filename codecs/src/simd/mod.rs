//! Hot per-row kernels, each a scalar reference (`scalar`) and a `wide` SIMD
//! twin with the same signature; `tests` checks they agree on random rows.
//! The re-exports below are the versions that measured faster (see `NOTES.md`).

pub mod metrics;
pub mod scalar;
pub mod wide;
pub mod yuv;

#[cfg(test)]
mod tests;

pub use self::wide::{count_repeats, fill_lane, fill_pixels, fold_residuals, repeat_flags};

// LZ literal runs: b, g, r bytes to B, G, R, 0 pixels (the `wide` one measured faster).
pub use self::wide::widen_bgr;

// LZ encoder: match lengths and the alpha plane (`wide` several times faster), and
// b,g,r literals from 4-byte pixels (the scalar loop measured ~5% faster on photos).
pub use self::scalar::pack_bgr;
pub use self::wide::{gather_lane, masked_prefix_len};

// JPEG encoder: color conversion, chroma downsampling, forward DCT and quantization
// (`wide` 1.7-14x faster, see NOTES.md).
pub use self::scalar::QuantDivisors;
pub use self::wide::{downsample_2x2, fdct_quantize, luma_from_bgr, ycc_from_bgr};
