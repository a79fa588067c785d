//! PWLD workloads: the committed ones play to the end as their manifest says,
//! a written workload reads back exactly, and broken files of every kind give a
//! `WorkloadError`, never a panic.

use std::path::PathBuf;

use paprika_adapt::engine::{Engine, EngineConfig};
use paprika_adapt::network::SECOND;
use paprika_adapt::policy::policy_by_name;
use paprika_adapt::sim::workload::{Encoding, HEADER_LEN, INDEX_ENTRY_LEN, NamedWorkload, RECT_HEADER_LEN, diff_rects};
use paprika_adapt::sim::{
    CapacityTrace, SessionConfig, Workload, WorkloadError, WorkloadFactory, WorkloadPlayer, WorkloadWriter, run_session,
};
use paprika_codecs::Rect;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpora/workloads")
}

/// One row of the manifest in corpora/workloads/README.md.
#[derive(Debug)]
struct Row {
    file: String,
    width: u32,
    height: u32,
    duration_ms: u64,
    frames: usize,
    bytes: usize,
}

fn manifest() -> Vec<Row> {
    let text = std::fs::read_to_string(corpus().join("README.md")).unwrap();
    let section = text.split("## Manifest").nth(1).expect("README has a Manifest section");
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `ci/")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `ci/NAME.pwl` | WxH | S.SSS s | frames | bytes | ...
        let file = cells[1].trim_matches('`').to_string();
        let (w, h) = cells[2].split_once('x').unwrap();
        let secs = cells[3].strip_suffix(" s").unwrap();
        let (s, ms) = secs.split_once('.').unwrap();
        rows.push(Row {
            file,
            width: w.parse().unwrap(),
            height: h.parse().unwrap(),
            duration_ms: s.parse::<u64>().unwrap() * 1000 + ms.parse::<u64>().unwrap(),
            frames: cells[4].parse().unwrap(),
            bytes: cells[5].replace(',', "").parse().unwrap(),
        });
    }
    rows
}

