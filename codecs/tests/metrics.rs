//! PSNR and SSIM against scikit-image on fixed images, against a naive
//! per-window reference on random ones, and their contracts (errors, strides,
//! rectangles, row order, the ignored X byte).
//!
//! The fixed images are built here and in `corpora/metrics/reference.py` by the
//! same integer formulas; both sides check the SHA-256 of the bytes. That
//! script printed (scikit-image 0.26.0, numpy 2.4.6, Python 3.11.7), with
//! `peak_signal_noise_ratio(a, b, data_range=255)` per channel and on
//! `[..., :3]`, and `structural_similarity(ya, yb, data_range=255,
//! gaussian_weights=False, win_size=7)` on the float64 luma
//! `0.299 R + 0.587 G + 0.114 B` and on the uint8 G plane:
//!
//! ```text
//! mixed: 97x61
//!   sha256 a c5ccbdd8ba6bcfb754981d8148f168a937c10f11eb6667298b5eed3b999bfe66
//!   sha256 b c95792881f747deb16f8cb3135917269f77a7cd1cf985d4094aa78e54d57d74a
//!   psnr b 24.676080598687747 g 23.32036152356757 r 15.105194207971662 combined 18.868519682162383
//!   ssim luma 0.678317709180568
//!   plane G: psnr 23.32036152356757 ssim 0.8114972030458883
//! shifted: 97x61
//!   sha256 a c5ccbdd8ba6bcfb754981d8148f168a937c10f11eb6667298b5eed3b999bfe66
//!   sha256 b 1316d04fad441673f085b8d5977ffac5d9fdbb512f214c71aed9d387838dbeb1
//!   psnr b 19.878483681212405 g 17.301356071692894 r 10.893363827323288 combined 14.345214856005104
//!   ssim luma 0.2667086338779679
//!   plane G: psnr 17.301356071692894 ssim 0.4801001693720388
//! tiny: 7x9
//!   sha256 a 87428a01b17278ede02605c9d9d239a1dfa3f927336e7c092266cf227d144373
//!   sha256 b b06cfe27e4729248f1b3217223a29b19a4ff89ca156bd4faae7774f85078e6fb
//!   psnr b 31.424517008215325 g 29.826037143029758 r 31.18544799468669 combined 30.75315735651925
//!   ssim luma 0.9843972327435543
//!   plane G: psnr 29.826037143029758 ssim 0.9466845334961563
//! ```

use paprika_codecs::error::{Error, ParameterKind};
use paprika_codecs::metrics::{self, Psnr};
use paprika_codecs::{Image, ImageDesc, ImageRef, PixelFormat, Rect};
use sha2::{Digest, Sha256};

/// Tolerances against scikit-image: PSNR comes from the same integer sum of
/// squares, so only the last bits of `log10` may differ; SSIM differs by
/// scikit-image's floating-point box filter (ours sums exactly).
const PSNR_TOL: f64 = 1e-12;
const SSIM_TOL: f64 = 1e-12;

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

fn bgrx(w: u32, h: u32, data: Vec<u8>) -> Image {
    Image::from_vec(ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap(), data).unwrap()
}

/// `source()` of reference.py.
fn source(w: u32, h: u32, seed: u64) -> Image {
    let mut rnd = xorshift(seed);
    let mut px = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let n = (rnd() >> 58) as u32;
            let check = if (x / 8 + y / 8) % 2 == 1 { 96 } else { 160 };
            let (b, g, r) = ((3 * x + y) % 256, check + n - 32, (x * y / 16 + 2 * n) % 256);
            px.extend([b as u8, g as u8, r as u8, (rnd() >> 56) as u8]);
        }
    }
    bgrx(w, h, px)
}

