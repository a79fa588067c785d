//! `CostModel`: what coding a region costs, learned from what was coded.
//!
//! Bytes per pixel are learned per codec family, class and region size (up to
//! 4 tiles, up to 64, larger) as a multiplier on a prior curve (for JPEG the
//! prior is a function of quality, so one JPEG encode at q60 also informs the
//! prediction at q85). Encode time comes from
//! configured speeds, never from a clock (the engine is deterministic); the
//! client's decode time is learned from its reports.

use super::{CodecFamily, ImageCodec};
use crate::classify::Class;
use crate::network::Micros;

/// Weight of a new observation in the running multipliers.
const LEARN_RATE: f64 = 0.3;
/// Multipliers stay within this factor of the prior: one odd region cannot wreck it.
const MULTIPLIER_RANGE: (f64, f64) = (0.05, 20.0);
/// Share of its fresh cost a region GLZ finds whole in its dictionary still costs.
const REPEAT_FLOOR: f64 = 0.03;
/// Regions under this many pixels teach nothing (headers dominate).
const MIN_LEARN_PIXELS: u64 = 1024;

/// Coding speeds in nanoseconds per pixel, per codec family (index of
/// [`CodecFamily::ALL`]). Defaults are this project's single-thread measurements
/// (`docs/formats/*.md`), rounded up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodecSpeeds {
    /// Server encode, ns per pixel.
    pub encode_ns_per_px: [f64; 6],
    /// Client decode before any report arrives, ns per pixel.
    pub decode_ns_per_px: [f64; 6],
}

impl Default for CodecSpeeds {
    fn default() -> Self {
        // Lz, Glz, ZlibGlz, Lz4, Quic, Jpeg.
        CodecSpeeds {
            encode_ns_per_px: [4.0, 5.0, 9.0, 1.5, 8.0, 2.5],
            decode_ns_per_px: [3.0, 3.0, 5.0, 1.0, 10.0, 4.0],
        }
    }
}

/// A predicted cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Bytes on the wire.
    pub bytes: f64,
    /// Server encode time, µs.
    pub encode_us: f64,
    /// Client decode time, µs.
    pub decode_us: f64,
}

impl Prediction {
    /// Time until the client shows the region at `bps`: transfer plus coding, µs.
    pub fn latency_us(&self, bps: f64) -> f64 {
        self.bytes * 8.0 * 1e6 / bps.max(1.0) + self.encode_us + self.decode_us
    }
}

/// Learned per-family, per-class costs.
#[derive(Debug, Clone, PartialEq)]
pub struct CostModel {
    speeds: CodecSpeeds,
    /// Bytes multiplier on the prior, [family][class][size class].
    bytes_mult: [[[f64; SIZE_CLASSES]; 4]; 6],
    /// Encodes learned from, [family][class][size class].
    learned: [[[u32; SIZE_CLASSES]; 4]; 6],
    /// Client decode ns per pixel, [family].
    decode_ns: [f64; 6],
}

fn fam(f: CodecFamily) -> usize {
    f as usize
}

/// Region sizes learned apart: up to 4 tiles (a keystroke, a cursor: headers and
/// dictionary hits weigh most), up to 64 tiles (a window's worth), larger. One
/// multiplier for all sizes let small updates move the prediction for a whole
/// screen of the same class, and back.
const SIZE_CLASSES: usize = 3;

fn size_class(pixels: u64) -> usize {
    match pixels {
        0..=16_384 => 0,
        16_385..=262_144 => 1,
        _ => 2,
    }
}

impl CostModel {
    /// A model starting from the priors and `speeds`.
    pub fn new(speeds: CodecSpeeds) -> Self {
        CostModel {
            speeds,
            bytes_mult: [[[1.0; SIZE_CLASSES]; 4]; 6],
            learned: [[[0; SIZE_CLASSES]; 4]; 6],
            decode_ns: speeds.decode_ns_per_px,
        }
    }

