//! `Session`: a screen source, the engine, a bottleneck link and a client model
//! run together in virtual time, with the measurements the benchmark reports.
//!
//! Every tick (5 ms by default) the link delivers what its trace allows; the
//! client applies complete updates in order, each shown after its decode time
//! (charged at a configured speed, so runs are deterministic); acknowledgements,
//! the client's decode and stream reports ([`super::reports`]) and, if
//! configured, ping answers travel back over the uncongested reverse path; the
//! source's frames due by
//! now are submitted; and the engine is polled, its updates cut into segments
//! and queued at the bottleneck, as a TCP sender would. Nothing sleeps; the
//! only clock read is the engine's CPU time, which is reported, never decided on.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use paprika_codecs::metrics::{psnr_bgrx, ssim_bgrx};
use paprika_codecs::{Image, ImageRef, Rect, Result};

use super::link::BottleneckLink;
use super::reports::{ClientReports, ReportCounts};
use super::trace::CapacityTrace;
use crate::classify::Class;
use crate::client::ClientModel;
use crate::damage::TileGrid;
use crate::engine::{Engine, EngineStats, Feedback, Update, UpdateKind};
use crate::network::{MS, Micros, SECOND};

/// A screen that changes over time: the session's input.
pub trait ScreenSource {
    /// Surface width and height.
    fn size(&self) -> (u32, u32);
    /// The timestamp of the next frame, or `None` after the last.
    fn next_time(&self) -> Option<Micros>;
    /// Moves to the next frame; returns its damage (exact rectangles, or `None`
    /// when unknown: every tile counts as changed for the latency measure).
    fn advance(&mut self) -> Result<Option<Vec<Rect>>>;
    /// The current frame (`Bgrx32`, top-down).
    fn current(&self) -> ImageRef<'_>;
}

/// Frames held in memory: the simplest [`ScreenSource`], for tests.
#[derive(Debug, Clone, Default)]
pub struct FrameSequence {
    frames: Vec<(Micros, Image, Option<Vec<Rect>>)>,
    next: usize,
}

impl FrameSequence {
    /// Frames with their timestamps (strictly increasing) and damage.
    pub fn new(frames: Vec<(Micros, Image, Option<Vec<Rect>>)>) -> Self {
        FrameSequence { frames, next: 0 }
    }
}

impl ScreenSource for FrameSequence {
    fn size(&self) -> (u32, u32) {
        self.frames.first().map_or((0, 0), |f| (f.1.width(), f.1.height()))
    }
    fn next_time(&self) -> Option<Micros> {
        self.frames.get(self.next).map(|f| f.0)
    }
    fn advance(&mut self) -> Result<Option<Vec<Rect>>> {
        let hint = self.frames.get(self.next).and_then(|f| f.2.clone());
        self.next = (self.next + 1).min(self.frames.len());
        Ok(hint)
    }
    fn current(&self) -> ImageRef<'_> {
        self.frames[self.next.saturating_sub(1)].1.as_ref()
    }
}

/// Link, timing and measurement settings of a session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The bottleneck's capacity over time.
    pub trace: CapacityTrace,
    /// Propagation delay each way.
    pub one_way: Micros,
    /// Bottleneck queue, bytes.
    pub queue_limit_bytes: u64,
    /// Simulation step.
    pub tick: Micros,
    /// Largest segment handed to the link (an update is cut into segments).
    pub segment_bytes: u32,
    /// Time run after the source's last frame, to see the client converge.
    pub tail: Micros,
    /// Client decode speed charged per pixel, ns.
    pub client_ns_per_px: f64,
    /// Interval of PSNR samples of the client's screen against the source.
    pub psnr_interval: Micros,
    /// Interval of SSIM samples (slower to compute).
    pub ssim_interval: Micros,
    /// Interval of the timeline (capacity, throughput, estimate).
    pub timeline_interval: Micros,
    /// Probability that a segment leaving the bottleneck is lost and resent
    /// (TCP's fast retransmit, see [`BottleneckLink`]); 0: no loss.
    pub loss: f64,
    /// CoDel at the bottleneck instead of pure drop-tail (the byte limit stays).
    pub codel: bool,
    /// Seed of the loss draws.
    pub seed: u64,
    /// Interval of pings: a small packet through the bottleneck, answered at
    /// once, whose round trip is reported as [`Feedback::Rtt`] (0, the default:
    /// none; acknowledgements already carry round trips).
    pub ping_interval: Micros,
}

impl SessionConfig {
    /// A session over `trace` with a 40 ms RTT, a 1 MiB queue, 5 ms ticks and a 3 s tail.
    pub fn new(trace: CapacityTrace) -> Self {
        SessionConfig {
            trace,
            one_way: 20 * MS,
            queue_limit_bytes: 1 << 20,
            tick: 5 * MS,
            segment_bytes: 1500,
            tail: 3 * SECOND,
            client_ns_per_px: 4.0,
            psnr_interval: 100 * MS,
            ssim_interval: 250 * MS,
            timeline_interval: 100 * MS,
            loss: 0.0,
            codel: false,
            seed: 1,
            ping_interval: 0,
        }
    }
}

