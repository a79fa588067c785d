//! Opus audio with SPICE's playback parameters, over libopus (the `opus` crate).
//!
//! SPICE's playback and record channels code 48 kHz stereo 16-bit PCM in 10 ms
//! frames (480 samples per channel) with `OPUS_APPLICATION_AUDIO` and libopus's
//! default bitrate; every packet is one frame. [`OpusOptions::default`] is that
//! stream; see `docs/audio.md` for where each value comes from in SPICE's sources.
//!
//! ```
//! use paprika_codecs::audio::{OpusDecoder, OpusEncoder, OpusOptions, SPICE_OPUS_FRAME_SAMPLES};
//!
//! let opts = OpusOptions::default();
//! let mut enc = OpusEncoder::new(&opts)?;
//! let mut dec = OpusDecoder::new(&opts)?;
//! let frame = vec![0i16; SPICE_OPUS_FRAME_SAMPLES * 2];
//! let packet = enc.encode(&frame)?;
//! assert_eq!(dec.decode(Some(&packet))?.len(), frame.len());
//! enc.set_bitrate(32_000)?; // from the next frame on
//! assert_eq!(dec.decode(None)?.len(), frame.len()); // a lost packet, concealed
//! # Ok::<(), paprika_codecs::Error>(())
//! ```

mod backend;
mod decoder;
mod encoder;
mod options;

pub use backend::{libopus_version, packet_samples};
pub use decoder::OpusDecoder;
pub use encoder::OpusEncoder;
pub use options::{
    OPUS_MAX_FRAME_BYTES, OPUS_SAMPLE_RATES, OpusApplication, OpusFrameDuration, OpusOptions, OpusRateControl,
};

/// SPICE's playback (and record) sample rate: `SND_CODEC_OPUS_PLAYBACK_FREQ`.
pub const SPICE_OPUS_SAMPLE_RATE: u32 = 48_000;

/// SPICE's channel count: `SND_CODEC_PLAYBACK_CHAN`, samples interleaved left, right.
pub const SPICE_OPUS_CHANNELS: u8 = 2;

/// Samples per channel in one SPICE Opus frame (10 ms at 48 kHz): `SND_CODEC_OPUS_FRAME_SIZE`.
pub const SPICE_OPUS_FRAME_SAMPLES: usize = 480;

/// Bytes of one SPICE PCM frame: `SND_CODEC_MAX_FRAME_BYTES` (480 × 2 channels × 2 bytes).
pub const SPICE_OPUS_FRAME_BYTES: usize = SPICE_OPUS_FRAME_SAMPLES * SPICE_OPUS_CHANNELS as usize * 2;

/// The buffer SPICE's server encodes a packet into, so its largest packet:
/// `SND_CODEC_OPUS_COMPRESSED_FRAME_BYTES` (= `SND_CODEC_MAX_COMPRESSED_BYTES`).
pub const SPICE_OPUS_MAX_PACKET_BYTES: usize = 480;
