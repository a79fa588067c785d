//! PSNR and SSIM against scikit-image on fixed images, and their contracts.
//!
//! The images are built here and in `corpora/metrics/reference.py` by the same
//! formulas; that script printed (scikit-image 0.26.0, numpy 2.4.6):
//!
//! ```text
//! noisy: psnr b 31.052454579036407 g 31.00287301254543 r 31.086763621557672 combined 31.047227128450796 ssim 0.985448205466426
//! shifted: psnr b 19.878483681212405 g 17.442478886000437 r 11.185139236067682 combined 14.583316791618529 ssim 0.2920260448329385
//! ```

use paprika_codecs::error::{Error, ParameterKind};
use paprika_codecs::metrics::{self, Psnr};
use paprika_codecs::{Image, ImageDesc, PixelFormat, Rect};

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
fn source(w: u32, h: u32) -> Image {
    let mut rnd = xorshift(0x5151);
    let mut px = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let n = (rnd() >> 58) as u32;
            let check = if (x / 8 + y / 8) % 2 == 1 { 96 } else { 160 };
            px.extend([((3 * x + y) % 256) as u8, (check + n - 32) as u8, ((x * y / 16 + 2 * n) % 256) as u8, 255]);
        }
    }
    bgrx(w, h, px)
}

/// `distorted()` of reference.py.
fn distorted(img: &Image) -> Image {
    let mut rnd = xorshift(0xd157);
    let mut px = img.data().to_vec();
    for p in px.chunks_exact_mut(4) {
        for c in &mut p[..3] {
            let d = ((rnd() >> 40) % 25) as i32 - 12;
            *c = (i32::from(*c) + d).clamp(0, 255) as u8;
        }
    }
    bgrx(img.width(), img.height(), px)
}

/// `shifted()` of reference.py.
fn shifted(img: &Image) -> Image {
    let w = img.width() as usize;
    let mut px = img.data().to_vec();
    for row in px.chunks_exact_mut(4 * w) {
        row.copy_within(..4 * (w - 1), 4);
    }
    bgrx(img.width(), img.height(), px)
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol, "{what}: {got} vs scikit-image {want}");
}

#[test]
fn agrees_with_scikit_image() {
    let a = source(97, 61);
    let cases = [
        (
            "noisy",
            distorted(&a),
            [31.052454579036407, 31.00287301254543, 31.086763621557672, 31.047227128450796],
            0.985448205466426,
        ),
        (
            "shifted",
            shifted(&a),
            [19.878483681212405, 17.442478886000437, 11.185139236067682, 14.583316791618529],
            0.2920260448329385,
        ),
    ];
    for (name, b, psnr, ssim) in cases {
        let p = metrics::psnr_bgrx(&a.as_ref(), &b.as_ref()).unwrap();
        for (got, want, ch) in
            [(p.b, psnr[0], "b"), (p.g, psnr[1], "g"), (p.r, psnr[2], "r"), (p.combined, psnr[3], "all")]
        {
            close(got, want, 1e-9, &format!("{name} PSNR {ch}"));
        }
        close(metrics::ssim_bgrx(&a.as_ref(), &b.as_ref()).unwrap(), ssim, 1e-9, &format!("{name} SSIM"));
    }
}

#[test]
fn identical_images_and_symmetry() {
    let a = source(40, 30);
    let p = metrics::psnr_bgrx(&a.as_ref(), &a.as_ref()).unwrap();
    assert_eq!(p, Psnr { b: f64::INFINITY, g: f64::INFINITY, r: f64::INFINITY, combined: f64::INFINITY });
    assert_eq!(metrics::ssim_bgrx(&a.as_ref(), &a.as_ref()).unwrap(), 1.0);
    let b = distorted(&a);
    let (ab, ba) =
        (metrics::ssim_bgrx(&a.as_ref(), &b.as_ref()).unwrap(), metrics::ssim_bgrx(&b.as_ref(), &a.as_ref()).unwrap());
    assert!((ab - ba).abs() < 1e-12 && ab < 1.0);
    // X (or alpha) does not count.
    let mut x = a.data().to_vec();
    x.iter_mut().skip(3).step_by(4).for_each(|v| *v = 7);
    let x = bgrx(40, 30, x);
    assert_eq!(metrics::psnr_bgrx(&a.as_ref(), &x.as_ref()).unwrap().combined, f64::INFINITY);
}