/// `distorted()` of reference.py: noise, then a blurred band, then 4x4 block means.
fn distorted(img: &Image, seed: u64) -> Image {
    let mut rnd = xorshift(seed);
    let (w, h) = (img.width() as usize, img.height() as usize);
    let src = |x: usize, y: usize, c: usize| u32::from(img.data()[(y * w + x) * 4 + c]);
    let mut px = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let v = if y < 20 {
                    let d = ((rnd() >> 40) % 25) as i64 - 12;
                    (i64::from(src(x, y, c)) + d).clamp(0, 255) as u32
                } else if y < 40 {
                    let mut s = 0;
                    for dy in [-1isize, 0, 1] {
                        for dx in [-1isize, 0, 1] {
                            let yy = (y as isize + dy).clamp(0, h as isize - 1) as usize;
                            let xx = (x as isize + dx).clamp(0, w as isize - 1) as usize;
                            s += src(xx, yy, c);
                        }
                    }
                    (s + 4) / 9
                } else {
                    let (x0, y0) = (x / 4 * 4, y / 4 * 4);
                    let (mut s, mut n) = (0, 0);
                    for yy in y0..(y0 + 4).min(h) {
                        for xx in x0..(x0 + 4).min(w) {
                            s += src(xx, yy, c);
                            n += 1;
                        }
                    }
                    (s + n / 2) / n
                };
                px.push(v as u8);
            }
            px.push((rnd() >> 56) as u8);
        }
    }
    bgrx(w as u32, h as u32, px)
}

/// `shifted()` of reference.py: B, G, R moved one pixel right, X kept.
fn shifted(img: &Image) -> Image {
    let w = img.width() as usize;
    let mut px = img.data().to_vec();
    for (row, src) in px.chunks_exact_mut(4 * w).zip(img.data().chunks_exact(4 * w)) {
        for x in 1..w {
            row[4 * x..4 * x + 3].copy_from_slice(&src[4 * (x - 1)..4 * (x - 1) + 3]);
        }
    }
    bgrx(img.width(), img.height(), px)
}

fn sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Channel `c` of a packed BGRX image as a plane, rows `stride` apart (padding 0xee).
fn plane(img: &Image, c: usize, stride: usize) -> Vec<u8> {
    let w = img.width() as usize;
    let mut out = vec![0xee; stride * (img.height() as usize - 1) + w];
    for (y, row) in img.data().chunks_exact(4 * w).enumerate() {
        for x in 0..w {
            out[y * stride + x] = row[4 * x + c];
        }
    }
    out
}

struct Reference {
    name: &'static str,
    sha_a: &'static str,
    sha_b: &'static str,
    psnr: [f64; 4],
    ssim_luma: f64,
    plane_g: (f64, f64),
}

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol
}

