//! The one error type of the crate, grouped by who is at fault.
//!
//! Variants carry numbers and small enums, never strings, so tests can
//! `assert_eq!` on them and decoders never allocate to report a fault.

use core::fmt;

/// Which codec (or container) raised a format error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Codec {
    /// SPICE QUIC (lossless predictive coder).
    Quic,
    /// SPICE LZ.
    Lz,
    /// SPICE GLZ.
    Glz,
    /// SPICE's LZ4 framing (line chunks as LZ4 blocks).
    Lz4,
    /// The SPICE image descriptor and payload framing.
    Spice,
    /// JPEG and JPEG-alpha.
    Jpeg,
    /// H.264 video streams (OpenH264).
    H264,
    /// Opus audio (libopus).
    Opus,
}

/// What exactly is wrong with a malformed input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FormatKind {
    /// The input ended before the decoder was done (`needed` and `available` in bytes).
    Truncated {
        /// Bytes the decoder needed at least.
        needed: u64,
        /// Bytes the input had.
        available: u64,
    },
    /// The stream does not start with the codec's magic number.
    BadMagic {
        /// The value found where the magic belongs.
        found: u32,
    },
    /// The stream's version is not one this decoder knows.
    BadVersion {
        /// The version found.
        found: u32,
    },
    /// The image type code is not valid for this codec.
    BadImageType {
        /// The type code found.
        found: u32,
    },
    /// Width or height is zero (or negative as a signed field).
    BadDimensions {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
    },
    /// A run length goes past the end of the row segment it belongs to.
    RunTooLong {
        /// Row the run starts in.
        row: u32,
        /// Column the run starts at.
        column: u32,
        /// Pixels the run claims.
        length: u64,
        /// Pixels left in the segment.
        room: u64,
    },
    /// The input is too short to hold even the smallest stream of the declared size.
    TooShortForSize {
        /// Bits a stream of the declared size needs at least.
        min_bits: u64,
        /// Bits the input holds.
        available_bits: u64,
    },
    /// A row stride that the format does not allow for this width and type.
    BadStride {
        /// Stride found.
        found: u32,
        /// Stride the format requires.
        expected: u32,
    },
    /// A flag field holds a value other than 0 or 1 (e.g. LZ's `top_down`).
    BadFlag {
        /// Value found.
        found: u32,
    },
    /// The input goes on after the image is complete, and the format forbids that.
    TrailingData {
        /// Bytes left unread.
        unread: u64,
    },
    /// A back-reference points before the start of the decoded data.
    BadReference {
        /// Distance back, in the format's units.
        distance: u64,
        /// Units decoded so far.
        available: u64,
    },
    /// A literal run or match would write past the end of the image.
    OutputOverflow {
        /// Units it would write.
        needed: u64,
        /// Units left.
        room: u64,
    },
    /// A declared size disagrees with the data (a length prefix, a decompressed size).
    LengthMismatch {
        /// Size declared.
        declared: u64,
        /// Size found.
        actual: u64,
    },
    /// An embedded compressed block (e.g. an LZ4 block) failed to decompress.
    BadBlock {
        /// Index of the block, from 0.
        index: u32,
    },
    /// A palette index past the end of the palette.
    BadPaletteIndex {
        /// Index found.
        index: u32,
        /// Entries in the palette.
        size: u32,
    },
    /// The size inside a SPICE image's payload differs from its descriptor's.
    DimensionMismatch {
        /// Width in the image descriptor.
        declared_width: u32,
        /// Height in the image descriptor.
        declared_height: u32,
        /// Width in the payload (codec header or bitmap).
        found_width: u32,
        /// Height in the payload.
        found_height: u32,
    },
    /// A pointer field (an offset from the start of the SPICE image) is NULL where its
    /// target is required, or does not point where the layout puts the target.
    BadPointer {
        /// The offset found.
        offset: u64,
    },
    /// A GLZ window-head distance larger than the image id it counts back from.
    BadWindowDistance {
        /// The image id.
        id: u64,
        /// The distance read.
        win_head_dist: u32,
    },
    /// A GLZ reference to an image the window no longer holds (or never will).
    ImageNotInWindow {
        /// The referenced image id.
        id: u64,
    },
    /// A GLZ reference to an image of another type than the one being decoded.
    ImageTypeMismatch {
        /// The referenced image id.
        id: u64,
    },
    /// A GLZ image whose id the window already holds.
    DuplicateImage {
        /// The repeated id.
        id: u64,
    },
    /// A GLZ reference past the end of the referenced image.
    OffsetOutsideImage {
        /// The referenced image id.
        id: u64,
        /// First pixel referenced.
        offset: u64,
        /// Pixels referenced.
        len: u64,
        /// Pixels of the referenced image.
        pixels: u64,
    },
    /// A compressed wrapper (zlib) that does not inflate to the size it declares.
    BadDeflate,
    /// A JPEG stream the JPEG decoder refused.
    BadJpeg,
    /// A compressed packet (H.264 access unit, Opus packet) the codec library refused.
    BadPacket,
}

