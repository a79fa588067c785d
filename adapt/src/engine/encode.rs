//! Coding one region as a SPICE image.

use paprika_codecs::glz::GlzEncoder;
use paprika_codecs::jpeg::{self, JpegOptions};
use paprika_codecs::wire::{self, ImagePayload, SpiceImage};
use paprika_codecs::{ImageRef, Rect, Result, glz, lz, lz4, quic};

use crate::policy::ImageCodec;

/// Encodes `rect` of `surface` with `codec` and wraps it as SPICE image `id`.
/// GLZ codecs need `glz`; the others ignore it (and may run on any thread).
pub(crate) fn encode_region(
    surface: &ImageRef<'_>,
    rect: Rect,
    codec: ImageCodec,
    id: u64,
    glz: Option<&mut GlzEncoder>,
) -> Result<Vec<u8>> {
    let img = surface.sub_image(rect)?;
    let stream;
    let glz_size;
    let payload = match codec {
        ImageCodec::Lz => {
            stream = lz::encode(&img, lz::ImageType::Rgb32)?;
            ImagePayload::LzRgb { data: &stream }
        }
        ImageCodec::Lz4 => {
            stream = lz4::encode(&img)?;
            ImagePayload::Lz4 { data: &stream }
        }
        ImageCodec::Quic => {
            stream = quic::encode(&img, quic::ImageType::Rgb32)?;
            ImagePayload::Quic { data: &stream }
        }
        ImageCodec::Jpeg { quality } => {
            stream = jpeg::encode(&img, &JpegOptions { quality, ..JpegOptions::default() })?;
            ImagePayload::Jpeg { data: &stream }
        }
        ImageCodec::Glz | ImageCodec::ZlibGlz => {
            let enc = glz.ok_or(paprika_codecs::Error::Parameter(paprika_codecs::error::ParameterKind::OutOfRange))?;
            let (g, _frame) = enc.encode(&img, lz::ImageType::Rgb32)?;
            glz_size = g.len() as u32;
            let wrapped = if codec == ImageCodec::ZlibGlz { glz::zlib::deflate(&g) } else { None };
            match wrapped {
                Some(z) => {
                    stream = z;
                    ImagePayload::ZlibGlzRgb { glz_data_size: glz_size, data: &stream }
                }
                None => {
                    stream = g;
                    ImagePayload::GlzRgb { data: &stream }
                }
            }
        }
    };
    let mut out = Vec::with_capacity(stream.len() + 32);
    wire::write(&SpiceImage::new(id, 0, rect.width, rect.height, payload), &mut out)?;
    Ok(out)
}
