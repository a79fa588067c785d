//! A self-contained SPICE image: the `SpiceImageDescriptor` and the per-type
//! payload, laid out as spice-common's `spice.proto` (`struct Image`) marshals
//! them, plus [`decode_image`], which dispatches a parsed image to its codec.
//!
//! Wire format: `docs/formats/spice-image.md`. Sources: spice-protocol
//! `spice/enums.h` (codes and flag bits), spice-common `spice.proto` and
//! `python_modules/demarshal.py` (layout and the client's checks),
//! `common/marshaller.c` and the spice server's `fill_bits` (where pointer targets
//! go). All integers are little-endian.
//!
//! The one departure from a real message: in SPICE, a palette pointer is an offset
//! from the start of the *message*. Here the image is the whole message, so the
//! offset counts from the image's first byte, and the palette must sit right after
//! the pixel data, where the marshaller puts it.
//!
//! Invariants: [`parse`] borrows the payload from its input and allocates nothing;
//! it checks every size and offset against the buffer and never panics; every
//! image it accepts is written back byte for byte by [`write`](fn@write).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use crate::error::{Codec, Error, FormatKind, ParameterKind, Result, UnsupportedKind};
use crate::glz::{self, GlzWindow};
use crate::image::{Image, ImageDesc, Palette, PixelFormat};
use crate::limits::Limits;
use crate::{jpeg, lz, lz4, quic};

/// Bytes of the image descriptor: `u64 id, u8 type, u8 flags, u32 width, u32 height`.
pub const DESCRIPTOR_BYTES: usize = 18;

/// Image flag `SPICE_IMAGE_FLAGS_CACHE_ME`: the client should cache the image under its id.
pub const IMAGE_FLAG_CACHE_ME: u8 = 1 << 0;
/// Image flag `SPICE_IMAGE_FLAGS_HIGH_BITS_SET`: the pad byte of 32-bit pixels is meaningful.
pub const IMAGE_FLAG_HIGH_BITS_SET: u8 = 1 << 1;
/// Image flag `SPICE_IMAGE_FLAGS_CACHE_REPLACE_ME`: replace the cached image of this id.
pub const IMAGE_FLAG_CACHE_REPLACE_ME: u8 = 1 << 2;
/// Bitmap flag `SPICE_BITMAP_FLAGS_PAL_CACHE_ME`: the client should cache the palette.
pub const BITMAP_FLAG_PAL_CACHE_ME: u8 = 1 << 0;
/// Bitmap flag `SPICE_BITMAP_FLAGS_PAL_FROM_CACHE`: a palette id replaces the palette.
pub const BITMAP_FLAG_PAL_FROM_CACHE: u8 = 1 << 1;
/// Bitmap flag `SPICE_BITMAP_FLAGS_TOP_DOWN`: the first row in memory is the top one.
pub const BITMAP_FLAG_TOP_DOWN: u8 = 1 << 2;
/// JPEG_ALPHA flag `SPICE_JPEG_ALPHA_FLAGS_TOP_DOWN`.
pub const JPEG_ALPHA_FLAG_TOP_DOWN: u8 = 1 << 0;

/// Bytes of a palette before its entries: `u64 unique, u16 num_ents`.
const PALETTE_HEAD_BYTES: usize = 10;
/// Most entries a palette can have (`num_ents` is 16 bits).
const MAX_PALETTE_ENTRIES: usize = u16::MAX as usize;

const fn bad(kind: FormatKind) -> Error {
    Error::format(Codec::Spice, kind)
}

/// The SPICE image types (`SPICE_IMAGE_TYPE_*`), with their wire codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    /// 0: an uncompressed bitmap.
    Bitmap,
    /// 1: QUIC.
    Quic,
    /// 100: LZ of palette indexes, with the palette.
    LzPlt,
    /// 101: LZ of RGB pixels.
    LzRgb,
    /// 102: GLZ (LZ with a dictionary shared across images).
    GlzRgb,
    /// 103: an image from the client's image cache.
    FromCache,
    /// 104: the contents of a surface.
    Surface,
    /// 105: JPEG.
    Jpeg,
    /// 106: a lossless image from the client's image cache.
    FromCacheLossless,
    /// 107: GLZ wrapped in zlib.
    ZlibGlzRgb,
    /// 108: JPEG for RGB plus LZ for alpha.
    JpegAlpha,
    /// 109: LZ4 (see [`crate::lz4`]).
    Lz4,
}

