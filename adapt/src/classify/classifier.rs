//! `Classifier`: a class per tile from its features, with hysteresis.

use paprika_codecs::error::{ParameterKind, Result};
use paprika_codecs::{Error, ImageRef, Rect};
use rayon::prelude::*;

use super::features::{RATE_WINDOW, TileFeatures};
use crate::damage::{DamageMap, DamageTracker, TileGrid, TileHistory};

/// What a tile shows, as far as coding it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// One colour: a fill.
    Solid,
    /// Sharp synthetic content (text, UI, line art): lossless.
    Text,
    /// Smooth, many-coloured content (photos, gradients): lossy allowed.
    Image,
    /// Image content that keeps changing: a video stream.
    Video,
}

impl Class {
    /// All classes, in `Ord` order (the index for confusion matrices).
    pub const ALL: [Class; 4] = [Class::Solid, Class::Text, Class::Image, Class::Video];
}

/// Thresholds of the content rule (see [`Thresholds::content_class`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Image needs at least this share of smooth pairs (different, but by less than
    /// SPICE's contrast threshold in every channel).
    pub image_smooth_min: f32,
    /// Image needs more distinct colours than this.
    pub image_min_colors: u32,
    /// Image needs the dominant colour's share below this.
    pub image_dominant_max: f32,
    /// Image needs both the horizontal and the vertical equal-pair shares below this.
    pub image_axis_equal_max: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            image_smooth_min: IMAGE_SMOOTH_MIN,
            image_min_colors: IMAGE_MIN_COLORS,
            image_dominant_max: IMAGE_DOMINANT_MAX,
            image_axis_equal_max: IMAGE_AXIS_EQUAL_MAX,
        }
    }
}

/// Share of smooth pairs from which a tile looks photographic. On the corpus's
/// 64x64 tiles text and UI reach at most 0.142 (anti-aliasing ramps, LCD colour
/// fringes; 1-D gradients aside) and photos 0.324 at the 5th percentile (less only
/// where nearly flat black); 0.2
/// sits in the gap, nearer the text side so that soft photo areas still count.
/// (SPICE scores the same pairs as `0.5 equal + 1.0 contrast - 0.25 smooth` with a
/// whole-bitmap threshold of -0.03; per tile that score puts 40% of the corpus's
/// photo tiles on the text side: see `docs/engine.md`.)
pub const IMAGE_SMOOTH_MIN: f32 = 0.2;
/// A tile with at most 16 colours is palette content (icons, syntax-coloured text,
/// UI chrome) whatever its gradients: LZ/GLZ code it losslessly in few bytes.
pub const IMAGE_MIN_COLORS: u32 = 16;
/// A tile whose most frequent colour covers half of it is text or UI on a flat
/// background (or a photo's flat edge next to one); the corpus's photo tiles
/// classed Image reach at most 0.41.
pub const IMAGE_DOMINANT_MAX: f32 = 0.5;
/// A tile whose rows (or columns) are each one colour is a synthetic one-dimensional
/// gradient (title bars, buttons), which lossless codecs code in a few bytes a row;
/// photo tiles with a smooth share of 0.2 or more keep both at most 0.76 (a sky).
pub const IMAGE_AXIS_EQUAL_MAX: f32 = 0.9;

impl Thresholds {
    /// The class the pixels alone suggest: Solid, Text or Image (never Video).
    pub fn content_class(&self, f: &TileFeatures) -> Class {
        if f.is_solid() {
            Class::Solid
        } else if f.smooth_share >= self.image_smooth_min
            && f.colors > self.image_min_colors
            && f.dominant_share < self.image_dominant_max
            && f.equal_share.max(f.equal_share_v) < self.image_axis_equal_max
        {
            Class::Image
        } else {
            Class::Text
        }
    }
}

/// Settings of the [`Classifier`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifierConfig {
    /// Consecutive observations a new class must win before a tile takes it (K).
    /// Solid is taken at once.
    pub dwell: u32,
    /// Video entry window: frames looked at.
    pub video_window: u32,
    /// Video entry: large changes needed within `video_window` frames.
    pub video_enter_min: u32,
    /// A Video tile stays Video while it had at least this many large changes in the
    /// last [`RATE_WINDOW`] frames.
    pub video_stay_min: u32,
    /// The content rule.
    pub thresholds: Thresholds,
}

