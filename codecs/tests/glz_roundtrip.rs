//! Property tests: random sequences of images (sizes, types, row orders, content
//! that repeats across frames) coded with one dictionary and random window
//! sizes, decoded with one window of the same size. Every frame must come back
//! exactly, and neither the dictionary nor the window may ever hold more pixels
//! than the window.

mod common;

use std::sync::Arc;

use common::Rng;
use paprika_codecs::glz::{GlzDictionary, GlzEncoder, GlzWindow};
use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::{Limits, lz};
use proptest::prelude::*;
use proptest::test_runner::Config;

const TYPES: [lz::ImageType; 4] =
    [lz::ImageType::Rgb32, lz::ImageType::Rgba, lz::ImageType::Rgb24, lz::ImageType::Rgb16];

/// A frame: its type, row order, and B,G,R,A pixels top-down.
#[derive(Debug, Clone)]
struct Frame {
    ty: lz::ImageType,
    top_down: bool,
    width: u32,
    height: u32,
    bgra: Vec<u8>,
}

/// Generates a sequence from a seed: each frame is new few-colour content or a
/// previous frame of the same size shifted by a few rows and columns, with a
/// patch repainted (what scrolling, dragging and typing do).
fn sequence(seed: u64, frames: usize) -> Vec<Frame> {
    let mut rng = Rng(seed | 1);
    let mut out: Vec<Frame> = Vec::new();
    for _ in 0..frames {
        let ty = TYPES[rng.below(4) as usize];
        let top_down = rng.below(4) != 0;
        let reuse = out.iter().filter(|f| f.width * f.height > 1).count() > 0 && rng.below(3) != 0;
        let f = if reuse {
            let candidates: Vec<&Frame> = out.iter().collect();
            let src = candidates[rng.below(candidates.len() as u64) as usize];
            let (w, h) = (src.width as i64, src.height as i64);
            let (dx, dy) = (rng.range(0, 5) as i64 - 2, rng.range(0, 9) as i64 - 4);
            let mut bgra = vec![0u8; src.bgra.len()];
            for y in 0..h {
                for x in 0..w {
                    let (sx, sy) = ((x + dx).rem_euclid(w), (y + dy).rem_euclid(h));
                    let (d, s) = (4 * (y * w + x) as usize, 4 * (sy * w + sx) as usize);
                    bgra[d..d + 4].copy_from_slice(&src.bgra[s..s + 4]);
                }
            }
            let (px, py) = (rng.below(w as u64) as i64, rng.below(h as u64) as i64);
            let colour = rng.next().to_le_bytes();
            for y in py..(py + 3).min(h) {
                for x in px..(px + 5).min(w) {
                    let d = 4 * (y * w + x) as usize;
                    bgra[d..d + 4].copy_from_slice(&colour[..4]);
                }
            }
            Frame { ty, top_down, width: src.width, height: src.height, bgra }
        } else {
            let (width, height) = (rng.range(1, 48) as u32, rng.range(1, 40) as u32);
            let colours: Vec<[u8; 4]> = (0..rng.range(1, 6)).map(|_| (rng.next() as u32).to_le_bytes()).collect();
            let mut bgra = Vec::with_capacity((width * height * 4) as usize);
            let mut c = colours[0];
            for _ in 0..width * height {
                if rng.below(6) == 0 {
                    c = colours[rng.below(colours.len() as u64) as usize];
                }
                bgra.extend_from_slice(&c);
            }
            Frame { ty, top_down, width, height, bgra }
        };
        out.push(f);
    }
    out
}

/// The frame as the encoder takes it: the type's pixel format, in its row order.
fn input(f: &Frame) -> Image {
    let bgra =
        Image::from_vec(ImageDesc::packed(f.width, f.height, PixelFormat::Bgra32).unwrap(), f.bgra.clone()).unwrap();
    let img = bgra.convert(f.ty.pixel_format()).unwrap();
    if f.top_down { img } else { img.flipped_storage() }
}

proptest! {
    #![proptest_config(Config { cases: 200, ..Config::default() })]

    #[test]
    fn sequences_round_trip_within_the_window(seed in any::<u64>(), frames in 1usize..8, window_factor in 1u64..5) {
        let seq = sequence(seed, frames);
        let biggest = seq.iter().map(|f| u64::from(f.width * f.height)).max().unwrap();
        let window = biggest * window_factor + 1;
        let dict = Arc::new(GlzDictionary::new(window).unwrap());
        let mut enc = GlzEncoder::new(dict.clone());
        let mut client = GlzWindow::new(window, Limits::default());
        for (k, f) in seq.iter().enumerate() {
            let img = input(f);
            let (bytes, frame) = enc.encode(&img.as_ref(), f.ty).unwrap();
            prop_assert_eq!(frame.id, k as u64);
            prop_assert!(dict.held_pixels() <= window);
            let back = client.decode(&bytes).map_err(|e| TestCaseError::fail(format!("frame {k}: {e}")))?;
            prop_assert_eq!(back.image().to_bgrx().unwrap(), img.to_bgrx().unwrap(), "frame {}", k);
            prop_assert!(client.held_pixels() <= window);
            // The client holds exactly the dictionary's window.
            prop_assert_eq!(client.ids().collect::<Vec<_>>(), dict.ids());
        }
    }
}
