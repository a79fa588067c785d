//! The engine's API contract: errors for bad frames, nothing before a frame,
//! decisions with reasons, stream reports slowing streams down, client decode
//! reports teaching the cost model.

use paprika_adapt::engine::{Engine, EngineConfig, Feedback, UpdateKind};
use paprika_adapt::network::MS;
use paprika_adapt::policy::{CodecFamily, ImageCodec, policy_by_name};
use paprika_codecs::{Image, ImageDesc, PixelFormat};

fn engine() -> Engine {
    Engine::new(EngineConfig::new(128, 64), policy_by_name("adaptive").unwrap()).unwrap()
}

fn frame(w: u32, h: u32, seed: u8) -> Image {
    let px = (0..w * h).flat_map(|i| [(i % w) as u8 ^ seed, (i / w) as u8, seed, 255]).collect();
    Image::from_vec(ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap(), px).unwrap()
}

#[test]
fn nothing_before_the_first_frame_and_bad_frames_are_refused() {
    let mut e = engine();
    assert!(e.poll(0).unwrap().is_empty());
    assert!(!e.is_converged());
    assert!(e.submit_frame(&frame(64, 64, 1).as_ref(), None, 0).is_err(), "wrong size");
    let rgb = Image::zeroed(128, 64, PixelFormat::Bgr24).unwrap();
    assert!(e.submit_frame(&rgb.as_ref(), None, 0).is_err(), "wrong pixel format");
    assert!(Engine::new(EngineConfig::new(0, 64), policy_by_name("adaptive").unwrap()).is_err());
}

#[test]
fn every_image_update_carries_its_decision() {
    let mut e = engine();
    e.submit_frame(&frame(128, 64, 1).as_ref(), None, 0).unwrap();
    let ups = e.poll(0).unwrap();
    assert!(!ups.is_empty());
    let mut covered = 0u64;
    for u in &ups {
        let UpdateKind::Image { rect, data, .. } = &u.kind else { panic!("only images for a still frame") };
        let d = u.decision.as_ref().expect("a decision record");
        assert_eq!(d.rect, *rect);
        assert_eq!(d.bytes, data.len() as u64);
        assert!(!d.reason.is_empty() && !d.codec.is_empty());
        covered += u64::from(rect.width) * u64::from(rect.height);
    }
    assert_eq!(covered, 128 * 64, "the first frame is sent whole, once");
    assert!(e.poll(MS).unwrap().is_empty(), "nothing changed since");
    // Ids are unique and increasing.
    assert!(ups.windows(2).all(|w| w[0].id < w[1].id));
}

#[test]
fn stream_reports_scale_streams_down_and_back() {
    let mut e = engine();
    assert_eq!(e.stream_scale(), 1.0);
    for _ in 0..3 {
        e.on_feedback(Feedback::StreamReport { stream: 1, shown: 10, dropped: 2, margin_ms: 40, at: 0 });
    }
    let low = e.stream_scale();
    assert!((low - 0.512).abs() < 1e-9, "{low}");
    e.on_feedback(Feedback::StreamReport { stream: 1, shown: 10, dropped: 0, margin_ms: -40, at: 0 });
    assert!(e.stream_scale() < low, "late frames back off too");
    for _ in 0..100 {
        e.on_feedback(Feedback::StreamReport { stream: 1, shown: 10, dropped: 0, margin_ms: 40, at: 0 });
    }
    assert_eq!(e.stream_scale(), 1.0);
    assert_eq!(e.stats().client_dropped_frames, 6);
}

#[test]
fn client_decode_reports_teach_the_cost_model() {
    let mut e = engine();
    e.submit_frame(&frame(128, 64, 3).as_ref(), None, 0).unwrap();
    let ups = e.poll(0).unwrap();
    let u = &ups[0];
    let d = u.decision.as_ref().unwrap();
    let family = match d.codec.as_str() {
        "glz" => CodecFamily::Glz,
        "quic" => CodecFamily::Quic,
        "lz" => CodecFamily::Lz,
        "lz4" => CodecFamily::Lz4,
        "zlib-glz" => CodecFamily::ZlibGlz,
        _ => CodecFamily::Jpeg,
    };
    let codec = match family {
        CodecFamily::Glz => ImageCodec::Glz,
        CodecFamily::Quic => ImageCodec::Quic,
        CodecFamily::Lz => ImageCodec::Lz,
        CodecFamily::Lz4 => ImageCodec::Lz4,
        CodecFamily::ZlibGlz => ImageCodec::ZlibGlz,
        CodecFamily::Jpeg => ImageCodec::Jpeg { quality: 85 },
    };
    let px = u64::from(d.rect.width) * u64::from(d.rect.height);
    let before = e.costs().predict(codec, d.class, 1_000_000).decode_us;
    for _ in 0..20 {
        // A very slow client: 200 ns a pixel.
        e.on_feedback(Feedback::Decoded { id: u.id, micros: px * 200 / 1000 });
    }
    let after = e.costs().predict(codec, d.class, 1_000_000).decode_us;
    assert!(after > 150_000.0 && after > before * 5.0, "{before} -> {after}");
    // An id the engine never sent teaches nothing.
    let e2 = e.costs().clone();
    e.on_feedback(Feedback::Decoded { id: 999_999, micros: 1 });
    assert_eq!(e.costs(), &e2);
}

/// Polls until the engine holds nothing dirty or lossy, acknowledging every
/// update at once (a fast, idle link); returns the bytes sent.
fn converge(e: &mut Engine, now: &mut u64) -> u64 {
    let mut bytes = 0;
    for _ in 0..400 {
        for u in e.poll(*now).unwrap() {
            bytes += u.wire_bytes() as u64;
            e.on_feedback(Feedback::Sent { id: u.id, bytes: u.wire_bytes() as u32, at: *now });
            e.on_feedback(Feedback::Acked { id: u.id, at: *now + 20 * MS });
        }
        *now += 10 * MS;
        if e.is_converged() {
            return bytes;
        }
    }
    panic!("no convergence");
}

#[test]
fn a_photo_that_comes_back_costs_a_few_bytes() {
    let load = |name: &str| {
        let img = image::open(format!("{}/../corpora/vectors/inputs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let rgb = img.to_rgb8();
        let mut px = vec![0u8; 320 * 256 * 4];
        for y in 0..256u32 {
            for x in 0..320u32 {
                let p = rgb.get_pixel(x, y);
                px[((y * 320 + x) * 4) as usize..][..4].copy_from_slice(&[p[2], p[1], p[0], 255]);
            }
        }
        Image::from_vec(ImageDesc::packed(320, 256, PixelFormat::Bgrx32).unwrap(), px).unwrap()
    };
    let (a, b) = (load("photo_astronaut.png"), load("photo_rocket.png"));
    let mut e = Engine::new(EngineConfig::new(320, 256), policy_by_name("adaptive").unwrap()).unwrap();
    let mut now = 0;
    e.submit_frame(&a.as_ref(), None, now).unwrap();
    let first = converge(&mut e, &mut now);
    e.submit_frame(&b.as_ref(), None, now).unwrap();
    let other = converge(&mut e, &mut now);
    e.submit_frame(&a.as_ref(), None, now).unwrap();
    let again = converge(&mut e, &mut now);
    println!("photo A {first} B, photo B {other} B, photo A again {again} B");
    assert!(other > 20_000 && first > 20_000);
    assert!(again * 10 < first, "A again cost {again} B, first {first} B");
}
