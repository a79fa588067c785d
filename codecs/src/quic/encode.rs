//! QUIC encoder: reproduces spice-common's `quic_encode` bit for bit.

use super::ImageType;
use super::channels::{Channels, starts_run};
use super::model::{FAMILY_5, FAMILY_8, Segment};
use super::tables::{MAGIC, MAX_PIXELS, VERSION};
use crate::bits::BitWriter;
use crate::error::{Error, ParameterKind, Result, UnsupportedKind};
use crate::image::{ImageRef, PixelFormat};
use crate::simd;

/// Encodes with the type [`ImageType::default_for`] the image's format.
pub fn encode_auto(img: &ImageRef<'_>) -> Result<Vec<u8>> {
    let ty = ImageType::default_for(img.format())
        .ok_or(Error::Unsupported(UnsupportedKind::PixelFormat))?;
    encode(img, ty)
}

/// Encodes `img` as a QUIC stream of type `ty`.
///
/// The pixel format must suit the type ([`ImageType::accepts`]); a bottom-up
/// image is coded top-down, as the SPICE server does.
pub fn encode(img: &ImageRef<'_>, ty: ImageType) -> Result<Vec<u8>> {
    let format = img.format();
    if !ty.accepts(format) {
        return Err(Error::Parameter(ParameterKind::FormatMismatch));
    }
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(Error::Parameter(ParameterKind::EmptyImage));
    }
    if w > i32::MAX as u32 || h > i32::MAX as u32 || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Error::Parameter(ParameterKind::SizeOverflow));
    }
    let width = w as usize;
    let fam = if ty.bits_per_channel() == 5 {
        &FAMILY_5
    } else {
        &FAMILY_8
    };
    let mut out =
        BitWriter::with_capacity(width * h as usize * ty.coded_channels() as usize / 2 + 64);
    for word in [MAGIC, VERSION, ty.code(), w, h] {
        out.write(word, 32);
    }

    let mut segs = [Segment {
        start: 0,
        end: 0,
        wm_index: 0,
    }; 8];
    let mut cur = RowPlanes::new(width);
    let mut prev = RowPlanes::new(width);
    let mut res: [Vec<u8>; 4] = core::array::from_fn(|_| vec![0; width]);
    match ty {
        ImageType::Gray => {
            let mut one = Channels::<1>::new(width, fam);
            for y in 0..h {
                cur.load_gray(img.row(y));
                fold(&cur, &prev, y, &mut res, 3, 4, fam.bpc);
                one.encode_row(&mut out, y == 0, &cur.key, &prev.key, [&res[3]], &mut segs);
                core::mem::swap(&mut cur, &mut prev);
            }
        }
        _ => {
            let mut rgb = Channels::<3>::new(width, fam);
            let mut alpha = (ty == ImageType::Rgba).then(|| Channels::<1>::new(width, fam));
            for y in 0..h {
                cur.load(img.row(y), format);
                fold(&cur, &prev, y, &mut res, 0, 3, fam.bpc);
                rgb.encode_row(
                    &mut out,
                    y == 0,
                    &cur.key,
                    &prev.key,
                    [&res[0], &res[1], &res[2]],
                    &mut segs,
                );
                if let Some(a) = alpha.as_mut() {
                    fold(&cur, &prev, y, &mut res, 3, 4, fam.bpc);
                    a.encode_row(
                        &mut out,
                        y == 0,
                        &cur.akey,
                        &prev.akey,
                        [&res[3]],
                        &mut segs,
                    );
                }
                core::mem::swap(&mut cur, &mut prev);
            }
        }
    }
    // The decoder reads one word ahead, so the stream ends with an extra zero word.
    out.pad_to_word();
    out.write(0, 32);
    Ok(out.finish())
}

fn fold(
    cur: &RowPlanes,
    prev: &RowPlanes,
    y: u32,
    res: &mut [Vec<u8>; 4],
    from: usize,
    to: usize,
    bits: u32,
) {
    for c in from..to {
        let p = (y > 0).then_some(prev.planes[c].as_slice());
        simd::fold_residuals(p, &cur.planes[c], &mut res[c], bits);
    }
}

