//! JPEG decoding through `zune-jpeg` (we do not write a JPEG decoder), behind
//! the same limits as our own decoders.

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::error::{Codec, Error, FormatKind, Result};
use crate::image::{Image, ImageDesc, PixelFormat};
use crate::limits::Limits;

fn bad() -> Error {
    Error::format(Codec::Jpeg, FormatKind::BadJpeg)
}

/// Decodes a JPEG: colour images to [`PixelFormat::Bgrx32`] (X = 0),
/// grayscale ones to [`PixelFormat::Gray8`], rows top-down. The size is checked
/// against `limits` from the header, before anything is decoded.
pub fn decode(data: &[u8], limits: &Limits) -> Result<Image> {
    let options = DecoderOptions::new_safe()
        .set_max_width(limits.max_width as usize)
        .set_max_height(limits.max_height as usize)
        .jpeg_set_out_colorspace(ColorSpace::BGRA);
    let mut dec = JpegDecoder::new_with_options(data, options);
    dec.decode_headers().map_err(|_| bad())?;
    let info = dec.info().ok_or_else(bad)?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    limits.check_dimensions(w, h)?;
    let gray = info.components == 1;
    let format = if gray { PixelFormat::Gray8 } else { PixelFormat::Bgrx32 };
    if gray {
        dec.set_options(options.jpeg_set_out_colorspace(ColorSpace::Luma));
    }
    let bytes = u64::from(w) * u64::from(h) * if gray { 1 } else { 4 };
    limits.check_alloc(bytes)?;
    let mut pixels = dec.decode().map_err(|_| bad())?;
    if pixels.len() as u64 != bytes {
        return Err(bad());
    }
    if !gray {
        // Our 32-bit RGB images carry 0 in the pad byte.
        pixels.iter_mut().skip(3).step_by(4).for_each(|x| *x = 0);
    }
    Image::from_vec(ImageDesc::packed(w, h, format)?, pixels)
}
