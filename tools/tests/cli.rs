//! End-to-end tests of the `paprika` binary against the golden vectors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

/// The golden-vector directory, `corpora/vectors`.
fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpora/vectors")
}

/// Runs `paprika` with `args` in `dir`, without `PAPRIKA_CORPORA` set.
fn paprika(dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paprika"))
        .args(args)
        .current_dir(dir)
        .env_remove("PAPRIKA_CORPORA")
        .output()
        .expect("running paprika")
}

/// Runs `paprika` and asserts that it succeeded.
fn ok(dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    let out = paprika(dir, args);
    assert!(
        out.status.success(),
        "paprika {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `paprika` and asserts that it failed with `needle` in its stderr.
fn fails_with(dir: &Path, args: &[&std::ffi::OsStr], needle: &str) {
    let out = paprika(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "paprika {args:?} succeeded");
    assert!(stderr.contains(needle), "stderr lacks {needle:?}:\n{stderr}");
    assert!(stderr.starts_with("error: "), "stderr:\n{stderr}");
}

/// Shorthand for building argument lists of strings and paths.
macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new(&$a)),*] };
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest record whose `file` is `file`.
fn manifest_record(file: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(vectors().join("MANIFEST.json")).unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    all.into_iter().find(|r| r["file"] == file).unwrap_or_else(|| panic!("{file} not in MANIFEST.json"))
}

#[test]
fn encode_reproduces_the_reference_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.quic");
    let input = vectors().join("inputs/tiny_rand_13x5.png");
    let run = ok(tmp.path(), args!["encode", "--codec", "quic", "--type", "rgb32", input, "-o", out]);
    let want = std::fs::read(vectors().join("quic/tiny_rand_13x5.rgb32.quic")).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), want);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let expect = format!("quic rgb32 13x5: 260 -> {} bytes (", want.len());
    assert!(stderr.starts_with(&expect), "stderr: {stderr}");
}

#[test]
fn encode_defaults_to_rgba_for_alpha_and_rgb32_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, ty) in [("rgba_logo", "rgba"), ("photo_chelsea", "rgb32")] {
        let out = tmp.path().join(format!("{name}.quic"));
        let input = vectors().join(format!("inputs/{name}.png"));
        ok(tmp.path(), args!["encode", input, "-o", out]);
        let want = std::fs::read(vectors().join(format!("quic/{name}.{ty}.quic"))).unwrap();
        assert!(std::fs::read(&out).unwrap() == want, "{name}");
    }
}

#[test]
fn decode_rgb16_to_bgrx_matches_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let file = "quic/photo_chelsea.rgb16.quic";
    let out = tmp.path().join("chelsea.bgrx");
    ok(tmp.path(), args!["decode", vectors().join(file), "-o", out]);
    let record = manifest_record(file);
    let bgrx = std::fs::read(&out).unwrap();
    assert_eq!(bgrx.len(), 451 * 300 * 4);
    assert_eq!(sha256_hex(&bgrx), record["decoded_sha256"].as_str().unwrap());
}

#[test]
fn decode_to_png_and_encode_again_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (file, ty) in [
        ("quic/photo_chelsea.rgb32.quic", "rgb32"),
        ("quic/rgba_logo.rgba.quic", "rgba"),
        ("quic/photo_chelsea.rgb24.quic", "rgb24"),
    ] {
        let stream = vectors().join(file);
        ok(dir, args!["decode", stream, "-o", "a.png"]);
        ok(dir, args!["decode", stream, "-o", "a.bgrx"]);
        ok(dir, args!["encode", "--type", ty, "a.png", "-o", "b.quic"]);
        ok(dir, args!["decode", "b.quic", "-o", "b.bgrx"]);
        let a = std::fs::read(dir.join("a.bgrx")).unwrap();
        let b = std::fs::read(dir.join("b.bgrx")).unwrap();
        assert!(a == b, "{file}: pixels differ after the PNG round trip");
        assert_eq!(sha256_hex(&a), manifest_record(file)["decoded_sha256"].as_str().unwrap(), "{file}");
        // QUIC is deterministic: the same pixels give the same stream.
        let want = std::fs::read(&stream).unwrap();
        assert!(std::fs::read(dir.join("b.quic")).unwrap() == want, "{file}");
    }
}

