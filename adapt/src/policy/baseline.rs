//! Baselines for the benchmark: one codec for everything, and SPICE's defaults.

use paprika_codecs::Rect;

use super::{Choice, ImageCodec, Policy, PolicyContext, RegionInfo, VideoCodec, lossless_fallback};
use crate::classify::Class;
use crate::network::{Micros, SECOND};

/// SPICE's JPEG quality, hard-coded in `dcc.cpp`.
pub const SPICE_JPEG_QUALITY: u8 = 85;
/// SPICE's low-bandwidth threshold, 10 Mibps (`is_low_bandwidth`).
pub const SPICE_LOW_BANDWIDTH_BPS: f64 = 10.0 * 1024.0 * 1024.0;
/// SPICE's MJPEG quality ladder (`mjpeg-encoder.c`).
pub const SPICE_MJPEG_LADDER: [u8; 7] = [20, 30, 40, 50, 60, 70, 80];
/// Graduality below which SPICE calls a bitmap a photo (`GRADUAL_HIGH_RGB24_TH`).
const SPICE_GRADUAL_HIGH: f32 = -0.03;
/// SPICE starts a stream after 20 frames; our classifier has seen about 10 when
/// it calls a region video, so the baseline waits 10 more.
const SPICE_EXTRA_STREAM_FRAMES: u32 = 10;
/// SPICE streams only regions of at least 96x96 (`RED_STREAM_MIN_SIZE`).
const SPICE_STREAM_MIN_SIDE: u32 = 96;
/// Share of the bitrate SPICE gives streams (`RED_STREAM_CHANNEL_CAPACITY`).
const SPICE_STREAM_SHARE: f64 = 0.8;
/// SPICE never refreshes lossy regions on a timer; the engine guarantees that the
/// client converges to the source, so baselines refresh after this long unchanged.
pub const BASELINE_REFRESH_DELAY: Micros = SECOND;

/// One codec for every region (`static-glz`, `static-jpeg`, …); no streams.
#[derive(Debug, Clone)]
pub struct StaticPolicy {
    codec: ImageCodec,
}

impl StaticPolicy {
    /// Always `codec` (a lossless fallback where the client lacks it).
    pub fn new(codec: ImageCodec) -> Self {
        StaticPolicy { codec }
    }
}

impl Policy for StaticPolicy {
    fn name(&self) -> String {
        match self.codec {
            ImageCodec::Jpeg { quality: SPICE_JPEG_QUALITY } => "static-jpeg".into(),
            c => format!("static-{}", c.label()),
        }
    }

    fn choose(&mut self, region: &RegionInfo, ctx: &PolicyContext<'_>) -> Choice {
        let codec = if !self.codec.allowed_by(ctx.caps) {
            lossless_fallback(ctx.caps)
        } else if region.refresh {
            self.refresh_codec(region, ctx)
        } else {
            self.codec
        };
        Choice { codec, reason: format!("static policy: always {}", self.codec.label()) }
    }

    fn stream(&mut self, _rect: Rect, _frames: u32, _ctx: &PolicyContext<'_>) -> Option<VideoCodec> {
        None
    }

    fn stream_bitrate(&mut self, _share: f64, _ctx: &PolicyContext<'_>) -> u32 {
        0
    }

    fn refresh_delay(&self, _class: Class) -> Micros {
        BASELINE_REFRESH_DELAY
    }

    fn refresh_codec(&mut self, _region: &RegionInfo, ctx: &PolicyContext<'_>) -> ImageCodec {
        lossless_fallback(ctx.caps)
    }
}

/// The SPICE server's defaults (`auto_glz`, JPEG and zlib-GLZ on a low-bandwidth
/// link decided once at connect, MJPEG streams after 20 frames).
#[derive(Debug, Clone)]
pub struct SpiceLikePolicy {
    connect_bps: Option<f64>,
    low_bandwidth: Option<bool>,
}

