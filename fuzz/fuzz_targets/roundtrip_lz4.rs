//! Builds a small image from the input, encodes it with SPICE's LZ4 framing,
//! decodes it and checks it the way `codecs/tests/lz4.rs` does. Input layout:
//!
//! * byte 0: low 2 bits pick the format (x1r5g5b5, B,G,R, B,G,R,X, B,G,R,A), bit 2
//!   stores the bitmap bottom-up, bits 3..=4 add 0..=3 bytes of row padding,
//!   bits 5..=7 pick the block size (see `chunk_bytes`);
//! * bytes 1..=2: width − 1 (little endian, modulo 4096); byte 3: height − 1
//!   (modulo 64); the area is capped at `MAX_AREA` pixels;
//! * byte 4: block size parameter;
//! * the rest: pixel bytes, repeated cyclically to fill the rows (zeros if none).
//!
//! Checks: the two header bytes; row padding does not change the stream; the
//! stream decodes (also with `decode_into`, into a dirty longer buffer that keeps
//! its tail) to exactly the packed rows in memory order — every byte of every
//! pixel is coded, pad bytes included — with the format, `top_down` and picture
//! of the source.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::{Limits, lz4};

/// Largest image built, in pixels: keeps each run fast.
const MAX_AREA: u32 = 20_000;

const FORMATS: [PixelFormat; 4] = [PixelFormat::Rgb555, PixelFormat::Bgr24, PixelFormat::Bgrx32, PixelFormat::Bgra32];

/// The block size: tiny (one row a block), from the input, the default, or one block.
fn chunk_bytes(sel: u8, param: u8) -> usize {
    match sel {
        0 => 1,
        1 => 1 + usize::from(param),
        2 => 1 + usize::from(param) * 97,
        3 => 1 + usize::from(param) * 1021,
        4 => lz4::WINDOW_BYTES - 3 + usize::from(param % 8),
        5 => lz4::DEFAULT_CHUNK_BYTES,
        _ => usize::MAX,
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let format = FORMATS[usize::from(data[0] & 3)];
    let top_down = data[0] & 4 == 0;
    let pad = usize::from((data[0] >> 3) & 3);
    let chunk = chunk_bytes(data[0] >> 5, data[4]);
    let width = u32::from(u16::from_le_bytes([data[1], data[2]])) % 4096 + 1;
    let height = (u32::from(data[3]) % 64 + 1).min((MAX_AREA / width).max(1));
    let pixels = &data[5..];

    let row = format.row_bytes(width).unwrap() as usize;
    let h = height as usize;
    // Packed rows in memory order: what the decoder must give back.
    let packed: Vec<u8> = (0..row * h).map(|i| if pixels.is_empty() { 0 } else { pixels[i % pixels.len()] }).collect();
    let mut stored = vec![data[0] ^ 0x3c; (row + pad) * h];
    for (dst, src) in stored.chunks_exact_mut(row + pad).zip(packed.chunks_exact(row)) {
        dst[..row].copy_from_slice(src);
    }
    let img = Image::from_vec(ImageDesc { width, height, stride: row + pad, format, top_down }, stored).unwrap();
    let label = format!("{format:?} {width}x{height} pad {pad} top_down {top_down} chunk {chunk}");

    let options = lz4::Options { chunk_bytes: chunk };
    let stream = lz4::encode_with(&img.as_ref(), &options).expect("encode");
    assert_eq!(stream[0], u8::from(top_down), "{label}");
    assert_eq!(Some(stream[1]), format.spice_code(), "{label}");
    let tight = Image::from_vec(ImageDesc { width, height, stride: row, format, top_down }, packed.clone()).unwrap();
    let tight_stream = lz4::encode_with(&tight.as_ref(), &options).expect("encode packed");
    assert!(stream == tight_stream, "{label}: stream depends on row padding");
    if chunk == lz4::DEFAULT_CHUNK_BYTES {
        assert!(lz4::encode(&img.as_ref()).expect("encode with defaults") == stream, "{label}: default options differ");
    }

    let back = lz4::decode(&stream, width, height, &Limits::default()).expect("decode our own stream");
    assert_eq!((back.width(), back.height()), (width, height), "{label}");
    assert_eq!((back.format(), back.desc().top_down), (format, top_down), "{label}");
    if let Some(i) = back.data().iter().zip(&packed).position(|(a, b)| a != b) {
        panic!("{label}: first wrong byte {i}");
    }
    assert_eq!(back.data().len(), packed.len(), "{label}");
    assert!(back.to_bgrx().unwrap() == img.to_bgrx().unwrap(), "{label}: picture differs");

    let mut buf = vec![0x5a; packed.len() + 5];
    let header = lz4::decode_into(&stream, width, height, &mut buf).expect("decode_into our own stream");
    assert_eq!((header.format, header.top_down), (format, top_down), "{label}");
    assert!(buf[..packed.len()] == packed[..], "{label}: decode_into disagrees");
    assert!(buf[packed.len()..].iter().all(|&b| b == 0x5a), "{label}: decode_into wrote past the image");
});
