//! QUIC decoder: the inverse of [`super::encode`], in step with spice-common's
//! `quic_decode`, hardened against any input.
//!
//! Safety against hostile input: the header is checked against the limits and
//! against the input length before anything is allocated; every run length is
//! checked against the room left in its segment; the bit reader yields zeros
//! past the end of the input and the decoder turns that into an error at each
//! row, so work is bounded by the input size plus one row.

use super::ImageType;
use super::channels::{Channels, starts_run};
use super::header::{self, Header};
use super::model::{FAMILY_5, FAMILY_8, Family, Segment};
use crate::bits::BitReader;
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
        Ok(Decoder {
            input,
            header,
            limits: *limits,
        })
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

    /// Bytes a packed, top-down buffer of `format` needs for this image.
    pub fn output_len(&self, format: PixelFormat) -> Result<usize> {
        ImageDesc::packed(self.header.width, self.header.height, format)?.min_buffer_len()
    }

    /// Decodes into `out`, rows top-down `stride` bytes apart, in `format`.
    ///
    /// Supported formats: the native one, plus B,G,R,X (X = 0) for RGB types
    /// (RGB16 channels expand as `v << 3 | v >> 2`, like the reference decoder)
    /// and for gray (replicated), and 24-bit B,G,R for RGB types. Bytes of `out`
    /// outside the image rows are left untouched.
    pub fn decode_into(
        &mut self,
        out: &mut [u8],
        stride: usize,
        format: PixelFormat,
    ) -> Result<()> {
        if !self.supports(format) {
            return Err(Error::Unsupported(UnsupportedKind::Conversion));
        }
        let desc = ImageDesc {
            width: self.header.width,
            height: self.header.height,
            stride,
            format,
            top_down: true,
        };
        let need = desc.min_buffer_len()?;
        if out.len() < need {
            return Err(Error::Parameter(ParameterKind::BufferTooSmall {
                needed: need as u64,
                given: out.len() as u64,
            }));
        }
        let width = self.header.width as usize;
        // Working rows: 2 × (4 planes + 2 key rows of u32) + residual contexts.
        let scratch = (width as u64 + 1) * (2 * (4 + 8) + 4);
        self.limits
            .check_alloc(scratch.saturating_add(need as u64))?;
        let row_bytes = desc.row_bytes()?;

        let ty = self.header.image_type;
        let fam = if ty.bits_per_channel() == 5 {
            &FAMILY_5
        } else {
            &FAMILY_8
        };
        let mut reader = BitReader::new(self.input, Codec::Quic);
        for _ in 0..5 {
            reader.skip(32);
        }
        let mut cur = Row::new(width);
        let mut prev = Row::new(width);
        let mut segs = [Segment {
            start: 0,
            end: 0,
            wm_index: 0,
        }; 8];
        let gray = ty == ImageType::Gray;
        let mut main = if gray {
            Pass::One(Channels::new(width, fam))
        } else {
            Pass::Three(Channels::new(width, fam))
        };
        let mut alpha = (ty == ImageType::Rgba).then(|| Channels::<1>::new(width, fam));
        for y in 0..self.header.height as usize {
            let first = y == 0;
            match &mut main {
                Pass::One(ch) => ch.decode_row(
                    &mut reader,
                    y,
                    first,
                    &mut cur.gray(),
                    &prev.gray_ref(),
                    &mut segs,
                )?,
                Pass::Three(ch) => ch.decode_row(
                    &mut reader,
                    y,
                    first,
                    &mut cur.rgb(),
                    &prev.rgb_ref(),
                    &mut segs,
                )?,
            }
            if let Some(a) = &mut alpha {
                a.decode_row(
                    &mut reader,
                    y,
                    first,
                    &mut cur.alpha(),
                    &prev.alpha_ref(),
                    &mut segs,
                )?;
            }
            reader.check()?;
            let dst = &mut out[y * stride..y * stride + row_bytes];
            cur.emit(dst, format, ty, gray);
            core::mem::swap(&mut cur, &mut prev);
        }
        Ok(())
    }
}

enum Pass {
    One(Channels<1>),
    Three(Channels<3>),
}

/// Planes of one decoded row (r, g, b, alpha; gray in slot 3) with their run keys.
struct Row {
    planes: [Vec<u8>; 4],
    key: Vec<u32>,
    akey: Vec<u32>,
}

/// Mutable view of the planes a pass writes, and their keys.
struct PlanesMut<'r, const N: usize> {
    planes: [&'r mut [u8]; N],
    key: &'r mut [u32],
}

/// Read-only view of the previous row.
struct PlanesRef<'r, const N: usize> {
    planes: [&'r [u8]; N],
    key: &'r [u32],
}

