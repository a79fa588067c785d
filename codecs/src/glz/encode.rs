//! The GLZ encoder: codes an image against the images of a shared
//! [`GlzDictionary`], in streams spice-gtk's decoder reproduces exactly.

use std::sync::Arc;

use super::dictionary::{Admission, DictImage, GlzDictionary, Words};
use super::emit::{Alpha, Rgb, Rgb16, Stream};
use super::header::{Header, is_glz_type, write_header};
use super::parse::{Context, Hashed, Scratch};
use crate::error::{Error, ParameterKind, Result, UnsupportedKind};
use crate::image::{Image, ImageDesc, ImageRef};
use crate::lz::{self, ImageType};

/// One encoded image: its id in the dictionary and what the server must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlzFrame {
    /// The image id written in the header.
    pub id: u64,
    /// The window-head distance written in the header.
    pub win_head_dist: u32,
    /// Ids of images this encode evicted from the dictionary, oldest first: the
    /// client drops them too, and the server may free its copies.
    pub evicted: Vec<u64>,
}

/// A GLZ encoder for one display channel, coding against a dictionary it may
/// share with the other channels of the same client.
#[derive(Debug)]
pub struct GlzEncoder {
    dict: Arc<GlzDictionary>,
    scratch: Scratch,
    /// Pixel buffers of evicted images, reused for the next images' copies (a
    /// fresh 3 MB buffer per frame costs more in page faults than coding it).
    spare: Vec<Words>,
}

/// Buffers kept for reuse, at most.
const SPARES: usize = 2;

impl GlzEncoder {
    /// An encoder over `dict`.
    pub fn new(dict: Arc<GlzDictionary>) -> Self {
        GlzEncoder { dict, scratch: Scratch::default(), spare: Vec::new() }
    }

    /// The dictionary this encoder codes against.
    pub fn dictionary(&self) -> &Arc<GlzDictionary> {
        &self.dict
    }

    /// Encodes `img` as a GLZ stream of type `ty` (RGB16, RGB24, RGB32 or RGBA;
    /// the pixel format must be `ty.pixel_format()`), rows in the image's memory
    /// order with its `top_down` flag, and adds it to the dictionary.
    pub fn encode(&mut self, img: &ImageRef<'_>, ty: ImageType) -> Result<(Vec<u8>, GlzFrame)> {
        let mut out = Vec::new();
        let frame = self.encode_into(img, ty, &mut out)?;
        Ok((out, frame))
    }

    /// Like [`GlzEncoder::encode`], writing into `out` (replacing its contents).
    pub fn encode_into(&mut self, img: &ImageRef<'_>, ty: ImageType, out: &mut Vec<u8>) -> Result<GlzFrame> {
        let header = self.check(img.desc(), ty)?;
        let mut words = match self.spare.pop() {
            Some(Words::Copied(v)) => v,
            _ => Vec::new(),
        };
        words_of(img, ty, &mut words)?;
        self.code(header, Words::Copied(words), out)
    }

    /// Like [`GlzEncoder::encode_into`], but the dictionary keeps `img` itself
    /// rather than a copy of its pixels (as SPICE keeps the drawable): no copy
    /// for RGB32 and RGBA images stored with tight rows. Other images are copied.
    pub fn encode_owned(&mut self, img: Image, ty: ImageType, out: &mut Vec<u8>) -> Result<GlzFrame> {
        let header = self.check(img.desc(), ty)?;
        let d = *img.desc();
        let tight = d.stride == d.width as usize * 4 && img.data().len() == d.stride * d.height as usize;
        if matches!(ty, ImageType::Rgb32 | ImageType::Rgba) && tight {
            let bytes = img.into_vec();
            if bytemuck::try_cast_slice::<u8, u32>(&bytes).is_ok() {
                return self.code(header, Words::Owned(bytes), out);
            }
            let img = Image::from_vec(d, bytes)?;
            return self.encode_into(&img.as_ref(), ty, out);
        }
        self.encode_into(&img.as_ref(), ty, out)
    }

