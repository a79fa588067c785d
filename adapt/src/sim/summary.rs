//! `RunSummary`: one benchmark run reduced to the numbers a results table needs.
//!
//! Definitions (also in `docs/benchmark.md`):
//! - latency: per changed tile, from the frame that changed it to the client
//!   showing an update produced after the change (decode time included);
//! - PSNR and SSIM: the client's screen against the source at each sample
//!   instant while the source plays (identical screens count as 100 dB);
//! - time to lossless: from the source's last frame to the client's screen
//!   equal to it;
//! - utilisation: bytes sent over bytes the link could carry in the run.

use super::session::{QualitySample, SessionReport, TimelinePoint};
use crate::network::{MS, Micros, SECOND};

/// PSNR given to identical screens, so means stay finite.
pub const PSNR_CAP_DB: f64 = 100.0;

/// One run: policy × trace × workload.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Policy name.
    pub policy: String,
    /// Trace name.
    pub trace: String,
    /// Workload name.
    pub workload: String,
    /// Virtual seconds simulated.
    pub duration_s: f64,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes sent over the link's capacity in the run.
    pub utilisation: f64,
    /// Latency mean, ms.
    pub latency_mean_ms: f64,
    /// Latency median, ms.
    pub latency_p50_ms: f64,
    /// Latency 95th percentile, ms.
    pub latency_p95_ms: f64,
    /// Latency 99th percentile, ms.
    pub latency_p99_ms: f64,
    /// Mean PSNR while the source plays, dB (capped at [`PSNR_CAP_DB`]).
    pub psnr_mean_db: f64,
    /// Mean SSIM while the source plays.
    pub ssim_mean: f64,
    /// Seconds from the source's last frame to an exact client screen (None: never).
    pub time_to_lossless_s: Option<f64>,
    /// Stream frames per second of source time.
    pub stream_fps: f64,
    /// Streams created per minute of source time.
    pub streams_per_min: f64,
    /// Engine CPU time, ms (wall clock of this machine; not deterministic).
    pub engine_cpu_ms: f64,
    /// Updates sent.
    pub updates: u64,
    /// Images sent lossy.
    pub lossy_images: u64,
    /// Lossless refreshes.
    pub refreshes: u64,
    /// Updates the client could not apply (0 unless something is broken).
    pub client_errors: u64,
    /// Segments resent after a random loss or a CoDel drop (0 without either).
    pub retransmissions: u64,
    /// Segments CoDel dropped (included in `retransmissions`).
    pub codel_drops: u64,
}

/// A run's summary and the series its plots need.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The numbers of the results table.
    pub summary: RunSummary,
    /// Per changed tile, µs, sorted ascending (the latency CDF).
    pub latencies: Vec<Micros>,
    /// Capacity, delivered rate and estimate every 100 ms.
    pub timeline: Vec<TimelinePoint>,
    /// PSNR (and SSIM where sampled) over time.
    pub quality: Vec<QualitySample>,
    /// When the source's last frame came, µs.
    pub source_end: Micros,
}

impl RunOutput {
    /// Keeps what the report needs from `report`.
    pub fn from_report(report: SessionReport, trace: &str, workload: &str) -> Self {
        let summary = RunSummary::from_report(&report, trace, workload);
        let mut latencies = report.latencies;
        latencies.sort_unstable();
        RunOutput {
            summary,
            latencies,
            timeline: report.timeline,
            quality: report.quality,
            source_end: report.source_end,
        }
    }
}

