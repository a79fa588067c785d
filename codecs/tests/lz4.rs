//! SPICE's LZ4 framing: lossless round trips for every format and orientation,
//! streams whose blocks reference earlier blocks, a hand-made stream, exact errors
//! for malformed framing, hostile input (truncations, bit flips, noise) that must
//! never panic, and limits checked before allocating.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{Rng, noise, vm_peak_kib};
use paprika_codecs::error::{Codec, Error, FormatKind, LimitKind, ParameterKind, UnsupportedKind};
use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::{Limits, Result, lz4};
use proptest::prelude::*;
use proptest::test_runner::Config;

const FORMATS: [PixelFormat; 4] = [PixelFormat::Rgb555, PixelFormat::Bgr24, PixelFormat::Bgrx32, PixelFormat::Bgra32];

fn lz4_err(kind: FormatKind) -> Error {
    Error::Format { codec: Codec::Lz4, kind }
}

/// A bitmap of `format` with `pad` garbage bytes after each row, rows repeating
/// earlier rows now and then (so blocks find matches in earlier blocks).
fn sample(format: PixelFormat, width: u32, height: u32, pad: usize, top_down: bool, seed: u64) -> Image {
    let row = format.row_bytes(width).unwrap() as usize;
    let stride = row + pad;
    let mut data = noise(seed, stride * height as usize);
    for y in (3..height as usize).step_by(4) {
        let src = (y / 3) * stride;
        data.copy_within(src..src + row, y * stride);
    }
    Image::from_vec(ImageDesc { width, height, stride, format, top_down }, data).unwrap()
}

/// The rows of `img` packed, in memory order: what a decoder must give back.
fn packed_rows(img: &Image) -> Vec<u8> {
    let d = img.desc();
    let row = d.row_bytes().unwrap();
    img.data().chunks(d.stride).take(d.height as usize).flat_map(|r| r[..row].to_vec()).collect()
}

/// Splits a stream into its blocks (each without its length), checking the framing.
fn blocks(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 2;
    while pos < stream.len() {
        let n = u32::from_be_bytes(stream[pos..pos + 4].try_into().unwrap()) as usize;
        out.push(&stream[pos + 4..pos + 4 + n]);
        pos += 4 + n;
    }
    assert_eq!(pos, stream.len());
    out
}

fn check_round_trip(img: &Image, options: &lz4::Options) -> Vec<u8> {
    let stream = lz4::encode_with(&img.as_ref(), options).unwrap();
    assert_eq!(stream[0], u8::from(img.desc().top_down));
    assert_eq!(stream[1], img.format().spice_code().unwrap());
    let back = lz4::decode(&stream, img.width(), img.height(), &Limits::default()).unwrap();
    assert_eq!(back.format(), img.format());
    assert_eq!(back.desc().top_down, img.desc().top_down);
    assert_eq!(back.data(), &packed_rows(img)[..], "{:?}", img.desc());
    assert_eq!(back.to_bgrx().unwrap(), img.to_bgrx().unwrap());
    stream
}

#[test]
fn round_trips_every_format_orientation_and_odd_size() {
    let sizes = [(1, 1), (1, 7), (7, 1), (3, 5), (17, 9), (255, 3), (333, 217), (1000, 70)];
    let mut n = 0;
    for format in FORMATS {
        for (i, &(w, h)) in sizes.iter().enumerate() {
            for top_down in [true, false] {
                let img = sample(format, w, h, i % 3 * 3, top_down, n);
                for chunk in [1, 1000, lz4::DEFAULT_CHUNK_BYTES, usize::MAX] {
                    check_round_trip(&img, &lz4::Options { chunk_bytes: chunk });
                }
                n += 1;
            }
        }
    }
    assert_eq!(n, 64);
}

#[test]
fn bottom_up_storage_codes_rows_in_memory_order() {
    let img = sample(PixelFormat::Bgrx32, 31, 11, 0, true, 9);
    let flipped = img.flipped_storage();
    let a = lz4::encode(&img.as_ref()).unwrap();
    let b = lz4::encode(&flipped.as_ref()).unwrap();
    assert_eq!((a[0], b[0]), (1, 0));
    let back = lz4::decode(&b, 31, 11, &Limits::default()).unwrap();
    assert!(!back.desc().top_down);
    assert_eq!(back.data(), flipped.data());
    assert_eq!(back.to_bgrx().unwrap(), img.to_bgrx().unwrap());
}

