//! `paprika audio`: encode a 48 kHz 16-bit WAV file into an Ogg Opus file of
//! SPICE-style 10 ms packets, and decode one back into a WAV file, optionally
//! losing packets to hear the packet-loss concealment.

mod ogg_opus;

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use paprika_codecs::audio::{
    OpusDecoder, OpusEncoder, OpusFrameDuration, OpusOptions, OpusRateControl, SPICE_OPUS_SAMPLE_RATE, libopus_version,
    packet_samples,
};

use ogg_opus::{GRANULE_RATE, OggOpusReader, OggOpusWriter, OpusHead};

/// Arguments of `paprika audio`.
#[derive(Debug, clap::Args)]
pub struct AudioArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AudioCommand,
}

/// The `audio` subcommands.
#[derive(Debug, Subcommand)]
pub enum AudioCommand {
    /// Encode a 48 kHz 16-bit WAV (stereo; mono is duplicated) into an Ogg Opus file of
    /// 10 ms packets with SPICE's settings.
    Encode(EncodeArgs),
    /// Decode an Ogg Opus file (mono or stereo) into a 48 kHz 16-bit WAV.
    Decode(DecodeArgs),
}

/// Frame-to-frame bit allocation, as `OpusRateControl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RateControl {
    /// Constrained VBR: libopus's default, which SPICE keeps.
    Cvbr,
    /// Unconstrained VBR.
    Vbr,
    /// Constant bitrate.
    Cbr,
}

/// Arguments of `paprika audio encode`.
#[derive(Debug, clap::Args)]
pub struct EncodeArgs {
    /// Target bitrate in bit/s, with k suffix allowed (64k), or `auto` for libopus's
    /// own choice, which SPICE uses (102 kbit/s for 10 ms stereo frames).
    #[arg(long, default_value = "auto", value_parser = parse_bitrate)]
    pub bitrate: Bitrate,
    /// Frame-to-frame bit allocation.
    #[arg(long, value_enum, default_value = "cvbr")]
    pub rate_control: RateControl,
    /// Encoder effort 0..=10 [default: libopus's].
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=10))]
    pub complexity: Option<u8>,
    /// Input WAV: 48 kHz, 16-bit integer PCM, mono or stereo.
    #[arg(value_name = "IN.wav")]
    pub input: PathBuf,
    /// Output Ogg Opus file (.opus).
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
}

/// Arguments of `paprika audio decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Input Ogg Opus file.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Output WAV file.
    #[arg(short, long, value_name = "OUT.wav")]
    pub output: PathBuf,
    /// Drop every Nth audio packet (N, 2N, ...) and conceal it, as after a network loss.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub lose_every: Option<u64>,
}

/// A bitrate argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bitrate {
    /// libopus chooses (SPICE's behaviour).
    Auto,
    /// Bits per second.
    Bits(u32),
}

fn parse_bitrate(s: &str) -> Result<Bitrate, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(Bitrate::Auto);
    }
    let bps = crate::bitrate::parse_bits_per_second(s, "64k, 96000 or auto")?.round();
    // libopus's range: it would clamp anything outside silently.
    if !(500.0..=512_000.0).contains(&bps) {
        return Err(format!("bitrate {s} outside Opus's 500 to 512k bit/s"));
    }
    Ok(Bitrate::Bits(bps as u32))
}

/// Runs the command.
pub fn run(args: &AudioArgs) -> anyhow::Result<()> {
    match &args.command {
        AudioCommand::Encode(a) => encode(a),
        AudioCommand::Decode(a) => decode(a),
    }
}

/// Reads a WAV file as interleaved stereo samples, duplicating mono.
fn read_wav(path: &Path) -> anyhow::Result<Vec<i16>> {
    let mut wav = hound::WavReader::open(path).with_context(|| format!("reading {}", path.display()))?;
    let spec = wav.spec();
    if spec.sample_rate != SPICE_OPUS_SAMPLE_RATE {
        bail!(
            "{} is {} Hz; audio encode takes {SPICE_OPUS_SAMPLE_RATE} Hz, SPICE's rate \
             (resample first, e.g. `sox IN.wav -r 48000 OUT.wav`)",
            path.display(),
            spec.sample_rate
        );
    }
    if spec.sample_format != hound::SampleFormat::Int || spec.bits_per_sample != 16 {
        let kind = if spec.sample_format == hound::SampleFormat::Float { "float" } else { "integer" };
        bail!(
            "{} holds {}-bit {kind} samples; audio encode takes 16-bit integer PCM (`sox IN.wav -b 16 OUT.wav`)",
            path.display(),
            spec.bits_per_sample,
        );
    }
    let samples: Vec<i16> =
        wav.samples::<i16>().collect::<Result<_, _>>().with_context(|| format!("reading {}", path.display()))?;
    match spec.channels {
        2 => Ok(samples),
        1 => Ok(samples.iter().flat_map(|&s| [s, s]).collect()),
        n => bail!("{} has {n} channels; audio encode takes mono or stereo", path.display()),
    }
}

