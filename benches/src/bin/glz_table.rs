//! Prints markdown tables of Paprika's GLZ size and speed against the reference
//! encoder's streams in `corpora/vectors/glz/` and the reference figures of
//! `corpora/vectors/README.md` (spice server `glz-encoder.c`, spice-gtk
//! `decode-glz.c`, `-O2`).
//!
//! `cargo run --release -p paprika-benches --bin glz_table [NAME...]` (no names: all inputs)
//!
//! Each figure is the median of 7 samples (see `median_time`). A sample codes the
//! whole sequence with a new dictionary (and decodes it with a new window), so
//! creating them is included, as it is in the README's figures. MB/s are of raw
//! 32-bit input (`W × H × 4` bytes, 1 MB = 10^6 bytes). The reference figures
//! were measured on another machine of the same kind: only large ratios mean much.
//! A last table gives per-frame speed in a long-lived dictionary (steady state).

use std::sync::Arc;

use paprika_benches::{BenchImage, GLZ_SEQUENCES, GlzSequence, QUIC_IMAGES, mb_per_s, median_time};
use paprika_codecs::glz::{GlzDictionary, GlzEncoder, GlzWindow, MAX_WINDOW_PIXELS};
use paprika_codecs::{Image, Limits, lz};

/// The README's GLZ columns: (image, bytes, encode MB/s, decode MB/s).
const REFERENCE: [(&str, u64, f64, f64); 9] = [
    ("screen_rustdoc", 61_158, 2194.0, 2215.0),
    ("screen_llvmcov", 106_610, 1682.0, 2123.0),
    ("photo_astronaut", 705_507, 196.0, 2344.0),
    ("photo_chelsea", 394_888, 191.0, 2535.0),
    ("photo_rocket", 502_134, 178.0, 1197.0),
    ("synth_gradient", 1_133_359, 229.0, 1590.0),
    ("rgba_logo", 252_813, 272.0, 1219.0),
    ("noise_256x256", 198_689, 218.0, 3150.0),
    ("seq_scroll", 236_336, 2198.0, 2331.0),
];

/// Codes `frames` with one new dictionary of `window` pixels; returns the streams.
fn encode_all(frames: &[Image], window: u64, alpha: bool) -> Vec<Vec<u8>> {
    let mut enc = GlzEncoder::new(Arc::new(GlzDictionary::new(window).expect("window")));
    let ty = if alpha { lz::ImageType::Rgba } else { lz::ImageType::Rgb32 };
    frames.iter().map(|f| enc.encode(&f.as_ref(), ty).expect("GLZ encode").0).collect()
}

/// Decodes `streams` in order with one new window; returns the last image's id.
fn decode_all(streams: &[Vec<u8>]) -> u64 {
    let mut window = GlzWindow::new(MAX_WINDOW_PIXELS, Limits::default());
    streams.iter().map(|s| window.decode(s).expect("GLZ decode").id()).last().unwrap_or(0)
}

