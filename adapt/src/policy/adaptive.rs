//! `AdaptivePolicy`: the codec with the lowest predicted latency that fits the
//! budget, under per-class quality floors.

use paprika_codecs::Rect;

use super::{Choice, ImageCodec, Policy, PolicyContext, RegionInfo, VideoCodec};
use crate::classify::Class;
use crate::network::{MS, Micros};

/// JPEG qualities the adaptive policy picks from, best first.
pub const JPEG_LADDER: [u8; 10] = [95, 90, 85, 80, 70, 60, 50, 40, 30, 20];

/// Encodes of a codec on a class before its learned cost is trusted.
const EXPLORE_MIN: u32 = 3;
/// Factor on the prior bytes of a codec not yet trusted on a class.
const EXPLORE_OPTIMISM: f64 = 0.5;

/// Settings of the [`AdaptivePolicy`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaptiveConfig {
    /// Lowest JPEG quality for images.
    pub image_quality_floor: u8,
    /// JPEG quality for text when the link is starved.
    pub text_lossy_quality: u8,
    /// Text goes lossy only when its best lossless form needs this many times the budget.
    pub starved_factor: f64,
    /// Share of the screen bandwidth given to streams.
    pub stream_share: f64,
    /// Smallest region (pixels) worth a stream; smaller animations go as images.
    pub min_stream_pixels: u64,
    /// Frame rate streams are budgeted for.
    pub stream_fps: f64,
    /// Unchanged time before a lossy region of each class is refreshed losslessly
    /// (indexed as [`Class::ALL`]).
    pub refresh_delay: [Micros; 4],
    /// Send vertical scrolls as copies of what the client shows ([`Policy::copies_scrolls`]).
    pub copy_scrolls: bool,
}

impl Default for AdaptiveConfig {
    fn default() -> Self {
        AdaptiveConfig {
            image_quality_floor: 30,
            text_lossy_quality: 90,
            starved_factor: 4.0,
            stream_share: 0.7,
            min_stream_pixels: 128 * 128,
            stream_fps: 30.0,
            // Text is refreshed at once (the 150 ms target), images after a pause in
            // which a slideshow or scroll would have replaced them, video after the
            // stream is certainly over.
            refresh_delay: [0, 20 * MS, 250 * MS, 500 * MS],
            copy_scrolls: true,
        }
    }
}

/// The adaptive engine's policy.
#[derive(Debug, Clone)]
pub struct AdaptivePolicy {
    cfg: AdaptiveConfig,
}

impl AdaptivePolicy {
    /// A policy with `cfg`.
    pub fn new(cfg: AdaptiveConfig) -> Self {
        AdaptivePolicy { cfg }
    }

    /// The lossless codec with the lowest predicted latency, with it.
    fn best_lossless(&self, region: &RegionInfo, ctx: &PolicyContext<'_>) -> (ImageCodec, f64, f64) {
        let bps = ctx.screen_bps();
        let mut best = (super::lossless_fallback(ctx.caps), f64::INFINITY, f64::INFINITY);
        for c in [ImageCodec::Glz, ImageCodec::ZlibGlz, ImageCodec::Lz, ImageCodec::Lz4, ImageCodec::Quic] {
            if !c.allowed_by(ctx.caps) {
                continue;
            }
            let mut p = ctx.costs.predict_region(c, region);
            // Optimism under uncertainty: a codec never measured on this class is
            // assumed to do better than its prior until it has been tried (GLZ's
            // dictionary makes repeated content far cheaper than any prior).
            if ctx.costs.observations(c.family(), region.class) < EXPLORE_MIN {
                p.bytes *= EXPLORE_OPTIMISM;
            }
            let t = p.latency_us(bps);
            if t < best.1 {
                best = (c, t, p.bytes);
            }
        }
        best
    }
}

impl Policy for AdaptivePolicy {
    fn name(&self) -> String {
        "adaptive".into()
    }

    fn copies_scrolls(&self) -> bool {
        self.cfg.copy_scrolls
    }

