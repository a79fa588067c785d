//! Video streams: H.264 through OpenH264 and MJPEG through our JPEG encoder,
//! with the BGRX to I420 conversion both H.264 directions need.
//!
//! A stream is one rectangle of the screen coded frame by frame; its rate
//! controls (bitrate, frame rate, key frames, JPEG quality, byte budget) change
//! between frames, since the policy engine steers them from network feedback.

#[cfg(feature = "h264")]
mod h264;
#[cfg(feature = "h264")]
mod h264_decode;
pub mod i420;
mod mjpeg;
#[cfg(feature = "h264")]
mod openh264_ffi;

#[cfg(feature = "h264")]
pub use h264::{
    H264Content, H264Effort, H264Encoder, H264Options, MAX_H264_HEIGHT, MAX_H264_WIDTH, MIN_H264_SIDE, h264_coded_rect,
};
#[cfg(feature = "h264")]
pub use h264_decode::H264Decoder;
pub use i420::I420Frame;
pub use mjpeg::{MjpegEncoder, MjpegOptions, MjpegStats};

/// The kind of an encoded picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoFrameKind {
    /// Decodable on its own (H.264: an IDR picture preceded by SPS and PPS; every MJPEG frame).
    Key,
    /// Depends on earlier pictures.
    Delta,
    /// Dropped by rate control or the byte budget: nothing to send.
    Skipped,
}

/// One encoded frame of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedVideoFrame {
    /// The payload: Annex-B NAL units for H.264, a JFIF image for MJPEG; empty when skipped.
    pub data: Vec<u8>,
    /// Key, delta or skipped.
    pub kind: VideoFrameKind,
    /// The caller's timestamp for this frame, in milliseconds.
    pub timestamp_ms: u64,
}
