//! Interop with a real SPICE client: streams from Paprika's QUIC and LZ encoders must decode,
//! pixel for pixel, in spice-html5 0.2.1 (npm `@spice-project/spice-html5`; Debian's
//! `spice-html5` has the same codec files).
//!
//! The client's own decoders (`quic.js`, `lz.js`, and `spicetype.js` for the SPICE image
//! descriptor) run under node through `corpora/spice-html5/decode.mjs`, in batch mode: one node
//! process per test decodes every stream. Needs node and npm on `PATH`; the client is installed
//! into the git-ignored `.interop/` folder on first use (`.ci/setup` does it up front). Set
//! `SPICE_HTML5_DIR` to another copy of the client's `src/` folder to skip the install.
//!
//! Pixels are compared exactly. What the client gives differs from the source picture only by
//! its documented quirks (`corpora/spice-html5/README.md`), each applied to the *expectation*
//! for exactly the channels and streams it concerns:
//! - types without alpha (QUIC RGB32/RGB24, LZ RGB32) come out with A = 255;
//! - QUIC RGBA comes out with A = 255 − alpha;
//! - bottom-up LZ RGBA comes out with its alpha plane upside down (the client flips the RGB
//!   pass to top-down before it decodes the alpha pass over it);
//! - LZ XXXA carries only alpha, so R = G = B = 0; the client never flips XXXA, so bottom-up
//!   XXXA comes out with its alpha plane upside down too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::{lz, quic, wire};

/// The client version the test pins.
const CLIENT_VERSION: &str = "0.2.1";
/// The npm package of the client.
const CLIENT_PACKAGE: &str = "@spice-project/spice-html5";
/// Longest a batch of decodes may take before the test gives up on node.
const NODE_TIMEOUT: Duration = Duration::from_secs(180);

/// The repository root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tools/ has a parent").to_path_buf()
}

// ---------------------------------------------------------------------------------------------
// The client: node, the npm package, the driver.
// ---------------------------------------------------------------------------------------------

/// Runs `cmd` to completion, with a clear error if the program cannot be started.
fn run(cmd: &mut Command, what: &str) -> Result<std::process::Output, String> {
    cmd.output().map_err(|e| format!("cannot run {what} ({e}): the spice-html5 interop test needs node.js and npm"))
}

/// Checks node, installs the client if needed (once per test process), and returns the
/// client's `src/` folder.
fn client_src() -> &'static Path {
    static SRC: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match SRC.get_or_init(prepare_client) {
        Ok(p) => p,
        Err(e) => panic!("spice-html5 interop: {e}"),
    }
}

