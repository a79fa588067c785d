//! Golden vectors made by spice-common's C QUIC codec: our encoder must
//! reproduce every stream byte for byte, our decoder every pixel.

mod common;

use common::*;
use paprika_codecs::image::PixelFormat;
use paprika_codecs::{Limits, quic};

fn format_for(ty: &str) -> PixelFormat {
    match ty {
        "rgb32" => PixelFormat::Bgrx32,
        "rgb24" => PixelFormat::Bgr24,
        "rgba" => PixelFormat::Bgra32,
        "rgb16" => PixelFormat::Rgb555,
        "gray" => PixelFormat::Gray8,
        other => panic!("unknown type {other}"),
    }
}

#[test]
fn decoder_reproduces_reference_pixels() {
    let recs = records("quic");
    assert!(recs.len() >= 30, "expected the full QUIC vector set, found {}", recs.len());
    let mut failures = Vec::new();
    for rec in &recs {
        let file = rec["file"].as_str().unwrap();
        let stream = read(file);
        let img = match quic::decode(&stream, &Limits::default()) {
            Ok(img) => img,
            Err(e) => {
                failures.push(format!("{file}: decode failed: {e}"));
                continue;
            }
        };
        if (u64::from(img.width()), u64::from(img.height()))
            != (rec["width"].as_u64().unwrap(), rec["height"].as_u64().unwrap())
        {
            failures.push(format!("{file}: wrong size {}x{}", img.width(), img.height()));
            continue;
        }
        let got = sha256(&img.to_bgrx().unwrap());
        if got != rec["decoded_sha256"].as_str().unwrap() {
            failures.push(format!("{file}: BGRX pixels differ ({got})"));
        }
        if let Some(native) = rec["native_sha256"].as_str() {
            let got = sha256(img.data());
            if got != native {
                failures.push(format!("{file}: native pixels differ ({got})"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} records failed:\n{}", failures.len(), recs.len(), failures.join("\n"));
}

#[test]
fn encoder_reproduces_reference_bytes() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for rec in records("quic") {
        if rec["input"].is_null() && rec["raw_input"].is_null() {
            continue; // fuzzer seeds: decode-only
        }
        let file = rec["file"].as_str().unwrap();
        let ty: quic::ImageType = rec["type"].as_str().unwrap().parse().unwrap();
        let input = native_input(&rec, format_for(rec["type"].as_str().unwrap()));
        let want = read(file);
        let got = quic::encode(&input.as_ref(), ty).expect("encode");
        checked += 1;
        if got != want {
            let first = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
            failures.push(format!(
                "{file}: {} bytes vs reference {}, first difference at byte {first}",
                got.len(),
                want.len()
            ));
        }
    }
    assert!(checked >= 25, "only {checked} encodable records");
    assert!(failures.is_empty(), "{} of {checked} streams differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn fuzzer_seeds_reencode_identically() {
    // Decoding the spice-common fuzzer seeds and encoding the pixels again must give
    // the very same stream (the reference does, per the vector notes).
    for name in ["test1", "test2", "test3", "test4"] {
        let stream = read(&format!("quic/fuzzer/{name}.quic"));
        let img = quic::decode(&stream, &Limits::default()).unwrap();
        let ty = quic::read_header(&stream).unwrap().image_type;
        let again = quic::encode(&img.as_ref(), ty).unwrap();
        assert_eq!(again.len(), stream.len(), "{name}: length");
        assert!(again == stream, "{name}: bytes differ");
    }
}
