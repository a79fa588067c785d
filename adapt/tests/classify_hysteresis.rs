//! Hysteresis and regions of the classifier on real tile contents: a text tile and a
//! photo tile (crops of the corpus) and a solid one, swapped in and out frame by frame.

use paprika_adapt::classify::{Class, Classifier, ClassifierConfig, TileFeatures};
use paprika_adapt::damage::{DamageTracker, TileHistory};
use paprika_codecs::{Image, ImageDesc, ImageRef, PixelFormat, Rect};

fn load(path: &str) -> Image {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    Image::from_dynamic(&image::open(&full).unwrap()).convert(PixelFormat::Bgrx32).unwrap()
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Content {
    Solid(u8),
    Text,
    Photo,
}

struct Scene {
    text: Image,
    photo: Image,
}

impl Scene {
    fn new() -> Scene {
        Scene {
            text: load("corpora/vectors/inputs/screen_llvmcov.png"),
            photo: load("corpora/vectors/inputs/photo_chelsea.png"),
        }
    }

    /// A row of 64x64 tiles with the given contents.
    fn frame(&self, tiles: &[Content]) -> Vec<u8> {
        let w = 64 * tiles.len();
        let mut px = vec![0u8; w * 64 * 4];
        for (k, c) in tiles.iter().enumerate() {
            for y in 0..64u32 {
                let d = (y as usize * w + k * 64) * 4;
                let dst = &mut px[d..d + 256];
                match c {
                    Content::Solid(v) => dst.fill(*v),
                    Content::Text => dst.copy_from_slice(&self.text.as_ref().row(36 + y)[380 * 4..444 * 4]),
                    Content::Photo => dst.copy_from_slice(&self.photo.as_ref().row(100 + y)[150 * 4..214 * 4]),
                }
            }
        }
        px
    }
}

struct Run {
    tracker: DamageTracker,
    classifier: Classifier,
    n: usize,
    frame: u64,
}

impl Run {
    fn new(n: usize, config: ClassifierConfig) -> Run {
        let tracker = DamageTracker::new(64 * n as u32, 64, 64).unwrap();
        let classifier = Classifier::new(*tracker.grid(), config);
        Run { tracker, classifier, n, frame: 0 }
    }

    fn push(&mut self, px: &[u8]) -> Vec<Class> {
        let desc = ImageDesc::packed(64 * self.n as u32, 64, PixelFormat::Bgrx32).unwrap();
        let f = ImageRef::new(desc, px).unwrap();
        let d = self.tracker.update(&f, None, self.frame).unwrap();
        self.classifier.observe(&f, &d, &self.tracker).unwrap();
        self.frame += 1;
        (0..self.n).map(|i| self.classifier.class(i).unwrap()).collect()
    }
}

#[test]
fn crops_have_the_expected_content_class() {
    let s = Scene::new();
    let px = s.frame(&[Content::Solid(7), Content::Text, Content::Photo]);
    let desc = ImageDesc::packed(192, 64, PixelFormat::Bgrx32).unwrap();
    let img = ImageRef::new(desc, &px).unwrap();
    let th = ClassifierConfig::default().thresholds;
    let class = |x| {
        th.content_class(&TileFeatures::compute(
            &img.sub_image(Rect::new(x, 0, 64, 64)).unwrap(),
            &TileHistory::default(),
        ))
    };
    assert_eq!([class(0), class(64), class(128)], [Class::Solid, Class::Text, Class::Image]);
}

#[test]
fn a_new_class_needs_k_consecutive_wins_except_solid() {
    use Content::*;
    let s = Scene::new();
    let mut r = Run::new(1, ClassifierConfig::default());
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Text], "the first observation is taken as is");
    // Photo appears and stays: Image after 3 observations (frames), not before.
    assert_eq!(r.push(&s.frame(&[Photo])), [Class::Text]);
    assert_eq!(r.push(&s.frame(&[Photo])), [Class::Text]);
    assert_eq!(r.push(&s.frame(&[Photo])), [Class::Image]);
    // Text for two frames, photo again: the streak restarts.
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Image]);
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Image]);
    assert_eq!(r.push(&s.frame(&[Photo])), [Class::Image]);
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Image]);
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Image]);
    // An unchanged frame is an observation too: the text tile settles.
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Text]);
    // Solid is immediate, in and out of it the dwell applies.
    assert_eq!(r.push(&s.frame(&[Solid(3)])), [Class::Solid]);
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Solid]);
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Solid]);
    assert_eq!(r.push(&s.frame(&[Text])), [Class::Text]);
}

#[test]
fn the_dwell_is_configurable() {
    use Content::*;
    let s = Scene::new();
    for k in [1u32, 2, 5] {
        let mut r = Run::new(1, ClassifierConfig { dwell: k, ..ClassifierConfig::default() });
        r.push(&s.frame(&[Text]));
        let mut switched = None;
        for f in 1..=8u32 {
            if r.push(&s.frame(&[Photo]))[0] == Class::Image && switched.is_none() {
                switched = Some(f);
            }
        }
        assert_eq!(switched, Some(k), "K = {k}");
    }
}

#[test]
fn regions_merge_tiles_of_one_class() {
    use Content::*;
    let s = Scene::new();
    let mut r = Run::new(6, ClassifierConfig::default());
    r.push(&s.frame(&[Text, Text, Photo, Photo, Solid(0), Solid(9)]));
    let regions = r.classifier.regions();
    assert_eq!(
        regions,
        vec![
            (Rect::new(0, 0, 128, 64), Class::Text),
            (Rect::new(128, 0, 128, 64), Class::Image),
            (Rect::new(256, 0, 128, 64), Class::Solid),
        ]
    );
    assert_eq!(r.classifier.counts(), [2, 2, 2, 0]);
}
