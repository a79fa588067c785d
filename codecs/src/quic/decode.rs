//! QUIC decoder: the inverse of [`super::encode`], in step with spice-common's
//! `quic_decode`, hardened against any input.
//!
//! Safety against hostile input: the header is checked against the limits and
//! against the input length before anything is allocated; every run length is
//! checked against the room left in its segment; the bit reader yields zeros
//! past the end of the input and the decoder turns that into an error at each
//! row, so work is bounded by the input size plus one row.

use super::ImageType;
use super::channels::{Channels, Ctx, RowCoder, ctx_byte};
use super::encode::load_px;
use super::header::{self, Header};
use super::model::{FAMILY_5, FAMILY_8, Family, Layout, Segment, family};
use super::tables::MAX_CODEWORD_LEN;
use crate::bits::{BitReader, MsbBytes};
use crate::error::{Codec, Error, FormatKind, ParameterKind, Result, UnsupportedKind};
use crate::image::{Image, ImageDesc, PixelFormat};
use crate::limits::Limits;
use crate::simd;

/// Decodes a whole stream into an image of the type's native format
/// ([`ImageType::native_format`]).
pub fn decode(input: &[u8], limits: &Limits) -> Result<Image> {
    let mut d = Decoder::new(input, limits)?;
    let format = d.header().image_type.native_format();
    let desc = ImageDesc::packed(d.header.width, d.header.height, format)?;
    let len = desc.min_buffer_len()?;
    // The output counts against the budget too: check before allocating it.
    d.check_budget(len, format)?;
    let mut buf = vec![0; len];
    d.decode_into(&mut buf, desc.stride, format)?;
    Image::from_vec(desc, buf)
}

/// A QUIC decoder: read the header, size a buffer, decode into it.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    input: &'a [u8],
    header: Header,
    limits: Limits,
}

impl<'a> Decoder<'a> {
    /// Parses the header and checks it against `limits` and the input length.
    pub fn new(input: &'a [u8], limits: &Limits) -> Result<Self> {
        let header = header::parse_checked(input, limits)?;
        Ok(Decoder { input, header, limits: *limits })
    }

    /// The stream's header.
    pub fn header(&self) -> Header {
        self.header
    }

    /// Whether [`Decoder::decode_into`] can produce `format` from this stream.
    pub fn supports(&self, format: PixelFormat) -> bool {
        use PixelFormat as F;
        match self.header.image_type {
            ImageType::Gray => matches!(format, F::Gray8 | F::Bgrx32),
            ImageType::Rgb16 => matches!(format, F::Rgb555 | F::Bgrx32 | F::Bgr24),
            ImageType::Rgb24 | ImageType::Rgb32 => matches!(format, F::Bgrx32 | F::Bgr24),
            ImageType::Rgba => matches!(format, F::Bgra32),
        }
    }

    /// Checks an output of `out_bytes` plus the decoder's working memory against
    /// `Limits::max_alloc_bytes`.
    fn check_budget(&self, out_bytes: usize, format: PixelFormat) -> Result<()> {
        let width = u64::from(self.header.width);
        let ty = self.header.image_type;
        let step = if ty == ImageType::Gray { 1 } else { 4 };
        // Per pixel of a row: a 4-byte context slot and a repeat flag for each
        // channel group; two rows when converting; plus the re-ordered input copy.
        let groups = if ty == ImageType::Rgba { 2 } else { 1 };
        let rows = if self.is_direct(format) { 0 } else { 2 * width * step };
        let scratch = (width + 1) * 5 * groups + rows + self.input.len() as u64 + 8;
        self.limits.check_alloc(scratch.saturating_add(out_bytes as u64))
    }

    /// Whether rows decode straight into an output of `format`.
    fn is_direct(&self, format: PixelFormat) -> bool {
        matches!(
            (self.header.image_type, format),
            (ImageType::Rgb24 | ImageType::Rgb32, PixelFormat::Bgrx32)
                | (ImageType::Rgba, PixelFormat::Bgra32)
                | (ImageType::Gray, PixelFormat::Gray8)
        )
    }

    /// Bytes a packed, top-down buffer of `format` needs for this image.
    pub fn output_len(&self, format: PixelFormat) -> Result<usize> {
        ImageDesc::packed(self.header.width, self.header.height, format)?.min_buffer_len()
    }

