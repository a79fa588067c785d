//! `paprika info`: the header fields of a stream or a SPICE image, one `key: value` per line.

use std::path::PathBuf;

use anyhow::{Context, bail};
use paprika_codecs::wire::{self, ImagePayload};
use paprika_codecs::{Limits, glz, lz, lz4, quic};

use crate::cmd_decode::parse_size;
use crate::codec::{self, StreamKind};
use crate::jpeg_header;

/// Arguments of `paprika info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input: a QUIC, LZ or GLZ stream, a JPEG file, a SPICE image, or a bare LZ4 stream
    /// with --lz4-size. For a JPEG: its process, components, chroma subsampling and
    /// restart interval (its quality is not stored in it); for a SPICE JPEG_ALPHA image
    /// also the JPEG's size and the alpha stream's.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Read the input as a bare LZ4 stream of this size (WxH).
    #[arg(long, value_name = "WxH")]
    pub lz4_size: Option<String>,
}

/// The lower-case SPICE name of an image type, e.g. `lz_rgb`.
pub fn spice_type_name(t: wire::ImageType) -> &'static str {
    use wire::ImageType as T;
    match t {
        T::Bitmap => "bitmap",
        T::Quic => "quic",
        T::LzPlt => "lz_plt",
        T::LzRgb => "lz_rgb",
        T::GlzRgb => "glz_rgb",
        T::FromCache => "from_cache",
        T::Surface => "surface",
        T::Jpeg => "jpeg",
        T::FromCacheLossless => "from_cache_lossless",
        T::ZlibGlzRgb => "zlib_glz_rgb",
        T::JpegAlpha => "jpeg_alpha",
        T::Lz4 => "lz4",
    }
}

/// `key: value` lines describing a bare codec stream.
fn stream_fields(codec: &str, bytes: &[u8], lz4_size: Option<(u32, u32)>) -> anyhow::Result<Vec<(String, String)>> {
    let mut f: Vec<(String, String)> = vec![("codec".into(), codec.into())];
    let (width, height) = match codec {
        "quic" => {
            let h = quic::read_header(bytes)?;
            f.push(("type".into(), h.image_type.name().into()));
            (h.width, h.height)
        }
        "lz" => {
            let h = lz::read_header(bytes)?;
            f.push(("type".into(), h.image_type.name().into()));
            f.push(("stride".into(), h.stride.to_string()));
            f.push(("top_down".into(), h.top_down.to_string()));
            (h.width, h.height)
        }
        "glz" => {
            let h = glz::read_header(bytes, &Limits::default())?;
            f.push(("type".into(), h.image_type.name().into()));
            f.push(("stride".into(), h.stride.to_string()));
            f.push(("top_down".into(), h.top_down.to_string()));
            f.push(("image_id".into(), h.id.to_string()));
            f.push(("win_head_dist".into(), h.win_head_dist.to_string()));
            (h.width, h.height)
        }
        "jpeg" => {
            let h = jpeg_header::read(bytes)?;
            f.push(("process".into(), h.process()));
            f.push(("components".into(), h.sampling.len().to_string()));
            f.push(("subsampling".into(), h.subsampling()));
            if h.restart_interval > 0 {
                f.push(("restart_interval".into(), format!("{} MCUs", h.restart_interval)));
                if let Some(rows) = h.restart_rows() {
                    f.push(("restart_rows".into(), rows.to_string()));
                }
            }
            (u32::from(h.width), u32::from(h.height))
        }
        _ => {
            let (w, h) = lz4_size.context("an LZ4 stream needs its size")?;
            let img = lz4::decode(bytes, w, h, &Limits::default())?;
            f.push(("format".into(), format!("{:?}", img.format())));
            f.push(("top_down".into(), img.desc().top_down.to_string()));
            (w, h)
        }
    };
    f.push(("width".into(), width.to_string()));
    f.push(("height".into(), height.to_string()));
    let raw = codec::raw_bytes(width, height);
    f.push(("stream_bytes".into(), bytes.len().to_string()));
    f.push(("raw_bytes".into(), raw.to_string()));
    f.push(("ratio".into(), format!("{:.2}", codec::ratio(raw, bytes.len() as u64))));
    Ok(f)
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let path = &args.input;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let reading = || format!("reading the header of {}", path.display());
    let fields = if let Some(size) = &args.lz4_size {
        stream_fields("lz4", &bytes, Some(parse_size(size)?)).with_context(reading)?
    } else {
        match StreamKind::detect(&bytes).with_context(reading)? {
            StreamKind::Quic => stream_fields("quic", &bytes, None).with_context(reading)?,
            StreamKind::Lz => stream_fields("lz", &bytes, None).with_context(reading)?,
            StreamKind::Glz => stream_fields("glz", &bytes, None).with_context(reading)?,
            StreamKind::Jpeg => stream_fields("jpeg", &bytes, None).with_context(reading)?,
            StreamKind::Spice => {
                let img = wire::parse(&bytes).with_context(reading)?;
                let d = img.descriptor;
                let mut f: Vec<(String, String)> = vec![
                    ("container".into(), "spice".into()),
                    ("id".into(), d.id.to_string()),
                    ("image_type".into(), spice_type_name(d.image_type).into()),
                    ("flags".into(), format!("{:#04x}", d.flags)),
                    ("image_bytes".into(), bytes.len().to_string()),
                ];
                let inner = match img.payload {
                    ImagePayload::Quic { data } => Some(stream_fields("quic", data, None)),
                    ImagePayload::LzRgb { data } | ImagePayload::LzPlt { data, .. } => {
                        Some(stream_fields("lz", data, None))
                    }
                    ImagePayload::Lz4 { data } => Some(stream_fields("lz4", data, Some((d.width, d.height)))),
                    ImagePayload::GlzRgb { data } => Some(stream_fields("glz", data, None)),
                    ImagePayload::Jpeg { data } => Some(stream_fields("jpeg", data, None)),
                    ImagePayload::JpegAlpha { flags, jpeg_size, data } => {
                        let Some((jpeg, alpha)) =
                            usize::try_from(jpeg_size).ok().and_then(|n| data.split_at_checked(n))
                        else {
                            bail!(
                                "{}: jpeg_size {jpeg_size} is past the payload's {} bytes",
                                path.display(),
                                data.len()
                            );
                        };
                        f.push(("alpha_top_down".into(), (flags & wire::JPEG_ALPHA_FLAG_TOP_DOWN != 0).to_string()));
                        f.push(("jpeg_size".into(), jpeg_size.to_string()));
                        f.push(("alpha_bytes".into(), alpha.len().to_string()));
                        if let Ok(h) = lz::read_header(alpha) {
                            f.push(("alpha_type".into(), h.image_type.name().into()));
                        }
                        Some(stream_fields("jpeg", jpeg, None))
                    }
                    ImagePayload::ZlibGlzRgb { glz_data_size, data } => {
                        f.push(("zlib_bytes".into(), data.len().to_string()));
                        let glz = glz::zlib::inflate(data, glz_data_size, &Limits::default()).with_context(reading)?;
                        Some(stream_fields("glz", &glz, None))
                    }
                    _ => {
                        f.push(("width".into(), d.width.to_string()));
                        f.push(("height".into(), d.height.to_string()));
                        None
                    }
                };
                if let Some(inner) = inner {
                    f.extend(inner.with_context(reading)?);
                }
                f
            }
        }
    };
    for (k, v) in fields {
        println!("{k}: {v}");
    }
    Ok(())
}
