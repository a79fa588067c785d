//! The client side of GLZ: a window of decoded images keyed by image id, from
//! which later streams copy pixels (`docs/formats/glz.md`, "The window").
//!
//! Release follows spice-gtk (`decode-glz.c`): once image `id` has arrived and
//! every lower id has too, the images below `id - win_head_dist` of the newest
//! such image are dropped. The encoder's window head only moves forward, so no
//! image that has not arrived yet can need them. Memory is bounded by a maximum
//! in pixels: an image that would take the window past it is refused with
//! [`Error::Limits`] before it is decoded.
//!
//! Images from several display channels share one window and may arrive out of
//! order. [`GlzWindow::decode`] then answers [`Error::WaitingForImage`] (nothing
//! changed; decode the missing image and retry), and [`SharedGlzWindow`] lets
//! each channel's thread wait for it with a timeout, as spice-gtk's coroutine does.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::decode::{ImageSource, decode_body, plan};
use super::header::{Header, read_header};
use crate::error::{Codec, Error, FormatKind, LimitKind, Result};
use crate::image::{Image, ImageDesc, ImageRef, PixelFormat};
use crate::limits::Limits;
use crate::lz::ImageType;

/// SPICE's largest GLZ window, in pixels (`LZ_MAX_WINDOW_SIZE`, 2^25).
pub const MAX_WINDOW_PIXELS: u64 = 1 << 25;

/// A decoded GLZ image as the window keeps it: 4-byte pixels (B, G, R, 0, or
/// B, G, R, A for RGBA), rows in stream order.
pub struct GlzImage {
    header: Header,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for GlzImage {
    // The header only: a test failure should not print megabytes of pixels.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlzImage").field("header", &self.header).finish_non_exhaustive()
    }
}

impl GlzImage {
    /// The stream's header (id, type, size, row order, window-head distance).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The image id.
    pub fn id(&self) -> u64 {
        self.header.id
    }

    fn desc(&self) -> ImageDesc {
        let format = if self.header.image_type == ImageType::Rgba { PixelFormat::Bgra32 } else { PixelFormat::Bgrx32 };
        ImageDesc {
            width: self.header.width,
            height: self.header.height,
            stride: self.header.width as usize * 4,
            format,
            top_down: self.header.top_down,
        }
    }

    /// The pixels as a bitmap: [`PixelFormat::Bgrx32`] (pad 0) or
    /// [`PixelFormat::Bgra32`] for RGBA, rows in stream order with `top_down` set
    /// to match.
    pub fn image(&self) -> ImageRef<'_> {
        ImageRef::new(self.desc(), &self.pixels).unwrap_or_else(|_| unreachable!("the decoder sized the pixels"))
    }

    /// An owned copy of [`GlzImage::image`], rows top-down.
    pub fn to_image(&self) -> Image {
        self.image().to_owned_packed()
    }

    pub(crate) fn pixel_bytes(&self) -> &[u8] {
        &self.pixels
    }
}

fn bad(kind: FormatKind) -> Error {
    Error::format(Codec::Glz, kind)
}

/// A decode that passed the header checks and holds its pixels' share of the window.
struct Admitted {
    header: Header,
    out_bytes: usize,
}

/// The decoded images a GLZ stream may reference, keyed by image id.
#[derive(Debug)]
pub struct GlzWindow {
    images: BTreeMap<u64, Arc<GlzImage>>,
    /// Every id below this has arrived (spice-gtk's `tail_gap`).
    contiguous: u64,
    /// Every id below this has been released (spice-gtk's `oldest`).
    released: u64,
    /// Pixels of the images held, plus those of decodes in progress.
    held_pixels: u64,
    max_pixels: u64,
    limits: Limits,
}

impl GlzWindow {
    /// An empty window for a dictionary whose first image id is 0, holding at
    /// most `max_pixels` pixels of decoded images; single images are checked
    /// against `limits`.
    pub fn new(max_pixels: u64, limits: Limits) -> Self {
        Self::starting_at(0, max_pixels, limits)
    }

    /// Like [`GlzWindow::new`], for a dictionary whose ids start at `first_id`
    /// (a server that restored its dictionary after a migration).
    pub fn starting_at(first_id: u64, max_pixels: u64, limits: Limits) -> Self {
        GlzWindow {
            images: BTreeMap::new(),
            contiguous: first_id,
            released: first_id,
            held_pixels: 0,
            max_pixels,
            limits,
        }
    }

    /// Decodes one GLZ stream, referencing earlier images of the window, and keeps
    /// the result for later streams.
    ///
    /// Errors: a malformed stream or a reference to an image not in the window
    /// ([`Error::Format`]), a window or image past its limits ([`Error::Limits`]),
    /// or [`Error::WaitingForImage`] when a referenced image has not arrived yet.
    /// On any error the window is unchanged.
    pub fn decode(&mut self, input: &[u8]) -> Result<Arc<GlzImage>> {
        let a = self.admit(input)?;
        let res = decode_body(input, &a.header, a.out_bytes, &mut Lookup(self));
        match res {
            Ok(pixels) => Ok(self.insert(a, pixels)),
            Err(e) => {
                self.held_pixels -= a.header.pixels();
                Err(e)
            }
        }
    }

    /// Whether image `id` is in the window.
    pub fn contains(&self, id: u64) -> bool {
        self.images.contains_key(&id)
    }

    /// The image `id`, if the window holds it.
    pub fn get(&self, id: u64) -> Option<Arc<GlzImage>> {
        self.images.get(&id).cloned()
    }

