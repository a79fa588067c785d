//! Decodes arbitrary bytes as QUIC under small limits. The decoder may fail, but
//! must not panic, hang, or hold more than `max_alloc_bytes` at once. What it does
//! decode must survive a re-encode (same pixels, and a stable stream), and every
//! conversion `decode_into` offers must agree with the native image; those checks
//! run on images of at most `CROSS_CHECK_PIXELS`, so the fuzzer spends its time in
//! the decoder (`roundtrip_quic` covers the encoder on larger images).
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::Limits;
use paprika_codecs::image::PixelFormat;
use paprika_codecs::quic::{self, Decoder, ImageType};
use paprika_codecs_fuzz::{peak_since, reset_peak};

// Tight on purpose: 16K pixels keep one execution well under a millisecond, and a
// decoder that holds more than 2 MiB for such an image is a finding.
const LIMITS: Limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1 << 14, max_alloc_bytes: 2 << 20 };
const CROSS_CHECK_PIXELS: u64 = 4096;

fuzz_target!(|data: &[u8]| {
    let base = reset_peak();
    let decoded = quic::decode(data, &LIMITS);
    let peak = peak_since(base);
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(img) = decoded else { return };
    if u64::from(img.width()) * u64::from(img.height()) > CROSS_CHECK_PIXELS {
        return;
    }

    let header = quic::read_header(data).expect("a decoded stream has a header");
    let ty = header.image_type;
    assert_eq!((img.width(), img.height()), (header.width, header.height));
    assert_eq!(img.format(), ty.native_format());

    // Re-encode: the pixels must come back, and the stream must be a fixed point.
    let again = quic::encode(&img.as_ref(), ty).expect("re-encode a decoded image");
    let back = quic::decode(&again, &LIMITS).expect("decode the re-encoded stream");
    assert!(back == img, "re-encoded stream decodes to other pixels");
    let third = quic::encode(&back.as_ref(), ty).expect("encode again");
    assert!(third == again, "encoding is not stable on decoded pixels");

    // The conversions of decode_into, into dirty buffers with padded rows.
    let bgrx = img.to_bgrx().expect("to_bgrx");
    let mut d = Decoder::new(data, &LIMITS).expect("header accepted twice");
    for format in [PixelFormat::Bgrx32, PixelFormat::Bgr24] {
        if !d.supports(format) || ty == ImageType::Rgba {
            continue;
        }
        let bpp = format.bits_per_pixel() as usize / 8;
        let row = img.width() as usize * bpp;
        let stride = row + 3;
        let mut buf = vec![0xa5; stride * (img.height() as usize - 1) + row];
        d.decode_into(&mut buf, stride, format).expect("decode_into after decode succeeded");
        for (y, chunk) in buf.chunks(stride).enumerate() {
            let want = &bgrx[y * img.width() as usize * 4..][..img.width() as usize * 4];
            for (x, px) in chunk[..row].chunks_exact(bpp).enumerate() {
                assert_eq!(px, &want[x * 4..x * 4 + bpp], "{format:?} row {y} px {x}");
            }
            assert!(chunk[row..].iter().all(|&b| b == 0xa5), "padding written");
        }
    }
});
