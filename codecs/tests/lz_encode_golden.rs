//! The LZ encoder on the golden vectors' inputs: for every LZ record, our stream
//! of the same input, type and row order must be **no larger** than the
//! reference stream (spice-common's `lz_encode`), and must decode to the record's
//! pixels (`decoded_sha256`).
//!
//! The reference encoder is deterministic but Paprika's match finder is not the
//! same, so the bytes differ; size is the guard (a ratio guard, STYLE.md test
//! pyramid §4). That the streams also decode in the C decoder was checked with
//! spice-common's `lz.c` when the encoder was written (see the encoder's module
//! docs); here our own decoder stands in.

mod common;

use std::io::Read;

use common::*;
use paprika_codecs::image::Palette;
use paprika_codecs::{Limits, lz};

/// The record's palette: gzipped little-endian u32 `0x00RRGGBB` entries.
fn palette(rec: &serde_json::Value) -> Option<Palette> {
    let file = rec["palette"].as_str()?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&read(file)[..]).read_to_end(&mut raw).expect("gzip palette");
    let entries = raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    Some(Palette { id: 0, entries })
}

#[test]
fn streams_are_no_larger_than_the_reference_and_decode_to_its_pixels() {
    let recs = records("lz");
    assert!(recs.len() >= 39, "expected the full LZ vector set, found {}", recs.len());
    let mut failures = Vec::new();
    let (mut ours_total, mut theirs_total) = (0, 0);
    for rec in &recs {
        let file = rec["file"].as_str().unwrap();
        let ty: lz::ImageType = rec["type"].as_str().unwrap().parse().unwrap();
        // The encoder's input as the reference saw it: native layout, rows in the
        // record's memory order.
        let mut img = native_input(rec, ty.pixel_format());
        if rec["top_down"] == false {
            img = img.flipped_storage();
        }
        let stream = lz::encode(&img.as_ref(), ty).unwrap_or_else(|e| panic!("{file}: {e}"));
        let reference = read(file);
        ours_total += stream.len();
        theirs_total += reference.len();
        if stream.len() > reference.len() {
            failures.push(format!("{file}: {} bytes, the reference has {}", stream.len(), reference.len()));
        }
        // Same header fields as the reference stream.
        let (a, b) = (lz::read_header(&stream), lz::read_header(&reference));
        if a != b {
            failures.push(format!("{file}: header {a:?}, reference {b:?}"));
        }
        match lz::decode(&stream, palette(rec).as_ref(), &Limits::default()) {
            Ok(back) => {
                let got = sha256(&back.to_bgrx().unwrap());
                if got != rec["decoded_sha256"].as_str().unwrap() {
                    failures.push(format!("{file}: decoded pixels differ ({got})"));
                }
            }
            Err(e) => failures.push(format!("{file}: our stream does not decode: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} records:\n{}", failures.len(), recs.len(), failures.join("\n"));
    // The whole set, as a headline: about 8% smaller when written.
    assert!(ours_total < theirs_total, "{ours_total} bytes against the reference's {theirs_total}");
}