    /// The prior bytes per pixel of `codec` on `class` content: typical values on
    /// this project's corpora (screens, photos, video frames).
    pub fn prior_bytes_per_px(codec: ImageCodec, class: Class) -> f64 {
        let photo = matches!(class, Class::Image | Class::Video);
        match (codec, class) {
            (_, Class::Solid) => 0.005,
            (ImageCodec::Jpeg { quality }, _) => {
                let q = f64::from(quality.clamp(1, 100)) / 100.0;
                // Photos: ~0.1 B/px at q50, ~0.25 at q85, ~0.55 at q95; text costs about twice.
                let base = 0.04 + 0.5 * q.powi(4) + 0.08 * q;
                if photo { base } else { base * 2.0 }
            }
            (ImageCodec::Quic, _) => {
                if photo {
                    1.3
                } else {
                    0.6
                }
            }
            (ImageCodec::Glz | ImageCodec::Lz, _) => {
                if photo {
                    2.4
                } else {
                    0.25
                }
            }
            (ImageCodec::ZlibGlz, _) => {
                if photo {
                    2.0
                } else {
                    0.17
                }
            }
            (ImageCodec::Lz4, _) => {
                if photo {
                    3.2
                } else {
                    0.4
                }
            }
        }
    }

    /// The predicted cost of coding `pixels` of `class` with `codec`.
    pub fn predict(&self, codec: ImageCodec, class: Class, pixels: u64) -> Prediction {
        let f = fam(codec.family());
        let px = pixels as f64;
        Prediction {
            bytes: Self::prior_bytes_per_px(codec, class) * self.multiplier(f, class, pixels) * px + 64.0,
            encode_us: self.speeds.encode_ns_per_px[f] * px / 1000.0,
            decode_us: self.decode_ns[f] * px / 1000.0,
        }
    }

    /// The predicted cost of `region` with `codec`: [`CostModel::predict`], with
    /// GLZ's bytes cut by the share of the region its dictionary already holds.
    pub fn predict_region(&self, codec: ImageCodec, region: &super::RegionInfo) -> Prediction {
        let mut p = self.predict(codec, region.class, region.pixels());
        if matches!(codec, ImageCodec::Glz | ImageCodec::ZlibGlz) {
            // A known tile still costs its references: a few percent.
            p.bytes *= (1.0 - f64::from(region.repeat_share)).max(REPEAT_FLOOR);
        }
        p
    }

    /// Learns from an encode: `bytes` for `pixels` of `class` with `codec`.
    pub fn observe_encode(&mut self, codec: ImageCodec, class: Class, pixels: u64, bytes: u64) {
        if pixels < MIN_LEARN_PIXELS {
            return;
        }
        let prior = Self::prior_bytes_per_px(codec, class) * pixels as f64;
        let ratio = (bytes as f64 / prior).clamp(MULTIPLIER_RANGE.0, MULTIPLIER_RANGE.1);
        let f = fam(codec.family());
        let b = size_class(pixels);
        if self.learned[f][class as usize][b] == 0 {
            // The first encode of a size starts from what the other sizes learned.
            self.bytes_mult[f][class as usize][b] = self.multiplier(f, class, pixels);
        }
        self.learned[f][class as usize][b] = self.learned[f][class as usize][b].saturating_add(1);
        let m = &mut self.bytes_mult[f][class as usize][b];
        // Geometric mean: byte ratios spread multiplicatively.
        *m = (m.ln() * (1.0 - LEARN_RATE) + ratio.ln() * LEARN_RATE).exp();
    }

    /// Learns from a client report: decoding `pixels` with `family` took `micros`.
    pub fn observe_decode(&mut self, family: CodecFamily, pixels: u64, micros: Micros) {
        if pixels < MIN_LEARN_PIXELS {
            return;
        }
        let ns = (micros as f64 * 1000.0 / pixels as f64).clamp(0.01, 10_000.0);
        let d = &mut self.decode_ns[fam(family)];
        *d = *d * (1.0 - LEARN_RATE) + ns * LEARN_RATE;
    }

    /// How many encodes of `family` on `class` the model has learned from.
    pub fn observations(&self, family: CodecFamily, class: Class) -> u32 {
        self.learned[fam(family)][class as usize].iter().fold(0u32, |a, &n| a.saturating_add(n))
    }

    /// The learned bytes multiplier of `family` on `class` (1.0: the prior holds).
    pub fn bytes_multiplier(&self, family: CodecFamily, class: Class, pixels: u64) -> f64 {
        self.multiplier(fam(family), class, pixels)
    }

