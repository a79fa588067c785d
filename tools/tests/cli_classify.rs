//! End-to-end tests of `paprika classify`: the printed counts on a rendered terminal
//! and on photos, the map it draws, a sequence that settles to Video, and clean
//! failures on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpora").join(path)
}

fn paprika(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paprika")).args(args).current_dir(dir).output().expect("running paprika")
}

/// Runs `paprika classify ARGS`, asserting success; returns stdout.
fn classify(dir: &Path, args: &[&str]) -> String {
    let out = paprika(dir, &[&["classify"], args].concat());
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// Runs `paprika classify ARGS`, asserting a clean failure; returns stderr.
fn classify_fails(dir: &Path, args: &[&str]) -> String {
    let out = paprika(dir, &[&["classify"], args].concat());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "classify {args:?} succeeded:\n{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: ") && !stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The tile count on the table line of `class`.
fn count(stdout: &str, class: &str) -> usize {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(class))
        .unwrap_or_else(|| panic!("no {class} line in:\n{stdout}"));
    let n = line.split_whitespace().nth(1).unwrap_or_else(|| panic!("no count in {line}"));
    n.parse().unwrap_or_else(|_| panic!("no count in {line}"))
}

/// Counts of Solid, Text, Image, Video and unclassified, checked to sum to the tiles.
fn counts(stdout: &str, tiles: usize) -> [usize; 5] {
    let n = ["Solid", "Text", "Image", "Video", "unclassified"].map(|c| count(stdout, c));
    assert_eq!(n.iter().sum::<usize>(), tiles, "{stdout}");
    n
}

#[test]
fn terminal_is_text_and_solid() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus("classify/screen_terminal.png");
    let stdout = classify(tmp.path(), &[input.to_str().unwrap()]);
    // 640x448 in 64-pixel tiles: 10 x 7.
    let [solid, text, image, video, none] = counts(&stdout, 70);
    assert!(text > 0 && solid > 0, "{stdout}");
    assert_eq!((image, video, none), (0, 0, 0), "{stdout}");
    assert!(stdout.contains("content class of each tile"), "{stdout}");
    // The regions cover the screen: their areas add up to 640 x 448.
    let area: u64 = stdout.lines().filter_map(region_area).sum();
    assert_eq!(area, 640 * 448, "{stdout}");
}

/// The area of a `WxH+X+Y class` region line.
fn region_area(line: &str) -> Option<u64> {
    let geometry = line.split_whitespace().next()?;
    let (w, rest) = geometry.split_once('x')?;
    let h = rest.split('+').next()?;
    Some(w.parse::<u64>().ok()? * h.parse::<u64>().ok()?)
}

#[test]
fn photos_are_mostly_image() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, tiles) in [("photo_astronaut.png", 64), ("photo_chelsea.png", 40)] {
        let input = corpus("vectors/inputs").join(name);
        let stdout = classify(tmp.path(), &[input.to_str().unwrap()]);
        let n = counts(&stdout, tiles);
        assert!(2 * n[2] > tiles, "{name}: Image is not the majority:\n{stdout}");
        assert_eq!(n[3], 0, "{name}: a still image has no Video:\n{stdout}");
    }
}

#[test]
fn map_has_the_input_size_and_tints_by_class() {
    let tmp = tempfile::tempdir().unwrap();
    for (input, dominant) in
        [(corpus("classify/screen_dialog.png"), 2), (corpus("vectors/inputs/photo_chelsea.png"), 1)]
    {
        let stdout = classify(tmp.path(), &[input.to_str().unwrap(), "-o", "map.png"]);
        assert!(stdout.contains("map: map.png"), "{stdout}");
        let before = image::open(&input).unwrap().to_rgb8();
        let map = image::open(tmp.path().join("map.png")).unwrap().to_rgb8();
        assert_eq!(map.dimensions(), before.dimensions());
        // Every tile is tinted, so nearly every pixel changes.
        let changed = map.pixels().zip(before.pixels()).filter(|(a, b)| a != b).count();
        assert!(changed * 10 > 9 * map.len() / 3, "{} of {} pixels changed", changed, map.len() / 3);
        // The top-left tile (Text on the dialog, Image on the photo) is outlined in its
        // class colour: blue, green.
        let px = map.get_pixel(0, 0).0;
        assert!((0..3).all(|c| c == dominant || px[dominant] > px[c] + 60), "{input:?}: corner {px:?}");
    }
}

#[test]
fn a_moving_photo_settles_to_video() {
    let tmp = tempfile::tempdir().unwrap();
    let photo = image::open(corpus("vectors/inputs/photo_rocket.png")).unwrap().to_rgb8();
    let (w, h) = photo.dimensions();
    // A pan of 7 pixels a frame: every tile changes largely in every frame.
    let mut names = Vec::new();
    for k in 0..12u32 {
        let frame = image::RgbImage::from_fn(w, h, |x, y| *photo.get_pixel((x + 7 * k) % w, y));
        let name = format!("{k:02}.png");
        frame.save(tmp.path().join(&name)).unwrap();
        names.push(name);
    }
    let tiles = 10 * 7;
    let still = counts(&classify(tmp.path(), &[&names[0]]), tiles);
    assert_eq!(still[3], 0);
    let mut args: Vec<&str> = vec![&names[0], "--frames"];
    args.extend(names[1..].iter().map(String::as_str));
    let stdout = classify(tmp.path(), &args);
    assert!(stdout.contains("12 frames") && stdout.contains("classes settled"), "{stdout}");
    let moving = counts(&stdout, tiles);
    assert!(2 * moving[3] > tiles, "Video is not the majority:\n{stdout}");
    // Two frames are too few for the video rule: still the content classes.
    let two = counts(&classify(tmp.path(), &[&names[0], "--frames", &names[1]]), tiles);
    assert_eq!(two[3], 0);
}

#[test]
fn frames_of_another_size_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let first = corpus("classify/screen_terminal.png");
    let other = corpus("vectors/inputs/photo_chelsea.png");
    let stderr = classify_fails(tmp.path(), &[first.to_str().unwrap(), "--frames", other.to_str().unwrap()]);
    assert!(stderr.contains("451x300") && stderr.contains("640x448"), "{stderr}");
}

#[test]
fn bad_arguments_fail_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus("classify/screen_terminal.png");
    let input = input.to_str().unwrap();
    for tile in ["0", "1025"] {
        let stderr = classify_fails(tmp.path(), &[input, "--tile", tile]);
        assert!(stderr.contains(&format!("--tile {tile} is outside 1..=1024")), "{stderr}");
    }
    let stderr = classify_fails(tmp.path(), &["missing.png"]);
    assert!(stderr.contains("missing.png"), "{stderr}");
    let stderr = classify_fails(tmp.path(), &[input, "--frames", "gone.png"]);
    assert!(stderr.contains("gone.png"), "{stderr}");
    // The bounds themselves are accepted.
    for tile in ["1", "1024"] {
        let stdout = classify(tmp.path(), &[input, "--tile", tile, "-o", "map.png"]);
        assert!(stdout.contains(&format!("{tile}-pixel tiles")), "{stdout}");
    }
}