#[test]
fn info_prints_the_header() {
    let tmp = tempfile::tempdir().unwrap();
    let stream = vectors().join("quic/photo_chelsea.rgb16.quic");
    let out = ok(tmp.path(), args!["info", stream]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let len = std::fs::metadata(&stream).unwrap().len();
    let raw = 451 * 300 * 4;
    let want = format!(
        "codec: quic\ntype: rgb16\nwidth: 451\nheight: 300\nstream_bytes: {len}\n\
         raw_bytes: {raw}\nratio: {:.2}\n",
        raw as f64 / len as f64
    );
    assert_eq!(stdout, want);
}

#[test]
fn bad_inputs_fail_with_clear_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("garbage.bin"), b"\x89PNG not a stream").unwrap();
    fails_with(dir, args!["decode", "garbage.bin", "-o", "x.png"], "unknown codec");
    fails_with(dir, args!["info", "garbage.bin"], "unknown codec");
    fails_with(dir, args!["decode", "garbage.bin", "-o", "x.png"], "89 50 4e 47");

    let real = std::fs::read(vectors().join("quic/photo_chelsea.rgb32.quic")).unwrap();
    std::fs::write(dir.join("short.quic"), &real[..100]).unwrap();
    fails_with(dir, args!["decode", "short.quic", "-o", "x.bgrx"], "malformed quic stream");
    fails_with(dir, args!["decode", "short.quic", "-o", "x.bgrx"], "decoding short.quic: ");

    fails_with(dir, args!["decode", "missing.quic", "-o", "x.png"], "reading missing.quic");
    fails_with(dir, args!["decode", vectors().join("quic/tiny_rand_1x1.rgb32.quic"), "-o", "x.jpg"], ".png or .bgrx");
    fails_with(dir, args!["encode", "garbage.bin", "-o", "x.quic"], "decoding PNG garbage.bin");
    assert!(!dir.join("x.png").exists() && !dir.join("x.bgrx").exists());
}

#[test]
fn every_command_has_help() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in ["encode", "decode", "info", "demo", "bench"] {
        let out = ok(tmp.path(), args![cmd, "--help"]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: paprika"));
    }
}

#[test]
fn demo_runs_on_the_bundled_screenshot() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ok(tmp.path(), args!["demo", "--out-dir", "out"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("1280x800 (rgb32)"), "{stdout}");
    assert!(stdout.contains("pixel-exact"), "{stdout}");
    // The demo's stream is the reference encoder's, byte for byte.
    let want = std::fs::read(vectors().join("quic/screen_rustdoc.rgb32.quic")).unwrap();
    let got = std::fs::read(tmp.path().join("out/screen_rustdoc.rgb32.quic")).unwrap();
    assert!(got == want);
    // JPEG is lossy: its row gives the PSNR instead.
    let row = stdout.lines().find(|l| l.starts_with("  jpeg ")).unwrap_or_else(|| panic!("no jpeg row:\n{stdout}"));
    let db: f64 = row.split("PSNR ").nth(1).and_then(|r| r.strip_suffix(" dB")).unwrap().parse().unwrap();
    assert!(db > 35.0 && !row.contains("pixel-exact"), "{row}");
    let jpg = std::fs::read(tmp.path().join("out/screen_rustdoc.rgb32.jpeg")).unwrap();
    assert!(jpg.starts_with(JPEG_SOI));
}

/// Writes a small PNG of `w` × `h` pixels using `colours` distinct colours.
fn few_colour_png(path: &Path, w: u32, h: u32, colours: u8) {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let k = ((x / 3 + y) % u32::from(colours)) as u8;
        image::Rgb([k.wrapping_mul(70), 255 - k.wrapping_mul(30), k.wrapping_mul(13)])
    });
    img.save(path).unwrap();
}

#[test]
fn lz_and_lz4_round_trip_every_type_and_orientation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let photo = vectors().join("inputs/photo_chelsea.png");
    let logo = vectors().join("inputs/rgba_logo.png");
    ok(dir, args!["decode", vectors().join("quic/photo_chelsea.rgb32.quic"), "-o", "want.bgrx"]);
    let want = std::fs::read(dir.join("want.bgrx")).unwrap();
    for (codec, ty) in [("lz", "rgb32"), ("lz", "rgb24"), ("lz4", "rgb32"), ("lz4", "rgb24")] {
        for bottom_up in [false, true] {
            let mut a: Vec<&std::ffi::OsStr> =
                args!["encode", "--codec", codec, "--type", ty, photo, "-o", "s"].to_vec();
            if bottom_up {
                a.push(std::ffi::OsStr::new("--bottom-up"));
            }
            ok(dir, &a);
            let mut d: Vec<&std::ffi::OsStr> = args!["decode", "s", "-o", "got.bgrx"].to_vec();
            if codec == "lz4" {
                d.extend_from_slice(args!["--lz4-size", "451x300"]);
            }
            ok(dir, &d);
            assert!(std::fs::read(dir.join("got.bgrx")).unwrap() == want, "{codec} {ty} bottom_up={bottom_up}");
        }
    }
    // Alpha survives LZ and LZ4 RGBA.
    ok(dir, args!["decode", vectors().join("quic/rgba_logo.rgba.quic"), "-o", "logo.bgrx"]);
    let logo_want = std::fs::read(dir.join("logo.bgrx")).unwrap();
    ok(dir, args!["encode", "--codec", "lz", "--type", "rgba", "--bottom-up", logo, "-o", "l.lz"]);
    ok(dir, args!["decode", "l.lz", "-o", "l.bgrx"]);
    assert!(std::fs::read(dir.join("l.bgrx")).unwrap() == logo_want, "lz rgba");
    ok(dir, args!["encode", "--codec", "lz4", "--type", "rgba", logo, "-o", "l.lz4"]);
    ok(dir, args!["decode", "l.lz4", "--lz4-size", "500x500", "-o", "l.bgrx"]);
    assert!(std::fs::read(dir.join("l.bgrx")).unwrap() == logo_want, "lz4 rgba");
}

