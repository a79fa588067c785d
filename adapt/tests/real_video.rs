//! Calibration on real video (ignored by default: the frames are not committed).
//!
//! `corpora/video/fetch.sh` leaves the first frames of Big Buck Bunny (1280x720, 24
//! fps) as PNG in the git-ignored `corpora/video/cache/bbb_1280x720/`. This runs the
//! frames through the tracker and classifier as a 1920x1080 desktop would show them
//! (the video at (320, 180) over a static screenshot), prints the distribution of the
//! per-tile changed fractions of the video's tiles, and checks detection.
//!
//! `cargo test -p paprika-adapt --test real_video -- --ignored --nocapture`
//! (`LARGE=0.2` in the environment tries another large-change fraction).
//!
//! Measured (132 frames): the video's tiles change by a median 0.575 of their pixels
//! a frame, a quarter of them by under 0.125 and a twentieth not at all (the opening
//! shot is slow clouds over a still landscape); 90% of its tiles are Video from
//! frame 20, the first from frame 11.

use paprika_adapt::classify::{Class, Classifier, ClassifierConfig};
use paprika_adapt::damage::{DEFAULT_TILE, DamageTracker};
use paprika_codecs::{Image, ImageDesc, ImageRef, PixelFormat, Rect};

fn load(path: &std::path::Path) -> Image {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Image::from_dynamic(&img).convert(PixelFormat::Bgrx32).expect("to BGRX")
}

#[test]
#[ignore]
fn big_buck_bunny_in_a_desktop() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("corpora/video/cache/bbb_1280x720");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("{} missing: run corpora/video/fetch.sh", dir.display());
        return;
    };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let screen = load(&root.join("corpora/vectors/inputs/screen_llvmcov.png"));
    let (w, h) = (1920u32, 1080u32);
    let mut canvas = vec![0u8; (w * h * 4) as usize];
    // The screenshot tiled as the desktop.
    let s = screen.as_ref();
    for y in 0..h {
        for x in 0..w {
            let src = &s.row(y % s.height())[((x % s.width()) * 4) as usize..][..4];
            canvas[((y * w + x) * 4) as usize..][..4].copy_from_slice(src);
        }
    }
    let video = Rect::new(320, 180, 1280, 720);
    let large = std::env::var("LARGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(paprika_adapt::damage::LARGE_CHANGE_FRACTION);
    let mut tracker = DamageTracker::new(w, h, DEFAULT_TILE).unwrap().with_large_change_fraction(large);
    let mut classifier = Classifier::new(*tracker.grid(), ClassifierConfig::default());
    let grid = *tracker.grid();
    let inner: Vec<usize> =
        (0..grid.len()).filter(|&i| grid.tile_rect(i).intersect(&video) == grid.tile_rect(i)).collect();
    let mut fractions = Vec::new();
    let mut first_all = None;
    let mut video_share = Vec::new();
    for (f, path) in files.iter().enumerate() {
        let frame = load(path);
        let fr = frame.as_ref();
        for y in 0..fr.height() {
            let d = (((video.y + y) * w + video.x) * 4) as usize;
            canvas[d..d + fr.width() as usize * 4].copy_from_slice(fr.row(y));
        }
        let img = ImageRef::new(ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap(), &canvas).unwrap();
        let damage = tracker.update(&img, None, f as u64).unwrap();
        classifier.observe(&img, &damage, &tracker).unwrap();
        if f > 0 {
            for &i in &inner {
                fractions.push(if damage.is_changed(i) { tracker.history(i).last_fraction } else { 0.0 });
            }
        }
        let n = inner.iter().filter(|&&i| classifier.class(i) == Some(Class::Video)).count();
        video_share.push(n as f64 / inner.len() as f64);
        if first_all.is_none() && n * 10 >= inner.len() * 9 {
            first_all = Some(f);
        }
        let outside = (0..grid.len())
            .filter(|&i| grid.tile_rect(i).intersect(&video).is_empty() && classifier.class(i) == Some(Class::Video))
            .count();
        assert_eq!(outside, 0);
    }
    fractions.sort_by(f32::total_cmp);
    let q = |p: f64| fractions[((fractions.len() - 1) as f64 * p) as usize];
    println!(
        "{} frames; changed fraction of the video's tiles: p5 {:.3} p10 {:.3} p25 {:.3} p50 {:.3} p75 {:.3}",
        files.len(),
        q(0.05),
        q(0.10),
        q(0.25),
        q(0.5),
        q(0.75)
    );
    println!("90% of the video's tiles Video from frame {first_all:?}; share per frame: {video_share:.2?}");
    assert!(first_all.is_some_and(|f| f <= 24));
}
