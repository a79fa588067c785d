//! Lossless round trips through the LZ encoder and decoder, for every LZ image
//! type, on generated pictures: flat, gradients, noise and few-colour blocks, in
//! padded and bottom-up storage, with sizes 1..=300 (area capped).
//!
//! LZ codes rows in memory order, so a bottom-up bitmap gives another stream than
//! its top-down twin; but the stride padding, the X byte of B,G,R,X pixels and
//! bit 15 of x1r5g5b5 pixels are never coded and must not change a byte.

use paprika_codecs::image::{Image, ImageDesc, Palette, PixelFormat};
use paprika_codecs::lz::{self, ImageType};
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
    /// Rectangles of a few colours: runs and repeats, matches throughout.
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

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The random choices behind one picture.
struct Painter {
    rng: Rng,
    /// The flat colour.
    base: [u8; 4],
    /// The block colours.
    palette: Vec<[u8; 4]>,
    /// Block width and height.
    block: (usize, usize),
}

impl Painter {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let base = rng.next().to_le_bytes()[..4].try_into().unwrap();
        let palette = (0..2 + rng.next() % 3).map(|_| rng.next().to_le_bytes()[..4].try_into().unwrap()).collect();
        let block = (1 + (rng.next() % 24) as usize, 1 + (rng.next() % 12) as usize);
        Painter { rng, base, palette, block }
    }

    /// Four byte lanes at `(x, y)` of a picture `w` units wide: a pixel's bytes for
    /// the RGB types, or (first lane) row byte `x` for the palette and alpha types.
    fn value(&mut self, c: &Case, x: usize, y: usize, w: usize) -> [u8; 4] {
        match c.content {
            Content::Flat => self.base,
            Content::HGradient => {
                let v = (x * 255 / w.max(2)) as u8;
                [v, v.wrapping_add(self.base[1]), 255 - v, v / 2]
            }
            Content::VGradient => {
                let v = (y * 255 / (c.height as usize).max(2)) as u8;
                [255 - v, v, v.wrapping_mul(3), v]
            }
            Content::Noise => self.rng.next().to_le_bytes()[..4].try_into().unwrap(),
            Content::Blocks => self.palette[((x / self.block.0) * 7 + (y / self.block.1) * 13) % self.palette.len()],
        }
    }
}

