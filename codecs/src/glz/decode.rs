//! The GLZ body decoder: literal runs as in LZ, matches into the image being
//! decoded or into earlier images of the window (`docs/formats/glz.md`).
//!
//! Reference: `decode-glz-tmpl.c` of spice-gtk (61002aaa). Unlike it, every
//! length, offset and image reference is checked before it is used: against the
//! pixels decoded so far, the room left, the referenced image's size and type,
//! and the window-head distance in the header. Every access goes through `get`.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use super::header::{HEADER_BYTES, Header};
use super::window::GlzImage;
use crate::error::{Codec, Error, FormatKind, Result};
use crate::limits::Limits;
use crate::lz::ImageType;
use crate::lz::copy::{SLACK, copy_back};
use crate::lz::unit::{Alpha, Rgb32, Unit};

/// Control bytes below this start a literal run of `ctrl + 1` pixels.
const MAX_COPY: u8 = 32;
/// Output pixels one input byte can produce at most (a length extension byte adds 255).
const MAX_PIXELS_PER_BYTE: u64 = 255;

fn bad(kind: FormatKind) -> Error {
    Error::format(Codec::Glz, kind)
}

fn truncated(needed: usize, available: usize) -> Error {
    bad(FormatKind::Truncated { needed: needed as u64, available: available as u64 })
}

fn overflow(needed: u64, room: usize) -> Error {
    bad(FormatKind::OutputOverflow { needed, room: room as u64 })
}

/// Earlier images a stream may reference, by id.
pub(crate) trait ImageSource {
    /// The image `id`, or why it cannot be had: not in the window (a format
    /// error), or not arrived yet ([`Error::WaitingForImage`]).
    fn image(&mut self, id: u64) -> Result<Arc<GlzImage>>;
}

/// Checks that the input can hold the image the header declares and that the
/// output fits the byte budget; returns the output size in bytes (4 per pixel).
pub(crate) fn plan(header: &Header, input_len: usize, limits: &Limits) -> Result<usize> {
    let pixels = header.pixels();
    let streams = if header.image_type == ImageType::Rgba { 2 } else { 1 };
    let min_len = HEADER_BYTES as u64 + (pixels * streams).div_ceil(MAX_PIXELS_PER_BYTE);
    if (input_len as u64) < min_len {
        return Err(bad(FormatKind::TooShortForSize {
            min_bits: min_len.saturating_mul(8),
            available_bits: (input_len as u64).saturating_mul(8),
        }));
    }
    let bytes = pixels * 4;
    limits.check_alloc(bytes + SLACK as u64)?;
    usize::try_from(bytes).map_err(|_| Error::Limits {
        what: crate::error::LimitKind::Bytes,
        actual: bytes,
        max: usize::MAX as u64,
    })
}

/// Decodes the body of `input` (whose header is `header`, checked by [`plan`])
/// into 4-byte pixels in stream order: B, G, R, 0 for the RGB types, B, G, R, A
/// for RGBA, as spice-gtk does.
pub(crate) fn decode_body(
    input: &[u8],
    header: &Header,
    out_bytes: usize,
    refs: &mut dyn ImageSource,
) -> Result<Vec<u8>> {
    let mut out = vec![0u8; out_bytes + SLACK];
    let units = out_bytes / 4;
    let mut s = Stream { input, pos: HEADER_BYTES, header, refs, cached: None };
    match header.image_type {
        ImageType::Rgb16 => s.decode::<Rgb16To32, false>(&mut out, units)?,
        ImageType::Rgba => {
            // The alpha stream follows the colour stream directly, with no length or marker.
            s.decode::<Rgb32, false>(&mut out, units)?;
            s.decode::<Alpha, true>(&mut out, units)?;
        }
        _ => s.decode::<Rgb32, false>(&mut out, units)?,
    }
    if s.pos != input.len() {
        return Err(bad(FormatKind::TrailingData { unread: (input.len() - s.pos) as u64 }));
    }
    out.truncate(out_bytes);
    Ok(out)
}

/// RGB16 decoded to 4-byte pixels, as spice-gtk does: literals are the x1r5g5b5
/// value high byte first, each 5-bit channel widened as `v << 3 | v >> 2`.
struct Rgb16To32;

impl Unit for Rgb16To32 {
    const LITERAL_BYTES: usize = 2;
    const LEN_BIAS: u64 = 2;
    #[inline(always)]
    fn literal(input: &[u8], ip: usize, out: &mut [u8], at: usize, n: usize) -> Option<()> {
        let src = input.get(ip..ip + 2 * n)?;
        let dst = out.get_mut(4 * at..4 * (at + n))?;
        for (s, d) in src.chunks_exact(2).zip(dst.chunks_exact_mut(4)) {
            let v = u16::from_be_bytes([*s.first()?, *s.get(1)?]);
            let widen = |c: u16| ((c << 3) | (c >> 2)) as u8;
            d.copy_from_slice(&[widen(v & 31), widen((v >> 5) & 31), widen((v >> 10) & 31), 0]);
        }
        Some(())
    }
    #[inline(always)]
    fn copy(out: &mut [u8], at: usize, dist: usize, n: usize) -> Option<()> {
        copy_back(out, 4 * at, 4 * dist, 4 * n)
    }
}

