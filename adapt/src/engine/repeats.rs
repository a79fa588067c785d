//! `RepeatIndex`: which tile contents the client's GLZ dictionary already holds.
//!
//! GLZ codes an image against the images the client still keeps, so content
//! that comes back — a slideshow returning to a photo, a window switched back
//! to, a page scrolled back — costs a few bytes, where any per-codec average
//! predicts a full image. The engine hashes each changed tile's pixels and
//! remembers the hashes of tiles sent with GLZ, for as many pixels as the
//! dictionary window holds; a region whose tiles are known is predicted cheap.

use std::collections::{HashMap, VecDeque};

use paprika_codecs::{ImageRef, Rect};

/// The hash of a tile's B, G, R, X bytes (64-bit, multiply-xor over 8-byte words).
pub(crate) fn tile_hash(frame: &ImageRef<'_>, rect: Rect) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15 ^ (u64::from(rect.width) << 32 | u64::from(rect.height));
    for y in rect.y..rect.y + rect.height {
        let row = &frame.row(y)[rect.x as usize * 4..(rect.x + rect.width) as usize * 4];
        let mut words = row.chunks_exact(8);
        for w in &mut words {
            let v = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            h = (h ^ v).wrapping_mul(0x0000_0100_0000_01B3).rotate_left(29);
        }
        for &b in words.remainder() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

/// Tile hashes the GLZ dictionary holds, oldest first, bounded by its window.
#[derive(Debug, Default)]
pub(crate) struct RepeatIndex {
    counts: HashMap<u64, u32>,
    order: VecDeque<(u64, u64)>,
    pixels: u64,
    window_pixels: u64,
}

impl RepeatIndex {
    /// An index for a dictionary of `window_pixels`.
    pub fn new(window_pixels: u64) -> Self {
        RepeatIndex { window_pixels, ..RepeatIndex::default() }
    }

    /// Whether a tile with this hash was sent with GLZ within the window.
    pub fn contains(&self, hash: u64) -> bool {
        self.counts.contains_key(&hash)
    }

    /// Records a tile of `pixels` sent with GLZ; forgets the oldest beyond the window.
    pub fn insert(&mut self, hash: u64, pixels: u64) {
        *self.counts.entry(hash).or_insert(0) += 1;
        self.order.push_back((hash, pixels));
        self.pixels += pixels;
        while self.pixels > self.window_pixels {
            let Some((old, px)) = self.order.pop_front() else { break };
            self.pixels -= px;
            if let Some(c) = self.counts.get_mut(&old) {
                *c -= 1;
                if *c == 0 {
                    self.counts.remove(&old);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paprika_codecs::{ImageDesc, PixelFormat};

    #[test]
    fn equal_tiles_hash_equal_and_the_window_forgets() {
        let desc = ImageDesc::packed(128, 64, PixelFormat::Bgrx32).unwrap();
        let mut px: Vec<u8> = (0..128 * 64 * 4).map(|i| (i * 7 % 251) as u8).collect();
        // Right half a copy of the left half.
        for y in 0..64 {
            let (l, r) = px[y * 512..(y + 1) * 512].split_at_mut(256);
            r.copy_from_slice(l);
        }
        let img = ImageRef::new(desc, &px).unwrap();
        let a = tile_hash(&img, Rect::new(0, 0, 64, 64));
        let b = tile_hash(&img, Rect::new(64, 0, 64, 64));
        let c = tile_hash(&img, Rect::new(0, 0, 64, 32));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut idx = RepeatIndex::new(2 * 4096);
        idx.insert(a, 4096);
        idx.insert(c, 2048);
        assert!(idx.contains(a) && idx.contains(c));
        idx.insert(7, 4096);
        assert!(!idx.contains(a), "the oldest left the window");
        assert!(idx.contains(c) && idx.contains(7));
    }
}
