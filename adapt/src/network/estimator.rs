//! `BandwidthEstimator`: bandwidth, minimum RTT and queueing delay from send
//! and acknowledgement events, and the pacing rate and in-flight cap the
//! sender should keep to.
//!
//! The idea, from delay-based congestion control (TCP Vegas, BBR, WebRTC's
//! GCC): the queueing delay `srtt - min_rtt` says whether the bottleneck is
//! busy. While a queue stands, the bottleneck sends at exactly its capacity,
//! so the acknowledgement rate *is* the capacity: the estimator measures it
//! there instead of guessing. Without a queue the link has room: the sender
//! probes above the last delivery rate, growing the probe while probes keep
//! succeeding, and the estimate follows what is delivered.
//!
//! | state | when | estimate | pacing |
//! |---|---|---|---|
//! | `Probe` | queue delay < `busy_delay` | max(estimate, delivery rate) | estimate × probe gain: 1.25, growing ×1.25 per successful round (up to 2) once the estimate has passed the last capacity measured while busy |
//! | `Cruise` | busy_delay ≤ queue delay < `high_delay` | ack rate while busy | estimate × 0.9 (drain gently) |
//! | `Drain` | queue delay ≥ `high_delay`, until it falls under `busy_delay` | ack rate while busy | estimate × 0.5, and nothing beyond the in-flight cap |
//!
//! The in-flight cap (`estimate × (min_rtt + cap_delay)` bytes) bounds the
//! queue the sender can build even while its delay signal is a round trip old.

use std::collections::{BTreeMap, VecDeque};

use super::windowed::WindowedMin;
use super::{MS, Micros, SECOND};

/// Constants of a [`BandwidthEstimator`]; the defaults are what the tests and
/// `docs/engine.md` justify.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimatorConfig {
    /// Estimate before any feedback, bit/s.
    pub initial_bps: f64,
    /// Never estimate below this, bit/s (a floor keeps probing alive).
    pub min_bps: f64,
    /// Never estimate above this, bit/s.
    pub max_bps: f64,
    /// Queueing delay from which the bottleneck counts as busy.
    pub busy_delay: Micros,
    /// Queueing delay that triggers draining.
    pub high_delay: Micros,
    /// Queueing delay the in-flight cap allows on top of `min_rtt`.
    pub cap_delay: Micros,
    /// How long a minimum-RTT sample stays valid (routes change).
    pub min_rtt_window: Micros,
    /// Shortest window rates are measured over (longer when the RTT is).
    pub rate_window: Micros,
    /// Most unacknowledged sends remembered; older ones are forgotten.
    pub max_in_flight_records: usize,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        EstimatorConfig {
            initial_bps: 1e6,
            min_bps: 64e3,
            max_bps: 10e9,
            busy_delay: 8 * MS,
            high_delay: 25 * MS,
            cap_delay: 20 * MS,
            min_rtt_window: 10 * SECOND,
            rate_window: 50 * MS,
            max_in_flight_records: 1 << 16,
        }
    }
}

/// What the estimator is doing (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimatorState {
    /// No queue: sending above the estimate to find more.
    Probe,
    /// A small queue: sending a little under the measured capacity.
    Cruise,
    /// A large queue: sending well under capacity until it is gone.
    Drain,
}

/// The estimator's view of the network at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkEstimate {
    /// Estimated bottleneck bandwidth, bit/s.
    pub bandwidth_bps: f64,
    /// Rate to pace sends at, bit/s.
    pub pacing_bps: f64,
    /// Smallest RTT in the window, µs (None before the first sample).
    pub min_rtt: Option<Micros>,
    /// Smoothed RTT, µs.
    pub srtt: Option<Micros>,
    /// Smoothed RTT minus the minimum: time spent in queues, µs.
    pub queue_delay: Micros,
    /// Bytes sent and not yet acknowledged.
    pub in_flight_bytes: u64,
    /// Most bytes that should be in flight.
    pub in_flight_cap_bytes: u64,
    /// Current state.
    pub state: EstimatorState,
}

#[derive(Debug, Clone, Copy)]
struct Sent {
    bytes: u32,
    at: Micros,
}

/// Bandwidth and delay estimation from feedback events (see the module docs).
/// Deterministic: time is passed in, never read.
#[derive(Debug, Clone)]
pub struct BandwidthEstimator {
    cfg: EstimatorConfig,
    in_flight: BTreeMap<u64, Sent>,
    in_flight_bytes: u64,
    min_rtt: WindowedMin,
    srtt: Option<f64>,
    /// Recent acknowledgements: (time, bytes, busy when acknowledged).
    acks: VecDeque<(Micros, u32, bool)>,
    estimate: f64,
    state: EstimatorState,
    probe_gain: f64,
    /// Estimate when the current probe round started, and when.
    round_start: (f64, Micros),
    /// The last capacity measured while the bottleneck was busy.
    last_capacity: Option<f64>,
    last_ack: Option<Micros>,
    /// Queueing delay of the last acknowledged packet itself.
    last_own_queue: Micros,
}

