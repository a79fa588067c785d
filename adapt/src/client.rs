//! `ClientModel`: what a SPICE client shows after applying the engine's updates.
//!
//! It decodes every update with this project's decoders (the GLZ window, H.264
//! and JPEG streams included) and blits the pixels where the client would, so
//! tests and the benchmark can compare the client's screen with the source.

use std::collections::HashMap;

use paprika_codecs::glz::GlzWindow;
use paprika_codecs::video::H264Decoder;
use paprika_codecs::wire::{self, decode_with_window};
use paprika_codecs::{Error, ImageDesc, ImageRef, Limits, PixelFormat, Rect, Result, jpeg};

use crate::engine::{ClientCaps, Update, UpdateKind};
use crate::policy::VideoCodec;

struct ClientStream {
    rect: Rect,
    h264: Option<Box<H264Decoder>>,
}

/// A client's screen and decoder state.
pub struct ClientModel {
    width: u32,
    height: u32,
    /// B, G, R, X rows, top-down.
    surface: Vec<u8>,
    window: GlzWindow,
    streams: HashMap<u32, ClientStream>,
    limits: Limits,
}

fn bad_update() -> Error {
    Error::Parameter(paprika_codecs::error::ParameterKind::OutOfRange)
}

impl ClientModel {
    /// A black `width` x `height` screen for a client with `caps`.
    pub fn new(width: u32, height: u32, caps: &ClientCaps) -> Self {
        let limits = Limits::default();
        ClientModel {
            width,
            height,
            surface: vec![0; width as usize * height as usize * 4],
            // The dictionary evicts by the same count; twice the room never blocks.
            window: GlzWindow::new(caps.glz_window_pixels.saturating_mul(2), limits),
            streams: HashMap::new(),
            limits,
        }
    }

    /// The screen: packed B, G, R, X rows, top-down.
    pub fn surface(&self) -> &[u8] {
        &self.surface
    }

