//! `summary.md` and the short table the CLI prints.

use std::fmt::Write as _;

use paprika_adapt::sim::RunOutput;

use super::analysis::{ADAPTIVE, Pair, PolicyOverall, TARGET_FRACTION, TargetResult, overall, pairs, policies, target};

/// Three significant digits without exponent: 1234, 123, 12.3, 1.23, 0.123.
pub(crate) fn sig3(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let a = x.abs();
    let decimals = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        // 0.0123 -> 4 decimals: two leading zeros after the point, then three digits.
        (2 - a.log10().floor() as i32).clamp(2, 9) as usize
    };
    format!("{x:.decimals$}")
}

fn ssim(x: f64) -> String {
    if x.is_finite() { format!("{x:.4}") } else { "–".to_string() }
}

fn psnr(x: f64) -> String {
    if x.is_finite() { format!("{x:.2}") } else { "–".to_string() }
}

fn target_line(t: &TargetResult) -> String {
    if t.pairs == 0 {
        return "**Target: not judged** — no (trace, workload) pair has both an `adaptive` run and a baseline run."
            .to_string();
    }
    format!(
        "**Target {}:** `adaptive` beats every baseline on **{} of {}** (trace, workload) pairs ({:.1}%; needed: {:.0}%).",
        if t.met() { "met" } else { "not met" },
        t.adaptive_wins,
        t.pairs,
        100.0 * t.fraction(),
        100.0 * TARGET_FRACTION
    )
}

fn overall_table(out: &mut String, rows: &[PolicyOverall<'_>], n_pairs: usize) {
    out.push_str(
        "| Policy | Pairs | Median p95 latency (ms) | Median mean SSIM | Median mean PSNR (dB) | Pairs won | On Pareto front |\n",
    );
    out.push_str("|---|--:|--:|--:|--:|--:|--:|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {}/{} | {} | {} | {} | {} | {} |",
            r.policy,
            r.pairs,
            n_pairs,
            sig3(r.median_p95_ms),
            ssim(r.median_ssim),
            psnr(r.median_psnr_db),
            r.won,
            r.on_front
        );
    }
}

fn misses_table(out: &mut String, t: &TargetResult) {
    if t.misses.is_empty() {
        return;
    }
    out.push_str(
        "\nPairs `adaptive` does not win (*tied*: neither policy beats the other, being equal within the tolerances, \
or one faster and the other sharper):\n\n| Trace | Workload | Beaten by | Tied with |\n|---|---|---|---|\n",
    );
    for m in &t.misses {
        let list = |v: &[String]| if v.is_empty() { "–".to_string() } else { v.join(", ") };
        let _ = writeln!(out, "| {} | {} | {} | {} |", m.trace, m.workload, list(&m.beaten_by), list(&m.tied_with));
    }
}

fn pair_section(out: &mut String, p: &Pair<'_>) {
    let _ = writeln!(out, "### {} × {}\n", p.trace, p.workload);
    let winner = p.winner();
    let front = p.front();
    out.push_str(
        "| Policy | p95 latency (ms) | Mean SSIM | Mean PSNR (dB) | Sent (MB) | Time to lossless (s) | Pareto |\n",
    );
    out.push_str("|---|--:|--:|--:|--:|--:|:-:|\n");
    for (i, r) in p.runs.iter().enumerate() {
        let s = &r.summary;
        let name = if winner == Some(i) { format!("**{}** (winner)", s.policy) } else { s.policy.clone() };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} |",
            sig3(s.latency_p95_ms),
            ssim(s.ssim_mean),
            psnr(s.psnr_mean_db),
            sig3(s.bytes_sent as f64 / 1e6),
            s.time_to_lossless_s.map_or("never".to_string(), |t| format!("{t:.2}")),
            if front.contains(&i) { "●" } else { "" }
        );
    }
    let chain: Vec<String> = front
        .iter()
        .map(|&i| {
            let s = &p.runs[i].summary;
            format!("{} ({} ms, {})", s.policy, sig3(s.latency_p95_ms), ssim(s.ssim_mean))
        })
        .collect();
    let _ = writeln!(out, "\nPareto front, lowest latency first: {}.", chain.join(" → "));
    if winner.is_none() {
        out.push_str("No policy beats every other on this pair.\n");
    }
    out.push('\n');
}

/// The whole `summary.md`.
pub(crate) fn summary_md(runs: &[RunOutput]) -> String {
    let pairs = pairs(runs);
    let t = target(&pairs);
    let pols = policies(runs);
    let n_traces = {
        let mut v: Vec<&str> = pairs.iter().map(|p| p.trace).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let n_workloads = {
        let mut v: Vec<&str> = pairs.iter().map(|p| p.workload).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let mut out = String::new();
    out.push_str("# Adaptation benchmark\n\n");
    let _ = writeln!(
        out,
        "{} runs: {} traces × {} workloads = {} pairs, {} policies ({}).\n",
        runs.len(),
        n_traces,
        n_workloads,
        pairs.len(),
        pols.len(),
        pols.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
    );
    out.push_str(
        "Latency: per changed tile, from the frame that changed it to the client showing it (p95 over the run). \
SSIM and PSNR: the client's screen against the source while the source plays (PSNR of identical screens \
counted as 100 dB). Time to lossless: from the source's last frame to an exact client screen. \
Definitions in `docs/benchmark.md`.\n\n",
    );
    out.push_str("## Target\n\n");
    out.push_str(&target_line(&t));
    out.push_str(
        "\n\nA policy *beats* another with lower p95 latency at equal or better SSIM, or better SSIM at equal or lower \
p95 latency; equal means within 0.002 SSIM and within 2% or 5 ms of latency. Baselines: `spice-like` and every \
`static-*` policy.",
    );
    if t.skipped > 0 {
        let _ = write!(out, " {} pair(s) without an `{ADAPTIVE}` run or a baseline are not counted.", t.skipped);
    }
    out.push('\n');
    misses_table(&mut out, &t);
    out.push_str("\n## Overall\n\n");
    out.push_str(
        "Medians over pairs. *Won*: the policy beats every other policy of the pair. *On Pareto front*: no other \
policy of the pair has both lower-or-equal p95 latency and higher-or-equal SSIM (one strictly).\n\n",
    );
    overall_table(&mut out, &overall(runs, &pairs), pairs.len());
    out.push_str("\n## Per pair\n\n");
    out.push_str("Winner in bold; ● marks the Pareto front of p95 latency against mean SSIM; 1 MB = 10⁶ bytes.\n\n");
    for p in &pairs {
        pair_section(&mut out, p);
    }
    out
}

/// The short Markdown the CLI prints: the target line, pairs missed, overall table.
pub(crate) fn summary_table(runs: &[RunOutput]) -> String {
    let pairs = pairs(runs);
    let t = target(&pairs);
    let mut out = target_line(&t);
    out.push('\n');
    misses_table(&mut out, &t);
    out.push('\n');
    overall_table(&mut out, &overall(runs, &pairs), pairs.len());
    out
}