#[test]
fn every_committed_workload_is_in_the_manifest_and_plays_as_documented() {
    let rows = manifest();
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus().join("ci"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pwl"))
        .map(|n| format!("ci/{n}"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = rows.iter().map(|r| r.file.clone()).collect();
    listed.sort();
    assert_eq!(listed, on_disk, "the manifest lists exactly the committed workloads");
    assert!(rows.len() >= 7, "seven workloads at least");
    let mut total = 0;
    for row in &rows {
        let wl = Workload::open(corpus().join(&row.file)).unwrap();
        assert!(wl.is_mapped());
        let f = &row.file;
        assert_eq!((wl.width(), wl.height()), (row.width, row.height), "{f}");
        assert_eq!(wl.len(), row.frames, "{f}");
        assert_eq!(wl.byte_len(), row.bytes, "{f}");
        // The manifest gives milliseconds; the file has microseconds.
        assert_eq!(wl.duration() / 1000, row.duration_ms, "{f}");
        total += wl.byte_len();
        let (w, h) = (wl.width(), wl.height());
        let mut player = WorkloadPlayer::new(wl.clone());
        let mut prev: Option<Vec<u8>> = None;
        let mut last_t = None;
        while player.advance().unwrap() {
            let t = player.timestamp().unwrap();
            let i = player.frame_index().unwrap();
            assert!(last_t.is_none_or(|p| t > p), "{f} frame {i}: time goes back");
            assert!(t <= wl.duration(), "{f} frame {i}: after the end");
            assert_eq!(wl.frame_meta(i).unwrap().timestamp, t);
            let damage = player.damage().to_vec();
            let cur = player.pixels().to_vec();
            assert!(cur.chunks_exact(4).all(|p| p[3] == 255), "{f} frame {i}: X is not 255");
            match &prev {
                None => {
                    assert_eq!(
                        (t, damage.as_slice()),
                        (0, &[Rect::new(0, 0, w, h)][..]),
                        "{f}: frame 0 is the whole screen"
                    )
                }
                Some(p) => {
                    // The stored rectangles are what the Rust damage finds: exact, and
                    // the same rule as the Python generator's.
                    assert!(!damage.is_empty(), "{f} frame {i}: stored although nothing changed");
                    assert_eq!(diff_rects(p, &cur, w, h), damage, "{f} frame {i}");
                }
            }
            prev = Some(cur);
            last_t = Some(t);
        }
        assert_eq!(player.frame_index(), Some(row.frames - 1), "{f}: played every frame");
    }
    assert!(total < 8_500_000, "committed workloads take {total} bytes (budget about 8 MB)");
}

/// A screen of `w` x `h` with a pattern that moves with `k`, plus a changed spot.
fn frame(w: u32, h: u32, k: u32) -> Vec<u8> {
    let mut px = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let inside = (x + 3 * k) % 50 < 20 && (y + k) % 40 < 25;
            let v = if inside { (x * 7 + y * 3 + k * 11) as u8 } else { 200 };
            px.extend_from_slice(&[v, v.wrapping_mul(3), 255 - v, 255]);
        }
    }
    let spot = ((k * 37) % h * w + (k * 53) % w) as usize * 4;
    px[spot] ^= 0x5a;
    px
}

/// Every frame's screen, or the first error.
fn play_all_checked(wl: Workload) -> Result<Vec<Vec<u8>>, WorkloadError> {
    let mut p = WorkloadPlayer::new(wl);
    let mut out = Vec::new();
    while p.advance()? {
        out.push(p.pixels().to_vec());
    }
    Ok(out)
}

fn play_all(wl: Workload) -> Vec<(u64, Vec<Rect>, Vec<u8>)> {
    let mut p = WorkloadPlayer::new(wl);
    let mut out = Vec::new();
    while p.advance().unwrap() {
        out.push((p.timestamp().unwrap(), p.damage().to_vec(), p.pixels().to_vec()));
    }
    out
}

#[test]
fn a_written_workload_reads_back_frame_by_frame() {
    // Sizes that are not multiples of the 64-pixel tile, compressed and raw.
    for (w, h, level) in [(131u32, 77u32, Some(6)), (64, 64, None), (1, 1, Some(9)), (200, 3, None)] {
        let mut wr = WorkloadWriter::new(w, h).unwrap().compression(level);
        let mut expected = Vec::new();
        let mut t = 0;
        for k in 0..12 {
            let px = frame(w, h, k);
            if wr.push_image(t, &px).unwrap() {
                expected.push((t, px));
            }
            t += 16_667 + u64::from(k) * 1000;
        }
        // Overlapping rectangles: the later one wins where they meet.
        let full = (w * h * 4) as usize;
        let mut screen = expected.last().unwrap().1.clone();
        let a = Rect::new(0, 0, w.div_ceil(2), h);
        let b = Rect::new(w / 3, h / 2, w - w / 3, h - h / 2);
        let pa = vec![7u8; a.area() as usize * 4];
        let pb: Vec<u8> = (0..b.area() as usize * 4).map(|i| (i * 13) as u8).collect();
        wr.push_rects(t, &[(a, &pa), (b, &pb)]).unwrap();
        for (r, p) in [(a, &pa), (b, &pb)] {
            for dy in 0..r.height as usize {
                let row = r.width as usize * 4;
                let at = ((r.y as usize + dy) * w as usize + r.x as usize) * 4;
                screen[at..at + row].copy_from_slice(&p[dy * row..(dy + 1) * row]);
            }
        }
        assert_eq!(screen.len(), full);
        assert_eq!(wr.screen(), &screen[..]);
        expected.push((t, screen));
        assert_eq!(wr.len(), expected.len());
        let bytes = wr.finish(t + 500_000).unwrap();
        let wl = Workload::from_bytes(bytes.clone()).unwrap();
        assert!(!wl.is_mapped());
        assert_eq!((wl.width(), wl.height(), wl.len(), wl.duration()), (w, h, expected.len(), t + 500_000));
        if level.is_none() {
            let all_raw =
                (0..wl.len()).all(|i| wl.frame_meta(i).unwrap().rects.iter().all(|r| r.encoding == Encoding::Raw));
            assert!(all_raw, "compression off stores every rectangle raw");
        }
        let played = play_all(wl);
        assert_eq!(played.len(), expected.len());
        for (i, ((t, damage, px), (et, epx))) in played.iter().zip(&expected).enumerate() {
            assert_eq!(t, et, "{w}x{h} frame {i}");
            assert!(px == epx, "{w}x{h} frame {i}: pixels differ");
            if i == expected.len() - 1 {
                assert_eq!(damage, &[a, b]);
            }
        }
    }
}

/// A file laid out by hand from the spec in corpora/workloads/README.md,
/// independent of the writer: (timestamp, rects of (x, y, w, h, encoding, payload)).
type HandFrame = (u64, Vec<(u32, u32, u32, u32, u8, Vec<u8>)>);

fn hand_built(w: u32, h: u32, duration: u64, frames: &[HandFrame]) -> Vec<u8> {
    let mut out = b"PWLD".to_vec();
    for v in [1, w, h, frames.len() as u32, 0] {
        out.extend_from_slice(&u32::to_le_bytes(v));
    }
    out.extend_from_slice(&duration.to_le_bytes());
    let mut offset = (HEADER_LEN + frames.len() * INDEX_ENTRY_LEN) as u64;
    let mut body = Vec::new();
    for (t, rects) in frames {
        out.extend_from_slice(&t.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&(rects.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        let start = body.len();
        for (x, y, rw, rh, enc, payload) in rects {
            for v in [*x, *y, *rw, *rh] {
                body.extend_from_slice(&v.to_le_bytes());
            }
            body.extend_from_slice(&[*enc, 0, 0, 0]);
            body.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        }
        for (.., payload) in rects {
            body.extend_from_slice(payload);
        }
        offset += (body.len() - start) as u64;
    }
    out.extend_from_slice(&body);
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(9));
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

fn bgrx(n: usize, seed: u8) -> Vec<u8> {
    (0..n).flat_map(|i| [(i as u8).wrapping_mul(seed), seed, (i / 3) as u8, 255]).collect()
}

/// 20x10: a full raw frame 0, then a zlib rectangle, then raw and zlib together.
fn small() -> (Vec<u8>, Vec<HandFrame>) {
    let frames: Vec<HandFrame> = vec![
        (0, vec![(0, 0, 20, 10, 0, bgrx(200, 3))]),
        (33_333, vec![(2, 1, 5, 4, 1, zlib(&bgrx(20, 5)))]),
        (66_667, vec![(19, 9, 1, 1, 0, bgrx(1, 9)), (0, 5, 20, 5, 1, zlib(&bgrx(100, 11)))]),
    ];
    (hand_built(20, 10, 100_000, &frames), frames)
}

/// Opens and, if that works, plays to the end: the first error, if any.
fn open_and_play(bytes: Vec<u8>) -> Result<usize, WorkloadError> {
    let wl = Workload::from_bytes(bytes)?;
    let mut p = WorkloadPlayer::new(wl);
    let mut n = 0;
    while p.advance()? {
        n += 1;
    }
    Ok(n)
}

#[test]
fn the_writer_writes_the_documented_layout() {
    let (bytes, frames) = small();
    assert_eq!(open_and_play(bytes.clone()).unwrap(), 3);
    // The same frames through the writer, raw: byte for byte the hand-built layout
    // once the hand-built zlib rectangles are stored raw too.
    let raw: Vec<HandFrame> = frames
        .iter()
        .map(|(t, rects)| {
            let rects = rects
                .iter()
                .map(|(x, y, w, h, _, _)| {
                    let seed = match (w, h) {
                        (20, 10) => 3,
                        (5, 4) => 5,
                        (1, 1) => 9,
                        _ => 11,
                    };
                    (*x, *y, *w, *h, 0u8, bgrx((w * h) as usize, seed))
                })
                .collect();
            (*t, rects)
        })
        .collect();
    let mut wr = WorkloadWriter::new(20, 10).unwrap().compression(None);
    for (t, rects) in &raw {
        let pairs: Vec<(Rect, &[u8])> =
            rects.iter().map(|(x, y, w, h, _, p)| (Rect::new(*x, *y, *w, *h), p.as_slice())).collect();
        wr.push_rects(*t, &pairs).unwrap();
    }
    assert_eq!(wr.finish(100_000).unwrap(), hand_built(20, 10, 100_000, &raw));
    // Both decode to the same screens.
    let a = play_all(Workload::from_bytes(bytes).unwrap());
    let b = play_all(Workload::from_bytes(hand_built(20, 10, 100_000, &raw)).unwrap());
    assert_eq!(a, b);
}

#[test]
fn every_truncation_is_refused() {
    let (bytes, _) = small();
    for len in 0..bytes.len() {
        let r = Workload::from_bytes(bytes[..len].to_vec());
        assert!(r.is_err(), "a {len}-byte prefix of {} opened", bytes.len());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(Workload::from_bytes(longer), Err(WorkloadError::TrailingData { unread: 1 })));
}

#[test]
fn flipped_bytes_in_the_header_index_and_rect_headers_are_refused() {
    let (bytes, _) = small();
    let index_end = HEADER_LEN + 3 * INDEX_ENTRY_LEN;
    // Rect headers of every frame start at their index offsets.
    let rect_headers: Vec<usize> = (0..3usize)
        .flat_map(|f| {
            let e = HEADER_LEN + f * INDEX_ENTRY_LEN;
            let off = u64::from_le_bytes(bytes[e + 8..e + 16].try_into().unwrap()) as usize;
            let count = u32::from_le_bytes(bytes[e + 16..e + 20].try_into().unwrap()) as usize;
            off..off + count * RECT_HEADER_LEN
        })
        .collect();
    // Fields a flip may leave valid: the duration, the timestamps of frames 1
    // and 2 while they still increase, and the position (x, y) of a later
    // rectangle while it stays on the surface. Everything else must be refused.
    let may_stay_valid = |at: usize| {
        (24..32).contains(&at)
            || (HEADER_LEN + INDEX_ENTRY_LEN..index_end).contains(&at) && (at - HEADER_LEN) % INDEX_ENTRY_LEN < 8
            || rect_headers
                .iter()
                .position(|&p| p == at)
                .is_some_and(|i| i >= RECT_HEADER_LEN && i % RECT_HEADER_LEN < 8)
    };
    let mut positions: Vec<usize> = (0..index_end).collect();
    positions.extend(&rect_headers);
    let (mut refused, mut strict) = (0, 0);
    for &at in &positions {
        strict += usize::from(!may_stay_valid(at));
        for mask in [0x01u8, 0x10, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[at] ^= mask;
            match open_and_play(b) {
                Err(_) => refused += 1,
                Ok(n) => {
                    assert!(may_stay_valid(at), "byte {at} ^ {mask:#04x} was accepted");
                    assert_eq!(n, 3);
                }
            }
        }
    }
    assert!(refused >= 4 * strict && strict > 100, "{refused} refused, {strict} strict positions");
    // Named faults.
    let mut b = bytes.clone();
    b[0] = b'Q';
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::BadMagic { found }) if &found == b"QWLD"));
    let mut b = bytes.clone();
    b[4] = 2;
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::BadVersion { found: 2 })));
    let mut b = bytes.clone();
    b[8..12].copy_from_slice(&0u32.to_le_bytes());
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::BadSize { width: 0, height: 10 })));
    let mut b = bytes.clone();
    b[8..16].copy_from_slice(&[0, 0, 1, 0, 0, 0, 1, 0]);
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::BadSize { .. })), "65536 x 65536 is refused");
    let mut b = bytes.clone();
    b[16..20].copy_from_slice(&0u32.to_le_bytes());
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::NoFrames)));
    let mut b = bytes.clone();
    b[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::Truncated { .. })), "an index past the end");
    let mut b = bytes.clone();
    b[24..32].copy_from_slice(&1u64.to_le_bytes());
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::BadDuration { duration: 1, last: 66_667 })));
    let mut b = bytes.clone();
    let t2 = HEADER_LEN + 2 * INDEX_ENTRY_LEN;
    b[t2..t2 + 8].copy_from_slice(&33_333u64.to_le_bytes());
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::BadTimestamp { frame: 2 })));
    let mut b = bytes.clone();
    b[HEADER_LEN + INDEX_ENTRY_LEN + 8] ^= 4;
    assert!(matches!(Workload::from_bytes(b), Err(WorkloadError::BadOffset { frame: 1, .. })));
}