    /// Checks the image against the type and the window; the header to write,
    /// with the id and window distance still to fill in.
    fn check(&self, d: &ImageDesc, ty: ImageType) -> Result<Header> {
        if !is_glz_type(ty) {
            return Err(Error::Unsupported(UnsupportedKind::PixelFormat));
        }
        if d.format != ty.pixel_format() {
            return Err(Error::Parameter(ParameterKind::FormatMismatch));
        }
        let (w, h) = (d.width, d.height);
        if w == 0 || h == 0 {
            return Err(Error::Parameter(ParameterKind::EmptyImage));
        }
        let stride = lz::min_stride(ty, w).ok_or(Error::Parameter(ParameterKind::SizeOverflow))?;
        if w > i32::MAX as u32 || h > i32::MAX as u32 {
            return Err(Error::Parameter(ParameterKind::SizeOverflow));
        }
        let pixels = u64::from(w) * u64::from(h);
        if pixels >= self.dict.window_pixels() {
            let window = self.dict.window_pixels();
            return Err(Error::Parameter(ParameterKind::LargerThanWindow { pixels, window }));
        }
        Ok(Header { image_type: ty, top_down: d.top_down, width: w, height: h, stride, id: 0, win_head_dist: 0 })
    }

    /// Adds the image's words to the dictionary and codes them.
    fn code(&mut self, mut header: Header, words: Words, out: &mut Vec<u8>) -> Result<GlzFrame> {
        let ty = header.image_type;
        let mut adm = self.dict.admit(ty, words)?;
        let evicted: Vec<u64> = adm.evicted.iter().map(|i| i.id).collect();
        for old in adm.evicted.drain(..) {
            if let Ok(DictImage { words: w @ Words::Copied(_), .. }) = Arc::try_unwrap(old) {
                if self.spare.len() < SPARES {
                    self.spare.push(w);
                }
            }
        }
        out.clear();
        header.id = adm.id;
        header.win_head_dist = adm.win_head_dist;
        write_header(out, &header);
        let width = header.width as usize;
        match ty {
            ImageType::Rgb16 => self.stream::<Rgb16>(&adm, width, ty, out),
            ImageType::Rgba => {
                // The alpha stream reads the same words, byte 3 of each.
                self.stream::<Rgb>(&adm, width, ty, out);
                self.stream::<Alpha>(&adm, width, ty, out);
            }
            _ => self.stream::<Rgb>(&adm, width, ty, out),
        }
        Ok(GlzFrame { id: adm.id, win_head_dist: adm.win_head_dist, evicted })
    }

    /// Codes one stream of the admitted image.
    fn stream<S: Hashed>(&mut self, adm: &Admission, width: usize, ty: ImageType, out: &mut Vec<u8>) {
        let window: Vec<Option<&[u32]>> = adm.window.iter().map(|i| (i.ty == ty).then(|| i.words.as_slice())).collect();
        let cur = window.last().copied().flatten().unwrap_or(&[]);
        let ctx = Context::<S> {
            cur,
            width,
            id: adm.id,
            first_id: adm.window.first().map_or(adm.id, |i| i.id),
            window,
            index: self.dict.index(),
            stream: core::marker::PhantomData,
        };
        ctx.parse(out, &mut self.scratch);
    }
}

/// The pixels as 32-bit words, rows in memory order, into `words` (replacing
/// what it held): RGB32 and RGBA as they are (B, G, R, X/A), RGB24 widened to
/// B, G, R, 0, RGB16 as its 15 bits.
fn words_of(img: &ImageRef<'_>, ty: ImageType, words: &mut Vec<u32>) -> Result<()> {
    let d = img.desc();
    let row_bytes = d.row_bytes()?;
    let (w, h) = (d.width as usize, d.height as usize);
    words.clear();
    let data = img.data();
    let rows = (0..h).map(|r| &data[r * d.stride..r * d.stride + row_bytes]);
    match ty {
        ImageType::Rgb24 => rows.for_each(|row| {
            words.extend(row.chunks_exact(3).map(|p| u32::from_le_bytes([p[0], p[1], p[2], 0])));
        }),
        ImageType::Rgb16 => rows.for_each(|row| {
            words.extend(row.chunks_exact(2).map(|p| u32::from(u16::from_le_bytes([p[0], p[1]]) & 0x7fff)));
        }),
        _ => {
            // A plain copy of the rows: the streams mask what they do not code.
            words.resize(w * h, 0);
            let dst: &mut [u8] = bytemuck::cast_slice_mut(words.as_mut_slice());
            for (row, out) in rows.zip(dst.chunks_exact_mut(row_bytes)) {
                out.copy_from_slice(row);
            }
            if cfg!(target_endian = "big") {
                words.iter_mut().for_each(|p| *p = u32::from_le(*p));
            }
        }
    }
    Ok(())
}

// The literal writers of `Rgb` and `Rgb16` keep only what the keys hold, so an
// RGB16 literal goes out with bit 15 cleared, as the decoded image ignores it.
const _: () = assert!(Rgb::LITERAL_BYTES == 3 && Rgb16::LITERAL_BYTES == 2);
