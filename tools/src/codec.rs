//! The codecs and containers the tool knows, the `--type` names of each, and
//! detecting what a file holds from its first bytes.

use anyhow::{Context, bail};
use clap::ValueEnum;
use paprika_codecs::jpeg::{JpegOptions, Subsampling};
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
    /// Baseline JPEG (lossy; SPICE's JPEG image): photos and video-like content.
    Jpeg,
    /// SPICE's JPEG_ALPHA: the colour as a JPEG, the alpha exact as an LZ XXXA stream
    /// (always a SPICE image).
    JpegAlpha,
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
            Codec::Jpeg => "jpeg",
            Codec::JpegAlpha => "jpeg-alpha",
        }
    }

    /// Whether the codec is lossy (a round trip is measured by PSNR, not compared exactly).
    pub fn is_lossy(self) -> bool {
        matches!(self, Codec::Jpeg | Codec::JpegAlpha)
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
    /// A JPEG with these settings (from 32-bit RGB; any alpha is dropped).
    Jpeg(JpegOptions),
    /// A JPEG of the colour and an LZ XXXA stream of the alpha, with these JPEG settings.
    JpegAlpha(JpegOptions),
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
    /// JPEG takes no `--type` and gets SPICE's settings (quality 85, 4:2:0).
    pub fn resolve(codec: Codec, name: Option<&str>, has_alpha: bool) -> anyhow::Result<EncodeType> {
        if matches!(codec, Codec::Jpeg | Codec::JpegAlpha) {
            if let Some(name) = name {
                bail!("{} takes no --type (got {name:?}); choose the chroma with --subsampling", codec.name());
            }
            let opts = JpegOptions::default();
            return Ok(if codec == Codec::Jpeg { EncodeType::Jpeg(opts) } else { EncodeType::JpegAlpha(opts) });
        }
        let name = name.unwrap_or(if has_alpha { "rgba" } else { "rgb32" });
        let found = match codec {
            Codec::Quic => name.parse::<quic::ImageType>().ok().map(EncodeType::Quic),
            Codec::Lz => name.parse::<lz::ImageType>().ok().map(EncodeType::Lz),
            Codec::Lz4 => LZ4_TYPES.iter().find(|(n, _)| *n == name).map(|&(_, f)| EncodeType::Lz4(f)),
            Codec::Glz => name.parse::<lz::ImageType>().ok().filter(|&t| glz::is_glz_type(t)).map(EncodeType::Glz),
            Codec::Jpeg | Codec::JpegAlpha => None,
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
            Codec::Jpeg | Codec::JpegAlpha => Vec::new(),
        }
    }

    /// The type's name; for JPEG, its chroma sampling (`420`, `444` or `gray`).
    pub fn name(self) -> &'static str {
        match self {
            EncodeType::Quic(t) => t.name(),
            EncodeType::Lz(t) | EncodeType::Glz(t) => t.name(),
            EncodeType::Lz4(f) => LZ4_TYPES.iter().find(|(_, g)| *g == f).map_or("?", |(n, _)| n),
            EncodeType::Jpeg(o) | EncodeType::JpegAlpha(o) => subsampling_name(o.subsampling),
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
            EncodeType::Jpeg(_) => PixelFormat::Bgrx32,
            EncodeType::JpegAlpha(_) => PixelFormat::Bgra32,
        }
    }
}

/// `--subsampling`: a JPEG's chroma sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SubsamplingArg {
    /// 4:2:0: chroma halved both ways (SPICE's choice).
    #[value(name = "420")]
    S420,
    /// 4:4:4: full-resolution chroma.
    #[value(name = "444")]
    S444,
    /// Luma only: a grayscale JPEG.
    Gray,
}

impl From<SubsamplingArg> for Subsampling {
    fn from(s: SubsamplingArg) -> Subsampling {
        match s {
            SubsamplingArg::S420 => Subsampling::S420,
            SubsamplingArg::S444 => Subsampling::S444,
            SubsamplingArg::Gray => Subsampling::Gray,
        }
    }
}

/// The `--subsampling` name of a JPEG chroma sampling.
pub fn subsampling_name(s: Subsampling) -> &'static str {
    match s {
        Subsampling::S420 => "420",
        Subsampling::S444 => "444",
        Subsampling::Gray => "gray",
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
    /// A bare JPEG (SOI marker FF D8 FF).
    Jpeg,
    /// A SPICE image (descriptor and payload).
    Spice,
}

/// The magic a QUIC stream starts with: "QUIC".
const QUIC_MAGIC: &[u8; 4] = b"QUIC";
/// The magic an LZ stream starts with: "  ZL" (LZ_MAGIC written big-endian).
const LZ_MAGIC: &[u8; 4] = b"  ZL";
/// What a JPEG starts with: the SOI marker and the first byte of the next marker.
pub const JPEG_SOI: &[u8; 3] = b"\xff\xd8\xff";

impl StreamKind {
    /// Detects what `stream` holds: a QUIC or LZ magic, a JPEG's SOI marker, else a
    /// SPICE image that parses.
    pub fn detect(stream: &[u8]) -> anyhow::Result<StreamKind> {
        if stream.starts_with(QUIC_MAGIC) {
            return Ok(StreamKind::Quic);
        }
        if stream.starts_with(JPEG_SOI) {
            return Ok(StreamKind::Jpeg);
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
             a JPEG with ff d8 ff, and a SPICE image with a descriptor; a bare LZ4 stream needs --lz4-size)",
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

/// PSNR in dB over the B, G, R bytes of two B,G,R,X buffers of the same picture
/// (infinite when they are equal).
pub fn psnr_bgrx(a: &[u8], b: &[u8]) -> f64 {
    let (mut sum, mut n) = (0u64, 0u64);
    for (p, q) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for c in 0..3 {
            let d = i64::from(p[c]) - i64::from(q[c]);
            sum += d.unsigned_abs() * d.unsigned_abs();
            n += 1;
        }
    }
    if sum == 0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 * n as f64 / sum as f64).log10() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_magics_and_rejects_the_rest() {
        assert_eq!(StreamKind::detect(b"QUIC\0\0\0\0").unwrap(), StreamKind::Quic);
        assert_eq!(StreamKind::detect(b"  ZL\0\x01\0\x01").unwrap(), StreamKind::Lz);
        assert_eq!(StreamKind::detect(b"\xff\xd8\xff\xe0").unwrap(), StreamKind::Jpeg);
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
    fn psnr_of_equal_and_off_by_one() {
        let a = [10u8, 20, 30, 0, 40, 50, 60, 0];
        assert_eq!(psnr_bgrx(&a, &a), f64::INFINITY);
        let b = [11u8, 21, 31, 9, 41, 51, 61, 9];
        assert!((psnr_bgrx(&a, &b) - 20.0 * 255f64.log10()).abs() < 1e-9);
    }

    #[test]
    fn jpeg_takes_options_not_types() {
        let t = EncodeType::resolve(Codec::Jpeg, None, true).unwrap();
        assert_eq!(
            (t, t.name(), t.pixel_format()),
            (EncodeType::Jpeg(JpegOptions::default()), "420", PixelFormat::Bgrx32)
        );
        let t = EncodeType::resolve(Codec::JpegAlpha, None, true).unwrap();
        assert_eq!(t.pixel_format(), PixelFormat::Bgra32);
        let e = EncodeType::resolve(Codec::Jpeg, Some("rgb32"), false).unwrap_err().to_string();
        assert!(e.contains("--subsampling"), "{e}");
        assert_eq!(Subsampling::from(SubsamplingArg::Gray), Subsampling::Gray);
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
