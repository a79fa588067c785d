//! Timing helpers: run a closure several times, take the median, convert to MB/s.

use std::time::{Duration, Instant};

/// Runs `f` once and returns its result and how long it took.
pub fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// The median of `samples` (the upper one for an even count); zero when empty.
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Formats a duration as milliseconds, with more digits below 1 ms.
pub fn fmt_ms(d: Duration) -> String {
    let v = ms(d);
    if v >= 1.0 { format!("{v:.1} ms") } else { format!("{v:.3} ms") }
}

/// Throughput in MB/s (10^6 bytes per second) of `bytes` processed in `d`.
pub fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_rates() {
        let mut s = [5, 1, 4, 2, 3].map(Duration::from_millis);
        assert_eq!(median(&mut s), Duration::from_millis(3));
        assert_eq!(median(&mut []), Duration::ZERO);
        assert!((mb_per_s(2_000_000, Duration::from_secs(1)) - 2.0).abs() < 1e-9);
        assert_eq!(fmt_ms(Duration::from_micros(3100)), "3.1 ms");
        assert_eq!(fmt_ms(Duration::from_micros(250)), "0.250 ms");
    }
}
