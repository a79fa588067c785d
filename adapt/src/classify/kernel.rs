//! The neighbour-pair kernel of the classifier: for pixel pairs `(a[i], b[i])` of two
//! equal-length rows of 32-bit B, G, R, X pixels (X or alpha ignored), how many are
//! equal, how many *contrast* (some channel differs by at least [`CONTRAST_MIN`],
//! SPICE's `CONTRAST_TH`), and how many are luma edges (`|Δ(R + 2G + B)| >
//! edge_min`) with the sum of those luma differences.
//!
//! Called with a row and the same row shifted by one pixel (horizontal pairs). A
//! scalar twin (the definition) and a `wide` version (4 pixels per step) agree on
//! every length: `classify/tests.rs`. The classifier calls `wide` (2.5x the scalar
//! twin on a 64-pixel tile row).

/// A pair *contrasts* when some channel differs by at least this: SPICE's
/// `CONTRAST_TH` for 24- and 32-bit bitmaps (`spice-bitmap-utils.c`), the line its
/// graduality score draws between sharp (synthetic) and smooth (photographic) steps.
pub const CONTRAST_MIN: u8 = 60;

/// Pair counts of two rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PairCounts {
    /// Pairs looked at.
    pub pairs: u32,
    /// Pairs with equal B, G and R.
    pub equal: u32,
    /// Pairs where some channel differs by at least [`CONTRAST_MIN`].
    pub contrast: u32,
    /// Pairs whose luma `R + 2G + B` (0..=1020) differs by more than the edge threshold.
    pub edges: u32,
    /// Sum of `|Δ(R + 2G + B)|` over the edge pairs.
    pub edge_sum: u32,
}

impl PairCounts {
    /// Adds another row's counts.
    pub fn add(&mut self, o: &PairCounts) {
        self.pairs += o.pairs;
        self.equal += o.equal;
        self.contrast += o.contrast;
        self.edges += o.edges;
        self.edge_sum += o.edge_sum;
    }
}

/// The version the classifier uses.
pub use self::wide::pair_stats;

/// Reference versions.
pub mod scalar {
    use super::{CONTRAST_MIN, PairCounts};

    /// Luma times 4, as `R + 2G + B` of a B, G, R, X pixel.
    #[inline(always)]
    pub fn luma4(p: &[u8]) -> i32 {
        i32::from(p[0]) + 2 * i32::from(p[1]) + i32::from(p[2])
    }

    /// See the module documentation. Rows of equal length, a multiple of 4 bytes.
    pub fn pair_stats(a: &[u8], b: &[u8], edge_min: i32) -> PairCounts {
        let mut c = PairCounts::default();
        for (p, q) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
            c.pairs += 1;
            let d = (0..3).map(|k| p[k].abs_diff(q[k])).max().unwrap_or(0);
            c.equal += u32::from(d == 0);
            c.contrast += u32::from(d >= CONTRAST_MIN);
            let dl = (luma4(p) - luma4(q)).abs();
            if dl > edge_min {
                c.edges += 1;
                c.edge_sum += dl as u32;
            }
        }
        c
    }
}

/// `wide` versions: whole 16-byte vectors (4 pixels), the remainder handed to [`scalar`].
pub mod wide {
    use super::{CONTRAST_MIN, PairCounts, scalar};
    use bytemuck::cast;
    use wide::{CmpGt, i32x4, u8x16, u32x4};

    #[inline(always)]
    fn load(s: &[u8]) -> u8x16 {
        let mut a = [0u8; 16];
        a.copy_from_slice(s);
        u8x16::from(a)
    }

    #[inline(always)]
    fn luma4(p: u8x16) -> i32x4 {
        let p: u32x4 = cast(p);
        let m = u32x4::splat(0xFF);
        cast((p & m) + ((p >> 7) & u32x4::splat(0x1FE)) + ((p >> 16) & m))
    }

    /// See [`scalar::pair_stats`].
    pub fn pair_stats(a: &[u8], b: &[u8], edge_min: i32) -> PairCounts {
        let n = a.len().min(b.len());
        let whole = n / 16 * 16;
        let rgb = u32x4::splat(0x00FF_FFFF);
        let zero = u32x4::splat(0);
        let below = u8x16::splat(CONTRAST_MIN - 1);
        let emin = i32x4::splat(edge_min);
        let (mut eq, mut flat, mut edges, mut sum) = (zero, zero, i32x4::splat(0), i32x4::splat(0));
        for (p, q) in a[..whole].chunks_exact(16).zip(b[..whole].chunks_exact(16)) {
            let va = load(p);
            let vb = load(q);
            let d = va.saturating_sub(vb) | vb.saturating_sub(va);
            // Lanes are -1 where true: subtracting counts them.
            eq -= (cast::<u8x16, u32x4>(d) & rgb).cmp_eq(zero);
            flat -= (cast::<u8x16, u32x4>(d.saturating_sub(below)) & rgb).cmp_eq(zero);
            let dl = (luma4(va) - luma4(vb)).abs();
            let e = dl.cmp_gt(emin);
            edges -= e;
            sum += dl & e;
        }
        let eq: u32 = eq.to_array().iter().sum();
        let flat: u32 = flat.to_array().iter().sum();
        let pairs = (whole / 4) as u32;
        let mut c = PairCounts {
            pairs,
            equal: eq,
            contrast: pairs - flat,
            edges: edges.reduce_add() as u32,
            edge_sum: sum.reduce_add() as u32,
        };
        c.add(&scalar::pair_stats(&a[whole..n], &b[whole..n], edge_min));
        c
    }
}
