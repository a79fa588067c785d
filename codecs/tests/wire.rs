//! Self-contained SPICE images (`wire.rs`): the byte layout, write → parse round
//! trips for every payload type, exact errors for malformed images, hostile input
//! that must never panic, and `decode_image` against the golden vectors (QUIC, LZ)
//! and the LZ4 and BITMAP paths.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::*;
use paprika_codecs::error::{Codec, Error, FormatKind, LimitKind, UnsupportedKind};
use paprika_codecs::image::{ImageDesc, Palette, PixelFormat};
use paprika_codecs::wire::{
    self, BITMAP_FLAG_PAL_CACHE_ME, BITMAP_FLAG_PAL_FROM_CACHE, BITMAP_FLAG_TOP_DOWN, Bitmap, DESCRIPTOR_BYTES,
    IMAGE_FLAG_CACHE_ME, ImageDescriptor, ImagePayload, ImageType, PaletteRef, SpiceImage, WirePalette,
};
use paprika_codecs::{Limits, decode_image, lz, lz4};

fn spice_err(kind: FormatKind) -> Error {
    Error::Format { codec: Codec::Spice, kind }
}

fn to_bytes(img: &SpiceImage<'_>) -> Vec<u8> {
    let mut v = Vec::new();
    wire::write(img, &mut v).unwrap();
    v
}

fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

/// The backing bytes of the sample images below.
struct Backing {
    data: Vec<u8>,
    pal16: Vec<u8>,
    pal256: Vec<u8>,
}

fn backing() -> Backing {
    let pal = |n: u32| wire::palette_entry_bytes(&(0..n).map(|i| (i * 0x01_0203) & 0xff_ffff).collect::<Vec<_>>());
    Backing { data: noise(11, 4000), pal16: pal(16), pal256: pal(256) }
}

/// One image of every payload type, and each palette variant.
fn samples(b: &Backing) -> Vec<SpiceImage<'_>> {
    let d = &b.data;
    let pal16 = PaletteRef::Inline(WirePalette::new(0xabcd, &b.pal16).unwrap());
    let pal256 = PaletteRef::Inline(WirePalette::new(u64::MAX, &b.pal256).unwrap());
    let bitmap = |format, flags, x, y, stride: u32, palette| {
        let data = &d[..(stride * y) as usize];
        ImagePayload::Bitmap(Bitmap { format, flags, x, y, stride, palette, data })
    };
    let payloads = [
        bitmap(PixelFormat::Bgr24, BITMAP_FLAG_TOP_DOWN, 7, 5, 24, None),
        bitmap(PixelFormat::Bgrx32, 0, 9, 3, 36, Some(pal16)),
        bitmap(PixelFormat::Plt8, BITMAP_FLAG_PAL_CACHE_ME, 10, 4, 12, Some(pal256)),
        bitmap(
            PixelFormat::Plt4Be,
            BITMAP_FLAG_PAL_FROM_CACHE | BITMAP_FLAG_TOP_DOWN,
            5,
            2,
            3,
            Some(PaletteRef::Cached(77)),
        ),
        bitmap(PixelFormat::Plt1Le, 0, 9, 1, 2, Some(PaletteRef::Inline(WirePalette::new(3, &[]).unwrap()))),
        bitmap(PixelFormat::A8, 0, 3, 3, 3, None),
        ImagePayload::Quic { data: &d[..100] },
        ImagePayload::LzPlt { flags: BITMAP_FLAG_TOP_DOWN, palette: pal16, data: &d[..50] },
        ImagePayload::LzPlt { flags: BITMAP_FLAG_PAL_FROM_CACHE, palette: PaletteRef::Cached(5), data: &d[..9] },
        ImagePayload::LzRgb { data: &d[..1] },
        ImagePayload::GlzRgb { data: &d[..300] },
        ImagePayload::FromCache,
        ImagePayload::Surface { surface_id: 0xdead_beef },
        ImagePayload::Jpeg { data: &d[..0] },
        ImagePayload::FromCacheLossless,
        ImagePayload::ZlibGlzRgb { glz_data_size: 123_456, data: &d[..40] },
        ImagePayload::JpegAlpha { flags: 1, jpeg_size: 30, data: &d[..70] },
        ImagePayload::JpegAlpha { flags: 0, jpeg_size: 70, data: &d[..70] },
        ImagePayload::Lz4 { data: &d[..4000] },
    ];
    payloads
        .into_iter()
        .enumerate()
        .map(|(i, p)| SpiceImage::new(0x0102_0304_0506_0708 ^ i as u64, (i % 8) as u8, 640 + i as u32, 480, p))
        .collect()
}

