//! Video detection on synthetic sequences built from real pictures, frame by frame
//! through `DamageTracker` and `Classifier` with their default settings.
//!
//! - A 320x240 window of a photo panned a few pixels a frame inside a static text
//!   screenshot: detected as Video within 10 frames of motion; no tile away from
//!   it ever becomes Video; once the motion stops, the tiles leave Video within 30
//!   frames (the exit is deliberately slow, like SPICE's 1 s stream timeout).
//! - A blinking cursor (2x16, toggling every 15 frames) and typing (1 to 3 glyph
//!   cells a frame, copied from the screenshot's own text, at random places along a
//!   line) for 1800 frames (a minute at 30 fps): never a Video tile.
//! - An editor window dragged over a photo at 4 to 48 pixels a frame (window drags
//!   are the other classic false stream): never a Video tile either. (Without the
//!   2x2-block rule of the classifier, drags at 16 and 24 pixels a frame made 11
//!   tile entries into Video: the window's edges change a line of photo tiles.)
//!
//! Numbers print with `cargo test -p paprika-adapt --test video_detect -- --nocapture`.

use paprika_adapt::classify::{Class, Classifier, ClassifierConfig};
use paprika_adapt::damage::{DEFAULT_TILE, DamageTracker, TileGrid};
use paprika_codecs::{Image, ImageDesc, ImageRef, PixelFormat, Rect};

fn load(path: &str) -> Image {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    let img = image::open(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    Image::from_dynamic(&img).convert(PixelFormat::Bgrx32).expect("to BGRX")
}

mod common;
use common::Rng;

/// A packed BGRX canvas.
#[derive(Clone)]
struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Canvas {
    fn from_image(img: &Image) -> Canvas {
        let r = img.as_ref();
        let mut px = Vec::new();
        for y in 0..r.height() {
            px.extend_from_slice(r.row(y));
        }
        Canvas { w: r.width(), h: r.height(), px }
    }

    fn frame(&self) -> ImageRef<'_> {
        ImageRef::new(ImageDesc::packed(self.w, self.h, PixelFormat::Bgrx32).unwrap(), &self.px).unwrap()
    }

    /// Copies `src`'s `from` rectangle to `(x, y)`.
    fn blit(&mut self, src: &Canvas, from: Rect, x: u32, y: u32) {
        for k in 0..from.height {
            let s = ((from.y + k) * src.w + from.x) as usize * 4;
            let d = ((y + k) * self.w + x) as usize * 4;
            let n = from.width as usize * 4;
            self.px[d..d + n].copy_from_slice(&src.px[s..s + n]);
        }
    }

    fn fill(&mut self, r: Rect, bgrx: [u8; 4]) {
        for y in r.y..r.y + r.height {
            for x in r.x..r.x + r.width {
                let d = (y * self.w + x) as usize * 4;
                self.px[d..d + 4].copy_from_slice(&bgrx);
            }
        }
    }
}

/// Tracker and classifier over one surface.
struct Pipeline {
    tracker: DamageTracker,
    classifier: Classifier,
    frame: u64,
}

impl Pipeline {
    fn new(w: u32, h: u32) -> Pipeline {
        let tracker = DamageTracker::new(w, h, DEFAULT_TILE).unwrap();
        let classifier = Classifier::new(*tracker.grid(), ClassifierConfig::default());
        Pipeline { tracker, classifier, frame: 0 }
    }

    fn push(&mut self, c: &Canvas) {
        let f = c.frame();
        let d = self.tracker.update(&f, None, self.frame).unwrap();
        self.classifier.observe(&f, &d, &self.tracker).unwrap();
        self.frame += 1;
    }

    fn grid(&self) -> TileGrid {
        *self.tracker.grid()
    }

    fn video_tiles(&self) -> Vec<usize> {
        (0..self.grid().len()).filter(|&i| self.classifier.class(i) == Some(Class::Video)).collect()
    }
}