/// The client's screen against the source at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualitySample {
    /// When.
    pub t: Micros,
    /// Combined PSNR, dB (infinite: identical).
    pub psnr: f64,
    /// Luma SSIM, when sampled at this instant.
    pub ssim: Option<f64>,
}

/// One point of the timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimelinePoint {
    /// End of the interval.
    pub t: Micros,
    /// The link's capacity over the interval, bit/s.
    pub capacity_bps: f64,
    /// Bytes delivered to the client over the interval, as bit/s.
    pub delivered_bps: f64,
    /// The engine's bandwidth estimate at `t`.
    pub estimate_bps: f64,
    /// Bytes queued at the bottleneck at `t`.
    pub queued_bytes: u64,
}

/// What a session measured.
#[derive(Debug, Clone)]
pub struct SessionReport {
    /// The policy's name.
    pub policy: String,
    /// Virtual time simulated.
    pub duration: Micros,
    /// Time of the source's last frame.
    pub source_end: Micros,
    /// Bytes the engine sent.
    pub bytes_sent: u64,
    /// Bytes the link could have carried in the same time.
    pub capacity_bytes: u64,
    /// Per changed tile (after the first frame, the initial load): time from the
    /// change to the client showing an update of it.
    pub latencies: Vec<Micros>,
    /// Per tile that stopped changing: time from its last change to the client
    /// holding it exactly, for tiles the engine classed Text or Solid (changes
    /// after the first frame: the initial load is bounded by the link).
    pub text_lossless: Vec<Micros>,
    /// The same for Image and Video tiles.
    pub image_lossless: Vec<Micros>,
    /// Tile changes never shown before the end (coalesced ones are shown with the later change).
    pub unserved_changes: u64,
    /// Quality samples.
    pub quality: Vec<QualitySample>,
    /// Time from the source's last frame to the client equal to it, if it got there.
    pub time_to_lossless: Option<Micros>,
    /// Engine counters.
    pub engine: EngineStats,
    /// Updates the client could not apply (must be 0).
    pub client_errors: u64,
    /// Wall-clock time spent in the engine (reporting only; decisions never see it).
    pub engine_cpu: Duration,
    /// Capacity, throughput and estimate over time.
    pub timeline: Vec<TimelinePoint>,
    /// Segments resent after a random loss or a CoDel drop.
    pub retransmissions: u64,
    /// Segments CoDel dropped (included in `retransmissions`).
    pub codel_drops: u64,
    /// Decode reports, stream reports and ping answers the client sent back.
    pub client_reports: ReportCounts,
}

impl SessionReport {
    /// Bytes sent over bytes the link could carry.
    pub fn utilisation(&self) -> f64 {
        self.bytes_sent as f64 / self.capacity_bytes.max(1) as f64
    }
}

struct Segment {
    id: u64,
    bytes: u32,
    /// A ping, with when it was sent (not an update: no ack to the engine).
    ping: Option<Micros>,
    /// On the last segment of an update: the update, when it was produced.
    last: Option<(Box<Update>, Micros)>,
}

