//! The LZ decoder contract on hostile input: any byte string gives an image or
//! a typed error — never a panic, a hang, or an allocation past the [`Limits`].
//!
//! Inputs: the golden vectors truncated, bit-flipped and overwritten; crafted
//! headers and records with exact errors; noise behind valid headers; and random
//! *valid* streams of every type (lengths extended past 255, far distances,
//! overlapping copies), checked against a byte-at-a-time model of the reference
//! decoder (`lz_decompress_tmpl.c`). Every random choice comes from a fixed seed.

mod common;

use std::time::{Duration, Instant};

use common::*;
use paprika_codecs::error::{Codec, Error, FormatKind, LimitKind};
use paprika_codecs::image::{Image, Palette, PixelFormat};
use paprika_codecs::lz::{self, HEADER_BYTES, ImageType};
use paprika_codecs::{Limits, Result};

/// `LZ_MAGIC`, as the big-endian word whose bytes are "  ZL".
const MAGIC: u32 = 0x2020_5a4c;
/// `LZ_VERSION`: 1.1.
const VERSION: u32 = 0x0001_0001;
/// Streams at most this long are cut at every byte; longer ones at ~150 points.
const SMALL_STREAM: usize = 2048;

/// A golden LZ stream and what the manifest says about it.
struct Vector {
    name: String,
    stream: Vec<u8>,
    width: u32,
    height: u32,
}

fn vectors() -> Vec<Vector> {
    let recs = records("lz");
    assert!(recs.len() >= 39, "expected the full LZ vector set, found {}", recs.len());
    recs.iter()
        .map(|rec| {
            let name = rec["file"].as_str().unwrap().to_string();
            Vector {
                stream: read(&name),
                width: rec["width"].as_u64().unwrap() as u32,
                height: rec["height"].as_u64().unwrap() as u32,
                name,
            }
        })
        .collect()
}

/// Half of the vectors, by index parity, so two tests share the work.
fn vectors_part(part: usize) -> Vec<Vector> {
    vectors().into_iter().enumerate().filter(|(i, _)| i % 2 == part).map(|(_, v)| v).collect()
}

/// Decodes `input` under [`decode_guarded`]: no panic, no hang.
fn decode_checked(input: &[u8], limits: &Limits, what: &dyn Fn() -> String) -> Result<Image> {
    decode_guarded("lz_robustness", input, Duration::from_secs(5), what, || lz::decode(input, None, limits))
}

fn lz_kind(e: &Error) -> Option<FormatKind> {
    match e {
        Error::Format { codec: Codec::Lz, kind } => Some(*kind),
        _ => None,
    }
}

fn format_err(kind: FormatKind) -> Error {
    Error::Format { codec: Codec::Lz, kind }
}

/// A header with these raw field values.
fn header_words(magic: u32, version: u32, ty: u32, width: u32, height: u32, stride: u32, top_down: u32) -> Vec<u8> {
    [magic, version, ty, width, height, stride, top_down].iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// A valid header for `ty`, with the tightest stride.
fn header(ty: ImageType, width: u32, height: u32, top_down: bool) -> Vec<u8> {
    let bits = match ty {
        ImageType::Rgb24 => 24,
        other => other.pixel_format().bits_per_pixel(),
    };
    let stride = (u64::from(width) * u64::from(bits)).div_ceil(8) as u32;
    header_words(MAGIC, VERSION, ty.code(), width, height, stride, u32::from(top_down))
}

// ---------------------------------------------------------------------------
// A model of the reference decoder, and random valid streams

/// How a type's stream codes its units (`lz_decompress_tmpl.c`).
#[derive(Clone, Copy, Debug)]
struct Kind {
    /// Input bytes per literal unit.
    literal: usize,
    /// Added to the length code.
    bias: u64,
}

fn kinds(ty: ImageType) -> &'static [Kind] {
    const RGB: Kind = Kind { literal: 3, bias: 1 };
    const ONE: Kind = Kind { literal: 1, bias: 3 };
    match ty {
        ImageType::Rgb24 | ImageType::Rgb32 => &[RGB],
        ImageType::Rgba => &[RGB, ONE],
        ImageType::Rgb16 => &[Kind { literal: 2, bias: 2 }],
        _ => &[ONE],
    }
}

