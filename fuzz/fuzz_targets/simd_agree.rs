//! Differential target: every `simd::wide` kernel against its `simd::scalar`
//! twin (the definition), on fuzzer-chosen rows. Byte 0 picks the kernel
//! (modulo 17), the next bytes its parameters (see each arm), the rest is data.
//! Return values must be equal, and so must the whole output buffer: each
//! destination is a larger buffer prefilled with a fuzzer-chosen byte (and once
//! more with its complement), so a kernel that writes past its region, or skips
//! a byte the scalar one writes, is caught. In-place kernels start from the
//! input's bytes.
//!
//! The JPEG arms also run the run-time-dispatched kernels the encoder calls
//! (`simd::ycc_from_bgr`, `luma_from_bgr`, `ycc_420_rows`, `fdct_quantize`,
//! `fdct_quantize2`: AVX2 where the CPU has it, `wide` otherwise) against the
//! scalar twins.
//!
//! Arguments stay within each kernel's contract (`codecs/src/simd/scalar.rs`):
//! `bits` 5 or 8, `step` 1 or 4, `lane` 0..4, `out` at least as long as the row
//! needs; lengths are otherwise free (odd, short, not whole pixels).
#![no_main]

use libfuzzer_sys::fuzz_target;
use paprika_codecs::simd::{self, metrics, scalar, wide, yuv};

/// Takes bytes off the front of the input, zeros when it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else { return 0 };
        self.0 = rest;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | u64::from(self.u32()) << 32
    }
}

/// Runs an output-only kernel, scalar and wide, into a buffer of `len` bytes
/// prefilled with `fill` (then with `!fill`); the whole buffers must agree.
fn agree_out(what: &str, len: usize, fill: u8, kernel: impl Fn(bool, &mut [u8])) {
    for f in [fill, !fill] {
        let mut a = vec![f; len];
        let mut b = vec![f; len];
        kernel(false, &mut a);
        kernel(true, &mut b);
        if let Some(i) = a.iter().zip(&b).position(|(x, y)| x != y) {
            panic!("{what}: byte {i} of {len} differs (fill {f:#x}): scalar {:#x}, wide {:#x}", a[i], b[i]);
        }
    }
}