const PROBE_GAIN: f64 = 1.25;
const MAX_PROBE_GAIN: f64 = 2.0;
const CRUISE_GAIN: f64 = 0.9;
const DRAIN_GAIN: f64 = 0.5;
/// A probe round that raised the estimate by this much counts as a success.
const ROUND_SUCCESS: f64 = 1.10;
/// Weight of a new RTT sample in the smoothed RTT (RFC 6298 uses 1/8; faster
/// here, since queueing delay is the control signal).
const SRTT_WEIGHT: f64 = 0.25;

impl BandwidthEstimator {
    /// An estimator with `cfg`'s constants.
    pub fn new(cfg: EstimatorConfig) -> Self {
        BandwidthEstimator {
            cfg,
            in_flight: BTreeMap::new(),
            in_flight_bytes: 0,
            min_rtt: WindowedMin::new(cfg.min_rtt_window),
            srtt: None,
            acks: VecDeque::new(),
            estimate: cfg.initial_bps,
            state: EstimatorState::Probe,
            probe_gain: PROBE_GAIN,
            round_start: (cfg.initial_bps, 0),
            last_capacity: None,
            last_ack: None,
            last_own_queue: 0,
        }
    }

    /// Records that message `id` of `bytes` bytes left at `now`. A repeated id
    /// replaces the earlier send.
    pub fn on_sent(&mut self, id: u64, bytes: u32, now: Micros) {
        if let Some(old) = self.in_flight.insert(id, Sent { bytes, at: now }) {
            self.in_flight_bytes -= u64::from(old.bytes);
        }
        self.in_flight_bytes += u64::from(bytes);
        while self.in_flight.len() > self.cfg.max_in_flight_records {
            // Never acknowledged: forget the oldest rather than grow without bound.
            if let Some((_, s)) = self.in_flight.pop_first() {
                self.in_flight_bytes -= u64::from(s.bytes);
            }
        }
    }

    /// Records the acknowledgement of `id` at `now`; false (and no change) for
    /// an id never sent, already acknowledged, or forgotten.
    pub fn on_acked(&mut self, id: u64, now: Micros) -> bool {
        let Some(sent) = self.in_flight.remove(&id) else { return false };
        self.in_flight_bytes -= u64::from(sent.bytes);
        let now = now.max(self.last_ack.unwrap_or(0));
        self.last_ack = Some(now);
        let rtt = now.saturating_sub(sent.at);
        self.min_rtt.push(rtt, now);
        self.smooth_rtt(rtt);
        // Busy only if this very packet waited in a queue: after a burst drains the
        // smoothed RTT stays high for a while, and the acks of a few small sends
        // then would measure the sender's pace, not the link's capacity.
        let own_queue = rtt.saturating_sub(self.min_rtt.get().unwrap_or(rtt));
        self.last_own_queue = own_queue;
        let busy = self.queue_delay() >= self.cfg.busy_delay && own_queue >= self.cfg.busy_delay;
        self.acks.push_back((now, sent.bytes, busy));
        let keep = 4 * self.window();
        while self.acks.front().is_some_and(|&(t, _, _)| now.saturating_sub(t) > keep) {
            self.acks.pop_front();
        }
        self.update(now);
        true
    }

    /// Adds an RTT measured some other way (a ping), in µs. It moves the
    /// smoothed RTT; the minimum RTT takes it only while no acknowledged data has
    /// given one: a small ping crosses the bottleneck faster than a full segment,
    /// and mixed into the minimum it makes every segment look queued.
    pub fn on_rtt_sample(&mut self, rtt: Micros, now: Micros) {
        if self.min_rtt.get().is_none() {
            self.min_rtt.push(rtt, now);
        }
        self.smooth_rtt(rtt);
    }

    fn smooth_rtt(&mut self, rtt: Micros) {
        let r = rtt as f64;
        self.srtt = Some(match self.srtt {
            None => r,
            Some(s) => s + SRTT_WEIGHT * (r - s),
        });
    }

    /// The current estimate.
    pub fn estimate(&self) -> NetworkEstimate {
        NetworkEstimate {
            bandwidth_bps: self.estimate,
            pacing_bps: self.pacing_bps(),
            min_rtt: self.min_rtt.get(),
            srtt: self.srtt.map(|s| s as Micros),
            queue_delay: self.queue_delay(),
            in_flight_bytes: self.in_flight_bytes,
            in_flight_cap_bytes: self.in_flight_cap(),
            state: self.state,
        }
    }

