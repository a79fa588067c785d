//! Planar YUV 4:2:0 frames and the BGRX to I420 conversion (BT.601, limited range).
//!
//! Limited range (luma 16–235, chroma 16–240) and the BT.601 matrix are what
//! H.264 decoders assume when a stream carries no colour description, which
//! is the case for OpenH264's streams and SPICE's clients.

use crate::error::{Error, ParameterKind, Result};
use crate::image::{ImageRef, PixelFormat, Rect};
use crate::simd::yuv;

/// One picture as three planes: full-size luma, chroma at half width and half
/// height (rounded up), each plane tightly packed (stride = plane width).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct I420Frame {
    width: u32,
    height: u32,
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

impl I420Frame {
    /// A black frame (Y 16, chroma 128) of `width` x `height` pixels.
    pub fn new(width: u32, height: u32) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(Error::Parameter(ParameterKind::EmptyImage));
        }
        let luma =
            (width as usize).checked_mul(height as usize).ok_or(Error::Parameter(ParameterKind::SizeOverflow))?;
        let chroma = width.div_ceil(2) as usize * height.div_ceil(2) as usize;
        Ok(I420Frame { width, height, y: vec![16; luma], u: vec![128; chroma], v: vec![128; chroma] })
    }

    /// The frame of the `rect` part of `surface` (a 32-bit BGRX or BGRA bitmap).
    pub fn from_bgrx(surface: &ImageRef<'_>, rect: Rect) -> Result<Self> {
        let mut frame = I420Frame::new(rect.width, rect.height)?;
        frame.fill_from_bgrx(surface, rect)?;
        Ok(frame)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes between luma rows.
    pub fn y_stride(&self) -> usize {
        self.width as usize
    }

    /// Bytes between rows of each chroma plane.
    pub fn uv_stride(&self) -> usize {
        self.width.div_ceil(2) as usize
    }

    /// The luma plane.
    pub fn y(&self) -> &[u8] {
        &self.y
    }

    /// The blue-difference chroma plane.
    pub fn u(&self) -> &[u8] {
        &self.u
    }

    /// The red-difference chroma plane.
    pub fn v(&self) -> &[u8] {
        &self.v
    }

    /// The luma plane, writable.
    pub fn y_mut(&mut self) -> &mut [u8] {
        &mut self.y
    }

    /// The blue-difference chroma plane, writable.
    pub fn u_mut(&mut self) -> &mut [u8] {
        &mut self.u
    }

    /// The red-difference chroma plane, writable.
    pub fn v_mut(&mut self) -> &mut [u8] {
        &mut self.v
    }

    /// Converts the `rect` part of `surface` into this frame, which must have
    /// the rectangle's size; `surface` is 32-bit BGRX or BGRA (alpha ignored),
    /// top-down or bottom-up, any stride.
    pub fn fill_from_bgrx(&mut self, surface: &ImageRef<'_>, rect: Rect) -> Result<()> {
        if !matches!(surface.format(), PixelFormat::Bgrx32 | PixelFormat::Bgra32) {
            return Err(Error::Parameter(ParameterKind::FormatMismatch));
        }
        if (rect.width, rect.height) != (self.width, self.height) {
            return Err(Error::Parameter(ParameterKind::UnsupportedSize { width: rect.width, height: rect.height }));
        }
        if !rect.fits_in(surface.width(), surface.height()) {
            return Err(Error::Parameter(ParameterKind::SizeOverflow));
        }
        let w = self.width as usize;
        let cw = self.uv_stride();
        let cols = 4 * rect.x as usize..4 * (rect.x as usize + w);
        let row = |r: usize| &surface.row(rect.y + r as u32)[cols.clone()];
        let mut spare = Vec::new();
        let luma_pairs = self.y.chunks_mut(2 * w);
        let chroma = self.u.chunks_exact_mut(cw).zip(self.v.chunks_exact_mut(cw));
        for (pair, (ys, (u, v))) in luma_pairs.zip(chroma).enumerate() {
            let top = 2 * pair;
            if ys.len() == 2 * w {
                let (y_top, y_bottom) = ys.split_at_mut(w);
                yuv::i420_rows(row(top), row(top + 1), y_top, y_bottom, u, v);
            } else {
                // Odd height: the last row pairs with itself for its chroma.
                spare.resize(w, 0);
                yuv::i420_rows(row(top), row(top), ys, &mut spare, u, v);
            }
        }
        Ok(())
    }

    /// The frame as top-down BGRX pixels (`4 * width` bytes a row, X = 255),
    /// through the inverse BT.601 limited-range matrix.
    pub fn to_bgrx(&self) -> Vec<u8> {
        let (w, cw) = (self.y_stride(), self.uv_stride());
        let mut out = vec![0; 4 * w * self.height as usize];
        for (r, dst) in out.chunks_exact_mut(4 * w).enumerate() {
            let c = (r / 2) * cw;
            yuv::scalar::bgrx_from_i420_row(&self.y[r * w..(r + 1) * w], &self.u[c..c + cw], &self.v[c..c + cw], dst);
        }
        out
    }
}
