//! `SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB`: a GLZ stream deflated once more with zlib.
//!
//! The server (`image_encoders_compress_glz`, `zlib-encoder.c`) deflates a GLZ
//! stream at level 3 when zlib-glz-wrap is on, only if the stream is at least
//! 100 bytes, and keeps the result only when it is smaller; the payload carries
//! the GLZ size beside the zlib data. The client inflates it and decodes the
//! GLZ stream as usual.
//!
//! Backend: flate2 over `zlib-rs`, a pure-Rust port of zlib-ng's deflate and
//! inflate: no C toolchain needed, and faster than flate2's default
//! `miniz_oxide` (zlib-rs's own benchmarks put it level with zlib-ng).

use std::io::Write;

use flate2::{Compression, Decompress, FlushDecompress, Status};

use crate::error::{Codec, Error, FormatKind, Result};
use crate::limits::Limits;

/// The server's zlib level (`ZLIB_DEFAULT_COMPRESSION_LEVEL`).
pub const LEVEL: u32 = 3;
/// Streams shorter than this are not wrapped (`MIN_GLZ_SIZE_FOR_ZLIB`).
pub const MIN_GLZ_BYTES: usize = 100;

/// Deflates a GLZ stream the way the server does; `None` when the server would
/// send it unwrapped (shorter than [`MIN_GLZ_BYTES`], or not smaller deflated).
pub fn deflate(glz: &[u8]) -> Option<Vec<u8>> {
    if glz.len() < MIN_GLZ_BYTES {
        return None;
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::with_capacity(glz.len() / 2), Compression::new(LEVEL));
    z.write_all(glz).ok()?;
    let out = z.finish().ok()?;
    (out.len() < glz.len()).then_some(out)
}

/// Inflates a `ZLIB_GLZ_RGB` payload, which must give exactly `glz_size` bytes.
/// The size is checked against the byte budget before anything is allocated,
/// and inflating stops at that size: a zlib bomb costs at most `glz_size`.
pub fn inflate(data: &[u8], glz_size: u32, limits: &Limits) -> Result<Vec<u8>> {
    let bad = || Error::format(Codec::Glz, FormatKind::BadDeflate);
    limits.check_alloc(u64::from(glz_size))?;
    let mut out = vec![0u8; glz_size as usize];
    let mut z = Decompress::new(true);
    let status = z.decompress(data, &mut out, FlushDecompress::Finish).map_err(|_| bad())?;
    // All of the declared size, the zlib stream's end, and nothing after it.
    if status != Status::StreamEnd || z.total_out() != u64::from(glz_size) || z.total_in() != data.len() as u64 {
        return Err(bad());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let glz: Vec<u8> = (0..5000u32).map(|i| (i % 7) as u8).collect();
        let z = deflate(&glz).expect("repetitive data deflates smaller");
        assert!(z.len() < glz.len());
        let l = Limits::default();
        assert_eq!(inflate(&z, glz.len() as u32, &l).unwrap(), glz);
        let bad = Err(Error::format(Codec::Glz, FormatKind::BadDeflate));
        // Declared size too small, too large; truncated; trailing bytes; garbage.
        assert_eq!(inflate(&z, glz.len() as u32 - 1, &l), bad);
        assert_eq!(inflate(&z, glz.len() as u32 + 1, &l), bad);
        assert_eq!(inflate(&z[..z.len() - 3], glz.len() as u32, &l), bad);
        let mut trailing = z.clone();
        trailing.push(0);
        assert_eq!(inflate(&trailing, glz.len() as u32, &l), bad);
        assert_eq!(inflate(&[1, 2, 3, 4], 10, &l), bad);
        // A declared size past the budget is refused before inflating.
        let tight = Limits { max_alloc_bytes: 100, ..l };
        assert!(matches!(inflate(&z, 5000, &tight), Err(Error::Limits { .. })));
        // Not worth it: short, or incompressible.
        assert_eq!(deflate(&glz[..99]), None);
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..1000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 56) as u8
            })
            .collect();
        assert_eq!(deflate(&noise), None);
    }
}
