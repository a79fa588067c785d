//! Video streams on real content: the first 60 frames of Big Buck Bunny
//! (640x360) and of a GNOME desktop recording (1024x768), committed as
//! high-quality H.264 in corpora/video/ (see fetch.sh there).
//!
//! H.264: encode then decode — luma PSNR floor, bitrate within ±15% of the
//! target after the first second, forced key frames, bitrate changes taking
//! effect within a few frames, two slices on two threads; MJPEG: quality per
//! frame and the byte budget. The BGRX to I420 conversion is checked against
//! the BT.601 formulas in floating point.
//!
//! Measured values print with `cargo test --release --test video -- --nocapture`
//! and are recorded in docs/video.md; the floors sit a little under them.

use std::path::PathBuf;
use std::sync::OnceLock;

use paprika_codecs::Limits;
use paprika_codecs::error::{Error, ParameterKind};
use paprika_codecs::image::{Image, ImageDesc, ImageRef, PixelFormat, Rect};
use paprika_codecs::jpeg::{self, JpegOptions};
use paprika_codecs::metrics;
use paprika_codecs::video::{I420Frame, MjpegEncoder, MjpegOptions, VideoFrameKind};

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpora/video").join(name)
}

/// A 32-bit BGRX image from top-down BGRX bytes.
fn bgrx_image(width: u32, height: u32, data: Vec<u8>) -> Image {
    Image::from_vec(ImageDesc::packed(width, height, PixelFormat::Bgrx32).unwrap(), data).unwrap()
}

fn luma_psnr(a: &I420Frame, b: &I420Frame) -> f64 {
    let (w, h) = (a.width() as usize, a.height() as usize);
    metrics::psnr_plane(a.y(), b.y(), w, h, a.y_stride(), b.y_stride()).unwrap()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// A deterministic noisy BGRX picture.
fn noise(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    (0..4 * width as usize * height as usize)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 33) as u8
        })
        .collect()
}

#[test]
fn conversion_matches_the_bt601_formulas() {
    // Odd sizes exercise the lone last column and row; the rectangle sits
    // inside a larger bottom-up surface with a padded stride.
    let (sw, sh, rect) = (53u32, 41u32, Rect::new(3, 5, 37, 29));
    let stride = 4 * sw as usize + 12;
    let px = noise(stride as u32 / 4 + 1, sh, 99);
    let desc = ImageDesc { stride, top_down: false, ..ImageDesc::packed(sw, sh, PixelFormat::Bgrx32).unwrap() };
    let surface = ImageRef::new(desc, &px[..stride * sh as usize]).unwrap();
    let frame = I420Frame::from_bgrx(&surface, rect).unwrap();
    let at = |x: u32, y: u32| {
        let row = surface.row(rect.y + y);
        let o = 4 * (rect.x + x) as usize;
        (f64::from(row[o]), f64::from(row[o + 1]), f64::from(row[o + 2]))
    };
    let (w, h) = (rect.width, rect.height);
    for y in 0..h {
        for x in 0..w {
            let (b, g, r) = at(x, y);
            let want = 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
            let got = f64::from(frame.y()[(y * w + x) as usize]);
            assert!((got - want).abs() <= 0.51, "Y at {x},{y}: {got} vs {want}");
        }
    }
    let cw = w.div_ceil(2);
    for cy in 0..h.div_ceil(2) {
        for cx in 0..cw {
            let mut sum = (0.0, 0.0, 0.0);
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let (b, g, r) = at((2 * cx + dx).min(w - 1), (2 * cy + dy).min(h - 1));
                sum = (sum.0 + b / 4.0, sum.1 + g / 4.0, sum.2 + r / 4.0);
            }
            let (b, g, r) = sum;
            let u = 128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0;
            let v = 128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0;
            let i = (cy * cw + cx) as usize;
            assert!((f64::from(frame.u()[i]) - u).abs() <= 0.51, "U at {cx},{cy}");
            assert!((f64::from(frame.v()[i]) - v).abs() <= 0.51, "V at {cx},{cy}");
        }
    }
    // The same rectangle copied out top-down converts identically.
    let copy = surface.sub_image(rect).unwrap().to_owned_packed();
    let again = I420Frame::from_bgrx(&copy.as_ref(), Rect::new(0, 0, w, h)).unwrap();
    assert_eq!(frame, again);
    // Wrong format, wrong size, rectangle outside: typed errors.
    let gray = Image::zeroed(8, 8, PixelFormat::Gray8).unwrap();
    let mut small = I420Frame::new(8, 8).unwrap();
    assert!(matches!(small.fill_from_bgrx(&gray.as_ref(), Rect::new(0, 0, 8, 8)), Err(Error::Parameter(_))));
    assert!(matches!(
        small.fill_from_bgrx(&surface, Rect::new(0, 0, 9, 8)),
        Err(Error::Parameter(ParameterKind::UnsupportedSize { .. }))
    ));
    assert!(matches!(small.fill_from_bgrx(&surface, Rect::new(50, 0, 8, 8)), Err(Error::Parameter(_))));
}

