//! The codecs and containers the tool knows, the `--type` names of each, and
//! detecting what a file holds from its first bytes.

use anyhow::{Context, bail};
use clap::ValueEnum;
use paprika_codecs::{Limits, PixelFormat, glz, lz, quic, wire};

/// A stream codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Codec {
    /// SPICE QUIC: lossless predictive coder for photos and screens.
    Quic,
    /// SPICE LZ: byte-oriented LZ77 for screens, UI and text (RGB, alpha and palette types).
    Lz,
    /// SPICE's LZ4 framing: rows as LZ4 blocks (needs the size from a container to decode).
    Lz4,
    /// SPICE GLZ: LZ with one dictionary shared by a sequence of images (RGB types only).
    Glz,
}

/// How the stream is wrapped on output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Container {
    /// The bare codec stream.
    Raw,
    /// A SPICE image: descriptor (id, type, flags, width, height) and the per-type payload.
    Spice,
}

impl Codec {
    /// Lower-case name, as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Quic => "quic",
            Codec::Lz => "lz",
            Codec::Lz4 => "lz4",
            Codec::Glz => "glz",
        }
    }
}

/// The image type to encode, resolved for one codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeType {
    /// A QUIC type.
    Quic(quic::ImageType),
    /// An LZ type.
    Lz(lz::ImageType),
    /// An LZ4 bitmap format.
    Lz4(PixelFormat),
    /// A GLZ type (an LZ RGB type).
    Glz(lz::ImageType),
}

/// The `--type` names LZ4 takes, with their pixel formats.
const LZ4_TYPES: [(&str, PixelFormat); 4] = [
    ("rgb32", PixelFormat::Bgrx32),
    ("rgb24", PixelFormat::Bgr24),
    ("rgba", PixelFormat::Bgra32),
    ("rgb16", PixelFormat::Rgb555),
];

/// QUIC's `--type` names.
const QUIC_TYPES: [quic::ImageType; 5] = [
    quic::ImageType::Rgb32,
    quic::ImageType::Rgb24,
    quic::ImageType::Rgba,
    quic::ImageType::Rgb16,
    quic::ImageType::Gray,
];

impl EncodeType {
    /// Resolves `--type` for `codec`: rgba for images with alpha, else rgb32, when absent.
    pub fn resolve(codec: Codec, name: Option<&str>, has_alpha: bool) -> anyhow::Result<EncodeType> {
        let name = name.unwrap_or(if has_alpha { "rgba" } else { "rgb32" });
        let found = match codec {
            Codec::Quic => name.parse::<quic::ImageType>().ok().map(EncodeType::Quic),
            Codec::Lz => name.parse::<lz::ImageType>().ok().map(EncodeType::Lz),
            Codec::Lz4 => LZ4_TYPES.iter().find(|(n, _)| *n == name).map(|&(_, f)| EncodeType::Lz4(f)),
            Codec::Glz => name.parse::<lz::ImageType>().ok().filter(|&t| glz::is_glz_type(t)).map(EncodeType::Glz),
        };
        match found {
            Some(t) => Ok(t),
            None => bail!("{} has no type {name:?}; it takes: {}", codec.name(), Self::names(codec).join(", ")),
        }
    }

    /// The type names `codec` takes.
    pub fn names(codec: Codec) -> Vec<&'static str> {
        match codec {
            Codec::Quic => QUIC_TYPES.iter().map(|t| t.name()).collect(),
            Codec::Lz => lz::ImageType::ALL.iter().map(|t| t.name()).collect(),
            Codec::Lz4 => LZ4_TYPES.iter().map(|(n, _)| *n).collect(),
            Codec::Glz => lz::ImageType::ALL.iter().filter(|&&t| glz::is_glz_type(t)).map(|t| t.name()).collect(),
        }
    }

    /// The type's name.
    pub fn name(self) -> &'static str {
        match self {
            EncodeType::Quic(t) => t.name(),
            EncodeType::Lz(t) | EncodeType::Glz(t) => t.name(),
            EncodeType::Lz4(f) => LZ4_TYPES.iter().find(|(_, g)| *g == f).map_or("?", |(n, _)| n),
        }
    }

    /// The pixel format the encoder reads.
    pub fn pixel_format(self) -> PixelFormat {
        match self {
            EncodeType::Quic(t) => match t {
                quic::ImageType::Rgb32 => PixelFormat::Bgrx32,
                quic::ImageType::Rgb24 => PixelFormat::Bgr24,
                quic::ImageType::Rgba => PixelFormat::Bgra32,
                quic::ImageType::Rgb16 => PixelFormat::Rgb555,
                quic::ImageType::Gray => PixelFormat::Gray8,
            },
            EncodeType::Lz(t) | EncodeType::Glz(t) => t.pixel_format(),
            EncodeType::Lz4(f) => f,
        }
    }
}

/// What a file holds, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// A bare QUIC stream ("QUIC").
    Quic,
    /// A bare LZ stream ("  ZL").
    Lz,
    /// A bare GLZ stream (the same magic as LZ, then another header layout).
    Glz,
    /// A SPICE image (descriptor and payload).
    Spice,
}

/// The magic a QUIC stream starts with: "QUIC".
const QUIC_MAGIC: &[u8; 4] = b"QUIC";
/// The magic an LZ stream starts with: "  ZL" (LZ_MAGIC written big-endian).
const LZ_MAGIC: &[u8; 4] = b"  ZL";

