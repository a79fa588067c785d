//! `paprika replay` on a recording made here through the library: it prints the
//! decisions and confirms the replay; a recording whose digest was changed fails.

use std::fs::File;
use std::process::{Command, Output};

use paprika_adapt::engine::{Engine, EngineConfig};
use paprika_adapt::network::{MS, SECOND};
use paprika_adapt::policy::policy_by_name;
use paprika_adapt::sim::{CapacityTrace, FrameSequence, SessionConfig, run_session};
use paprika_codecs::{Image, ImageDesc, PixelFormat, Rect};

/// 20 frames of a 256x192 screen: a gradient, then a text-like block pattern
/// typed in, then a photo-like noise area changing every frame.
fn frames() -> FrameSequence {
    let (w, h) = (256u32, 192u32);
    let desc = ImageDesc::packed(w, h, PixelFormat::Bgrx32).unwrap();
    let mut px: Vec<u8> = (0..w * h).flat_map(|i| [(i % w) as u8, (i / w) as u8, 128, 255]).collect();
    let mut out = Vec::new();
    let mut x = 12345u32;
    for f in 0..20u32 {
        let mut rects = vec![];
        let r = Rect::new(8 * (f % 16), 8, 8, 12);
        for y in r.y..r.y + r.height {
            for c in r.x..r.x + r.width {
                let o = 4 * (y * w + c) as usize;
                let on = (c + y + f) % 3 == 0;
                px[o..o + 3].copy_from_slice(if on { &[0, 0, 0] } else { &[255, 255, 255] });
            }
        }
        rects.push(r);
        if f >= 10 {
            let r = Rect::new(64, 64, 128, 96);
            for y in r.y..r.y + r.height {
                for c in r.x..r.x + r.width {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    let o = 4 * (y * w + c) as usize;
                    px[o..o + 3].copy_from_slice(&[(c * 2) as u8 ^ (x & 7) as u8, (y * 2) as u8, (f * 9) as u8]);
                }
            }
            rects.push(r);
        }
        let hint = if f == 0 { vec![Rect::new(0, 0, w, h)] } else { rects };
        out.push((u64::from(f) * 33 * MS, Image::from_vec(desc, px.clone()).unwrap(), Some(hint)));
    }
    FrameSequence::new(out)
}

fn paprika(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paprika")).args(args).output().expect("running paprika")
}

#[test]
fn replay_prints_decisions_and_catches_a_changed_recording() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.pprc");
    let mut engine = Engine::new(EngineConfig::new(256, 192), policy_by_name("adaptive").unwrap()).unwrap();
    engine.record_to(Box::new(File::create(&path).unwrap())).unwrap();
    let mut cfg = SessionConfig::new(CapacityTrace::fixed(2e6).unwrap());
    cfg.tail = SECOND;
    run_session(&mut engine, &mut frames(), &cfg).unwrap();
    engine.finish_recording().unwrap();

    let p = path.to_str().unwrap();
    let out = paprika(&["replay", p]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("policy adaptive, 20 frames"), "{stdout}");
    assert!(stdout.contains("every poll reproduced the recording exactly"), "{stdout}");
    // Decisions carry their codec and reason.
    assert!(stdout.lines().any(|l| l.contains("image 256x192+0+0") && l.contains(" — ")), "{stdout}");

    // The last record is a poll; its last byte is part of its digest.
    let mut bytes = std::fs::read(&path).unwrap();
    *bytes.last_mut().unwrap() ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let out = paprika(&["replay", "--quiet", p]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("1 of") && stderr.contains("polls differ"), "{stderr}");

    let out = paprika(&["replay", dir.path().join("missing").to_str().unwrap()]);
    assert!(!out.status.success());
    std::fs::write(&path, b"PPRC\x01\0\0\0").unwrap();
    let out = paprika(&["replay", p]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"), "{}", String::from_utf8_lossy(&out.stderr));
}