    fn choose(&mut self, region: &RegionInfo, ctx: &PolicyContext<'_>) -> Choice {
        let bps = ctx.screen_bps();
        let budget = ctx.budget_bytes as f64;
        let target = ctx.latency_target as f64;
        let (lossless, t, bytes) = self.best_lossless(region, ctx);
        let mbps = bps / 1e6;
        let lossy_ok = ctx.caps.jpeg && !region.refresh;
        match region.class {
            Class::Solid => Choice { codec: lossless, reason: "solid: lossless is a few bytes".into() },
            Class::Text => {
                // Starved: the link cannot carry the text within several latency
                // targets, not merely this poll's leftover budget.
                let window = ctx.window_bytes as f64;
                let lossy = ImageCodec::Jpeg { quality: self.cfg.text_lossy_quality };
                let lossy_bytes = ctx.costs.predict(lossy, region.class, region.pixels()).bytes;
                // JPEG only pays for text when it is much smaller than the lossless
                // form: sharp glyphs cost JPEG more than they cost GLZ.
                if lossy_ok && bytes > self.cfg.starved_factor * window && lossy_bytes < 0.5 * bytes {
                    Choice {
                        codec: lossy,
                        reason: format!(
                            "text, link starved: lossless {} needs {:.0} B, {:.1}x the {:.0} B a poll may send at {mbps:.2} Mbit/s; JPEG ({:.0} B) now, lossless refresh later",
                            lossless.label(),
                            bytes,
                            bytes / window.max(1.0),
                            window,
                            lossy_bytes
                        ),
                    }
                } else {
                    Choice {
                        codec: lossless,
                        reason: format!(
                            "text stays lossless: {} is the fastest ({:.1} ms for {:.0} B at {mbps:.2} Mbit/s)",
                            lossless.label(),
                            t / 1000.0,
                            bytes
                        ),
                    }
                }
            }
            Class::Image | Class::Video => {
                if !lossy_ok || (t <= target && bytes <= budget) {
                    let why = if region.refresh { "lossless refresh" } else { "bandwidth plentiful" };
                    return Choice {
                        codec: lossless,
                        reason: format!(
                            "{why}: {} in {:.1} ms ({:.0} B, budget {:.0} B, target {:.0} ms)",
                            lossless.label(),
                            t / 1000.0,
                            bytes,
                            budget,
                            target / 1000.0
                        ),
                    };
                }
                let floor = self.cfg.image_quality_floor;
                let mut pick = floor;
                let mut pick_bytes = f64::NAN;
                for q in JPEG_LADDER.into_iter().filter(|&q| q >= floor) {
                    let p = ctx.costs.predict(ImageCodec::Jpeg { quality: q }, region.class, region.pixels());
                    pick_bytes = p.bytes;
                    pick = q;
                    if p.bytes <= budget && p.latency_us(bps) <= target {
                        break;
                    }
                }
                Choice {
                    codec: ImageCodec::Jpeg { quality: pick },
                    reason: format!(
                        "image: lossless {} would take {:.0} ms; JPEG q{pick} predicted {:.0} B of a {:.0} B budget at {mbps:.2} Mbit/s{}",
                        lossless.label(),
                        t / 1000.0,
                        pick_bytes,
                        budget,
                        if pick == floor { " (quality floor)" } else { "" }
                    ),
                }
            }
        }
    }

    fn stream(&mut self, rect: Rect, _frames_as_video: u32, ctx: &PolicyContext<'_>) -> Option<VideoCodec> {
        if u64::from(rect.width) * u64::from(rect.height) < self.cfg.min_stream_pixels {
            return None;
        }
        if ctx.caps.h264 {
            Some(VideoCodec::H264)
        } else if ctx.caps.mjpeg {
            Some(VideoCodec::Mjpeg)
        } else {
            None
        }
    }

    fn stream_bitrate(&mut self, area_share: f64, ctx: &PolicyContext<'_>) -> u32 {
        (ctx.screen_bps() * self.cfg.stream_share * area_share).clamp(100_000.0, 50_000_000.0) as u32
    }

    fn stream_quality(&mut self, rect: Rect, ctx: &PolicyContext<'_>) -> u8 {
        let px = u64::from(rect.width) * u64::from(rect.height);
        let per_frame = ctx.screen_bps() * self.cfg.stream_share / 8.0 / self.cfg.stream_fps;
        JPEG_LADDER
            .into_iter()
            .find(|&q| ctx.costs.predict(ImageCodec::Jpeg { quality: q }, Class::Video, px).bytes <= per_frame)
            .unwrap_or(JPEG_LADDER[JPEG_LADDER.len() - 1])
    }

    fn refresh_delay(&self, class: Class) -> Micros {
        self.cfg.refresh_delay[class as usize]
    }

    fn refresh_codec(&mut self, region: &RegionInfo, ctx: &PolicyContext<'_>) -> ImageCodec {
        // A refresh is background work, and content refreshed through GLZ enters
        // the client's dictionary: when it comes back (a slideshow, a window
        // switched back to) it costs a few bytes. So GLZ, unless the client
        // lacks it.
        for c in [ImageCodec::ZlibGlz, ImageCodec::Glz] {
            if c.allowed_by(ctx.caps) && region.pixels() <= ctx.caps.glz_window_pixels {
                return c;
            }
        }
        self.best_lossless(region, ctx).0
    }
}
