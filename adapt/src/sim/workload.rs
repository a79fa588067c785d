//! Recorded desktop workloads: timed frame sequences with exact damage, in the
//! PWLD file format (`corpora/workloads/README.md` has the full layout and the
//! committed workloads).
//!
//! A file is a header (surface size, frame count, duration), an index (per
//! frame: timestamp, byte offset, rectangle count) and the frames: rectangles of
//! new BGRX pixels, raw or zlib. Frame 0 covers the whole surface; each later
//! frame only what changed. [`Workload`] checks the whole structure when it
//! opens a file (every length, offset, timestamp and rectangle) and inflates a
//! payload only when it is played, stopping at the size the rectangle needs, so
//! a broken or hostile file gives a [`WorkloadError`], never a panic or an
//! allocation larger than the surface. [`WorkloadPlayer`] applies the frames
//! in order to a surface it owns and is a [`ScreenSource`] for sessions;
//! [`WorkloadWriter`] writes the format.

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use flate2::{Compression, Decompress, FlushDecompress, Status};
use paprika_codecs::error::{Codec, FormatKind};
use paprika_codecs::{ImageDesc, ImageRef, PixelFormat, Rect};

use super::grid::WorkloadFactory;
use super::session::ScreenSource;
use crate::network::Micros;

/// The file's first four bytes.
pub const MAGIC: [u8; 4] = *b"PWLD";
/// The format version this module reads and writes.
pub const VERSION: u32 = 1;
/// Bytes of the header.
pub const HEADER_LEN: usize = 32;
/// Bytes of one index entry.
pub const INDEX_ENTRY_LEN: usize = 24;
/// Bytes of one rectangle header.
pub const RECT_HEADER_LEN: usize = 24;
/// Largest width or height accepted.
pub const MAX_SIDE: u32 = 16_384;
/// Largest surface accepted, in pixels (a 256 MiB BGRX surface).
pub const MAX_PIXELS: u64 = 1 << 26;
/// Tile side the writers cut damage by (the engine's tile).
pub const DAMAGE_TILE: u32 = 64;

/// How a rectangle's pixels are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// BGRX rows, top-down, 4 bytes per pixel, no padding.
    Raw,
    /// The same rows deflated in a zlib stream (RFC 1950).
    Zlib,
}

impl Encoding {
    /// The code stored in a rectangle header.
    pub const fn code(self) -> u8 {
        match self {
            Encoding::Raw => 0,
            Encoding::Zlib => 1,
        }
    }

    /// The encoding of a header code, if known.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Encoding::Raw),
            1 => Some(Encoding::Zlib),
            _ => None,
        }
    }
}

