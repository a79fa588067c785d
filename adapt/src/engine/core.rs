//! `Engine`: the loop that ties damage, classes, the network and a policy together.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;

use paprika_codecs::glz::{GlzDictionary, GlzEncoder};
use paprika_codecs::{ImageDesc, ImageRef, PixelFormat, Rect, Result};
use rayon::prelude::*;

use super::config::EngineConfig;
use super::encode::encode_region;
use super::feedback::Feedback;
use super::repeats::{RepeatIndex, tile_hash};
use super::streams::{VideoStream, stream_rect};
use super::update::{Decision, Update, UpdateKind};
use crate::classify::{Class, Classifier, ClassifierConfig};
use crate::damage::{DamageTracker, ScrollHint};
use crate::network::{BandwidthEstimator, Micros, NetworkEstimate};
use crate::policy::{
    CodecFamily, CostModel, ImageCodec, Policy, PolicyContext, RegionInfo, VideoCodec, lossless_fallback,
};
use crate::record::{Recorder, updates_digest};

/// Updates whose size and codec are remembered for the client's decode reports.
const DECODE_MEMORY: usize = 4096;
/// A stream whose region has not changed for this long ends (SPICE waits 1 s,
/// `RED_STREAM_TIMEOUT`; a paused video is better refreshed sooner).
const STREAM_IDLE: Micros = 300 * crate::network::MS;
/// A stream report with a playback margin below this counts as late (SPICE's
/// `MJPEG_VIDEO_DELAY_TH`).
const STREAM_LATE_MS: i32 = -15;
/// Stream rate factor after a bad report, and after a good one.
const STREAM_BACKOFF: f64 = 0.8;
const STREAM_RECOVER: f64 = 1.05;
/// The stream rate factor never falls below this.
const STREAM_SCALE_MIN: f64 = 0.25;
/// The least a poll may plan, bytes: a few small text updates always fit.
const MIN_POLL_BYTES: u64 = 4096;

/// What the engine knows of a tile's state on the client.
#[derive(Debug, Clone, Copy, Default)]
struct TileSend {
    /// Changed since last sent.
    dirty: bool,
    /// The client holds a lossy version.
    lossy: bool,
    /// When it last changed.
    changed_at: Micros,
    /// The stream covering it.
    stream: Option<u32>,
}

/// Counters since the engine started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Frames submitted.
    pub frames: u64,
    /// Updates produced.
    pub updates: u64,
    /// Wire bytes of all updates.
    pub bytes: u64,
    /// Images sent lossy.
    pub lossy_images: u64,
    /// Lossless refreshes sent.
    pub refreshes: u64,
    /// Streams created.
    pub streams_created: u64,
    /// Stream frames sent.
    pub stream_frames: u64,
    /// Frames the client reported dropped.
    pub client_dropped_frames: u64,
}

/// A tile under a scroll copy: see [`Engine::copy_plan`].
struct CopiedTile {
    index: usize,
    whole: bool,
    exact: bool,
}

/// A region planned for this poll.
struct Job {
    rect: Rect,
    class: Class,
    codec: ImageCodec,
    reason: String,
    predicted: f64,
    budget: u64,
    refresh: bool,
    image_id: u64,
    repeat_share: f32,
}

/// The adaptive engine for one surface and one client.
pub struct Engine {
    cfg: EngineConfig,
    policy: Box<dyn Policy>,
    tracker: DamageTracker,
    classifier: Classifier,
    estimator: BandwidthEstimator,
    costs: CostModel,
    tiles: Vec<TileSend>,
    /// Consecutive frames each tile has been Video.
    video_frames: Vec<u32>,
    frame_index: u64,
    glz: Option<GlzEncoder>,
    next_update: u64,
    next_image: u64,
    streams: Vec<VideoStream>,
    next_stream: u32,
    sent_info: VecDeque<(u64, CodecFamily, u64)>,
    stats: EngineStats,
    recorder: Option<Recorder>,
    /// This poll's full byte window.
    window: u64,
    /// Factor on stream bitrates from the client's stream reports.
    stream_scale: f64,
    /// Content hash of each tile as of its last change.
    tile_hashes: Vec<u64>,
    /// Tile contents the GLZ dictionary holds.
    repeats: RepeatIndex,
    /// Scrolls found in submitted frames, to send as copies at the next poll.
    copies: Vec<ScrollHint>,
}

