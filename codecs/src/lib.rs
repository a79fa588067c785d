//! Paprika codecs: SPICE-compatible remote-display image codecs.
//!
//! Every decoder takes untrusted bytes and a [`Limits`], and returns an image or
//! a typed [`Error`]; it never panics and never allocates past the limits.
#![warn(missing_docs)]

#[cfg(feature = "opus")]
pub mod audio;
pub mod bits;
pub mod error;
pub mod glz;
pub mod image;
pub mod jpeg;
pub mod limits;
pub mod lz;
pub mod lz4;
pub mod metrics;
pub mod quic;
#[cfg(feature = "bench-internals")]
pub mod simd;
#[cfg(not(feature = "bench-internals"))]
pub(crate) mod simd;
pub mod video;
pub mod wire;

pub use error::{Error, Result};
pub use image::{Image, ImageDesc, ImageRef, Palette, PixelFormat, Rect};
pub use limits::Limits;
pub use wire::decode_image;
