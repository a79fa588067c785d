//! Decodes arbitrary bytes as LZ under small limits, with a palette. The decoder
//! may fail, but must not panic, hang, or hold more than `max_alloc_bytes` at
//! once; what it does decode must have the header's geometry and the documented
//! layout, must not depend on the palette, and must convert with `to_bgrx`.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use libfuzzer_sys::fuzz_target;
use paprika_codecs::image::{Palette, PixelFormat};
use paprika_codecs::lz::{self, ImageType};
use paprika_codecs::{Limits, lz::HEADER_BYTES};

const LIMITS: Limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1024 * 1024, max_alloc_bytes: 16 << 20 };

/// Counts live heap bytes and their peak, so the target can check the budget.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees carry over; the counters are bookkeeping
// beside it. Exercised by every run of this target.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Count the old and the new block as live at once, as a move would.
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fuzz_target!(|data: &[u8]| {
    // A palette shorter than some indexes can be (to_bgrx must still cope), sized
    // from the input so both cases occur.
    let size = data.len() % 17;
    let palette = Palette { id: 1, entries: (0..size as u32).map(|i| i * 0x0011_2233).collect() };

    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let decoded = lz::decode(data, Some(&palette), &LIMITS);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(img) = decoded else { return };

    let h = lz::read_header(data).expect("a decoded stream has a header");
    let ty = h.image_type;
    assert!(data.len() > HEADER_BYTES);
    assert_eq!((img.width(), img.height(), img.desc().top_down), (h.width, h.height, h.top_down));
    let format = if ty == ImageType::Rgb24 { PixelFormat::Bgrx32 } else { ty.pixel_format() };
    assert_eq!(img.format(), format);
    if ty.has_palette() {
        assert_eq!(img.desc().stride, h.stride as usize);
        assert_eq!(img.data().len(), h.stride as usize * h.height as usize);
        assert_eq!(img.as_ref().palette(), Some(&palette));
    } else {
        assert_eq!(img.data().len(), img.desc().stride * h.height as usize);
    }
    // Bytes the stream never codes decode as 0: X of RGB24/RGB32, B,G,R of XXXA.
    match ty {
        ImageType::Rgb24 | ImageType::Rgb32 => assert!(img.data().chunks_exact(4).all(|p| p[3] == 0)),
        ImageType::Xxxa => assert!(img.data().chunks_exact(4).all(|p| p[..3] == [0, 0, 0])),
        _ => {}
    }

    // The palette only travels beside the pixels.
    let plain = lz::decode(data, None, &LIMITS).expect("decodes without a palette too");
    assert!(plain.data() == img.data(), "the palette changed the decoded bytes");

    let bgrx = img.to_bgrx().expect("to_bgrx with a palette attached");
    assert_eq!(bgrx.len(), h.width as usize * h.height as usize * 4);
});
