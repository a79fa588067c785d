//! The encoder's pipeline: rows of B, G, R(, X) pixels to Y, Cb, Cr planes (one
//! MCU row at a time), 8x8 blocks through the forward DCT and quantization, then
//! Huffman coding. Restart intervals are independent (their DC predictions
//! start again at 0), so the encoder cuts the image into intervals and codes
//! them on rayon threads; the stream is the same bytes whatever the thread count.

use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use super::huffman::{BitWriter, HuffCodes, SymbolCounts, count_block, encode_block, optimal_spec};
use super::markers::{Component, restart_marker, write_eoi, write_headers, write_sos};
use super::tables::{HuffSpec, quant_tables, std_ac_chroma, std_ac_luma, std_dc_chroma, std_dc_luma};
use super::{JpegOptions, Subsampling};
use crate::error::{Error, ParameterKind, Result, UnsupportedKind};
use crate::image::{ImageRef, PixelFormat};
use crate::simd::{self, QuantDivisors};

/// Largest side baseline JPEG can describe.
const MAX_SIDE: u32 = 65_535;
/// Images below this many pixels are coded on one thread: splitting costs more.
const PARALLEL_MIN_PIXELS: u64 = 256 * 256;

/// What every restart interval needs to know, computed once.
struct Plan<'a> {
    img: &'a ImageRef<'a>,
    bpp: usize,
    sub: Subsampling,
    /// Picture rows per MCU row (8 or 16).
    mcu_h: usize,
    /// MCUs across.
    mcus_x: usize,
    /// Width padded to whole MCUs.
    padded_w: usize,
    divisors: [QuantDivisors; 2],
}

/// Encodes `img` (Bgrx32, Bgra32 or Bgr24, any stride, either row order) as a
/// baseline JFIF stream into `out` (replacing its contents).
pub(super) fn encode_into(img: &ImageRef<'_>, opts: &JpegOptions, out: &mut Vec<u8>) -> Result<()> {
    let bpp = match img.format() {
        PixelFormat::Bgrx32 | PixelFormat::Bgra32 => 4,
        PixelFormat::Bgr24 => 3,
        _ => return Err(Error::Unsupported(UnsupportedKind::PixelFormat)),
    };
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(Error::Parameter(ParameterKind::EmptyImage));
    }
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(Error::Parameter(ParameterKind::SizeOverflow));
    }
    let (mcu_w, mcu_h) = if opts.subsampling == Subsampling::S420 { (16, 16) } else { (8, 8) };
    let (mcus_x, mcus_y) = ((w as usize).div_ceil(mcu_w), (h as usize).div_ceil(mcu_h));
    let qt = quant_tables(opts.quality);
    let plan = Plan {
        img,
        bpp,
        sub: opts.subsampling,
        mcu_h,
        mcus_x,
        padded_w: mcus_x * mcu_w,
        divisors: [QuantDivisors::new(&qt[0]), QuantDivisors::new(&qt[1])],
    };

    // Restart intervals: as asked, or (to use the threads) about two per thread.
    let threads = match opts.threads {
        0 => rayon::current_num_threads(),
        n => n,
    };
    let pixels = u64::from(w) * u64::from(h);
    let rows_per_interval = if opts.restart_rows > 0 {
        usize::from(opts.restart_rows)
    } else if threads > 1 && pixels >= PARALLEL_MIN_PIXELS {
        mcus_y.div_ceil(threads * 2).max(1)
    } else {
        mcus_y
    };
    // DRI counts MCUs in 16 bits: shorten intervals of very wide images.
    let rows_per_interval = rows_per_interval.min((usize::from(u16::MAX) / mcus_x).max(1));
    let intervals: Vec<(usize, usize)> =
        (0..mcus_y).step_by(rows_per_interval).map(|r| (r, (r + rows_per_interval).min(mcus_y))).collect();
    let restart = if intervals.len() > 1 { (rows_per_interval * mcus_x) as u16 } else { 0 };

    let parallel = threads > 1 && intervals.len() > 1;
    let gray = plan.sub == Subsampling::Gray;
    let comps: Vec<Component> = if gray {
        vec![Component { id: 1, h: 1, v: 1, qt: 0, dc: 0, ac: 0 }]
    } else {
        let s = if plan.sub == Subsampling::S420 { 2 } else { 1 };
        vec![
            Component { id: 1, h: s, v: s, qt: 0, dc: 0, ac: 0 },
            Component { id: 2, h: 1, v: 1, qt: 1, dc: 1, ac: 1 },
            Component { id: 3, h: 1, v: 1, qt: 1, dc: 1, ac: 1 },
        ]
    };
    let qtables: Vec<[u16; 64]> = if gray { vec![qt[0]] } else { qt.to_vec() };
    let head = |out: &mut Vec<u8>, specs: &[HuffSpec; 4]| {
        out.clear();
        let huff: Vec<(u8, u8, &HuffSpec)> = if gray {
            vec![(0, 0, &specs[0]), (1, 0, &specs[1])]
        } else {
            vec![(0, 0, &specs[0]), (1, 0, &specs[1]), (0, 1, &specs[2]), (1, 1, &specs[3])]
        };
        write_headers(out, w as u16, h as u16, &comps, &qtables, &huff, restart);
        write_sos(out, &comps);
    };
    let code = |out: &mut Vec<u8>| code_all(&plan, &intervals, opts.optimize_huffman, parallel, out, head);
    if parallel && opts.threads != 0 {
        // A pool of the asked size; `threads: 0` uses rayon's global pool.
        pool(threads)?.install(|| code(out));
    } else {
        code(out);
    }
    write_eoi(out);
    Ok(())
}

