//! Parses and decodes arbitrary bytes as a self-contained SPICE image under small
//! limits. Parsing and decoding may fail, but must not panic, hang, or hold more
//! than `max_alloc_bytes` at once. Every image the parser accepts must be written
//! back byte for byte, and a decoded image must have the descriptor's size.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use libfuzzer_sys::fuzz_target;
use paprika_codecs::{Limits, decode_image, wire};

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
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let parsed = wire::parse(data);
    assert_eq!(PEAK.load(Ordering::Relaxed), base, "parse allocated");
    let decoded = decode_image(data, &LIMITS);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode_image held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(image) = parsed else {
        assert!(decoded.is_err(), "decoded what does not parse");
        return;
    };

    let mut again = Vec::new();
    wire::write(&image, &mut again).expect("write a parsed image");
    assert!(again == data, "write does not reproduce the parsed bytes");

    if let Ok(img) = decoded {
        assert_eq!((img.width(), img.height()), (image.descriptor.width, image.descriptor.height));
        img.to_bgrx().expect("a decoded image converts to BGRX");
    }
});
