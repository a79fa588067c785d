//! The two header bytes of SPICE's LZ4 framing: `top_down`, then a
//! `SPICE_BITMAP_FMT_*` code (spice server `lz4_encode`, spice-common
//! `canvas_get_lz4`).

use crate::error::{Codec, Error, FormatKind, Result};
use crate::image::PixelFormat;

/// Bytes of the header.
pub const HEADER_BYTES: usize = 2;

/// The fields of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Whether the first coded row is the top row of the picture.
    pub top_down: bool,
    /// Pixel layout of the decoded rows.
    pub format: PixelFormat,
}

/// Whether the framing can carry `format`: the four RGB bitmap formats the client
/// decoder accepts (16BIT, 24BIT, 32BIT, RGBA).
pub const fn supports(format: PixelFormat) -> bool {
    matches!(format, PixelFormat::Rgb555 | PixelFormat::Bgr24 | PixelFormat::Bgrx32 | PixelFormat::Bgra32)
}

/// Parses the header.
///
/// Any non-zero `top_down` byte means top-down, as in `canvas_get_lz4` (`!!byte`).
/// Format codes other than 16BIT (6), 24BIT (7), 32BIT (8) and RGBA (9) are
/// `BadImageType`: the client rejects them, including 8BIT_A, which the server's
/// format filter would let through.
pub fn read_header(input: &[u8]) -> Result<Header> {
    let Some(&[top_down, code]) = input.first_chunk::<HEADER_BYTES>() else {
        return Err(Error::format(
            Codec::Lz4,
            FormatKind::Truncated { needed: HEADER_BYTES as u64, available: input.len() as u64 },
        ));
    };
    match PixelFormat::from_spice_code(code) {
        Some(format) if supports(format) => Ok(Header { top_down: top_down != 0, format }),
        _ => Err(Error::format(Codec::Lz4, FormatKind::BadImageType { found: code.into() })),
    }
}

/// Appends the header for these fields.
pub(super) fn write_header(out: &mut Vec<u8>, h: &Header) {
    // `supports` was checked by the caller, so the format has a SPICE code.
    out.extend_from_slice(&[u8::from(h.top_down), h.format.spice_code().unwrap_or(0)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_rejects() {
        for format in [PixelFormat::Rgb555, PixelFormat::Bgr24, PixelFormat::Bgrx32, PixelFormat::Bgra32] {
            for top_down in [false, true] {
                let h = Header { top_down, format };
                let mut v = Vec::new();
                write_header(&mut v, &h);
                assert_eq!(read_header(&v), Ok(h));
            }
        }
        assert_eq!(read_header(&[7, 8]).map(|h| h.top_down), Ok(true));
        let bad = |found| Err(Error::format(Codec::Lz4, FormatKind::BadImageType { found }));
        assert_eq!(read_header(&[1, 10]), bad(10));
        assert_eq!(read_header(&[1, 5]), bad(5));
        assert_eq!(read_header(&[1, 0]), bad(0));
        assert_eq!(
            read_header(&[1]),
            Err(Error::format(Codec::Lz4, FormatKind::Truncated { needed: 2, available: 1 }))
        );
    }
}
