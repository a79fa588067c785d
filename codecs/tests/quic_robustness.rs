//! The QUIC decoder contract on hostile input: any byte string gives an image or
//! a typed error — never a panic, a hang, or an allocation past the [`Limits`].
//!
//! Inputs are the golden vectors, truncated, bit-flipped and overwritten; crafted
//! headers; pure noise with and without a valid header; and a crafted run-length
//! attack. Every random choice comes from a fixed seed, so failures reproduce.

mod common;

use std::time::{Duration, Instant};

use common::*;
use paprika_codecs::error::{Codec, Error, FormatKind, LimitKind, ParameterKind, UnsupportedKind};
use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::quic::{self, Decoder, HEADER_BYTES, ImageType};
use paprika_codecs::{Limits, Result};

/// `QUIC_MAGIC`: "QUIC" as a little-endian word.
const MAGIC: u32 = 0x4349_5551;

/// Streams at most this long are cut every 4 bytes; longer ones at ~200 points.
const SMALL_STREAM: usize = 4096;

/// A golden QUIC stream and what the manifest says about it.
struct Vector {
    name: String,
    stream: Vec<u8>,
    ty: ImageType,
    width: u32,
    height: u32,
}

fn vectors() -> Vec<Vector> {
    let recs = records("quic");
    assert!(recs.len() >= 30, "expected the full QUIC vector set, found {}", recs.len());
    recs.iter()
        .map(|rec| {
            let name = rec["file"].as_str().unwrap().to_string();
            Vector {
                stream: read(&name),
                ty: rec["type"].as_str().unwrap().parse().unwrap(),
                width: rec["width"].as_u64().unwrap() as u32,
                height: rec["height"].as_u64().unwrap() as u32,
                name,
            }
        })
        .collect()
}

/// Splits the vectors in two halves by index parity, so two tests share the work.
fn vectors_part(part: usize) -> Vec<Vector> {
    vectors().into_iter().enumerate().filter(|(i, _)| i % 2 == part).map(|(_, v)| v).collect()
}

/// Decodes `input` under [`decode_guarded`]: no panic, no hang.
fn decode_checked(input: &[u8], limits: &Limits, what: &dyn Fn() -> String) -> Result<Image> {
    decode_guarded("quic_robustness", input, Duration::from_secs(10), what, || quic::decode(input, limits))
}