    /// The learned multiplier for a size; a size never coded takes the nearest
    /// size class that was (1.0, the prior, when none was).
    fn multiplier(&self, f: usize, class: Class, pixels: u64) -> f64 {
        let b = size_class(pixels);
        let learned = &self.learned[f][class as usize];
        let nearest = (0..SIZE_CLASSES).filter(|&k| learned[k] > 0).min_by_key(|&k| (k.abs_diff(b), k));
        nearest.map_or(1.0, |k| self.bytes_mult[f][class as usize][k])
    }
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel::new(CodecSpeeds::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learning_moves_predictions_toward_observations() {
        let mut m = CostModel::default();
        let jpeg60 = ImageCodec::Jpeg { quality: 60 };
        let before = m.predict(jpeg60, Class::Image, 100_000).bytes;
        // Observed: twice the prior, repeatedly.
        for _ in 0..30 {
            let prior = CostModel::prior_bytes_per_px(jpeg60, Class::Image) * 100_000.0;
            m.observe_encode(jpeg60, Class::Image, 100_000, (2.0 * prior) as u64);
        }
        let after = m.predict(jpeg60, Class::Image, 100_000).bytes;
        assert!((after / before - 2.0).abs() < 0.05, "{before} -> {after}");
        // The same family at another quality learned too; other classes did not.
        let q85 = ImageCodec::Jpeg { quality: 85 };
        assert!((m.bytes_multiplier(CodecFamily::Jpeg, Class::Image, 100_000) - 2.0).abs() < 0.05);
        assert_eq!(m.bytes_multiplier(CodecFamily::Jpeg, Class::Text, 100_000), 1.0);
        assert!(m.predict(q85, Class::Image, 1000).bytes > m.predict(jpeg60, Class::Image, 1000).bytes);
    }

    #[test]
    fn sizes_are_learned_apart_and_a_new_size_starts_from_the_nearest() {
        let mut m = CostModel::default();
        let (small, screen) = (64 * 64, 1920 * 1080);
        let prior = |px: u64| CostModel::prior_bytes_per_px(ImageCodec::ZlibGlz, Class::Text) * px as f64;
        // Keystrokes: small regions cost 3x the prior (headers weigh most).
        for _ in 0..30 {
            m.observe_encode(ImageCodec::ZlibGlz, Class::Text, small, (3.0 * prior(small)) as u64);
        }
        // With nothing learned for large regions, they take the small ones' multiplier...
        assert!((m.bytes_multiplier(CodecFamily::ZlibGlz, Class::Text, screen) - 3.0).abs() < 0.1);
        // ...until a screen is coded: then screens follow screens and keystrokes keystrokes.
        for _ in 0..30 {
            m.observe_encode(ImageCodec::ZlibGlz, Class::Text, screen, (0.5 * prior(screen)) as u64);
        }
        assert!((m.bytes_multiplier(CodecFamily::ZlibGlz, Class::Text, screen) - 0.5).abs() < 0.02);
        assert!((m.bytes_multiplier(CodecFamily::ZlibGlz, Class::Text, small) - 3.0).abs() < 0.1);
        // A window-sized region, never coded, takes the nearer size class (ties: the smaller).
        assert!((m.bytes_multiplier(CodecFamily::ZlibGlz, Class::Text, 100_000) - 3.0).abs() < 0.1);
        m.observe_encode(ImageCodec::ZlibGlz, Class::Text, screen, (0.5 * prior(screen)) as u64);
        assert_eq!(m.observations(CodecFamily::ZlibGlz, Class::Text), 61);
    }

    #[test]
    fn jpeg_prior_grows_with_quality() {
        let mut last = 0.0;
        for q in [10u8, 30, 50, 70, 85, 95, 100] {
            let b = CostModel::prior_bytes_per_px(ImageCodec::Jpeg { quality: q }, Class::Image);
            assert!(b > last, "q{q}: {b}");
            last = b;
        }
    }

    #[test]
    fn decode_reports_are_learned() {
        let mut m = CostModel::default();
        for _ in 0..40 {
            m.observe_decode(CodecFamily::Quic, 1_000_000, 50_000); // 50 ns/px: a slow client
        }
        let p = m.predict(ImageCodec::Quic, Class::Image, 1_000_000);
        assert!((p.decode_us - 50_000.0).abs() < 1000.0, "{}", p.decode_us);
    }
}
