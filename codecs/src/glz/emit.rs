//! The GLZ command syntax as the encoder writes it (`glz-encode-match.tmpl.c`
//! writes it, `decode-glz-tmpl.c` reads it):
//!
//! - Literal run: `n - 1` (`n` ≤ 32 pixels), then each pixel's literal bytes.
//! - Match: `L << 5 | long << 4 | ofs & 15` (`L` = 7 and extension bytes when the
//!   length field is 7 or more), then `ofs >> 4 & 255`, then one of two tails.
//!   Short (`ofs` < 4096): a byte `extra << 6 | dist & 63` and `extra` bytes of
//!   `dist >> 6`. Long: a byte `extra << 6 | (ofs ≥ 2^17) << 5 | ofs >> 12 & 31`,
//!   `extra` little-endian bytes of `dist`, then `ofs >> 17` if `ofs ≥ 2^17`.
//!
//! `dist` is the image distance (0: this image) and `ofs` the pixel offset:
//! distance back minus 1 inside this image, the absolute pixel in another.

/// Longest literal run one control byte announces (`MAX_COPY`).
pub(super) const MAX_COPY: usize = 32;
/// Offsets from here on take the long form.
const SHORT_OFFSETS: usize = 1 << 12;
/// Offsets from here on take the extra offset byte of the long form.
const MEDIUM_OFFSETS: usize = 1 << 17;
/// Pixel offsets must stay below this (`MAX_PIXEL_LONG_DISTANCE`).
pub(super) const MAX_OFFSET: usize = 1 << 25;
/// Largest image distance the encoder writes (`MAX_IMAGE_DIST`).
pub(super) const MAX_IMAGE_DIST: u64 = (1 << 24) - 1;

/// How one stream's pixels are written: literal bytes and length bias. Every
/// stream reads 32-bit words (4-byte pixels, or RGB16 values widened) and
/// compares them on [`Stream::MASK`]: RGBA's colour and alpha streams read the
/// same words.
pub(super) trait Stream {
    /// The bits of a word this stream codes and compares.
    const MASK: u32;
    /// Wire bytes of one literal pixel.
    const LITERAL_BYTES: usize;
    /// Pixels a match codes beyond its length field.
    const LEN_BIAS: usize;
    /// Appends the literal bytes of `px`.
    fn literals(px: &[u32], out: &mut Vec<u8>);
    /// The coded bits of a word, at most 24 of them (a hash slot keeps them).
    fn key(p: u32) -> u32;
    /// Whether two words code the same pixel.
    #[inline(always)]
    fn same(a: u32, b: u32) -> bool {
        (a ^ b) & Self::MASK == 0
    }
}

/// RGB24/RGB32 and the colour of RGBA: bits `0x00RRGGBB`, literals b, g, r.
pub(super) struct Rgb;
/// RGB16: the 15 bits of x1r5g5b5, literals high byte first.
pub(super) struct Rgb16;
/// The alpha of RGBA: byte 3 of each word, one literal byte per pixel.
pub(super) struct Alpha;

impl Stream for Rgb {
    const MASK: u32 = 0x00ff_ffff;
    const LITERAL_BYTES: usize = 3;
    const LEN_BIAS: usize = 0;
    #[inline(always)]
    fn literals(px: &[u32], out: &mut Vec<u8>) {
        for &p in px {
            out.extend_from_slice(&p.to_le_bytes()[..3]);
        }
    }
    #[inline(always)]
    fn key(p: u32) -> u32 {
        p & Self::MASK
    }
}

impl Stream for Rgb16 {
    const MASK: u32 = 0x7fff;
    const LITERAL_BYTES: usize = 2;
    const LEN_BIAS: usize = 1;
    #[inline(always)]
    fn literals(px: &[u32], out: &mut Vec<u8>) {
        for &p in px {
            out.extend_from_slice(&(p as u16).to_be_bytes());
        }
    }
    #[inline(always)]
    fn key(p: u32) -> u32 {
        p & Self::MASK
    }
}

impl Stream for Alpha {
    const MASK: u32 = 0xff00_0000;
    const LITERAL_BYTES: usize = 1;
    const LEN_BIAS: usize = 2;
    #[inline(always)]
    fn literals(px: &[u32], out: &mut Vec<u8>) {
        out.extend(px.iter().map(|&p| (p >> 24) as u8));
    }
    #[inline(always)]
    fn key(p: u32) -> u32 {
        p >> 24
    }
}