/// Units a stream of this header codes: pixels, or bytes of whole rows for palettes.
fn units(ty: ImageType, width: u32, height: u32) -> usize {
    if ty.has_palette() {
        let bits = ty.pixel_format().bits_per_pixel() as usize;
        (width as usize * bits).div_ceil(8) * height as usize
    } else {
        width as usize * height as usize
    }
}

/// Decodes a *valid* stream the simple way: one unit at a time, into the
/// decoder's output layout (`ImageType::pixel_format`, RGB24 as B,G,R,0).
fn model_decode(stream: &[u8], ty: ImageType, width: u32, height: u32) -> Vec<u8> {
    let n = units(ty, width, height);
    let step = match ty {
        ImageType::Rgb24 | ImageType::Rgb32 | ImageType::Rgba | ImageType::Xxxa => 4,
        ImageType::Rgb16 => 2,
        _ => 1,
    };
    let mut out = vec![0u8; n * step];
    let mut ip = HEADER_BYTES;
    for (s, kind) in kinds(ty).iter().enumerate() {
        // The alpha stream (second of RGBA, only one of XXXA) writes byte 3 of each pixel.
        let alpha = (ty == ImageType::Rgba && s == 1) || ty == ImageType::Xxxa;
        let mut op = 0;
        let mut next = || {
            ip += 1;
            stream[ip - 1]
        };
        while op < n {
            let ctrl = next();
            if ctrl < 32 {
                for _ in 0..=ctrl {
                    let px = &mut out[op * step..(op + 1) * step];
                    match (kind.literal, alpha) {
                        (3, _) => {
                            px[0] = next();
                            px[1] = next();
                            px[2] = next();
                            px[3] = 0;
                        }
                        (2, _) => {
                            px[1] = next();
                            px[0] = next();
                        }
                        (_, true) => px[3] = next(),
                        _ => px[0] = next(),
                    }
                    op += 1;
                }
                continue;
            }
            let mut len = u64::from(ctrl >> 5) - 1;
            if len == 6 {
                loop {
                    let c = next();
                    len += u64::from(c);
                    if c != 255 {
                        break;
                    }
                }
            }
            let lo = next();
            let mut dist = (usize::from(ctrl & 31) << 8) + usize::from(lo);
            if lo == 255 && ctrl & 31 == 31 {
                dist = ((usize::from(next()) << 8) | usize::from(next())) + 8191;
            }
            dist += 1;
            for _ in 0..len + kind.bias {
                for b in 0..step {
                    if !alpha || b == 3 {
                        out[op * step + b] = out[(op - dist) * step + b];
                    }
                }
                op += 1;
            }
        }
    }
    assert_eq!(ip, stream.len(), "model: stream not consumed exactly");
    out
}

/// Appends one match record: `len` units (at least the bias) from `dist` back.
fn push_match(out: &mut Vec<u8>, kind: Kind, len: u64, dist: usize) {
    let code = len - kind.bias;
    let d = dist - 1;
    // Near distances go in 13 bits, except 8191 itself, which is the far escape.
    let (hi, lo, far) = if d < 8191 { ((d >> 8) as u8, d as u8, None) } else { (31, 255, Some(d - 8191)) };
    if code < 6 {
        out.push((((code + 1) as u8) << 5) | hi);
    } else {
        out.push((7 << 5) | hi);
        let mut rest = code - 6;
        while rest >= 255 {
            out.push(255);
            rest -= 255;
        }
        out.push(rest as u8);
    }
    out.push(lo);
    if let Some(f) = far {
        out.extend_from_slice(&(f as u16).to_be_bytes());
    }
}

