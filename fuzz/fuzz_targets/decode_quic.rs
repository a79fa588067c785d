//! Decodes arbitrary bytes as QUIC under small limits. The decoder may fail, but
//! must not panic, hang, or hold more than `max_alloc_bytes` at once; what it does
//! decode must survive a re-encode (same pixels, and a stable stream), and every
//! conversion `decode_into` offers must agree with the native image.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use libfuzzer_sys::fuzz_target;
use paprika_codecs::Limits;
use paprika_codecs::image::PixelFormat;
use paprika_codecs::quic::{self, Decoder, ImageType};

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
    let decoded = quic::decode(data, &LIMITS);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(img) = decoded else { return };

    let header = quic::read_header(data).expect("a decoded stream has a header");
    let ty = header.image_type;
    assert_eq!((img.width(), img.height()), (header.width, header.height));
    assert_eq!(img.format(), ty.native_format());

    // Re-encode: the pixels must come back, and the stream must be a fixed point.
    let again = quic::encode(&img.as_ref(), ty).expect("re-encode a decoded image");
    let back = quic::decode(&again, &LIMITS).expect("decode the re-encoded stream");
    assert!(back == img, "re-encoded stream decodes to other pixels");
    let third = quic::encode(&back.as_ref(), ty).expect("encode again");
    assert!(third == again, "encoding is not stable on decoded pixels");

    // The conversions of decode_into, into dirty buffers with padded rows.
    let bgrx = img.to_bgrx().expect("to_bgrx");
    let mut d = Decoder::new(data, &LIMITS).expect("header accepted twice");
    for format in [PixelFormat::Bgrx32, PixelFormat::Bgr24] {
        if !d.supports(format) || ty == ImageType::Rgba {
            continue;
        }
        let bpp = format.bits_per_pixel() as usize / 8;
        let row = img.width() as usize * bpp;
        let stride = row + 3;
        let mut buf = vec![0xa5; stride * (img.height() as usize - 1) + row];
        d.decode_into(&mut buf, stride, format).expect("decode_into after decode succeeded");
        for (y, chunk) in buf.chunks(stride).enumerate() {
            let want = &bgrx[y * img.width() as usize * 4..][..img.width() as usize * 4];
            for (x, px) in chunk[..row].chunks_exact(bpp).enumerate() {
                assert_eq!(px, &want[x * 4..x * 4 + bpp], "{format:?} row {y} px {x}");
            }
            assert!(chunk[row..].iter().all(|&b| b == 0xa5), "padding written");
        }
    }
});
