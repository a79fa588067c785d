//! Classification truth on real content, 64x64 tiles, through the public pipeline
//! (`DamageTracker::update` on a first frame, then `Classifier::observe`).
//!
//! Truth: every tile of the screenshots (`screen_*` of `corpora/vectors/inputs/`, the
//! rendered editor `seq_scroll_0`, and the rendered terminal, LCD-text document and
//! dialog of `corpora/classify/`) is text/UI, so its non-solid tiles must be Text;
//! every tile of the photos (`photo_*`) must be Image. In `seq_drag_0` (an editor
//! window and a task bar over a photo) tiles wholly inside the window or the bar are
//! Text and tiles clear of both are Image; tiles across a border are left out.
//!
//! The confusion matrices print with `cargo test -p paprika-adapt --test
//! classify_truth -- --nocapture`.

use paprika_adapt::classify::{Class, Classifier, ClassifierConfig, TileFeatures};
use paprika_adapt::damage::{DEFAULT_TILE, DamageTracker};
use paprika_codecs::{Image, PixelFormat, Rect};

fn load(path: &str) -> Image {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    let img = image::open(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    Image::from_dynamic(&img).convert(PixelFormat::Bgrx32).expect("to BGRX")
}

/// (tile rect, class) of every tile after one frame.
fn classify(img: &Image) -> Vec<(Rect, Class)> {
    classify_with_features(img).into_iter().map(|(r, c, _)| (r, c)).collect()
}

/// (tile rect, class, features) of every tile after one frame.
fn classify_with_features(img: &Image) -> Vec<(Rect, Class, TileFeatures)> {
    let frame = img.as_ref();
    let mut tracker = DamageTracker::new(frame.width(), frame.height(), DEFAULT_TILE).unwrap();
    let mut classifier = Classifier::new(*tracker.grid(), ClassifierConfig::default());
    let damage = tracker.update(&frame, None, 0).unwrap();
    classifier.observe(&frame, &damage, &tracker).unwrap();
    let grid = *tracker.grid();
    (0..grid.len())
        .map(|i| (grid.tile_rect(i), classifier.class(i).expect("observed"), classifier.tile(i).features))
        .collect()
}

/// Rows: truth Text, Image. Columns: predicted Solid, Text, Image, Video.
#[derive(Default)]
struct Confusion {
    m: [[u32; 4]; 2],
}

impl Confusion {
    fn add(&mut self, truth: Class, predicted: Class) {
        let r = if truth == Class::Text { 0 } else { 1 };
        self.m[r][predicted as usize] += 1;
    }

    fn print(&self, title: &str) {
        println!("{title}\n  truth \\ predicted   Solid   Text  Image  Video");
        for (r, name) in ["Text ", "Image"].iter().enumerate() {
            let [a, b, c, d] = self.m[r];
            println!("  {name}               {a:5}  {b:5}  {c:5}  {d:5}");
        }
    }

    /// Share of the row's tiles (Solid excluded for Text) that got the truth class.
    fn recall(&self, truth: Class) -> f64 {
        let (r, col, skip_solid) = if truth == Class::Text { (0, 1, true) } else { (1, 2, false) };
        let row = self.m[r];
        let total: u32 = row.iter().sum::<u32>() - if skip_solid { row[0] } else { 0 };
        row[col] as f64 / total.max(1) as f64
    }
}

const SCREENS: [&str; 6] = [
    "corpora/vectors/inputs/screen_rustdoc.png",
    "corpora/vectors/inputs/screen_llvmcov.png",
    "corpora/vectors/inputs/seq_scroll_0.png",
    "corpora/classify/screen_terminal.png",
    "corpora/classify/screen_document_lcd.png",
    "corpora/classify/screen_dialog.png",
];

const PHOTOS: [&str; 3] = [
    "corpora/vectors/inputs/photo_astronaut.png",
    "corpora/vectors/inputs/photo_chelsea.png",
    "corpora/vectors/inputs/photo_rocket.png",
];

fn inside(t: &Rect, r: &Rect) -> bool {
    t.intersect(r) == *t
}

fn touches(t: &Rect, r: &Rect) -> bool {
    !t.intersect(r).is_empty()
}

/// SPICE's graduality rule applied per tile, as a baseline: Image when the score is
/// below `threshold` (-0.03 is SPICE's "high", 0.002 its "medium").
fn spice_rule(f: &TileFeatures, threshold: f32) -> Class {
    if f.is_solid() {
        Class::Solid
    } else if f.graduality < threshold {
        Class::Image
    } else {
        Class::Text
    }
}

#[test]
fn screenshots_are_text_and_photos_are_image() {
    let mut all = Confusion::default();
    let mut spice = [Confusion::default(), Confusion::default()];
    // Smallest and largest smooth share seen: the margin around IMAGE_SMOOTH_MIN.
    let (mut text_smooth_max, mut photo_smooth): (f32, Vec<f32>) = (0.0, Vec::new());
    let (mut photo_dominant_max, mut photo_axis_max) = (0.0f32, 0.0f32);
    for path in SCREENS {
        let mut c = Confusion::default();
        for (_, class, f) in classify_with_features(&load(path)) {
            c.add(Class::Text, class);
            for (k, th) in [-0.03, 0.002].into_iter().enumerate() {
                spice[k].add(Class::Text, spice_rule(&f, th));
            }
            // The dialog's gradient title bar is the one screenshot content with many smooth pairs.
            if !f.is_solid() && f.equal_share.max(f.equal_share_v) < 0.9 {
                text_smooth_max = text_smooth_max.max(f.smooth_share);
            }
        }
        println!("{path}: {:?}, Text recall {:.3}", c.m[0], c.recall(Class::Text));
        for r in 0..4 {
            all.m[0][r] += c.m[0][r];
        }
    }
    for path in PHOTOS {
        let mut c = Confusion::default();
        for (_, class, f) in classify_with_features(&load(path)) {
            c.add(Class::Image, class);
            for (k, th) in [-0.03, 0.002].into_iter().enumerate() {
                spice[k].add(Class::Image, spice_rule(&f, th));
            }
            photo_smooth.push(f.smooth_share);
            if class == Class::Image {
                photo_dominant_max = photo_dominant_max.max(f.dominant_share);
            }
            if f.smooth_share >= 0.2 {
                photo_axis_max = photo_axis_max.max(f.equal_share.max(f.equal_share_v));
            }
        }
        println!("{path}: {:?}, Image recall {:.3}", c.m[1], c.recall(Class::Image));
        for r in 0..4 {
            all.m[1][r] += c.m[1][r];
        }
    }
    all.print("screenshots (truth Text) and photos (truth Image), 64x64 tiles:");
    spice[0].print("baseline: SPICE's graduality per tile, Image below -0.03 (\"high\"):");
    spice[1].print("baseline: SPICE's graduality per tile, Image below 0.002 (\"medium\"):");
    photo_smooth.sort_by(f32::total_cmp);
    println!(
        "smooth share: text tiles (not 1-D gradients) at most {text_smooth_max:.3}; photo tiles min {:.3}, 5th percentile {:.3}",
        photo_smooth[0],
        photo_smooth[photo_smooth.len() / 20]
    );
    println!(
        "photo tiles: dominant share at most {photo_dominant_max:.3} (those classed Image), larger equal share (h or v) at most {photo_axis_max:.3} (tiles with a smooth share of 0.2 or more)"
    );
    println!("Text recall (non-solid) {:.3}, Image recall {:.3}", all.recall(Class::Text), all.recall(Class::Image));
    assert!(all.recall(Class::Text) >= 0.95, "text recall {:.3}", all.recall(Class::Text));
    assert!(all.recall(Class::Image) >= 0.90, "image recall {:.3}", all.recall(Class::Image));
    // No screenshot tile may be taken for video on a still frame, nor a photo tile for solid.
    assert_eq!(all.m[0][3] + all.m[1][3], 0);
    assert_eq!(all.m[1][0], 0);
}

#[test]
fn window_over_photo_is_split_by_content() {
    let img = load("corpora/vectors/inputs/seq_drag_0.png");
    // The editor window with its shadow, and the task bar (measured on the picture).
    let window = Rect::new(60, 50, 527, 347);
    let bar = Rect::new(0, 740, 1024, 28);
    let mut c = Confusion::default();
    for (tile, class) in classify(&img) {
        if inside(&tile, &window) || inside(&tile, &bar) {
            c.add(Class::Text, class);
        } else if !touches(&tile, &window) && !touches(&tile, &bar) {
            c.add(Class::Image, class);
        }
    }
    c.print("seq_drag_0 (window and task bar truth Text, photo truth Image):");
    assert!(c.recall(Class::Text) >= 0.95, "text recall {:.3}", c.recall(Class::Text));
    assert!(c.recall(Class::Image) >= 0.90, "image recall {:.3}", c.recall(Class::Image));
}
