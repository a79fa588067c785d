//! GLZ encode and decode speed on the golden-vector sequences, with peers in the
//! same groups: LZ (each frame on its own, no dictionary) and the `image` crate's
//! PNG codec (fast settings). Before measuring, it prints each sequence's bytes
//! per frame beside the reference encoder's streams in `corpora/vectors/glz/`.
//!
//! A GLZ sample codes the whole sequence with a new dictionary (decodes it with
//! a new window). Throughput is MB/s of raw 32-bit input, as in the reference
//! table of `corpora/vectors/README.md`. For per-frame speed in a long-lived
//! dictionary, see `cargo run --release -p paprika-benches --bin glz_table`.
//!
//! Run with `cargo bench -p paprika-benches --bench glz`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_main};
use image::DynamicImage;
use paprika_benches::{GLZ_SEQUENCES, GlzSequence, png_decode, png_fast_encode};
use paprika_codecs::glz::{GlzDictionary, GlzEncoder, GlzWindow, MAX_WINDOW_PIXELS};
use paprika_codecs::{Image, Limits, lz};

fn glz_type(seq: &GlzSequence) -> lz::ImageType {
    if seq.frames[0].format() == paprika_codecs::PixelFormat::Bgra32 {
        lz::ImageType::Rgba
    } else {
        lz::ImageType::Rgb32
    }
}

fn encode_sequence(seq: &GlzSequence) -> Vec<Vec<u8>> {
    let mut enc = GlzEncoder::new(Arc::new(GlzDictionary::new(seq.window).expect("window")));
    let ty = glz_type(seq);
    seq.frames.iter().map(|f| enc.encode(&f.as_ref(), ty).expect("GLZ encode").0).collect()
}

fn as_dynamic(f: &Image) -> DynamicImage {
    DynamicImage::ImageRgba8(f.to_rgba_image().expect("RGBA"))
}

fn glz(c: &mut Criterion) {
    let seqs: Vec<GlzSequence> = GLZ_SEQUENCES.iter().map(|s| GlzSequence::load(s.0)).collect();
    for seq in &seqs {
        let ours: Vec<usize> = encode_sequence(seq).iter().map(Vec::len).collect();
        eprintln!("{}: bytes per frame {ours:?}, reference {:?}", seq.name, seq.reference_bytes);
    }
    let limits = Limits::default();
    let mut enc_group = c.benchmark_group("glz-encode");
    enc_group.sampling_mode(SamplingMode::Flat);
    for seq in &seqs {
        enc_group.throughput(Throughput::BytesDecimal(seq.raw_bytes()));
        let ty = glz_type(seq);
        enc_group.bench_with_input(BenchmarkId::new("paprika-glz", seq.name), seq, |b, s| {
            b.iter(|| encode_sequence(black_box(s)))
        });
        let mut out = Vec::new();
        enc_group.bench_with_input(BenchmarkId::new("paprika-lz", seq.name), seq, |b, s| {
            b.iter(|| {
                s.frames
                    .iter()
                    .map(|f| lz::encode_into(&f.as_ref(), ty, &mut out).map(|_| out.len()))
                    .sum::<Result<usize, _>>()
            })
        });
        let dynamics: Vec<DynamicImage> = seq.frames.iter().map(as_dynamic).collect();
        enc_group.bench_with_input(BenchmarkId::new("png-fast", seq.name), &dynamics, |b, d| {
            b.iter(|| d.iter().map(|f| png_fast_encode(black_box(f)).len()).sum::<usize>())
        });
    }
    enc_group.finish();
    let mut dec_group = c.benchmark_group("glz-decode");
    dec_group.sampling_mode(SamplingMode::Flat);
    for seq in &seqs {
        dec_group.throughput(Throughput::BytesDecimal(seq.raw_bytes()));
        let streams = encode_sequence(seq);
        dec_group.bench_with_input(BenchmarkId::new("paprika-glz", seq.name), &streams, |b, s| {
            b.iter(|| {
                let mut w = GlzWindow::new(MAX_WINDOW_PIXELS, limits);
                s.iter().map(|x| w.decode(black_box(x)).expect("GLZ decode").id()).sum::<u64>()
            })
        });
        let ty = glz_type(seq);
        let lz_streams: Vec<Vec<u8>> = seq.frames.iter().map(|f| lz::encode(&f.as_ref(), ty).expect("LZ")).collect();
        dec_group.bench_with_input(BenchmarkId::new("paprika-lz", seq.name), &lz_streams, |b, s| {
            b.iter(|| {
                s.iter().map(|x| lz::decode(black_box(x), None, &limits).expect("LZ decode").width()).sum::<u32>()
            })
        });
        let pngs: Vec<Vec<u8>> = seq.frames.iter().map(|f| png_fast_encode(&as_dynamic(f))).collect();
        dec_group.bench_with_input(BenchmarkId::new("png-fast", seq.name), &pngs, |b, p| {
            b.iter(|| p.iter().map(|x| png_decode(black_box(x)).width()).sum::<u32>())
        });
    }
    dec_group.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    glz(&mut c);
}

criterion_main!(benches);
