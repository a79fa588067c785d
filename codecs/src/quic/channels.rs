//! A group of channels coded together under one [`CommonState`]: r, g, b of an
//! RGB image share one, a gray or alpha channel has its own.
//!
//! `corr` is the row of contexts, one [`Ctx`] a pixel, shifted by one:
//! `corr[i + 1]` holds the context buckets of the folded residuals of pixel `i`
//! (the model only ever looks at a context's bucket) and `corr[0]` is the context
//! of pixel 0. Each channel sits at its byte offset in the pixel (see
//! `Layout::OFF`), so a whole row of residual buckets lines up with the pixels.
//! Run pixels do not write it, so after a run the context is whatever an earlier
//! row left at that position: the reference coder behaves so, and we must too.
//!
//! The per-segment loops work on [`RowCoder`], a stack copy of the group's state
//! with its buffers borrowed as plain slices, so the compiler can keep the hot
//! state in registers (stores through `&mut Vec<u8>` fields would force reloads).

use super::model::{ChannelModel, CommonState, Family, Segment};

/// Context buckets (or residuals) of one pixel, each channel at its byte offset
/// in the pixel (little-endian).
/// A plain integer rather than an array so it stays in a register: byte-wise
/// array writes followed by a whole-word read would stall store forwarding.
pub(crate) type Ctx = u32;

/// The byte at offset `at` of a [`Ctx`].
#[inline(always)]
pub(crate) fn ctx_byte(ctx: Ctx, at: usize) -> u8 {
    (ctx >> (8 * at)) as u8
}

pub(crate) struct Channels<const N: usize> {
    state: CommonState,
    models: [ChannelModel; N],
    corr: Vec<Ctx>,
    fam: &'static Family,
    /// Bits the decoder read for this group in the last row: picks its decoding strategy.
    pub row_bits: u64,
}

/// The working view of a [`Channels`] for one row.
pub(crate) struct RowCoder<'a, const N: usize> {
    pub state: CommonState,
    pub models: &'a mut [ChannelModel; N],
    pub corr: &'a mut [Ctx],
    pub fam: &'static Family,
}

impl<const N: usize> Channels<N> {
    pub fn new(width: usize, fam: &'static Family) -> Self {
        Channels {
            state: CommonState::new(),
            models: core::array::from_fn(|_| ChannelModel::new(fam.bpc)),
            corr: vec![0; width + 1],
            fam,
            row_bits: 0,
        }
    }

    /// Sets the context of pixel 0, splits the row into segments and lends the
    /// working view; [`Channels::end_row`] takes the state back.
    pub fn start_row(&mut self, first_row: bool, width: usize, segs: &mut [Segment; 8]) -> (usize, RowCoder<'_, N>) {
        self.corr[0] = if first_row { 0 } else { self.corr[1] };
        let n = self.state.plan_row(width, segs);
        let coder = RowCoder { state: self.state, models: &mut self.models, corr: &mut self.corr, fam: self.fam };
        (n, coder)
    }

    /// Stores the state a [`RowCoder`] advanced.
    pub fn end_row(&mut self, state: CommonState) {
        self.state = state;
    }
}

impl<const N: usize> RowCoder<'_, N> {
    /// The contexts of pixel `i`: per channel, the residual last coded at `i - 1`.
    #[inline(always)]
    pub fn contexts(&self, i: usize) -> Ctx {
        self.corr[i]
    }

    /// Counts down to the next model update (`wait` is the caller's register copy of
    /// the countdown); at zero, learns from the pixel just coded: residuals `val`
    /// in context buckets `ctx`, channels at byte offsets `off`.
    #[inline(always)]
    pub fn after_pixel(&mut self, wait: &mut u32, seg: &Segment, off: [usize; N], ctx: Ctx, val: Ctx) {
        if *wait == 0 {
            *wait = self.state.draw_wait(seg.wait_mask());
            self.learn(off, ctx, val, seg.trigger());
        } else {
            *wait -= 1;
        }
    }

    #[inline(never)]
    fn learn(&mut self, off: [usize; N], ctx: Ctx, val: Ctx, trigger: u32) {
        for (c, &at) in off.iter().enumerate() {
            self.models[c].update(self.fam, ctx_byte(ctx, at), ctx_byte(val, at), trigger);
        }
    }
}
