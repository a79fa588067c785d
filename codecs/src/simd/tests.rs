//! Every `wide` kernel must agree with its scalar twin on random rows of every
//! length 1..=130 (covering whole vectors plus every remainder) and on extremes.

use super::{scalar, wide};

fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

fn bytes(next: &mut impl FnMut() -> u64, n: usize, bits: u32) -> Vec<u8> {
    let mask = ((1u32 << bits) - 1) as u8;
    (0..n).map(|_| (next() >> 17) as u8 & mask).collect()
}

#[test]
fn fold_residuals_agrees() {
    let mut next = rng(0x5eed);
    for bits in [5, 8] {
        for step in [1, 4] {
            for n in 1..=130 {
                for trial in 0..4 {
                    let mut cur = bytes(&mut next, n * step, bits);
                    let mut prev = bytes(&mut next, n * step, bits);
                    if trial == 3 {
                        // Extremes: alternate 0 and max to hit the largest residuals.
                        let max = ((1u32 << bits) - 1) as u8;
                        cur.iter_mut().enumerate().for_each(|(i, v)| *v = if i % 2 == 0 { max } else { 0 });
                        prev.iter_mut().enumerate().for_each(|(i, v)| *v = if i % 3 == 0 { 0 } else { max });
                    }
                    for p in [None, Some(prev.as_slice())] {
                        let mut a = vec![0xaa; n * step];
                        let mut b = vec![0x55; n * step];
                        scalar::fold_residuals(p, &cur, &mut a, bits, step);
                        wide::fold_residuals(p, &cur, &mut b, bits, step);
                        assert_eq!(a, b, "bits {bits} step {step} len {n} prev {}", p.is_some());
                    }
                }
            }
        }
    }
}

#[test]
fn fold_matches_the_reference_table_definition() {
    // xlatU2L: s <= half -> 2s, else 2(mask - s) + 1.
    for bits in [5u32, 8] {
        let mask = (1u32 << bits) - 1;
        for s in 0..=mask {
            let want = if s <= mask >> 1 { 2 * s } else { 2 * (mask - s) + 1 };
            assert_eq!(u32::from(scalar::fold(s as u8, bits)), want);
        }
    }
}

#[test]
fn count_repeats_agrees() {
    let mut next = rng(0xabc);
    for n in 1..=130 {
        for _ in 0..8 {
            let stop = (next() as usize) % (n + 1);
            let flags: Vec<u8> = (0..n).map(|i| if i == stop { 0 } else { 1 + (next() % 255) as u8 }).collect();
            assert_eq!(scalar::count_repeats(&flags), stop, "len {n}");
            assert_eq!(wide::count_repeats(&flags), stop, "len {n}");
        }
    }
    assert_eq!(wide::count_repeats(&[]), 0);
}

#[test]
fn repeat_flags_agree() {
    let mut next = rng(0x1234);
    for step in [1usize, 4] {
        let mask = if step == 4 { 0x00ff_ffff } else { 0xff };
        for n in 1..=130 {
            // Few distinct values so repeats are common.
            let mut row = Vec::new();
            for _ in 0..n {
                let v = ((next() % 3) as u32) | (((next() & 0xff) as u32) << 24);
                row.extend_from_slice(&v.to_le_bytes()[..step]);
            }
            let mut a = vec![9; n];
            let mut b = vec![7; n];
            scalar::repeat_flags(&row, step, mask, &mut a);
            wide::repeat_flags(&row, step, mask, &mut b);
            assert_eq!(a, b, "step {step} len {n}");
        }
    }
}

#[test]
fn fills_agree() {
    let mut next = rng(0x77);
    for n in 0..=130 {
        let base = bytes(&mut next, n * 4, 8);
        let px = [1, 2, 3, 4];
        let (mut a, mut b) = (base.clone(), base.clone());
        scalar::fill_pixels(&mut a, px);
        wide::fill_pixels(&mut b, px);
        assert_eq!(a, b, "fill_pixels len {n}");
        assert!(a.chunks_exact(4).all(|p| p == px));
        for lane in 0..4 {
            let (mut a, mut b) = (base.clone(), base.clone());
            scalar::fill_lane(&mut a, lane, 0xee);
            wide::fill_lane(&mut b, lane, 0xee);
            assert_eq!(a, b, "fill_lane {lane} len {n}");
            for (p, q) in a.chunks_exact(4).zip(base.chunks_exact(4)) {
                for k in 0..4 {
                    assert_eq!(p[k], if k == lane { 0xee } else { q[k] });
                }
            }
        }
    }
}

