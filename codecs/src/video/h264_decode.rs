//! An H.264 stream decoder (OpenH264's, through the `openh264` crate), for tests,
//! the benchmark's client model and the CLI.
//!
//! Unlike this crate's image decoders it is C++ underneath and not covered by our
//! fuzzing; a client that must face hostile streams should sandbox it.

use openh264::decoder::Decoder;
use openh264::formats::YUVSource;

use super::i420::I420Frame;
use crate::error::{Codec, Error, FormatKind, Result};
use crate::limits::Limits;

/// Decodes a stream of Annex-B access units into I420 frames.
pub struct H264Decoder {
    inner: Decoder,
    limits: Limits,
}

impl core::fmt::Debug for H264Decoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("H264Decoder").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl H264Decoder {
    /// A decoder whose pictures must fit `limits`.
    pub fn new(limits: &Limits) -> Result<Self> {
        let inner = Decoder::new().map_err(|_| Error::Backend { codec: Codec::H264, code: -1 })?;
        Ok(H264Decoder { inner, limits: *limits })
    }

    /// Decodes one access unit; `None` when it completed no picture (parameter
    /// sets alone, say).
    pub fn decode(&mut self, access_unit: &[u8]) -> Result<Option<I420Frame>> {
        let decoded = self.inner.decode(access_unit).map_err(|_| Error::format(Codec::H264, FormatKind::BadPacket))?;
        match decoded {
            Some(yuv) => to_frame(&yuv, &self.limits).map(Some),
            None => Ok(None),
        }
    }

    /// Returns the pictures OpenH264 still holds (call at the end of a stream).
    pub fn flush(&mut self) -> Result<Vec<I420Frame>> {
        let held = self.inner.flush_remaining().map_err(|_| Error::format(Codec::H264, FormatKind::BadPacket))?;
        held.iter().map(|yuv| to_frame(yuv, &self.limits)).collect()
    }

    /// Decodes a whole Annex-B byte stream (a `.h264` file) NAL unit by NAL unit,
    /// flushing at the end; every picture in stream order.
    pub fn decode_stream(&mut self, stream: &[u8]) -> Result<Vec<I420Frame>> {
        let mut frames = Vec::new();
        for nal in openh264::nal_units(stream) {
            frames.extend(self.decode(nal)?);
        }
        frames.extend(self.flush()?);
        Ok(frames)
    }
}

/// Copies a picture OpenH264 lent us, after checking its size against `limits`.
fn to_frame(yuv: &impl YUVSource, limits: &Limits) -> Result<I420Frame> {
    let (w, h) = yuv.dimensions();
    let (w, h) = (u32::try_from(w).unwrap_or(u32::MAX), u32::try_from(h).unwrap_or(u32::MAX));
    limits.check_dimensions(w, h)?;
    let (ys, us, vs) = yuv.strides();
    let mut frame = I420Frame::new(w, h)?;
    let (fw, fh) = (w as usize, h as usize);
    let (cw, ch) = (fw.div_ceil(2), fh.div_ceil(2));
    copy_plane(yuv.y(), ys, frame.y_stride(), fw, fh, frame.y_mut())?;
    let uvs = frame.uv_stride();
    copy_plane(yuv.u(), us, uvs, cw, ch, frame.u_mut())?;
    copy_plane(yuv.v(), vs, uvs, cw, ch, frame.v_mut())?;
    Ok(frame)
}

fn copy_plane(
    src: &[u8],
    src_stride: usize,
    dst_stride: usize,
    cols: usize,
    rows: usize,
    dst: &mut [u8],
) -> Result<()> {
    for r in 0..rows {
        let from = src.get(r * src_stride..r * src_stride + cols);
        let to = dst.get_mut(r * dst_stride..r * dst_stride + cols);
        match (from, to) {
            (Some(a), Some(b)) => b.copy_from_slice(a),
            // OpenH264 handed back planes shorter than its own dimensions.
            _ => return Err(Error::Backend { codec: Codec::H264, code: -4 }),
        }
    }
    Ok(())
}