/// `small()` with frame 1's rectangle header replaced.
fn with_rect(x: u32, y: u32, w: u32, h: u32, enc: u8, payload: Vec<u8>) -> Vec<u8> {
    let (_, mut frames) = small();
    frames[1].1[0] = (x, y, w, h, enc, payload);
    hand_built(20, 10, 100_000, &frames)
}

#[test]
fn rectangles_outside_the_surface_are_refused() {
    let px = |w: u32, h: u32| bgrx((w * h) as usize, 1);
    for (x, y, w, h) in [(16, 1, 5, 4), (2, 7, 5, 4), (20, 0, 1, 1), (0, 10, 1, 1), (2, 1, 0, 4), (2, 1, 5, 0)] {
        let r = Workload::from_bytes(with_rect(x, y, w, h, 0, px(w, h)));
        assert!(matches!(r, Err(WorkloadError::BadRect { frame: 1, rect: 0 })), "{x},{y} {w}x{h}: {r:?}");
    }
    // Overflowing sums must not wrap into the surface.
    let r = Workload::from_bytes(with_rect(u32::MAX, 0, 2, 1, 0, px(2, 1)));
    assert!(matches!(r, Err(WorkloadError::BadRect { .. })), "{r:?}");
    // Frame 0 must start with the whole surface.
    let (_, mut frames) = small();
    frames[0].1[0] = (0, 0, 20, 9, 0, bgrx(180, 3));
    assert!(matches!(
        Workload::from_bytes(hand_built(20, 10, 100_000, &frames)),
        Err(WorkloadError::FirstFrameNotFull)
    ));
    // A raw payload of the wrong size, and an unknown encoding.
    let r = Workload::from_bytes(with_rect(2, 1, 5, 4, 0, bgrx(19, 1)));
    assert!(matches!(r, Err(WorkloadError::PayloadLength { frame: 1, rect: 0, declared: 76, expected: 80 })), "{r:?}");
    let r = Workload::from_bytes(with_rect(2, 1, 5, 4, 2, bgrx(20, 1)));
    assert!(matches!(r, Err(WorkloadError::BadEncoding { found: 2, .. })), "{r:?}");
}

