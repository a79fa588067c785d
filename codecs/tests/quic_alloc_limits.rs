//! `Limits::max_alloc_bytes` must hold *before* a decoder allocates (see
//! `limits.rs`: "checked before allocating"), not only before it decodes.
//!
//! Integration tests cannot install a counting allocator (the workspace forbids
//! `unsafe`), so this measures the process's peak virtual size (`VmPeak` in
//! `/proc/self/status`): a 1 GiB output buffer shows as a 1 GiB jump even though
//! its zeroed pages are never touched. It lives alone in its own test binary so
//! no other test's allocations blur the measurement.

mod common;

use common::vm_peak_kib;
use paprika_codecs::error::{Error, LimitKind};
use paprika_codecs::image::{Image, PixelFormat};
use paprika_codecs::{Limits, quic};

#[test]
fn decode_checks_the_byte_budget_before_allocating_the_output() {
    // Warm up: the decoder's own one-time costs are not what this measures.
    let warm = Image::zeroed(8, 8, PixelFormat::Bgra32).unwrap();
    let s = quic::encode(&warm.as_ref(), quic::ImageType::Rgba).unwrap();
    quic::decode(&s, &Limits::default()).unwrap();

    let Some(before) = vm_peak_kib() else {
        eprintln!("no /proc/self/status here: nothing to measure");
        return;
    };
    // A 16384 x 16384 RGBA header (within the default dimension limits) and just
    // enough bytes to pass the minimum-length check: ~16 KiB of hostile input.
    let mut input: Vec<u8> = [0x4349_5551u32, 0, 5, 16_384, 16_384].iter().flat_map(|w| w.to_le_bytes()).collect();
    input.resize(20 + 16_500, 0);
    let budget = 1u64 << 20;
    let limits = Limits { max_alloc_bytes: budget, ..Limits::default() };
    let err = quic::decode(&input, &limits).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limits {
                what: LimitKind::Bytes,
                max,
                ..
            } if max == budget
        ),
        "{err:?}"
    );
    let after = vm_peak_kib().unwrap();
    let grown_mib = after.saturating_sub(before) / 1024;
    // The decode may allocate 1 MiB; allow generous slack for the runtime.
    assert!(
        grown_mib < 256,
        "quic::decode reserved {grown_mib} MiB (VmPeak {before} -> {after} KiB) for a \
         {} byte input before returning {err}: the output buffer is allocated before \
         max_alloc_bytes ({budget} bytes) is checked",
        input.len()
    );
}
