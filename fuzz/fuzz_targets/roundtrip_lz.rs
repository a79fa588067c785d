//! Builds a small image of any LZ type from the input, encodes it, decodes it and
//! checks it the way `codecs/tests/lz_roundtrip.rs` does. Input layout:
//!
//! * byte 0: the type (`ImageType::ALL[b % 16 % 11]`, low 4 bits), bit 4 stores
//!   the bitmap bottom-up, bits 5..=6 add 0..=3 bytes of row padding;
//! * bytes 1..=2: width − 1 (little endian, modulo 9000, so rows wider than the
//!   8191-unit near window occur); byte 3: height − 1 (modulo 64); the area is
//!   capped at `MAX_AREA` pixels;
//! * the rest: the bytes of the type's input format (`ty.pixel_format()`: palette
//!   indexes, x1r5g5b5, B,G,R, B,G,R,X/A or alpha), repeated cyclically to fill
//!   the rows (zeros if none); the palette of the palette types is made from
//!   them too.
//!
//! Checks: the header says what was encoded, with the tightest stride; the stream
//! is no longer than all literals; padding, row storage and the bits LZ does not
//! code (the X byte of RGB32, bit 15 of RGB16) do not change the stream; the
//! decoded image has the geometry, the native bytes (X, bit 15, and B,G,R of XXXA
//! decode as 0; RGB24 decodes to B,G,R,0) and the BGRX picture of the source.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::image::{Image, ImageDesc, Palette, PixelFormat};
use paprika_codecs::{Limits, lz, lz::ImageType};

/// Largest image built, in pixels: keeps each run fast.
const MAX_AREA: u32 = 20_000;

/// The stream's size if every unit were a literal (as in `lz_roundtrip.rs`).
fn all_literal_bytes(ty: ImageType, width: u32, height: u32) -> usize {
    let row = lz::min_stride(ty, width).unwrap() as usize;
    let pass = |units: usize, bytes: usize| units * bytes + units.div_ceil(32);
    let px = width as usize * height as usize;
    lz::HEADER_BYTES
        + match ty {
            ImageType::Rgb32 | ImageType::Rgb24 => pass(px, 3),
            ImageType::Rgba => pass(px, 3) + pass(px, 1),
            ImageType::Rgb16 => pass(px, 2),
            ImageType::Xxxa => pass(px, 1),
            _ => pass(row * height as usize, 1),
        }
}

/// Packed top-down `rows` of `desc` stored in memory order (`desc.top_down` or
/// not), each followed by `pad` bytes of `junk`.
fn store(rows: &[u8], desc: ImageDesc, pad: usize, junk: u8) -> Image {
    let row = desc.row_bytes().unwrap();
    let height = desc.height as usize;
    let mut data = Vec::with_capacity((row + pad) * height);
    for mem in 0..height {
        let y = if desc.top_down { mem } else { height - 1 - mem };
        data.extend_from_slice(&rows[y * row..][..row]);
        data.extend(std::iter::repeat_n(junk, pad));
    }
    Image::from_vec(ImageDesc { stride: row + pad, ..desc }, data).unwrap()
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y).or((a.len() != b.len()).then(|| a.len().min(b.len())))
}

fn assert_same(what: &str, got: &[u8], want: &[u8]) {
    if let Some(i) = first_difference(got, want) {
        panic!("{what}: first difference at byte {i} of {} (got {:?}, want {:?})", want.len(), got.get(i), want.get(i));
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let ty = ImageType::ALL[usize::from(data[0] & 15) % 11];
    let top_down = data[0] & 16 == 0;
    let pad = usize::from((data[0] >> 5) & 3);
    let width = u32::from(u16::from_le_bytes([data[1], data[2]])) % 9000 + 1;
    let height = (u32::from(data[3]) % 64 + 1).min((MAX_AREA / width).max(1));
    let pixels = &data[4..];

    let format = ty.pixel_format();
    let row = format.row_bytes(width).unwrap() as usize;
    let rows: Vec<u8> =
        (0..row * height as usize).map(|i| if pixels.is_empty() { 0 } else { pixels[i % pixels.len()] }).collect();
    let junk = data[0] ^ 0x3c;
    let desc = ImageDesc { width, height, stride: row, format, top_down };
    let palette = ty.has_palette().then(|| {
        let n: u32 = match ty {
            ImageType::Plt1Le | ImageType::Plt1Be => 2,
            ImageType::Plt4Le | ImageType::Plt4Be => 16,
            _ => 256,
        };
        let seed = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
        Palette {
            id: u64::from(seed),
            entries: (0..n).map(|i| (i.wrapping_mul(0x0009_1e37) ^ seed) & 0x00ff_ffff).collect(),
        }
    });
    let mut img = store(&rows, desc, pad, junk);
    if let Some(p) = &palette {
        img = img.with_palette(p.clone());
    }
    let label = format!("{ty:?} {width}x{height} pad {pad} top_down {top_down}");

    let stream = lz::encode(&img.as_ref(), ty).expect("encode");
    assert!(stream.len() <= all_literal_bytes(ty, width, height), "{label}: {} bytes", stream.len());
    let header = lz::read_header(&stream).expect("header of our own stream");
    assert_eq!(
        (header.image_type, header.width, header.height, header.top_down),
        (ty, width, height, top_down),
        "{label}"
    );
    assert_eq!(Some(header.stride), lz::min_stride(ty, width), "{label}");

    // Same memory order, no padding, other garbage in the bits LZ ignores, encoded
    // into a dirty reused buffer: the same stream.
    let mut other = rows.clone();
    match format {
        PixelFormat::Bgrx32 => other.chunks_exact_mut(4).for_each(|p| p[3] ^= 0x5a),
        PixelFormat::Rgb555 => other.chunks_exact_mut(2).for_each(|p| p[1] ^= 0x80),
        _ => {}
    }
    let twin = store(&other, desc, 0, 0);
    let mut reused = vec![0xa5; 7];
    lz::encode_into(&twin.as_ref(), ty, &mut reused).expect("encode the twin");
    if let Some(i) = first_difference(&stream, &reused) {
        panic!("{label}: stream depends on padding or ignored bits (first difference at byte {i})");
    }

    let back = lz::decode(&stream, palette.as_ref(), &Limits::default()).expect("decode our own stream");
    assert_eq!((back.width(), back.height(), back.desc().top_down), (width, height, top_down), "{label}");
    let native = if ty == ImageType::Rgb24 { PixelFormat::Bgrx32 } else { format };
    assert_eq!(back.format(), native, "{label}");

    // Native bytes, in memory order.
    let mem = store(&rows, desc, 0, 0);
    let want: Vec<u8> = match ty {
        ImageType::Rgb32 => mem.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2], 0]).collect(),
        ImageType::Rgb24 => mem.data().chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 0]).collect(),
        ImageType::Rgb16 => mem.data().chunks_exact(2).flat_map(|p| [p[0], p[1] & 0x7f]).collect(),
        ImageType::Xxxa => mem.data().chunks_exact(4).flat_map(|p| [0, 0, 0, p[3]]).collect(),
        _ => mem.data().to_vec(),
    };
    assert_same(&format!("{label}: native"), back.data(), &want);

    // The picture: what the source shows (B, G, R of XXXA decode as 0).
    let mut bgrx = img.to_bgrx().expect("source to BGRX");
    if ty == ImageType::Xxxa {
        bgrx.chunks_exact_mut(4).for_each(|p| p[..3].fill(0));
    }
    assert_same(&format!("{label}: BGRX"), &back.to_bgrx().expect("decoded to BGRX"), &bgrx);
});
