//! How each kind of LZ stream stores its units, for the LZ and GLZ decoders
//! (they share the literal syntax and the in-image copy semantics): bytes per
//! literal unit, the length bias, and how literals and copies land in the output.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::copy::copy_back;
use crate::simd;

/// How one kind of stream stores its units: the literal bytes per unit, the
/// length bias, and how literals and copies land in the output.
pub(crate) trait Unit {
    /// Input bytes of one literal unit.
    const LITERAL_BYTES: usize;
    /// Added to `L - 1` plus the extension bytes to get the match length in units.
    const LEN_BIAS: u64;
    /// Writes the `n` literal units at `input[ip..]` (checked to be there) at unit `at`.
    fn literal(input: &[u8], ip: usize, out: &mut [u8], at: usize, n: usize) -> Option<()>;
    /// Copies `n` units to unit `at` from `dist` units back.
    fn copy(out: &mut [u8], at: usize, dist: usize, n: usize) -> Option<()>;
}

/// RGB24/RGB32 and the first stream of RGBA: literals are 3 bytes b, g, r; the
/// output pixel is B, G, R, 0; lengths count pixels as coded (`len += 1` in C).
pub(crate) struct Rgb32;

impl Unit for Rgb32 {
    const LITERAL_BYTES: usize = 3;
    const LEN_BIAS: u64 = 1;
    #[inline(always)]
    fn literal(input: &[u8], ip: usize, out: &mut [u8], at: usize, n: usize) -> Option<()> {
        if n <= 4 {
            if let Some(src) = input.get(ip..ip + 16) {
                simd::widen_bgr(src, out.get_mut(4 * at..4 * at + 16)?);
                return Some(());
            }
        }
        if n <= 8 {
            if let Some(src) = input.get(ip..ip + 28) {
                // Short runs, the common case on screens: always 8 pixels (two
                // 4-pixel groups, 28 bytes read), so the work has no data-dependent branch.
                simd::widen_bgr(src, out.get_mut(4 * at..4 * at + 32)?);
                return Some(());
            }
        }
        let groups = n.div_ceil(4);
        let dst = out.get_mut(4 * at..4 * at + 16 * groups)?;
        if let Some(src) = input.get(ip..ip + 12 * groups + 4) {
            // Whole groups of 4 pixels with 16-byte stores: up to 3 pixels of
            // overshoot land in output not decoded yet (or the slack), from input
            // that is there to read.
            simd::widen_bgr(src, dst);
        } else {
            // Near the end of the input: exactly `n` pixels.
            simd::widen_bgr(input.get(ip..ip + 3 * n)?, dst);
        }
        Some(())
    }
    #[inline(always)]
    fn copy(out: &mut [u8], at: usize, dist: usize, n: usize) -> Option<()> {
        copy_back(out, 4 * at, 4 * dist, 4 * n)
    }
}

/// RGB16: literals are the u16 pixel high byte first; memory keeps it little-endian.
pub(crate) struct Rgb16;

impl Unit for Rgb16 {
    const LITERAL_BYTES: usize = 2;
    const LEN_BIAS: u64 = 2;
    #[inline(always)]
    fn literal(input: &[u8], ip: usize, out: &mut [u8], at: usize, n: usize) -> Option<()> {
        let words = n.div_ceil(4);
        if let (Some(src), Some(dst)) = (input.get(ip..ip + 8 * words), out.get_mut(2 * at..2 * at + 8 * words)) {
            // 4 pixels a step, swapping the bytes of each u16 lane; up to 3 pixels
            // of overshoot land in output not decoded yet (or the slack).
            for (s, d) in src.chunks_exact(8).zip(dst.chunks_exact_mut(8)) {
                let w = u64::from_le_bytes(s.try_into().ok()?);
                let swapped = ((w >> 8) & 0x00ff_00ff_00ff_00ff) | ((w << 8) & 0xff00_ff00_ff00_ff00);
                d.copy_from_slice(&swapped.to_le_bytes());
            }
            return Some(());
        }
        let src = input.get(ip..ip + 2 * n)?;
        let dst = out.get_mut(2 * at..2 * (at + n))?;
        for (s, d) in src.chunks_exact(2).zip(dst.chunks_exact_mut(2)) {
            d.copy_from_slice(&[s.get(1).copied()?, s.first().copied()?]);
        }
        Some(())
    }
    #[inline(always)]
    fn copy(out: &mut [u8], at: usize, dist: usize, n: usize) -> Option<()> {
        copy_back(out, 2 * at, 2 * dist, 2 * n)
    }
}

/// A8 and the palette types: one byte per unit (palette types count bytes, not pixels).
pub(crate) struct Bytes;

impl Unit for Bytes {
    const LITERAL_BYTES: usize = 1;
    const LEN_BIAS: u64 = 3;
    #[inline(always)]
    fn literal(input: &[u8], ip: usize, out: &mut [u8], at: usize, n: usize) -> Option<()> {
        // A literal run is at most 32 bytes: copy all 32 when the input has them
        // (a fixed-size move instead of a variable-length `memcpy` call).
        if let (Some(src), Some(dst)) = (input.get(ip..ip + 32), out.get_mut(at..at + 32)) {
            dst.copy_from_slice(src);
            return Some(());
        }
        out.get_mut(at..at + n)?.copy_from_slice(input.get(ip..ip + n)?);
        Some(())
    }
    #[inline(always)]
    fn copy(out: &mut [u8], at: usize, dist: usize, n: usize) -> Option<()> {
        copy_back(out, at, dist, n)
    }
}

/// The alpha stream of RGBA and XXXA: one byte per pixel, written to byte 3 of
/// the 4-byte pixels and nothing else (the RGB stream already wrote B, G, R).
pub(crate) struct Alpha;

impl Unit for Alpha {
    const LITERAL_BYTES: usize = 1;
    const LEN_BIAS: u64 = 3;
    #[inline(always)]
    fn literal(input: &[u8], ip: usize, out: &mut [u8], at: usize, n: usize) -> Option<()> {
        let dst = out.get_mut(4 * at..4 * (at + n))?;
        for (&a, px) in input.get(ip..ip + n)?.iter().zip(dst.chunks_exact_mut(4)) {
            *px.get_mut(3)? = a;
        }
        Some(())
    }
    #[inline(always)]
    fn copy(out: &mut [u8], at: usize, dist: usize, n: usize) -> Option<()> {
        let region = out.get_mut(4 * at.checked_sub(dist)?..4 * (at + n))?;
        if dist == 1 {
            // A run of the previous alpha.
            let a = *region.get(3)?;
            simd::fill_lane(region.get_mut(4..)?, 3, a);
            return Some(());
        }
        // Front to back, one pixel at a time, so an overlapping source repeats.
        for i in 0..n {
            let a = *region.get(4 * i + 3)?;
            *region.get_mut(4 * (i + dist) + 3)? = a;
        }
        Some(())
    }
}
