//! End-to-end tests of `paprika stream`: PNG frames from the committed Big Buck
//! Bunny sample through H.264 and MJPEG files, the summary's figures checked
//! against the files themselves.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use paprika_codecs::Limits;
use paprika_codecs::video::H264Decoder;

/// Writes the first `n` frames of the committed 640x360 sample as PNGs into `dir`.
fn frames(dir: &Path, n: usize) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpora/video/bbb_640x360.h264");
    let stream = std::fs::read(sample).unwrap();
    let decoded = H264Decoder::new(&Limits::default()).unwrap().decode_stream(&stream).unwrap();
    let out = dir.join("frames");
    std::fs::create_dir(&out).unwrap();
    for (i, f) in decoded.iter().take(n).enumerate() {
        let bgrx = f.to_bgrx();
        let rgb = image::RgbImage::from_fn(f.width(), f.height(), |x, y| {
            let o = 4 * (y * f.width() + x) as usize;
            image::Rgb([bgrx[o + 2], bgrx[o + 1], bgrx[o]])
        });
        rgb.save(out.join(format!("{i:04}.png"))).unwrap();
    }
    out
}

fn paprika(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paprika")).args(args).current_dir(dir).output().expect("running paprika")
}

/// The number after `key` on the summary line starting with `line`.
fn figure(stdout: &str, line: &str, key: &str) -> f64 {
    let l = stdout.lines().find(|l| l.starts_with(line)).unwrap_or_else(|| panic!("no {line} line in:\n{stdout}"));
    let rest = &l[l.find(key).unwrap_or_else(|| panic!("no {key} in {l}")) + key.len()..];
    let num: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    num.parse().unwrap_or_else(|_| panic!("no number after {key} in {l}"))
}

#[test]
fn h264_stream_of_png_frames() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = frames(tmp.path(), 40);
    let out = paprika(
        tmp.path(),
        &[
            "stream",
            "--codec",
            "h264",
            "--bitrate",
            "800k",
            "--fps",
            "25",
            "--threads",
            "2",
            dir.to_str().unwrap(),
            "-o",
            "out.h264",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    // The file holds the frames the summary counts, decodable from the start.
    let data = std::fs::read(tmp.path().join("out.h264")).unwrap();
    let decoded = H264Decoder::new(&Limits::default()).unwrap().decode_stream(&data).unwrap();
    let skipped = figure(&stdout, "frames:", "key, ") as usize;
    assert_eq!(decoded.len() + skipped, 40, "{stdout}");
    assert_eq!(figure(&stdout, "bytes:", "bytes:") as usize, data.len());
    let achieved = figure(&stdout, "bitrate:", "bitrate:");
    assert!((data.len() as f64 * 8.0 * 25.0 / 40.0 / 1000.0 - achieved).abs() < 1.0, "{stdout}");
    assert!(figure(&stdout, "quality:", "PSNR") > 30.0, "{stdout}");
    assert!(figure(&stdout, "quality:", "SSIM") > 0.85, "{stdout}");
}

#[test]
fn mjpeg_stream_keeps_the_frame_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = frames(tmp.path(), 12);
    // 4 Mbit/s at 25 fps: 20,000 bytes a frame, below the q70 start: the CLI
    // controller drops frames and steps the quality down until they fit.
    let out = paprika(
        tmp.path(),
        &["stream", "--codec", "mjpeg", "--bitrate", "4M", "--fps", "25", dir.to_str().unwrap(), "-o", "out.mjpeg"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let data = std::fs::read(tmp.path().join("out.mjpeg")).unwrap();
    // Concatenated JPEGs: split at each SOI, every one decodes and fits the budget.
    let starts: Vec<usize> =
        (0..data.len().saturating_sub(2)).filter(|&i| data[i..i + 3] == [0xff, 0xd8, 0xff]).collect();
    assert!(starts.len() >= 6, "{stdout}");
    let skipped = figure(&stdout, "frames:", "key, ") as usize;
    assert_eq!(starts.len() + skipped, 12, "{stdout}");
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(data.len());
        assert!(end - s <= 20_000, "frame {k}: {} bytes", end - s);
        paprika_codecs::jpeg::decode(&data[s..end], &Limits::default()).unwrap();
    }
}

#[test]
fn bad_arguments_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = frames(tmp.path(), 2);
    let odd = tmp.path().join("odd.png");
    image::RgbImage::new(64, 48).save(&odd).unwrap();
    let first = dir.join("0000.png");
    let cases: [(&[&str], &str); 3] = [
        (&["stream", "--bitrate", "fast", first.to_str().unwrap(), "-o", "x"], "not a bitrate"),
        (&["stream", first.to_str().unwrap(), odd.to_str().unwrap(), "-o", "x.h264"], "the stream is 640x360"),
        (&["stream", "empty-dir-does-not-exist", "-o", "x.h264"], "empty-dir-does-not-exist"),
    ];
    for (args, needle) in cases {
        let out = paprika(tmp.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(needle), "{args:?}: stderr lacks {needle:?}:\n{stderr}");
    }
}
