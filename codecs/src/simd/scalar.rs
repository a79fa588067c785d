//! Reference kernels: plain loops, the definition the `wide` versions must match.

/// Folds a signed residual of `bits` (5 or 8) bits to unsigned: 0, -1, 1, -2, ... → 0, 1, 2, 3, ...
/// (`xlatU2L` in spice-common quic.c).
#[inline(always)]
pub fn fold(d: u8, bits: u32) -> u8 {
    let mask = ((1u32 << bits) - 1) as u8;
    let d = d & mask;
    let half = mask >> 1;
    if d <= half {
        d << 1
    } else {
        ((mask - d) << 1) + 1
    }
}

/// QUIC residuals of a row: against the left pixel when `prev` is `None` (first row,
/// first pixel against 0), else against the pixel above for the first pixel and
/// `(left + above) >> 1` for the rest; folded with [`fold`].
pub fn fold_residuals(prev: Option<&[u8]>, cur: &[u8], out: &mut [u8], bits: u32) {
    let n = cur.len();
    assert!(out.len() >= n && prev.is_none_or(|p| p.len() >= n));
    if n == 0 {
        return;
    }
    match prev {
        None => {
            out[0] = fold(cur[0], bits);
            for i in 1..n {
                out[i] = fold(cur[i].wrapping_sub(cur[i - 1]), bits);
            }
        }
        Some(prev) => {
            out[0] = fold(cur[0].wrapping_sub(prev[0]), bits);
            for i in 1..n {
                let pred = ((u16::from(cur[i - 1]) + u16::from(prev[i])) >> 1) as u8;
                out[i] = fold(cur[i].wrapping_sub(pred), bits);
            }
        }
    }
}

/// Number of leading elements of `px` equal to `value`.
pub fn run_length(px: &[u32], value: u32) -> usize {
    px.iter().take_while(|&&p| p == value).count()
}

/// Splits 4-byte B, G, R, X pixels into r, g, b planes and packed `r << 16 | g << 8 | b` keys.
pub fn split_bgrx(src: &[u8], r: &mut [u8], g: &mut [u8], b: &mut [u8], key: &mut [u32]) {
    for (i, p) in src.chunks_exact(4).enumerate() {
        b[i] = p[0];
        g[i] = p[1];
        r[i] = p[2];
        key[i] = u32::from_le_bytes([p[0], p[1], p[2], 0]);
    }
}

/// Interleaves r, g, b planes (and alpha, or 0) into 4-byte B, G, R, A/X pixels.
pub fn merge_bgrx(r: &[u8], g: &[u8], b: &[u8], a: Option<&[u8]>, out: &mut [u8]) {
    for (i, o) in out.chunks_exact_mut(4).enumerate().take(r.len()) {
        o[0] = b[i];
        o[1] = g[i];
        o[2] = r[i];
        o[3] = a.map_or(0, |a| a[i]);
    }
}
