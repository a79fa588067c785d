//! `paprika demo`: QUIC, LZ, LZ4, GLZ and JPEG round trips of a screenshot, with sizes
//! and speeds; the lossless ones must be pixel-exact, JPEG's is measured by its PSNR.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use paprika_codecs::{Image, Limits, glz, jpeg, lz, lz4, quic};

use crate::cmd_encode::{encode_stream, prepare};
use crate::codec::{self, Codec, EncodeType};
use crate::{png_io, timing};

/// Runs of the encoder and of the decoder; the median is reported.
const RUNS: usize = 5;

/// The bundled default input, relative to a corpora directory.
const DEFAULT_INPUT: &str = "vectors/inputs/screen_rustdoc.png";

/// Arguments of `paprika demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input PNG [default: the bundled corpora/vectors/inputs/screen_rustdoc.png].
    #[arg(long, value_name = "IN.png")]
    pub input: Option<PathBuf>,
    /// Directory to write the encoded streams into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Finds `rel` (a path inside a corpora directory) in `$PAPRIKA_CORPORA`, `./corpora`
/// or the source tree's `corpora`.
pub fn find_in_corpora(rel: &str) -> anyhow::Result<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("PAPRIKA_CORPORA").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(PathBuf::from("corpora"));
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("corpora"));
    for dir in &dirs {
        let candidate = dir.join(rel);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let tried: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    bail!(
        "no --input given and {rel} is in none of the corpora directories tried ({}); \
         set PAPRIKA_CORPORA to the corpora directory",
        tried.join(", ")
    )
}

/// The first pixel where two same-sized BGRX buffers differ, as (x, y).
fn first_difference(a: &[u8], b: &[u8], width: u32) -> Option<(u64, u64)> {
    let i = a.chunks_exact(4).zip(b.chunks_exact(4)).position(|(p, q)| p != q)? as u64;
    Some((i % u64::from(width), i / u64::from(width)))
}

/// One codec's results on the demo input.
struct Row {
    /// The codec.
    codec: Codec,
    /// The stream.
    stream: Vec<u8>,
    /// Median encode time.
    enc: Duration,
    /// Median decode time.
    dec: Duration,
    /// How the round trip went: "pixel-exact", or the PSNR of a lossy codec.
    round_trip: String,
}

/// Encodes and decodes `img` with `codec` `RUNS` times, checking the round trip.
fn measure(img: &Image, codec: Codec) -> anyhow::Result<Row> {
    if codec == Codec::JpegAlpha {
        bail!("the demo does not run jpeg-alpha (its stream needs the SPICE payload to decode)");
    }
    let ty = EncodeType::resolve(codec, None, img.format().has_alpha())?;
    let src = prepare(img, ty, false, 1)?;
    let what = || format!("{} {}", codec.name(), ty.name());
    let mut stream = Vec::new();
    let mut encode_times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (s, took) = encode_stream(&src, ty).with_context(|| format!("encoding as {}", what()))?;
        stream = s.stream;
        encode_times.push(took);
    }
    let limits = Limits::default();
    let mut decoded: Option<Image> = None;
    let mut decode_times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (d, took) = timing::time(|| match codec {
            Codec::Quic => quic::decode(&stream, &limits),
            Codec::Lz => lz::decode(&stream, None, &limits),
            Codec::Lz4 => lz4::decode(&stream, img.width(), img.height(), &limits),
            // `encode_stream` codes a lone GLZ image against a fresh dictionary.
            Codec::Glz => glz::GlzWindow::new(glz::MAX_WINDOW_PIXELS, limits).decode(&stream).map(|i| i.to_image()),
            Codec::Jpeg => jpeg::decode(&stream, &limits),
            Codec::JpegAlpha => unreachable!("refused above"),
        });
        decoded = Some(d.with_context(|| format!("decoding the {} stream just encoded", what()))?);
        decode_times.push(took);
    }
    let Some(decoded) = decoded else { bail!("no decode run") };
    if (decoded.width(), decoded.height()) != (img.width(), img.height()) {
        bail!("{}: round trip changed the size to {}x{}", what(), decoded.width(), decoded.height());
    }
    // Compare what the type carries: colour, and alpha only where it is coded.
    let mut want = src.to_bgrx()?;
    let mut got = decoded.to_bgrx()?;
    let round_trip = if codec.is_lossy() {
        format!("lossy, PSNR {:.2} dB", codec::psnr_bgrx(&want, &got))
    } else {
        if !src.format().has_alpha() {
            want.iter_mut().skip(3).step_by(4).for_each(|x| *x = 0);
            got.iter_mut().skip(3).step_by(4).for_each(|x| *x = 0);
        }
        if let Some((x, y)) = first_difference(&want, &got, img.width()) {
            bail!("{}: round trip is not pixel-exact: first difference at x={x}, y={y}", what());
        }
        "pixel-exact".to_string()
    };
    Ok(Row {
        codec,
        stream,
        enc: timing::median(&mut encode_times),
        dec: timing::median(&mut decode_times),
        round_trip,
    })
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let input = match &args.input {
        Some(p) => p.clone(),
        None => find_in_corpora(DEFAULT_INPUT)?,
    };
    let img = png_io::load(&input)?;
    let ty_name = if img.format().has_alpha() { "rgba" } else { "rgb32" };
    // JPEG with SPICE's settings: quality 85, 4:2:0, one thread.
    let rows = [Codec::Quic, Codec::Lz, Codec::Lz4, Codec::Glz, Codec::Jpeg]
        .into_iter()
        .map(|c| measure(&img, c))
        .collect::<anyhow::Result<Vec<Row>>>()?;

    let raw = codec::raw_bytes(img.width(), img.height());
    println!("paprika demo: round trips of {}", input.display());
    println!("  input       {}x{} ({ty_name}), {raw} raw bytes", img.width(), img.height());
    println!(
        "  {:<6} {:>10} {:>8} {:>11} {:>11} {:>11} {:>11}  round trip",
        "codec", "bytes", "ratio", "encode ms", "enc MB/s", "decode ms", "dec MB/s"
    );
    for r in &rows {
        println!(
            "  {:<6} {:>10} {:>7.2}x {:>11.3} {:>11.1} {:>11.3} {:>11.1}  {}",
            r.codec.name(),
            r.stream.len(),
            codec::ratio(raw, r.stream.len() as u64),
            timing::ms(r.enc),
            timing::mb_per_s(raw, r.enc),
            timing::ms(r.dec),
            timing::mb_per_s(raw, r.dec),
            r.round_trip,
        );
    }
    println!("  (median of {RUNS} runs each; MB/s of raw 32-bit pixels; jpeg: quality 85, 4:2:0, PSNR over B,G,R)");
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let stem = input.file_stem().unwrap_or_default().to_string_lossy();
        for r in &rows {
            let path = dir.join(format!("{stem}.{ty_name}.{}", r.codec.name()));
            std::fs::write(&path, &r.stream).with_context(|| format!("writing {}", path.display()))?;
            println!("  wrote       {}", path.display());
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("note: debug build of paprika; timings are not representative (build with --release)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_differing_pixel() {
        let a = [0u8; 24];
        let mut b = a;
        assert_eq!(first_difference(&a, &b, 3), None);
        b[4 * 4 + 2] = 1;
        assert_eq!(first_difference(&a, &b, 3), Some((1, 1)));
    }
}
