//! LZ encode and decode speed on the golden-vector images, with the `image`
//! crate's PNG codec (fast settings) as a peer in the same groups.
//!
//! Opaque images are coded as LZ RGB32, `rgba_logo` as LZ RGBA. Throughput is
//! MB/s of raw 32-bit input (`W × H × 4` bytes, decimal MB), the unit of the
//! reference table in `corpora/vectors/README.md`.
//!
//! Run with `cargo bench -p paprika-benches --bench lz`; filter with e.g.
//! `-- 'lz-encode/paprika'` or `-- photo_`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_main};
use paprika_benches::{BenchImage, QUIC_IMAGES, png_decode, png_fast_encode};
use paprika_codecs::{Limits, lz};

/// The LZ type a bench image is coded as.
fn lz_type(img: &BenchImage) -> lz::ImageType {
    if img.has_alpha() { lz::ImageType::Rgba } else { lz::ImageType::Rgb32 }
}

fn lz_encode(c: &mut Criterion) {
    let images: Vec<BenchImage> = QUIC_IMAGES.iter().map(|n| BenchImage::load(n)).collect();
    let mut group = c.benchmark_group("lz-encode");
    group.sampling_mode(SamplingMode::Flat);
    for img in &images {
        group.throughput(Throughput::BytesDecimal(img.raw_bytes()));
        let bitmap = img.image.as_ref();
        let ty = lz_type(img);
        // A server reuses its output buffer frame after frame.
        let mut out = Vec::new();
        group.bench_with_input(BenchmarkId::new("paprika", img.name), &bitmap, |b, bm| {
            b.iter(|| lz::encode_into(black_box(bm), ty, &mut out).expect("LZ encode"));
        });
        group.bench_with_input(BenchmarkId::new("png-fast", img.name), &img.dynamic, |b, dynamic| {
            b.iter(|| png_fast_encode(black_box(dynamic)))
        });
    }
    group.finish();
}

fn lz_decode(c: &mut Criterion) {
    let images: Vec<BenchImage> = QUIC_IMAGES.iter().map(|n| BenchImage::load(n)).collect();
    let limits = Limits::default();
    let mut group = c.benchmark_group("lz-decode");
    group.sampling_mode(SamplingMode::Flat);
    for img in &images {
        group.throughput(Throughput::BytesDecimal(img.raw_bytes()));
        let stream = lz::encode(&img.image.as_ref(), lz_type(img)).expect("LZ encode");
        group.bench_with_input(BenchmarkId::new("paprika", img.name), &stream, |b, s| {
            b.iter(|| lz::decode(black_box(s), None, &limits).expect("LZ decode"));
        });
        let png = png_fast_encode(&img.dynamic);
        group.bench_with_input(BenchmarkId::new("png-fast", img.name), &png, |b, p| {
            b.iter(|| png_decode(black_box(p)));
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
}

/// The group `criterion_group!` would generate, written out so it can carry a doc comment.
pub fn benches() {
    let mut criterion = config().configure_from_args();
    lz_encode(&mut criterion);
    lz_decode(&mut criterion);
}

criterion_main!(benches);