/// See [`client_src`].
fn prepare_client() -> Result<PathBuf, String> {
    let out = run(Command::new("node").arg("--version"), "`node --version`")?;
    if !out.status.success() {
        return Err(format!("`node --version` failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    if let Some(dir) = std::env::var_os("SPICE_HTML5_DIR") {
        let dir = PathBuf::from(dir);
        if !dir.join("quic.js").is_file() {
            return Err(format!("SPICE_HTML5_DIR={} has no quic.js", dir.display()));
        }
        return Ok(dir);
    }
    let prefix = repo().join(".interop");
    let pkg = prefix.join("node_modules").join(CLIENT_PACKAGE);
    let src = pkg.join("src");
    let installed = src.join("quic.js").is_file()
        && std::fs::read_to_string(pkg.join("package.json"))
            .is_ok_and(|s| s.contains(&format!("\"version\": \"{CLIENT_VERSION}\"")));
    if !installed {
        let spec = format!("{CLIENT_PACKAGE}@{CLIENT_VERSION}");
        let out = run(
            Command::new("npm")
                .args(["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
                .arg(&prefix)
                .arg(&spec),
            "`npm install`",
        )?;
        if !out.status.success() || !src.join("quic.js").is_file() {
            return Err(format!(
                "`npm install --prefix {} {spec}` failed ({}); run .ci/setup, or set SPICE_HTML5_DIR \
                 to a copy of the client's src/ folder:\n{}{}",
                prefix.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(src)
}

/// What the driver printed for one job.
#[derive(Debug)]
enum Decoded {
    /// "OK W H CODEC TYPE", and the RGBA bytes it wrote.
    Ok { header: String, rgba: Vec<u8> },
    /// "ERR message".
    Err(String),
}

/// Decodes `jobs` (framing, stream) with the client in one node process.
fn decode_all(dir: &Path, jobs: &[(&str, &[u8])]) -> Vec<Decoded> {
    let src = client_src();
    let mut list = String::new();
    let mut outs = Vec::new();
    for (i, (framing, stream)) in jobs.iter().enumerate() {
        let input = dir.join(format!("{i:04}.in"));
        let output = dir.join(format!("{i:04}.rgba"));
        std::fs::write(&input, stream).expect("writing a stream");
        for p in [&input, &output] {
            assert!(!p.to_string_lossy().contains(['\t', '\n']), "temp path {} unusable in a list", p.display());
        }
        list.push_str(&format!("{framing}\t{}\t{}\n", input.display(), output.display()));
        outs.push(output);
    }
    let list_path = dir.join("jobs.txt");
    std::fs::write(&list_path, list).expect("writing the job list");
    let (stdout_path, stderr_path) = (dir.join("node.out"), dir.join("node.err"));
    let driver = repo().join("corpora/spice-html5/decode.mjs");
    let mut child = Command::new("node")
        .arg(&driver)
        .arg("--batch")
        .arg(&list_path)
        .env("SPICE_HTML5_DIR", src)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).expect("creating node.out"))
        .stderr(std::fs::File::create(&stderr_path).expect("creating node.err"))
        .spawn()
        .unwrap_or_else(|e| panic!("spice-html5 interop: cannot start node ({e}); install node.js"));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for node") {
            break status;
        }
        if start.elapsed() > NODE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("node {} --batch took over {NODE_TIMEOUT:?}; killed", driver.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let lines: Vec<&str> = stdout.lines().collect();
    // Exit 1 means "some job failed" (reported per job below); anything else is a driver fault.
    assert!(
        lines.len() == jobs.len() && matches!(status.code(), Some(0 | 1)),
        "decode.mjs --batch: {status}, {} result lines for {} jobs\nstdout:\n{stdout}\nstderr:\n{stderr}",
        lines.len(),
        jobs.len()
    );
    lines
        .iter()
        .zip(outs)
        .map(|(line, out)| match (line.strip_prefix("OK "), line.strip_prefix("ERR ")) {
            (Some(header), _) => Decoded::Ok {
                header: header.to_string(),
                rgba: std::fs::read(&out).unwrap_or_else(|e| panic!("reading {}: {e}", out.display())),
            },
            (None, Some(msg)) => Decoded::Err(msg.to_string()),
            _ => panic!("decode.mjs printed {line:?}\nstderr:\n{stderr}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Test pictures.
// ---------------------------------------------------------------------------------------------

/// A test picture: R, G, B, A per pixel, rows top-down.
struct Picture {
    name: String,
    width: u32,
    height: u32,
    rgba: Vec<[u8; 4]>,
    /// Extra bytes at the end of every row of the encoder's top-down input (filled with junk).
    pad: usize,
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn byte(&mut self) -> u8 {
        (self.next() >> 56) as u8
    }
}

impl Picture {
    fn new(name: &str, width: u32, height: u32, pad: usize, mut f: impl FnMut(u32, u32) -> [u8; 4]) -> Picture {
        let rgba = (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).map(|(x, y)| f(x, y)).collect();
        Picture { name: format!("{width}x{height}-{name}"), width, height, rgba, pad }
    }

    fn at(&self, x: u32, y: u32) -> [u8; 4] {
        self.rgba[(y * self.width + x) as usize]
    }

    /// The encoder's input: `format` (Bgrx32, Bgr24 or Bgra32), rows top-down, stride padded
    /// with junk. Bgrx32's X byte holds the alpha: it must be ignored.
    fn image(&self, format: PixelFormat) -> Image {
        let bytes = format.bits_per_pixel() as usize / 8;
        let stride = self.width as usize * bytes + self.pad;
        let mut data = Vec::with_capacity(stride * self.height as usize);
        for row in self.rgba.chunks_exact(self.width as usize) {
            for &[r, g, b, a] in row {
                data.extend_from_slice(&[b, g, r, a][..bytes]);
            }
            data.extend((0..self.pad).map(|i| 0xa5 ^ i as u8));
        }
        let desc = ImageDesc { width: self.width, height: self.height, stride, format, top_down: true };
        Image::from_vec(desc, data).expect("a valid test image")
    }
}

/// Text-like glyph cells: two or three colours on a flat background.
fn glyph(x: u32, y: u32, seed: u32) -> Option<u8> {
    let (cx, cy) = (x / 7, y / 12);
    let (gx, gy) = (x % 7, y % 12);
    let h = (cx.wrapping_mul(2_654_435_761) ^ (cy + seed).wrapping_mul(40_503)).rotate_left(7);
    if h % 5 == 0 || gx == 6 || !(2..=10).contains(&gy) {
        return None; // a space, or the gap between cells
    }
    let bit = (h >> ((gy * 5 + gx) % 29)) & 1 == 1;
    bit.then_some((h >> 3) as u8 % 3)
}

/// The deterministic test set: odd sizes, gradients, noise, flat areas, text-like blocks;
/// opaque, fully transparent and partial alpha.
fn pictures() -> Vec<Picture> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut v = vec![
        Picture::new("partial", 1, 1, 0, |_, _| [200, 100, 50, 128]),
        Picture::new("noise", 3, 5, 3, |_, _| [rng.byte(), rng.byte(), rng.byte(), rng.byte()]),
        Picture::new("gradient-opaque", 61, 37, 0, |x, y| {
            [(x * 255 / 60) as u8, (y * 255 / 36) as u8, (x + y) as u8, 255]
        }),
        Picture::new("gradient-transparent", 61, 37, 5, |x, y| [(x * 4) as u8, 255 - (y * 7) as u8, (x * y) as u8, 0]),
        Picture::new("noise-row", 97, 1, 0, |_, _| [rng.byte(), rng.byte(), rng.byte(), rng.byte() | 1]),
        Picture::new("noise-column", 1, 97, 2, |_, _| [rng.byte(), rng.byte(), rng.byte(), rng.byte()]),
        Picture::new("flat", 128, 96, 0, |_, _| [30, 144, 255, 255]),
    ];
    let colours = [[20, 20, 20], [200, 30, 30], [30, 90, 200]];
    v.push(Picture::new("text", 257, 129, 7, |x, y| {
        // Alpha: opaque text panel, a fully transparent band, a half-transparent margin.
        let a = if y >= 100 {
            0
        } else if x >= 230 {
            128
        } else {
            255
        };
        match glyph(x, y, 0) {
            Some(c) => {
                let [r, g, b] = colours[c as usize];
                [r, g, b, a]
            }
            None => [240, 240, 236, a],
        }
    }));
    v.push(Picture::new("noise", 257, 129, 0, |_, _| [rng.byte(), rng.byte(), rng.byte(), rng.byte()]));
    v.push(Picture::new("alpha-ramps", 200, 150, 1, |x, y| {
        [(x + y) as u8, (x * 3 / 2) as u8, (255 - y) as u8, if y < 75 { (x * 255 / 199) as u8 } else { (y * 3) as u8 }]
    }));
    // A desktop-like frame: wallpaper gradient, a window with a title bar and text lines that
    // repeat (LZ matches more than 8191 pixels back), a photo-like noisy area, a soft shadow
    // (alpha ramp), a fully transparent strip and a half-transparent overlay.
    let mut noise = Rng(7);
    v.push(Picture::new("desktop", 640, 480, 0, |x, y| {
        let a = if x < 24 {
            0
        } else if (610..640).contains(&x) && (40..440).contains(&y) {
            255 - ((x - 610) * 8) as u8
        } else if (300..380).contains(&x) && (440..480).contains(&y) {
            96
        } else {
            255
        };
        let in_window = (40..600).contains(&x) && (30..420).contains(&y);
        let [r, g, b] = if (420..590).contains(&x) && (300..410).contains(&y) {
            let n = noise.byte() / 4;
            [n.wrapping_add((x / 2) as u8), n.wrapping_add((y / 2) as u8), n.wrapping_add(90)]
        } else if in_window && y < 52 {
            [40, 70, 160]
        } else if in_window {
            match glyph(x - 40, (y - 52) % 48, 0) {
                Some(c) => colours[c as usize],
                None => [250, 250, 250],
            }
        } else {
            [(y / 3) as u8, (80 + y / 4) as u8, (120 + x / 8) as u8]
        };
        [r, g, b, a]
    }));
    v
}

// ---------------------------------------------------------------------------------------------
// Cases, expectations, comparison.
// ---------------------------------------------------------------------------------------------

/// What the client must produce for the alpha channel.
#[derive(Clone, Copy)]
enum Alpha {
    /// A = 255 (types without alpha).
    Opaque,
    /// A = source alpha.
    Same,
    /// A = 255 − source alpha (quirk: QUIC RGBA).
    Inverted,
    /// A = source alpha of the mirror row, `height − 1 − y` (quirk: bottom-up LZ RGBA/XXXA).
    RowsFlipped,
}

/// One stream to decode and the exact RGBA (top-down) the client must give.
struct Case {
    /// Summary key: codec, type, orientation, framing.
    group: String,
    /// The picture's name.
    picture: String,
    framing: &'static str,
    stream: Result<Vec<u8>, String>,
    /// "W H CODEC TYPE" as the driver prints it.
    header: String,
    expected: Vec<u8>,
}

/// Wraps a stream in a SPICE payload.
type PayloadMaker = for<'a> fn(&'a [u8]) -> wire::ImagePayload<'a>;

/// A QUIC payload around `data`.
fn quic_payload(data: &[u8]) -> wire::ImagePayload<'_> {
    wire::ImagePayload::Quic { data }
}

/// An LZ_RGB payload around `data`.
fn lz_payload(data: &[u8]) -> wire::ImagePayload<'_> {
    wire::ImagePayload::LzRgb { data }
}

/// Adds the raw case for `stream`, and when `spice` gives an image id and a payload
/// maker, the same stream behind a SPICE image descriptor too.
fn push_cases(
    cases: &mut Vec<Case>,
    group: &str,
    pic: &Picture,
    stream: Result<Vec<u8>, String>,
    header: String,
    expected: Vec<u8>,
    spice: Option<(u64, PayloadMaker)>,
) {
    if let Some((id, payload)) = spice {
        cases.push(Case {
            group: format!("{group} spiceimage"),
            picture: pic.name.clone(),
            framing: "spiceimage",
            stream: stream.as_ref().map(|s| spice_image(id, pic.width, pic.height, payload(s))).map_err(Clone::clone),
            header: header.clone(),
            expected: expected.clone(),
        });
    }
    cases.push(Case {
        group: format!("{group} raw"),
        picture: pic.name.clone(),
        framing: "raw",
        stream,
        header,
        expected,
    });
}

/// The RGBA bytes the client must produce for `pic`.
fn expected(pic: &Picture, rgb_zero: bool, alpha: Alpha) -> Vec<u8> {
    let mut out = Vec::with_capacity(pic.rgba.len() * 4);
    for y in 0..pic.height {
        for x in 0..pic.width {
            let [r, g, b, a] = pic.at(x, y);
            let a = match alpha {
                Alpha::Opaque => 255,
                Alpha::Same => a,
                Alpha::Inverted => 255 - a,
                Alpha::RowsFlipped => pic.at(x, pic.height - 1 - y)[3],
            };
            out.extend_from_slice(&if rgb_zero { [0, 0, 0, a] } else { [r, g, b, a] });
        }
    }
    out
}

/// A marshalled SpiceImage as a DrawCopy carries it, written by `paprika_codecs::wire`:
/// SpiceImageDescriptor (id u64, type u8 [1 = QUIC, 101 = LZ_RGB], flags u8, width u32,
/// height u32; little-endian), then u32 data_size and the stream. The client does not compare
/// the descriptor's size with the stream's, so the layout is also checked here, byte for byte.
fn spice_image(id: u64, width: u32, height: u32, payload: wire::ImagePayload<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    wire::write(&wire::SpiceImage::new(id, 0, width, height, payload), &mut out).expect("wire::write");
    let (code, stream) = match payload {
        wire::ImagePayload::Quic { data } => (1, data),
        wire::ImagePayload::LzRgb { data } => (101, data),
        _ => unreachable!("only QUIC and LZ_RGB here"),
    };
    let mut want = id.to_le_bytes().to_vec();
    want.extend_from_slice(&[code, 0]);
    want.extend_from_slice(&width.to_le_bytes());
    want.extend_from_slice(&height.to_le_bytes());
    want.extend_from_slice(&u32::try_from(stream.len()).expect("stream under 4 GiB").to_le_bytes());
    want.extend_from_slice(stream);
    assert!(out == want, "wire::write laid out a {width}x{height} image (type {code}) unlike SpiceImage");
    out
}

/// Describes how `got` differs from `want` (both RGBA, top-down, `width` pixels a row).
fn describe_mismatch(width: u32, want: &[u8], got: &[u8]) -> String {
    if want.len() != got.len() {
        return format!("{} output bytes, want {}", got.len(), want.len());
    }
    let mut per_channel = [0usize; 4];
    let mut first = None;
    let mut pixels = 0;
    for (i, (w, g)) in want.chunks_exact(4).zip(got.chunks_exact(4)).enumerate() {
        if w != g {
            pixels += 1;
            first.get_or_insert((i, w, g));
            for c in 0..4 {
                per_channel[c] += usize::from(w[c] != g[c]);
            }
        }
    }
    let (i, w, g) = first.expect("a mismatch");
    let (x, y) = (i as u32 % width, i as u32 / width);
    format!(
        "{pixels} of {} pixels differ (per channel R,G,B,A: {per_channel:?}); first at ({x},{y}): \
         got {g:?}, want {w:?}",
        want.len() / 4
    )
}

/// Decodes every case with the client and compares; panics listing every failure, after
/// printing a per-group pass count.
fn check(cases: Vec<Case>) {
    // First, so that a missing node or client fails the test even if no stream got encoded.
    client_src();
    let dir = tempfile::tempdir().expect("a temp dir");
    let start = Instant::now();
    let runnable: Vec<(usize, (&str, &[u8]))> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.stream.as_ref().ok().map(|s| (i, (c.framing, s.as_slice()))))
        .collect();
    let jobs: Vec<(&str, &[u8])> = runnable.iter().map(|&(_, j)| j).collect();
    let decoded = if jobs.is_empty() { Vec::new() } else { decode_all(dir.path(), &jobs) };
    let mut results: Vec<Option<Decoded>> = cases.iter().map(|_| None).collect();
    for ((i, _), d) in runnable.iter().zip(decoded) {
        results[*i] = Some(d);
    }
    let mut failures = Vec::new();
    // Per group: exact, all, stream bytes, picture bytes (R,G,B,A).
    let mut summary: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    for (case, result) in cases.iter().zip(results) {
        let problem = match (&case.stream, result) {
            (Err(e), _) => Some(format!("our encoder failed: {e}")),
            (Ok(_), Some(Decoded::Err(e))) => Some(format!("spice-html5 failed: {e}")),
            (Ok(_), Some(Decoded::Ok { header, rgba })) => {
                if header != case.header {
                    Some(format!("client saw \"{header}\", want \"{}\"", case.header))
                } else if rgba != case.expected {
                    let width = case.header.split(' ').next().and_then(|w| w.parse().ok()).unwrap_or(1);
                    Some(describe_mismatch(width, &case.expected, &rgba))
                } else {
                    None
                }
            }
            (Ok(_), None) => unreachable!("every runnable case was decoded"),
        };
        let entry = summary.entry(&case.group).or_default();
        entry.1 += 1;
        entry.2 += case.stream.as_ref().map_or(0, Vec::len);
        entry.3 += case.expected.len();
        match problem {
            None => entry.0 += 1,
            Some(p) => failures.push(format!("{} {}: {p}", case.group, case.picture)),
        }
    }
    let mut report = format!(
        "spice-html5 {CLIENT_VERSION}: {} streams decoded and compared in {:.2?}\n",
        cases.len(),
        start.elapsed()
    );
    for (group, (ok, all, bytes, raw)) in &summary {
        report.push_str(&format!(
            "  {group:<40} {ok:>3}/{all:<3} exact, {bytes:>8} stream bytes for {raw:>8} RGBA bytes\n"
        ));
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} of {} streams failed:\n{}\n{report}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

/// QUIC RGB32 (from B,G,R,X with junk X), RGB24 (from B,G,R) and RGBA (from B,G,R,A), from
/// top-down and bottom-up bitmaps (QUIC streams are always top-down; the encoder reads a
/// bottom-up bitmap's rows in reverse), raw, and a few as SPICE images.
#[test]
fn quic_streams_decode_exactly_in_spice_html5() {
    let types = [
        (quic::ImageType::Rgb32, PixelFormat::Bgrx32, Alpha::Opaque),
        (quic::ImageType::Rgb24, PixelFormat::Bgr24, Alpha::Opaque),
        // Quirk: spice-html5 writes A = 255 − decoded alpha for QUIC RGBA
        // (quic.js convert_spice_quic_to_web).
        (quic::ImageType::Rgba, PixelFormat::Bgra32, Alpha::Inverted),
    ];
    let mut cases = Vec::new();
    for (n, pic) in pictures().iter().enumerate() {
        for (ty, format, alpha) in types {
            let top_down = pic.image(format);
            for (orientation, img) in [("top-down", top_down.clone()), ("bottom-up", top_down.flipped_storage())] {
                let stream = quic::encode(&img.as_ref(), ty).map_err(|e| format!("{e:?}"));
                let expected = expected(pic, false, alpha);
                let header = format!("{} {} QUIC {}", pic.width, pic.height, ty.code());
                // The SPICE-image path for a few: the same stream behind a descriptor.
                let spice = (orientation == "top-down" && matches!(n, 0 | 2 | 7 | 10))
                    .then_some((1000 + n as u64, quic_payload as PayloadMaker));
                let group = format!("quic {} {orientation}-source", ty.name());
                push_cases(&mut cases, &group, pic, stream, header, expected, spice);
            }
        }
    }
    check(cases);
}

/// LZ_RGB RGB32 (from B,G,R,X with junk X), RGBA and XXXA (from B,G,R,A), top-down and
/// bottom-up streams (LZ codes rows in memory order and says which in its header), raw, and
/// a few as SPICE images.
#[test]
fn lz_rgb_streams_decode_exactly_in_spice_html5() {
    // (type, alpha when top-down, alpha when bottom-up, R=G=B=0)
    let types = [
        (lz::ImageType::Rgb32, Alpha::Opaque, Alpha::Opaque, false),
        // Quirk: for bottom-up RGBA, lz.js flips the RGB pass to top-down, then decodes the
        // alpha pass over it in stream order, so the alpha plane stays upside down.
        (lz::ImageType::Rgba, Alpha::Same, Alpha::RowsFlipped, false),
        // XXXA codes only alpha (R=G=B=0 in SPICE's decoders too); lz.js never flips XXXA, so
        // bottom-up XXXA comes out upside down (only alpha is visible).
        (lz::ImageType::Xxxa, Alpha::Same, Alpha::RowsFlipped, true),
    ];
    let mut cases = Vec::new();
    for (n, pic) in pictures().iter().enumerate() {
        for (ty, alpha_td, alpha_bu, rgb_zero) in types {
            let top_down = pic.image(ty.pixel_format());
            let bottom_up = top_down.flipped_storage();
            assert_eq!(bottom_up.to_bgrx(), top_down.to_bgrx(), "flipped_storage keeps the picture");
            for (orientation, img, alpha) in [("top-down", top_down, alpha_td), ("bottom-up", bottom_up, alpha_bu)] {
                let stream = lz::encode(&img.as_ref(), ty).map_err(|e| format!("{e:?}"));
                let expected = expected(pic, rgb_zero, alpha);
                let header = format!("{} {} LZ {}", pic.width, pic.height, ty.code());
                let spice = matches!(n, 0 | 3 | 7 | 10).then_some((2000 + n as u64, lz_payload as PayloadMaker));
                let group = format!("lz {} {orientation}", ty.name());
                push_cases(&mut cases, &group, pic, stream, header, expected, spice);
            }
        }
    }
    check(cases);
}