    /// The ids held, in order.
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.images.keys().copied()
    }

    /// Pixels of the images held.
    pub fn held_pixels(&self) -> u64 {
        self.images.values().map(|i| i.header.pixels()).sum()
    }

    /// The configured maximum, in pixels.
    pub fn max_pixels(&self) -> u64 {
        self.max_pixels
    }

    /// Checks the header, releases what this image makes unreachable, and
    /// reserves its pixels.
    fn admit(&mut self, input: &[u8]) -> Result<Admitted> {
        let header = read_header(input, &self.limits)?;
        if self.images.contains_key(&header.id) {
            return Err(bad(FormatKind::DuplicateImage { id: header.id }));
        }
        let out_bytes = plan(&header, input.len(), &self.limits)?;
        // The limit applies to what the window holds once this image is in: if it
        // will be the newest contiguous image, what lies before its head goes.
        // Those images are dropped only when the decode succeeds (a failed
        // decode changes nothing), so one decode may hold them a little longer.
        let mut will_hold = self.held_pixels;
        if header.id == self.contiguous {
            let head = header.id - u64::from(header.win_head_dist);
            will_hold -= self.images.range(..head).map(|(_, i)| i.header.pixels()).sum::<u64>();
        }
        let need = will_hold + header.pixels();
        if need > self.max_pixels {
            return Err(Error::Limits { what: LimitKind::WindowPixels, actual: need, max: self.max_pixels });
        }
        self.held_pixels += header.pixels();
        Ok(Admitted { header, out_bytes })
    }

    /// The image `id` for a reference, or why not.
    fn lookup(&self, id: u64) -> Result<Arc<GlzImage>> {
        match self.images.get(&id) {
            Some(img) => Ok(img.clone()),
            None if id < self.released || id < self.contiguous => Err(bad(FormatKind::ImageNotInWindow { id })),
            None => Err(Error::WaitingForImage { id }),
        }
    }

    /// Adds a decoded image, then releases as spice-gtk does.
    fn insert(&mut self, a: Admitted, pixels: Vec<u8>) -> Arc<GlzImage> {
        let img = Arc::new(GlzImage { header: a.header, pixels });
        if a.header.id < self.released {
            // Arrived after its slot was released: nothing later can need it.
            self.held_pixels -= a.header.pixels();
            return img;
        }
        self.images.insert(a.header.id, img.clone());
        while self.images.contains_key(&self.contiguous) {
            self.contiguous += 1;
        }
        if let Some(tail) = self.contiguous.checked_sub(1).and_then(|id| self.images.get(&id)) {
            let head = tail.header.id - u64::from(tail.header.win_head_dist);
            self.release_below(head);
        }
        img
    }

    fn release_below(&mut self, head: u64) {
        if head <= self.released {
            return;
        }
        let keep = self.images.split_off(&head);
        for gone in std::mem::replace(&mut self.images, keep).into_values() {
            self.held_pixels -= gone.header.pixels();
        }
        self.released = head;
        self.contiguous = self.contiguous.max(head);
    }
}

/// References resolved in a window the decoder has to itself.
struct Lookup<'a>(&'a GlzWindow);

impl ImageSource for Lookup<'_> {
    fn image(&mut self, id: u64) -> Result<Arc<GlzImage>> {
        self.0.lookup(id)
    }
}

/// A window shared by the decoding threads of several display channels.
///
/// The lock is held only to admit a stream, to look up a referenced image and
/// to insert the result; the body is decoded outside it, so channels decode in
/// parallel. A stream whose referenced image has not arrived waits for it (up
/// to a timeout) while other channels go on.
#[derive(Debug)]
pub struct SharedGlzWindow {
    window: Mutex<GlzWindow>,
    arrived: Condvar,
}

impl SharedGlzWindow {
    /// Shares `window`.
    pub fn new(window: GlzWindow) -> Self {
        SharedGlzWindow { window: Mutex::new(window), arrived: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, GlzWindow> {
        // A panic elsewhere cannot leave the window half-changed: every
        // mutation is a few statements that do not panic.
        self.window.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decodes one stream like [`GlzWindow::decode`], but when it references an
    /// image that has not arrived, waits up to `wait` for another thread to
    /// decode it; after that, answers [`Error::WaitingForImage`].
    pub fn decode(&self, input: &[u8], wait: Duration) -> Result<Arc<GlzImage>> {
        let a = self.lock().admit(input)?;
        let deadline = Instant::now() + wait;
        let res = decode_body(input, &a.header, a.out_bytes, &mut Waiting { shared: self, deadline });
        let mut w = self.lock();
        match res {
            Ok(pixels) => {
                let img = w.insert(a, pixels);
                drop(w);
                self.arrived.notify_all();
                Ok(img)
            }
            Err(e) => {
                w.held_pixels -= a.header.pixels();
                Err(e)
            }
        }
    }

    /// Runs `f` on the window under the lock (to inspect it).
    pub fn with<R>(&self, f: impl FnOnce(&GlzWindow) -> R) -> R {
        f(&self.lock())
    }
}

/// References resolved in a shared window, waiting for images not arrived yet.
struct Waiting<'a> {
    shared: &'a SharedGlzWindow,
    deadline: Instant,
}

impl ImageSource for Waiting<'_> {
    fn image(&mut self, id: u64) -> Result<Arc<GlzImage>> {
        let mut w = self.shared.lock();
        loop {
            match w.lookup(id) {
                Err(Error::WaitingForImage { id }) => {
                    let now = Instant::now();
                    if now >= self.deadline {
                        return Err(Error::WaitingForImage { id });
                    }
                    w = self.shared.arrived.wait_timeout(w, self.deadline - now).unwrap_or_else(|e| e.into_inner()).0;
                }
                other => return other,
            }
        }
    }
}
