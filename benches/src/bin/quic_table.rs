//! Prints a markdown table of Paprika's QUIC speed and size against the reference
//! figures of `corpora/vectors/README.md` (spice-common `quic.c`, `-O2`).
//!
//! `cargo run --release -p paprika-benches --bin quic_table [NAME...]` (no names: all images)
//!
//! Each figure is the median of 7 samples; a sample repeats the call until it has
//! run for at least 20 ms and takes the mean per call. MB/s are of raw 32-bit input
//! (`W × H × 4` bytes, 1 MB = 10^6 bytes). The reference figures were measured on another
//! machine of the same kind, so only large ratios mean much; compare against the C codec
//! built on this machine for a tight comparison.
//!
//! With `PAPRIKA_DUMP_RAW=DIR` set, also writes for each image `DIR/NAME.raw` (the
//! encoder's input: B,G,R,X or B,G,R,A bytes, top-down, stride `W × 4`), `DIR/NAME.quic`
//! (our stream) and `DIR/list.txt` (lines `NAME W H rgb32|rgba`), for external harnesses.

use std::fmt::Write as _;
use std::path::PathBuf;

use paprika_benches::{BenchImage, QUIC_IMAGES, mb_per_s, median_time};
use paprika_codecs::{Limits, quic};

/// `corpora/vectors/README.md`, "Reference speed and size on this machine kind", QUIC
/// columns: (image, bytes, encode MB/s, decode MB/s).
const REFERENCE: [(&str, u64, f64, f64); 8] = [
    ("screen_rustdoc", 142_640, 2004.0, 1850.0),
    ("screen_llvmcov", 311_136, 1186.0, 998.0),
    ("photo_astronaut", 414_388, 251.0, 208.0),
    ("photo_chelsea", 224_900, 216.0, 178.0),
    ("photo_rocket", 336_104, 218.0, 180.0),
    ("synth_gradient", 385_648, 364.0, 246.0),
    ("rgba_logo", 170_704, 297.0, 245.0),
    ("noise_256x256", 196_676, 301.0, 112.0),
];

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    let dump = std::env::var_os("PAPRIKA_DUMP_RAW").map(PathBuf::from);
    let mut list = String::new();
    let limits = Limits::default();
    let golden_dir = paprika_benches::inputs_dir().join("../quic");

    println!(
        "| image | WxH | our bytes | ref bytes | golden | enc MB/s | dec MB/s | ref enc/dec MB/s | enc ours/ref | dec ours/ref |"
    );
    println!("|---|---|---:|---:|---|---:|---:|---|---:|---:|");
    for (name, &(ref_name, ref_bytes, ref_enc, ref_dec)) in QUIC_IMAGES.iter().zip(&REFERENCE) {
        assert_eq!(*name, ref_name, "reference table out of step with QUIC_IMAGES");
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let img = BenchImage::load(name);
        let bitmap = img.image.as_ref();
        let (w, h) = (img.image.width(), img.image.height());
        let ty = if img.has_alpha() { "rgba" } else { "rgb32" };

        let stream = quic::encode_auto(&bitmap).expect("QUIC encode");
        let back = quic::decode(&stream, &limits).expect("QUIC decode");
        assert_eq!(back.data(), img.image.data(), "{name}: round trip differs");
        let golden = match std::fs::read(golden_dir.join(format!("{name}.{ty}.quic"))) {
            Ok(g) if g == stream => "same",
            Ok(_) => "DIFFERS",
            Err(_) => "missing",
        };

        let enc = median_time(|| quic::encode_auto(&bitmap).expect("QUIC encode"));
        let dec = median_time(|| quic::decode(&stream, &limits).expect("QUIC decode"));
        let (enc, dec) = (mb_per_s(img.raw_bytes(), enc), mb_per_s(img.raw_bytes(), dec));
        let label = if img.has_alpha() { format!("{name} (RGBA)") } else { name.to_string() };
        println!(
            "| {label} | {w}x{h} | {} | {} | {golden} | {enc:.0} | {dec:.0} | {:.0} / {:.0} | {:.2} | {:.2} |",
            stream.len(),
            ref_bytes,
            ref_enc,
            ref_dec,
            enc / ref_enc,
            dec / ref_dec,
        );

        if let Some(dir) = &dump {
            std::fs::create_dir_all(dir).expect("create PAPRIKA_DUMP_RAW directory");
            std::fs::write(dir.join(format!("{name}.raw")), img.image.data()).expect("write raw");
            std::fs::write(dir.join(format!("{name}.quic")), &stream).expect("write stream");
            let _ = writeln!(list, "{name} {w} {h} {ty}");
        }
    }
    if let Some(dir) = &dump {
        std::fs::write(dir.join("list.txt"), list).expect("write list.txt");
        eprintln!("wrote raw inputs and streams to {}", dir.display());
    }
}
