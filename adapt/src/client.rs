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
        }
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
