//! Ogg Opus files (RFC 7845) for one mono or stereo stream: the identification
//! header (`OpusHead`), the comment header (`OpusTags`), then one Opus packet per
//! Ogg packet, with granule positions counting 48 kHz samples including the pre-skip.

use std::io::{Read, Seek, Write};

use anyhow::{Context, bail};
use ogg::{PacketReader, PacketWriteEndInfo, PacketWriter};

/// Every Ogg Opus granule position counts samples at 48 kHz, whatever the input rate.
pub const GRANULE_RATE: u32 = 48_000;

/// Packets per Ogg page (0.5 s of 10 ms packets): short pages keep a streamed file's
/// latency low and cost 27 bytes plus one lacing byte per packet.
const PACKETS_PER_PAGE: usize = 50;

/// The fields of `OpusHead` this tool uses (RFC 7845 §5.1, channel mapping family 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpusHead {
    /// 1 or 2.
    pub channels: u8,
    /// Samples (at 48 kHz) to drop from the start of the decoded audio.
    pub pre_skip: u16,
    /// Sample rate of the original input, for information only.
    pub input_rate: u32,
    /// Gain to apply on output, in Q7.8 dB.
    pub output_gain: i16,
}

impl OpusHead {
    /// The 19-byte packet.
    fn to_bytes(self) -> Vec<u8> {
        let mut b = b"OpusHead".to_vec();
        b.push(1); // version
        b.push(self.channels);
        b.extend_from_slice(&self.pre_skip.to_le_bytes());
        b.extend_from_slice(&self.input_rate.to_le_bytes());
        b.extend_from_slice(&self.output_gain.to_le_bytes());
        b.push(0); // channel mapping family 0: mono or stereo, no mapping table
        b
    }

    /// Parses the packet; refuses what a mono/stereo decoder cannot play.
    fn parse(b: &[u8]) -> anyhow::Result<Self> {
        if b.len() < 19 || &b[..8] != b"OpusHead" {
            bail!("not an Ogg Opus file: the first packet is not an OpusHead header");
        }
        // Version: the high nibble is the major version, and only major 0 is defined.
        if b[8] >> 4 != 0 {
            bail!("OpusHead version {} is not supported (only 0.x)", b[8]);
        }
        let channels = b[9];
        let mapping = b[18];
        if mapping != 0 || !(1..=2).contains(&channels) {
            bail!("{channels} channels with channel mapping family {mapping}: only mono and stereo (family 0)");
        }
        Ok(OpusHead {
            channels,
            pre_skip: u16::from_le_bytes([b[10], b[11]]),
            input_rate: u32::from_le_bytes([b[12], b[13], b[14], b[15]]),
            output_gain: i16::from_le_bytes([b[16], b[17]]),
        })
    }
}

/// `OpusTags` with a vendor string and `KEY=value` comments (RFC 7845 §5.2).
fn tags(vendor: &str, comments: &[String]) -> Vec<u8> {
    let mut b = b"OpusTags".to_vec();
    b.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    b.extend_from_slice(vendor.as_bytes());
    b.extend_from_slice(&(comments.len() as u32).to_le_bytes());
    for c in comments {
        b.extend_from_slice(&(c.len() as u32).to_le_bytes());
        b.extend_from_slice(c.as_bytes());
    }
    b
}

/// Writes one logical stream. Holds back one packet so the last can carry the
/// end-of-stream flag and the end-trimming granule position.
pub struct OggOpusWriter<W: Write> {
    pages: PacketWriter<'static, W>,
    serial: u32,
    /// Granule position after the packets handed over so far.
    granule: u64,
    pending: Option<(Vec<u8>, u64)>,
    in_page: usize,
}

