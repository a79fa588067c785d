//! `runs.csv` and the per-run time series.

use paprika_adapt::network::{MS, Micros, SECOND};
use paprika_adapt::sim::{PSNR_CAP_DB, QualitySample, RunOutput, RunSummary};

/// Header of a time-series file.
pub const SERIES_HEADER: &str = "t_s,capacity_mbps,delivered_mbps,estimate_mbps,queued_kb,psnr_db,ssim";

/// `runs.csv`: the header and one row per run, in the order given.
pub(crate) fn runs_csv(runs: &[RunOutput]) -> String {
    let mut out = String::with_capacity(256 * (runs.len() + 1));
    out.push_str(RunSummary::CSV_HEADER);
    out.push('\n');
    for r in runs {
        out.push_str(&r.summary.csv_row());
        out.push('\n');
    }
    out
}

/// A name safe in a file name on any system: letters, digits, `.`, `-` and `_`
/// kept, anything else `_`.
pub(crate) fn file_safe(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if s.is_empty() { "_".to_string() } else { s }
}

/// Typical spacing of sorted times: their median difference (None below two).
fn spacing(times: impl Iterator<Item = Micros>) -> Option<Micros> {
    let t: Vec<Micros> = times.collect();
    let mut d: Vec<Micros> = t.windows(2).map(|w| w[1].saturating_sub(w[0])).collect();
    if d.is_empty() {
        return None;
    }
    d.sort_unstable();
    Some(d[d.len() / 2])
}

/// The sample of `samples` (sorted by time) nearest to `t`, if within `tol`.
fn nearest<'a>(samples: &[&'a QualitySample], t: Micros, tol: Micros) -> Option<&'a QualitySample> {
    let i = samples.partition_point(|s| s.t < t);
    let before = i.checked_sub(1).map(|j| samples[j]);
    let after = samples.get(i).copied();
    let best = match (before, after) {
        (Some(b), Some(a)) => Some(if t - b.t <= a.t - t { b } else { a }),
        (b, a) => b.or(a),
    };
    best.filter(|s| s.t.abs_diff(t) <= tol)
}

/// One run's time series: a row per timeline point, with the PSNR and SSIM
/// samples nearest in time. A quality cell stays empty when no sample lies
/// within one sampling interval (or one timeline interval, if longer): after
/// the client reached lossless, measuring stops while the timeline goes on.
/// PSNR is capped at [`PSNR_CAP_DB`] as in the summary, so the column has no `inf`.
pub(crate) fn series_csv(run: &RunOutput) -> String {
    let tl_step = spacing(run.timeline.iter().map(|p| p.t)).unwrap_or(100 * MS);
    let psnr: Vec<&QualitySample> = run.quality.iter().collect();
    let ssim: Vec<&QualitySample> = run.quality.iter().filter(|q| q.ssim.is_some()).collect();
    let psnr_tol = spacing(psnr.iter().map(|q| q.t)).unwrap_or(0).max(tl_step);
    let ssim_tol = spacing(ssim.iter().map(|q| q.t)).unwrap_or(0).max(tl_step);
    let mut out = String::with_capacity(64 * (run.timeline.len() + 1));
    out.push_str(SERIES_HEADER);
    out.push('\n');
    for p in &run.timeline {
        let psnr_cell =
            nearest(&psnr, p.t, psnr_tol).map_or(String::new(), |q| format!("{:.3}", q.psnr.min(PSNR_CAP_DB)));
        let ssim_cell = nearest(&ssim, p.t, ssim_tol).and_then(|q| q.ssim).map_or(String::new(), |v| format!("{v:.5}"));
        out.push_str(&format!(
            "{:.3},{:.4},{:.4},{:.4},{:.2},{psnr_cell},{ssim_cell}\n",
            p.t as f64 / SECOND as f64,
            p.capacity_bps / 1e6,
            p.delivered_bps / 1e6,
            p.estimate_bps / 1e6,
            p.queued_bytes as f64 / 1000.0,
        ));
    }
    out
}
