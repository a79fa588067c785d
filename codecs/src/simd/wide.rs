//! SIMD kernels on `wide` vectors; same contracts as [`super::scalar`].

pub use super::scalar::{fold_residuals, merge_bgrx, run_length, split_bgrx};
