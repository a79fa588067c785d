//! End-to-end tests of `paprika audio`: a WAV through an Ogg Opus file and back,
//! the file checked page by page against RFC 3533 / RFC 7845 by a parser of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The committed speech sample: 48 kHz mono 16-bit, 121,931 samples.
fn speech() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpora/audio/speech_en_48k_mono.wav")
}

/// Runs `paprika` with `args` in `dir`.
fn paprika(dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paprika")).args(args).current_dir(dir).output().expect("running paprika")
}

/// Runs `paprika`, asserts success, returns its stderr.
fn ok(dir: &Path, args: &[&std::ffi::OsStr]) -> String {
    let out = paprika(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "paprika {args:?} failed ({}):\n{stderr}", out.status);
    stderr
}

/// Runs `paprika` and asserts that it failed with `needle` in its stderr.
fn fails_with(dir: &Path, args: &[&std::ffi::OsStr], needle: &str) {
    let out = paprika(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "paprika {args:?} succeeded");
    assert!(stderr.contains(needle), "stderr lacks {needle:?}:\n{stderr}");
}

macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new(&$a)),*] };
}

/// Interleaved samples and channel count of a 16-bit WAV.
fn read_wav(path: &Path) -> (Vec<i16>, u16, u32) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    assert_eq!((spec.bits_per_sample, spec.sample_format), (16, hound::SampleFormat::Int));
    (r.samples::<i16>().map(Result::unwrap).collect(), spec.channels, spec.sample_rate)
}

fn snr_db(reference: &[i16], test: &[i16]) -> f64 {
    assert_eq!(reference.len(), test.len());
    let (mut s, mut n) = (0.0f64, 0.0f64);
    for (&x, &y) in reference.iter().zip(test) {
        s += f64::from(x) * f64::from(x);
        n += (f64::from(x) - f64::from(y)).powi(2);
    }
    10.0 * (s / n.max(1.0)).log10()
}

/// The Ogg CRC-32 (polynomial 0x04c11db7, no reflection, initial value 0).
fn ogg_crc(bytes: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &b in bytes {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04c1_1db7 } else { crc << 1 };
        }
    }
    crc
}

/// One Ogg page: header type flags, granule position, and its packets' bytes (a
/// packet continued onto the next page is not split here: these files never do it).
struct Page {
    flags: u8,
    granule: u64,
    packets: Vec<Vec<u8>>,
}

/// Parses every page of `file`, checking capture pattern, version, sequence and CRC.
fn pages(file: &[u8]) -> Vec<Page> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < file.len() {
        let h = &file[pos..];
        assert_eq!(&h[..5], b"OggS\0", "page at {pos}");
        let segments = usize::from(h[26]);
        let lacing = &h[27..27 + segments];
        let body_len: usize = lacing.iter().map(|&l| usize::from(l)).sum();
        let page_len = 27 + segments + body_len;
        let mut copy = h[..page_len].to_vec();
        copy[22..26].fill(0);
        assert_eq!(ogg_crc(&copy), u32::from_le_bytes(h[22..26].try_into().unwrap()), "CRC of page at {pos}");
        assert_eq!(u32::from_le_bytes(h[18..22].try_into().unwrap()) as usize, out.len(), "page sequence");
        let mut packets = Vec::new();
        let (mut at, mut current) = (27 + segments, Vec::new());
        for &l in lacing {
            current.extend_from_slice(&h[at..at + usize::from(l)]);
            at += usize::from(l);
            if l < 255 {
                packets.push(std::mem::take(&mut current));
            }
        }
        assert!(current.is_empty(), "no packet spans pages in these files");
        out.push(Page { flags: h[5], granule: u64::from_le_bytes(h[6..14].try_into().unwrap()), packets });
        pos += page_len;
    }
    out
}