impl Engine {
    /// An engine for `cfg`'s surface, deciding with `policy`.
    ///
    /// Errors: a surface or tile size the damage tracker refuses, or a GLZ window
    /// the dictionary refuses.
    pub fn new(cfg: EngineConfig, policy: Box<dyn Policy>) -> Result<Self> {
        let tracker = DamageTracker::new(cfg.width, cfg.height, cfg.tile)?
            .with_parallel(cfg.parallel)
            .with_scroll_detection(policy.copies_scrolls());
        let classifier = Classifier::new(*tracker.grid(), ClassifierConfig::default()).with_parallel(cfg.parallel);
        let glz = if cfg.caps.glz {
            Some(GlzEncoder::new(Arc::new(GlzDictionary::new(cfg.caps.glz_window_pixels)?)))
        } else {
            None
        };
        let n = tracker.grid().len();
        Ok(Engine {
            policy,
            estimator: BandwidthEstimator::new(cfg.estimator),
            costs: CostModel::new(cfg.speeds),
            tiles: vec![TileSend::default(); n],
            video_frames: vec![0; n],
            frame_index: 0,
            glz,
            next_update: 1,
            next_image: 1,
            streams: Vec::new(),
            next_stream: 1,
            sent_info: VecDeque::new(),
            stats: EngineStats::default(),
            recorder: None,
            window: MIN_POLL_BYTES,
            stream_scale: 1.0,
            tile_hashes: vec![0; n],
            repeats: RepeatIndex::new(cfg.caps.glz_window_pixels),
            copies: Vec::new(),
            tracker,
            classifier,
            cfg,
        })
    }

    /// Records every input from now on to `out` (see [`crate::record`]); call it
    /// before the first frame so the recording can be replayed.
    pub fn record_to(&mut self, out: Box<dyn Write + Send>) -> Result<()> {
        self.recorder = Some(Recorder::new(out, &self.cfg, &self.policy.name())?);
        Ok(())
    }

