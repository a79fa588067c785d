//! Running the benchmark grid: every policy × trace × workload, in parallel.

use paprika_codecs::{ImageRef, Rect, Result};
use rayon::prelude::*;

use super::session::{ScreenSource, SessionConfig, run_session};
use super::summary::RunOutput;
use super::trace::CapacityTrace;
use crate::engine::{Engine, EngineConfig};
use crate::network::Micros;
use crate::policy::Policy;

/// Why a run failed.
#[derive(Debug)]
pub enum RunError {
    /// The engine, a codec or the workload refused something.
    Codec(paprika_codecs::Error),
    /// Writing the run's recording failed.
    Io(std::io::Error),
    /// No policy by this name.
    UnknownPolicy(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Codec(e) => write!(f, "{e}"),
            RunError::Io(e) => write!(f, "recording: {e}"),
            RunError::UnknownPolicy(p) => write!(f, "unknown policy {p:?}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<paprika_codecs::Error> for RunError {
    fn from(e: paprika_codecs::Error) -> Self {
        RunError::Codec(e)
    }
}

impl From<std::io::Error> for RunError {
    fn from(e: std::io::Error) -> Self {
        RunError::Io(e)
    }
}

/// A capacity trace with the name reports use.
#[derive(Debug, Clone)]
pub struct NamedTrace {
    /// Short name (the file name without extension).
    pub name: String,
    /// The trace.
    pub trace: CapacityTrace,
}

/// Opens fresh copies of a workload (each run, and each loop of a run, plays
/// its own).
pub trait WorkloadFactory: Sync {
    /// Short name for reports.
    fn name(&self) -> String;
    /// A source positioned before its first frame.
    fn open(&self) -> Result<Box<dyn ScreenSource>>;
    /// How long one play lasts (its last frame stays until then); `None`: until
    /// one frame interval after the last frame.
    fn duration(&self) -> Option<Micros> {
        None
    }
}

/// Builds a policy by name for each run (a researcher's own policy goes here).
pub type PolicyFactory = dyn Fn(&str) -> Option<Box<dyn Policy>> + Sync;

/// One grid: what to run and how long.
pub struct Grid<'a> {
    /// Link traces.
    pub traces: Vec<NamedTrace>,
    /// Workloads.
    pub workloads: Vec<&'a dyn WorkloadFactory>,
    /// Policy names.
    pub policies: Vec<String>,
    /// Makes a policy from its name.
    pub make_policy: &'a PolicyFactory,
    /// Session settings (its trace is replaced by each run's).
    pub session: SessionConfig,
    /// Play each workload, looping, for at least this long.
    pub duration: Micros,
    /// Run the grid's runs on rayon threads (each engine then codes on one).
    pub parallel: bool,
    /// Write each run's recording (`paprika replay`) into this directory as
    /// `<trace>__<workload>__<policy>.pprc`.
    pub record_dir: Option<std::path::PathBuf>,
}

/// A workload played back to back until a time is reached.
struct Looping<'a> {
    factory: &'a dyn WorkloadFactory,
    current: Box<dyn ScreenSource>,
    offset: Micros,
    last: Micros,
    until: Micros,
    size: (u32, u32),
}

impl Looping<'_> {
    fn roll(&mut self) -> Result<()> {
        if self.current.next_time().is_none() && self.last + 1 < self.until {
            let next = self.factory.open()?;
            // The next loop starts when this one's duration is over (or one frame
            // interval after its last frame).
            self.offset = match self.factory.duration() {
                Some(d) => (self.offset + d).max(self.last + 1),
                None => self.last + 33_333,
            };
            self.current = next;
        }
        Ok(())
    }
}

impl ScreenSource for Looping<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }
    fn next_time(&self) -> Option<Micros> {
        let t = self.current.next_time()? + self.offset;
        (t < self.until).then_some(t)
    }
    fn advance(&mut self) -> Result<Option<Vec<Rect>>> {
        let t = self.next_time();
        let hint = self.current.advance()?;
        if let Some(t) = t {
            self.last = t;
        }
        self.roll()?;
        // A new loop's first frame carries the whole surface as its damage.
        Ok(hint)
    }
    fn current(&self) -> ImageRef<'_> {
        self.current.current()
    }
}

/// Runs one policy × trace × workload.
pub fn run_one(
    grid: &Grid<'_>,
    policy: &str,
    trace: &NamedTrace,
    workload: &dyn WorkloadFactory,
) -> std::result::Result<RunOutput, RunError> {
    let make = || (grid.make_policy)(policy).ok_or_else(|| RunError::UnknownPolicy(policy.to_string()));
    let first = workload.open()?;
    let size = first.size();
    let mut source = Looping { factory: workload, current: first, offset: 0, last: 0, until: grid.duration, size };
    let mut cfg = EngineConfig::new(size.0, size.1);
    cfg.parallel = !grid.parallel;
    let mut engine = Engine::new(cfg, make()?)?;
    if let Some(dir) = &grid.record_dir {
        let name = format!("{}__{}__{}.pprc", file_safe(&trace.name), file_safe(&workload.name()), file_safe(policy));
        let file = std::fs::File::create(dir.join(name))?;
        engine.record_to(Box::new(std::io::BufWriter::new(file)))?;
    }
    let mut session = grid.session.clone();
    session.trace = trace.trace.clone();
    let report = run_session(&mut engine, &mut source, &session)?;
    engine.finish_recording()?;
    Ok(RunOutput::from_report(report, &trace.name, &workload.name()))
}

/// `name` with anything but letters, digits, `.`, `-` and `_` replaced by `_`.
pub fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

/// Runs every combination; `progress` is called after each run (from any
/// thread). Results come in trace, workload, policy order.
pub fn run_grid(grid: &Grid<'_>, progress: &(dyn Fn(&str) + Sync)) -> Vec<std::result::Result<RunOutput, RunError>> {
    let mut combos = Vec::new();
    for t in &grid.traces {
        for &w in &grid.workloads {
            for p in &grid.policies {
                combos.push((t, w, p.as_str()));
            }
        }
    }
    let run = |&(t, w, p): &(&NamedTrace, &dyn WorkloadFactory, &str)| {
        let r = run_one(grid, p, t, w);
        progress(&format!("{} × {} × {}", t.name, w.name(), p));
        r
    };
    if grid.parallel { combos.par_iter().map(run).collect() } else { combos.iter().map(run).collect() }
}
