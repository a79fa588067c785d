//! The smallest value seen within a sliding time window.

use std::collections::VecDeque;

use super::Micros;

/// The minimum of the samples of the last `window` microseconds, in O(1)
/// amortized per sample (a monotonic queue: a sample that is not smaller than
/// a later one can never be the minimum again and is dropped).
#[derive(Debug, Clone)]
pub struct WindowedMin {
    window: Micros,
    samples: VecDeque<(Micros, u64)>,
}

impl WindowedMin {
    /// An empty window of `window` microseconds.
    pub fn new(window: Micros) -> Self {
        WindowedMin { window, samples: VecDeque::new() }
    }

    /// Adds `value` seen at `now` (times must not go backwards).
    pub fn push(&mut self, value: u64, now: Micros) {
        while self.samples.back().is_some_and(|&(_, v)| v >= value) {
            self.samples.pop_back();
        }
        self.samples.push_back((now, value));
        self.expire(now);
    }

    /// Forgets samples older than the window, keeping the newest one.
    pub fn expire(&mut self, now: Micros) {
        while self.samples.len() > 1 && self.samples.front().is_some_and(|&(t, _)| now.saturating_sub(t) > self.window)
        {
            self.samples.pop_front();
        }
    }

    /// The minimum, if any sample was seen.
    pub fn get(&self) -> Option<u64> {
        self.samples.front().map(|&(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::WindowedMin;

    #[test]
    fn tracks_the_minimum_of_the_window() {
        let mut w = WindowedMin::new(100);
        assert_eq!(w.get(), None);
        w.push(50, 0);
        w.push(70, 10);
        assert_eq!(w.get(), Some(50));
        w.push(60, 90);
        assert_eq!(w.get(), Some(50));
        w.push(80, 120); // 50 (at 0) has left the window; 60 (at 90) is the smallest left
        assert_eq!(w.get(), Some(60));
        w.push(10, 130);
        assert_eq!(w.get(), Some(10));
        w.expire(1000); // the newest sample stays even when old
        assert_eq!(w.get(), Some(10));
    }
}