    /// Bytes the sender may put in flight now without passing the cap.
    pub fn send_budget(&self) -> u64 {
        self.in_flight_cap().saturating_sub(self.in_flight_bytes)
    }

    fn pacing_bps(&self) -> f64 {
        let gain = match self.state {
            EstimatorState::Probe => self.probe_gain,
            EstimatorState::Cruise => CRUISE_GAIN,
            EstimatorState::Drain => DRAIN_GAIN,
        };
        self.estimate * gain
    }

    fn in_flight_cap(&self) -> u64 {
        // The probe needs gain x BDP in flight to deliver at gain x the estimate;
        // on top of that only `cap_delay` worth of queue.
        let gain = if self.state == EstimatorState::Probe { self.probe_gain } else { 1.0 };
        let span = gain * self.min_rtt.get().unwrap_or(100 * MS) as f64 + self.cfg.cap_delay as f64;
        // At least a few full-size packets, so a tiny estimate cannot stall the link.
        ((self.estimate / 8.0 * span / SECOND as f64) as u64).max(4 * 1500)
    }

    fn queue_delay(&self) -> Micros {
        match (self.srtt, self.min_rtt.get()) {
            (Some(s), Some(m)) => (s as Micros).saturating_sub(m),
            _ => 0,
        }
    }

    /// The span rates are measured over: at least `rate_window`, at least the RTT.
    fn window(&self) -> Micros {
        self.cfg.rate_window.max(self.min_rtt.get().unwrap_or(0))
    }

    /// Bytes per second acknowledged over the last window, counting only the
    /// acknowledgements that satisfy `busy_only`; None without enough of them.
    fn ack_rate(&self, now: Micros, busy_only: bool) -> Option<f64> {
        let since = now.saturating_sub(self.window());
        let mut recent = self.acks.iter().rev().take_while(|&&(t, _, _)| t >= since);
        let mut bytes = 0u64;
        let mut first = now;
        let mut count = 0;
        // The run must be unbroken: a rate is only the capacity while the queue stands.
        for &(t, b, busy) in recent.by_ref() {
            if busy_only && !busy {
                break;
            }
            if count > 0 {
                bytes += u64::from(b);
            }
            first = t;
            count += 1;
        }
        // The oldest ack in the run opens the interval; its bytes came before it.
        // Over less than half a window a burst (cellular links deliver in bursts)
        // would read as a rate the link does not sustain.
        let span = now.saturating_sub(first).max(self.window() / 2);
        (count >= 4).then(|| bytes as f64 * 8.0 * SECOND as f64 / span as f64)
    }

    fn update(&mut self, now: Micros) {
        // The smoothed delay filters noise; the last packet's own delay says at once
        // that a queue is gone.
        let qd = self.queue_delay().min(self.last_own_queue);
        let cfg = self.cfg;
        let next = if qd >= cfg.high_delay || (self.state == EstimatorState::Drain && qd >= cfg.busy_delay) {
            EstimatorState::Drain
        } else if qd >= cfg.busy_delay {
            EstimatorState::Cruise
        } else {
            EstimatorState::Probe
        };
        match next {
            EstimatorState::Drain | EstimatorState::Cruise => {
                if let Some(capacity) = self.ack_rate(now, true) {
                    self.estimate = capacity;
                    self.last_capacity = Some(capacity);
                }
                self.probe_gain = PROBE_GAIN;
            }
            EstimatorState::Probe => {
                if self.state != EstimatorState::Probe {
                    self.round_start = (self.estimate, now);
                }
                if let Some(delivered) = self.ack_rate(now, false) {
                    self.estimate = self.estimate.max(delivered);
                }
                // A round lasts a window plus the RTT it takes to see its effect.
                let round = self.window() + self.min_rtt.get().unwrap_or(0);
                if now.saturating_sub(self.round_start.1) >= round {
                    // Grow the probe only beyond the capacity last seen: below it
                    // the link is known to have room, above it nothing is known.
                    let beyond = self.last_capacity.is_none_or(|c| self.estimate > c * ROUND_SUCCESS);
                    if beyond && self.estimate >= self.round_start.0 * ROUND_SUCCESS {
                        self.probe_gain = (self.probe_gain * PROBE_GAIN).min(MAX_PROBE_GAIN);
                    } else {
                        self.probe_gain = PROBE_GAIN;
                    }
                    self.round_start = (self.estimate, now);
                }
            }
        }
        self.estimate = self.estimate.clamp(cfg.min_bps, cfg.max_bps);
        self.state = next;
    }
}
