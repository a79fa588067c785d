//! `TileFeatures`: the spatial statistics of one tile's pixels and the temporal ones of
//! its damage history.

use paprika_codecs::ImageRef;

use super::kernel::{self, PairCounts};
use crate::damage::TileHistory;
use crate::damage::kernel::{MASK_BGRX, count_changed};

/// Distinct colours are counted up to this many; past it a tile is "many-coloured"
/// and the count stops (64 keeps the set in 128 slots, a 1 KiB table that stays in
/// L1; a text tile with grey anti-aliasing has 10-50 colours, a photo tile hundreds).
pub const COLOR_CAP: u32 = 64;

/// Luma edges are horizontal neighbours whose luma (0..=255, as `(R + 2G + B) / 4`)
/// differs by more than this. 32 is an eighth of the range: glyph strokes against
/// their background step by 100-250, anti-aliasing ramps and photo texture mostly
/// by less than 32.
pub const EDGE_LUMA_DELTA: i32 = 32;

/// Spatial statistics (pairs, colours) sample every second row: a 64x64 tile still
/// gives 32 rows of 63 pairs, and the cost halves (SPICE's graduality samples one
/// pixel in 15). Solid is still decided on every pixel.
pub const ROW_STEP: usize = 2;

/// Temporal features look at this many recent frames: one second at 30 frames a
/// second, SPICE's stream timeout (`RED_STREAM_TIMEOUT`).
pub const RATE_WINDOW: u32 = 30;

/// Weights of SPICE's graduality score (`spice-bitmap-utils.c`): equal pairs +0.5,
/// contrasting pairs +1.0, different-but-not-contrasting ("smooth") pairs -0.25.
const SAME_PIXEL_WEIGHT: f32 = 0.5;
const CONTRAST_PIXELS_WEIGHT: f32 = 1.0;
const NOT_CONTRAST_PIXELS_WEIGHT: f32 = -0.25;

/// What the classifier knows about one tile.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TileFeatures {
    /// Pixels in the tile.
    pub pixels: u32,
    /// Distinct B, G, R colours in the sampled rows (see [`ROW_STEP`]), saturating at
    /// `COLOR_CAP + 1` (= "more than 64"); 1 only when the whole tile is one colour.
    pub colors: u32,
    /// Share of the most frequent colour in the sampled rows. When they have more
    /// than [`COLOR_CAP`] colours the scan stops there, and the share is over the
    /// pixels scanned so far.
    pub dominant_share: f32,
    /// Share of horizontal neighbour pairs with `|Δluma| >` [`EDGE_LUMA_DELTA`].
    pub edge_share: f32,
    /// Mean `|Δluma|` (0..=255) of those edge pairs (0 without any).
    pub edge_mean: f32,
    /// Share of horizontal neighbour pairs with equal colour (1 for vertical gradients).
    pub equal_share: f32,
    /// Share of vertical neighbour pairs with equal colour (1 for horizontal gradients).
    pub equal_share_v: f32,
    /// Share of horizontal pairs that differ, but by less than SPICE's contrast
    /// threshold in every channel ("smooth": small gradients).
    pub smooth_share: f32,
    /// Share of horizontal pairs where some channel differs by at least SPICE's contrast threshold (60).
    pub contrast_share: f32,
    /// SPICE's graduality score over the horizontal pairs: `(0.5 equal + 1.0 contrast
    /// - 0.25 smooth) / pairs`. SPICE calls below -0.03 "high" (a photo, use QUIC).
    pub graduality: f32,
    /// Share of the last [`RATE_WINDOW`] frames in which the tile changed.
    pub update_rate: f32,
    /// Large changes (see the damage tracker) among the last [`RATE_WINDOW`] frames.
    pub large_updates: u32,
    /// Share of the tile's pixels that changed the last time it changed.
    pub changed_fraction: f32,
}

impl TileFeatures {
    /// Spatial features of `tile` (a 32-bit B, G, R, X/A image; X and alpha ignored)
    /// and temporal features of its `history`.
    pub fn compute(tile: &ImageRef, history: &TileHistory) -> TileFeatures {
        let mut f = TileFeatures::spatial(tile);
        f.set_temporal(history);
        f
    }