    /// Decodes into `out`, rows top-down `stride` bytes apart, in `format`.
    ///
    /// Supported formats: the native one, plus B,G,R,X (X = 0) for RGB types
    /// (RGB16 channels expand as `v << 3 | v >> 2`, like the reference decoder)
    /// and for gray (replicated), and 24-bit B,G,R for RGB types. Every byte of
    /// each image row is written; bytes between rows are left untouched.
    pub fn decode_into(&mut self, out: &mut [u8], stride: usize, format: PixelFormat) -> Result<()> {
        if !self.supports(format) {
            return Err(Error::Unsupported(UnsupportedKind::Conversion));
        }
        let (w, h) = (self.header.width, self.header.height);
        let desc = ImageDesc { width: w, height: h, stride, format, top_down: true };
        let need = desc.min_buffer_len()?;
        if out.len() < need {
            return Err(Error::Parameter(ParameterKind::BufferTooSmall {
                needed: need as u64,
                given: out.len() as u64,
            }));
        }
        let width = w as usize;
        let ty = self.header.image_type;
        let step = if ty == ImageType::Gray { 1 } else { 4 };
        let direct = self.is_direct(format);
        self.check_budget(need, format)?;
        let out_row = desc.row_bytes()?;
        let msb = MsbBytes::from_le_words(self.input);
        let mut rows = RowDecoder::new(&msb, ty, width);
        if direct {
            for y in 0..h as usize {
                let (before, rest) = out.split_at_mut(y * stride);
                let prev = if y == 0 { &before[..0] } else { &before[(y - 1) * stride..][..out_row] };
                rows.row(y, &mut rest[..out_row], prev)?;
            }
        } else {
            let mut cur = vec![0u8; width * step];
            let mut prev = vec![0u8; width * step];
            for y in 0..h as usize {
                rows.row(y, &mut cur, &prev)?;
                convert_row(&cur, ty, format, &mut out[y * stride..][..out_row]);
                core::mem::swap(&mut cur, &mut prev);
            }
        }
        Ok(())
    }
}

/// Converts a decoded row (B,G,R,0 with 5- or 8-bit values, or gray bytes) to `format`.
fn convert_row(src: &[u8], ty: ImageType, format: PixelFormat, dst: &mut [u8]) {
    let x5 = |v: u8| (v << 3) | (v >> 2);
    match (ty, format) {
        (ImageType::Gray, _) => {
            for (&g, o) in src.iter().zip(dst.chunks_exact_mut(4)) {
                o.copy_from_slice(&[g, g, g, 0]);
            }
        }
        (ImageType::Rgb16, PixelFormat::Rgb555) => {
            for (p, o) in src.chunks_exact(4).zip(dst.chunks_exact_mut(2)) {
                let v = (u16::from(p[2]) << 10) | (u16::from(p[1]) << 5) | u16::from(p[0]);
                o.copy_from_slice(&v.to_le_bytes());
            }
        }
        (ImageType::Rgb16, PixelFormat::Bgrx32) => {
            for (p, o) in src.chunks_exact(4).zip(dst.chunks_exact_mut(4)) {
                o.copy_from_slice(&[x5(p[0]), x5(p[1]), x5(p[2]), 0]);
            }
        }
        (ImageType::Rgb16, _) => {
            for (p, o) in src.chunks_exact(4).zip(dst.chunks_exact_mut(3)) {
                o.copy_from_slice(&[x5(p[0]), x5(p[1]), x5(p[2])]);
            }
        }
        _ => {
            for (p, o) in src.chunks_exact(4).zip(dst.chunks_exact_mut(3)) {
                o.copy_from_slice(&p[..3]);
            }
        }
    }
}

#[allow(clippy::large_enum_variant)] // one per image
enum Group {
    Gray(Channels<1>),
    Rgb(Channels<3>),
}

/// Per-image decoder state: the bit reader, the channel groups and per-row scratch.
struct RowDecoder<'a> {
    reader: BitReader<'a>,
    main: Group,
    alpha: Option<Channels<1>>,
    /// Whether channels are 5-bit (RGB16).
    b5: bool,
    /// Repeat flags of the previous row (main key, alpha key).
    rep: Vec<u8>,
    arep: Vec<u8>,
    segs: [Segment; 8],
}

