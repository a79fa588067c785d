//! The GLZ encoder: codes an image against the images of a shared
//! [`GlzDictionary`], in streams spice-gtk's decoder reproduces exactly.

use std::sync::Arc;

use super::dictionary::{Admission, DictImage, GlzDictionary};
use super::emit::{Alpha, Rgb, Rgb16, Stream};
use super::header::{Header, is_glz_type, write_header};
use super::parse::{Context, Hashed, Scratch};
use crate::error::{Error, ParameterKind, Result, UnsupportedKind};
use crate::image::ImageRef;
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
    /// Pixel buffers of evicted images, reused for the next images' keys (a
    /// fresh 3 MB buffer per frame costs more in page faults than coding it).
    spare_keys: Vec<Vec<u32>>,
    spare_alpha: Vec<Vec<u8>>,
}

/// Buffers kept for reuse, at most.
const SPARES: usize = 2;

impl GlzEncoder {
    /// An encoder over `dict`.
    pub fn new(dict: Arc<GlzDictionary>) -> Self {
        GlzEncoder { dict, scratch: Scratch::default(), spare_keys: Vec::new(), spare_alpha: Vec::new() }
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
        if !is_glz_type(ty) {
            return Err(Error::Unsupported(UnsupportedKind::PixelFormat));
        }
        if img.format() != ty.pixel_format() {
            return Err(Error::Parameter(ParameterKind::FormatMismatch));
        }
        let (w, h) = (img.width(), img.height());
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
        let mut keys = self.spare_keys.pop().unwrap_or_default();
        let mut alpha = self.spare_alpha.pop().unwrap_or_default();
        keys_of(img, ty, &mut keys, &mut alpha)?;
        let mut adm = self.dict.admit(ty, keys, alpha)?;
        let evicted: Vec<u64> = adm.evicted.iter().map(|i| i.id).collect();
        for old in adm.evicted.drain(..) {
            if let Ok(DictImage { keys, alpha, .. }) = Arc::try_unwrap(old) {
                if self.spare_keys.len() < SPARES {
                    self.spare_keys.push(keys);
                }
                if self.spare_alpha.len() < SPARES && alpha.capacity() > 0 {
                    self.spare_alpha.push(alpha);
                }
            }
        }
        out.clear();
        let header = Header {
            image_type: ty,
            top_down: img.desc().top_down,
            width: w,
            height: h,
            stride,
            id: adm.id,
            win_head_dist: adm.win_head_dist,
        };
        write_header(out, &header);
        let width = w as usize;
        match ty {
            ImageType::Rgb16 => self.stream::<Rgb16>(&adm, width, ty, |i| &i.keys, out),
            ImageType::Rgba => {
                self.stream::<Rgb>(&adm, width, ty, |i| &i.keys, out);
                self.stream::<Alpha>(&adm, width, ty, |i| &i.alpha, out);
            }
            _ => self.stream::<Rgb>(&adm, width, ty, |i| &i.keys, out),
        }
        Ok(GlzFrame { id: adm.id, win_head_dist: adm.win_head_dist, evicted })
    }

    /// Codes one stream of the admitted image, whose pixels `plane` picks.
    fn stream<S: Hashed>(
        &mut self,
        adm: &Admission,
        width: usize,
        ty: ImageType,
        plane: impl Fn(&DictImage) -> &Vec<S::Px>,
        out: &mut Vec<u8>,
    ) {
        let window: Vec<Option<&[S::Px]>> =
            adm.window.iter().map(|i| (i.ty == ty).then(|| plane(i).as_slice())).collect();
        let cur = window.last().copied().flatten().unwrap_or(&[]);
        let ctx = Context::<S> {
            cur,
            width,
            id: adm.id,
            first_id: adm.window.first().map_or(adm.id, |i| i.id),
            window,
            index: self.dict.index(),
        };
        ctx.parse(out, &mut self.scratch);
    }
}

/// The compared bits of each pixel (and RGBA's alpha), rows in memory order,
/// into `keys` and `alpha` (replacing what they held).
fn keys_of(img: &ImageRef<'_>, ty: ImageType, keys: &mut Vec<u32>, alpha: &mut Vec<u8>) -> Result<()> {
    let d = img.desc();
    let row_bytes = d.row_bytes()?;
    let (w, h) = (d.width as usize, d.height as usize);
    keys.clear();
    keys.reserve(w * h);
    alpha.clear();
    let data = img.data();
    for r in 0..h {
        let row = &data[r * d.stride..r * d.stride + row_bytes];
        match ty {
            ImageType::Rgb24 => {
                keys.extend(row.chunks_exact(3).map(|p| u32::from_le_bytes([p[0], p[1], p[2], 0])));
            }
            ImageType::Rgb16 => {
                keys.extend(row.chunks_exact(2).map(|p| u32::from(u16::from_le_bytes([p[0], p[1]]) & 0x7fff)));
            }
            _ => {
                match bytemuck::try_cast_slice::<u8, u32>(row) {
                    // Aligned rows: whole words, masked (vectorizes well).
                    Ok(words) => keys.extend(words.iter().map(|p| u32::from_le(*p) & 0x00ff_ffff)),
                    Err(_) => keys.extend(row.chunks_exact(4).map(|p| u32::from_le_bytes([p[0], p[1], p[2], 0]))),
                }
                if ty == ImageType::Rgba {
                    alpha.extend(row.chunks_exact(4).map(|p| p[3]));
                }
            }
        }
    }
    Ok(())
}

// The literal writers of `Rgb` and `Rgb16` keep only what the keys hold, so an
// RGB16 literal goes out with bit 15 cleared, as the decoded image ignores it.
const _: () = assert!(Rgb::LITERAL_BYTES == 3 && Rgb16::LITERAL_BYTES == 2);
