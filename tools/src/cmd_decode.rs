//! `paprika decode`: a codec stream (QUIC, LZ, GLZ, JPEG, bare LZ4 with its size)
//! or a SPICE image (JPEG and JPEG_ALPHA included) in, PNG or raw BGRX out; with `--codec glz`, a sequence of GLZ
//! frames through one window.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::ValueEnum;
use paprika_codecs::glz::{self, GlzWindow};
use paprika_codecs::{Error, Image, Limits, Palette, jpeg, lz, lz4, quic, wire};

use crate::codec::{self, Codec, StreamKind};
use crate::{jpeg_header, png_io, timing};

/// Arguments of `paprika decode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input: a QUIC, LZ or GLZ stream, a JPEG file, a SPICE image (JPEG and JPEG_ALPHA
    /// included), or a bare LZ4 stream with --lz4-size. With --codec glz, one or more GLZ streams or SPICE GLZ_RGB /
    /// ZLIB_GLZ_RGB images, decoded in order.
    #[arg(value_name = "IN", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output file: `.png` (RGBA if the stream has alpha, else RGB; a grayscale JPEG
    /// gives RGB with R = G = B) or `.bgrx` (raw B,G,R,X
    /// rows, top-down). With --codec glz, a directory (created if missing) that gets
    /// 0.png, 1.png, ... (or .bgrx), one per input.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Decode as this codec instead of detecting it from the first bytes (lz4 needs
    /// --lz4-size; jpeg-alpha takes only a SPICE JPEG_ALPHA image). glz decodes every
    /// input in order with one window, so later frames can copy from earlier ones.
    #[arg(long, value_enum)]
    pub codec: Option<Codec>,
    /// Output format [default: from OUT's extension; png with --codec glz].
    #[arg(long, value_enum)]
    pub format: Option<OutputKind>,
    /// GLZ: the most pixels of decoded images the window may hold [default: 33554432,
    /// SPICE's largest window].
    #[arg(long, value_name = "PIXELS")]
    pub window: Option<u64>,
    /// Palette for an LZ palette stream (which does not carry one): little-endian u32
    /// entries 0x00RRGGBB, raw or gzipped.
    #[arg(long, value_name = "FILE")]
    pub palette: Option<PathBuf>,
    /// Decode the input as a bare LZ4 stream of this size (WxH).
    #[arg(long, value_name = "WxH")]
    pub lz4_size: Option<String>,
}

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputKind {
    /// A PNG file (RGBA if the stream has alpha, else RGB).
    Png,
    /// Raw B, G, R, X bytes, rows top-down, no padding (X is the alpha, or 0).
    Bgrx,
}

impl OutputKind {
    /// The file extension.
    fn extension(self) -> &'static str {
        match self {
            OutputKind::Png => "png",
            OutputKind::Bgrx => "bgrx",
        }
    }

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

/// The window `--window` asks for.
fn glz_window(args: &Args, limits: Limits) -> GlzWindow {
    GlzWindow::new(args.window.unwrap_or(glz::MAX_WINDOW_PIXELS), limits)
}

/// Reads `path` (the one input) and decodes it.
fn read_and_decode(args: &Args, path: &Path) -> anyhow::Result<Decoded> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let decoding = || format!("decoding {}", path.display());
    let limits = Limits::default();
    if let Some(size) = &args.lz4_size {
        if args.codec.is_some_and(|c| c != Codec::Lz4) {
            bail!(
                "--lz4-size decodes a bare LZ4 stream; it does not go with --codec {}",
                args.codec.map_or("", Codec::name)
            );
        }
        let (w, h) = parse_size(size)?;
        let (image, took) = timing::time(|| lz4::decode(&bytes, w, h, &limits));
        return Ok(Decoded { what: "lz4".into(), image: image.with_context(decoding)?, took });
    }
    let kind = match args.codec {
        None => StreamKind::detect(&bytes).with_context(decoding)?,
        Some(Codec::Quic) => StreamKind::Quic,
        Some(Codec::Lz) => StreamKind::Lz,
        Some(Codec::Glz) => StreamKind::Glz,
        Some(Codec::Lz4) => bail!("a bare LZ4 stream carries no size: give it with --lz4-size WxH"),
        Some(Codec::Jpeg) => StreamKind::Jpeg,
        Some(Codec::JpegAlpha) => {
            let is_jpeg_alpha =
                wire::parse(&bytes).is_ok_and(|i| i.descriptor.image_type == wire::ImageType::JpegAlpha);
            if !is_jpeg_alpha {
                bail!(
                    "{} is not a SPICE JPEG_ALPHA image (jpeg-alpha has no bare form: its flags and JPEG size \
                     travel in the SPICE payload)",
                    path.display()
                );
            }
            StreamKind::Spice
        }
    };
    // Alone, a GLZ frame decodes in a fresh window: fine unless it copies from earlier frames.
    let alone = |e: Error| match e {
        Error::WaitingForImage { id } => anyhow::anyhow!(
            "{} copies from GLZ image {id}: decode the whole sequence in order with --codec glz IN... -o DIR",
            path.display()
        ),
        e => anyhow::Error::new(e).context(decoding()),
    };
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
        StreamKind::Jpeg => {
            let header = jpeg_header::read(&bytes).with_context(decoding)?;
            (format!("jpeg {}", header.subsampling()), timing::time(|| jpeg::decode(&bytes, &limits)))
        }
        StreamKind::Glz => {
            let header = glz::read_header(&bytes, &limits).with_context(decoding)?;
            let mut window = glz_window(args, limits);
            let (image, took) = timing::time(|| window.decode(&bytes).map(|i| i.to_image()));
            let what = format!("glz {} id {}", header.image_type.name(), header.id);
            return Ok(Decoded { what, image: image.map_err(alone)?, took });
        }
        StreamKind::Spice => {
            let image = wire::parse(&bytes).with_context(decoding)?;
            let what = format!("spice {}", crate::cmd_info::spice_type_name(image.descriptor.image_type));
            let mut window = glz_window(args, limits);
            let (image, took) = timing::time(|| wire::decode_with_window(&image, &mut window, &limits));
            return Ok(Decoded { what, image: image.map_err(alone)?, took });
        }
    };
    Ok(Decoded { what, image: image.with_context(decoding)?, took })
}

