//! The engine in closed loop: a screen with typing, a photo slideshow and a
//! panning "video" window, sent over emulated links with every policy. After the
//! source stops, the client's screen must equal the source exactly (the lossless
//! refresh guarantee), with no update the client cannot apply.

use paprika_adapt::engine::{Engine, EngineConfig};
use paprika_adapt::network::{MS, Micros, SECOND};
use paprika_adapt::policy::{POLICY_NAMES, policy_by_name};
use paprika_adapt::sim::{CapacityTrace, FrameSequence, SessionConfig, SessionReport, run_session};
use paprika_codecs::{Image, ImageDesc, PixelFormat, Rect};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn load(path: &str) -> (u32, u32, Vec<u8>) {
    let img = image::open(format!("{ROOT}/{path}")).expect("test picture").to_rgba8();
    let (w, h) = img.dimensions();
    let bgrx = img.pixels().flat_map(|p| [p[2], p[1], p[0], 255]).collect();
    (w, h, bgrx)
}

/// Copies `w` x `h` pixels from (`sx`, `sy`) of `src` (stride `sw` pixels) to (`dx`, `dy`) of `dst`.
#[allow(clippy::too_many_arguments)]
fn blit(dst: &mut [u8], dw: u32, dx: u32, dy: u32, src: &[u8], sw: u32, sx: u32, sy: u32, w: u32, h: u32) {
    for y in 0..h {
        let d = (((dy + y) * dw + dx) * 4) as usize;
        let s = (((sy + y) * sw + sx) * 4) as usize;
        dst[d..d + w as usize * 4].copy_from_slice(&src[s..s + w as usize * 4]);
    }
}

/// 3 s at 30 fps on a 640x448 terminal: a character typed every 100 ms, a photo
/// replaced at 1 s, a 192x128 window panning over a photo from 1.5 s on.
fn scene() -> FrameSequence {
    let (w, h, base) = load("corpora/classify/screen_terminal.png");
    let (cw, _, chelsea) = load("corpora/vectors/inputs/photo_chelsea.png");
    let (rw, _, rocket) = load("corpora/vectors/inputs/photo_rocket.png");
    let (aw, _, astro) = load("corpora/vectors/inputs/photo_astronaut.png");
    let mut screen = base.clone();
    blit(&mut screen, w, 352, 224, &chelsea, cw, 60, 40, 256, 192);
    let mut frames = Vec::new();
    let desc = ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap();
    for f in 0..90u32 {
        let t = Micros::from(f) * SECOND / 30;
        let mut rects = Vec::new();
        if f > 0 && f % 3 == 0 {
            // Typing: a glyph cell from the screenshot's text lands on the prompt line.
            let k = f / 3;
            let (dx, dy) = (8 + (k % 60) * 8, 400);
            blit(&mut screen, w, dx, dy, &base, w, 16 + (k * 8) % 400, 40 + (k % 5) * 16, 8, 16);
            rects.push(Rect::new(dx, dy, 8, 16));
        }
        if f == 30 {
            blit(&mut screen, w, 352, 224, &rocket, rw, 200, 100, 256, 192);
            rects.push(Rect::new(352, 224, 256, 192));
        }
        if f >= 45 {
            let pan = (f - 45) * 4;
            blit(&mut screen, w, 32, 192, &astro, aw, 100 + pan, 150 + pan / 2, 192, 128);
            rects.push(Rect::new(32, 192, 192, 128));
        }
        let hint = if f == 0 { vec![Rect::new(0, 0, w, h)] } else { rects };
        frames.push((t, Image::from_vec(desc, screen.clone()).unwrap(), Some(hint)));
    }
    FrameSequence::new(frames)
}

fn run(policy: &str, trace: CapacityTrace, tail: Micros) -> (SessionReport, bool) {
    let mut source = scene();
    let mut engine = Engine::new(EngineConfig::new(640, 448), policy_by_name(policy).unwrap()).unwrap();
    let mut cfg = SessionConfig::new(trace);
    cfg.tail = tail;
    cfg.ssim_interval = 10 * SECOND;
    let report = run_session(&mut engine, &mut source, &cfg).unwrap();
    (report, engine.is_converged())
}

fn check(policy: &str, label: &str, r: &SessionReport, converged: bool) {
    let lat = {
        let mut l = r.latencies.clone();
        l.sort_unstable();
        l.get(l.len() * 95 / 100).copied().unwrap_or(0)
    };
    println!(
        "{label:>12} {policy:>16}: {:>8} B sent, util {:.2}, p95 latency {:>4} ms, lossless {:?} ms after the end, {} streams, {} lossy, {} refreshes",
        r.bytes_sent,
        r.utilisation(),
        lat / MS,
        r.time_to_lossless.map(|t| t / MS),
        r.engine.streams_created,
        r.engine.lossy_images,
        r.engine.refreshes
    );
    assert_eq!(r.client_errors, 0, "{policy} on {label}: the client could not apply an update");
    assert!(r.time_to_lossless.is_some(), "{policy} on {label}: the client never equalled the source");
    assert!(converged, "{policy} on {label}: the engine still holds lossy or dirty tiles");
    assert_eq!(r.unserved_changes, 0, "{policy} on {label}: changes never shown");
    assert!(!r.latencies.is_empty());
}

#[test]
fn every_policy_converges_on_a_fast_link() {
    for policy in POLICY_NAMES {
        let (r, c) = run(policy, CapacityTrace::fixed(20e6).unwrap(), 3 * SECOND);
        check(policy, "20 Mbit/s", &r, c);
    }
}

#[test]
fn every_policy_converges_on_a_slow_link() {
    for policy in POLICY_NAMES {
        let (r, c) = run(policy, CapacityTrace::fixed(1e6).unwrap(), 8 * SECOND);
        check(policy, "1 Mbit/s", &r, c);
    }
}

#[test]
fn every_policy_converges_through_a_capacity_drop() {
    for policy in POLICY_NAMES {
        let (r, c) = run(policy, CapacityTrace::steps(&[(1000, 20e6), (10_000, 1.5e6)]).unwrap(), 8 * SECOND);
        check(policy, "20 -> 1.5", &r, c);
    }
}

#[test]
fn adaptive_streams_the_video_and_sends_text_losslessly() {
    let (r, _) = run("adaptive", CapacityTrace::fixed(20e6).unwrap(), 3 * SECOND);
    assert!(r.engine.streams_created >= 1, "the panning window became a stream");
    assert!(r.engine.stream_frames >= 10, "{} stream frames", r.engine.stream_frames);
    let (slow, _) = run("adaptive", CapacityTrace::fixed(1e6).unwrap(), 8 * SECOND);
    assert!(slow.engine.lossy_images >= 1, "on 1 Mbit/s the photos go lossy first");
    assert!(slow.engine.refreshes >= 1, "and are refreshed losslessly");
}
