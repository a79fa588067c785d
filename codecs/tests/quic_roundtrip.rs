//! Lossless round trips through the QUIC encoder and decoder, for every image
//! type and every pixel format an encoder accepts, on generated pictures: flat,
//! gradients, noise and few-colour blocks (run mode), in padded and bottom-up
//! storage. A bottom-up bitmap must encode to the very bytes of its top-down twin.

mod common;
use common::Rng;

use paprika_codecs::image::{Image, ImageDesc, PixelFormat};
use paprika_codecs::quic::{self, Decoder, ImageType};
use paprika_codecs::{Limits, Result};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Largest picture a property case draws (width × height), to keep cases quick.
const MAX_AREA: u32 = 20_000;

/// What the picture shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// One colour.
    Flat,
    /// Values rising left to right.
    HGradient,
    /// Values rising top to bottom.
    VGradient,
    /// Independent random bytes.
    Noise,
    /// Rectangles of a few colours: long runs, run mode throughout.
    Blocks,
}

/// One generated test picture and how it is stored.
#[derive(Debug, Clone)]
struct Case {
    width: u32,
    height: u32,
    content: Content,
    /// Bytes of garbage after each row (`stride = row + pad`).
    pad: usize,
    top_down: bool,
    seed: u64,
}

/// Picture pixels as B, G, R, A bytes, top-down, packed.
fn picture(c: &Case) -> Vec<u8> {
    let (w, h) = (c.width as usize, c.height as usize);
    let mut rng = Rng(c.seed);
    let base = rng.next().to_le_bytes();
    let palette: Vec<[u8; 4]> =
        (0..2 + rng.next() % 3).map(|_| rng.next().to_le_bytes()[..4].try_into().unwrap()).collect();
    let (bw, bh) = (1 + (rng.next() % 24) as usize, 1 + (rng.next() % 12) as usize);
    let mut out = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            let px: [u8; 4] = match c.content {
                Content::Flat => [base[0], base[1], base[2], base[3]],
                Content::HGradient => {
                    let v = (x * 255 / w.max(2)) as u8;
                    [v, v.wrapping_add(base[1]), 255 - v, v / 2]
                }
                Content::VGradient => {
                    let v = (y * 255 / h.max(2)) as u8;
                    [255 - v, v, v.wrapping_mul(3), v]
                }
                Content::Noise => rng.next().to_le_bytes()[..4].try_into().unwrap(),
                Content::Blocks => {
                    let cell = (x / bw) * 7 + (y / bh) * 13;
                    palette[cell % palette.len()]
                }
            };
            out.extend_from_slice(&px);
        }
    }
    out
}

/// The picture in `format`: the pixel bytes an encoder reads (bit 15 of Rgb555 and
/// the X byte of Bgrx32 get picture-dependent garbage, which must not be coded).
fn encode_pixels(bgra: &[u8], format: PixelFormat) -> Vec<u8> {
    let mut out = Vec::with_capacity(bgra.len());
    for p in bgra.chunks_exact(4) {
        let (b, g, r, a) = (p[0], p[1], p[2], p[3]);
        match format {
            PixelFormat::Gray8 => out.push(b),
            PixelFormat::A8 => out.push(a),
            PixelFormat::Rgb555 => {
                let v = (u16::from(r >> 3) << 10)
                    | (u16::from(g >> 3) << 5)
                    | u16::from(b >> 3)
                    | (u16::from(a & 0x80) << 8);
                out.extend_from_slice(&v.to_le_bytes());
            }
            PixelFormat::Bgr24 => out.extend_from_slice(&[b, g, r]),
            PixelFormat::Bgrx32 | PixelFormat::Bgra32 => out.extend_from_slice(&[b, g, r, a]),
            other => panic!("no generator for {other:?}"),
        }
    }
    out
}

/// Stores packed top-down `rows` with `pad` garbage bytes per row, top-down or not.
fn store(
    rows: &[u8],
    width: u32,
    height: u32,
    format: PixelFormat,
    pad: usize,
    top_down: bool,
    garbage_seed: u64,
) -> Image {
    let row = format.row_bytes(width).unwrap() as usize;
    let stride = row + pad;
    let mut rng = Rng(garbage_seed);
    let mut data = Vec::with_capacity(stride * height as usize);
    for mem_row in 0..height as usize {
        let y = if top_down { mem_row } else { height as usize - 1 - mem_row };
        data.extend_from_slice(&rows[y * row..][..row]);
        data.extend((0..pad).map(|_| rng.next() as u8));
    }
    let desc = ImageDesc { width, height, stride, format, top_down };
    Image::from_vec(desc, data).unwrap()
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y).or((a.len() != b.len()).then(|| a.len().min(b.len())))
}

