//! The engine's video streams: one encoder per streamed rectangle.

use paprika_codecs::video::{H264Encoder, H264Options, MjpegEncoder, MjpegOptions, VideoFrameKind, h264_coded_rect};
use paprika_codecs::{ImageRef, Rect, Result};

use crate::policy::VideoCodec;

/// Smallest stream side: OpenH264's one macroblock.
const MIN_STREAM_SIDE: u32 = 16;
/// Most bits per pixel per frame (at 30 fps) a stream is given: beyond that the
/// picture is already transparent, and OpenH264 refuses rates past its level.
const MAX_BITS_PER_PIXEL: f64 = 2.0;

/// `bps` bounded for a stream of `rect`.
fn bounded_bitrate(bps: u32, rect: Rect) -> u32 {
    let cap = f64::from(rect.width) * f64::from(rect.height) * 30.0 * MAX_BITS_PER_PIXEL;
    (f64::from(bps).min(cap) as u32).max(64_000)
}

enum StreamEncoder {
    H264(Box<H264Encoder>),
    Mjpeg(MjpegEncoder),
}

/// A stream the client has been told to create.
pub(crate) struct VideoStream {
    pub id: u32,
    /// Destination, as the client knows it (even sides).
    pub rect: Rect,
    pub codec: VideoCodec,
    pub bitrate: u32,
    encoder: StreamEncoder,
    /// Whether the stream's current region was still video at the last poll.
    pub seen: bool,
    /// The encoder failed: the stream ends at the next poll.
    pub failed: bool,
}

/// One encoded frame (None when rate control skipped it).
pub(crate) struct StreamOutput {
    pub data: Vec<u8>,
    pub key: bool,
}

/// The rectangle a stream over `region` covers, or `None` when too small.
pub(crate) fn stream_rect(region: Rect, codec: VideoCodec) -> Option<Rect> {
    let r = if codec == VideoCodec::H264 { h264_coded_rect(region) } else { region };
    (r.width >= MIN_STREAM_SIDE && r.height >= MIN_STREAM_SIDE).then_some(r)
}

impl VideoStream {
    /// A stream of `codec` over `rect` (already [`stream_rect`]).
    pub fn new(id: u32, rect: Rect, codec: VideoCodec, bitrate: u32, quality: u8, threads: u16) -> Result<Self> {
        let encoder = match codec {
            VideoCodec::H264 => {
                let opts = H264Options { bitrate: bounded_bitrate(bitrate, rect), threads, ..H264Options::default() };
                StreamEncoder::H264(Box::new(H264Encoder::new(rect.width, rect.height, &opts)?))
            }
            VideoCodec::Mjpeg => {
                let mut opts = MjpegOptions::default();
                opts.jpeg.quality = quality;
                StreamEncoder::Mjpeg(MjpegEncoder::new(rect.width, rect.height, &opts)?)
            }
        };
        Ok(VideoStream { id, rect, codec, bitrate: bounded_bitrate(bitrate, rect), encoder, seen: true, failed: false })
    }

    /// Changes the target bitrate (H.264) when it moved by more than 10%.
    pub fn set_bitrate(&mut self, bps: u32) -> Result<()> {
        let bps = bounded_bitrate(bps, self.rect);
        let old = f64::from(self.bitrate);
        if (f64::from(bps) - old).abs() > 0.1 * old {
            self.bitrate = bps;
            if let StreamEncoder::H264(e) = &mut self.encoder {
                e.set_bitrate(bps)?;
            }
        }
        Ok(())
    }

    /// Encodes the stream's rectangle of `surface`; MJPEG at `quality`.
    pub fn encode(&mut self, surface: &ImageRef<'_>, quality: u8, timestamp_ms: u64) -> Result<Option<StreamOutput>> {
        let frame = match &mut self.encoder {
            StreamEncoder::H264(e) => e.encode(surface, self.rect, timestamp_ms)?,
            StreamEncoder::Mjpeg(e) => {
                e.set_quality(quality)?;
                e.encode(surface, self.rect, timestamp_ms)?
            }
        };
        Ok(match frame.kind {
            VideoFrameKind::Skipped => None,
            kind => Some(StreamOutput { data: frame.data, key: kind == VideoFrameKind::Key }),
        })
    }
}
