//! JPEG encode speed: ours on one and two threads against libjpeg-turbo (the
//! `turbojpeg` crate) in the same group, on the 1920x1080 desktop composed
//! from the vectors and a photo, quality 85 (SPICE's), 4:2:0. Throughput is
//! MB/s of raw B,G,R,X input. Sizes and PSNR: `--bin jpeg_table`.
//!
//! Run with `cargo bench -p paprika-benches --bench jpeg`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_main};
use paprika_benches::{BenchImage, desktop_1080p};
use paprika_codecs::jpeg::{self, JpegOptions};
use paprika_codecs::{Image, PixelFormat};

fn turbo(img: &Image) -> Vec<u8> {
    let image = turbojpeg::Image {
        pixels: img.data(),
        width: img.width() as usize,
        pitch: img.desc().stride,
        height: img.height() as usize,
        format: turbojpeg::PixelFormat::BGRX,
    };
    let mut c = turbojpeg::Compressor::new().expect("libjpeg-turbo");
    c.set_quality(85).expect("quality");
    c.set_subsamp(turbojpeg::Subsamp::Sub2x2).expect("subsampling");
    c.compress_to_vec(image).expect("encode")
}

fn jpeg_encode(c: &mut Criterion) {
    let images = [
        ("desktop_1920x1080", desktop_1080p()),
        ("photo_astronaut", BenchImage::load("photo_astronaut").image.convert(PixelFormat::Bgrx32).expect("BGRX")),
    ];
    let mut group = c.benchmark_group("jpeg-encode");
    group.sampling_mode(SamplingMode::Flat);
    for (name, img) in &images {
        group.throughput(Throughput::BytesDecimal(u64::from(img.width()) * u64::from(img.height()) * 4));
        for threads in [1, 2] {
            let opts = JpegOptions { threads, ..JpegOptions::default() };
            let mut out = Vec::new();
            group.bench_with_input(BenchmarkId::new(format!("paprika-{threads}t"), name), img, |b, i| {
                b.iter(|| jpeg::encode_into(black_box(&i.as_ref()), &opts, &mut out).expect("encode"))
            });
        }
        group.bench_with_input(BenchmarkId::new("libjpeg-turbo", name), img, |b, i| b.iter(|| turbo(black_box(i))));
    }
    group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    jpeg_encode(&mut c);
}

criterion_main!(benches);