#[test]
fn every_payload_type_round_trips() {
    let b = backing();
    let images = samples(&b);
    for t in ImageType::ALL {
        assert!(images.iter().any(|i| i.descriptor.image_type == t), "no sample of {t:?}");
        assert_eq!(ImageType::from_code(t.code()), Some(t));
    }
    for img in &images {
        let bytes = to_bytes(img);
        let back = wire::parse(&bytes).unwrap_or_else(|e| panic!("{:?}: {e}", img.descriptor.image_type));
        assert_eq!(&back, img);
        assert_eq!(to_bytes(&back), bytes);
        assert_eq!(wire::read_descriptor(&bytes), Ok(img.descriptor));
        // Written after other bytes, the pointer still counts from the image's start.
        let mut after = vec![9; 5];
        wire::write(img, &mut after).unwrap();
        assert_eq!(&after[5..], &bytes[..]);
    }
}

#[test]
fn layout_is_spice_proto_little_endian() {
    let data = [0xAA, 0xBB, 0xCC];
    let q = SpiceImage::new(0x1122_3344_5566_7788, IMAGE_FLAG_CACHE_ME, 0x10, 0x20, ImagePayload::Quic { data: &data });
    let mut want = vec![0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 1, 1, 0x10, 0, 0, 0, 0x20, 0, 0, 0];
    assert_eq!(want.len(), DESCRIPTOR_BYTES);
    want.extend_from_slice(&[3, 0, 0, 0, 0xAA, 0xBB, 0xCC]);
    assert_eq!(to_bytes(&q), want);

    // LZ_PLT: flags, data_size, a pointer to the palette placed right after the data.
    let ents = wire::palette_entry_bytes(&[0x00ff_0000, 0x0000_00ff]);
    let pal = WirePalette::new(0x42, &ents).unwrap();
    let lzplt = ImagePayload::LzPlt { flags: BITMAP_FLAG_TOP_DOWN, palette: PaletteRef::Inline(pal), data: &data };
    let bytes = to_bytes(&SpiceImage::new(1, 0, 2, 3, lzplt));
    let ptr = 18 + 1 + 4 + 4 + 3;
    let want: Vec<u8> = [
        &1u64.to_le_bytes()[..],
        &[100, 0],
        &le32(2),
        &le32(3),
        &[BITMAP_FLAG_TOP_DOWN],
        &le32(3),
        &le32(ptr),
        &data,
        &0x42u64.to_le_bytes(),
        &2u16.to_le_bytes(),
        &[0, 0, 0xff, 0, 0xff, 0, 0, 0],
    ]
    .concat();
    assert_eq!(bytes, want);
    // From the cache: the flag is set and a u64 id replaces the pointer.
    let cached = ImagePayload::LzPlt { flags: BITMAP_FLAG_TOP_DOWN, palette: PaletteRef::Cached(0x99), data: &data };
    let bytes = to_bytes(&SpiceImage::new(1, 0, 2, 3, cached));
    assert_eq!(bytes[18], BITMAP_FLAG_TOP_DOWN | BITMAP_FLAG_PAL_FROM_CACHE);
    assert_eq!(&bytes[23..31], &0x99u64.to_le_bytes());
    assert_eq!(bytes.len(), 18 + 1 + 4 + 8 + 3);

    // BITMAP: format, flags, x, y, stride, palette pointer (0 = none), stride × y bytes.
    let px = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let bm = Bitmap { format: PixelFormat::Bgr24, flags: 0, x: 1, y: 2, stride: 4, palette: None, data: &px };
    let bytes = to_bytes(&SpiceImage::new(0, 0, 1, 2, ImagePayload::Bitmap(bm)));
    let want: Vec<u8> =
        [&[0u8; 8][..], &[0, 0], &le32(1), &le32(2), &[7, 0], &le32(1), &le32(2), &le32(4), &le32(0), &px].concat();
    assert_eq!(bytes, want);

    // The rest, field by field.
    let z = to_bytes(&SpiceImage::new(0, 0, 1, 1, ImagePayload::ZlibGlzRgb { glz_data_size: 9, data: &data }));
    assert_eq!(&z[18..], &[&le32(9)[..], &le32(3), &data].concat()[..]);
    let j = to_bytes(&SpiceImage::new(0, 0, 1, 1, ImagePayload::JpegAlpha { flags: 1, jpeg_size: 2, data: &data }));
    assert_eq!(&j[18..], &[&[1u8][..], &le32(2), &le32(3), &data].concat()[..]);
    let s = to_bytes(&SpiceImage::new(0, 0, 1, 1, ImagePayload::Surface { surface_id: 7 }));
    assert_eq!(&s[18..], &le32(7));
    assert_eq!(to_bytes(&SpiceImage::new(0, 0, 1, 1, ImagePayload::FromCache)).len(), 18);
    let l = to_bytes(&SpiceImage::new(0, 0, 1, 1, ImagePayload::Lz4 { data: &data }));
    assert_eq!((l[8], &l[18..22]), (109, &le32(3)[..]));
}