/// K = 3: a class change needs three frames of agreement (0.1 s at 30 fps), enough to
/// ride out a one-frame transition (a fade, a half-drawn window) without delaying
/// reclassification noticeably.
pub const DWELL: u32 = 3;
/// Video entry: 8 large changes in the last 10 frames (the policy-engine issue's
/// example; 24 fps content sampled at 30 fps changes in exactly 8 of 10 frames).
/// With K = 3 a video is detected on its 10th frame, against SPICE's 20.
pub const VIDEO_WINDOW: u32 = 10;
/// See [`VIDEO_WINDOW`].
pub const VIDEO_ENTER_MIN: u32 = 8;
/// Video stays while 5 of the last 30 frames changed largely (a sixth: 5 fps content
/// keeps its stream, a paused video loses it about 26 frames + K after its last
/// frame, close to SPICE's 1 s `RED_STREAM_TIMEOUT`).
pub const VIDEO_STAY_MIN: u32 = 5;

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig {
            dwell: DWELL,
            video_window: VIDEO_WINDOW,
            video_enter_min: VIDEO_ENTER_MIN,
            video_stay_min: VIDEO_STAY_MIN,
            thresholds: Thresholds::default(),
        }
    }
}

/// What the classifier holds for one tile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TileState {
    /// The class in force (`None` before the tile's first observation).
    pub class: Option<Class>,
    /// The class the last observation suggested.
    pub observed: Class,
    /// Consecutive observations `observed` has won while differing from `class`.
    pub streak: u32,
    /// The class the tile's pixels suggest (from its last change).
    pub content: Class,
    /// The features of its last change, with fresh temporal ones.
    pub features: TileFeatures,
}

/// Classes of every tile of a surface, updated once a frame.
#[derive(Debug, Clone)]
pub struct Classifier {
    grid: TileGrid,
    config: ClassifierConfig,
    tiles: Vec<TileState>,
    parallel: bool,
}

/// Below this many changed tiles features are computed on the calling thread (a
/// tile takes about 5 us; rayon's hand-off costs about as much).
const PARALLEL_MIN_TILES: usize = 8;

impl Classifier {
    /// A classifier for the tiles of `grid`.
    pub fn new(grid: TileGrid, config: ClassifierConfig) -> Self {
        let blank = TileState {
            class: None,
            observed: Class::Solid,
            streak: 0,
            content: Class::Solid,
            features: TileFeatures::default(),
        };
        Classifier { grid, config, tiles: vec![blank; grid.len()], parallel: true }
    }

    /// Computes features on rayon's pool when many tiles changed (default) or always on the caller's thread.
    pub fn with_parallel(mut self, on: bool) -> Self {
        self.parallel = on;
        self
    }

    /// The settings.
    pub fn config(&self) -> &ClassifierConfig {
        &self.config
    }

    /// The grid.
    pub fn grid(&self) -> &TileGrid {
        &self.grid
    }

    /// The state of tile `index`.
    pub fn tile(&self, index: usize) -> &TileState {
        &self.tiles[index]
    }

    /// The class of tile `index` (`None` before its first observation).
    pub fn class(&self, index: usize) -> Option<Class> {
        self.tiles[index].class
    }