    /// The spatial features alone (temporal ones zero).
    pub fn spatial(tile: &ImageRef) -> TileFeatures {
        let (w, h) = (tile.width() as usize, tile.height());
        let mut hor = PairCounts::default();
        // Statistics sample every ROW_STEP-th row (rows 0, 2, 4, ...). Vertical pairs
        // (a sampled row and the one below it) only count equal ones, for
        // one-dimensional gradients, with the damage tracker's cheap compare kernel:
        // their full statistics would double the cost for little (the horizontal
        // pairs separate text from photos as well on the corpus).
        let (mut ver_pairs, mut ver_equal) = (0u32, 0u32);
        let edge_min = 4 * EDGE_LUMA_DELTA;
        for y in (0..h).step_by(ROW_STEP) {
            let row = &tile.row(y)[..w * 4];
            if w > 1 {
                hor.add(&kernel::pair_stats(&row[..(w - 1) * 4], &row[4..], edge_min));
            }
            if y + 1 < h {
                ver_pairs += w as u32;
                ver_equal += w as u32 - count_changed(row, &tile.row(y + 1)[..w * 4], MASK_BGRX);
            }
        }
        let (mut colors, dominant_share) = count_colors(tile);
        // The sampled rows are one colour: check the whole tile before calling it solid.
        if colors == 1 && !is_uniform(tile) {
            colors = 2;
        }
        let pairs = hor.pairs.max(1) as f32;
        let smooth = hor.pairs - hor.equal - hor.contrast;
        let graduality = (SAME_PIXEL_WEIGHT * hor.equal as f32
            + CONTRAST_PIXELS_WEIGHT * hor.contrast as f32
            + NOT_CONTRAST_PIXELS_WEIGHT * smooth as f32)
            / pairs;
        TileFeatures {
            pixels: (w as u32) * h,
            colors,
            dominant_share,
            edge_share: hor.edges as f32 / pairs,
            edge_mean: if hor.edges == 0 { 0.0 } else { hor.edge_sum as f32 / hor.edges as f32 / 4.0 },
            equal_share: hor.equal as f32 / pairs,
            smooth_share: smooth as f32 / pairs,
            contrast_share: hor.contrast as f32 / pairs,
            graduality,
            equal_share_v: ver_equal as f32 / ver_pairs.max(1) as f32,
            ..TileFeatures::default()
        }
    }

    /// Refreshes the temporal features from `history`.
    pub fn set_temporal(&mut self, history: &TileHistory) {
        self.update_rate = history.update_rate(RATE_WINDOW);
        self.large_updates = history.large_in_last(RATE_WINDOW);
        self.changed_fraction = history.last_fraction;
    }

    /// Whether every pixel has the same colour.
    pub fn is_solid(&self) -> bool {
        self.colors == 1
    }
}

/// A small open-addressing set of colours with their pixel counts.
struct ColorSet {
    keys: [u32; SLOTS],
    counts: [u32; SLOTS],
    len: u32,
}

/// Twice the cap, so probes stay short (load at most one half).
const SLOTS: usize = 2 * COLOR_CAP as usize;
/// Never a colour: colours are masked to 24 bits.
const EMPTY: u32 = u32::MAX;

impl ColorSet {
    fn new() -> Self {
        ColorSet { keys: [EMPTY; SLOTS], counts: [0; SLOTS], len: 0 }
    }

    /// Adds `n` pixels of `color`; false (nothing added) when it is new and the set is full.
    #[inline]
    fn add(&mut self, color: u32, n: u32) -> bool {
        let mut i = (color.wrapping_mul(0x9E37_79B1) >> 25) as usize; // 7 bits: 128 slots
        loop {
            let k = self.keys[i];
            if k == color {
                self.counts[i] += n;
                return true;
            }
            if k == EMPTY {
                if self.len == COLOR_CAP {
                    return false;
                }
                self.keys[i] = color;
                self.counts[i] = n;
                self.len += 1;
                return true;
            }
            i = (i + 1) % SLOTS;
        }
    }
}

/// Whether every pixel of `tile` has the B, G, R of its first pixel.
fn is_uniform(tile: &ImageRef) -> bool {
    let w = tile.width() as usize;
    let first = &tile.row(0)[..4];
    let solid: Vec<u8> = first.iter().copied().cycle().take(w * 4).collect();
    (0..tile.height()).all(|y| count_changed(&tile.row(y)[..w * 4], &solid, MASK_BGRX) == 0)
}

/// Distinct colours in the sampled rows (saturating at `COLOR_CAP + 1`) and the dominant colour's share.
fn count_colors(tile: &ImageRef) -> (u32, f32) {
    let w = tile.width() as usize;
    let mut set = ColorSet::new();
    let mut scanned = 0u32;
    let mut overflow = false;
    'rows: for y in (0..tile.height()).step_by(ROW_STEP) {
        let row = &tile.row(y)[..w * 4];
        let mut px = row.chunks_exact(4).map(|p| u32::from_le_bytes([p[0], p[1], p[2], 0]));
        let Some(mut run_color) = px.next() else { break };
        let mut run = 1u32;
        for p in px {
            if p == run_color {
                run += 1;
                continue;
            }
            if !set.add(run_color, run) {
                overflow = true;
                break 'rows;
            }
            scanned += run;
            run_color = p;
            run = 1;
        }
        if !set.add(run_color, run) {
            overflow = true;
            break;
        }
        scanned += run;
    }
    let dominant = set.counts.iter().copied().max().unwrap_or(0);
    let colors = if overflow { COLOR_CAP + 1 } else { set.len };
    (colors, if scanned == 0 { 0.0 } else { dominant as f32 / scanned as f32 })
}