    /// Flushes the recording and reports whether it was written completely.
    pub fn finish_recording(&mut self) -> std::io::Result<()> {
        self.recorder.take().map_or(Ok(()), |mut r| r.flush())
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// The policy's name.
    pub fn policy_name(&self) -> String {
        self.policy.name()
    }

    /// The network as estimated now.
    pub fn estimate(&self) -> NetworkEstimate {
        self.estimator.estimate()
    }

    /// The classifier (classes per tile, regions).
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    /// The class of tile `i` (row-major in the tile grid), once observed.
    pub fn tile_class(&self, i: usize) -> Option<Class> {
        (i < self.tiles.len()).then(|| self.class_of(i))
    }

    /// The factor stream reports put on stream bitrates (1.0: no trouble reported).
    pub fn stream_scale(&self) -> f64 {
        self.stream_scale
    }

    /// The learned costs.
    pub fn costs(&self) -> &CostModel {
        &self.costs
    }

    /// Counters.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// Whether every tile the client shows equals the source (nothing dirty,
    /// lossy or streamed).
    pub fn is_converged(&self) -> bool {
        self.frame_index > 0 && self.tiles.iter().all(|t| !t.dirty && !t.lossy && t.stream.is_none())
    }

    /// The screen as it is now: `frame` (`Bgrx32`, or `Bgra32` whose alpha is
    /// ignored when coding) of the configured size. `hint` is the server's damage,
    /// which may be coarse or missing: change is detected exactly either way.
    pub fn submit_frame(&mut self, frame: &ImageRef<'_>, hint: Option<&[Rect]>, now: Micros) -> Result<()> {
        if let Some(r) = &mut self.recorder {
            r.frame(frame, hint, now);
        }
        self.frame_index += 1;
        let damage = self.tracker.update(frame, hint, self.frame_index)?;
        self.classifier.observe(frame, &damage, &self.tracker)?;
        // Judged on the tiles' state before this frame: the client must hold, at the
        // source, what the previous frame had there.
        let copies: Vec<(ScrollHint, Vec<CopiedTile>)> =
            damage.scroll_hints().iter().filter(|h| self.copy_is_sound(h)).map(|h| (*h, self.copy_plan(h))).collect();
        let grid = *self.tracker.grid();
        for c in damage.changed_tiles() {
            let i = c.index as usize;
            let t = &mut self.tiles[i];
            t.dirty = true;
            t.changed_at = now;
            self.tile_hashes[i] = tile_hash(frame, grid.tile_rect(i));
        }
        for (h, plan) in copies {
            self.apply_copy(&h, &plan, now);
            self.copies.push(h);
        }
        for (i, v) in self.video_frames.iter_mut().enumerate() {
            *v = if self.classifier.class(i) == Some(Class::Video) { v.saturating_add(1) } else { 0 };
        }
        self.stats.frames += 1;
        Ok(())
    }

    /// Whether a scroll can be sent as a copy: the tiles under its source hold the
    /// previous frame on the client (sent, unchanged since; lossy is allowed and
    /// carried over), and no stream draws over either rectangle.
    fn copy_is_sound(&self, h: &ScrollHint) -> bool {
        let src = scroll_source(h);
        self.tiles_in(src).iter().all(|&i| !self.tiles[i].dirty && self.tiles[i].stream.is_none())
            && self.tiles_in(h.rect).iter().all(|&i| self.tiles[i].stream.is_none())
    }

    /// What the copy does to each tile of `h.rect`, judged before this frame
    /// marks its damage: whether the tile lies wholly inside the copy, and whether
    /// the client will then hold it exactly (as exactly as the source tiles) —
    /// a whole tile always (the detector checked every pixel), a part-covered one
    /// when its other rows did not change and it held the previous frame.
    fn copy_plan(&self, h: &ScrollHint) -> Vec<CopiedTile> {
        let grid = self.tracker.grid();
        let (top, bottom) = (h.rect.y, h.rect.y + h.rect.height);
        self.tiles_in(h.rect)
            .into_iter()
            .map(|index| {
                let r = grid.tile_rect(index);
                let (above, below) = (r.y < top, r.y + r.height > bottom);
                let whole = !above && !below;
                let rest_still = (!above || h.top_unchanged) && (!below || h.bottom_unchanged);
                CopiedTile { index, whole, exact: whole || (rest_still && !self.tiles[index].dirty) }
            })
            .collect()
    }

    /// Applies a copy's plan: exact tiles are clean; a whole tile shows only the
    /// source's pixels and takes its lossiness, a part-covered one keeps its own
    /// for the rows outside the copy.
    fn apply_copy(&mut self, h: &ScrollHint, plan: &[CopiedTile], now: Micros) {
        let src_lossy = self.tiles_in(scroll_source(h)).iter().any(|&i| self.tiles[i].lossy);
        for c in plan {
            let t = &mut self.tiles[c.index];
            if c.exact {
                t.dirty = false;
            }
            t.lossy = if c.whole { src_lossy } else { t.lossy || src_lossy };
            if src_lossy {
                t.changed_at = now;
            }
        }
    }

    /// Takes one feedback event.
    pub fn on_feedback(&mut self, event: Feedback) {
        if let Some(r) = &mut self.recorder {
            r.feedback(&event);
        }
        match event {
            Feedback::Sent { id, bytes, at } => self.estimator.on_sent(id, bytes, at),
            Feedback::Acked { id, at } => {
                self.estimator.on_acked(id, at);
            }
            Feedback::Rtt { rtt, at } => self.estimator.on_rtt_sample(rtt, at),
            Feedback::Decoded { id, micros } => {
                if let Some(&(_, family, px)) = self.sent_info.iter().find(|(u, _, _)| *u == id) {
                    self.costs.observe_decode(family, px, micros);
                }
            }
            Feedback::StreamReport { dropped, margin_ms, .. } => {
                self.stats.client_dropped_frames += u64::from(dropped);
                // Drops or late frames: the client or the path cannot keep up with the
                // streams' rate even if the estimate says the link could. Back off
                // multiplicatively, recover slowly (SPICE's MJPEG control reacts to the
                // same reports, `mjpeg_encoder_client_stream_report`).
                self.stream_scale = if dropped > 0 || margin_ms < STREAM_LATE_MS {
                    (self.stream_scale * STREAM_BACKOFF).max(STREAM_SCALE_MIN)
                } else {
                    (self.stream_scale * STREAM_RECOVER).min(1.0)
                };
            }
        }
    }

    /// The class a tile is coded as: its settled class when that is Video (streams
    /// need a stable decision), else what its current content is — the settled
    /// class lags a change by the classifier's dwell, and a tile that was a fill
    /// and now shows text must not be coded as a fill.
    fn class_of(&self, i: usize) -> Class {
        let t = self.classifier.tile(i);
        match t.class {
            Some(Class::Video) => Class::Video,
            _ => t.content,
        }
    }

    fn tiles_in(&self, rect: Rect) -> Vec<usize> {
        self.tracker.grid().tiles_in(rect)
    }

    fn repeat_share(&self, rect: Rect) -> f32 {
        if self.glz.is_none() {
            return 0.0;
        }
        let tiles = self.tiles_in(rect);
        let known = tiles.iter().filter(|&&i| self.repeats.contains(self.tile_hashes[i])).count();
        known as f32 / tiles.len().max(1) as f32
    }

    fn mean_graduality(&self, rect: Rect) -> f32 {
        let tiles = self.tiles_in(rect);
        let sum: f32 = tiles.iter().map(|&i| self.classifier.tile(i).features.graduality).sum();
        sum / tiles.len().max(1) as f32
    }

    /// What to send now. Updates come in the order they must be sent.
    pub fn poll(&mut self, now: Micros) -> Result<Vec<Update>> {
        let out = self.poll_inner(now)?;
        if let Some(r) = &mut self.recorder {
            r.poll(now, out.len(), updates_digest(&out));
        }
        Ok(out)
    }

    fn poll_inner(&mut self, now: Micros) -> Result<Vec<Update>> {
        let mut out = Vec::new();
        if self.frame_index == 0 {
            return Ok(out);
        }
        let network = self.estimator.estimate();
        // Copies first, whatever the budget (a few bytes each): later images of
        // the moved tiles are coded against the screen after them.
        for h in std::mem::take(&mut self.copies) {
            self.emit_copy(h, network, &mut out);
        }
        let room = self.estimator.send_budget();
        // The pacing rate, not the estimate: above it while probing (an engine
        // that sends only what it estimated would never learn of more), below it
        // while a queue drains.
        let screen_bps = (network.pacing_bps - self.cfg.audio_bps).max(network.pacing_bps * 0.1);
        let window = ((screen_bps * self.cfg.latency_target as f64 / 8e6) as u64).max(MIN_POLL_BYTES);
        self.window = window;
        let mut budget = room.min(window);

        self.update_streams(now, network, budget, &mut out)?;
        self.stream_frames(now, network, &mut budget, &mut out)?;
        if room == 0 {
            return Ok(self.finish(out));
        }

        // Changed regions, text first; then lossy regions due for a lossless refresh.
        let grid = *self.tracker.grid();
        let dirty = grid.merge(|i| {
            let t = &self.tiles[i];
            (t.dirty && t.stream.is_none()).then(|| self.class_of(i))
        });
        let due = grid.merge(|i| {
            let t = &self.tiles[i];
            let class = self.class_of(i);
            (t.lossy && !t.dirty && t.stream.is_none() && now >= t.changed_at + self.policy.refresh_delay(class))
                .then_some(class)
        });
        let mut candidates: Vec<(Rect, Class, bool)> = dirty.into_iter().map(|(r, c)| (r, c, false)).collect();
        candidates.sort_by_key(|&(_, c, _)| matches!(c, Class::Image | Class::Video));
        let mut refresh: Vec<(Rect, Class, bool)> = due.into_iter().map(|(r, c)| (r, c, true)).collect();
        refresh.sort_by_key(|&(_, c, _)| matches!(c, Class::Image | Class::Video));

        let mut jobs = Vec::new();
        let mut deferred = false;
        for (rect, class, _) in candidates {
            let info = RegionInfo {
                rect,
                class,
                graduality: self.mean_graduality(rect),
                refresh: false,
                repeat_share: self.repeat_share(rect),
            };
            let ctx = context(&self.cfg, &self.costs, now, network, budget, self.window);
            let c = self.policy.choose(&info, &ctx);
            let codec = self.usable(c.codec, &info, false);
            let predicted = self.costs.predict_region(codec, &info).bytes;
            if !jobs.is_empty() && predicted > budget as f64 {
                deferred = true;
                continue; // stays dirty; coalesces with later changes
            }
            jobs.push(self.job(rect, class, codec, c.reason, predicted, budget, false));
            budget = budget.saturating_sub(predicted as u64);
        }
        // Refreshes only use what changed content left, in pieces that fit, so a
        // refresh never holds back the next change for long. A piece is one tile
        // row of its region, cut further to the tiles the budget allows.
        if !deferred {
            let tile = grid.tile();
            'regions: for (rect, class, _) in refresh {
                let mut y = rect.y;
                while y < rect.y + rect.height {
                    let band = Rect::new(rect.x, y, rect.width, tile.min(rect.y + rect.height - y));
                    y += band.height;
                    let mut x = band.x;
                    while x < band.x + band.width {
                        let info = RegionInfo {
                            rect: band,
                            class,
                            graduality: self.mean_graduality(band),
                            refresh: true,
                            repeat_share: self.repeat_share(band),
                        };
                        let ctx = context(&self.cfg, &self.costs, now, network, budget, self.window);
                        let chosen = self.policy.refresh_codec(&info, &ctx);
                        let codec = self.usable(chosen, &info, true);
                        let per_tile = self.costs.predict(codec, class, u64::from(tile) * u64::from(band.height)).bytes;
                        let fit = (budget as f64 / per_tile.max(1.0)).floor() as u32;
                        let left = (band.x + band.width - x).div_ceil(tile);
                        let n = if jobs.is_empty() { fit.max(1) } else { fit }.min(left);
                        if n == 0 {
                            break 'regions;
                        }
                        let piece = Rect::new(x, band.y, (n * tile).min(band.x + band.width - x), band.height);
                        x += piece.width;
                        let px = u64::from(piece.width) * u64::from(piece.height);
                        let predicted = self.costs.predict(codec, class, px).bytes;
                        let reason =
                            format!("lossless refresh after {} ms unchanged", self.policy.refresh_delay(class) / 1000);
                        jobs.push(self.job(piece, class, codec, reason, predicted, budget, true));
                        budget = budget.saturating_sub(predicted as u64);
                    }
                }
            }
        }
        let encoded = self.encode_jobs(&jobs)?;
        for (job, data) in jobs.into_iter().zip(encoded) {
            self.emit_image(job, data, now, network, &mut out);
        }
        Ok(self.finish(out))
    }

