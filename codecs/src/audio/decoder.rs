//! The Opus decoder: a packet (or news of its loss) in, interleaved 16-bit PCM out.

use super::backend::{self, decode_error, packet_samples};
use super::options::OpusOptions;
use crate::error::{Error, ParameterKind, Result};

/// An Opus decoder for one stream, with packet-loss concealment.
///
/// Any byte string is safe to pass: a packet libopus refuses gives
/// [`FormatKind::BadPacket`](crate::error::FormatKind::BadPacket) and leaves the
/// decoder as it was. Opus has no checksum, so many damaged packets still parse and
/// decode to noise; only their structure is checked.
pub struct OpusDecoder {
    inner: opus::Decoder,
    opts: OpusOptions,
}

impl core::fmt::Debug for OpusDecoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OpusDecoder").field("opts", &self.opts).finish()
    }
}

impl OpusDecoder {
    /// A decoder producing `opts.sample_rate` and `opts.channels` (whatever the
    /// packets carry), concealing losses one `opts.frame` at a time. The encoder-only
    /// fields of `opts` are ignored.
    pub fn new(opts: &OpusOptions) -> Result<Self> {
        opts.check_stream()?;
        let inner = opus::Decoder::new(opts.sample_rate, backend::channels(opts)).map_err(|e| backend::backend(&e))?;
        Ok(OpusDecoder { inner, opts: *opts })
    }

    /// The options the decoder was built with.
    pub fn options(&self) -> &OpusOptions {
        &self.opts
    }

    /// Samples per channel that one concealed frame (`decode(None)`) produces.
    pub fn frame_samples(&self) -> usize {
        self.opts.frame_samples()
    }

    /// Decodes `packet` into new interleaved samples; `None` means the packet was lost
    /// and gives one frame ([`frame_samples`](Self::frame_samples) per channel) of
    /// concealment that continues the signal. A packet gives as many samples as it
    /// carries (up to 120 ms). An empty packet is malformed (RFC 6716 §3.4, R1).
    pub fn decode(&mut self, packet: Option<&[u8]>) -> Result<Vec<i16>> {
        let per_channel = match packet {
            Some(p) => packet_samples(p, self.opts.sample_rate)?,
            None => self.frame_samples(),
        };
        let mut out = vec![0; per_channel * usize::from(self.opts.channels)];
        let n = self.decode_into(packet, &mut out)?;
        out.truncate(n * usize::from(self.opts.channels));
        Ok(out)
    }

    /// Like [`decode`](Self::decode), into the start of `out`; returns the samples per
    /// channel written. `out` must hold all the packet's samples, otherwise
    /// [`ParameterKind::BufferTooSmall`] (in bytes) and nothing is decoded.
    pub fn decode_into(&mut self, packet: Option<&[u8]>, out: &mut [i16]) -> Result<usize> {
        let channels = usize::from(self.opts.channels);
        let per_channel = match packet {
            Some(p) => packet_samples(p, self.opts.sample_rate)?,
            None => self.frame_samples(),
        };
        let need = per_channel * channels;
        if out.len() < need {
            return Err(Error::Parameter(ParameterKind::BufferTooSmall {
                needed: need as u64 * 2,
                given: out.len() as u64 * 2,
            }));
        }
        // The crate reads an empty input as "lost", which is what None asks for.
        let input = packet.unwrap_or(&[]);
        match self.inner.decode(input, &mut out[..need], false) {
            Ok(n) => Ok(n),
            Err(e) => {
                let err = decode_error(&e);
                if matches!(err, Error::Backend { .. }) {
                    // A failure inside the decoder may leave its state half-updated;
                    // starting afresh keeps the next packets decodable.
                    self.reset()?;
                }
                Err(err)
            }
        }
    }

    /// Forgets the stream so far, as after creation (for a new stream or a seek).
    pub fn reset(&mut self) -> Result<()> {
        self.inner.reset_state().map_err(|e| backend::backend(&e))
    }
}
