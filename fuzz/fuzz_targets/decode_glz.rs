//! Decodes a sequence of GLZ streams through one window, the way a client does,
//! with ids and window distances chosen by the fuzzer. Input layout:
//!
//! * byte 0: the window's pixel bound, `(b + 1) * 4096` pixels;
//! * then frames, each a little-endian u16 length and that many bytes (a GLZ
//!   stream: header and body), to the end of the input.
//!
//! Every decode may fail, but must not panic, hang, or hold more heap than the
//! byte budget plus the window's pixels. A failed decode must leave the window
//! as it was; a decoded image must have its header's geometry and id and stay
//! in the window, which never holds more pixels than its bound. Every frame is
//! also decoded through a `SharedGlzWindow` with no wait, which must agree.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use paprika_codecs::glz::{GlzWindow, SharedGlzWindow, read_header};
use paprika_codecs::{Error, Limits};
use paprika_codecs_fuzz::{peak_since, reset_peak};

const LIMITS: Limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1024 * 1024, max_alloc_bytes: 16 << 20 };

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else { return };
    let max_pixels = (u64::from(first) + 1) * 4096;
    let mut window = GlzWindow::new(max_pixels, LIMITS);
    let shared = SharedGlzWindow::new(GlzWindow::new(max_pixels, LIMITS));
    while rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let frame = &rest[2..2 + len];
        rest = &rest[2 + len..];

        let before: Vec<u64> = window.ids().collect();
        let base = reset_peak();
        let decoded = window.decode(frame);
        let peak = peak_since(base) as u64;
        // The new image's own buffer is within the byte budget; the window's
        // bookkeeping adds a little.
        assert!(peak <= LIMITS.max_alloc_bytes + 4096, "decode held {peak} bytes at once");
        assert!(window.held_pixels() <= max_pixels, "window holds {} pixels", window.held_pixels());
        let via_shared = shared.decode(frame, Duration::ZERO);
        match &decoded {
            Ok(img) => {
                let h = read_header(frame, &LIMITS).expect("a decoded stream has a valid header");
                assert_eq!(img.header(), &h);
                assert_eq!(img.image().data().len(), h.width as usize * h.height as usize * 4);
                if h.image_type != paprika_codecs::lz::ImageType::Rgba {
                    assert!(img.image().data().chunks_exact(4).all(|p| p[3] == 0), "pad byte not 0");
                }
                let shared_img = via_shared.expect("the shared window decodes what the window does");
                assert!(shared_img.image().data() == img.image().data());
            }
            Err(e) => {
                assert_eq!(window.ids().collect::<Vec<_>>(), before, "failed decode ({e}) changed the window");
                assert_eq!(via_shared.as_ref().err(), Some(e), "the shared window disagrees");
                if let Error::WaitingForImage { id } = e {
                    assert!(!window.contains(*id));
                }
            }
        }
        assert_eq!(shared.with(|w| w.ids().collect::<Vec<_>>()), window.ids().collect::<Vec<_>>());
    }
});