#[test]
fn panned_photo_becomes_video_within_10_frames_and_leaves_within_30() {
    let screen = Canvas::from_image(&load("corpora/vectors/inputs/screen_llvmcov.png"));
    let photo = Canvas::from_image(&load("corpora/vectors/inputs/photo_astronaut.png"));
    let video = Rect::new(420, 300, 320, 240); // not tile-aligned on purpose
    let mut canvas = screen.clone();
    let mut p = Pipeline::new(canvas.w, canvas.h);
    let grid = p.grid();
    let inner: Vec<usize> =
        (0..grid.len()).filter(|&i| grid.tile_rect(i).intersect(&video) == grid.tile_rect(i)).collect();
    let near: Vec<bool> = (0..grid.len()).map(|i| !grid.tile_rect(i).intersect(&video).is_empty()).collect();
    assert!(inner.len() >= 8);

    let (mut ox, mut oy, mut dx, mut dy) = (40i32, 30i32, 3i32, 2i32);
    let mut draw = |canvas: &mut Canvas, step: bool| {
        if step {
            if ox + dx < 0 || ox + dx > (photo.w - video.width) as i32 {
                dx = -dx;
            }
            if oy + dy < 0 || oy + dy > (photo.h - video.height) as i32 {
                dy = -dy;
            }
            ox += dx;
            oy += dy;
        }
        canvas.blit(&photo, Rect::new(ox as u32, oy as u32, video.width, video.height), video.x, video.y);
    };
    // Static for 30 frames (the photo shown, not moving), then 90 frames of motion,
    // then static again.
    let (start, stop, end) = (30u64, 120u64, 200u64);
    let (mut detected, mut left) = (None, None);
    let mut fractions = Vec::new();
    for f in 0..end {
        draw(&mut canvas, (start..stop).contains(&f));
        p.push(&canvas);
        let videos = p.video_tiles();
        assert!(videos.iter().all(|&i| near[i]), "frame {f}: Video away from the video rect");
        let all_inner = inner.iter().all(|i| videos.contains(i));
        if f >= start && f < stop && detected.is_none() && all_inner {
            detected = Some(f - start + 1);
        }
        if f >= stop && left.is_none() && videos.is_empty() {
            left = Some(f - stop + 1);
        }
        if f < start {
            assert!(videos.is_empty(), "frame {f}: Video before any motion");
        }
        if (start + 1..stop).contains(&f) {
            for &i in &inner {
                fractions.push(p.tracker.history(i).last_fraction);
            }
        }
        if f == stop - 1 {
            // While it plays, the Video regions cover the inner tiles in few rectangles.
            let regions: Vec<Rect> =
                p.classifier.regions().into_iter().filter(|&(_, c)| c == Class::Video).map(|(r, _)| r).collect();
            println!("Video regions while playing: {regions:?}");
            assert!(regions.len() <= 4);
        }
    }
    fractions.sort_by(f32::total_cmp);
    let detected = detected.expect("video never detected");
    let left = left.expect("video never left");
    println!(
        "panned photo: all {} inner tiles Video after {detected} frames of motion; Video left {left} frames after the motion stopped; inner tiles' changed fraction: min {:.3}, 10th percentile {:.3}, median {:.3}",
        inner.len(),
        fractions[0],
        fractions[fractions.len() / 10],
        fractions[fractions.len() / 2]
    );
    assert!(detected <= 10, "detected after {detected} frames");
    assert!(left <= 30, "left after {left} frames");
}

/// Glyph cells: 7x14 patches of the screenshot's code text with some ink in them.
fn glyphs(screen: &Canvas, rng: &mut Rng) -> Vec<Rect> {
    let mut out = Vec::new();
    while out.len() < 64 {
        let r = Rect::new(390 + rng.below(700), 40 + rng.below(700), 7, 14);
        let ink = (r.y..r.y + r.height)
            .flat_map(|y| (r.x..r.x + r.width).map(move |x| (x, y)))
            .filter(|&(x, y)| screen.px[((y * screen.w + x) * 4) as usize] < 128)
            .count();
        if ink >= 8 {
            out.push(r);
        }
    }
    out
}

