//! A group of channels coded together under one [`CommonState`]: r, g, b of an
//! RGB image share one, a gray or alpha channel has its own.
//!
//! `corr[c]` is the row of folded residuals of channel `c`, shifted by one:
//! `corr[c][i + 1]` belongs to pixel `i` and `corr[c][0]` is the context of pixel 0.
//! Run pixels do not write it, so after a run the context is whatever an earlier
//! row left at that position: the reference coder behaves so, and we must too.
//!
//! The per-segment loops work on [`RowCoder`], a stack copy of the group's state
//! with its buffers borrowed as plain slices, so the compiler can keep the hot
//! state in registers (stores through `&mut Vec<u8>` fields would force reloads).

use super::model::{ChannelModel, CommonState, Family, Segment};

pub(crate) struct Channels<const N: usize> {
    state: CommonState,
    models: [ChannelModel; N],
    corr: [Vec<u8>; N],
    fam: &'static Family,
    /// Escape codewords the decoder met in the last row: picks its decoding strategy.
    pub escapes: u32,
}

/// The working view of a [`Channels`] for one row.
pub(crate) struct RowCoder<'a, const N: usize> {
    pub state: CommonState,
    pub models: &'a mut [ChannelModel; N],
    pub corr: [&'a mut [u8]; N],
    pub fam: &'static Family,
    /// Escape codewords decoded in this row.
    pub escapes: u32,
}

impl<const N: usize> Channels<N> {
    pub fn new(width: usize, fam: &'static Family) -> Self {
        Channels {
            state: CommonState::new(),
            models: core::array::from_fn(|_| ChannelModel::new(fam.bpc)),
            corr: core::array::from_fn(|_| vec![0; width + 1]),
            fam,
            escapes: 0,
        }
    }

    /// Sets the context of pixel 0, splits the row into segments and lends the
    /// working view; [`Channels::end_row`] takes the state back.
    pub fn start_row(&mut self, first_row: bool, width: usize, segs: &mut [Segment; 8]) -> (usize, RowCoder<'_, N>) {
        for c in &mut self.corr {
            c[0] = if first_row { 0 } else { c[1] };
        }
        let n = self.state.plan_row(width, segs);
        let coder = RowCoder {
            state: self.state,
            models: &mut self.models,
            corr: self.corr.each_mut().map(|v| v.as_mut_slice()),
            fam: self.fam,
            escapes: 0,
        };
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
    pub fn contexts(&self, i: usize) -> [u8; N] {
        core::array::from_fn(|c| self.corr[c][i])
    }

    /// Counts down to the next model update (`wait` is the caller's register copy of
    /// the countdown); at zero, learns from the pixel just coded: `val` after `ctx`.
    #[inline(always)]
    pub fn after_pixel(&mut self, wait: &mut u32, seg: &Segment, ctx: [u8; N], val: [u8; N]) {
        if *wait == 0 {
            *wait = self.state.draw_wait(seg.wait_mask());
            self.learn(ctx, val, seg.trigger());
        } else {
            *wait -= 1;
        }
    }

    #[inline(never)]
    fn learn(&mut self, ctx: [u8; N], val: [u8; N], trigger: u32) {
        for c in 0..N {
            self.models[c].update(self.fam, ctx[c], val[c], trigger);
        }
    }
}
