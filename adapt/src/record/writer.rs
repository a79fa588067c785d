//! `Recorder`: writes an engine's inputs as they happen.

use std::io::{self, Write};

use paprika_codecs::{ImageRef, Rect};

use super::format::{MAGIC, NO_HINT, TAG_FEEDBACK, TAG_FRAME, TAG_POLL, VERSION};
use crate::damage::TileGrid;
use crate::engine::{EngineConfig, Feedback};
use crate::network::Micros;

/// Writes a recording. The first write error stops recording; it is kept for
/// [`Recorder::error`] (a failing disk must not stop the server's screen).
pub struct Recorder {
    out: Box<dyn Write + Send>,
    grid: TileGrid,
    /// The previous frame, packed B, G, R, X: tiles equal to it are not stored.
    prev: Vec<u8>,
    error: Option<io::Error>,
    buf: Vec<u8>,
}

fn put_u32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}
fn put_u64(b: &mut Vec<u8>, v: u64) {
    b.extend_from_slice(&v.to_le_bytes());
}
fn put_f64(b: &mut Vec<u8>, v: f64) {
    b.extend_from_slice(&v.to_le_bytes());
}

impl Recorder {
    /// Starts a recording of an engine with `cfg` and the policy `policy`
    /// (a name [`crate::policy::policy_by_name`] knows, for replay).
    pub fn new(out: Box<dyn Write + Send>, cfg: &EngineConfig, policy: &str) -> paprika_codecs::Result<Self> {
        let grid = TileGrid::new(cfg.width, cfg.height, cfg.tile)?;
        let mut r = Recorder { out, grid, prev: Vec::new(), error: None, buf: Vec::new() };
        let mut b = Vec::new();
        b.extend_from_slice(MAGIC);
        put_u32(&mut b, VERSION);
        put_u32(&mut b, policy.len() as u32);
        b.extend_from_slice(policy.as_bytes());
        put_u32(&mut b, cfg.width);
        put_u32(&mut b, cfg.height);
        put_u32(&mut b, cfg.tile);
        let c = &cfg.caps;
        for f in [c.quic, c.lz, c.glz, c.zlib_glz, c.lz4, c.jpeg, c.h264, c.mjpeg] {
            b.push(u8::from(f));
        }
        put_u64(&mut b, c.glz_window_pixels);
        put_u64(&mut b, cfg.latency_target);
        put_f64(&mut b, cfg.audio_bps);
        let e = &cfg.estimator;
        for v in [e.initial_bps, e.min_bps, e.max_bps] {
            put_f64(&mut b, v);
        }
        for v in [e.busy_delay, e.high_delay, e.cap_delay, e.min_rtt_window, e.rate_window] {
            put_u64(&mut b, v);
        }
        put_u64(&mut b, e.max_in_flight_records as u64);
        for v in cfg.speeds.encode_ns_per_px.iter().chain(&cfg.speeds.decode_ns_per_px) {
            put_f64(&mut b, *v);
        }
        b.push(u8::from(cfg.parallel));
        b.extend_from_slice(&cfg.video_threads.to_le_bytes());
        r.emit(&b);
        Ok(r)
    }

    fn emit(&mut self, bytes: &[u8]) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(bytes)
        {
            self.error = Some(e);
        }
    }

    /// The write error that stopped recording, if any.
    pub fn error(&self) -> Option<&io::Error> {
        self.error.as_ref()
    }

    /// Flushes the output.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(e) = &self.error {
            return Err(io::Error::new(e.kind(), e.to_string()));
        }
        self.out.flush()
    }

    /// A submitted frame: the tiles that differ from the last one recorded.
    pub fn frame(&mut self, frame: &ImageRef<'_>, hint: Option<&[Rect]>, now: Micros) {
        let w = self.grid.width() as usize;
        let first = self.prev.is_empty();
        if first {
            self.prev = vec![0; w * self.grid.height() as usize * 4];
        }
        let mut changed = Vec::new();
        let mut pixels = std::mem::take(&mut self.buf);
        pixels.clear();
        for i in 0..self.grid.len() {
            // Every byte counts: the replay must hand the engine the same frame.
            if self.grid.copy_tile(i, frame, &mut self.prev, false) || first {
                changed.push(i as u32);
                let r = self.grid.tile_rect(i);
                for y in r.y..r.y + r.height {
                    let at = (y as usize * w + r.x as usize) * 4;
                    pixels.extend_from_slice(&self.prev[at..at + r.width as usize * 4]);
                }
            }
        }
        let packed = lz4_flex::block::compress(&pixels);
        let mut b = vec![TAG_FRAME];
        put_u64(&mut b, now);
        match hint {
            Some(rects) => {
                put_u32(&mut b, rects.len() as u32);
                for r in rects {
                    for v in [r.x, r.y, r.width, r.height] {
                        put_u32(&mut b, v);
                    }
                }
            }
            None => put_u32(&mut b, NO_HINT),
        }
        put_u32(&mut b, changed.len() as u32);
        for i in &changed {
            put_u32(&mut b, *i);
        }
        put_u32(&mut b, packed.len() as u32);
        b.extend_from_slice(&packed);
        self.emit(&b);
        self.buf = pixels;
    }

    /// A feedback event.
    pub fn feedback(&mut self, event: &Feedback) {
        let mut b = vec![TAG_FEEDBACK];
        match *event {
            Feedback::Sent { id, bytes, at } => {
                b.push(1);
                put_u64(&mut b, id);
                put_u32(&mut b, bytes);
                put_u64(&mut b, at);
            }
            Feedback::Acked { id, at } => {
                b.push(2);
                put_u64(&mut b, id);
                put_u64(&mut b, at);
            }
            Feedback::Rtt { rtt, at } => {
                b.push(3);
                put_u64(&mut b, rtt);
                put_u64(&mut b, at);
            }
            Feedback::Decoded { id, micros } => {
                b.push(4);
                put_u64(&mut b, id);
                put_u64(&mut b, micros);
            }
            Feedback::StreamReport { stream, shown, dropped, margin_ms, at } => {
                b.push(5);
                put_u32(&mut b, stream);
                put_u32(&mut b, shown);
                put_u32(&mut b, dropped);
                b.extend_from_slice(&margin_ms.to_le_bytes());
                put_u64(&mut b, at);
            }
        }
        self.emit(&b);
    }

    /// A poll and the digest of what it returned.
    pub fn poll(&mut self, now: Micros, updates: usize, digest: u64) {
        let mut b = vec![TAG_POLL];
        put_u64(&mut b, now);
        put_u32(&mut b, updates as u32);
        put_u64(&mut b, digest);
        self.emit(&b);
    }
}
