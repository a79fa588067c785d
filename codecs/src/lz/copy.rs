//! Back-reference copies for the LZ decoder: `n` bytes at `dst` repeat the bytes
//! `dist` earlier, with LZ77 semantics (when `dist < n` the source overlaps the
//! destination and the last `dist` bytes repeat as a pattern, as the byte-by-byte
//! loop of `lz_decompress_tmpl.c` does).
//!
//! Invariants the callers keep: the source lies in output already decoded
//! (`dist <= dst`), and the buffer has at least [`SLACK`] bytes after the end of
//! every copy. The fast paths may then write up to 15 bytes past the end of a
//! copy; those bytes are not decoded yet (or are slack), and later literals and
//! copies overwrite them. Callers that must not disturb bytes after the copy (the
//! alpha pass) do not use this module. Every access goes through `get`, so a
//! broken invariant yields `None`, never a panic.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Bytes the output buffer needs after the image for the fast copies' overshoot.
pub(crate) const SLACK: usize = 32;

/// Copies longer than this that do not overlap use `copy_within` instead of 16-byte moves.
const SHORT_COPY: usize = 64;

#[inline(always)]
fn load16(buf: &[u8], at: usize) -> Option<[u8; 16]> {
    buf.get(at..)?.first_chunk::<16>().copied()
}

#[inline(always)]
fn store16(buf: &mut [u8], at: usize, v: [u8; 16]) -> Option<()> {
    *buf.get_mut(at..)?.first_chunk_mut::<16>()? = v;
    Some(())
}

/// Copies `n` bytes to `out[dst..]` from `dist` bytes back (`1 <= dist <= dst`),
/// repeating the source when it overlaps. May overwrite up to 15 bytes after the copy.
#[inline(always)]
pub(crate) fn copy_back(out: &mut [u8], dst: usize, dist: usize, n: usize) -> Option<()> {
    let src = dst.checked_sub(dist)?;
    if dist >= 16 {
        if n <= 32 {
            // Most matches: two 16-byte moves, whatever `n` is, which spares a
            // data-dependent branch. Each load reads bytes at least 16 before its
            // store, so it sees finished output even when the ranges overlap.
            store16(out, dst, load16(out, src)?)?;
            return store16(out, dst + 16, load16(out, src + 16)?);
        }
        if n <= SHORT_COPY || dist < n {
            let mut k = 0;
            while k < n {
                store16(out, dst + k, load16(out, src + k)?)?;
                k += 16;
            }
            return Some(());
        }
        out.get(src..dst + n)?;
        out.copy_within(src..src + n, dst);
        return Some(());
    }
    if dist >= n {
        // One 16-byte move: the bytes it carries past `n` land after the copy.
        return store16(out, dst, load16(out, src)?);
    }
    fill_pattern(out, src, dst, dist, n)
}

/// `PERIOD_INDEX[d][i] = i % d`: where byte `i` of a 16-byte pattern of period
/// `d` comes from, so the pattern is gathered without a division or a chain of
/// dependent byte copies.
#[allow(clippy::indexing_slicing)] // evaluated at compile time, where a bad index fails the build
const PERIOD_INDEX: [[u8; 16]; 16] = {
    let mut t = [[0u8; 16]; 16];
    let mut d = 1;
    while d < 16 {
        let mut i = 0;
        while i < 16 {
            t[d][i] = (i % d) as u8;
            i += 1;
        }
        d += 1;
    }
    t
};

/// 16 bytes repeating the `dist` bytes at `out[src..]` (`1 <= dist < 16`), and
/// the largest multiple of `dist` that fits in 16 (how far apart to store them).
#[inline(always)]
fn pattern(out: &[u8], src: usize, dist: usize) -> Option<([u8; 16], usize)> {
    // Runs of bytes, RGB16 pixels, RGB32 pixels and pairs of them: load just the
    // period (a load no wider than the store that wrote it forwards quickly) and
    // splat it by multiplying with 1 at every period boundary.
    let from = out.get(src..)?;
    let splat = |v: u128, ones: u128| v.wrapping_mul(ones).to_le_bytes();
    Some(match dist {
        1 => (splat(u128::from(*from.first()?), u128::from_le_bytes([1; 16])), 16),
        2 => {
            let v = u16::from_le_bytes(*from.first_chunk::<2>()?);
            (splat(u128::from(v), u128::from_le_bytes([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])), 16)
        }
        4 => {
            let v = u32::from_le_bytes(*from.first_chunk::<4>()?);
            (splat(u128::from(v), (1 << 96) | (1 << 64) | (1 << 32) | 1), 16)
        }
        8 => (splat(u128::from(u64::from_le_bytes(*from.first_chunk::<8>()?)), (1 << 64) | 1), 16),
        _ => {
            let seed = *from.first_chunk::<16>()?;
            let idx = PERIOD_INDEX.get(dist).copied().unwrap_or([0; 16]);
            // Indexes are below 16, and `16 - 16 % dist` is at least 9 for the periods left.
            (idx.map(|i| seed.get(usize::from(i)).copied().unwrap_or(0)), 16 - 16 % dist)
        }
    })
}

/// Overlapping copy with a short period (`dist < 16`, `dist < n`): builds 16
/// bytes of the repeating pattern and stores it every `step` bytes, where `step`
/// is the largest multiple of `dist` that fits in 16.
#[inline(always)]
fn fill_pattern(out: &mut [u8], src: usize, dst: usize, dist: usize, n: usize) -> Option<()> {
    let (pat, step) = pattern(out, src, dist)?;
    if step == 16 {
        if n <= 32 {
            // Short runs, the common case: two stores, no loop.
            store16(out, dst, pat)?;
            return store16(out, dst + 16, pat);
        }
        // Periods 1, 2, 4 and 8 (runs of bytes, RGB16 and RGB32 pixels): whole
        // 16-byte stores over a region rounded up to 16, which compiles to a tight loop.
        let region = out.get_mut(dst..dst + n.next_multiple_of(16))?;
        for c in region.chunks_exact_mut(16) {
            c.copy_from_slice(&pat);
        }
        return Some(());
    }
    let mut k = 0;
    while k < n {
        store16(out, dst + k, pat)?;
        k += step;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;

    /// The definition: one byte at a time, front to back.
    fn naive(out: &mut [u8], dst: usize, dist: usize, n: usize) {
        for i in 0..n {
            out[dst + i] = out[dst + i - dist];
        }
    }

    #[test]
    fn copies_match_the_byte_loop_for_every_distance_and_length() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        for dist in 1..=80 {
            for n in 1..=200 {
                for dst in [dist, dist + 3, 150] {
                    if dist > dst {
                        continue;
                    }
                    let len = dst + n + SLACK;
                    let mut a: Vec<u8> = (0..len)
                        .map(|_| {
                            seed ^= seed << 13;
                            seed ^= seed >> 7;
                            seed ^= seed << 17;
                            seed as u8
                        })
                        .collect();
                    let mut b = a.clone();
                    naive(&mut a, dst, dist, n);
                    copy_back(&mut b, dst, dist, n).unwrap();
                    assert_eq!(a[..dst + n], b[..dst + n], "dist {dist} n {n} dst {dst}");
                }
            }
        }
    }

    #[test]
    fn broken_invariants_give_none() {
        let mut buf = [0u8; 40];
        assert_eq!(copy_back(&mut buf, 3, 4, 2), None);
        assert_eq!(copy_back(&mut buf, 30, 4, 2), None);
        assert_eq!(copy_back(&mut buf, 20, 20, 30), None);
    }
}