/// The picture's rows, packed and top-down, in `format`. Bit 15 of x1r5g5b5 and
/// the X byte of B,G,R,X get garbage, which must not be coded.
fn rows(c: &Case, format: PixelFormat) -> Vec<u8> {
    let mut paint = Painter::new(c.seed);
    let row = format.row_bytes(c.width).unwrap() as usize;
    let mut out = Vec::with_capacity(row * c.height as usize);
    for y in 0..c.height as usize {
        if format.bits_per_pixel() <= 8 {
            // Palette indexes and alpha: the row's bytes, whatever they pack.
            for x in 0..row {
                out.push(paint.value(c, x, y, row)[0]);
            }
            continue;
        }
        for x in 0..c.width as usize {
            let [b, g, r, a] = paint.value(c, x, y, c.width as usize);
            match format {
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
    }
    out
}

/// Stores packed top-down `rows` with `pad` garbage bytes per row, top-down or not.
fn store(rows: &[u8], c: &Case, format: PixelFormat, pad: usize, top_down: bool, garbage_seed: u64) -> Image {
    let row = format.row_bytes(c.width).unwrap() as usize;
    let mut rng = Rng(garbage_seed);
    let mut data = Vec::with_capacity((row + pad) * c.height as usize);
    for mem_row in 0..c.height as usize {
        let y = if top_down { mem_row } else { c.height as usize - 1 - mem_row };
        data.extend_from_slice(&rows[y * row..][..row]);
        data.extend((0..pad).map(|_| rng.next() as u8));
    }
    let desc = ImageDesc { width: c.width, height: c.height, stride: row + pad, format, top_down };
    Image::from_vec(desc, data).unwrap()
}

/// The same pixels with other garbage in the bits LZ ignores (X bytes, bit 15).
fn with_other_garbage(rows: &[u8], format: PixelFormat, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut out = rows.to_vec();
    match format {
        PixelFormat::Bgrx32 => out.chunks_exact_mut(4).for_each(|p| p[3] = rng.next() as u8),
        PixelFormat::Rgb555 => out.chunks_exact_mut(2).for_each(|p| p[1] = (p[1] & 0x7f) | (rng.next() as u8 & 0x80)),
        _ => {}
    }
    out
}

/// A palette of 2, 16 or 256 entries, as the type needs.
fn palette_for(ty: ImageType, seed: u64) -> Palette {
    let n = match ty {
        ImageType::Plt1Le | ImageType::Plt1Be => 2,
        ImageType::Plt4Le | ImageType::Plt4Be => 16,
        _ => 256,
    };
    let mut rng = Rng(seed);
    Palette { id: seed, entries: (0..n).map(|_| rng.next() as u32 & 0x00ff_ffff).collect() }
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
    if ty == ImageType::Xxxa {
        // Only alpha is coded: B, G, R decode as 0.
        bgrx.chunks_exact_mut(4).for_each(|p| p[..3].fill(0));
    }
    Ok(bgrx)
}

/// The only stride LZ allows: tight rows of the type's input format.
fn min_stride(ty: ImageType, width: u32) -> u32 {
    ty.pixel_format().row_bytes(width).unwrap() as u32
}

/// The stream's size if every pixel were a literal: the encoder never does worse
/// (each match saves at least a byte and costs at most one more control byte).
fn all_literal_bytes(ty: ImageType, width: u32, height: u32) -> usize {
    let row = min_stride(ty, width) as usize;
    let pass = |units: usize, bytes: usize| units * bytes + units.div_ceil(32);
    let px = width as usize * height as usize;
    lz::HEADER_BYTES
        + match ty {
            ImageType::Rgb32 | ImageType::Rgb24 => pass(px, 3),
            ImageType::Rgba => pass(px, 3) + pass(px, 1),
            ImageType::Rgb16 => pass(px, 2),
            ImageType::Xxxa => pass(px, 1),
            _ => pass(row * height as usize, 1),
        }
}

/// Encodes the case as `ty`, decodes it with our decoder, and checks every pixel,
/// the header, the native bytes, the size bound, and that padding and ignored
/// bits do not change the stream.
fn round_trip(ty: ImageType, c: &Case) {
    let format = ty.pixel_format();
    let packed = rows(c, format);
    let pal = palette_for(ty, c.seed);
    let mut img = store(&packed, c, format, c.pad, c.top_down, c.seed ^ 1);
    if ty.has_palette() {
        img = img.with_palette(pal.clone());
    }
    let label = format!("{ty:?}, {c:?}");
    let stream = lz::encode(&img.as_ref(), ty).unwrap();

    // Same memory order, no padding, other garbage in the ignored bits: same bytes.
    let twin = store(&with_other_garbage(&packed, format, c.seed ^ 3), c, format, 0, c.top_down, c.seed ^ 2);
    let mut reused = vec![0xa5; 7];
    lz::encode_into(&twin.as_ref(), ty, &mut reused).unwrap();
    assert!(
        stream == reused,
        "{label}: stream depends on storage (first difference at byte {:?})",
        first_difference(&stream, &reused)
    );
    assert!(stream.len() <= all_literal_bytes(ty, c.width, c.height), "{label}: {} bytes", stream.len());

    let header = lz::read_header(&stream).unwrap();
    assert_eq!(
        (header.image_type, header.width, header.height, header.top_down),
        (ty, c.width, c.height, c.top_down),
        "{label}"
    );
    assert_eq!(header.stride, min_stride(ty, c.width), "{label}");

    let back = lz::decode(&stream, ty.has_palette().then_some(&pal), &Limits::default()).unwrap();
    assert_eq!((back.width(), back.height(), back.desc().top_down), (c.width, c.height, c.top_down), "{label}");
    assert_same(&format!("{label}: BGRX"), &back.to_bgrx().unwrap(), &expected_bgrx(&img, ty).unwrap());
    // Native bytes, in memory order, where the decoder returns the source's layout.
    let mem = store(&packed, c, format, 0, c.top_down, 0);
    match ty {
        ImageType::Rgba | ImageType::A8 => assert_same(&format!("{label}: native"), back.data(), mem.data()),
        _ if ty.has_palette() => assert_same(&format!("{label}: native"), back.data(), mem.data()),
        ImageType::Rgb16 => {
            let cleared: Vec<u8> = mem.data().chunks_exact(2).flat_map(|p| [p[0], p[1] & 0x7f]).collect();
            assert_same(&format!("{label}: native"), back.data(), &cleared);
        }
        _ => {}
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
    // Narrow pictures often (odd widths leave pad bits in palette rows), any width up to 300.
    prop_oneof![1u32..=9, 1u32..=300]
        .prop_flat_map(|w| {
            let max_h = (MAX_AREA / w).clamp(1, 300);
            (Just(w), 1..=max_h, content(), prop_oneof![Just(0usize), 1usize..=9], any::<bool>(), any::<u64>())
        })
        .prop_map(|(width, height, content, pad, top_down, seed)| Case { width, height, content, pad, top_down, seed })
}

fn config() -> Config {
    Config { cases: 48, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rgb32(c in case()) {
        round_trip(ImageType::Rgb32, &c);
    }

    #[test]
    fn rgb24(c in case()) {
        round_trip(ImageType::Rgb24, &c);
    }

    #[test]
    fn rgb16(c in case()) {
        round_trip(ImageType::Rgb16, &c);
    }

    #[test]
    fn rgba(c in case()) {
        round_trip(ImageType::Rgba, &c);
    }

    #[test]
    fn xxxa(c in case()) {
        round_trip(ImageType::Xxxa, &c);
    }

    #[test]
    fn a8(c in case()) {
        round_trip(ImageType::A8, &c);
    }

    #[test]
    fn plt8(c in case()) {
        round_trip(ImageType::Plt8, &c);
    }

    #[test]
    fn plt4(c in case(), be in any::<bool>()) {
        round_trip(if be { ImageType::Plt4Be } else { ImageType::Plt4Le }, &c);
    }

    #[test]
    fn plt1(c in case(), be in any::<bool>()) {
        round_trip(if be { ImageType::Plt1Be } else { ImageType::Plt1Le }, &c);
    }

    #[test]
    fn bottom_up_every_type(c in case(), k in 0usize..11) {
        round_trip(ImageType::ALL[k], &Case { top_down: false, ..c });
    }
}

#[test]
fn tiny_and_one_column_pictures() {
    for (width, height) in [(1, 1), (1, 2), (2, 1), (3, 1), (4, 1), (5, 1), (7, 1), (9, 1), (1, 300), (3, 3), (17, 2)] {
        for content in [Content::Noise, Content::Flat, Content::Blocks] {
            for ty in ImageType::ALL {
                for top_down in [true, false] {
                    let c = Case { width, height, content, pad: 1, top_down, seed: u64::from(width * 1000 + height) };
                    round_trip(ty, &c);
                }
            }
        }
    }
}

#[test]
fn far_matches_and_long_rows() {
    // Rows wider than the near window (8191 units) repeat only from far back, and
    // long runs need many length bytes.
    for (width, height, content) in
        [(9000, 3, Content::Blocks), (8192, 2, Content::Noise), (16_000, 1, Content::Flat), (300, 300, Content::Flat)]
    {
        for ty in ImageType::ALL {
            let c = Case { width, height, content, pad: 2, top_down: width % 2 == 0, seed: u64::from(width) };
            round_trip(ty, &c);
        }
    }
}

#[test]
fn rows_longer_than_the_far_window() {
    // Rows of noise, each a copy of the one above, more than 73724 units long:
    // the pixel above matches the whole row but is out of the format's reach.
    for ty in ImageType::ALL {
        let format = ty.pixel_format();
        let (width, height) = (80_000u32, 3);
        let row = format.row_bytes(width).unwrap() as usize;
        let mut rng = Rng(7);
        let first: Vec<u8> = (0..row).map(|_| rng.next() as u8).collect();
        let data = first.repeat(height as usize);
        let mut img = Image::from_vec(ImageDesc::packed(width, height, format).unwrap(), data).unwrap();
        let pal = palette_for(ty, 2);
        let stream = lz::encode(&img.as_ref(), ty).unwrap();
        let back = lz::decode(&stream, ty.has_palette().then_some(&pal), &Limits::unlimited()).unwrap();
        if ty.has_palette() {
            img = img.with_palette(pal);
        }
        assert_same(&format!("{ty:?}"), &back.to_bgrx().unwrap(), &expected_bgrx(&img, ty).unwrap());
    }
}

#[test]
fn tiled_noise_repeats_at_the_window_edges() {
    // Noise that repeats with a period around the near and far limits, so the only
    // matches are exactly there.
    for period in [8190usize, 8191, 8192, 8193, 73_723, 73_724, 73_725, 73_727] {
        for ty in [ImageType::Rgb32, ImageType::Rgb16, ImageType::Plt8, ImageType::A8] {
            let format = ty.pixel_format();
            let bytes = format.bits_per_pixel() as usize / 8;
            let width = 4096u32;
            let height = (2 * period as u32).div_ceil(width) + 2;
            let mut rng = Rng(period as u64);
            let tile: Vec<u8> = (0..period * bytes).map(|_| rng.next() as u8).collect();
            let data: Vec<u8> = (0..width as usize * height as usize * bytes).map(|k| tile[k % tile.len()]).collect();
            let img = Image::from_vec(ImageDesc::packed(width, height, format).unwrap(), data).unwrap();
            let pal = palette_for(ty, 1);
            let stream = lz::encode(&img.as_ref(), ty).unwrap();
            let back = lz::decode(&stream, ty.has_palette().then_some(&pal), &Limits::default()).unwrap();
            let want: Vec<u8> = match ty {
                ImageType::Rgb32 => img.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2], 0]).collect(),
                ImageType::Rgb16 => img.data().chunks_exact(2).flat_map(|p| [p[0], p[1] & 0x7f]).collect(),
                _ => img.data().to_vec(),
            };
            assert_same(&format!("{ty:?} period {period}"), back.data(), &want);
            // Past the first period everything is a match, at least for the repeats
            // inside the window.
            if period <= 73_724 {
                assert!(stream.len() < period * bytes + period * bytes / 2, "{ty:?} period {period}: {}", stream.len());
            }
        }
    }
}

#[test]
fn rejects_a_format_that_does_not_fit_the_type() {
    let img = Image::zeroed(4, 4, PixelFormat::Bgrx32).unwrap();
    for ty in ImageType::ALL.into_iter().filter(|&t| t != ImageType::Rgb32) {
        assert_eq!(
            lz::encode(&img.as_ref(), ty),
            Err(paprika_codecs::Error::Parameter(paprika_codecs::error::ParameterKind::FormatMismatch)),
            "{ty:?}"
        );
    }
}
