//! Hot per-row kernels, each a scalar reference (`scalar`) and a `wide` SIMD
//! twin with the same signature; `tests` checks they agree on random rows.
//! The functions here pick the faster one (see `NOTES.md`).

pub mod scalar;
pub mod wide;

#[cfg(test)]
mod tests;

pub use self::wide::{fold_residuals, merge_bgrx, run_length, split_bgrx};
