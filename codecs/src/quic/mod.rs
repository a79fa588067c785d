//! SPICE QUIC: the lossless predictive image coder of SPICE (SFALIC-derived),
//! byte-exact with spice-common's `quic.c`.
//!
//! Wire format: `docs/formats/quic.md`. Streams are always top-down; an encoder
//! given a bottom-up bitmap reads its rows in reverse, as the SPICE server does.
//!
//! ```
//! use paprika_codecs::{image::{Image, PixelFormat}, quic, Limits};
//! let img = Image::zeroed(16, 8, PixelFormat::Bgrx32).unwrap();
//! let stream = quic::encode(&img.as_ref(), quic::ImageType::Rgb32).unwrap();
//! let back = quic::decode(&stream, &Limits::default()).unwrap();
//! assert_eq!(back.to_bgrx().unwrap(), img.to_bgrx().unwrap());
//! ```

mod channels;
mod decode;
mod encode;
mod header;
mod model;
mod tables;

pub use decode::{Decoder, decode};
pub use encode::{encode, encode_auto, encode_into};
pub use header::{HEADER_BYTES, Header};

use crate::image::PixelFormat;

/// QUIC image types (`QuicImageType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    /// One 8-bit gray channel.
    Gray,
    /// x1r5g5b5, three 5-bit channels.
    Rgb16,
    /// 24-bit RGB (same coded bits as `Rgb32`).
    Rgb24,
    /// 32-bit RGB, pad byte not coded.
    Rgb32,
    /// 32-bit RGB plus an 8-bit alpha coded as a separate per-row pass.
    Rgba,
}

impl ImageType {
    /// The wire code.
    pub const fn code(self) -> u32 {
        match self {
            ImageType::Gray => 1,
            ImageType::Rgb16 => 2,
            ImageType::Rgb24 => 3,
            ImageType::Rgb32 => 4,
            ImageType::Rgba => 5,
        }
    }

    /// The type for a wire code.
    pub const fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            1 => ImageType::Gray,
            2 => ImageType::Rgb16,
            3 => ImageType::Rgb24,
            4 => ImageType::Rgb32,
            5 => ImageType::Rgba,
            _ => return None,
        })
    }

    /// Lower-case name, as the CLI spells it.
    pub const fn name(self) -> &'static str {
        match self {
            ImageType::Gray => "gray",
            ImageType::Rgb16 => "rgb16",
            ImageType::Rgb24 => "rgb24",
            ImageType::Rgb32 => "rgb32",
            ImageType::Rgba => "rgba",
        }
    }

    /// The pixel format a decoder produces natively for this type (RGB24 decodes to
    /// 32-bit pixels, as SPICE clients do: the coded bits are the same as RGB32's).
    pub const fn native_format(self) -> PixelFormat {
        match self {
            ImageType::Gray => PixelFormat::Gray8,
            ImageType::Rgb16 => PixelFormat::Rgb555,
            ImageType::Rgb24 | ImageType::Rgb32 => PixelFormat::Bgrx32,
            ImageType::Rgba => PixelFormat::Bgra32,
        }
    }

    /// Channels coded per pixel.
    pub const fn coded_channels(self) -> u32 {
        match self {
            ImageType::Gray => 1,
            ImageType::Rgb16 | ImageType::Rgb24 | ImageType::Rgb32 => 3,
            ImageType::Rgba => 4,
        }
    }

    /// The type an encoder picks for a pixel format by default.
    pub const fn default_for(format: PixelFormat) -> Option<Self> {
        Some(match format {
            PixelFormat::Bgrx32 => ImageType::Rgb32,
            PixelFormat::Bgra32 => ImageType::Rgba,
            PixelFormat::Bgr24 => ImageType::Rgb24,
            PixelFormat::Rgb555 => ImageType::Rgb16,
            PixelFormat::Gray8 | PixelFormat::A8 => ImageType::Gray,
            _ => return None,
        })
    }

    /// Whether an encoder of this type can read pixels of `format`.
    pub const fn accepts(self, format: PixelFormat) -> bool {
        matches!(
            (self, format),
            (ImageType::Gray, PixelFormat::Gray8 | PixelFormat::A8)
                | (ImageType::Rgb16, PixelFormat::Rgb555)
                | (ImageType::Rgb24 | ImageType::Rgb32, PixelFormat::Bgrx32 | PixelFormat::Bgra32 | PixelFormat::Bgr24)
                | (ImageType::Rgba, PixelFormat::Bgra32)
        )
    }

    pub(crate) const fn bits_per_channel(self) -> u32 {
        match self {
            ImageType::Rgb16 => 5,
            _ => 8,
        }
    }
}

impl core::str::FromStr for ImageType {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "gray" => ImageType::Gray,
            "rgb16" => ImageType::Rgb16,
            "rgb24" => ImageType::Rgb24,
            "rgb32" => ImageType::Rgb32,
            "rgba" => ImageType::Rgba,
            _ => return Err(()),
        })
    }
}

/// Reads just the header of a QUIC stream.
pub fn read_header(input: &[u8]) -> crate::Result<Header> {
    header::parse(input)
}
