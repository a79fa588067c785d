//! How each region is sent: the [`Policy`] trait, the adaptive policy and the
//! baselines it is compared with.
//!
//! The engine does the bookkeeping (damage, classes, streams, budgets, lossless
//! refresh); a policy only answers questions: which codec for this region now,
//! whether video regions become streams and at what bitrate, and how soon a lossy
//! region is made lossless. It sees the network through [`PolicyContext`] and the
//! measured cost of past encodes through the [`CostModel`]. A new policy is one file
//! implementing the trait (`docs/benchmark.md` shows one).

mod adaptive;
mod baseline;
mod cost;

pub use adaptive::{AdaptiveConfig, AdaptivePolicy};
pub use baseline::{SPICE_JPEG_QUALITY, SPICE_LOW_BANDWIDTH_BPS, SPICE_MJPEG_LADDER, SpiceLikePolicy, StaticPolicy};
pub use cost::{CodecSpeeds, CostModel, Prediction};

use paprika_codecs::Rect;

use crate::classify::Class;
use crate::engine::ClientCaps;
use crate::network::{Micros, NetworkEstimate};

/// A still-image codec and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageCodec {
    /// SPICE LZ (`LZ_RGB`).
    Lz,
    /// GLZ against the shared dictionary (`GLZ_RGB`).
    Glz,
    /// GLZ deflated again (`ZLIB_GLZ_RGB`).
    ZlibGlz,
    /// SPICE's LZ4 framing (`LZ4`).
    Lz4,
    /// QUIC, lossless predictive (`QUIC`).
    Quic,
    /// Baseline JPEG at a quality (`JPEG`): lossy.
    Jpeg {
        /// 1..=100, as libjpeg.
        quality: u8,
    },
}

impl ImageCodec {
    /// Whether the client sees the source exactly.
    pub fn is_lossless(self) -> bool {
        !matches!(self, ImageCodec::Jpeg { .. })
    }

    /// The codec's family (JPEG without its quality): the key of learned costs.
    pub fn family(self) -> CodecFamily {
        match self {
            ImageCodec::Lz => CodecFamily::Lz,
            ImageCodec::Glz => CodecFamily::Glz,
            ImageCodec::ZlibGlz => CodecFamily::ZlibGlz,
            ImageCodec::Lz4 => CodecFamily::Lz4,
            ImageCodec::Quic => CodecFamily::Quic,
            ImageCodec::Jpeg { .. } => CodecFamily::Jpeg,
        }
    }

    /// Whether the client can decode it.
    pub fn allowed_by(self, caps: &ClientCaps) -> bool {
        match self {
            ImageCodec::Lz => caps.lz,
            ImageCodec::Glz => caps.glz,
            ImageCodec::ZlibGlz => caps.glz && caps.zlib_glz,
            ImageCodec::Lz4 => caps.lz4,
            ImageCodec::Quic => caps.quic,
            ImageCodec::Jpeg { .. } => caps.jpeg,
        }
    }

    /// A short name for decision records and CSV files (`jpeg85`, `glz`, …).
    pub fn label(self) -> String {
        match self {
            ImageCodec::Lz => "lz".into(),
            ImageCodec::Glz => "glz".into(),
            ImageCodec::ZlibGlz => "zlib-glz".into(),
            ImageCodec::Lz4 => "lz4".into(),
            ImageCodec::Quic => "quic".into(),
            ImageCodec::Jpeg { quality } => format!("jpeg{quality}"),
        }
    }
}

/// [`ImageCodec`] without parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodecFamily {
    /// LZ.
    Lz,
    /// GLZ.
    Glz,
    /// zlib over GLZ.
    ZlibGlz,
    /// LZ4.
    Lz4,
    /// QUIC.
    Quic,
    /// JPEG.
    Jpeg,
}

impl CodecFamily {
    /// Every family, in index order.
    pub const ALL: [CodecFamily; 6] = [
        CodecFamily::Lz,
        CodecFamily::Glz,
        CodecFamily::ZlibGlz,
        CodecFamily::Lz4,
        CodecFamily::Quic,
        CodecFamily::Jpeg,
    ];
}

/// A stream's video codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VideoCodec {
    /// H.264 (OpenH264), rate-controlled to a bitrate.
    H264,
    /// Motion JPEG at a quality.
    Mjpeg,
}

/// A changed region waiting to be sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionInfo {
    /// Where, in surface pixels.
    pub rect: Rect,
    /// Its tiles' class.
    pub class: Class,
    /// Mean SPICE graduality score of its tiles (below −0.03: a photo, to SPICE).
    pub graduality: f32,
    /// Whether this is a lossless refresh of a region the client holds lossy.
    pub refresh: bool,
    /// Share of its tiles whose exact content the client's GLZ dictionary holds
    /// (GLZ codes those for a few bytes).
    pub repeat_share: f32,
}

