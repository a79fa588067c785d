//! The GLZ decoder and window under hostile or unlucky input: truncations, bit
//! flips, crafted references, out-of-order arrival, window limits. Every case
//! must end in a typed error (or an image), never a panic or a hang, and a
//! failed decode must leave the window as it was.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use paprika_codecs::error::{Codec, Error, FormatKind, LimitKind};
use paprika_codecs::glz::{
    GlzDictionary, GlzEncoder, GlzWindow, Header, MAX_WINDOW_PIXELS, SharedGlzWindow, write_header,
};
use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::{Limits, lz};

fn glz_err(kind: FormatKind) -> Error {
    Error::Format { codec: Codec::Glz, kind }
}

fn window() -> GlzWindow {
    GlzWindow::new(MAX_WINDOW_PIXELS, Limits::default())
}

/// A hand-made stream: header fields, then `body`.
fn stream(ty: lz::ImageType, w: u32, h: u32, id: u64, win_head_dist: u32, body: &[u8]) -> Vec<u8> {
    let stride = lz::min_stride(ty, w).unwrap();
    let mut v = Vec::new();
    write_header(&mut v, &Header { image_type: ty, top_down: true, width: w, height: h, stride, id, win_head_dist });
    v.extend_from_slice(body);
    v
}

/// `n` literal RGB pixels (n ≤ 32) of the grey level `g`.
fn literals(n: u8, g: u8) -> Vec<u8> {
    let mut v = vec![n - 1];
    v.extend(std::iter::repeat_n(g, 3 * n as usize));
    v
}

/// A short-form match of `len` (< 7) RGB pixels at `offset` (< 4096) of the image
/// `image_dist` (< 64) back.
fn short_match(len: u8, offset: u16, image_dist: u8) -> Vec<u8> {
    vec![len << 5 | (offset & 15) as u8, (offset >> 4) as u8, image_dist]
}

#[test]
fn crafted_references_get_typed_errors_and_leave_the_window_alone() {
    let rgb = lz::ImageType::Rgb32;
    let mut w = window();
    w.decode(&stream(rgb, 4, 1, 0, 0, &literals(4, 10))).unwrap();
    w.decode(&stream(lz::ImageType::Rgba, 4, 1, 1, 1, &[literals(4, 20), vec![3, 1, 2, 3, 4]].concat())).unwrap();

    // Past the end of image 0: 4 pixels from offset 2 of a 4-pixel image.
    let past = stream(rgb, 4, 1, 2, 2, &short_match(4, 2, 2));
    assert_eq!(
        w.decode(&past).unwrap_err(),
        glz_err(FormatKind::OffsetOutsideImage { id: 0, offset: 2, len: 4, pixels: 4 })
    );
    // Into image 1, which is RGBA.
    let other_type = stream(rgb, 4, 1, 2, 2, &short_match(4, 0, 1));
    assert_eq!(w.decode(&other_type).unwrap_err(), glz_err(FormatKind::ImageTypeMismatch { id: 1 }));
    // Beyond the stream's own window head (image 0 with win_head_dist 1).
    let beyond = stream(rgb, 4, 1, 2, 1, &short_match(4, 0, 2));
    assert_eq!(w.decode(&beyond).unwrap_err(), glz_err(FormatKind::ImageNotInWindow { id: 0 }));
    // Inside the image, before its first pixel.
    let before = stream(rgb, 4, 1, 2, 0, &[literals(1, 1), short_match(3, 1, 0)].concat());
    assert_eq!(w.decode(&before).unwrap_err(), glz_err(FormatKind::BadReference { distance: 2, available: 1 }));
    // Longer than the image.
    let long = stream(rgb, 4, 1, 2, 2, &short_match(5, 0, 2));
    assert_eq!(w.decode(&long).unwrap_err(), glz_err(FormatKind::OutputOverflow { needed: 5, room: 4 }));
    // A second image 1.
    assert_eq!(
        w.decode(&stream(rgb, 4, 1, 1, 1, &literals(4, 1))).unwrap_err(),
        glz_err(FormatKind::DuplicateImage { id: 1 })
    );
    // Bytes after the image.
    let trailing = stream(rgb, 4, 1, 2, 0, &[literals(4, 1), vec![0]].concat());
    assert_eq!(w.decode(&trailing).unwrap_err(), glz_err(FormatKind::TrailingData { unread: 1 }));
    assert_eq!(w.ids().collect::<Vec<_>>(), [0, 1], "failed decodes changed the window");

    // A good image 2 that copies image 0 whole, then image 3 whose head drops 0..=1.
    let good = w.decode(&stream(rgb, 4, 1, 2, 2, &short_match(4, 0, 2))).unwrap();
    assert_eq!(good.image().data(), [10, 10, 10, 0].repeat(4));
    w.decode(&stream(rgb, 4, 1, 3, 1, &literals(4, 30))).unwrap();
    assert_eq!(w.ids().collect::<Vec<_>>(), [2, 3]);
    // Image 0 is gone for good: not a wait.
    let gone = stream(rgb, 4, 1, 4, 4, &short_match(4, 0, 4));
    assert_eq!(w.decode(&gone).unwrap_err(), glz_err(FormatKind::ImageNotInWindow { id: 0 }));
}

