//! LZ decoder: the inverse of spice-common's `lz_encode`, for every LZ image
//! type, hardened against any input (`docs/formats/lz.md`, §8).
//!
//! Reference: `lz_decode_begin` / `lz_decode` in `lz.c` and the `decompress`
//! template of `lz_decompress_tmpl.c` (spice-common de79bac8).
//!
//! Safety against hostile input: the header is checked against the format and
//! the limits, the input must be long enough to possibly hold the declared image,
//! and the output size is checked against the byte budget, all before anything is
//! allocated. Every length and distance from the stream is checked against the
//! output decoded so far and the room left before it is used, so each record
//! does bounded work and the decode is linear in input plus output. Every access
//! goes through `get`: no input can make the decoder panic.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::ImageType;
use super::copy::SLACK;
use super::header::{HEADER_BYTES, Header, read_header_checked};
use super::unit::{Alpha, Bytes, Rgb16, Rgb32, Unit};
use crate::error::{Codec, Error, FormatKind, LimitKind, Result};
use crate::image::{Image, ImageDesc, Palette, PixelFormat};
use crate::limits::Limits;

/// Control bytes below this start a literal run of `ctrl + 1` units (`MAX_COPY`).
const MAX_COPY: u8 = 32;
/// The 3-bit length field value that says extension bytes follow.
const LEN_EXTENDED: u64 = 7;
/// Added to a far distance (`MAX_DISTANCE` in `lz.c`).
const FAR_BASE: usize = 8191;
/// `SPICE_MAX_IMAGE_SIZE` of `lz.c`: the most bytes of coded rows (stride ×
/// height) `lz_set_sizes` accepts.
const MAX_CODED_BYTES: u64 = (1 << 30) - 1;
/// Output units one input byte can produce at most: a length extension byte adds
/// at most 255, and no record gives more per byte than that.
const MAX_UNITS_PER_BYTE: u64 = 255;

fn bad(kind: FormatKind) -> Error {
    Error::format(Codec::Lz, kind)
}

fn truncated(needed: usize, available: usize) -> Error {
    bad(FormatKind::Truncated { needed: needed as u64, available: available as u64 })
}

/// A size past what this machine can address: reported as the byte limit it breaks.
fn too_big(bytes: u64) -> Error {
    Error::Limits { what: LimitKind::Bytes, actual: bytes, max: usize::MAX as u64 }
}

fn overflow(needed: u64, room: usize) -> Error {
    bad(FormatKind::OutputOverflow { needed, room: room as u64 })
}

/// Decodes an LZ stream. Palette types need the `palette` (SPICE sends it beside
/// the stream); the image comes back in [`super::ImageType::pixel_format`], rows
/// in stream order with `top_down` as the header says.
///
/// RGB24 streams decode to [`PixelFormat::Bgrx32`], as the reference client does
/// (it decodes them with the RGB32 decoder). Palette images keep their indexes and
/// the header's stride, with `palette` attached when one is given (it is ignored
/// for the other types); without one, [`Image::to_bgrx`] reports an unsupported
/// conversion. Indexes are not checked against the palette.
pub fn decode(input: &[u8], palette: Option<&Palette>, limits: &Limits) -> Result<Image> {
    // The order of the checks: format and dimension limits, then whether the input
    // can hold that much image, then the byte budget; only then the allocation.
    let header = read_header_checked(input, limits)?;
    let plan = Plan::new(&header)?;
    plan.check_input_len(input.len())?;
    let alloc = plan.out_bytes.checked_add(SLACK).ok_or(too_big(u64::MAX))?;
    limits.check_alloc(alloc as u64)?;
    let mut out = vec![0u8; alloc];

    let mut pos = HEADER_BYTES;
    let units = plan.units;
    match header.image_type {
        ImageType::Rgb24 | ImageType::Rgb32 => decode_stream::<Rgb32>(input, &mut pos, &mut out, units)?,
        ImageType::Rgba => {
            // The alpha stream follows the RGB stream directly, with no length or marker.
            decode_stream::<Rgb32>(input, &mut pos, &mut out, units)?;
            decode_stream::<Alpha>(input, &mut pos, &mut out, units)?;
        }
        ImageType::Xxxa => decode_stream::<Alpha>(input, &mut pos, &mut out, units)?,
        ImageType::Rgb16 => decode_stream::<Rgb16>(input, &mut pos, &mut out, units)?,
        ImageType::A8
        | ImageType::Plt8
        | ImageType::Plt4Le
        | ImageType::Plt4Be
        | ImageType::Plt1Le
        | ImageType::Plt1Be => decode_stream::<Bytes>(input, &mut pos, &mut out, units)?,
    }
    // `lz_decode` insists the input ends exactly where the image does.
    if pos != input.len() {
        return Err(bad(FormatKind::TrailingData { unread: (input.len() - pos) as u64 }));
    }
    out.truncate(plan.out_bytes);
    let image = Image::from_vec(plan.desc, out)?;
    Ok(match palette {
        Some(p) if header.image_type.has_palette() => image.with_palette(p.clone()),
        _ => image,
    })
}

