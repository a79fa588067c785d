//! Kernels of the quality metrics (`crate::metrics`): the sum of squared
//! differences of two rows (PSNR) and the running window moments of two luma
//! rows (SSIM). All integer, so the `wide` twins are exact.

/// What [`scalar::moments`] adds to or takes from the column sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// A row enters the window.
    Add,
    /// A row leaves the window.
    Sub,
}

/// Per-column sums of x, y, x², y² and xy over the rows in a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMoments {
    /// Σx.
    pub x: Vec<u32>,
    /// Σy.
    pub y: Vec<u32>,
    /// Σx².
    pub xx: Vec<u32>,
    /// Σy².
    pub yy: Vec<u32>,
    /// Σxy.
    pub xy: Vec<u32>,
}

impl ColumnMoments {
    /// Zeroed sums for `width` columns.
    pub fn new(width: usize) -> Self {
        let z = vec![0; width];
        ColumnMoments { x: z.clone(), y: z.clone(), xx: z.clone(), yy: z.clone(), xy: z }
    }

    /// Columns.
    pub fn width(&self) -> usize {
        self.x.len()
    }
}

/// The scalar reference.
pub mod scalar {
    use super::{ColumnMoments, Update};

    /// Σ (a[i] - b[i])² over the common length.
    pub fn sum_squared_diff(a: &[u8], b: &[u8]) -> u64 {
        a.iter().zip(b).map(|(&p, &q)| u64::from(p.abs_diff(q)).pow(2)).sum()
    }

    /// Σ (a[i] - b[i])² apart for each byte position modulo 4 (B, G, R, X of
    /// 32-bit pixels), over the common length.
    pub fn sum_squared_diff_by_lane(a: &[u8], b: &[u8]) -> [u64; 4] {
        let mut out = [0u64; 4];
        for (i, (&p, &q)) in a.iter().zip(b).enumerate() {
            out[i % 4] += u64::from(p.abs_diff(q)).pow(2);
        }
        out
    }

    /// Adds (or subtracts) one row pair to the column sums; `x`, `y` and every
    /// sum hold `m.width()` values. Arithmetic wraps: a sum that went up by a
    /// row and came down by it again is exact whatever happened in between.
    pub fn moments(x: &[u8], y: &[u8], m: &mut ColumnMoments, update: Update) {
        let n = m.width();
        assert!(x.len() >= n && y.len() >= n);
        let op = |s: &mut u32, v: u32| {
            *s = match update {
                Update::Add => s.wrapping_add(v),
                Update::Sub => s.wrapping_sub(v),
            }
        };
        for i in 0..n {
            let (a, b) = (u32::from(x[i]), u32::from(y[i]));
            op(&mut m.x[i], a);
            op(&mut m.y[i], b);
            op(&mut m.xx[i], a * a);
            op(&mut m.yy[i], b * b);
            op(&mut m.xy[i], a * b);
        }
    }
}

/// The `wide` twins.
pub mod wide {
    use super::{ColumnMoments, Update, scalar};
    use bytemuck::cast;
    use wide::{i16x8, i32x4, u8x16, u16x8, u32x8};

    fn load16(s: &[u8]) -> u8x16 {
        match s.first_chunk::<16>() {
            Some(a) => u8x16::from(*a),
            None => crate::simd::yuv::short_input(),
        }
    }

    /// See [`scalar::sum_squared_diff`]: 16 bytes a step, squares summed in
    /// pairs by a 16-bit multiply-add into 32-bit lanes, flushed to 64 bits
    /// before they could overflow.
    pub fn sum_squared_diff(a: &[u8], b: &[u8]) -> u64 {
        let n = a.len().min(b.len());
        let whole = n / 16 * 16;
        let mut total = 0u64;
        // 4096 steps add at most 4096 * 2 * 255² < 2^31 to a lane.
        for (ca, cb) in a[..whole].chunks(16 * 4096).zip(b[..whole].chunks(16 * 4096)) {
            let mut acc = i32x4::splat(0);
            for (x, y) in ca.chunks_exact(16).zip(cb.chunks_exact(16)) {
                let (x, y) = (load16(x), load16(y));
                let wide16 = |v: u16x8| cast::<u16x8, i16x8>(v);
                let lo = wide16(u16x8::from_u8x16_low(x)) - wide16(u16x8::from_u8x16_low(y));
                let hi = wide16(u16x8::from_u8x16_high(x)) - wide16(u16x8::from_u8x16_high(y));
                acc += lo.dot(lo) + hi.dot(hi);
            }
            total += acc.to_array().iter().map(|&v| v as u32 as u64).sum::<u64>();
        }
        total + scalar::sum_squared_diff(&a[whole..n], &b[whole..n])
    }

