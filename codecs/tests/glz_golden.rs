//! Golden GLZ sequences made by the SPICE server's encoder and checked with
//! spice-gtk's decoder: decoding each sequence in order with one window must
//! reproduce every frame's `decoded_sha256` (BGRX, top-down), and the window
//! must release what the window-head distances allow, as spice-gtk does.

mod common;

use common::*;
use paprika_codecs::glz::{GlzWindow, MAX_WINDOW_PIXELS};
use paprika_codecs::{Limits, lz};

#[test]
fn decoder_reproduces_every_reference_sequence() {
    let recs = records("glz");
    assert!(recs.len() >= 26, "expected the full GLZ vector set, found {}", recs.len());
    let mut frames_checked = 0;
    let mut failures = Vec::new();
    for rec in &recs {
        let seq = rec["sequence"].as_str().unwrap();
        let mut window = GlzWindow::new(MAX_WINDOW_PIXELS, Limits::default());
        for f in rec["frames"].as_array().unwrap() {
            let file = f["file"].as_str().unwrap();
            let img = match window.decode(&read(file)) {
                Ok(img) => img,
                Err(e) => {
                    failures.push(format!("{seq} {file}: {e}"));
                    break;
                }
            };
            let h = img.header();
            assert_eq!(h.id, f["image_id"].as_u64().unwrap(), "{file}: id");
            assert_eq!(u64::from(h.win_head_dist), f["win_head_dist"].as_u64().unwrap(), "{file}: win_head_dist");
            assert_eq!(
                (h.width, h.height),
                (f["width"].as_u64().unwrap() as u32, f["height"].as_u64().unwrap() as u32)
            );
            assert_eq!(h.top_down, rec["top_down"].as_bool().unwrap(), "{file}: row order");
            let want_type: lz::ImageType = rec["type"].as_str().unwrap().parse().unwrap();
            assert_eq!(h.image_type, want_type, "{file}: type");
            let got = sha256(&img.image().to_bgrx().unwrap());
            if got != f["decoded_sha256"].as_str().unwrap() {
                failures.push(format!("{file}: pixels differ"));
            }
            // spice-gtk keeps [id - win_head_dist, id] after each image.
            let oldest = h.id - u64::from(h.win_head_dist);
            let held: Vec<u64> = window.ids().collect();
            assert_eq!(held, (oldest..=h.id).collect::<Vec<_>>(), "{file}: window contents");
            frames_checked += 1;
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(frames_checked >= 44, "only {frames_checked} frames checked");
}