impl SpiceLikePolicy {
    /// A policy whose connect-time bandwidth is `connect_bps` (SPICE's 250 KiB net
    /// test), or, with `None`, the estimate at the first decision one second in;
    /// before that the link counts as fast, as SPICE assumes before its test.
    pub fn new(connect_bps: Option<f64>) -> Self {
        SpiceLikePolicy { connect_bps, low_bandwidth: connect_bps.map(|b| b < SPICE_LOW_BANDWIDTH_BPS) }
    }

    fn low(&mut self, ctx: &PolicyContext<'_>) -> bool {
        if let Some(low) = self.low_bandwidth {
            return low;
        }
        if ctx.now >= SECOND {
            let low = ctx.network.bandwidth_bps < SPICE_LOW_BANDWIDTH_BPS;
            self.low_bandwidth = Some(low);
            return low;
        }
        false
    }

    fn bitrate(&self, ctx: &PolicyContext<'_>) -> f64 {
        // SPICE's MJPEG rate control follows client reports; the estimate stands in.
        ctx.screen_bps().min(self.connect_bps.unwrap_or(f64::INFINITY).max(ctx.screen_bps()))
    }
}

impl Policy for SpiceLikePolicy {
    fn name(&self) -> String {
        "spice-like".into()
    }

    fn choose(&mut self, region: &RegionInfo, ctx: &PolicyContext<'_>) -> Choice {
        let low = self.low(ctx);
        let dict = if low && ctx.caps.zlib_glz { ImageCodec::ZlibGlz } else { ImageCodec::Glz };
        let dict = if dict.allowed_by(ctx.caps) { dict } else { lossless_fallback(ctx.caps) };
        let gradual = region.graduality < SPICE_GRADUAL_HIGH && region.class != Class::Solid;
        let (codec, why) = if gradual && !region.refresh && ctx.caps.quic {
            if low && ctx.caps.jpeg {
                (ImageCodec::Jpeg { quality: SPICE_JPEG_QUALITY }, "gradual bitmap on a low-bandwidth link: JPEG q85")
            } else {
                (ImageCodec::Quic, "gradual bitmap: QUIC")
            }
        } else {
            (dict, "auto_glz: dictionary LZ")
        };
        Choice { codec, reason: format!("spice-like ({} link at connect): {why}", if low { "low" } else { "fast" }) }
    }

    fn stream(&mut self, rect: Rect, frames_as_video: u32, ctx: &PolicyContext<'_>) -> Option<VideoCodec> {
        let big = rect.width >= SPICE_STREAM_MIN_SIDE && rect.height >= SPICE_STREAM_MIN_SIDE;
        (big && frames_as_video >= SPICE_EXTRA_STREAM_FRAMES && ctx.caps.mjpeg).then_some(VideoCodec::Mjpeg)
    }

    fn stream_bitrate(&mut self, area_share: f64, ctx: &PolicyContext<'_>) -> u32 {
        (self.bitrate(ctx) * SPICE_STREAM_SHARE * area_share) as u32
    }

    fn stream_quality(&mut self, rect: Rect, ctx: &PolicyContext<'_>) -> u8 {
        // The highest ladder step whose frames fit the share at SPICE's 25 fps cap.
        let px = u64::from(rect.width) * u64::from(rect.height);
        let per_frame = self.bitrate(ctx) * SPICE_STREAM_SHARE / 8.0 / 25.0;
        SPICE_MJPEG_LADDER
            .into_iter()
            .rev()
            .find(|&q| ctx.costs.predict(ImageCodec::Jpeg { quality: q }, Class::Video, px).bytes <= per_frame)
            .unwrap_or(SPICE_MJPEG_LADDER[0])
    }

    fn refresh_delay(&self, _class: Class) -> Micros {
        BASELINE_REFRESH_DELAY
    }

    fn refresh_codec(&mut self, _region: &RegionInfo, ctx: &PolicyContext<'_>) -> ImageCodec {
        if ImageCodec::Glz.allowed_by(ctx.caps) { ImageCodec::Glz } else { lossless_fallback(ctx.caps) }
    }
}