#[test]
fn speech_round_trips_through_a_valid_ogg_opus_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (opus, wav) = (tmp.path().join("s.opus"), tmp.path().join("s.wav"));
    let said = ok(tmp.path(), args!["audio", "encode", "--bitrate", "64k", speech(), "-o", opus]);
    assert!(said.starts_with("opus 48000 Hz stereo, 255 packets of 10 ms (2.540 s of input)"), "{said}");

    let file = std::fs::read(&opus).unwrap();
    let pages = pages(&file);
    // RFC 7845 §3: OpusHead alone on the first page (beginning of stream), OpusTags
    // next and ending its page, then audio; the last page ends the stream.
    assert_eq!((pages[0].flags, pages[0].granule, pages[0].packets.len()), (0x02, 0, 1));
    let head = &pages[0].packets[0];
    assert_eq!(&head[..8], b"OpusHead");
    assert_eq!((head[8], head[9], head[18]), (1, 2, 0), "version 1, stereo, mapping family 0");
    let pre_skip = u64::from(u16::from_le_bytes([head[10], head[11]]));
    assert_eq!(pre_skip, 312, "the encoder's lookahead: 6.5 ms at 48 kHz");
    assert_eq!(u32::from_le_bytes(head[12..16].try_into().unwrap()), 48_000);
    assert_eq!((pages[1].granule, pages[1].packets.len()), (0, 1));
    assert!(pages[1].packets[0].starts_with(b"OpusTags"));
    let audio: Vec<&Vec<u8>> = pages[2..].iter().flat_map(|p| &p.packets).collect();
    assert_eq!(audio.len(), 255, "(121931 + 312) / 480 rounded up");
    assert!(audio.iter().all(|p| p[0] >> 3 >= 12 && p[0] & 3 == 0 && !p.is_empty()), "single 10 ms frames");
    let last = pages.last().unwrap();
    assert_eq!(last.flags & 0x04, 0x04, "end of stream");
    assert_eq!(last.granule, pre_skip + 121_931, "end trimming to the input's length");
    for w in pages[2..].windows(2) {
        assert!(w[0].granule < w[1].granule);
    }
    let packet_bytes: usize = audio.iter().map(|p| p.len()).sum();
    let kbps = packet_bytes as f64 * 8.0 / 2.55 / 1000.0;
    assert!((56.0..=72.0).contains(&kbps), "{kbps:.1} kbit/s for 64k");

    let said = ok(tmp.path(), args!["audio", "decode", opus, "-o", wav]);
    assert!(said.starts_with("opus 255 packets (0 lost"), "{said}");
    let (out, channels, rate) = read_wav(&wav);
    let (input, _, _) = read_wav(&speech());
    let stereo_input: Vec<i16> = input.iter().flat_map(|&s| [s, s]).collect();
    assert_eq!((channels, rate, out.len()), (2, 48_000, stereo_input.len()), "pre-skip and end trimmed");
    // Measured 16.4 dB: the same as the library test at 64 kbit/s once the delay is removed.
    let snr = snr_db(&stereo_input, &out);
    assert!(snr > 15.5, "{snr:.2} dB");
}

#[test]
fn lost_packets_are_concealed_and_cost_quality_not_length() {
    let tmp = tempfile::tempdir().unwrap();
    let opus = tmp.path().join("s.opus");
    ok(tmp.path(), args!["audio", "encode", "--bitrate", "96k", "--rate-control", "cbr", speech(), "-o", opus]);
    let (input, _, _) = read_wav(&speech());
    let stereo_input: Vec<i16> = input.iter().flat_map(|&s| [s, s]).collect();
    let mut snrs = Vec::new();
    for lose in [None, Some("10"), Some("3")] {
        let wav = tmp.path().join(format!("l{}.wav", lose.unwrap_or("0")));
        let said = match lose {
            None => ok(tmp.path(), args!["audio", "decode", opus, "-o", wav]),
            Some(n) => ok(tmp.path(), args!["audio", "decode", "--lose-every", n, opus, "-o", wav]),
        };
        let lost = lose.map_or(0, |n| 255 / n.parse::<usize>().unwrap());
        assert!(said.starts_with(&format!("opus 255 packets ({lost} lost and concealed")), "{said}");
        let (out, _, _) = read_wav(&wav);
        assert_eq!(out.len(), stereo_input.len());
        snrs.push(snr_db(&stereo_input, &out));
    }
    println!("SNR with no loss, 1 in 10 lost, 1 in 3 lost: {snrs:.2?} dB");
    assert!(snrs[0] > snrs[1] && snrs[1] > snrs[2], "{snrs:?}");
    assert!(snrs[1] > 1.0, "concealment is not silence: {snrs:?}");
}

#[test]
fn inputs_it_cannot_take_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, rate: u32, channels: u16, bits: u16| {
        let path = tmp.path().join(name);
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..4_800 * u32::from(channels) {
            w.write_sample((i % 100) as i32).unwrap();
        }
        w.finalize().unwrap();
        path
    };
    let out = tmp.path().join("x.opus");
    fails_with(tmp.path(), args!["audio", "encode", write("a.wav", 44_100, 2, 16), "-o", out], "is 44100 Hz");
    fails_with(tmp.path(), args!["audio", "encode", write("b.wav", 48_000, 2, 24), "-o", out], "24-bit integer");
    fails_with(tmp.path(), args!["audio", "encode", write("c.wav", 48_000, 3, 16), "-o", out], "3 channels");
    fails_with(tmp.path(), args!["audio", "encode", "--bitrate", "5", speech(), "-o", out], "outside Opus's");
    fails_with(tmp.path(), args!["audio", "decode", speech(), "-o", tmp.path().join("y.wav")], "not an Ogg file");
    // A short mono file still makes a valid stream of one packet.
    ok(tmp.path(), args!["audio", "encode", write("d.wav", 48_000, 1, 16), "-o", out]);
    let back = tmp.path().join("d_back.wav");
    ok(tmp.path(), args!["audio", "decode", out, "-o", back]);
    assert_eq!(read_wav(&back).0.len(), 4_800 * 2);
}
