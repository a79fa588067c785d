//! Bitrates on the command line: a number of bit/s with an optional `k` or `M`
//! suffix (800k = 800,000; 1.5M = 1,500,000).

/// Bit/s from `s`, or a message naming `s` and the `hint` examples.
pub fn parse_bits_per_second(s: &str, hint: &str) -> Result<f64, String> {
    let (num, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1_000.0),
        Some('m' | 'M') => (&s[..s.len() - 1], 1_000_000.0),
        _ => (s, 1.0),
    };
    let v: f64 = num.parse().map_err(|_| format!("not a bitrate: {s} (try {hint})"))?;
    let bps = v * mult;
    if !bps.is_finite() {
        return Err(format!("not a bitrate: {s} (try {hint})"));
    }
    Ok(bps)
}
