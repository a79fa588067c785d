//! A group of channels coded together under one [`CommonState`]: r, g, b of an
//! RGB image share one, a gray or alpha channel has its own.
//!
//! `corr[c]` is the row of folded residuals of channel `c`, shifted by one:
//! `corr[c][i + 1]` belongs to pixel `i` and `corr[c][0]` is the context of pixel 0.
//! Run pixels do not write it, so after a run the context is whatever an earlier
//! row left at that position: the reference coder behaves so, and we must too.

use super::model::{ChannelModel, CommonState, Family, Segment};

pub(crate) struct Channels<const N: usize> {
    pub state: CommonState,
    pub models: [ChannelModel; N],
    pub corr: [Vec<u8>; N],
    pub fam: &'static Family,
}

impl<const N: usize> Channels<N> {
    pub fn new(width: usize, fam: &'static Family) -> Self {
        Channels {
            state: CommonState::new(),
            models: core::array::from_fn(|_| ChannelModel::new(fam.bpc)),
            corr: core::array::from_fn(|_| vec![0; width + 1]),
            fam,
        }
    }

    /// Sets the context of pixel 0 and splits the row into segments.
    pub fn start_row(&mut self, first_row: bool, width: usize, segs: &mut [Segment; 8]) -> usize {
        for c in &mut self.corr {
            c[0] = if first_row { 0 } else { c[1] };
        }
        self.state.plan_row(width, segs)
    }

    /// Advances the update schedule after coded pixel `i`, learning from it when due.
    #[inline(always)]
    pub fn after_pixel(&mut self, i: usize, seg: &Segment) {
        if self.state.tick(seg.wait_mask()) {
            let trigger = seg.trigger();
            for c in 0..N {
                let (ctx, val) = (self.corr[c][i], self.corr[c][i + 1]);
                self.models[c].update(self.fam, ctx, val, trigger);
            }
        }
    }
}

/// Whether pixel `i` of a row after the first starts run mode: the row above repeats
/// at `i`, the current row repeats just before `i`, and no run started at `i` yet.
#[inline(always)]
pub(crate) fn starts_run(prev_key: &[u32], cur_key: &[u32], i: usize, run_index: usize) -> bool {
    i > 2 && run_index != i && prev_key[i - 1] == prev_key[i] && cur_key[i - 1] == cur_key[i - 2]
}
