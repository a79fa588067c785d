//! Decodes arbitrary bytes as a JPEG_ALPHA payload under small limits: byte 0 is
//! the flags, bytes 1..5 the JPEG size (little-endian), the rest the JPEG and
//! the LZ alpha stream. Decoding may fail but must not panic, hang, or hold more
//! than `max_alloc_bytes` at once; a decoded image has the JPEG's size and every
//! pixel's alpha comes from the alpha stream (checked against the LZ decoder).
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::image::PixelFormat;
use paprika_codecs::jpeg::decode_alpha;
use paprika_codecs::{Limits, lz};
use paprika_codecs_fuzz::{peak_since, reset_peak};

const LIMITS: Limits = Limits { max_width: 512, max_height: 512, max_pixels: 1 << 16, max_alloc_bytes: 8 << 20 };

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Some((size, payload)) = rest.split_first_chunk::<4>() else { return };
    let jpeg_size = u32::from_le_bytes(*size);
    let base = reset_peak();
    let decoded = decode_alpha(flags, jpeg_size, payload, &LIMITS);
    let peak = peak_since(base);
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode_alpha held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(img) = decoded else { return };
    assert_eq!(img.format(), PixelFormat::Bgra32);
    let alpha = lz::decode(&payload[jpeg_size as usize..], None, &LIMITS).expect("the alpha stream decoded once");
    assert_eq!((alpha.width(), alpha.height()), (img.width(), img.height()));
    let want = alpha.to_bgrx().expect("alpha to BGRX");
    let got = img.to_bgrx().expect("image to BGRX");
    for (i, (a, b)) in want.chunks_exact(4).zip(got.chunks_exact(4)).enumerate() {
        assert_eq!(a[3], b[3], "alpha of pixel {i}");
    }
});
