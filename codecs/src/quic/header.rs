//! The QUIC stream header: five 32-bit words (magic, version, type, width,
//! height), validated against the format and the caller's [`Limits`].

use super::ImageType;
use super::tables::{MAGIC, MAX_PIXELS, VERSION};
use crate::error::{Codec, Error, FormatKind, Result};
use crate::limits::Limits;

/// Bytes of the header.
pub const HEADER_BYTES: usize = 20;

/// The fields of a QUIC header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Image type.
    pub image_type: ImageType,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

const fn bad(kind: FormatKind) -> Error {
    Error::format(Codec::Quic, kind)
}

/// Parses and validates the header, without looking at the limits.
pub fn parse(input: &[u8]) -> Result<Header> {
    let Some(head) = input.first_chunk::<HEADER_BYTES>() else {
        return Err(bad(FormatKind::Truncated { needed: HEADER_BYTES as u64, available: input.len() as u64 }));
    };
    // Each header field fills one little-endian word exactly.
    let word = |k: usize| u32::from_le_bytes([head[4 * k], head[4 * k + 1], head[4 * k + 2], head[4 * k + 3]]);
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
    let width = word(3);
    let height = word(4);
    // The reference reads these as C ints: zero or "negative" sizes are invalid.
    if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(bad(FormatKind::BadDimensions { width, height }));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(bad(FormatKind::BadDimensions { width, height }));
    }
    Ok(Header { image_type, width, height })
}

/// Parses the header and checks it against `limits` and against the input length.
pub fn parse_checked(input: &[u8], limits: &Limits) -> Result<Header> {
    let h = parse(input)?;
    limits.check_dimensions(h.width, h.height)?;
    // Each channel of each pixel of row 0 and of the first pixel of every later row
    // takes at least one bit, and the stream ends with a zero word: a shorter input
    // cannot be valid, so reject it before allocating anything.
    let channels = u64::from(h.image_type.coded_channels());
    let min_bits = channels * (u64::from(h.width) + u64::from(h.height) - 1) + 32 + HEADER_BYTES as u64 * 8;
    let available_bits = (input.len() as u64 & !3) * 8;
    if available_bits < min_bits {
        return Err(bad(FormatKind::TooShortForSize { min_bits, available_bits }));
    }
    Ok(h)
}