    /// See [`scalar::sum_squared_diff_by_lane`]: 16 bytes a step; squares in
    /// 16-bit lanes (255² fits), summed into 32-bit lanes that keep each byte
    /// position apart, flushed to 64 bits before they could overflow.
    pub fn sum_squared_diff_by_lane(a: &[u8], b: &[u8]) -> [u64; 4] {
        let n = a.len().min(b.len());
        let whole = n / 16 * 16;
        let mut out = [0u64; 4];
        // 4096 steps add at most 2 * 4096 * 255² < 2^32 to a lane.
        for (ca, cb) in a[..whole].chunks(16 * 4096).zip(b[..whole].chunks(16 * 4096)) {
            let mut acc = u32x8::splat(0);
            for (x, y) in ca.chunks_exact(16).zip(cb.chunks_exact(16)) {
                let (x, y) = (load16(x), load16(y));
                let d = x.saturating_sub(y) | y.saturating_sub(x);
                let (lo, hi) = (u16x8::from_u8x16_low(d), u16x8::from_u8x16_high(d));
                acc += u32x8::from(lo * lo) + u32x8::from(hi * hi);
            }
            let lanes = acc.to_array();
            for (k, o) in out.iter_mut().enumerate() {
                *o += u64::from(lanes[k]) + u64::from(lanes[k + 4]);
            }
        }
        let tail = scalar::sum_squared_diff_by_lane(&a[whole..n], &b[whole..n]);
        for (o, t) in out.iter_mut().zip(tail) {
            *o += t;
        }
        out
    }

    /// See [`scalar::moments`]: 16 columns a step in 32-bit lanes.
    pub fn moments(x: &[u8], y: &[u8], m: &mut ColumnMoments, update: Update) {
        let n = m.width();
        assert!(x.len() >= n && y.len() >= n);
        let whole = n / 16 * 16;
        let apply = |sums: &mut [u32], lo: u32x8, hi: u32x8| {
            let (s_lo, s_hi) = sums.split_at_mut(8);
            let (old_lo, old_hi): (u32x8, u32x8) = (load8(s_lo), load8(s_hi));
            let (new_lo, new_hi) = match update {
                Update::Add => (old_lo + lo, old_hi + hi),
                Update::Sub => (old_lo - lo, old_hi - hi),
            };
            s_lo.copy_from_slice(new_lo.as_array_ref());
            s_hi.copy_from_slice(new_hi.as_array_ref());
        };
        let ColumnMoments { x: sx, y: sy, xx: sxx, yy: syy, xy: sxy } = m;
        for i in (0..whole).step_by(16) {
            let (a, b) = (load16(&x[i..]), load16(&y[i..]));
            let (al, ah) = (u16x8::from_u8x16_low(a), u16x8::from_u8x16_high(a));
            let (bl, bh) = (u16x8::from_u8x16_low(b), u16x8::from_u8x16_high(b));
            let span = i..i + 16;
            apply(&mut sx[span.clone()], u32x8::from(al), u32x8::from(ah));
            apply(&mut sy[span.clone()], u32x8::from(bl), u32x8::from(bh));
            apply(&mut sxx[span.clone()], al.mul_widen(al), ah.mul_widen(ah));
            apply(&mut syy[span.clone()], bl.mul_widen(bl), bh.mul_widen(bh));
            apply(&mut sxy[span], al.mul_widen(bl), ah.mul_widen(bh));
        }
        if whole < n {
            let mut rest = ColumnMoments {
                x: sx[whole..].to_vec(),
                y: sy[whole..].to_vec(),
                xx: sxx[whole..].to_vec(),
                yy: syy[whole..].to_vec(),
                xy: sxy[whole..].to_vec(),
            };
            scalar::moments(&x[whole..], &y[whole..], &mut rest, update);
            sx[whole..].copy_from_slice(&rest.x);
            sy[whole..].copy_from_slice(&rest.y);
            sxx[whole..].copy_from_slice(&rest.xx);
            syy[whole..].copy_from_slice(&rest.yy);
            sxy[whole..].copy_from_slice(&rest.xy);
        }
    }