    /// `codec` if the client takes it and it suits the region; else a lossless
    /// fallback (a refresh must be lossless; GLZ cannot hold more than its window).
    fn usable(&self, codec: ImageCodec, info: &RegionInfo, refresh: bool) -> ImageCodec {
        let caps = &self.cfg.caps;
        let mut codec = codec;
        if !codec.allowed_by(caps) || (refresh && !codec.is_lossless()) {
            codec = lossless_fallback(caps);
        }
        if matches!(codec, ImageCodec::Glz | ImageCodec::ZlibGlz) && info.pixels() > caps.glz_window_pixels {
            codec = ImageCodec::Lz;
        }
        codec
    }

    /// A planned region with the next image id.
    #[allow(clippy::too_many_arguments)]
    fn job(
        &mut self,
        rect: Rect,
        class: Class,
        codec: ImageCodec,
        reason: String,
        predicted: f64,
        budget: u64,
        refresh: bool,
    ) -> Job {
        let image_id = self.next_image;
        self.next_image += 1;
        let repeat_share = self.repeat_share(rect);
        Job { rect, class, codec, reason, predicted, budget, refresh, image_id, repeat_share }
    }

    fn finish(&mut self, out: Vec<Update>) -> Vec<Update> {
        self.stats.updates += out.len() as u64;
        self.stats.bytes += out.iter().map(|u| u.wire_bytes() as u64).sum::<u64>();
        out
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_update;
        self.next_update += 1;
        id
    }

