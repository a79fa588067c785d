//! Decoder for SPICE's LZ4 framing, after spice-common's `canvas_get_lz4`.
//!
//! Blocks are decoded back to back into one packed buffer; each block may
//! reference the last [`WINDOW_BYTES`] decoded before it, as the C client's
//! `LZ4_decompress_safe_continue` allows when blocks land contiguously.
//!
//! Invariants: nothing is allocated before the dimensions, the minimum input
//! length and the byte budget are checked; every length read from the stream is
//! checked against the input before it is used; the decoded bytes must fill the
//! image exactly (the C client tolerates short images and, within its row
//! padding, long ones; Paprika rejects both).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::WINDOW_BYTES;
use super::header::{HEADER_BYTES, Header, read_header};
use crate::error::{Codec, Error, FormatKind, ParameterKind, Result};
use crate::image::{Image, ImageDesc};
use crate::limits::Limits;

/// Bytes of the big-endian length in front of each block.
const BLOCK_LEN_BYTES: usize = 4;

/// Most output bytes one input byte of an LZ4 block can account for. The densest
/// sequence is a match whose length is extended by bytes of 255: each such byte adds
/// 255 output bytes, and the token and offset (3 bytes) add at most 19 + 254.
const MAX_EXPANSION: u64 = 255;

const fn bad(kind: FormatKind) -> Error {
    Error::format(Codec::Lz4, kind)
}

/// Bytes of the decoded rows for `width × height` pixels of the header's format:
/// rows are packed, as `canvas_get_lz4`'s `stride_encoded` (no padding).
///
/// Width and height must be non-zero and fit a C `int`, as the client's are.
pub fn output_len(header: &Header, width: u32, height: u32) -> Result<u64> {
    if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(bad(FormatKind::BadDimensions { width, height }));
    }
    // Below 2^31 each, width × height × 4 stays below 2^64.
    let bytes_per_pixel = u64::from(header.format.bits_per_pixel() / 8);
    Ok(u64::from(width) * u64::from(height) * bytes_per_pixel)
}

/// Checks that `input` is long enough to decode to `out_len` bytes at all, so a
/// tiny input cannot make the caller allocate a huge image.
fn check_min_input(input: &[u8], out_len: u64) -> Result<()> {
    let min_bytes = (HEADER_BYTES + BLOCK_LEN_BYTES) as u64 + out_len.div_ceil(MAX_EXPANSION);
    let have = input.len() as u64;
    if have < min_bytes {
        return Err(bad(FormatKind::TooShortForSize {
            min_bits: min_bytes.saturating_mul(8),
            available_bits: have.saturating_mul(8),
        }));
    }
    Ok(())
}

/// Decodes an LZ4 image of `width × height` pixels (from the SPICE image
/// descriptor) into `out`, which must hold at least [`output_len`] bytes: packed
/// rows in stream order, in the header's format. Only those first bytes are
/// written, each of them whatever `out` held. Returns the header.
pub fn decode_into(input: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<Header> {
    let header = read_header(input)?;
    let out_len = output_len(&header, width, height)?;
    check_min_input(input, out_len)?;
    let given = out.len() as u64;
    let Some(out) = usize::try_from(out_len).ok().and_then(|n| out.get_mut(..n)) else {
        return Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: out_len, given }));
    };
    decode_blocks(input, out)?;
    Ok(header)
}

/// Decodes an LZ4 image of `width × height` pixels (from the SPICE image
/// descriptor). The image comes back packed, in the header's format
/// ([`PixelFormat::Rgb555`](crate::PixelFormat::Rgb555), `Bgr24`, `Bgrx32` or
/// `Bgra32`, as `canvas_get_lz4` makes its surface: 24-bit stays 3 bytes a pixel),
/// rows in stream order with `top_down` as the header says.
pub fn decode(input: &[u8], width: u32, height: u32, limits: &Limits) -> Result<Image> {
    let header = read_header(input)?;
    let out_len = output_len(&header, width, height)?;
    limits.check_dimensions(width, height)?;
    check_min_input(input, out_len)?;
    limits.check_alloc(out_len)?;
    let len = usize::try_from(out_len).map_err(|_| Error::Parameter(ParameterKind::SizeOverflow))?;
    let mut data = vec![0; len];
    decode_blocks(input, &mut data)?;
    let stride = len / height as usize;
    let desc = ImageDesc { width, height, stride, format: header.format, top_down: header.top_down };
    Image::from_vec(desc, data)
}

/// Decodes the blocks after the header until `out` is exactly full.
fn decode_blocks(input: &[u8], out: &mut [u8]) -> Result<()> {
    let available = input.len() as u64;
    let mut pos = HEADER_BYTES;
    let mut done = 0usize;
    let mut index = 0u32;
    while pos < input.len() {
        if done == out.len() {
            // The client would fail here too: the next block has no room left.
            return Err(bad(FormatKind::TrailingData { unread: (input.len() - pos) as u64 }));
        }
        let data_start = pos + BLOCK_LEN_BYTES;
        let Some(len_bytes) = input.get(pos..data_start) else {
            return Err(bad(FormatKind::Truncated { needed: data_start as u64, available }));
        };
        let mut be = [0u8; BLOCK_LEN_BYTES];
        be.copy_from_slice(len_bytes);
        let block_len = u64::from(u32::from_be_bytes(be));
        let end = data_start as u64 + block_len;
        let Some(block) = usize::try_from(end).ok().and_then(|end| input.get(data_start..end)) else {
            return Err(bad(FormatKind::Truncated { needed: end, available }));
        };
        let (history, rest) = out.split_at_mut(done);
        let dict = history.get(history.len().saturating_sub(WINDOW_BYTES)..).unwrap_or_default();
        let got = lz4_flex::block::decompress_into_with_dict(block, rest, dict).map_err(|e| match e {
            lz4_flex::block::DecompressError::OutputTooSmall { expected, actual } => {
                bad(FormatKind::OutputOverflow { needed: expected as u64, room: actual as u64 })
            }
            _ => bad(FormatKind::BadBlock { index }),
        })?;
        // An empty block (or one that decodes to nothing) is an error in the client:
        // `LZ4_decompress_safe_continue` returning <= 0.
        if got == 0 {
            return Err(bad(FormatKind::BadBlock { index }));
        }
        done += got;
        pos += BLOCK_LEN_BYTES + block.len();
        index = index.saturating_add(1);
    }
    if done != out.len() {
        return Err(bad(FormatKind::LengthMismatch { declared: out.len() as u64, actual: done as u64 }));
    }
    Ok(())
}
