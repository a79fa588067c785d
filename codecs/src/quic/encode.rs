//! QUIC encoder: reproduces spice-common's `quic_encode` bit for bit.
//!
//! Rows are coded from their interleaved bytes: one SIMD pass computes the
//! folded residuals of every byte lane ([`simd::fold_residuals`]), another flags
//! pixels that repeat their left neighbour ([`simd::repeat_flags`]); the serial
//! loop then only looks up contexts and emits codewords.

use super::ImageType;
use super::channels::{Channels, RowCoder, ctx_byte};
use super::model::{FAMILY_5, FAMILY_8, Layout, Segment, family};
use super::tables::{MAGIC, MAX_PIXELS, VERSION};
use crate::bits::{BitSink, BitWriter};
use crate::error::{Error, ParameterKind, Result, UnsupportedKind};
use crate::image::{ImageRef, PixelFormat};
use crate::simd;

/// Encodes with the type [`ImageType::default_for`] the image's format.
pub fn encode_auto(img: &ImageRef<'_>) -> Result<Vec<u8>> {
    let ty = ImageType::default_for(img.format()).ok_or(Error::Unsupported(UnsupportedKind::PixelFormat))?;
    encode(img, ty)
}

/// Encodes `img` as a QUIC stream of type `ty`.
///
/// The pixel format must suit the type ([`ImageType::accepts`]); a bottom-up
/// image is coded top-down, as the SPICE server does.
pub fn encode(img: &ImageRef<'_>, ty: ImageType) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_into(img, ty, &mut out)?;
    Ok(out)
}

/// Like [`encode`], but writes into `out` (replacing its contents) and reuses its
/// allocation: a server encoding frame after frame allocates nothing once the
/// buffer has grown to its working size.
pub fn encode_into(img: &ImageRef<'_>, ty: ImageType, out: &mut Vec<u8>) -> Result<()> {
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
    let mut buf = core::mem::take(out);
    if buf.capacity() == 0 {
        // A first guess of half a byte a channel; the writer grows it as needed.
        buf.reserve(width * h as usize * ty.coded_channels() as usize / 2 + 64);
    }
    let mut out_bits = BitWriter::reusing(buf);
    for word in [MAGIC, VERSION, ty.code(), w, h] {
        out_bits.write(word, 32);
    }
    let mut rows = RowEncoder::new(ty, width);
    if matches!(format, PixelFormat::Bgrx32 | PixelFormat::Bgra32 | PixelFormat::Gray8 | PixelFormat::A8) {
        // Already in the coder's layout: code straight from the caller's rows.
        for y in 0..h {
            let prev = if y == 0 { &[][..] } else { img.row(y - 1) };
            rows.row(&mut out_bits, y == 0, img.row(y), prev);
        }
    } else {
        // Bgr24 and Rgb555 are widened to B,G,R,0 rows (5-bit values for Rgb555).
        let mut cur = vec![0u8; width * 4];
        let mut prev = vec![0u8; width * 4];
        for y in 0..h {
            widen_row(img.row(y), format, &mut cur);
            rows.row(&mut out_bits, y == 0, &cur, if y == 0 { &[] } else { &prev });
            core::mem::swap(&mut cur, &mut prev);
        }
    }
    // The decoder reads one word ahead, so the stream ends with an extra zero word.
    out_bits.pad_to_word();
    out_bits.write(0, 32);
    *out = out_bits.finish();
    Ok(())
}

/// Widens a Bgr24 or Rgb555 row into 4-byte B,G,R,0 pixels.
fn widen_row(src: &[u8], format: PixelFormat, dst: &mut [u8]) {
    if format == PixelFormat::Rgb555 {
        for (p, o) in src.chunks_exact(2).zip(dst.chunks_exact_mut(4)) {
            let v = u16::from_le_bytes([p[0], p[1]]);
            o.copy_from_slice(&[(v & 31) as u8, ((v >> 5) & 31) as u8, ((v >> 10) & 31) as u8, 0]);
        }
    } else {
        for (p, o) in src.chunks_exact(3).zip(dst.chunks_exact_mut(4)) {
            o.copy_from_slice(&[p[0], p[1], p[2], 0]);
        }
    }
}

/// Pixel `i` of an interleaved row as a little-endian word (one byte for 1-byte pixels).
#[inline(always)]
pub(crate) fn load_px<const STEP: usize>(row: &[u8], i: usize) -> u32 {
    if STEP == 4 {
        let p = &row[4 * i..4 * i + 4];
        u32::from_le_bytes([p[0], p[1], p[2], p[3]])
    } else {
        u32::from(row[i])
    }
}

/// Per-image encoder state: the channel groups and the per-row scratch.
struct RowEncoder {
    main: Group,
    alpha: Option<Channels<1>>,
    bits: u32,
    res: Vec<u8>,
    /// Repeat flags of the current and previous row (main key), and for alpha.
    cur_rep: Vec<u8>,
    prev_rep: Vec<u8>,
    cur_arep: Vec<u8>,
    prev_arep: Vec<u8>,
    segs: [Segment; 8],
}

#[allow(clippy::large_enum_variant)] // one per image
enum Group {
    Gray(Channels<1>),
    Rgb(Channels<3>),
}

