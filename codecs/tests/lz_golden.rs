//! Golden vectors made by spice-common's C LZ codec: our decoder must reproduce
//! every image, as BGRX (`decoded_sha256`) and in the stream's own layout
//! (`native_sha256`).
//!
//! The manifest's native layout is packed and top-down (see the vectors'
//! README, "Native layouts"), while the decoder returns rows in stream order
//! with the header's stride. The test therefore compares
//! `as_ref().to_owned_packed().data()`, which is the same bytes for top-down
//! streams with the minimal stride and the upright, unpadded rows otherwise.
//! XXXA decodes to B,G,R,A with B = G = R = 0, exactly the manifest's layout.

mod common;

use std::io::Read;

use common::*;
use paprika_codecs::error::{Codec, Error, FormatKind};
use paprika_codecs::image::{Palette, PixelFormat};
use paprika_codecs::{Limits, lz};

/// The record's palette: gzipped little-endian u32 `0x00RRGGBB` entries.
fn palette(rec: &serde_json::Value) -> Option<Palette> {
    let file = rec["palette"].as_str()?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&read(file)[..]).read_to_end(&mut raw).expect("gzip palette");
    assert_eq!(raw.len() % 4, 0, "{file}: not whole u32 entries");
    let entries = raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    Some(Palette { id: 0, entries })
}

/// The pixel format the decoder returns for a manifest type name.
fn output_format(ty: &str) -> PixelFormat {
    match ty {
        // The reference client decodes RGB24 streams with the RGB32 decoder.
        "rgb24" => PixelFormat::Bgrx32,
        other => other.parse::<lz::ImageType>().unwrap_or_else(|_| panic!("unknown type {other}")).pixel_format(),
    }
}

#[test]
fn decoder_reproduces_reference_pixels() {
    let recs = records("lz");
    assert!(recs.len() >= 39, "expected the full LZ vector set, found {}", recs.len());
    let mut failures = Vec::new();
    let mut types = std::collections::BTreeSet::new();
    let mut natives = 0;
    for rec in &recs {
        let file = rec["file"].as_str().unwrap();
        let ty = rec["type"].as_str().unwrap();
        types.insert(ty.to_string());
        let stream = read(file);
        let pal = palette(rec);
        assert_eq!(pal.is_some(), ty.starts_with("plt"), "{file}: palette presence");
        let img = match lz::decode(&stream, pal.as_ref(), &Limits::default()) {
            Ok(img) => img,
            Err(e) => {
                failures.push(format!("{file}: decode failed: {e}"));
                continue;
            }
        };
        let want = (rec["width"].as_u64().unwrap(), rec["height"].as_u64().unwrap(), rec["top_down"].as_bool());
        let got = (u64::from(img.width()), u64::from(img.height()), Some(img.desc().top_down));
        if got != want {
            failures.push(format!("{file}: geometry {got:?}, expected {want:?}"));
            continue;
        }
        if img.format() != output_format(ty) {
            failures.push(format!("{file}: format {:?}, expected {:?}", img.format(), output_format(ty)));
        }
        if pal.is_some() && img.as_ref().palette() != pal.as_ref() {
            failures.push(format!("{file}: palette not attached"));
        }
        let got = sha256(&img.to_bgrx().unwrap());
        if got != rec["decoded_sha256"].as_str().unwrap() {
            failures.push(format!("{file}: BGRX pixels differ ({got})"));
        }
        if let Some(native) = rec["native_sha256"].as_str() {
            natives += 1;
            let got = sha256(img.as_ref().to_owned_packed().data());
            if got != native {
                failures.push(format!("{file}: native pixels differ ({got})"));
            }
            // Top-down streams with the tightest stride are already in the manifest's layout.
            if img.desc().top_down && img.data().len() == img.as_ref().to_owned_packed().data().len() {
                let direct = sha256(img.data());
                if direct != native {
                    failures.push(format!("{file}: data() is not the native layout ({direct})"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} records failed:\n{}", failures.len(), recs.len(), failures.join("\n"));
    for t in lz::ImageType::ALL {
        assert!(types.contains(t.name()), "no vector of type {}", t.name());
    }
    assert!(natives >= 17, "only {natives} native hashes checked");
}

#[test]
fn rgb24_and_rgb32_bodies_decode_alike() {
    // The vectors' notes: the RGB24 and RGB32 streams of one image differ only in
    // the type and stride fields, and both decode to the same B,G,R,0 pixels.
    let s24 = read("lz/photo_chelsea.rgb24.lz");
    let s32 = read("lz/photo_chelsea.rgb32.lz");
    assert_eq!(s24[28..], s32[28..]);
    let a = lz::decode(&s24, None, &Limits::default()).unwrap();
    let b = lz::decode(&s32, None, &Limits::default()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn bottom_up_streams_keep_stream_order() {
    // Rows come back in stream order: the bottom-up stream's first row in memory is
    // the top-down stream's last row, and `to_bgrx` shows both upright.
    for (up, down) in [
        ("lz/photo_chelsea.rgb32.bottomup.lz", "lz/photo_chelsea.rgb32.lz"),
        ("lz/screen_github_odd637x401.plt4le.bottomup.lz", "lz/screen_github_odd637x401.plt4le.lz"),
    ] {
        let a = lz::decode(&read(up), None, &Limits::default()).unwrap();
        let b = lz::decode(&read(down), None, &Limits::default()).unwrap();
        assert!(!a.desc().top_down && b.desc().top_down, "{up}");
        let stride = a.desc().stride;
        assert_eq!(a.data()[..stride], b.data()[b.data().len() - stride..], "{up}: first row");
        assert_eq!(a.flipped_storage(), b, "{up}");
    }
}

#[test]
fn palette_images_decode_without_a_palette() {
    // The indexes do not depend on the palette; only the BGRX view needs one.
    let s = read("lz/screen_rustdoc.plt8.lz");
    let img = lz::decode(&s, None, &Limits::default()).unwrap();
    assert!(img.as_ref().palette().is_none());
    assert_eq!(img.format(), PixelFormat::Plt8);
    assert!(img.to_bgrx().is_err());
    // A palette given for a non-palette type is ignored.
    let pal = Palette { id: 7, entries: vec![1, 2, 3] };
    let rgb = lz::decode(&read("lz/tiny_rand_7x3.rgb32.lz"), Some(&pal), &Limits::default()).unwrap();
    assert!(rgb.as_ref().palette().is_none());
}

#[test]
fn every_vector_is_consumed_exactly() {
    // One extra byte after any vector is trailing data, as in `lz_decode`.
    for rec in records("lz") {
        let file = rec["file"].as_str().unwrap();
        let mut s = read(file);
        s.push(0);
        assert_eq!(
            lz::decode(&s, palette(&rec).as_ref(), &Limits::default()).err(),
            Some(Error::Format { codec: Codec::Lz, kind: FormatKind::TrailingData { unread: 1 } }),
            "{file}"
        );
    }
}