/// Sizes of one decode, computed from the header before anything is allocated.
struct Plan {
    /// The output image's geometry.
    desc: ImageDesc,
    /// Units one stream produces: pixels, or bytes for the palette types.
    units: usize,
    /// Streams in the body (2 for RGBA).
    streams: u64,
    /// Bytes of the output buffer (without slack).
    out_bytes: usize,
}

impl Plan {
    /// Sizes the output and the stream from the header, in checked arithmetic.
    fn new(h: &Header) -> Result<Self> {
        // The reference rejects images whose coded rows exceed 1 GiB ("image too
        // large"), so no real stream is bigger; reject them whatever the limits.
        if u64::from(h.stride) * u64::from(h.height) > MAX_CODED_BYTES {
            return Err(bad(FormatKind::BadDimensions { width: h.width, height: h.height }));
        }
        let ty = h.image_type;
        let format = match ty {
            ImageType::Rgb24 => PixelFormat::Bgrx32,
            other => other.pixel_format(),
        };
        let (w, hgt) = (u64::from(h.width), u64::from(h.height));
        let mul = |a: u64, b: u64| a.checked_mul(b).ok_or(too_big(u64::MAX));
        // Palette streams code whole rows of `stride` bytes, padding included (the
        // header checked the stride against the width); the others code pixels.
        let (units, stride) = if ty.has_palette() {
            (mul(u64::from(h.stride), hgt)?, u64::from(h.stride))
        } else {
            (mul(w, hgt)?, mul(w, u64::from(format.bits_per_pixel() / 8))?)
        };
        let out_bytes = mul(stride, hgt)?;
        let fits = |v: u64| usize::try_from(v).map_err(|_| too_big(v));
        Ok(Plan {
            desc: ImageDesc { width: h.width, height: h.height, stride: fits(stride)?, format, top_down: h.top_down },
            units: fits(units)?,
            streams: if ty == ImageType::Rgba { 2 } else { 1 },
            out_bytes: fits(out_bytes)?,
        })
    }

    /// Rejects inputs too short to hold the declared image whatever they code, so
    /// a 28-byte header cannot make the decoder allocate a huge image.
    fn check_input_len(&self, len: usize) -> Result<()> {
        // At most 2^30 units a stream (`MAX_CODED_BYTES`) and 2 streams: no overflow.
        let body_min = (self.units as u64 * self.streams).div_ceil(MAX_UNITS_PER_BYTE);
        let min_bytes = HEADER_BYTES as u64 + body_min;
        if (len as u64) < min_bytes {
            let bits = |v: u64| v.saturating_mul(8);
            return Err(bad(FormatKind::TooShortForSize {
                min_bits: bits(min_bytes),
                available_bits: bits(len as u64),
            }));
        }
        Ok(())
    }
}

/// One record of a stream, as read: a literal run, or a match with its length
/// code (`L - 1` plus the extension bytes, before the type's bias) and its
/// distance in units (bias included).
enum Record {
    Literal(usize),
    Match(u64, usize),
}

