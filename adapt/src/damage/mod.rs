//! Which tiles of the screen changed since the previous frame, exactly.
//!
//! A [`DamageTracker`] cuts a 32-bit surface (`Bgrx32`, X ignored, or `Bgra32`) into a
//! [`TileGrid`] of 64x64 tiles by default, keeps its own copy of the previous frame,
//! and on every [`DamageTracker::update`] compares the new frame with it tile by tile
//! with a SIMD row-compare kernel (`kernel.rs`: `wide` with a scalar twin). The result,
//! a [`DamageMap`], lists the changed tiles with their changed-pixel counts and merges
//! them into few rectangles. A caller's damage hint never makes the result inexact:
//! under [`HintTrust::Advisory`] (the default) it is ignored, under
//! [`HintTrust::Exact`] it only skips the tiles it does not touch.
//!
//! Per tile the tracker keeps a [`TileHistory`] (last change, which of the last 64
//! frames changed it and which changed it *largely*, the changed share last time),
//! which the classifier reads for its temporal features. Optionally it finds
//! vertical scrolls ([`ScrollHint`]).
//!
//! Deterministic: time is the caller's frame index. `docs/engine.md` ("Damage")
//! gives the constants, their reasons and measured speeds.

mod grid;
#[cfg(feature = "bench-internals")]
pub mod kernel;
#[cfg(not(feature = "bench-internals"))]
pub(crate) mod kernel;
mod scroll;
mod tracker;

#[cfg(test)]
mod tests;

pub use grid::{DEFAULT_TILE, TileGrid};
pub use scroll::ScrollHint;
pub use tracker::{DamageMap, DamageTracker, HintTrust, LARGE_CHANGE_FRACTION, TileChange, TileHistory};
