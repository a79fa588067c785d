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
        for n in 1..=130 {
            for trial in 0..4 {
                let mut cur = bytes(&mut next, n, bits);
                let mut prev = bytes(&mut next, n, bits);
                if trial == 3 {
                    // Extremes: alternate 0 and max to hit the largest residuals.
                    let max = ((1u32 << bits) - 1) as u8;
                    cur.iter_mut()
                        .enumerate()
                        .for_each(|(i, v)| *v = if i % 2 == 0 { max } else { 0 });
                    prev.iter_mut()
                        .enumerate()
                        .for_each(|(i, v)| *v = if i % 3 == 0 { 0 } else { max });
                }
                for p in [None, Some(prev.as_slice())] {
                    let mut a = vec![0xaa; n];
                    let mut b = vec![0x55; n];
                    scalar::fold_residuals(p, &cur, &mut a, bits);
                    wide::fold_residuals(p, &cur, &mut b, bits);
                    assert_eq!(a, b, "bits {bits} len {n} prev {}", p.is_some());
                }
            }
        }
    }
}

#[test]
fn run_length_agrees() {
    let mut next = rng(0xabc);
    for n in 1..=130 {
        for _ in 0..8 {
            let value = (next() & 0xff_ffff) as u32;
            let stop = (next() as usize) % (n + 1);
            let mut px = vec![value; n];
            if stop < n {
                px[stop] ^= 1 << (next() % 24);
            }
            assert_eq!(
                scalar::run_length(&px, value),
                wide::run_length(&px, value),
                "len {n} stop {stop}"
            );
            assert_eq!(wide::run_length(&px, value), stop);
        }
    }
    assert_eq!(wide::run_length(&[], 7), 0);
}

#[test]
fn split_and_merge_agree() {
    let mut next = rng(0x1234);
    for n in 1..=130 {
        let src = bytes(&mut next, n * 4, 8);
        let alpha = bytes(&mut next, n, 8);
        let (mut r1, mut g1, mut b1, mut k1) = (vec![0; n], vec![0; n], vec![0; n], vec![0; n]);
        let (mut r2, mut g2, mut b2, mut k2) = (vec![1; n], vec![1; n], vec![1; n], vec![1; n]);
        scalar::split_bgrx(&src, &mut r1, &mut g1, &mut b1, &mut k1);
        wide::split_bgrx(&src, &mut r2, &mut g2, &mut b2, &mut k2);
        assert_eq!((&r1, &g1, &b1, &k1), (&r2, &g2, &b2, &k2), "split len {n}");
        for a in [None, Some(alpha.as_slice())] {
            let mut o1 = vec![7; n * 4];
            let mut o2 = vec![9; n * 4];
            scalar::merge_bgrx(&r1, &g1, &b1, a, &mut o1);
            wide::merge_bgrx(&r1, &g1, &b1, a, &mut o2);
            assert_eq!(o1, o2, "merge len {n}");
        }
    }
}