/// An Ogg serial number from the audio itself: reproducible output, yet different
/// for different inputs (FNV-1a).
fn serial_for(pcm: &[i16]) -> u32 {
    pcm.iter().fold(0x811c_9dc5u32, |h, &s| (h ^ s as u16 as u32).wrapping_mul(0x0100_0193))
}

fn encode(args: &EncodeArgs) -> anyhow::Result<()> {
    let pcm = read_wav(&args.input)?;
    let rate_control = match args.rate_control {
        RateControl::Cvbr => OpusRateControl::ConstrainedVbr,
        RateControl::Vbr => OpusRateControl::Vbr,
        RateControl::Cbr => OpusRateControl::Cbr,
    };
    let bitrate = match args.bitrate {
        Bitrate::Auto => None,
        Bitrate::Bits(b) => Some(b),
    };
    let opts = OpusOptions { bitrate, rate_control, complexity: args.complexity, ..OpusOptions::default() };
    let mut enc = OpusEncoder::new(&opts).context("creating the Opus encoder")?;
    let channels = usize::from(opts.channels);
    let samples = (pcm.len() / channels) as u64;
    let pre_skip = enc.lookahead();
    let head = OpusHead {
        channels: opts.channels,
        pre_skip: u16::try_from(pre_skip).context("encoder lookahead over 65535 samples")?,
        input_rate: SPICE_OPUS_SAMPLE_RATE,
        output_gain: 0,
    };
    let file = File::create(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    // A libopus built from its tarball by cmake reports "libopus unknown".
    let lib = libopus_version().trim_end_matches(" unknown");
    let vendor = format!("paprika {} ({lib})", env!("CARGO_PKG_VERSION"));
    let comments = [format!("ENCODER_OPTIONS=bitrate={:?} rate_control={:?}", args.bitrate, args.rate_control)];
    let mut ogg = OggOpusWriter::new(BufWriter::new(file), serial_for(&pcm), head, &vendor, &comments)?;

    // Zeros after the input flush the encoder's lookahead, so that every input sample
    // comes out; the end granule position then tells players to drop the excess.
    let frame_len = enc.frame_len();
    let total = (samples as usize + pre_skip).div_ceil(opts.frame_samples()) * frame_len;
    let mut padded = pcm;
    padded.resize(total, 0);
    let mut packet_bytes = 0u64;
    let mut frames = 0u64;
    for frame in padded.chunks_exact(frame_len) {
        let packet = enc.encode(frame).with_context(|| format!("encoding frame {frames}"))?;
        packet_bytes += packet.len() as u64;
        frames += 1;
        ogg.push(packet, opts.frame_samples() as u64)?;
    }
    let mut out = ogg.finish(pre_skip as u64 + samples)?;
    std::io::Write::flush(&mut out).with_context(|| format!("writing {}", args.output.display()))?;
    let file_bytes = std::fs::metadata(&args.output).map(|m| m.len()).unwrap_or(0);
    let seconds = frames as f64 * f64::from(opts.frame.micros()) / 1e6;
    let target = match bitrate {
        Some(_) => format!("{} bit/s", enc.bitrate()?),
        None => format!("auto = {} bit/s", enc.bitrate()?),
    };
    eprintln!(
        "opus {} Hz stereo, {frames} packets of {} ms ({:.3} s of input), target {target}: \
         {packet_bytes} bytes of packets, {:.1} kbit/s; {} is {file_bytes} bytes (Ogg Opus)",
        opts.sample_rate,
        f64::from(opts.frame.micros()) / 1000.0,
        samples as f64 / f64::from(opts.sample_rate),
        packet_bytes as f64 * 8.0 / seconds / 1000.0,
        args.output.display(),
    );
    Ok(())
}

/// The frame duration whose concealment unit matches a packet of `samples` at 48 kHz.
fn frame_for(samples: usize) -> OpusFrameDuration {
    use OpusFrameDuration as D;
    [D::Ms2_5, D::Ms5, D::Ms10, D::Ms20, D::Ms40, D::Ms60]
        .into_iter()
        .find(|d| d.samples(GRANULE_RATE) == samples)
        .unwrap_or(D::Ms20)
}

/// What a decode run counted.
#[derive(Default)]
struct DecodeStats {
    packets: u64,
    lost: u64,
    refused: u64,
    bytes: u64,
}

/// Appends `samples` per channel of concealment.
fn conceal(dec: &mut OpusDecoder, samples: usize, out: &mut Vec<i16>) -> anyhow::Result<()> {
    let channels = usize::from(dec.options().channels);
    let start = out.len();
    while out.len() < start + samples * channels {
        out.extend(dec.decode(None).context("concealing a lost packet")?);
    }
    out.truncate(start + samples * channels);
    Ok(())
}

fn decode(args: &DecodeArgs) -> anyhow::Result<()> {
    let file = File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
    let mut ogg =
        OggOpusReader::new(BufReader::new(file)).with_context(|| format!("reading {}", args.input.display()))?;
    let head = ogg.head;
    let channels = usize::from(head.channels);
    let mut dec: Option<OpusDecoder> = None;
    let mut pcm: Vec<i16> = Vec::new();
    let mut end_granule = None;
    let mut stats = DecodeStats::default();
    while let Some(packet) = ogg.next_packet().with_context(|| format!("reading {}", args.input.display()))? {
        let samples = packet_samples(&packet.data, GRANULE_RATE).ok();
        let dec = match &mut dec {
            Some(d) => d,
            None => {
                // Concealment works in units of the stream's first packet duration.
                let frame = frame_for(samples.unwrap_or(0));
                let opts = OpusOptions { channels: head.channels, frame, ..OpusOptions::default() };
                dec.insert(OpusDecoder::new(&opts).context("creating the Opus decoder")?)
            }
        };
        stats.packets += 1;
        stats.bytes += packet.data.len() as u64;
        end_granule = packet.granule.or(end_granule);
        let lost = args.lose_every.is_some_and(|n| stats.packets % n == 0);
        let duration = samples.unwrap_or(dec.frame_samples());
        if lost {
            stats.lost += 1;
            conceal(dec, duration, &mut pcm)?;
            continue;
        }
        match dec.decode(Some(&packet.data)) {
            Ok(d) => pcm.extend(d),
            Err(e @ paprika_codecs::Error::Format { .. }) => {
                // A damaged packet in a file plays as a lost one.
                eprintln!("warning: packet {} refused ({e}); concealed", stats.packets - 1);
                stats.refused += 1;
                conceal(dec, duration, &mut pcm)?;
            }
            Err(e) => return Err(e).with_context(|| format!("decoding packet {}", stats.packets - 1)),
        }
    }
    if stats.packets == 0 {
        bail!("{} holds no audio packet", args.input.display());
    }
    // Drop the encoder's delay at the start and the padding at the end (RFC 7845 §4.2, §4.5).
    let decoded = (pcm.len() / channels) as u64;
    let end = end_granule.map_or(decoded, |g| g.min(decoded));
    let start = u64::from(head.pre_skip).min(end);
    let mut pcm = pcm[start as usize * channels..end as usize * channels].to_vec();
    apply_gain(&mut pcm, head.output_gain);

    let spec = hound::WavSpec {
        channels: u16::from(head.channels),
        sample_rate: GRANULE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let what = || format!("writing {}", args.output.display());
    let mut wav = hound::WavWriter::create(&args.output, spec).with_context(what)?;
    for &s in &pcm {
        wav.write_sample(s).with_context(what)?;
    }
    wav.finalize().with_context(what)?;
    let seconds = pcm.len() as f64 / channels as f64 / f64::from(GRANULE_RATE);
    let played = decoded as f64 / f64::from(GRANULE_RATE);
    eprintln!(
        "opus {} packets ({} lost and concealed, {} refused and concealed), {} bytes, {:.1} kbit/s -> \
         {:.3} s of {} Hz {}, {} bytes of PCM",
        stats.packets,
        stats.lost,
        stats.refused,
        stats.bytes,
        stats.bytes as f64 * 8.0 / played.max(1e-9) / 1000.0,
        seconds,
        GRANULE_RATE,
        if channels == 1 { "mono" } else { "stereo" },
        pcm.len() * 2,
    );
    Ok(())
}

/// Applies the header's output gain (Q7.8 dB), saturating.
fn apply_gain(pcm: &mut [i16], gain_q8: i16) {
    if gain_q8 == 0 {
        return;
    }
    let factor = 10f64.powf(f64::from(gain_q8) / 256.0 / 20.0);
    for s in pcm {
        *s = (f64::from(*s) * factor).round().clamp(-32_768.0, 32_767.0) as i16;
    }
}