#[test]
fn palette_types_need_few_colours_and_decode_through_the_container() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    few_colour_png(&dir.join("two.png"), 37, 11, 2);
    few_colour_png(&dir.join("nine.png"), 37, 11, 9);
    for (png, ty) in [
        ("two.png", "plt1le"),
        ("two.png", "plt1be"),
        ("nine.png", "plt4le"),
        ("nine.png", "plt4be"),
        ("nine.png", "plt8"),
    ] {
        // In a SPICE image the palette travels with the stream.
        ok(dir, args!["encode", "--codec", "lz", "--type", ty, "--container", "spice", png, "-o", "p.spice"]);
        ok(dir, args!["decode", "p.spice", "-o", "p.png"]);
        let a = image::open(dir.join(png)).unwrap().to_rgb8();
        let b = image::open(dir.join("p.png")).unwrap().to_rgb8();
        assert!(a == b, "{ty}: colours differ");
        let info = String::from_utf8(ok(dir, args!["info", "p.spice"]).stdout).unwrap();
        assert!(info.contains("image_type: lz_plt") && info.contains(&format!("type: {ty}")), "{info}");
        // A bare palette stream does not carry its palette.
        ok(dir, args!["encode", "--codec", "lz", "--type", ty, png, "-o", "p.lz"]);
        fails_with(dir, args!["decode", "p.lz", "-o", "x.png"], "--palette");
    }
    fails_with(
        dir,
        args!["encode", "--codec", "lz", "--type", "plt1le", "nine.png", "-o", "x.lz"],
        "more than 2 colours",
    );
    fails_with(dir, args!["encode", "--codec", "quic", "--type", "plt8", "nine.png", "-o", "x"], "quic has no type");
}

#[test]
fn golden_lz_palette_stream_decodes_with_its_palette_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = std::fs::read_to_string(vectors().join("MANIFEST.json")).unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let rec = all
        .iter()
        .find(|r| r["codec"] == "lz" && r["type"] == "plt4be" && r["palette"].is_string())
        .expect("a plt4be record with a palette");
    let stream = vectors().join(rec["file"].as_str().unwrap());
    let palette = vectors().join(rec["palette"].as_str().unwrap());
    ok(dir, args!["decode", "--palette", palette, stream, "-o", "p.bgrx"]);
    let got = std::fs::read(dir.join("p.bgrx")).unwrap();
    assert_eq!(sha256_hex(&got), rec["decoded_sha256"].as_str().unwrap());
}

#[test]
fn spice_container_wraps_every_codec_and_info_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let photo = vectors().join("inputs/photo_chelsea.png");
    ok(dir, args!["decode", vectors().join("quic/photo_chelsea.rgb32.quic"), "-o", "want.bgrx"]);
    let want = std::fs::read(dir.join("want.bgrx")).unwrap();
    for (codec, image_type) in [("quic", "quic"), ("lz", "lz_rgb"), ("lz4", "lz4")] {
        ok(dir, args!["encode", "--codec", codec, "--container", "spice", "--id", "42", photo, "-o", "c.spice"]);
        ok(dir, args!["decode", "c.spice", "-o", "c.bgrx"]);
        assert!(std::fs::read(dir.join("c.bgrx")).unwrap() == want, "{codec}");
        let info = String::from_utf8(ok(dir, args!["info", "c.spice"]).stdout).unwrap();
        for line in ["container: spice", "id: 42", &format!("image_type: {image_type}"), "width: 451", "height: 300"] {
            assert!(info.contains(line), "{codec}: info lacks {line:?}:\n{info}");
        }
    }
    // The QUIC payload is the bare stream, byte for byte.
    ok(dir, args!["encode", "--codec", "quic", photo, "-o", "bare.quic"]);
    ok(dir, args!["encode", "--codec", "quic", "--container", "spice", photo, "-o", "c.spice"]);
    let bare = std::fs::read(dir.join("bare.quic")).unwrap();
    let wrapped = std::fs::read(dir.join("c.spice")).unwrap();
    assert!(wrapped.ends_with(&bare) && wrapped.len() == bare.len() + 18 + 4);
}