/// Reads the record at `input[*ip]` and moves `*ip` past its control bytes (not
/// past a literal's data).
#[inline(always)]
fn read_record(input: &[u8], ip: &mut usize) -> Result<Record> {
    let at = *ip;
    // Fast path: a record's control bytes are at most 5 long (control, one length
    // byte, distance, two far-distance bytes) unless the length goes on past 255;
    // with 5 bytes in hand nothing below needs a bounds check.
    if let Some(&[ctrl, b1, b2, b3, b4]) = input.get(at..).and_then(|s| s.first_chunk::<5>()) {
        if ctrl < MAX_COPY {
            *ip = at + 1;
            return Ok(Record::Literal(usize::from(ctrl) + 1));
        }
        let code = u64::from(ctrl >> 5) - 1;
        // Everything after the length byte shifts by one when there is one.
        let (len, lo, far_hi, far_lo, used) = if code == LEN_EXTENDED - 1 {
            if b1 == 255 {
                return read_record_slow(input, ip);
            }
            (code + u64::from(b1), b2, b3, b4, 2)
        } else {
            (code, b1, b2, b3, 1)
        };
        let hi = ctrl & 31;
        let (dist, used) = if lo == 255 && hi == 31 {
            (FAR_BASE + ((usize::from(far_hi) << 8) | usize::from(far_lo)), used + 3)
        } else {
            ((usize::from(hi) << 8) | usize::from(lo), used + 1)
        };
        *ip = at + used;
        return Ok(Record::Match(len, dist + 1));
    }
    read_record_slow(input, ip)
}

/// [`read_record`] one checked byte at a time: near the end of the input, and
/// for lengths extended past 255.
#[cold]
fn read_record_slow(input: &[u8], ip: &mut usize) -> Result<Record> {
    let mut next = || {
        let b = input.get(*ip).copied().ok_or_else(|| truncated(*ip + 1, input.len()))?;
        *ip += 1;
        Ok::<u8, Error>(b)
    };
    let ctrl = next()?;
    if ctrl < MAX_COPY {
        return Ok(Record::Literal(usize::from(ctrl) + 1));
    }
    let mut len = u64::from(ctrl >> 5) - 1;
    if len == LEN_EXTENDED - 1 {
        loop {
            let c = next()?;
            len += u64::from(c);
            if c != 255 {
                break;
            }
        }
    }
    let (lo, hi) = (next()?, ctrl & 31);
    let mut dist = (usize::from(hi) << 8) | usize::from(lo);
    if lo == 255 && hi == 31 {
        dist = FAR_BASE + ((usize::from(next()?) << 8) | usize::from(next()?));
    }
    Ok(Record::Match(len, dist + 1))
}

/// Decodes one stream of `units` units into `out`, starting at `input[*pos]`;
/// leaves `*pos` after the stream's last byte. The stream ends exactly when the
/// image is complete: a record that would go past it is an error.
// Kept out of line: one tight loop per stream kind, whatever `decode` inlines.
#[inline(never)]
fn decode_stream<U: Unit>(input: &[u8], pos: &mut usize, out: &mut [u8], units: usize) -> Result<()> {
    let mut ip = *pos;
    let mut op = 0usize;
    while op < units {
        let room = units - op;
        match read_record(input, &mut ip)? {
            Record::Literal(n) => {
                if n > room {
                    return Err(overflow(n as u64, room));
                }
                let end = ip + n * U::LITERAL_BYTES;
                if end > input.len() {
                    return Err(truncated(end, input.len()));
                }
                U::literal(input, ip, out, op, n).ok_or_else(|| overflow(n as u64, room))?;
                ip = end;
                op += n;
            }
            Record::Match(code, dist) => {
                let len = code + U::LEN_BIAS;
                if dist > op {
                    return Err(bad(FormatKind::BadReference { distance: dist as u64, available: op as u64 }));
                }
                if len > room as u64 {
                    return Err(overflow(len, room));
                }
                let n = len as usize;
                U::copy(out, op, dist, n).ok_or_else(|| overflow(len, room))?;
                op += n;
            }
        }
    }
    *pos = ip;
    Ok(())
}
