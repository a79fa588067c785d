//! The recording's byte layout: shared constants and the digest.

use paprika_codecs::Rect;

/// File magic.
pub(crate) const MAGIC: &[u8; 4] = b"PPRC";
/// Format version.
pub(crate) const VERSION: u32 = 1;
/// Record tags.
pub(crate) const TAG_FRAME: u8 = 2;
pub(crate) const TAG_FEEDBACK: u8 = 3;
pub(crate) const TAG_POLL: u8 = 4;
/// A hint count meaning "no hint".
pub(crate) const NO_HINT: u32 = u32::MAX;
/// Largest surface side a recording may declare.
pub(crate) const MAX_SIDE: u32 = 16384;
/// Most pixels a recording's surface may have (8K UHD with room): replay
/// allocates the screen and a frame's tiles from it.
pub(crate) const MAX_PIXELS: u64 = 1 << 25;
/// Longest policy name.
pub(crate) const MAX_NAME: usize = 256;

/// FNV-1a, 64-bit: stable across platforms and versions, unlike `DefaultHasher`.
pub(crate) struct Fnv(u64);

impl Fnv {
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn rect(&mut self, r: &Rect) {
        for v in [r.x, r.y, r.width, r.height] {
            self.bytes(&v.to_le_bytes());
        }
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}
