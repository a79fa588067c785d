//! The one place this crate calls C: OpenH264's encoder through `openh264-sys2`.
//!
//! Why not the `openh264` crate's safe encoder: it always configures a single
//! slice, and OpenH264 parallelises by slice, so its thread setting does nothing.
//! This module drives the encoder's vtable directly to set slices and threads,
//! and keeps every raw pointer behind [`RawEncoder`]'s `&mut self` methods.
#![allow(unsafe_code)]

use core::ffi::{c_int, c_void};
use core::ptr;

use openh264_sys2::{
    API, ENCODER_OPTION, ENCODER_OPTION_BITRATE, ENCODER_OPTION_FRAME_RATE, ENCODER_OPTION_IDR_INTERVAL,
    ENCODER_OPTION_MAX_BITRATE, ENCODER_OPTION_TRACE_LEVEL, ISVCEncoder, SEncParamExt, SFrameBSInfo, SPATIAL_LAYER_ALL,
    SSourcePicture, TagBitrateInfo, WELS_LOG_QUIET, cmResultSuccess, source::APILoader, videoFormatI420,
};

use crate::error::{Codec, Error, Result};

/// What kind of picture OpenH264 produced for one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawFrameType {
    /// An IDR picture: decodable on its own.
    Idr,
    /// An I picture that is not an IDR.
    Intra,
    /// A predicted picture.
    Predicted,
    /// Rate control dropped the input: no bytes.
    Skipped,
}

/// One OpenH264 encoder instance.
///
/// Invariant: `encoder` came from `WelsCreateSVCEncoder`, is non-null, is destroyed
/// exactly once in `Drop`, and is only used through `&mut self`, so no two calls
/// reach the C++ object at once.
pub(crate) struct RawEncoder {
    encoder: *mut ISVCEncoder,
    initialized: bool,
    // Boxed: the struct is about 8 KB and OpenH264 writes into it on every frame.
    info: Box<SFrameBSInfo>,
}

// SAFETY: an OpenH264 encoder has no thread affinity (no thread-locals; its worker
// threads are its own), and every access goes through `&mut self`, so moving it to
// another thread between calls is sound.
unsafe impl Send for RawEncoder {}

fn check(codec_ret: c_int) -> Result<()> {
    if codec_ret == cmResultSuccess { Ok(()) } else { Err(Error::Backend { codec: Codec::H264, code: codec_ret }) }
}

impl RawEncoder {
    /// Creates an encoder object (not yet initialised).
    pub(crate) fn new() -> Result<Self> {
        let mut encoder: *mut ISVCEncoder = ptr::null_mut();
        // SAFETY: WelsCreateSVCEncoder writes a fresh object pointer into `encoder`.
        let ret = unsafe { APILoader.WelsCreateSVCEncoder(&mut encoder) };
        check(ret)?;
        if encoder.is_null() {
            return Err(Error::Backend { codec: Codec::H264, code: -1 });
        }
        let mut raw = RawEncoder { encoder, initialized: false, info: Box::default() };
        // Quiet: OpenH264 otherwise prints warnings to stderr for parameters it adjusts.
        let mut level: c_int = WELS_LOG_QUIET as c_int;
        raw.set_option(ENCODER_OPTION_TRACE_LEVEL, (&mut level as *mut c_int).cast())?;
        Ok(raw)
    }

    fn vtbl(&self) -> &openh264_sys2::ISVCEncoderVtbl {
        // SAFETY: `encoder` is a valid object whose first word points at its vtable,
        // which lives as long as the library (static).
        unsafe { &**self.encoder }
    }

    /// OpenH264's defaults for every parameter, to be adjusted before `initialize`.
    pub(crate) fn default_params(&mut self) -> Result<SEncParamExt> {
        let f = self.vtbl().GetDefaultParams.ok_or(Error::Backend { codec: Codec::H264, code: -2 })?;
        let mut params = SEncParamExt::default();
        // SAFETY: `params` is a valid, writable SEncParamExt.
        check(unsafe { f(self.encoder, &mut params) })?;
        Ok(params)
    }

    /// Initialises (first call) or reconfigures the encoder.
    pub(crate) fn initialize(&mut self, params: &SEncParamExt) -> Result<()> {
        let f = self.vtbl().InitializeExt.ok_or(Error::Backend { codec: Codec::H264, code: -2 })?;
        // SAFETY: OpenH264 reads (and does not keep) the parameters.
        check(unsafe { f(self.encoder, params) })?;
        self.initialized = true;
        Ok(())
    }

    fn set_option(&mut self, option: ENCODER_OPTION, value: *mut c_void) -> Result<()> {
        let f = self.vtbl().SetOption.ok_or(Error::Backend { codec: Codec::H264, code: -2 })?;
        // SAFETY: every caller passes a pointer to the type OpenH264 documents for
        // `option` (int, float or SBitrateInfo), valid for the duration of the call.
        check(unsafe { f(self.encoder, option, value) })
    }

    /// Target and maximum bitrate of the whole stream, in bits per second.
    pub(crate) fn set_bitrate(&mut self, target: c_int, max: c_int) -> Result<()> {
        // Raise the ceiling first: OpenH264 clamps the target to the current maximum.
        let mut ceiling = TagBitrateInfo { iLayer: SPATIAL_LAYER_ALL, iBitrate: max };
        self.set_option(ENCODER_OPTION_MAX_BITRATE, (&mut ceiling as *mut TagBitrateInfo).cast())?;
        let mut info = TagBitrateInfo { iLayer: SPATIAL_LAYER_ALL, iBitrate: target };
        self.set_option(ENCODER_OPTION_BITRATE, (&mut info as *mut TagBitrateInfo).cast())
    }

