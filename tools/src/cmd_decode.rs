//! `paprika decode`: codec stream in (codec detected from its magic), PNG or raw BGRX out.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use paprika_codecs::{Image, Limits, quic};

use crate::codec::{self, Codec};
use crate::{png_io, timing};

/// Arguments of `paprika decode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input stream file (QUIC).
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Output file: `.png` (RGBA if the stream has alpha, else RGB) or `.bgrx` (raw B,G,R,X rows).
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
}

/// What to write, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputKind {
    /// A PNG file.
    Png,
    /// Raw B, G, R, X bytes, rows top-down, no padding.
    Bgrx,
}

impl OutputKind {
    /// Picks the output kind from `path`'s extension (case-insensitive).
    fn from_path(path: &Path) -> anyhow::Result<Self> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(OutputKind::Png),
            Some("bgrx") => Ok(OutputKind::Bgrx),
            _ => bail!("cannot tell the output format of {}: use a .png or .bgrx extension", path.display()),
        }
    }
}

/// A decoded stream and what it was.
struct Decoded {
    /// The codec the stream's magic named.
    codec: Codec,
    /// The stream's image type, as the CLI spells it.
    type_name: &'static str,
    /// Bytes of the stream.
    stream_len: usize,
    /// The pixels, in the stream type's native format.
    image: Image,
    /// Time the decode took.
    took: Duration,
}

/// Reads `path` and decodes it with the codec its magic names.
fn read_and_decode(path: &Path) -> anyhow::Result<Decoded> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let decoding = || format!("decoding {}", path.display());
    let codec = Codec::detect(&bytes).with_context(decoding)?;
    match codec {
        Codec::Quic => {
            let header = quic::read_header(&bytes).with_context(decoding)?;
            let (image, took) = timing::time(|| quic::decode(&bytes, &Limits::default()));
            Ok(Decoded {
                codec,
                type_name: header.image_type.name(),
                stream_len: bytes.len(),
                image: image.with_context(decoding)?,
                took,
            })
        }
    }
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let kind = OutputKind::from_path(&args.output)?;
    let Decoded { codec, type_name, stream_len, image: img, took } = read_and_decode(&args.input)?;
    match kind {
        OutputKind::Png => png_io::save(&img, &args.output)?,
        OutputKind::Bgrx => {
            let bgrx = img.to_bgrx().with_context(|| format!("converting {} to BGRX", args.input.display()))?;
            std::fs::write(&args.output, bgrx).with_context(|| format!("writing {}", args.output.display()))?;
        }
    }
    eprintln!(
        "{} {type_name} {}x{}: {} -> {} bytes in {}",
        codec.name(),
        img.width(),
        img.height(),
        stream_len,
        codec::raw_bytes(img.width(), img.height()),
        timing::fmt_ms(took)
    );
    Ok(())
}
