//! Parses and decodes arbitrary bytes as a self-contained SPICE image under small
//! limits. Parsing and decoding may fail, but must not panic, hang, or hold more
//! than `max_alloc_bytes` at once. Every image the parser accepts must be written
//! back byte for byte, and a decoded image must have the descriptor's size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::{Limits, decode_image, wire};
use paprika_codecs_fuzz::{peak_since, reset_peak};

const LIMITS: Limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1024 * 1024, max_alloc_bytes: 16 << 20 };

fuzz_target!(|data: &[u8]| {
    let base = reset_peak();
    let parsed = wire::parse(data);
    assert_eq!(peak_since(base), 0, "parse allocated");
    let decoded = decode_image(data, &LIMITS);
    let peak = peak_since(base);
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode_image held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(image) = parsed else {
        assert!(decoded.is_err(), "decoded what does not parse");
        return;
    };

    let mut again = Vec::new();
    wire::write(&image, &mut again).expect("write a parsed image");
    assert!(again == data, "write does not reproduce the parsed bytes");

    if let Ok(img) = decoded {
        assert_eq!((img.width(), img.height()), (image.descriptor.width, image.descriptor.height));
        img.to_bgrx().expect("a decoded image converts to BGRX");
    }
});
