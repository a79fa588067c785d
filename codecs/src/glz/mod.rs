//! SPICE GLZ: LZ with a dictionary shared across images. A stream may copy
//! pixels from earlier images the client still holds, named by image id.
//!
//! Wire format and the dictionary/window protocol: `docs/formats/glz.md`.
//! Server side: [`GlzDictionary`] (shared by the encoders of one client) and
//! [`GlzEncoder`]. Client side: [`GlzWindow`] (or [`SharedGlzWindow`] for
//! several channel threads). `SPICE_IMAGE_TYPE_ZLIB_GLZ_RGB`: [`zlib`].

mod decode;
mod dictionary;
mod emit;
mod encode;
mod header;
mod parse;
mod window;
pub mod zlib;

pub use dictionary::GlzDictionary;
pub use encode::{GlzEncoder, GlzFrame};
pub use header::{HEADER_BYTES, Header, is_glz_type, read_header, write_header};
pub use window::{GlzImage, GlzWindow, MAX_WINDOW_PIXELS, SharedGlzWindow};
