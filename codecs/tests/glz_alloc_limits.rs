//! GLZ and ZLIB-GLZ must check `Limits::max_alloc_bytes` before allocating:
//! a header or a declared size that claims a huge image costs an error, not a
//! huge reservation. Measured with the process's `VmPeak`, as in
//! `quic_alloc_limits.rs`, alone in its own test binary.

mod common;

use common::vm_peak_kib;
use paprika_codecs::error::{Error, LimitKind};
use paprika_codecs::glz::{GlzWindow, Header, MAX_WINDOW_PIXELS, write_header, zlib};
use paprika_codecs::{Limits, lz};

#[test]
fn huge_claims_are_refused_before_allocating() {
    let Some(before) = vm_peak_kib() else {
        eprintln!("no /proc/self/status here: nothing to measure");
        return;
    };
    let budget = 1u64 << 20;
    let limits = Limits { max_alloc_bytes: budget, ..Limits::default() };
    let over_budget = |e: &Error| matches!(e, Error::Limits { what: LimitKind::Bytes, max, .. } if *max == budget);

    // A 16384 x 16000 RGB32 header (1 GiB of pixels) with just enough input to
    // pass the minimum-length check (one byte per 255 pixels): about 1 MB.
    let h = Header {
        image_type: lz::ImageType::Rgb32,
        top_down: true,
        width: 16_384,
        height: 16_000,
        stride: 16_384 * 4,
        id: 0,
        win_head_dist: 0,
    };
    let mut input = Vec::new();
    write_header(&mut input, &h);
    input.resize(input.len() + (16_384 * 16_000) / 255 + 1, 0xff);
    let err = GlzWindow::new(MAX_WINDOW_PIXELS * 8, limits).decode(&input).unwrap_err();
    assert!(over_budget(&err), "{err:?}");

    // A ZLIB-GLZ payload declaring a 1 GiB GLZ stream.
    let z = zlib::deflate(&[7u8; 1000]).unwrap();
    let err = zlib::inflate(&z, 1 << 30, &limits).unwrap_err();
    assert!(over_budget(&err), "{err:?}");

    let grown_mib = vm_peak_kib().unwrap().saturating_sub(before) / 1024;
    assert!(grown_mib < 256, "GLZ decoding reserved {grown_mib} MiB before refusing claims over a 1 MiB budget");
}
