//! `paprika decode`: a codec stream (QUIC, LZ, bare LZ4 with its size) or a SPICE
//! image in, PNG or raw BGRX out.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use paprika_codecs::{Image, Limits, Palette, lz, lz4, quic, wire};

use crate::codec::{self, StreamKind};
use crate::{png_io, timing};

/// Arguments of `paprika decode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input: a QUIC or LZ stream, a SPICE image, or a bare LZ4 stream with --lz4-size.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Output file: `.png` (RGBA if the stream has alpha, else RGB) or `.bgrx` (raw B,G,R,X rows, top-down).
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Palette for an LZ palette stream (which does not carry one): little-endian u32
    /// entries 0x00RRGGBB, raw or gzipped.
    #[arg(long, value_name = "FILE")]
    pub palette: Option<PathBuf>,
    /// Decode the input as a bare LZ4 stream of this size (WxH).
    #[arg(long, value_name = "WxH")]
    pub lz4_size: Option<String>,
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

/// A decoded input and what it was.
struct Decoded {
    /// What the input was, e.g. "quic rgb32" or "spice lz_rgb".
    what: String,
    /// The pixels.
    image: Image,
    /// Time the decode took.
    took: Duration,
}

/// Parses "WxH".
pub fn parse_size(s: &str) -> anyhow::Result<(u32, u32)> {
    let (w, h) = s.split_once(['x', 'X']).with_context(|| format!("size {s:?} is not WxH"))?;
    Ok((w.trim().parse().context("width")?, h.trim().parse().context("height")?))
}

/// Reads a palette file: little-endian u32 entries, raw or gzipped.
pub fn read_palette(path: &Path) -> anyhow::Result<Palette> {
    let mut bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .with_context(|| format!("gunzip {}", path.display()))?;
        bytes = out;
    }
    if bytes.len() % 4 != 0 || bytes.is_empty() {
        bail!("palette {} is {} bytes, not a whole number of 4-byte entries", path.display(), bytes.len());
    }
    let entries = bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    Ok(Palette { id: 0, entries })
}

/// Reads `args.input` and decodes it.
fn read_and_decode(args: &Args) -> anyhow::Result<Decoded> {
    let path = &args.input;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let decoding = || format!("decoding {}", path.display());
    let limits = Limits::default();
    if let Some(size) = &args.lz4_size {
        let (w, h) = parse_size(size)?;
        let (image, took) = timing::time(|| lz4::decode(&bytes, w, h, &limits));
        return Ok(Decoded { what: "lz4".into(), image: image.with_context(decoding)?, took });
    }
    let kind = StreamKind::detect(&bytes).with_context(decoding)?;
    let (what, (image, took)) = match kind {
        StreamKind::Quic => {
            let header = quic::read_header(&bytes).with_context(decoding)?;
            (format!("quic {}", header.image_type.name()), timing::time(|| quic::decode(&bytes, &limits)))
        }
        StreamKind::Lz => {
            let header = lz::read_header(&bytes).with_context(decoding)?;
            let palette = args.palette.as_deref().map(read_palette).transpose()?;
            if header.image_type.has_palette() && palette.is_none() {
                bail!(
                    "{}: an LZ {} stream does not carry its palette: give it with --palette",
                    path.display(),
                    header.image_type.name()
                );
            }
            (format!("lz {}", header.image_type.name()), timing::time(|| lz::decode(&bytes, palette.as_ref(), &limits)))
        }
        StreamKind::Spice => {
            let image = wire::parse(&bytes).with_context(decoding)?;
            let name = crate::cmd_info::spice_type_name(image.descriptor.image_type);
            (format!("spice {name}"), timing::time(|| wire::decode(&image, &limits)))
        }
    };
    Ok(Decoded { what, image: image.with_context(decoding)?, took })
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let kind = OutputKind::from_path(&args.output)?;
    let Decoded { what, image: img, took } = read_and_decode(args)?;
    match kind {
        OutputKind::Png => png_io::save(&img, &args.output)?,
        OutputKind::Bgrx => {
            let bgrx = img.to_bgrx().with_context(|| format!("converting {} to BGRX", args.input.display()))?;
            std::fs::write(&args.output, bgrx).with_context(|| format!("writing {}", args.output.display()))?;
        }
    }
    eprintln!(
        "{what} {}x{}: -> {} bytes in {}",
        img.width(),
        img.height(),
        codec::raw_bytes(img.width(), img.height()),
        timing::fmt_ms(took)
    );
    Ok(())
}
