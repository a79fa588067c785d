//! An H.264 stream encoder over OpenH264: a rectangle of a BGRX surface in,
//! Annex-B access units out, with rate controls that change between frames.

use core::ffi::c_int;

use openh264_sys2::{
    CAMERA_VIDEO_REAL_TIME, CONSTANT_ID, LOW_COMPLEXITY, MEDIUM_COMPLEXITY, RC_BITRATE_MODE, SCREEN_CONTENT_REAL_TIME,
    SM_FIXEDSLCNUM_SLICE, SM_SINGLE_SLICE,
};

use super::i420::I420Frame;
use super::openh264_ffi::{RawEncoder, RawFrameType};
use super::{EncodedVideoFrame, VideoFrameKind};
use crate::error::{Error, ParameterKind, Result};
use crate::image::{ImageRef, Rect};

/// Largest picture OpenH264 encodes (level 5.2): 3840x2160 either way round.
pub const MAX_H264_WIDTH: u32 = 3840;
/// See [`MAX_H264_WIDTH`].
pub const MAX_H264_HEIGHT: u32 = 2160;
/// Smallest picture side we ask OpenH264 to encode (one macroblock).
pub const MIN_H264_SIDE: u32 = 16;

/// What the stream shows; picks OpenH264's tuning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum H264Content {
    /// Natural video (a film or camera feed playing in a window): the usual case for a stream.
    #[default]
    Video,
    /// Synthetic screen content (OpenH264's screen mode: scene-change and scroll tools).
    Screen,
}

/// Encoder effort: lower is faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum H264Effort {
    /// OpenH264's low complexity: the fastest.
    #[default]
    Low,
    /// OpenH264's medium complexity.
    Medium,
}

/// Settings of an [`H264Encoder`]; the rate controls can change later.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct H264Options {
    /// Target bitrate in bits per second.
    pub bitrate: u32,
    /// Frame rate the rate control budgets for, and the most it expects.
    pub max_fps: f32,
    /// Frames between key frames; 0 means key frames only when requested.
    pub keyframe_interval: u32,
    /// Encoder threads (and slices); 0 picks one per core, at most 4.
    pub threads: u16,
    /// Let rate control drop a frame rather than overshoot the bitrate.
    pub allow_frame_skip: bool,
    /// What the stream carries.
    pub content: H264Content,
    /// Speed against compression.
    pub effort: H264Effort,
}

impl Default for H264Options {
    fn default() -> Self {
        H264Options {
            bitrate: 4_000_000,
            max_fps: 30.0,
            keyframe_interval: 0,
            threads: 0,
            allow_frame_skip: true,
            content: H264Content::Video,
            effort: H264Effort::Low,
        }
    }
}

/// The part of a requested rectangle an H.264 stream can carry.
///
/// 4:2:0 video needs even sides, so an odd last column or row is left out: the
/// caller sends that 1-pixel strip another way (a lossless image) if it matters.
pub fn h264_coded_rect(rect: Rect) -> Rect {
    Rect::new(rect.x, rect.y, rect.width & !1, rect.height & !1)
}

fn resolve_threads(threads: u16) -> u16 {
    if threads > 0 {
        return threads.min(16);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.clamp(1, 4) as u16
}

fn to_c_int(v: u64) -> Result<c_int> {
    c_int::try_from(v).map_err(|_| Error::Parameter(ParameterKind::SizeOverflow))
}

/// An H.264 stream of one rectangle's size.
pub struct H264Encoder {
    raw: RawEncoder,
    frame: I420Frame,
    opts: H264Options,
    threads: u16,
    frames: u64,
}

impl core::fmt::Debug for H264Encoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("H264Encoder")
            .field("width", &self.frame.width())
            .field("height", &self.frame.height())
            .field("opts", &self.opts)
            .field("threads", &self.threads)
            .field("frames", &self.frames)
            .finish()
    }
}

