//! The server side of GLZ: the dictionary of recent images that the encoders of
//! one client share, and the hash index into it.
//!
//! Concurrency design. The SPICE display channels of one client run on their own
//! threads and share one `GlzDictionary` (`Send + Sync`, behind an `Arc`):
//!
//! - A mutex guards only the list of images in the window and the id counter.
//!   An encoder holds it for a few statements per image (`admit`): it takes the
//!   next id, evicts the oldest images while the window would overflow, appends
//!   its image (a copy of its pixels, already made), and takes a snapshot of the
//!   window — a `Vec` of `Arc`s. It then searches and encodes with no lock held.
//! - An evicted image leaves the list at once (its id is reported to the server,
//!   which can drop its copy), but an encoder that is still coding against a
//!   snapshot keeps it alive through its `Arc`. The decoder cannot have released
//!   it either: the client frees images only below the head of its newest
//!   contiguous image, and heads only move forward.
//! - The hash index is one table of `AtomicU64` slots shared by every encoder,
//!   read and written with relaxed loads and stores and no lock. A slot names an
//!   image (low bits of its id), a pixel position and the first pixel's key. Any
//!   slot may be stale, overwritten by another thread, or name an image outside
//!   the reader's snapshot: it is only a hint, validated against the snapshot and
//!   then by comparing pixels, so races cost compression, never correctness.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::window::MAX_WINDOW_PIXELS;
use crate::error::{Error, ParameterKind, Result};
use crate::lz::ImageType;

/// Bits of the hash index: 2^20 slots of 8 bytes, as many as the reference's table.
const INDEX_BITS: u32 = 18;
/// Bits of a slot holding the pixel position (images are below 2^25 pixels).
const POS_BITS: u32 = 25;
/// Bits of a slot holding the low bits of the image id.
const ID_BITS: u32 = 15;
/// Bits of a slot holding the first pixel's key (24 bits of RGB, 15 of RGB16, 8 of alpha).
const KEY_SHIFT: u32 = POS_BITS + ID_BITS;

/// One image as the dictionary keeps it: its pixels reduced to what GLZ
/// compares, rows in stream order.
#[derive(Debug)]
pub(crate) struct DictImage {
    pub(crate) id: u64,
    pub(crate) ty: ImageType,
    /// The pixels as 32-bit words (see `encode::words_of`).
    pub(crate) words: Words,
}

impl DictImage {
    pub(crate) fn pixels(&self) -> u64 {
        self.words.as_slice().len() as u64
    }
}

/// An image's pixels as the dictionary holds them.
#[derive(Debug)]
pub(crate) enum Words {
    /// A copy made for the dictionary.
    Copied(Vec<u32>),
    /// The caller's own buffer of 4-byte pixels, handed over (checked to be
    /// aligned for `u32` when it was).
    Owned(Vec<u8>),
}

impl Words {
    pub(crate) fn as_slice(&self) -> &[u32] {
        match self {
            Words::Copied(v) => v,
            Words::Owned(b) => bytemuck::try_cast_slice(b).unwrap_or(&[]),
        }
    }
}

/// What an encoder gets when its image enters the dictionary.
pub(crate) struct Admission {
    pub(crate) id: u64,
    pub(crate) win_head_dist: u32,
    /// The window after adding the image, oldest first; the image itself last.
    pub(crate) window: Vec<Arc<DictImage>>,
    /// The images this admission evicted, oldest first (the caller may reuse
    /// their buffers once no snapshot holds them).
    pub(crate) evicted: Vec<Arc<DictImage>>,
}

#[derive(Debug)]
struct WindowList {
    next_id: u64,
    images: VecDeque<Arc<DictImage>>,
    pixels: u64,
}

/// The images a client still holds, shared by the GLZ encoders of that client
/// (one per display channel), with one image id counter for all of them.
#[derive(Debug)]
pub struct GlzDictionary {
    window_pixels: u64,
    list: Mutex<WindowList>,
    index: HashIndex,
}

impl GlzDictionary {
    /// A dictionary for a client window of `window_pixels` pixels (what the
    /// client announced: spice-gtk sends its window size in bytes / 4), whose
    /// first image id is 0.
    pub fn new(window_pixels: u64) -> Result<Self> {
        Self::starting_at(0, window_pixels)
    }

    /// Like [`GlzDictionary::new`], with ids starting at `first_id`.
    pub fn starting_at(first_id: u64, window_pixels: u64) -> Result<Self> {
        if window_pixels == 0 || window_pixels > MAX_WINDOW_PIXELS {
            return Err(Error::Parameter(ParameterKind::LargerThanWindow {
                pixels: window_pixels,
                window: MAX_WINDOW_PIXELS,
            }));
        }
        Ok(GlzDictionary {
            window_pixels,
            list: Mutex::new(WindowList { next_id: first_id, images: VecDeque::new(), pixels: 0 }),
            index: HashIndex::new(),
        })
    }