#[test]
fn widen_bgr_agrees() {
    let mut next = rng(0xb9e);
    for n in 1..=130 {
        for trial in 0..3 {
            let mut src = bytes(&mut next, 3 * n + 4, 8);
            if trial == 2 {
                src.iter_mut().enumerate().for_each(|(i, v)| *v = if i % 2 == 0 { 0xff } else { 0 });
            }
            // Exact lengths, a source longer than the destination needs, and a
            // destination longer than the source fills: min of the two pixel counts.
            for (s_len, d_len) in [(3 * n, 4 * n), (3 * n + 4, 4 * n), (3 * n, 4 * n + 8), (3 * n + 2, 4 * n - 4)] {
                let mut a = vec![0xaa; 4 * n + 8];
                let mut b = vec![0xaa; 4 * n + 8];
                scalar::widen_bgr(&src[..s_len], &mut a[..d_len]);
                wide::widen_bgr(&src[..s_len], &mut b[..d_len]);
                assert_eq!(a, b, "len {n} src {s_len} dst {d_len}");
                let px = (s_len / 3).min(d_len / 4);
                for (p, s) in a[..4 * px].chunks_exact(4).zip(src.chunks_exact(3)) {
                    assert_eq!(p, [s[0], s[1], s[2], 0]);
                }
                assert!(a[4 * px..].iter().all(|&v| v == 0xaa), "len {n}: wrote past the pixels");
            }
        }
    }
}

#[test]
fn masked_prefix_len_agrees() {
    let mut next = rng(0x1f2);
    for mask in [u64::MAX, 0x00ff_ffff_00ff_ffff, 0x7fff_7fff_7fff_7fff] {
        for n in 1..=130 {
            for _ in 0..6 {
                let a = bytes(&mut next, n, 8);
                let mut b = a.clone();
                // Change one byte (maybe only in ignored bits), or none.
                let at = (next() as usize) % (n + 1);
                if at < n {
                    b[at] ^= 1 << (next() % 8);
                }
                let want = scalar::masked_prefix_len(&a, &b, mask);
                assert_eq!(wide::masked_prefix_len(&a, &b, mask), want, "mask {mask:x} len {n}");
                let m = mask.to_le_bytes();
                let first = (0..n).find(|&k| (a[k] ^ b[k]) & m[k % 8] != 0).unwrap_or(n);
                assert_eq!(want, first, "mask {mask:x} len {n}");
                // Unequal lengths stop at the shorter.
                assert_eq!(wide::masked_prefix_len(&a, &b[..n / 2], mask), want.min(n / 2));
            }
        }
    }
}

#[test]
fn pack_bgr_agrees() {
    let mut next = rng(0x9ac);
    for n in 1..=130 {
        let src = bytes(&mut next, 4 * n + 3, 8);
        for (s_len, d_len) in [(4 * n, 3 * n), (4 * n + 3, 3 * n), (4 * n, 3 * n + 5), (4 * n, 3 * n - 1)] {
            let mut a = vec![0xaa; 3 * n + 8];
            let mut b = vec![0xaa; 3 * n + 8];
            scalar::pack_bgr(&src[..s_len], &mut a[..d_len]);
            wide::pack_bgr(&src[..s_len], &mut b[..d_len]);
            assert_eq!(a, b, "len {n} src {s_len} dst {d_len}");
            let px = (s_len / 4).min(d_len / 3);
            for (d, s) in a[..3 * px].chunks_exact(3).zip(src.chunks_exact(4)) {
                assert_eq!(d, &s[..3]);
            }
            assert!(a[3 * px..].iter().all(|&v| v == 0xaa), "len {n}: wrote past the pixels");
        }
    }
}

#[test]
fn gather_lane_agrees() {
    let mut next = rng(0x3d1);
    for n in 1..=130 {
        let src = bytes(&mut next, 4 * n + 2, 8);
        for lane in 0..4 {
            for (s_len, d_len) in [(4 * n, n), (4 * n + 2, n), (4 * n, n + 3), (4 * n, n - 1)] {
                let mut a = vec![0xaa; n + 4];
                let mut b = vec![0xaa; n + 4];
                scalar::gather_lane(&src[..s_len], lane, &mut a[..d_len]);
                wide::gather_lane(&src[..s_len], lane, &mut b[..d_len]);
                assert_eq!(a, b, "lane {lane} len {n} src {s_len} dst {d_len}");
                let px = (s_len / 4).min(d_len);
                assert!((0..px).all(|k| a[k] == src[4 * k + lane]));
                assert!(a[px..].iter().all(|&v| v == 0xaa), "len {n}: wrote past the pixels");
            }
        }
    }
}
