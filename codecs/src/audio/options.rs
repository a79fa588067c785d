//! The settings of an Opus stream, with SPICE's playback parameters as the defaults.

use super::{SPICE_OPUS_CHANNELS, SPICE_OPUS_MAX_PACKET_BYTES, SPICE_OPUS_SAMPLE_RATE};
use crate::error::{Error, ParameterKind, Result};

/// Sample rates libopus codes at (and the ones SPICE's `snd_codec_is_capable` accepts).
pub const OPUS_SAMPLE_RATES: [u32; 5] = [8_000, 12_000, 16_000, 24_000, 48_000];

/// Most bytes one Opus frame may take (RFC 6716 §3.2.1); larger packet buffers only
/// help packets of several frames.
pub const OPUS_MAX_FRAME_BYTES: usize = 1275;

/// The tuning libopus applies (`OPUS_APPLICATION_*`); fixed for the life of an encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OpusApplication {
    /// `OPUS_APPLICATION_VOIP`: favours speech intelligibility.
    Voip,
    /// `OPUS_APPLICATION_AUDIO`: favours fidelity to the input. SPICE's choice.
    #[default]
    Audio,
    /// `OPUS_APPLICATION_RESTRICTED_LOWDELAY`: CELT only, 2.5 ms lookahead instead of 6.5 ms.
    RestrictedLowDelay,
}

/// How libopus spends bits from frame to frame (`OPUS_SET_VBR`, `OPUS_SET_VBR_CONSTRAINT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OpusRateControl {
    /// libopus's default, which SPICE keeps: frames vary, but a bit reservoir of about
    /// one frame bounds the excess. After a large bitrate drop that reservoir is paid
    /// back first: a few near-empty (3-byte) packets (docs/audio.md §4).
    #[default]
    ConstrainedVbr,
    /// Frames take what the content needs; the average is only steered towards the
    /// target (20% to 85% over it on the test music's high tones), and a bitrate drop
    /// is smooth.
    Vbr,
    /// Every frame exactly the target size.
    Cbr,
}

/// Duration of one coded frame, which is also the unit of packet-loss concealment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OpusFrameDuration {
    /// 2.5 ms.
    Ms2_5,
    /// 5 ms.
    Ms5,
    /// 10 ms: SPICE's `SND_CODEC_OPUS_FRAME_SIZE` of 480 samples at 48 kHz.
    #[default]
    Ms10,
    /// 20 ms.
    Ms20,
    /// 40 ms.
    Ms40,
    /// 60 ms.
    Ms60,
}

impl OpusFrameDuration {
    /// Samples per channel in one frame at `sample_rate`.
    pub const fn samples(self, sample_rate: u32) -> usize {
        // Every Opus rate is a multiple of 400 Hz, so 2.5 ms is a whole number of samples.
        let quarter = (sample_rate / 400) as usize;
        quarter
            * match self {
                OpusFrameDuration::Ms2_5 => 1,
                OpusFrameDuration::Ms5 => 2,
                OpusFrameDuration::Ms10 => 4,
                OpusFrameDuration::Ms20 => 8,
                OpusFrameDuration::Ms40 => 16,
                OpusFrameDuration::Ms60 => 24,
            }
    }

    /// The duration in microseconds.
    pub const fn micros(self) -> u32 {
        match self {
            OpusFrameDuration::Ms2_5 => 2_500,
            OpusFrameDuration::Ms5 => 5_000,
            OpusFrameDuration::Ms10 => 10_000,
            OpusFrameDuration::Ms20 => 20_000,
            OpusFrameDuration::Ms40 => 40_000,
            OpusFrameDuration::Ms60 => 60_000,
        }
    }
}