#[test]
fn every_cut_is_truncated_and_every_extra_byte_trailing() {
    let b = backing();
    for img in samples(&b) {
        let bytes = to_bytes(&img);
        for cut in 0..bytes.len() {
            let r = catch_unwind(AssertUnwindSafe(|| wire::parse(&bytes[..cut])))
                .unwrap_or_else(|_| panic!("{:?}: parse panicked at cut {cut}", img.descriptor.image_type));
            match r {
                Err(Error::Format { codec: Codec::Spice, kind: FormatKind::Truncated { needed, available } }) => {
                    assert_eq!(available, cut as u64);
                    assert!(needed > available && needed <= bytes.len() as u64);
                }
                other => panic!("{:?} cut at {cut}: {other:?}", img.descriptor.image_type),
            }
        }
        let mut long = bytes.clone();
        long.extend_from_slice(&[0, 0]);
        assert_eq!(wire::parse(&long), Err(spice_err(FormatKind::TrailingData { unread: 2 })));
    }
}

#[test]
fn descriptor_cuts_name_the_field_they_need() {
    let bytes = to_bytes(&SpiceImage::new(5, 0, 1, 1, ImagePayload::FromCache));
    for cut in 0..DESCRIPTOR_BYTES {
        let needed = [8, 9, 10, 14, 18].into_iter().find(|&n| n > cut).unwrap();
        let want = Some(spice_err(FormatKind::Truncated { needed: needed as u64, available: cut as u64 }));
        assert_eq!(wire::parse(&bytes[..cut]).err(), want);
        assert_eq!(decode_image(&bytes[..cut], &Limits::default()).err(), want);
    }
}

#[test]
fn lying_sizes_and_bad_fields_are_errors() {
    let data = noise(3, 64);
    let q = to_bytes(&SpiceImage::new(0, 0, 8, 8, ImagePayload::Quic { data: &data }));
    let with_size = |n: u32| [&q[..18], &le32(n), &q[22..]].concat();
    let len = q.len() as u64;
    assert_eq!(wire::parse(&with_size(65)), Err(spice_err(FormatKind::Truncated { needed: len + 1, available: len })));
    assert_eq!(wire::parse(&with_size(63)), Err(spice_err(FormatKind::TrailingData { unread: 1 })));
    assert_eq!(
        wire::parse(&with_size(u32::MAX)),
        Err(spice_err(FormatKind::Truncated { needed: 22 + u64::from(u32::MAX), available: len }))
    );
    assert_eq!(
        decode_image(&with_size(u32::MAX), &Limits::default()),
        Err(spice_err(FormatKind::Truncated { needed: 22 + u64::from(u32::MAX), available: len }))
    );
    for code in [2u8, 3, 99, 110, 200, 255] {
        let mut bad = q.clone();
        bad[8] = code;
        assert_eq!(wire::parse(&bad), Err(spice_err(FormatKind::BadImageType { found: code.into() })));
    }
    // Bitmap format codes: INVALID (0) and anything past 8BIT_A (10).
    let px = [0u8; 4];
    let bm = Bitmap { format: PixelFormat::A8, flags: 0, x: 2, y: 2, stride: 2, palette: None, data: &px };
    let bytes = to_bytes(&SpiceImage::new(0, 0, 2, 2, ImagePayload::Bitmap(bm)));
    for code in [0u8, 11, 255] {
        let mut bad = bytes.clone();
        bad[18] = code;
        assert_eq!(wire::parse(&bad), Err(spice_err(FormatKind::BadImageType { found: code.into() })));
    }
    // JPEG_ALPHA: the JPEG part cannot be longer than both parts.
    let j = to_bytes(&SpiceImage::new(0, 0, 1, 1, ImagePayload::JpegAlpha { flags: 0, jpeg_size: 64, data: &data }));
    let mut bad = j.clone();
    bad[19..23].copy_from_slice(&le32(65));
    assert_eq!(wire::parse(&bad), Err(spice_err(FormatKind::LengthMismatch { declared: 65, actual: 64 })));
}

