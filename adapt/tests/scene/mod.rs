//! A test screen shared by the engine's closed-loop tests.

use paprika_adapt::network::{Micros, SECOND};
use paprika_adapt::sim::FrameSequence;
use paprika_codecs::{Image, ImageDesc, PixelFormat, Rect};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn load(path: &str) -> (u32, u32, Vec<u8>) {
    let img = image::open(format!("{ROOT}/{path}")).expect("test picture").to_rgba8();
    let (w, h) = img.dimensions();
    let bgrx = img.pixels().flat_map(|p| [p[2], p[1], p[0], 255]).collect();
    (w, h, bgrx)
}

/// Copies `w` x `h` pixels from (`sx`, `sy`) of `src` (stride `sw` pixels) to (`dx`, `dy`) of `dst`.
#[allow(clippy::too_many_arguments)]
fn blit(dst: &mut [u8], dw: u32, dx: u32, dy: u32, src: &[u8], sw: u32, sx: u32, sy: u32, w: u32, h: u32) {
    for y in 0..h {
        let d = (((dy + y) * dw + dx) * 4) as usize;
        let s = (((sy + y) * sw + sx) * 4) as usize;
        dst[d..d + w as usize * 4].copy_from_slice(&src[s..s + w as usize * 4]);
    }
}

/// 3 s at 30 fps on a 640x448 terminal: a character typed every 100 ms, a photo
/// replaced at 1 s, a 192x128 window panning over a photo from 1.5 s on.
pub fn scene() -> FrameSequence {
    let (w, h, base) = load("corpora/classify/screen_terminal.png");
    let (cw, _, chelsea) = load("corpora/vectors/inputs/photo_chelsea.png");
    let (rw, _, rocket) = load("corpora/vectors/inputs/photo_rocket.png");
    let (aw, _, astro) = load("corpora/vectors/inputs/photo_astronaut.png");
    let mut screen = base.clone();
    blit(&mut screen, w, 352, 224, &chelsea, cw, 60, 40, 256, 192);
    let mut frames = Vec::new();
    let desc = ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap();
    for f in 0..90u32 {
        let t = Micros::from(f) * SECOND / 30;
        let mut rects = Vec::new();
        if f > 0 && f % 3 == 0 {
            // Typing: a glyph cell from the screenshot's text lands on the prompt line.
            let k = f / 3;
            let (dx, dy) = (8 + (k % 60) * 8, 400);
            blit(&mut screen, w, dx, dy, &base, w, 16 + (k * 8) % 400, 40 + (k % 5) * 16, 8, 16);
            rects.push(Rect::new(dx, dy, 8, 16));
        }
        if f == 30 {
            blit(&mut screen, w, 352, 224, &rocket, rw, 200, 100, 256, 192);
            rects.push(Rect::new(352, 224, 256, 192));
        }
        if f >= 45 {
            let pan = (f - 45) * 4;
            blit(&mut screen, w, 32, 192, &astro, aw, 100 + pan, 150 + pan / 2, 192, 128);
            rects.push(Rect::new(32, 192, 192, 128));
        }
        let hint = if f == 0 { vec![Rect::new(0, 0, w, h)] } else { rects };
        frames.push((t, Image::from_vec(desc, screen.clone()).unwrap(), Some(hint)));
    }
    FrameSequence::new(frames)
}