/// A random valid stream of `ty`: literals, near and far matches, runs,
/// overlapping copies and lengths past 255 extension bytes.
fn random_stream(rng: &mut Rng, ty: ImageType, width: u32, height: u32) -> Vec<u8> {
    let mut s = header(ty, width, height, rng.below(2) == 0);
    let n = units(ty, width, height);
    for &kind in kinds(ty) {
        let mut op = 0;
        while op < n {
            let room = n - op;
            if op == 0 || rng.below(3) == 0 || (room as u64) < kind.bias {
                let count = (rng.range(1, 32) as usize).min(room);
                s.push(count as u8 - 1);
                let data = rng.bytes(count * kind.literal);
                s.extend_from_slice(&data);
                op += count;
                continue;
            }
            let dist = match rng.below(4) {
                0 => 1,
                1 => rng.range(1, op.min(16) as u64) as usize,
                2 if op > 8192 => rng.range(8192, op.min(73_727) as u64) as usize,
                _ => rng.range(1, op.min(73_727) as u64) as usize,
            };
            let max = (room as u64).min(if rng.below(8) == 0 { 2000 } else { 40 });
            let len = rng.range(kind.bias, max.max(kind.bias));
            push_match(&mut s, kind, len, dist);
            op += len as usize;
        }
    }
    s
}

const ALL_TYPES: [ImageType; 11] = ImageType::ALL;

#[test]
fn random_valid_streams_match_the_model() {
    with_watchdog(60, || {
        let mut rng = Rng(0x1a2b_3c4d);
        let mut far = 0;
        for n in 0..600 {
            let ty = ALL_TYPES[n % ALL_TYPES.len()];
            let (w, h) = if n % 10 == 0 {
                (rng.range(100, 400) as u32, rng.range(100, 300) as u32)
            } else {
                (rng.range(1, 70) as u32, rng.range(1, 20) as u32)
            };
            let s = random_stream(&mut rng, ty, w, h);
            let want = model_decode(&s, ty, w, h);
            let what = || format!("random stream {n}: {ty:?} {w}x{h}");
            let img = decode_checked(&s, &Limits::default(), &what).unwrap_or_else(|e| panic!("{}: {e}", what()));
            assert_eq!((img.width(), img.height()), (w, h), "{}", what());
            assert!(img.data() == want.as_slice(), "{}: pixels differ from the model", what());
            far += usize::from(w * h > 8192);
        }
        assert!(far > 20, "too few images large enough for far distances");
    });
}

#[test]
fn the_densest_streams_pass_the_size_check() {
    // A literal and one run over the rest: the best ratio the format allows
    // (about 255 units per input byte) must not trip the minimum-size check.
    for ty in ALL_TYPES {
        for (w, h) in [(1, 1), (2, 1), (1000, 700), (4096, 1024)] {
            let n = units(ty, w, h);
            let mut s = header(ty, w, h, true);
            for &kind in kinds(ty) {
                // One literal unit, then the rest as one run if it is long enough for
                // a match, else as more literal units.
                let rest = n as u64 - 1;
                let literals = if rest >= kind.bias { 1 } else { n };
                for _ in 0..literals {
                    s.push(0);
                    s.extend(std::iter::repeat_n(0x42, kind.literal));
                }
                if rest >= kind.bias {
                    push_match(&mut s, kind, rest, 1);
                }
            }
            let img = lz::decode(&s, None, &Limits::unlimited()).unwrap_or_else(|e| panic!("{ty:?} {w}x{h}: {e}"));
            assert!(img.data() == model_decode(&s, ty, w, h).as_slice(), "{ty:?} {w}x{h}");
        }
    }
}

// ---------------------------------------------------------------------------
// (a) truncation