impl ImageType {
    /// Every type, in wire-code order.
    pub const ALL: [ImageType; 12] = [
        ImageType::Bitmap,
        ImageType::Quic,
        ImageType::LzPlt,
        ImageType::LzRgb,
        ImageType::GlzRgb,
        ImageType::FromCache,
        ImageType::Surface,
        ImageType::Jpeg,
        ImageType::FromCacheLossless,
        ImageType::ZlibGlzRgb,
        ImageType::JpegAlpha,
        ImageType::Lz4,
    ];

    /// The wire code.
    pub const fn code(self) -> u8 {
        match self {
            ImageType::Bitmap => 0,
            ImageType::Quic => 1,
            ImageType::LzPlt => 100,
            ImageType::LzRgb => 101,
            ImageType::GlzRgb => 102,
            ImageType::FromCache => 103,
            ImageType::Surface => 104,
            ImageType::Jpeg => 105,
            ImageType::FromCacheLossless => 106,
            ImageType::ZlibGlzRgb => 107,
            ImageType::JpegAlpha => 108,
            ImageType::Lz4 => 109,
        }
    }

    /// The type for a wire code (`RESERVED`, 2, is not one).
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => ImageType::Bitmap,
            1 => ImageType::Quic,
            100 => ImageType::LzPlt,
            101 => ImageType::LzRgb,
            102 => ImageType::GlzRgb,
            103 => ImageType::FromCache,
            104 => ImageType::Surface,
            105 => ImageType::Jpeg,
            106 => ImageType::FromCacheLossless,
            107 => ImageType::ZlibGlzRgb,
            108 => ImageType::JpegAlpha,
            109 => ImageType::Lz4,
            _ => return None,
        })
    }
}

/// The `SpiceImageDescriptor` that starts every SPICE image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageDescriptor {
    /// Image id, the key of the client's image cache.
    pub id: u64,
    /// What the payload is.
    pub image_type: ImageType,
    /// `IMAGE_FLAG_*` bits.
    pub flags: u8,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl ImageDescriptor {
    /// Appends the 18 descriptor bytes.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_le_bytes());
        out.extend_from_slice(&[self.image_type.code(), self.flags]);
        out.extend_from_slice(&self.width.to_le_bytes());
        out.extend_from_slice(&self.height.to_le_bytes());
    }
}

/// Parses the descriptor at the start of `bytes` (the rest is not looked at).
pub fn read_descriptor(bytes: &[u8]) -> Result<ImageDescriptor> {
    let mut r = Reader::new(bytes);
    let id = r.u64()?;
    let code = r.u8()?;
    let flags = r.u8()?;
    let width = r.u32()?;
    let height = r.u32()?;
    let image_type = ImageType::from_code(code).ok_or(bad(FormatKind::BadImageType { found: code.into() }))?;
    Ok(ImageDescriptor { id, image_type, flags, width, height })
}

/// A palette as it travels (`struct Palette`): its unique id and its entries, each a
/// little-endian `u32` `0x00RRGGBB`, borrowed from the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WirePalette<'a> {
    /// The palette's unique id (its key in the client's palette cache).
    pub unique: u64,
    entries: &'a [u8],
}

impl<'a> WirePalette<'a> {
    /// Wraps raw entry bytes (4 per entry, little-endian); `None` unless their length is
    /// a multiple of 4 and they hold at most 65535 entries.
    pub fn new(unique: u64, entries: &'a [u8]) -> Option<Self> {
        (entries.len() % 4 == 0 && entries.len() / 4 <= MAX_PALETTE_ENTRIES).then_some(WirePalette { unique, entries })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len() / 4
    }

