//! The network as the engine sees it: bandwidth, minimum RTT and queueing
//! delay estimated from transport feedback alone (what was sent, when it was
//! acknowledged), and the send rate that follows from them.
//!
//! The method is delay-based and is in `estimator.rs`; `docs/engine.md`
//! ("Network estimation") explains it with its constants.

mod estimator;
mod windowed;

pub use estimator::{BandwidthEstimator, EstimatorConfig, EstimatorState, NetworkEstimate};
pub use windowed::WindowedMin;

/// Time in microseconds, on the caller's clock (the engine never reads one).
pub type Micros = u64;

/// Microseconds in a millisecond.
pub const MS: Micros = 1_000;
/// Microseconds in a second.
pub const SECOND: Micros = 1_000_000;