fn assert_same(what: &str, got: &[u8], want: &[u8]) {
    if let Some(i) = first_difference(got, want) {
        panic!("{what}: first difference at byte {i} of {} (got {:?}, want {:?})", want.len(), got.get(i), want.get(i));
    }
}

/// The BGRX bytes the decoded image must show for a source `img` coded as `ty`.
fn expected_bgrx(img: &Image, ty: ImageType) -> Result<Vec<u8>> {
    let mut bgrx = img.to_bgrx()?;
    match (ty, img.format()) {
        // A8 is coded as gray: the alpha values come back as gray levels.
        (ImageType::Gray, PixelFormat::A8) => {
            for p in bgrx.chunks_exact_mut(4) {
                let a = p[3];
                p.copy_from_slice(&[a, a, a, 0]);
            }
        }
        // RGB types drop alpha: X is 0 after decoding.
        (ImageType::Rgb24 | ImageType::Rgb32, _) => {
            for p in bgrx.chunks_exact_mut(4) {
                p[3] = 0;
            }
        }
        _ => {}
    }
    Ok(bgrx)
}

/// Encodes the case as `ty` from `format`, decodes, and checks every pixel; also
/// that the stored layout (stride, orientation) does not change a single byte of
/// the stream.
fn round_trip(ty: ImageType, format: PixelFormat, c: &Case) {
    let rows = encode_pixels(&picture(c), format);
    let img = store(&rows, c.width, c.height, format, c.pad, c.top_down, c.seed ^ 1);
    let label = format!("{ty:?} from {format:?}, {c:?}");
    let stream = quic::encode(&img.as_ref(), ty).unwrap();

    // The twin: same picture, packed, the other way up, other garbage.
    let twin = store(&rows, c.width, c.height, format, 3, !c.top_down, c.seed ^ 2);
    let twin_stream = quic::encode(&twin.as_ref(), ty).unwrap();
    assert!(
        stream == twin_stream,
        "{label}: stream depends on storage (first difference at byte {:?})",
        first_difference(&stream, &twin_stream)
    );

    let header = quic::read_header(&stream).unwrap();
    assert_eq!((header.image_type, header.width, header.height), (ty, c.width, c.height));
    let back = quic::decode(&stream, &Limits::default()).unwrap();
    assert_eq!((back.width(), back.height(), back.format()), (c.width, c.height, ty.native_format()));
    assert_same(&format!("{label}: BGRX"), &back.to_bgrx().unwrap(), &expected_bgrx(&img, ty).unwrap());
    // Native bytes, where the source format is the native one (or close to it).
    match format {
        PixelFormat::Gray8 | PixelFormat::A8 | PixelFormat::Bgra32 if ty != ImageType::Rgb32 => {
            assert_same(&format!("{label}: native"), back.data(), &rows)
        }
        PixelFormat::Rgb555 => {
            let cleared: Vec<u8> = rows.chunks_exact(2).flat_map(|p| [p[0], p[1] & 0x7f]).collect();
            assert_same(&format!("{label}: native"), back.data(), &cleared);
        }
        _ => {}
    }
    // RGB streams also decode straight to 24-bit B, G, R.
    if matches!(ty, ImageType::Rgb24 | ImageType::Rgb32) {
        let mut d = Decoder::new(&stream, &Limits::default()).unwrap();
        let mut bgr = vec![0x5a; d.output_len(PixelFormat::Bgr24).unwrap()];
        d.decode_into(&mut bgr, c.width as usize * 3, PixelFormat::Bgr24).unwrap();
        let want: Vec<u8> = expected_bgrx(&img, ty).unwrap().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        assert_same(&format!("{label}: Bgr24 output"), &bgr, &want);
    }
}

