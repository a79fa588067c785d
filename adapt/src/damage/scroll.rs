//! Vertical scroll detection: a band of a damaged rectangle whose new rows equal the
//! previous frame's rows `dy` higher (or lower), found with row hashes and verified
//! exactly.
//!
//! Method, per connected group of changed tiles (4-neighbours), over the group's
//! bounding box: hash every row of the box (over its columns) in the old and the
//! new frame; each new row whose hash occurs exactly
//! once among the old rows votes for `dy = y_new - y_old` (rows that repeat, such as
//! blank lines, cannot tell a shift apart and do not vote); the most voted `dy` is
//! then checked byte for byte (under the frame's mask) and the longest run of rows
//! that match is reported. A hint is therefore exact: every pixel of its rectangle
//! equals the previous frame's pixel `dy` rows above it.

use paprika_codecs::{ImageRef, Rect};
use std::collections::HashMap;

use super::grid::TileGrid;
use super::kernel;

/// Fewest votes a shift needs: below 4 unique rows a match is as likely a coincidence
/// of a few repeated lines (rules, borders) as a scroll.
const MIN_VOTES: u32 = 4;
/// Fewest matching rows reported: a text line is about 16 rows; a shorter band saves
/// too little to be worth a copy command.
const MIN_ROWS: u32 = 16;

/// A vertical scroll: every pixel `(x, y)` of `rect` in the new frame equals pixel
/// `(x, y - dy)` of the previous frame. `dy > 0`: content moved down; `dy < 0`: up
/// (what scrolling down a document does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScrollHint {
    /// Destination rectangle, in the new frame.
    pub rect: Rect,
    /// Rows the content moved by.
    pub dy: i32,
    /// Whether the rows between the top of `rect`'s first tile row and `rect`
    /// are unchanged (over `rect`'s columns): after a copy that tile row is exact.
    pub top_unchanged: bool,
    /// The same below `rect`, to the end of its last tile row.
    pub bottom_unchanged: bool,
}

fn hash_row(row: &[u8], mask: u32) -> u64 {
    // FxHash-style mixing over masked pixels; deterministic, not for adversaries.
    let mut h = 0u64;
    for p in row.chunks_exact(4) {
        let v = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) & mask;
        h = (h.rotate_left(5) ^ u64::from(v)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    h
}

/// Bounding boxes of the 4-connected groups of changed tiles, in scan order.
fn group_boxes(grid: &TileGrid, changed: &[bool]) -> Vec<Rect> {
    let mut seen = vec![false; grid.len()];
    let mut boxes = Vec::new();
    let mut stack = Vec::new();
    for start in 0..grid.len() {
        if !changed[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut c0, mut r0) = grid.position(start);
        let (mut c1, mut r1) = (c0, r0);
        while let Some(i) = stack.pop() {
            let (c, r) = grid.position(i);
            (c0, c1, r0, r1) = (c0.min(c), c1.max(c), r0.min(r), r1.max(r));
            let mut visit = |cc: u32, rr: u32| {
                let j = grid.index(cc, rr);
                if changed[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if c > 0 {
                visit(c - 1, r);
            }
            if c + 1 < grid.cols() {
                visit(c + 1, r);
            }
            if r > 0 {
                visit(c, r - 1);
            }
            if r + 1 < grid.rows() {
                visit(c, r + 1);
            }
        }
        boxes.push(grid.span_rect(c0, c1 + 1, r0, r1 + 1));
    }
    boxes
}

/// Scroll hints for the `changed` tiles; `prev` is the previous frame, packed top-down.
///
/// A scroll bar at either edge of the box moves its thumb while the page scrolls
/// and cuts every row run short, so each box is also tried without its first and
/// without its last tile column; the largest hint wins.
pub(crate) fn detect(grid: &TileGrid, prev: &[u8], frame: &ImageRef, changed: &[bool], mask: u32) -> Vec<ScrollHint> {
    let t = grid.tile();
    let mut hints = Vec::new();
    for r in group_boxes(grid, changed) {
        let mut boxes = vec![r];
        if r.width > t {
            let last_col = (r.x + r.width - 1) / t * t;
            boxes.push(Rect::new(r.x, r.y, last_col - r.x, r.height));
            boxes.push(Rect::new(r.x + t, r.y, r.width - t, r.height));
        }
        let area = |h: &ScrollHint| u64::from(h.rect.width) * u64::from(h.rect.height);
        let best = boxes.into_iter().filter_map(|b| detect_in(grid, prev, frame, b, mask)).max_by_key(area);
        hints.extend(best);
    }
    hints
}

/// The scroll inside one tile-aligned box, if any.
fn detect_in(grid: &TileGrid, prev: &[u8], frame: &ImageRef, r: Rect, mask: u32) -> Option<ScrollHint> {
    let stride = grid.width() as usize * 4;
    if r.height < MIN_ROWS {
        return None;
    }
    let (x0, x1) = (r.x as usize * 4, (r.x + r.width) as usize * 4);
    let old_row = |y: u32| &prev[y as usize * stride..][x0..x1];
    let new_row = |y: u32| &frame.row(y)[x0..x1];
    let mut old: HashMap<u64, (u32, u32)> = HashMap::new();
    for y in r.y..r.y + r.height {
        old.entry(hash_row(old_row(y), mask)).and_modify(|e| e.1 += 1).or_insert((y, 1));
    }
    let mut votes: HashMap<i32, u32> = HashMap::new();
    for y in r.y..r.y + r.height {
        match old.get(&hash_row(new_row(y), mask)) {
            Some(&(yo, 1)) if yo != y => *votes.entry(y as i32 - yo as i32).or_default() += 1,
            _ => {}
        }
    }
    // Most votes; ties to the smaller shift, then to the upward one (deterministic).
    let (&dy, &n) = votes.iter().max_by_key(|&(&dy, &n)| (n, core::cmp::Reverse((dy.unsigned_abs(), dy))))?;
    if n < MIN_VOTES {
        return None;
    }
    // Longest run of exactly matching rows with their source inside the rectangle,
    // holding at least MIN_VOTES rows that really moved (a run of rows equal to
    // themselves, such as blank space, matches every shift and proves nothing).
    let (lo, hi) = (r.y as i64, (r.y + r.height) as i64);
    let (mut best, mut run_start, mut run, mut moved) = ((0u32, 0u32), 0u32, 0u32, 0u32);
    for y in r.y..r.y + r.height {
        let src = y as i64 - dy as i64;
        if src >= lo && src < hi && kernel::count_changed(new_row(y), old_row(src as u32), mask) == 0 {
            if run == 0 {
                run_start = y;
                moved = 0;
            }
            run += 1;
            moved += u32::from(kernel::count_changed(new_row(y), old_row(y), mask) != 0);
            if run > best.1 && moved >= MIN_VOTES {
                best = (run_start, run);
            }
        } else {
            run = 0;
        }
    }
    if best.1 < MIN_ROWS {
        return None;
    }
    let rect = Rect::new(r.x, best.0, r.width, best.1);
    let t = grid.tile();
    let (top, bottom) = (rect.y / t * t, ((rect.y + rect.height).div_ceil(t) * t).min(grid.height()));
    let still =
        |ys: core::ops::Range<u32>| ys.into_iter().all(|y| kernel::count_changed(new_row(y), old_row(y), mask) == 0);
    Some(ScrollHint {
        rect,
        dy,
        top_unchanged: still(top..rect.y),
        bottom_unchanged: still(rect.y + rect.height..bottom),
    })
}
