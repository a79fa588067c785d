//! An MJPEG stream: one JPEG per frame from our encoder, at a quality the caller
//! sets frame by frame, dropping frames that do not fit the byte budget.
//!
//! SPICE's own MJPEG rate control walks a quality ladder (20..80) with frame-rate
//! caps inside the encoder; here the policy engine decides, so this type only
//! carries out its choices and reports what each frame cost.

use super::{EncodedVideoFrame, VideoFrameKind};
use crate::error::{Error, ParameterKind, Result};
use crate::image::{ImageRef, Rect};
use crate::jpeg::{self, JpegOptions};

/// Settings of an [`MjpegEncoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MjpegOptions {
    /// JPEG settings; `quality` is the starting quality.
    pub jpeg: JpegOptions,
    /// Most bytes one frame may take; a frame over it is dropped (None: no limit).
    pub max_frame_bytes: Option<usize>,
}

impl Default for MjpegOptions {
    fn default() -> Self {
        MjpegOptions { jpeg: JpegOptions { quality: 70, ..JpegOptions::default() }, max_frame_bytes: None }
    }
}

/// Counters of an MJPEG stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MjpegStats {
    /// Frames encoded and kept.
    pub sent: u64,
    /// Frames encoded and dropped for exceeding the budget.
    pub dropped: u64,
    /// Bytes of the kept frames.
    pub bytes: u64,
    /// Size of the last frame encoded, kept or not.
    pub last_frame_bytes: usize,
}

/// An MJPEG stream of one rectangle's size.
#[derive(Debug, Clone)]
pub struct MjpegEncoder {
    width: u32,
    height: u32,
    opts: MjpegOptions,
    stats: MjpegStats,
}

impl MjpegEncoder {
    /// A stream of `width` x `height` frames.
    pub fn new(width: u32, height: u32, opts: &MjpegOptions) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(Error::Parameter(ParameterKind::EmptyImage));
        }
        if !(1..=100).contains(&opts.jpeg.quality) {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        Ok(MjpegEncoder { width, height, opts: *opts, stats: MjpegStats::default() })
    }

    /// Sets the quality (1..=100) of the next frames.
    pub fn set_quality(&mut self, quality: u8) -> Result<()> {
        if !(1..=100).contains(&quality) {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        self.opts.jpeg.quality = quality;
        Ok(())
    }

    /// Current quality.
    pub fn quality(&self) -> u8 {
        self.opts.jpeg.quality
    }

    /// Sets the per-frame byte budget (None: no limit).
    pub fn set_max_frame_bytes(&mut self, budget: Option<usize>) {
        self.opts.max_frame_bytes = budget;
    }

    /// Counters so far.
    pub fn stats(&self) -> MjpegStats {
        self.stats
    }

    /// Encodes `rect` of a surface (its size must be the stream's). A frame over
    /// the budget comes back `Skipped` with no data; its size is in [`Self::stats`].
    pub fn encode(&mut self, surface: &ImageRef<'_>, rect: Rect, timestamp_ms: u64) -> Result<EncodedVideoFrame> {
        if (rect.width, rect.height) != (self.width, self.height) {
            return Err(Error::Parameter(ParameterKind::FormatMismatch));
        }
        let view = surface.sub_image(rect)?;
        let mut data = Vec::new();
        jpeg::encode_into(&view, &self.opts.jpeg, &mut data)?;
        self.stats.last_frame_bytes = data.len();
        if self.opts.max_frame_bytes.is_some_and(|max| data.len() > max) {
            self.stats.dropped += 1;
            return Ok(EncodedVideoFrame { data: Vec::new(), kind: VideoFrameKind::Skipped, timestamp_ms });
        }
        self.stats.sent += 1;
        self.stats.bytes += data.len() as u64;
        Ok(EncodedVideoFrame { data, kind: VideoFrameKind::Key, timestamp_ms })
    }
}
