//! The pixel model every codec shares: SPICE bitmap formats, palettes, and
//! borrowed/owned bitmaps with checked size arithmetic.
//!
//! Memory layouts follow SPICE (`SPICE_BITMAP_FMT_*`): 32-bit pixels are
//! little-endian `0xAARRGGBB`/`0xXXRRGGBB`, i.e. bytes B, G, R, X/A. A bitmap
//! is *top-down* when its first row in memory is the top row of the picture.

use crate::error::{Error, ParameterKind, Result, UnsupportedKind};

/// A pixel layout, matching the SPICE bitmap formats (plus 8-bit gray for QUIC GRAY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PixelFormat {
    /// 1-bit palette index, leftmost pixel in bit 0.
    Plt1Le,
    /// 1-bit palette index, leftmost pixel in bit 7.
    Plt1Be,
    /// 4-bit palette index, leftmost pixel in the low nibble.
    Plt4Le,
    /// 4-bit palette index, leftmost pixel in the high nibble.
    Plt4Be,
    /// 8-bit palette index.
    Plt8,
    /// 16-bit little-endian x1r5g5b5 (bit 15 ignored).
    Rgb555,
    /// 24-bit packed B, G, R.
    Bgr24,
    /// 32-bit B, G, R, X (X ignored).
    Bgrx32,
    /// 32-bit B, G, R, A.
    Bgra32,
    /// 8-bit alpha only.
    A8,
    /// 8-bit gray (QUIC GRAY; no SPICE bitmap format maps to it).
    Gray8,
}

impl PixelFormat {
    /// Bits one pixel takes in memory.
    pub const fn bits_per_pixel(self) -> u32 {
        match self {
            PixelFormat::Plt1Le | PixelFormat::Plt1Be => 1,
            PixelFormat::Plt4Le | PixelFormat::Plt4Be => 4,
            PixelFormat::Plt8 | PixelFormat::A8 | PixelFormat::Gray8 => 8,
            PixelFormat::Rgb555 => 16,
            PixelFormat::Bgr24 => 24,
            PixelFormat::Bgrx32 | PixelFormat::Bgra32 => 32,
        }
    }

    /// Whether pixels are palette indexes.
    pub const fn has_palette(self) -> bool {
        matches!(
            self,
            PixelFormat::Plt1Le | PixelFormat::Plt1Be | PixelFormat::Plt4Le | PixelFormat::Plt4Be | PixelFormat::Plt8
        )
    }

    /// Whether the format carries an alpha channel.
    pub const fn has_alpha(self) -> bool {
        matches!(self, PixelFormat::Bgra32 | PixelFormat::A8)
    }

    /// Bytes one row of `width` pixels needs, rounded up to whole bytes; `None` on overflow.
    pub fn row_bytes(self, width: u32) -> Option<u64> {
        u64::from(width).checked_mul(u64::from(self.bits_per_pixel())).map(|bits| bits.div_ceil(8))
    }

    /// The `SPICE_BITMAP_FMT_*` code, if SPICE has one for this format.
    pub const fn spice_code(self) -> Option<u8> {
        Some(match self {
            PixelFormat::Plt1Le => 1,
            PixelFormat::Plt1Be => 2,
            PixelFormat::Plt4Le => 3,
            PixelFormat::Plt4Be => 4,
            PixelFormat::Plt8 => 5,
            PixelFormat::Rgb555 => 6,
            PixelFormat::Bgr24 => 7,
            PixelFormat::Bgrx32 => 8,
            PixelFormat::Bgra32 => 9,
            PixelFormat::A8 => 10,
            PixelFormat::Gray8 => return None,
        })
    }

    /// The format for a `SPICE_BITMAP_FMT_*` code.
    pub const fn from_spice_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => PixelFormat::Plt1Le,
            2 => PixelFormat::Plt1Be,
            3 => PixelFormat::Plt4Le,
            4 => PixelFormat::Plt4Be,
            5 => PixelFormat::Plt8,
            6 => PixelFormat::Rgb555,
            7 => PixelFormat::Bgr24,
            8 => PixelFormat::Bgrx32,
            9 => PixelFormat::Bgra32,
            10 => PixelFormat::A8,
            _ => return None,
        })
    }
}