/// One image row split into channel planes (r, g, b, alpha; gray in slot 3) and run keys.
struct RowPlanes {
    planes: [Vec<u8>; 4],
    /// Per pixel, the coded channels packed for equality tests.
    key: Vec<u32>,
    /// Per pixel, the alpha for the alpha pass.
    akey: Vec<u32>,
}

impl RowPlanes {
    fn new(width: usize) -> Self {
        RowPlanes {
            planes: core::array::from_fn(|_| vec![0; width]),
            key: vec![0; width],
            akey: vec![0; width],
        }
    }

    fn load(&mut self, row: &[u8], format: PixelFormat) {
        let [r, g, b, a] = &mut self.planes;
        match format {
            PixelFormat::Bgrx32 | PixelFormat::Bgra32 => {
                simd::split_bgrx(row, r, g, b, &mut self.key);
                if format == PixelFormat::Bgra32 {
                    for (i, p) in row.chunks_exact(4).enumerate() {
                        a[i] = p[3];
                        self.akey[i] = u32::from(p[3]);
                    }
                }
            }
            PixelFormat::Bgr24 => {
                for (i, p) in row.chunks_exact(3).enumerate() {
                    (b[i], g[i], r[i]) = (p[0], p[1], p[2]);
                    self.key[i] = u32::from_le_bytes([p[0], p[1], p[2], 0]);
                }
            }
            PixelFormat::Rgb555 => {
                for (i, p) in row.chunks_exact(2).enumerate() {
                    let v = u16::from_le_bytes([p[0], p[1]]);
                    (r[i], g[i], b[i]) = (
                        ((v >> 10) & 31) as u8,
                        ((v >> 5) & 31) as u8,
                        (v & 31) as u8,
                    );
                    self.key[i] = u32::from(v & 0x7fff);
                }
            }
            _ => unreachable!("ImageType::accepts admitted {format:?}"),
        }
    }

    fn load_gray(&mut self, row: &[u8]) {
        self.planes[3].copy_from_slice(row);
        for (k, &v) in self.key.iter_mut().zip(row) {
            *k = u32::from(v);
        }
    }
}

impl<const N: usize> Channels<N> {
    fn encode_row(
        &mut self,
        out: &mut BitWriter,
        first_row: bool,
        cur_key: &[u32],
        prev_key: &[u32],
        res: [&[u8]; N],
        segs: &mut [Segment; 8],
    ) {
        let n = self.start_row(first_row, cur_key.len(), segs);
        for seg in &segs[..n] {
            self.encode_segment(out, seg, first_row, cur_key, prev_key, res);
        }
    }

    #[inline(always)]
    fn encode_segment(
        &mut self,
        out: &mut BitWriter,
        seg: &Segment,
        first_row: bool,
        cur_key: &[u32],
        prev_key: &[u32],
        res: [&[u8]; N],
    ) {
        let fam = self.fam;
        let mut run_index = 0;
        let mut i = seg.start;
        while i < seg.end {
            if !first_row && starts_run(prev_key, cur_key, i, run_index) {
                run_index = i;
                let len = simd::run_length(&cur_key[i..seg.end], cur_key[i - 1]);
                i += len;
                self.encode_run(out, len as u32);
                continue;
            }
            for c in 0..N {
                let r = res[c][i];
                let l = self.models[c].code_for(fam, self.corr[c][i]);
                let packed = fam.code[usize::from(r)][l as usize];
                out.write(packed >> 5, packed & 31);
                self.corr[c][i + 1] = r;
            }
            self.after_pixel(i, seg);
            i += 1;
        }
    }

    /// MELCODE: one `1` per full run unit (the unit grows with each), then `0`
    /// and the remainder in `melc_len` bits.
    fn encode_run(&mut self, out: &mut BitWriter, mut len: u32) {
        let mut hits = 0;
        while len >= self.state.melc_order() {
            hits += 1;
            len -= self.state.melc_order();
            self.state.melc_hit();
        }
        out.write_ones(hits);
        out.write(len, self.state.melc_len() + 1);
        self.state.melc_end();
    }
}