    /// One frame: features of the tiles `damage` lists (from `frame`, the frame the
    /// damage leads to), temporal features of every tile from `tracker`, then the
    /// hysteresis step for every tile.
    ///
    /// Errors: `UnsupportedSize` when the frame, damage or tracker grid differ from
    /// the classifier's.
    pub fn observe(&mut self, frame: &ImageRef, damage: &DamageMap, tracker: &DamageTracker) -> Result<()> {
        if damage.grid() != &self.grid || tracker.grid() != &self.grid {
            return Err(Error::Parameter(ParameterKind::UnsupportedSize {
                width: damage.grid().width(),
                height: damage.grid().height(),
            }));
        }
        if frame.width() != self.grid.width() || frame.height() != self.grid.height() {
            return Err(Error::Parameter(ParameterKind::UnsupportedSize {
                width: frame.width(),
                height: frame.height(),
            }));
        }
        let grid = self.grid;
        let spatial =
            |i: usize| -> Result<TileFeatures> { Ok(TileFeatures::spatial(&frame.sub_image(grid.tile_rect(i))?)) };
        let changed = damage.changed_tiles();
        let fresh: Vec<Result<TileFeatures>> = if self.parallel && changed.len() >= PARALLEL_MIN_TILES {
            changed.par_iter().map(|c| spatial(c.index as usize)).collect()
        } else {
            changed.iter().map(|c| spatial(c.index as usize)).collect()
        };
        for (c, f) in changed.iter().zip(fresh) {
            let t = &mut self.tiles[c.index as usize];
            t.features = f?;
            t.content = self.config.thresholds.content_class(&t.features);
        }
        // Video candidates: Image content changing largely in most recent frames.
        // Tiles already Video support a block but do not re-enter on their own.
        let cfg = self.config;
        let hist = tracker.histories();
        let fresh: Vec<bool> = self
            .tiles
            .iter()
            .zip(hist)
            .map(|(t, h)| t.content == Class::Image && h.large_in_last(cfg.video_window) >= cfg.video_enter_min)
            .collect();
        let support: Vec<bool> =
            self.tiles.iter().zip(&fresh).map(|(t, &f)| f || t.class == Some(Class::Video)).collect();
        for (i, (t, h)) in self.tiles.iter_mut().zip(hist).enumerate() {
            t.features.set_temporal(h);
            let enters = fresh[i] && in_candidate_block(&grid, &support, i);
            step(t, h, enters, &cfg);
        }
        Ok(())
    }

    /// Tiles of equal class merged into few rectangles (runs along tile rows, then
    /// equal spans down), sorted top to bottom; tiles not yet observed are left out.
    pub fn regions(&self) -> Vec<(Rect, Class)> {
        self.grid.merge(|i| self.tiles[i].class)
    }

    /// Tiles per class, indexed as [`Class::ALL`].
    pub fn counts(&self) -> [usize; 4] {
        let mut n = [0; 4];
        for t in &self.tiles {
            if let Some(c) = t.class {
                n[c as usize] += 1;
            }
        }
        n
    }
}

/// Whether tile `i` is one of a 2x2 block of candidates (Video tiles count as
/// candidates). A stream must cover at least 2x2 tiles (128x128 pixels, the tile
/// analogue of SPICE's 96x96 `RED_STREAM_MIN_SIZE`): the edge of a window dragged
/// over a photo changes a line of tiles, one tile thick, as fast as a video does,
/// and a stream for it would come and go with every drag.
fn in_candidate_block(grid: &TileGrid, candidate: &[bool], i: usize) -> bool {
    let (col, row) = grid.position(i);
    let (cols, rows) = (grid.cols(), grid.rows());
    let ok = |c: u32, r: u32| candidate[grid.index(c, r)];
    for (c0, r0) in
        [(col.wrapping_sub(1), row.wrapping_sub(1)), (col, row.wrapping_sub(1)), (col.wrapping_sub(1), row), (col, row)]
    {
        if c0 < cols
            && r0 < rows
            && c0 + 1 < cols
            && r0 + 1 < rows
            && ok(c0, r0)
            && ok(c0 + 1, r0)
            && ok(c0, r0 + 1)
            && ok(c0 + 1, r0 + 1)
        {
            return true;
        }
    }
    false
}

/// The hysteresis step of one tile.
fn step(t: &mut TileState, h: &TileHistory, enters_video: bool, cfg: &ClassifierConfig) {
    let stays_video = t.class == Some(Class::Video) && h.large_in_last(RATE_WINDOW) >= cfg.video_stay_min;
    // A video stream covers whatever it shows (black frames, titles) while it lasts.
    let observed = if stays_video || enters_video { Class::Video } else { t.content };
    let previous = core::mem::replace(&mut t.observed, observed);
    match t.class {
        None => {
            t.class = Some(observed);
            t.streak = 0;
        }
        Some(c) if c == observed => t.streak = 0,
        Some(_) => {
            // Consecutive wins of the same challenger.
            t.streak = if t.streak > 0 && previous == observed { t.streak + 1 } else { 1 };
            if observed == Class::Solid || t.streak >= cfg.dwell {
                t.class = Some(observed);
                t.streak = 0;
            }
        }
    }
}
