//! `DamageTracker`: exact per-tile damage between consecutive frames, with a change
//! history per tile. See the module documentation in `mod.rs`.

use paprika_codecs::error::{ParameterKind, Result, UnsupportedKind};
use paprika_codecs::{Error, ImageRef, PixelFormat, Rect};
use rayon::prelude::*;

use super::grid::TileGrid;
use super::kernel::{self, MASK_BGRA, MASK_BGRX};
use super::scroll::{self, ScrollHint};

/// A tile counts as *largely* changed when at least this share of its pixels changed.
///
/// Measured (see `docs/engine.md`): a photo panned by a few pixels a frame changes
/// a median 99.6% of a tile, real video (Big Buck Bunny) a median 58%; a typed 7x14
/// glyph changes at most 2.4% of a 64x64 tile and a 2x16 text cursor 0.8%. A third
/// sits well between the two groups. (Window-edge strips of a drag reach 9-36%:
/// the classifier's 2x2-block rule, not this fraction, keeps those out of Video.)
pub const LARGE_CHANGE_FRACTION: f32 = 1.0 / 3.0;

/// How far the tracker may trust the caller's damage hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HintTrust {
    /// Every pixel outside the hint is guaranteed unchanged: only tiles the hint
    /// touches are compared (exactly). A wrong exact hint makes the damage wrong.
    Exact,
    /// The hint may be coarse or incomplete: every tile is compared, the hint is unused.
    #[default]
    Advisory,
}

/// What the tracker remembers of one tile's changes.
///
/// Bit `i` of the masks is the frame `i` indexes before the newest one (bit 0: the
/// newest). Frames skipped in the caller's frame index count as unchanged; the first
/// frame (and the one after [`DamageTracker::reset`]) is reported as all changed but
/// is not counted here, as it shows no observed change.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TileHistory {
    /// Frame index of the last observed change.
    pub last_changed: Option<u64>,
    /// Frames in which the tile changed.
    pub changed: u64,
    /// Frames in which at least [`LARGE_CHANGE_FRACTION`] (or the tracker's setting) of it changed.
    pub large: u64,
    /// Share of its pixels that changed the last time it changed (0 before any change).
    pub last_fraction: f32,
}

impl TileHistory {
    /// Changes among the last `n` frames (`n` at most 64).
    pub fn changes_in_last(&self, n: u32) -> u32 {
        (self.changed & low_bits(n)).count_ones()
    }

    /// Large changes among the last `n` frames (`n` at most 64).
    pub fn large_in_last(&self, n: u32) -> u32 {
        (self.large & low_bits(n)).count_ones()
    }

    /// Share of the last `n` frames in which the tile changed.
    pub fn update_rate(&self, n: u32) -> f32 {
        if n == 0 { 0.0 } else { self.changes_in_last(n) as f32 / n.min(64) as f32 }
    }

    fn advance(&mut self, gap: u64) {
        if gap >= 64 {
            self.changed = 0;
            self.large = 0;
        } else {
            self.changed <<= gap;
            self.large <<= gap;
        }
    }
}

fn low_bits(n: u32) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// One changed tile of a [`DamageMap`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TileChange {
    /// Row-major tile index.
    pub index: u32,
    /// Pixels of the tile that changed.
    pub changed_pixels: u32,
    /// `changed_pixels` over the tile's pixels.
    pub fraction: f32,
}

/// The damage of one frame: the changed tiles, exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct DamageMap {
    grid: TileGrid,
    frame_index: u64,
    full: bool,
    changed: Vec<TileChange>,
    scroll: Vec<ScrollHint>,
}

impl DamageMap {
    /// The grid the tiles refer to.
    pub fn grid(&self) -> &TileGrid {
        &self.grid
    }

    /// The frame this damage leads to.
    pub fn frame_index(&self) -> u64 {
        self.frame_index
    }

    /// Whether this is a first frame (or one after a reset): every tile reported changed.
    pub fn is_full_refresh(&self) -> bool {
        self.full
    }

    /// The changed tiles, by ascending index.
    pub fn changed_tiles(&self) -> &[TileChange] {
        &self.changed
    }

    /// Whether tile `index` changed.
    pub fn is_changed(&self, index: usize) -> bool {
        self.changed.binary_search_by_key(&index, |c| c.index as usize).is_ok()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty()
    }

    /// Pixels changed over all tiles.
    pub fn changed_pixels(&self) -> u64 {
        self.changed.iter().map(|c| u64::from(c.changed_pixels)).sum()
    }

    /// The changed tiles merged into few disjoint rectangles covering exactly them
    /// (runs along tile rows, then equal spans down), sorted top to bottom, left to right.
    pub fn rects(&self) -> Vec<Rect> {
        let mut mask = vec![false; self.grid.len()];
        for c in &self.changed {
            mask[c.index as usize] = true;
        }
        self.grid.merge(|i| mask[i].then_some(())).into_iter().map(|(r, ())| r).collect()
    }