/// Appends `px` as literal runs.
#[inline]
pub(super) fn literals<S: Stream>(px: &[u32], out: &mut Vec<u8>) {
    for chunk in px.chunks(MAX_COPY) {
        out.push((chunk.len() - 1) as u8);
        S::literals(chunk, out);
    }
}

/// Bytes of a match's length field and extension for `len` pixels.
#[inline(always)]
fn len_bytes<S: Stream>(len: usize) -> usize {
    let field = len - S::LEN_BIAS;
    1 + usize::from(field >= 7) + field.saturating_sub(7) / 255
}

/// Bytes of a match after its length: offset and image distance.
#[inline(always)]
pub(super) fn ref_bytes(image_dist: u64, offset: usize) -> usize {
    if offset < SHORT_OFFSETS {
        2 + match image_dist {
            0..64 => 0,
            64..16_384 => 1,
            16_384..4_194_304 => 2,
            _ => 3,
        }
    } else {
        let extra = match image_dist {
            0 => 0,
            1..256 => 1,
            256..65_536 => 2,
            _ => 3,
        };
        2 + extra + usize::from(offset >= MEDIUM_OFFSETS)
    }
}

/// Bytes saved by coding `len` pixels as this match rather than as literals;
/// 0 or less when it saves nothing or is too short to code.
#[inline(always)]
pub(super) fn gain<S: Stream>(len: usize, image_dist: u64, offset: usize) -> isize {
    if len <= S::LEN_BIAS {
        return 0;
    }
    (len * S::LITERAL_BYTES) as isize - (len_bytes::<S>(len) + ref_bytes(image_dist, offset)) as isize
}

/// Appends a match of `len` pixels (more than the length bias) to pixel `offset`
/// of the image `image_dist` back (0: this image, `offset` = distance − 1).
pub(super) fn copy<S: Stream>(len: usize, image_dist: u64, offset: usize, out: &mut Vec<u8>) {
    debug_assert!(len > S::LEN_BIAS && offset < MAX_OFFSET && image_dist <= MAX_IMAGE_DIST);
    let field = len - S::LEN_BIAS;
    let long = offset >= SHORT_OFFSETS;
    let head = (u8::from(long) << 4) | (offset & 15) as u8;
    if field < 7 {
        out.push((field as u8) << 5 | head);
    } else {
        out.push(7 << 5 | head);
        let mut rest = field - 7;
        while rest >= 255 {
            out.push(255);
            rest -= 255;
        }
        out.push(rest as u8);
    }
    out.push((offset >> 4) as u8);
    let d = image_dist;
    if !long {
        let extra: u8 = match d {
            0..64 => 0,
            64..16_384 => 1,
            16_384..4_194_304 => 2,
            _ => 3,
        };
        out.push(extra << 6 | (d & 63) as u8);
        for i in 0..extra {
            out.push((d >> (6 + 8 * i)) as u8);
        }
    } else {
        let extra: u8 = match d {
            0 => 0,
            1..256 => 1,
            256..65_536 => 2,
            _ => 3,
        };
        let medium = offset >= MEDIUM_OFFSETS;
        out.push(extra << 6 | u8::from(medium) << 5 | ((offset >> 12) & 31) as u8);
        for i in 0..extra {
            out.push((d >> (8 * i)) as u8);
        }
        if medium {
            out.push((offset >> 17) as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_matches_what_is_written() {
        for &len in &[1usize, 2, 3, 6, 7, 8, 9, 261, 262, 263, 5000] {
            for &d in &[0u64, 1, 63, 64, 255, 256, 16_383, 16_384, 65_535, 65_536, 4_194_303, 4_194_304, MAX_IMAGE_DIST]
            {
                for &ofs in &[0usize, 15, 4095, 4096, 131_071, 131_072, MAX_OFFSET - 1] {
                    let mut v = Vec::new();
                    if len > Alpha::LEN_BIAS {
                        copy::<Alpha>(len, d, ofs, &mut v);
                        assert_eq!(v.len() as isize, len as isize - gain::<Alpha>(len, d, ofs), "{len} {d} {ofs}");
                    }
                    v.clear();
                    copy::<Rgb>(len, d, ofs, &mut v);
                    assert_eq!(v.len() as isize, 3 * len as isize - gain::<Rgb>(len, d, ofs), "{len} {d} {ofs}");
                }
            }
        }
    }
}