impl<'a> RowDecoder<'a> {
    fn new(input: &'a MsbBytes, ty: ImageType, width: usize) -> Self {
        let fam = if ty.bits_per_channel() == 5 { &FAMILY_5 } else { &FAMILY_8 };
        let mut reader = input.reader(Codec::Quic);
        for _ in 0..5 {
            reader.skip(32);
            reader.refill();
        }
        let gray = ty == ImageType::Gray;
        RowDecoder {
            reader,
            main: if gray { Group::Gray(Channels::new(width, fam)) } else { Group::Rgb(Channels::new(width, fam)) },
            alpha: (ty == ImageType::Rgba).then(|| Channels::new(width, fam)),
            b5: fam.bpc == 5,
            rep: vec![0; width],
            arep: vec![0; width],
            segs: [Segment { start: 0, end: 0, wm_index: 0 }; 8],
        }
    }

    /// Decodes row `y` into `cur` (interleaved), predicting from `prev`.
    fn row(&mut self, y: usize, cur: &mut [u8], prev: &[u8]) -> Result<()> {
        let rd = &mut self.reader;
        let segs = &mut self.segs;
        match &mut self.main {
            Group::Gray(g) => {
                g.decode_row::<1, false>(rd, y, cur, prev, &self.rep, segs)?;
                simd::repeat_flags(cur, 1, Layout::<1, 1>::KEY, &mut self.rep);
            }
            Group::Rgb(g) => {
                if self.b5 {
                    g.decode_row::<4, true>(rd, y, cur, prev, &self.rep, segs)?;
                } else {
                    g.decode_row::<4, false>(rd, y, cur, prev, &self.rep, segs)?;
                }
                simd::repeat_flags(cur, 4, Layout::<3, 4>::KEY, &mut self.rep);
            }
        }
        if let Some(a) = &mut self.alpha {
            a.decode_row::<4, false>(rd, y, cur, prev, &self.arep, segs)?;
            simd::repeat_flags(cur, 4, Layout::<1, 4>::KEY, &mut self.arep);
        }
        self.reader.check()
    }
}

impl<const N: usize> Channels<N> {
    fn decode_row<const STEP: usize, const B5: bool>(
        &mut self,
        rd: &mut BitReader<'_>,
        y: usize,
        cur: &mut [u8],
        prev: &[u8],
        prev_rep: &[u8],
        segs: &mut [Segment; 8],
    ) -> Result<()> {
        let first_row = y == 0;
        // Where the last row took more than 6.5 bits a channel (noise: codes near
        // the longest, about half of them escapes), decode codewords without
        // branching on their kind; elsewhere that branch predicts well and is
        // faster. Both give the same result.
        let start_bits = rd.consumed_bits();
        let noisy = self.row_bits * 2 > 13 * (prev_rep.len() * N) as u64;
        let (n, mut coder) = self.start_row(first_row, prev_rep.len(), segs);
        // A local copy of the reader stays in registers through the loop.
        let mut local = rd.clone();
        let mut outcome = Ok(());
        for seg in &segs[..n] {
            let a = (&mut local, y, seg, &mut *cur, prev, prev_rep);
            outcome = match (first_row, noisy) {
                (true, false) => coder.decode_segment::<STEP, B5, true, false>(a.0, a.1, a.2, a.3, a.4, a.5),
                (true, true) => coder.decode_segment::<STEP, B5, true, true>(a.0, a.1, a.2, a.3, a.4, a.5),
                (false, false) => coder.decode_segment::<STEP, B5, false, false>(a.0, a.1, a.2, a.3, a.4, a.5),
                (false, true) => coder.decode_segment::<STEP, B5, false, true>(a.0, a.1, a.2, a.3, a.4, a.5),
            };
            if outcome.is_err() {
                break;
            }
        }
        *rd = local;
        let state = coder.state;
        self.end_row(state);
        self.row_bits = rd.consumed_bits() - start_bits;
        outcome
    }
}