/// The five frames of the scrolling sequence, in order.
fn seq_scroll_inputs() -> Vec<PathBuf> {
    (0..5).map(|k| vectors().join(format!("inputs/seq_scroll_{k}.png"))).collect()
}

/// A PNG's pixels in the `--format bgrx` layout: B, G, R, then alpha or 0.
fn png_bgrx(path: &Path) -> Vec<u8> {
    let img = image::open(path).unwrap();
    let alpha = img.color().has_alpha();
    img.to_rgba8().pixels().flat_map(|p| [p[2], p[1], p[0], if alpha { p[3] } else { 0 }]).collect()
}

/// Runs `paprika` with `head`, then the paths in `inputs`, then `tail`.
fn ok_with_inputs(dir: &Path, head: &[&str], inputs: &[PathBuf], tail: &[&str]) -> Output {
    let mut a: Vec<&std::ffi::OsStr> = head.iter().map(std::ffi::OsStr::new).collect();
    a.extend(inputs.iter().map(|p| p.as_os_str()));
    a.extend(tail.iter().map(std::ffi::OsStr::new));
    ok(dir, &a)
}

/// `dir/0.ext`, `dir/1.ext`, ... for `n` frames.
fn frames(dir: &Path, n: usize, ext: &str) -> Vec<PathBuf> {
    (0..n).map(|k| dir.join(format!("{k}.{ext}"))).collect()
}

/// Decodes `streams` as one GLZ sequence to BGRX and checks each frame against `pngs`.
fn assert_glz_sequence_decodes_to(dir: &Path, streams: &[PathBuf], pngs: &[PathBuf]) {
    let _ = std::fs::remove_dir_all(dir.join("dec"));
    ok_with_inputs(dir, &["decode", "--codec", "glz", "--format", "bgrx"], streams, &["-o", "dec"]);
    for (k, (got, png)) in frames(&dir.join("dec"), pngs.len(), "bgrx").iter().zip(pngs).enumerate() {
        assert!(std::fs::read(got).unwrap() == png_bgrx(png), "frame {k}: pixels differ from {}", png.display());
    }
}

/// The bytes of the LZ/GLZ magic, "  ZL".
const LZ_MAGIC: &[u8] = b"\x20\x20\x5a\x4c";

#[test]
fn glz_sequence_shares_one_dictionary_and_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let inputs = seq_scroll_inputs();
    let run = ok_with_inputs(dir, &["encode", "--codec", "glz"], &inputs, &["-o", "enc"]);
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    let streams = frames(&dir.join("enc"), 5, "glz");
    let mut total = 0;
    for (k, (path, line)) in streams.iter().zip(stdout.lines()).enumerate() {
        let s = std::fs::read(path).unwrap();
        total += s.len();
        assert!(s.starts_with(LZ_MAGIC), "frame {k}");
        assert_eq!(u64::from_be_bytes(s[21..29].try_into().unwrap()), k as u64, "frame {k}: GLZ image id");
        let want = format!("bytes={} id={k} win_head_dist={k} evicted=- zlib=no", s.len());
        let file = Path::new("enc").join(format!("{k}.glz"));
        assert!(line.starts_with(&format!("{}: ", file.display())) && line.ends_with(&want), "{line}");
    }
    // The reference encoder's seq_scroll is 236 KB; later frames must copy from earlier ones.
    assert!(total < 118_000, "{total} bytes");
    assert_glz_sequence_decodes_to(dir, &streams, &inputs);
    let info = String::from_utf8(ok(dir, args!["info", streams[3]]).stdout).unwrap();
    for line in ["codec: glz\n", "type: rgb32\n", "image_id: 3\n", "win_head_dist: 3\n", "width: 1024\n"] {
        assert!(info.contains(line), "info lacks {line:?}:\n{info}");
    }
}