    /// The window size in pixels.
    pub fn window_pixels(&self) -> u64 {
        self.window_pixels
    }

    /// The id the next image will get.
    pub fn next_id(&self) -> u64 {
        self.lock().next_id
    }

    /// The ids of the images in the window, oldest first.
    pub fn ids(&self) -> Vec<u64> {
        self.lock().images.iter().map(|i| i.id).collect()
    }

    /// Pixels of the images in the window.
    pub fn held_pixels(&self) -> u64 {
        self.lock().pixels
    }

    fn lock(&self) -> MutexGuard<'_, WindowList> {
        // Every change under the lock is a few statements that cannot panic.
        self.list.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn index(&self) -> &HashIndex {
        &self.index
    }

    /// Gives `image` the next id, evicts the oldest images while the window would
    /// overflow, appends it, and returns the window to code against.
    pub(crate) fn admit(&self, ty: ImageType, words: Words) -> Result<Admission> {
        let pixels = words.as_slice().len() as u64;
        // The reference refuses an image as large as the window (`GLZ_ASSERT`).
        if pixels >= self.window_pixels {
            return Err(Error::Parameter(ParameterKind::LargerThanWindow { pixels, window: self.window_pixels }));
        }
        let mut list = self.lock();
        let mut evicted = Vec::new();
        while list.pixels + pixels > self.window_pixels {
            let Some(old) = list.images.pop_front() else { break };
            list.pixels -= old.pixels();
            evicted.push(old);
        }
        let id = list.next_id;
        list.next_id += 1;
        let head = list.images.front().map_or(id, |i| i.id);
        list.images.push_back(Arc::new(DictImage { id, ty, words }));
        list.pixels += pixels;
        let window = list.images.iter().cloned().collect();
        // The window holds at most 2^25 one-pixel images, so the distance fits.
        Ok(Admission { id, win_head_dist: (id - head) as u32, window, evicted })
    }
}

/// The shared hash index: pixel positions of recent images by a hash of the
/// pixels starting there. See the module documentation for why it needs no lock.
#[derive(Debug)]
pub(crate) struct HashIndex {
    slots: Box<[AtomicU64]>,
}

/// A slot's contents: where a pixel sequence was seen.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry(u64);

impl Entry {
    #[inline(always)]
    pub(crate) fn new(id: u64, pos: usize, key: u32) -> Self {
        let id_bits = id & ((1 << ID_BITS) - 1);
        Entry(pos as u64 | id_bits << POS_BITS | u64::from(key) << KEY_SHIFT)
    }
    #[inline(always)]
    pub(crate) fn pos(self) -> usize {
        (self.0 & ((1 << POS_BITS) - 1)) as usize
    }
    /// The low bits of the image id.
    #[inline(always)]
    pub(crate) fn id_bits(self) -> u64 {
        (self.0 >> POS_BITS) & ((1 << ID_BITS) - 1)
    }
    #[inline(always)]
    pub(crate) fn key(self) -> u32 {
        (self.0 >> KEY_SHIFT) as u32
    }
    /// The snapshot index of the image this entry names, given the snapshot's
    /// first id, if the low bits can name an image of a snapshot of `len` images.
    #[inline(always)]
    pub(crate) fn snapshot_index(self, first_id: u64, len: usize) -> Option<usize> {
        let idx = (self.id_bits().wrapping_sub(first_id) & ((1 << ID_BITS) - 1)) as usize;
        (idx < len).then_some(idx)
    }
}

impl HashIndex {
    fn new() -> Self {
        // Zeroed pages from the allocator: creating a dictionary costs nothing
        // until its slots are used.
        HashIndex { slots: bytemuck::allocation::zeroed_slice_box(1 << INDEX_BITS) }
    }

    /// The slot for a 64-bit hash value.
    #[inline(always)]
    pub(crate) fn slot(hash: u64) -> usize {
        (hash >> (64 - INDEX_BITS)) as usize
    }

    /// The entry in `slot`.
    #[inline(always)]
    pub(crate) fn get(&self, slot: usize) -> Entry {
        Entry(self.slots[slot].load(Ordering::Relaxed))
    }

    /// Records `new` in `slot`.
    #[inline(always)]
    pub(crate) fn set(&self, slot: usize, new: Entry) {
        self.slots[slot].store(new.0, Ordering::Relaxed);
    }
}