impl<W: Write> OggOpusWriter<W> {
    /// Writes the two header pages.
    pub fn new(out: W, serial: u32, head: OpusHead, vendor: &str, comments: &[String]) -> anyhow::Result<Self> {
        let mut pages = PacketWriter::new(out);
        // Each header ends its page (RFC 7845 §3): the first page holds only OpusHead.
        pages.write_packet(head.to_bytes(), serial, PacketWriteEndInfo::EndPage, 0)?;
        pages.write_packet(tags(vendor, comments), serial, PacketWriteEndInfo::EndPage, 0)?;
        Ok(OggOpusWriter { pages, serial, granule: 0, pending: None, in_page: 0 })
    }

    /// Adds a packet that decodes to `samples` samples per channel at 48 kHz.
    pub fn push(&mut self, packet: Vec<u8>, samples: u64) -> anyhow::Result<()> {
        if let Some((p, g)) = self.pending.take() {
            self.in_page += 1;
            let end = if self.in_page == PACKETS_PER_PAGE {
                self.in_page = 0;
                PacketWriteEndInfo::EndPage
            } else {
                PacketWriteEndInfo::NormalPacket
            };
            self.pages.write_packet(p, self.serial, end, g)?;
        }
        self.granule += samples;
        self.pending = Some((packet, self.granule));
        Ok(())
    }

    /// Writes the last packet with the end-of-stream flag. `end_granule` (at most the
    /// samples written) tells a player where the real audio stops, so it drops the
    /// padding of the last frame (RFC 7845 §4.5).
    pub fn finish(mut self, end_granule: u64) -> anyhow::Result<W> {
        let Some((p, g)) = self.pending.take() else { bail!("an Ogg Opus stream needs at least one audio packet") };
        self.pages.write_packet(p, self.serial, PacketWriteEndInfo::EndStream, end_granule.min(g))?;
        Ok(self.pages.into_inner())
    }
}

/// One audio packet read back.
pub struct AudioPacket {
    /// The Opus packet.
    pub data: Vec<u8>,
    /// The page's granule position if this packet is the last to end on its page.
    pub granule: Option<u64>,
}

/// Reads the first logical stream of an Ogg file as Ogg Opus.
pub struct OggOpusReader<R: Read + Seek> {
    packets: PacketReader<R>,
    serial: u32,
    /// The end-of-stream packet has been read; a chained stream after it is not read.
    ended: bool,
    /// The identification header.
    pub head: OpusHead,
}

impl<R: Read + Seek> OggOpusReader<R> {
    /// Reads and checks the two headers.
    pub fn new(input: R) -> anyhow::Result<Self> {
        let mut packets = PacketReader::new(input);
        let first = packets.read_packet().context("not an Ogg file, or its first page is damaged")?;
        let first = first.context("empty file: no Ogg page")?;
        let head = OpusHead::parse(&first.data)?;
        let serial = first.stream_serial();
        let mut reader = OggOpusReader { packets, serial, ended: false, head };
        let tags = reader.next_of_stream()?.context("the stream ends before its OpusTags header")?;
        if !tags.data.starts_with(b"OpusTags") {
            bail!("the second packet is not an OpusTags header");
        }
        Ok(reader)
    }

    /// The next packet of our stream, skipping other multiplexed streams.
    fn next_of_stream(&mut self) -> anyhow::Result<Option<ogg::Packet>> {
        loop {
            match self.packets.read_packet().context("reading an Ogg page")? {
                Some(p) if p.stream_serial() == self.serial => return Ok(Some(p)),
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }

    /// The next audio packet, or `None` at the end of the stream.
    pub fn next_packet(&mut self) -> anyhow::Result<Option<AudioPacket>> {
        if self.ended {
            return Ok(None);
        }
        let Some(p) = self.next_of_stream()? else { return Ok(None) };
        // -1 marks a page on which no packet ends (RFC 3533 §6).
        let granule = (p.last_in_page() && p.absgp_page() != u64::MAX).then(|| p.absgp_page());
        self.ended = p.last_in_stream();
        Ok(Some(AudioPacket { data: p.data, granule }))
    }
}