/// Why a workload was refused (or could not be written).
#[derive(Debug)]
#[non_exhaustive]
pub enum WorkloadError {
    /// Opening, mapping or writing the file failed.
    Io(std::io::Error),
    /// The file ends before a part it declares.
    Truncated {
        /// Bytes the part needs, counted from the file's start.
        needed: u64,
        /// Bytes the file has.
        available: u64,
    },
    /// The file does not start with `PWLD`.
    BadMagic {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// A version this module does not know.
    BadVersion {
        /// The version found.
        found: u32,
    },
    /// A width or height of 0, or a surface over [`MAX_SIDE`] or [`MAX_PIXELS`].
    BadSize {
        /// Width found.
        width: u32,
        /// Height found.
        height: u32,
    },
    /// A reserved field is not zero.
    Reserved {
        /// Its byte offset in the file.
        at: u64,
    },
    /// The file has no frame.
    NoFrames,
    /// Frame 0 is not at 0 µs, or a timestamp does not increase.
    BadTimestamp {
        /// The frame.
        frame: u32,
    },
    /// The duration ends before the last frame.
    BadDuration {
        /// Duration, µs.
        duration: Micros,
        /// The last frame's timestamp, µs.
        last: Micros,
    },
    /// A frame does not start right after the previous one (or the index).
    BadOffset {
        /// The frame.
        frame: u32,
        /// Offset in the index.
        found: u64,
        /// Where the frame must start.
        expected: u64,
    },
    /// A rectangle is empty or reaches outside the surface.
    BadRect {
        /// The frame.
        frame: u32,
        /// The rectangle's position in its frame.
        rect: u32,
    },
    /// Frame 0's first rectangle is not the whole surface.
    FirstFrameNotFull,
    /// An unknown payload encoding.
    BadEncoding {
        /// The frame.
        frame: u32,
        /// The rectangle.
        rect: u32,
        /// The code found.
        found: u8,
    },
    /// A raw payload (or a writer's pixels) is not width × height × 4 bytes.
    PayloadLength {
        /// The frame.
        frame: u32,
        /// The rectangle.
        rect: u32,
        /// Bytes declared or given.
        declared: u64,
        /// Bytes the rectangle needs.
        expected: u64,
    },
    /// Bytes follow the last frame.
    TrailingData {
        /// How many.
        unread: u64,
    },
    /// A zlib payload is corrupt, truncated, or followed by extra bytes.
    BadDeflate {
        /// The frame.
        frame: u32,
        /// The rectangle.
        rect: u32,
    },
    /// A zlib payload ends before the rectangle's pixels.
    InflatedTooShort {
        /// The frame.
        frame: u32,
        /// The rectangle.
        rect: u32,
        /// Bytes the rectangle needs.
        expected: u64,
        /// Bytes the stream gave.
        found: u64,
    },
    /// A zlib payload inflates past the rectangle's pixels (inflating stopped there).
    InflatedTooLong {
        /// The frame.
        frame: u32,
        /// The rectangle.
        rect: u32,
        /// Bytes the rectangle needs.
        expected: u64,
    },
}

impl fmt::Display for WorkloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use WorkloadError as E;
        match self {
            E::Io(e) => write!(f, "workload I/O: {e}"),
            E::Truncated { needed, available } => {
                write!(f, "workload truncated: needs {needed} bytes, has {available}")
            }
            E::BadMagic { found } => write!(f, "not a workload (magic {found:02x?}, expected \"PWLD\")"),
            E::BadVersion { found } => write!(f, "workload version {found} (this reader knows {VERSION})"),
            E::BadSize { width, height } => write!(f, "workload surface {width}x{height} out of range"),
            E::Reserved { at } => write!(f, "workload reserved field at byte {at} is not zero"),
            E::NoFrames => write!(f, "workload has no frame"),
            E::BadTimestamp { frame } => {
                write!(f, "workload frame {frame}: timestamp not after the previous (or frame 0 not at 0)")
            }
            E::BadDuration { duration, last } => {
                write!(f, "workload duration {duration} µs ends before the last frame at {last} µs")
            }
            E::BadOffset { frame, found, expected } => {
                write!(f, "workload frame {frame} at offset {found}, expected {expected}")
            }
            E::BadRect { frame, rect } => write!(f, "workload frame {frame} rect {rect}: empty or outside the surface"),
            E::FirstFrameNotFull => write!(f, "workload frame 0 does not start with the whole surface"),
            E::BadEncoding { frame, rect, found } => {
                write!(f, "workload frame {frame} rect {rect}: unknown encoding {found}")
            }
            E::PayloadLength { frame, rect, declared, expected } => {
                write!(f, "workload frame {frame} rect {rect}: {declared} payload bytes, expected {expected}")
            }
            E::TrailingData { unread } => write!(f, "workload has {unread} bytes after its last frame"),
            E::BadDeflate { frame, rect } => write!(f, "workload frame {frame} rect {rect}: bad zlib stream"),
            E::InflatedTooShort { frame, rect, expected, found } => {
                write!(f, "workload frame {frame} rect {rect}: inflates to {found} bytes, expected {expected}")
            }
            E::InflatedTooLong { frame, rect, expected } => {
                write!(f, "workload frame {frame} rect {rect}: inflates past {expected} bytes")
            }
        }
    }
}

impl std::error::Error for WorkloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WorkloadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for WorkloadError {
    fn from(e: std::io::Error) -> Self {
        WorkloadError::Io(e)
    }
}

/// Sessions take codec errors; the structure was checked when the file opened,
/// so only a payload can fail here, and it maps to the zlib fault it is.
impl From<WorkloadError> for paprika_codecs::Error {
    fn from(e: WorkloadError) -> Self {
        let kind = match e {
            WorkloadError::InflatedTooShort { expected, found, .. } => {
                FormatKind::LengthMismatch { declared: expected, actual: found }
            }
            WorkloadError::InflatedTooLong { expected, .. } => {
                FormatKind::LengthMismatch { declared: expected, actual: expected + 1 }
            }
            _ => FormatKind::BadDeflate,
        };
        // No codec names workloads; SPICE's framing is the nearest.
        paprika_codecs::Error::Format { codec: Codec::Spice, kind }
    }
}

/// One rectangle of a frame, as its header describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RectInfo {
    /// Where on the surface.
    pub rect: Rect,
    /// How its pixels are stored.
    pub encoding: Encoding,
    /// Stored bytes.
    pub payload_len: u32,
}

/// What [`Workload::frame_meta`] tells about a frame without decoding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameMeta<'a> {
    /// When it shows, µs from the start.
    pub timestamp: Micros,
    /// Its rectangles, applied in this order.
    pub rects: &'a [RectInfo],
}

#[derive(Debug, Clone, Copy)]
struct FrameEntry {
    timestamp: Micros,
    first_rect: usize,
    rect_count: usize,
}

enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

