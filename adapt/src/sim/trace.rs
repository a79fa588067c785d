//! Link capacity over time, in Mahimahi's trace format or synthetic.
//!
//! Mahimahi format: one line per opportunity to deliver one 1500-byte packet,
//! as a millisecond timestamp from the start of the trace; a timestamp repeats
//! when several packets fit in one millisecond, and the trace loops with its
//! last timestamp as the period (a file holding `1` is a fixed 12 Mbit/s link).

use core::fmt;

/// Bytes one delivery opportunity carries (Mahimahi's MTU).
pub const OPPORTUNITY_BYTES: u32 = 1500;

/// Most opportunities a trace may hold (a 12-hour trace at 100 Mbit/s is far below).
pub const MAX_OPPORTUNITIES: usize = 1 << 26;

/// Why a trace was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceError {
    /// A line is not a whole number of milliseconds.
    BadLine {
        /// 1-based line number.
        line: usize,
    },
    /// Timestamps go backwards.
    NotMonotonic {
        /// 1-based line number.
        line: usize,
    },
    /// No opportunity, or a period of 0 ms.
    Empty,
    /// More than [`MAX_OPPORTUNITIES`] lines.
    TooLong,
    /// A synthetic trace's parameters make no sense (a negative or absurd rate).
    BadParameter,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceError::BadLine { line } => write!(f, "line {line}: not a millisecond timestamp"),
            TraceError::NotMonotonic { line } => write!(f, "line {line}: timestamp goes backwards"),
            TraceError::Empty => write!(f, "the trace has no delivery opportunity"),
            TraceError::TooLong => write!(f, "the trace has more than {MAX_OPPORTUNITIES} lines"),
            TraceError::BadParameter => write!(f, "synthetic trace parameters out of range"),
        }
    }
}

impl std::error::Error for TraceError {}

/// Delivery opportunities of a link, looping with a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityTrace {
    /// Opportunity times in ms within one period, ascending, all < `period_ms`
    /// except that an opportunity at exactly `period_ms` counts at 0 of the next loop.
    opportunities: Vec<u64>,
    period_ms: u64,
}

