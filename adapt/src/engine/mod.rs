//! The engine a server drives: frames and transport feedback in, updates out.
//!
//! [`Engine::submit_frame`] hands it the screen as it is now (with an optional
//! damage hint); [`Engine::on_feedback`] the transport's reports; and
//! [`Engine::poll`] returns what to send now — SPICE images for rectangles and
//! video stream messages — each with a [`Decision`] saying why. Time is always an
//! argument, so the same calls give the same updates (see [`crate::record`]).
//!
//! `docs/engine.md` ("Policy and the engine loop") explains the loop, the budget
//! and the lossless refresh.

mod config;
mod core;
mod encode;
mod feedback;
mod repeats;
mod streams;
mod update;

pub use config::{ClientCaps, EngineConfig};
pub use core::{Engine, EngineStats};
pub use feedback::Feedback;
pub use update::{Decision, Update, UpdateKind};