    /// Whether the palette has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The raw entry bytes.
    pub fn entry_bytes(&self) -> &'a [u8] {
        self.entries
    }

    /// The entries, `0x00RRGGBB` (the top byte as sent).
    pub fn entries(&self) -> impl Iterator<Item = u32> + 'a {
        self.entries.chunks_exact(4).map(|c| c.first_chunk::<4>().map_or(0, |a| u32::from_le_bytes(*a)))
    }

    /// An owned [`Palette`] with the same id and entries.
    pub fn to_palette(&self) -> Palette {
        Palette { id: self.unique, entries: self.entries().collect() }
    }

    /// Bytes the palette takes on the wire.
    fn wire_len(&self) -> usize {
        PALETTE_HEAD_BYTES + self.entries.len()
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.unique.to_le_bytes());
        // `new` bounds the entry count by u16::MAX.
        out.extend_from_slice(&(self.len() as u16).to_le_bytes());
        out.extend_from_slice(self.entries);
    }
}

/// Little-endian bytes of palette entries, for [`WirePalette::new`].
pub fn palette_entry_bytes(entries: &[u32]) -> Vec<u8> {
    entries.iter().flat_map(|e| e.to_le_bytes()).collect()
}

/// Where a palette-carrying payload gets its palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaletteRef<'a> {
    /// `PAL_FROM_CACHE`: the id of a palette the client cached earlier.
    Cached(u64),
    /// The palette itself (a pointer to it on the wire).
    Inline(WirePalette<'a>),
}

/// An uncompressed bitmap (`struct BitmapData`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bitmap<'a> {
    /// Pixel layout (any format with a `SPICE_BITMAP_FMT_*` code).
    pub format: PixelFormat,
    /// `BITMAP_FLAG_*` bits. On write, `PAL_FROM_CACHE` is set from `palette`.
    pub flags: u8,
    /// Width in pixels.
    pub x: u32,
    /// Height in pixels.
    pub y: u32,
    /// Bytes from one row to the next.
    pub stride: u32,
    /// The palette; `None` is a NULL pointer (formats without a palette).
    pub palette: Option<PaletteRef<'a>>,
    /// The rows in memory order: `stride × y` bytes (on write, at least that many; only
    /// those are written).
    pub data: &'a [u8],
}

impl Bitmap<'_> {
    /// Whether the first row in memory is the top one.
    pub fn top_down(&self) -> bool {
        self.flags & BITMAP_FLAG_TOP_DOWN != 0
    }

    /// Bytes of pixel data on the wire: `stride × y`.
    pub fn data_len(&self) -> u64 {
        u64::from(self.stride) * u64::from(self.y)
    }
}

/// The per-type payload after the descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImagePayload<'a> {
    /// `BITMAP`.
    Bitmap(Bitmap<'a>),
    /// `QUIC`: a QUIC stream ([`crate::quic`]).
    Quic {
        /// The stream.
        data: &'a [u8],
    },
    /// `LZ_PLT`: an LZ stream of palette indexes and its palette.
    LzPlt {
        /// `BITMAP_FLAG_*` bits (the server sends `TOP_DOWN` and the palette bits). On
        /// write, `PAL_FROM_CACHE` is set from `palette`.
        flags: u8,
        /// The palette (never NULL for this type).
        palette: PaletteRef<'a>,
        /// The LZ stream ([`crate::lz`]).
        data: &'a [u8],
    },
    /// `LZ_RGB`: an LZ stream of RGB pixels.
    LzRgb {
        /// The stream.
        data: &'a [u8],
    },
    /// `GLZ_RGB`: a GLZ stream (needs the shared dictionary).
    GlzRgb {
        /// The stream.
        data: &'a [u8],
    },
    /// `FROM_CACHE`: no payload; the descriptor's id names the cached image.
    FromCache,
    /// `SURFACE`: the contents of a surface.
    Surface {
        /// The surface id.
        surface_id: u32,
    },
    /// `JPEG`: a JPEG stream.
    Jpeg {
        /// The stream.
        data: &'a [u8],
    },
    /// `FROM_CACHE_LOSSLESS`: no payload; the cached image must be a lossless one.
    FromCacheLossless,
    /// `ZLIB_GLZ_RGB`: a GLZ stream compressed again with zlib.
    ZlibGlzRgb {
        /// Bytes of the GLZ stream once inflated.
        glz_data_size: u32,
        /// The zlib stream.
        data: &'a [u8],
    },
    /// `JPEG_ALPHA`: a JPEG stream for RGB, then an LZ stream for alpha.
    JpegAlpha {
        /// `JPEG_ALPHA_FLAG_*` bits.
        flags: u8,
        /// Bytes of `data` that are the JPEG stream; the rest is the alpha LZ stream.
        jpeg_size: u32,
        /// Both streams (`data_size` on the wire counts both).
        data: &'a [u8],
    },
    /// `LZ4`: SPICE's LZ4 framing ([`crate::lz4`]).
    Lz4 {
        /// The stream.
        data: &'a [u8],
    },
}

