//! The damage tracker is exact: on random frames the changed tiles are exactly those
//! with a changed B, G or R byte (any byte for BGRA), whatever the storage (top-down,
//! bottom-up, padded stride with changing padding), the hint, the tile size or the
//! threading; X-only changes of BGRX are ignored. The merged rectangles cover exactly
//! the changed tiles, disjointly. Plus histories, errors and scroll hints.

use paprika_adapt::damage::{DamageMap, DamageTracker, HintTrust, ScrollHint, TileGrid};
use paprika_codecs::error::{ParameterKind, UnsupportedKind};
use paprika_codecs::{Error, Image, ImageDesc, ImageRef, PixelFormat, Rect};

mod common;
use common::Rng;

/// A picture as packed top-down 4-byte pixels.
#[derive(Clone)]
struct Pic {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Pic {
    fn random(w: u32, h: u32, rng: &mut Rng) -> Pic {
        Pic { w, h, px: (0..w * h * 4).map(|_| rng.next() as u8).collect() }
    }

    /// Stores it top-down or bottom-up with `pad` bytes of padding per row, the padding
    /// filled from `rng` (it must never count).
    fn store(&self, top_down: bool, pad: usize, rng: &mut Rng) -> (ImageDesc, Vec<u8>) {
        let row = self.w as usize * 4;
        let stride = row + pad;
        let mut data = vec![0u8; stride * self.h as usize];
        for y in 0..self.h as usize {
            let mem = if top_down { y } else { self.h as usize - 1 - y };
            data[mem * stride..mem * stride + row].copy_from_slice(&self.px[y * row..(y + 1) * row]);
            for b in &mut data[mem * stride + row..(mem + 1) * stride] {
                *b = rng.next() as u8;
            }
        }
        (ImageDesc { width: self.w, height: self.h, stride, format: PixelFormat::Bgrx32, top_down }, data)
    }
}

/// Reference damage: changed-pixel count per tile under `mask` (4 bytes, little-endian).
fn reference(grid: &TileGrid, a: &Pic, b: &Pic, mask: u32) -> Vec<u32> {
    let mut counts = vec![0u32; grid.len()];
    for y in 0..a.h {
        for x in 0..a.w {
            let o = ((y * a.w + x) * 4) as usize;
            let p = u32::from_le_bytes(a.px[o..o + 4].try_into().unwrap());
            let q = u32::from_le_bytes(b.px[o..o + 4].try_into().unwrap());
            if (p ^ q) & mask != 0 {
                counts[grid.index(x / grid.tile(), y / grid.tile())] += 1;
            }
        }
    }
    counts
}

/// Changes random pixels of random tiles (a random byte of each, X included) and
/// X bytes anywhere; returns the touched tiles' rectangles (a coarse hint).
fn mutate(p: &mut Pic, grid: &TileGrid, rng: &mut Rng) -> Vec<Rect> {
    let mut hint = Vec::new();
    for _ in 0..rng.below(grid.len() as u32 / 3 + 2) {
        let t = grid.tile_rect(rng.below(grid.len() as u32) as usize);
        hint.push(t);
        for _ in 0..1 + rng.below(6) {
            let (x, y) = (t.x + rng.below(t.width), t.y + rng.below(t.height));
            let o = ((y * p.w + x) * 4) as usize + rng.below(4) as usize;
            p.px[o] = p.px[o].wrapping_add(1 + rng.below(255) as u8);
        }
    }
    // X-only noise over the whole surface.
    for _ in 0..rng.below(200) {
        let o = (rng.below(p.w * p.h) * 4 + 3) as usize;
        p.px[o] ^= 0xFF;
    }
    hint
}

fn check_map(map: &DamageMap, grid: &TileGrid, want: &[u32]) {
    let got: Vec<(usize, u32)> = map.changed_tiles().iter().map(|c| (c.index as usize, c.changed_pixels)).collect();
    let exp: Vec<(usize, u32)> = want.iter().enumerate().filter(|&(_, &n)| n > 0).map(|(i, &n)| (i, n)).collect();
    assert_eq!(got, exp, "frame {}", map.frame_index());
    for c in map.changed_tiles() {
        let area = grid.tile_rect(c.index as usize).area() as f32;
        assert!((c.fraction - c.changed_pixels as f32 / area).abs() < 1e-6);
    }
    check_rects(&map.rects(), grid, &|i| want[i] > 0);
}

/// The rectangles are disjoint and cover exactly the tiles `on` marks.
fn check_rects(rects: &[Rect], grid: &TileGrid, on: &dyn Fn(usize) -> bool) {
    let mut cover = vec![0u32; grid.len()];
    for r in rects {
        assert!(!r.is_empty() && r.fits_in(grid.width(), grid.height()));
        let (cols, rows) = grid.tiles_touching(r).unwrap();
        for row in rows {
            for col in cols.clone() {
                let i = grid.index(col, row);
                // Rectangles are unions of whole tiles.
                assert_eq!(grid.tile_rect(i).intersect(r), grid.tile_rect(i), "{r:?} cuts tile {i}");
                cover[i] += 1;
            }
        }
    }
    for (i, &c) in cover.iter().enumerate() {
        assert_eq!(c, u32::from(on(i)), "tile {i} covered {c} times");
    }
}

#[test]
fn random_frames_give_exact_damage_for_every_storage_and_tile_size() {
    let mut rng = Rng(0x5EED_0000_0000_0001);
    for &(w, h, tile) in &[(333u32, 207u32, 64u32), (64, 64, 64), (130, 70, 16), (97, 301, 100), (1, 5, 64), (70, 1, 8)]
    {
        let grid = TileGrid::new(w, h, tile).unwrap();
        // Four trackers see the same pictures in different storages and settings.
        let mut trackers = [
            DamageTracker::new(w, h, tile).unwrap(),
            DamageTracker::new(w, h, tile).unwrap().with_parallel(true),
            DamageTracker::new(w, h, tile).unwrap().with_parallel(false),
            DamageTracker::new(w, h, tile).unwrap().with_hint_trust(HintTrust::Exact),
        ];
        let storages = [(true, 0usize), (false, 0), (true, 12), (false, 7)];
        let mut pic = Pic::random(w, h, &mut rng);
        let mut prev: Option<Pic> = None;
        for f in 0..25u64 {
            let hint = if f > 0 { mutate(&mut pic, &grid, &mut rng) } else { Vec::new() };
            for (k, tracker) in trackers.iter_mut().enumerate() {
                let (top_down, pad) = storages[k];
                let (desc, data) = pic.store(top_down, pad, &mut rng);
                let frame = ImageRef::new(desc, &data).unwrap();
                // Advisory trackers get a misleading hint; the exact one a coarse true one.
                let given: Vec<Rect> = if k == 3 { hint.clone() } else { vec![Rect::new(0, 0, 1, 1)] };
                let map = tracker.update(&frame, Some(&given), 2 * f).unwrap();
                match &prev {
                    None => {
                        assert!(map.is_full_refresh());
                        assert_eq!(map.changed_tiles().len(), grid.len());
                    }
                    Some(p) => check_map(&map, &grid, &reference(&grid, p, &pic, 0x00FF_FFFF)),
                }
            }
            prev = Some(pic.clone());
        }
    }
}

#[test]
fn bgra_counts_alpha_and_x_only_changes_are_ignored_for_bgrx() {
    let mut rng = Rng(7);
    let (w, h) = (100u32, 90u32);
    let grid = TileGrid::new(w, h, 32).unwrap();
    let pic = Pic::random(w, h, &mut rng);
    let mut alpha = pic.clone();
    alpha.px[(5 * w as usize + 40) * 4 + 3] ^= 0x80; // tile (1, 0), alpha byte only
    for (format, want) in [(PixelFormat::Bgrx32, 0usize), (PixelFormat::Bgra32, 1)] {
        let mut t = DamageTracker::new(w, h, 32).unwrap();
        let desc = ImageDesc { format, ..ImageDesc::packed(w, h, format).unwrap() };
        t.update(&ImageRef::new(desc, &pic.px).unwrap(), None, 0).unwrap();
        let map = t.update(&ImageRef::new(desc, &alpha.px).unwrap(), None, 1).unwrap();
        assert_eq!(map.changed_tiles().len(), want, "{format:?}");
        if want == 1 {
            assert_eq!(map.changed_tiles()[0].index as usize, grid.index(1, 0));
            assert_eq!(map.rects(), vec![Rect::new(32, 0, 32, 32)]);
        }
    }
}

#[test]
fn exact_hint_skips_untouched_tiles_and_advisory_does_not() {
    let mut rng = Rng(11);
    let (w, h) = (256u32, 128u32);
    let a = Pic::random(w, h, &mut rng);
    let mut b = a.clone();
    b.px[(10 * w as usize + 10) * 4] ^= 1; // tile (0, 0)
    b.px[(100 * w as usize + 200) * 4] ^= 1; // tile (3, 1)
    let desc = ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap();
    let hint = [Rect::new(0, 0, 20, 20)]; // tells only of the first change
    let mut exact = DamageTracker::new(w, h, 64).unwrap().with_hint_trust(HintTrust::Exact);
    let mut advisory = DamageTracker::new(w, h, 64).unwrap();
    for t in [&mut exact, &mut advisory] {
        t.update(&ImageRef::new(desc, &a.px).unwrap(), None, 0).unwrap();
    }
    let e = exact.update(&ImageRef::new(desc, &b.px).unwrap(), Some(&hint), 1).unwrap();
    let v = advisory.update(&ImageRef::new(desc, &b.px).unwrap(), Some(&hint), 1).unwrap();
    assert_eq!(e.changed_tiles().iter().map(|c| c.index).collect::<Vec<_>>(), vec![0]);
    assert_eq!(v.changed_tiles().iter().map(|c| c.index).collect::<Vec<_>>(), vec![0, 7]);
    // Exact with no hint at all compares everything.
    let mut c = b.clone();
    c.px[(100 * w as usize + 200) * 4] ^= 2;
    let e = exact.update(&ImageRef::new(desc, &c.px).unwrap(), None, 2).unwrap();
    assert_eq!(e.changed_tiles().len(), 1);
}

#[test]
fn merged_rectangles_cover_exactly_random_tile_sets() {
    let mut rng = Rng(99);
    for &(w, h, tile) in &[(1920u32, 1080u32, 64u32), (333, 207, 64), (200, 200, 10)] {
        let grid = TileGrid::new(w, h, tile).unwrap();
        for density in [0u32, 5, 30, 70, 100] {
            let on: Vec<bool> = (0..grid.len()).map(|_| rng.below(100) < density).collect();
            let rects: Vec<Rect> = grid.merge(|i| on[i].then_some(())).into_iter().map(|(r, ())| r).collect();
            check_rects(&rects, &grid, &|i| on[i]);
            let n = on.iter().filter(|&&b| b).count();
            assert!(rects.len() <= n);
            if density == 100 {
                assert_eq!(rects, vec![Rect::new(0, 0, w, h)]);
            }
        }
        // Labels: each rectangle holds one label, and together they cover every tile.
        let labels: Vec<u8> = (0..grid.len()).map(|_| rng.below(3) as u8).collect();
        let merged = grid.merge(|i| Some(labels[i]));
        for l in 0..3u8 {
            let rects: Vec<Rect> = merged.iter().filter(|(_, x)| *x == l).map(|(r, _)| *r).collect();
            check_rects(&rects, &grid, &|i| labels[i] == l);
        }
    }
    // A block of changed tiles is one rectangle; an L two.
    let grid = TileGrid::new(640, 480, 64).unwrap();
    let block = |i: usize| {
        let (c, r) = grid.position(i);
        ((2..5).contains(&c) && (1..4).contains(&r)).then_some(())
    };
    assert_eq!(grid.merge(block).len(), 1);
}

#[test]
fn histories_count_changes_and_large_changes_over_gaps() {
    let (w, h) = (128u32, 64u32);
    let mut t = DamageTracker::new(w, h, 64).unwrap();
    let desc = ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap();
    let mut px = vec![0u8; (w * h * 4) as usize];
    t.update(&ImageRef::new(desc, &px).unwrap(), None, 10).unwrap();
    assert_eq!(t.history(0).changes_in_last(64), 0, "the first frame is no observed change");
    // Frame 11: one pixel of tile 0. Frame 12: half of tile 1. Frame 20: all of tile 0.
    px[0] = 1;
    t.update(&ImageRef::new(desc, &px).unwrap(), None, 11).unwrap();
    for y in 0..32u32 {
        for x in 64..128u32 {
            px[((y * w + x) * 4) as usize] = 9;
        }
    }
    t.update(&ImageRef::new(desc, &px).unwrap(), None, 12).unwrap();
    for y in 0..64u32 {
        for x in 0..64u32 {
            px[((y * w + x) * 4 + 1) as usize] = 5;
        }
    }
    t.update(&ImageRef::new(desc, &px).unwrap(), None, 20).unwrap();
    let h0 = t.history(0);
    assert_eq!(h0.last_changed, Some(20));
    assert_eq!(h0.changed & 0x3FF, 0b10_0000_0001); // frames 20 and 11
    assert_eq!(h0.large & 0x3FF, 0b1);
    assert_eq!(h0.changes_in_last(9), 1);
    assert_eq!(h0.changes_in_last(10), 2);
    assert_eq!(h0.last_fraction, 1.0);
    let h1 = t.history(1);
    assert_eq!(h1.changed & 0x3FF, 0b1_0000_0000); // frame 12
    assert_eq!(h1.large & 0x3FF, 0b1_0000_0000); // half a tile is large
    assert_eq!(h1.last_fraction, 0.5);
    assert!((h1.update_rate(30) - 1.0 / 30.0).abs() < 1e-6);
    // A gap of 64 frames or more forgets everything.
    t.update(&ImageRef::new(desc, &px).unwrap(), None, 100).unwrap();
    assert_eq!(t.history(0).changed, 0);
}

#[test]
fn bad_frames_are_typed_errors() {
    let mut t = DamageTracker::new(64, 32, 64).unwrap();
    let px = vec![0u8; 64 * 32 * 4];
    let desc = ImageDesc::packed(64, 32, PixelFormat::Bgrx32).unwrap();
    t.update(&ImageRef::new(desc, &px).unwrap(), None, 5).unwrap();
    assert_eq!(
        t.update(&ImageRef::new(desc, &px).unwrap(), None, 5).unwrap_err(),
        Error::Parameter(ParameterKind::OutOfRange)
    );
    let small = ImageDesc::packed(32, 32, PixelFormat::Bgrx32).unwrap();
    assert_eq!(
        t.update(&ImageRef::new(small, &px).unwrap(), None, 6).unwrap_err(),
        Error::Parameter(ParameterKind::UnsupportedSize { width: 32, height: 32 })
    );
    let bgra = ImageDesc::packed(64, 32, PixelFormat::Bgra32).unwrap();
    assert_eq!(
        t.update(&ImageRef::new(bgra, &px).unwrap(), None, 6).unwrap_err(),
        Error::Parameter(ParameterKind::FormatMismatch)
    );
    let rgb = ImageDesc::packed(64, 32, PixelFormat::Bgr24).unwrap();
    assert_eq!(
        t.update(&ImageRef::new(rgb, &px).unwrap(), None, 6).unwrap_err(),
        Error::Unsupported(UnsupportedKind::PixelFormat)
    );
    // After a reset another 32-bit format is fine, and everything is reported.
    t.reset();
    let map = t.update(&ImageRef::new(bgra, &px).unwrap(), None, 6).unwrap();
    assert!(map.is_full_refresh());
    assert_eq!(DamageTracker::new(0, 5, 64).unwrap_err(), Error::Parameter(ParameterKind::EmptyImage));
    assert_eq!(DamageTracker::new(5, 5, 0).unwrap_err(), Error::Parameter(ParameterKind::OutOfRange));
    assert!(DamageTracker::new(100_000, 5, 64).is_err());
}

fn load(path: &str) -> Image {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    Image::from_dynamic(&image::open(&full).unwrap()).convert(PixelFormat::Bgrx32).unwrap()
}

/// Every pixel of the hint's rectangle equals the previous frame's pixel `dy` rows up.
fn check_hint(hint: &ScrollHint, old: &ImageRef, new: &ImageRef) {
    for y in hint.rect.y..hint.rect.y + hint.rect.height {
        let src = (y as i64 - hint.dy as i64) as u32;
        let (x0, x1) = (hint.rect.x as usize * 4, (hint.rect.x + hint.rect.width) as usize * 4);
        let a = &new.row(y)[x0..x1];
        let b = &old.row(src)[x0..x1];
        assert!(a.chunks(4).zip(b.chunks(4)).all(|(p, q)| p[..3] == q[..3]), "row {y} of {hint:?}");
    }
}

#[test]
fn scroll_hints_are_exact_on_the_scrolling_editor() {
    // seq_scroll_N: an editor whose text scrolls 3 lines (51 rows) a frame.
    let frames: Vec<Image> = (0..5).map(|k| load(&format!("corpora/vectors/inputs/seq_scroll_{k}.png"))).collect();
    let (w, h) = (frames[0].width(), frames[0].height());
    let mut t = DamageTracker::new(w, h, 64).unwrap().with_scroll_detection(true);
    t.update(&frames[0].as_ref(), None, 0).unwrap();
    let mut found = 0;
    for k in 1..5 {
        let map = t.update(&frames[k].as_ref(), None, k as u64).unwrap();
        for hint in map.scroll_hints() {
            check_hint(hint, &frames[k - 1].as_ref(), &frames[k].as_ref());
            println!("frame {k}: {hint:?}");
        }
        let rows: u32 = map.scroll_hints().iter().map(|s| s.rect.height).sum();
        found += u32::from(map.scroll_hints().iter().any(|s| s.dy < 0) && rows >= 300);
    }
    assert_eq!(found, 4, "a scroll of at least 300 rows found in every frame");
}

#[test]
fn scroll_hint_finds_a_synthetic_shift() {
    let mut rng = Rng(3);
    let (w, h) = (256u32, 256u32);
    let old = Pic::random(w, h, &mut rng);
    // Rows 32..224 move down by 17 rows; everything else stays.
    let mut new = old.clone();
    let row = w as usize * 4;
    for y in (49..224usize).rev() {
        let src = old.px[(y - 17) * row..(y - 16) * row].to_vec();
        new.px[y * row..(y + 1) * row].copy_from_slice(&src);
    }
    let desc = ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap();
    let mut t = DamageTracker::new(w, h, 64).unwrap().with_scroll_detection(true);
    t.update(&ImageRef::new(desc, &old.px).unwrap(), None, 0).unwrap();
    let map = t.update(&ImageRef::new(desc, &new.px).unwrap(), None, 1).unwrap();
    let hint = ScrollHint { rect: Rect::new(0, 49, 256, 175), dy: 17, top_unchanged: true, bottom_unchanged: true };
    assert_eq!(map.scroll_hints(), &[hint]);
    check_hint(&map.scroll_hints()[0], &ImageRef::new(desc, &old.px).unwrap(), &ImageRef::new(desc, &new.px).unwrap());
    // A change below the moved band, inside its last tile row: that row is not exact after a copy.
    let mut edged = new.clone();
    edged.px[230 * row + 40] ^= 0xFF;
    let mut t = DamageTracker::new(w, h, 64).unwrap().with_scroll_detection(true);
    t.update(&ImageRef::new(desc, &old.px).unwrap(), None, 0).unwrap();
    let map = t.update(&ImageRef::new(desc, &edged.px).unwrap(), None, 1).unwrap();
    assert_eq!(map.scroll_hints(), &[ScrollHint { bottom_unchanged: false, ..hint }]);
}
