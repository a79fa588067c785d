//! Prints our JPEG encoder against libjpeg-turbo (the `turbojpeg` crate, built
//! from source here) on the same images, qualities and subsampling: bytes,
//! PSNR (of the decoded picture against the source) and encode MB/s for both,
//! as ratios, ours on one thread and on two.
//!
//! `cargo run --release -p paprika-benches --bin jpeg_table [--quick]`
//!
//! Images: a 1920x1080 desktop composed from the vectors' screenshots, the
//! vectors' photos, and the desktop scaled 2x to 3840x2160. MB/s are of the
//! raw B,G,R,X input; each figure is the median of 7 samples (`median_time`).
//! Both sides decode with libjpeg-turbo for the PSNR.

use paprika_benches::{BenchImage, desktop_1080p, mb_per_s, median_time, psnr_bgrx, upscale_2x};
use paprika_codecs::jpeg::{self, JpegOptions, Subsampling};
use paprika_codecs::{Image, PixelFormat};

fn turbo_encode(img: &Image, quality: i32, sub: Subsampling) -> Vec<u8> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let image = turbojpeg::Image {
        pixels: img.data(),
        width: w,
        pitch: img.desc().stride,
        height: h,
        format: turbojpeg::PixelFormat::BGRX,
    };
    let mut c = turbojpeg::Compressor::new().expect("libjpeg-turbo");
    c.set_quality(quality).expect("quality");
    c.set_subsamp(match sub {
        Subsampling::S420 => turbojpeg::Subsamp::Sub2x2,
        Subsampling::S444 => turbojpeg::Subsamp::None,
        Subsampling::Gray => turbojpeg::Subsamp::Gray,
    })
    .expect("subsampling");
    c.compress_to_vec(image).expect("libjpeg-turbo encode")
}

fn turbo_decode(data: &[u8]) -> Vec<u8> {
    let img: turbojpeg::Image<Vec<u8>> = turbojpeg::decompress(data, turbojpeg::PixelFormat::BGRX).expect("decode");
    img.pixels
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let desktop = desktop_1080p();
    let mut images: Vec<(String, Image)> = vec![("desktop_1920x1080".into(), desktop.clone())];
    for name in ["photo_astronaut", "photo_chelsea", "photo_rocket"] {
        let img = BenchImage::load(name).image.convert(PixelFormat::Bgrx32).expect("BGRX");
        images.push((name.into(), img));
    }
    if !quick {
        images.push(("desktop_3840x2160".into(), upscale_2x(&desktop)));
    }
    let qualities: &[u8] = if quick { &[85] } else { &[50, 75, 85, 95] };
    println!(
        "| image | q | sub | bytes ours/turbo | PSNR ours / turbo dB | MB/s ours 1t / 2t / turbo | speed 1t | speed 2t |"
    );
    println!("|---|---:|---|---:|---|---|---:|---:|");
    for (name, img) in &images {
        let raw = u64::from(img.width()) * u64::from(img.height()) * 4;
        let reference = img.to_bgrx().expect("bgrx");
        for &q in qualities {
            for sub in [Subsampling::S420, Subsampling::S444] {
                if sub == Subsampling::S444 && q != 85 {
                    continue;
                }
                let one = JpegOptions { quality: q, subsampling: sub, threads: 1, ..JpegOptions::default() };
                let two = JpegOptions { threads: 2, ..one };
                let ours = jpeg::encode(&img.as_ref(), &one).expect("our encoder");
                let turbo = turbo_encode(img, i32::from(q), sub);
                let p_ours = psnr_bgrx(&turbo_decode(&ours), &reference);
                let p_turbo = psnr_bgrx(&turbo_decode(&turbo), &reference);
                let t1 = mb_per_s(raw, median_time(|| jpeg::encode(&img.as_ref(), &one).expect("encode")));
                let t2 = mb_per_s(raw, median_time(|| jpeg::encode(&img.as_ref(), &two).expect("encode")));
                let tt = mb_per_s(raw, median_time(|| turbo_encode(img, i32::from(q), sub)));
                println!(
                    "| {name} | {q} | {} | {:.3} | {p_ours:.2} / {p_turbo:.2} | {t1:.0} / {t2:.0} / {tt:.0} | {:.2} | {:.2} |",
                    if sub == Subsampling::S420 { "4:2:0" } else { "4:4:4" },
                    ours.len() as f64 / turbo.len() as f64,
                    t1 / tt,
                    t2 / tt
                );
            }
        }
    }
}