#[test]
fn palette_pointers_must_point_after_the_data() {
    let b = backing();
    let pal = WirePalette::new(1, &b.pal16).unwrap();
    let img = SpiceImage::new(
        0,
        0,
        4,
        4,
        ImagePayload::LzPlt { flags: 0, palette: PaletteRef::Inline(pal), data: &b.data[..20] },
    );
    let bytes = to_bytes(&img);
    let ptr = u32::from_le_bytes(bytes[23..27].try_into().unwrap());
    assert_eq!(ptr as usize, 27 + 20);
    for wrong in [0u32, 1, ptr - 1, ptr + 1, u32::MAX] {
        let mut bad = bytes.clone();
        bad[23..27].copy_from_slice(&le32(wrong));
        assert_eq!(wire::parse(&bad), Err(spice_err(FormatKind::BadPointer { offset: wrong.into() })), "{wrong}");
    }
    // A bitmap pointer may be NULL (no palette), but not point elsewhere.
    let bm = Bitmap {
        format: PixelFormat::Plt8,
        flags: 0,
        x: 2,
        y: 2,
        stride: 2,
        palette: Some(PaletteRef::Inline(pal)),
        data: &b.data[..4],
    };
    let bytes = to_bytes(&SpiceImage::new(0, 0, 2, 2, ImagePayload::Bitmap(bm)));
    let mut bad = bytes.clone();
    bad[32..36].copy_from_slice(&le32(7));
    assert_eq!(wire::parse(&bad), Err(spice_err(FormatKind::BadPointer { offset: 7 })));
}

#[test]
fn write_rejects_inconsistent_images() {
    use paprika_codecs::error::ParameterKind;
    let data = [0u8; 10];
    let mut img = SpiceImage::new(0, 0, 1, 1, ImagePayload::Quic { data: &data });
    img.descriptor.image_type = ImageType::LzRgb;
    let mut out = vec![1, 2];
    assert_eq!(wire::write(&img, &mut out), Err(Error::Parameter(ParameterKind::FormatMismatch)));
    let short = Bitmap { format: PixelFormat::Bgr24, flags: 0, x: 3, y: 2, stride: 9, palette: None, data: &data };
    assert_eq!(
        wire::write(&SpiceImage::new(0, 0, 3, 2, ImagePayload::Bitmap(short)), &mut out),
        Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: 18, given: 10 }))
    );
    let gray = Bitmap { format: PixelFormat::Gray8, flags: 0, x: 1, y: 1, stride: 1, palette: None, data: &data };
    assert_eq!(
        wire::write(&SpiceImage::new(0, 0, 1, 1, ImagePayload::Bitmap(gray)), &mut out),
        Err(Error::Parameter(ParameterKind::FormatMismatch))
    );
    let ja = ImagePayload::JpegAlpha { flags: 0, jpeg_size: 11, data: &data };
    assert_eq!(
        wire::write(&SpiceImage::new(0, 0, 1, 1, ja), &mut out),
        Err(Error::Parameter(ParameterKind::BufferTooSmall { needed: 11, given: 10 }))
    );
    assert_eq!(out, [1, 2], "a failed write leaves the buffer as it was");
    assert!(WirePalette::new(0, &[0; 5]).is_none());
    assert!(WirePalette::new(0, &vec![0; 4 * 65_536]).is_none());
    assert!(WirePalette::new(0, &vec![0; 4 * 65_535]).is_some());
}

