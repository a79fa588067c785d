//! The tile grid over a surface, and the merge of per-tile labels into few rectangles.
//!
//! Tiles are squares of `tile` pixels laid from the top-left corner; the last column
//! and row are narrower or shorter when the surface size is not a multiple of `tile`.
//! Tiles are numbered row-major: `index = row * cols + col`.

use paprika_codecs::ImageRef;
use paprika_codecs::error::{ParameterKind, Result};
use paprika_codecs::{Error, Limits, Rect};

/// Default tile side in pixels: 64 is FreeRDP's and H.264's macroblock-aligned damage
/// unit (4x4 macroblocks), large enough that per-tile bookkeeping is ~500 tiles at
/// 1080p and small enough that a typed glyph damages a few percent of a tile.
pub const DEFAULT_TILE: u32 = 64;

/// Geometry of a tile grid: surface size, tile side, and the derived column and row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileGrid {
    width: u32,
    height: u32,
    tile: u32,
    cols: u32,
    rows: u32,
}

impl TileGrid {
    /// A grid of `tile`-pixel squares over a `width` x `height` surface.
    ///
    /// Errors: `EmptyImage` for a zero side, `OutOfRange` for a zero tile, and the
    /// default [`Limits`] on the surface size (16384 x 16384).
    pub fn new(width: u32, height: u32, tile: u32) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(Error::Parameter(ParameterKind::EmptyImage));
        }
        if tile == 0 {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        Limits::default().check_dimensions(width, height)?;
        Ok(TileGrid { width, height, tile, cols: width.div_ceil(tile), rows: height.div_ceil(tile) })
    }

    /// Surface width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Surface height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Tile side in pixels.
    pub fn tile(&self) -> u32 {
        self.tile
    }

    /// Tile columns.
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// Tile rows.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Number of tiles.
    pub fn len(&self) -> usize {
        self.cols as usize * self.rows as usize
    }

    /// Whether the grid has no tile (never true for a constructed grid).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row-major index of the tile at `col`, `row`.
    pub fn index(&self, col: u32, row: u32) -> usize {
        row as usize * self.cols as usize + col as usize
    }

    /// Column and row of tile `index`.
    pub fn position(&self, index: usize) -> (u32, u32) {
        ((index % self.cols as usize) as u32, (index / self.cols as usize) as u32)
    }

    /// The pixels tile `index` covers (edge tiles are clipped to the surface).
    pub fn tile_rect(&self, index: usize) -> Rect {
        let (col, row) = self.position(index);
        self.span_rect(col, col + 1, row, row + 1)
    }

    /// The pixel rectangle of tile columns `c0..c1` and rows `r0..r1`, clipped to the surface.
    pub fn span_rect(&self, c0: u32, c1: u32, r0: u32, r1: u32) -> Rect {
        let x0 = c0 * self.tile;
        let y0 = r0 * self.tile;
        let x1 = (u64::from(c1) * u64::from(self.tile)).min(u64::from(self.width)) as u32;
        let y1 = (u64::from(r1) * u64::from(self.tile)).min(u64::from(self.height)) as u32;
        Rect::new(x0, y0, x1 - x0, y1 - y0)
    }

    /// Tile columns and rows (half-open ranges) that `rect` touches, after clipping it
    /// to the surface; `None` when it covers no pixel of the surface.
    pub fn tiles_touching(&self, rect: &Rect) -> Option<(core::ops::Range<u32>, core::ops::Range<u32>)> {
        let r = rect.intersect(&Rect::new(0, 0, self.width, self.height));
        if r.is_empty() {
            return None;
        }
        let c0 = r.x / self.tile;
        let r0 = r.y / self.tile;
        let c1 = (r.x + r.width - 1) / self.tile + 1;
        let r1 = (r.y + r.height - 1) / self.tile + 1;
        Some((c0..c1, r0..r1))
    }

    /// Indexes of the tiles `rect` touches, row by row (empty when it covers none).
    pub fn tiles_in(&self, rect: Rect) -> Vec<usize> {
        let Some((cols, rows)) = self.tiles_touching(&rect) else { return Vec::new() };
        rows.flat_map(|r| cols.clone().map(move |c| self.index(c, r))).collect()
    }

    /// Copies tile `index` of `frame` (4-byte pixels, this grid's size) into
    /// `shadow` (packed rows of the same size) and reports whether it differed;
    /// with `ignore_x` the fourth byte of each pixel is not compared.
    pub fn copy_tile(&self, index: usize, frame: &ImageRef<'_>, shadow: &mut [u8], ignore_x: bool) -> bool {
        let w = self.width as usize;
        let r = self.tile_rect(index);
        let mut changed = false;
        for y in r.y..r.y + r.height {
            let src = &frame.row(y)[r.x as usize * 4..(r.x + r.width) as usize * 4];
            let at = (y as usize * w + r.x as usize) * 4;
            let dst = &mut shadow[at..at + src.len()];
            if !changed {
                changed = if ignore_x {
                    dst.chunks_exact(4).zip(src.chunks_exact(4)).any(|(a, b)| a[..3] != b[..3])
                } else {
                    dst != src
                };
            }
            dst.copy_from_slice(src);
        }
        changed
    }

    /// Merges tiles with equal labels into rectangles: runs of equal labels along each
    /// tile row, then runs of identical spans (same columns, same label) down the rows.
    ///
    /// `label(index)` is `None` for tiles to leave out. The rectangles are disjoint,
    /// cover exactly the labelled tiles, and come sorted by top edge, then left edge.
    pub fn merge<L: Copy + PartialEq>(&self, label: impl Fn(usize) -> Option<L>) -> Vec<(Rect, L)> {
        // Open rectangles from the rows above: (c0, c1, label, first row).
        let mut open: Vec<(u32, u32, L, u32)> = Vec::new();
        let mut next: Vec<(u32, u32, L, u32)> = Vec::new();
        let mut out = Vec::new();
        for row in 0..self.rows {
            next.clear();
            let mut k = 0; // cursor into `open`, sorted by c0 like the runs
            let mut col = 0;
            while col < self.cols {
                let Some(l) = label(self.index(col, row)) else {
                    col += 1;
                    continue;
                };
                let c0 = col;
                col += 1;
                while col < self.cols && label(self.index(col, row)) == Some(l) {
                    col += 1;
                }
                // Close open rectangles that end before this run starts.
                while k < open.len() && open[k].0 < c0 {
                    let (a, b, ol, r0) = open[k];
                    out.push((self.span_rect(a, b, r0, row), ol));
                    k += 1;
                }
                if k < open.len() && open[k].0 == c0 && open[k].1 == col && open[k].2 == l {
                    next.push(open[k]);
                    k += 1;
                } else {
                    next.push((c0, col, l, row));
                }
            }
            for &(a, b, ol, r0) in &open[k..] {
                out.push((self.span_rect(a, b, r0, row), ol));
            }
            core::mem::swap(&mut open, &mut next);
        }
        for &(a, b, ol, r0) in &open {
            out.push((self.span_rect(a, b, r0, self.rows), ol));
        }
        out.sort_by_key(|(r, _)| (r.y, r.x));
        out
    }
}
