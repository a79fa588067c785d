//! Replays the fuzz seeds and every saved regression input (`fuzz/seeds/<target>/`,
//! `fuzz/regressions/<target>/`) through the decoders, with each target's input
//! layout (see `fuzz/fuzz_targets/`), so plain `cargo test` on stable covers them
//! without a fuzzer. Each input must give an image or a typed error within a few
//! seconds; the GLZ sequences must also leave the window unchanged on errors.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::decode_guarded;
use paprika_codecs::glz::{GlzWindow, zlib};
use paprika_codecs::image::Palette;
use paprika_codecs::{Limits, decode_image, lz, lz4, quic};

const LIMITS: Limits = Limits { max_width: 1024, max_height: 1024, max_pixels: 1024 * 1024, max_alloc_bytes: 16 << 20 };

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files under `fuzz/<kind>/<target>/`, for every target directory.
fn inputs(kind: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(targets) = std::fs::read_dir(fuzz_dir().join(kind)) else { return out };
    for t in targets.flatten() {
        let target = t.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(t.path()).into_iter().flatten().flatten() {
            if f.path().is_file() {
                out.push((target.clone(), f.path()));
            }
        }
    }
    out.sort();
    out
}

/// Runs one input the way its target does; `false` for targets with no replay here.
fn replay(target: &str, data: &[u8]) -> bool {
    match target {
        "decode_quic" => drop(quic::decode(data, &LIMITS)),
        "decode_lz" => {
            let palette = Palette { id: 1, entries: (0..(data.len() % 17) as u32).map(|i| i * 0x0011_2233).collect() };
            if let Ok(img) = lz::decode(data, Some(&palette), &LIMITS) {
                img.to_bgrx().expect("to_bgrx of a decoded LZ image");
            }
        }
        "decode_lz4" => {
            if let Some((size, stream)) = data.split_first_chunk::<4>() {
                let w = u32::from(u16::from_le_bytes([size[0], size[1]]));
                let h = u32::from(u16::from_le_bytes([size[2], size[3]]));
                drop(lz4::decode(stream, w, h, &LIMITS));
            }
        }
        "decode_spice_image" => {
            if let Ok(img) = decode_image(data, &LIMITS) {
                img.to_bgrx().expect("to_bgrx of a decoded SPICE image");
            }
        }
        "decode_glz" => {
            let Some((&first, mut rest)) = data.split_first() else { return true };
            let max = (u64::from(first) + 1) * 4096;
            let mut window = GlzWindow::new(max, LIMITS);
            while rest.len() >= 2 {
                let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
                let frame = &rest[2..2 + len];
                rest = &rest[2 + len..];
                let before: Vec<u64> = window.ids().collect();
                if window.decode(frame).is_err() {
                    assert_eq!(window.ids().collect::<Vec<_>>(), before, "a failed decode changed the window");
                }
                assert!(window.held_pixels() <= max);
            }
        }
        "decode_zlib_glz" => {
            if let Some((size, z)) = data.split_first_chunk::<4>() {
                if let Ok(glz) = zlib::inflate(z, u32::from_le_bytes(*size), &LIMITS) {
                    drop(GlzWindow::new(1 << 20, LIMITS).decode(&glz));
                }
            }
        }
        "decode_jpeg_alpha" => {
            if let Some((&flags, rest)) = data.split_first()
                && let Some((size, payload)) = rest.split_first_chunk::<4>()
                && let Ok(img) = paprika_codecs::jpeg::decode_alpha(flags, u32::from_le_bytes(*size), payload, &LIMITS)
            {
                img.to_bgrx().expect("to_bgrx of a decoded JPEG_ALPHA image");
            }
        }
        _ => return false,
    }
    true
}

/// Replays every input of `kind`; returns the targets replayed, with counts.
fn replay_all(kind: &str) -> std::collections::BTreeMap<String, usize> {
    let mut replayed = std::collections::BTreeMap::new();
    for (target, path) in inputs(kind) {
        let data = std::fs::read(&path).unwrap();
        let what = || format!("{target} {}", path.display());
        if decode_guarded("fuzz_replay", &data, Duration::from_secs(10), &what, || replay(&target, &data)) {
            *replayed.entry(target).or_insert(0) += 1;
        }
    }
    replayed
}

#[test]
fn seeds_and_regressions_replay_cleanly() {
    let seeds = replay_all("seeds");
    let regressions = replay_all("regressions");
    eprintln!("replayed seeds {seeds:?} and regressions {regressions:?}");
    // The GLZ and JPEG_ALPHA targets' seeds are committed (the others come from the vectors).
    for t in ["decode_glz", "decode_zlib_glz", "decode_jpeg_alpha"] {
        assert!(seeds.get(t).copied().unwrap_or(0) > 0, "no seeds for {t} in {}", fuzz_dir().join("seeds").display());
    }
    assert!(Path::new(&fuzz_dir()).is_dir());
}
