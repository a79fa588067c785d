//! `paprika bench jpeg`: our JPEG encoder on one picture, on one thread and on
//! several: bytes, PSNR after our decode, and encode speed. The comparison with
//! libjpeg-turbo lives in the benchmarks crate (libjpeg-turbo is no dependency
//! of the tool).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::ValueEnum;
use paprika_codecs::jpeg::{self, JpegOptions};
use paprika_codecs::{Limits, PixelFormat};

use crate::codec::{self, subsampling_name};
use crate::{cmd_demo, png_io, timing};

/// Encodes per measurement; the median is reported.
const RUNS: usize = 7;

/// The bundled default input, relative to a corpora directory.
const DEFAULT_INPUT: &str = "vectors/inputs/photo_astronaut.png";

/// What `bench` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Our JPEG encoder (SPICE's settings but for --quality), on 1 thread and on --threads.
    Jpeg,
}

/// Arguments of `paprika bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to benchmark.
    #[arg(value_enum)]
    pub target: Target,
    /// Input PNG [default: the bundled corpora/vectors/inputs/photo_astronaut.png].
    #[arg(long, value_name = "IN.png")]
    pub input: Option<PathBuf>,
    /// JPEG quality, 1..=100.
    #[arg(long, value_name = "Q", default_value_t = 85, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
    /// Threads for the second row (the first is always 1 thread) [default: the machine's cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
}

/// One row of the table.
struct Row {
    /// Threads asked for.
    threads: usize,
    /// Bytes of the JPEG.
    bytes: usize,
    /// PSNR of our decode against the input, in dB.
    psnr: f64,
    /// Median encode time.
    enc: std::time::Duration,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let Target::Jpeg = args.target;
    let input = match &args.input {
        Some(p) => p.clone(),
        None => cmd_demo::find_in_corpora(DEFAULT_INPUT)?,
    };
    let img = png_io::load(&input)?.convert(PixelFormat::Bgrx32).context("converting the input to BGRX")?;
    let want = img.to_bgrx()?;
    let raw = codec::raw_bytes(img.width(), img.height());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let many = args.threads.map_or(cores, |n| n as usize);
    let mut counts = vec![1];
    if many > 1 {
        counts.push(many);
    }
    let base = JpegOptions { quality: args.quality, ..JpegOptions::default() };
    let mut rows = Vec::new();
    for threads in counts {
        let opts = JpegOptions { threads, ..base };
        let what = || format!("encoding {} on {threads} thread(s)", input.display());
        let mut stream = Vec::new();
        // One untimed run warms caches and the allocator.
        jpeg::encode_into(&img.as_ref(), &opts, &mut stream).with_context(what)?;
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let (r, took) = timing::time(|| jpeg::encode_into(&img.as_ref(), &opts, &mut stream));
            r.with_context(what)?;
            times.push(took);
        }
        let back = jpeg::decode(&stream, &Limits::default()).context("decoding our JPEG with our decoder")?;
        if (back.width(), back.height()) != (img.width(), img.height()) {
            bail!("our JPEG decoded to {}x{}", back.width(), back.height());
        }
        let psnr = codec::psnr_bgrx(&want, &back.to_bgrx()?);
        rows.push(Row { threads, bytes: stream.len(), psnr, enc: timing::median(&mut times) });
    }

    println!(
        "paprika bench jpeg: {}, {}x{}, {raw} raw bytes, quality {}, subsampling {}",
        input.display(),
        img.width(),
        img.height(),
        args.quality,
        subsampling_name(base.subsampling)
    );
    println!(
        "  {:>7} {:>10} {:>8} {:>9} {:>11} {:>11}",
        "threads", "bytes", "ratio", "PSNR dB", "encode ms", "enc MB/s"
    );
    for r in &rows {
        println!(
            "  {:>7} {:>10} {:>7.2}x {:>9.2} {:>11.3} {:>11.1}",
            r.threads,
            r.bytes,
            codec::ratio(raw, r.bytes as u64),
            r.psnr,
            timing::ms(r.enc),
            timing::mb_per_s(raw, r.enc),
        );
    }
    println!("  (median of {RUNS} encodes each; MB/s of raw 32-bit pixels; PSNR over B,G,R after our decode;");
    println!("   on several threads a large enough picture is coded in restart intervals, so its bytes may differ)");
    println!("  against libjpeg-turbo: cargo run --release -p paprika-benches --bin jpeg_table");
    if cfg!(debug_assertions) {
        eprintln!("note: debug build of paprika; timings are not representative (build with --release)");
    }
    Ok(())
}
