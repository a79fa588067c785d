//! `Recording`: a recording parsed and checked, every length and index against
//! the buffer and the surface before anything trusts it.

use std::ops::Range;

use paprika_codecs::Rect;

use super::format::{MAGIC, MAX_NAME, MAX_PIXELS, MAX_SIDE, NO_HINT, TAG_FEEDBACK, TAG_FRAME, TAG_POLL, VERSION};
use crate::damage::TileGrid;
use crate::engine::{ClientCaps, EngineConfig, Feedback};
use crate::network::{EstimatorConfig, Micros};
use crate::policy::CodecSpeeds;

/// Why a recording cannot be read or replayed.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordError {
    /// Not a recording.
    BadMagic,
    /// A version this build does not read.
    UnsupportedVersion(u32),
    /// The data ends inside a record starting at this offset.
    Truncated(usize),
    /// An unknown record or feedback tag at this offset.
    BadTag(u8, usize),
    /// A configuration value out of range.
    BadConfig(&'static str),
    /// A frame names a tile outside the grid, twice, or out of order.
    BadTile(u32),
    /// A frame's pixels do not decompress to its tiles' size.
    BadPixels(usize),
    /// The recorded policy is unknown to this build.
    UnknownPolicy(String),
    /// The engine refused a recorded input.
    Engine(paprika_codecs::Error),
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordError::BadMagic => f.write_str("not a Paprika recording (bad magic)"),
            RecordError::UnsupportedVersion(v) => write!(f, "recording version {v} is not supported"),
            RecordError::Truncated(at) => write!(f, "recording truncated in the record at byte {at}"),
            RecordError::BadTag(t, at) => write!(f, "unknown tag {t} at byte {at}"),
            RecordError::BadConfig(what) => write!(f, "bad configuration: {what}"),
            RecordError::BadTile(i) => write!(f, "frame names tile {i}, not in the grid or out of order"),
            RecordError::BadPixels(at) => write!(f, "frame pixels at byte {at} do not match its tiles"),
            RecordError::UnknownPolicy(p) => write!(f, "unknown policy {p:?}"),
            RecordError::Engine(e) => write!(f, "the engine refused a recorded input: {e}"),
        }
    }
}

impl std::error::Error for RecordError {}

/// One recorded input.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordedEvent {
    /// A frame: its time, hint, the tiles that changed and where their pixels are.
    Frame {
        /// When it was submitted.
        now: Micros,
        /// The server's damage hint.
        hint: Option<Vec<Rect>>,
        /// Changed tiles, ascending.
        tiles: Vec<u32>,
        /// The lz4 block of their pixels in the recording's bytes.
        packed: Range<usize>,
    },
    /// A feedback event.
    Feedback(Feedback),
    /// A poll and the digest of its updates.
    Poll {
        /// When.
        now: Micros,
        /// How many updates it returned.
        updates: u32,
        /// Their digest ([`super::updates_digest`]).
        digest: u64,
    },
}

/// A parsed recording.
#[derive(Debug, Clone)]
pub struct Recording {
    bytes: Vec<u8>,
    /// The engine's configuration.
    pub config: EngineConfig,
    /// The policy's name.
    pub policy: String,
    /// The inputs in order.
    pub events: Vec<RecordedEvent>,
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
    start: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], RecordError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len()).ok_or(RecordError::Truncated(self.start))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, RecordError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, RecordError> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().unwrap_or_default()))
    }
    fn u32(&mut self) -> Result<u32, RecordError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap_or_default()))
    }
    fn i32(&mut self) -> Result<i32, RecordError> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().unwrap_or_default()))
    }
    fn u64(&mut self) -> Result<u64, RecordError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap_or_default()))
    }
    fn f64(&mut self) -> Result<f64, RecordError> {
        let v = f64::from_le_bytes(self.take(8)?.try_into().unwrap_or_default());
        if v.is_finite() { Ok(v) } else { Err(RecordError::BadConfig("a non-finite number")) }
    }
}

impl Recording {
    /// Parses and checks `bytes`.
    pub fn parse(bytes: Vec<u8>) -> Result<Recording, RecordError> {
        let mut c = Cursor { b: &bytes, at: 0, start: 0 };
        if c.take(4).map_err(|_| RecordError::BadMagic)? != MAGIC {
            return Err(RecordError::BadMagic);
        }
        let version = c.u32()?;
        if version != VERSION {
            return Err(RecordError::UnsupportedVersion(version));
        }
        let (config, policy) = read_config(&mut c)?;
        let grid = TileGrid::new(config.width, config.height, config.tile)
            .map_err(|_| RecordError::BadConfig("surface or tile size"))?;
        let mut events = Vec::new();
        while c.at < bytes.len() {
            c.start = c.at;
            let tag = c.u8()?;
            events.push(match tag {
                TAG_FRAME => read_frame(&mut c, &grid)?,
                TAG_FEEDBACK => RecordedEvent::Feedback(read_feedback(&mut c)?),
                TAG_POLL => RecordedEvent::Poll { now: c.u64()?, updates: c.u32()?, digest: c.u64()? },
                t => return Err(RecordError::BadTag(t, c.start)),
            });
        }
        Ok(Recording { bytes, config, policy, events })
    }