struct Inner {
    bytes: Bytes,
    width: u32,
    height: u32,
    duration: Micros,
    frames: Vec<FrameEntry>,
    rects: Vec<RectInfo>,
    /// Where each rectangle's payload starts in `bytes`.
    payloads: Vec<usize>,
}

/// A checked workload file, in memory or memory-mapped. Cloning is cheap (the
/// bytes are shared), so each player of a benchmark grid can own one.
#[derive(Clone)]
pub struct Workload {
    inner: Arc<Inner>,
}

impl fmt::Debug for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workload")
            .field("width", &self.inner.width)
            .field("height", &self.inner.height)
            .field("frames", &self.inner.frames.len())
            .field("duration", &self.inner.duration)
            .field("bytes", &self.inner.bytes.as_slice().len())
            .field("mapped", &matches!(self.inner.bytes, Bytes::Mapped(_)))
            .finish()
    }
}

/// Maps `file` read-only.
#[allow(unsafe_code)]
fn map_read_only(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the map is only ever read, through `&[u8]`, and the file was
    // opened read-only. What `Mmap::map` cannot rule out is another process
    // truncating or rewriting the file while it is mapped (reads past a
    // truncation fault; a rewrite changes bytes already checked). Workloads are
    // this project's own generated files, which nothing rewrites during a run;
    // doing so anyway is the caller's fault, as with any mapped input.
    // `Workload::from_bytes` reads without a map where that cannot be promised.
    unsafe { memmap2::Mmap::map(file) }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(v)
}

fn check_size(width: u32, height: u32) -> Result<(), WorkloadError> {
    let ok = (1..=MAX_SIDE).contains(&width)
        && (1..=MAX_SIDE).contains(&height)
        && u64::from(width) * u64::from(height) <= MAX_PIXELS;
    if ok { Ok(()) } else { Err(WorkloadError::BadSize { width, height }) }
}