    /// Vertical scrolls found in the damage (empty unless scroll detection is on).
    pub fn scroll_hints(&self) -> &[ScrollHint] {
        &self.scroll
    }
}

/// Exact tile damage between consecutive frames of one 32-bit surface.
///
/// It keeps its own packed, top-down copy of the previous frame (4 bytes a pixel).
#[derive(Debug, Clone)]
pub struct DamageTracker {
    grid: TileGrid,
    prev: Vec<u8>,
    format: Option<PixelFormat>,
    history: Vec<TileHistory>,
    last_frame: Option<u64>,
    primed: bool,
    trust: HintTrust,
    large_fraction: f32,
    detect_scroll: bool,
    parallel: bool,
}

/// Below this many pixels a frame is compared on the calling thread: splitting
/// 0.3 Mpixel (about 0.1 ms of compare) costs more in hand-offs than it saves.
const PARALLEL_MIN_PIXELS: u64 = 1 << 18;

impl DamageTracker {
    /// A tracker for a `width` x `height` surface cut into `tile`-pixel squares
    /// ([`super::DEFAULT_TILE`] is 64). Errors as [`TileGrid::new`].
    pub fn new(width: u32, height: u32, tile: u32) -> Result<Self> {
        let grid = TileGrid::new(width, height, tile)?;
        let bytes = u64::from(width) * u64::from(height) * 4;
        paprika_codecs::Limits::default().check_alloc(bytes)?;
        Ok(DamageTracker {
            grid,
            prev: vec![0; bytes as usize],
            format: None,
            history: vec![TileHistory::default(); grid.len()],
            last_frame: None,
            primed: false,
            trust: HintTrust::Advisory,
            large_fraction: LARGE_CHANGE_FRACTION,
            detect_scroll: false,
            parallel: u64::from(width) * u64::from(height) >= PARALLEL_MIN_PIXELS,
        })
    }

    /// Sets how far hints are trusted (default [`HintTrust::Advisory`]).
    pub fn with_hint_trust(mut self, trust: HintTrust) -> Self {
        self.trust = trust;
        self
    }

    /// Sets the share of a tile's pixels that makes a change *large* (default
    /// [`LARGE_CHANGE_FRACTION`]); clamped to 0..=1.
    pub fn with_large_change_fraction(mut self, fraction: f32) -> Self {
        self.large_fraction = fraction.clamp(0.0, 1.0);
        self
    }

    /// Turns vertical scroll detection on or off (default off).
    pub fn with_scroll_detection(mut self, on: bool) -> Self {
        self.detect_scroll = on;
        self
    }

    /// Compares tile rows on rayon's pool (default: on from 0.26 Mpixel) or on the caller's thread.
    pub fn with_parallel(mut self, on: bool) -> Self {
        self.parallel = on;
        self
    }

    /// The tile grid.
    pub fn grid(&self) -> &TileGrid {
        &self.grid
    }

    /// Per-tile change histories, by tile index.
    pub fn histories(&self) -> &[TileHistory] {
        &self.history
    }

    /// The history of tile `index`.
    pub fn history(&self, index: usize) -> &TileHistory {
        &self.history[index]
    }

    /// The previous frame as the tracker holds it: packed, top-down, 4 bytes a pixel.
    pub fn previous(&self) -> &[u8] {
        &self.prev
    }

    /// The frame index of the last update.
    pub fn last_frame_index(&self) -> Option<u64> {
        self.last_frame
    }

    /// Forgets the previous frame: the next update reports every tile changed (and
    /// may change the pixel format). Histories are kept.
    pub fn reset(&mut self) {
        self.primed = false;
        self.format = None;
    }

