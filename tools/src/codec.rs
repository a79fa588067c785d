//! The codecs the tool knows, their image types, and detecting a codec from a stream's magic.

use anyhow::bail;
use clap::ValueEnum;
use paprika_codecs::{PixelFormat, quic};

/// A stream codec (more will follow: lz, lz4, glz).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Codec {
    /// SPICE QUIC: lossless predictive coder for photos and screens.
    Quic,
}

/// The magic a QUIC stream starts with: "QUIC".
const QUIC_MAGIC: &[u8; 4] = b"QUIC";

impl Codec {
    /// Lower-case name, as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Quic => "quic",
        }
    }

    /// Detects the codec from the first bytes of a stream.
    pub fn detect(stream: &[u8]) -> anyhow::Result<Codec> {
        if stream.starts_with(QUIC_MAGIC) {
            return Ok(Codec::Quic);
        }
        if stream.is_empty() {
            bail!("unknown codec: the input is empty");
        }
        let hex: Vec<String> = stream.iter().take(8).map(|b| format!("{b:02x}")).collect();
        bail!("unknown codec: first bytes are {} (a QUIC stream starts with 51 55 49 43, \"QUIC\")", hex.join(" "))
    }
}

/// A QUIC image type, as the `--type` option spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuicType {
    /// 32-bit RGB, pad byte not coded (for opaque images).
    Rgb32,
    /// 24-bit RGB (same coded bits as rgb32).
    Rgb24,
    /// 32-bit RGB plus 8-bit alpha (for images with transparency).
    Rgba,
    /// x1r5g5b5, 5 bits per channel (lossy from 8-bit input).
    Rgb16,
    /// 8-bit gray, BT.601 luma (lossy from colour input).
    Gray,
}

impl QuicType {
    /// The codec's image type.
    pub fn image_type(self) -> quic::ImageType {
        match self {
            QuicType::Rgb32 => quic::ImageType::Rgb32,
            QuicType::Rgb24 => quic::ImageType::Rgb24,
            QuicType::Rgba => quic::ImageType::Rgba,
            QuicType::Rgb16 => quic::ImageType::Rgb16,
            QuicType::Gray => quic::ImageType::Gray,
        }
    }

    /// The pixel format the image is converted to before encoding with this type.
    ///
    /// Spelled out rather than taken from `ImageType::native_format`, which is the
    /// decoder's output format (RGB24 decodes to 32-bit pixels).
    pub fn pixel_format(self) -> PixelFormat {
        match self {
            QuicType::Rgb32 => PixelFormat::Bgrx32,
            QuicType::Rgb24 => PixelFormat::Bgr24,
            QuicType::Rgba => PixelFormat::Bgra32,
            QuicType::Rgb16 => PixelFormat::Rgb555,
            QuicType::Gray => PixelFormat::Gray8,
        }
    }

    /// The default type for an image: rgba when it has alpha, else rgb32.
    pub fn default_for(has_alpha: bool) -> QuicType {
        if has_alpha { QuicType::Rgba } else { QuicType::Rgb32 }
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
    fn detects_quic_and_rejects_the_rest() {
        assert_eq!(Codec::detect(b"QUIC\0\0\0\0").unwrap(), Codec::Quic);
        let e = Codec::detect(&[0xde, 0xad, 0xbe, 0xef]).unwrap_err();
        assert!(e.to_string().contains("first bytes are de ad be ef"), "{e}");
        assert!(Codec::detect(&[]).unwrap_err().to_string().contains("unknown codec"));
    }

    #[test]
    fn types_map_to_the_expected_formats() {
        assert_eq!(QuicType::Rgb32.pixel_format(), PixelFormat::Bgrx32);
        assert_eq!(QuicType::Rgb24.pixel_format(), PixelFormat::Bgr24);
        assert_eq!(QuicType::Rgba.pixel_format(), PixelFormat::Bgra32);
        assert_eq!(QuicType::Rgb16.pixel_format(), PixelFormat::Rgb555);
        assert_eq!(QuicType::Gray.pixel_format(), PixelFormat::Gray8);
        for t in QuicType::value_variants() {
            let name = t.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(name, t.image_type().name());
            assert!(t.image_type().accepts(t.pixel_format()), "{name}");
        }
    }
}
