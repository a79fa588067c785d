use std::path::Path;

use paprika_adapt::network::{MS, Micros, SECOND};
use paprika_adapt::policy::POLICY_NAMES;
use paprika_adapt::sim::{QualitySample, RunOutput, RunSummary, TimelinePoint};

use super::analysis::{pairs, pareto_front, target};
use super::csv::{SERIES_HEADER, series_csv};
use super::markdown::sig3;
use super::*;

fn summary(trace: &str, workload: &str, policy: &str, p95: f64, ssim: f64) -> RunSummary {
    RunSummary {
        policy: policy.into(),
        trace: trace.into(),
        workload: workload.into(),
        duration_s: 5.0,
        bytes_sent: 1_234_567,
        utilisation: 0.5,
        latency_mean_ms: p95 / 2.0,
        latency_p50_ms: p95 / 2.0,
        latency_p95_ms: p95,
        latency_p99_ms: p95 * 1.2,
        psnr_mean_db: 40.0,
        ssim_mean: ssim,
        time_to_lossless_s: Some(0.5),
        stream_fps: 0.0,
        streams_per_min: 0.0,
        engine_cpu_ms: 1.0,
        updates: 10,
        lossy_images: 0,
        refreshes: 0,
        client_errors: 0,
        retransmissions: 3,
        codel_drops: 1,
    }
}

/// A small run: 2 s of timeline, quality until 1.5 s, latencies around `p95`.
fn run(trace: &str, workload: &str, policy: &str, p95: f64, ssim: f64) -> RunOutput {
    let timeline = (1..=20)
        .map(|i| TimelinePoint {
            t: i * 100 * MS,
            capacity_bps: 8e6 + 2e6 * (i as f64 / 3.0).sin(),
            delivered_bps: 5e6,
            estimate_bps: 6e6,
            queued_bytes: 10_000 * i,
        })
        .collect();
    let quality = (0..15)
        .map(|i| QualitySample {
            t: 50 * MS + i * 100 * MS,
            psnr: if i == 14 { f64::INFINITY } else { 35.0 + i as f64 },
            ssim: (i % 3 == 1).then_some(ssim - 0.01 * (i % 2) as f64),
        })
        .collect();
    let latencies = (1..=100).map(|i| (p95 * 1000.0 * i as f64 / 95.0) as Micros).collect();
    RunOutput { summary: summary(trace, workload, policy, p95, ssim), latencies, timeline, quality, source_end: SECOND }
}

/// Three pairs; `adaptive` wins the first two and not the third; a fourth pair
/// has no `adaptive` run.
fn two_of_three() -> Vec<RunOutput> {
    vec![
        // Beats both baselines; `my-policy` beats it, but is no baseline.
        run("lte", "office", "adaptive", 100.0, 0.98),
        run("lte", "office", "spice-like", 200.0, 0.97),
        run("lte", "office", "static-lz", 150.0, 0.98),
        run("lte", "office", "my-policy", 50.0, 0.99),
        // Faster than spice-like and better than static-jpeg at equal latency.
        run("lte", "video", "static-jpeg", 100.0, 0.90),
        run("lte", "video", "adaptive", 100.0, 0.98),
        run("lte", "video", "spice-like", 300.0, 0.95),
        // spice-like beats it; static-lz is equal within the tolerances.
        run("wifi", "office", "adaptive", 100.0, 0.98),
        run("wifi", "office", "spice-like", 80.0, 0.985),
        run("wifi", "office", "static-lz", 101.0, 0.9805),
        // No adaptive: not judged.
        run("wifi", "video", "static-lz", 100.0, 0.98),
        run("wifi", "video", "spice-like", 100.0, 0.98),
    ]
}