    /// Maximum input frame rate, which rate control budgets bits by.
    pub(crate) fn set_frame_rate(&mut self, fps: f32) -> Result<()> {
        let mut fps = fps;
        self.set_option(ENCODER_OPTION_FRAME_RATE, (&mut fps as *mut f32).cast())
    }

    /// Frames between IDR pictures (0: only when forced).
    pub(crate) fn set_idr_interval(&mut self, frames: c_int) -> Result<()> {
        let mut frames = frames;
        self.set_option(ENCODER_OPTION_IDR_INTERVAL, (&mut frames as *mut c_int).cast())
    }

    /// Makes the next encoded picture an IDR.
    pub(crate) fn force_idr(&mut self) -> Result<()> {
        let f = self.vtbl().ForceIntraFrame.ok_or(Error::Backend { codec: Codec::H264, code: -2 })?;
        // SAFETY: plain call on a valid, initialised encoder.
        check(unsafe { f(self.encoder, true) })
    }

    /// Encodes one I420 picture and appends its Annex-B NAL units to `out`.
    ///
    /// The planes must hold `height` rows of `width` luma samples at `strides[0]`
    /// and `height / 2` rows of `width / 2` chroma samples at `strides[1]`; this is
    /// checked here, so the C side never reads outside the slices.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn encode(
        &mut self,
        width: u32,
        height: u32,
        planes: [&[u8]; 3],
        strides: [usize; 2],
        timestamp_ms: i64,
        out: &mut Vec<u8>,
    ) -> Result<RawFrameType> {
        if !self.initialized {
            return Err(Error::Backend { codec: Codec::H264, code: -3 });
        }
        let (w, h) = (width as usize, height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let fits = |plane: &[u8], stride: usize, cols: usize, rows: usize| {
            stride >= cols
                && rows > 0
                && (rows - 1).checked_mul(stride).and_then(|n| n.checked_add(cols)).is_some_and(|n| n <= plane.len())
        };
        if !(fits(planes[0], strides[0], w, h)
            && fits(planes[1], strides[1], cw, ch)
            && fits(planes[2], strides[1], cw, ch))
        {
            return Err(Error::Parameter(crate::error::ParameterKind::BufferTooSmall {
                needed: (strides[0] * h) as u64,
                given: planes[0].len() as u64,
            }));
        }
        let to_int =
            |v: usize| c_int::try_from(v).map_err(|_| Error::Parameter(crate::error::ParameterKind::SizeOverflow));
        let pic = SSourcePicture {
            iColorFormat: videoFormatI420 as c_int,
            iStride: [to_int(strides[0])?, to_int(strides[1])?, to_int(strides[1])?, 0],
            // OpenH264 takes `*mut` but only reads the source planes.
            pData: [
                planes[0].as_ptr().cast_mut(),
                planes[1].as_ptr().cast_mut(),
                planes[2].as_ptr().cast_mut(),
                ptr::null_mut(),
            ],
            iPicWidth: to_int(w)?,
            iPicHeight: to_int(h)?,
            uiTimeStamp: timestamp_ms,
            ..SSourcePicture::default()
        };
        let f = self.vtbl().EncodeFrame.ok_or(Error::Backend { codec: Codec::H264, code: -2 })?;
        // SAFETY: the planes were checked above to cover the picture; `info` is a
        // valid SFrameBSInfo that OpenH264 fills with pointers into its own buffers,
        // which stay valid until the next call on this encoder (we copy them out below).
        check(unsafe { f(self.encoder, &pic, &mut *self.info) })?;

        let info = &*self.info;
        let layers = usize::try_from(info.iLayerNum).unwrap_or(0).min(info.sLayerInfo.len());
        for layer in &info.sLayerInfo[..layers] {
            let nals = usize::try_from(layer.iNalCount).unwrap_or(0);
            if nals == 0 || layer.pNalLengthInByte.is_null() || layer.pBsBuf.is_null() {
                continue;
            }
            // SAFETY: OpenH264 reports `iNalCount` lengths at `pNalLengthInByte`,
            // and the NAL units lie back to back at `pBsBuf` for their total length.
            let lengths = unsafe { core::slice::from_raw_parts(layer.pNalLengthInByte, nals) };
            let total: usize = lengths.iter().map(|&n| usize::try_from(n).unwrap_or(0)).sum();
            // SAFETY: as above; the buffer holds `total` bytes.
            let bytes = unsafe { core::slice::from_raw_parts(layer.pBsBuf, total) };
            out.extend_from_slice(bytes);
        }
        Ok(match info.eFrameType {
            openh264_sys2::videoFrameTypeIDR => RawFrameType::Idr,
            openh264_sys2::videoFrameTypeI => RawFrameType::Intra,
            openh264_sys2::videoFrameTypeSkip | openh264_sys2::videoFrameTypeInvalid => RawFrameType::Skipped,
            _ => RawFrameType::Predicted,
        })
    }
}

impl Drop for RawEncoder {
    fn drop(&mut self) {
        if self.initialized
            && let Some(f) = self.vtbl().Uninitialize
        {
            // SAFETY: the encoder was initialised and is not used after this.
            unsafe { f(self.encoder) };
        }
        // SAFETY: created by WelsCreateSVCEncoder, destroyed once, here.
        unsafe { APILoader.WelsDestroySVCEncoder(self.encoder) };
    }
}