#[test]
fn noise_and_mutations_never_panic() {
    let b = backing();
    let mut rng = Rng(0x5b1c_e0de);
    let images: Vec<Vec<u8>> = samples(&b).iter().map(to_bytes).collect();
    let limits = Limits { max_width: 512, max_height: 512, max_pixels: 1 << 18, max_alloc_bytes: 1 << 22 };
    for n in 0..20_000u64 {
        let mut buf = if n % 4 == 0 {
            let len = rng.below(80) as usize;
            rng.bytes(len)
        } else {
            images[rng.below(images.len() as u64) as usize].clone()
        };
        if !buf.is_empty() {
            for _ in 0..1 + rng.below(3) {
                let pos = rng.below(buf.len() as u64) as usize;
                buf[pos] ^= 1 << rng.below(8);
            }
        }
        let r = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(img) = wire::parse(&buf) {
                assert_eq!(to_bytes(&img), buf, "parse accepted what write does not reproduce");
            }
            let _ = decode_image(&buf, &limits);
        }));
        assert!(r.is_ok(), "panic on input {}", buf.iter().map(|b| format!("{b:02x}")).collect::<String>());
    }
}

// ---------------------------------------------------------------------------
// decode_image

fn wrap(payload: ImagePayload<'_>, width: u32, height: u32) -> Vec<u8> {
    to_bytes(&SpiceImage::new(42, 0, width, height, payload))
}

