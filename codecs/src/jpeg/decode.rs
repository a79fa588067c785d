//! JPEG decoding through `zune-jpeg` (we do not write a JPEG decoder), behind
//! the same limits as our own decoders.

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::error::{Codec, Error, FormatKind, Result};
use crate::image::{Image, ImageDesc, PixelFormat};
use crate::limits::Limits;

fn bad() -> Error {
    Error::format(Codec::Jpeg, FormatKind::BadJpeg)
}

/// Walks the marker segments up to the first scan and checks that the stream
/// is what SPICE's JPEGs (libjpeg's baseline output) can hold: a baseline or
/// extended sequential Huffman frame, 8-bit, 1 or 3 components, luma sampled 1
/// or 2 each way and chroma 1x1, whose quantization and Huffman tables are all
/// defined before the scan, and a first scan that interleaves every component.
///
/// zune-jpeg 0.4 trusts these and panics otherwise (fuzzing found Cb sampled
/// 1x8 under 2x2 luma, and a scan naming a Huffman table never defined), so we
/// never hand it a stream outside this set.
fn check_frame_header(data: &[u8]) -> Result<()> {
    if data.get(..2) != Some(&[0xff, 0xd8][..]) {
        return Err(bad());
    }
    let mut pos = 2;
    let mut frame: Option<Frame> = None;
    // Bit i: quantization table i defined; Huffman: DC tables in bits 0..4, AC in 4..8.
    let (mut quant, mut huff) = (0u8, 0u8);
    loop {
        // Skip fill bytes before a marker.
        while data.get(pos) == Some(&0xff) && data.get(pos + 1) == Some(&0xff) {
            pos += 1;
        }
        let (Some(&0xff), Some(&marker)) = (data.get(pos), data.get(pos + 1)) else { return Err(bad()) };
        pos += 2;
        if marker == 0x01 || (0xd0..=0xd7).contains(&marker) {
            continue;
        }
        let len = data.get(pos..pos + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))).ok_or_else(bad)?;
        let segment = data.get(pos + 2..pos + len.max(2)).filter(|_| len >= 2).ok_or_else(bad)?;
        match marker {
            0xda => return check_scan(segment, frame.as_ref().ok_or_else(bad)?, quant, huff),
            0xd9 => return Err(bad()),
            0xc0 | 0xc1 => {
                if frame.is_some() {
                    return Err(bad());
                }
                frame = Some(check_sof(segment)?);
            }
            0xdb => quant |= quant_tables(segment)?,
            0xc4 => huff |= huffman_tables(segment)?,
            // Progressive, lossless, hierarchical and arithmetic frames: not SPICE's.
            0xc2 | 0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf => {
                return Err(Error::Unsupported(crate::error::UnsupportedKind::JpegProcess { marker }));
            }
            _ => {}
        }
        pos += len;
    }
}

/// The components of a frame header: (id, quantization table).
struct Frame {
    components: [(u8, u8); 3],
    count: usize,
}

fn check_sof(seg: &[u8]) -> Result<Frame> {
    let (&precision, rest) = seg.split_first().ok_or_else(bad)?;
    let comps = *rest.get(4).ok_or_else(bad)?;
    if precision != 8 || !(comps == 1 || comps == 3) || seg.len() != 6 + 3 * usize::from(comps) {
        return Err(bad());
    }
    let mut frame = Frame { components: [(0, 0); 3], count: usize::from(comps) };
    for c in 0..frame.count {
        let (id, factors, table) = (seg[6 + 3 * c], seg[7 + 3 * c], seg[8 + 3 * c]);
        let (h, v) = (factors >> 4, factors & 15);
        let ok = if c == 0 { (1..=2).contains(&h) && (1..=2).contains(&v) } else { h == 1 && v == 1 };
        if !ok || table > 3 || frame.components[..c].iter().any(|&(other, _)| other == id) {
            return Err(bad());
        }
        frame.components[c] = (id, table);
    }
    Ok(frame)
}