impl Workload {
    /// Opens a workload file, memory-mapped, and checks its structure.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, WorkloadError> {
        let file = std::fs::File::open(path)?;
        let map = map_read_only(&file)?;
        Self::parse(Bytes::Mapped(map))
    }

    /// Checks a workload held in memory (no map, no `unsafe`).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, WorkloadError> {
        Self::parse(Bytes::Owned(bytes))
    }

    fn parse(bytes: Bytes) -> Result<Self, WorkloadError> {
        let b = bytes.as_slice();
        let len = b.len() as u64;
        let need = |needed: u64| {
            if needed > len { Err(WorkloadError::Truncated { needed, available: len }) } else { Ok(()) }
        };
        if b.len() >= 4 && b[..4] != MAGIC {
            return Err(WorkloadError::BadMagic { found: [b[0], b[1], b[2], b[3]] });
        }
        need(HEADER_LEN as u64)?;
        let version = u32_at(b, 4);
        if version != VERSION {
            return Err(WorkloadError::BadVersion { found: version });
        }
        let (width, height) = (u32_at(b, 8), u32_at(b, 12));
        check_size(width, height)?;
        let frame_count = u32_at(b, 16);
        if u32_at(b, 20) != 0 {
            return Err(WorkloadError::Reserved { at: 20 });
        }
        let duration = u64_at(b, 24);
        if frame_count == 0 {
            return Err(WorkloadError::NoFrames);
        }
        // u64 arithmetic: at most 2^32 entries of 24 bytes, no overflow.
        let index_end = HEADER_LEN as u64 + u64::from(frame_count) * INDEX_ENTRY_LEN as u64;
        need(index_end)?;
        // The index fits in the buffer, so this many entries can be allocated.
        let mut frames: Vec<FrameEntry> = Vec::with_capacity(frame_count as usize);
        let mut rects = Vec::new();
        let mut payloads = Vec::new();
        let mut expected_offset = index_end;
        for f in 0..frame_count {
            let e = HEADER_LEN + f as usize * INDEX_ENTRY_LEN;
            let timestamp = u64_at(b, e);
            let offset = u64_at(b, e + 8);
            let rect_count = u32_at(b, e + 16);
            if u32_at(b, e + 20) != 0 {
                return Err(WorkloadError::Reserved { at: e as u64 + 20 });
            }
            let increasing = match frames.last() {
                None => timestamp == 0,
                Some(p) => timestamp > p.timestamp,
            };
            if !increasing {
                return Err(WorkloadError::BadTimestamp { frame: f });
            }
            if offset != expected_offset {
                return Err(WorkloadError::BadOffset { frame: f, found: offset, expected: expected_offset });
            }
            let headers_end = offset + u64::from(rect_count) * RECT_HEADER_LEN as u64;
            need(headers_end)?;
            // Offsets below `len` fit in usize: the buffer exists.
            let mut at = offset as usize;
            let mut payload_at = headers_end;
            frames.push(FrameEntry { timestamp, first_rect: rects.len(), rect_count: rect_count as usize });
            for r in 0..rect_count {
                let (x, y, w, h) = (u32_at(b, at), u32_at(b, at + 4), u32_at(b, at + 8), u32_at(b, at + 12));
                let rect = Rect::new(x, y, w, h);
                if rect.is_empty() || !rect.fits_in(width, height) {
                    return Err(WorkloadError::BadRect { frame: f, rect: r });
                }
                if f == 0 && r == 0 && rect != Rect::new(0, 0, width, height) {
                    return Err(WorkloadError::FirstFrameNotFull);
                }
                let code = b[at + 16];
                let encoding =
                    Encoding::from_code(code).ok_or(WorkloadError::BadEncoding { frame: f, rect: r, found: code })?;
                if b[at + 17..at + 20] != [0, 0, 0] {
                    return Err(WorkloadError::Reserved { at: at as u64 + 17 });
                }
                let payload_len = u32_at(b, at + 20);
                let pixel_bytes = rect.area() * 4;
                if encoding == Encoding::Raw && u64::from(payload_len) != pixel_bytes {
                    return Err(WorkloadError::PayloadLength {
                        frame: f,
                        rect: r,
                        declared: u64::from(payload_len),
                        expected: pixel_bytes,
                    });
                }
                need(payload_at + u64::from(payload_len))?;
                rects.push(RectInfo { rect, encoding, payload_len });
                payloads.push(payload_at as usize);
                payload_at += u64::from(payload_len);
                at += RECT_HEADER_LEN;
            }
            if f == 0 && rect_count == 0 {
                return Err(WorkloadError::FirstFrameNotFull);
            }
            expected_offset = payload_at;
        }
        if expected_offset != len {
            return Err(WorkloadError::TrailingData { unread: len - expected_offset });
        }
        let last = frames.last().map_or(0, |f| f.timestamp);
        if duration < last {
            return Err(WorkloadError::BadDuration { duration, last });
        }
        Ok(Workload { inner: Arc::new(Inner { bytes, width, height, duration, frames, rects, payloads }) })
    }

    /// Surface width in pixels.
    pub fn width(&self) -> u32 {
        self.inner.width
    }

    /// Surface height in pixels.
    pub fn height(&self) -> u32 {
        self.inner.height
    }

    /// Number of frames (at least 1).
    pub fn len(&self) -> usize {
        self.inner.frames.len()
    }

    /// Always false: a workload has at least one frame.
    pub fn is_empty(&self) -> bool {
        self.inner.frames.is_empty()
    }

    /// Length of the session, µs: the screen shows the last frame until then.
    pub fn duration(&self) -> Micros {
        self.inner.duration
    }

    /// Size of the file, bytes.
    pub fn byte_len(&self) -> usize {
        self.inner.bytes.as_slice().len()
    }

    /// Whether the bytes are memory-mapped (from [`Workload::open`]).
    pub fn is_mapped(&self) -> bool {
        matches!(self.inner.bytes, Bytes::Mapped(_))
    }

    /// Frame `i`'s timestamp and rectangles, without decoding it.
    pub fn frame_meta(&self, i: usize) -> Option<FrameMeta<'_>> {
        let f = self.inner.frames.get(i)?;
        Some(FrameMeta { timestamp: f.timestamp, rects: &self.inner.rects[f.first_rect..f.first_rect + f.rect_count] })
    }

    /// Rectangle `k` (global index) pixels into `out` (exactly w × h × 4 bytes).
    fn decode_rect(
        &self,
        frame: u32,
        k: usize,
        inflater: &mut Decompress,
        out: &mut Vec<u8>,
    ) -> Result<(), WorkloadError> {
        let info = self.inner.rects[k];
        let rect_in_frame = (k - self.inner.frames[frame as usize].first_rect) as u32;
        let start = self.inner.payloads[k];
        let payload = &self.inner.bytes.as_slice()[start..start + info.payload_len as usize];
        // Bounded by the surface, which was checked against MAX_PIXELS.
        let expected = info.rect.area() as usize * 4;
        out.clear();
        match info.encoding {
            Encoding::Raw => out.extend_from_slice(payload),
            Encoding::Zlib => {
                out.resize(expected, 0);
                inflate_exact(payload, out, inflater).map_err(|fault| match fault {
                    Inflate::Corrupt => WorkloadError::BadDeflate { frame, rect: rect_in_frame },
                    Inflate::Short(found) => {
                        WorkloadError::InflatedTooShort { frame, rect: rect_in_frame, expected: expected as u64, found }
                    }
                    Inflate::Long => {
                        WorkloadError::InflatedTooLong { frame, rect: rect_in_frame, expected: expected as u64 }
                    }
                })?;
            }
        }
        Ok(())
    }
}