#[test]
fn default_chunks_are_whole_rows_of_256_kib() {
    // 1000 × 4 bytes a row: 65 rows (260,000 bytes) per block, as xf86-video-qxl cuts.
    let img = sample(PixelFormat::Bgra32, 1000, 200, 0, true, 3);
    let stream = lz4::encode(&img.as_ref()).unwrap();
    let bs = blocks(&stream);
    assert_eq!(bs.len(), 4);
    let lens: Vec<usize> = bs.iter().map(|b| lz4_block_decoded_len(b)).collect();
    assert_eq!(lens, [260_000, 260_000, 260_000, 20_000]);
    // A row wider than the chunk still gets a block of its own.
    let wide = sample(PixelFormat::Bgr24, 100_000, 3, 0, true, 4);
    assert_eq!(blocks(&lz4::encode(&wide.as_ref()).unwrap()).len(), 3);
}

/// Decoded length of one LZ4 block, by walking its sequences (matches count their length).
fn lz4_block_decoded_len(block: &[u8]) -> usize {
    let (mut pos, mut out) = (0, 0);
    let read_len = |pos: &mut usize, mut n: usize| {
        if n == 15 {
            loop {
                let b = block[*pos];
                *pos += 1;
                n += b as usize;
                if b != 255 {
                    break;
                }
            }
        }
        n
    };
    loop {
        let token = block[pos];
        pos += 1;
        let lit = read_len(&mut pos, (token >> 4) as usize);
        pos += lit;
        out += lit;
        if pos == block.len() {
            return out;
        }
        pos += 2;
        out += 4 + read_len(&mut pos, (token & 15) as usize);
    }
}

#[test]
fn later_blocks_reference_earlier_blocks() {
    // 64 rows of 256 noise bytes, then the same 64 rows again, one row per block:
    // the second half can only shrink by matching rows in earlier blocks.
    let row = noise(77, 64 * 256);
    let data = [row.clone(), row].concat();
    let img = Image::from_vec(ImageDesc::packed(64, 128, PixelFormat::Bgrx32).unwrap(), data).unwrap();
    let stream = check_round_trip(&img, &lz4::Options { chunk_bytes: 256 });
    let bs = blocks(&stream);
    assert_eq!(bs.len(), 128);
    assert!(bs[..64].iter().all(|b| b.len() > 256), "noise rows should not compress");
    assert!(bs[64..].iter().all(|b| b.len() < 20), "repeated rows must match into earlier blocks");
    // Without its history, a block that refers back cannot decode on its own.
    let alone = [&[1, 8][..], &(bs[64].len() as u32).to_be_bytes(), bs[64]].concat();
    assert_eq!(lz4::decode(&alone, 64, 1, &Limits::default()), Err(lz4_err(FormatKind::BadBlock { index: 0 })));
    // A row from 64 KiB back is out of reach; the window is exactly that far.
    assert_eq!(lz4::WINDOW_BYTES, 65_536);
}

/// A stream put together by hand from the LZ4 block format: a 16 × 2 RGB16 image,
/// bottom-up. Block 0 holds row 0 as 32 literals; block 1 copies 24 bytes from 32
/// back (into block 0), then 8 literals.
#[test]
fn hand_made_stream_decodes() {
    let row0: Vec<u8> = (0..32).collect();
    let tail: Vec<u8> = (200..208).collect();
    let mut s = vec![0, 6];
    let block0 = [&[0xF0, 32 - 15][..], &row0].concat();
    s.extend_from_slice(&(block0.len() as u32).to_be_bytes());
    s.extend_from_slice(&block0);
    // token: 0 literals, match length 24 = 4 + 15 + 5; offset 32; then 8 literals.
    let block1 = [&[0x0F, 32, 0, 5, 0x80][..], &tail].concat();
    s.extend_from_slice(&(block1.len() as u32).to_be_bytes());
    s.extend_from_slice(&block1);
    let img = lz4::decode(&s, 16, 2, &Limits::default()).unwrap();
    assert_eq!(img.format(), PixelFormat::Rgb555);
    assert!(!img.desc().top_down);
    let want = [&row0[..], &row0[..24], &tail].concat();
    assert_eq!(img.data(), &want[..]);
    // Any non-zero top_down byte means top-down, as in the client (`!!byte`).
    s[0] = 0x80;
    assert!(lz4::decode(&s, 16, 2, &Limits::default()).unwrap().desc().top_down);
    // The same stream through decode_into, into a dirty buffer one byte too long.
    let mut buf = vec![0xA5; 65];
    let h = lz4::decode_into(&s, 16, 2, &mut buf).unwrap();
    assert_eq!((h.format, h.top_down), (PixelFormat::Rgb555, true));
    assert_eq!(&buf[..64], &want[..]);
    assert_eq!(buf[64], 0xA5);
}

