//! `paprika stream`: encode a sequence of PNG frames as an H.264 or MJPEG stream,
//! decode it back, and report speed, achieved bitrate and quality.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use paprika_codecs::Limits;
use paprika_codecs::image::{Image, PixelFormat, Rect};
use paprika_codecs::jpeg::{self, JpegOptions, Subsampling};
use paprika_codecs::metrics;
use paprika_codecs::video::{
    H264Content, H264Decoder, H264Encoder, H264Options, MjpegEncoder, MjpegOptions, VideoFrameKind, h264_coded_rect,
};

use crate::png_io;

/// Which stream codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StreamCodec {
    /// H.264 (OpenH264), Annex-B output.
    H264,
    /// One JPEG per frame, concatenated (ffplay -f mjpeg plays it).
    Mjpeg,
}

/// Arguments of `paprika stream`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Stream codec.
    #[arg(long, value_enum, default_value = "h264")]
    pub codec: StreamCodec,
    /// Target bitrate in bit/s; k and M suffixes allowed (4M = 4,000,000).
    #[arg(long, default_value = "4M", value_parser = parse_bitrate)]
    pub bitrate: u32,
    /// Frame rate of the input frames.
    #[arg(long, default_value_t = 30.0)]
    pub fps: f32,
    /// Encoder threads (H.264 slices); 0 = one per core.
    #[arg(long, default_value_t = 0)]
    pub threads: u16,
    /// Frames between key frames (H.264); 0 = only the first.
    #[arg(long, default_value_t = 0)]
    pub keyint: u32,
    /// Tune H.264 for synthetic screen content instead of natural video.
    #[arg(long)]
    pub screen: bool,
    /// Starting JPEG quality (MJPEG); a simple controller then keeps frames within
    /// the per-frame budget bitrate / fps.
    #[arg(long, default_value_t = 70)]
    pub quality: u8,
    /// Skip decoding and quality measurement (faster).
    #[arg(long)]
    pub no_verify: bool,
    /// Input frames: PNG files, or directories whose PNGs are taken in name order.
    #[arg(required = true)]
    pub frames: Vec<PathBuf>,
    /// Output stream file.
    #[arg(short, long)]
    pub output: PathBuf,
}

fn parse_bitrate(s: &str) -> Result<u32, String> {
    let bps = crate::bitrate::parse_bits_per_second(s, "800k or 4M")?;
    if !(1_000.0..=1e9).contains(&bps) {
        return Err(format!("bitrate {s} outside 1k..1000M"));
    }
    Ok(bps as u32)
}

fn frame_paths(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut pngs: Vec<PathBuf> = fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x.eq_ignore_ascii_case("png")))
                .collect();
            pngs.sort();
            if pngs.is_empty() {
                bail!("{} holds no PNG files", p.display());
            }
            out.extend(pngs);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn load_bgrx(path: &Path) -> anyhow::Result<Image> {
    let img = png_io::load(path)?;
    img.convert(PixelFormat::Bgrx32).with_context(|| format!("converting {} to BGRX", path.display()))
}

enum StreamEncoder {
    H264(Box<H264Encoder>, Option<H264Decoder>),
    Mjpeg(MjpegEncoder),
}

/// What one run measured.
#[derive(Debug, Default)]
struct Totals {
    frames: u64,
    skipped: u64,
    keys: u64,
    bytes: u64,
    encode: Duration,
    psnr_sum: f64,
    ssim_sum: f64,
    measured: u64,
    psnr_min: f64,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let paths = frame_paths(&args.frames)?;
    let first = load_bgrx(&paths[0])?;
    let rect = h264_coded_rect(Rect::new(0, 0, first.width(), first.height()));
    if args.codec == StreamCodec::H264 && (rect.width, rect.height) != (first.width(), first.height()) {
        eprintln!(
            "note: H.264 needs even sides; coding the top-left {}x{} of {}x{}",
            rect.width,
            rect.height,
            first.width(),
            first.height()
        );
    }
    let rect = if args.codec == StreamCodec::H264 { rect } else { Rect::new(0, 0, first.width(), first.height()) };
    let budget = (f64::from(args.bitrate) / 8.0 / f64::from(args.fps)) as usize;
    let mut enc = match args.codec {
        StreamCodec::H264 => {
            let opts = H264Options {
                bitrate: args.bitrate,
                max_fps: args.fps,
                keyframe_interval: args.keyint,
                threads: args.threads,
                content: if args.screen { H264Content::Screen } else { H264Content::Video },
                ..H264Options::default()
            };
            let enc = H264Encoder::new(rect.width, rect.height, &opts).context("creating the H.264 encoder")?;
            let dec = if args.no_verify { None } else { Some(H264Decoder::new(&Limits::default())?) };
            StreamEncoder::H264(Box::new(enc), dec)
        }
        StreamCodec::Mjpeg => {
            let jpeg = JpegOptions {
                quality: args.quality,
                subsampling: Subsampling::S420,
                threads: usize::from(args.threads),
                ..JpegOptions::default()
            };
            let opts = MjpegOptions { jpeg, max_frame_bytes: Some(budget.max(1)) };
            StreamEncoder::Mjpeg(MjpegEncoder::new(rect.width, rect.height, &opts)?)
        }
    };