#[test]
fn runs_csv_has_the_header_and_one_row_per_run() {
    let runs = two_of_three();
    let dir = tempfile::tempdir().unwrap();
    let index = write_report(&runs, dir.path()).unwrap();
    let text = std::fs::read_to_string(&index.runs_csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), runs.len() + 1);
    assert_eq!(lines[0], RunSummary::CSV_HEADER);
    let columns = RunSummary::CSV_HEADER.split(',').count();
    for (line, r) in lines[1..].iter().zip(&runs) {
        assert_eq!(line.split(',').count(), columns, "{line}");
        let s = &r.summary;
        assert!(line.starts_with(&format!("{},{},{},", s.policy, s.trace, s.workload)), "{line}");
        // client_errors, then retransmissions and codel_drops last.
        assert!(line.ends_with(",0,3,1"), "{line}");
    }
    assert_eq!(index.series.len(), runs.len());
    let first = std::fs::read_to_string(dir.path().join("series/lte__office__adaptive.csv")).unwrap();
    assert_eq!(first.lines().next(), Some(SERIES_HEADER));
    assert_eq!(first.lines().count(), 21, "header and 20 timeline points");

    let empty = tempfile::tempdir().unwrap();
    let index = write_report(&[], empty.path()).unwrap();
    assert_eq!(std::fs::read_to_string(&index.runs_csv).unwrap(), format!("{}\n", RunSummary::CSV_HEADER));
    assert_eq!((index.series.len(), index.plots.len(), index.target.pairs), (0, 2, 0));
}

#[test]
fn series_match_quality_by_nearest_time_and_leave_gaps_empty() {
    let r = run("t", "w", "adaptive", 100.0, 0.95);
    let text = series_csv(&r);
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 20);
    // t = 0.1 s: PSNR samples at 0.05 and 0.15 s, equally near; the earlier wins.
    assert_eq!(rows[0], ["0.100", "8.6544", "5.0000", "6.0000", "10.00", "35.000", "0.94000"]);
    // t = 1.5 s: nearest PSNR sample 1.45 s is the identical screen, capped at 100 dB.
    assert_eq!(rows[14][5], "100.000");
    // SSIM exists at 0.15, 0.45, ... 1.35 s; at 1.5 s the nearest is 0.15 s away, within the 0.3 s spacing.
    assert_eq!(rows[14][6], "0.94000");
    // Measuring stopped at 1.45 s: nothing near 2 s.
    assert_eq!(rows[19][5], "");
    assert_eq!(rows[19][6], "");
}

#[test]
fn target_counts_the_pairs_adaptive_wins() {
    let runs = two_of_three();
    let t = target(&pairs(&runs));
    assert_eq!((t.pairs, t.adaptive_wins, t.skipped), (3, 2, 1));
    assert!(!t.met(), "2 of 3 is under 90%");
    assert_eq!(t.misses.len(), 1);
    let m = &t.misses[0];
    assert_eq!((m.trace.as_str(), m.workload.as_str()), ("wifi", "office"));
    assert_eq!(m.beaten_by, ["spice-like"]);
    assert_eq!(m.tied_with, ["static-lz"]);

    let text = summary_table(&runs);
    assert!(text.contains("**Target not met:** `adaptive` beats every baseline on **2 of 3**"), "{text}");
    assert!(text.contains("| wifi | office | spice-like | static-lz |"), "{text}");

    // A tie is no win.
    let tie = [run("t", "w", "adaptive", 100.0, 0.98), run("t", "w", "static-lz", 101.0, 0.9805)];
    let t = target(&pairs(&tie));
    assert_eq!((t.pairs, t.adaptive_wins), (1, 0));
    assert_eq!(t.misses[0].tied_with, ["static-lz"]);

    let ten: TargetResult = TargetResult { pairs: 10, adaptive_wins: 9, ..Default::default() };
    assert!(ten.met());
    assert!(!TargetResult { adaptive_wins: 8, ..ten }.met());
}

#[test]
fn pareto_front_keeps_the_undominated_by_latency() {
    let s = [
        summary("t", "w", "a", 100.0, 0.95),
        summary("t", "w", "b", 200.0, 0.99),
        summary("t", "w", "c", 150.0, 0.94), // a is faster and better
        summary("t", "w", "d", 100.0, 0.95), // equal to a: neither dominates
        summary("t", "w", "e", 300.0, 0.99), // b is as good and faster
        summary("t", "w", "f", 50.0, 0.90),
        summary("t", "w", "g", 50.0, 0.89), // f is as fast and better
    ];
    let refs: Vec<&RunSummary> = s.iter().collect();
    assert_eq!(pareto_front(&refs), [5, 0, 3, 1]);
}