#[test]
fn rectangles_strides_and_planes() {
    let (a, b) = (source(97, 61), distorted(&source(97, 61)));
    let rect = Rect::new(13, 7, 50, 40);
    let (sa, sb) =
        (a.as_ref().sub_image(rect).unwrap().to_owned_packed(), b.as_ref().sub_image(rect).unwrap().to_owned_packed());
    assert_eq!(
        metrics::psnr_bgrx_rect(&a.as_ref(), &b.as_ref(), rect).unwrap(),
        metrics::psnr_bgrx(&sa.as_ref(), &sb.as_ref()).unwrap()
    );
    assert_eq!(
        metrics::ssim_bgrx_rect(&a.as_ref(), &b.as_ref(), rect).unwrap(),
        metrics::ssim_bgrx(&sa.as_ref(), &sb.as_ref()).unwrap()
    );
    // Plane functions: padding between rows is ignored, whatever it holds.
    let (w, h) = (37usize, 23usize);
    let mut rnd = xorshift(9);
    let p: Vec<u8> = (0..w * h).map(|_| (rnd() >> 50) as u8).collect();
    let q: Vec<u8> = p.iter().map(|&v| v.saturating_add((rnd() >> 61) as u8)).collect();
    let padded: Vec<u8> = q.chunks(w).flat_map(|r| r.iter().copied().chain([0xee; 5])).collect();
    let tight = metrics::psnr_plane(&p, &q, w, h, w, w).unwrap();
    assert_eq!(metrics::psnr_plane(&p, &padded, w, h, w, w + 5).unwrap(), tight);
    assert!(tight.is_finite() && tight > 20.0);
    let s = metrics::ssim_plane(&p, &q, w, h, w, w).unwrap();
    assert_eq!(metrics::ssim_plane(&p, &padded, w, h, w, w + 5).unwrap(), s);
}

#[test]
fn bad_arguments_are_typed_errors() {
    let a = source(20, 20);
    let b = source(21, 20);
    assert!(matches!(
        metrics::psnr_bgrx(&a.as_ref(), &b.as_ref()),
        Err(Error::Parameter(ParameterKind::UnsupportedSize { .. }))
    ));
    let gray = Image::zeroed(20, 20, PixelFormat::Gray8).unwrap();
    assert!(matches!(
        metrics::ssim_bgrx(&a.as_ref(), &gray.as_ref()),
        Err(Error::Parameter(ParameterKind::FormatMismatch))
    ));
    assert!(metrics::psnr_bgrx_rect(&a.as_ref(), &a.as_ref(), Rect::new(15, 0, 10, 10)).is_err());
    let small = source(6, 20);
    assert!(metrics::ssim_bgrx(&small.as_ref(), &small.as_ref()).is_err(), "SSIM needs a 7x7 window");
    assert!(matches!(
        metrics::psnr_plane(&[0; 10], &[0; 10], 4, 3, 4, 4),
        Err(Error::Parameter(ParameterKind::BufferTooSmall { .. }))
    ));
    assert!(matches!(
        metrics::psnr_plane(&[0; 16], &[0; 16], 4, 3, 3, 4),
        Err(Error::Parameter(ParameterKind::StrideTooSmall { .. }))
    ));
    assert!(matches!(metrics::ssim_plane(&[], &[], 0, 0, 0, 0), Err(Error::Parameter(ParameterKind::EmptyImage))));
}
