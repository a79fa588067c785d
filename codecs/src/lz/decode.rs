//! LZ decoder (being written).

use crate::error::{Error, Result, UnsupportedKind};
use crate::image::{Image, Palette};
use crate::limits::Limits;

/// Decodes an LZ stream. Palette types need the `palette` (SPICE sends it beside
/// the stream); the image comes back in [`super::ImageType::pixel_format`], rows
/// in stream order with `top_down` as the header says.
pub fn decode(input: &[u8], palette: Option<&Palette>, limits: &Limits) -> Result<Image> {
    let _ = (input, palette, limits);
    Err(Error::Unsupported(UnsupportedKind::Conversion))
}
