//! Decodes arbitrary bytes as LZ under small limits, with a palette. The decoder
//! may fail, but must not panic, hang, or hold more than `max_alloc_bytes` at
//! once; what it does decode must have the header's geometry and the documented
//! layout, must not depend on the palette, and must convert with `to_bgrx`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::image::{Palette, PixelFormat};
use paprika_codecs::lz::{self, ImageType};
use paprika_codecs::{Limits, lz::HEADER_BYTES};
use paprika_codecs_fuzz::{peak_since, reset_peak};

const LIMITS: Limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1024 * 1024, max_alloc_bytes: 16 << 20 };

fuzz_target!(|data: &[u8]| {
    // A palette shorter than some indexes can be (to_bgrx must still cope), sized
    // from the input so both cases occur.
    let size = data.len() % 17;
    let palette = Palette { id: 1, entries: (0..size as u32).map(|i| i * 0x0011_2233).collect() };

    let base = reset_peak();
    let decoded = lz::decode(data, Some(&palette), &LIMITS);
    let peak = peak_since(base);
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(img) = decoded else { return };

    let h = lz::read_header(data).expect("a decoded stream has a header");
    let ty = h.image_type;
    assert!(data.len() > HEADER_BYTES);
    assert_eq!((img.width(), img.height(), img.desc().top_down), (h.width, h.height, h.top_down));
    let format = if ty == ImageType::Rgb24 { PixelFormat::Bgrx32 } else { ty.pixel_format() };
    assert_eq!(img.format(), format);
    if ty.has_palette() {
        assert_eq!(img.desc().stride, h.stride as usize);
        assert_eq!(img.data().len(), h.stride as usize * h.height as usize);
        assert_eq!(img.as_ref().palette(), Some(&palette));
    } else {
        assert_eq!(img.data().len(), img.desc().stride * h.height as usize);
    }
    // Bytes the stream never codes decode as 0: X of RGB24/RGB32, B,G,R of XXXA.
    match ty {
        ImageType::Rgb24 | ImageType::Rgb32 => assert!(img.data().chunks_exact(4).all(|p| p[3] == 0)),
        ImageType::Xxxa => assert!(img.data().chunks_exact(4).all(|p| p[..3] == [0, 0, 0])),
        _ => {}
    }

    // The palette only travels beside the pixels.
    let plain = lz::decode(data, None, &LIMITS).expect("decodes without a palette too");
    assert!(plain.data() == img.data(), "the palette changed the decoded bytes");

    let bgrx = img.to_bgrx().expect("to_bgrx with a palette attached");
    assert_eq!(bgrx.len(), h.width as usize * h.height as usize * 4);
});