#[test]
fn glz_zlib_writes_spice_images_that_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let inputs = seq_scroll_inputs();
    let run = ok_with_inputs(dir, &["encode", "--codec", "glz", "--zlib", "--id", "40"], &inputs, &["-o", "z"]);
    let stdout = String::from_utf8(run.stdout).unwrap();
    let streams = frames(&dir.join("z"), 5, "glz");
    let mut wrapped = 0;
    for (k, (path, line)) in streams.iter().zip(stdout.lines()).enumerate() {
        let s = std::fs::read(path).unwrap();
        // The SPICE descriptor: u64 id, then the type (102 GLZ_RGB, 107 ZLIB_GLZ_RGB).
        assert_eq!(u64::from_le_bytes(s[..8].try_into().unwrap()), 40 + k as u64, "frame {k}: descriptor id");
        match s[8] {
            107 => wrapped += 1,
            102 => {}
            t => panic!("frame {k}: SPICE image type {t}"),
        }
        assert!(line.ends_with(if s[8] == 107 { "zlib=yes" } else { "zlib=no" }), "{line}");
        assert!(line.contains(&format!(" id={k} ")), "{line}");
    }
    assert!(wrapped > 0, "no frame was zlib-wrapped:\n{stdout}");
    assert_glz_sequence_decodes_to(dir, &streams, &inputs);
    let info = String::from_utf8(ok(dir, args!["info", streams[2]]).stdout).unwrap();
    for line in ["container: spice\n", "id: 42\n", "image_id: 2\n", "codec: glz\n"] {
        assert!(info.contains(line), "info lacks {line:?}:\n{info}");
    }
    fails_with(dir, args!["encode", "--codec", "glz", "--zlib", "--container", "raw", inputs[0], "-o", "x"], "--zlib");
}

#[test]
fn glz_golden_sequence_decodes_to_its_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let golden: Vec<PathBuf> = (0..5).map(|k| vectors().join(format!("glz/seq_scroll/{k}.glz"))).collect();
    assert_glz_sequence_decodes_to(tmp.path(), &golden, &seq_scroll_inputs());
    // PNG output too, and the first frame alone (it copies from nothing) without --codec.
    ok_with_inputs(tmp.path(), &["decode", "--codec", "glz"], &golden[..2], &["-o", "png"]);
    let png = image::open(tmp.path().join("png/1.png")).unwrap().to_rgb8();
    assert!(png == image::open(&seq_scroll_inputs()[1]).unwrap().to_rgb8());
    ok(tmp.path(), args!["decode", golden[0], "-o", "alone.bgrx"]);
    assert!(std::fs::read(tmp.path().join("alone.bgrx")).unwrap() == png_bgrx(&seq_scroll_inputs()[0]));
}

#[test]
fn glz_frame_without_its_references_fails_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let frame1 = vectors().join("glz/seq_scroll/1.glz");
    fails_with(
        dir,
        args!["decode", "--codec", "glz", frame1, "-o", "out"],
        "frame 0 (", // names the input, then why:
    );
    fails_with(
        dir,
        args!["decode", "--codec", "glz", frame1, "-o", "out"],
        "references image 0, which is not among the earlier inputs",
    );
    assert!(!dir.join("out/0.png").exists());
    fails_with(dir, args!["decode", frame1, "-o", "x.png"], "--codec glz");
    // Only GLZ takes sequences.
    let a = vectors().join("inputs/tiny_rand_13x5.png");
    fails_with(dir, args!["encode", "--codec", "lz", a, a, "-o", "x"], "only --codec glz encodes a sequence");
    fails_with(dir, args!["decode", frame1, frame1, "-o", "x"], "only --codec glz decodes a sequence");
    fails_with(dir, args!["encode", "--codec", "quic", "--window", "100", a, "-o", "x"], "GLZ options");
    fails_with(dir, args!["encode", "--codec", "glz", "--window", "50", a, "-o", "x"], "does not fit a GLZ window");
}

#[test]
fn glz_rgb16_bottom_up_and_rgba_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let small = vectors().join("inputs/tiny_rand_13x5.png");
    // The same picture twice: the second frame is a copy of the first.
    let inputs = [small.clone(), small.clone()];
    ok_with_inputs(dir, &["encode", "--codec", "glz", "--type", "rgb16", "--bottom-up"], &inputs, &["-o", "enc"]);
    let streams = frames(&dir.join("enc"), 2, "glz");
    let s0 = std::fs::read(&streams[0]).unwrap();
    // Type RGB16 (6) with the top-down bit clear, then the width.
    assert_eq!(s0[8..13], [6, 0, 0, 0, 13]);
    assert!(std::fs::read(&streams[1]).unwrap().len() < s0.len());
    ok_with_inputs(dir, &["decode", "--codec", "glz", "--format", "bgrx"], &streams, &["-o", "dec"]);
    // RGB16 keeps 5 bits a channel; the decoder widens them as v << 3 | v >> 2.
    let want: Vec<u8> = png_bgrx(&small)
        .chunks_exact(4)
        .flat_map(|p| {
            let w = |c: u8| (c >> 3) << 3 | c >> 5;
            [w(p[0]), w(p[1]), w(p[2]), 0]
        })
        .collect();
    for got in frames(&dir.join("dec"), 2, "bgrx") {
        assert!(std::fs::read(&got).unwrap() == want, "{}", got.display());
    }
    // A PNG with alpha defaults to RGBA, and the alpha comes back.
    let logo = vectors().join("inputs/rgba_logo.png");
    ok(dir, args!["encode", "--codec", "glz", logo, "-o", "logo"]);
    let info = String::from_utf8(ok(dir, args!["info", dir.join("logo/0.glz")]).stdout).unwrap();
    assert!(info.contains("type: rgba\n"), "{info}");
    assert_glz_sequence_decodes_to(dir, &[dir.join("logo/0.glz")], &[logo]);
}

