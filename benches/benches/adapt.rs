//! The policy engine's per-frame cost on a 1920x1080 desktop (`desktop_1080p`: the
//! screenshots and a photo of the vectors): damage (`DamageTracker::update`, exact
//! compare of every tile) and damage + classification (`Classifier::observe`), when
//! about 10% of the 510 tiles changed and when all did. Frames alternate between the
//! desktop and a variant, so every iteration sees the same amount of change. The
//! variant is the desktop moved by (3, 1) pixels: every tile of it differs, with
//! the same kind of content. Plus the row-compare kernel alone, scalar against
//! `wide`, over a whole frame (memory-bound) and over one cached row, and the
//! classifier's pair kernel on one tile row. Throughput
//! is MB/s of one frame's (or row's) B,G,R,X bytes.
//!
//! Run with `cargo bench -p paprika-benches --bench adapt`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_main};
use paprika_adapt::classify::kernel as pairs;
use paprika_adapt::classify::{Classifier, ClassifierConfig};
use paprika_adapt::damage::kernel::{MASK_BGRX, scalar, wide};
use paprika_adapt::damage::{DEFAULT_TILE, DamageTracker, TileGrid};
use paprika_benches::desktop_1080p;
use paprika_codecs::{Image, ImageDesc, ImageRef, PixelFormat};

const W: u32 = 1920;
const H: u32 = 1080;

/// The desktop moved right by 3 and down by 1 pixel (edges repeated).
fn moved(img: &Image) -> Vec<u8> {
    let src = img.data();
    let mut out = vec![0u8; src.len()];
    for y in 0..H as usize {
        for x in 0..W as usize {
            let (sx, sy) = (x.saturating_sub(3), y.saturating_sub(1));
            out[(y * W as usize + x) * 4..][..4].copy_from_slice(&src[(sy * W as usize + sx) * 4..][..4]);
        }
    }
    out
}

/// `base` with every tenth tile (by a fixed stride over the grid) taken from `other`.
fn partly(base: &[u8], other: &[u8], grid: &TileGrid) -> (Vec<u8>, usize) {
    let mut out = base.to_vec();
    let mut n = 0;
    for i in (0..grid.len()).step_by(10) {
        let r = grid.tile_rect(i);
        for y in r.y..r.y + r.height {
            let o = (y as usize * W as usize + r.x as usize) * 4;
            let len = r.width as usize * 4;
            out[o..o + len].copy_from_slice(&other[o..o + len]);
        }
        n += 1;
    }
    (out, n)
}

fn bench_adapt(c: &mut Criterion) {
    let desktop = desktop_1080p();
    let base = desktop.data().to_vec();
    let all = moved(&desktop);
    let grid = TileGrid::new(W, H, DEFAULT_TILE).expect("grid");
    let (tenth, n) = partly(&base, &all, &grid);
    let desc = ImageDesc::packed(W, H, PixelFormat::Bgrx32).expect("desc");
    fn frame(desc: ImageDesc, px: &[u8]) -> ImageRef<'_> {
        ImageRef::new(desc, px).expect("frame")
    }
    let mut group = c.benchmark_group("adapt-1080p");
    group.throughput(Throughput::BytesDecimal(u64::from(W * H * 4)));
    let cases = [(format!("{}pct", n * 100 / grid.len()), &tenth), ("100pct".to_string(), &all)];
    for (name, other) in &cases {
        for parallel in [true, false] {
            let threads = if parallel { "rayon" } else { "1-thread" };
            let (a, b) = (frame(desc, &base), frame(desc, other));
            let mut tracker = DamageTracker::new(W, H, DEFAULT_TILE).expect("tracker").with_parallel(parallel);
            let mut f = 0u64;
            tracker.update(&a, None, f).expect("first");
            group.bench_function(BenchmarkId::new(format!("damage/{threads}"), name), |t| {
                t.iter(|| {
                    f += 1;
                    let img = if f % 2 == 1 { &b } else { &a };
                    black_box(tracker.update(img, None, f).expect("update").changed_tiles().len())
                })
            });
            let mut tracker = DamageTracker::new(W, H, DEFAULT_TILE).expect("tracker").with_parallel(parallel);
            let mut classifier = Classifier::new(grid, ClassifierConfig::default()).with_parallel(parallel);
            let mut f = 0u64;
            let d = tracker.update(&a, None, f).expect("first");
            classifier.observe(&a, &d, &tracker).expect("observe");
            group.bench_function(BenchmarkId::new(format!("damage+classify/{threads}"), name), |t| {
                t.iter(|| {
                    f += 1;
                    let img = if f % 2 == 1 { &b } else { &a };
                    let d = tracker.update(img, None, f).expect("update");
                    classifier.observe(img, &d, &tracker).expect("observe");
                    black_box(d.changed_tiles().len())
                })
            });
        }
    }
    // The kernel alone: one frame against an identical copy (every byte read, nothing changed).
    let copy = base.clone();
    group.bench_function(BenchmarkId::new("count-changed/wide", "frame"), |t| {
        t.iter(|| wide::count_changed(black_box(&base), black_box(&copy), MASK_BGRX))
    });
    group.bench_function(BenchmarkId::new("count-changed/scalar", "frame"), |t| {
        t.iter(|| scalar::count_changed(black_box(&base), black_box(&copy), MASK_BGRX))
    });
    // And on one cached row (7,680 bytes, L1-resident), where memory does not hide the kernel.
    let (ra, rb) = (&base[..W as usize * 4], &copy[..W as usize * 4]);
    group.throughput(Throughput::BytesDecimal(u64::from(W * 4)));
    group.bench_function(BenchmarkId::new("count-changed/wide", "row"), |t| {
        t.iter(|| wide::count_changed(black_box(ra), black_box(rb), MASK_BGRX))
    });
    group.bench_function(BenchmarkId::new("count-changed/scalar", "row"), |t| {
        t.iter(|| scalar::count_changed(black_box(ra), black_box(rb), MASK_BGRX))
    });
    // The classifier's pair kernel on one tile row (63 horizontal pairs).
    let tile_row = &base[..64 * 4];
    group.throughput(Throughput::BytesDecimal(64 * 4));
    group.bench_function(BenchmarkId::new("pair-stats/wide", "tile-row"), |t| {
        t.iter(|| pairs::wide::pair_stats(black_box(&tile_row[..252]), black_box(&tile_row[4..]), 128))
    });
    group.bench_function(BenchmarkId::new("pair-stats/scalar", "tile-row"), |t| {
        t.iter(|| pairs::scalar::pair_stats(black_box(&tile_row[..252]), black_box(&tile_row[4..]), 128))
    });
    group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench_adapt(&mut c);
}

criterion_main!(benches);