    /// The raw bytes of `range` (a frame's packed pixels).
    pub fn slice(&self, range: Range<usize>) -> &[u8] {
        &self.bytes[range]
    }

    /// Frames, feedback events and polls recorded.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut n = (0, 0, 0);
        for e in &self.events {
            match e {
                RecordedEvent::Frame { .. } => n.0 += 1,
                RecordedEvent::Feedback(_) => n.1 += 1,
                RecordedEvent::Poll { .. } => n.2 += 1,
            }
        }
        n
    }
}

fn read_config(c: &mut Cursor<'_>) -> Result<(EngineConfig, String), RecordError> {
    let n = c.u32()? as usize;
    if n > MAX_NAME {
        return Err(RecordError::BadConfig("policy name too long"));
    }
    let policy = String::from_utf8(c.take(n)?.to_vec()).map_err(|_| RecordError::BadConfig("policy name"))?;
    let (width, height, tile) = (c.u32()?, c.u32()?, c.u32()?);
    let sides_ok = (1..=MAX_SIDE).contains(&width) && (1..=MAX_SIDE).contains(&height);
    if !sides_ok || u64::from(width) * u64::from(height) > MAX_PIXELS || !(8..=1024).contains(&tile) {
        return Err(RecordError::BadConfig("surface or tile size"));
    }
    let mut f = [false; 8];
    for x in &mut f {
        *x = match c.u8()? {
            0 => false,
            1 => true,
            _ => return Err(RecordError::BadConfig("a capability flag")),
        };
    }
    let caps = ClientCaps {
        quic: f[0],
        lz: f[1],
        glz: f[2],
        zlib_glz: f[3],
        lz4: f[4],
        jpeg: f[5],
        h264: f[6],
        mjpeg: f[7],
        glz_window_pixels: c.u64()?,
    };
    let mut cfg = EngineConfig::new(width, height);
    cfg.tile = tile;
    cfg.caps = caps;
    cfg.latency_target = c.u64()?;
    cfg.audio_bps = c.f64()?;
    cfg.estimator = EstimatorConfig {
        initial_bps: c.f64()?,
        min_bps: c.f64()?,
        max_bps: c.f64()?,
        busy_delay: c.u64()?,
        high_delay: c.u64()?,
        cap_delay: c.u64()?,
        min_rtt_window: c.u64()?,
        rate_window: c.u64()?,
        max_in_flight_records: usize::try_from(c.u64()?)
            .ok()
            .filter(|&n| n <= 1 << 24)
            .ok_or(RecordError::BadConfig("in-flight records"))?,
    };
    let mut speeds = CodecSpeeds::default();
    for v in speeds.encode_ns_per_px.iter_mut().chain(speeds.decode_ns_per_px.iter_mut()) {
        *v = c.f64()?;
    }
    cfg.speeds = speeds;
    cfg.parallel = c.u8()? != 0;
    cfg.video_threads = c.u16()?.min(16);
    Ok((cfg, policy))
}

fn read_frame(c: &mut Cursor<'_>, grid: &TileGrid) -> Result<RecordedEvent, RecordError> {
    let now = c.u64()?;
    let n = c.u32()?;
    let hint = if n == NO_HINT {
        None
    } else {
        // Each rectangle takes 16 bytes: the count cannot exceed what remains.
        if n as usize > (c.b.len() - c.at) / 16 {
            return Err(RecordError::Truncated(c.start));
        }
        let mut rects = Vec::with_capacity(n as usize);
        for _ in 0..n {
            rects.push(Rect::new(c.u32()?, c.u32()?, c.u32()?, c.u32()?));
        }
        Some(rects)
    };
    let count = c.u32()? as usize;
    if count > grid.len() {
        return Err(RecordError::BadTile(count as u32));
    }
    let mut tiles = Vec::with_capacity(count);
    for _ in 0..count {
        let i = c.u32()?;
        if i as usize >= grid.len() || tiles.last().is_some_and(|&l| l >= i) {
            return Err(RecordError::BadTile(i));
        }
        tiles.push(i);
    }
    let len = c.u32()? as usize;
    let start = c.at;
    c.take(len)?;
    Ok(RecordedEvent::Frame { now, hint, tiles, packed: start..start + len })
}

fn read_feedback(c: &mut Cursor<'_>) -> Result<Feedback, RecordError> {
    Ok(match c.u8()? {
        1 => Feedback::Sent { id: c.u64()?, bytes: c.u32()?, at: c.u64()? },
        2 => Feedback::Acked { id: c.u64()?, at: c.u64()? },
        3 => Feedback::Rtt { rtt: c.u64()?, at: c.u64()? },
        4 => Feedback::Decoded { id: c.u64()?, micros: c.u64()? },
        5 => Feedback::StreamReport {
            stream: c.u32()?,
            shown: c.u32()?,
            dropped: c.u32()?,
            margin_ms: c.i32()?,
            at: c.u64()?,
        },
        t => return Err(RecordError::BadTag(t, c.start)),
    })
}
