//! How the LZ coder sees the pixels of one stream, by bytes per pixel `B` of the
//! buffer it reads (`lz_compress_tmpl.c`, `SAME_PIXEL` / `ENCODE_PIXEL`, and the
//! length biases of `lz_decompress_tmpl.c`):
//!
//! | `B` | streams | compared | literal bytes | pixels of a match |
//! |---|---|---|---|---|
//! | 4 | RGB32, RGBA's RGB pass, RGB24 (widened) | B, G, R (not byte 3) | 3: b, g, r | `L` |
//! | 2 | RGB16 | bits 0–14 | 2: high byte, low byte | `L + 1` |
//! | 1 | PLT*, A8, alpha | the byte | 1 | `L + 2` |
//!
//! `L` is the 3-bit length field plus its extension bytes (at least 1).

use crate::simd;

/// Bits of 8 little-endian bytes that take part in pixel comparisons.
#[inline(always)]
pub(super) const fn mask64<const B: usize>() -> u64 {
    match B {
        4 => 0x00ff_ffff_00ff_ffff,
        // RGB16 ignores bit 15 (`GET_rgb` masks with 0x7fff).
        2 => 0x7fff_7fff_7fff_7fff,
        _ => u64::MAX,
    }
}

/// Bytes each literal pixel takes on the wire.
pub(super) const fn literal_bytes<const B: usize>() -> usize {
    match B {
        4 => 3,
        2 => 2,
        _ => 1,
    }
}

/// Pixels a match codes beyond its length field `L` (the decoder's `len += 1, 2, 3`
/// after `len--`).
pub(super) const fn length_bias<const B: usize>() -> usize {
    match B {
        4 => 0,
        2 => 1,
        _ => 2,
    }
}

/// Eight bytes at `at` as a little-endian word.
#[inline(always)]
pub(super) fn load64(data: &[u8], at: usize) -> u64 {
    match data.get(at..).and_then(|s| s.first_chunk::<8>()) {
        Some(b) => u64::from_le_bytes(*b),
        None => out_of_range(),
    }
}

#[cold]
#[inline(never)]
fn out_of_range() -> u64 {
    // Callers only load words they checked are inside the buffer.
    panic!("LZ encoder read past its buffer")
}

/// The compared bits of pixel `i`.
#[inline(always)]
pub(super) fn key<const B: usize>(data: &[u8], i: usize) -> u32 {
    let p = &data[i * B..i * B + B];
    match B {
        4 => u32::from_le_bytes([p[0], p[1], p[2], 0]),
        2 => u32::from(u16::from_le_bytes([p[0], p[1]]) & 0x7fff),
        _ => u32::from(p[0]),
    }
}

/// Writes the literal bytes of the pixels in `src` (whole pixels) to the front of
/// `dst`, which must have room for them; returns the bytes written.
///
/// RGB16 literals go high byte first with bit 15 cleared: the decoder keeps what
/// the literal says, and a cleared bit makes the decoded image independent of the
/// ignored bit, whichever pixels end up copied by matches.
#[inline(always)]
pub(super) fn write_literals<const B: usize>(src: &[u8], dst: &mut [u8]) -> usize {
    let n = src.len() / B;
    match B {
        4 => {
            simd::pack_bgr(src, &mut dst[..3 * n]);
            3 * n
        }
        2 => {
            for (k, p) in src.chunks_exact(2).enumerate() {
                dst[2 * k] = p[1] & 0x7f;
                dst[2 * k + 1] = p[0];
            }
            2 * n
        }
        _ => {
            dst[..n].copy_from_slice(src);
            n
        }
    }
}