/// Runs an in-place kernel, scalar and wide, on copies of `init`.
fn agree_in_place(what: &str, init: &[u8], kernel: impl Fn(bool, &mut [u8])) {
    let (mut a, mut b) = (init.to_vec(), init.to_vec());
    kernel(false, &mut a);
    kernel(true, &mut b);
    if let Some(i) = a.iter().zip(&b).position(|(x, y)| x != y) {
        panic!("{what}: byte {i} of {} differs: scalar {:#x}, wide {:#x}", a.len(), a[i], b[i]);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input(data);
    let kernel = inp.u8() % 17;
    match kernel {
        // fold_residuals: flags (bits 5/8, step 1/4, with a previous row, values
        // masked to `bits`), slack after `out`, fill; then cur and prev halves.
        0 => {
            let flags = inp.u8();
            let bits = if flags & 1 == 0 { 5 } else { 8 };
            let step = if flags & 2 == 0 { 1 } else { 4 };
            let with_prev = flags & 4 != 0;
            let mask = if flags & 8 != 0 { ((1u32 << bits) - 1) as u8 } else { 0xff };
            let slack = usize::from(flags >> 4);
            let fill = inp.u8();
            let rest: Vec<u8> = inp.0.iter().map(|&b| b & mask).collect();
            let n = rest.len() / 2;
            let (cur, prev) = rest.split_at(n);
            let prev = with_prev.then_some(&prev[..n]);
            let what = format!("fold_residuals bits {bits} step {step} len {n} prev {with_prev}");
            agree_out(&what, n + slack, fill, |w, out| {
                if w {
                    wide::fold_residuals(prev, cur, out, bits, step)
                } else {
                    scalar::fold_residuals(prev, cur, out, bits, step)
                }
            });
        }
        // count_repeats: the flags are the rest.
        1 => {
            let flags = inp.0;
            let want = scalar::count_repeats(flags);
            assert_eq!(wide::count_repeats(flags), want, "count_repeats len {}", flags.len());
            assert_eq!(want, flags.iter().position(|&f| f == 0).unwrap_or(flags.len()));
        }
        // repeat_flags: flags (step 1/4, a real mask or one from the input), slack,
        // fill, mask; the row is the rest.
        2 => {
            let flags = inp.u8();
            let step = if flags & 1 == 0 { 1 } else { 4 };
            let mask = match (flags >> 1) & 3 {
                0 => 0x00ff_ffff,
                1 => 0xffff_ffff,
                2 => 0xff00_0000,
                _ => inp.u32(),
            };
            let slack = usize::from(flags >> 3);
            let fill = inp.u8();
            let row = inp.0;
            let n = row.len() / step;
            let what = format!("repeat_flags step {step} mask {mask:#x} len {}", row.len());
            agree_out(&what, n + slack, fill, |w, out| {
                if w { wide::repeat_flags(row, step, mask, out) } else { scalar::repeat_flags(row, step, mask, out) }
            });
        }
        // fill_pixels: the pixel; the destination is the rest.
        3 => {
            let px = inp.u32().to_le_bytes();
            agree_in_place(&format!("fill_pixels {px:?} len {}", inp.0.len()), inp.0, |w, dst| {
                if w { wide::fill_pixels(dst, px) } else { scalar::fill_pixels(dst, px) }
            });
        }
        // fill_lane: lane, value; the destination is the rest.
        4 => {
            let lane = usize::from(inp.u8() & 3);
            let v = inp.u8();
            agree_in_place(&format!("fill_lane {lane} {v:#x} len {}", inp.0.len()), inp.0, |w, dst| {
                if w { wide::fill_lane(dst, lane, v) } else { scalar::fill_lane(dst, lane, v) }
            });
        }
        // widen_bgr: destination length (around what the source fills), slack,
        // fill; the source is the rest.
        5 => {
            let d = usize::from(inp.u16());
            let slack = usize::from(inp.u8() & 31);
            let fill = inp.u8();
            let src = inp.0;
            let d_len = d % (src.len() / 3 * 4 + 24);
            let what = format!("widen_bgr src {} dst {d_len}", src.len());
            agree_out(&what, d_len + slack, fill, |w, out| {
                let dst = &mut out[..d_len];
                if w { wide::widen_bgr(src, dst) } else { scalar::widen_bgr(src, dst) }
            });
        }
        // masked_prefix_len: flags (mask choice; b is a shifted view of the data or
        // a copy of a with one byte changed), mask, shift/position, xor, b's length.
        6 => {
            let flags = inp.u8();
            let mask = match flags & 3 {
                0 => u64::MAX,
                1 => 0x00ff_ffff_00ff_ffff,
                2 => 0x7fff_7fff_7fff_7fff,
                _ => inp.u64(),
            };
            let at = usize::from(inp.u16());
            let xor = inp.u8();
            let b_len = usize::from(inp.u16());
            let rest = inp.0;
            let a = rest;
            let b: Vec<u8> = if flags & 4 != 0 {
                // A match at distance `at`, as the LZ encoder measures one.
                rest[at % (rest.len() + 1)..].to_vec()
            } else {
                let mut b = rest.to_vec();
                if let Some(x) = b.get_mut(at % (rest.len() + 1)) {
                    *x ^= xor;
                }
                b
            };
            let b = &b[..b_len % (b.len() + 1)];
            let want = scalar::masked_prefix_len(a, b, mask);
            let got = wide::masked_prefix_len(a, b, mask);
            assert_eq!(got, want, "masked_prefix_len mask {mask:#x} a {} b {}", a.len(), b.len());
            assert_eq!(wide::masked_prefix_len(b, a, mask), want, "masked_prefix_len is not symmetric");
        }
        // pack_bgr: destination length, slack, fill; the source is the rest.
        7 => {
            let d = usize::from(inp.u16());
            let slack = usize::from(inp.u8() & 31);
            let fill = inp.u8();
            let src = inp.0;
            let d_len = d % (src.len() / 4 * 3 + 24);
            let what = format!("pack_bgr src {} dst {d_len}", src.len());
            agree_out(&what, d_len + slack, fill, |w, out| {
                let dst = &mut out[..d_len];
                if w { wide::pack_bgr(src, dst) } else { scalar::pack_bgr(src, dst) }
            });
        }
        // gather_lane: lane, destination length, slack, fill; the source is the rest.
        8 => {
            let lane = usize::from(inp.u8() & 3);
            let d = usize::from(inp.u16());
            let slack = usize::from(inp.u8() & 31);
            let fill = inp.u8();
            let src = inp.0;
            let d_len = d % (src.len() / 4 + 24);
            let what = format!("gather_lane {lane} src {} dst {d_len}", src.len());
            agree_out(&what, d_len + slack, fill, |w, out| {
                let dst = &mut out[..d_len];
                if w { wide::gather_lane(src, lane, dst) } else { scalar::gather_lane(src, lane, dst) }
            });
        }
        // JPEG colour conversion: flags (bit 0: bpp 3/4; the rest: padding for
        // the 4:2:0 kernel), fill; the source is the rest. The `wide` and the
        // dispatched kernels must both match the scalar one. Kernel 9 also runs
        // `ycc_420_rows` on the source split into two rows, padded to
        // `w + padding` columns.
        9 | 10 => {
            let flags = inp.u8();
            let bpp = if flags & 1 == 0 { 3 } else { 4 };
            let fill = inp.u8();
            let src = inp.0;
            let n = src.len() / bpp;
            let planes = if kernel == 9 { 3 } else { 1 };
            for k in [1, 2] {
                let what = format!("colour kernel {kernel} ({}) bpp {bpp} n {n}", ["", "wide", "dispatched"][k]);
                agree_out(&what, planes * n, fill, |w, out| {
                    let k = if w { k } else { 0 };
                    if kernel == 9 {
                        let (y, rest) = out.split_at_mut(n);
                        let (cb, cr) = rest.split_at_mut(n);
                        match k {
                            0 => scalar::ycc_from_bgr(src, bpp, y, cb, cr),
                            1 => wide::ycc_from_bgr(src, bpp, y, cb, cr),
                            _ => simd::ycc_from_bgr(src, bpp, y, cb, cr),
                        }
                    } else {
                        match k {
                            0 => scalar::luma_from_bgr(src, bpp, out),
                            1 => wide::luma_from_bgr(src, bpp, out),
                            _ => simd::luma_from_bgr(src, bpp, out),
                        }
                    }
                });
            }
            let w = src.len() / (2 * bpp);
            if kernel == 9 && w > 0 {
                let pw = w + usize::from(flags >> 1);
                let (top, bottom) = (&src[..w * bpp], &src[w * bpp..2 * w * bpp]);
                let run = |k: usize, out: &mut [u8]| {
                    let (y_top, rest) = out.split_at_mut(pw);
                    let (y_bottom, rest) = rest.split_at_mut(pw);
                    let (cb, rest) = rest.split_at_mut(pw / 2);
                    let cr = &mut rest[..pw / 2];
                    match k {
                        0 => scalar::ycc_420_rows(top, bottom, bpp, w, y_top, y_bottom, cb, cr),
                        1 => wide::ycc_420_rows(top, bottom, bpp, w, y_top, y_bottom, cb, cr),
                        _ => simd::ycc_420_rows(top, bottom, bpp, w, y_top, y_bottom, cb, cr),
                    }
                };
                for k in [1, 2] {
                    let what = format!("ycc_420_rows kernel {k} bpp {bpp} w {w} pw {pw}");
                    agree_out(&what, 2 * pw + 2 * (pw / 2) + 8, fill, |x, out| run(if x { k } else { 0 }, out));
                }
            }
        }
        // downsample_2x2: fill; the rest split into two rows of 2n samples.
        11 => {
            let fill = inp.u8();
            let n = inp.0.len() / 4;
            let (top, bottom) = (&inp.0[..2 * n], &inp.0[2 * n..4 * n]);
            agree_out(&format!("downsample_2x2 n {n}"), n, fill, |w, out| {
                if w { wide::downsample_2x2(top, bottom, out) } else { scalar::downsample_2x2(top, bottom, out) }
            });
        }
        // BGRX to I420 rows: fill; the rest split into two rows of n pixels. The
        // `wide` and the run-time-dispatched (AVX2 where the CPU has it) kernels
        // must both match the scalar one, Y of both rows, U and V.
        14 => {
            let fill = inp.u8();
            let n = inp.0.len() / 8;
            let (top, bottom) = (&inp.0[..4 * n], &inp.0[4 * n..8 * n]);
            let c = n.div_ceil(2);
            let run = |k: usize, out: &mut [u8]| {
                let (y_top, rest) = out.split_at_mut(n);
                let (y_bottom, rest) = rest.split_at_mut(n);
                let (u, v) = rest.split_at_mut(c);
                match k {
                    0 => yuv::scalar::i420_rows(top, bottom, y_top, y_bottom, u, &mut v[..c]),
                    1 => yuv::wide::i420_rows(top, bottom, y_top, y_bottom, u, &mut v[..c]),
                    _ => yuv::i420_rows(top, bottom, y_top, y_bottom, u, &mut v[..c]),
                }
            };
            for k in [1, 2] {
                agree_out(&format!("i420_rows kernel {k} n {n}"), 2 * n + 2 * c + 8, fill, |w, out| {
                    run(if w { k } else { 0 }, out)
                });
            }
        }
        // Metrics: squared differences by byte lane (two rows, the halves of
        // the data) and exact BT.601 luma of BGRX pixels (compared bit for bit).
        15 => {
            let n = inp.0.len() / 2;
            let (a, b) = (&inp.0[..n], &inp.0[n..2 * n]);
            assert_eq!(metrics::scalar::sq_diff_sums4(a, b), metrics::wide::sq_diff_sums4(a, b), "sq_diff_sums4 n {n}");
        }
        16 => {
            let n = inp.0.len() / 4;
            let (mut x, mut y) = (vec![-1.0f64; n + 3], vec![-1.0f64; n + 3]);
            metrics::scalar::luma_bgrx(inp.0, &mut x[..n]);
            metrics::wide::luma_bgrx(inp.0, &mut y[..n]);
            let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&x), bits(&y), "luma_bgrx n {n}");
        }
        // The DCT and quantization: stride 8..=40, 64 table values (1..=255), the
        // block's samples from the rest (zeros past its end).
        _ => {
            let stride = 8 + usize::from(inp.u8() % 33);
            let q: [u16; 64] = core::array::from_fn(|_| u16::from(inp.u8()).max(1));
            let mut src = vec![0u8; 7 * stride + 8];
            for (d, s) in src.iter_mut().zip(inp.0) {
                *d = *s;
            }
            let div = scalar::QuantDivisors::new(&q);
            if kernel == 12 {
                let (mut a, mut b) = ([0i32; 64], [0i32; 64]);
                scalar::fdct_islow(&src, stride, &mut a);
                wide::fdct_islow(&src, stride, &mut b);
                assert_eq!(a, b, "fdct_islow stride {stride}");
                let (mut qa, mut qb) = ([0i16; 64], [0i16; 64]);
                scalar::quantize(&a, &div, &mut qa);
                wide::quantize(&a, &div, &mut qb);
                assert_eq!(qa, qb, "quantize");
            } else {
                let (mut a, mut b, mut c) = ([0i16; 64], [0i16; 64], [0i16; 64]);
                scalar::fdct_quantize(&src, stride, &div, &mut a);
                wide::fdct_quantize(&src, stride, &div, &mut b);
                assert_eq!(a, b, "fdct_quantize stride {stride}");
                simd::fdct_quantize(&src, stride, &div, &mut c);
                assert_eq!(a, c, "dispatched fdct_quantize stride {stride}");
                // Two blocks: the one above and a second one (the input's bytes
                // after the first block's, reversed), either side by side in one
                // plane or each in its own; the second table is the first or
                // its reverse (bit 0 of the first two table values decide).
                let mut q2 = q;
                if q[0] & 1 == 1 {
                    q2.reverse();
                }
                let div2 = scalar::QuantDivisors::new(&q2);
                let div2 = if q[0] & 1 == 1 { &div2 } else { &div };
                let rest: Vec<u8> = inp.0.iter().skip(src.len()).rev().copied().collect();
                let (pa, pb, sa, sb, at_b);
                if q[1] & 1 == 1 {
                    // Side by side: the plane's stride is at least 16.
                    let s2 = stride.max(16);
                    let mut plane = vec![0u8; 7 * s2 + 16];
                    for r in 0..8 {
                        plane[r * s2..r * s2 + 8].copy_from_slice(&src[r * stride..r * stride + 8]);
                        for x in 0..8 {
                            plane[r * s2 + 8 + x] = rest.get(r * 8 + x).copied().unwrap_or(0);
                        }
                    }
                    (pa, pb, sa, sb, at_b) = (plane.clone(), plane, s2, s2, 8);
                } else {
                    let mut other = vec![0u8; 7 * stride + 8];
                    for (d, s) in other.iter_mut().zip(&rest) {
                        *d = *s;
                    }
                    (pa, pb, sa, sb, at_b) = (src.clone(), other, stride, stride, 0);
                }
                let (a_src, b_src) = (&pa[..], &pb[at_b..]);
                let mut want = [[0i16; 64]; 2];
                scalar::fdct_quantize2(a_src, sa, &div, b_src, sb, div2, &mut want);
                for k in [1, 2] {
                    let mut got = [[1i16; 64]; 2];
                    if k == 1 {
                        wide::fdct_quantize2(a_src, sa, &div, b_src, sb, div2, &mut got);
                    } else if at_b == 8 {
                        // The encoder's call: both views of one plane.
                        simd::fdct_quantize2(&pb, sa, &div, &pb[8..], sb, div2, &mut got);
                    } else {
                        simd::fdct_quantize2(a_src, sa, &div, b_src, sb, div2, &mut got);
                    }
                    assert_eq!(want, got, "fdct_quantize2 kernel {k} strides {sa} {sb} side by side {}", at_b == 8);
                }
            }
        }
    }
});