    fn load8(s: &[u32]) -> u32x8 {
        match s.first_chunk::<8>() {
            Some(a) => u32x8::from(*a),
            None => crate::simd::yuv::short_input(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ColumnMoments, Update, scalar, wide};
    use crate::simd::tests::rng;

    fn bytes(next: &mut impl FnMut() -> u64, n: usize, extreme: bool) -> Vec<u8> {
        (0..n).map(|i| if extreme { [0, 255][i % 2] } else { (next() >> 29) as u8 }).collect()
    }

    #[test]
    fn sum_squared_diff_agrees() {
        let mut next = rng(0x55d);
        for n in 0..=100 {
            for extreme in [false, true] {
                let a = bytes(&mut next, n, extreme);
                let b = if extreme { a.iter().map(|v| 255 - v).collect() } else { bytes(&mut next, n, false) };
                assert_eq!(scalar::sum_squared_diff(&a, &b), wide::sum_squared_diff(&a, &b), "n={n}");
            }
        }
        // Past one flush block: every lane at its largest.
        let (a, b) = (vec![0u8; 16 * 4096 * 2 + 5], vec![255u8; 16 * 4096 * 2 + 5]);
        assert_eq!(wide::sum_squared_diff(&a, &b), (a.len() as u64) * 255 * 255);
        let lanes = wide::sum_squared_diff_by_lane(&a, &b);
        assert_eq!(lanes, scalar::sum_squared_diff_by_lane(&a, &b));
        assert_eq!(lanes.iter().sum::<u64>(), (a.len() as u64) * 255 * 255);
    }

    #[test]
    fn sum_squared_diff_by_lane_agrees() {
        let mut next = rng(0x1a7e);
        for n in 0..=100 {
            for extreme in [false, true] {
                let a = bytes(&mut next, n, extreme);
                let b = if extreme { a.iter().map(|v| 255 - v).collect() } else { bytes(&mut next, n, false) };
                let s = scalar::sum_squared_diff_by_lane(&a, &b);
                assert_eq!(s, wide::sum_squared_diff_by_lane(&a, &b), "n={n}");
                assert_eq!(s.iter().sum::<u64>(), scalar::sum_squared_diff(&a, &b));
            }
        }
    }

    #[test]
    fn moments_agree_and_undo() {
        let mut next = rng(0x3073);
        for n in 1..=70 {
            let mut s = ColumnMoments::new(n);
            let mut w = ColumnMoments::new(n);
            let rows: Vec<(Vec<u8>, Vec<u8>)> =
                (0..4).map(|k| (bytes(&mut next, n, k == 3), bytes(&mut next, n, false))).collect();
            for (x, y) in &rows {
                scalar::moments(x, y, &mut s, Update::Add);
                wide::moments(x, y, &mut w, Update::Add);
            }
            assert_eq!(s, w, "n={n}");
            for (x, y) in &rows[..2] {
                scalar::moments(x, y, &mut s, Update::Sub);
                wide::moments(x, y, &mut w, Update::Sub);
            }
            assert_eq!(s, w, "n={n} after removing rows");
            let mut only = ColumnMoments::new(n);
            for (x, y) in &rows[2..] {
                scalar::moments(x, y, &mut only, Update::Add);
            }
            assert_eq!(s, only, "removing rows must leave the sums of the rest");
        }
    }
}