/// The bytes a JPEG starts with: SOI, then the next marker's 0xff.
const JPEG_SOI: &[u8] = b"\xff\xd8\xff";

/// PSNR in dB over the B, G, R bytes of two B,G,R,X buffers.
fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let (mut sum, mut n) = (0f64, 0f64);
    for (p, q) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for c in 0..3 {
            let d = f64::from(p[c]) - f64::from(q[c]);
            sum += d * d;
            n += 1.0;
        }
    }
    10.0 * (255.0 * 255.0 * n / sum.max(1e-9)).log10()
}

/// The `key: value` lines of `paprika info IN`.
fn info(dir: &Path, input: &str) -> String {
    String::from_utf8(ok(dir, args!["info", input]).stdout).unwrap()
}

#[test]
fn jpeg_encodes_a_photo_above_33_db_and_decodes_by_its_marker() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let photo = vectors().join("inputs/photo_chelsea.png");
    let want = png_bgrx(&photo);
    let run = ok(dir, args!["encode", "--codec", "jpeg", photo, "-o", "c.jpg"]);
    let jpg = std::fs::read(dir.join("c.jpg")).unwrap();
    assert!(jpg.starts_with(JPEG_SOI) && jpg.ends_with(b"\xff\xd9"));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.starts_with(&format!("jpeg 420 q85 451x300: 541200 -> {} bytes (", jpg.len())), "{stderr}");
    // Detected by its SOI marker, or forced; to BGRX and to PNG.
    let run = ok(dir, args!["decode", "c.jpg", "-o", "c.bgrx"]);
    assert!(String::from_utf8_lossy(&run.stderr).starts_with("jpeg 4:2:0 451x300: "));
    let got = std::fs::read(dir.join("c.bgrx")).unwrap();
    let p = psnr(&got, &want);
    assert!(p > 33.0, "PSNR {p:.2} dB");
    ok(dir, args!["decode", "--codec", "jpeg", "c.jpg", "-o", "forced.bgrx"]);
    assert!(std::fs::read(dir.join("forced.bgrx")).unwrap() == got);
    ok(dir, args!["decode", "c.jpg", "-o", "c.png"]);
    assert!(png_bgrx(&dir.join("c.png")) == got);
    // Every option: better quality, full chroma, own tables, restart strips on two threads.
    ok(
        dir,
        args![
            "encode",
            "--codec",
            "jpeg",
            "--quality",
            "95",
            "--subsampling",
            "444",
            "--optimize",
            "--restart-rows",
            "2",
            "--threads",
            "2",
            "--bottom-up",
            photo,
            "-o",
            "hq.jpg"
        ],
    );
    ok(dir, args!["decode", "hq.jpg", "-o", "hq.bgrx"]);
    let hq = psnr(&std::fs::read(dir.join("hq.bgrx")).unwrap(), &want);
    assert!(hq > p + 3.0, "q95 4:4:4 {hq:.2} dB vs q85 4:2:0 {p:.2} dB");
    // Grayscale decodes to R = G = B.
    ok(dir, args!["encode", "--codec", "jpeg", "--subsampling", "gray", photo, "-o", "g.jpg"]);
    ok(dir, args!["decode", "g.jpg", "-o", "g.bgrx"]);
    let g = std::fs::read(dir.join("g.bgrx")).unwrap();
    assert!(g.len() == want.len() && g.chunks_exact(4).all(|p| p[0] == p[1] && p[1] == p[2]));
    // Options belong to JPEG; --codec jpeg does not make a PNG a JPEG.
    fails_with(dir, args!["encode", "--codec", "lz", "--quality", "50", photo, "-o", "x"], "JPEG options");
    fails_with(dir, args!["encode", "--codec", "jpeg", "--quality", "0", photo, "-o", "x"], "1..=100");
    fails_with(dir, args!["encode", "--codec", "jpeg", "--type", "rgb24", photo, "-o", "x"], "--subsampling");
    fails_with(dir, args!["decode", "--codec", "jpeg", photo, "-o", "x.png"], "not a JPEG");
    // Cut inside the headers (zune-jpeg decodes a JPEG cut in its scan data, padding the rest).
    std::fs::write(dir.join("cut.jpg"), &jpg[..40]).unwrap();
    fails_with(dir, args!["decode", "cut.jpg", "-o", "x.png"], "decoding cut.jpg");
}