/// The quantization tables a DQT segment defines, as a bit set.
fn quant_tables(mut seg: &[u8]) -> Result<u8> {
    let mut defined = 0;
    while let Some((&pq_tq, rest)) = seg.split_first() {
        let (precision, id) = (pq_tq >> 4, pq_tq & 15);
        let size = match precision {
            0 => 64,
            1 => 128,
            _ => return Err(bad()),
        };
        if id > 3 || rest.len() < size {
            return Err(bad());
        }
        defined |= 1 << id;
        seg = &rest[size..];
    }
    Ok(defined)
}

/// The Huffman tables a DHT segment defines, as a bit set (DC 0..4, AC 4..8).
fn huffman_tables(mut seg: &[u8]) -> Result<u8> {
    let mut defined = 0;
    while let Some((&tc_th, rest)) = seg.split_first() {
        let (class, id) = (tc_th >> 4, tc_th & 15);
        let counts = rest.get(..16).ok_or_else(bad)?;
        let symbols: usize = counts.iter().map(|&n| usize::from(n)).sum();
        if class > 1 || id > 3 || symbols == 0 || symbols > 256 || rest.len() < 16 + symbols {
            return Err(bad());
        }
        defined |= 1 << (id + 4 * class);
        seg = &rest[16 + symbols..];
    }
    Ok(defined)
}

fn check_scan(seg: &[u8], frame: &Frame, quant: u8, huff: u8) -> Result<()> {
    let count = usize::from(*seg.first().ok_or_else(bad)?);
    if count != frame.count || seg.len() != 4 + 2 * count {
        return Err(bad());
    }
    for (c, &(id, table)) in frame.components[..frame.count].iter().enumerate() {
        let (sel, tables) = (seg[1 + 2 * c], seg[2 + 2 * c]);
        let (dc, ac) = (tables >> 4, tables & 15);
        if sel != id
            || quant & (1 << table) == 0
            || dc > 3
            || ac > 3
            || huff & (1 << dc) == 0
            || huff & (1 << (ac + 4)) == 0
        {
            return Err(bad());
        }
    }
    // Spectral selection 0..63 and no successive approximation: a sequential scan.
    let tail = &seg[1 + 2 * count..];
    if tail != [0, 63, 0] {
        return Err(bad());
    }
    Ok(())
}

/// Decodes a JPEG: colour images to [`PixelFormat::Bgrx32`] (X = 0),
/// grayscale ones to [`PixelFormat::Gray8`], rows top-down. The size is checked
/// against `limits` from the header, before anything is decoded.
pub fn decode(data: &[u8], limits: &Limits) -> Result<Image> {
    check_frame_header(data)?;
    let options = DecoderOptions::new_safe()
        .set_max_width(limits.max_width as usize)
        .set_max_height(limits.max_height as usize)
        .jpeg_set_out_colorspace(ColorSpace::BGRA);
    let mut dec = JpegDecoder::new_with_options(data, options);
    dec.decode_headers().map_err(|_| bad())?;
    let info = dec.info().ok_or_else(bad)?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    limits.check_dimensions(w, h)?;
    let gray = info.components == 1;
    let format = if gray { PixelFormat::Gray8 } else { PixelFormat::Bgrx32 };
    if gray {
        dec.set_options(options.jpeg_set_out_colorspace(ColorSpace::Luma));
    }
    let bytes = u64::from(w) * u64::from(h) * if gray { 1 } else { 4 };
    limits.check_alloc(bytes)?;
    let mut pixels = dec.decode().map_err(|_| bad())?;
    if pixels.len() as u64 != bytes {
        return Err(bad());
    }
    if !gray {
        // Our 32-bit RGB images carry 0 in the pad byte.
        pixels.iter_mut().skip(3).step_by(4).for_each(|x| *x = 0);
    }
    Image::from_vec(ImageDesc::packed(w, h, format)?, pixels)
}
