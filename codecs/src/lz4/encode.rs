//! Encoder for SPICE's LZ4 framing, producing what the spice server's
//! `lz4_encode` (`server/lz4-encoder.c`) does.
//!
//! The server compresses the bitmap one data chunk at a time with one
//! `LZ4_stream_t`, so each chunk's block may reference the chunks before it. Its
//! chunks come from the guest driver: xf86-video-qxl cuts images into chunks of
//! `max(512 × 512, row bytes) / row bytes` whole rows. This encoder cuts the same
//! way ([`DEFAULT_CHUNK_BYTES`]) and gives each block the preceding
//! [`WINDOW_BYTES`] of rows as its dictionary, which is what a streaming context
//! over contiguous input keeps.

use super::WINDOW_BYTES;
use super::header::{Header, supports, write_header};
use crate::error::{Error, ParameterKind, Result, UnsupportedKind};
use crate::image::ImageRef;

/// Default bytes of rows per block: 512 × 512, the chunk size of xf86-video-qxl.
pub const DEFAULT_CHUNK_BYTES: usize = 512 * 512;

/// Largest image the encoder accepts, in bytes of packed rows: `LZ4_MAX_INPUT_SIZE`,
/// which also keeps every size below the C client's `int` arithmetic.
const MAX_TOTAL_BYTES: usize = 0x7E00_0000;

/// Encoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Bytes of rows per LZ4 block, rounded down to whole rows (at least one row per block).
    pub chunk_bytes: usize,
}

impl Default for Options {
    /// Chunks of [`DEFAULT_CHUNK_BYTES`], as a QXL guest driver sends them.
    fn default() -> Self {
        Options { chunk_bytes: DEFAULT_CHUNK_BYTES }
    }
}

/// Encodes `img` with the default [`Options`]; see [`encode_with`].
pub fn encode(img: &ImageRef<'_>) -> Result<Vec<u8>> {
    encode_with(img, &Options::default())
}

/// Encodes `img` (format `Rgb555`, `Bgr24`, `Bgrx32` or `Bgra32`) in its memory
/// row order with its `top_down` flag. Every byte of each pixel is coded as it is,
/// pad bytes included, as the server does; row padding (stride beyond the pixels)
/// is not.
pub fn encode_with(img: &ImageRef<'_>, options: &Options) -> Result<Vec<u8>> {
    let desc = img.desc();
    if !supports(desc.format) {
        return Err(Error::Unsupported(UnsupportedKind::PixelFormat));
    }
    if desc.width == 0 || desc.height == 0 {
        return Err(Error::Parameter(ParameterKind::EmptyImage));
    }
    let row = desc.row_bytes()?;
    let total = row.checked_mul(desc.height as usize).filter(|&t| t <= MAX_TOTAL_BYTES);
    let total = total.ok_or(Error::Parameter(ParameterKind::SizeOverflow))?;

    // The rows, packed, in memory order: borrowed when the bitmap has no padding.
    // `ImageRef::new` checked the buffer against stride and height, so the slicing holds.
    let packed_copy;
    let packed: &[u8] = if desc.stride == row {
        &img.data()[..total]
    } else {
        let mut v = Vec::with_capacity(total);
        for r in img.data().chunks(desc.stride).take(desc.height as usize) {
            v.extend_from_slice(&r[..row]);
        }
        packed_copy = v;
        &packed_copy
    };

    let chunk = (options.chunk_bytes / row).max(1) * row;
    let blocks = total.div_ceil(chunk);
    let mut out = Vec::with_capacity(2 + blocks * 4 + lz4_flex::block::get_maximum_output_size(total) + blocks * 20);
    write_header(&mut out, &Header { top_down: desc.top_down, format: desc.format });
    let mut start = 0;
    while start < total {
        let end = start + chunk.min(total - start);
        let input = &packed[start..end];
        let dict = &packed[start.saturating_sub(WINDOW_BYTES)..start];
        let len_at = out.len();
        out.resize(len_at + 4 + lz4_flex::block::get_maximum_output_size(input.len()), 0);
        // The output was sized by lz4_flex's own bound, so compression cannot run out of room.
        let n = lz4_flex::block::compress_into_with_dict(input, &mut out[len_at + 4..], dict)
            .map_err(|_| Error::Parameter(ParameterKind::SizeOverflow))?;
        // A block's input is at most MAX_TOTAL_BYTES, so its compressed size (at most
        // 1.1 × that + 20) fits the u32 length.
        out[len_at..len_at + 4].copy_from_slice(&(n as u32).to_be_bytes());
        out.truncate(len_at + 4 + n);
        start = end;
    }
    Ok(out)
}