enum Inflate {
    Corrupt,
    Short(u64),
    Long,
}

/// Inflates `input` into all of `out`, insisting on the stream ending exactly
/// there and on nothing after it. Never writes past `out`: a bomb stops at its size.
fn inflate_exact(input: &[u8], out: &mut [u8], z: &mut Decompress) -> Result<(), Inflate> {
    z.reset(true);
    loop {
        let (i, o) = (z.total_in() as usize, z.total_out() as usize);
        let status = z.decompress(&input[i..], &mut out[o..], FlushDecompress::Finish).map_err(|_| Inflate::Corrupt)?;
        let (ni, no) = (z.total_in() as usize, z.total_out() as usize);
        match status {
            Status::StreamEnd => {
                return if no < out.len() {
                    Err(Inflate::Short(no as u64))
                } else if ni < input.len() {
                    Err(Inflate::Corrupt)
                } else {
                    Ok(())
                };
            }
            _ if no == out.len() => {
                // Output full but the stream goes on: more pixels than the rectangle,
                // or only its end marker still to come.
                let mut probe = [0u8; 64];
                let status =
                    z.decompress(&input[ni..], &mut probe, FlushDecompress::Finish).map_err(|_| Inflate::Corrupt)?;
                if z.total_out() as usize > no {
                    return Err(Inflate::Long);
                }
                if status == Status::StreamEnd && z.total_in() as usize == input.len() {
                    return Ok(());
                }
                if z.total_in() as usize == ni {
                    return Err(Inflate::Corrupt);
                }
            }
            _ if ni == i && no == o => return Err(Inflate::Corrupt),
            _ => {}
        }
    }
}

/// Plays a workload: owns the current screen (`Bgrx32`) and applies each frame's
/// rectangles in order.
pub struct WorkloadPlayer {
    workload: Workload,
    surface: Vec<u8>,
    desc: ImageDesc,
    /// Index of the next frame to apply.
    next: usize,
    damage: Vec<Rect>,
    scratch: Vec<u8>,
    inflater: Decompress,
}

impl fmt::Debug for WorkloadPlayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkloadPlayer").field("workload", &self.workload).field("next", &self.next).finish()
    }
}

impl WorkloadPlayer {
    /// A player before the first frame, its screen black.
    pub fn new(workload: Workload) -> Self {
        let (w, h) = (workload.width(), workload.height());
        // The size was checked against MAX_SIDE and MAX_PIXELS: no overflow here.
        let desc = ImageDesc::packed(w, h, PixelFormat::Bgrx32).expect("a checked surface size");
        let surface = [0, 0, 0, 255].repeat(w as usize * h as usize);
        WorkloadPlayer {
            workload,
            surface,
            desc,
            next: 0,
            damage: Vec::new(),
            scratch: Vec::new(),
            inflater: Decompress::new(true),
        }
    }

    /// The workload played.
    pub fn workload(&self) -> &Workload {
        &self.workload
    }

    /// Applies the next frame; `Ok(false)` after the last. After an error the
    /// screen may hold part of the failed frame and the player is at its end.
    pub fn advance(&mut self) -> Result<bool, WorkloadError> {
        let Some(entry) = self.workload.inner.frames.get(self.next).copied() else {
            return Ok(false);
        };
        let frame = self.next as u32;
        self.next += 1;
        self.damage.clear();
        let row = self.desc.stride;
        for k in entry.first_rect..entry.first_rect + entry.rect_count {
            if let Err(e) = self.workload.decode_rect(frame, k, &mut self.inflater, &mut self.scratch) {
                self.next = self.workload.len();
                return Err(e);
            }
            let r = self.workload.inner.rects[k].rect;
            let w = r.width as usize * 4;
            for (dy, src) in self.scratch.chunks_exact(w).enumerate() {
                let at = (r.y as usize + dy) * row + r.x as usize * 4;
                self.surface[at..at + w].copy_from_slice(src);
            }
            self.damage.push(r);
        }
        Ok(true)
    }

    /// Back before the first frame (the screen keeps its pixels until frame 0 covers it).
    pub fn rewind(&mut self) {
        self.next = 0;
        self.damage.clear();
    }

    /// Index of the frame shown, `None` before the first.
    pub fn frame_index(&self) -> Option<usize> {
        self.next.checked_sub(1)
    }

    /// Timestamp of the frame shown, µs.
    pub fn timestamp(&self) -> Option<Micros> {
        self.frame_index().map(|i| self.workload.inner.frames[i].timestamp)
    }

    /// Timestamp of the next frame, `None` after the last.
    pub fn next_timestamp(&self) -> Option<Micros> {
        self.workload.inner.frames.get(self.next).map(|f| f.timestamp)
    }

