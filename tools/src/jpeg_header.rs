//! What `paprika info` and `decode` say about a JPEG: the frame header (SOF) and
//! the restart interval (DRI), read from the markers before the first scan. The
//! quality a JPEG was made with is not stored in it, so it is not reported.

use anyhow::{Context, bail};

use crate::codec::JPEG_SOI;

/// A JPEG's frame header and restart interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegHeader {
    /// The SOF marker's low byte (0xc0 baseline, 0xc1 extended, 0xc2 progressive, ...).
    pub sof: u8,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// Horizontal and vertical sampling factors of each component, in frame order.
    pub sampling: Vec<(u8, u8)>,
    /// MCUs per restart interval (DRI), 0 when there is none.
    pub restart_interval: u16,
}

impl JpegHeader {
    /// The coding process the SOF marker names.
    pub fn process(&self) -> String {
        match self.sof {
            0xc0 => "baseline".into(),
            0xc1 => "extended sequential".into(),
            0xc2 => "progressive".into(),
            0xc3 => "lossless".into(),
            m => format!("sof{}", m - 0xc0),
        }
    }

    /// The chroma sampling: `gray`, `4:4:4`, `4:2:0`, `4:2:2`, `4:4:0`, or the
    /// factors (`HxV,HxV,...`) of an unusual layout.
    pub fn subsampling(&self) -> String {
        match self.sampling.as_slice() {
            [_] => "gray".into(),
            [y, (1, 1), (1, 1)] => match y {
                (1, 1) => "4:4:4".into(),
                (2, 2) => "4:2:0".into(),
                (2, 1) => "4:2:2".into(),
                (1, 2) => "4:4:0".into(),
                _ => self.factors(),
            },
            _ => self.factors(),
        }
    }

    /// The sampling factors, `HxV` per component.
    fn factors(&self) -> String {
        self.sampling.iter().map(|(h, v)| format!("{h}x{v}")).collect::<Vec<_>>().join(",")
    }

    /// MCUs per row: the image width over the MCU width (8 pixels times the largest
    /// horizontal factor; one component's MCU is a single block).
    pub fn mcus_per_row(&self) -> u32 {
        let h_max = if self.sampling.len() == 1 { 1 } else { self.sampling.iter().map(|s| s.0).max().unwrap_or(1) };
        u32::from(self.width).div_ceil(8 * u32::from(h_max.max(1)))
    }

    /// Whole MCU rows per restart interval, when the interval is a whole number of rows.
    pub fn restart_rows(&self) -> Option<u32> {
        let per_row = self.mcus_per_row();
        let interval = u32::from(self.restart_interval);
        (interval > 0 && per_row > 0 && interval % per_row == 0).then(|| interval / per_row)
    }
}

/// Reads the markers of `data` up to the first scan (SOS).
pub fn read(data: &[u8]) -> anyhow::Result<JpegHeader> {
    if !data.starts_with(&JPEG_SOI[..2]) {
        bail!("not a JPEG: it does not start with the SOI marker ff d8");
    }
    let mut pos = 2;
    let mut frame: Option<JpegHeader> = None;
    let mut restart_interval = 0;
    loop {
        if data.get(pos) != Some(&0xff) {
            bail!("malformed JPEG: no marker at byte {pos}");
        }
        // Fill bytes: any number of 0xff before the marker code.
        while data.get(pos) == Some(&0xff) {
            pos += 1;
        }
        let marker = *data.get(pos).context("truncated JPEG: it ends inside a marker")?;
        pos += 1;
        match marker {
            // Standalone markers: TEM and RSTn carry no length.
            0x01 | 0xd0..=0xd7 => continue,
            0xd9 => bail!("malformed JPEG: EOI before any scan"),
            _ => {}
        }
        let len = data.get(pos..pos + 2).context("truncated JPEG: it ends inside a segment length")?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if len < 2 {
            bail!("malformed JPEG: segment {marker:#04x} at byte {pos} has length {len}");
        }
        let body = data.get(pos + 2..pos + len).context("truncated JPEG: it ends inside a segment")?;
        pos += len;
        match marker {
            // SOFn; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                if frame.is_some() {
                    bail!("malformed JPEG: two frame headers");
                }
                frame = Some(read_sof(marker, body)?);
            }
            0xdd => {
                let b = body.get(..2).context("malformed JPEG: short DRI segment")?;
                restart_interval = u16::from_be_bytes([b[0], b[1]]);
            }
            0xda => {
                let mut header = frame.context("malformed JPEG: a scan before the frame header")?;
                header.restart_interval = restart_interval;
                return Ok(header);
            }
            _ => {}
        }
    }
}

/// Parses a SOF segment's body.
fn read_sof(marker: u8, body: &[u8]) -> anyhow::Result<JpegHeader> {
    let short = || format!("malformed JPEG: short frame header ({} bytes)", body.len());
    let head = body.get(..6).with_context(short)?;
    let height = u16::from_be_bytes([head[1], head[2]]);
    let width = u16::from_be_bytes([head[3], head[4]]);
    let n = usize::from(head[5]);
    if n == 0 {
        bail!("malformed JPEG: a frame with no components");
    }
    let comps = body.get(6..6 + 3 * n).with_context(short)?;
    let sampling = comps.chunks_exact(3).map(|c| (c[1] >> 4, c[1] & 0x0f)).collect();
    Ok(JpegHeader { sof: marker, width, height, sampling, restart_interval: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use paprika_codecs::jpeg::{self, JpegOptions, Subsampling};
    use paprika_codecs::{Image, ImageDesc, PixelFormat};

    fn sample(w: u32, h: u32, opts: JpegOptions) -> Vec<u8> {
        let data = (0..w * h * 4).map(|i| (i * 7 % 251) as u8).collect();
        let img = Image::from_vec(ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap(), data).unwrap();
        jpeg::encode(&img.as_ref(), &opts).unwrap()
    }

    #[test]
    fn reads_what_our_encoder_writes() {
        let h = read(&sample(37, 21, JpegOptions::default())).unwrap();
        assert_eq!((h.width, h.height, h.sof), (37, 21, 0xc0));
        assert_eq!((h.subsampling().as_str(), h.restart_interval, h.restart_rows()), ("4:2:0", 0, None));
        assert_eq!(h.process(), "baseline");
        let opts = JpegOptions { subsampling: Subsampling::S444, restart_rows: 1, ..JpegOptions::default() };
        let h = read(&sample(37, 21, opts)).unwrap();
        assert_eq!((h.subsampling().as_str(), h.restart_interval, h.restart_rows()), ("4:4:4", 5, Some(1)));
        let h = read(&sample(37, 21, JpegOptions { subsampling: Subsampling::Gray, ..opts })).unwrap();
        assert_eq!((h.subsampling().as_str(), h.sampling.len()), ("gray", 1));
    }

    #[test]
    fn rejects_damage_with_an_error() {
        let good = sample(16, 16, JpegOptions::default());
        for cut in 0..good.len().min(400) {
            let _ = read(&good[..cut]);
        }
        assert!(read(&good[..40]).unwrap_err().to_string().contains("truncated JPEG"));
        assert!(read(b"QUIC").unwrap_err().to_string().contains("not a JPEG"));
    }
}