/// Thread pools by size.
type Pools = Vec<(usize, Arc<rayon::ThreadPool>)>;

/// The process's pool of `threads` threads, made on first use and kept: starting
/// threads for every image cost more than coding a small one.
fn pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<Pools>> = OnceLock::new();
    let overflow = || Error::Parameter(ParameterKind::SizeOverflow);
    let mut pools = POOLS.get_or_init(Mutex::default).lock().map_err(|_| overflow())?;
    if let Some((_, p)) = pools.iter().find(|(n, _)| *n == threads) {
        return Ok(Arc::clone(p));
    }
    let p = Arc::new(rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|_| overflow())?);
    pools.push((threads, Arc::clone(&p)));
    Ok(p)
}

/// `f` over `items`, on the current rayon pool when `parallel`.
fn map<I: Sync, T: Send>(parallel: bool, items: &[I], f: impl Fn(&I) -> T + Sync + Send) -> Vec<T> {
    if parallel { items.par_iter().map(f).collect() } else { items.iter().map(f).collect() }
}

/// Codes every interval into `out`: `head` first writes the headers for the
/// Huffman tables used (luma DC, luma AC, chroma DC, chroma AC), then each
/// interval's entropy-coded bytes follow with restart markers between them.
/// On one thread the intervals are coded straight into `out`; on several each
/// into its own buffer, appended in order.
fn code_all(
    plan: &Plan<'_>,
    intervals: &[(usize, usize)],
    optimize: bool,
    parallel: bool,
    out: &mut Vec<u8>,
    head: impl Fn(&mut Vec<u8>, &[HuffSpec; 4]),
) {
    // A guess at the coded size (about 2 bits a pixel, generous for q85), so
    // the buffers rarely grow.
    let guess = |rows: usize| rows * plan.padded_w * plan.mcu_h / 4;
    let emit = |out: &mut Vec<u8>, k: usize| {
        if k > 0 {
            out.extend_from_slice(&[0xff, restart_marker(k as u32 - 1)]);
        }
    };
    if !optimize {
        let specs = [std_dc_luma(), std_ac_luma(), std_dc_chroma(), std_ac_chroma()];
        let codes = codes_of(&specs);
        head(out, &specs);
        if parallel {
            let bodies =
                map(true, intervals, |&(a, b)| code_interval(plan, a, b, &codes, Vec::with_capacity(guess(b - a))));
            for (k, body) in bodies.iter().enumerate() {
                emit(out, k);
                out.extend_from_slice(body);
            }
        } else {
            out.reserve(guess(plan_rows(intervals)));
            for (k, &(a, b)) in intervals.iter().enumerate() {
                emit(out, k);
                *out = code_interval(plan, a, b, &codes, std::mem::take(out));
            }
        }
        return;
    }
    // First pass: quantized blocks and symbol counts per interval; then tables
    // from the totals, and the stored blocks coded with them.
    let passes = map(parallel, intervals, |&(a, b)| blocks_and_counts(plan, a, b));
    let mut totals = [SymbolCounts::default(), SymbolCounts::default()];
    for (_, c) in &passes {
        for k in 0..2 {
            totals[k].add(&c[k]);
        }
    }
    let specs = [
        optimal_spec(&totals[0].dc),
        optimal_spec(&totals[0].ac),
        optimal_spec(&totals[1].dc),
        optimal_spec(&totals[1].ac),
    ];
    let codes = codes_of(&specs);
    head(out, &specs);
    if parallel {
        let bodies =
            map(true, &passes, |(blocks, _)| code_stored(plan, blocks, &codes, Vec::with_capacity(blocks.len() * 16)));
        for (k, body) in bodies.iter().enumerate() {
            emit(out, k);
            out.extend_from_slice(body);
        }
    } else {
        for (k, (blocks, _)) in passes.iter().enumerate() {
            emit(out, k);
            *out = code_stored(plan, blocks, &codes, std::mem::take(out));
        }
    }
}