#[test]
fn zlib_payloads_of_the_wrong_length_bombs_and_garbage_are_refused() {
    let want = bgrx(20, 5); // 5x4 pixels: 80 bytes
    let play = |payload: Vec<u8>| open_and_play(with_rect(2, 1, 5, 4, 1, payload));
    assert_eq!(play(zlib(&want)).unwrap(), 3);
    let short = play(zlib(&want[..76]));
    assert!(
        matches!(short, Err(WorkloadError::InflatedTooShort { frame: 1, rect: 0, expected: 80, found: 76 })),
        "{short:?}"
    );
    let mut more = want.clone();
    more.push(1);
    assert!(matches!(play(zlib(&more)), Err(WorkloadError::InflatedTooLong { frame: 1, rect: 0, expected: 80 })));
    // 256 MiB of zeros in about 256 KB: inflating stops at the rectangle's 80 bytes.
    let bomb = {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(9));
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..256 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap()
    };
    assert!(bomb.len() < 1 << 20);
    let started = std::time::Instant::now();
    assert!(matches!(play(bomb), Err(WorkloadError::InflatedTooLong { .. })));
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "the bomb was inflated");
    // Truncated stream, trailing bytes, garbage, an empty payload.
    let z = zlib(&want);
    assert!(matches!(
        play(z[..z.len() - 4].to_vec()),
        Err(WorkloadError::BadDeflate { .. } | WorkloadError::InflatedTooShort { .. })
    ));
    let mut trailing = z.clone();
    trailing.push(0);
    assert!(matches!(play(trailing), Err(WorkloadError::BadDeflate { frame: 1, rect: 0 })));
    assert!(matches!(play(vec![1, 2, 3, 4, 5]), Err(WorkloadError::BadDeflate { .. })));
    assert!(matches!(play(Vec::new()), Err(WorkloadError::BadDeflate { .. })));
    // A changed byte of a zlib payload is caught (by the stream or its Adler-32),
    // or changed only bits deflate ignores (the padding after the last block):
    // never different pixels.
    let screens = |payload: Vec<u8>| {
        Workload::from_bytes(with_rect(2, 1, 5, 4, 1, payload)).map(|wl| play_all_checked(wl).map(|f| f[1].clone()))
    };
    let good = screens(z.clone()).unwrap().unwrap();
    let mut caught = 0;
    for at in 0..z.len() {
        for mask in [0x01, 0x40, 0xff] {
            let mut b = z.clone();
            b[at] ^= mask;
            match screens(b) {
                Ok(Ok(px)) => assert!(px == good, "payload byte {at} ^ {mask:#04x} gave other pixels"),
                _ => caught += 1,
            }
        }
    }
    assert!(caught >= 3 * z.len() - 3, "{caught} of {} changes caught", 3 * z.len());
    // After a failed frame the player is at its end.
    let mut p = WorkloadPlayer::new(Workload::from_bytes(with_rect(2, 1, 5, 4, 1, vec![9; 9])).unwrap());
    assert!(p.advance().unwrap());
    assert!(p.advance().is_err());
    assert!(!p.advance().unwrap());
    // Sessions see the fault as a codec format error.
    let e: paprika_codecs::Error = WorkloadError::BadDeflate { frame: 1, rect: 0 }.into();
    assert!(matches!(e, paprika_codecs::Error::Format { .. }));
}

