//! `paprika bench-adapt`: every policy over network traces and desktop
//! workloads in the emulator, with a report (CSV, Markdown, plots).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use paprika_adapt::network::{MS, SECOND};
use paprika_adapt::policy::{POLICY_NAMES, policy_by_name};
use paprika_adapt::sim::{CapacityTrace, Grid, NamedTrace, SessionConfig, WorkloadFactory, run_grid};

use crate::bench_report;
use crate::workloads;

/// The real traces committed in `corpora/traces/`.
const REAL_TRACES: [&str; 4] =
    ["Verizon-LTE-short", "ATT-LTE-driving-2016", "TMobile-LTE-short", "TMobile-UMTS-driving"];

/// Arguments of `paprika bench-adapt`.
#[derive(Debug, Parser)]
pub struct Args {
    /// Traces: names of `corpora/traces/*.down`, paths to Mahimahi files,
    /// `fixed:RATE` (e.g. `fixed:5M`), `steps:20M,2M,20M` (10 s each),
    /// `ramp:2M,20M` (over 60 s) or `sawtooth:2M,20M` (20 s teeth).
    /// Default: the four real traces.
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub traces: Vec<String>,
    /// Workloads: names of `corpora/workloads/ci/*.pwl` or paths to `.pwl` files.
    /// Default: every committed one.
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub workloads: Vec<String>,
    /// Policies (default: all): adaptive, spice-like, static-lz, static-glz,
    /// static-zlib-glz, static-lz4, static-quic, static-jpeg, static-jpegQ.
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub policies: Vec<String>,
    /// Seconds each workload plays (looping) per run.
    #[arg(long, default_value_t = 30.0)]
    pub duration: f64,
    /// Propagation round trip, ms.
    #[arg(long, default_value_t = 40)]
    pub rtt: u64,
    /// Probability that a segment leaving the bottleneck is lost, in [0, 0.5);
    /// lost segments are resent as TCP's fast retransmit would (about a round trip
    /// later) and the receiver delivers in order.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = loss_probability)]
    pub loss: f64,
    /// CoDel (RFC 8289) at the bottleneck instead of pure drop-tail; its drops are resent like losses.
    #[arg(long)]
    pub codel: bool,
    /// Seed of the loss draws (the same seed gives the same run).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Ping every MS milliseconds: a 64-byte packet through the bottleneck whose
    /// round trip the engine gets as an RTT sample (0: none; acknowledgements
    /// already carry round trips).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub ping_ms: u64,
    /// Output directory.
    #[arg(short, long, default_value = "results")]
    pub output: PathBuf,
    /// Also write each run's recording for `paprika replay` into OUTPUT/recordings.
    #[arg(long)]
    pub record: bool,
    /// Run the runs one after another (each engine then codes in parallel).
    #[arg(long)]
    pub sequential: bool,
}

/// Why a `--loss` value was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum LossArgError {
    /// Not a number.
    NotANumber(String),
    /// Outside [0, 0.5).
    OutOfRange(f64),
}

impl std::fmt::Display for LossArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LossArgError::NotANumber(s) => write!(f, "{s:?} is not a probability"),
            LossArgError::OutOfRange(p) => write!(f, "loss probability {p} is outside [0, 0.5)"),
        }
    }
}

impl std::error::Error for LossArgError {}