/// MCU rows in all the intervals.
fn plan_rows(intervals: &[(usize, usize)]) -> usize {
    intervals.iter().map(|&(a, b)| b - a).sum()
}

/// The four Huffman encoding tables: luma DC, luma AC, chroma DC, chroma AC.
fn codes_of(specs: &[HuffSpec; 4]) -> [HuffCodes; 4] {
    [
        HuffCodes::from_spec(&specs[0]),
        HuffCodes::from_spec(&specs[1]),
        HuffCodes::from_spec(&specs[2]),
        HuffCodes::from_spec(&specs[3]),
    ]
}

/// One MCU row's planes, reused from row to row.
struct Planes {
    y: Vec<u8>,
    cb: Vec<u8>,
    cr: Vec<u8>,
}

impl Planes {
    fn new(plan: &Plan<'_>) -> Self {
        let pw = plan.padded_w;
        let rows = plan.mcu_h;
        let (cw, ch) = if plan.sub == Subsampling::S420 { (pw / 2, rows / 2) } else { (pw, rows) };
        Planes { y: vec![0; pw * rows], cb: vec![0; cw * ch], cr: vec![0; cw * ch] }
    }

    /// Fills the planes with MCU row `my`: converted pixels, the right and bottom
    /// edges repeated out to whole MCUs.
    fn load(&mut self, plan: &Plan<'_>, my: usize) {
        let img = plan.img;
        let d = img.desc();
        let (w, h) = (d.width as usize, d.height as usize);
        let pw = plan.padded_w;
        // Picture row `r` of the MCU row (the last one repeated past the bottom).
        let src = |r: usize| {
            let y = (my * plan.mcu_h + r).min(h - 1);
            let mem = if d.top_down { y } else { h - 1 - y };
            &img.data()[mem * d.stride..mem * d.stride + w * plan.bpp]
        };
        match plan.sub {
            Subsampling::Gray => {
                for r in 0..plan.mcu_h {
                    let yrow = &mut self.y[r * pw..(r + 1) * pw];
                    simd::luma_from_bgr(src(r), plan.bpp, &mut yrow[..w]);
                    let last = yrow[w - 1];
                    yrow[w..].fill(last);
                }
            }
            Subsampling::S444 => {
                for r in 0..plan.mcu_h {
                    let rows = r * pw..(r + 1) * pw;
                    let (yrow, cb, cr) = (&mut self.y[rows.clone()], &mut self.cb[rows.clone()], &mut self.cr[rows]);
                    simd::ycc_from_bgr(src(r), plan.bpp, &mut yrow[..w], &mut cb[..w], &mut cr[..w]);
                    for row in [yrow, cb, cr] {
                        let last = row[w - 1];
                        row[w..].fill(last);
                    }
                }
            }
            Subsampling::S420 => {
                // Two picture rows at a time: their luma, and the 2x2 averages of
                // their chroma, padded, without full-resolution chroma rows.
                let cw = pw / 2;
                for r in 0..plan.mcu_h / 2 {
                    let (y_top, y_bottom) = self.y[2 * r * pw..(2 * r + 2) * pw].split_at_mut(pw);
                    let (cb, cr) = (&mut self.cb[r * cw..(r + 1) * cw], &mut self.cr[r * cw..(r + 1) * cw]);
                    simd::ycc_420_rows(src(2 * r), src(2 * r + 1), plan.bpp, w, y_top, y_bottom, cb, cr);
                }
            }
        }
    }

