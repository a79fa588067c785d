//! Grouping runs into (trace, workload) pairs, and the comparisons the report
//! makes on them: the target, each pair's winner and Pareto front, medians.

use paprika_adapt::policy::POLICY_NAMES;
use paprika_adapt::sim::{RunOutput, RunSummary};

/// The policy the target is about.
pub const ADAPTIVE: &str = "adaptive";

/// Share of pairs `adaptive` must win for the target to be met.
pub const TARGET_FRACTION: f64 = 0.9;

/// The runs of one (trace, workload) pair, one per policy, in report order.
#[derive(Debug)]
pub(crate) struct Pair<'a> {
    pub trace: &'a str,
    pub workload: &'a str,
    pub runs: Vec<&'a RunOutput>,
}

impl Pair<'_> {
    pub fn summaries(&self) -> Vec<&RunSummary> {
        self.runs.iter().map(|r| &r.summary).collect()
    }

    pub fn get(&self, policy: &str) -> Option<&RunOutput> {
        self.runs.iter().copied().find(|r| r.summary.policy == policy)
    }

    /// Index of the run that beats every other run of the pair, if one does.
    pub fn winner(&self) -> Option<usize> {
        if self.runs.len() < 2 {
            return None;
        }
        (0..self.runs.len())
            .find(|&i| self.runs.iter().enumerate().all(|(j, o)| i == j || self.runs[i].summary.beats(&o.summary)))
    }

    /// Indices of the runs on the pair's Pareto front, by p95 latency ascending.
    pub fn front(&self) -> Vec<usize> {
        pareto_front(&self.summaries())
    }
}

/// Policies in the order tables and legends list them: the built-in ones as
/// `POLICY_NAMES` has them, then any others by name.
pub(crate) fn policy_order(a: &str, b: &str) -> std::cmp::Ordering {
    let rank = |p: &str| POLICY_NAMES.iter().position(|&n| n == p).unwrap_or(POLICY_NAMES.len());
    rank(a).cmp(&rank(b)).then_with(|| a.cmp(b))
}

/// Every policy present in `runs`, in report order.
pub(crate) fn policies(runs: &[RunOutput]) -> Vec<&str> {
    let mut names: Vec<&str> = runs.iter().map(|r| r.summary.policy.as_str()).collect();
    names.sort_by(|a, b| policy_order(a, b));
    names.dedup();
    names
}

/// Groups `runs` by (trace, workload) in order of first appearance. A policy
/// run twice on the same pair counts once (its first run) in the analysis.
pub(crate) fn pairs(runs: &[RunOutput]) -> Vec<Pair<'_>> {
    let mut out: Vec<Pair<'_>> = Vec::new();
    for r in runs {
        let s = &r.summary;
        let i = match out.iter().position(|p| p.trace == s.trace && p.workload == s.workload) {
            Some(i) => i,
            None => {
                out.push(Pair { trace: &s.trace, workload: &s.workload, runs: Vec::new() });
                out.len() - 1
            }
        };
        if out[i].get(&s.policy).is_none() {
            out[i].runs.push(r);
        }
    }
    for p in &mut out {
        p.runs.sort_by(|a, b| policy_order(&a.summary.policy, &b.summary.policy));
    }
    out
}

/// Indices of the summaries no other one dominates (lower or equal p95 latency
/// and higher or equal SSIM, one of them strictly), by p95 latency ascending.
/// Plain dominance without `beats`' tolerances: the front shows the trade-off
/// as measured, the target judges it with the tolerances.
pub(crate) fn pareto_front(runs: &[&RunSummary]) -> Vec<usize> {
    let dominates = |a: &RunSummary, b: &RunSummary| {
        a.latency_p95_ms <= b.latency_p95_ms
            && a.ssim_mean >= b.ssim_mean
            && (a.latency_p95_ms < b.latency_p95_ms || a.ssim_mean > b.ssim_mean)
    };
    let mut front: Vec<usize> = (0..runs.len()).filter(|&i| !runs.iter().any(|o| dominates(o, runs[i]))).collect();
    front.sort_by(|&a, &b| {
        runs[a].latency_p95_ms.total_cmp(&runs[b].latency_p95_ms).then(runs[b].ssim_mean.total_cmp(&runs[a].ssim_mean))
    });
    front
}

