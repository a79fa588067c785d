//! Paprika's adaptive policy engine: it watches the screen change and the
//! network respond, and decides region by region how to send what changed.
//!
//! Deterministic by design: time is always an input (`now`), never read from a
//! clock, so the same inputs give the same decisions.

pub mod classify;
pub mod client;
pub mod damage;
pub mod engine;
pub mod network;
pub mod policy;
pub mod record;
pub mod sim;
#[cfg(test)]
mod test_rng;