#[test]
fn mjpeg_quality_and_byte_budget() {
    let frames = bbb();
    let (w, h) = (frames[0].width(), frames[0].height());
    let rect = Rect::new(0, 0, w, h);
    let opts = MjpegOptions { jpeg: JpegOptions { quality: 80, ..JpegOptions::default() }, max_frame_bytes: None };
    let mut enc = MjpegEncoder::new(w, h, &opts).unwrap();
    let mut sizes = Vec::new();
    for (i, q) in [90u8, 70, 50, 30, 10].into_iter().enumerate() {
        enc.set_quality(q).unwrap();
        let out = enc.encode(&frames[i].as_ref(), rect, i as u64 * 40).unwrap();
        assert_eq!(out.kind, VideoFrameKind::Key);
        let back = jpeg::decode(&out.data, &Limits::default()).unwrap();
        let p = metrics::psnr_bgrx(&frames[i].as_ref(), &back.as_ref()).unwrap().combined;
        println!("mjpeg q{q}: {} bytes, PSNR {p:.2} dB", out.data.len());
        assert!(p > 24.0, "q{q}: PSNR {p}");
        sizes.push(out.data.len());
    }
    assert!(sizes.windows(2).all(|s| s[0] > s[1]), "sizes must fall with quality: {sizes:?}");
    // A budget between the q50 and q30 sizes: q50 is dropped, q30 kept.
    enc.set_max_frame_bytes(Some((sizes[2] + sizes[3]) / 2));
    enc.set_quality(50).unwrap();
    let dropped = enc.encode(&frames[2].as_ref(), rect, 200).unwrap();
    assert_eq!((dropped.kind, dropped.data.len()), (VideoFrameKind::Skipped, 0));
    enc.set_quality(30).unwrap();
    let kept = enc.encode(&frames[3].as_ref(), rect, 240).unwrap();
    assert_eq!(kept.kind, VideoFrameKind::Key);
    let st = enc.stats();
    assert_eq!((st.sent, st.dropped), (6, 1));
    assert_eq!(st.bytes, sizes.iter().sum::<usize>() as u64 + kept.data.len() as u64);
    assert!(enc.set_quality(0).is_err() && enc.set_quality(101).is_err());
    assert!(enc.encode(&frames[0].as_ref(), Rect::new(0, 0, w - 2, h), 0).is_err());
}

/// The Big Buck Bunny sample as BGRX frames (decoded once per test binary).
fn bbb() -> &'static [Image] {
    static FRAMES: OnceLock<Vec<Image>> = OnceLock::new();
    FRAMES.get_or_init(|| load_sample("bbb_640x360.h264"))
}

#[cfg(feature = "h264")]
fn load_sample(name: &str) -> Vec<Image> {
    let stream = std::fs::read(corpus(name)).unwrap();
    let mut dec = paprika_codecs::video::H264Decoder::new(&Limits::default()).unwrap();
    let frames = dec.decode_stream(&stream).unwrap();
    assert_eq!(frames.len(), 60, "{name}");
    frames.iter().map(|f| bgrx_image(f.width(), f.height(), f.to_bgrx())).collect()
}

#[cfg(not(feature = "h264"))]
fn load_sample(_name: &str) -> Vec<Image> {
    panic!("the video samples need the h264 feature to decode")
}

#[cfg(feature = "h264")]
mod h264 {
    use super::*;
    use paprika_codecs::video::{
        EncodedVideoFrame, H264Content, H264Decoder, H264Encoder, H264Options, h264_coded_rect,
    };

