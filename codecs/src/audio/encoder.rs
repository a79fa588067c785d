//! The Opus encoder: one frame of interleaved 16-bit PCM in, one packet out.

use super::backend::{self, encode_error};
use super::options::{OpusOptions, OpusRateControl};
use crate::error::{Codec, Error, ParameterKind, Result};

/// An Opus encoder with fixed sample rate, channels and frame duration, and a
/// bitrate that can change between frames.
pub struct OpusEncoder {
    inner: opus::Encoder,
    opts: OpusOptions,
    lookahead: usize,
}

impl core::fmt::Debug for OpusEncoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OpusEncoder").field("opts", &self.opts).field("lookahead", &self.lookahead).finish()
    }
}

impl OpusEncoder {
    /// An encoder with `opts` ([`OpusOptions::default`] is SPICE's playback stream).
    pub fn new(opts: &OpusOptions) -> Result<Self> {
        opts.check()?;
        let mut inner =
            opus::Encoder::new(opts.sample_rate, backend::channels(opts), backend::application(opts.application))
                .map_err(|e| encode_error(&e))?;
        if let Some(bps) = opts.bitrate {
            inner.set_bitrate(opus::Bitrate::Bits(bitrate_arg(bps))).map_err(|e| encode_error(&e))?;
        }
        if let Some(c) = opts.complexity {
            inner.set_complexity(i32::from(c)).map_err(|e| encode_error(&e))?;
        }
        let lookahead = inner.get_lookahead().map_err(|e| backend::backend(&e))?;
        // libopus reports a small non-negative count; anything else is a broken library.
        let lookahead =
            usize::try_from(lookahead).map_err(|_| Error::Backend { codec: Codec::Opus, code: lookahead })?;
        let mut enc = OpusEncoder { inner, opts: *opts, lookahead };
        enc.set_rate_control(opts.rate_control)?;
        Ok(enc)
    }

    /// The options the encoder was built with (`bitrate` as first given).
    pub fn options(&self) -> &OpusOptions {
        &self.opts
    }

    /// Samples per channel that [`encode`](Self::encode) takes.
    pub fn frame_samples(&self) -> usize {
        self.opts.frame_samples()
    }

    /// Length of the interleaved slice that [`encode`](Self::encode) takes.
    pub fn frame_len(&self) -> usize {
        self.opts.frame_len()
    }

    /// Samples per channel by which decoded audio lags the input (libopus's
    /// `OPUS_GET_LOOKAHEAD`); an Ogg Opus file's pre-skip.
    pub fn lookahead(&self) -> usize {
        self.lookahead
    }

    /// Encodes one frame of interleaved samples (exactly [`frame_len`](Self::frame_len)
    /// values, otherwise [`ParameterKind::OutOfRange`]) into a new packet.
    pub fn encode(&mut self, pcm: &[i16]) -> Result<Vec<u8>> {
        let mut out = vec![0; self.opts.max_packet_bytes];
        let n = self.encode_into(pcm, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// Encodes one frame into `out` and returns the packet's length. The packet is
    /// at most `min(out.len(), max_packet_bytes)` long: libopus lowers the frame's
    /// bitrate to fit, and only a buffer under 3 bytes is refused.
    pub fn encode_into(&mut self, pcm: &[i16], out: &mut [u8]) -> Result<usize> {
        if pcm.len() != self.frame_len() {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        if out.len() < 3 {
            return Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: 3, given: out.len() as u64 }));
        }
        let room = out.len().min(self.opts.max_packet_bytes);
        self.inner.encode(pcm, &mut out[..room]).map_err(|e| encode_error(&e))
    }

    /// Sets the target bitrate in bit/s from the next frame on, keeping the coder's
    /// state (no restart). libopus raises values under 500 to 500 and lowers values
    /// over 300 kbit/s per channel to that; 0 is refused. Under constrained VBR a
    /// large drop first pays back the bit reservoir (see [`OpusRateControl`]).
    pub fn set_bitrate(&mut self, bps: u32) -> Result<()> {
        if bps == 0 {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        self.inner.set_bitrate(opus::Bitrate::Bits(bitrate_arg(bps))).map_err(|e| encode_error(&e))
    }

    /// Changes the frame-to-frame bit allocation from the next frame on.
    pub fn set_rate_control(&mut self, rc: OpusRateControl) -> Result<()> {
        let (vbr, constrained) = match rc {
            OpusRateControl::ConstrainedVbr => (true, true),
            OpusRateControl::Vbr => (true, false),
            OpusRateControl::Cbr => (false, true),
        };
        self.inner.set_vbr(vbr).map_err(|e| encode_error(&e))?;
        self.inner.set_vbr_constraint(constrained).map_err(|e| encode_error(&e))
    }

    /// The bitrate in bit/s libopus is aiming for: the value set (after its clamping),
    /// or, while automatic, its own choice for the last frame size.
    pub fn bitrate(&mut self) -> Result<u32> {
        match self.inner.get_bitrate().map_err(|e| backend::backend(&e))? {
            opus::Bitrate::Bits(b) => u32::try_from(b).map_err(|_| Error::Backend { codec: Codec::Opus, code: b }),
            // libopus reports the automatic and maximum settings as numbers too, so these
            // mean a library that does not behave as documented.
            opus::Bitrate::Max | opus::Bitrate::Auto => {
                Err(Error::Backend { codec: Codec::Opus, code: OPUS_INTERNAL_ERROR })
            }
        }
    }
}

/// libopus's `OPUS_INTERNAL_ERROR`, for answers it should never give.
const OPUS_INTERNAL_ERROR: i32 = -3;

/// A bitrate as libopus's `opus_int32`; libopus clamps anything past 600 kbit/s anyway.
fn bitrate_arg(bps: u32) -> i32 {
    i32::try_from(bps).unwrap_or(i32::MAX)
}