#[test]
fn jpeg_alpha_round_trips_with_exact_alpha() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let logo = vectors().join("inputs/rgba_logo.png");
    let want = png_bgrx(&logo);
    for bottom_up in [false, true] {
        let mut a: Vec<&std::ffi::OsStr> = args!["encode", "--codec", "jpeg-alpha", logo, "-o", "l.spice"].to_vec();
        if bottom_up {
            a.push(std::ffi::OsStr::new("--bottom-up"));
        }
        let run = ok(dir, &a);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.starts_with("jpeg-alpha 420 q85 500x500: 1000000 -> ") && stderr.contains(" + alpha "),
            "{stderr}"
        );
        let s = std::fs::read(dir.join("l.spice")).unwrap();
        // Descriptor (type 108 JPEG_ALPHA), then flags (top-down bit), jpeg_size, data_size.
        assert_eq!(s[8], 108);
        assert_eq!(s[18], u8::from(!bottom_up), "bottom_up={bottom_up}");
        assert!(s[27..].starts_with(JPEG_SOI));
        for forced in [&[][..], args!["--codec", "jpeg-alpha"]] {
            let mut d: Vec<&std::ffi::OsStr> = args!["decode", "l.spice", "-o", "l.bgrx"].to_vec();
            d.extend_from_slice(forced);
            let run = ok(dir, &d);
            assert!(String::from_utf8_lossy(&run.stderr).starts_with("spice jpeg_alpha 500x500: "));
            let got = std::fs::read(dir.join("l.bgrx")).unwrap();
            assert_eq!(got.len(), want.len());
            let alpha_exact = got.iter().skip(3).step_by(4).eq(want.iter().skip(3).step_by(4));
            assert!(alpha_exact, "bottom_up={bottom_up}: alpha differs");
            let p = psnr(&got, &want);
            assert!(p > 30.0, "bottom_up={bottom_up}: colour PSNR {p:.2} dB");
        }
        ok(dir, args!["decode", "l.spice", "-o", "l.png"]);
        assert!(png_bgrx(&dir.join("l.png")) == std::fs::read(dir.join("l.bgrx")).unwrap());
    }
    let photo = vectors().join("inputs/photo_chelsea.png");
    fails_with(
        dir,
        args!["encode", "--codec", "jpeg-alpha", "--container", "raw", logo, "-o", "x"],
        "drop --container raw",
    );
    fails_with(dir, args!["encode", "--codec", "jpeg-alpha", photo, "-o", "x"], "has no alpha channel");
    fails_with(dir, args!["encode", "--codec", "jpeg-alpha", "--subsampling", "gray", logo, "-o", "x"], "colour JPEG");
    ok(dir, args!["encode", "--codec", "jpeg", photo, "-o", "c.jpg"]);
    fails_with(dir, args!["decode", "--codec", "jpeg-alpha", "c.jpg", "-o", "x.png"], "not a SPICE JPEG_ALPHA image");
}

#[test]
fn jpeg_in_the_spice_container_is_the_bare_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let photo = vectors().join("inputs/photo_chelsea.png");
    ok(dir, args!["encode", "--codec", "jpeg", photo, "-o", "bare.jpg"]);
    ok(dir, args!["encode", "--codec", "jpeg", "--container", "spice", "--id", "42", photo, "-o", "c.spice"]);
    let bare = std::fs::read(dir.join("bare.jpg")).unwrap();
    let wrapped = std::fs::read(dir.join("c.spice")).unwrap();
    // Descriptor (18 bytes, type 105 JPEG), data_size, then the JPEG byte for byte.
    assert_eq!(wrapped[8], 105);
    assert!(wrapped.ends_with(&bare) && wrapped.len() == bare.len() + 18 + 4);
    ok(dir, args!["decode", "bare.jpg", "-o", "a.bgrx"]);
    ok(dir, args!["decode", "c.spice", "-o", "b.bgrx"]);
    assert!(std::fs::read(dir.join("a.bgrx")).unwrap() == std::fs::read(dir.join("b.bgrx")).unwrap());
    let text = info(dir, "c.spice");
    for line in
        ["container: spice\n", "id: 42\n", "image_type: jpeg\n", "codec: jpeg\n", "width: 451\n", "height: 300\n"]
    {
        assert!(text.contains(line), "info lacks {line:?}:\n{text}");
    }
}