#[test]
fn matches_scikit_image() {
    let a = source(97, 61, 0x5151);
    let t = source(7, 9, 0x7E57);
    let cases = [
        (
            Reference {
                name: "mixed",
                sha_a: "c5ccbdd8ba6bcfb754981d8148f168a937c10f11eb6667298b5eed3b999bfe66",
                sha_b: "c95792881f747deb16f8cb3135917269f77a7cd1cf985d4094aa78e54d57d74a",
                psnr: [24.676080598687747, 23.32036152356757, 15.105194207971662, 18.868519682162383],
                ssim_luma: 0.678317709180568,
                plane_g: (23.32036152356757, 0.8114972030458883),
            },
            a.clone(),
            distorted(&a, 0xD157),
        ),
        (
            Reference {
                name: "shifted",
                sha_a: "c5ccbdd8ba6bcfb754981d8148f168a937c10f11eb6667298b5eed3b999bfe66",
                sha_b: "1316d04fad441673f085b8d5977ffac5d9fdbb512f214c71aed9d387838dbeb1",
                psnr: [19.878483681212405, 17.301356071692894, 10.893363827323288, 14.345214856005104],
                ssim_luma: 0.2667086338779679,
                plane_g: (17.301356071692894, 0.4801001693720388),
            },
            a.clone(),
            shifted(&a),
        ),
        (
            Reference {
                name: "tiny",
                sha_a: "87428a01b17278ede02605c9d9d239a1dfa3f927336e7c092266cf227d144373",
                sha_b: "b06cfe27e4729248f1b3217223a29b19a4ff89ca156bd4faae7774f85078e6fb",
                psnr: [31.424517008215325, 29.826037143029758, 31.18544799468669, 30.75315735651925],
                ssim_luma: 0.9843972327435543,
                plane_g: (29.826037143029758, 0.9466845334961563),
            },
            t.clone(),
            distorted(&t, 0x7E58),
        ),
    ];
    let mut failures = Vec::new();
    for (want, a, b) in &cases {
        let name = want.name;
        assert_eq!(sha256(a.data()), want.sha_a, "{name}: image a differs from reference.py's");
        assert_eq!(sha256(b.data()), want.sha_b, "{name}: image b differs from reference.py's");
        let p = metrics::psnr_bgrx(&a.as_ref(), &b.as_ref()).unwrap();
        for (got, want, what) in [(p.b, want.psnr[0], "b"), (p.g, want.psnr[1], "g"), (p.r, want.psnr[2], "r")]
            .into_iter()
            .chain([(p.combined, want.psnr[3], "combined")])
        {
            if !close(got, want, PSNR_TOL) {
                failures.push(format!("{name}: psnr {what} {got} vs scikit-image {want}"));
            }
        }
        let s = metrics::ssim_bgrx(&a.as_ref(), &b.as_ref()).unwrap();
        if !close(s, want.ssim_luma, SSIM_TOL) {
            failures.push(format!("{name}: ssim {s} vs scikit-image {}", want.ssim_luma));
        }
        // The G channel as a plane, rows padded to an odd stride.
        let (w, h) = (a.width() as usize, a.height() as usize);
        let (ga, gb) = (plane(a, 1, w + 3), plane(b, 1, w + 5));
        let pp = metrics::psnr_plane(&ga, &gb, w, h, w + 3, w + 5).unwrap();
        let sp = metrics::ssim_plane(&ga, &gb, w, h, w + 3, w + 5).unwrap();
        if !close(pp, want.plane_g.0, PSNR_TOL) || !close(sp, want.plane_g.1, SSIM_TOL) {
            failures.push(format!("{name}: plane G psnr {pp} ssim {sp} vs scikit-image {:?}", want.plane_g));
        }
        println!("{name}: psnr {p:?} ssim {s}; plane G psnr {pp} ssim {sp}");
        println!(
            "{name}: |ours - skimage|: psnr combined {:.1e}, ssim {:.1e}, plane ssim {:.1e}",
            (p.combined - want.psnr[3]).abs(),
            (s - want.ssim_luma).abs(),
            (sp - want.plane_g.1).abs()
        );
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// SSIM straight from the definition: each 7x7 window's mean, sample variance
/// and covariance in f64 over f64 luma, scikit-image's formula, mean over the
/// windows inside the image.
fn naive_ssim(x: &[f64], y: &[f64], w: usize, h: usize) -> f64 {
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let n = 49.0;
    let mut total = 0.0;
    for top in 0..=h - 7 {
        for left in 0..=w - 7 {
            let at = |v: &[f64], i: usize| v[(top + i / 7) * w + left + i % 7];
            let (mx, my) = ((0..49).map(|i| at(x, i)).sum::<f64>() / n, (0..49).map(|i| at(y, i)).sum::<f64>() / n);
            let vx = (0..49).map(|i| (at(x, i) - mx).powi(2)).sum::<f64>() / (n - 1.0);
            let vy = (0..49).map(|i| (at(y, i) - my).powi(2)).sum::<f64>() / (n - 1.0);
            let cov = (0..49).map(|i| (at(x, i) - mx) * (at(y, i) - my)).sum::<f64>() / (n - 1.0);
            total += (2.0 * mx * my + c1) * (2.0 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        }
    }
    total / ((w - 6) * (h - 6)) as f64
}

fn luma_f64(img: &ImageRef<'_>) -> Vec<f64> {
    let mut out = Vec::new();
    for y in 0..img.height() {
        for p in img.row(y).chunks_exact(4) {
            out.push(0.299 * f64::from(p[2]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[0]));
        }
    }
    out
}

fn naive_psnr(a: &[u8], b: &[u8]) -> f64 {
    let sse: f64 = a.iter().zip(b).map(|(&p, &q)| (f64::from(p) - f64::from(q)).powi(2)).sum();
    10.0 * (255.0 * 255.0 / (sse / a.len() as f64)).log10()
}

/// A random image and a related one: each sample moved by up to `spread`, or
/// (where `unrelated` of 8 picks) replaced.
fn random_pair(w: u32, h: u32, seed: u64, spread: u64) -> (Image, Image) {
    let mut next = xorshift(seed);
    let a: Vec<u8> = (0..w * h * 4).map(|i| ((next() >> 33) as u32 % 200 + (i / 4 % w) / 2) as u8).collect();
    let b = a
        .iter()
        .map(|&v| {
            let r = next();
            if r % 8 == 0 {
                (r >> 40) as u8
            } else {
                (i64::from(v) + (r >> 20) as i64 % (2 * spread as i64 + 1) - spread as i64).clamp(0, 255) as u8
            }
        })
        .collect();
    (bgrx(w, h, a), bgrx(w, h, b))
}

#[test]
fn agrees_with_a_naive_per_window_reference() {
    // Up to three of ssim's 128-column strips.
    let sizes = [(7, 7), (8, 7), (7, 8), (9, 11), (16, 16), (33, 9), (40, 41), (67, 13), (128, 9), (129, 8), (263, 10)];
    for (k, &(w, h)) in sizes.iter().enumerate() {
        for spread in [0, 3, 40] {
            let (a, b) = random_pair(w, h, 0x1000 + k as u64, spread);
            let (ra, rb) = (a.as_ref(), b.as_ref());
            let (w, h) = (w as usize, h as usize);
            let want = naive_ssim(&luma_f64(&ra), &luma_f64(&rb), w, h);
            let got = metrics::ssim_bgrx(&ra, &rb).unwrap();
            assert!(close(got, want, 1e-10), "{w}x{h} spread {spread}: ssim {got} vs naive {want}");
            let (ga, gb) = (plane(&a, 2, w), plane(&b, 2, w));
            let to_f64 = |v: &[u8]| v.iter().map(|&s| f64::from(s)).collect::<Vec<_>>();
            let want = naive_ssim(&to_f64(&ga), &to_f64(&gb), w, h);
            let got = metrics::ssim_plane(&ga, &gb, w, h, w, w).unwrap();
            assert!(close(got, want, 1e-10), "{w}x{h} spread {spread}: plane ssim {got} vs naive {want}");
            let got = metrics::psnr_plane(&ga, &gb, w, h, w, w).unwrap();
            let want = naive_psnr(&ga, &gb);
            assert!(close(got, want, 1e-9), "{w}x{h}: plane psnr {got} vs naive {want}");
        }
    }
}

#[test]
fn identical_images_give_infinity_and_one() {
    let a = source(97, 61, 0x5151);
    // Same B, G, R with other X bytes: still identical to the metrics.
    let mut other_x = a.data().to_vec();
    other_x.iter_mut().skip(3).step_by(4).for_each(|x| *x = !*x);
    let b = bgrx(97, 61, other_x);
    let p = metrics::psnr_bgrx(&a.as_ref(), &b.as_ref()).unwrap();
    let inf = f64::INFINITY;
    assert_eq!(p, Psnr { b: inf, g: inf, r: inf, combined: inf });
    assert_eq!(metrics::ssim_bgrx(&a.as_ref(), &b.as_ref()).unwrap(), 1.0);
    let g = plane(&a, 1, 97);
    assert_eq!(metrics::psnr_plane(&g, &g, 97, 61, 97, 97).unwrap(), inf);
    assert_eq!(metrics::ssim_plane(&g, &g, 97, 61, 97, 97).unwrap(), 1.0);
    // Flat images (zero variance everywhere) too.
    let flat = bgrx(9, 9, vec![77; 9 * 9 * 4]);
    assert_eq!(metrics::ssim_bgrx(&flat.as_ref(), &flat.as_ref()).unwrap(), 1.0);
}

#[test]
fn more_distortion_scores_lower() {
    let (a, b1) = random_pair(64, 48, 7, 2);
    let (_, b2) = random_pair(64, 48, 7, 20);
    let (a, b1, b2) = (a.as_ref(), b1.as_ref(), b2.as_ref());
    let (p1, p2) = (metrics::psnr_bgrx(&a, &b1).unwrap(), metrics::psnr_bgrx(&a, &b2).unwrap());
    assert!(p1.combined > p2.combined, "{p1:?} vs {p2:?}");
    let (s1, s2) = (metrics::ssim_bgrx(&a, &b1).unwrap(), metrics::ssim_bgrx(&a, &b2).unwrap());
    assert!(s1 > s2 && s1 < 1.0 && s2 > -1.0, "{s1} vs {s2}");
}

#[test]
fn mismatches_and_bad_arguments_are_typed_errors() {
    let a = source(20, 10, 1);
    let b = source(20, 11, 2);
    let size = Err(Error::Parameter(ParameterKind::UnsupportedSize { width: 20, height: 11 }));
    assert_eq!(metrics::psnr_bgrx(&a.as_ref(), &b.as_ref()), size);
    assert_eq!(metrics::ssim_bgrx(&a.as_ref(), &b.as_ref()), size.map(|_: Psnr| 0.0));
    let r = Rect::new(0, 0, 5, 5);
    assert_eq!(metrics::psnr_bgrx_rect(&a.as_ref(), &b.as_ref(), r), size);
    assert_eq!(metrics::ssim_bgrx_rect(&a.as_ref(), &b.as_ref(), r), size.map(|_: Psnr| 0.0));

    let format = Err(Error::Parameter(ParameterKind::FormatMismatch));
    let gray = Image::zeroed(20, 10, PixelFormat::Gray8).unwrap();
    let bgr = Image::zeroed(20, 10, PixelFormat::Bgr24).unwrap();
    assert_eq!(metrics::psnr_bgrx(&a.as_ref(), &gray.as_ref()), format);
    assert_eq!(metrics::psnr_bgrx(&bgr.as_ref(), &bgr.as_ref()), format);
    assert_eq!(metrics::ssim_bgrx(&gray.as_ref(), &a.as_ref()), format.map(|_: Psnr| 0.0));

    // Rectangles outside the images, or empty.
    let outside = Err(Error::Parameter(ParameterKind::SizeOverflow));
    let c = source(20, 10, 3);
    assert_eq!(metrics::psnr_bgrx_rect(&a.as_ref(), &c.as_ref(), Rect::new(15, 0, 6, 10)), outside);
    assert_eq!(metrics::ssim_bgrx_rect(&a.as_ref(), &c.as_ref(), Rect::new(0, 3, 20, 8)), outside.map(|_: Psnr| 0.0));
    assert_eq!(metrics::psnr_bgrx_rect(&a.as_ref(), &c.as_ref(), Rect::new(u32::MAX, 0, 2, 2)), outside);
    let empty = Err(Error::Parameter(ParameterKind::EmptyImage));
    assert_eq!(metrics::psnr_bgrx_rect(&a.as_ref(), &c.as_ref(), Rect::new(3, 3, 0, 4)), empty);

    // SSIM needs a whole 7x7 window.
    let small = Err(Error::Parameter(ParameterKind::UnsupportedSize { width: 6, height: 10 }));
    assert_eq!(metrics::ssim_bgrx_rect(&a.as_ref(), &c.as_ref(), Rect::new(1, 0, 6, 10)), small);
    let empty_img = Image::zeroed(0, 0, PixelFormat::Bgrx32).unwrap();
    assert_eq!(metrics::psnr_bgrx(&empty_img.as_ref(), &empty_img.as_ref()), empty);

    // Planes: empty, stride below the width, buffer too short, size overflow.
    let p = vec![0u8; 100];
    assert_eq!(metrics::psnr_plane(&p, &p, 0, 5, 10, 10), empty.map(|_: Psnr| 0.0));
    assert_eq!(
        metrics::psnr_plane(&p, &p, 10, 5, 9, 10),
        Err(Error::Parameter(ParameterKind::StrideTooSmall { min: 10, given: 9 }))
    );
    assert_eq!(
        metrics::ssim_plane(&p, &p[..99], 10, 10, 10, 10),
        Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: 100, given: 99 }))
    );
    assert_eq!(metrics::ssim_plane(&p, &p, 2, usize::MAX, 10, 10), Err(Error::Parameter(ParameterKind::SizeOverflow)));
    assert_eq!(
        metrics::ssim_plane(&p, &p, 10, 6, 10, 10),
        Err(Error::Parameter(ParameterKind::UnsupportedSize { width: 10, height: 6 }))
    );
}

