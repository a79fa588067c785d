//! `paprika encode`: PNG in, codec stream (bare or in a SPICE image) out; for
//! GLZ, a sequence of PNGs in, one stream per image, all against one dictionary;
//! for JPEG-alpha, always a SPICE JPEG_ALPHA image.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use paprika_codecs::jpeg::{self, JpegOptions};
use paprika_codecs::wire::{self, ImagePayload, PaletteRef, SpiceImage, WirePalette};
use paprika_codecs::{Image, glz, lz, lz4, quic};

use crate::codec::{self, Codec, Container, EncodeType, SubsamplingArg};
use crate::{palette, png_io, timing};

/// Arguments of `paprika encode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Codec to encode with.
    #[arg(long, value_enum, default_value_t = Codec::Quic)]
    pub codec: Codec,
    /// Image type [default: rgba for images with alpha, else rgb32]. quic: rgb32, rgb24,
    /// rgba, rgb16, gray; lz: those but gray, and xxxa, a8, plt8, plt4le, plt4be, plt1le,
    /// plt1be (palette types need a picture with at most 256/16/2 colours); lz4 and glz:
    /// rgb32, rgb24, rgba, rgb16. jpeg and jpeg-alpha take none (see --subsampling).
    #[arg(long = "type", value_name = "TYPE")]
    pub ty: Option<String>,
    /// Store rows bottom row first (LZ, LZ4 and GLZ code rows in memory order; QUIC and
    /// JPEG streams are always top-down, so this changes nothing for them, but the alpha
    /// stream of jpeg-alpha follows it, and so does the payload's top-down flag).
    #[arg(long)]
    pub bottom_up: bool,
    /// Wrap the stream in a SPICE image (descriptor and payload, as a server sends it)
    /// [default: raw; spice with --zlib and for jpeg-alpha, which takes no other].
    #[arg(long, value_enum)]
    pub container: Option<Container>,
    /// JPEG: quality, 1..=100, scaling the standard tables as libjpeg does [default: 85,
    /// as SPICE].
    #[arg(long, value_name = "Q", value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: Option<u8>,
    /// JPEG: chroma sampling [default: 420, as SPICE; jpeg-alpha needs colour].
    #[arg(long, value_enum)]
    pub subsampling: Option<SubsamplingArg>,
    /// JPEG: Huffman tables built for this image (one more pass, a few percent smaller)
    /// instead of the standard ones.
    #[arg(long)]
    pub optimize: bool,
    /// JPEG: MCU rows (16 pixels at 420, else 8) per restart interval [default: 0: none,
    /// unless --threads splits the image, then about two intervals a thread].
    #[arg(long, value_name = "N")]
    pub restart_rows: Option<u16>,
    /// JPEG: threads to encode on; 0 uses every core [default: 1]. Several threads need
    /// restart intervals (they code one each) and a large enough image.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Image id written into the SPICE descriptor (and the palette's id); GLZ frame K
    /// gets this id + K.
    #[arg(long, default_value_t = 1)]
    pub id: u64,
    /// GLZ: the client's window (dictionary size) in pixels, 1..=33554432; each image
    /// must have fewer pixels [default: 8388608, SPICE's default].
    #[arg(long, value_name = "PIXELS")]
    pub window: Option<u64>,
    /// GLZ: wrap each stream in zlib as a SPICE ZLIB_GLZ_RGB image when that makes it
    /// smaller (else GLZ_RGB); implies --container spice.
    #[arg(long)]
    pub zlib: bool,
    /// Input PNG file; with --codec glz, one or more, encoded in order.
    #[arg(value_name = "IN.png", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output file; with --codec glz, a directory (created if missing) that gets
    /// 0.glz, 1.glz, ... one per input, each reported on stdout as `FILE: bytes=N id=ID
    /// win_head_dist=D evicted=IDS|- zlib=yes|no`.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
}