impl ImagePayload<'_> {
    /// The image type this payload is.
    pub fn image_type(&self) -> ImageType {
        match self {
            ImagePayload::Bitmap(_) => ImageType::Bitmap,
            ImagePayload::Quic { .. } => ImageType::Quic,
            ImagePayload::LzPlt { .. } => ImageType::LzPlt,
            ImagePayload::LzRgb { .. } => ImageType::LzRgb,
            ImagePayload::GlzRgb { .. } => ImageType::GlzRgb,
            ImagePayload::FromCache => ImageType::FromCache,
            ImagePayload::Surface { .. } => ImageType::Surface,
            ImagePayload::Jpeg { .. } => ImageType::Jpeg,
            ImagePayload::FromCacheLossless => ImageType::FromCacheLossless,
            ImagePayload::ZlibGlzRgb { .. } => ImageType::ZlibGlzRgb,
            ImagePayload::JpegAlpha { .. } => ImageType::JpegAlpha,
            ImagePayload::Lz4 { .. } => ImageType::Lz4,
        }
    }
}

/// A SPICE image: descriptor and payload, the payload borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpiceImage<'a> {
    /// The descriptor; its `image_type` must be the payload's.
    pub descriptor: ImageDescriptor,
    /// The per-type payload.
    pub payload: ImagePayload<'a>,
}

impl<'a> SpiceImage<'a> {
    /// An image whose descriptor takes its type from `payload`.
    pub fn new(id: u64, flags: u8, width: u32, height: u32, payload: ImagePayload<'a>) -> Self {
        let descriptor = ImageDescriptor { id, image_type: payload.image_type(), flags, width, height };
        SpiceImage { descriptor, payload }
    }
}

/// Bounds-checked little-endian reads; every failure is `Truncated`.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn bytes(&mut self, n: u64) -> Result<&'a [u8]> {
        let end = (self.pos as u64).saturating_add(n);
        let Some(s) = usize::try_from(end).ok().and_then(|end| self.buf.get(self.pos..end)) else {
            return Err(bad(FormatKind::Truncated { needed: end, available: self.buf.len() as u64 }));
        };
        self.pos += s.len();
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.bytes(N as u64)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(u8::from_le_bytes(self.array()?))
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// `u32 data_size` then that many bytes.
    fn sized(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()?;
        self.bytes(n.into())
    }

    /// The palette a pointer (read earlier) refers to: it must start here, right
    /// after the pixel data, where the marshaller puts pointer targets.
    fn palette_at(&mut self, offset: u32) -> Result<WirePalette<'a>> {
        if offset as usize != self.pos {
            return Err(bad(FormatKind::BadPointer { offset: offset.into() }));
        }
        let unique = self.u64()?;
        let count = self.u16()?;
        let entries = self.bytes(u64::from(count) * 4)?;
        Ok(WirePalette { unique, entries })
    }
}