/// Which configured limit an input ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// Image width in pixels.
    Width,
    /// Image height in pixels.
    Height,
    /// Width × height.
    Pixels,
    /// Bytes the decoder would have to allocate.
    Bytes,
    /// Pixels held by a GLZ decoder window.
    WindowPixels,
}

/// What the caller got wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParameterKind {
    /// The caller's buffer is smaller than the image needs.
    BufferTooSmall {
        /// Bytes needed.
        needed: u64,
        /// Bytes given.
        given: u64,
    },
    /// A stride smaller than one row of pixels.
    StrideTooSmall {
        /// Minimum stride in bytes.
        min: u64,
        /// Stride given.
        given: u64,
    },
    /// Width or height of zero where the format needs at least one pixel.
    EmptyImage,
    /// Sizes whose arithmetic overflows.
    SizeOverflow,
    /// The pixel format does not fit the requested image type.
    FormatMismatch,
    /// A picture size the codec cannot take (H.264: even sides, 16 to 3840x2160).
    UnsupportedSize {
        /// Width asked for.
        width: u32,
        /// Height asked for.
        height: u32,
    },
    /// A setting outside its valid range (a zero bitrate, a frame rate of 0 or over 120).
    OutOfRange,
    /// An image with more pixels than the GLZ dictionary's window can hold.
    LargerThanWindow {
        /// Pixels of the image.
        pixels: u64,
        /// The window, in pixels.
        window: u64,
    },
}

/// Something valid that this build or codec does not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnsupportedKind {
    /// No conversion between these pixel formats.
    Conversion,
    /// The codec cannot carry this pixel format.
    PixelFormat,
    /// The stream starts with no magic this crate knows.
    UnknownCodec,
    /// A SPICE image type this crate cannot decode on its own: its codec is not built
    /// (GLZ, JPEG) or it refers to client state (an image cache, a surface).
    ImageType {
        /// The `SPICE_IMAGE_TYPE_*` code.
        code: u8,
    },
    /// A JPEG coding process other than baseline or extended sequential Huffman
    /// (progressive, lossless, arithmetic): SPICE never sends these.
    JpegProcess {
        /// The frame's SOF marker byte (`0xC2` for progressive, ...).
        marker: u8,
    },
    /// The image's palette is in the client's palette cache (`PAL_FROM_CACHE`), which a
    /// stand-alone decoder does not have.
    CachedPalette {
        /// The palette id to look up.
        id: u64,
    },
}

/// Every error the codecs return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The input is malformed.
    Format {
        /// The codec that found the fault.
        codec: Codec,
        /// What is wrong.
        kind: FormatKind,
    },
    /// The input is well formed but larger than the configured [`crate::Limits`].
    Limits {
        /// Which limit.
        what: LimitKind,
        /// The value the input asked for.
        actual: u64,
        /// The configured maximum.
        max: u64,
    },
    /// The caller passed a bad argument.
    Parameter(ParameterKind),
    /// Valid, but not supported.
    Unsupported(UnsupportedKind),
    /// A codec library (OpenH264, libopus) failed for a reason other than bad input,
    /// with its own error code.
    Backend {
        /// The codec whose library failed.
        codec: Codec,
        /// The library's error code.
        code: i32,
    },
    /// A GLZ stream references image `id`, which has not reached the window yet
    /// (images from several channels can arrive out of order): decode that image,
    /// then retry this one. Nothing was changed.
    WaitingForImage {
        /// The missing image id.
        id: u64,
    },
}

impl Error {
    /// Shorthand for a format error.
    pub(crate) const fn format(codec: Codec, kind: FormatKind) -> Self {
        Error::Format { codec, kind }
    }
}

/// The crate's result type.
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Codec::Quic => "quic",
            Codec::Lz => "lz",
            Codec::Glz => "glz",
            Codec::Lz4 => "lz4",
            Codec::Spice => "spice image",
            Codec::Jpeg => "jpeg",
            Codec::H264 => "h264",
            Codec::Opus => "opus",
        })
    }
}