/// The `q`-quantile (0..=1) of sorted `v`, nearest rank; 0 for an empty slice.
pub fn quantile(sorted: &[Micros], q: f64) -> Micros {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl RunSummary {
    /// Reduces `report` of the run `policy` × `trace` × `workload`.
    pub fn from_report(report: &SessionReport, trace: &str, workload: &str) -> Self {
        let mut lat = report.latencies.clone();
        lat.sort_unstable();
        let ms = |v: Micros| v as f64 / MS as f64;
        let mean = if lat.is_empty() { 0.0 } else { lat.iter().map(|&v| v as f64).sum::<f64>() / lat.len() as f64 };
        let playing: Vec<_> = report.quality.iter().filter(|q| q.t <= report.source_end).collect();
        let psnr = if playing.is_empty() {
            PSNR_CAP_DB
        } else {
            playing.iter().map(|q| q.psnr.min(PSNR_CAP_DB)).sum::<f64>() / playing.len() as f64
        };
        let ssims: Vec<f64> = playing.iter().filter_map(|q| q.ssim).collect();
        let ssim = if ssims.is_empty() { 1.0 } else { ssims.iter().sum::<f64>() / ssims.len() as f64 };
        let source_s = (report.source_end as f64 / SECOND as f64).max(1e-3);
        RunSummary {
            policy: report.policy.clone(),
            trace: trace.to_string(),
            workload: workload.to_string(),
            duration_s: report.duration as f64 / SECOND as f64,
            bytes_sent: report.bytes_sent,
            utilisation: report.utilisation(),
            latency_mean_ms: mean / MS as f64,
            latency_p50_ms: ms(quantile(&lat, 0.5)),
            latency_p95_ms: ms(quantile(&lat, 0.95)),
            latency_p99_ms: ms(quantile(&lat, 0.99)),
            psnr_mean_db: psnr,
            ssim_mean: ssim,
            time_to_lossless_s: report.time_to_lossless.map(|t| t as f64 / SECOND as f64),
            stream_fps: report.engine.stream_frames as f64 / source_s,
            streams_per_min: report.engine.streams_created as f64 * 60.0 / source_s,
            engine_cpu_ms: report.engine_cpu.as_secs_f64() * 1000.0,
            updates: report.engine.updates,
            lossy_images: report.engine.lossy_images,
            refreshes: report.engine.refreshes,
            client_errors: report.client_errors,
            retransmissions: report.retransmissions,
            codel_drops: report.codel_drops,
        }
    }

    /// Whether this run beats `other` as the benchmark's target defines it: lower
    /// p95 latency at equal or better SSIM, or better SSIM at equal or lower p95
    /// latency ("equal": within 0.002 SSIM, within 2% or 5 ms of latency).
    pub fn beats(&self, other: &RunSummary) -> bool {
        let lat_eq = (self.latency_p95_ms - other.latency_p95_ms).abs() <= (0.02 * other.latency_p95_ms).max(5.0);
        let ssim_eq = (self.ssim_mean - other.ssim_mean).abs() <= 0.002;
        let lat_better = !lat_eq && self.latency_p95_ms < other.latency_p95_ms;
        let ssim_better = !ssim_eq && self.ssim_mean > other.ssim_mean;
        (lat_better && (ssim_eq || ssim_better)) || (ssim_better && (lat_eq || lat_better))
    }

    /// CSV header matching [`RunSummary::csv_row`].
    pub const CSV_HEADER: &'static str = "policy,trace,workload,duration_s,bytes_sent,utilisation,latency_mean_ms,latency_p50_ms,latency_p95_ms,latency_p99_ms,psnr_mean_db,ssim_mean,time_to_lossless_s,stream_fps,streams_per_min,engine_cpu_ms,updates,lossy_images,refreshes,client_errors,retransmissions,codel_drops";

    /// One CSV row (no quoting needed: names hold no commas).
    pub fn csv_row(&self) -> String {
        format!(
            "{},{},{},{:.3},{},{:.4},{:.2},{:.2},{:.2},{:.2},{:.3},{:.5},{},{:.2},{:.2},{:.1},{},{},{},{},{},{}",
            self.policy,
            self.trace,
            self.workload,
            self.duration_s,
            self.bytes_sent,
            self.utilisation,
            self.latency_mean_ms,
            self.latency_p50_ms,
            self.latency_p95_ms,
            self.latency_p99_ms,
            self.psnr_mean_db,
            self.ssim_mean,
            self.time_to_lossless_s.map_or(String::new(), |t| format!("{t:.3}")),
            self.stream_fps,
            self.streams_per_min,
            self.engine_cpu_ms,
            self.updates,
            self.lossy_images,
            self.refreshes,
            self.client_errors,
            self.retransmissions,
            self.codel_drops
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p95: f64, ssim: f64) -> RunSummary {
        RunSummary {
            policy: "p".into(),
            trace: "t".into(),
            workload: "w".into(),
            duration_s: 1.0,
            bytes_sent: 0,
            utilisation: 0.0,
            latency_mean_ms: 0.0,
            latency_p50_ms: 0.0,
            latency_p95_ms: p95,
            latency_p99_ms: 0.0,
            psnr_mean_db: 0.0,
            ssim_mean: ssim,
            time_to_lossless_s: None,
            stream_fps: 0.0,
            streams_per_min: 0.0,
            engine_cpu_ms: 0.0,
            updates: 0,
            lossy_images: 0,
            refreshes: 0,
            client_errors: 0,
            retransmissions: 0,
            codel_drops: 0,
        }
    }

    #[test]
    fn beating_needs_one_better_and_the_other_not_worse() {
        assert!(run(100.0, 0.95).beats(&run(200.0, 0.95)));
        assert!(run(200.0, 0.97).beats(&run(200.0, 0.95)));
        assert!(run(100.0, 0.97).beats(&run(200.0, 0.95)));
        assert!(!run(100.0, 0.90).beats(&run(200.0, 0.95)), "faster but worse");
        assert!(!run(200.0, 0.95).beats(&run(200.0, 0.95)), "equal");
        assert!(!run(201.0, 0.9505).beats(&run(200.0, 0.95)), "within the tolerances");
    }

    #[test]
    fn csv_rows_match_the_header_with_the_link_counters_last() {
        let mut r = run(100.0, 0.95);
        (r.client_errors, r.retransmissions, r.codel_drops) = (0, 17, 5);
        let row = r.csv_row();
        assert_eq!(row.split(',').count(), RunSummary::CSV_HEADER.split(',').count(), "{row}");
        assert!(RunSummary::CSV_HEADER.ends_with(",client_errors,retransmissions,codel_drops"));
        assert!(row.ends_with(",0,17,5"), "{row}");
    }

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<Micros> = (1..=100).collect();
        assert_eq!(quantile(&v, 0.5), 50);
        assert_eq!(quantile(&v, 0.95), 95);
        assert_eq!(quantile(&v, 1.0), 100);
        assert_eq!(quantile(&[], 0.5), 0);
    }
}