#[test]
fn a_committed_workload_drives_a_session() {
    let named = NamedWorkload::open(corpus().join("ci/typing.pwl")).unwrap();
    assert_eq!(named.name(), "typing");
    // The factory's source plays the same frames as a player.
    let mut source = named.open().unwrap();
    let mut reference = WorkloadPlayer::new(named.workload.clone());
    assert_eq!(source.size(), (640, 400));
    while let Some(t) = source.next_time() {
        assert_eq!(Some(t), reference.next_timestamp());
        let damage = source.advance().unwrap().unwrap();
        assert!(reference.advance().unwrap());
        assert_eq!(damage, reference.damage());
        assert_eq!(source.current().data(), reference.pixels());
    }
    // And through the engine and a 2 Mbit/s link the client ends equal to it.
    let mut source = named.open().unwrap();
    let mut engine = Engine::new(EngineConfig::new(640, 400), policy_by_name("adaptive").unwrap()).unwrap();
    let mut cfg = SessionConfig::new(CapacityTrace::fixed(2e6).unwrap());
    cfg.tail = 3 * SECOND;
    cfg.ssim_interval = 10 * SECOND;
    let report = run_session(&mut engine, source.as_mut(), &cfg).unwrap();
    assert_eq!(report.client_errors, 0);
    let last = named.workload.frame_meta(named.workload.len() - 1).unwrap().timestamp;
    assert_eq!(report.source_end, last);
    assert!(report.time_to_lossless.is_some(), "the client never showed the workload exactly");
}

/// The full-size workloads, when generated (`make_workloads.py --size full`):
/// `cargo test -p paprika-adapt --test workload -- --ignored`.
#[test]
#[ignore = "needs corpora/workloads/full/, generated on demand"]
fn full_workloads_play_to_the_end() {
    let dir = corpus().join("full");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("corpora/workloads/full exists") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "pwl") {
            continue;
        }
        let wl = Workload::open(&path).unwrap();
        let mut p = WorkloadPlayer::new(wl.clone());
        let mut n = 0;
        while p.advance().unwrap() {
            n += 1;
        }
        assert_eq!(n, wl.len(), "{}", path.display());
        println!("{}: {}x{}, {} frames, {} µs", path.display(), wl.width(), wl.height(), n, wl.duration());
        seen += 1;
    }
    assert!(seen >= 7, "{seen} full workloads");
}