/// One record as read: a literal run, or a match with its length field (`L`
/// plus extension bytes, before the type's bias), pixel offset and image distance.
enum Record {
    Literal(usize),
    Match { len: u64, offset: u64, image_dist: u64 },
}

/// The state of one body decode.
struct Stream<'a, 'r> {
    input: &'a [u8],
    pos: usize,
    header: &'a Header,
    refs: &'r mut dyn ImageSource,
    /// The image the last cross-image match used, by image distance.
    cached: Option<(u64, Arc<GlzImage>)>,
}

impl Stream<'_, '_> {
    #[inline(always)]
    fn next(&mut self) -> Result<u8> {
        let b = self.input.get(self.pos).copied().ok_or_else(|| truncated(self.pos + 1, self.input.len()))?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads one record (`decode-glz-tmpl.c`): control byte, length extension,
    /// then the offset and image-distance bytes in the short or the long form.
    #[inline(always)]
    fn record(&mut self) -> Result<Record> {
        let ctrl = self.next()?;
        if ctrl < MAX_COPY {
            return Ok(Record::Literal(usize::from(ctrl) + 1));
        }
        let mut len = u64::from(ctrl >> 5);
        if len == 7 {
            loop {
                let c = self.next()?;
                len += u64::from(c);
                if c != 255 {
                    break;
                }
            }
        }
        let mut offset = u64::from(ctrl & 0x0f) + (u64::from(self.next()?) << 4);
        let c = self.next()?;
        let extra = c >> 6;
        let mut image_dist;
        if ctrl & 0x10 == 0 {
            image_dist = u64::from(c & 0x3f);
            for i in 0..extra {
                image_dist += u64::from(self.next()?) << (6 + 8 * i);
            }
        } else {
            offset += u64::from(c & 0x1f) << 12;
            image_dist = 0;
            for i in 0..extra {
                image_dist += u64::from(self.next()?) << (8 * i);
            }
            if c & 0x20 != 0 {
                offset += u64::from(self.next()?) << 17;
            }
        }
        Ok(Record::Match { len, offset, image_dist })
    }

    /// The image `image_dist` before this one, checked against the window-head
    /// distance and the type.
    fn referenced(&mut self, image_dist: u64) -> Result<Arc<GlzImage>> {
        if let Some((d, img)) = &self.cached {
            if *d == image_dist {
                return Ok(img.clone());
            }
        }
        let h = self.header;
        if image_dist > u64::from(h.win_head_dist) {
            // The encoder promised not to reach before its window head.
            return Err(bad(FormatKind::ImageNotInWindow { id: h.id.wrapping_sub(image_dist) }));
        }
        let id = h.id - image_dist;
        let img = self.refs.image(id)?;
        if img.header().image_type != h.image_type {
            return Err(bad(FormatKind::ImageTypeMismatch { id }));
        }
        self.cached = Some((image_dist, img.clone()));
        Ok(img)
    }

    /// Decodes one stream of `units` pixels into `out`. `ALPHA` streams write
    /// byte 3 of each pixel only, and take byte 3 from referenced images.
    fn decode<U: Unit, const ALPHA: bool>(&mut self, out: &mut [u8], units: usize) -> Result<()> {
        let mut op = 0usize;
        while op < units {
            let room = units - op;
            match self.record()? {
                Record::Literal(n) => {
                    if n > room {
                        return Err(overflow(n as u64, room));
                    }
                    let end = self.pos + n * U::LITERAL_BYTES;
                    if end > self.input.len() {
                        return Err(truncated(end, self.input.len()));
                    }
                    U::literal(self.input, self.pos, out, op, n).ok_or_else(|| overflow(n as u64, room))?;
                    self.pos = end;
                    op += n;
                }
                Record::Match { len, offset, image_dist } => {
                    let len = len + U::LEN_BIAS - 1;
                    if len > room as u64 {
                        return Err(overflow(len, room));
                    }
                    let n = len as usize;
                    if image_dist == 0 {
                        let dist = offset + 1;
                        if dist > op as u64 {
                            return Err(bad(FormatKind::BadReference { distance: dist, available: op as u64 }));
                        }
                        U::copy(out, op, dist as usize, n).ok_or_else(|| overflow(len, room))?;
                    } else {
                        let img = self.referenced(image_dist)?;
                        let src = img.pixel_bytes();
                        let pixels = (src.len() / 4) as u64;
                        if offset + len > pixels {
                            let id = img.header().id;
                            return Err(bad(FormatKind::OffsetOutsideImage { id, offset, len, pixels }));
                        }
                        copy_from::<ALPHA>(out, op, src, offset as usize, n).ok_or_else(|| overflow(len, room))?;
                    }
                    op += n;
                }
            }
        }
        Ok(())
    }
}

/// Copies `n` pixels from pixel `from` of another image to pixel `at`: whole
/// pixels, or byte 3 only for the alpha stream.
#[inline(always)]
fn copy_from<const ALPHA: bool>(out: &mut [u8], at: usize, src: &[u8], from: usize, n: usize) -> Option<()> {
    let dst = out.get_mut(4 * at..4 * (at + n))?;
    let src = src.get(4 * from..4 * (from + n))?;
    if ALPHA {
        for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
            *d.get_mut(3)? = *s.get(3)?;
        }
    } else {
        dst.copy_from_slice(src);
    }
    Some(())
}