    /// GLZ jobs in plan order on this thread (the dictionary's ids must follow
    /// the send order), the others in parallel.
    fn encode_jobs(&mut self, jobs: &[Job]) -> Result<Vec<Vec<u8>>> {
        let desc = ImageDesc::packed(self.cfg.width, self.cfg.height, PixelFormat::Bgrx32)?;
        let surface = ImageRef::new(desc, self.tracker.previous())?;
        let uses_glz = |j: &Job| matches!(j.codec, ImageCodec::Glz | ImageCodec::ZlibGlz);
        let mut results: Vec<Option<Vec<u8>>> = vec![None; jobs.len()];
        for (k, j) in jobs.iter().enumerate().filter(|(_, j)| uses_glz(j)) {
            results[k] = Some(encode_region(&surface, j.rect, j.codec, j.image_id, self.glz.as_mut())?);
        }
        let run = |(k, j): (usize, &Job)| encode_region(&surface, j.rect, j.codec, j.image_id, None).map(|d| (k, d));
        let others: Vec<Result<(usize, Vec<u8>)>> = if self.cfg.parallel {
            jobs.par_iter().enumerate().filter(|(_, j)| !uses_glz(j)).map(run).collect()
        } else {
            jobs.iter().enumerate().filter(|(_, j)| !uses_glz(j)).map(run).collect()
        };
        for r in others {
            let (k, d) = r?;
            results[k] = Some(d);
        }
        Ok(results.into_iter().map(|r| r.unwrap_or_default()).collect())
    }

