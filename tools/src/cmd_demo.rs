//! `paprika demo`: QUIC round trip of a screenshot, with sizes and speeds.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use paprika_codecs::{Image, Limits, quic};

use crate::cmd_encode::encode_quic;
use crate::codec::{self, QuicType};
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
    /// Directory to write the encoded .quic stream into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Finds the bundled screenshot in `$PAPRIKA_CORPORA`, `./corpora` or the source tree's `corpora`.
fn default_input() -> anyhow::Result<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("PAPRIKA_CORPORA").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(PathBuf::from("corpora"));
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("corpora"));
    for dir in &dirs {
        let candidate = dir.join(DEFAULT_INPUT);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let tried: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    bail!(
        "no --input given and {DEFAULT_INPUT} is in none of the corpora directories tried ({}); \
         set PAPRIKA_CORPORA to the corpora directory",
        tried.join(", ")
    )
}

/// The first pixel where two same-sized BGRX buffers differ, as (x, y).
fn first_difference(a: &[u8], b: &[u8], width: u32) -> Option<(u64, u64)> {
    let i = a.chunks_exact(4).zip(b.chunks_exact(4)).position(|(p, q)| p != q)? as u64;
    Some((i % u64::from(width), i / u64::from(width)))
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let input = match &args.input {
        Some(p) => p.clone(),
        None => default_input()?,
    };
    let img = png_io::load(&input)?;
    let ty = QuicType::default_for(img.format().has_alpha());
    let name = ty.image_type().name();

    let mut stream = Vec::new();
    let mut encode_times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (s, took) =
            encode_quic(&img, ty).with_context(|| format!("encoding {} as quic {name}", input.display()))?;
        stream = s;
        encode_times.push(took);
    }

    let mut decoded: Option<Image> = None;
    let mut decode_times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (d, took) = timing::time(|| quic::decode(&stream, &Limits::default()));
        decoded = Some(d.context("decoding the stream just encoded")?);
        decode_times.push(took);
    }
    let Some(decoded) = decoded else { bail!("no decode run") };

    let want = img.to_bgrx()?;
    let got = decoded.to_bgrx()?;
    if (decoded.width(), decoded.height()) != (img.width(), img.height()) {
        bail!(
            "round trip changed the size: {}x{} -> {}x{}",
            img.width(),
            img.height(),
            decoded.width(),
            decoded.height()
        );
    }
    if let Some((x, y)) = first_difference(&want, &got, img.width()) {
        bail!("round trip is not pixel-exact: first difference at x={x}, y={y}");
    }

    let written = match &args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let stem = input.file_stem().unwrap_or_default().to_string_lossy();
            let path = dir.join(format!("{stem}.{name}.quic"));
            std::fs::write(&path, &stream).with_context(|| format!("writing {}", path.display()))?;
            Some(path)
        }
        None => None,
    };

    let raw = codec::raw_bytes(img.width(), img.height());
    let enc = timing::median(&mut encode_times);
    let dec = timing::median(&mut decode_times);
    let speed = |d: Duration| format!("{:>9.3} ms  {:>8.1} MB/s", timing::ms(d), timing::mb_per_s(raw, d));
    println!("paprika demo: QUIC round trip of {}", input.display());
    println!("  {:<11} {}x{} ({name})", "input", img.width(), img.height());
    println!("  {:<11} {raw}", "raw bytes");
    println!("  {:<11} {}", "quic bytes", stream.len());
    println!("  {:<11} {:.2}x", "ratio", codec::ratio(raw, stream.len() as u64));
    println!("  {:<11} {}  (median of {RUNS})", "encode", speed(enc));
    println!("  {:<11} {}  (median of {RUNS})", "decode", speed(dec));
    println!("  {:<11} pixel-exact", "round trip");
    if let Some(path) = written {
        println!("  {:<11} {}", "wrote", path.display());
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