fn cut_points(len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (0..=HEADER_BYTES.min(len)).collect();
    if len <= SMALL_STREAM {
        cuts.extend(HEADER_BYTES..len);
    } else {
        let body = len - HEADER_BYTES;
        cuts.extend((0..150).map(|k| HEADER_BYTES + body * k / 150));
        cuts.extend((1..=8).map(|d| len - d));
    }
    cuts.retain(|&c| c < len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

fn check_truncations(v: &Vector) {
    let limits = Limits::default();
    let full = lz::decode(&v.stream, None, &limits).expect("golden vector decodes");
    assert_eq!((full.width(), full.height()), (v.width, v.height));
    for cut in cut_points(v.stream.len()) {
        let what = || format!("{} cut at {cut} of {}", v.name, v.stream.len());
        // The stream is consumed exactly, so any shorter input must fail.
        let err =
            decode_checked(&v.stream[..cut], &limits, &what).err().unwrap_or_else(|| panic!("{}: decoded", what()));
        let kind = lz_kind(&err).unwrap_or_else(|| panic!("{}: not an LZ format error: {err}", what()));
        match kind {
            FormatKind::Truncated { needed, available } => {
                assert_eq!(available, cut as u64, "{}", what());
                assert!(needed > available, "{}: {err}", what());
                if cut < HEADER_BYTES {
                    assert_eq!(needed, HEADER_BYTES as u64, "{}", what());
                }
            }
            FormatKind::TooShortForSize { min_bits, available_bits } => {
                assert_eq!(available_bits, cut as u64 * 8, "{}", what());
                assert!(min_bits > available_bits, "{}", what());
            }
            other => panic!("{}: unexpected error {other:?}", what()),
        }
    }
}

#[test]
fn truncated_vectors_fail_cleanly_part_0() {
    with_watchdog(120, || vectors_part(0).iter().for_each(check_truncations));
}

#[test]
fn truncated_vectors_fail_cleanly_part_1() {
    with_watchdog(120, || vectors_part(1).iter().for_each(check_truncations));
}

// ---------------------------------------------------------------------------
// (b) bit flips and byte overwrites

/// Mutates one byte at a time (bit flips, then random overwrites) and decodes;
/// returns how many body mutations decoded to other pixels.
fn mutate_and_decode(v: &Vector, flips: usize, overwrites: usize, seed: u64) -> usize {
    let limits = Limits::default();
    let original = lz::decode(&v.stream, None, &limits).expect("golden vector decodes");
    let len = v.stream.len();
    let mut rng = Rng(seed ^ len as u64);
    let (mut errors, mut changed, mut body_changed) = (0, 0, 0);
    let mut buf = v.stream.clone();
    for n in 0..flips + overwrites {
        let pos = rng.below(len as u64) as usize;
        let old = buf[pos];
        let new = if n < flips { old ^ (1 << rng.below(8)) } else { old ^ (rng.range(1, 255) as u8) };
        buf[pos] = new;
        let what = || format!("{}: byte {pos} {old:#04x} -> {new:#04x} (mutation {n}, seed {seed})", v.name);
        match decode_checked(&buf, &limits, &what) {
            Err(e) => {
                assert!(lz_kind(&e).is_some() || matches!(e, Error::Limits { .. }), "{}: {e}", what());
                errors += 1;
            }
            Ok(img) if img == original => {}
            Ok(img) => {
                changed += 1;
                if pos >= HEADER_BYTES {
                    body_changed += 1;
                    assert_eq!(
                        (img.width(), img.height(), img.format(), img.desc().top_down),
                        (original.width(), original.height(), original.format(), original.desc().top_down),
                        "{}: a body mutation changed the geometry",
                        what()
                    );
                }
            }
        }
        buf[pos] = old;
    }
    eprintln!("{}: {errors} errors, {changed} changed pixels", v.name);
    body_changed
}

#[test]
fn bit_flips_and_overwrites_never_panic_part_0() {
    with_watchdog(120, || {
        let changed: usize = vectors_part(0).iter().map(|v| mutate_and_decode(v, 250, 50, 0x5eed_0001)).sum();
        // Proves the test compares pixels: some body mutation went undetected by
        // the format but changed the picture (a literal byte, say).
        assert!(changed > 0, "no body mutation changed any pixel");
    });
}

#[test]
fn bit_flips_and_overwrites_never_panic_part_1() {
    with_watchdog(120, || {
        let changed: usize = vectors_part(1).iter().map(|v| mutate_and_decode(v, 250, 50, 0x5eed_0002)).sum();
        assert!(changed > 0, "no body mutation changed any pixel");
    });
}

#[test]
fn every_single_bit_flip_of_a_tiny_vector() {
    // Exhaustive counterpart of the random flips on a small noisy stream.
    let v = vectors().into_iter().find(|v| v.name.ends_with("tiny_rand_13x5.rgb32.lz")).unwrap();
    let original = lz::decode(&v.stream, None, &Limits::default()).unwrap();
    let mut changed = 0;
    for pos in 0..v.stream.len() {
        for bit in 0..8 {
            let mut s = v.stream.clone();
            s[pos] ^= 1 << bit;
            if let Ok(img) = decode_checked(&s, &Limits::default(), &|| format!("byte {pos} bit {bit}")) {
                changed += usize::from(img != original);
            }
        }
    }
    assert!(changed > 0, "no flip changed the pixels");
}

// ---------------------------------------------------------------------------
// (c) headers and limits, with exact errors

fn with_word(stream: &[u8], index: usize, value: u32) -> Vec<u8> {
    let mut s = stream.to_vec();
    s[index * 4..index * 4 + 4].copy_from_slice(&value.to_be_bytes());
    s
}

fn flat_vector() -> Vec<u8> {
    read("lz/flat_gray_100x50.rgb32.lz")
}

#[test]
fn header_rejects_with_exact_errors() {
    let s = flat_vector();
    let lim = Limits::default();
    let dec = |s: &[u8]| lz::decode(s, None, &lim).err();
    assert_eq!(lz::read_header(&s).unwrap().image_type, ImageType::Rgb32);
    assert!(lz::decode(&s, None, &lim).is_ok());

    // The magic read the wrong way round ("LZ  "), and other words.
    assert_eq!(dec(&with_word(&s, 0, 0x4c5a_2020)), Some(format_err(FormatKind::BadMagic { found: 0x4c5a_2020 })));
    assert_eq!(dec(&with_word(&s, 0, 0)), Some(format_err(FormatKind::BadMagic { found: 0 })));
    for version in [0, 0x0001_0000, 0x0002_0001, 0x0100_0100] {
        assert_eq!(dec(&with_word(&s, 1, version)), Some(format_err(FormatKind::BadVersion { found: version })));
    }
    for ty in [0, 12, 16, u32::MAX] {
        assert_eq!(dec(&with_word(&s, 2, ty)), Some(format_err(FormatKind::BadImageType { found: ty })));
    }
    for (w, h) in [(0, 50), (100, 0), (0x8000_0000, 50), (100, u32::MAX)] {
        let t = with_word(&with_word(&s, 3, w), 4, h);
        assert_eq!(dec(&t), Some(format_err(FormatKind::BadDimensions { width: w, height: h })), "{w}x{h}");
    }
    for stride in [0, 399, 401, 300] {
        assert_eq!(
            dec(&with_word(&s, 5, stride)),
            Some(format_err(FormatKind::BadStride { found: stride, expected: 400 }))
        );
    }
    for flag in [2, 0x100, u32::MAX] {
        assert_eq!(dec(&with_word(&s, 6, flag)), Some(format_err(FormatKind::BadFlag { found: flag })));
    }
    // top_down = 0 is valid: the same pixels, stored bottom row first.
    let up = lz::decode(&with_word(&s, 6, 0), None, &lim).unwrap();
    assert!(!up.desc().top_down);
    for n in [0, 1, 4, 27] {
        assert_eq!(
            dec(&s[..n]),
            Some(format_err(FormatKind::Truncated { needed: HEADER_BYTES as u64, available: n as u64 }))
        );
    }
}

#[test]
fn limits_are_enforced_before_allocating() {
    let lim = Limits::default();
    let mut wide = header(ImageType::Rgb32, 20_000, 10, true);
    wide.extend_from_slice(&[0; 64]);
    assert_eq!(
        lz::decode(&wide, None, &lim).err(),
        Some(Error::Limits { what: LimitKind::Width, actual: 20_000, max: 16_384 })
    );
    let mut tall = header(ImageType::A8, 10, 20_000, true);
    tall.extend_from_slice(&[0; 64]);
    assert_eq!(
        lz::decode(&tall, None, &lim).err(),
        Some(Error::Limits { what: LimitKind::Height, actual: 20_000, max: 16_384 })
    );
    let s = flat_vector();
    let few = Limits { max_pixels: 100, ..lim };
    assert_eq!(
        lz::decode(&s, None, &few).err(),
        Some(Error::Limits { what: LimitKind::Pixels, actual: 5000, max: 100 })
    );

    // The output alone (100 x 50 x 4 bytes) is over the budget.
    let output = 100 * 50 * 4;
    match lz::decode(&s, None, &Limits { max_alloc_bytes: output - 1, ..lim }) {
        Err(Error::Limits { what: LimitKind::Bytes, actual, max }) => {
            assert_eq!(max, output - 1);
            assert!(actual >= output, "claimed {actual} bytes");
        }
        other => panic!("expected a Bytes limit error, got {other:?}"),
    }
    for budget in [0, 1, 1000] {
        assert!(matches!(
            lz::decode(&s, None, &Limits { max_alloc_bytes: budget, ..lim }),
            Err(Error::Limits { what: LimitKind::Bytes, .. })
        ));
    }
    // The smallest working budget is the output plus a little slack.
    let need = (output..output + 1024)
        .find(|&b| lz::decode(&s, None, &Limits { max_alloc_bytes: b, ..lim }).is_ok())
        .expect("a budget near the output size works");
    assert!(need <= output + 64, "needs {need} bytes for {output} bytes of output");

    // Every type: the budget covers the output in the type's own layout.
    for ty in ALL_TYPES {
        let mut rng = Rng(u64::from(ty.code()));
        let stream = random_stream(&mut rng, ty, 37, 11);
        let img = lz::decode(&stream, None, &lim).unwrap();
        let out = img.data().len() as u64;
        let tight = Limits { max_alloc_bytes: out - 1, ..lim };
        assert!(
            matches!(lz::decode(&stream, None, &tight), Err(Error::Limits { what: LimitKind::Bytes, .. })),
            "{ty:?}"
        );
    }
}

#[test]
fn a_huge_header_on_a_short_body_is_rejected_before_allocating() {
    // 16000 x 16000 is within the default dimension limits, but 100 bytes cannot
    // hold it: rejected without allocating, whatever the budget.
    for ty in ALL_TYPES {
        let mut input = header(ty, 16_000, 16_000, true);
        input.extend_from_slice(&[0x55; 100]);
        let start = Instant::now();
        let err = lz::decode(&input, None, &Limits::unlimited()).unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(1), "{ty:?}");
        match lz_kind(&err) {
            Some(FormatKind::TooShortForSize { min_bits, available_bits }) => {
                assert_eq!(available_bits, 128 * 8, "{ty:?}");
                assert!(min_bits > available_bits, "{ty:?}");
            }
            _ => panic!("{ty:?}: expected TooShortForSize, got {err:?}"),
        }
    }
}

#[test]
fn the_byte_budget_holds_before_the_output_is_allocated() {
    // A 16000 x 16000 RGB32 header (1 GB of output) behind enough bytes to pass
    // the minimum-size check, with a 1 MiB budget: the error must come before the
    // gigabyte is reserved. Other tests of this binary allocate a few MiB at most.
    let n: u64 = 16_000 * 16_000;
    let mut input = header(ImageType::Rgb32, 16_000, 16_000, true);
    input.resize(HEADER_BYTES + n.div_ceil(255) as usize + 16, 0);
    let Some(before) = vm_peak_kib() else { return };
    let budget = 1 << 20;
    let err = lz::decode(&input, None, &Limits { max_alloc_bytes: budget, ..Limits::default() }).unwrap_err();
    assert!(matches!(err, Error::Limits { what: LimitKind::Bytes, max, .. } if max == budget), "{err:?}");
    let grown_mib = vm_peak_kib().unwrap().saturating_sub(before) / 1024;
    assert!(grown_mib < 512, "decode reserved {grown_mib} MiB before returning {err}");
}

// ---------------------------------------------------------------------------
// (d) records that break the image: exact errors

/// A 4 x 1 RGB32 stream with this body.
fn rgb32_4x1(body: &[u8]) -> Vec<u8> {
    let mut s = header(ImageType::Rgb32, 4, 1, true);
    s.extend_from_slice(body);
    s
}

#[test]
fn references_before_the_start_are_rejected() {
    let lim = Limits::default();
    let dec = |s: &[u8]| lz::decode(s, None, &lim).err();
    // A match first of all: distance 1 with nothing decoded.
    assert_eq!(
        dec(&rgb32_4x1(&[0x20, 0x00, 0, 0, 0, 0, 0, 0])),
        Some(format_err(FormatKind::BadReference { distance: 1, available: 0 }))
    );
    // One literal pixel, then a match 2 back.
    assert_eq!(
        dec(&rgb32_4x1(&[0x00, 1, 2, 3, 0x20, 0x01, 0, 0, 0])),
        Some(format_err(FormatKind::BadReference { distance: 2, available: 1 }))
    );
    // The far form: 8191 + 0x0102 + 1 back.
    assert_eq!(
        dec(&rgb32_4x1(&[0x00, 1, 2, 3, 0x3f, 0xff, 0x01, 0x02, 0, 0, 0])),
        Some(format_err(FormatKind::BadReference { distance: 8191 + 0x102 + 1, available: 1 }))
    );
    // The same in a byte stream (A8), and in RGBA's alpha stream.
    let mut a8 = header(ImageType::A8, 8, 1, true);
    a8.extend_from_slice(&[0x01, 7, 7, 0x20, 0x05, 0, 0, 0]);
    assert_eq!(dec(&a8), Some(format_err(FormatKind::BadReference { distance: 6, available: 2 })));
    let mut rgba = header(ImageType::Rgba, 2, 1, true);
    rgba.extend_from_slice(&[0x01, 1, 2, 3, 4, 5, 6, 0x20, 0x00, 0, 0]);
    assert_eq!(dec(&rgba), Some(format_err(FormatKind::BadReference { distance: 1, available: 0 })));
}

#[test]
fn records_past_the_image_are_rejected() {
    let lim = Limits::default();
    let dec = |s: &[u8]| lz::decode(s, None, &lim).err();
    // Five literal pixels into four.
    assert_eq!(
        dec(&rgb32_4x1(&[0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
        Some(format_err(FormatKind::OutputOverflow { needed: 5, room: 4 }))
    );
    // A literal, then a run of 4 (length code 4) where 3 are left.
    assert_eq!(
        dec(&rgb32_4x1(&[0x00, 1, 2, 3, 0x80, 0x00, 0, 0])),
        Some(format_err(FormatKind::OutputOverflow { needed: 4, room: 3 }))
    );
    // An extended length: 6 + 255 + 255 + 10 + 1 pixels.
    assert_eq!(
        dec(&rgb32_4x1(&[0x00, 1, 2, 3, 0xe0, 255, 255, 10, 0x00, 0, 0])),
        Some(format_err(FormatKind::OutputOverflow { needed: 527, room: 3 }))
    );
    // Byte streams add 3 to the length code: the shortest match is 3 bytes.
    let mut a8 = header(ImageType::A8, 3, 1, true);
    a8.extend_from_slice(&[0x00, 9, 0x20, 0x00, 0]);
    assert_eq!(dec(&a8), Some(format_err(FormatKind::OutputOverflow { needed: 3, room: 2 })));
}

#[test]
fn input_must_end_with_the_image() {
    let lim = Limits::default();
    let ok = rgb32_4x1(&[0x00, 1, 2, 3, 0x60, 0x00]);
    let img = lz::decode(&ok, None, &lim).unwrap();
    assert_eq!(img.data(), &[1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0]);
    for extra in [1usize, 2, 100] {
        let mut s = ok.clone();
        s.extend(std::iter::repeat_n(0xee, extra));
        assert_eq!(
            lz::decode(&s, None, &lim).err(),
            Some(format_err(FormatKind::TrailingData { unread: extra as u64 }))
        );
    }
    // RGBA: a missing alpha stream is truncation, not success.
    let mut rgba = header(ImageType::Rgba, 1, 1, true);
    rgba.extend_from_slice(&[0x00, 1, 2, 3]);
    assert!(matches!(
        lz_kind(&lz::decode(&rgba, None, &lim).unwrap_err()),
        Some(FormatKind::Truncated { .. } | FormatKind::TooShortForSize { .. })
    ));
    rgba.extend_from_slice(&[0x00, 0x80]);
    assert_eq!(lz::decode(&rgba, None, &lim).unwrap().data(), &[1, 2, 3, 0x80]);
}

#[test]
fn palette_outputs_keep_the_stride_padding_and_palette() {
    // PLT1, 9 pixels a row: 2 bytes a row, and the stream codes the 7 padding
    // bits of each second byte too (here set, to show they come back as coded).
    let mut s = header(ImageType::Plt1Be, 9, 2, true);
    s.extend_from_slice(&[0x03, 0b1000_0000, 0b1111_1111, 0b0000_0000, 0b0111_1111]);
    let pal = Palette { id: 3, entries: vec![0x000000, 0xffffff] };
    let img = lz::decode(&s, Some(&pal), &Limits::default()).unwrap();
    assert_eq!((img.format(), img.desc().stride), (PixelFormat::Plt1Be, 2));
    assert_eq!(img.data(), &[0b1000_0000, 0b1111_1111, 0b0000_0000, 0b0111_1111]);
    assert_eq!(img.as_ref().palette(), Some(&pal));
    let bgrx = img.to_bgrx().unwrap();
    assert_eq!(&bgrx[..8], &[255, 255, 255, 0, 0, 0, 0, 0]);
    assert_eq!(&bgrx[32..36], &[255, 255, 255, 0], "pixel 8 is bit 7 of byte 1");
    assert_eq!(&bgrx[36 + 32..36 + 36], &[0, 0, 0, 0], "row 1, pixel 8");
}

#[test]
fn images_past_the_reference_size_limit_are_rejected() {
    // `lz_set_sizes` refuses more than 1 GiB - 1 of coded rows (stride x height),
    // whatever the caller's limits allow.
    for (ty, w, h, ok) in [
        (ImageType::Rgb32, 16_384, 16_384, false),
        (ImageType::Rgb32, 16_384, 16_383, true),
        (ImageType::Rgb24, 65_536, 5_462, false),
        (ImageType::A8, 65_536, 16_384, false),
        (ImageType::Plt1Le, 65_536, 131_071, true),
    ] {
        let mut input = header(ty, w, h, true);
        input.extend_from_slice(&[0; 64]);
        let err = lz::decode(&input, None, &Limits::unlimited()).unwrap_err();
        if ok {
            assert!(matches!(lz_kind(&err), Some(FormatKind::TooShortForSize { .. })), "{ty:?} {w}x{h}: {err:?}");
        } else {
            assert_eq!(err, format_err(FormatKind::BadDimensions { width: w, height: h }), "{ty:?} {w}x{h}");
        }
    }
}

// ---------------------------------------------------------------------------
// (e) noise

#[test]
fn random_inputs_behind_valid_headers_never_panic() {
    with_watchdog(60, || {
        let mut rng = Rng(0xdec0_de01);
        let limits = Limits { max_alloc_bytes: 1 << 22, ..Limits::default() };
        let mut ok = 0;
        for n in 0..3000 {
            let ty = ALL_TYPES[rng.below(11) as usize];
            let (w, h) = (rng.range(1, 64) as u32, rng.range(1, 64) as u32);
            let mut input = header(ty, w, h, rng.below(2) == 0);
            match n % 3 {
                // Pure noise after the header.
                0 => {
                    let len = rng.below(2048) as usize;
                    input.extend(rng.bytes(len));
                }
                // A valid stream with a noisy tail from a random point.
                1 => {
                    let valid = random_stream(&mut rng, ty, w, h);
                    let keep = rng.range(HEADER_BYTES as u64, valid.len() as u64) as usize;
                    input = valid[..keep].to_vec();
                    let len = rng.below(64) as usize;
                    input.extend(rng.bytes(len));
                }
                // A valid stream with a few random bytes overwritten.
                _ => {
                    input = random_stream(&mut rng, ty, w, h);
                    for _ in 0..=rng.below(4) {
                        let pos = rng.range(HEADER_BYTES as u64, input.len() as u64 - 1) as usize;
                        input[pos] = rng.next() as u8;
                    }
                }
            }
            let what = || format!("random input {n}: {ty:?} {w}x{h}");
            match decode_checked(&input, &limits, &what) {
                Ok(img) => {
                    ok += 1;
                    assert_eq!((img.width(), img.height()), (w, h), "{}", what());
                }
                Err(e) => assert!(lz_kind(&e).is_some(), "{}: {e}", what()),
            }
        }
        assert!(ok > 100, "only {ok} random inputs decoded");
    });
}

#[test]
fn pure_noise_never_panics() {
    let mut rng = Rng(0x0bad_5eed);
    for n in 0..2000 {
        let len = rng.below(512) as usize;
        let mut input = rng.bytes(len);
        if n % 2 == 1 && input.len() >= 4 {
            input[..4].copy_from_slice(&MAGIC.to_be_bytes());
        }
        let _ = decode_checked(&input, &Limits::default(), &|| format!("noise {n}"));
    }
}