    /// Compares `frame` with the previous one and returns the changed tiles.
    ///
    /// `frame` must be `Bgrx32` (X ignored) or `Bgra32` (all four bytes compared),
    /// of the tracker's size and of the same format as the frames before it;
    /// `frame_index` must increase from call to call (gaps are frames without change).
    /// `hint` is used only under [`HintTrust::Exact`], to skip the tiles it does not
    /// touch; the result is exact either way.
    pub fn update(&mut self, frame: &ImageRef, hint: Option<&[Rect]>, frame_index: u64) -> Result<DamageMap> {
        let mask = match frame.format() {
            PixelFormat::Bgrx32 => MASK_BGRX,
            PixelFormat::Bgra32 => MASK_BGRA,
            _ => return Err(Error::Unsupported(UnsupportedKind::PixelFormat)),
        };
        if frame.width() != self.grid.width() || frame.height() != self.grid.height() {
            return Err(Error::Parameter(ParameterKind::UnsupportedSize {
                width: frame.width(),
                height: frame.height(),
            }));
        }
        if self.format.is_some_and(|f| f != frame.format()) {
            return Err(Error::Parameter(ParameterKind::FormatMismatch));
        }
        if self.last_frame.is_some_and(|last| frame_index <= last) {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        let gap = self.last_frame.map_or(0, |last| frame_index - last);
        self.last_frame = Some(frame_index);
        for h in &mut self.history {
            h.advance(gap);
        }

        if !self.primed {
            self.copy_tiles(frame, &vec![true; self.grid.len()]);
            self.primed = true;
            self.format = Some(frame.format());
            let changed = (0..self.grid.len())
                .map(|i| {
                    let area = self.grid.tile_rect(i).area() as u32;
                    TileChange { index: i as u32, changed_pixels: area, fraction: 1.0 }
                })
                .collect();
            return Ok(DamageMap { grid: self.grid, frame_index, full: true, changed, scroll: Vec::new() });
        }

        // Which tiles to compare.
        let candidates = match (self.trust, hint) {
            (HintTrust::Exact, Some(rects)) => {
                let mut c = vec![false; self.grid.len()];
                for r in rects {
                    if let Some((cols, rows)) = self.grid.tiles_touching(r) {
                        for row in rows {
                            for col in cols.clone() {
                                c[self.grid.index(col, row)] = true;
                            }
                        }
                    }
                }
                c
            }
            _ => vec![true; self.grid.len()],
        };

        let counts = self.compare(frame, &candidates, mask);
        let changed_mask: Vec<bool> = counts.iter().map(|&n| n > 0).collect();
        let mut changed = Vec::new();
        for (i, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let fraction = n as f32 / self.grid.tile_rect(i).area() as f32;
            changed.push(TileChange { index: i as u32, changed_pixels: n, fraction });
            let h = &mut self.history[i];
            h.last_changed = Some(frame_index);
            h.changed |= 1;
            if fraction >= self.large_fraction {
                h.large |= 1;
            }
            h.last_fraction = fraction;
        }
        let mut map = DamageMap { grid: self.grid, frame_index, full: false, changed, scroll: Vec::new() };
        if self.detect_scroll && !map.is_empty() {
            map.scroll = scroll::detect(&self.grid, &self.prev, frame, &changed_mask, mask);
        }
        self.copy_tiles(frame, &changed_mask);
        Ok(map)
    }

    /// Changed-pixel count of every tile (0 for tiles not compared).
    fn compare(&self, frame: &ImageRef, candidates: &[bool], mask: u32) -> Vec<u32> {
        let grid = self.grid;
        let stride = grid.width() as usize * 4;
        let band = |row: u32| -> Vec<u32> {
            let cols = grid.cols() as usize;
            let mut counts = vec![0u32; cols];
            let todo: Vec<usize> = (0..cols).filter(|&c| candidates[grid.index(c as u32, row)]).collect();
            if todo.is_empty() {
                return counts;
            }
            let rect = grid.span_rect(0, grid.cols(), row, row + 1);
            let t = grid.tile() as usize * 4;
            for y in rect.y..rect.y + rect.height {
                let new = frame.row(y);
                let old = &self.prev[y as usize * stride..][..stride];
                if todo.len() == cols {
                    // Whole row: one kernel call per tile span, contiguous memory.
                    for (c, count) in counts.iter_mut().enumerate() {
                        let x0 = c * t;
                        let x1 = (x0 + t).min(stride);
                        *count += kernel::count_changed(&new[x0..x1], &old[x0..x1], mask);
                    }
                } else {
                    for &c in &todo {
                        let x0 = c * t;
                        let x1 = (x0 + t).min(stride);
                        counts[c] += kernel::count_changed(&new[x0..x1], &old[x0..x1], mask);
                    }
                }
            }
            counts
        };
        let per_band: Vec<Vec<u32>> = if self.parallel {
            (0..grid.rows()).into_par_iter().map(band).collect()
        } else {
            (0..grid.rows()).map(band).collect()
        };
        per_band.concat()
    }

    /// Copies the tiles marked in `which` from `frame` into the previous-frame buffer.
    fn copy_tiles(&mut self, frame: &ImageRef, which: &[bool]) {
        let grid = self.grid;
        let stride = grid.width() as usize * 4;
        let band_bytes = stride * grid.tile() as usize;
        let t = grid.tile() as usize * 4;
        let copy_band = |(row, dst): (usize, &mut [u8])| {
            let row = row as u32;
            let cols = grid.cols();
            let first = grid.index(0, row);
            let flags = &which[first..first + cols as usize];
            if !flags.iter().any(|&f| f) {
                return;
            }
            let all = flags.iter().all(|&f| f);
            let y0 = row * grid.tile();
            for (k, dst_row) in dst.chunks_exact_mut(stride).enumerate() {
                let src = frame.row(y0 + k as u32);
                if all {
                    dst_row.copy_from_slice(src);
                    continue;
                }
                for (c, &f) in flags.iter().enumerate() {
                    if f {
                        let x0 = c * t;
                        let x1 = (x0 + t).min(stride);
                        dst_row[x0..x1].copy_from_slice(&src[x0..x1]);
                    }
                }
            }
        };
        if self.parallel {
            self.prev.par_chunks_mut(band_bytes).enumerate().for_each(copy_band);
        } else {
            self.prev.chunks_mut(band_bytes).enumerate().for_each(copy_band);
        }
    }
}