    fn emit_image(&mut self, job: Job, data: Vec<u8>, _now: Micros, network: NetworkEstimate, out: &mut Vec<Update>) {
        let lossless = job.codec.is_lossless();
        let px = u64::from(job.rect.width) * u64::from(job.rect.height);
        // Costs learn what fresh content costs; content GLZ finds in its
        // dictionary is predicted from the repeat index instead.
        if job.repeat_share < 0.2 {
            self.costs.observe_encode(job.codec, job.class, px, data.len() as u64);
        }
        if matches!(job.codec, ImageCodec::Glz | ImageCodec::ZlibGlz) {
            let grid = *self.tracker.grid();
            for i in self.tiles_in(job.rect) {
                let r = grid.tile_rect(i);
                self.repeats.insert(self.tile_hashes[i], u64::from(r.width) * u64::from(r.height));
            }
        }
        for i in self.tiles_in(job.rect) {
            let t = &mut self.tiles[i];
            t.dirty = false;
            t.lossy = !lossless;
        }
        if !lossless {
            self.stats.lossy_images += 1;
        }
        if job.refresh {
            self.stats.refreshes += 1;
        }
        let id = self.next_id();
        self.sent_info.push_back((id, job.codec.family(), px));
        if self.sent_info.len() > DECODE_MEMORY {
            self.sent_info.pop_front();
        }
        let decision = Decision {
            rect: job.rect,
            class: job.class,
            codec: job.codec.label(),
            reason: job.reason,
            predicted_bytes: job.predicted,
            bytes: data.len() as u64,
            bandwidth_bps: network.bandwidth_bps,
            budget_bytes: job.budget,
            refresh: job.refresh,
        };
        out.push(Update { id, kind: UpdateKind::Image { rect: job.rect, data, lossless }, decision: Some(decision) });
    }