#[test]
fn rect_variants_equal_the_metric_on_sub_images() {
    let (a, b) = random_pair(53, 37, 0xbeef, 9);
    for rect in [Rect::new(0, 0, 53, 37), Rect::new(5, 3, 7, 7), Rect::new(10, 20, 43, 17), Rect::new(52, 0, 1, 37)] {
        let (sa, sb) = (
            a.as_ref().sub_image(rect).unwrap().to_owned_packed(),
            b.as_ref().sub_image(rect).unwrap().to_owned_packed(),
        );
        let want = metrics::psnr_bgrx(&sa.as_ref(), &sb.as_ref()).unwrap();
        assert_eq!(metrics::psnr_bgrx_rect(&a.as_ref(), &b.as_ref(), rect).unwrap(), want, "{rect:?}");
        if rect.width >= 7 && rect.height >= 7 {
            let want = metrics::ssim_bgrx(&sa.as_ref(), &sb.as_ref()).unwrap();
            let got = metrics::ssim_bgrx_rect(&a.as_ref(), &b.as_ref(), rect).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{rect:?}");
        }
    }
    // And the full-image rectangle is the full-image metric.
    let full = Rect::new(0, 0, 53, 37);
    assert_eq!(
        metrics::ssim_bgrx_rect(&a.as_ref(), &b.as_ref(), full).unwrap(),
        metrics::ssim_bgrx(&a.as_ref(), &b.as_ref()).unwrap()
    );
}