impl<const N: usize> RowCoder<'_, N> {
    /// Decodes pixels `seg.start..seg.end` of a row.
    ///
    /// The pixel to the left and the one before it are carried in registers as
    /// little-endian words (channel `c` at byte `off[c]`), so each pixel costs one
    /// load from the row above and one store.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn decode_segment<const STEP: usize, const B5: bool, const FIRST_ROW: bool, const NOISY: bool>(
        &mut self,
        rd: &mut BitReader<'_>,
        y: usize,
        seg: &Segment,
        cur: &mut [u8],
        prev: &[u8],
        prev_rep: &[u8],
    ) -> Result<()> {
        let fam = family::<B5>();
        let off = Layout::<N, STEP>::OFF;
        let key_mask = Layout::<N, STEP>::KEY;
        let mut run_index = 0;
        let mut i = seg.start;
        // Countdown, contexts and the escape count live in registers.
        let mut wait = self.state.wait();
        let mut ctx = self.contexts(i);
        let mut left = if i >= 1 { load_px::<STEP>(cur, i - 1) } else { 0 };
        let mut left2 = if i >= 2 { load_px::<STEP>(cur, i - 2) } else { 0 };
        while i < seg.end {
            if !FIRST_ROW && i > 2 && run_index != i && prev_rep[i] != 0 && (left ^ left2) & key_mask == 0 {
                run_index = i;
                let room = seg.end - i;
                let len = self.decode_run(rd, room).map_err(|length| {
                    Error::format(
                        Codec::Quic,
                        FormatKind::RunTooLong { row: y as u32, column: i as u32, length, room: room as u64 },
                    )
                })?;
                let run = &mut cur[STEP * i..STEP * (i + len)];
                if STEP == 1 {
                    run.fill(left as u8);
                } else if N == 3 {
                    // The whole B,G,R,0 pixel repeats.
                    simd::fill_pixels(run, left.to_le_bytes());
                } else {
                    simd::fill_lane(run, off[0], (left >> (8 * off[0])) as u8);
                }
                if len > 0 {
                    left2 = left;
                }
                i += len;
                // Run pixels leave the contexts alone: pick up what is stored there.
                ctx = self.contexts(i);
                continue;
            }
            // One refill a pixel leaves 57 bits: two codewords of at most 26 bits
            // always fit, the third may need another refill.
            rd.refill();
            let above = if FIRST_ROW { 0 } else { load_px::<STEP>(prev, i) };
            let mut val: Ctx = 0;
            let mut next_ctx: Ctx = 0;
            let mut delta = 0u32;
            for (c, &at) in off.iter().enumerate() {
                let v = self.decode_code::<NOISY>(fam, rd, c, ctx_byte(ctx, at));
                val |= u32::from(v) << (8 * at);
                next_ctx |= u32::from(fam.bucket_of[usize::from(v)]) << (8 * at);
                delta |= u32::from(fam.unfold[usize::from(v)]) << (8 * at);
            }
            // Prediction and reconstruction for all channels at once, byte-wise in
            // one word. First row: the left pixel (0 at the row start); then the
            // pixel above at the row start, else the mean of left and above.
            let pred = match (FIRST_ROW, i == 0) {
                (true, true) => 0,
                (true, false) => left,
                (false, true) => above,
                (false, false) => swar::mean_floor(left, above),
            };
            // 5-bit lanes never carry into their neighbours (31 + 31 < 256): a plain add.
            let px = if B5 { (pred + delta) & (fam.mask * 0x0101_0101) } else { swar::add(pred, delta) } & key_mask;
            if STEP == 1 {
                cur[i] = px as u8;
            } else if N == 3 {
                // r, g, b with the pad byte 0, as the reference writes it.
                cur[4 * i..4 * i + 4].copy_from_slice(&px.to_le_bytes());
            } else {
                cur[4 * i + off[0]] = (px >> (8 * off[0])) as u8;
            }
            self.corr[i + 1] = next_ctx;
            self.after_pixel(&mut wait, seg, off, ctx, val);
            ctx = next_ctx;
            left2 = left;
            left = px;
            i += 1;
        }
        self.state.set_wait(wait);
        Ok(())
    }

    /// Decodes the folded residual of channel `c` coded in context bucket `bucket`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn decode_code<const NOISY: bool>(&mut self, fam: &Family, rd: &mut BitReader<'_>, c: usize, bucket: u8) -> u8 {
        if c >= 2 {
            rd.ensure(MAX_CODEWORD_LEN);
        }
        let l = self.models[c].code_for(bucket);
        let bits = rd.peek32();
        let (val, len) = if NOISY {
            decode_value_select(fam, l, bits)
        } else if bits > fam.not_gr_prefix_mask[l] {
            decode_plain(l, bits)
        } else {
            decode_escape(fam, l, bits)
        };
        rd.skip(len);
        val
    }

    /// Reads a MELCODE run length; `Err(length)` when it passes `room`.
    #[inline(always)]
    fn decode_run(&mut self, rd: &mut BitReader<'_>, room: usize) -> core::result::Result<usize, u64> {
        let mut len: u64 = 0;
        loop {
            rd.ensure(32);
            let ones = (!rd.peek32()).leading_zeros();
            for _ in 0..ones {
                len += u64::from(self.state.melc_order());
                self.state.melc_hit();
            }
            if len > room as u64 {
                return Err(len);
            }
            if ones < 32 {
                rd.skip(ones + 1);
                break;
            }
            rd.skip(32);
        }
        let bits = self.state.melc_len();
        if bits > 0 {
            rd.ensure(32);
            len += u64::from(rd.peek32() >> (32 - bits));
            rd.skip(bits);
        }
        self.state.melc_end();
        if len > room as u64 {
            return Err(len);
        }
        Ok(len as usize)
    }
}

