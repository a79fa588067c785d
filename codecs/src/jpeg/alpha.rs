//! `SPICE_IMAGE_TYPE_JPEG_ALPHA`: an RGBA image as a JPEG of its colour
//! (picture order, top-down) followed directly by an LZ XXXA stream of its
//! alpha (rows in the bitmap's memory order); the payload's flags say the
//! row order, and `jpeg_size` where the LZ stream starts (spice-server
//! `image-encoders.cpp`, spice-common `canvas_get_jpeg_alpha`).

use super::{JpegOptions, decode, encode};
use crate::error::{Codec, Error, FormatKind, ParameterKind, Result};
use crate::image::{Image, ImageDesc, ImageRef, PixelFormat};
use crate::limits::Limits;
use crate::lz;
use crate::wire::JPEG_ALPHA_FLAG_TOP_DOWN;

/// The parts of a JPEG_ALPHA payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegAlpha {
    /// `JPEG_ALPHA_FLAG_*` bits.
    pub flags: u8,
    /// Bytes of `data` that are the JPEG; the rest is the LZ XXXA stream.
    pub jpeg_size: u32,
    /// The JPEG, then the alpha stream.
    pub data: Vec<u8>,
}

/// Encodes a [`PixelFormat::Bgra32`] image: the colour lossy, the alpha exact.
pub fn encode_alpha(img: &ImageRef<'_>, opts: &JpegOptions) -> Result<JpegAlpha> {
    if img.format() != PixelFormat::Bgra32 {
        return Err(Error::Parameter(ParameterKind::FormatMismatch));
    }
    let mut data = encode(img, opts)?;
    let jpeg_size = u32::try_from(data.len()).map_err(|_| Error::Parameter(ParameterKind::SizeOverflow))?;
    data.extend_from_slice(&lz::encode(img, lz::ImageType::Xxxa)?);
    let flags = if img.desc().top_down { JPEG_ALPHA_FLAG_TOP_DOWN } else { 0 };
    Ok(JpegAlpha { flags, jpeg_size, data })
}

/// Decodes a JPEG_ALPHA payload to a top-down [`PixelFormat::Bgra32`] image.
/// The alpha stream must be LZ XXXA of the JPEG's size, in the row order the
/// flags give (as the C client insists).
pub fn decode_alpha(flags: u8, jpeg_size: u32, data: &[u8], limits: &Limits) -> Result<Image> {
    let bad = |kind| Error::format(Codec::Jpeg, kind);
    let split = usize::try_from(jpeg_size)
        .ok()
        .filter(|&n| n <= data.len())
        .ok_or(bad(FormatKind::Truncated { needed: u64::from(jpeg_size), available: data.len() as u64 }))?;
    let (jpeg, alpha) = data.split_at(split);
    let colour = decode(jpeg, limits)?;
    if colour.format() != PixelFormat::Bgrx32 {
        return Err(bad(FormatKind::BadJpeg));
    }
    let h = lz::read_header(alpha)?;
    if h.image_type != lz::ImageType::Xxxa {
        return Err(bad(FormatKind::BadImageType { found: h.image_type.code() }));
    }
    if (h.width, h.height) != (colour.width(), colour.height()) {
        return Err(bad(FormatKind::DimensionMismatch {
            declared_width: colour.width(),
            declared_height: colour.height(),
            found_width: h.width,
            found_height: h.height,
        }));
    }
    let top_down = flags & JPEG_ALPHA_FLAG_TOP_DOWN != 0;
    if h.top_down != top_down {
        return Err(bad(FormatKind::BadFlag { found: u32::from(flags) }));
    }
    // The colour image counts against the budget while the alpha is decoded.
    let used = colour.data().len() as u64;
    limits.check_alloc(used)?;
    let rest = Limits { max_alloc_bytes: limits.max_alloc_bytes - used, ..*limits };
    let a = lz::decode(alpha, None, &rest)?;
    let (w, rows) = (colour.width() as usize, colour.height() as usize);
    let mut out = colour.into_vec();
    for y in 0..rows {
        let mem = if top_down { y } else { rows - 1 - y };
        let src = &a.data()[mem * a.desc().stride..][..4 * w];
        let dst = &mut out[y * 4 * w..(y + 1) * 4 * w];
        for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
            d[3] = s[3];
        }
    }
    Image::from_vec(ImageDesc::packed(w as u32, rows as u32, PixelFormat::Bgra32)?, out)
}
