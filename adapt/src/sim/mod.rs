//! A network emulator in virtual time for the adaptation benchmark and the
//! engine's tests: capacity traces (Mahimahi format or synthetic) driving a
//! bottleneck link with a drop-tail queue (optionally CoDel, optionally random
//! loss, both resent as TCP would, delivered in order) and a propagation delay.
//! Deterministic: nothing sleeps and nothing reads a clock.

pub mod grid;
pub mod link;
pub mod reports;
pub mod session;
pub mod summary;
pub mod trace;
pub mod workload;

pub use grid::{Grid, NamedTrace, PolicyFactory, RunError, WorkloadFactory, file_safe, run_grid, run_one};
pub use link::{BottleneckLink, CODEL_INTERVAL, CODEL_TARGET, Delivery};
pub use reports::{ClientReports, PLAYBACK_DELAY, REPORT_INTERVAL, ReportCounts};
pub use session::{
    FrameSequence, QualitySample, ScreenSource, SessionConfig, SessionReport, TimelinePoint, run_session,
};
pub use summary::{PSNR_CAP_DB, RunOutput, RunSummary, quantile};
pub use trace::{CapacityTrace, OPPORTUNITY_BYTES, TraceError};
pub use workload::{Workload, WorkloadError, WorkloadPlayer, WorkloadWriter};