#[test]
fn out_of_order_images_wait_and_then_decode() {
    let (s0, s1) = {
        let mut enc = GlzEncoder::new(Arc::new(GlzDictionary::new(8 << 20).unwrap()));
        let img = load_png("inputs/seq_scroll_0.png");
        let next = load_png("inputs/seq_scroll_1.png");
        (
            enc.encode(&img.as_ref(), lz::ImageType::Rgb32).unwrap().0,
            enc.encode(&next.as_ref(), lz::ImageType::Rgb32).unwrap().0,
        )
    };
    // Image 2 from another channel: it needs nothing, and its head drops 0 and 1.
    let s2 = stream(lz::ImageType::Rgb32, 4, 1, 2, 0, &literals(4, 7));
    let mut w = window();
    // Image 1 references image 0, which has not arrived: the caller is told, nothing changes.
    assert_eq!(w.decode(&s1).unwrap_err(), Error::WaitingForImage { id: 0 });
    assert_eq!(w.ids().count(), 0);
    w.decode(&s0).unwrap();
    w.decode(&s2).unwrap(); // out of order: 2 before 1
    assert_eq!(w.ids().collect::<Vec<_>>(), [0, 2], "nothing released while 1 is missing");
    let one = w.decode(&s1).unwrap();
    assert_eq!(one.image().to_bgrx().unwrap(), load_png("inputs/seq_scroll_1.png").to_bgrx().unwrap());
    assert_eq!(w.ids().collect::<Vec<_>>(), [2], "the gap closed: released up to image 2's head");

    // The same with two threads sharing a window: the thread given image 1 first
    // waits until the other has decoded image 0.
    let shared = Arc::new(SharedGlzWindow::new(window()));
    let waiter = {
        let (shared, s1) = (shared.clone(), s1.clone());
        std::thread::spawn(move || shared.decode(&s1, Duration::from_secs(20)).map(|i| i.id()))
    };
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(shared.decode(&s0, Duration::ZERO).unwrap().id(), 0);
    assert_eq!(waiter.join().unwrap(), Ok(1));
    // And with no one to deliver image 0, the wait ends with the same answer as above.
    let lonely = SharedGlzWindow::new(window());
    assert_eq!(lonely.decode(&s1, Duration::from_millis(20)).unwrap_err(), Error::WaitingForImage { id: 0 });
    assert_eq!(lonely.with(|w| w.ids().count()), 0);
}

#[test]
fn the_window_refuses_images_past_its_pixel_limit_before_decoding() {
    let mut w = GlzWindow::new(10, Limits::default());
    w.decode(&stream(lz::ImageType::Rgb32, 4, 1, 0, 0, &literals(4, 1))).unwrap();
    w.decode(&stream(lz::ImageType::Rgb32, 4, 1, 1, 1, &literals(4, 2))).unwrap();
    // Image 2 keeps image 0 and 1 (win_head_dist 2): 12 pixels would be held.
    let keep_all = stream(lz::ImageType::Rgb32, 4, 1, 2, 2, &literals(4, 3));
    assert_eq!(w.decode(&keep_all).unwrap_err(), Error::Limits { what: LimitKind::WindowPixels, actual: 12, max: 10 });
    assert_eq!(w.ids().collect::<Vec<_>>(), [0, 1]);
    // With win_head_dist 1 image 0 is released first, and it fits.
    w.decode(&stream(lz::ImageType::Rgb32, 4, 1, 2, 1, &literals(4, 3))).unwrap();
    assert_eq!((w.ids().collect::<Vec<_>>(), w.held_pixels()), (vec![1, 2], 8));
    // A header claiming a huge image fails on the limits, not on an allocation.
    let huge = stream(lz::ImageType::Rgb32, 16_000, 16_000, 3, 0, &literals(4, 3));
    let mut big = GlzWindow::new(MAX_WINDOW_PIXELS, Limits::default());
    assert!(matches!(big.decode(&huge), Err(Error::Format { kind: FormatKind::TooShortForSize { .. }, .. })));
    let tight = Limits { max_alloc_bytes: 1 << 20, ..Limits::default() };
    let claims = stream(lz::ImageType::Rgb32, 1024, 1024, 0, 0, &vec![0xff; 20_000]);
    assert!(matches!(
        GlzWindow::new(MAX_WINDOW_PIXELS, tight).decode(&claims),
        Err(Error::Limits { what: LimitKind::Bytes, .. })
    ));
}