fn header(magic: u32, version: u32, ty: u32, width: u32, height: u32) -> Vec<u8> {
    [magic, version, ty, width, height].iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn quic_kind(e: &Error) -> Option<FormatKind> {
    match e {
        Error::Format { codec: Codec::Quic, kind } => Some(*kind),
        _ => None,
    }
}

/// A small image of `ty`'s native format, as an encoder input.
fn sample_image(ty: ImageType, width: u32, height: u32, seed: u64) -> Image {
    let format = ty.native_format();
    let desc = ImageDesc::packed(width, height, format).unwrap();
    let mut data = noise(seed, desc.min_buffer_len().unwrap());
    if format == PixelFormat::Rgb555 {
        for px in data.chunks_exact_mut(2) {
            px[1] &= 0x7f;
        }
    }
    Image::from_vec(desc, data).unwrap()
}

// ---------------------------------------------------------------------------
// (a) truncation

/// Cut points for one stream: inside the header, then every 4 bytes (plus the
/// three unaligned cuts at the very end) or ~200 evenly spaced points.
fn cut_points(len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (0..HEADER_BYTES.min(len)).collect();
    if len <= SMALL_STREAM {
        cuts.extend((HEADER_BYTES..len).step_by(4));
    } else {
        let body = len - HEADER_BYTES;
        cuts.extend((0..200).map(|k| HEADER_BYTES + body * k / 200));
    }
    cuts.extend([len.saturating_sub(8), len.saturating_sub(5)]);
    cuts.extend((1..4).filter_map(|d| len.checked_sub(d)));
    cuts.retain(|&c| c < len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

fn check_truncations(v: &Vector) {
    let limits = Limits::default();
    let full = quic::decode(&v.stream, &limits).expect("golden vector decodes");
    assert_eq!((full.width(), full.height()), (v.width, v.height));
    let len = v.stream.len();
    for cut in cut_points(len) {
        let what = || format!("{} cut at {cut} of {len}", v.name);
        let result = decode_checked(&v.stream[..cut], &limits, &what);
        let whole = (cut & !3) as u64;
        // The contract, stated on its own: losing the zero word and any data is
        // always a QUIC format error.
        if whole + 8 <= len as u64 {
            assert!(matches!(result, Err(Error::Format { codec: Codec::Quic, .. })), "{}: {result:?}", what());
        }
        match result {
            Ok(img) => {
                // Only the trailing zero word (the decoder's look-ahead) may go.
                assert!(whole + 4 >= len as u64, "{}: decoded although data was cut off", what());
                assert_eq!(img, full, "{}: pixels differ", what());
            }
            Err(e) => {
                let kind = quic_kind(&e).unwrap_or_else(|| panic!("{}: not a QUIC error: {e}", what()));
                if cut < HEADER_BYTES {
                    assert_eq!(
                        kind,
                        FormatKind::Truncated { needed: HEADER_BYTES as u64, available: cut as u64 },
                        "{}",
                        what()
                    );
                    continue;
                }
                match kind {
                    FormatKind::Truncated { needed, available } => {
                        assert_eq!(available, whole, "{}: {e}", what());
                        assert!(needed > available, "{}: {e}", what());
                    }
                    FormatKind::TooShortForSize { min_bits, available_bits } => {
                        assert_eq!(available_bits, whole * 8, "{}: {e}", what());
                        assert!(min_bits > available_bits, "{}: {e}", what());
                    }
                    other => panic!("{}: unexpected error {other:?}", what()),
                }
            }
        }
    }
}

#[test]
fn truncated_small_vectors_fail_cleanly() {
    with_watchdog(120, || {
        let vs: Vec<Vector> = vectors().into_iter().filter(|v| v.stream.len() <= SMALL_STREAM).collect();
        assert!(vs.len() >= 10);
        vs.iter().for_each(check_truncations);
    });
}

#[test]
fn truncated_large_vectors_fail_cleanly_part_0() {
    with_watchdog(240, || {
        vectors_part(0).iter().filter(|v| v.stream.len() > SMALL_STREAM).for_each(check_truncations);
    });
}

#[test]
fn truncated_large_vectors_fail_cleanly_part_1() {
    with_watchdog(240, || {
        vectors_part(1).iter().filter(|v| v.stream.len() > SMALL_STREAM).for_each(check_truncations);
    });
}

// ---------------------------------------------------------------------------
// (b) bit flips and byte overwrites

#[derive(Default, Debug)]
struct Outcomes {
    errors: usize,
    changed: usize,
    same: usize,
    /// Body (not header, not trailing zero word) mutations that decoded to other pixels.
    body_changed: usize,
}

fn mutate_and_decode(v: &Vector, flips: usize, overwrites: usize, seed: u64) -> Outcomes {
    let limits = Limits::default();
    let original = quic::decode(&v.stream, &limits).expect("golden vector decodes");
    let len = v.stream.len();
    let body_end = len - 4; // the trailing zero word
    let mut rng = Rng(seed ^ len as u64);
    let mut out = Outcomes::default();
    let mut buf = v.stream.clone();
    for n in 0..flips + overwrites {
        let pos = rng.below(len as u64) as usize;
        let old = buf[pos];
        let new = if n < flips {
            old ^ (1 << rng.below(8))
        } else {
            // A random byte other than the original one.
            old ^ (rng.range(1, 255) as u8)
        };
        buf[pos] = new;
        let what = || format!("{}: byte {pos} {old:#04x} -> {new:#04x} (mutation {n}, seed {seed})", v.name);
        match decode_checked(&buf, &limits, &what) {
            Err(_) => out.errors += 1,
            Ok(img) if img == original => out.same += 1,
            Ok(img) => {
                out.changed += 1;
                if (HEADER_BYTES..body_end).contains(&pos) {
                    out.body_changed += 1;
                    assert_eq!(
                        (img.width(), img.height(), img.format()),
                        (original.width(), original.height(), original.format()),
                        "{}: a body flip changed the geometry",
                        what()
                    );
                }
            }
        }
        buf[pos] = old;
    }
    out
}

fn flip_vectors(part: usize, seed: u64) -> usize {
    let mut body_changed = 0;
    for v in vectors_part(part) {
        let o = mutate_and_decode(&v, 300, 50, seed);
        eprintln!("{}: {} errors, {} changed pixels, {} unchanged", v.name, o.errors, o.changed, o.same);
        body_changed += o.body_changed;
    }
    body_changed
}

#[test]
fn bit_flips_and_overwrites_never_panic_part_0() {
    with_watchdog(240, || {
        let changed = flip_vectors(0, 0x5eed_0001);
        // Proves the test compares pixels: some body flip went undetected by the
        // format but changed the picture.
        assert!(changed > 0, "no body flip changed any pixel");
    });
}

#[test]
fn bit_flips_and_overwrites_never_panic_part_1() {
    with_watchdog(240, || {
        let changed = flip_vectors(1, 0x5eed_0002);
        assert!(changed > 0, "no body flip changed any pixel");
    });
}

#[test]
fn a_body_flip_changes_pixels_of_a_tiny_vector() {
    // Deterministic counterpart of the random check: among all single-bit flips
    // of a small noisy stream's body, some decode to other pixels.
    let v = vectors().into_iter().find(|v| v.name.ends_with("tiny_rand_13x5.rgb32.quic")).unwrap();
    let limits = Limits::default();
    let original = quic::decode(&v.stream, &limits).unwrap();
    let mut changed = 0;
    for pos in HEADER_BYTES..v.stream.len() - 4 {
        for bit in 0..8 {
            let mut s = v.stream.clone();
            s[pos] ^= 1 << bit;
            if let Ok(img) = decode_checked(&s, &limits, &|| format!("byte {pos} bit {bit}")) {
                changed += usize::from(img != original);
            }
        }
    }
    assert!(changed > 0, "no flip changed the pixels");
}

#[test]
fn flips_in_the_trailing_zero_word_are_ignored() {
    // The decoder only peeks at the trailing zero word and never consumes it.
    let limits = Limits::default();
    let mut rng = Rng(77);
    for v in vectors() {
        let original = quic::decode(&v.stream, &limits).unwrap();
        let len = v.stream.len();
        assert_eq!(&v.stream[len - 4..], &[0; 4], "{}", v.name);
        for _ in 0..4 {
            let pos = len - 4 + rng.below(4) as usize;
            let mut s = v.stream.clone();
            s[pos] ^= 1 << rng.below(8);
            let got = decode_checked(&s, &limits, &|| format!("{} byte {pos}", v.name));
            assert_eq!(got.as_ref(), Ok(&original), "{} byte {pos}", v.name);
        }
    }
}

// ---------------------------------------------------------------------------
// (c) header checks, with exact errors

fn tiny_vector() -> Vector {
    vectors().into_iter().find(|v| v.name.ends_with("flat_gray_100x50.rgb32.quic")).unwrap()
}

fn with_word(stream: &[u8], index: usize, value: u32) -> Vec<u8> {
    let mut s = stream.to_vec();
    s[index * 4..index * 4 + 4].copy_from_slice(&value.to_le_bytes());
    s
}

fn format_err(kind: FormatKind) -> Error {
    Error::Format { codec: Codec::Quic, kind }
}

#[test]
fn header_rejects_with_exact_errors() {
    let v = tiny_vector();
    let s = &v.stream;
    let lim = Limits::default();
    assert_eq!((v.ty, v.width, v.height), (ImageType::Rgb32, 100, 50));

    let bad_magic = with_word(s, 0, 0x5155_4943);
    assert_eq!(quic::decode(&bad_magic, &lim).err(), Some(format_err(FormatKind::BadMagic { found: 0x5155_4943 })));
    assert_eq!(quic::decode(&with_word(s, 0, 0), &lim).err(), Some(format_err(FormatKind::BadMagic { found: 0 })));
    assert_eq!(quic::decode(&with_word(s, 1, 1), &lim).err(), Some(format_err(FormatKind::BadVersion { found: 1 })));
    assert_eq!(
        quic::decode(&with_word(s, 1, 0x0001_0000), &lim).err(),
        Some(format_err(FormatKind::BadVersion { found: 0x0001_0000 }))
    );
    for ty in [0, 6, 7, u32::MAX] {
        assert_eq!(
            quic::decode(&with_word(s, 2, ty), &lim).err(),
            Some(format_err(FormatKind::BadImageType { found: ty })),
            "type {ty}"
        );
    }
    for (w, h) in [(0, 50), (100, 0), (0, 0), (0x8000_0000, 50), (100, 0x8000_0000), (u32::MAX, 1)] {
        let bad = with_word(&with_word(s, 3, w), 4, h);
        assert_eq!(
            quic::decode(&bad, &lim).err(),
            Some(format_err(FormatKind::BadDimensions { width: w, height: h })),
            "{w}x{h}"
        );
        assert_eq!(quic::read_header(&bad).err(), Some(format_err(FormatKind::BadDimensions { width: w, height: h })));
    }
    // Over the reference's cap of 2^29 - 1 pixels, even with unlimited limits.
    let over = with_word(&with_word(s, 3, 1 << 15), 4, 1 << 14);
    assert_eq!(
        quic::decode(&over, &Limits::unlimited()).err(),
        Some(format_err(FormatKind::BadDimensions { width: 1 << 15, height: 1 << 14 }))
    );
    // A header cut short.
    for n in [0, 1, 4, 19] {
        assert_eq!(
            quic::decode(&s[..n], &lim).err(),
            Some(format_err(FormatKind::Truncated { needed: 20, available: n as u64 }))
        );
    }
}

#[test]
fn huge_header_on_a_short_body_is_rejected_before_allocating() {
    // 16384 x 16384 RGB32 is within the default limits (1 GiB of output), but
    // 100 bytes cannot hold it: the decoder must say so without allocating.
    let mut input = header(MAGIC, 0, 4, 16_384, 16_384);
    input.extend_from_slice(&[0x55; 100]);
    let start = Instant::now();
    let err = quic::decode(&input, &Limits::default()).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    match quic_kind(&err) {
        Some(FormatKind::TooShortForSize { min_bits, available_bits }) => {
            assert_eq!(available_bits, 120 * 8);
            assert!(min_bits > available_bits);
        }
        _ => panic!("expected TooShortForSize, got {err:?}"),
    }
    assert!(matches!(
        Decoder::new(&input, &Limits::default()).err(),
        Some(Error::Format { kind: FormatKind::TooShortForSize { .. }, .. })
    ));
}

#[test]
fn limits_are_enforced_with_exact_errors() {
    let mut wide = header(MAGIC, 0, 4, 20_000, 10);
    wide.extend_from_slice(&[0; 64]);
    assert_eq!(
        quic::decode(&wide, &Limits::default()).err(),
        Some(Error::Limits { what: LimitKind::Width, actual: 20_000, max: 16_384 })
    );
    let mut tall = header(MAGIC, 0, 1, 10, 20_000);
    tall.extend_from_slice(&[0; 64]);
    assert_eq!(
        quic::decode(&tall, &Limits::default()).err(),
        Some(Error::Limits { what: LimitKind::Height, actual: 20_000, max: 16_384 })
    );

    let v = tiny_vector();
    let tiny = Limits { max_pixels: 100, ..Limits::default() };
    assert_eq!(
        quic::decode(&v.stream, &tiny).err(),
        Some(Error::Limits { what: LimitKind::Pixels, actual: 5000, max: 100 })
    );

    // The output alone (100 x 50 x 4 bytes) is over the allocation budget.
    let output = 100 * 50 * 4;
    let small_alloc = Limits { max_alloc_bytes: output - 1, ..Limits::default() };
    match quic::decode(&v.stream, &small_alloc) {
        Err(Error::Limits { what: LimitKind::Bytes, actual, max }) => {
            assert_eq!(max, output - 1);
            assert!(actual >= output, "claimed {actual} bytes");
        }
        other => panic!("expected a Bytes limit error, got {other:?}"),
    }
    // The smallest budget that works covers the output plus modest scratch.
    let mut lo = output;
    let mut hi = 1 << 20;
    assert!(quic::decode(&v.stream, &Limits { max_alloc_bytes: hi, ..Limits::default() }).is_ok());
    while lo < hi {
        let mid = (lo + hi) / 2;
        let l = Limits { max_alloc_bytes: mid, ..Limits::default() };
        if quic::decode(&v.stream, &l).is_ok() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    assert!((output..=output + 64 * 101).contains(&lo), "needs a budget of {lo} bytes for {output} bytes of output");

    // Every limit is checked for every image type, before the length check.
    for ty in 1..=5 {
        let mut s = header(MAGIC, 0, ty, 300, 300);
        s.extend_from_slice(&[0; 8]);
        let l = Limits { max_width: 299, ..Limits::default() };
        assert!(matches!(quic::decode(&s, &l), Err(Error::Limits { what: LimitKind::Width, actual: 300, max: 299 })));
    }
}

// ---------------------------------------------------------------------------
// (d) pure noise, with and without a valid header

#[test]
fn random_inputs_never_panic() {
    with_watchdog(120, || {
        let mut rng = Rng(0xdec0_de00);
        let limits = Limits::default();
        let (mut ok, mut deep) = (0, 0);
        for n in 0..2000 {
            let len = rng.below(4096) as usize;
            let mut input = rng.bytes(len);
            if n % 2 == 1 {
                let ty = rng.range(1, 5) as u32;
                let (w, h) = (rng.range(1, 64) as u32, rng.range(1, 64) as u32);
                let head = header(MAGIC, 0, ty, w, h);
                let k = head.len().min(input.len());
                input[..k].copy_from_slice(&head[..k]);
                if input.len() >= HEADER_BYTES && Decoder::new(&input, &limits).is_ok() {
                    deep += 1;
                }
            }
            let what = || format!("random input {n}");
            if let Ok(img) = decode_checked(&input, &limits, &what) {
                ok += 1;
                let h = quic::read_header(&input).unwrap();
                assert_eq!((img.width(), img.height()), (h.width, h.height));
                assert_eq!(img.format(), h.image_type.native_format());
            }
        }
        eprintln!("random inputs: {deep} past the header checks, {ok} decoded");
        assert!(deep > 300, "only {deep} inputs got past the header");
    });
}

#[test]
fn random_bodies_behind_real_headers_never_panic() {
    // Valid header and valid first rows from a real encoding, then noise: the
    // decoder runs deep into the row loop with a model trained on real data.
    with_watchdog(120, || {
        let mut rng = Rng(0x00b0_d1e5);
        let limits = Limits::default();
        for n in 0..500 {
            let ty = ImageType::from_code(rng.range(1, 5) as u32).unwrap();
            let (w, h) = (rng.range(1, 80) as u32, rng.range(1, 40) as u32);
            let img = sample_image(ty, w, h, rng.next());
            let mut s = quic::encode(&img.as_ref(), ty).unwrap();
            let keep = rng.range(HEADER_BYTES as u64, s.len() as u64) as usize;
            let extra = rng.below(64) as usize;
            let tail = rng.bytes(s.len() - keep + extra);
            s.truncate(keep);
            s.extend_from_slice(&tail);
            let what = || format!("noisy tail {n}: {ty:?} {w}x{h}, kept {keep}");
            if let Ok(got) = decode_checked(&s, &limits, &what) {
                assert_eq!((got.width(), got.height()), (w, h), "{}", what());
            }
        }
    });
}

// ---------------------------------------------------------------------------
// (e) run-length attack

/// Sets every bit of `stream` from bit `from` on (bits MSB-first in LE words).
fn ones_from(stream: &mut [u8], from: usize) {
    for bit in from..stream.len() * 8 {
        let (word, k) = (bit / 32, 31 - bit % 32);
        stream[word * 4 + k / 8] |= 1 << (k % 8);
    }
}

#[test]
fn run_codes_claiming_too_many_pixels_are_rejected() {
    // A flat image codes row 1 as three pixels and then one run. Turning every
    // bit from the run code on into a one makes the run claim more pixels than
    // the row has left; the decoder must report it, not write past the row.
    for (ty, width) in [
        (ImageType::Gray, 64),
        (ImageType::Rgb16, 64),
        (ImageType::Rgb24, 100),
        (ImageType::Rgb32, 64),
        (ImageType::Rgba, 64),
        (ImageType::Rgb32, 3000),
    ] {
        let flat = Image::zeroed(width, 2, ty.native_format()).unwrap();
        let stream = quic::encode(&flat.as_ref(), ty).unwrap();
        // Room for the all-ones tail so the input never runs dry first.
        let mut padded = stream.clone();
        padded.extend_from_slice(&[0; 64]);
        let mut found = None;
        for from in HEADER_BYTES * 8..stream.len() * 8 {
            let mut s = padded.clone();
            ones_from(&mut s, from);
            let what = || format!("{ty:?} {width}x2, ones from bit {from}");
            let kind = decode_checked(&s, &Limits::default(), &what).err().and_then(|e| quic_kind(&e));
            if let Some(FormatKind::RunTooLong { row, column, length, room }) = kind {
                found = Some((from, row, column, length, room));
                break;
            }
        }
        let (from, row, column, length, room) =
            found.unwrap_or_else(|| panic!("{ty:?}: no RunTooLong for any all-ones tail"));
        assert_eq!((row, column), (1, 3), "{ty:?}: ones from bit {from}");
        // Runs stop at the first 2048-pixel model segment boundary.
        let seg_end = if width > 2048 { 2048 - (width - 2048) } else { width };
        assert_eq!(room, u64::from(seg_end - 3), "{ty:?}");
        assert!(length > room, "{ty:?}");
    }

    // The brief's literal recipe: a flat image whose body is all 0xFF bytes. All
    // ones code no repeats in row 0, so the decoder runs out of input instead;
    // either way it is a QUIC format error.
    let flat = Image::zeroed(64, 4, PixelFormat::Gray8).unwrap();
    let mut s = quic::encode(&flat.as_ref(), ImageType::Gray).unwrap();
    s[HEADER_BYTES..].fill(0xff);
    let err = quic::decode(&s, &Limits::default()).unwrap_err();
    assert!(quic_kind(&err).is_some(), "{err:?}");
}

// ---------------------------------------------------------------------------
// (f) Decoder::decode_into

const ALL_FORMATS: [PixelFormat; 11] = [
    PixelFormat::Plt1Le,
    PixelFormat::Plt1Be,
    PixelFormat::Plt4Le,
    PixelFormat::Plt4Be,
    PixelFormat::Plt8,
    PixelFormat::Rgb555,
    PixelFormat::Bgr24,
    PixelFormat::Bgrx32,
    PixelFormat::Bgra32,
    PixelFormat::A8,
    PixelFormat::Gray8,
];

fn documented_outputs(ty: ImageType) -> &'static [PixelFormat] {
    use PixelFormat as F;
    match ty {
        ImageType::Gray => &[F::Gray8, F::Bgrx32],
        ImageType::Rgb16 => &[F::Rgb555, F::Bgrx32, F::Bgr24],
        ImageType::Rgb24 | ImageType::Rgb32 => &[F::Bgrx32, F::Bgr24],
        ImageType::Rgba => &[F::Bgra32],
    }
}

#[test]
fn decode_into_checks_buffer_and_format() {
    let v = vectors().into_iter().find(|v| v.name.ends_with("tiny_rand_13x5.rgb32.quic")).unwrap();
    let lim = Limits::default();
    let mut d = Decoder::new(&v.stream, &lim).unwrap();
    assert_eq!(d.output_len(PixelFormat::Bgrx32), Ok(13 * 4 * 5));
    let mut buf = vec![0; 13 * 4 * 5 - 1];
    assert_eq!(
        d.decode_into(&mut buf, 52, PixelFormat::Bgrx32),
        Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: 260, given: 259 }))
    );
    // With a wider stride the last row needs only its pixels, not a whole stride.
    let mut buf = vec![0; 60 * 4 + 52 - 1];
    assert_eq!(
        d.decode_into(&mut buf, 60, PixelFormat::Bgrx32),
        Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: 292, given: 291 }))
    );
    buf.push(0);
    assert_eq!(d.decode_into(&mut buf, 60, PixelFormat::Bgrx32), Ok(()));
    let mut buf = vec![0; 1000];
    assert_eq!(
        d.decode_into(&mut buf, 51, PixelFormat::Bgrx32),
        Err(Error::Parameter(ParameterKind::StrideTooSmall { min: 52, given: 51 }))
    );
    assert_eq!(
        d.decode_into(&mut [], 39, PixelFormat::Bgr24),
        Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: 13 * 3 * 5, given: 0 }))
    );

    // Every image type against every pixel format.
    for ty in [ImageType::Gray, ImageType::Rgb16, ImageType::Rgb24, ImageType::Rgb32, ImageType::Rgba] {
        let img = sample_image(ty, 9, 4, 3);
        let s = quic::encode(&img.as_ref(), ty).unwrap();
        let mut d = Decoder::new(&s, &lim).unwrap();
        for f in ALL_FORMATS {
            let documented = documented_outputs(ty).contains(&f);
            assert_eq!(d.supports(f), documented, "{ty:?} -> {f:?}");
            let mut buf = vec![0; 9 * 4 * 4];
            let got = d.decode_into(&mut buf, 9 * 4, f);
            if documented {
                assert_eq!(got, Ok(()), "{ty:?} -> {f:?}");
            } else {
                assert_eq!(got, Err(Error::Unsupported(UnsupportedKind::Conversion)), "{ty:?} -> {f:?}");
            }
        }
    }
}

