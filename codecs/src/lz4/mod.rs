//! SPICE's LZ4 image framing (`SPICE_IMAGE_TYPE_LZ4`): a two-byte header, then the
//! image's rows as a chain of LZ4 blocks that share one streaming history.
//!
//! Wire format: `docs/formats/lz4.md`. The client decoder is spice-common's
//! `canvas_get_lz4` (`common/canvas_base.c`), the encoder the spice server's
//! `lz4_encode` (`server/lz4-encoder.c`). The LZ4 blocks themselves are coded by
//! `lz4_flex`'s block API; this module adds the framing, the shared history and the
//! checks.
//!
//! The stream carries no size: the SPICE image descriptor gives width and height,
//! and the rows are packed (`width × bytes per pixel`, no padding). Rows are coded
//! in memory order and the header's `top_down` byte says whether the first one is
//! the top of the picture. A decoder returns the rows in stream order with
//! `top_down` set to match, so [`Image::to_bgrx`](crate::Image::to_bgrx) shows the
//! picture upright either way; an encoder codes an [`ImageRef`](crate::ImageRef) in
//! its own memory order and writes its `top_down`.
//!
//! ```
//! use paprika_codecs::{image::{Image, PixelFormat}, lz4, Limits};
//! let img = Image::zeroed(16, 8, PixelFormat::Bgr24).unwrap();
//! let stream = lz4::encode(&img.as_ref()).unwrap();
//! let back = lz4::decode(&stream, 16, 8, &Limits::default()).unwrap();
//! assert_eq!(back, img);
//! ```

mod decode;
mod encode;
mod header;

pub use decode::{decode, decode_into, output_len};
pub use encode::{DEFAULT_CHUNK_BYTES, Options, encode, encode_with};
pub use header::{HEADER_BYTES, Header, read_header, supports};

/// Bytes of history an LZ4 match can reach back into (offsets are 16 bits, at most 65535).
pub const WINDOW_BYTES: usize = 64 * 1024;
