//! The GLZ header: 33 bytes, big-endian (`docs/formats/glz.md`): magic, version,
//! one byte holding the type and the row order, width, height, stride, the
//! 64-bit image id and the window-head distance.

use crate::error::{Codec, Error, FormatKind, Result};
use crate::limits::Limits;
use crate::lz::{self, ImageType};

/// Bytes of the header.
pub const HEADER_BYTES: usize = 33;

/// `LZ_MAGIC`, shared with LZ: the bytes "  ZL" as a big-endian word.
const MAGIC: u32 = 0x2020_5a4c;
/// `LZ_VERSION`: major 1, minor 1.
const VERSION: u32 = 0x0001_0001;

/// The fields of a GLZ header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Image type: one of the RGB types (see [`is_glz_type`]).
    pub image_type: ImageType,
    /// Whether the first coded row is the top row of the picture.
    pub top_down: bool,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes per row of the encoder's input (width × bytes per pixel).
    pub stride: u32,
    /// The image's id in the dictionary: one more than the previous GLZ image's.
    pub id: u64,
    /// `id` minus the id of the oldest image the stream may reference.
    pub win_head_dist: u32,
}

impl Header {
    /// Pixels of the image (width × height), which is also its size in the window.
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// Whether GLZ carries images of this type here. SPICE servers send only RGB
/// types with GLZ (`image_encoders_compress_glz` asserts it), and spice-gtk has
/// no decoder for XXXA or A8; the palette types are left out on both sides.
pub const fn is_glz_type(ty: ImageType) -> bool {
    matches!(ty, ImageType::Rgb16 | ImageType::Rgb24 | ImageType::Rgb32 | ImageType::Rgba)
}

fn bad(kind: FormatKind) -> Error {
    Error::format(Codec::Glz, kind)
}

/// Parses and validates the header against the format and `limits`.
pub fn read_header(input: &[u8], limits: &Limits) -> Result<Header> {
    let Some(head) = input.first_chunk::<HEADER_BYTES>() else {
        return Err(bad(FormatKind::Truncated { needed: HEADER_BYTES as u64, available: input.len() as u64 }));
    };
    let u32_at = |k: usize| u32::from_be_bytes([head[k], head[k + 1], head[k + 2], head[k + 3]]);
    let magic = u32_at(0);
    if magic != MAGIC {
        return Err(bad(FormatKind::BadMagic { found: magic }));
    }
    let version = u32_at(4);
    if version != VERSION {
        return Err(bad(FormatKind::BadVersion { found: version }));
    }
    let type_byte = head[8];
    let code = u32::from(type_byte & 0x0f);
    let image_type = match ImageType::from_code(code) {
        Some(t) if is_glz_type(t) => t,
        _ => return Err(bad(FormatKind::BadImageType { found: code })),
    };
    if type_byte >> 4 > 1 {
        return Err(bad(FormatKind::BadFlag { found: u32::from(type_byte >> 4) }));
    }
    let (width, height, stride) = (u32_at(9), u32_at(13), u32_at(17));
    if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(bad(FormatKind::BadDimensions { width, height }));
    }
    // spice-gtk ignores the stride of RGB types; the server always writes the tight one.
    let expected = lz::min_stride(image_type, width).unwrap_or(0);
    if stride != expected {
        return Err(bad(FormatKind::BadStride { found: stride, expected }));
    }
    limits.check_dimensions(width, height)?;
    let id = u64::from_be_bytes([head[21], head[22], head[23], head[24], head[25], head[26], head[27], head[28]]);
    let win_head_dist = u32_at(29);
    if u64::from(win_head_dist) > id {
        return Err(bad(FormatKind::BadWindowDistance { id, win_head_dist }));
    }
    Ok(Header { image_type, top_down: type_byte >> 4 == 1, width, height, stride, id, win_head_dist })
}

/// Appends the header for these fields.
pub fn write_header(out: &mut Vec<u8>, h: &Header) {
    out.extend_from_slice(&MAGIC.to_be_bytes());
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.push(h.image_type.code() as u8 | u8::from(h.top_down) << 4);
    for w in [h.width, h.height, h.stride] {
        out.extend_from_slice(&w.to_be_bytes());
    }
    out.extend_from_slice(&h.id.to_be_bytes());
    out.extend_from_slice(&h.win_head_dist.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_matches_the_reference_layout_and_rejects_bad_fields() {
        let h = Header {
            image_type: ImageType::Rgb32,
            top_down: true,
            width: 1024,
            height: 768,
            stride: 4096,
            id: 3,
            win_head_dist: 3,
        };
        let mut v = Vec::new();
        write_header(&mut v, &h);
        // The first bytes of the reference's seq_scroll/3.glz.
        let want = "20205a4c0001000118000004000000030000001000000000000000000300000003";
        let hex: String = v.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, want);
        let l = Limits::default();
        assert_eq!(read_header(&v, &l), Ok(h));
        let mut far = v.clone();
        far[32] = 4;
        assert_eq!(read_header(&far, &l), Err(bad(FormatKind::BadWindowDistance { id: 3, win_head_dist: 4 })));
        let mut a8 = v.clone();
        a8[8] = 0x1b;
        assert_eq!(read_header(&a8, &l), Err(bad(FormatKind::BadImageType { found: 11 })));
        let mut flag = v.clone();
        flag[8] = 0x28;
        assert_eq!(read_header(&flag, &l), Err(bad(FormatKind::BadFlag { found: 2 })));
        let mut stride = v.clone();
        stride[20] = 1;
        assert!(matches!(read_header(&stride, &l), Err(Error::Format { kind: FormatKind::BadStride { .. }, .. })));
        assert!(matches!(read_header(&v[..32], &l), Err(Error::Format { kind: FormatKind::Truncated { .. }, .. })));
    }
}
