//! Builds a small image from the fuzz input, encodes it, decodes it, and checks
//! every pixel. Input layout:
//!
//! * byte 0: low 3 bits pick the (image type, source format) pair, bit 3 stores
//!   the bitmap bottom-up, bits 4..=5 add 0..=3 bytes of row padding;
//! * bytes 1..=2: width − 1 (little endian, modulo 4608, so rows past the 2048-
//!   and 4096-pixel model segment boundaries occur);
//! * byte 3: height − 1 (modulo 64); the area is capped at `MAX_AREA` pixels;
//! * the rest: pixel bytes, repeated cyclically to fill the image (zeros if none).
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::Limits;
use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::quic::{self, ImageType};

/// Largest image built, in pixels: keeps each run fast under the sanitizer.
const MAX_AREA: u32 = 20_000;

const PAIRS: [(ImageType, PixelFormat); 8] = [
    (ImageType::Gray, PixelFormat::Gray8),
    (ImageType::Gray, PixelFormat::A8),
    (ImageType::Rgb16, PixelFormat::Rgb555),
    (ImageType::Rgb24, PixelFormat::Bgr24),
    (ImageType::Rgb24, PixelFormat::Bgrx32),
    (ImageType::Rgb32, PixelFormat::Bgrx32),
    (ImageType::Rgb32, PixelFormat::Bgra32),
    (ImageType::Rgba, PixelFormat::Bgra32),
];

/// The decoded native bytes one source pixel must give.
fn expect(ty: ImageType, format: PixelFormat, px: &[u8], out: &mut Vec<u8>) {
    match (ty, format) {
        (ImageType::Gray, _) => out.push(px[0]),
        (ImageType::Rgb16, _) => out.extend_from_slice(&[px[0], px[1] & 0x7f]),
        (ImageType::Rgba, _) => out.extend_from_slice(px),
        _ => out.extend_from_slice(&[px[0], px[1], px[2], 0]),
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (ty, format) = PAIRS[usize::from(data[0] & 7)];
    let top_down = data[0] & 8 == 0;
    let pad = usize::from((data[0] >> 4) & 3);
    let width = u32::from(u16::from_le_bytes([data[1], data[2]])) % 4608 + 1;
    let height = (u32::from(data[3]) % 64 + 1).min((MAX_AREA / width).max(1));
    let pixels = &data[4..];

    let bpp = format.bits_per_pixel() as usize / 8;
    let row = width as usize * bpp;
    let stride = row + pad;
    let mut source = Vec::with_capacity(row * height as usize);
    for i in 0..row * height as usize {
        source.push(if pixels.is_empty() { 0 } else { pixels[i % pixels.len()] });
    }
    let mut stored = vec![0x3c; stride * height as usize];
    for y in 0..height as usize {
        let mem = if top_down { y } else { height as usize - 1 - y };
        stored[mem * stride..][..row].copy_from_slice(&source[y * row..][..row]);
    }
    let desc = ImageDesc { width, height, stride, format, top_down };
    let img = Image::from_vec(desc, stored).expect("valid bitmap");

    let stream = quic::encode(&img.as_ref(), ty).expect("encode");
    let packed = Image::from_vec(ImageDesc::packed(width, height, format).unwrap(), source.clone()).unwrap();
    let packed_stream = quic::encode(&packed.as_ref(), ty).expect("encode packed");
    assert!(stream == packed_stream, "stream depends on stride or orientation");

    let back = quic::decode(&stream, &Limits::default()).expect("decode own stream");
    assert_eq!((back.width(), back.height()), (width, height));
    assert_eq!(back.format(), ty.native_format());
    let mut want = Vec::with_capacity(back.data().len());
    for px in source.chunks_exact(bpp) {
        expect(ty, format, px, &mut want);
    }
    if let Some(i) = back.data().iter().zip(&want).position(|(a, b)| a != b) {
        panic!("{ty:?} from {format:?} {width}x{height}: first wrong byte {i}");
    }
    assert_eq!(back.data().len(), want.len());
});
