//! The LZ header: seven big-endian 32-bit fields (magic, version, type, width,
//! height, stride, top_down), validated against the format and [`Limits`].

use super::ImageType;
use crate::error::{Codec, Error, FormatKind, Result};
use crate::image::PixelFormat;
use crate::limits::Limits;

/// Bytes of the header.
pub const HEADER_BYTES: usize = 28;

/// `LZ_MAGIC`: the bytes "  ZL" as a big-endian word.
pub(crate) const MAGIC: u32 = 0x2020_5a4c;
/// `LZ_VERSION`: major 1, minor 1.
pub(crate) const VERSION: u32 = 0x0001_0001;

/// The fields of an LZ header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Image type.
    pub image_type: ImageType,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per coded row.
    pub stride: u32,
    /// Whether the first coded row is the top row of the picture.
    pub top_down: bool,
}

const fn bad(kind: FormatKind) -> Error {
    Error::format(Codec::Lz, kind)
}

/// The tightest stride of `width` pixels of `ty`: whole bytes for a row.
pub fn min_stride(ty: ImageType, width: u32) -> Option<u32> {
    let fmt = match ty {
        ImageType::Rgb24 => PixelFormat::Bgr24,
        other => other.pixel_format(),
    };
    fmt.row_bytes(width).and_then(|b| u32::try_from(b).ok())
}

/// Whether `stride` is the one stride this crate accepts: the tightest.
///
/// RGB types must be exactly `width × bytes per pixel` in the reference too. For
/// palette types the reference (`lz_set_sizes`) also lets through strides shorter
/// than a row, whose rows would overlap; a safe decoder has no use for them.
pub fn stride_ok(ty: ImageType, width: u32, stride: u32) -> bool {
    min_stride(ty, width) == Some(stride)
}

/// Parses and validates the header, without looking at the limits.
pub fn read_header(input: &[u8]) -> Result<Header> {
    let Some(head) = input.first_chunk::<HEADER_BYTES>() else {
        return Err(bad(FormatKind::Truncated { needed: HEADER_BYTES as u64, available: input.len() as u64 }));
    };
    let word = |k: usize| u32::from_be_bytes([head[4 * k], head[4 * k + 1], head[4 * k + 2], head[4 * k + 3]]);
    let magic = word(0);
    if magic != MAGIC {
        return Err(bad(FormatKind::BadMagic { found: magic }));
    }
    let version = word(1);
    if version != VERSION {
        return Err(bad(FormatKind::BadVersion { found: version }));
    }
    let code = word(2);
    let image_type = ImageType::from_code(code).ok_or(bad(FormatKind::BadImageType { found: code }))?;
    let (width, height, stride, top_down) = (word(3), word(4), word(5), word(6));
    if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(bad(FormatKind::BadDimensions { width, height }));
    }
    if !stride_ok(image_type, width, stride) {
        let expected = min_stride(image_type, width).unwrap_or(0);
        return Err(bad(FormatKind::BadStride { found: stride, expected }));
    }
    if top_down > 1 {
        return Err(bad(FormatKind::BadFlag { found: top_down }));
    }
    Ok(Header { image_type, width, height, stride, top_down: top_down == 1 })
}

/// Parses the header and checks it against `limits`.
#[allow(dead_code)] // used by the decoder being written
pub fn read_header_checked(input: &[u8], limits: &Limits) -> Result<Header> {
    let h = read_header(input)?;
    limits.check_dimensions(h.width, h.height)?;
    Ok(h)
}

/// Appends the header for these fields.
#[allow(dead_code)] // used by the encoder being written
pub fn write_header(out: &mut Vec<u8>, h: &Header) {
    for w in [MAGIC, VERSION, h.image_type.code(), h.width, h.height, h.stride, u32::from(h.top_down)] {
        out.extend_from_slice(&w.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_rejects() {
        let h = Header { image_type: ImageType::Plt4Be, width: 5, height: 3, stride: 3, top_down: false };
        let mut v = Vec::new();
        write_header(&mut v, &h);
        assert_eq!(&v[..4], b"  ZL");
        assert_eq!(read_header(&v), Ok(h));
        let mut bad_stride = v.clone();
        bad_stride[23] = 5;
        assert_eq!(
            read_header(&bad_stride),
            Err(Error::Format { codec: Codec::Lz, kind: FormatKind::BadStride { found: 5, expected: 3 } })
        );
        let mut bad_flag = v.clone();
        bad_flag[27] = 2;
        assert_eq!(
            read_header(&bad_flag),
            Err(Error::Format { codec: Codec::Lz, kind: FormatKind::BadFlag { found: 2 } })
        );
        assert!(stride_ok(ImageType::Rgb24, 7, 21) && !stride_ok(ImageType::Rgb24, 7, 28));
        assert!(
            stride_ok(ImageType::Plt1Le, 9, 2)
                && !stride_ok(ImageType::Plt1Le, 9, 3)
                && !stride_ok(ImageType::Plt1Le, 9, 1)
                && !stride_ok(ImageType::Plt1Le, 8, 2)
        );
    }
}
