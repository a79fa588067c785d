//! Builds a sequence of small images from the input, encodes them with one
//! dictionary and decodes them with one window: every frame must come back
//! exactly, and the window must hold what the dictionary holds. Input layout:
//!
//! * byte 0: the window, `(b % 64 + 2) * 256` pixels;
//! * then frames of 4 header bytes — type (low 2 bits: RGB32, RGBA, RGB24,
//!   RGB16; bit 2: bottom-up; bit 3: copy the previous frame of that size
//!   shifted by byte 3's two nibbles), width − 1 (mod 64), height − 1 (mod 32),
//!   shift — followed by 16 bytes of pixels repeated cyclically over the frame.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use paprika_codecs::glz::{GlzDictionary, GlzEncoder, GlzWindow};
use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::{Limits, lz};

const TYPES: [lz::ImageType; 4] = [lz::ImageType::Rgb32, lz::ImageType::Rgba, lz::ImageType::Rgb24, lz::ImageType::Rgb16];

fuzz_target!(|data: &[u8]| {
    let Some((&w0, mut rest)) = data.split_first() else { return };
    let window = (u64::from(w0) % 64 + 2) * 256;
    let mut enc = GlzEncoder::new(Arc::new(GlzDictionary::new(window).expect("window")));
    let mut client = GlzWindow::new(window, Limits::default());
    let mut previous: Vec<(u32, u32, Vec<u8>)> = Vec::new();
    while rest.len() >= 20 {
        let (head, px) = (&rest[..4], &rest[4..20]);
        rest = &rest[20..];
        let ty = TYPES[usize::from(head[0] & 3)];
        let (w, h) = (u32::from(head[1]) % 64 + 1, u32::from(head[2]) % 32 + 1);
        if u64::from(w * h) >= window {
            continue;
        }
        let n = (w * h) as usize;
        let same_size = previous.iter().rev().find(|p| p.0 == w && p.1 == h);
        let bgra: Vec<u8> = match same_size {
            Some((_, _, src)) if head[0] & 8 != 0 => {
                let (dx, dy) = (usize::from(head[3] & 15), usize::from(head[3] >> 4));
                (0..n)
                    .flat_map(|i| {
                        let (x, y) = (i % w as usize, i / w as usize);
                        let s = ((y + dy) % h as usize) * w as usize + (x + dx) % w as usize;
                        src[4 * s..4 * s + 4].to_vec()
                    })
                    .collect()
            }
            _ => (0..4 * n).map(|i| px[i % 16]).collect(),
        };
        previous.push((w, h, bgra.clone()));
        let img = Image::from_vec(ImageDesc::packed(w, h, PixelFormat::Bgra32).unwrap(), bgra).unwrap();
        let img = img.convert(ty.pixel_format()).expect("convert");
        let img = if head[0] & 4 != 0 { img.flipped_storage() } else { img };
        let (stream, frame) = enc.encode(&img.as_ref(), ty).expect("encode");
        let back = client.decode(&stream).expect("decode our own stream");
        assert_eq!(back.id(), frame.id);
        assert!(back.image().to_bgrx().unwrap() == img.to_bgrx().unwrap(), "frame {} differs", frame.id);
        assert_eq!(client.ids().collect::<Vec<_>>(), enc.dictionary().ids());
    }
});
