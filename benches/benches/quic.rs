//! QUIC encode and decode speed on the golden-vector images, with the `image`
//! crate's PNG codec (fast settings) as a peer in the same groups.
//!
//! Throughput is MB/s of raw 32-bit input (`W × H × 4` bytes, decimal MB so criterion
//! prints MB/s rather than MiB/s), the unit of the reference table in
//! `corpora/vectors/README.md`.
//!
//! Run with `cargo bench -p paprika-benches --bench quic`; filter with e.g.
//! `-- 'quic-encode/paprika'` or `-- photo_`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_main};
use paprika_benches::{BenchImage, QUIC_IMAGES, png_decode, png_fast_encode};
use paprika_codecs::{Limits, quic};

fn quic_encode(c: &mut Criterion) {
    let images: Vec<BenchImage> = QUIC_IMAGES.iter().map(|n| BenchImage::load(n)).collect();
    let mut group = c.benchmark_group("quic-encode");
    group.sampling_mode(SamplingMode::Flat);
    for img in &images {
        group.throughput(Throughput::BytesDecimal(img.raw_bytes()));
        let bitmap = img.image.as_ref();
        group.bench_with_input(BenchmarkId::new("paprika", img.name), &bitmap, |b, bm| {
            b.iter(|| quic::encode_auto(black_box(bm)).expect("QUIC encode"));
        });
        group.bench_with_input(BenchmarkId::new("png-fast", img.name), &img.dynamic, |b, dynamic| {
            b.iter(|| png_fast_encode(black_box(dynamic)))
        });
    }
    group.finish();
}

fn quic_decode(c: &mut Criterion) {
    let images: Vec<BenchImage> = QUIC_IMAGES.iter().map(|n| BenchImage::load(n)).collect();
    let limits = Limits::default();
    let mut group = c.benchmark_group("quic-decode");
    group.sampling_mode(SamplingMode::Flat);
    for img in &images {
        group.throughput(Throughput::BytesDecimal(img.raw_bytes()));
        let stream = quic::encode_auto(&img.image.as_ref()).expect("QUIC encode");
        group.bench_with_input(BenchmarkId::new("paprika", img.name), &stream, |b, s| {
            b.iter(|| quic::decode(black_box(s), &limits).expect("QUIC decode"));
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
    quic_encode(&mut criterion);
    quic_decode(&mut criterion);
}

criterion_main!(benches);
