//! PSNR and SSIM of a 1920x1080 frame pair (the desktop composed from the
//! vectors against its JPEG at quality 85, 4:2:0): ours on the `wide` kernels,
//! the same pipelines on their scalar twins, and for SSIM a naive per-window
//! reference (each 7x7 window summed afresh) in the same group. The planes are
//! the frame's luma rounded to 8 bits. Throughput is MB/s of one frame's raw
//! B,G,R,X bytes (or plane bytes).
//!
//! Run with `cargo bench -p paprika-benches --bench metrics`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_main};
use paprika_benches::desktop_1080p;
use paprika_codecs::jpeg::{self, JpegOptions};
use paprika_codecs::metrics::{self, internals};
use paprika_codecs::simd::metrics::{Scalar, Wide};
use paprika_codecs::{Image, ImageRef, Limits, PixelFormat};

/// SSIM straight from the definition, one window at a time: 49 pixels read for
/// each of the five sums of every window.
fn naive_ssim(a: &ImageRef<'_>, b: &ImageRef<'_>) -> f64 {
    let (w, h) = (a.width() as usize, a.height() as usize);
    let luma = |img: &ImageRef<'_>| -> Vec<f64> {
        (0..img.height())
            .flat_map(|y| {
                img.row(y)
                    .chunks_exact(4)
                    .map(|p| 0.299 * f64::from(p[2]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[0]))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (x, y) = (luma(a), luma(b));
    let (c1, c2, n) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2), 49.0);
    let mut total = 0.0;
    for top in 0..=h - 7 {
        for left in 0..=w - 7 {
            let mut s = [0.0f64; 5];
            for r in top..top + 7 {
                for i in r * w + left..r * w + left + 7 {
                    let (p, q) = (x[i], y[i]);
                    s[0] += p;
                    s[1] += q;
                    s[2] += p * p;
                    s[3] += q * q;
                    s[4] += p * q;
                }
            }
            let (mx, my) = (s[0] / n, s[1] / n);
            let cov = n / (n - 1.0);
            let (vx, vy, vxy) = (cov * (s[2] / n - mx * mx), cov * (s[3] / n - my * my), cov * (s[4] / n - mx * my));
            total += (2.0 * mx * my + c1) * (2.0 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        }
    }
    total / ((w - 6) * (h - 6)) as f64
}

/// 8-bit luma plane of a packed BGRX image.
fn luma_plane(img: &Image) -> Vec<u8> {
    img.data()
        .chunks_exact(4)
        .map(|p| ((299 * u32::from(p[2]) + 587 * u32::from(p[1]) + 114 * u32::from(p[0]) + 500) / 1000) as u8)
        .collect()
}

fn bench_metrics(c: &mut Criterion) {
    let a = desktop_1080p();
    let opts = JpegOptions { quality: 85, ..JpegOptions::default() };
    let coded = jpeg::encode(&a.as_ref(), &opts).expect("encode");
    let b = jpeg::decode(&coded, &Limits::default()).expect("decode").convert(PixelFormat::Bgrx32).expect("BGRX");
    let (ra, rb) = (a.as_ref(), b.as_ref());
    let (w, h) = (a.width() as usize, a.height() as usize);
    let (pa, pb) = (luma_plane(&a), luma_plane(&b));
    let p = metrics::psnr_bgrx(&ra, &rb).expect("psnr");
    let s = metrics::ssim_bgrx(&ra, &rb).expect("ssim");
    println!("desktop 1920x1080 vs its JPEG q85: PSNR {p:?}, SSIM {s}, naive SSIM {}", naive_ssim(&ra, &rb));

    let mut group = c.benchmark_group("metrics");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    let name = "desktop_1920x1080";
    group.throughput(Throughput::BytesDecimal((w * h * 4) as u64));
    group.bench_function(BenchmarkId::new("psnr-bgrx/paprika", name), |t| {
        t.iter(|| metrics::psnr_bgrx(black_box(&ra), black_box(&rb)).expect("psnr"))
    });
    group.bench_function(BenchmarkId::new("psnr-bgrx/paprika-scalar", name), |t| {
        t.iter(|| internals::psnr_bgrx::<Scalar>(black_box(&ra), black_box(&rb)).expect("psnr"))
    });
    group.bench_function(BenchmarkId::new("ssim-bgrx/paprika", name), |t| {
        t.iter(|| internals::ssim_bgrx::<Wide>(black_box(&ra), black_box(&rb)).expect("ssim"))
    });
    group.bench_function(BenchmarkId::new("ssim-bgrx/paprika-scalar", name), |t| {
        t.iter(|| internals::ssim_bgrx::<Scalar>(black_box(&ra), black_box(&rb)).expect("ssim"))
    });
    group.bench_function(BenchmarkId::new("psnr+ssim-bgrx/paprika", name), |t| {
        t.iter(|| {
            let p = metrics::psnr_bgrx(black_box(&ra), black_box(&rb)).expect("psnr");
            (p, metrics::ssim_bgrx(black_box(&ra), black_box(&rb)).expect("ssim"))
        })
    });
    group.throughput(Throughput::BytesDecimal((w * h) as u64));
    group.bench_function(BenchmarkId::new("psnr-plane/paprika", name), |t| {
        t.iter(|| metrics::psnr_plane(black_box(&pa), black_box(&pb), w, h, w, w).expect("psnr"))
    });
    group.bench_function(BenchmarkId::new("psnr-plane/paprika-scalar", name), |t| {
        t.iter(|| internals::psnr_plane::<Scalar>(black_box(&pa), black_box(&pb), w, h, w, w).expect("psnr"))
    });
    group.bench_function(BenchmarkId::new("ssim-plane/paprika", name), |t| {
        t.iter(|| metrics::ssim_plane(black_box(&pa), black_box(&pb), w, h, w, w).expect("ssim"))
    });
    group.bench_function(BenchmarkId::new("ssim-plane/paprika-scalar", name), |t| {
        t.iter(|| internals::ssim_plane::<Scalar>(black_box(&pa), black_box(&pb), w, h, w, w).expect("ssim"))
    });
    group.sample_size(10);
    group.throughput(Throughput::BytesDecimal((w * h * 4) as u64));
    group.bench_function(BenchmarkId::new("ssim-bgrx/naive-per-window", name), |t| {
        t.iter(|| naive_ssim(black_box(&ra), black_box(&rb)))
    });
    group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench_metrics(&mut c);
}

criterion_main!(benches);