/// SPICE's default GLZ window: 8 Mi pixels (spice-gtk's 32 MiB of 4-byte pixels).
const DEFAULT_GLZ_WINDOW: u64 = 8 * 1024 * 1024;

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if !matches!(args.codec, Codec::Jpeg | Codec::JpegAlpha) && has_jpeg_options(args) {
        bail!(
            "--quality, --subsampling, --optimize, --restart-rows and --threads are JPEG options; {} takes none",
            args.codec.name()
        );
    }
    if args.codec == Codec::Glz {
        return run_glz(args);
    }
    if args.window.is_some() || args.zlib {
        bail!("--window and --zlib are GLZ options; {} takes neither", args.codec.name());
    }
    let [input] = args.inputs.as_slice() else {
        bail!(
            "{} encodes one image, but {} inputs were given (only --codec glz encodes a sequence)",
            args.codec.name(),
            args.inputs.len()
        );
    };
    let img = png_io::load(input)?;
    let ty = match args.codec {
        Codec::Jpeg | Codec::JpegAlpha => jpeg_type(args, img.format().has_alpha(), input)?,
        _ => EncodeType::resolve(args.codec, args.ty.as_deref(), img.format().has_alpha())?,
    };
    // JPEG_ALPHA's payload carries its flags and JPEG size: only a SPICE image has room for them.
    let container = match (ty, args.container) {
        (EncodeType::JpegAlpha(_), Some(Container::Raw)) => {
            bail!(
                "jpeg-alpha is always a SPICE JPEG_ALPHA image (its flags and JPEG size travel in the payload): drop --container raw"
            )
        }
        (EncodeType::JpegAlpha(_), _) => Container::Spice,
        (_, c) => c.unwrap_or(Container::Raw),
    };
    let what = || format!("encoding {} as {} {}", input.display(), args.codec.name(), ty.name());
    let src = prepare(&img, ty, args.bottom_up, args.id).with_context(what)?;
    let (encoded, took) = encode_stream(&src, ty).with_context(what)?;
    let out = match container {
        Container::Raw => encoded.stream.clone(),
        Container::Spice => wrap(&src, ty, &encoded, args.id).with_context(what)?,
    };
    std::fs::write(&args.output, &out).with_context(|| format!("writing {}", args.output.display()))?;
    let raw = codec::raw_bytes(img.width(), img.height());
    let quality = match ty {
        EncodeType::Jpeg(o) | EncodeType::JpegAlpha(o) => format!(" q{}", o.quality),
        _ => String::new(),
    };
    let parts = match encoded.jpeg_alpha {
        Some((_, jpeg_size)) => {
            format!(" (jpeg {jpeg_size} + alpha {} bytes)", encoded.stream.len() - jpeg_size as usize)
        }
        None => String::new(),
    };
    eprintln!(
        "{} {}{quality} {}x{}: {} -> {} bytes ({:.2}x) in {}{parts}",
        args.codec.name(),
        ty.name(),
        img.width(),
        img.height(),
        raw,
        out.len(),
        codec::ratio(raw, out.len() as u64),
        timing::fmt_ms(took)
    );
    if args.codec == Codec::Lz4 && args.container.unwrap_or(Container::Raw) == Container::Raw {
        eprintln!(
            "note: a bare LZ4 stream carries no size; decode it with --lz4-size {}x{}",
            img.width(),
            img.height()
        );
    }
    Ok(())
}

/// Whether any JPEG-only option was given.
fn has_jpeg_options(args: &Args) -> bool {
    args.quality.is_some()
        || args.subsampling.is_some()
        || args.optimize
        || args.restart_rows.is_some()
        || args.threads.is_some()
}

/// The JPEG settings the options ask for, on SPICE's defaults.
fn jpeg_options(args: &Args) -> JpegOptions {
    let d = JpegOptions::default();
    JpegOptions {
        quality: args.quality.unwrap_or(d.quality),
        subsampling: args.subsampling.map_or(d.subsampling, Into::into),
        optimize_huffman: args.optimize,
        restart_rows: args.restart_rows.unwrap_or(d.restart_rows),
        threads: args.threads.unwrap_or(d.threads),
    }
}

/// `--codec jpeg` or `jpeg-alpha` with its options, checked against the input.
fn jpeg_type(args: &Args, has_alpha: bool, input: &Path) -> anyhow::Result<EncodeType> {
    let opts = jpeg_options(args);
    Ok(match EncodeType::resolve(args.codec, args.ty.as_deref(), has_alpha)? {
        EncodeType::JpegAlpha(_) => {
            if !has_alpha {
                bail!("{} has no alpha channel: encode it with --codec jpeg", input.display());
            }
            if opts.subsampling == jpeg::Subsampling::Gray {
                bail!("jpeg-alpha needs a colour JPEG (SPICE clients decode it as RGB): use --subsampling 420 or 444");
            }
            EncodeType::JpegAlpha(opts)
        }
        _ => EncodeType::Jpeg(opts),
    })
}