/// One input of the table: a single image or a sequence.
struct Row {
    name: String,
    frames: Vec<Image>,
    window: u64,
    reference: Vec<u64>,
    alpha: bool,
}

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    println!(
        "| input | frames | our bytes | ref bytes | ours/ref | enc MB/s | dec MB/s | ref enc/dec MB/s | enc ours/ref | dec ours/ref |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|");
    let mut rows: Vec<Row> = Vec::new();
    for name in QUIC_IMAGES.into_iter().filter(|n| wanted(n)) {
        let img = BenchImage::load(name);
        let alpha = img.has_alpha();
        let reference = REFERENCE.iter().find(|r| r.0 == name).map_or(0, |r| r.1);
        rows.push(Row {
            name: name.to_string(),
            frames: vec![img.image],
            window: 8 << 20,
            reference: vec![reference],
            alpha,
        });
    }
    for (name, ..) in GLZ_SEQUENCES.into_iter().filter(|s| wanted(s.0)) {
        let seq = GlzSequence::load(name);
        let alpha = name == "seq_logo";
        rows.push(Row {
            name: name.to_string(),
            frames: seq.frames,
            window: seq.window,
            reference: seq.reference_bytes,
            alpha,
        });
    }
    let mut per_frame = Vec::new();
    for Row { name, frames, window, reference, alpha } in &rows {
        let streams = encode_all(frames, *window, *alpha);
        let raw: u64 = frames.iter().map(|f| u64::from(f.width()) * u64::from(f.height()) * 4).sum();
        let ours: u64 = streams.iter().map(|s| s.len() as u64).sum();
        let theirs: u64 = reference.iter().sum();
        let enc = mb_per_s(raw, median_time(|| encode_all(frames, *window, *alpha)));
        let dec = mb_per_s(raw, median_time(|| decode_all(&streams)));
        let (ref_cols, ratios) = match REFERENCE.iter().find(|r| r.0 == name) {
            Some(&(_, _, e, d)) => (format!("{e:.0} / {d:.0}"), format!("{:.2} | {:.2}", enc / e, dec / d)),
            None => ("-".to_string(), "- | -".to_string()),
        };
        println!(
            "| {name} | {} | {ours} | {theirs} | {:.3} | {enc:.0} | {dec:.0} | {ref_cols} | {ratios} |",
            frames.len(),
            ours as f64 / theirs as f64
        );
        if frames.len() > 1 {
            let list = |v: Vec<u64>| v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
            per_frame.push(format!(
                "| {name} | {} | {} |",
                list(streams.iter().map(|s| s.len() as u64).collect()),
                list(reference.clone())
            ));
        }
    }
    println!("\n| sequence | our bytes per frame | reference bytes per frame |\n|---|---|---|");
    println!("{}", per_frame.join("\n"));
    println!("\nSteady state: one long-lived dictionary, {ROUNDS} rounds of the sequence (round r with");
    println!("the blue byte XOR 37r, so rounds do not copy each other), MB/s per frame over the last half.");
    println!("`encode_into` copies each frame into the dictionary; `encode_owned` hands the frame over.");
    println!("\n| sequence | API | encode MB/s per frame |\n|---|---|---|");
    for name in ["seq_scroll", "seq_drag"].into_iter().filter(|n| wanted(n)) {
        let seq = GlzSequence::load(name);
        for owned in [false, true] {
            let rates = steady_state(&seq, owned);
            let api = if owned { "encode_owned" } else { "encode_into" };
            println!("| {name} | {api} | {} |", rates.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", "));
        }
    }
}

/// Rounds of a sequence coded in one dictionary for the steady-state table.
const ROUNDS: usize = 20;

/// Per-frame encode MB/s in a dictionary that has been in use for a while, the
/// way a server codes (its buffers recycled, its index warm).
fn steady_state(seq: &GlzSequence, owned: bool) -> Vec<f64> {
    let rounds: Vec<Vec<Image>> = (0..ROUNDS)
        .map(|r| {
            seq.frames
                .iter()
                .map(|f| {
                    let mut v = f.data().to_vec();
                    v.iter_mut().step_by(4).for_each(|b| *b ^= (r as u8).wrapping_mul(37));
                    Image::from_vec(*f.desc(), v).expect("same layout")
                })
                .collect()
        })
        .collect();
    let mut enc = GlzEncoder::new(Arc::new(GlzDictionary::new(seq.window).expect("window")));
    let mut out = Vec::new();
    let mut spent = vec![std::time::Duration::ZERO; seq.frames.len()];
    for (r, frames) in rounds.into_iter().enumerate() {
        for (k, f) in frames.into_iter().enumerate() {
            let t = std::time::Instant::now();
            if owned {
                enc.encode_owned(f, lz::ImageType::Rgb32, &mut out).expect("GLZ encode");
            } else {
                enc.encode_into(&f.as_ref(), lz::ImageType::Rgb32, &mut out).expect("GLZ encode");
            }
            if r >= ROUNDS / 2 {
                spent[k] += t.elapsed();
            }
        }
    }
    seq.frames
        .iter()
        .zip(spent)
        .map(|(f, t)| {
            let bytes = u64::from(f.width()) * u64::from(f.height()) * 4 * (ROUNDS - ROUNDS / 2) as u64;
            mb_per_s(bytes, t)
        })
        .collect()
}