/// Decodes `stream` as `format` into a buffer pre-filled with `fill`, rows `pad`
/// bytes apart beyond the pixels; checks the padding stayed untouched.
fn decode_filled(stream: &[u8], format: PixelFormat, pad: usize, fill: u8) -> Vec<u8> {
    let mut d = Decoder::new(stream, &Limits::default()).unwrap();
    let h = d.header();
    let row = format.row_bytes(h.width).unwrap() as usize;
    let stride = row + pad;
    let mut buf = vec![fill; stride * (h.height as usize - 1) + row];
    d.decode_into(&mut buf, stride, format).unwrap();
    let mut rows = Vec::with_capacity(row * h.height as usize);
    for (y, chunk) in buf.chunks(stride).enumerate() {
        rows.extend_from_slice(&chunk[..row]);
        assert!(chunk[row..].iter().all(|&b| b == fill), "row {y}: padding was written");
    }
    rows
}

/// What `decode_into` must produce, derived from `decode` and `to_bgrx`.
fn expected_output(native: &Image, format: PixelFormat) -> Vec<u8> {
    let bgrx = native.to_bgrx().unwrap();
    match format {
        f if f == native.format() => native.data().to_vec(),
        PixelFormat::Bgrx32 => bgrx,
        PixelFormat::Bgr24 => bgrx.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        other => panic!("no expectation for {other:?}"),
    }
}

#[test]
fn decode_into_output_does_not_depend_on_buffer_contents() {
    with_watchdog(120, || {
        for v in vectors() {
            let native = quic::decode(&v.stream, &Limits::default()).unwrap();
            let small = v.stream.len() <= 64 * 1024;
            for &f in documented_outputs(v.ty) {
                // The large vectors try their native format only, to keep this quick.
                if !small && f != native.format() {
                    continue;
                }
                let zero = decode_filled(&v.stream, f, 0, 0);
                let aa = decode_filled(&v.stream, f, 0, 0xaa);
                assert!(zero == aa, "{} as {f:?}: output depends on the buffer", v.name);
                assert!(zero == expected_output(&native, f), "{} as {f:?}: differs from decode()", v.name);
                if small {
                    let padded = decode_filled(&v.stream, f, 7, 0xaa);
                    assert!(padded == zero, "{} as {f:?} with stride padding", v.name);
                }
            }
        }
    });
}