impl RowEncoder {
    fn new(ty: ImageType, width: usize) -> Self {
        let fam = if ty.bits_per_channel() == 5 { &FAMILY_5 } else { &FAMILY_8 };
        let gray = ty == ImageType::Gray;
        let step = if gray { 1 } else { 4 };
        RowEncoder {
            main: if gray { Group::Gray(Channels::new(width, fam)) } else { Group::Rgb(Channels::new(width, fam)) },
            alpha: (ty == ImageType::Rgba).then(|| Channels::new(width, fam)),
            bits: fam.bpc,
            res: vec![0; width * step],
            cur_rep: vec![0; width],
            prev_rep: vec![0; width],
            cur_arep: vec![0; width],
            prev_arep: vec![0; width],
            segs: [Segment { start: 0, end: 0, wm_index: 0 }; 8],
        }
    }

    fn row(&mut self, out: &mut BitWriter, first: bool, cur: &[u8], prev: &[u8]) {
        let step = if matches!(self.main, Group::Gray(_)) { 1 } else { 4 };
        simd::fold_residuals((!first).then_some(prev), cur, &mut self.res, self.bits, step);
        core::mem::swap(&mut self.cur_rep, &mut self.prev_rep);
        let res = &self.res[..];
        let b5 = self.bits == 5;
        let (prev_rep, cur_rep, segs) = (&self.prev_rep, &mut self.cur_rep, &mut self.segs);
        match &mut self.main {
            Group::Gray(g) => {
                simd::repeat_flags(cur, 1, Layout::<1, 1>::KEY, cur_rep);
                g.encode_row::<1, false>(out, first, res, prev_rep, cur_rep, segs);
            }
            Group::Rgb(g) => {
                simd::repeat_flags(cur, 4, Layout::<3, 4>::KEY, cur_rep);
                if b5 {
                    g.encode_row::<4, true>(out, first, res, prev_rep, cur_rep, segs);
                } else {
                    g.encode_row::<4, false>(out, first, res, prev_rep, cur_rep, segs);
                }
            }
        }
        if let Some(a) = &mut self.alpha {
            core::mem::swap(&mut self.cur_arep, &mut self.prev_arep);
            simd::repeat_flags(cur, 4, Layout::<1, 4>::KEY, &mut self.cur_arep);
            a.encode_row::<4, false>(out, first, res, &self.prev_arep, &self.cur_arep, &mut self.segs);
        }
    }
}

impl<const N: usize> Channels<N> {
    fn encode_row<const STEP: usize, const B5: bool>(
        &mut self,
        out: &mut BitWriter,
        first_row: bool,
        res: &[u8],
        prev_rep: &[u8],
        cur_rep: &[u8],
        segs: &mut [Segment; 8],
    ) {
        let width = cur_rep.len();
        // Worst case: every channel at the codeword limit, or a run costing a hit bit
        // per pixel plus its terminator.
        let max_bits = width * (N * 26 + 17) + 64;
        let (n, mut coder) = self.start_row(first_row, width, segs);
        let mut sink = out.sink(max_bits);
        for seg in &segs[..n] {
            if first_row {
                coder.encode_segment::<STEP, B5, true>(&mut sink, seg, res, prev_rep, cur_rep);
            } else {
                coder.encode_segment::<STEP, B5, false>(&mut sink, seg, res, prev_rep, cur_rep);
            }
        }
        let (pos, acc, pending) = sink.state();
        let state = coder.state;
        out.commit(pos, acc, pending);
        self.end_row(state);
    }
}

impl<const N: usize> RowCoder<'_, N> {
    #[inline(always)]
    fn encode_segment<const STEP: usize, const B5: bool, const FIRST_ROW: bool>(
        &mut self,
        out: &mut BitSink<'_>,
        seg: &Segment,
        res: &[u8],
        prev_rep: &[u8],
        cur_rep: &[u8],
    ) {
        let fam = family::<B5>();
        let off = Layout::<N, STEP>::OFF;
        let mut run_index = 0;
        let mut i = seg.start;
        // Countdown and contexts live in registers; see `RowCoder::after_pixel`.
        let mut wait = self.state.wait();
        let mut ctx = self.contexts(i);
        while i < seg.end {
            // Run mode: the row above repeats at i and this row repeats just before i.
            if !FIRST_ROW && i > 2 && run_index != i && prev_rep[i] != 0 && cur_rep[i - 1] != 0 {
                run_index = i;
                let len = simd::count_repeats(&cur_rep[i..seg.end]);
                i += len;
                self.encode_run(out, len as u32);
                // Run pixels leave the contexts alone: pick up what is stored there.
                ctx = self.contexts(i);
                continue;
            }
            // The pixel's residuals as one word; they become the next contexts.
            let val = load_px::<STEP>(res, i);
            let mut next_ctx = 0;
            // Join the pixel's codewords into one write when they fit in 32 bits.
            let (mut word, mut len) = (0u32, 0u32);
            for (c, &at) in off.iter().enumerate() {
                let r = ctx_byte(val, at);
                next_ctx |= u32::from(fam.bucket_of[usize::from(r)]) << (8 * at);
                let l = self.models[c].code_for(ctx_byte(ctx, at));
                let packed = fam.code[usize::from(r)][l];
                let (code, n) = (packed >> 5, packed & 31);
                if len + n > 32 {
                    out.write(word, len);
                    (word, len) = (0, 0);
                }
                word = if len == 0 { code } else { (word << n) | code };
                len += n;
            }
            out.write(word, len);
            self.corr[i + 1] = next_ctx;
            self.after_pixel(&mut wait, seg, off, ctx, val);
            ctx = next_ctx;
            i += 1;
        }
        self.state.set_wait(wait);
    }

    /// MELCODE: one `1` per full run unit (the unit grows with each), then `0`
    /// and the remainder in `melc_len` bits.
    #[inline(always)]
    fn encode_run(&mut self, out: &mut BitSink<'_>, mut len: u32) {
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