/// Runs `source` through `engine` over the configured link until the source
/// ends plus the tail; the client model starts black.
pub fn run_session(engine: &mut Engine, source: &mut dyn ScreenSource, cfg: &SessionConfig) -> Result<SessionReport> {
    let (w, h) = source.size();
    let grid = TileGrid::new(w, h, engine.config().tile)?;
    let mut client = ClientModel::new(w, h, &engine.config().caps);
    let mut link = BottleneckLink::new(cfg.trace.clone(), cfg.one_way, cfg.queue_limit_bytes)
        .with_loss(cfg.loss, cfg.seed)
        .with_codel(cfg.codel);
    let mut pending: Vec<Option<Micros>> = vec![None; grid.len()];
    // The source as of the previous frame, to tell real changes from hinted ones.
    let mut shadow: Vec<u8> = Vec::new();
    // Per tile: the last change the client does not hold exactly yet, and whether it is text.
    let mut inexact: Vec<Option<(Micros, bool)>> = vec![None; grid.len()];
    let mut backlog: VecDeque<Segment> = VecDeque::new();
    let mut in_link: VecDeque<Segment> = VecDeque::new();
    let mut acks: VecDeque<(Micros, u64)> = VecDeque::new();
    let mut report = SessionReport {
        policy: engine.policy_name(),
        duration: 0,
        source_end: 0,
        bytes_sent: 0,
        capacity_bytes: 0,
        latencies: Vec::new(),
        text_lossless: Vec::new(),
        image_lossless: Vec::new(),
        unserved_changes: 0,
        quality: Vec::new(),
        time_to_lossless: None,
        engine: EngineStats::default(),
        client_errors: 0,
        engine_cpu: Duration::ZERO,
        timeline: Vec::new(),
        retransmissions: 0,
        codel_drops: 0,
        client_reports: ReportCounts::default(),
    };
    let mut reports = ClientReports::new();
    let mut next_ping: Micros = cfg.ping_interval;
    let mut seg_id = 0u64;
    let mut client_free: Micros = 0;
    let mut last_frame: Micros = 0;
    let mut end: Option<Micros> = None;
    // Samples sit mid-interval: the first is not the black screen before anything could arrive.
    let (mut next_psnr, mut next_ssim, mut next_timeline) =
        (cfg.psnr_interval / 2, cfg.ssim_interval / 2, cfg.timeline_interval);
    let mut delivered_in_interval = 0u64;
    let mut now: Micros = 0;
    loop {
        // The bottleneck delivers; complete updates reach the client in order.
        let mut applied = false;
        for d in link.advance(now) {
            let seg = in_link.pop_front().filter(|s| s.id == d.id);
            let Some(seg) = seg else { continue };
            delivered_in_interval += u64::from(d.bytes);
            if let Some(sent) = seg.ping {
                reports.on_ping(sent, d.at, cfg.one_way); // answered at once
                continue;
            }
            acks.push_back((d.at + cfg.one_way, d.id));
            if let Some((update, produced)) = seg.last {
                let decode = decode_time(&update, cfg.client_ns_per_px);
                let shown = client_free.max(d.at) + decode;
                client_free = shown;
                reports.on_shown(&update, produced, shown, decode, cfg.one_way);
                if client.apply(&update).is_err() {
                    report.client_errors += 1;
                }
                applied = true;
                if let Some(rect) = update_rect(&update) {
                    // A copy shows a change only where it leaves the tile exact; the
                    // rest of a tile it touches arrives as an image.
                    let copy = matches!(update.kind, UpdateKind::CopyBits { .. });
                    for i in grid.tiles_in(rect) {
                        let shows = !copy || tile_equal(&grid, i, client.surface(), &shadow);
                        if let Some(t) = pending[i].filter(|&t| t <= produced && shows) {
                            report.latencies.push(shown - t);
                            pending[i] = None;
                        }
                        if let Some((t, text)) = inexact[i]
                            && tile_equal(&grid, i, client.surface(), &shadow)
                        {
                            let v = if text { &mut report.text_lossless } else { &mut report.image_lossless };
                            v.push(shown - t);
                            inexact[i] = None;
                        }
                    }
                }
            }
        }
        while acks.front().is_some_and(|&(t, _)| t <= now) {
            let (t, id) = acks.pop_front().unwrap_or_default();
            engine.on_feedback(Feedback::Acked { id, at: t });
        }
        reports.tick(now, cfg.one_way);
        for event in reports.arrived(now) {
            engine.on_feedback(event);
        }
        // Frames due by now.
        while let Some(t) = source.next_time().filter(|&t| t <= now) {
            let hint = source.advance()?;
            let started = Instant::now();
            engine.submit_frame(&source.current(), hint.as_deref(), t)?;
            report.engine_cpu += started.elapsed();
            last_frame = t;
            // Only pixels that really changed count: a hint may cover tiles the
            // frame left as they were (a loop restarting on the same screen).
            let cur = source.current();
            let hinted: Vec<usize> = match &hint {
                Some(rects) if !shadow.is_empty() => {
                    let mut v: Vec<usize> = rects.iter().flat_map(|r| grid.tiles_in(*r)).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                }
                _ => (0..grid.len()).collect(),
            };
            if shadow.is_empty() {
                shadow = vec![0; w as usize * h as usize * 4];
            }
            // The first frame is the connect-time load of the whole screen: bounded
            // by the link, and for a quiet workload it would be most of the samples.
            // Latency and time to lossless count the changes after it.
            let after_first = engine.stats().frames > 1;
            for i in hinted {
                if grid.copy_tile(i, &cur, &mut shadow, true) && after_first {
                    pending[i].get_or_insert(t);
                    let text = matches!(engine.tile_class(i), Some(Class::Text | Class::Solid));
                    inexact[i] = Some((t, text));
                }
            }
        }
        let mut check_exact = applied;
        if end.is_none() && source.next_time().is_none() {
            report.source_end = last_frame;
            end = Some(now.max(last_frame) + cfg.tail);
            check_exact = true; // the client may already show the last frame
        }
        // Poll, cut into segments, queue at the bottleneck behind the backlog.
        let started = Instant::now();
        let updates = engine.poll(now)?;
        report.engine_cpu += started.elapsed();
        for u in updates {
            let total = u.wire_bytes() as u32;
            let mut left = total;
            let mut u = Some(Box::new(u));
            while left > 0 {
                let bytes = left.min(cfg.segment_bytes);
                left -= bytes;
                seg_id += 1;
                let last = if left == 0 { u.take().map(|u| (u, now)) } else { None };
                backlog.push_back(Segment { id: seg_id, bytes, ping: None, last });
            }
        }
        // A ping rides its own connection (SPICE's main channel): it shares the
        // bottleneck queue, not the display channel's socket buffer.
        if cfg.ping_interval > 0 && now >= next_ping {
            next_ping += cfg.ping_interval;
            seg_id += 1;
            if link.send(seg_id, PING_BYTES, now) {
                in_link.push_back(Segment { id: seg_id, bytes: PING_BYTES, ping: Some(now), last: None });
            }
        }
        while let Some(seg) = backlog.pop_front() {
            if !link.send(seg.id, seg.bytes, now) {
                backlog.push_front(seg); // the socket buffer is full: wait
                break;
            }
            engine.on_feedback(Feedback::Sent { id: seg.id, bytes: seg.bytes, at: now });
            report.bytes_sent += u64::from(seg.bytes);
            in_link.push_back(seg);
        }
        // Measurements.
        let measuring = source.next_time().is_some() || report.time_to_lossless.is_none();
        if measuring && now >= next_psnr {
            let cur = source.current();
            let ssim = if now >= next_ssim {
                next_ssim += cfg.ssim_interval;
                Some(ssim_bgrx(&client.image()?, &cur)?)
            } else {
                None
            };
            report.quality.push(QualitySample { t: now, psnr: psnr_bgrx(&client.image()?, &cur)?.combined, ssim });
            next_psnr += cfg.psnr_interval;
        }
        if end.is_some() && report.time_to_lossless.is_none() && check_exact {
            let cur = source.current();
            if client.differing_pixels(cur.data()) == 0 && backlog.is_empty() {
                report.time_to_lossless = Some(now.saturating_sub(report.source_end));
            }
        }
        if now >= next_timeline {
            let secs = cfg.timeline_interval as f64 / SECOND as f64;
            let cap_ms = (now - cfg.timeline_interval) / MS..now / MS;
            let cap: u64 = cap_ms.map(|ms| cfg.trace.bytes_in_ms(ms)).sum();
            report.timeline.push(TimelinePoint {
                t: now,
                capacity_bps: cap as f64 * 8.0 / secs,
                delivered_bps: delivered_in_interval as f64 * 8.0 / secs,
                estimate_bps: engine.estimate().bandwidth_bps,
                queued_bytes: link.queued_bytes(),
            });
            delivered_in_interval = 0;
            next_timeline += cfg.timeline_interval;
        }
        if end.is_some_and(|e| now >= e) {
            break;
        }
        now += cfg.tick;
    }
    report.duration = now;
    report.capacity_bytes = (0..now / MS).map(|ms| cfg.trace.bytes_in_ms(ms)).sum();
    report.unserved_changes = pending.iter().filter(|p| p.is_some()).count() as u64;
    report.engine = engine.stats();
    (report.retransmissions, report.codel_drops) = (link.retransmissions(), link.codel_drops());
    report.client_reports = reports.counts;
    Ok(report)
}