    fn emit_copy(&mut self, h: ScrollHint, network: NetworkEstimate, out: &mut Vec<Update>) {
        let src = scroll_source(&h);
        let id = self.next_id();
        let kind = UpdateKind::CopyBits { rect: h.rect, src: (src.x, src.y) };
        let class = self.tiles_in(h.rect).first().map_or(Class::Text, |&i| self.class_of(i));
        let dir = if h.dy < 0 { "up" } else { "down" };
        let decision = Decision {
            rect: h.rect,
            class,
            codec: "copy".into(),
            reason: format!("content moved {} rows {dir}: the client copies what it has", h.dy.unsigned_abs()),
            predicted_bytes: super::update::COPY_BITS_BYTES as f64,
            bytes: super::update::COPY_BITS_BYTES as u64,
            bandwidth_bps: network.bandwidth_bps,
            budget_bytes: 0,
            refresh: false,
        };
        out.push(Update { id, kind, decision: Some(decision) });
    }

    /// Creates streams for new video regions, ends those whose region is gone.
    fn update_streams(
        &mut self,
        now: Micros,
        network: NetworkEstimate,
        budget: u64,
        out: &mut Vec<Update>,
    ) -> Result<()> {
        let grid = *self.tracker.grid();
        // Video tiles that still change; the classifier only steps on new frames, so
        // a video that stopped keeps its class until the screen changes again.
        let live = |i: usize| {
            self.classifier.class(i) == Some(Class::Video) && now.saturating_sub(self.tiles[i].changed_at) < STREAM_IDLE
        };
        let video = grid.merge(|i| live(i).then_some(()));
        let total: f64 = video.iter().map(|(r, _)| f64::from(r.width) * f64::from(r.height)).sum();
        for s in &mut self.streams {
            s.seen = false;
        }
        for (rect, ()) in video {
            if let Some(s) = self.streams.iter_mut().find(|s| !s.failed && stream_rect(rect, s.codec) == Some(s.rect)) {
                s.seen = true;
                continue;
            }
            let frames = self.tiles_in(rect).iter().map(|&i| self.video_frames[i]).min().unwrap_or(0);
            let ctx = context(&self.cfg, &self.costs, now, network, budget, self.window);
            let Some(codec) = self.policy.stream(rect, frames, &ctx) else { continue };
            let Some(srect) = stream_rect(rect, codec) else { continue };
            // A region overlapping an existing stream waits until that one ends.
            if self.streams.iter().any(|s| !s.rect.intersect(&srect).is_empty()) {
                continue;
            }
            let share = f64::from(srect.width) * f64::from(srect.height) / total.max(1.0);
            let bitrate = self.policy.stream_bitrate(share, &ctx);
            let quality = self.policy.stream_quality(srect, &ctx);
            let id = self.next_stream;
            // An encoder the codec library refuses leaves the region to images.
            let Ok(stream) = VideoStream::new(id, srect, codec, bitrate, quality, self.cfg.video_threads) else {
                continue;
            };
            self.next_stream += 1;
            self.streams.push(stream);
            for i in self.tiles_in(srect) {
                if within(&grid.tile_rect(i), &srect) {
                    self.tiles[i].stream = Some(id);
                    self.tiles[i].dirty = true;
                }
            }
            self.stats.streams_created += 1;
            let uid = self.next_id();
            out.push(Update {
                id: uid,
                kind: UpdateKind::StreamCreate { stream: id, rect: srect, codec },
                decision: None,
            });
        }
        let gone: Vec<u32> = self.streams.iter().filter(|s| !s.seen || s.failed).map(|s| s.id).collect();
        for id in gone {
            self.streams.retain(|s| s.id != id);
            for t in self.tiles.iter_mut().filter(|t| t.stream == Some(id)) {
                t.stream = None;
                t.lossy = true; // the client shows the last video frame: refresh it
            }
            let uid = self.next_id();
            out.push(Update { id: uid, kind: UpdateKind::StreamDestroy { stream: id }, decision: None });
        }
        Ok(())
    }