/// The picture in the layout `ty` encodes from: converted, or turned into palette
/// indexes, and stored bottom row first if asked.
pub fn prepare(img: &Image, ty: EncodeType, bottom_up: bool, id: u64) -> anyhow::Result<Image> {
    let src = match ty {
        EncodeType::Lz(t) if t.has_palette() => palette::to_palette_image(img, t, id)?,
        _ => img.convert(ty.pixel_format()).with_context(|| format!("converting to {:?}", ty.pixel_format()))?,
    };
    Ok(if bottom_up { src.flipped_storage() } else { src })
}

/// An encoded picture.
pub struct Encoded {
    /// The codec stream; for JPEG-alpha, the JPEG and then the alpha's LZ XXXA stream.
    pub stream: Vec<u8>,
    /// JPEG-alpha only: the payload's flags and how many bytes of `stream` are the JPEG.
    pub jpeg_alpha: Option<(u8, u32)>,
}

/// Encodes a prepared picture; the time covers the encode only.
pub fn encode_stream(src: &Image, ty: EncodeType) -> anyhow::Result<(Encoded, Duration)> {
    let plain = |stream: Vec<u8>| Encoded { stream, jpeg_alpha: None };
    let (encoded, took) = timing::time(|| match ty {
        EncodeType::Quic(t) => quic::encode(&src.as_ref(), t).map(plain),
        EncodeType::Lz(t) => lz::encode(&src.as_ref(), t).map(plain),
        EncodeType::Lz4(_) => lz4::encode(&src.as_ref()).map(plain),
        // Alone, an image gets a fresh dictionary, so its stream references no other.
        EncodeType::Glz(t) => glz::GlzDictionary::new(glz::MAX_WINDOW_PIXELS)
            .and_then(|d| glz::GlzEncoder::new(Arc::new(d)).encode(&src.as_ref(), t))
            .map(|(stream, _)| plain(stream)),
        EncodeType::Jpeg(o) => jpeg::encode(&src.as_ref(), &o).map(plain),
        EncodeType::JpegAlpha(o) => jpeg::encode_alpha(&src.as_ref(), &o)
            .map(|a| Encoded { stream: a.data, jpeg_alpha: Some((a.flags, a.jpeg_size)) }),
    });
    Ok((encoded?, took))
}

/// `encode --codec glz`: every input against one dictionary, one file per input.
fn run_glz(args: &Args) -> anyhow::Result<()> {
    let window = args.window.unwrap_or(DEFAULT_GLZ_WINDOW);
    if !(1..=glz::MAX_WINDOW_PIXELS).contains(&window) {
        bail!("--window {window} is out of range: GLZ windows hold 1..={} pixels", glz::MAX_WINDOW_PIXELS);
    }
    // ZLIB_GLZ_RGB carries the inflated size beside the zlib data; only a SPICE image has room for it.
    let container = match (args.zlib, args.container) {
        (true, Some(Container::Raw)) => bail!("--zlib needs the SPICE container: drop --container raw"),
        (true, _) => Container::Spice,
        (false, c) => c.unwrap_or(Container::Raw),
    };
    let dir = &args.output;
    std::fs::create_dir_all(dir).with_context(|| format!("creating the output directory {}", dir.display()))?;
    let dict = glz::GlzDictionary::new(window).context("creating the GLZ dictionary")?;
    let mut encoder = glz::GlzEncoder::new(Arc::new(dict));
    let (mut raw_total, mut out_total, mut took_total) = (0u64, 0u64, Duration::ZERO);
    for (k, input) in args.inputs.iter().enumerate() {
        let img = png_io::load(input)?;
        let ty = EncodeType::resolve(Codec::Glz, args.ty.as_deref(), img.format().has_alpha())?;
        let EncodeType::Glz(glz_type) = ty else { unreachable!("resolved for glz") };
        let what = || format!("encoding frame {k} ({}) as glz {}", input.display(), ty.name());
        let id = args.id + k as u64;
        let src = prepare(&img, ty, args.bottom_up, id).with_context(what)?;
        let (encoded, took) = timing::time(|| encoder.encode(&src.as_ref(), glz_type));
        let (stream, frame) = encoded.with_context(what)?;
        let (out, zlib) = match container {
            Container::Raw => (stream, false),
            Container::Spice => wrap_glz(&src, &stream, args.zlib, id).with_context(what)?,
        };
        let path = dir.join(format!("{k}.glz"));
        std::fs::write(&path, &out).with_context(|| format!("writing {}", path.display()))?;
        println!("{}", frame_line(&path, out.len(), &frame, zlib));
        raw_total += codec::raw_bytes(img.width(), img.height());
        out_total += out.len() as u64;
        took_total += took;
    }
    eprintln!(
        "glz {} frames: {} -> {} bytes ({:.2}x) in {}",
        args.inputs.len(),
        raw_total,
        out_total,
        codec::ratio(raw_total, out_total),
        timing::fmt_ms(took_total)
    );
    Ok(())
}