/// Whether `policy` is one the target compares `adaptive` with: the static
/// policies and `spice-like` (a researcher's own policies are shown, not counted).
pub(crate) fn is_baseline(policy: &str) -> bool {
    policy == "spice-like" || policy.starts_with("static-")
}

/// A pair `adaptive` does not win, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// Trace name.
    pub trace: String,
    /// Workload name.
    pub workload: String,
    /// Baselines that beat `adaptive` on this pair.
    pub beaten_by: Vec<String>,
    /// Baselines neither beating nor beaten by `adaptive` (within tolerance, or a trade-off).
    pub tied_with: Vec<String>,
}

/// The benchmark's target: on how many pairs `adaptive` beats every baseline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetResult {
    /// Pairs with an `adaptive` run and at least one baseline run.
    pub pairs: usize,
    /// Of those, pairs where `adaptive` beats every baseline.
    pub adaptive_wins: usize,
    /// Pairs with runs that could not be judged (no `adaptive`, or no baseline).
    pub skipped: usize,
    /// The judged pairs `adaptive` does not win.
    pub misses: Vec<Miss>,
}

impl TargetResult {
    /// Share of judged pairs won by `adaptive` (0 when none was judged).
    pub fn fraction(&self) -> f64 {
        if self.pairs == 0 { 0.0 } else { self.adaptive_wins as f64 / self.pairs as f64 }
    }

    /// Whether `adaptive` wins at least [`TARGET_FRACTION`] of the judged pairs (false when none was).
    pub fn met(&self) -> bool {
        // Integer form of wins / pairs >= 0.9, free of rounding at the boundary.
        self.pairs > 0 && self.adaptive_wins * 10 >= self.pairs * 9
    }
}

pub(crate) fn target(pairs: &[Pair<'_>]) -> TargetResult {
    let mut res = TargetResult::default();
    for p in pairs {
        let Some(a) = p.get(ADAPTIVE) else {
            res.skipped += 1;
            continue;
        };
        let baselines: Vec<&RunSummary> =
            p.runs.iter().map(|r| &r.summary).filter(|s| is_baseline(&s.policy)).collect();
        if baselines.is_empty() {
            res.skipped += 1;
            continue;
        }
        res.pairs += 1;
        let mut miss = Miss {
            trace: p.trace.to_string(),
            workload: p.workload.to_string(),
            beaten_by: Vec::new(),
            tied_with: Vec::new(),
        };
        for b in baselines {
            if a.summary.beats(b) {
                continue;
            }
            if b.beats(&a.summary) {
                miss.beaten_by.push(b.policy.clone());
            } else {
                miss.tied_with.push(b.policy.clone());
            }
        }
        if miss.beaten_by.is_empty() && miss.tied_with.is_empty() {
            res.adaptive_wins += 1;
        } else {
            res.misses.push(miss);
        }
    }
    res
}

/// One policy over all pairs it ran on.
#[derive(Debug)]
pub(crate) struct PolicyOverall<'a> {
    pub policy: &'a str,
    pub pairs: usize,
    pub median_p95_ms: f64,
    pub median_ssim: f64,
    pub median_psnr_db: f64,
    pub won: usize,
    pub on_front: usize,
}

pub(crate) fn overall<'a>(runs: &'a [RunOutput], pairs: &[Pair<'a>]) -> Vec<PolicyOverall<'a>> {
    policies(runs)
        .into_iter()
        .map(|policy| {
            let mut p95 = Vec::new();
            let mut ssim = Vec::new();
            let mut psnr = Vec::new();
            let (mut won, mut on_front) = (0, 0);
            for pair in pairs {
                let Some(i) = pair.runs.iter().position(|r| r.summary.policy == policy) else { continue };
                let s = &pair.runs[i].summary;
                p95.push(s.latency_p95_ms);
                ssim.push(s.ssim_mean);
                psnr.push(s.psnr_mean_db);
                won += usize::from(pair.winner() == Some(i));
                on_front += usize::from(pair.front().contains(&i));
            }
            PolicyOverall {
                policy,
                pairs: p95.len(),
                median_p95_ms: median(&mut p95),
                median_ssim: median(&mut ssim),
                median_psnr_db: median(&mut psnr),
                won,
                on_front,
            }
        })
        .collect()
}

/// Median (mean of the middle two for an even count); NaN when empty.
pub(crate) fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}
