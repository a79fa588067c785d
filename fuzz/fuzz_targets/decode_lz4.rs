//! Decodes arbitrary bytes as SPICE's LZ4 framing under small limits. Bytes 0–3
//! give the width and height (u16 each, as the SPICE descriptor would), the rest
//! is the stream. The decoder may fail, but must not panic, hang, or hold more
//! than `max_alloc_bytes` at once; what it does decode must agree with
//! `decode_into` (into a dirty, longer buffer) and survive a re-encode.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use libfuzzer_sys::fuzz_target;
use paprika_codecs::{Limits, lz4};

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
    let Some((size, stream)) = data.split_first_chunk::<4>() else { return };
    let width = u32::from(u16::from_le_bytes([size[0], size[1]]));
    let height = u32::from(u16::from_le_bytes([size[2], size[3]]));

    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let decoded = lz4::decode(stream, width, height, &LIMITS);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert!(
        peak as u64 <= LIMITS.max_alloc_bytes,
        "decode held {peak} bytes at once, over the {} byte budget ({decoded:?})",
        LIMITS.max_alloc_bytes
    );
    let Ok(img) = decoded else { return };

    let header = lz4::read_header(stream).expect("a decoded stream has a header");
    assert_eq!((img.width(), img.height()), (width, height));
    assert_eq!((img.format(), img.desc().top_down), (header.format, header.top_down));
    let len = lz4::output_len(&header, width, height).expect("size accepted twice") as usize;
    assert_eq!(img.data().len(), len);

    // decode_into writes exactly the image, whatever the buffer held.
    let mut buf = vec![0xa5; len + 3];
    assert_eq!(lz4::decode_into(stream, width, height, &mut buf), Ok(header));
    assert!(buf[..len] == *img.data(), "decode_into disagrees with decode");
    assert!(buf[len..].iter().all(|&b| b == 0xa5), "decode_into wrote past the image");

    // Re-encode, with blocks of a size the input picks: the same rows come back.
    let chunk = 1 + usize::from(stream.last().copied().unwrap_or(0)) * 97;
    let again = lz4::encode_with(&img.as_ref(), &lz4::Options { chunk_bytes: chunk }).expect("re-encode");
    let back = lz4::decode(&again, width, height, &LIMITS).expect("decode the re-encoded stream");
    assert!(back == img, "re-encoded stream decodes to other pixels");
});