/// A SPICE ping message on the wire (header, id, timestamp).
const PING_BYTES: u32 = 64;

/// Whether tile `i` has the same B, G, R bytes in two packed surfaces.
fn tile_equal(grid: &TileGrid, i: usize, a: &[u8], b: &[u8]) -> bool {
    let w = grid.width() as usize;
    let r = grid.tile_rect(i);
    (r.y..r.y + r.height).all(|y| {
        let at = (y as usize * w + r.x as usize) * 4;
        let n = r.width as usize * 4;
        match (a.get(at..at + n), b.get(at..at + n)) {
            (Some(x), Some(y)) => x.chunks_exact(4).zip(y.chunks_exact(4)).all(|(p, q)| p[..3] == q[..3]),
            _ => false,
        }
    })
}

fn decode_time(update: &Update, ns_per_px: f64) -> Micros {
    if matches!(update.kind, UpdateKind::CopyBits { .. }) {
        return 0; // a memory move, next to nothing beside a decode
    }
    update_rect(update).map_or(0, |r| (f64::from(r.width) * f64::from(r.height) * ns_per_px / 1000.0) as Micros)
}

fn update_rect(update: &Update) -> Option<Rect> {
    match &update.kind {
        UpdateKind::Image { rect, .. } | UpdateKind::CopyBits { rect, .. } => Some(*rect),
        UpdateKind::StreamFrame { .. } => update.decision.as_ref().map(|d| d.rect),
        _ => None,
    }
}
