//! H.264 at 1920x1080 and 4 Mbit/s: our stream encoder on one and two threads
//! (two slices) against the `openh264` crate's own encoder (one slice, which
//! its safe API forces) on the same I420 frames, plus our BGRX to I420
//! conversion. Prints fps, achieved bitrate after the first second and luma
//! PSNR of the decoded stream, and the ratios.
//!
//! `cargo run --release -p paprika-benches --bin video_table [--frames N]`
//!
//! Frames: Big Buck Bunny scaled from 1280x720 to 1920x1080 when
//! `corpora/video/fetch.sh` has extracted it (corpora/video/cache/), else the
//! committed 640x360 sample scaled up (fewer details, so easier to code).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use image::imageops::{FilterType, resize};
use paprika_codecs::metrics::psnr_plane;
use paprika_codecs::video::{H264Decoder, H264Encoder, H264Options, I420Frame};
use paprika_codecs::{Image, ImageDesc, Limits, PixelFormat, Rect};

const W: u32 = 1920;
const H: u32 = 1080;
const FPS: f32 = 30.0;
const BITRATE: u32 = 4_000_000;

fn video_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpora/video")
}

/// Source frames as 1920x1080 BGRX.
fn frames(n: usize) -> (String, Vec<Image>) {
    let scale = |rgba: image::RgbaImage| {
        let big = resize(&rgba, W, H, FilterType::Triangle);
        let bgrx: Vec<u8> = big.pixels().flat_map(|p| [p[2], p[1], p[0], 255]).collect();
        Image::from_vec(ImageDesc::packed(W, H, PixelFormat::Bgrx32).expect("desc"), bgrx).expect("image")
    };
    let cache = video_dir().join("cache/bbb_1280x720");
    let mut pngs: Vec<PathBuf> =
        std::fs::read_dir(&cache).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    pngs.sort();
    if pngs.len() >= n {
        let out = pngs[..n].iter().map(|p| scale(image::open(p).expect("PNG").to_rgba8())).collect();
        return ("Big Buck Bunny 1280x720 scaled to 1920x1080".into(), out);
    }
    let stream = std::fs::read(video_dir().join("bbb_640x360.h264")).expect("committed sample");
    let decoded = H264Decoder::new(&Limits::default()).expect("decoder").decode_stream(&stream).expect("decode");
    let out = decoded
        .iter()
        .cycle()
        .take(n)
        .map(|f| {
            let bgrx = f.to_bgrx();
            let rgba = image::RgbaImage::from_fn(f.width(), f.height(), |x, y| {
                let o = 4 * (y * f.width() + x) as usize;
                image::Rgba([bgrx[o + 2], bgrx[o + 1], bgrx[o], 255])
            });
            scale(rgba)
        })
        .collect();
    ("Big Buck Bunny 640x360 sample scaled to 1920x1080 (run corpora/video/fetch.sh for the 720p source)".into(), out)
}

struct Outcome {
    encode: Duration,
    bytes_after_1s: usize,
    frames_after_1s: usize,
    psnr: f64,
}

impl Outcome {
    fn fps(&self, n: usize) -> f64 {
        n as f64 / self.encode.as_secs_f64()
    }
    fn kbps(&self) -> f64 {
        self.bytes_after_1s as f64 * 8.0 * f64::from(FPS) / self.frames_after_1s as f64 / 1000.0
    }
}

/// Decodes the access units and returns the mean luma PSNR against `src`.
fn quality(units: &[Vec<u8>], src: &[I420Frame]) -> f64 {
    let mut dec = H264Decoder::new(&Limits::default()).expect("decoder");
    let mut sum = 0.0;
    let mut n = 0;
    for (au, s) in units.iter().zip(src) {
        if let Some(got) = dec.decode(au).expect("decode") {
            sum += psnr_plane(s.y(), got.y(), W as usize, H as usize, s.y_stride(), got.y_stride()).expect("psnr");
            n += 1;
        }
    }
    sum / f64::from(n.max(1))
}

fn summarize(units: Vec<Vec<u8>>, encode: Duration, src: &[I420Frame]) -> Outcome {
    let skip = FPS as usize;
    Outcome {
        encode,
        bytes_after_1s: units[skip..].iter().map(Vec::len).sum(),
        frames_after_1s: units.len() - skip,
        psnr: quality(&units, src),
    }
}

fn ours(src: &[I420Frame], threads: u16) -> Outcome {
    let opts = H264Options { bitrate: BITRATE, max_fps: FPS, threads, ..H264Options::default() };
    let mut enc = H264Encoder::new(W, H, &opts).expect("encoder");
    let mut units = Vec::new();
    let start = Instant::now();
    for (i, f) in src.iter().enumerate() {
        units.push(enc.encode_i420(f, (i as f32 * 1000.0 / FPS) as u64).expect("encode").data);
    }
    summarize(units, start.elapsed(), src)
}

fn peer(src: &[I420Frame]) -> Outcome {
    use openh264::encoder::{BitRate, Complexity, Encoder, EncoderConfig, FrameRate, UsageType};
    use openh264::formats::YUVSlices;
    use openh264::{OpenH264API, Timestamp};
    let config = EncoderConfig::new()
        .bitrate(BitRate::from_bps(BITRATE))
        .max_frame_rate(FrameRate::from_hz(FPS))
        .usage_type(UsageType::CameraVideoRealTime)
        .complexity(Complexity::Low)
        .skip_frames(true);
    let mut enc = Encoder::with_api_config(OpenH264API::from_source(), config).expect("openh264 encoder");
    let mut units = Vec::new();
    let start = Instant::now();
    for (i, f) in src.iter().enumerate() {
        let yuv = YUVSlices::new(
            (f.y(), f.u(), f.v()),
            (W as usize, H as usize),
            (f.y_stride(), f.uv_stride(), f.uv_stride()),
        );
        let ts = Timestamp::from_millis((i as f32 * 1000.0 / FPS) as u64);
        units.push(enc.encode_at(&yuv, ts).expect("encode").to_vec());
    }
    summarize(units, start.elapsed(), src)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = args
        .iter()
        .position(|a| a == "--frames")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(90usize)
        .max(FPS as usize + 10);
    let (what, bgrx) = frames(n);
    println!("{n} frames: {what}; {} Mbit/s at {FPS} fps\n", BITRATE / 1_000_000);
    let rect = Rect::new(0, 0, W, H);
    let start = Instant::now();
    let src: Vec<I420Frame> = bgrx.iter().map(|f| I420Frame::from_bgrx(&f.as_ref(), rect).expect("convert")).collect();
    let convert = start.elapsed();
    println!("BGRX to I420: {:.2} ms/frame\n", convert.as_secs_f64() * 1000.0 / n as f64);
    let peer = peer(&src);
    println!("| encoder | fps | × openh264 crate | kbit/s after 1 s | × target | luma PSNR dB |");
    println!("|---|---:|---:|---:|---:|---:|");
    let row = |name: &str, o: &Outcome| {
        println!(
            "| {name} | {:.1} | {:.2} | {:.0} | {:.3} | {:.2} |",
            o.fps(n),
            o.fps(n) / peer.fps(n),
            o.kbps(),
            o.kbps() * 1000.0 / f64::from(BITRATE),
            o.psnr
        )
    };
    row("openh264 crate (1 slice)", &peer);
    for threads in [1, 2] {
        row(&format!("paprika, {threads} thread(s)"), &ours(&src, threads));
    }
}