/// Parses `--loss`: a probability in [0, 0.5).
fn loss_probability(s: &str) -> std::result::Result<f64, LossArgError> {
    let p: f64 = s.trim().parse().map_err(|_| LossArgError::NotANumber(s.to_string()))?;
    if (0.0..0.5).contains(&p) { Ok(p) } else { Err(LossArgError::OutOfRange(p)) }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Parses `5M`, `500k`, `2.5M` or a plain number of bits per second.
fn rate(s: &str) -> Result<f64> {
    crate::bitrate::parse_bits_per_second(s, "a rate such as 5M").map_err(anyhow::Error::msg)
}

fn trace(spec: &str) -> Result<NamedTrace> {
    if let Some(r) = spec.strip_prefix("fixed:") {
        let bps = rate(r)?;
        return Ok(NamedTrace { name: format!("fixed-{r}"), trace: CapacityTrace::fixed(bps)? });
    }
    if let Some(list) = spec.strip_prefix("steps:") {
        let pieces: Vec<(u64, f64)> = list.split(',').map(|r| rate(r).map(|b| (10_000, b))).collect::<Result<_>>()?;
        return Ok(NamedTrace {
            name: format!("steps-{}", list.replace(',', "-")),
            trace: CapacityTrace::steps(&pieces)?,
        });
    }
    if let Some(list) = spec.strip_prefix("ramp:").or_else(|| spec.strip_prefix("sawtooth:")) {
        let ends: Vec<f64> = list.split(',').map(rate).collect::<Result<_>>()?;
        let [a, b] = ends[..] else { bail!("{spec}: give two rates, e.g. ramp:2M,20M") };
        let ramp = spec.starts_with("ramp:");
        // A ramp rises over 60 s and stays; a sawtooth rises over 20 s and drops back.
        let period = if ramp { 120_000 } else { 20_000 };
        let rise = if ramp { 60_000.0 } else { 20_000.0 };
        let trace = CapacityTrace::from_rate(period, |ms| a + (b - a) * (ms as f64 / rise).min(1.0))?;
        let kind = if ramp { "ramp" } else { "sawtooth" };
        return Ok(NamedTrace { name: format!("{kind}-{}", list.replace(',', "-")), trace });
    }
    let path = if Path::new(spec).is_file() {
        PathBuf::from(spec)
    } else {
        repo_root().join("corpora/traces").join(format!("{spec}.down"))
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading trace {}", path.display()))?;
    let name = path.file_stem().map_or(spec.to_string(), |s| s.to_string_lossy().into_owned());
    Ok(NamedTrace {
        name,
        trace: CapacityTrace::parse_mahimahi(&text).with_context(|| format!("parsing {}", path.display()))?,
    })
}

/// Runs the grid and writes the report.
pub fn run(args: &Args) -> Result<()> {
    let trace_specs: Vec<String> =
        if args.traces.is_empty() { REAL_TRACES.iter().map(|s| s.to_string()).collect() } else { args.traces.clone() };
    let traces = trace_specs.iter().map(|t| trace(t)).collect::<Result<Vec<_>>>()?;
    let workload_set = if args.workloads.is_empty() { workloads::committed()? } else { args.workloads.clone() };
    if workload_set.is_empty() {
        bail!("no workloads given and none committed in corpora/workloads/ci");
    }
    let factories = workload_set.iter().map(|w| workloads::open(w)).collect::<Result<Vec<_>>>()?;
    let policies: Vec<String> = if args.policies.is_empty() {
        POLICY_NAMES.iter().map(|s| s.to_string()).collect()
    } else {
        args.policies.clone()
    };
    for p in &policies {
        if policy_by_name(p).is_none() {
            bail!("unknown policy {p:?} (known: {})", POLICY_NAMES.join(", "));
        }
    }
    if !(args.duration > 0.0 && args.duration <= 3600.0) {
        bail!("--duration must be within (0, 3600] seconds");
    }
    let record_dir = args.record.then(|| args.output.join("recordings"));
    if let Some(d) = &record_dir {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    let mut session = SessionConfig::new(CapacityTrace::fixed(1e6)?);
    session.one_way = args.rtt * MS / 2;
    session.loss = args.loss;
    session.codel = args.codel;
    session.seed = args.seed;
    session.ping_interval = args.ping_ms * MS;
    let grid = Grid {
        traces,
        workloads: factories.iter().map(|f| f.as_ref() as &dyn WorkloadFactory).collect(),
        policies,
        make_policy: &policy_by_name,
        session,
        duration: (args.duration * SECOND as f64) as u64,
        parallel: !args.sequential,
        record_dir,
    };
    let total = grid.traces.len() * grid.workloads.len() * grid.policies.len();
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {elapsed} elapsed, ~{eta} left  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let last = Mutex::new(String::new());
    let started = Instant::now();
    let results = run_grid(&grid, &|name| {
        bar.inc(1);
        if let Ok(mut l) = last.lock() {
            *l = name.to_string();
            bar.set_message(l.clone());
        }
    });
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let mut runs = Vec::with_capacity(results.len());
    for r in results {
        runs.push(r.context("a run failed")?);
    }
    let index = bench_report::write_report(&runs, &args.output)?;
    println!("{}", bench_report::summary_table(&runs));
    println!(
        "{total} runs ({} traces x {} workloads x {} policies, {:.0} s each) in {:.1} s",
        grid.traces.len(),
        grid.workloads.len(),
        grid.policies.len(),
        args.duration,
        elapsed.as_secs_f64()
    );
    let t = &index.target;
    println!(
        "target: adaptive beats every baseline on {} of {} (trace, workload) pairs ({:.0}%)",
        t.adaptive_wins,
        t.pairs,
        100.0 * t.adaptive_wins as f64 / t.pairs.max(1) as f64
    );
    println!("report: {}", index.summary_md.display());
    println!("series: {} files in {}", index.series.len(), args.output.join("series").display());
    println!("runs:   {}", index.runs_csv.display());
    println!("plots:  {} files in {}", index.plots.len(), args.output.join("plots").display());
    Ok(())
}
