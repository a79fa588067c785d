//! Criterion benchmarks for Paprika; the benches live in `benches/`, and
//! `src/bin/quic_table.rs` prints a speed table against the reference figures.
//!
//! This library holds what both share: the benchmark images and their loaders.

use std::path::PathBuf;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ExtendedColorType, ImageEncoder, ImageFormat};
use paprika_codecs::Image;

/// The images of the reference speed table in `corpora/vectors/README.md`, in its order.
pub const QUIC_IMAGES: [&str; 8] = [
    "screen_rustdoc",
    "screen_llvmcov",
    "photo_astronaut",
    "photo_chelsea",
    "photo_rocket",
    "synth_gradient",
    "rgba_logo",
    "noise_256x256",
];

/// The directory of the golden-vector input PNGs.
pub fn inputs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpora/vectors/inputs")
}

/// One benchmark image, as read from its PNG.
pub struct BenchImage {
    /// The file stem, e.g. `photo_rocket`.
    pub name: &'static str,
    /// The picture as the `image` crate decoded it (RGB or RGBA).
    pub dynamic: DynamicImage,
    /// The same picture as a Paprika bitmap: BGRX for opaque images, BGRA for RGBA ones.
    pub image: Image,
}

impl BenchImage {
    /// Loads `inputs/NAME.png`.
    ///
    /// # Panics
    /// If the file is missing or not a PNG (the benches cannot run without it).
    pub fn load(name: &'static str) -> BenchImage {
        let path = inputs_dir().join(format!("{name}.png"));
        let dynamic = image::open(&path).unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()));
        let image = Image::from_dynamic(&dynamic);
        BenchImage { name, dynamic, image }
    }

    /// Raw 32-bit input bytes, `W × H × 4`: the unit every MB/s figure here uses.
    pub fn raw_bytes(&self) -> u64 {
        u64::from(self.image.width()) * u64::from(self.image.height()) * 4
    }

    /// Whether the picture has an alpha channel (coded as QUIC RGBA).
    pub fn has_alpha(&self) -> bool {
        self.dynamic.color().has_alpha()
    }
}

/// Encodes `img` to PNG in memory with the `image` crate's fast settings
/// (`CompressionType::Fast`, `FilterType::Adaptive`), as RGBA8 or RGB8.
///
/// # Panics
/// If the encoder fails (it cannot for an in-memory 8-bit buffer).
pub fn png_fast_encode(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive);
    let (w, h) = (img.width(), img.height());
    match img {
        DynamicImage::ImageRgba8(buf) => enc.write_image(buf, w, h, ExtendedColorType::Rgba8),
        DynamicImage::ImageRgb8(buf) => enc.write_image(buf, w, h, ExtendedColorType::Rgb8),
        other if other.color().has_alpha() => enc.write_image(&other.to_rgba8(), w, h, ExtendedColorType::Rgba8),
        other => enc.write_image(&other.to_rgb8(), w, h, ExtendedColorType::Rgb8),
    }
    .expect("PNG encoding to memory");
    out
}

/// Decodes a PNG from memory with the `image` crate.
///
/// # Panics
/// If `png` is not a valid PNG.
pub fn png_decode(png: &[u8]) -> DynamicImage {
    image::load_from_memory_with_format(png, ImageFormat::Png).expect("PNG decoding")
}