    /// A frame for every stream whose region changed.
    fn stream_frames(
        &mut self,
        now: Micros,
        network: NetworkEstimate,
        budget: &mut u64,
        out: &mut Vec<Update>,
    ) -> Result<()> {
        if self.streams.is_empty() {
            return Ok(());
        }
        let desc = ImageDesc::packed(self.cfg.width, self.cfg.height, PixelFormat::Bgrx32)?;
        let total: f64 = self.streams.iter().map(|s| f64::from(s.rect.width) * f64::from(s.rect.height)).sum();
        for k in 0..self.streams.len() {
            let id = self.streams[k].id;
            if !self.tiles.iter().any(|t| t.stream == Some(id) && t.dirty) {
                continue;
            }
            let rect = self.streams[k].rect;
            let ctx = context(&self.cfg, &self.costs, now, network, *budget, self.window);
            let share = f64::from(rect.width) * f64::from(rect.height) / total.max(1.0);
            let bitrate = (f64::from(self.policy.stream_bitrate(share, &ctx)) * self.stream_scale) as u32;
            let quality = self.policy.stream_quality(rect, &ctx);
            let surface = ImageRef::new(desc, self.tracker.previous())?;
            let s = &mut self.streams[k];
            let codec = s.codec;
            let frame = match s.set_bitrate(bitrate).and_then(|()| s.encode(&surface, quality, now / 1000)) {
                Ok(f) => f,
                Err(_) => {
                    // A failing encoder ends its stream; the region goes back to images.
                    s.failed = true;
                    for t in self.tiles.iter_mut().filter(|t| t.stream == Some(id)) {
                        t.stream = None;
                        t.dirty = true;
                    }
                    continue;
                }
            };
            for t in self.tiles.iter_mut().filter(|t| t.stream == Some(id)) {
                t.dirty = false;
                t.lossy = true;
            }
            let Some(frame) = frame else { continue };
            let px = u64::from(rect.width) * u64::from(rect.height);
            if codec == VideoCodec::Mjpeg {
                self.costs.observe_encode(ImageCodec::Jpeg { quality }, Class::Video, px, frame.data.len() as u64);
            }
            *budget = budget.saturating_sub(frame.data.len() as u64);
            self.stats.stream_frames += 1;
            let (label, reason) = match codec {
                VideoCodec::H264 => ("h264".to_string(), format!("video stream at {} kbit/s", bitrate / 1000)),
                VideoCodec::Mjpeg => (format!("mjpeg{quality}"), format!("MJPEG stream at q{quality}")),
            };
            let decision = Decision {
                rect,
                class: Class::Video,
                codec: label,
                reason,
                predicted_bytes: f64::from(bitrate) / 8.0 / 30.0,
                bytes: frame.data.len() as u64,
                bandwidth_bps: network.bandwidth_bps,
                budget_bytes: *budget,
                refresh: false,
            };
            let uid = self.next_id();
            out.push(Update {
                id: uid,
                kind: UpdateKind::StreamFrame { stream: id, data: frame.data, key: frame.key },
                decision: Some(decision),
            });
        }
        Ok(())
    }
}

/// What the policy sees at `now`.
fn context<'a>(
    cfg: &'a EngineConfig,
    costs: &'a CostModel,
    now: Micros,
    network: NetworkEstimate,
    budget_bytes: u64,
    window: u64,
) -> PolicyContext<'a> {
    PolicyContext {
        now,
        network,
        audio_bps: cfg.audio_bps,
        budget_bytes,
        window_bytes: window,
        latency_target: cfg.latency_target,
        caps: &cfg.caps,
        costs,
    }
}

/// Whether `inner` lies inside `outer`.
fn within(inner: &Rect, outer: &Rect) -> bool {
    inner.x >= outer.x
        && inner.y >= outer.y
        && inner.x + inner.width <= outer.x + outer.width
        && inner.y + inner.height <= outer.y + outer.height
}

/// Where a scroll's pixels come from: its rectangle `dy` rows back.
fn scroll_source(h: &ScrollHint) -> Rect {
    Rect::new(h.rect.x, h.rect.y.saturating_add_signed(-h.dy), h.rect.width, h.rect.height)
}