fn content() -> impl Strategy<Value = Content> {
    prop_oneof![
        Just(Content::Flat),
        Just(Content::HGradient),
        Just(Content::VGradient),
        Just(Content::Noise),
        Just(Content::Blocks),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    // Narrow pictures often (the first pixels of a row are special), any width up to 300.
    prop_oneof![1u32..=8, 1u32..=300]
        .prop_flat_map(|w| {
            let max_h = (MAX_AREA / w).clamp(1, 300);
            (Just(w), 1..=max_h, content(), prop_oneof![Just(0usize), 1usize..=9], any::<bool>(), any::<u64>())
        })
        .prop_map(|(width, height, content, pad, top_down, seed)| Case { width, height, content, pad, top_down, seed })
}

fn config() -> Config {
    Config { cases: 64, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gray_from_gray8(c in case()) {
        round_trip(ImageType::Gray, PixelFormat::Gray8, &c);
    }

    #[test]
    fn gray_from_a8(c in case()) {
        round_trip(ImageType::Gray, PixelFormat::A8, &c);
    }

    #[test]
    fn rgb16_from_rgb555(c in case()) {
        round_trip(ImageType::Rgb16, PixelFormat::Rgb555, &c);
    }

    #[test]
    fn rgb24_from_bgr24(c in case()) {
        round_trip(ImageType::Rgb24, PixelFormat::Bgr24, &c);
    }

    #[test]
    fn rgb32_from_bgrx32(c in case()) {
        round_trip(ImageType::Rgb32, PixelFormat::Bgrx32, &c);
    }

    #[test]
    fn rgb32_from_bgra32(c in case()) {
        round_trip(ImageType::Rgb32, PixelFormat::Bgra32, &c);
    }

    #[test]
    fn rgba_from_bgra32(c in case()) {
        round_trip(ImageType::Rgba, PixelFormat::Bgra32, &c);
    }

    #[test]
    fn bottom_up_twins_encode_identically(
        c in case(),
        pair in 0usize..8,
    ) {
        // `round_trip` compares against the twin; here the case is always bottom-up.
        let (ty, format) = ALL_PAIRS[pair];
        round_trip(ty, format, &Case { top_down: false, ..c });
    }
}

/// Every (type, source format) pair an encoder accepts.
const ALL_PAIRS: [(ImageType, PixelFormat); 8] = [
    (ImageType::Gray, PixelFormat::Gray8),
    (ImageType::Gray, PixelFormat::A8),
    (ImageType::Rgb16, PixelFormat::Rgb555),
    (ImageType::Rgb24, PixelFormat::Bgr24),
    (ImageType::Rgb24, PixelFormat::Bgrx32),
    (ImageType::Rgb32, PixelFormat::Bgrx32),
    (ImageType::Rgb32, PixelFormat::Bgra32),
    (ImageType::Rgba, PixelFormat::Bgra32),
];

#[test]
fn wide_rows_cross_model_segments() {
    // The model's wait mask widens every 2048 coded pixels, counted across rows:
    // rows wider than 2048 and 4096 pixels are split into segments mid-row, and
    // later rows start partway through a segment.
    let mut n = 0;
    for (width, height) in [
        (2047, 1),
        (2048, 1),
        (2049, 1),
        (4095, 1),
        (4096, 1),
        (4097, 1),
        (6144, 1),
        (10_000, 1),
        (16_384, 1),
        (2500, 4),
        (5000, 3),
        (700, 20),
    ] {
        for (k, content) in [Content::Noise, Content::Blocks, Content::HGradient, Content::Flat].into_iter().enumerate()
        {
            for (p, &(ty, format)) in ALL_PAIRS.iter().enumerate() {
                let c = Case {
                    width,
                    height,
                    content,
                    pad: (k + p) % 5,
                    top_down: (k + p) % 2 == 0,
                    seed: (u64::from(width) << 16) ^ (k as u64) << 8 ^ p as u64,
                };
                round_trip(ty, format, &c);
                n += 1;
            }
        }
    }
    assert_eq!(n, 12 * 4 * 8);
}

#[test]
fn one_pixel_and_one_column_pictures() {
    for (width, height) in [(1, 1), (1, 2), (1, 3), (1, 300), (2, 1), (3, 1), (4, 2)] {
        for content in [Content::Noise, Content::Flat, Content::Blocks] {
            for &(ty, format) in &ALL_PAIRS {
                for top_down in [true, false] {
                    let c = Case { width, height, content, pad: 1, top_down, seed: u64::from(width * 1000 + height) };
                    round_trip(ty, format, &c);
                }
            }
        }
    }
}

#[test]
fn reencoding_a_decoded_image_gives_the_same_stream() {
    // Decoding then encoding again is the identity on streams the encoder made.
    for (i, &(ty, format)) in ALL_PAIRS.iter().enumerate() {
        let c = Case {
            width: 97,
            height: 33,
            content: if i % 2 == 0 { Content::Blocks } else { Content::Noise },
            pad: 2,
            top_down: false,
            seed: i as u64,
        };
        let rows = encode_pixels(&picture(&c), format);
        let img = store(&rows, c.width, c.height, format, c.pad, c.top_down, 9);
        let stream = quic::encode(&img.as_ref(), ty).unwrap();
        let back = quic::decode(&stream, &Limits::default()).unwrap();
        let again = quic::encode(&back.as_ref(), ty).unwrap();
        assert!(again == stream, "{ty:?} from {format:?}");
    }
}