impl H264Encoder {
    /// A stream whose pictures are `width` x `height` (both even, 16 to 3840x2160;
    /// see [`h264_coded_rect`] for odd rectangles).
    pub fn new(width: u32, height: u32, opts: &H264Options) -> Result<Self> {
        let (long, short) = (width.max(height), width.min(height));
        if width % 2 != 0
            || height % 2 != 0
            || short < MIN_H264_SIDE
            || long > MAX_H264_WIDTH
            || short > MAX_H264_HEIGHT
        {
            return Err(Error::Parameter(ParameterKind::UnsupportedSize { width, height }));
        }
        if opts.bitrate == 0 || !(opts.max_fps > 0.0 && opts.max_fps <= 120.0) {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        let threads = resolve_threads(opts.threads);
        let mut raw = RawEncoder::new()?;
        let mut p = raw.default_params()?;
        p.iUsageType = match opts.content {
            H264Content::Video => CAMERA_VIDEO_REAL_TIME,
            H264Content::Screen => SCREEN_CONTENT_REAL_TIME,
        };
        p.iPicWidth = to_c_int(width.into())?;
        p.iPicHeight = to_c_int(height.into())?;
        p.iTargetBitrate = to_c_int(opts.bitrate.into())?;
        p.iMaxBitrate = to_c_int(max_bitrate(opts.bitrate).into())?;
        p.iRCMode = RC_BITRATE_MODE;
        p.fMaxFrameRate = opts.max_fps;
        p.bEnableFrameSkip = opts.allow_frame_skip;
        p.uiIntraPeriod = opts.keyframe_interval;
        p.iComplexityMode = match opts.effort {
            H264Effort::Low => LOW_COMPLEXITY,
            H264Effort::Medium => MEDIUM_COMPLEXITY,
        };
        // Low latency: one temporal layer (no B-frames in OpenH264 anyway), one
        // spatial layer, one reference frame, constant parameter-set ids so every
        // key frame is self-contained.
        p.iTemporalLayerNum = 1;
        p.iSpatialLayerNum = 1;
        p.iNumRefFrame = 1;
        p.eSpsPpsIdStrategy = CONSTANT_ID;
        p.bEnableDenoise = false;
        p.bEnableBackgroundDetection = true;
        p.bEnableAdaptiveQuant = opts.content == H264Content::Video;
        p.bEnableLongTermReference = false;
        p.bPrefixNalAddingCtrl = false;
        p.iMultipleThreadIdc = threads;
        // Fixed slicing keeps a given input's bytes the same from run to run.
        p.bUseLoadBalancing = false;
        let layer = &mut p.sSpatialLayers[0];
        layer.iVideoWidth = p.iPicWidth;
        layer.iVideoHeight = p.iPicHeight;
        layer.fFrameRate = opts.max_fps;
        layer.iSpatialBitrate = p.iTargetBitrate;
        layer.iMaxSpatialBitrate = p.iMaxBitrate;
        // OpenH264 parallelises by slice: one slice per thread.
        if threads > 1 {
            layer.sSliceArgument.uiSliceMode = SM_FIXEDSLCNUM_SLICE;
            layer.sSliceArgument.uiSliceNum = u32::from(threads);
        } else {
            layer.sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
            layer.sSliceArgument.uiSliceNum = 1;
        }
        raw.initialize(&p)?;
        let frame = I420Frame::new(width, height)?;
        Ok(H264Encoder { raw, frame, opts: *opts, threads, frames: 0 })
    }

    /// Picture width.
    pub fn width(&self) -> u32 {
        self.frame.width()
    }

    /// Picture height.
    pub fn height(&self) -> u32 {
        self.frame.height()
    }

    /// Threads (and slices) in use.
    pub fn threads(&self) -> u16 {
        self.threads
    }

    /// The current options, with the latest rate controls.
    pub fn options(&self) -> &H264Options {
        &self.opts
    }

    /// Frames submitted so far (skipped ones included).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Encodes `rect` of a BGRX surface (its size must be the stream's).
    pub fn encode(&mut self, surface: &ImageRef<'_>, rect: Rect, timestamp_ms: u64) -> Result<EncodedVideoFrame> {
        if (rect.width, rect.height) != (self.frame.width(), self.frame.height()) {
            return Err(Error::Parameter(ParameterKind::FormatMismatch));
        }
        self.frame.fill_from_bgrx(surface, rect)?;
        let mut data = Vec::new();
        let kind = encode_planes(&mut self.raw, &self.frame, timestamp_ms, &mut data)?;
        self.frames += 1;
        Ok(EncodedVideoFrame { data, kind, timestamp_ms })
    }

    /// Encodes an I420 picture of the stream's size.
    pub fn encode_i420(&mut self, frame: &I420Frame, timestamp_ms: u64) -> Result<EncodedVideoFrame> {
        if (frame.width(), frame.height()) != (self.frame.width(), self.frame.height()) {
            return Err(Error::Parameter(ParameterKind::FormatMismatch));
        }
        let mut data = Vec::new();
        let kind = encode_planes(&mut self.raw, frame, timestamp_ms, &mut data)?;
        self.frames += 1;
        Ok(EncodedVideoFrame { data, kind, timestamp_ms })
    }

    /// Sets the target bitrate (bits per second) from the next frame on.
    pub fn set_bitrate(&mut self, bps: u32) -> Result<()> {
        if bps == 0 {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        self.raw.set_bitrate(to_c_int(bps.into())?, to_c_int(max_bitrate(bps).into())?)?;
        self.opts.bitrate = bps;
        Ok(())
    }

    /// Sets the frame rate rate control budgets for, from the next frame on.
    pub fn set_max_fps(&mut self, fps: f32) -> Result<()> {
        if !(fps > 0.0 && fps <= 120.0) {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        self.raw.set_frame_rate(fps)?;
        self.opts.max_fps = fps;
        Ok(())
    }

    /// Sets the key-frame interval in frames (0: only on request).
    pub fn set_keyframe_interval(&mut self, frames: u32) -> Result<()> {
        self.raw.set_idr_interval(to_c_int(frames.into())?)?;
        self.opts.keyframe_interval = frames;
        Ok(())
    }

    /// Makes the next encoded frame a key frame (a client joined or lost data).
    pub fn request_keyframe(&mut self) -> Result<()> {
        self.raw.force_idr()
    }
}

fn encode_planes(
    raw: &mut RawEncoder,
    frame: &I420Frame,
    timestamp_ms: u64,
    out: &mut Vec<u8>,
) -> Result<VideoFrameKind> {
    let ts = i64::try_from(timestamp_ms).map_err(|_| Error::Parameter(ParameterKind::SizeOverflow))?;
    let planes = [frame.y(), frame.u(), frame.v()];
    let kind = raw.encode(frame.width(), frame.height(), planes, [frame.y_stride(), frame.uv_stride()], ts, out)?;
    Ok(match kind {
        RawFrameType::Idr => VideoFrameKind::Key,
        RawFrameType::Intra | RawFrameType::Predicted => VideoFrameKind::Delta,
        RawFrameType::Skipped => {
            out.clear();
            VideoFrameKind::Skipped
        }
    })
}

/// The ceiling OpenH264 may reach for a moment while averaging to `target`.
fn max_bitrate(target: u32) -> u32 {
    target.saturating_add(target / 4)
}
