//! Hot per-row kernels, each a scalar reference (`scalar`) and a `wide` SIMD
//! twin with the same signature; `tests` checks they agree on random rows.
//! The re-exports below are the versions that measured faster (see `NOTES.md`).

pub mod scalar;
pub mod wide;

#[cfg(test)]
mod tests;

pub use self::wide::{count_repeats, fill_lane, fill_pixels, fold_residuals, repeat_flags};
