//! `paprika encode`: PNG in, codec stream (bare or in a SPICE image) out.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use paprika_codecs::wire::{self, ImagePayload, PaletteRef, SpiceImage, WirePalette};
use paprika_codecs::{Image, lz, lz4, quic};

use crate::codec::{self, Codec, Container, EncodeType};
use crate::{palette, png_io, timing};

/// Arguments of `paprika encode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Codec to encode with.
    #[arg(long, value_enum, default_value_t = Codec::Quic)]
    pub codec: Codec,
    /// Image type [default: rgba for images with alpha, else rgb32]. quic: rgb32, rgb24,
    /// rgba, rgb16, gray; lz: those but gray, and xxxa, a8, plt8, plt4le, plt4be, plt1le,
    /// plt1be (palette types need a picture with at most 256/16/2 colours); lz4: rgb32,
    /// rgb24, rgba, rgb16.
    #[arg(long = "type", value_name = "TYPE")]
    pub ty: Option<String>,
    /// Store rows bottom row first (LZ and LZ4 code rows in memory order; QUIC streams
    /// are always top-down, so this changes nothing for QUIC).
    #[arg(long)]
    pub bottom_up: bool,
    /// Wrap the stream in a SPICE image (descriptor and payload, as a server sends it).
    #[arg(long, value_enum, default_value_t = Container::Raw)]
    pub container: Container,
    /// Image id written into the SPICE descriptor (and the palette's id).
    #[arg(long, default_value_t = 1)]
    pub id: u64,
    /// Input PNG file.
    #[arg(value_name = "IN.png")]
    pub input: PathBuf,
    /// Output file.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let img = png_io::load(&args.input)?;
    let ty = EncodeType::resolve(args.codec, args.ty.as_deref(), img.format().has_alpha())?;
    let what = || format!("encoding {} as {} {}", args.input.display(), args.codec.name(), ty.name());
    let src = prepare(&img, ty, args.bottom_up, args.id).with_context(what)?;
    let (stream, took) = encode_stream(&src, ty).with_context(what)?;
    let out = match args.container {
        Container::Raw => stream,
        Container::Spice => wrap(&src, ty, &stream, args.id).with_context(what)?,
    };
    std::fs::write(&args.output, &out).with_context(|| format!("writing {}", args.output.display()))?;
    let raw = codec::raw_bytes(img.width(), img.height());
    eprintln!(
        "{} {} {}x{}: {} -> {} bytes ({:.2}x) in {}",
        args.codec.name(),
        ty.name(),
        img.width(),
        img.height(),
        raw,
        out.len(),
        codec::ratio(raw, out.len() as u64),
        timing::fmt_ms(took)
    );
    if args.codec == Codec::Lz4 && args.container == Container::Raw {
        eprintln!(
            "note: a bare LZ4 stream carries no size; decode it with --lz4-size {}x{}",
            img.width(),
            img.height()
        );
    }
    Ok(())
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

/// Encodes a prepared picture; the time covers the encode only.
pub fn encode_stream(src: &Image, ty: EncodeType) -> anyhow::Result<(Vec<u8>, Duration)> {
    let (stream, took) = timing::time(|| match ty {
        EncodeType::Quic(t) => quic::encode(&src.as_ref(), t),
        EncodeType::Lz(t) => lz::encode(&src.as_ref(), t),
        EncodeType::Lz4(_) => lz4::encode(&src.as_ref()),
    });
    Ok((stream?, took))
}

/// Wraps a stream in a SPICE image of the matching type (LZ palette types as
/// `LZ_PLT` with the palette inline).
fn wrap(src: &Image, ty: EncodeType, stream: &[u8], id: u64) -> anyhow::Result<Vec<u8>> {
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
    };
    let mut out = Vec::with_capacity(stream.len() + 64);
    wire::write(&SpiceImage::new(id, 0, src.width(), src.height(), payload), &mut out)?;
    Ok(out)
}