#[test]
fn malformed_framing_gives_exact_errors() {
    let l = Limits::default();
    let img = sample(PixelFormat::Bgr24, 20, 10, 0, true, 5);
    let s = lz4::encode_with(&img.as_ref(), &lz4::Options { chunk_bytes: 60 * 4 }).unwrap();
    let bs = blocks(&s);
    assert_eq!(bs.len(), 3);
    let frame = |parts: &[&[u8]]| {
        let mut v = vec![1, 7];
        for p in parts {
            v.extend_from_slice(&(p.len() as u32).to_be_bytes());
            v.extend_from_slice(p);
        }
        v
    };
    assert_eq!(lz4::decode(&frame(&bs), 20, 10, &l).unwrap().data(), img.data());
    // A block too many: the image is already full.
    let extra = frame(&[bs[0], bs[1], bs[2], bs[2]]);
    assert_eq!(
        lz4::decode(&extra, 20, 10, &l),
        Err(lz4_err(FormatKind::TrailingData { unread: 4 + bs[2].len() as u64 }))
    );
    let mut stray = s.clone();
    stray.push(0);
    assert_eq!(lz4::decode(&stray, 20, 10, &l), Err(lz4_err(FormatKind::TrailingData { unread: 1 })));
    // A block short: the image is not full.
    assert_eq!(
        lz4::decode(&frame(&bs[..2]), 20, 10, &l),
        Err(lz4_err(FormatKind::LengthMismatch { declared: 600, actual: 480 }))
    );
    // Empty blocks, and blocks that decode to nothing, are errors (as in the client).
    assert_eq!(
        lz4::decode(&frame(&[bs[0], &[], bs[1], bs[2]]), 20, 10, &l),
        Err(lz4_err(FormatKind::BadBlock { index: 1 }))
    );
    assert_eq!(
        lz4::decode(&frame(&[bs[0], &[0], bs[1], bs[2]]), 20, 10, &l),
        Err(lz4_err(FormatKind::BadBlock { index: 1 }))
    );
    // A length that runs past the input, and a length cut short.
    let mut lying = frame(&bs);
    let at = 2 + 4 + bs[0].len() + 4 + bs[1].len();
    lying[at..at + 4].copy_from_slice(&(bs[2].len() as u32 + 1).to_be_bytes());
    assert_eq!(
        lz4::decode(&lying, 20, 10, &l),
        Err(lz4_err(FormatKind::Truncated { needed: s.len() as u64 + 1, available: s.len() as u64 }))
    );
    lying[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        lz4::decode(&lying, 20, 10, &l),
        Err(lz4_err(FormatKind::Truncated { needed: at as u64 + 4 + u64::from(u32::MAX), available: s.len() as u64 }))
    );
    let cut = &s[..2 + 4 + bs[0].len() + 2];
    assert_eq!(
        lz4::decode_into(cut, 20, 10, &mut [0; 600]),
        Err(lz4_err(FormatKind::Truncated { needed: cut.len() as u64 + 2, available: cut.len() as u64 }))
    );
    // Header faults.
    for code in [0u8, 1, 5, 10, 11, 255] {
        let mut bad = s.clone();
        bad[1] = code;
        assert_eq!(lz4::decode(&bad, 20, 10, &l), Err(lz4_err(FormatKind::BadImageType { found: code.into() })));
    }
    assert_eq!(lz4::decode(&s[..1], 20, 10, &l), Err(lz4_err(FormatKind::Truncated { needed: 2, available: 1 })));
    assert_eq!(lz4::decode(&s, 0, 10, &l), Err(lz4_err(FormatKind::BadDimensions { width: 0, height: 10 })));
    assert_eq!(
        lz4::decode(&s, 20, 1 << 31, &Limits::unlimited()),
        Err(lz4_err(FormatKind::BadDimensions { width: 20, height: 1 << 31 }))
    );
    // The caller's buffer.
    assert_eq!(
        lz4::decode_into(&s, 20, 10, &mut [0; 599]),
        Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: 600, given: 599 }))
    );
}

