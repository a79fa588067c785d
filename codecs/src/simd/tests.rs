//! Every `wide` kernel must agree with its scalar twin on random rows of every
//! length 1..=130 (covering whole vectors plus every remainder) and on extremes.

use super::{QuantDivisors, scalar, wide};

pub(super) fn rng(seed: u64) -> impl FnMut() -> u64 {
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

// ---------------------------------------------------------------------------
// JPEG encoder kernels.

/// Rows of `n` pixels of `bpp` bytes: random, all 0, all 255, and alternating
/// 0/255 bytes.
fn pixel_rows(next: &mut impl FnMut() -> u64, n: usize, bpp: usize) -> Vec<Vec<u8>> {
    let alt = (0..n * bpp).map(|i| if i % 2 == 0 { 255 } else { 0 }).collect();
    vec![bytes(next, n * bpp, 8), vec![0; n * bpp], vec![255; n * bpp], alt]
}

#[test]
fn ycc_from_bgr_agrees() {
    let mut next = rng(0x7cc);
    for bpp in [3, 4] {
        for n in 1..=130 {
            for src in pixel_rows(&mut next, n, bpp) {
                let mut a = [vec![0xaa; n], vec![0xbb; n], vec![0xcc; n]];
                let mut b = [vec![0x55; n], vec![0x44; n], vec![0x33; n]];
                let [ay, acb, acr] = &mut a;
                scalar::ycc_from_bgr(&src, bpp, ay, acb, acr);
                let [by, bcb, bcr] = &mut b;
                wide::ycc_from_bgr(&src, bpp, by, bcb, bcr);
                assert_eq!(a, b, "bpp {bpp} len {n}");
                let mut c = [vec![0x55; n], vec![0x44; n], vec![0x33; n]];
                let [cy, ccb, ccr] = &mut c;
                dispatched::ycc_from_bgr(&src, bpp, cy, ccb, ccr);
                assert_eq!(a, c, "dispatched (avx2 {}), bpp {bpp} len {n}", dispatched::available());
                let mut y = vec![0x11; n];
                wide::luma_from_bgr(&src, bpp, &mut y);
                assert_eq!(y, a[0], "luma, bpp {bpp} len {n}");
                let mut y = vec![0x11; n];
                dispatched::luma_from_bgr(&src, bpp, &mut y);
                assert_eq!(y, a[0], "dispatched luma, bpp {bpp} len {n}");
                scalar::luma_from_bgr(&src, bpp, &mut y);
                assert_eq!(y, a[0], "scalar luma, bpp {bpp} len {n}");
            }
        }
    }
}

#[test]
fn ycc_every_color_agrees_and_rounds() {
    // All 2^24 colors, a row of 4096 at a time; the X byte of 4-byte pixels is noise.
    let n = 4096;
    let (mut src3, mut src4) = (vec![0u8; 3 * n], vec![0u8; 4 * n]);
    let mut a = [vec![0u8; n], vec![0u8; n], vec![0u8; n]];
    let mut b = a.clone();
    let mut worst = [0f64; 3];
    for chunk in 0..(1 << 24) / n {
        for i in 0..n {
            let [blue, green, red, _] = ((chunk * n + i) as u32).to_le_bytes();
            src3[3 * i..3 * i + 3].copy_from_slice(&[blue, green, red]);
            src4[4 * i..4 * i + 4].copy_from_slice(&[blue, green, red, (i * 37) as u8]);
        }
        let [ay, acb, acr] = &mut a;
        scalar::ycc_from_bgr(&src3, 3, ay, acb, acr);
        for (src, bpp) in [(&src3, 3), (&src4, 4)] {
            let [by, bcb, bcr] = &mut b;
            wide::ycc_from_bgr(src, bpp, by, bcb, bcr);
            assert_eq!(a, b, "colors from {:#x}, bpp {bpp}", chunk * n);
            wide::luma_from_bgr(src, bpp, &mut b[0]);
            assert_eq!(a[0], b[0], "luma of colors from {:#x}, bpp {bpp}", chunk * n);
            let [by, bcb, bcr] = &mut b;
            dispatched::ycc_from_bgr(src, bpp, by, bcb, bcr);
            assert_eq!(a, b, "dispatched: colors from {:#x}, bpp {bpp}", chunk * n);
            dispatched::luma_from_bgr(src, bpp, &mut b[0]);
            assert_eq!(a[0], b[0], "dispatched luma of colors from {:#x}, bpp {bpp}", chunk * n);
        }
        for i in 0..n {
            let p = &src3[3 * i..3 * i + 3];
            let (bl, g, r) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
            let want = [
                0.299 * r + 0.587 * g + 0.114 * bl,
                128.0 - 0.16874 * r - 0.33126 * g + 0.5 * bl,
                128.0 + 0.5 * r - 0.41869 * g - 0.08131 * bl,
            ];
            for c in 0..3 {
                worst[c] = worst[c].max((f64::from(a[c][i]) - want[c]).abs());
            }
        }
    }
    // Rounded to nearest; the 16-bit weights are off by at most 2^-17 each.
    assert!(worst.iter().all(|&e| e < 0.5 + 0.01), "worst error against BT.601 {worst:?}");
    // Libjpeg's values for the primaries (the chroma offset keeps 255.5 at 255).
    let (mut y, mut cb, mut cr) = ([0u8; 3], [0u8; 3], [0u8; 3]);
    scalar::ycc_from_bgr(&[255, 255, 255, 0, 0, 0, 0, 0, 255], 3, &mut y, &mut cb, &mut cr);
    assert_eq!([y, cb, cr], [[255, 0, 76], [128, 128, 85], [128, 128, 255]]);
}

#[test]
fn downsample_2x2_agrees() {
    let mut next = rng(0xd52);
    for n in 1..=130 {
        let rows = pixel_rows(&mut next, 2 * n + 3, 1);
        for (t, top) in rows.iter().enumerate() {
            let bottom = &rows[(t + 1) % rows.len()];
            let mut a = vec![0xaa; n];
            let mut b = vec![0x55; n];
            scalar::downsample_2x2(top, bottom, &mut a);
            wide::downsample_2x2(top, bottom, &mut b);
            assert_eq!(a, b, "len {n}");
            for (i, &v) in a.iter().enumerate() {
                let s: u32 =
                    [top[2 * i], top[2 * i + 1], bottom[2 * i], bottom[2 * i + 1]].iter().map(|&x| u32::from(x)).sum();
                assert_eq!(u32::from(v), (s + 1 + (i as u32 % 2)) >> 2, "len {n} at {i}");
            }
        }
    }
}

/// 8 x the orthonormal 2-D DCT-II of the level-shifted block, in double precision.
fn fdct_reference(block: &[u8; 64]) -> [f64; 64] {
    use std::f64::consts::PI;
    let c = |k: usize| if k == 0 { std::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
    let basis = |k: usize, x: usize| ((2 * x + 1) as f64 * k as f64 * PI / 16.0).cos();
    std::array::from_fn(|i| {
        let (u, v) = (i / 8, i % 8);
        let mut sum = 0.0;
        for y in 0..8 {
            for x in 0..8 {
                sum += (f64::from(block[y * 8 + x]) - 128.0) * basis(u, y) * basis(v, x);
            }
        }
        8.0 * 0.25 * c(u) * c(v) * sum
    })
}

/// Random blocks (uniform, and smooth ones nearer to photo content) plus the
/// extremes: every sample 0, every sample 255, and 0/255 checkerboards.
fn test_blocks(next: &mut impl FnMut() -> u64, random: usize) -> Vec<[u8; 64]> {
    let mut blocks = vec![[0; 64], [255; 64]];
    blocks.push(std::array::from_fn(|i| if (i / 8 + i % 8) % 2 == 0 { 255 } else { 0 }));
    blocks.push(std::array::from_fn(|i| if (i / 8 + i % 8) % 2 == 0 { 0 } else { 255 }));
    for k in 0..random {
        if k % 2 == 0 {
            blocks.push(std::array::from_fn(|_| (next() >> 23) as u8));
        } else {
            let (base, dx, dy) = ((next() % 256) as i32, (next() % 33) as i32 - 16, (next() % 33) as i32 - 16);
            blocks.push(std::array::from_fn(|i| {
                (base + dx * (i % 8) as i32 + dy * (i / 8) as i32 + (next() % 7) as i32 - 3).clamp(0, 255) as u8
            }));
        }
    }
    blocks
}

/// Blocks whose rows are each a 0/255 pattern or its complement, for every
/// pattern and every choice of rows: among them are the blocks that maximize
/// each intermediate of the transform (a linear function of the samples peaks
/// at a corner of the sample range, and the column pass sums per-row maxima).
fn vertex_blocks() -> impl Iterator<Item = [u8; 64]> {
    (0..=255u8).flat_map(|pattern| {
        (0..=255u8).map(move |choice| {
            std::array::from_fn(|i| if (pattern >> (i % 8)) & 1 ^ (choice >> (i / 8)) & 1 == 1 { 255 } else { 0 })
        })
    })
}

#[test]
fn fdct_islow_is_8x_the_dct() {
    let mut next = rng(0xdc7);
    let mut worst = 0f64;
    let mut worst_vertex = 0f64;
    for (k, block) in test_blocks(&mut next, 20_000).into_iter().chain(vertex_blocks()).enumerate() {
        let mut out = [0; 64];
        scalar::fdct_islow(&block, 8, &mut out);
        let want = fdct_reference(&block);
        let w = if k < 20_004 { &mut worst } else { &mut worst_vertex };
        for i in 0..64 {
            *w = w.max((f64::from(out[i]) - want[i]).abs());
        }
    }
    // Error budget (NOTES.md): final rounding 0.5, the row pass's rounding
    // carried through the column pass up to 1.0, the 13-bit constants up to
    // 0.97 at full-scale input: 2.37 at most, analytically. Measured: 1.35 on
    // random and smooth blocks, 1.91 on full-scale 0/255 blocks.
    println!("islow: worst |out - 8 DCT| = {worst:.3} (random), {worst_vertex:.3} (0/255 vertex blocks)");
    assert!(worst <= 1.5 && worst_vertex <= 2.0, "islow strays {worst} / {worst_vertex} from 8 x DCT");
}

#[test]
fn fdct_islow_agrees() {
    let mut next = rng(0xf0c);
    let mut check = |block: &[u8; 64], what: &str| {
        // The block inside a wider plane, with a stride and a ragged end.
        let stride = 8 + (next() % 24) as usize;
        let mut plane = bytes(&mut next, 7 * stride + 8, 8);
        for r in 0..8 {
            plane[r * stride..r * stride + 8].copy_from_slice(&block[r * 8..r * 8 + 8]);
        }
        let (mut a, mut b) = ([0; 64], [1; 64]);
        scalar::fdct_islow(&plane, stride, &mut a);
        wide::fdct_islow(&plane, stride, &mut b);
        assert_eq!(a, b, "{what}: {block:?}");
    };
    for block in test_blocks(&mut rng(0xb10c), 20_000) {
        check(&block, "test block");
    }
    // The largest intermediates: what the 16-bit multiplies in `wide` must hold.
    for block in vertex_blocks() {
        check(&block, "vertex block");
    }
}

#[test]
fn quantize_agrees() {
    let mut next = rng(0x9a7);
    let tables: Vec<[u16; 64]> = vec![
        [1; 64],
        [255; 64],
        std::array::from_fn(|i| 1 + i as u16 * 4),
        std::array::from_fn(|_| 1 + (next() % 255) as u16),
        std::array::from_fn(|_| 1 << (next() % 8)),
    ];
    for table in &tables {
        let div = QuantDivisors::new(table);
        assert_eq!(div.table(), table);
        let mut blocks: Vec<[i32; 64]> = vec![[0; 64], [32767; 64], [-32767; 64]];
        for _ in 0..2000 {
            let max = [8200, 1000, 32767][(next() % 3) as usize];
            blocks.push(std::array::from_fn(|_| (next() % (2 * max + 1)) as i32 - max as i32));
        }
        for block in test_blocks(&mut next, 200) {
            let mut c = [0; 64];
            scalar::fdct_islow(&block, 8, &mut c);
            blocks.push(c);
        }
        for c in &blocks {
            let (mut a, mut b) = ([7; 64], [9; 64]);
            scalar::quantize(c, &div, &mut a);
            wide::quantize(c, &div, &mut b);
            assert_eq!(a, b, "table {table:?} coefs {c:?}");
        }
    }
    // Halves round away from zero.
    let div = QuantDivisors::new(&[3; 64]);
    let mut c = [0; 64];
    c[..6].copy_from_slice(&[12, -12, 11, -11, 36, -36]);
    let mut out = [0; 64];
    wide::quantize(&c, &div, &mut out);
    assert_eq!(out[..6], [1, -1, 0, 0, 2, -2]);
}

/// Quantization tables for the DCT agreement tests: the extremes, a JPEG-like
/// ramp, random entries and powers of two.
fn quant_divisors(next: &mut impl FnMut() -> u64) -> Vec<QuantDivisors> {
    let tables: Vec<[u16; 64]> = vec![
        [1; 64],
        [255; 64],
        std::array::from_fn(|i| [5, 3, 3, 5, 7, 12, 15, 18][i % 8] + (i / 8) as u16 * 2),
        std::array::from_fn(|_| 1 + (next() % 255) as u16),
        std::array::from_fn(|_| 1 << (next() % 8)),
    ];
    tables.iter().map(QuantDivisors::new).collect()
}

#[test]
fn fdct_quantize_agrees() {
    let mut next = rng(0xfd9);
    let divs = quant_divisors(&mut next);
    let mut check = |block: &[u8; 64], what: &str| {
        // The block inside a wider plane, with a stride and a ragged end.
        let stride = 8 + (next() % 24) as usize;
        let mut plane = bytes(&mut next, 7 * stride + 8, 8);
        for r in 0..8 {
            plane[r * stride..r * stride + 8].copy_from_slice(&block[r * 8..r * 8 + 8]);
        }
        let div = &divs[(next() % divs.len() as u64) as usize];
        let (mut a, mut b) = ([7; 64], [9; 64]);
        scalar::fdct_quantize(&plane, stride, div, &mut a);
        wide::fdct_quantize(&plane, stride, div, &mut b);
        assert_eq!(a, b, "{what}: {block:?} table {:?}", div.table());
    };
    for block in test_blocks(&mut rng(0x9b10), 20_000) {
        check(&block, "test block");
    }
    for block in vertex_blocks().step_by(7) {
        check(&block, "vertex block");
    }
}

/// The run-time-dispatched kernels of `jpeg_avx2` (AVX2 where the CPU has it,
/// as the project machine and CI do), or `wide` elsewhere.
mod dispatched {
    #[cfg(target_arch = "x86_64")]
    pub use crate::simd::jpeg_avx2::{
        available, fdct_quantize, fdct_quantize2, luma_from_bgr, ycc_420_rows, ycc_from_bgr,
    };
    #[cfg(not(target_arch = "x86_64"))]
    pub use crate::simd::wide::{fdct_quantize, fdct_quantize2, luma_from_bgr, ycc_420_rows, ycc_from_bgr};
    #[cfg(not(target_arch = "x86_64"))]
    pub fn available() -> bool {
        false
    }
}

#[test]
fn fdct_quantize2_agrees() {
    let mut next = rng(0x2b10c);
    let divs = quant_divisors(&mut next);
    let avx2 = dispatched::available();
    let mut check = |a: &[u8; 64], b: &[u8; 64], what: &str| {
        let pick = |k: u64| &divs[(k % divs.len() as u64) as usize];
        let (da, db) = (pick(next()), pick(next()));
        // Side by side in one plane (the kernel's 16-byte-load path), and in two
        // planes of their own strides (two 8-byte loads a row), ragged ends.
        let stride = 16 + (next() % 24) as usize;
        let mut plane = bytes(&mut next, 7 * stride + 16, 8);
        for r in 0..8 {
            plane[r * stride..r * stride + 8].copy_from_slice(&a[r * 8..r * 8 + 8]);
            plane[r * stride + 8..r * stride + 16].copy_from_slice(&b[r * 8..r * 8 + 8]);
        }
        let (sa, sb) = (8 + (next() % 24) as usize, 8 + (next() % 24) as usize);
        let (mut pa, mut pb) = (bytes(&mut next, 7 * sa + 8, 8), bytes(&mut next, 7 * sb + 8, 8));
        for r in 0..8 {
            pa[r * sa..r * sa + 8].copy_from_slice(&a[r * 8..r * 8 + 8]);
            pb[r * sb..r * sb + 8].copy_from_slice(&b[r * 8..r * 8 + 8]);
        }
        let cases: [(&[u8], usize, &[u8], usize); 2] = [(&plane, stride, &plane[8..], stride), (&pa, sa, &pb, sb)];
        for (src_a, sa, src_b, sb) in cases {
            let mut want = [[7; 64]; 2];
            scalar::fdct_quantize2(src_a, sa, da, src_b, sb, db, &mut want);
            let mut got = [[9; 64]; 2];
            wide::fdct_quantize2(src_a, sa, da, src_b, sb, db, &mut got);
            assert_eq!(want, got, "wide, {what}");
            let mut got = [[9; 64]; 2];
            dispatched::fdct_quantize2(src_a, sa, da, src_b, sb, db, &mut got);
            assert_eq!(want, got, "dispatched (avx2 {avx2}), {what}: {a:?} {b:?}");
            let mut one = [5; 64];
            dispatched::fdct_quantize(src_b, sb, db, &mut one);
            assert_eq!(want[1], one, "dispatched single block (avx2 {avx2}), {what}: {b:?}");
        }
    };
    let blocks = test_blocks(&mut rng(0x2b11), 20_000);
    for (k, a) in blocks.iter().enumerate() {
        check(a, &blocks[(k * 7919 + 1) % blocks.len()], "test blocks");
    }
    // The largest intermediates, in either half of the registers.
    let vertex: Vec<[u8; 64]> = vertex_blocks().step_by(5).collect();
    for (k, a) in vertex.iter().enumerate() {
        check(a, &vertex[(k * 104_729 + 3) % vertex.len()], "vertex blocks");
    }
}

/// The encoder's 4:2:0 rows before `ycc_420_rows`: full-resolution Cb, Cr
/// rows, the edges repeated out to `pw`, then `downsample_2x2`.
fn ycc_420_unfused(t: &[u8], b: &[u8], bpp: usize, w: usize, pw: usize) -> Vec<u8> {
    let mut planes = Vec::new();
    let mut full = Vec::new();
    for row in [t, b] {
        let (mut y, mut cb, mut cr) = (vec![0; pw], vec![0; pw], vec![0; pw]);
        scalar::ycc_from_bgr(row, bpp, &mut y[..w], &mut cb[..w], &mut cr[..w]);
        for v in [&mut y, &mut cb, &mut cr] {
            let last = v[w - 1];
            v[w..].fill(last);
        }
        planes.extend_from_slice(&y);
        full.push((cb, cr));
    }
    let (mut cb, mut cr) = (vec![0; pw / 2], vec![0; pw / 2]);
    scalar::downsample_2x2(&full[0].0, &full[1].0, &mut cb);
    scalar::downsample_2x2(&full[0].1, &full[1].1, &mut cr);
    [planes, cb, cr].concat()
}

#[test]
fn ycc_420_rows_agree_on_every_tail_length() {
    type Kernel = fn(&[u8], &[u8], usize, usize, &mut [u8], &mut [u8], &mut [u8], &mut [u8]);
    // Y of both rows, Cb, Cr, each output prefilled so that a skipped byte shows.
    let run = |f: Kernel, t: &[u8], b: &[u8], bpp: usize, w: usize, pw: usize| -> Vec<u8> {
        let (mut yt, mut yb, mut cb, mut cr) = (vec![0xa5; pw], vec![0x5a; pw], vec![0x33; pw / 2], vec![0xcc; pw / 2]);
        f(t, b, bpp, w, &mut yt, &mut yb, &mut cb, &mut cr);
        [yt, yb, cb, cr].concat()
    };
    let mut next = rng(0x420);
    let avx2 = dispatched::available();
    for bpp in [3, 4] {
        for w in 1..=200usize {
            // No padding, an odd one, the encoder's (whole 16-pixel MCUs) and a long one.
            let mut pads = vec![w, w + 1, w.next_multiple_of(16), w + 37];
            pads.dedup();
            let rows = pixel_rows(&mut next, w, bpp);
            for (k, t) in rows.iter().enumerate() {
                let b = &rows[(k + 1) % rows.len()];
                for &pw in &pads {
                    let want = run(scalar::ycc_420_rows, t, b, bpp, w, pw);
                    if pw % 2 == 0 || k == 0 {
                        assert_eq!(want, ycc_420_unfused(t, b, bpp, w, pw), "reference: bpp {bpp} w {w} pw {pw}");
                    }
                    assert_eq!(want, run(wide::ycc_420_rows, t, b, bpp, w, pw), "wide: bpp {bpp} w {w} pw {pw}");
                    let got = run(dispatched::ycc_420_rows, t, b, bpp, w, pw);
                    assert_eq!(want, got, "dispatched (avx2 {avx2}): bpp {bpp} w {w} pw {pw} rows {k}");
                }
            }
        }
    }
    // Nothing to do.
    for f in [scalar::ycc_420_rows as Kernel, wide::ycc_420_rows, dispatched::ycc_420_rows] {
        assert!(run(f, &[], &[], 4, 0, 0).is_empty());
    }
}

#[test]
fn ycc_420_every_color_agrees() {
    // All 2^24 colours, each 2x2 block one random pairing of them.
    let n = 4096;
    let mut next = rng(0xc01);
    let (mut t4, mut b4, mut t3, mut b3) = (vec![0u8; 4 * n], vec![0u8; 4 * n], vec![0u8; 3 * n], vec![0u8; 3 * n]);
    let out = |pw: usize| (vec![0u8; pw], vec![0u8; pw], vec![0u8; pw / 2], vec![0u8; pw / 2]);
    let (mut a, mut b, mut c) = (out(n), out(n), out(n));
    for chunk in 0..(1 << 24) / n {
        let shift = (next() % n as u64) as usize;
        for i in 0..n {
            let [bl, g, r, _] = ((chunk * n + i) as u32).to_le_bytes();
            let [bl2, g2, r2, _] = ((chunk * n + (i + shift) % n) as u32 ^ 0xa5_5a5a).to_le_bytes();
            t4[4 * i..4 * i + 4].copy_from_slice(&[bl, g, r, i as u8]);
            b4[4 * i..4 * i + 4].copy_from_slice(&[bl2, g2, r2, !(i as u8)]);
            t3[3 * i..3 * i + 3].copy_from_slice(&[bl, g, r]);
            b3[3 * i..3 * i + 3].copy_from_slice(&[bl2, g2, r2]);
        }
        scalar::ycc_420_rows(&t3, &b3, 3, n, &mut a.0, &mut a.1, &mut a.2, &mut a.3);
        dispatched::ycc_420_rows(&t3, &b3, 3, n, &mut b.0, &mut b.1, &mut b.2, &mut b.3);
        dispatched::ycc_420_rows(&t4, &b4, 4, n, &mut c.0, &mut c.1, &mut c.2, &mut c.3);
        assert!(a == b && a == c, "colours from {:#x}", chunk * n);
    }
}

#[test]
fn quantize_reciprocals_are_exact() {
    // Every table value against every coefficient the contract allows, both signs.
    for q in 1..=255u16 {
        let div = QuantDivisors::new(&[q; 64]);
        let d = 8 * i32::from(q);
        for base in (0..=32767).step_by(64) {
            for sign in [1, -1] {
                let c: [i32; 64] = std::array::from_fn(|i| sign * (base + i as i32).min(32767));
                let mut out = [0; 64];
                wide::quantize(&c, &div, &mut out);
                for (&o, &c) in out.iter().zip(&c) {
                    let want = c.signum() * ((c.abs() + d / 2) / d);
                    assert_eq!(i32::from(o), want, "q {q} c {c}");
                }
            }
        }
    }
}

/// Micro-benchmark of the JPEG kernels, scalar against `wide` (numbers in
/// NOTES.md): `cargo test --release -p paprika-codecs --lib
/// simd::tests::jpeg_kernel_speed -- --ignored --nocapture`. Not in the test
/// profile: there (debug assertions, incremental) `wide` measures slower than scalar.
#[test]
#[ignore = "timing, not a check"]
fn jpeg_kernel_speed() {
    use std::hint::black_box;
    use std::time::Instant;
    // Best of 15 runs of `reps` calls, in ns per `unit`.
    fn time(reps: usize, units: usize, mut f: impl FnMut()) -> f64 {
        (0..15)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..reps {
                    f();
                }
                t.elapsed().as_nanos() as f64 / (reps * units) as f64
            })
            .fold(f64::INFINITY, f64::min)
    }
    let mut next = rng(0xbe7c);
    let w = 1920;
    let src = bytes(&mut next, 4 * w, 8);
    let (mut y, mut cb, mut cr) = (vec![0; w], vec![0; w], vec![0; w]);
    for bpp in [3, 4] {
        let s = time(200, w, || scalar::ycc_from_bgr(black_box(&src), bpp, &mut y, &mut cb, &mut cr));
        let v = time(200, w, || wide::ycc_from_bgr(black_box(&src), bpp, &mut y, &mut cb, &mut cr));
        let d = time(200, w, || dispatched::ycc_from_bgr(black_box(&src), bpp, &mut y, &mut cb, &mut cr));
        println!("ycc_from_bgr  bpp {bpp}: scalar {s:.3} ns/px, wide {v:.3} ns/px, dispatched {d:.3} ns/px");
        let s = time(200, w, || scalar::luma_from_bgr(black_box(&src), bpp, &mut y));
        let v = time(200, w, || wide::luma_from_bgr(black_box(&src), bpp, &mut y));
        let d = time(200, w, || dispatched::luma_from_bgr(black_box(&src), bpp, &mut y));
        println!("luma_from_bgr bpp {bpp}: scalar {s:.3} ns/px, wide {v:.3} ns/px, dispatched {d:.3} ns/px");
    }
    let (top, bottom) = (bytes(&mut next, 2 * w, 8), bytes(&mut next, 2 * w, 8));
    let mut out = vec![0; w];
    let s = time(200, w, || scalar::downsample_2x2(black_box(&top), black_box(&bottom), &mut out));
    let v = time(200, w, || wide::downsample_2x2(black_box(&top), black_box(&bottom), &mut out));
    println!("downsample_2x2: scalar {s:.3} ns/out, wide {v:.3} ns/out");

    // A 1920x8 strip of smooth-ish samples: 240 blocks.
    let plane: Vec<u8> = (0..8 * w).map(|i| ((i % w) / 4 + (i / w) * 3 + (next() % 9) as usize) as u8).collect();
    let mut coef = [0i32; 64];
    let s = time(50, 240, || {
        for b in 0..240 {
            scalar::fdct_islow(black_box(&plane[8 * b..]), w, &mut coef);
        }
    });
    let v = time(50, 240, || {
        for b in 0..240 {
            wide::fdct_islow(black_box(&plane[8 * b..]), w, &mut coef);
        }
    });
    println!("fdct_islow: scalar {s:.1} ns/block, wide {v:.1} ns/block");
    let mut coefs = vec![[0i32; 64]; 240];
    for (b, c) in coefs.iter_mut().enumerate() {
        scalar::fdct_islow(&plane[8 * b..], w, c);
    }
    let div = QuantDivisors::new(&std::array::from_fn(|i| 2 + (i as u16 * 3) % 50));
    let mut q = [0i16; 64];
    let s = time(50, 240, || coefs.iter().for_each(|c| scalar::quantize(black_box(c), &div, &mut q)));
    let v = time(50, 240, || coefs.iter().for_each(|c| wide::quantize(black_box(c), &div, &mut q)));
    println!("quantize: scalar {s:.1} ns/block, wide {v:.1} ns/block");
    let s = time(50, 240, || {
        for b in 0..240 {
            scalar::fdct_quantize(black_box(&plane[8 * b..]), w, &div, &mut q);
        }
    });
    let v = time(50, 240, || {
        for b in 0..240 {
            wide::fdct_quantize(black_box(&plane[8 * b..]), w, &div, &mut q);
        }
    });
    println!("fdct_quantize: scalar {s:.1} ns/block, wide {v:.1} ns/block");
    // Pairs of side-by-side blocks (the encoder's luma) and of blocks in two
    // planes (its Cb with Cr), through the run-time-dispatched kernel.
    let mut q2 = [[0i16; 64]; 2];
    let plane2: Vec<u8> = plane.iter().map(|&v| v.wrapping_mul(3)).collect();
    let v = time(50, 240, || {
        for b in (0..240).step_by(2) {
            wide::fdct_quantize2(black_box(&plane[8 * b..]), w, &div, &plane[8 * b + 8..], w, &div, &mut q2);
        }
    });
    let d = time(50, 240, || {
        for b in (0..240).step_by(2) {
            dispatched::fdct_quantize2(black_box(&plane[8 * b..]), w, &div, &plane[8 * b + 8..], w, &div, &mut q2);
        }
    });
    let d2 = time(50, 240, || {
        for b in (0..240).step_by(2) {
            dispatched::fdct_quantize2(black_box(&plane[8 * b..]), w, &div, &plane2[8 * b..], w, &div, &mut q2);
        }
    });
    let avx2 = dispatched::available();
    println!(
        "fdct_quantize2: wide {v:.1} ns/block, dispatched (avx2 {avx2}) {d:.1} ns/block side by side, {d2:.1} in two planes"
    );

    // 4:2:0 conversion of two 1920-pixel rows, ns per pixel of both rows.
    let src2 = bytes(&mut next, 4 * w, 8);
    let (mut y2, mut cb2, mut cr2) = (vec![0; w], vec![0; w], vec![0; w]);
    let (mut cbo, mut cro) = (vec![0; w / 2], vec![0; w / 2]);
    for bpp in [3, 4] {
        let u = time(100, 2 * w, || {
            wide::ycc_from_bgr(black_box(&src), bpp, &mut y, &mut cb, &mut cr);
            wide::ycc_from_bgr(black_box(&src2), bpp, &mut y2, &mut cb2, &mut cr2);
            wide::downsample_2x2(&cb, &cb2, &mut cbo);
            wide::downsample_2x2(&cr, &cr2, &mut cro);
        });
        let v = time(100, 2 * w, || {
            wide::ycc_420_rows(black_box(&src), &src2, bpp, w, &mut y, &mut y2, &mut cbo, &mut cro)
        });
        let d = time(100, 2 * w, || {
            dispatched::ycc_420_rows(black_box(&src), &src2, bpp, w, &mut y, &mut y2, &mut cbo, &mut cro)
        });
        println!(
            "ycc_420_rows bpp {bpp}: wide unfused {u:.3} ns/px, wide {v:.3} ns/px, dispatched (avx2 {avx2}) {d:.3} ns/px"
        );
    }
    black_box((&y, &cb, &cr, &out, &q, &q2, &cbo, &cro));
}