#[test]
fn pairs_order_policies_and_find_winners() {
    let runs = two_of_three();
    let p = pairs(&runs);
    assert_eq!(p.len(), 4);
    let names: Vec<&str> = p[1].runs.iter().map(|r| r.summary.policy.as_str()).collect();
    assert_eq!(names, ["adaptive", "spice-like", "static-jpeg"]);
    assert_eq!(p[1].winner(), Some(0));
    // my-policy beats everyone on the first pair.
    assert_eq!(p[0].runs[p[0].winner().unwrap()].summary.policy, "my-policy");
    // wifi/office: spice-like beats adaptive and static-lz.
    assert_eq!(p[2].winner(), Some(1));
    // wifi/video: two equal runs, neither beats the other.
    assert_eq!(p[3].winner(), None);
}

#[test]
fn numbers_have_three_significant_digits() {
    assert_eq!(sig3(1234.4), "1234");
    assert_eq!(sig3(123.44), "123");
    assert_eq!(sig3(12.344), "12.3");
    assert_eq!(sig3(1.2344), "1.23");
    assert_eq!(sig3(0.012344), "0.0123");
    assert_eq!(sig3(0.0), "0");
}

fn assert_plot(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("png") => {
            let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
            let (w, h) = img.dimensions();
            assert!(w == 1100 && h >= 620, "{}: {w}x{h}", path.display());
            // Lines, fills and anti-aliased text make many colours; a blank or failed plot has one or two.
            let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
            colours.sort_unstable();
            colours.dedup();
            assert!(colours.len() > 50, "{}: {} colours", path.display(), colours.len());
        }
        Some("svg") => {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"), "{}", path.display());
            assert!(text.contains("<polyline") || text.contains("<circle"), "{}: no data drawn", path.display());
            assert!(text.contains("spice-like"), "{}: no legend", path.display());
        }
        _ => panic!("unexpected plot file {}", path.display()),
    }
}

#[test]
fn plots_are_written_as_png_and_svg() {
    let runs = two_of_three();
    let dir = tempfile::tempdir().unwrap();
    let index = write_report(&runs, dir.path()).unwrap();
    // Three plots per pair and the overall scatter, each in two formats.
    assert_eq!(index.plots.len(), (3 * 4 + 1) * 2);
    for p in &index.plots {
        assert!(p.starts_with(dir.path().join("plots")));
        assert_plot(p);
    }
    assert!(dir.path().join("plots/lte__office__latency_cdf.png").exists());
    assert!(dir.path().join("plots/overall__p95_vs_ssim.svg").exists());
    let md = std::fs::read_to_string(&index.summary_md).unwrap();
    assert!(md.contains("### lte × office"));
    assert!(md.contains("| **my-policy** (winner) |"), "{md}");
}

