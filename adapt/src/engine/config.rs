//! Engine settings and what the client can decode.

use crate::damage::DEFAULT_TILE;
use crate::network::{EstimatorConfig, MS, Micros};
use crate::policy::CodecSpeeds;

/// What the client decodes (its SPICE display capabilities).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCaps {
    /// QUIC images.
    pub quic: bool,
    /// LZ images.
    pub lz: bool,
    /// GLZ images (with a dictionary window of `glz_window_pixels`).
    pub glz: bool,
    /// zlib-wrapped GLZ images.
    pub zlib_glz: bool,
    /// LZ4 images (`SPICE_DISPLAY_CAP_LZ4_COMPRESSION`).
    pub lz4: bool,
    /// JPEG images.
    pub jpeg: bool,
    /// H.264 streams.
    pub h264: bool,
    /// MJPEG streams.
    pub mjpeg: bool,
    /// The client's GLZ window, in pixels.
    pub glz_window_pixels: u64,
}

impl Default for ClientCaps {
    /// Everything, with spice-gtk's default 16 MiB (4 Mpx) GLZ window.
    fn default() -> Self {
        ClientCaps {
            quic: true,
            lz: true,
            glz: true,
            zlib_glz: true,
            lz4: true,
            jpeg: true,
            h264: true,
            mjpeg: true,
            glz_window_pixels: 4 << 20,
        }
    }
}

/// Engine settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineConfig {
    /// Surface width in pixels.
    pub width: u32,
    /// Surface height in pixels.
    pub height: u32,
    /// Tile side in pixels (damage and classes are per tile).
    pub tile: u32,
    /// What the client decodes.
    pub caps: ClientCaps,
    /// Update latency aimed at (transfer and coding): sets the bytes one poll may send.
    pub latency_target: Micros,
    /// Bit rate reserved for audio ahead of the screen.
    pub audio_bps: f64,
    /// The bandwidth estimator's settings.
    pub estimator: EstimatorConfig,
    /// Coding speeds the cost model assumes.
    pub speeds: CodecSpeeds,
    /// Encode independent regions on rayon threads.
    pub parallel: bool,
    /// OpenH264 threads per stream (1 keeps streams bit-identical run to run).
    pub video_threads: u16,
}

impl EngineConfig {
    /// Defaults for a `width` x `height` surface.
    pub fn new(width: u32, height: u32) -> Self {
        EngineConfig {
            width,
            height,
            tile: DEFAULT_TILE,
            caps: ClientCaps::default(),
            latency_target: 100 * MS,
            audio_bps: 0.0,
            estimator: EstimatorConfig::default(),
            speeds: CodecSpeeds::default(),
            parallel: true,
            video_threads: 1,
        }
    }
}
