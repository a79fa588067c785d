//! SPICE LZ: the byte-oriented LZ77 image coder of SPICE (spice-common `lz.c`,
//! `lz_compress_tmpl.c`, `lz_decompress_tmpl.c`), for every LZ image type.
//!
//! Wire format: `docs/formats/lz.md`. Rows are coded in memory order; the
//! header's `top_down` flag says whether the first coded row is the top one. An
//! encoder codes an [`ImageRef`](crate::ImageRef) in its own memory order and
//! writes its `top_down`; a decoder returns the rows in stream order with
//! `top_down` set to match, so [`Image::to_bgrx`](crate::Image::to_bgrx) shows
//! the picture upright either way.

pub(crate) mod copy;
mod decode;
mod encode;
mod header;
pub(crate) mod unit;

pub use decode::decode;
pub use encode::{encode, encode_into};
pub use header::{HEADER_BYTES, Header, min_stride, read_header};

use crate::image::PixelFormat;

/// LZ image types (`LzImageType`), with their wire codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    /// 1-bit palette indexes, leftmost pixel in bit 0.
    Plt1Le,
    /// 1-bit palette indexes, leftmost pixel in bit 7.
    Plt1Be,
    /// 4-bit palette indexes, leftmost pixel in the low nibble.
    Plt4Le,
    /// 4-bit palette indexes, leftmost pixel in the high nibble.
    Plt4Be,
    /// 8-bit palette indexes.
    Plt8,
    /// x1r5g5b5.
    Rgb16,
    /// 24-bit B, G, R (coded like RGB32).
    Rgb24,
    /// 32-bit B, G, R, X (X not coded).
    Rgb32,
    /// 32-bit B, G, R, A: the RGB stream followed by an alpha stream.
    Rgba,
    /// The alpha stream alone (B, G, R decode as 0).
    Xxxa,
    /// 8-bit alpha.
    A8,
}

impl ImageType {
    /// Every type, in wire-code order.
    pub const ALL: [ImageType; 11] = [
        ImageType::Plt1Le,
        ImageType::Plt1Be,
        ImageType::Plt4Le,
        ImageType::Plt4Be,
        ImageType::Plt8,
        ImageType::Rgb16,
        ImageType::Rgb24,
        ImageType::Rgb32,
        ImageType::Rgba,
        ImageType::Xxxa,
        ImageType::A8,
    ];

    /// The wire code (1..=11).
    pub const fn code(self) -> u32 {
        match self {
            ImageType::Plt1Le => 1,
            ImageType::Plt1Be => 2,
            ImageType::Plt4Le => 3,
            ImageType::Plt4Be => 4,
            ImageType::Plt8 => 5,
            ImageType::Rgb16 => 6,
            ImageType::Rgb24 => 7,
            ImageType::Rgb32 => 8,
            ImageType::Rgba => 9,
            ImageType::Xxxa => 10,
            ImageType::A8 => 11,
        }
    }

    /// The type for a wire code.
    pub const fn from_code(code: u32) -> Option<Self> {
        if code >= 1 && code <= 11 { Some(Self::ALL[code as usize - 1]) } else { None }
    }

    /// Lower-case name, as the CLI and the golden-vector manifest spell it.
    pub const fn name(self) -> &'static str {
        match self {
            ImageType::Plt1Le => "plt1le",
            ImageType::Plt1Be => "plt1be",
            ImageType::Plt4Le => "plt4le",
            ImageType::Plt4Be => "plt4be",
            ImageType::Plt8 => "plt8",
            ImageType::Rgb16 => "rgb16",
            ImageType::Rgb24 => "rgb24",
            ImageType::Rgb32 => "rgb32",
            ImageType::Rgba => "rgba",
            ImageType::Xxxa => "xxxa",
            ImageType::A8 => "a8",
        }
    }

    /// The pixel format an encoder of this type reads. The decoder returns the same,
    /// except that RGB24 decodes to 32-bit B,G,R,X pixels (as SPICE clients do) and
    /// XXXA to B,G,R,A with B = G = R = 0.
    pub const fn pixel_format(self) -> PixelFormat {
        match self {
            ImageType::Plt1Le => PixelFormat::Plt1Le,
            ImageType::Plt1Be => PixelFormat::Plt1Be,
            ImageType::Plt4Le => PixelFormat::Plt4Le,
            ImageType::Plt4Be => PixelFormat::Plt4Be,
            ImageType::Plt8 => PixelFormat::Plt8,
            ImageType::Rgb16 => PixelFormat::Rgb555,
            ImageType::Rgb24 => PixelFormat::Bgr24,
            ImageType::Rgb32 => PixelFormat::Bgrx32,
            ImageType::Rgba | ImageType::Xxxa => PixelFormat::Bgra32,
            ImageType::A8 => PixelFormat::A8,
        }
    }

    /// Whether pixels are palette indexes (the palette travels outside the stream).
    pub const fn has_palette(self) -> bool {
        matches!(self, ImageType::Plt1Le | ImageType::Plt1Be | ImageType::Plt4Le | ImageType::Plt4Be | ImageType::Plt8)
    }
}

impl core::str::FromStr for ImageType {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|t| t.name() == s).ok_or(())
    }
}
