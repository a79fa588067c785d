//! BGRX to I420 (BT.601, limited range) at 1920x1080: ours as `I420Frame`
//! runs it (AVX2 when the CPU has it), the `wide` kernel alone, the scalar twin, and the `yuv` crate (which picks AVX2 or SSE4.1 at run time)
//! in the same group. Throughput is MB/s of raw B,G,R,X input.
//!
//! Run with `cargo bench -p paprika-benches --bench i420`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_main};
use paprika_benches::desktop_1080p;
use paprika_codecs::simd::yuv::{self as kernels, RowsKernel};
use paprika_codecs::video::I420Frame;
use paprika_codecs::{Image, PixelFormat, Rect};
use yuv::{BufferStoreMut, YuvConversionMode, YuvPlanarImageMut, YuvRange, YuvStandardMatrix};

/// One kernel over a whole picture, as `fill_from_bgrx` drives it.
fn convert_with(kernel: RowsKernel, img: &Image, y: &mut [u8], u: &mut [u8], v: &mut [u8]) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let cw = w.div_ceil(2);
    let r = img.as_ref();
    for pair in 0..h / 2 {
        let (top, rest) = y[2 * pair * w..].split_at_mut(w);
        let c = pair * cw..(pair + 1) * cw;
        let (t, b) = (r.row(2 * pair as u32), r.row(2 * pair as u32 + 1));
        kernel(t, b, top, &mut rest[..w], &mut u[c.clone()], &mut v[c]);
    }
}

fn i420(c: &mut Criterion) {
    let photo = paprika_benches::BenchImage::load("photo_astronaut").image.convert(PixelFormat::Bgrx32).expect("BGRX");
    let images = [("desktop_1920x1080", desktop_1080p()), ("photo_astronaut", photo)];
    let mut group = c.benchmark_group("bgrx-to-i420");
    for (name, img) in &images {
        let (w, h) = (img.width(), img.height());
        group.throughput(Throughput::BytesDecimal(u64::from(w) * u64::from(h) * 4));
        let rect = Rect::new(0, 0, w, h);
        let mut frame = I420Frame::new(w, h).expect("frame");
        group.bench_with_input(BenchmarkId::new("paprika", name), img, |b, i| {
            b.iter(|| frame.fill_from_bgrx(black_box(&i.as_ref()), rect).expect("convert"))
        });
        let (mut y, mut u, mut v) = (frame.y().to_vec(), frame.u().to_vec(), frame.v().to_vec());
        let kernels: [(&str, RowsKernel); 2] =
            [("paprika-wide", kernels::wide::i420_rows), ("paprika-scalar", kernels::scalar::i420_rows)];
        for (kernel_name, kernel) in kernels {
            group.bench_with_input(BenchmarkId::new(kernel_name, name), img, |b, i| {
                b.iter(|| convert_with(kernel, black_box(i), &mut y, &mut u, &mut v))
            });
        }
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let (mut y, mut u, mut v) =
            (vec![0u8; (w * h) as usize], vec![0u8; (cw * ch) as usize], vec![0u8; (cw * ch) as usize]);
        group.bench_with_input(BenchmarkId::new("yuv-crate", name), img, |b, i| {
            b.iter(|| {
                let mut planar = YuvPlanarImageMut {
                    y_plane: BufferStoreMut::Borrowed(&mut y),
                    y_stride: w,
                    u_plane: BufferStoreMut::Borrowed(&mut u),
                    u_stride: cw,
                    v_plane: BufferStoreMut::Borrowed(&mut v),
                    v_stride: cw,
                    width: w,
                    height: h,
                };
                yuv::bgra_to_yuv420(
                    &mut planar,
                    black_box(i.data()),
                    i.desc().stride as u32,
                    YuvRange::Limited,
                    YuvStandardMatrix::Bt601,
                    YuvConversionMode::Balanced,
                )
                .expect("yuv")
            })
        });
    }
    group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    i420(&mut c);
}

criterion_main!(benches);