    /// The rectangles the frame shown changed.
    pub fn damage(&self) -> &[Rect] {
        &self.damage
    }

    /// The screen: `Bgrx32`, top-down, packed.
    pub fn image(&self) -> ImageRef<'_> {
        ImageRef::new(self.desc, &self.surface).expect("the surface holds the whole image")
    }

    /// The screen's bytes (B, G, R, X per pixel, rows top-down).
    pub fn pixels(&self) -> &[u8] {
        &self.surface
    }
}

impl ScreenSource for WorkloadPlayer {
    fn size(&self) -> (u32, u32) {
        (self.workload.width(), self.workload.height())
    }
    fn next_time(&self) -> Option<Micros> {
        self.next_timestamp()
    }
    fn advance(&mut self) -> paprika_codecs::Result<Option<Vec<Rect>>> {
        WorkloadPlayer::advance(self)?;
        Ok(Some(self.damage.clone()))
    }
    fn current(&self) -> ImageRef<'_> {
        self.image()
    }
}

/// A workload with its report name: a [`WorkloadFactory`] for the benchmark grid.
#[derive(Debug, Clone)]
pub struct NamedWorkload {
    /// Short name (the file stem).
    pub name: String,
    /// The workload.
    pub workload: Workload,
}

impl NamedWorkload {
    /// Opens `path` (memory-mapped), named by its file stem.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, WorkloadError> {
        let path = path.as_ref();
        let name = path.file_stem().map_or_else(|| "workload".into(), |s| s.to_string_lossy().into_owned());
        Ok(NamedWorkload { name, workload: Workload::open(path)? })
    }
}

impl WorkloadFactory for NamedWorkload {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn open(&self) -> paprika_codecs::Result<Box<dyn ScreenSource>> {
        Ok(Box::new(WorkloadPlayer::new(self.workload.clone())))
    }
    fn duration(&self) -> Option<Micros> {
        Some(self.workload.duration())
    }
}

/// Exact damage between two BGRX screens: per row of 64-pixel tiles, the
/// bounding box of the changed pixels of each run of changed tiles, runs with
/// the same columns in consecutive tile rows merged. Copying the rectangles
/// from `next` onto `prev` gives `next`; `corpora/workloads/pwld.py` computes
/// the same rectangles.
///
/// # Panics
///
/// When `prev` or `next` is not `width` × `height` × 4 bytes (a caller's bug,
/// not bad input: files never reach this).
pub fn diff_rects(prev: &[u8], next: &[u8], width: u32, height: u32) -> Vec<Rect> {
    let (w, h) = (width as usize, height as usize);
    let stride = w * 4;
    assert!(prev.len() == stride * h && next.len() == stride * h, "two whole BGRX screens");
    let t = DAMAGE_TILE as usize;
    let tiles = w.div_ceil(t);
    let mut out: Vec<Rect> = Vec::new();
    // Rectangles of the previous tile row that reach its bottom: merge candidates.
    let mut open: Vec<usize> = Vec::new();
    let mut boxes: Vec<Option<(usize, usize, usize, usize)>> = vec![None; tiles];
    for ty in (0..h).step_by(t) {
        let y_end = (ty + t).min(h);
        boxes.iter_mut().for_each(|b| *b = None);
        for y in ty..y_end {
            let (a, b) = (&prev[y * stride..(y + 1) * stride], &next[y * stride..(y + 1) * stride]);
            if a == b {
                continue;
            }
            for (tx, bx) in boxes.iter_mut().enumerate() {
                let (x0, x1) = (tx * t, ((tx + 1) * t).min(w));
                let (pa, pb) = (&a[x0 * 4..x1 * 4], &b[x0 * 4..x1 * 4]);
                if pa == pb {
                    continue;
                }
                let differs = |i: &usize| pa[i * 4..i * 4 + 4] != pb[i * 4..i * 4 + 4];
                let first = (0..x1 - x0).find(differs).unwrap_or(0) + x0;
                let last = (0..x1 - x0).rev().find(differs).unwrap_or(0) + x0 + 1;
                *bx = Some(match *bx {
                    None => (first, last, y, y + 1),
                    Some((a0, a1, b0, _)) => (a0.min(first), a1.max(last), b0, y + 1),
                });
            }
        }
        let mut still_open = Vec::new();
        let mut tx = 0;
        while tx < tiles {
            let Some((mut x0, mut x1, mut y0, mut y1)) = boxes[tx] else {
                tx += 1;
                continue;
            };
            tx += 1;
            while let Some(Some((a0, a1, b0, b1))) = boxes.get(tx).copied() {
                (x0, x1, y0, y1) = (x0.min(a0), x1.max(a1), y0.min(b0), y1.max(b1));
                tx += 1;
            }
            let merged = (y0 == ty).then(|| {
                open.iter().copied().find(|&i| out[i].x as usize == x0 && (out[i].x + out[i].width) as usize == x1)
            });
            let idx = match merged.flatten() {
                Some(i) => {
                    out[i].height = (y1 - out[i].y as usize) as u32;
                    i
                }
                None => {
                    out.push(Rect::new(x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32));
                    out.len() - 1
                }
            };
            if y1 == y_end {
                still_open.push(idx);
            }
        }
        open = still_open;
    }
    out
}