/// Parses one self-contained SPICE image that fills `bytes` exactly.
///
/// Errors are `Format { codec: Spice, .. }`: `Truncated` when a field or a sized
/// array runs past the end (a `data_size` that lies upwards included), `TrailingData`
/// when bytes are left over, `BadImageType` for an unknown image type or bitmap
/// format code, `BadPointer` for a NULL `LZ_PLT` palette or a palette pointer that
/// does not point right after the data, `LengthMismatch` for a `JPEG_ALPHA`
/// `jpeg_size` larger than its `data_size`. The codec streams are not looked at.
pub fn parse(bytes: &[u8]) -> Result<SpiceImage<'_>> {
    let descriptor = read_descriptor(bytes)?;
    let mut r = Reader::new(bytes);
    r.pos = DESCRIPTOR_BYTES;
    let payload = match descriptor.image_type {
        ImageType::Bitmap => {
            let code = r.u8()?;
            let format =
                PixelFormat::from_spice_code(code).ok_or(bad(FormatKind::BadImageType { found: code.into() }))?;
            let flags = r.u8()?;
            let (x, y, stride) = (r.u32()?, r.u32()?, r.u32()?);
            let (cached, pointer) = read_palette_field(&mut r, flags)?;
            let data = r.bytes(u64::from(stride) * u64::from(y))?;
            let palette = match (cached, pointer) {
                (Some(id), _) => Some(PaletteRef::Cached(id)),
                (None, 0) => None,
                (None, offset) => Some(PaletteRef::Inline(r.palette_at(offset)?)),
            };
            ImagePayload::Bitmap(Bitmap { format, flags, x, y, stride, palette, data })
        }
        ImageType::LzPlt => {
            let flags = r.u8()?;
            let size = r.u32()?;
            let (cached, pointer) = read_palette_field(&mut r, flags)?;
            if cached.is_none() && pointer == 0 {
                // `Palette *palette @nonnull`: the client's demarshaller rejects NULL.
                return Err(bad(FormatKind::BadPointer { offset: 0 }));
            }
            let data = r.bytes(size.into())?;
            let palette = match cached {
                Some(id) => PaletteRef::Cached(id),
                None => PaletteRef::Inline(r.palette_at(pointer)?),
            };
            ImagePayload::LzPlt { flags, palette, data }
        }
        ImageType::Quic => ImagePayload::Quic { data: r.sized()? },
        ImageType::LzRgb => ImagePayload::LzRgb { data: r.sized()? },
        ImageType::GlzRgb => ImagePayload::GlzRgb { data: r.sized()? },
        ImageType::Jpeg => ImagePayload::Jpeg { data: r.sized()? },
        ImageType::Lz4 => ImagePayload::Lz4 { data: r.sized()? },
        ImageType::ZlibGlzRgb => {
            let glz_data_size = r.u32()?;
            ImagePayload::ZlibGlzRgb { glz_data_size, data: r.sized()? }
        }
        ImageType::JpegAlpha => {
            let flags = r.u8()?;
            let jpeg_size = r.u32()?;
            let data = r.sized()?;
            if jpeg_size as usize > data.len() {
                return Err(bad(FormatKind::LengthMismatch { declared: jpeg_size.into(), actual: data.len() as u64 }));
            }
            ImagePayload::JpegAlpha { flags, jpeg_size, data }
        }
        ImageType::Surface => ImagePayload::Surface { surface_id: r.u32()? },
        ImageType::FromCache => ImagePayload::FromCache,
        ImageType::FromCacheLossless => ImagePayload::FromCacheLossless,
    };
    if r.pos < bytes.len() {
        return Err(bad(FormatKind::TrailingData { unread: (bytes.len() - r.pos) as u64 }));
    }
    Ok(SpiceImage { descriptor, payload })
}

/// Reads the palette switch of `BitmapData` / `LZPLTData`: a `u64` palette id when
/// `PAL_FROM_CACHE` is set, else a `u32` pointer. Returns `(id, pointer)`.
fn read_palette_field(r: &mut Reader<'_>, flags: u8) -> Result<(Option<u64>, u32)> {
    if flags & BITMAP_FLAG_PAL_FROM_CACHE != 0 { Ok((Some(r.u64()?), 0)) } else { Ok((None, r.u32()?)) }
}

fn size_u32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::Parameter(ParameterKind::SizeOverflow))
}