/// A palette: entries are `0x00RRGGBB`, in index order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Palette {
    /// SPICE palette id (used by the client's palette cache).
    pub id: u64,
    /// Colour entries, `0x00RRGGBB`.
    pub entries: Vec<u32>,
}

/// A rectangle of a surface, in pixels, `x`/`y` being its top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Rect {
    /// A rectangle from its corner and size.
    pub const fn new(x: u32, y: u32, width: u32, height: u32) -> Self {
        Rect { x, y, width, height }
    }

    /// Whether it covers no pixel.
    pub const fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }

    /// Pixels covered.
    pub const fn area(&self) -> u64 {
        self.width as u64 * self.height as u64
    }

    /// Whether it lies inside a `width` x `height` surface (without overflow).
    pub const fn fits_in(&self, width: u32, height: u32) -> bool {
        self.x as u64 + self.width as u64 <= width as u64 && self.y as u64 + self.height as u64 <= height as u64
    }

    /// The overlap of two rectangles (empty when they do not meet).
    pub fn intersect(&self, other: &Rect) -> Rect {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = (self.x as u64 + self.width as u64).min(other.x as u64 + other.width as u64);
        let y1 = (self.y as u64 + self.height as u64).min(other.y as u64 + other.height as u64);
        if x1 <= x0 as u64 || y1 <= y0 as u64 {
            return Rect::default();
        }
        Rect { x: x0, y: y0, width: (x1 - x0 as u64) as u32, height: (y1 - y0 as u64) as u32 }
    }
}

/// Geometry and format of a bitmap, without its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageDesc {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes from one row in memory to the next (at least one row's bytes).
    pub stride: usize,
    /// Pixel layout.
    pub format: PixelFormat,
    /// Whether the first row in memory is the top row of the picture.
    pub top_down: bool,
}

impl ImageDesc {
    /// A top-down description with the tightest stride.
    pub fn packed(width: u32, height: u32, format: PixelFormat) -> Result<Self> {
        let stride = format.row_bytes(width).ok_or(Error::Parameter(ParameterKind::SizeOverflow))?;
        let stride = usize::try_from(stride).map_err(|_| Error::Parameter(ParameterKind::SizeOverflow))?;
        Ok(ImageDesc { width, height, stride, format, top_down: true })
    }

    /// Bytes of one row's pixels (without stride padding).
    pub fn row_bytes(&self) -> Result<usize> {
        self.format
            .row_bytes(self.width)
            .and_then(|b| usize::try_from(b).ok())
            .ok_or(Error::Parameter(ParameterKind::SizeOverflow))
    }

    /// Smallest buffer that holds this bitmap: `stride × (height − 1) + row_bytes`.
    pub fn min_buffer_len(&self) -> Result<usize> {
        let row = self.row_bytes()?;
        if self.stride < row {
            return Err(Error::Parameter(ParameterKind::StrideTooSmall { min: row as u64, given: self.stride as u64 }));
        }
        if self.height == 0 {
            return Ok(0);
        }
        (self.height as usize - 1)
            .checked_mul(self.stride)
            .and_then(|v| v.checked_add(row))
            .ok_or(Error::Parameter(ParameterKind::SizeOverflow))
    }

    /// Byte offset of the row that shows picture line `y` (0 = top).
    fn row_offset(&self, y: u32) -> usize {
        let mem_row = if self.top_down { y } else { self.height - 1 - y };
        mem_row as usize * self.stride
    }
}

/// A borrowed bitmap.
#[derive(Debug, Clone, Copy)]
pub struct ImageRef<'a> {
    desc: ImageDesc,
    data: &'a [u8],
    palette: Option<&'a Palette>,
}

impl<'a> ImageRef<'a> {
    /// Wraps `data`, checking that it holds the whole bitmap.
    pub fn new(desc: ImageDesc, data: &'a [u8]) -> Result<Self> {
        let need = desc.min_buffer_len()?;
        if data.len() < need {
            return Err(Error::Parameter(ParameterKind::BufferTooSmall {
                needed: need as u64,
                given: data.len() as u64,
            }));
        }
        Ok(ImageRef { desc, data, palette: None })
    }

    /// Attaches a palette (for the palette formats).
    pub fn with_palette(mut self, palette: &'a Palette) -> Self {
        self.palette = Some(palette);
        self
    }

