//! `paprika encode`: PNG in, codec stream out.

use std::path::PathBuf;

use anyhow::Context;
use paprika_codecs::{Image, quic};

use crate::codec::{self, Codec, QuicType};
use crate::{png_io, timing};

/// Arguments of `paprika encode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Codec to encode with.
    #[arg(long, value_enum, default_value_t = Codec::Quic)]
    pub codec: Codec,
    /// QUIC image type [default: rgba for images with alpha, else rgb32].
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub ty: Option<QuicType>,
    /// Input PNG file.
    #[arg(value_name = "IN.png")]
    pub input: PathBuf,
    /// Output stream file.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let img = png_io::load(&args.input)?;
    match args.codec {
        Codec::Quic => {
            let ty = args.ty.unwrap_or_else(|| QuicType::default_for(img.format().has_alpha()));
            let (stream, took) = encode_quic(&img, ty)
                .with_context(|| format!("encoding {} as quic {}", args.input.display(), ty.image_type().name()))?;
            std::fs::write(&args.output, &stream).with_context(|| format!("writing {}", args.output.display()))?;
            let raw = codec::raw_bytes(img.width(), img.height());
            eprintln!(
                "{} {} {}x{}: {} -> {} bytes ({:.2}x) in {}",
                args.codec.name(),
                ty.image_type().name(),
                img.width(),
                img.height(),
                raw,
                stream.len(),
                codec::ratio(raw, stream.len() as u64),
                timing::fmt_ms(took)
            );
        }
    }
    Ok(())
}

/// Converts `img` to the pixel format of `ty` and encodes it; the time covers the encode only.
pub fn encode_quic(img: &Image, ty: QuicType) -> anyhow::Result<(Vec<u8>, std::time::Duration)> {
    let converted = img.convert(ty.pixel_format()).with_context(|| format!("converting to {:?}", ty.pixel_format()))?;
    let (stream, took) = timing::time(|| quic::encode(&converted.as_ref(), ty.image_type()));
    Ok((stream?, took))
}