    fn desktop() -> &'static [Image] {
        static FRAMES: OnceLock<Vec<Image>> = OnceLock::new();
        FRAMES.get_or_init(|| load_sample("desktop_1024x768.h264"))
    }

    /// The outcome of one stream: every frame's output and its decoded picture.
    struct Run {
        out: Vec<EncodedVideoFrame>,
        psnr: Vec<f64>,
    }

    impl Run {
        /// Bits per second over frames `from..to` at `fps`.
        fn bitrate(&self, from: usize, to: usize, fps: f64) -> f64 {
            let bytes: usize = self.out[from..to].iter().map(|f| f.data.len()).sum();
            bytes as f64 * 8.0 * fps / (to - from) as f64
        }
    }

    /// Encodes `frames` at `fps`, calling `steer` before each frame, and decodes
    /// every output, comparing its luma with the source's.
    fn run(frames: &[Image], opts: &H264Options, mut steer: impl FnMut(usize, &mut H264Encoder)) -> Run {
        let (w, h) = (frames[0].width(), frames[0].height());
        let rect = Rect::new(0, 0, w, h);
        let mut enc = H264Encoder::new(w, h, opts).unwrap();
        let mut dec = H264Decoder::new(&Limits::default()).unwrap();
        let (mut out, mut psnr) = (Vec::new(), Vec::new());
        let step = 1000.0 / f64::from(opts.max_fps);
        for (i, f) in frames.iter().enumerate() {
            steer(i, &mut enc);
            let coded = enc.encode(&f.as_ref(), rect, (i as f64 * step) as u64).unwrap();
            if coded.kind != VideoFrameKind::Skipped {
                let got = dec.decode(&coded.data).unwrap().expect("an access unit gives a picture");
                let src = I420Frame::from_bgrx(&f.as_ref(), rect).unwrap();
                psnr.push(luma_psnr(&src, &got));
            }
            out.push(coded);
        }
        Run { out, psnr }
    }

    fn nal_types(au: &[u8]) -> Vec<u8> {
        // Annex-B: a NAL starts after 00 00 01; its type is the low 5 bits.
        au.windows(4).filter(|w| w[..3] == [0, 0, 1]).map(|w| w[3] & 0x1f).collect()
    }

    fn opts(bitrate: u32, fps: f32) -> H264Options {
        H264Options { bitrate, max_fps: fps, threads: 1, ..H264Options::default() }
    }

    #[test]
    fn bbb_at_one_megabit_keeps_quality_and_rate() {
        let r = run(bbb(), &opts(1_000_000, 25.0), |_, _| {});
        let (m, worst) = (mean(&r.psnr), r.psnr.iter().copied().fold(f64::INFINITY, f64::min));
        let rate = r.bitrate(25, 60, 25.0);
        println!("bbb 640x360 @1 Mbit/s: luma PSNR mean {m:.2} dB, worst {worst:.2}; rate after 1 s {rate:.0} bit/s");
        assert_eq!(r.out[0].kind, VideoFrameKind::Key);
        assert!(nal_types(&r.out[0].data).starts_with(&[7, 8, 5]), "SPS, PPS, IDR first");
        assert!(r.out[1..].iter().all(|f| f.kind != VideoFrameKind::Key), "no key frame unasked");
        assert!(m > 35.5 && worst > 34.0, "PSNR mean {m}, worst {worst}");
        assert!((rate / 1e6 - 1.0).abs() < 0.15, "rate {rate}");
    }

    #[test]
    fn a_requested_key_frame_is_one_and_decodes_alone() {
        let frames = bbb();
        let r = run(&frames[..30], &opts(800_000, 25.0), |i, enc| {
            if i == 20 {
                enc.request_keyframe().unwrap();
            }
        });
        let key: Vec<usize> = (0..30).filter(|&i| r.out[i].kind == VideoFrameKind::Key).collect();
        assert_eq!(key, [0, 20]);
        assert!(nal_types(&r.out[20].data).contains(&5));
        // A client joining at frame 20 decodes from there on.
        let mut late = H264Decoder::new(&Limits::default()).unwrap();
        for f in &r.out[20..] {
            assert!(late.decode(&f.data).unwrap().is_some());
        }
        // The key-frame interval setting also takes effect mid-stream.
        let r = run(&frames[..30], &opts(800_000, 25.0), |i, enc| {
            if i == 5 {
                enc.set_keyframe_interval(10).unwrap();
            }
        });
        let key = (1..30).filter(|&i| r.out[i].kind == VideoFrameKind::Key).count();
        assert!((2..=3).contains(&key), "{key} key frames after setting interval 10");
    }

    #[test]
    fn a_bitrate_cut_takes_effect_within_a_few_frames() {
        let r = run(bbb(), &opts(1_500_000, 25.0), |i, enc| {
            if i == 30 {
                enc.set_bitrate(300_000).unwrap();
            }
        });
        let (before, after) = (r.bitrate(10, 30, 25.0), r.bitrate(35, 60, 25.0));
        let sizes: Vec<usize> = r.out[28..36].iter().map(|f| f.data.len()).collect();
        println!("1.5 Mbit/s -> 300 kbit/s at frame 30: {before:.0} -> {after:.0} bit/s; sizes 28..36 {sizes:?}");
        assert!((before / 1.5e6 - 1.0).abs() < 0.15, "before {before}");
        assert!((after / 3e5 - 1.0).abs() < 0.15, "after {after}");
        // Within three frames a frame costs under half what the old rate spent per frame.
        let old_frame = 1.5e6 / 8.0 / 25.0;
        assert!(r.out[30..33].iter().any(|f| (f.data.len() as f64) < old_frame / 2.0), "{sizes:?}");
        assert!(enc_rejects_zero_bitrate());
    }

    fn enc_rejects_zero_bitrate() -> bool {
        let mut enc = H264Encoder::new(64, 64, &opts(100_000, 30.0)).unwrap();
        matches!(enc.set_bitrate(0), Err(Error::Parameter(ParameterKind::OutOfRange)))
            && enc.set_max_fps(0.0).is_err()
            && enc.set_max_fps(30.0).is_ok()
    }

    #[test]
    fn desktop_recording_as_screen_content_on_two_threads() {
        let frames = &desktop()[..30];
        let o = H264Options { content: H264Content::Screen, threads: 2, ..opts(2_000_000, 15.0) };
        let r = run(frames, &o, |_, _| {});
        let m = mean(&r.psnr);
        let total: usize = r.out.iter().map(|f| f.data.len()).sum();
        println!("desktop 1024x768 screen mode, 2 threads: luma PSNR mean {m:.2} dB, {total} bytes for 30 frames");
        assert!(m > 42.0, "PSNR {m}");
        // Two threads mean two slices: two coded-slice NALs in the key frame.
        assert_eq!(nal_types(&r.out[0].data).iter().filter(|&&t| t == 5).count(), 2);
    }

    #[test]
    fn sizes_and_rectangles() {
        for (w, h) in [(15, 64), (64, 15), (3842, 100), (2170, 2200), (17, 32)] {
            assert!(
                matches!(
                    H264Encoder::new(w, h, &opts(1_000_000, 30.0)),
                    Err(Error::Parameter(ParameterKind::UnsupportedSize { .. }))
                ),
                "{w}x{h}"
            );
        }
        assert!(H264Encoder::new(64, 64, &opts(0, 30.0)).is_err());
        assert_eq!(h264_coded_rect(Rect::new(1, 2, 101, 51)), Rect::new(1, 2, 100, 50));
        // A rectangle inside a larger surface codes just that part.
        let frame = &bbb()[0];
        let rect = h264_coded_rect(Rect::new(101, 47, 321, 201));
        let mut enc = H264Encoder::new(rect.width, rect.height, &opts(2_000_000, 30.0)).unwrap();
        let coded = enc.encode(&frame.as_ref(), rect, 0).unwrap();
        let got = H264Decoder::new(&Limits::default()).unwrap().decode(&coded.data).unwrap().unwrap();
        assert_eq!((got.width(), got.height()), (320, 200));
        let src = I420Frame::from_bgrx(&frame.as_ref(), rect).unwrap();
        assert!(luma_psnr(&src, &got) > 30.0);
        let shifted = I420Frame::from_bgrx(&frame.as_ref(), Rect::new(0, 0, 320, 200)).unwrap();
        assert!(luma_psnr(&shifted, &got) < 25.0, "the wrong part of the surface was coded");
        assert!(enc.encode(&frame.as_ref(), Rect::new(0, 0, 322, 200), 40).is_err());
    }

    #[test]
    fn the_decoder_survives_garbage() {
        let limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1 << 20, max_alloc_bytes: 1 << 24 };
        let real: Vec<EncodedVideoFrame> =
            run(&bbb()[..6], &opts(1_000_000, 25.0), |_, _| {}).out.into_iter().filter(|f| f.data.len() > 8).collect();
        assert!(real.len() >= 3);
        let mut seed = 5u64;
        for trial in 0..200 {
            let mut dec = H264Decoder::new(&limits).unwrap();
            let mut au = real[trial % 3].data.clone();
            // Flip bytes after the start code, truncate, or append noise.
            for _ in 0..1 + trial % 8 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = 4 + (seed >> 33) as usize % (au.len() - 4);
                au[at] ^= (seed >> 20) as u8 | 1;
            }
            if trial % 5 == 0 {
                au.truncate(au.len() / 2);
            }
            // Ok (with or without a picture) or a typed error; never a panic.
            if let Ok(Some(f)) = dec.decode(&au) {
                assert!(f.width() <= 1024 && f.height() <= 1024);
            }
        }
    }
}