    /// Geometry and format.
    pub fn desc(&self) -> &ImageDesc {
        &self.desc
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.desc.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.desc.height
    }

    /// Pixel format.
    pub fn format(&self) -> PixelFormat {
        self.desc.format
    }

    /// The raw buffer, rows in memory order.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The palette, if any.
    pub fn palette(&self) -> Option<&'a Palette> {
        self.palette
    }

    /// The pixels of picture line `y` (0 = top), without stride padding.
    ///
    /// # Panics
    /// If `y >= height` (a caller bug, never an input fault).
    pub fn row(&self, y: u32) -> &'a [u8] {
        assert!(y < self.desc.height, "row {y} out of {}", self.desc.height);
        let off = self.desc.row_offset(y);
        // `new` checked the buffer against stride and height, so this range is in bounds.
        let len = self.desc.format.row_bytes(self.desc.width).unwrap_or(0) as usize;
        &self.data[off..off + len]
    }

    /// The rectangle `rect` of this bitmap as a bitmap of its own, sharing the buffer.
    ///
    /// Only for formats of whole bytes per pixel (not the 1- and 4-bit palettes).
    pub fn sub_image(&self, rect: Rect) -> Result<ImageRef<'a>> {
        if !rect.fits_in(self.desc.width, self.desc.height) {
            return Err(Error::Parameter(ParameterKind::SizeOverflow));
        }
        let bits = self.desc.format.bits_per_pixel();
        if bits % 8 != 0 {
            return Err(Error::Unsupported(crate::error::UnsupportedKind::PixelFormat));
        }
        if rect.is_empty() {
            return Err(Error::Parameter(ParameterKind::EmptyImage));
        }
        // Memory row of the rectangle's first row in memory order: its top row when
        // top-down, its bottom row when bottom-up.
        let first_mem_row = if self.desc.top_down { rect.y } else { self.desc.height - rect.y - rect.height };
        let start = first_mem_row as usize * self.desc.stride + rect.x as usize * (bits / 8) as usize;
        let desc = ImageDesc { width: rect.width, height: rect.height, ..self.desc };
        let mut sub = ImageRef::new(desc, &self.data[start..])?;
        sub.palette = self.palette;
        Ok(sub)
    }

    /// Copies into an owned, packed, top-down bitmap of the same format.
    pub fn to_owned_packed(&self) -> Image {
        let row = self.desc.row_bytes().unwrap_or(0);
        let mut data = Vec::with_capacity(row * self.desc.height as usize);
        for y in 0..self.desc.height {
            data.extend_from_slice(self.row(y));
        }
        Image { desc: ImageDesc { stride: row, top_down: true, ..self.desc }, data, palette: self.palette.cloned() }
    }

    /// The picture as B, G, R, X bytes, top-down, no padding (the golden-vector layout).
    ///
    /// X is the alpha for formats with alpha and 0 otherwise; gray is replicated;
    /// 5-bit channels expand as `v << 3 | v >> 2`; palette indexes past the palette's
    /// end give black (SPICE's C decoders leave that undefined).
    pub fn to_bgrx(&self) -> Result<Vec<u8>> {
        let w = self.desc.width as usize;
        let mut out = Vec::with_capacity(w * 4 * self.desc.height as usize);
        let pal = self.palette.map(|p| p.entries.as_slice()).unwrap_or(&[]);
        if self.desc.format.has_palette() && self.palette.is_none() {
            return Err(Error::Unsupported(UnsupportedKind::Conversion));
        }
        let from_pal = |i: usize| -> [u8; 4] {
            let c = pal.get(i).copied().unwrap_or(0);
            [c as u8, (c >> 8) as u8, (c >> 16) as u8, 0]
        };
        for y in 0..self.desc.height {
            let row = self.row(y);
            match self.desc.format {
                PixelFormat::Bgrx32 => row.chunks_exact(4).for_each(|p| out.extend_from_slice(&[p[0], p[1], p[2], 0])),
                PixelFormat::Bgra32 => out.extend_from_slice(row),
                PixelFormat::Bgr24 => row.chunks_exact(3).for_each(|p| out.extend_from_slice(&[p[0], p[1], p[2], 0])),
                PixelFormat::Rgb555 => row.chunks_exact(2).for_each(|p| {
                    let v = u16::from_le_bytes([p[0], p[1]]);
                    let x5 = |c: u16| {
                        let c = (c & 0x1f) as u8;
                        (c << 3) | (c >> 2)
                    };
                    out.extend_from_slice(&[x5(v), x5(v >> 5), x5(v >> 10), 0]);
                }),
                PixelFormat::Gray8 => row.iter().for_each(|&g| out.extend_from_slice(&[g, g, g, 0])),
                PixelFormat::A8 => row.iter().for_each(|&a| out.extend_from_slice(&[0, 0, 0, a])),
                PixelFormat::Plt8 => row.iter().for_each(|&i| out.extend_from_slice(&from_pal(i.into()))),
                PixelFormat::Plt4Le | PixelFormat::Plt4Be => {
                    let hi_first = self.desc.format == PixelFormat::Plt4Be;
                    for x in 0..w {
                        let b = row[x / 2];
                        let first = x % 2 == 0;
                        let idx = if first == hi_first { b >> 4 } else { b & 0x0f };
                        out.extend_from_slice(&from_pal(idx.into()));
                    }
                }
                PixelFormat::Plt1Le | PixelFormat::Plt1Be => {
                    let be = self.desc.format == PixelFormat::Plt1Be;
                    for x in 0..w {
                        let b = row[x / 8];
                        let bit = if be { 7 - (x % 8) } else { x % 8 };
                        out.extend_from_slice(&from_pal(((b >> bit) & 1).into()));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// An owned bitmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    desc: ImageDesc,
    data: Vec<u8>,
    palette: Option<Palette>,
}

impl Image {
    /// Takes ownership of `data`, checking that it holds the whole bitmap.
    pub fn from_vec(desc: ImageDesc, data: Vec<u8>) -> Result<Self> {
        ImageRef::new(desc, &data)?;
        Ok(Image { desc, data, palette: None })
    }

    /// A zero-filled, packed, top-down bitmap.
    pub fn zeroed(width: u32, height: u32, format: PixelFormat) -> Result<Self> {
        let desc = ImageDesc::packed(width, height, format)?;
        let len = desc.min_buffer_len()?;
        Ok(Image { desc, data: vec![0; len], palette: None })
    }

    /// Attaches a palette.
    pub fn with_palette(mut self, palette: Palette) -> Self {
        self.palette = Some(palette);
        self
    }

    /// Borrows the bitmap.
    pub fn as_ref(&self) -> ImageRef<'_> {
        ImageRef { desc: self.desc, data: &self.data, palette: self.palette.as_ref() }
    }

    /// Geometry and format.
    pub fn desc(&self) -> &ImageDesc {
        &self.desc
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.desc.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.desc.height
    }

    /// Pixel format.
    pub fn format(&self) -> PixelFormat {
        self.desc.format
    }

    /// The raw buffer, rows in memory order.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Gives up the buffer.
    pub fn into_vec(self) -> Vec<u8> {
        self.data
    }

    /// The picture as B, G, R, X bytes; see [`ImageRef::to_bgrx`].
    pub fn to_bgrx(&self) -> Result<Vec<u8>> {
        self.as_ref().to_bgrx()
    }

    /// Converts to another packed, top-down format.
    ///
    /// Supported targets: [`PixelFormat::Bgrx32`], [`PixelFormat::Bgra32`] (alpha 255 when the
    /// source has none), [`PixelFormat::Bgr24`], [`PixelFormat::Rgb555`] (top 5 bits kept),
    /// [`PixelFormat::Gray8`] (BT.601 luma, `(77 R + 150 G + 29 B + 128) >> 8`) and
    /// [`PixelFormat::A8`] (the alpha). Palette targets are not supported.
    pub fn convert(&self, to: PixelFormat) -> Result<Image> {
        if to == self.desc.format {
            return Ok(self.as_ref().to_owned_packed());
        }
        if to.has_palette() {
            return Err(Error::Unsupported(UnsupportedKind::Conversion));
        }
        let src_alpha = self.desc.format.has_alpha();
        let bgrx = self.to_bgrx()?;
        let n = bgrx.len() / 4;
        let bytes = to.bits_per_pixel() as usize / 8;
        let mut data = Vec::with_capacity(n * bytes);
        for p in bgrx.chunks_exact(4) {
            let (b, g, r, a) = (p[0], p[1], p[2], if src_alpha { p[3] } else { 255 });
            match to {
                PixelFormat::Bgrx32 => data.extend_from_slice(&[b, g, r, 0]),
                PixelFormat::Bgra32 => data.extend_from_slice(&[b, g, r, a]),
                PixelFormat::Bgr24 => data.extend_from_slice(&[b, g, r]),
                PixelFormat::Rgb555 => {
                    let v = (u16::from(r >> 3) << 10) | (u16::from(g >> 3) << 5) | u16::from(b >> 3);
                    data.extend_from_slice(&v.to_le_bytes());
                }
                PixelFormat::Gray8 => {
                    let y = (77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8;
                    data.push(y as u8);
                }
                PixelFormat::A8 => data.push(a),
                _ => return Err(Error::Unsupported(UnsupportedKind::Conversion)),
            }
        }
        let desc = ImageDesc::packed(self.desc.width, self.desc.height, to)?;
        Image::from_vec(desc, data)
    }

    /// The same picture with rows stored in the opposite memory order (flips `top_down`).
    pub fn flipped_storage(&self) -> Image {
        let mut data = Vec::with_capacity(self.data.len());
        let row = self.desc.row_bytes().unwrap_or(0);
        for y in (0..self.desc.height as usize).rev() {
            let off = y * self.desc.stride;
            data.extend_from_slice(&self.data[off..off + row]);
        }
        Image {
            desc: ImageDesc { stride: row, top_down: !self.desc.top_down, ..self.desc },
            data,
            palette: self.palette.clone(),
        }
    }
}

#[cfg(feature = "png")]
mod png_interop {
    use super::*;

    impl Image {
        /// From an `image` RGBA buffer: B, G, R, A, top-down.
        pub fn from_rgba_image(img: &image::RgbaImage) -> Image {
            let mut data = Vec::with_capacity(img.as_raw().len());
            for p in img.as_raw().chunks_exact(4) {
                data.extend_from_slice(&[p[2], p[1], p[0], p[3]]);
            }
            let desc = ImageDesc {
                width: img.width(),
                height: img.height(),
                stride: img.width() as usize * 4,
                format: PixelFormat::Bgra32,
                top_down: true,
            };
            Image { desc, data, palette: None }
        }

        /// From an `image` RGB buffer: B, G, R, X (X = 0), top-down.
        pub fn from_rgb_image(img: &image::RgbImage) -> Image {
            let mut data = Vec::with_capacity(img.as_raw().len() / 3 * 4);
            for p in img.as_raw().chunks_exact(3) {
                data.extend_from_slice(&[p[2], p[1], p[0], 0]);
            }
            let desc = ImageDesc {
                width: img.width(),
                height: img.height(),
                stride: img.width() as usize * 4,
                format: PixelFormat::Bgrx32,
                top_down: true,
            };
            Image { desc, data, palette: None }
        }

        /// From any decoded `image` picture: RGBA when it has alpha, else BGRX.
        pub fn from_dynamic(img: &image::DynamicImage) -> Image {
            if img.color().has_alpha() {
                Image::from_rgba_image(&img.to_rgba8())
            } else {
                Image::from_rgb_image(&img.to_rgb8())
            }
        }

        /// To an `image` RGBA buffer (alpha 255 for formats without alpha).
        pub fn to_rgba_image(&self) -> Result<image::RgbaImage> {
            let has_alpha = self.desc.format.has_alpha();
            let bgrx = self.to_bgrx()?;
            let mut raw = Vec::with_capacity(bgrx.len());
            for p in bgrx.chunks_exact(4) {
                raw.extend_from_slice(&[p[2], p[1], p[0], if has_alpha { p[3] } else { 255 }]);
            }
            image::RgbaImage::from_raw(self.desc.width, self.desc.height, raw)
                .ok_or(Error::Parameter(ParameterKind::SizeOverflow))
        }

        /// To an `image` RGB buffer (alpha dropped).
        pub fn to_rgb_image(&self) -> Result<image::RgbImage> {
            let bgrx = self.to_bgrx()?;
            let mut raw = Vec::with_capacity(bgrx.len() / 4 * 3);
            for p in bgrx.chunks_exact(4) {
                raw.extend_from_slice(&[p[2], p[1], p[0]]);
            }
            image::RgbImage::from_raw(self.desc.width, self.desc.height, raw)
                .ok_or(Error::Parameter(ParameterKind::SizeOverflow))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_buffer_len_checks_stride_and_overflow() {
        let d = ImageDesc { width: 3, height: 2, stride: 16, format: PixelFormat::Bgrx32, top_down: true };
        assert_eq!(d.min_buffer_len(), Ok(28));
        let bad = ImageDesc { stride: 11, ..d };
        assert_eq!(bad.min_buffer_len(), Err(Error::Parameter(ParameterKind::StrideTooSmall { min: 12, given: 11 })));
        let huge = ImageDesc {
            width: u32::MAX,
            height: u32::MAX,
            stride: usize::MAX,
            format: PixelFormat::Bgrx32,
            top_down: true,
        };
        assert_eq!(huge.min_buffer_len(), Err(Error::Parameter(ParameterKind::SizeOverflow)));
        assert_eq!(ImageDesc::packed(9, 1, PixelFormat::Plt1Le).unwrap().stride, 2);
        assert_eq!(ImageDesc::packed(3, 1, PixelFormat::Plt4Be).unwrap().stride, 2);
    }

    #[test]
    fn short_buffer_is_a_parameter_error() {
        let d = ImageDesc::packed(4, 4, PixelFormat::Bgr24).unwrap();
        assert_eq!(
            ImageRef::new(d, &[0; 47]).err(),
            Some(Error::Parameter(ParameterKind::BufferTooSmall { needed: 48, given: 47 }))
        );
    }

    #[test]
    fn bottom_up_rows_are_read_from_the_end() {
        let d = ImageDesc { width: 1, height: 3, stride: 1, format: PixelFormat::Gray8, top_down: false };
        let img = ImageRef::new(d, &[10, 20, 30]).unwrap();
        assert_eq!(img.row(0), &[30]);
        assert_eq!(img.row(2), &[10]);
        assert_eq!(img.to_bgrx().unwrap(), vec![30, 30, 30, 0, 20, 20, 20, 0, 10, 10, 10, 0]);
    }

    #[test]
    fn rgb555_and_palettes_expand_like_spice() {
        let d = ImageDesc::packed(1, 1, PixelFormat::Rgb555).unwrap();
        // r = 31, g = 1, b = 16 with bit 15 set (ignored).
        let v: u16 = 0x8000 | (31 << 10) | (1 << 5) | 16;
        let px = ImageRef::new(d, &v.to_le_bytes()).unwrap().to_bgrx().unwrap();
        assert_eq!(px, vec![(16 << 3) | 4, 8, 255, 0]);

        let pal = Palette { id: 1, entries: vec![0x000000, 0x112233] };
        let d = ImageDesc::packed(9, 1, PixelFormat::Plt1Be).unwrap();
        let img = ImageRef::new(d, &[0b0100_0000, 0b1000_0000]).unwrap().with_palette(&pal);
        let px = img.to_bgrx().unwrap();
        assert_eq!(&px[4..8], &[0x33, 0x22, 0x11, 0]);
        assert_eq!(&px[32..36], &[0x33, 0x22, 0x11, 0]);
        assert_eq!(&px[0..4], &[0, 0, 0, 0]);
    }

    #[test]
    fn convert_round_trips_through_formats() {
        let d = ImageDesc::packed(2, 1, PixelFormat::Bgra32).unwrap();
        let img = Image::from_vec(d, vec![1, 2, 3, 4, 250, 251, 252, 253]).unwrap();
        assert_eq!(img.convert(PixelFormat::Bgr24).unwrap().data(), &[1, 2, 3, 250, 251, 252]);
        assert_eq!(img.convert(PixelFormat::A8).unwrap().data(), &[4, 253]);
        assert_eq!(img.convert(PixelFormat::Bgrx32).unwrap().data(), &[1, 2, 3, 0, 250, 251, 252, 0]);
        let back = img.convert(PixelFormat::Bgr24).unwrap().convert(PixelFormat::Bgra32).unwrap();
        assert_eq!(back.data(), &[1, 2, 3, 255, 250, 251, 252, 255]);
        assert_eq!(img.flipped_storage().to_bgrx().unwrap(), img.to_bgrx().unwrap());
    }
}