impl RegionInfo {
    /// Pixels in the region.
    pub fn pixels(&self) -> u64 {
        u64::from(self.rect.width) * u64::from(self.rect.height)
    }
}

/// What a policy sees when it decides.
#[derive(Debug, Clone, Copy)]
pub struct PolicyContext<'a> {
    /// The caller's time.
    pub now: Micros,
    /// The network as estimated from feedback.
    pub network: NetworkEstimate,
    /// Bit rate reserved for audio, not available to the screen.
    pub audio_bps: f64,
    /// Bytes this poll may still send (in-flight cap and latency target).
    pub budget_bytes: u64,
    /// Bytes a whole poll may send: the pacing rate over the latency target.
    pub window_bytes: u64,
    /// The latency the engine aims at for an update, network and coding included.
    pub latency_target: Micros,
    /// What the client decodes.
    pub caps: &'a ClientCaps,
    /// Learned bytes and times per pixel.
    pub costs: &'a CostModel,
}

impl PolicyContext<'_> {
    /// The bandwidth available to the screen, bits per second.
    pub fn screen_bps(&self) -> f64 {
        (self.network.bandwidth_bps - self.audio_bps).max(self.network.bandwidth_bps * 0.1)
    }
}

/// One decision and the reason for it, for the decision record.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The codec.
    pub codec: ImageCodec,
    /// Why, in a sentence a person can check against the numbers.
    pub reason: String,
}

/// A way of choosing codecs: the adaptive engine's, or a baseline's.
pub trait Policy: Send {
    /// The policy's name in reports (`adaptive`, `static-glz`, `spice-like`, …).
    fn name(&self) -> String;

    /// The codec for `region` now.
    fn choose(&mut self, region: &RegionInfo, ctx: &PolicyContext<'_>) -> Choice;

    /// The stream codec for video regions, or `None` to send video as images.
    /// `frames_as_video` is how many frames the region's tiles have been Video.
    fn stream(&mut self, rect: Rect, frames_as_video: u32, ctx: &PolicyContext<'_>) -> Option<VideoCodec>;

    /// The bitrate for a stream covering `area_share` of all streamed pixels.
    fn stream_bitrate(&mut self, area_share: f64, ctx: &PolicyContext<'_>) -> u32;

    /// The MJPEG quality for a stream frame (`None` for H.264 streams).
    fn stream_quality(&mut self, rect: Rect, ctx: &PolicyContext<'_>) -> u8 {
        let _ = (rect, ctx);
        70
    }

    /// How long a region of `class` sent lossy must stay unchanged before it is
    /// refreshed losslessly.
    fn refresh_delay(&self, class: Class) -> Micros;

    /// The lossless codec for refreshes.
    fn refresh_codec(&mut self, region: &RegionInfo, ctx: &PolicyContext<'_>) -> ImageCodec;

    /// Whether the engine looks for vertical scrolls in the damage and sends
    /// them as `COPY_BITS` (the client moves what it has) before coding the rest.
    /// Off by default: a frame-based source gives SPICE no copy commands, and the
    /// static baselines code every change.
    fn copies_scrolls(&self) -> bool {
        false
    }
}

/// The lossless codec the client can take, best first: GLZ, LZ, LZ4, QUIC.
pub fn lossless_fallback(caps: &ClientCaps) -> ImageCodec {
    [ImageCodec::Glz, ImageCodec::Lz, ImageCodec::Lz4, ImageCodec::Quic]
        .into_iter()
        .find(|c| c.allowed_by(caps))
        .unwrap_or(ImageCodec::Lz)
}

/// Builds a policy from its report name: `adaptive`, `spice-like`, or
/// `static-lz|glz|zlib-glz|lz4|quic|jpeg[Q]`.
pub fn policy_by_name(name: &str) -> Option<Box<dyn Policy>> {
    Some(match name {
        "adaptive" => Box::new(AdaptivePolicy::new(AdaptiveConfig::default())),
        "spice-like" => Box::new(SpiceLikePolicy::new(None)),
        _ => {
            let codec = name.strip_prefix("static-")?;
            let codec = match codec {
                "lz" => ImageCodec::Lz,
                "glz" => ImageCodec::Glz,
                "zlib-glz" => ImageCodec::ZlibGlz,
                "lz4" => ImageCodec::Lz4,
                "quic" => ImageCodec::Quic,
                "jpeg" => ImageCodec::Jpeg { quality: SPICE_JPEG_QUALITY },
                q => ImageCodec::Jpeg {
                    quality: q.strip_prefix("jpeg")?.parse().ok().filter(|q| (1..=100).contains(q))?,
                },
            };
            Box::new(StaticPolicy::new(codec))
        }
    })
}

/// The names [`policy_by_name`] knows, baselines included.
pub const POLICY_NAMES: [&str; 8] = [
    "adaptive",
    "spice-like",
    "static-lz",
    "static-glz",
    "static-zlib-glz",
    "static-lz4",
    "static-quic",
    "static-jpeg",
];