/// Deterministic noise for the demonstration data.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Runs shaped like the real benchmark's: fluctuating LTE-like capacity,
/// policies with their own demand, latency and quality.
pub(super) fn demo_runs() -> Vec<RunOutput> {
    let traces = [("TMobile-LTE-short", 9.0), ("ATT-LTE-driving-2016", 4.0), ("const-20mbit", 20.0)];
    let workloads = [("office-typing", 0.4), ("video-720p", 1.0), ("scroll-web", 0.7)];
    // (demand at full activity Mbit/s, latency scale ms, SSIM when served, SSIM loss when starved)
    let policy_params: [(f64, f64, f64, f64); 8] = [
        (0.0, 60.0, 0.975, 0.01),
        (14.0, 120.0, 0.965, 0.05),
        (30.0, 90.0, 0.999, 0.15),
        (22.0, 85.0, 0.999, 0.12),
        (18.0, 95.0, 0.999, 0.10),
        (35.0, 80.0, 0.999, 0.16),
        (12.0, 110.0, 0.99, 0.06),
        (6.0, 70.0, 0.93, 0.02),
    ];
    let mut out = Vec::new();
    let mut rng = Lcg(7);
    let source_end = 30 * SECOND;
    for (ti, (trace, base)) in traces.iter().enumerate() {
        let capacity: Vec<f64> = (1..=330)
            .map(|i| {
                let t = i as f64 / 10.0;
                let wobble = if ti == 2 { 0.0 } else { 0.55 * (t / 4.0 + ti as f64).sin() + 0.25 * (t / 1.3).cos() };
                (base * (1.0 + wobble) * (1.0 + 0.15 * rng.normal())).max(0.3) * 1e6
            })
            .collect();
        for (workload, activity) in workloads {
            for (pi, policy) in POLICY_NAMES.iter().enumerate() {
                let (demand, lat_scale, ssim_ok, ssim_loss) = policy_params[pi];
                let mut timeline = Vec::new();
                let mut quality = Vec::new();
                let mut starved_sum = 0.0;
                let mut estimate = capacity[0];
                let mut queue = 0.0f64;
                for (i, &cap) in capacity.iter().enumerate() {
                    let t = (i as u64 + 1) * 100 * MS;
                    let playing = t <= source_end;
                    estimate = 0.8 * estimate + 0.2 * cap;
                    let want = if !playing {
                        0.0
                    } else if demand == 0.0 {
                        0.8 * estimate * activity
                    } else {
                        demand * 1e6 * activity * (0.8 + 0.4 * rng.unit())
                    };
                    // Bytes offered this 100 ms join the queue; the link drains at most its capacity.
                    queue = (queue + want / 80.0).min(1_048_576.0);
                    let delivered = (queue * 80.0).min(cap);
                    queue -= delivered / 80.0;
                    let starved = if cap > 0.0 { (want / cap - 1.0).clamp(0.0, 2.0) } else { 2.0 };
                    starved_sum += starved;
                    timeline.push(TimelinePoint {
                        t,
                        capacity_bps: cap,
                        delivered_bps: delivered,
                        estimate_bps: estimate,
                        queued_bytes: queue as u64,
                    });
                    let ts = t - 50 * MS;
                    if ts <= source_end + SECOND {
                        let s = if playing {
                            (ssim_ok - ssim_loss * starved * activity + 0.004 * rng.normal()).min(1.0)
                        } else {
                            1.0 - (1.0 - ssim_ok) * ((source_end + SECOND - ts) as f64 / SECOND as f64)
                        };
                        quality.push(QualitySample {
                            t: ts,
                            psnr: 20.0 + 150.0 * (s - 0.8).max(0.0),
                            ssim: ((i + 1) % 5 == 2 || (i + 1) % 5 == 4).then_some(s),
                        });
                    }
                }
                let starved_mean = starved_sum / capacity.len() as f64;
                let scale = lat_scale * (1.0 + 3.0 * starved_mean * activity) * (1.0 + 0.3 * ti as f64);
                let mut latencies: Vec<Micros> =
                    (0..4000).map(|_| ((scale * (0.45 * rng.normal()).exp() + 25.0) * 1000.0) as Micros).collect();
                latencies.sort_unstable();
                let lat_ms: Vec<f64> = latencies.iter().map(|&v| v as f64 / 1000.0).collect();
                let q = |p: f64| lat_ms[((p * lat_ms.len() as f64).ceil() as usize).clamp(1, lat_ms.len()) - 1];
                let playing_q: Vec<&QualitySample> = quality.iter().filter(|q| q.t <= source_end).collect();
                let ss: Vec<f64> = playing_q.iter().filter_map(|q| q.ssim).collect();
                let mut s = summary(trace, workload, policy, q(0.95), ss.iter().sum::<f64>() / ss.len() as f64);
                s.latency_p50_ms = q(0.5);
                s.latency_p99_ms = q(0.99);
                s.latency_mean_ms = lat_ms.iter().sum::<f64>() / lat_ms.len() as f64;
                s.psnr_mean_db = playing_q.iter().map(|q| q.psnr).sum::<f64>() / playing_q.len() as f64;
                s.bytes_sent = (timeline.iter().map(|p| p.delivered_bps).sum::<f64>() / 80.0) as u64;
                s.duration_s = 33.0;
                s.time_to_lossless_s = Some(0.3 + starved_mean);
                out.push(RunOutput { summary: s, latencies, timeline, quality, source_end });
            }
        }
    }
    out
}

/// Writes the demonstration report to `$PAPRIKA_REPORT_DEMO` (default
/// /tmp/bench_report_demo) for looking at the plots: `cargo test -p
/// paprika-tools bench_report::tests::demo -- --ignored`.
#[test]
#[ignore]
fn demo() {
    let dir = std::env::var_os("PAPRIKA_REPORT_DEMO").unwrap_or_else(|| "/tmp/bench_report_demo".into());
    let runs = demo_runs();
    let index = write_report(&runs, Path::new(&dir)).unwrap();
    println!("{}", summary_table(&runs));
    assert_eq!(index.target.pairs, 9);
}