#[test]
fn output_overflow_reports_the_room_left() {
    let img = sample(PixelFormat::Bgr24, 20, 10, 0, true, 5);
    let s = lz4::encode_with(&img.as_ref(), &lz4::Options { chunk_bytes: 60 * 4 }).unwrap();
    // 20 × 9 × 3 = 540 bytes: the third block (120 bytes) finds 60 left.
    match lz4::decode(&s, 20, 9, &Limits::default()) {
        Err(Error::Format { codec: Codec::Lz4, kind: FormatKind::OutputOverflow { needed, room: 60 } }) => {
            assert!(needed > 60)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn encoder_rejects_what_spice_cannot_carry() {
    for format in [PixelFormat::Gray8, PixelFormat::A8, PixelFormat::Plt8, PixelFormat::Plt1Be] {
        let img = Image::zeroed(4, 4, format).unwrap();
        assert_eq!(lz4::encode(&img.as_ref()), Err(Error::Unsupported(UnsupportedKind::PixelFormat)), "{format:?}");
    }
    let empty = Image::zeroed(0, 4, PixelFormat::Bgrx32).unwrap();
    assert_eq!(lz4::encode(&empty.as_ref()), Err(Error::Parameter(ParameterKind::EmptyImage)));
}

#[test]
fn limits_are_checked_before_allocating() {
    let img = sample(PixelFormat::Bgrx32, 100, 100, 0, true, 8);
    let s = lz4::encode(&img.as_ref()).unwrap();
    let tight = Limits { max_alloc_bytes: 39_999, ..Limits::default() };
    assert_eq!(
        lz4::decode(&s, 100, 100, &tight),
        Err(Error::Limits { what: LimitKind::Bytes, actual: 40_000, max: 39_999 })
    );
    assert!(lz4::decode(&s, 100, 100, &Limits { max_alloc_bytes: 40_000, ..tight }).is_ok());
    let narrow = Limits { max_width: 99, ..Limits::default() };
    assert_eq!(lz4::decode(&s, 100, 100, &narrow), Err(Error::Limits { what: LimitKind::Width, actual: 100, max: 99 }));
    let few = Limits { max_pixels: 9_999, ..Limits::default() };
    assert_eq!(
        lz4::decode(&s, 100, 100, &few),
        Err(Error::Limits { what: LimitKind::Pixels, actual: 10_000, max: 9_999 })
    );
    // A tiny input cannot claim a huge image: 16384² × 4 bytes need at least 4 MiB of LZ4.
    let claim = [&[1u8, 8][..], &5u32.to_be_bytes(), &[0x40, 1, 2, 3, 4]].concat();
    assert_eq!(
        lz4::decode(&claim, 16_384, 16_384, &Limits::default()),
        Err(lz4_err(FormatKind::TooShortForSize {
            min_bits: (6 + (1u64 << 30).div_ceil(255)) * 8,
            available_bits: claim.len() as u64 * 8
        }))
    );
}

#[test]
fn byte_budget_holds_before_the_output_is_allocated() {
    let Some(before) = vm_peak_kib() else { return };
    // Long enough to pass the minimum-length check for a 1 GiB image, within the
    // default dimensions; the budget is 1 MiB. (Other tests of this binary allocate
    // at most a few MiB, far below what a 1 GiB output would show.)
    let mut input = vec![1u8, 9];
    input.resize(6 + (1 << 30) / 255 + 16, 0);
    let limits = Limits { max_alloc_bytes: 1 << 20, ..Limits::default() };
    assert_eq!(
        lz4::decode(&input, 16_384, 16_384, &limits),
        Err(Error::Limits { what: LimitKind::Bytes, actual: 1 << 30, max: 1 << 20 })
    );
    let grown_mib = vm_peak_kib().unwrap().saturating_sub(before) / 1024;
    assert!(grown_mib < 512, "lz4::decode reserved {grown_mib} MiB before checking the byte budget");
}

/// Decodes, turning a panic into a failure that shows what was decoded.
fn decode_checked(input: &[u8], w: u32, h: u32, what: &dyn Fn() -> String) -> Result<Image> {
    match catch_unwind(AssertUnwindSafe(|| lz4::decode(input, w, h, &Limits::default()))) {
        Ok(r) => r,
        Err(_) => panic!("{}: decoder panicked on {} bytes", what(), input.len()),
    }
}

#[test]
fn truncations_never_panic_and_always_fail() {
    for (i, format) in FORMATS.into_iter().enumerate() {
        let img = sample(format, 37, 23, 0, i % 2 == 0, 40 + i as u64);
        for chunk in [37 * 4, usize::MAX] {
            let s = lz4::encode_with(&img.as_ref(), &lz4::Options { chunk_bytes: chunk }).unwrap();
            for cut in 0..s.len() {
                let what = || format!("{format:?} chunk {chunk} cut at {cut} of {}", s.len());
                let err = decode_checked(&s[..cut], 37, 23, &what).expect_err(&what());
                match err {
                    Error::Format { codec: Codec::Lz4, kind } => match kind {
                        FormatKind::Truncated { available, .. } => assert_eq!(available, cut as u64, "{}", what()),
                        FormatKind::TooShortForSize { .. }
                        | FormatKind::BadBlock { .. }
                        | FormatKind::LengthMismatch { .. } => {}
                        other => panic!("{}: {other:?}", what()),
                    },
                    other => panic!("{}: {other:?}", what()),
                }
            }
        }
    }
}

#[test]
fn bit_flips_and_noise_never_panic() {
    let mut rng = Rng(0x01a4_f11b);
    let mut changed = 0;
    for (i, format) in FORMATS.into_iter().enumerate() {
        let img = sample(format, 61, 33, 1, true, 90 + i as u64);
        let s = lz4::encode_with(&img.as_ref(), &lz4::Options { chunk_bytes: 61 * 4 * 5 }).unwrap();
        let original = lz4::decode(&s, 61, 33, &Limits::default()).unwrap();
        let mut buf = s.clone();
        for n in 0..2000 {
            let pos = rng.below(buf.len() as u64) as usize;
            let old = buf[pos];
            buf[pos] ^= 1 << rng.below(8);
            let what = || format!("{format:?} flip {n} at byte {pos}");
            if let Ok(img) = decode_checked(&buf, 61, 33, &what) {
                assert_eq!((img.width(), img.height()), (61, 33), "{}", what());
                if pos >= 2 {
                    assert_eq!(img.format(), original.format(), "{}", what());
                }
                changed += usize::from(img.data() != original.data());
            }
            buf[pos] = old;
        }
    }
    // Some flips land in literals: the test compares pixels, not just outcomes.
    assert!(changed > 0);
    for seed in 0..500u64 {
        let n = rng.below(400) as usize;
        let mut junk = rng.bytes(n);
        if seed % 2 == 0 && n >= 2 {
            junk[1] = 6 + (seed % 4) as u8;
        }
        let (w, h) = (1 + rng.below(40) as u32, 1 + rng.below(40) as u32);
        let _ = decode_checked(&junk, w, h, &|| format!("noise seed {seed}"));
    }
}

proptest! {
    #![proptest_config(Config { cases: 64, ..Config::default() })]

    #[test]
    fn any_image_round_trips(
        fi in 0usize..4,
        w in 1u32..200,
        h in 1u32..60,
        pad in 0usize..6,
        top_down: bool,
        chunk in 1usize..5000,
        seed: u64,
    ) {
        let img = sample(FORMATS[fi], w, h, pad, top_down, seed);
        check_round_trip(&img, &lz4::Options { chunk_bytes: chunk });
    }
}
