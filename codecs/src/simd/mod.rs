//! Hot per-row kernels, each a scalar reference (`scalar`) and a `wide` SIMD
//! twin with the same signature; `tests` checks they agree on random rows.
//! The re-exports below are the versions that measured faster (see `NOTES.md`).

#[cfg(target_arch = "x86_64")]
pub mod jpeg_avx2;
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
// The encoder calls the run-time-dispatched kernels of `jpeg_avx2` on x86-64 (AVX2
// where the CPU has it, else `wide`; 1.3-2.9x over `wide` on SSE2), `wide` elsewhere.
#[cfg(target_arch = "x86_64")]
pub use self::jpeg_avx2::{fdct_quantize, fdct_quantize2, luma_from_bgr, ycc_420_rows, ycc_from_bgr};
pub use self::scalar::QuantDivisors;
#[cfg(not(target_arch = "x86_64"))]
pub use self::wide::{fdct_quantize, fdct_quantize2, luma_from_bgr, ycc_420_rows, ycc_from_bgr};