impl Row {
    fn new(width: usize) -> Self {
        Row {
            planes: core::array::from_fn(|_| vec![0; width]),
            key: vec![0; width],
            akey: vec![0; width],
        }
    }
    fn rgb(&mut self) -> PlanesMut<'_, 3> {
        let [r, g, b, _] = &mut self.planes;
        PlanesMut {
            planes: [r, g, b],
            key: &mut self.key,
        }
    }
    fn rgb_ref(&self) -> PlanesRef<'_, 3> {
        PlanesRef {
            planes: [&self.planes[0], &self.planes[1], &self.planes[2]],
            key: &self.key,
        }
    }
    fn gray(&mut self) -> PlanesMut<'_, 1> {
        PlanesMut {
            planes: [&mut self.planes[3]],
            key: &mut self.key,
        }
    }
    fn gray_ref(&self) -> PlanesRef<'_, 1> {
        PlanesRef {
            planes: [&self.planes[3]],
            key: &self.key,
        }
    }
    fn alpha(&mut self) -> PlanesMut<'_, 1> {
        PlanesMut {
            planes: [&mut self.planes[3]],
            key: &mut self.akey,
        }
    }
    fn alpha_ref(&self) -> PlanesRef<'_, 1> {
        PlanesRef {
            planes: [&self.planes[3]],
            key: &self.akey,
        }
    }

    /// Writes the decoded row in the requested output format.
    fn emit(&self, dst: &mut [u8], format: PixelFormat, ty: ImageType, gray: bool) {
        let [r, g, b, a] = &self.planes;
        let expand5 = ty == ImageType::Rgb16 && format != PixelFormat::Rgb555;
        match format {
            PixelFormat::Gray8 => dst.copy_from_slice(a),
            PixelFormat::Bgrx32 if gray => simd::merge_bgrx(a, a, a, None, dst),
            PixelFormat::Bgrx32 | PixelFormat::Bgra32 if !expand5 => simd::merge_bgrx(
                r,
                g,
                b,
                (ty == ImageType::Rgba).then_some(a.as_slice()),
                dst,
            ),
            PixelFormat::Rgb555 => {
                for (i, o) in dst.chunks_exact_mut(2).enumerate() {
                    let v = (u16::from(r[i]) << 10) | (u16::from(g[i]) << 5) | u16::from(b[i]);
                    o.copy_from_slice(&v.to_le_bytes());
                }
            }
            _ => {
                let bpp = if format == PixelFormat::Bgr24 { 3 } else { 4 };
                let x = |v: u8| if expand5 { (v << 3) | (v >> 2) } else { v };
                for (i, o) in dst.chunks_exact_mut(bpp).enumerate() {
                    o[0] = x(b[i]);
                    o[1] = x(g[i]);
                    o[2] = x(r[i]);
                    if bpp == 4 {
                        o[3] = 0;
                    }
                }
            }
        }
    }
}

impl<const N: usize> Channels<N> {
    fn decode_row(
        &mut self,
        rd: &mut BitReader<'_>,
        y: usize,
        first_row: bool,
        cur: &mut PlanesMut<'_, N>,
        prev: &PlanesRef<'_, N>,
        segs: &mut [Segment; 8],
    ) -> Result<()> {
        let n = self.start_row(first_row, cur.key.len(), segs);
        for seg in &segs[..n] {
            self.decode_segment(rd, y, seg, first_row, cur, prev)?;
        }
        Ok(())
    }

    #[inline(always)]
    fn decode_segment(
        &mut self,
        rd: &mut BitReader<'_>,
        y: usize,
        seg: &Segment,
        first_row: bool,
        cur: &mut PlanesMut<'_, N>,
        prev: &PlanesRef<'_, N>,
    ) -> Result<()> {
        let fam = self.fam;
        let mask = fam.mask;
        let mut run_index = 0;
        let mut i = seg.start;
        while i < seg.end {
            if !first_row && starts_run(prev.key, cur.key, i, run_index) {
                run_index = i;
                let room = seg.end - i;
                let len = self.decode_run(rd, room).map_err(|length| {
                    Error::format(
                        Codec::Quic,
                        FormatKind::RunTooLong {
                            row: y as u32,
                            column: i as u32,
                            length,
                            room: room as u64,
                        },
                    )
                })?;
                let k = cur.key[i - 1];
                cur.key[i..i + len].fill(k);
                for p in cur.planes.iter_mut() {
                    let v = p[i - 1];
                    p[i..i + len].fill(v);
                }
                i += len;
                continue;
            }
            let mut key = 0u32;
            for c in 0..N {
                let l = self.models[c].code_for(fam, self.corr[c][i]);
                let (val, len) = decode_value(fam, l, rd.peek32());
                rd.skip(len);
                self.corr[c][i + 1] = val;
                let pred = if first_row {
                    if i == 0 {
                        0
                    } else {
                        u32::from(cur.planes[c][i - 1])
                    }
                } else if i == 0 {
                    u32::from(prev.planes[c][0])
                } else {
                    (u32::from(cur.planes[c][i - 1]) + u32::from(prev.planes[c][i])) >> 1
                };
                let x = ((u32::from(fam.unfold[usize::from(val)]) + pred) & mask) as u8;
                cur.planes[c][i] = x;
                key = (key << 8) | u32::from(x);
            }
            cur.key[i] = key;
            self.after_pixel(i, seg);
            i += 1;
        }
        Ok(())
    }

    /// Reads a MELCODE run length; `Err(length)` when it passes `room`.
    fn decode_run(
        &mut self,
        rd: &mut BitReader<'_>,
        room: usize,
    ) -> core::result::Result<usize, u64> {
        let mut len: u64 = 0;
        loop {
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

/// Decodes one Golomb-Rice (or escape) codeword from the top of `bits`.
#[inline(always)]
fn decode_value(fam: &Family, l: u32, bits: u32) -> (u8, u32) {
    let li = l as usize;
    if bits > fam.not_gr_prefix_mask[li] {
        let zeros = bits.leading_zeros();
        let len = zeros + 1 + l;
        let low = (bits >> (32 - len)) & ((1u32 << l) - 1);
        (((zeros << l) | low) as u8, len)
    } else {
        let len = fam.not_gr_len[li];
        let suffix = (bits >> (32 - len)) & ((1u32 << fam.not_gr_suffix_len[li]) - 1);
        ((fam.n_gr[li] + suffix) as u8, len)
    }
}