/// Writes a workload: frames in time order, as rectangles or as whole screens
/// whose damage it computes. Holds the frames in memory until [`Self::finish`]
/// (the index comes first in the file).
pub struct WorkloadWriter {
    width: u32,
    height: u32,
    level: Option<u32>,
    screen: Vec<u8>,
    frames: Vec<(Micros, u32, Vec<u8>)>,
}

impl fmt::Debug for WorkloadWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkloadWriter")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("level", &self.level)
            .field("frames", &self.frames.len())
            .finish()
    }
}

impl WorkloadWriter {
    /// A writer for a `width` × `height` surface, deflating payloads at level 6
    /// (each stored raw where that is not smaller).
    pub fn new(width: u32, height: u32) -> Result<Self, WorkloadError> {
        check_size(width, height)?;
        let screen = [0, 0, 0, 255].repeat(width as usize * height as usize);
        Ok(WorkloadWriter { width, height, level: Some(6), screen, frames: Vec::new() })
    }

    /// Deflate level 0–9, or `None` to store every payload raw.
    pub fn compression(mut self, level: Option<u32>) -> Self {
        self.level = level.map(|l| l.min(9));
        self
    }

    /// Frames pushed so far.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no frame was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The screen after the frames pushed so far (BGRX).
    pub fn screen(&self) -> &[u8] {
        &self.screen
    }