    /// The screen as an image.
    pub fn image(&self) -> Result<ImageRef<'_>> {
        ImageRef::new(ImageDesc::packed(self.width, self.height, PixelFormat::Bgrx32)?, &self.surface)
    }

    /// Applies one update. Errors leave the screen as it was for that update
    /// (a stream frame for an unknown stream, an image outside the screen, a
    /// stream that does not decode).
    pub fn apply(&mut self, update: &Update) -> Result<()> {
        match &update.kind {
            UpdateKind::Image { rect, data, .. } => {
                let img = wire::parse(data)?;
                let decoded = decode_with_window(&img, &mut self.window, &self.limits)?;
                if decoded.width() != rect.width || decoded.height() != rect.height {
                    return Err(bad_update());
                }
                let bgrx = decoded.to_bgrx()?;
                self.blit(*rect, &bgrx)
            }
            UpdateKind::StreamCreate { stream, rect, codec } => {
                let h264 = match codec {
                    VideoCodec::H264 => Some(Box::new(H264Decoder::new(&self.limits)?)),
                    VideoCodec::Mjpeg => None,
                };
                self.streams.insert(*stream, ClientStream { rect: *rect, h264 });
                Ok(())
            }
            UpdateKind::StreamFrame { stream, data, .. } => {
                let s = self.streams.get_mut(stream).ok_or_else(bad_update)?;
                let rect = s.rect;
                let bgrx = match &mut s.h264 {
                    Some(dec) => match dec.decode(data)? {
                        Some(frame) => frame.to_bgrx(),
                        None => return Ok(()),
                    },
                    None => jpeg::decode(data, &self.limits)?.to_bgrx()?,
                };
                self.blit(rect, &bgrx)
            }
            UpdateKind::StreamDestroy { stream } => {
                self.streams.remove(stream);
                Ok(())
            }
            UpdateKind::CopyBits { rect, src } => self.copy_bits(*rect, *src),
        }
    }

    /// Copies the surface's pixels at `src` onto `rect`; the two may overlap (a
    /// scroll), so rows are taken in the order that reads each before it is written.
    fn copy_bits(&mut self, rect: Rect, src: (u32, u32)) -> Result<()> {
        let fits = |x: u32, y: u32| {
            u64::from(x) + u64::from(rect.width) <= u64::from(self.width)
                && u64::from(y) + u64::from(rect.height) <= u64::from(self.height)
        };
        if !fits(rect.x, rect.y) || !fits(src.0, src.1) {
            return Err(bad_update());
        }
        let stride = self.width as usize * 4;
        let row = rect.width as usize * 4;
        let at = |x: u32, y: u32| y as usize * stride + x as usize * 4;
        let downward = rect.y > src.1;
        for j in 0..rect.height {
            let k = if downward { rect.height - 1 - j } else { j };
            let from = at(src.0, src.1 + k);
            self.surface.copy_within(from..from + row, at(rect.x, rect.y + k));
        }
        Ok(())
    }

    /// Copies packed B, G, R, X `pixels` of `rect`'s size to `rect`.
    fn blit(&mut self, rect: Rect, pixels: &[u8]) -> Result<()> {
        let row = rect.width as usize * 4;
        let inside = u64::from(rect.x) + u64::from(rect.width) <= u64::from(self.width)
            && u64::from(rect.y) + u64::from(rect.height) <= u64::from(self.height);
        if !inside || pixels.len() != row * rect.height as usize {
            return Err(bad_update());
        }
        let stride = self.width as usize * 4;
        for (y, src) in pixels.chunks_exact(row).enumerate() {
            let at = (rect.y as usize + y) * stride + rect.x as usize * 4;
            self.surface[at..at + row].copy_from_slice(src);
        }
        Ok(())
    }

    /// Pixels whose B, G or R differ from `source` (packed 4-byte pixels of the
    /// same size; X and alpha ignored).
    pub fn differing_pixels(&self, source: &[u8]) -> u64 {
        self.surface.chunks_exact(4).zip(source.chunks_exact(4)).filter(|(a, b)| a[..3] != b[..3]).count() as u64
            + (self.surface.len().abs_diff(source.len()) / 4) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::ClientModel;
    use crate::engine::{ClientCaps, Update, UpdateKind};
    use paprika_codecs::Rect;

    fn copy(rect: Rect, src: (u32, u32)) -> Update {
        Update { id: 1, kind: UpdateKind::CopyBits { rect, src }, decision: None }
    }

    #[test]
    fn copy_bits_moves_overlapping_rows_either_way_and_refuses_outside_rects() {
        let (w, h) = (8u32, 6u32);
        let mut c = ClientModel::new(w, h, &ClientCaps::default());
        for (k, p) in c.surface.chunks_exact_mut(4).enumerate() {
            p.copy_from_slice(&[(k % 8) as u8, (k / 8) as u8, 0, 255]);
        }
        let row = |c: &ClientModel, y: usize| c.surface[y * 32 + 1];
        // Rows 1..5 move up one (a scroll down the page): row 1 shows old row 2.
        c.apply(&copy(Rect::new(0, 1, w, 4), (0, 2))).unwrap();
        assert_eq!((1..5).map(|y| row(&c, y)).collect::<Vec<_>>(), [2, 3, 4, 5]);
        // And down two: rows 3..6 show rows 1..4 as they are now.
        c.apply(&copy(Rect::new(0, 3, w, 3), (0, 1))).unwrap();
        assert_eq!((3..6).map(|y| row(&c, y)).collect::<Vec<_>>(), [2, 3, 4]);
        // A horizontal move within rows overlaps too.
        c.apply(&copy(Rect::new(2, 0, 6, 1), (0, 0))).unwrap();
        assert_eq!(c.surface[..32].chunks_exact(4).map(|p| p[0]).collect::<Vec<_>>(), [0, 1, 0, 1, 2, 3, 4, 5]);
        let before = c.surface.clone();
        assert!(c.apply(&copy(Rect::new(0, 4, w, 3), (0, 0))).is_err(), "destination past the bottom");
        assert!(c.apply(&copy(Rect::new(0, 0, w, 2), (1, 0))).is_err(), "source past the right edge");
        assert!(c.apply(&copy(Rect::new(0, 0, w, 2), (0, u32::MAX))).is_err(), "source far outside");
        assert_eq!(c.surface, before, "a refused copy changes nothing");
    }
}