#[test]
fn cursor_and_typing_never_make_video_in_1800_frames() {
    let screen = Canvas::from_image(&load("corpora/vectors/inputs/screen_llvmcov.png"));
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let cells = glyphs(&screen, &mut rng);
    let mut canvas = screen.clone();
    let mut p = Pipeline::new(canvas.w, canvas.h);
    let cursor = Rect::new(300, 400, 2, 16);
    let line_y = 640;
    let (mut video_frames, mut entries, mut changed_tiles) = (0u32, 0u32, 0u64);
    let mut was_video = vec![false; p.grid().len()];
    for f in 0..1800u64 {
        // Cursor: on for 15 frames, off for 15.
        let on = (f / 15) % 2 == 0;
        canvas.fill(cursor, if on { [0, 0, 0, 0] } else { [255, 255, 255, 0] });
        // Typing: 1 to 3 glyph cells a frame along a line, every frame.
        for _ in 0..1 + rng.below(3) {
            let g = cells[rng.below(cells.len() as u32) as usize];
            let x = 260 + 7 * rng.below(120);
            canvas.blit(&screen, g, x, line_y);
        }
        p.push(&canvas);
        if f > 0 {
            changed_tiles += p.tracker.histories().iter().filter(|h| h.last_changed == Some(f)).count() as u64;
        }
        let v = p.video_tiles();
        video_frames += u32::from(!v.is_empty());
        for (i, w) in was_video.iter_mut().enumerate() {
            let now = v.contains(&i);
            entries += u32::from(now && !*w);
            *w = now;
        }
    }
    println!(
        "cursor + typing, 1800 frames: {video_frames} frames with a Video tile, {entries} Video entries, {:.1} changed tiles a frame",
        changed_tiles as f64 / 1799.0
    );
    assert_eq!(video_frames, 0);
    assert_eq!(entries, 0);
}

#[test]
fn window_drag_over_photo_never_makes_video() {
    // Background: the astronaut photo mirrored to 1024x768; the window: the editor
    // window of seq_drag_0.
    let astro = Canvas::from_image(&load("corpora/vectors/inputs/photo_astronaut.png"));
    let drag = Canvas::from_image(&load("corpora/vectors/inputs/seq_drag_0.png"));
    let mut bg = Canvas { w: 1024, h: 768, px: vec![0; 1024 * 768 * 4] };
    for y in 0..768u32 {
        for x in 0..1024u32 {
            let sx = if (x / 512) % 2 == 0 { x % 512 } else { 511 - x % 512 };
            let sy = if (y / 512) % 2 == 0 { y % 512 } else { 511 - y % 512 };
            let s = ((sy * 512 + sx) * 4) as usize;
            let d = ((y * 1024 + x) * 4) as usize;
            bg.px[d..d + 4].copy_from_slice(&astro.px[s..s + 4]);
        }
    }
    let window = Rect::new(60, 50, 527, 347);
    let mut total_entries = 0;
    for speed in [4u32, 8, 16, 24, 48] {
        let mut p = Pipeline::new(1024, 768);
        let (mut x, mut y, mut dx, mut dy) = (0i64, 0i64, speed as i64, (speed / 2) as i64);
        let mut was = vec![false; p.grid().len()];
        let (mut entries, mut frames) = (0u32, 0u32);
        for _ in 0..300 {
            if x + dx < 0 || x + dx > (1024 - window.width) as i64 {
                dx = -dx;
            }
            if y + dy < 0 || y + dy > (768 - window.height) as i64 {
                dy = -dy;
            }
            x += dx;
            y += dy;
            let mut c = bg.clone();
            c.blit(&drag, window, x as u32, y as u32);
            p.push(&c);
            let v = p.video_tiles();
            frames += u32::from(!v.is_empty());
            for (i, w) in was.iter_mut().enumerate() {
                let now = v.contains(&i);
                entries += u32::from(now && !*w);
                *w = now;
            }
        }
        println!(
            "window drag at {speed} px/frame, 300 frames: {frames} frames with a Video tile, {entries} tile entries into Video"
        );
        total_entries += entries;
    }
    println!("window drags: {total_entries} tile entries into Video in all");
    assert_eq!(total_entries, 0);
}
