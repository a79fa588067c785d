//! Prints a markdown table of Paprika's LZ size and speed against the reference
//! figures of `corpora/vectors/README.md` (spice-common `lz.c`, `-O2`) and the
//! reference streams in `corpora/vectors/lz/`.
//!
//! `cargo run --release -p paprika-benches --bin lz_table [NAME...]` (no names: all images)
//!
//! Opaque images are coded as LZ RGB32, `rgba_logo` as LZ RGBA. Each figure is the
//! median of 7 samples; a sample repeats the call until it has run for at least
//! 20 ms and takes the mean per call. MB/s are of raw 32-bit input (`W × H × 4`
//! bytes, 1 MB = 10^6 bytes). The reference figures were measured on another
//! machine of the same kind, so only large ratios mean much; compare against the C
//! codec built on this machine for a tight comparison.

use paprika_benches::{BenchImage, QUIC_IMAGES, mb_per_s, median_time};
use paprika_codecs::{Limits, lz};

/// `corpora/vectors/README.md`, "Reference speed and size on this machine kind", LZ
/// columns: (image, bytes, encode MB/s, decode MB/s).
const REFERENCE: [(&str, u64, f64, f64); 8] = [
    ("screen_rustdoc", 60_918, 2632.0, 6904.0),
    ("screen_llvmcov", 127_165, 1783.0, 4684.0),
    ("photo_astronaut", 707_136, 423.0, 1155.0),
    ("photo_chelsea", 395_447, 386.0, 1078.0),
    ("photo_rocket", 483_991, 349.0, 1147.0),
    ("synth_gradient", 1_022_402, 530.0, 1984.0),
    ("rgba_logo", 265_539, 385.0, 1455.0),
    ("noise_256x256", 198_684, 432.0, 1040.0),
];

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    let limits = Limits::default();
    let golden_dir = paprika_benches::inputs_dir().join("../lz");

    println!(
        "| image | WxH | our bytes | ref bytes | ours/ref | golden .lz | enc MB/s | dec MB/s | ref enc/dec MB/s | enc ours/ref | dec ours/ref |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|");
    for (name, &(ref_name, ref_bytes, ref_enc, ref_dec)) in QUIC_IMAGES.iter().zip(&REFERENCE) {
        assert_eq!(*name, ref_name, "reference table out of step with QUIC_IMAGES");
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let img = BenchImage::load(name);
        let bitmap = img.image.as_ref();
        let (w, h) = (img.image.width(), img.image.height());
        let ty = if img.has_alpha() { lz::ImageType::Rgba } else { lz::ImageType::Rgb32 };

        let mut stream = Vec::new();
        lz::encode_into(&bitmap, ty, &mut stream).expect("LZ encode");
        let back = lz::decode(&stream, None, &limits).expect("LZ decode");
        assert_eq!(back.to_bgrx().ok(), img.image.to_bgrx().ok(), "{name}: round trip differs");
        let golden = match std::fs::read(golden_dir.join(format!("{name}.{}.lz", ty.name()))) {
            Ok(g) => g.len().to_string(),
            Err(_) => "missing".to_string(),
        };

        let enc = median_time(|| lz::encode_into(&bitmap, ty, &mut stream).expect("LZ encode"));
        let dec = median_time(|| lz::decode(&stream, None, &limits).expect("LZ decode"));
        let (enc, dec) = (mb_per_s(img.raw_bytes(), enc), mb_per_s(img.raw_bytes(), dec));
        let label = if img.has_alpha() { format!("{name} (RGBA)") } else { name.to_string() };
        println!(
            "| {label} | {w}x{h} | {} | {ref_bytes} | {:.3} | {golden} | {enc:.0} | {dec:.0} | {ref_enc:.0} / {ref_dec:.0} | {:.2} | {:.2} |",
            stream.len(),
            stream.len() as f64 / ref_bytes as f64,
            enc / ref_enc,
            dec / ref_dec,
        );
    }
}