#[test]
fn truncations_and_bit_flips_never_panic_or_hang() {
    with_watchdog(120, || {
        let seq: Vec<Vec<u8>> = (0..5).map(|k| read(&format!("glz/seq_scroll/{k}.glz"))).collect();
        let logo: Vec<Vec<u8>> = (0..3).map(|k| read(&format!("glz/seq_logo/{k}.glz"))).collect();
        let mut rng = Rng(0x61f5);
        for frames in [&seq, &logo] {
            // A window holding the good frames before the one being broken.
            for target in 0..frames.len() {
                let mut base = window();
                for f in &frames[..target] {
                    base.decode(f).unwrap();
                }
                let good = &frames[target];
                let cuts = (0..60).map(|_| rng.below(good.len() as u64) as usize);
                for cut in cuts.chain([0, 1, 32, 33, good.len() - 1]) {
                    let input = &good[..cut];
                    let mut w = clone_of(&base, frames, target);
                    let r =
                        decode_guarded("glz_cut", input, Duration::from_secs(5), &|| format!("cut at {cut}"), || {
                            w.decode(input)
                        });
                    assert!(r.is_err(), "frame {target} cut at {cut} decoded");
                }
                for _ in 0..150 {
                    let mut input = good.clone();
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(input.len() as u64) as usize;
                        input[at] ^= 1 << rng.below(8);
                    }
                    let mut w = clone_of(&base, frames, target);
                    let before: Vec<u64> = w.ids().collect();
                    let r = decode_guarded("glz_flip", &input, Duration::from_secs(5), &|| "bit flips".into(), || {
                        w.decode(&input)
                    });
                    if r.is_err() {
                        assert_eq!(w.ids().collect::<Vec<_>>(), before, "a failed decode changed the window");
                    }
                }
            }
        }
    });
}

/// A fresh window holding `frames[..n]` (the window has no `Clone`: images are shared).
fn clone_of(_base: &GlzWindow, frames: &[Vec<u8>], n: usize) -> GlzWindow {
    let mut w = window();
    for f in &frames[..n] {
        w.decode(f).unwrap();
    }
    w
}

#[test]
fn encoders_on_threads_share_one_dictionary() {
    // Four channels encode at once against one dictionary; a client decoding the
    // streams in id order gets every frame back exactly.
    let dict = Arc::new(GlzDictionary::new(3 << 20).unwrap());
    let frames: Arc<Vec<Image>> = Arc::new((0..5).map(|k| load_png(&format!("inputs/seq_scroll_{k}.png"))).collect());
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (dict, frames) = (dict.clone(), frames.clone());
            std::thread::spawn(move || {
                let mut enc = GlzEncoder::new(dict);
                (0..5)
                    .map(|k| {
                        let f = &frames[(k + t) % 5];
                        let (bytes, frame) = enc.encode(&f.as_ref(), lz::ImageType::Rgb32).unwrap();
                        (frame.id, bytes, (k + t) % 5)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<(u64, Vec<u8>, usize)> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    all.sort_by_key(|a| a.0);
    assert_eq!(all.iter().map(|a| a.0).collect::<Vec<_>>(), (0..20).collect::<Vec<_>>(), "ids are one sequence");
    let mut w = GlzWindow::new(3 << 20, Limits::default());
    for (id, bytes, k) in &all {
        let img = w.decode(bytes).unwrap_or_else(|e| panic!("image {id}: {e}"));
        assert_eq!(img.image().to_bgrx().unwrap(), frames[*k].to_bgrx().unwrap(), "image {id}");
        assert!(w.held_pixels() <= 3 << 20);
    }
    assert!(dict.held_pixels() <= 3 << 20);
}

#[test]
fn rgb16_and_rgb24_streams_decode_like_the_reference_client() {
    // RGB24 decodes to the same pixels as RGB32; RGB16 widens 5-bit channels.
    let img = load_png("inputs/screen_rustdoc.png");
    let mut enc = GlzEncoder::new(Arc::new(GlzDictionary::new(8 << 20).unwrap()));
    let mut w = window();
    let bgr = img.convert(PixelFormat::Bgr24).unwrap();
    let (s24, _) = enc.encode(&bgr.as_ref(), lz::ImageType::Rgb24).unwrap();
    assert_eq!(w.decode(&s24).unwrap().image().to_bgrx().unwrap(), img.to_bgrx().unwrap());
    let r555 = img.convert(PixelFormat::Rgb555).unwrap();
    let (s16, _) = enc.encode(&r555.as_ref(), lz::ImageType::Rgb16).unwrap();
    let back = w.decode(&s16).unwrap();
    assert_eq!(back.image().to_bgrx().unwrap(), r555.to_bgrx().unwrap());
    assert_eq!(
        *back.image().desc(),
        ImageDesc {
            stride: img.width() as usize * 4,
            ..ImageDesc::packed(img.width(), img.height(), PixelFormat::Bgrx32).unwrap()
        }
    );
}