/// The stdout line for one GLZ frame: what a server must track per image.
fn frame_line(path: &Path, bytes: usize, frame: &glz::GlzFrame, zlib: bool) -> String {
    let evicted = if frame.evicted.is_empty() {
        "-".to_string()
    } else {
        frame.evicted.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
    };
    format!(
        "{}: bytes={bytes} id={} win_head_dist={} evicted={evicted} zlib={}",
        path.display(),
        frame.id,
        frame.win_head_dist,
        if zlib { "yes" } else { "no" }
    )
}

/// A GLZ stream as a SPICE image: `ZLIB_GLZ_RGB` when `zlib` is asked and the
/// server would keep the deflated form, else `GLZ_RGB`. Also says which it chose.
fn wrap_glz(src: &Image, stream: &[u8], zlib: bool, id: u64) -> anyhow::Result<(Vec<u8>, bool)> {
    let deflated = if zlib { glz::zlib::deflate(stream) } else { None };
    let payload = match &deflated {
        Some(data) => {
            let glz_data_size = u32::try_from(stream.len()).context("GLZ stream too large for ZLIB_GLZ_RGB")?;
            ImagePayload::ZlibGlzRgb { glz_data_size, data }
        }
        None => ImagePayload::GlzRgb { data: stream },
    };
    Ok((write_spice(src, id, payload)?, deflated.is_some()))
}

/// Wraps a stream in a SPICE image of the matching type (LZ palette types as
/// `LZ_PLT` with the palette inline).
fn wrap(src: &Image, ty: EncodeType, encoded: &Encoded, id: u64) -> anyhow::Result<Vec<u8>> {
    let stream = encoded.stream.as_slice();
    let entry_bytes;
    let payload = match ty {
        EncodeType::Quic(_) => ImagePayload::Quic { data: stream },
        EncodeType::Lz(t) if t.has_palette() => {
            let pal = src.as_ref().palette().context("palette image without a palette")?;
            entry_bytes = wire::palette_entry_bytes(&pal.entries);
            let palette = WirePalette::new(pal.id, &entry_bytes).context("palette too large for the wire")?;
            let flags = if src.desc().top_down { wire::BITMAP_FLAG_TOP_DOWN } else { 0 };
            ImagePayload::LzPlt { flags, palette: PaletteRef::Inline(palette), data: stream }
        }
        EncodeType::Lz(_) => ImagePayload::LzRgb { data: stream },
        EncodeType::Lz4(_) => ImagePayload::Lz4 { data: stream },
        EncodeType::Glz(_) => ImagePayload::GlzRgb { data: stream },
        EncodeType::Jpeg(_) => ImagePayload::Jpeg { data: stream },
        EncodeType::JpegAlpha(_) => {
            let (flags, jpeg_size) = encoded.jpeg_alpha.context("a jpeg-alpha stream without its JPEG size")?;
            ImagePayload::JpegAlpha { flags, jpeg_size, data: stream }
        }
    };
    write_spice(src, id, payload)
}

/// A SPICE image of `src`'s size with descriptor `id` around `payload`.
fn write_spice(src: &Image, id: u64, payload: ImagePayload<'_>) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    wire::write(&SpiceImage::new(id, 0, src.width(), src.height(), payload), &mut out)?;
    Ok(out)
}
