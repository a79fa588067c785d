//! LZ encoder: every LZ image type, in streams the reference decoder
//! (spice-common `lz.c`, `lz_decode`) reproduces exactly.
//!
//! Wire format: `docs/formats/lz.md`. Rows are coded in the image's memory order
//! and the header carries its `top_down`; the stride written is the tightest the
//! type allows (the reference accepts no other for RGB types), so padded rows are
//! packed first. The match finder is not the reference's, so the bytes differ
//! from spice-common's; on every golden vector they are fewer
//! (`tests/lz_encode_golden.rs` holds that). When this encoder was written, its
//! streams were decoded by spice-common's own `lz.c` (de79bac8, `-O2`): every
//! type, both row orders, the golden inputs, odd and tiny sizes, padded strides,
//! matches at the near and far window edges and rows wider than the window,
//! 1200 streams, all reproduced exactly with the input consumed exactly.
//!
//! Submodules (in `lz/encode/`): `layout` (pixel comparison and literal bytes per
//! bytes-per-pixel), `emit` (the command syntax), `matcher` (hash table, match
//! length), `compress` (the parse). Every stream is coded by one of three
//! instances of the parse: 4-byte pixels (RGB32, RGB24 widened, RGBA's colour),
//! 2-byte (RGB16) and bytes (palette indexes, A8, alpha).

mod compress;
mod emit;
mod layout;
mod matcher;

use super::ImageType;
use super::header::{Header, min_stride, write_header};
use crate::error::{Error, ParameterKind, Result};
use crate::image::ImageRef;
use crate::simd;

/// `SPICE_MAX_IMAGE_SIZE` of `lz.c`: the largest `stride × height` either side accepts.
const MAX_IMAGE_BYTES: u64 = (1 << 30) - 1;

/// Encodes `img` as an LZ stream of type `ty`, rows in the image's memory order
/// with its `top_down` flag. The pixel format must be `ty.pixel_format()` and the
/// stride is written as the tightest the type allows.
pub fn encode(img: &ImageRef<'_>, ty: ImageType) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_into(img, ty, &mut out)?;
    Ok(out)
}

/// Like [`encode`], but writes into `out` (replacing its contents) and reuses its
/// allocation, so a server coding frame after frame stops allocating output once
/// the buffer has grown to its working size.
pub fn encode_into(img: &ImageRef<'_>, ty: ImageType, out: &mut Vec<u8>) -> Result<()> {
    if img.format() != ty.pixel_format() {
        return Err(Error::Parameter(ParameterKind::FormatMismatch));
    }
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(Error::Parameter(ParameterKind::EmptyImage));
    }
    let stride = min_stride(ty, w).ok_or(Error::Parameter(ParameterKind::SizeOverflow))?;
    if w > i32::MAX as u32 || h > i32::MAX as u32 || u64::from(stride) * u64::from(h) > MAX_IMAGE_BYTES {
        return Err(Error::Parameter(ParameterKind::SizeOverflow));
    }
    out.clear();
    if out.capacity() == 0 {
        // A first guess; screens need far less, noise a little more.
        out.reserve(stride as usize * h as usize / 2 + 64);
    }
    write_header(out, &Header { image_type: ty, width: w, height: h, stride, top_down: img.desc().top_down });

    let width = w as usize;
    let rows = MemoryRows::new(img)?;
    match ty {
        ImageType::Rgb32 => compress::compress::<4>(&rows.packed(), width, out),
        ImageType::Rgb24 => compress::compress::<4>(&rows.widened_bgr(), width, out),
        ImageType::Rgba => {
            let px = rows.packed();
            compress::compress::<4>(&px, width, out);
            compress::compress::<1>(&alpha_plane(&px), width, out);
        }
        ImageType::Xxxa => compress::compress::<1>(&alpha_plane(&rows.packed()), width, out),
        ImageType::Rgb16 => compress::compress::<2>(&rows.packed(), width, out),
        ImageType::A8
        | ImageType::Plt8
        | ImageType::Plt4Le
        | ImageType::Plt4Be
        | ImageType::Plt1Le
        | ImageType::Plt1Be => compress::compress::<1>(&rows.packed(), stride as usize, out),
    }
    Ok(())
}

/// The rows of an image in memory order, without stride padding.
struct MemoryRows<'a> {
    data: &'a [u8],
    stride: usize,
    row_bytes: usize,
    height: usize,
}

impl<'a> MemoryRows<'a> {
    fn new(img: &ImageRef<'a>) -> Result<Self> {
        let d = img.desc();
        Ok(MemoryRows { data: img.data(), stride: d.stride, row_bytes: d.row_bytes()?, height: d.height as usize })
    }

    fn rows(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.height).map(|k| &self.data[k * self.stride..k * self.stride + self.row_bytes])
    }

    /// All rows back to back: the caller's buffer itself when it has no padding.
    fn packed(&self) -> std::borrow::Cow<'a, [u8]> {
        if self.stride == self.row_bytes {
            std::borrow::Cow::Borrowed(&self.data[..self.row_bytes * self.height])
        } else {
            let mut v = Vec::with_capacity(self.row_bytes * self.height);
            self.rows().for_each(|r| v.extend_from_slice(r));
            std::borrow::Cow::Owned(v)
        }
    }

    /// Packed 3-byte B,G,R rows widened to 4-byte pixels: RGB24 is coded exactly
    /// like RGB32 (the reference's RGB24 and RGB32 bodies are byte-identical).
    fn widened_bgr(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.row_bytes / 3 * 4 * self.height];
        for (src, dst) in self.rows().zip(v.chunks_exact_mut(self.row_bytes / 3 * 4)) {
            for (s, d) in src.chunks_exact(3).zip(dst.chunks_exact_mut(4)) {
                d[..3].copy_from_slice(s);
            }
        }
        v
    }
}

/// Byte 3 (alpha) of every 4-byte pixel: the alpha stream's pixels.
fn alpha_plane(px: &[u8]) -> Vec<u8> {
    let mut alpha = vec![0; px.len() / 4];
    simd::gather_lane(px, 3, &mut alpha);
    alpha
}
