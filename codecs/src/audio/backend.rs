//! The seam to the `opus` crate: its enums from ours, and libopus errors as ours.

use opus::ErrorCode;

use super::options::{OpusApplication, OpusOptions};
use crate::error::{Codec, Error, FormatKind, ParameterKind, Result};

/// libopus's code for an error, as its C API returns it (`OPUS_BAD_ARG` = -1, ...).
fn code(e: &opus::Error) -> i32 {
    e.code() as i32
}

/// A libopus failure that says nothing about the caller's input.
pub(crate) fn backend(e: &opus::Error) -> Error {
    Error::Backend { codec: Codec::Opus, code: code(e) }
}

/// Error of a decode call: what the packet caused is a format error, the rest a backend one.
pub(crate) fn decode_error(e: &opus::Error) -> Error {
    match e.code() {
        // BUFFER_TOO_SMALL only reaches here when a packet decodes to more samples than
        // its own table of contents declared (the caller's buffer is checked first).
        ErrorCode::InvalidPacket | ErrorCode::BufferTooSmall => bad_packet(),
        _ => backend(e),
    }
}

/// Error of an encode call or an encoder setting.
pub(crate) fn encode_error(e: &opus::Error) -> Error {
    match e.code() {
        // Arguments are checked before they reach libopus, so this is a setting it
        // refuses that our checks let through.
        ErrorCode::BadArg => Error::Parameter(ParameterKind::OutOfRange),
        _ => backend(e),
    }
}

/// The error for a packet libopus refuses.
pub(crate) const fn bad_packet() -> Error {
    Error::format(Codec::Opus, FormatKind::BadPacket)
}

/// The crate's channel enum for a checked channel count.
pub(crate) fn channels(opts: &OpusOptions) -> opus::Channels {
    if opts.channels == 1 { opus::Channels::Mono } else { opus::Channels::Stereo }
}

/// The crate's application enum.
pub(crate) fn application(app: OpusApplication) -> opus::Application {
    match app {
        OpusApplication::Voip => opus::Application::Voip,
        OpusApplication::Audio => opus::Application::Audio,
        OpusApplication::RestrictedLowDelay => opus::Application::LowDelay,
    }
}

/// Samples per channel that `packet` decodes to at `sample_rate`, or
/// [`FormatKind::BadPacket`] when its table of contents is malformed or it lasts
/// more than 120 ms.
pub fn packet_samples(packet: &[u8], sample_rate: u32) -> Result<usize> {
    // The crate panics on lengths past i32::MAX; no valid packet is that long.
    if packet.is_empty() || i32::try_from(packet.len()).is_err() {
        return Err(bad_packet());
    }
    match opus::packet::get_nb_samples(packet, sample_rate) {
        // A code-3 packet that counts zero frames (R5); libopus would take its 0
        // samples for a bad buffer size.
        Ok(0) => Err(bad_packet()),
        Ok(n) => Ok(n),
        Err(e) => Err(match e.code() {
            ErrorCode::InvalidPacket | ErrorCode::BadArg => bad_packet(),
            _ => backend(&e),
        }),
    }
}

/// The version string of the libopus linked in (e.g. "libopus 1.3.1").
pub fn libopus_version() -> &'static str {
    opus::version()
}