impl StreamKind {
    /// Detects what `stream` holds: a QUIC or LZ magic, else a SPICE image that parses.
    pub fn detect(stream: &[u8]) -> anyhow::Result<StreamKind> {
        if stream.starts_with(QUIC_MAGIC) {
            return Ok(StreamKind::Quic);
        }
        if stream.starts_with(LZ_MAGIC) {
            return Ok(lz_or_glz(stream));
        }
        if stream.is_empty() {
            bail!("unknown codec: the input is empty");
        }
        if stream.len() >= wire::DESCRIPTOR_BYTES && wire::read_descriptor(stream).is_ok() {
            wire::parse(stream).context("the input looks like a SPICE image but does not parse")?;
            return Ok(StreamKind::Spice);
        }
        let hex: Vec<String> = stream.iter().take(8).map(|b| format!("{b:02x}")).collect();
        bail!(
            "unknown codec: first bytes are {} (QUIC starts with 51 55 49 43 \"QUIC\", LZ with 20 20 5a 4c \"  ZL\", \
             and a SPICE image with a descriptor; a bare LZ4 stream needs --lz4-size)",
            hex.join(" ")
        )
    }
}

/// Tells an LZ stream from a GLZ one, which share magic and version. LZ stores
/// its type as a u32 of 1..=11, so byte 8 is 0; GLZ puts a non-zero type code
/// there. A header that validates as one and not the other settles it first, so
/// a damaged header is still reported by the codec whose layout it has.
fn lz_or_glz(stream: &[u8]) -> StreamKind {
    let lz_ok = lz::read_header(stream).is_ok();
    let glz_ok = glz::read_header(stream, &Limits::default()).is_ok();
    match (lz_ok, glz_ok) {
        (true, false) => StreamKind::Lz,
        (false, true) => StreamKind::Glz,
        _ if stream.get(8).is_some_and(|&b| b != 0) => StreamKind::Glz,
        _ => StreamKind::Lz,
    }
}

/// Uncompressed size used for ratios and speeds: 4 bytes (B, G, R, X/A) per pixel.
pub fn raw_bytes(width: u32, height: u32) -> u64 {
    u64::from(width) * u64::from(height) * 4
}

/// Compression ratio `raw / stream`, or 0 for an empty stream.
pub fn ratio(raw: u64, stream: u64) -> f64 {
    if stream == 0 { 0.0 } else { raw as f64 / stream as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_magics_and_rejects_the_rest() {
        assert_eq!(StreamKind::detect(b"QUIC\0\0\0\0").unwrap(), StreamKind::Quic);
        assert_eq!(StreamKind::detect(b"  ZL\0\x01\0\x01").unwrap(), StreamKind::Lz);
        let mut glz = Vec::new();
        let h = glz::Header {
            image_type: lz::ImageType::Rgb32,
            top_down: true,
            width: 2,
            height: 1,
            stride: 8,
            id: 0,
            win_head_dist: 0,
        };
        glz::write_header(&mut glz, &h);
        assert_eq!(StreamKind::detect(&glz).unwrap(), StreamKind::Glz);
        // A GLZ header with a bad field still reads as GLZ by its layout.
        glz[20] ^= 1;
        assert_eq!(StreamKind::detect(&glz).unwrap(), StreamKind::Glz);
        let lz: Vec<u8> = [0x2020_5a4c_u32, 0x0001_0001, 8, 2, 1, 8, 1].iter().flat_map(|w| w.to_be_bytes()).collect();
        assert_eq!(StreamKind::detect(&lz).unwrap(), StreamKind::Lz);
        let e = StreamKind::detect(&[0xde, 0xad, 0xbe, 0xef]).unwrap_err();
        assert!(e.to_string().contains("first bytes are de ad be ef"), "{e}");
        assert!(StreamKind::detect(&[]).unwrap_err().to_string().contains("unknown codec"));
    }

    #[test]
    fn types_resolve_per_codec() {
        assert_eq!(EncodeType::resolve(Codec::Quic, None, false).unwrap(), EncodeType::Quic(quic::ImageType::Rgb32));
        assert_eq!(EncodeType::resolve(Codec::Quic, None, true).unwrap(), EncodeType::Quic(quic::ImageType::Rgba));
        assert_eq!(
            EncodeType::resolve(Codec::Lz, Some("plt4be"), false).unwrap(),
            EncodeType::Lz(lz::ImageType::Plt4Be)
        );
        assert_eq!(
            EncodeType::resolve(Codec::Lz4, Some("rgb16"), false).unwrap(),
            EncodeType::Lz4(PixelFormat::Rgb555)
        );
        let e = EncodeType::resolve(Codec::Quic, Some("xxxa"), false).unwrap_err().to_string();
        assert!(e.contains("quic has no type") && e.contains("gray"), "{e}");
        assert_eq!(EncodeType::names(Codec::Glz), ["rgb16", "rgb24", "rgb32", "rgba"]);
        assert!(
            EncodeType::resolve(Codec::Glz, Some("plt8"), false).unwrap_err().to_string().contains("glz has no type")
        );
        for codec in [Codec::Quic, Codec::Lz, Codec::Lz4, Codec::Glz] {
            for name in EncodeType::names(codec) {
                let t = EncodeType::resolve(codec, Some(name), false).unwrap();
                assert_eq!(t.name(), name);
            }
        }
        for t in QUIC_TYPES {
            assert!(t.accepts(EncodeType::Quic(t).pixel_format()), "{}", t.name());
        }
    }
}