    let mut out = fs::File::create(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    let bar = ProgressBar::new(paths.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} frames, {per_sec}, eta {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut t = Totals { psnr_min: f64::INFINITY, ..Totals::default() };
    let wall = Instant::now();
    for (i, path) in paths.iter().enumerate() {
        let img = if i == 0 { first.clone() } else { load_bgrx(path)? };
        if (img.width(), img.height()) != (first.width(), first.height()) {
            bail!(
                "{} is {}x{}, the stream is {}x{}",
                path.display(),
                img.width(),
                img.height(),
                first.width(),
                first.height()
            );
        }
        let ts = (i as f64 * 1000.0 / f64::from(args.fps)) as u64;
        let started = Instant::now();
        let frame = match &mut enc {
            StreamEncoder::H264(e, _) => e.encode(&img.as_ref(), rect, ts)?,
            StreamEncoder::Mjpeg(e) => {
                let f = e.encode(&img.as_ref(), rect, ts)?;
                // A small controller for the CLI (the engine steers streams itself):
                // step quality down after a drop or a frame near the budget, up when far under.
                let last = e.stats().last_frame_bytes;
                let q = e.quality();
                if f.kind == VideoFrameKind::Skipped || last > budget * 9 / 10 {
                    e.set_quality(q.saturating_sub(if f.kind == VideoFrameKind::Skipped { 10 } else { 3 }).max(5))?;
                } else if last < budget / 2 {
                    e.set_quality((q + 2).min(95))?;
                }
                f
            }
        };
        t.encode += started.elapsed();
        t.frames += 1;
        match frame.kind {
            VideoFrameKind::Skipped => t.skipped += 1,
            VideoFrameKind::Key => t.keys += 1,
            VideoFrameKind::Delta => {}
        }
        t.bytes += frame.data.len() as u64;
        out.write_all(&frame.data)?;
        if !args.no_verify && frame.kind != VideoFrameKind::Skipped {
            let shown = match &mut enc {
                StreamEncoder::H264(_, Some(dec)) => dec.decode(&frame.data)?.map(|p| p.to_bgrx()),
                StreamEncoder::H264(_, None) => None,
                StreamEncoder::Mjpeg(_) => Some(jpeg::decode(&frame.data, &Limits::default())?.to_bgrx()?),
            };
            if let Some(shown) = shown {
                // The metrics take any stride: compare against a view, not a copy.
                let src = img.as_ref().sub_image(rect)?;
                let got = Image::from_vec(
                    paprika_codecs::ImageDesc::packed(rect.width, rect.height, PixelFormat::Bgrx32)?,
                    shown,
                )?;
                let p = metrics::psnr_bgrx(&src, &got.as_ref())?.combined;
                let s = metrics::ssim_bgrx(&src, &got.as_ref())?;
                t.psnr_sum += p.min(99.0);
                t.psnr_min = t.psnr_min.min(p);
                t.ssim_sum += s;
                t.measured += 1;
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let secs = t.frames as f64 / f64::from(args.fps);
    let kbps = t.bytes as f64 * 8.0 / secs / 1000.0;
    println!("codec:            {}", if args.codec == StreamCodec::H264 { "h264" } else { "mjpeg" });
    println!("frames:           {} ({} key, {} skipped), {}x{}", t.frames, t.keys, t.skipped, rect.width, rect.height);
    println!("duration:         {secs:.2} s at {} fps", args.fps);
    println!("bytes:            {} -> {}", t.bytes, args.output.display());
    println!(
        "bitrate:          {kbps:.0} kbit/s achieved, {:.0} kbit/s target ({:.3}x)",
        f64::from(args.bitrate) / 1000.0,
        kbps * 1000.0 / f64::from(args.bitrate)
    );
    let enc_s = t.encode.as_secs_f64();
    println!(
        "encode speed:     {:.1} fps ({:.1} ms/frame; wall {:.2} s incl. PNG loading)",
        t.frames as f64 / enc_s.max(1e-9),
        enc_s * 1000.0 / t.frames as f64,
        wall.elapsed().as_secs_f64()
    );
    if let StreamEncoder::H264(e, _) = &enc {
        println!("threads:          {}", e.threads());
    }
    if let StreamEncoder::Mjpeg(e) = &enc {
        println!("final quality:    {}", e.quality());
    }
    if t.measured > 0 {
        println!(
            "quality:          PSNR {:.2} dB mean, {:.2} dB worst; SSIM {:.4} mean ({} frames decoded)",
            t.psnr_sum / t.measured as f64,
            t.psnr_min,
            t.ssim_sum / t.measured as f64,
            t.measured
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_bitrate;

    #[test]
    fn bitrates_parse_with_suffixes() {
        assert_eq!(parse_bitrate("4M"), Ok(4_000_000));
        assert_eq!(parse_bitrate("800k"), Ok(800_000));
        assert_eq!(parse_bitrate("1.5M"), Ok(1_500_000));
        assert_eq!(parse_bitrate("250000"), Ok(250_000));
        assert!(parse_bitrate("fast").is_err());
        assert!(parse_bitrate("0").is_err());
    }
}