#[test]
fn info_describes_jpeg_and_jpeg_alpha() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let photo = vectors().join("inputs/photo_chelsea.png");
    ok(dir, args!["encode", "--codec", "jpeg", photo, "-o", "c.jpg"]);
    let len = std::fs::metadata(dir.join("c.jpg")).unwrap().len();
    let raw = 451 * 300 * 4;
    let want = format!(
        "codec: jpeg\nprocess: baseline\ncomponents: 3\nsubsampling: 4:2:0\nwidth: 451\nheight: 300\n\
         stream_bytes: {len}\nraw_bytes: {raw}\nratio: {:.2}\n",
        raw as f64 / len as f64
    );
    assert_eq!(info(dir, "c.jpg"), want);
    // 451 pixels are 57 MCUs of 8 at 4:4:4; two rows a restart interval.
    ok(dir, args!["encode", "--codec", "jpeg", "--subsampling", "444", "--restart-rows", "2", photo, "-o", "r.jpg"]);
    let text = info(dir, "r.jpg");
    for line in ["subsampling: 4:4:4\n", "restart_interval: 114 MCUs\n", "restart_rows: 2\n"] {
        assert!(text.contains(line), "info lacks {line:?}:\n{text}");
    }
    ok(dir, args!["encode", "--codec", "jpeg", "--subsampling", "gray", photo, "-o", "g.jpg"]);
    let text = info(dir, "g.jpg");
    assert!(text.contains("components: 1\nsubsampling: gray\n") && !text.contains("restart"), "{text}");
    // JPEG_ALPHA: the JPEG's size and the alpha stream's, then the JPEG's fields.
    let logo = vectors().join("inputs/rgba_logo.png");
    ok(dir, args!["encode", "--codec", "jpeg-alpha", logo, "-o", "l.spice"]);
    let image = std::fs::read(dir.join("l.spice")).unwrap();
    let text = info(dir, "l.spice");
    let field = |key: &str| -> usize {
        let line = text.lines().find_map(|l| l.strip_prefix(&format!("{key}: "))).unwrap_or_else(|| panic!("{text}"));
        line.parse().unwrap()
    };
    let (jpeg_size, alpha) = (field("jpeg_size"), field("alpha_bytes"));
    assert_eq!(jpeg_size, u32::from_le_bytes(image[19..23].try_into().unwrap()) as usize);
    assert_eq!(18 + 1 + 4 + 4 + jpeg_size + alpha, image.len());
    assert_eq!(field("stream_bytes"), jpeg_size);
    for line in
        ["image_type: jpeg_alpha\n", "alpha_top_down: true\n", "alpha_type: xxxa\n", "codec: jpeg\n", "width: 500\n"]
    {
        assert!(text.contains(line), "info lacks {line:?}:\n{text}");
    }
}

#[test]
fn bench_jpeg_reports_bytes_psnr_and_speed() {
    let tmp = tempfile::tempdir().unwrap();
    // The bundled photo by default, found from the source tree.
    let out = ok(tmp.path(), args!["bench", "jpeg", "--threads", "2"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("photo_astronaut.png, 512x512") && stdout.contains("quality 85"), "{stdout}");
    assert!(stdout.contains("enc MB/s") && stdout.contains("PSNR dB"), "{stdout}");
    assert!(stdout.contains("cargo run --release -p paprika-benches --bin jpeg_table"), "{stdout}");
    // One row per thread count: threads, bytes, ratio, PSNR, ms, MB/s.
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|w| w.len() == 6 && w[0].parse::<u32>().is_ok())
        .collect();
    assert_eq!(rows.iter().map(|w| w[0]).collect::<Vec<_>>(), ["1", "2"], "{stdout}");
    for w in &rows {
        let db: f64 = w[3].parse().unwrap();
        let mbs: f64 = w[5].parse().unwrap();
        assert!(db > 30.0 && mbs > 0.0, "{stdout}");
    }
    let out = ok(
        tmp.path(),
        args![
            "bench",
            "jpeg",
            "--input",
            vectors().join("inputs/photo_chelsea.png"),
            "--quality",
            "50",
            "--threads",
            "1"
        ],
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("451x300") && stdout.contains("quality 50"), "{stdout}");
    fails_with(tmp.path(), args!["bench", "jpeg", "--threads", "0"], "--threads");
}