/// `img` with rows `stride` bytes apart, the padding random.
fn padded(img: &Image, stride: usize, format: PixelFormat, seed: u64) -> Image {
    let mut next = xorshift(seed);
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut data: Vec<u8> = (0..stride * h).map(|_| (next() >> 40) as u8).collect();
    for y in 0..h {
        data[y * stride..][..4 * w].copy_from_slice(&img.data()[y * 4 * w..][..4 * w]);
    }
    let desc = ImageDesc { width: w as u32, height: h as u32, stride, format, top_down: true };
    Image::from_vec(desc, data).unwrap()
}

#[test]
fn stride_padding_row_order_and_alpha_do_not_matter() {
    let (a, b) = random_pair(45, 23, 0x51de, 12);
    let want_p = metrics::psnr_bgrx(&a.as_ref(), &b.as_ref()).unwrap();
    let want_s = metrics::ssim_bgrx(&a.as_ref(), &b.as_ref()).unwrap();
    for (k, stride) in [45 * 4, 45 * 4 + 4, 45 * 4 + 60, 1024].into_iter().enumerate() {
        for format in [PixelFormat::Bgrx32, PixelFormat::Bgra32] {
            // Different padding (and format) on each side.
            let pa = padded(&a, stride, format, 2 * k as u64 + 1);
            let pb = padded(&b, stride + 4 * k, PixelFormat::Bgrx32, 2 * k as u64 + 2);
            assert_eq!(metrics::psnr_bgrx(&pa.as_ref(), &pb.as_ref()).unwrap(), want_p, "stride {stride}");
            let s = metrics::ssim_bgrx(&pa.as_ref(), &pb.as_ref()).unwrap();
            assert_eq!(s.to_bits(), want_s.to_bits(), "stride {stride}");
        }
    }
    // Bottom-up storage of one side: the same pictures.
    let flipped = b.flipped_storage();
    assert_eq!(metrics::psnr_bgrx(&a.as_ref(), &flipped.as_ref()).unwrap(), want_p);
    assert_eq!(metrics::ssim_bgrx(&a.as_ref(), &flipped.as_ref()).unwrap().to_bits(), want_s.to_bits());
    // Planes: padding bytes of any value are not read.
    let (ga, gb) = (plane(&a, 0, 45), plane(&b, 0, 45));
    let (pa, pb) = (plane(&a, 0, 64), plane(&b, 0, 50));
    let mut pa2 = pa.clone();
    pa2.iter_mut().enumerate().filter(|(i, _)| i % 64 >= 45).for_each(|(_, v)| *v = !*v);
    let psnr = metrics::psnr_plane(&ga, &gb, 45, 23, 45, 45).unwrap();
    let ssim = metrics::ssim_plane(&ga, &gb, 45, 23, 45, 45).unwrap();
    for p in [&pa, &pa2] {
        assert_eq!(metrics::psnr_plane(p, &pb, 45, 23, 64, 50).unwrap(), psnr);
        assert_eq!(metrics::ssim_plane(p, &pb, 45, 23, 64, 50).unwrap().to_bits(), ssim.to_bits());
    }
}
