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

/// Samples per figure in the speed tables.
pub const SAMPLES: usize = 7;
/// Minimum length of one sample: short calls are repeated to fill it.
pub const MIN_SAMPLE: std::time::Duration = std::time::Duration::from_millis(20);

/// Median over [`SAMPLES`] samples of the time one call of `f` takes.
pub fn median_time<R>(mut f: impl FnMut() -> R) -> std::time::Duration {
    use std::hint::black_box;
    use std::time::{Duration, Instant};
    // Warm up, and find how many calls fill a sample.
    let start = Instant::now();
    black_box(f());
    let one = start.elapsed().max(Duration::from_nanos(1));
    let reps = (MIN_SAMPLE.as_nanos() / one.as_nanos()).clamp(1, 1_000_000) as u32;
    let mut samples: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..reps {
                black_box(f());
            }
            start.elapsed() / reps
        })
        .collect();
    samples.sort();
    samples[SAMPLES / 2]
}

/// Decimal MB/s of `bytes` processed in `t`.
pub fn mb_per_s(bytes: u64, t: std::time::Duration) -> f64 {
    bytes as f64 / t.as_secs_f64() / 1e6
}

/// A GLZ sequence of the golden vectors: frames coded with one dictionary.
pub struct GlzSequence {
    /// The sequence name, e.g. `seq_scroll`.
    pub name: &'static str,
    /// The frames, as Paprika bitmaps (BGRA for RGBA sequences, BGRX otherwise).
    pub frames: Vec<Image>,
    /// The dictionary window the reference streams were made with, in pixels.
    pub window: u64,
    /// Sizes of the reference encoder's streams, frame by frame.
    pub reference_bytes: Vec<u64>,
}

/// The multi-frame GLZ sequences: (name, input stem, frames, window in pixels).
pub const GLZ_SEQUENCES: [(&str, &str, usize, u64); 4] = [
    ("seq_scroll", "seq_scroll", 5, 8 << 20),
    ("seq_drag", "seq_drag", 6, 8 << 20),
    ("seq_drag_win2", "seq_drag", 6, 1_966_080),
    ("seq_logo", "seq_logo", 3, 8 << 20),
];

impl GlzSequence {
    /// Loads one of [`GLZ_SEQUENCES`] with the reference stream sizes.
    ///
    /// # Panics
    /// If an input PNG or reference stream is missing.
    pub fn load(name: &'static str) -> GlzSequence {
        let &(_, stem, n, window) =
            GLZ_SEQUENCES.iter().find(|s| s.0 == name).unwrap_or_else(|| panic!("unknown sequence {name}"));
        let frames = (0..n)
            .map(|k| {
                let path = inputs_dir().join(format!("{stem}_{k}.png"));
                let dynamic = image::open(&path).unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()));
                Image::from_dynamic(&dynamic)
            })
            .collect();
        let reference_bytes = (0..n)
            .map(|k| {
                let path = inputs_dir().join(format!("../glz/{name}/{k}.glz"));
                std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).len()
            })
            .collect();
        GlzSequence { name, frames, window, reference_bytes }
    }

    /// Raw 32-bit input bytes of all frames.
    pub fn raw_bytes(&self) -> u64 {
        self.frames.iter().map(|f| u64::from(f.width()) * u64::from(f.height()) * 4).sum()
    }
}

/// A 1920x1080 desktop composed from the golden-vector inputs: the two
/// screenshots side by side and below, a photo in a corner (the vectors hold no
/// 1080p screenshot; this keeps the JPEG benchmarks on screen-like content).
pub fn desktop_1080p() -> Image {
    let (w, h) = (1920usize, 1080usize);
    let mut px = vec![0x30u8; w * h * 4];
    let mut place = |name: &'static str, x0: usize, y0: usize| {
        let img = BenchImage::load(name).image.convert(paprika_codecs::PixelFormat::Bgrx32).expect("to BGRX");
        let (iw, ih) = (img.width() as usize, img.height() as usize);
        for y in 0..ih.min(h.saturating_sub(y0)) {
            let n = iw.min(w.saturating_sub(x0));
            let src = &img.data()[y * iw * 4..][..n * 4];
            px[((y0 + y) * w + x0) * 4..][..n * 4].copy_from_slice(src);
        }
    };
    place("screen_llvmcov", 0, 780);
    place("screen_llvmcov", 1280, 0);
    place("screen_rustdoc", 0, 0);
    place("photo_astronaut", 1400, 560);
    Image::from_vec(paprika_codecs::ImageDesc::packed(1920, 1080, paprika_codecs::PixelFormat::Bgrx32).unwrap(), px)
        .expect("sized")
}

/// `img` (B,G,R,X) scaled 2x with bilinear filtering: a 4K screen at 200%
/// scaling when `img` is [`desktop_1080p`].
pub fn upscale_2x(img: &Image) -> Image {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let src = img.data();
    let at = |x: usize, y: usize, c: usize| u32::from(src[(y.min(h - 1) * w + x.min(w - 1)) * 4 + c]);
    let mut out = vec![0u8; w * h * 16];
    for y in 0..2 * h {
        for x in 0..2 * w {
            // Output pixel centres fall a quarter pixel either side of source centres.
            let (sx, sy) = ((x as isize - 1).max(0) as usize / 2, (y as isize - 1).max(0) as usize / 2);
            let (fx, fy) = (if x % 2 == 1 { 1 } else { 3 }, if y % 2 == 1 { 1 } else { 3 });
            for c in 0..3 {
                let v = at(sx, sy, c) * (4 - fx) * (4 - fy)
                    + at(sx + 1, sy, c) * fx * (4 - fy)
                    + at(sx, sy + 1, c) * (4 - fx) * fy
                    + at(sx + 1, sy + 1, c) * fx * fy;
                out[(y * 2 * w + x) * 4 + c] = ((v + 8) / 16) as u8;
            }
        }
    }
    Image::from_vec(
        paprika_codecs::ImageDesc::packed(2 * w as u32, 2 * h as u32, paprika_codecs::PixelFormat::Bgrx32).unwrap(),
        out,
    )
    .expect("sized")
}

/// PSNR in dB over the B, G, R bytes of two equally sized B,G,R,X images.
pub fn psnr_bgrx(a: &[u8], b: &[u8]) -> f64 {
    let (mut sum, mut n) = (0u64, 0u64);
    for (p, q) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for c in 0..3 {
            let d = i64::from(p[c]) - i64::from(q[c]);
            sum += (d * d) as u64;
            n += 1;
        }
    }
    if sum == 0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 * n as f64 / sum as f64).log10() }
}