impl fmt::Display for FormatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FormatKind::Truncated { needed, available } => {
                write!(f, "input truncated: needed {needed} bytes, have {available}")
            }
            FormatKind::BadMagic { found } => write!(f, "bad magic {found:#010x}"),
            FormatKind::BadVersion { found } => write!(f, "unknown version {found:#010x}"),
            FormatKind::BadImageType { found } => write!(f, "invalid image type {found}"),
            FormatKind::BadDimensions { width, height } => {
                write!(f, "invalid dimensions {width}x{height}")
            }
            FormatKind::RunTooLong { row, column, length, room } => {
                write!(f, "run of {length} pixels at row {row}, column {column} exceeds the {room} left")
            }
            FormatKind::BadStride { found, expected } => write!(f, "stride {found}, expected {expected}"),
            FormatKind::BadFlag { found } => write!(f, "flag value {found}, expected 0 or 1"),
            FormatKind::TrailingData { unread } => write!(f, "{unread} bytes left after the image"),
            FormatKind::BadReference { distance, available } => {
                write!(f, "reference {distance} back with only {available} decoded")
            }
            FormatKind::OutputOverflow { needed, room } => write!(f, "writes {needed} past the {room} left"),
            FormatKind::LengthMismatch { declared, actual } => write!(f, "declared size {declared}, found {actual}"),
            FormatKind::BadBlock { index } => write!(f, "compressed block {index} is corrupt"),
            FormatKind::BadPaletteIndex { index, size } => write!(f, "palette index {index} of {size} entries"),
            FormatKind::DimensionMismatch { declared_width, declared_height, found_width, found_height } => write!(
                f,
                "descriptor says {declared_width}x{declared_height}, payload says {found_width}x{found_height}"
            ),
            FormatKind::BadPointer { offset } => write!(f, "bad pointer offset {offset}"),
            FormatKind::BadWindowDistance { id, win_head_dist } => {
                write!(f, "window-head distance {win_head_dist} reaches before image 0 from image {id}")
            }
            FormatKind::ImageNotInWindow { id } => write!(f, "reference to image {id}, which is not in the window"),
            FormatKind::ImageTypeMismatch { id } => write!(f, "reference to image {id}, which is of another type"),
            FormatKind::DuplicateImage { id } => write!(f, "image {id} is already in the window"),
            FormatKind::OffsetOutsideImage { id, offset, len, pixels } => {
                write!(f, "reference to pixels {offset}..{} of image {id}, which has {pixels}", offset + len)
            }
            FormatKind::BadDeflate => f.write_str("zlib data is corrupt or inflates to another size"),
            FormatKind::BadJpeg => f.write_str("the JPEG decoder refused the stream"),
            FormatKind::BadPacket => f.write_str("the codec library refused the packet"),
            FormatKind::TooShortForSize { min_bits, available_bits } => write!(
                f,
                "input of {available_bits} bits is too short for the declared size (needs at least {min_bits})"
            ),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Format { codec, kind } => write!(f, "malformed {codec} stream: {kind}"),
            Error::Limits { what, actual, max } => {
                let name = match what {
                    LimitKind::Width => "width",
                    LimitKind::Height => "height",
                    LimitKind::Pixels => "pixel count",
                    LimitKind::Bytes => "allocation",
                    LimitKind::WindowPixels => "GLZ window size in pixels",
                };
                write!(f, "{name} {actual} exceeds the limit {max}")
            }
            Error::Parameter(p) => match *p {
                ParameterKind::BufferTooSmall { needed, given } => {
                    write!(f, "buffer too small: needed {needed} bytes, given {given}")
                }
                ParameterKind::StrideTooSmall { min, given } => {
                    write!(f, "stride {given} is smaller than a row of {min} bytes")
                }
                ParameterKind::EmptyImage => f.write_str("image has zero width or height"),
                ParameterKind::SizeOverflow => f.write_str("image size overflows"),
                ParameterKind::FormatMismatch => f.write_str("pixel format does not fit the requested image type"),
                ParameterKind::UnsupportedSize { width, height } => {
                    write!(f, "the codec cannot take a {width}x{height} picture")
                }
                ParameterKind::OutOfRange => f.write_str("setting out of range"),
                ParameterKind::LargerThanWindow { pixels, window } => {
                    write!(f, "image of {pixels} pixels does not fit a GLZ window of {window}")
                }
            },
            Error::WaitingForImage { id } => write!(f, "waiting for GLZ image {id}"),
            Error::Backend { codec, code } => write!(f, "the {codec} library failed with code {code}"),
            Error::Unsupported(u) => match u {
                UnsupportedKind::Conversion => f.write_str("unsupported pixel format conversion"),
                UnsupportedKind::PixelFormat => f.write_str("pixel format not supported by this codec"),
                UnsupportedKind::UnknownCodec => f.write_str("unknown codec (no known magic)"),
                UnsupportedKind::ImageType { code } => {
                    write!(f, "SPICE image type {code} cannot be decoded on its own")
                }
                UnsupportedKind::JpegProcess { marker } => {
                    write!(f, "JPEG frame type {marker:#04x} (only baseline and extended sequential Huffman)")
                }
                UnsupportedKind::CachedPalette { id } => write!(f, "palette {id:#x} is in the client's palette cache"),
            },
        }
    }
}

impl std::error::Error for Error {}