/// Writes `img` to `path` as `kind`; `input` names the source in errors.
fn write_output(img: &Image, kind: OutputKind, path: &Path, input: &Path) -> anyhow::Result<()> {
    match kind {
        OutputKind::Png => png_io::save(img, path),
        OutputKind::Bgrx => {
            let bgrx = img.to_bgrx().with_context(|| format!("converting {} to BGRX", input.display()))?;
            std::fs::write(path, bgrx).with_context(|| format!("writing {}", path.display()))
        }
    }
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if args.codec == Some(Codec::Glz) {
        return run_glz(args);
    }
    let [input] = args.inputs.as_slice() else {
        bail!("{} inputs given: only --codec glz decodes a sequence (into a directory)", args.inputs.len());
    };
    let kind = match args.format {
        Some(kind) => kind,
        None => OutputKind::from_path(&args.output)?,
    };
    let Decoded { what, image: img, took } = read_and_decode(args, input)?;
    write_output(&img, kind, &args.output, input)?;
    eprintln!(
        "{what} {}x{}: -> {} bytes in {}",
        img.width(),
        img.height(),
        codec::raw_bytes(img.width(), img.height()),
        timing::fmt_ms(took)
    );
    Ok(())
}

/// `decode --codec glz`: every input in order through one window, one file per input.
fn run_glz(args: &Args) -> anyhow::Result<()> {
    if args.palette.is_some() || args.lz4_size.is_some() {
        bail!("--palette and --lz4-size do not apply to --codec glz");
    }
    let kind = args.format.unwrap_or(OutputKind::Png);
    let dir = &args.output;
    std::fs::create_dir_all(dir).with_context(|| format!("creating the output directory {}", dir.display()))?;
    let limits = Limits::default();
    let mut window = glz_window(args, limits);
    for (k, path) in args.inputs.iter().enumerate() {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let decoding = || format!("decoding frame {k} ({})", path.display());
        // With --codec glz the shared LZ magic means GLZ, whatever the rest of the header says.
        let (what, (image, took)) = match StreamKind::detect(&bytes).with_context(decoding)? {
            StreamKind::Lz | StreamKind::Glz => {
                let header = glz::read_header(&bytes, &limits).with_context(decoding)?;
                let what = format!("glz {} id {}", header.image_type.name(), header.id);
                (what, timing::time(|| window.decode(&bytes).map(|i| i.to_image())))
            }
            StreamKind::Spice => {
                let image = wire::parse(&bytes).with_context(decoding)?;
                let t = image.descriptor.image_type;
                if !matches!(t, wire::ImageType::GlzRgb | wire::ImageType::ZlibGlzRgb) {
                    bail!(
                        "{} is a SPICE {} image; --codec glz takes GLZ streams and GLZ_RGB or ZLIB_GLZ_RGB images",
                        path.display(),
                        crate::cmd_info::spice_type_name(t)
                    );
                }
                let what =
                    format!("spice {} (descriptor id {})", crate::cmd_info::spice_type_name(t), image.descriptor.id);
                (what, timing::time(|| wire::decode_with_window(&image, &mut window, &limits)))
            }
            StreamKind::Quic => bail!("{} is a QUIC stream, not GLZ", path.display()),
            StreamKind::Jpeg => bail!("{} is a JPEG, not GLZ", path.display()),
        };
        let img = match image {
            Err(Error::WaitingForImage { id }) => {
                bail!("frame {k} ({}) references image {id}, which is not among the earlier inputs", path.display())
            }
            other => other.with_context(decoding)?,
        };
        let out = dir.join(format!("{k}.{}", kind.extension()));
        write_output(&img, kind, &out, path)?;
        eprintln!(
            "{what} {}x{}: {} -> {} in {}",
            img.width(),
            img.height(),
            path.display(),
            out.display(),
            timing::fmt_ms(took)
        );
    }
    Ok(())
}
