//! What each changed tile shows: solid, text/UI, image or video.
//!
//! [`TileFeatures`] are the statistics of a tile: distinct colours (capped at 64) and
//! the dominant colour's share; luma edges between horizontal neighbours; SPICE's
//! graduality (the share of equal, smooth and contrasting neighbour pairs, scored as
//! `spice-bitmap-utils.c` does); and, from the damage tracker's history, how often
//! and how much the tile changed recently. [`Thresholds::content_class`] maps the
//! spatial features to Solid, Text or Image; the [`Classifier`] adds Video (Image
//! content with a sustained rate of large changes) and hysteresis: a tile takes a new
//! class only after it wins K consecutive observations (K = 3), except Solid, which
//! is immediate. [`Classifier::regions`] merges tiles of one class into rectangles.
//!
//! The pair kernel (`kernel.rs`) has a scalar twin and a `wide` version.
//! `docs/engine.md` ("Classification") gives every constant, why, and the measured
//! confusion matrices.

mod classifier;
mod features;
#[cfg(feature = "bench-internals")]
pub mod kernel;
#[cfg(not(feature = "bench-internals"))]
mod kernel;

#[cfg(test)]
mod tests;

pub use classifier::{
    Class, Classifier, ClassifierConfig, DWELL, IMAGE_AXIS_EQUAL_MAX, IMAGE_DOMINANT_MAX, IMAGE_MIN_COLORS,
    IMAGE_SMOOTH_MIN, Thresholds, TileState, VIDEO_ENTER_MIN, VIDEO_STAY_MIN, VIDEO_WINDOW,
};
pub use features::{COLOR_CAP, EDGE_LUMA_DELTA, RATE_WINDOW, ROW_STEP, TileFeatures};
pub use kernel::{CONTRAST_MIN, PairCounts};
