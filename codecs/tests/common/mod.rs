//! Shared helpers for the integration tests: the golden-vector manifest.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use sha2::{Digest, Sha256};

/// Root of the bundled golden vectors (`corpora/vectors`).
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpora/vectors")
}

/// All manifest records.
pub fn manifest() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(vectors_dir().join("MANIFEST.json")).expect("MANIFEST.json");
    serde_json::from_str(&text).expect("manifest is JSON")
}

/// Records of one codec.
pub fn records(codec: &str) -> Vec<serde_json::Value> {
    manifest().into_iter().filter(|r| r["codec"] == codec).collect()
}

/// Reads a file under the vectors folder.
pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(vectors_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Reads and gunzips a file under the vectors folder.
pub fn read_gz(rel: &str) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&read(rel)[..]).read_to_end(&mut out).expect("gzip");
    out
}

/// Lower-case hex SHA-256.
pub fn sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Loads a PNG input as BGRX (opaque) or BGRA (with alpha).
pub fn load_png(rel: &str) -> Image {
    let img = image::load_from_memory(&read(rel)).expect("png");
    Image::from_dynamic(&img)
}

/// The encoder's native input for a record: from the PNG, or from `raw_input`.
pub fn native_input(rec: &serde_json::Value, format: PixelFormat) -> Image {
    let (w, h) = (rec["width"].as_u64().unwrap() as u32, rec["height"].as_u64().unwrap() as u32);
    if let Some(raw) = rec["raw_input"].as_str() {
        let data = read_gz(raw);
        Image::from_vec(ImageDesc::packed(w, h, format).unwrap(), data).expect("raw input size")
    } else {
        let png = load_png(rec["input"].as_str().expect("input"));
        assert_eq!((png.width(), png.height()), (w, h));
        png.convert(format).expect("convert")
    }
}

/// Deterministic xorshift bytes for tests.
pub fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

/// SplitMix64: small, seedable, good enough to pick positions, bytes and sizes.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs a decode of `input`, turning a panic into a test failure that shows the
/// input (whole if short, else saved to a temp file named after `tag`) and what
/// produced it, and failing if it took `max` or longer (a hang, in these tests).
pub fn decode_guarded<T>(
    tag: &str,
    input: &[u8],
    max: std::time::Duration,
    what: &dyn Fn() -> String,
    decode: impl FnOnce() -> T,
) -> T {
    let start = std::time::Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode));
    let elapsed = start.elapsed();
    match outcome {
        Ok(result) => {
            assert!(elapsed < max, "{}: decoding {} bytes took {elapsed:?}", what(), input.len());
            result
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let shown = if input.len() <= 512 {
                format!("input {}", hex(input))
            } else {
                let path = std::env::temp_dir().join(format!("{tag}_panic_{}.bin", std::process::id()));
                let _ = std::fs::write(&path, input);
                format!("{} byte input saved to {}", input.len(), path.display())
            };
            panic!("{}: decoder panicked ({msg}); {shown}", what());
        }
    }
}

/// Runs `f` on its own thread and fails if it has not finished after `secs`:
/// a decoder stuck in a loop fails the test instead of stalling the suite.
pub fn with_watchdog(secs: u64, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(()) => worker.join().unwrap(),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("no result after {secs} s: decoder hang?"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => std::panic::resume_unwind(worker.join().unwrap_err()),
    }
}

/// Peak virtual memory of this process in KiB, where `/proc` has it: a large
/// allocation shows here even if its zeroed pages are never touched.
pub fn vm_peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmPeak:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