#[test]
fn quic_vectors_decode_through_spice_images() {
    let recs = records("quic");
    assert!(recs.len() >= 30);
    for rec in &recs {
        let file = rec["file"].as_str().unwrap();
        let stream = read(file);
        let (w, h) = (rec["width"].as_u64().unwrap() as u32, rec["height"].as_u64().unwrap() as u32);
        let bytes = wrap(ImagePayload::Quic { data: &stream }, w, h);
        let img = decode_image(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(sha256(&img.to_bgrx().unwrap()), rec["decoded_sha256"].as_str().unwrap(), "{file}");
        let wrong = wrap(ImagePayload::Quic { data: &stream }, w + 1, h);
        assert_eq!(
            decode_image(&wrong, &Limits::default()),
            Err(spice_err(FormatKind::DimensionMismatch {
                declared_width: w + 1,
                declared_height: h,
                found_width: w,
                found_height: h
            }))
        );
    }
}

/// LZ_RGB for the RGB types, LZ_PLT (palette inline) for the palette types. Until the
/// LZ decoder lands, `lz::decode` is a stub that returns `Unsupported(Conversion)`;
/// then this test only checks the framing and says so.
#[test]
fn lz_vectors_decode_through_spice_images() {
    let recs = records("lz");
    assert!(recs.len() >= 30);
    let probe = read(recs[0]["file"].as_str().unwrap());
    if lz::decode(&probe, None, &Limits::default()) == Err(Error::Unsupported(UnsupportedKind::Conversion)) {
        eprintln!("lz::decode is still a stub: LZ pixels not checked");
        return;
    }
    let mut failures = Vec::new();
    for rec in &recs {
        let file = rec["file"].as_str().unwrap();
        let stream = read(file);
        let (w, h) = (rec["width"].as_u64().unwrap() as u32, rec["height"].as_u64().unwrap() as u32);
        let entries = rec["palette"].as_str().map(read_gz);
        let payload = match &entries {
            Some(ents) => {
                let pal = WirePalette::new(0x1234, ents).unwrap();
                ImagePayload::LzPlt { flags: 0, palette: PaletteRef::Inline(pal), data: &stream }
            }
            None => ImagePayload::LzRgb { data: &stream },
        };
        match decode_image(&wrap(payload, w, h), &Limits::default()) {
            Ok(img) => {
                let got = sha256(&img.to_bgrx().unwrap());
                if got != rec["decoded_sha256"].as_str().unwrap() {
                    failures.push(format!("{file}: pixels differ"));
                }
                if entries.is_some() {
                    assert_eq!(img.as_ref().palette().map(|p| p.id), Some(0x1234), "{file}: palette not attached");
                    let cached = ImagePayload::LzPlt { flags: 0, palette: PaletteRef::Cached(8), data: &stream };
                    assert_eq!(
                        decode_image(&wrap(cached, w, h), &Limits::default()),
                        Err(Error::Unsupported(UnsupportedKind::CachedPalette { id: 8 }))
                    );
                }
            }
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), recs.len(), failures.join("\n"));
}

#[test]
fn lz_rgb_must_not_carry_a_palette_stream() {
    let rec = records("lz").into_iter().find(|r| r["type"] == "plt8").unwrap();
    let stream = read(rec["file"].as_str().unwrap());
    let (w, h) = (rec["width"].as_u64().unwrap() as u32, rec["height"].as_u64().unwrap() as u32);
    assert_eq!(
        decode_image(&wrap(ImagePayload::LzRgb { data: &stream }, w, h), &Limits::default()),
        Err(spice_err(FormatKind::BadImageType { found: lz::ImageType::Plt8.code() }))
    );
}

#[test]
fn lz4_images_decode_to_the_golden_pixels() {
    let mut checked = 0;
    for rec in records("quic") {
        let (Some(input), Some(ty)) = (rec["input"].as_str(), rec["type"].as_str()) else { continue };
        let png = load_png(input);
        let formats: &[PixelFormat] = match ty {
            "rgb32" => &[PixelFormat::Bgrx32, PixelFormat::Bgr24],
            "rgba" => &[PixelFormat::Bgra32],
            _ => continue,
        };
        for &format in formats {
            let src = png.convert(format).unwrap().flipped_storage();
            let stream = lz4::encode(&src.as_ref()).unwrap();
            let bytes = wrap(ImagePayload::Lz4 { data: &stream }, src.width(), src.height());
            let img = decode_image(&bytes, &Limits::default()).unwrap();
            assert_eq!((img.format(), img.desc().top_down), (format, false));
            assert_eq!(sha256(&img.to_bgrx().unwrap()), rec["decoded_sha256"].as_str().unwrap(), "{input} {format:?}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
}

#[test]
fn bitmaps_decode_with_checks() {
    let l = Limits::default();
    // Bgr24, 3 × 2, stride 12 (3 bytes of padding), bottom-up.
    let px: Vec<u8> = (0..24).collect();
    let bm = Bitmap { format: PixelFormat::Bgr24, flags: 0, x: 3, y: 2, stride: 12, palette: None, data: &px };
    let img = decode_image(&wrap(ImagePayload::Bitmap(bm), 3, 2), &l).unwrap();
    assert_eq!(img.desc(), &ImageDesc { width: 3, height: 2, stride: 9, format: PixelFormat::Bgr24, top_down: false });
    assert_eq!(img.data(), &[0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    assert_eq!(&img.to_bgrx().unwrap()[..4], &[12, 13, 14, 0]);
    let top = Bitmap { flags: BITMAP_FLAG_TOP_DOWN, ..bm };
    assert!(decode_image(&wrap(ImagePayload::Bitmap(top), 3, 2), &l).unwrap().desc().top_down);

    // Plt8 with its palette attached.
    let ents = wire::palette_entry_bytes(&[0x0011_2233, 0x0044_5566]);
    let pal = WirePalette::new(9, &ents).unwrap();
    let idx = [1u8, 0, 1, 1];
    let p8 = Bitmap {
        format: PixelFormat::Plt8,
        flags: 4,
        x: 2,
        y: 2,
        stride: 2,
        palette: Some(PaletteRef::Inline(pal)),
        data: &idx,
    };
    let img = decode_image(&wrap(ImagePayload::Bitmap(p8), 2, 2), &l).unwrap();
    assert_eq!(img.as_ref().palette(), Some(&Palette { id: 9, entries: vec![0x0011_2233, 0x0044_5566] }));
    assert_eq!(&img.to_bgrx().unwrap()[..8], &[0x66, 0x55, 0x44, 0, 0x33, 0x22, 0x11, 0]);
    // Palette bytes and pixels share the budget: 8 + 4 bytes.
    let tight = Limits { max_alloc_bytes: 11, ..l };
    assert_eq!(
        decode_image(&wrap(ImagePayload::Bitmap(p8), 2, 2), &tight),
        Err(Error::Limits { what: LimitKind::Bytes, actual: 12, max: 11 })
    );
    let none = Bitmap { palette: None, ..p8 };
    assert_eq!(
        decode_image(&wrap(ImagePayload::Bitmap(none), 2, 2), &l),
        Err(spice_err(FormatKind::BadPointer { offset: 0 }))
    );
    let cached = Bitmap { palette: Some(PaletteRef::Cached(3)), ..p8 };
    assert_eq!(
        decode_image(&wrap(ImagePayload::Bitmap(cached), 2, 2), &l),
        Err(Error::Unsupported(UnsupportedKind::CachedPalette { id: 3 }))
    );

    // Geometry against the descriptor, the stride and the limits.
    assert_eq!(
        decode_image(&wrap(ImagePayload::Bitmap(bm), 3, 3), &l),
        Err(spice_err(FormatKind::DimensionMismatch {
            declared_width: 3,
            declared_height: 3,
            found_width: 3,
            found_height: 2
        }))
    );
    let narrow = Bitmap { stride: 8, data: &px[..16], ..bm };
    assert_eq!(
        decode_image(&wrap(ImagePayload::Bitmap(narrow), 3, 2), &l),
        Err(spice_err(FormatKind::BadStride { found: 8, expected: 9 }))
    );
    let empty = Bitmap { x: 0, y: 0, data: &[], ..bm };
    assert_eq!(
        decode_image(&wrap(ImagePayload::Bitmap(empty), 0, 0), &l),
        Err(spice_err(FormatKind::BadDimensions { width: 0, height: 0 }))
    );
    let small = Limits { max_height: 1, ..l };
    assert_eq!(
        decode_image(&wrap(ImagePayload::Bitmap(bm), 3, 2), &small),
        Err(Error::Limits { what: LimitKind::Height, actual: 2, max: 1 })
    );
    // A caller-built bitmap with too little data is a caller error, not a panic.
    let short = SpiceImage::new(0, 0, 3, 2, ImagePayload::Bitmap(Bitmap { data: &px[..20], ..bm }));
    assert!(matches!(wire::decode(&short, &l), Err(Error::Parameter(_))));
}

#[test]
fn other_types_are_unsupported() {
    let d = [0u8; 8];
    let cases = [
        ImagePayload::GlzRgb { data: &d },
        ImagePayload::ZlibGlzRgb { glz_data_size: 8, data: &d },
        ImagePayload::FromCache,
        ImagePayload::FromCacheLossless,
        ImagePayload::Surface { surface_id: 0 },
    ];
    for p in cases {
        let code = p.image_type().code();
        assert_eq!(
            decode_image(&wrap(p, 1, 1), &Limits::default()),
            Err(Error::Unsupported(UnsupportedKind::ImageType { code }))
        );
    }
    // JPEG and JPEG-alpha are decoded now: eight zero bytes are no JPEG.
    let jpeg_err = Error::Format { codec: Codec::Jpeg, kind: FormatKind::BadJpeg };
    assert_eq!(decode_image(&wrap(ImagePayload::Jpeg { data: &d }, 1, 1), &Limits::default()), Err(jpeg_err));
    let alpha = ImagePayload::JpegAlpha { flags: 0, jpeg_size: 4, data: &d };
    assert_eq!(decode_image(&wrap(alpha, 1, 1), &Limits::default()), Err(jpeg_err));
}

#[test]
fn descriptor_round_trips_alone() {
    let d = ImageDescriptor { id: 7, image_type: ImageType::Surface, flags: 3, width: 9, height: 11 };
    let mut v = Vec::new();
    d.write(&mut v);
    assert_eq!(v.len(), DESCRIPTOR_BYTES);
    assert_eq!(wire::read_descriptor(&v), Ok(d));
}
