//! LZ encoder (being written).

use super::ImageType;
use crate::error::{Error, Result, UnsupportedKind};
use crate::image::ImageRef;

/// Encodes `img` as an LZ stream of type `ty`, rows in the image's memory order
/// with its `top_down` flag. The pixel format must be `ty.pixel_format()` and the
/// stride is written as the tightest the type allows.
pub fn encode(img: &ImageRef<'_>, ty: ImageType) -> Result<Vec<u8>> {
    let _ = (img, ty);
    Err(Error::Unsupported(UnsupportedKind::Conversion))
}