/// Decodes a plain Golomb-Rice codeword (zeros, a one, `l` low bits) from the top of `bits`.
#[inline(always)]
fn decode_plain(l: usize, bits: u32) -> (u8, u32) {
    let l = l as u32;
    let zeros = bits.leading_zeros();
    let len = zeros + 1 + l;
    let low = (bits >> (32 - len)) & ((1u32 << l) - 1);
    (((zeros << l) | low) as u8, len)
}

/// Decodes an escape codeword (a full zero prefix, then a fixed-length suffix).
#[inline(always)]
fn decode_escape(fam: &Family, l: usize, bits: u32) -> (u8, u32) {
    let len = fam.not_gr_len[l];
    let suffix = (bits >> (32 - len)) & ((1u32 << fam.not_gr_suffix_len[l]) - 1);
    ((fam.n_gr[l] + suffix) as u8, len)
}

/// Either kind of codeword, picked without a branch.
#[inline(always)]
fn decode_value_select(fam: &Family, li: usize, bits: u32) -> (u8, u32) {
    let l = li as u32;
    let zeros = bits.leading_zeros();
    let gr_len = zeros + 1 + l;
    let gr_val = (zeros << l) | (bits.wrapping_shr(32u32.wrapping_sub(gr_len)) & ((1u32 << l) - 1));
    let (esc_val, esc_len) = decode_escape(fam, li, bits);
    let plain = bits > fam.not_gr_prefix_mask[li];
    let gr = u32::from(plain).wrapping_neg();
    (((gr_val & gr) | (u32::from(esc_val) & !gr)) as u8, (gr_len & gr) | (esc_len & !gr))
}

/// Byte-wise arithmetic on four lanes packed in a `u32` (SIMD within a register).
mod swar {
    const LOW7: u32 = 0x7f7f_7f7f;
    const HIGH: u32 = 0x8080_8080;

    /// Per byte, `(a + b) >> 1` rounded down.
    #[inline(always)]
    pub fn mean_floor(a: u32, b: u32) -> u32 {
        (a & b) + (((a ^ b) >> 1) & LOW7)
    }

    /// Per byte, `a + b` modulo 256.
    #[inline(always)]
    pub fn add(a: u32, b: u32) -> u32 {
        ((a & LOW7) + (b & LOW7)) ^ ((a ^ b) & HIGH)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn match_bytewise_arithmetic() {
            let mut s = 0x1234_5678_9abc_def1u64;
            for _ in 0..100_000 {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let (a, b) = (s as u32, (s >> 32) as u32);
                let (ab, bb) = (a.to_le_bytes(), b.to_le_bytes());
                let mean: [u8; 4] = core::array::from_fn(|k| ((u16::from(ab[k]) + u16::from(bb[k])) >> 1) as u8);
                let sum: [u8; 4] = core::array::from_fn(|k| ab[k].wrapping_add(bb[k]));
                assert_eq!(super::mean_floor(a, b), u32::from_le_bytes(mean));
                assert_eq!(super::add(a, b), u32::from_le_bytes(sum));
            }
        }
    }
}
