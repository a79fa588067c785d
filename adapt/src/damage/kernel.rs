//! The row-compare kernel of the damage tracker: how many 32-bit pixels of two rows
//! differ under a byte mask (B, G, R only for BGRX; all four bytes for BGRA).
//!
//! A scalar twin (the definition) and a `wide` version (32 bytes, 8 pixels, per step;
//! SSE2 on baseline x86-64, AVX2 with `-C target-cpu=x86-64-v3`, NEON on aarch64),
//! agreeing on every length: `damage/tests.rs` checks them on random rows of every
//! length 0..=70 pixels. [`count_changed`] is the version the tracker calls.

/// Mask of the bytes that matter in a little-endian BGRX pixel (X, the top byte, ignored).
pub const MASK_BGRX: u32 = 0x00FF_FFFF;
/// Mask of the bytes that matter in a BGRA pixel (all four).
pub const MASK_BGRA: u32 = 0xFFFF_FFFF;

/// The version the tracker uses: `wide` (see `docs/engine.md` for the measured ratio).
pub use self::wide::count_changed;

/// Reference versions.
pub mod scalar {
    /// Pixels `i` (4 bytes each) where `(a[i] ^ b[i]) & mask != 0`, reading pixels as
    /// little-endian `u32`. Both rows must have the same length, a multiple of 4.
    pub fn count_changed(a: &[u8], b: &[u8], mask: u32) -> u32 {
        debug_assert_eq!(a.len(), b.len());
        let mut n = 0;
        for (p, q) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
            let p = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
            let q = u32::from_le_bytes([q[0], q[1], q[2], q[3]]);
            n += u32::from((p ^ q) & mask != 0);
        }
        n
    }
}

/// `wide` versions: whole 64-byte blocks (16 pixels, four vectors), the remainder
/// handed to [`scalar`].
pub mod wide {
    use super::scalar;
    use wide::u32x4;

    #[inline(always)]
    fn load(s: &[u8; 64], at: usize) -> u32x4 {
        let mut v = [0u8; 16];
        v.copy_from_slice(&s[at..at + 16]);
        bytemuck::cast(v)
    }

    /// See [`scalar::count_changed`].
    pub fn count_changed(a: &[u8], b: &[u8], mask: u32) -> u32 {
        let n = a.len().min(b.len());
        let whole = n / 64 * 64;
        let m = u32x4::splat(mask);
        let zero = u32x4::splat(0);
        // Count equal pixels: an equal lane's compare is all ones, i.e. -1, so
        // subtracting it adds one. Four vectors a step (fixed-size blocks, so no
        // bounds checks in the loop), two accumulators.
        let (mut eq0, mut eq1) = (zero, zero);
        for (p, q) in a[..whole].chunks_exact(64).zip(b[..whole].chunks_exact(64)) {
            let (Ok(p), Ok(q)) = (<&[u8; 64]>::try_from(p), <&[u8; 64]>::try_from(q)) else { continue };
            let x0 = (load(p, 0) ^ load(q, 0)) & m;
            let x1 = (load(p, 16) ^ load(q, 16)) & m;
            let x2 = (load(p, 32) ^ load(q, 32)) & m;
            let x3 = (load(p, 48) ^ load(q, 48)) & m;
            eq0 = eq0 - x0.cmp_eq(zero) - x1.cmp_eq(zero);
            eq1 = eq1 - x2.cmp_eq(zero) - x3.cmp_eq(zero);
        }
        let equal: u32 = (eq0 + eq1).to_array().iter().sum();
        let changed = (whole / 4) as u32 - equal;
        changed + scalar::count_changed(&a[whole..n], &b[whole..n], mask)
    }
}