/// Settings of an [`OpusEncoder`](super::OpusEncoder) and an
/// [`OpusDecoder`](super::OpusDecoder). `Default` is SPICE's playback stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpusOptions {
    /// Samples per second per channel: one of [`OPUS_SAMPLE_RATES`].
    pub sample_rate: u32,
    /// 1 (mono) or 2 (interleaved left, right).
    pub channels: u8,
    /// Samples per [`encode`](super::OpusEncoder::encode) call and per concealed frame.
    pub frame: OpusFrameDuration,
    /// libopus's tuning.
    pub application: OpusApplication,
    /// Starting bitrate in bit/s; `None` leaves libopus's automatic choice, as SPICE
    /// does (for 10 ms stereo frames at 48 kHz that is 102 kbit/s).
    pub bitrate: Option<u32>,
    /// Frame-to-frame bit allocation; SPICE keeps libopus's default, constrained VBR.
    pub rate_control: OpusRateControl,
    /// Encoder effort, 0 to 10; `None` leaves libopus's default, as SPICE does.
    pub complexity: Option<u8>,
    /// Largest packet the encoder may emit: SPICE's server encodes into a buffer of
    /// `SND_CODEC_MAX_COMPRESSED_BYTES` = 480 bytes, which caps 10 ms frames at 384 kbit/s.
    pub max_packet_bytes: usize,
}

impl Default for OpusOptions {
    fn default() -> Self {
        OpusOptions {
            sample_rate: SPICE_OPUS_SAMPLE_RATE,
            channels: SPICE_OPUS_CHANNELS,
            frame: OpusFrameDuration::Ms10,
            application: OpusApplication::Audio,
            bitrate: None,
            rate_control: OpusRateControl::ConstrainedVbr,
            complexity: None,
            max_packet_bytes: SPICE_OPUS_MAX_PACKET_BYTES,
        }
    }
}

impl OpusOptions {
    /// Samples per channel in one frame.
    pub const fn frame_samples(&self) -> usize {
        self.frame.samples(self.sample_rate)
    }

    /// Interleaved `i16` values in one frame (samples per channel × channels).
    pub const fn frame_len(&self) -> usize {
        self.frame_samples() * self.channels as usize
    }

    /// Checks the fields a decoder uses: the sample rate and the channel count.
    pub(crate) fn check_stream(&self) -> Result<()> {
        if !OPUS_SAMPLE_RATES.contains(&self.sample_rate) || !(1..=2).contains(&self.channels) {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        Ok(())
    }

    /// Checks every field.
    pub(crate) fn check(&self) -> Result<()> {
        self.check_stream()?;
        let complexity_ok = self.complexity.is_none_or(|c| c <= 10);
        // Below 3 bytes libopus can only emit a frame that says "nothing changed";
        // more than 6 frames' worth is never used by a single-frame packet.
        let max_ok = (3..=6 * OPUS_MAX_FRAME_BYTES).contains(&self.max_packet_bytes);
        if self.bitrate == Some(0) || !complexity_ok || !max_ok {
            return Err(Error::Parameter(ParameterKind::OutOfRange));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_sizes_follow_the_rate() {
        assert_eq!(OpusFrameDuration::Ms10.samples(48_000), 480);
        assert_eq!(OpusFrameDuration::Ms2_5.samples(8_000), 20);
        assert_eq!(OpusFrameDuration::Ms60.samples(16_000), 960);
        for d in [OpusFrameDuration::Ms2_5, OpusFrameDuration::Ms20, OpusFrameDuration::Ms60] {
            for rate in OPUS_SAMPLE_RATES {
                assert_eq!(d.samples(rate) as u64 * 1_000_000, u64::from(d.micros()) * u64::from(rate));
            }
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        let good = OpusOptions::default();
        assert_eq!(good.check(), Ok(()));
        for bad in [
            OpusOptions { sample_rate: 44_100, ..good },
            OpusOptions { channels: 0, ..good },
            OpusOptions { channels: 3, ..good },
            OpusOptions { bitrate: Some(0), ..good },
            OpusOptions { complexity: Some(11), ..good },
            OpusOptions { max_packet_bytes: 2, ..good },
            OpusOptions { max_packet_bytes: 100_000, ..good },
        ] {
            assert_eq!(bad.check(), Err(Error::Parameter(ParameterKind::OutOfRange)), "{bad:?}");
        }
    }
}
