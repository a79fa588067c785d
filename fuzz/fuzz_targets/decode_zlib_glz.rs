//! `ZLIB_GLZ_RGB` payloads: a little-endian u32 GLZ size, then zlib data. The
//! inflate must hold no more than the declared size (checked against the
//! budget first), give exactly that size or an error, and a GLZ stream it gives
//! is then decoded through a fresh window; never a panic or an over-budget
//! allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::Limits;
use paprika_codecs::glz::{GlzWindow, zlib};
use paprika_codecs_fuzz::{peak_since, reset_peak};

const LIMITS: Limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1024 * 1024, max_alloc_bytes: 16 << 20 };

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let size = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    let base = reset_peak();
    let inflated = zlib::inflate(&data[4..], size, &LIMITS);
    let peak = peak_since(base) as u64;
    // The output buffer plus the inflater's own state (a few hundred KiB at most).
    assert!(peak <= u64::from(size).min(LIMITS.max_alloc_bytes) + (1 << 20), "inflate held {peak} bytes");
    let Ok(glz) = inflated else { return };
    assert_eq!(glz.len(), size as usize);
    let mut window = GlzWindow::new(1 << 20, LIMITS);
    let _ = window.decode(&glz);
});
