//! Baseline sequential JPEG (JFIF): our own encoder on SIMD kernels, and
//! SPICE's JPEG-alpha (a JPEG of the colour, then an LZ XXXA stream of the
//! alpha). Decoding goes through `zune-jpeg`. Design: `docs/formats/jpeg.md`.

mod alpha;
mod decode;
mod encode;
mod huffman;
mod markers;
mod tables;

pub use alpha::{JpegAlpha, decode_alpha, encode_alpha};
pub use decode::decode;

use crate::error::Result;
use crate::image::ImageRef;

/// How chroma is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subsampling {
    /// Full-resolution chroma (one Y, Cb and Cr block per 8x8 MCU).
    S444,
    /// Chroma halved both ways (four Y blocks, one Cb, one Cr per 16x16 MCU).
    S420,
    /// Luma only: a one-component grayscale JPEG.
    Gray,
}

/// Encoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JpegOptions {
    /// 1..=100, scaling the standard tables as libjpeg does (SPICE uses 85).
    pub quality: u8,
    /// Chroma sampling.
    pub subsampling: Subsampling,
    /// Build Huffman tables for this image (a second pass over its blocks, a
    /// few percent smaller) instead of the standard ones.
    pub optimize_huffman: bool,
    /// MCU rows per restart interval; 0: none unless the encoder uses threads,
    /// in which case it picks intervals to share among them.
    pub restart_rows: u16,
    /// Threads: 1 codes on the caller's thread, 0 on rayon's global pool, n on
    /// a pool of n.
    pub threads: usize,
}

impl Default for JpegOptions {
    /// SPICE's settings: quality 85, 4:2:0, standard tables, one thread.
    fn default() -> Self {
        JpegOptions {
            quality: 85,
            subsampling: Subsampling::S420,
            optimize_huffman: false,
            restart_rows: 0,
            threads: 1,
        }
    }
}

/// Encodes `img` ([`crate::PixelFormat::Bgrx32`], `Bgra32` (alpha ignored) or
/// `Bgr24`, any stride, either row order) as a baseline JPEG, rows top-down.
pub fn encode(img: &ImageRef<'_>, opts: &JpegOptions) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_into(img, opts, &mut out)?;
    Ok(out)
}

/// Like [`encode`], writing into `out` (replacing its contents) and reusing its allocation.
pub fn encode_into(img: &ImageRef<'_>, opts: &JpegOptions, out: &mut Vec<u8>) -> Result<()> {
    encode::encode_into(img, opts, out)
}