    /// Calls `f(component, block)` for every block of the MCU row, in scan
    /// order: per MCU the luma blocks (1 or 4), then Cb and Cr. The blocks go
    /// through the DCT two at a time (the AVX2 kernel transforms a pair in one
    /// pass): side-by-side luma blocks, Cb with Cr, or the same plane of two
    /// neighbouring MCUs.
    fn blocks(&self, plan: &Plan<'_>, mut f: impl FnMut(usize, &[i16; 64])) {
        let pw = plan.padded_w;
        let [dy, dc] = &plan.divisors;
        let mut q = [[0i16; 64]; 2];
        match plan.sub {
            Subsampling::Gray | Subsampling::S444 => {
                let planes: &[(&[u8], &QuantDivisors)] = if plan.sub == Subsampling::Gray {
                    &[(&self.y, dy)]
                } else {
                    &[(&self.y, dy), (&self.cb, dc), (&self.cr, dc)]
                };
                let mut pairs = [[[0i16; 64]; 2]; 3];
                for mx in (0..plan.mcus_x).step_by(2) {
                    let at = mx * 8;
                    if mx + 1 == plan.mcus_x {
                        // The last MCU of an odd count alone.
                        for (comp, &(plane, div)) in planes.iter().enumerate() {
                            simd::fdct_quantize(&plane[at..], pw, div, &mut q[0]);
                            f(comp, &q[0]);
                        }
                        break;
                    }
                    for (pair, &(plane, div)) in pairs.iter_mut().zip(planes) {
                        simd::fdct_quantize2(&plane[at..], pw, div, &plane[at + 8..], pw, div, pair);
                    }
                    for m in 0..2 {
                        for (comp, pair) in pairs[..planes.len()].iter().enumerate() {
                            f(comp, &pair[m]);
                        }
                    }
                }
            }
            Subsampling::S420 => {
                let cw = pw / 2;
                for mx in 0..plan.mcus_x {
                    for at in [mx * 16, 8 * pw + mx * 16] {
                        simd::fdct_quantize2(&self.y[at..], pw, dy, &self.y[at + 8..], pw, dy, &mut q);
                        f(0, &q[0]);
                        f(0, &q[1]);
                    }
                    let at = mx * 8;
                    simd::fdct_quantize2(&self.cb[at..], cw, dc, &self.cr[at..], cw, dc, &mut q);
                    f(1, &q[0]);
                    f(2, &q[1]);
                }
            }
        }
    }
}

/// Codes MCU rows `a..b` (one restart interval) with the given tables,
/// appending to `out`.
fn code_interval(plan: &Plan<'_>, a: usize, b: usize, codes: &[HuffCodes; 4], out: Vec<u8>) -> Vec<u8> {
    let mut planes = Planes::new(plan);
    let mut w = BitWriter::new(out);
    let mut dc = [0i16; 3];
    for my in a..b {
        planes.load(plan, my);
        planes.blocks(plan, |comp, q| {
            let t = if comp == 0 { 0 } else { 2 };
            encode_block(q, &mut dc[comp], &codes[t], &codes[t + 1], &mut w);
        });
    }
    w.pad_to_byte();
    w.into_inner()
}

/// The quantized blocks of MCU rows `a..b` in scan order, and their symbol
/// counts (luma, chroma), for the optimized-Huffman first pass.
fn blocks_and_counts(plan: &Plan<'_>, a: usize, b: usize) -> (Vec<[i16; 64]>, [SymbolCounts; 2]) {
    let mut planes = Planes::new(plan);
    let per_mcu = match plan.sub {
        Subsampling::Gray => 1,
        Subsampling::S444 => 3,
        Subsampling::S420 => 6,
    };
    let mut blocks = Vec::with_capacity((b - a) * plan.mcus_x * per_mcu);
    let mut counts = [SymbolCounts::default(), SymbolCounts::default()];
    let mut dc = [0i16; 3];
    for my in a..b {
        planes.load(plan, my);
        planes.blocks(plan, |comp, q| {
            count_block(q, &mut dc[comp], &mut counts[usize::from(comp > 0)]);
            blocks.push(*q);
        });
    }
    (blocks, counts)
}

/// Codes stored blocks (one restart interval) with the given tables,
/// appending to `out`.
fn code_stored(plan: &Plan<'_>, blocks: &[[i16; 64]], codes: &[HuffCodes; 4], out: Vec<u8>) -> Vec<u8> {
    let per_mcu = match plan.sub {
        Subsampling::Gray => 1,
        Subsampling::S444 => 3,
        Subsampling::S420 => 6,
    };
    let comp_of = |k: usize| match plan.sub {
        Subsampling::S420 => (k % 6).saturating_sub(3),
        _ => k % per_mcu,
    };
    let mut w = BitWriter::new(out);
    let mut dc = [0i16; 3];
    for (k, q) in blocks.iter().enumerate() {
        let comp = comp_of(k);
        let t = if comp == 0 { 0 } else { 2 };
        encode_block(q, &mut dc[comp], &codes[t], &codes[t + 1], &mut w);
    }
    w.pad_to_byte();
    w.into_inner()
}