impl CapacityTrace {
    /// Parses Mahimahi's format (blank lines and `#` comments ignored).
    pub fn parse_mahimahi(text: &str) -> Result<Self, TraceError> {
        let mut times = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let t: u64 = line.parse().map_err(|_| TraceError::BadLine { line: i + 1 })?;
            if times.last().is_some_and(|&p| t < p) {
                return Err(TraceError::NotMonotonic { line: i + 1 });
            }
            if times.len() == MAX_OPPORTUNITIES {
                return Err(TraceError::TooLong);
            }
            times.push(t);
        }
        let period_ms = *times.last().ok_or(TraceError::Empty)?;
        if period_ms == 0 {
            return Err(TraceError::Empty);
        }
        // Mahimahi replays the file with the last timestamp as the period: an
        // opportunity at t is at t + k * period in loop k, so one at 0 is the
        // same instant as one at `period` (kept that way: times run 1..=period).
        let zeros = times.partition_point(|&t| t == 0);
        times.rotate_left(zeros);
        let n = times.len();
        times[n - zeros..].fill(period_ms);
        Ok(CapacityTrace { opportunities: times, period_ms })
    }

    /// A trace from a rate in bit/s for each millisecond of one period
    /// (`rate_at(ms)`), opportunities placed as the bits accumulate.
    pub fn from_rate(period_ms: u64, rate_at: impl Fn(u64) -> f64) -> Result<Self, TraceError> {
        if period_ms == 0 || period_ms > 24 * 3_600_000 {
            return Err(TraceError::BadParameter);
        }
        let mut times = Vec::new();
        let mut credit = 0.0f64;
        for ms in 0..period_ms {
            let rate = rate_at(ms);
            if !(0.0..=1e11).contains(&rate) {
                return Err(TraceError::BadParameter);
            }
            credit += rate / 1000.0 / 8.0;
            while credit >= f64::from(OPPORTUNITY_BYTES) {
                credit -= f64::from(OPPORTUNITY_BYTES);
                if times.len() == MAX_OPPORTUNITIES {
                    return Err(TraceError::TooLong);
                }
                // Mahimahi's timestamps start at 1: an opportunity during ms 0 is at 1.
                times.push(ms + 1);
            }
        }
        if times.is_empty() {
            return Err(TraceError::Empty);
        }
        Ok(CapacityTrace { opportunities: times, period_ms })
    }

    /// A fixed rate.
    pub fn fixed(bps: f64) -> Result<Self, TraceError> {
        // A period long enough that rounding to whole opportunities is below 0.1%.
        let period = 1_000.0 * 1500.0 * 8.0 * 1000.0 / bps.max(1.0);
        CapacityTrace::from_rate((period.ceil() as u64).clamp(1_000, 600_000), |_| bps)
    }

    /// Steps: `(duration_ms, bps)` pieces one after another.
    pub fn steps(pieces: &[(u64, f64)]) -> Result<Self, TraceError> {
        let total: u64 = pieces.iter().map(|p| p.0).sum();
        CapacityTrace::from_rate(total, |ms| {
            let mut start = 0;
            for &(len, rate) in pieces {
                if ms < start + len {
                    return rate;
                }
                start += len;
            }
            0.0
        })
    }

    /// Loop period in ms.
    pub fn period_ms(&self) -> u64 {
        self.period_ms
    }

    /// Mean capacity over a period, bit/s.
    pub fn mean_bps(&self) -> f64 {
        self.opportunities.len() as f64 * f64::from(OPPORTUNITY_BYTES) * 8.0 * 1000.0 / self.period_ms as f64
    }

    /// Bytes the link can deliver in the millisecond `ms` (counting loops).
    pub fn bytes_in_ms(&self, ms: u64) -> u64 {
        // Within a loop, timestamps run 1..=period (the last one marks the period).
        let t = ms % self.period_ms + 1;
        let lo = self.opportunities.partition_point(|&x| x < t);
        let hi = self.opportunities.partition_point(|&x| x <= t);
        (hi - lo) as u64 * u64::from(OPPORTUNITY_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::{CapacityTrace, OPPORTUNITY_BYTES, TraceError};

    #[test]
    fn a_file_holding_1_is_12_mbit() {
        let t = CapacityTrace::parse_mahimahi("1\n").unwrap();
        assert_eq!(t.mean_bps(), 12e6);
        assert!((0..50).all(|ms| t.bytes_in_ms(ms) == u64::from(OPPORTUNITY_BYTES)));
    }

    #[test]
    fn repeated_timestamps_and_loops() {
        let z = CapacityTrace::parse_mahimahi("0\n3\n").unwrap();
        assert_eq!((0..6).map(|ms| z.bytes_in_ms(ms) / 1500).collect::<Vec<_>>(), [0, 0, 2, 0, 0, 2]);
        let t = CapacityTrace::parse_mahimahi("# comment\n2\n2\n\n4\n").unwrap();
        assert_eq!(t.period_ms(), 4);
        let per_ms: Vec<u64> = (0..8).map(|ms| t.bytes_in_ms(ms) / 1500).collect();
        assert_eq!(per_ms, [0, 2, 0, 1, 0, 2, 0, 1]);
    }

    #[test]
    fn bad_traces_are_refused() {
        assert_eq!(CapacityTrace::parse_mahimahi("5\n3\n"), Err(TraceError::NotMonotonic { line: 2 }));
        assert_eq!(CapacityTrace::parse_mahimahi("5\nx\n"), Err(TraceError::BadLine { line: 2 }));
        assert_eq!(CapacityTrace::parse_mahimahi("-1\n"), Err(TraceError::BadLine { line: 1 }));
        assert_eq!(CapacityTrace::parse_mahimahi(""), Err(TraceError::Empty));
        assert_eq!(CapacityTrace::parse_mahimahi("0\n0\n"), Err(TraceError::Empty));
        assert_eq!(CapacityTrace::from_rate(10, |_| -1.0), Err(TraceError::BadParameter));
        assert_eq!(CapacityTrace::from_rate(10, |_| 0.0), Err(TraceError::Empty));
    }

    #[test]
    fn synthetic_rates() {
        let f = CapacityTrace::fixed(2e6).unwrap();
        assert!((f.mean_bps() / 2e6 - 1.0).abs() < 1e-3, "{}", f.mean_bps());
        let s = CapacityTrace::steps(&[(1000, 20e6), (1000, 2e6)]).unwrap();
        let first: u64 = (0..1000).map(|ms| s.bytes_in_ms(ms)).sum();
        let second: u64 = (1000..2000).map(|ms| s.bytes_in_ms(ms)).sum();
        assert!((first as f64 * 8.0 / 20e6 - 1.0).abs() < 0.01 && (second as f64 * 8.0 / 2e6 - 1.0).abs() < 0.01);
    }
}