/// Appends `image` in the layout [`parse`] reads; the palette pointer counts from the
/// image's first byte (`out.len()` on entry).
///
/// Fails with `Parameter(FormatMismatch)` when the descriptor's type is not the
/// payload's or a bitmap format has no SPICE code, `Parameter(BufferTooSmall)` when a
/// bitmap's data is shorter than `stride × y` or a `JPEG_ALPHA` `jpeg_size` exceeds its
/// data, and `Parameter(SizeOverflow)` when a length does not fit its `u32` field. On
/// error, `out` is left as it was.
pub fn write(image: &SpiceImage<'_>, out: &mut Vec<u8>) -> Result<()> {
    if image.descriptor.image_type != image.payload.image_type() {
        return Err(Error::Parameter(ParameterKind::FormatMismatch));
    }
    let start = out.len();
    let result = write_payload(image, out, start);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

fn write_payload(image: &SpiceImage<'_>, out: &mut Vec<u8>, start: usize) -> Result<()> {
    image.descriptor.write(out);
    let sized = |out: &mut Vec<u8>, data: &[u8]| -> Result<()> {
        out.extend_from_slice(&size_u32(data.len())?.to_le_bytes());
        out.extend_from_slice(data);
        Ok(())
    };
    match image.payload {
        ImagePayload::Bitmap(b) => {
            let code = b.format.spice_code().ok_or(Error::Parameter(ParameterKind::FormatMismatch))?;
            let need = b.data_len();
            let data = usize::try_from(need).ok().and_then(|n| b.data.get(..n));
            let data = data
                .ok_or(Error::Parameter(ParameterKind::BufferTooSmall { needed: need, given: b.data.len() as u64 }))?;
            out.extend_from_slice(&[code, palette_flags(b.flags, b.palette.as_ref())]);
            for v in [b.x, b.y, b.stride] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            write_palette_then_data(out, start, b.palette.as_ref(), data)?;
        }
        ImagePayload::LzPlt { flags, palette, data } => {
            out.push(palette_flags(flags, Some(&palette)));
            out.extend_from_slice(&size_u32(data.len())?.to_le_bytes());
            write_palette_then_data(out, start, Some(&palette), data)?;
        }
        ImagePayload::Quic { data }
        | ImagePayload::LzRgb { data }
        | ImagePayload::GlzRgb { data }
        | ImagePayload::Jpeg { data }
        | ImagePayload::Lz4 { data } => sized(out, data)?,
        ImagePayload::ZlibGlzRgb { glz_data_size, data } => {
            out.extend_from_slice(&glz_data_size.to_le_bytes());
            sized(out, data)?;
        }
        ImagePayload::JpegAlpha { flags, jpeg_size, data } => {
            if jpeg_size as usize > data.len() {
                return Err(Error::Parameter(ParameterKind::BufferTooSmall {
                    needed: jpeg_size.into(),
                    given: data.len() as u64,
                }));
            }
            out.push(flags);
            out.extend_from_slice(&jpeg_size.to_le_bytes());
            sized(out, data)?;
        }
        ImagePayload::Surface { surface_id } => out.extend_from_slice(&surface_id.to_le_bytes()),
        ImagePayload::FromCache | ImagePayload::FromCacheLossless => {}
    }
    Ok(())
}

/// `flags` with `PAL_FROM_CACHE` set exactly when the palette is a cache id.
fn palette_flags(flags: u8, palette: Option<&PaletteRef<'_>>) -> u8 {
    match palette {
        Some(PaletteRef::Cached(_)) => flags | BITMAP_FLAG_PAL_FROM_CACHE,
        _ => flags & !BITMAP_FLAG_PAL_FROM_CACHE,
    }
}

/// Writes the palette field (cache id or pointer), the data, and the pointed-to
/// palette after the data.
fn write_palette_then_data(
    out: &mut Vec<u8>,
    start: usize,
    palette: Option<&PaletteRef<'_>>,
    data: &[u8],
) -> Result<()> {
    match palette {
        Some(PaletteRef::Cached(id)) => {
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(data);
        }
        None => {
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(data);
        }
        Some(PaletteRef::Inline(p)) => {
            let offset = size_u32(out.len() - start + 4 + data.len())?;
            // The pointer must also leave room to parse the palette within u32 sizes.
            size_u32(offset as usize + p.wire_len())?;
            out.extend_from_slice(&offset.to_le_bytes());
            out.extend_from_slice(data);
            p.write(out);
        }
    }
    Ok(())
}

/// Parses a SPICE image and decodes it; see [`decode`].
pub fn decode_image(bytes: &[u8], limits: &Limits) -> Result<Image> {
    decode(&parse(bytes)?, limits)
}

/// Like [`decode`], with a GLZ window for `GLZ_RGB` and `ZLIB_GLZ_RGB` images
/// ([`crate::glz::GlzWindow::decode`]; the result stays in the window for later
/// images). The picture comes back top-down.
pub fn decode_with_window(image: &SpiceImage<'_>, window: &mut GlzWindow, limits: &Limits) -> Result<Image> {
    let d = &image.descriptor;
    match image.payload {
        ImagePayload::GlzRgb { data } => decode_glz(d, data, window),
        ImagePayload::ZlibGlzRgb { glz_data_size, data } => {
            let glz = glz::zlib::inflate(data, glz_data_size, limits)?;
            decode_glz(d, &glz, window)
        }
        _ => decode(image, limits),
    }
}

/// Parses `bytes` and decodes the image like [`decode_with_window`].
pub fn decode_image_with_window(bytes: &[u8], window: &mut GlzWindow, limits: &Limits) -> Result<Image> {
    decode_with_window(&parse(bytes)?, window, limits)
}

/// A GLZ stream through the window, checked against the descriptor's size.
fn decode_glz(d: &ImageDescriptor, data: &[u8], window: &mut GlzWindow) -> Result<Image> {
    let img = window.decode(data)?;
    same_size(d, img.header().width, img.header().height)?;
    Ok(img.to_image())
}

/// Decodes a parsed SPICE image to pixels, in the codec's native format with rows
/// in stream order (`top_down` as stored; [`Image::to_bgrx`] gives the upright
/// B, G, R, X picture):
///
/// - `QUIC`: [`quic::decode`] (Bgrx32, Bgra32, Rgb555 or Gray8; always top-down);
/// - `LZ_RGB`, `LZ_PLT`: [`lz::decode`] (the LZ type's format; palette types get the
///   image's palette attached);
/// - `LZ4`: [`lz4::decode`] with the descriptor's size (Rgb555, Bgr24, Bgrx32, Bgra32);
/// - `BITMAP`: the rows copied, packed, in the bitmap's format, with its palette;
/// - `JPEG`: [`jpeg::decode`] (Bgrx32, or Gray8; top-down);
/// - `JPEG_ALPHA`: [`jpeg::decode_alpha`] (Bgra32, top-down).
///
/// The size inside the payload must equal the descriptor's (`DimensionMismatch`
/// otherwise, as the C client's checks). `GLZ_RGB` and `ZLIB_GLZ_RGB` need a window
/// ([`decode_with_window`]); here they give `Unsupported(ImageType)`, as do
/// `FROM_CACHE`, `FROM_CACHE_LOSSLESS` and `SURFACE`; a palette from the client's
/// cache gives `Unsupported(CachedPalette)`. The palette copy draws on the byte budget.
pub fn decode(image: &SpiceImage<'_>, limits: &Limits) -> Result<Image> {
    let d = &image.descriptor;
    match image.payload {
        ImagePayload::Quic { data } => {
            let h = quic::read_header(data)?;
            same_size(d, h.width, h.height)?;
            quic::decode(data, limits)
        }
        ImagePayload::LzRgb { data } => {
            let h = lz::read_header(data)?;
            same_size(d, h.width, h.height)?;
            if h.image_type.has_palette() {
                // `LZ_RGB` has no palette to give the LZ decoder.
                return Err(bad(FormatKind::BadImageType { found: h.image_type.code() }));
            }
            lz::decode(data, None, limits)
        }
        ImagePayload::LzPlt { palette, data, .. } => {
            let h = lz::read_header(data)?;
            same_size(d, h.width, h.height)?;
            let p = match palette {
                PaletteRef::Cached(id) => return Err(Error::Unsupported(UnsupportedKind::CachedPalette { id })),
                PaletteRef::Inline(p) => p,
            };
            // Our copy and the one `lz::decode` attaches to its image live at once;
            // both draw on the budget, and the LZ decoder gets what is left.
            let bytes = 2 * palette_bytes(&p);
            limits.check_alloc(bytes)?;
            let rest = Limits { max_alloc_bytes: limits.max_alloc_bytes - bytes, ..*limits };
            let palette = p.to_palette();
            let img = lz::decode(data, Some(&palette), &rest)?;
            Ok(with_palette_if_needed(img, palette))
        }
        ImagePayload::Lz4 { data } => lz4::decode(data, d.width, d.height, limits),
        ImagePayload::Bitmap(ref b) => decode_bitmap(d, b, limits),
        ImagePayload::Jpeg { data } => {
            let img = jpeg::decode(data, limits)?;
            same_size(d, img.width(), img.height())?;
            Ok(img)
        }
        ImagePayload::JpegAlpha { flags, jpeg_size, data } => {
            let img = jpeg::decode_alpha(flags, jpeg_size, data, limits)?;
            same_size(d, img.width(), img.height())?;
            Ok(img)
        }
        ImagePayload::GlzRgb { .. }
        | ImagePayload::ZlibGlzRgb { .. }
        | ImagePayload::FromCache
        | ImagePayload::FromCacheLossless
        | ImagePayload::Surface { .. } => {
            Err(Error::Unsupported(UnsupportedKind::ImageType { code: image.payload.image_type().code() }))
        }
    }
}

fn same_size(d: &ImageDescriptor, width: u32, height: u32) -> Result<()> {
    if (width, height) != (d.width, d.height) {
        return Err(bad(FormatKind::DimensionMismatch {
            declared_width: d.width,
            declared_height: d.height,
            found_width: width,
            found_height: height,
        }));
    }
    Ok(())
}

/// Bytes an owned copy of the palette takes.
fn palette_bytes(palette: &WirePalette<'_>) -> u64 {
    (palette.len() * core::mem::size_of::<u32>()) as u64
}

fn with_palette_if_needed(img: Image, palette: Palette) -> Image {
    if img.format().has_palette() && img.as_ref().palette().is_none() { img.with_palette(palette) } else { img }
}

/// `BITMAP`: checks the geometry against the descriptor and the limits, then copies
/// the rows (without stride padding) in memory order.
fn decode_bitmap(d: &ImageDescriptor, b: &Bitmap<'_>, limits: &Limits) -> Result<Image> {
    same_size(d, b.x, b.y)?;
    if b.x == 0 || b.y == 0 {
        return Err(bad(FormatKind::BadDimensions { width: b.x, height: b.y }));
    }
    limits.check_dimensions(b.x, b.y)?;
    let row = b.format.row_bytes(b.x).unwrap_or(u64::MAX);
    if u64::from(b.stride) < row {
        let expected = u32::try_from(row).unwrap_or(u32::MAX);
        return Err(bad(FormatKind::BadStride { found: b.stride, expected }));
    }
    let palette = match (b.format.has_palette(), b.palette) {
        (false, _) => None,
        // A palette format with a NULL palette pointer: nothing to show the indexes with.
        (true, None) => return Err(bad(FormatKind::BadPointer { offset: 0 })),
        (true, Some(PaletteRef::Cached(id))) => {
            return Err(Error::Unsupported(UnsupportedKind::CachedPalette { id }));
        }
        (true, Some(PaletteRef::Inline(p))) => Some(p),
    };
    // `row <= stride`, a u32, so this product stays far below u64::MAX.
    let out_len = row * u64::from(b.y);
    let palette_len = palette.map_or(0, |p| palette_bytes(&p));
    limits.check_alloc(out_len + palette_len)?;
    let palette = palette.map(|p| p.to_palette());
    let overflow = Error::Parameter(ParameterKind::SizeOverflow);
    let short = Error::Parameter(ParameterKind::BufferTooSmall { needed: b.data_len(), given: b.data.len() as u64 });
    let row = usize::try_from(row).map_err(|_| overflow)?;
    let mut data = Vec::with_capacity(usize::try_from(out_len).map_err(|_| overflow)?);
    for y in 0..b.y as usize {
        let at = y.checked_mul(b.stride as usize).ok_or(overflow)?;
        let end = at.checked_add(row).ok_or(overflow)?;
        // Short data only comes from a caller-built `Bitmap`: `parse` reads `stride × y` bytes.
        data.extend_from_slice(b.data.get(at..end).ok_or(short)?);
    }
    let desc = ImageDesc { width: b.x, height: b.y, stride: row, format: b.format, top_down: b.top_down() };
    let img = Image::from_vec(desc, data)?;
    Ok(match palette {
        Some(pal) => img.with_palette(pal),
        None => img,
    })
}