    /// Adds a frame: rectangles with their BGRX pixels (rows top-down, packed),
    /// applied in order. The first frame must start with the whole surface.
    pub fn push_rects(&mut self, timestamp: Micros, rects: &[(Rect, &[u8])]) -> Result<(), WorkloadError> {
        let frame = self.frames.len() as u32;
        let ok_time = match self.frames.last() {
            None => timestamp == 0,
            Some(p) => timestamp > p.0,
        };
        if !ok_time {
            return Err(WorkloadError::BadTimestamp { frame });
        }
        let full = Rect::new(0, 0, self.width, self.height);
        if frame == 0 && rects.first().is_none_or(|r| r.0 != full) {
            return Err(WorkloadError::FirstFrameNotFull);
        }
        let mut headers = Vec::with_capacity(rects.len() * RECT_HEADER_LEN);
        let mut payloads = Vec::new();
        for (i, &(r, px)) in rects.iter().enumerate() {
            let i = i as u32;
            if r.is_empty() || !r.fits_in(self.width, self.height) {
                return Err(WorkloadError::BadRect { frame, rect: i });
            }
            let expected = r.area() * 4;
            if px.len() as u64 != expected {
                return Err(WorkloadError::PayloadLength { frame, rect: i, declared: px.len() as u64, expected });
            }
            let deflated = match self.level {
                Some(level) => {
                    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), Compression::new(level));
                    z.write_all(px)?;
                    Some(z.finish()?).filter(|d| d.len() < px.len())
                }
                None => None,
            };
            let (encoding, payload) = match &deflated {
                Some(d) => (Encoding::Zlib, d.as_slice()),
                None => (Encoding::Raw, px),
            };
            let payload_len = u32::try_from(payload.len()).map_err(|_| WorkloadError::PayloadLength {
                frame,
                rect: i,
                declared: payload.len() as u64,
                expected: u64::from(u32::MAX),
            })?;
            for v in [r.x, r.y, r.width, r.height] {
                headers.extend_from_slice(&v.to_le_bytes());
            }
            headers.extend_from_slice(&[encoding.code(), 0, 0, 0]);
            headers.extend_from_slice(&payload_len.to_le_bytes());
            payloads.extend_from_slice(payload);
        }
        let stride = self.width as usize * 4;
        for &(r, px) in rects {
            let w = r.width as usize * 4;
            for (dy, src) in px.chunks_exact(w).enumerate() {
                let at = (r.y as usize + dy) * stride + r.x as usize * 4;
                self.screen[at..at + w].copy_from_slice(src);
            }
        }
        headers.extend_from_slice(&payloads);
        self.frames.push((timestamp, rects.len() as u32, headers));
        Ok(())
    }

    /// Adds a whole screen (BGRX, packed), storing only the rectangles that
    /// changed ([`diff_rects`]); the first is stored whole. Returns false, and
    /// stores nothing, when nothing changed.
    pub fn push_image(&mut self, timestamp: Micros, bgrx: &[u8]) -> Result<bool, WorkloadError> {
        let frame = self.frames.len() as u32;
        let expected = u64::from(self.width) * u64::from(self.height) * 4;
        if bgrx.len() as u64 != expected {
            return Err(WorkloadError::PayloadLength { frame, rect: 0, declared: bgrx.len() as u64, expected });
        }
        let rects = if self.frames.is_empty() {
            vec![Rect::new(0, 0, self.width, self.height)]
        } else {
            diff_rects(&self.screen, bgrx, self.width, self.height)
        };
        if rects.is_empty() {
            return Ok(false);
        }
        let stride = self.width as usize * 4;
        let pixels: Vec<Vec<u8>> = rects
            .iter()
            .map(|r| {
                let (x0, w) = (r.x as usize * 4, r.width as usize * 4);
                (r.y..r.y + r.height).flat_map(|y| &bgrx[y as usize * stride + x0..][..w]).copied().collect()
            })
            .collect();
        let pairs: Vec<(Rect, &[u8])> = rects.iter().copied().zip(pixels.iter().map(Vec::as_slice)).collect();
        self.push_rects(timestamp, &pairs)?;
        Ok(true)
    }

    /// The file's bytes; `duration` (µs) must not end before the last frame.
    pub fn finish(self, duration: Micros) -> Result<Vec<u8>, WorkloadError> {
        let last = self.frames.last().ok_or(WorkloadError::NoFrames)?.0;
        if duration < last {
            return Err(WorkloadError::BadDuration { duration, last });
        }
        let n = self.frames.len();
        let frame_count = u32::try_from(n).map_err(|_| WorkloadError::NoFrames)?;
        let body: usize = self.frames.iter().map(|f| f.2.len()).sum();
        let mut out = Vec::with_capacity(HEADER_LEN + n * INDEX_ENTRY_LEN + body);
        out.extend_from_slice(&MAGIC);
        for v in [VERSION, self.width, self.height, frame_count, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&duration.to_le_bytes());
        let mut offset = (HEADER_LEN + n * INDEX_ENTRY_LEN) as u64;
        for (t, count, bytes) in &self.frames {
            out.extend_from_slice(&t.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            offset += bytes.len() as u64;
        }
        for (_, _, bytes) in &self.frames {
            out.extend_from_slice(bytes);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(w: u32, h: u32, seed: u8) -> Vec<u8> {
        (0..w * h).flat_map(|i| [(i % 251) as u8 ^ seed, (i / 7) as u8, seed, 255]).collect()
    }

    #[test]
    fn the_mapped_path_reads_what_was_written() {
        let (w, h) = (70, 40);
        let mut wr = WorkloadWriter::new(w, h).unwrap();
        let a = screen(w, h, 1);
        let mut b = a.clone();
        b[(10 * w as usize + 66) * 4] ^= 0xff;
        assert!(wr.push_image(0, &a).unwrap());
        assert!(wr.push_image(40_000, &b).unwrap());
        let bytes = wr.finish(100_000).unwrap();
        let path = std::env::temp_dir().join(format!("paprika-workload-{}.pwl", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let wl = Workload::open(&path);
        std::fs::remove_file(&path).unwrap();
        let wl = wl.unwrap();
        assert!(wl.is_mapped() && wl.byte_len() == bytes.len());
        assert_eq!((wl.width(), wl.height(), wl.len(), wl.duration()), (w, h, 2, 100_000));
        assert_eq!(
            wl.frame_meta(1).unwrap().rects.iter().map(|r| r.rect).collect::<Vec<_>>(),
            [Rect::new(66, 10, 1, 1)]
        );
        let mut p = WorkloadPlayer::new(wl);
        assert!(p.advance().unwrap());
        assert_eq!(p.pixels(), a);
        assert!(p.advance().unwrap());
        assert_eq!((p.pixels(), p.timestamp()), (&b[..], Some(40_000)));
        assert!(!p.advance().unwrap());
    }

    #[test]
    fn diff_rects_are_exact_and_merge_down_a_column() {
        let (w, h) = (200, 150);
        let a = screen(w, h, 3);
        let mut b = a.clone();
        // A full-width band across two tile rows, and two separate spots in one tile row.
        for y in 60..70 {
            for x in 0..w as usize {
                b[(y * w as usize + x) * 4 + 1] ^= 1;
            }
        }
        b[(130 * w as usize + 5) * 4] ^= 1;
        b[(140 * w as usize + 190) * 4 + 2] ^= 1;
        let rects = diff_rects(&a, &b, w, h);
        assert_eq!(rects, [Rect::new(0, 60, 200, 10), Rect::new(5, 130, 1, 1), Rect::new(190, 140, 1, 1)]);
        assert!(diff_rects(&a, &a, w, h).is_empty());
    }
}
