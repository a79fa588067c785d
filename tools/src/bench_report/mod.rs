//! The adaptation benchmark's report: from the grid's [`RunOutput`]s to CSV
//! files, a Markdown summary and plots, with nothing else run or measured.
//!
//! Layout of the output directory:
//! - `runs.csv`: [`RunSummary::CSV_HEADER`](paprika_adapt::sim::RunSummary::CSV_HEADER)
//!   and one row per run;
//! - `series/<trace>__<workload>__<policy>.csv`: each run's timeline (every
//!   100 ms) with the nearest PSNR and SSIM samples;
//! - `summary.md`: the target, an overall table, and per (trace, workload) pair
//!   a table with its winner and Pareto front;
//! - `plots/*.png` and `plots/*.svg`: per pair a latency CDF, the delivered rate
//!   against the link's capacity, SSIM over time; and every run's p95 latency
//!   against SSIM (`overall__p95_vs_ssim`).
//!
//! Names are made file-safe (anything but letters, digits, `.`, `-`, `_`
//! becomes `_`).

mod analysis;
mod csv;
mod markdown;
mod plots;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use paprika_adapt::sim::RunOutput;

// For `paprika bench-adapt`; a binary crate calls them unused until it reads them.
#[allow(unused_imports)]
pub use analysis::{Miss, TARGET_FRACTION, TargetResult};

/// What [`write_report`] wrote, and the target's result.
#[derive(Debug, Clone)]
pub struct ReportIndex {
    /// `runs.csv`.
    pub runs_csv: PathBuf,
    /// One time-series CSV per run, in the order of the runs.
    pub series: Vec<PathBuf>,
    /// `summary.md`.
    pub summary_md: PathBuf,
    /// Every plot file, PNG and SVG.
    pub plots: Vec<PathBuf>,
    /// On how many (trace, workload) pairs `adaptive` beats every baseline.
    pub target: TargetResult,
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Writes the report of `runs` into `dir` (created if missing; files of an
/// earlier report with the same names are overwritten).
pub fn write_report(runs: &[RunOutput], dir: &Path) -> Result<ReportIndex> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let runs_csv = dir.join("runs.csv");
    write(&runs_csv, &csv::runs_csv(runs))?;

    let series_dir = dir.join("series");
    std::fs::create_dir_all(&series_dir).with_context(|| format!("creating {}", series_dir.display()))?;
    let mut series = Vec::with_capacity(runs.len());
    for r in runs {
        let s = &r.summary;
        let stem =
            format!("{}__{}__{}", csv::file_safe(&s.trace), csv::file_safe(&s.workload), csv::file_safe(&s.policy));
        // A repeated run, or two names equal once made file-safe, must not overwrite another's series.
        let mut path = series_dir.join(format!("{stem}.csv"));
        let mut k = 2;
        while series.contains(&path) {
            path = series_dir.join(format!("{stem}__{k}.csv"));
            k += 1;
        }
        write(&path, &csv::series_csv(r))?;
        series.push(path);
    }

    let summary_md = dir.join("summary.md");
    write(&summary_md, &markdown::summary_md(runs))?;

    let pairs = analysis::pairs(runs);
    let plots = plots::write_plots(runs, &pairs, &analysis::policies(runs), &dir.join("plots"))?;
    Ok(ReportIndex { runs_csv, series, summary_md, plots, target: analysis::target(&pairs) })
}

/// Short Markdown for the terminal: the target line, the pairs `adaptive` does
/// not win, and the overall table of medians and wins per policy.
pub fn summary_table(runs: &[RunOutput]) -> String {
    markdown::summary_table(runs)
}
