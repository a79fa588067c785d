//! `ClientReports`: what the emulated client tells the server besides
//! acknowledgements — decode times, stream reports and ping answers — timed to
//! arrive over the reverse path.
//!
//! Stream reports follow SPICE's client (`SPICE_MSGC_DISPLAY_STREAM_REPORT`):
//! each frame has a playback deadline, its production time plus
//! [`PLAYBACK_DELAY`]; the margin is the deadline minus the time the frame was
//! shown, and a frame shown after its deadline counts as dropped (a real client
//! would skip it; the emulated one still shows it, so the measured screen is
//! not made worse by the report). A report per stream goes out every
//! [`REPORT_INTERVAL`] in which the stream showed frames.

use std::collections::BTreeMap;

use crate::engine::{Feedback, Update, UpdateKind};
use crate::network::{MS, Micros};

/// Playback delay the client allows a stream frame (the engine's default latency target).
pub const PLAYBACK_DELAY: Micros = 100 * MS;
/// How often a stream's report is sent while it shows frames.
pub const REPORT_INTERVAL: Micros = 250 * MS;

#[derive(Debug, Clone, Copy, Default)]
struct StreamTally {
    shown: u32,
    dropped: u32,
    /// Deadline minus shown time of the last frame, µs (negative: late).
    last_margin: i64,
    since: Micros,
}

/// How many reports of each kind the client sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportCounts {
    /// Decode reports (one per image shown).
    pub decoded: u64,
    /// Stream reports.
    pub stream: u64,
    /// Ping answers (round-trip samples).
    pub pings: u64,
}

/// Reports in flight to the server.
#[derive(Debug, Default)]
pub struct ClientReports {
    in_flight: Vec<(Micros, u64, Feedback)>,
    seq: u64,
    streams: BTreeMap<u32, StreamTally>,
    /// Reports sent so far.
    pub counts: ReportCounts,
}

impl ClientReports {
    /// Reports nothing yet.
    pub fn new() -> Self {
        ClientReports::default()
    }

    fn send(&mut self, at: Micros, event: Feedback) {
        self.seq += 1;
        self.in_flight.push((at, self.seq, event));
    }

    /// The client showed `update` (produced at `produced`) at `shown` after
    /// `decode` µs of decoding; its reports reach the server `one_way` later.
    pub fn on_shown(&mut self, update: &Update, produced: Micros, shown: Micros, decode: Micros, one_way: Micros) {
        match &update.kind {
            UpdateKind::Image { .. } if decode > 0 => {
                self.counts.decoded += 1;
                self.send(shown + one_way, Feedback::Decoded { id: update.id, micros: decode });
            }
            UpdateKind::StreamFrame { stream, .. } => {
                let deadline = produced + PLAYBACK_DELAY;
                let t = self.streams.entry(*stream).or_insert(StreamTally { since: shown, ..StreamTally::default() });
                t.shown += 1;
                t.dropped += u32::from(shown > deadline);
                t.last_margin = deadline as i64 - shown as i64;
            }
            UpdateKind::StreamDestroy { stream } => {
                self.streams.remove(stream);
            }
            _ => {}
        }
    }

    /// A ping sent at `sent` reached the client at `at`; the answer is back
    /// `one_way` later as a round-trip sample.
    pub fn on_ping(&mut self, sent: Micros, at: Micros, one_way: Micros) {
        let back = at + one_way;
        self.counts.pings += 1;
        self.send(back, Feedback::Rtt { rtt: back - sent, at: back });
    }

    /// Sends the stream reports due at `now`.
    pub fn tick(&mut self, now: Micros, one_way: Micros) {
        let at = now + one_way;
        for (&stream, t) in self.streams.iter_mut() {
            if t.shown == 0 || now < t.since + REPORT_INTERVAL {
                continue;
            }
            let margin_ms = (t.last_margin / MS as i64).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
            self.counts.stream += 1;
            self.seq += 1;
            let report = Feedback::StreamReport { stream, shown: t.shown, dropped: t.dropped, margin_ms, at };
            self.in_flight.push((at, self.seq, report));
            *t = StreamTally { since: now, ..StreamTally::default() };
        }
    }

    /// The reports that reached the server by `now`, in arrival order.
    pub fn arrived(&mut self, now: Micros) -> Vec<Feedback> {
        let mut due: Vec<(Micros, u64, Feedback)> = Vec::new();
        self.in_flight.retain(|&(t, s, e)| {
            if t <= now {
                due.push((t, s, e));
                false
            } else {
                true
            }
        });
        due.sort_by_key(|&(t, s, _)| (t, s));
        due.into_iter().map(|(_, _, e)| e).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{ClientReports, PLAYBACK_DELAY, REPORT_INTERVAL};
    use crate::engine::{Feedback, Update, UpdateKind};
    use crate::network::MS;
    use paprika_codecs::Rect;

    fn update(id: u64, kind: UpdateKind) -> Update {
        Update { id, kind, decision: None }
    }

    fn frame(stream: u32) -> UpdateKind {
        UpdateKind::StreamFrame { stream, data: vec![0; 10], key: false }
    }

    #[test]
    fn decode_reports_arrive_a_one_way_delay_after_the_image_is_shown() {
        let mut r = ClientReports::new();
        let image = UpdateKind::Image { rect: Rect::new(0, 0, 8, 8), data: vec![1], lossless: true };
        r.on_shown(&update(7, image), 0, 30 * MS, 2 * MS, 20 * MS);
        let copy = UpdateKind::CopyBits { rect: Rect::new(0, 0, 8, 8), src: (0, 8) };
        r.on_shown(&update(8, copy), 0, 31 * MS, 0, 20 * MS);
        assert!(r.arrived(50 * MS - 1).is_empty());
        assert_eq!(r.arrived(50 * MS), [Feedback::Decoded { id: 7, micros: 2 * MS }]);
        assert!(r.arrived(60 * MS).is_empty(), "a copy is not decoded, and a report arrives once");
        assert_eq!(r.counts.decoded, 1);
    }

    #[test]
    fn stream_reports_count_late_frames_as_dropped_and_carry_the_last_margin() {
        let mut r = ClientReports::new();
        let one_way = 20 * MS;
        // Frames every 40 ms; the first three on time (shown 30 ms after production),
        // the last two 40 ms past their deadline.
        for k in 0..5u64 {
            let produced = k * 40 * MS;
            let late = if k >= 3 { PLAYBACK_DELAY + 40 * MS } else { 30 * MS };
            r.on_shown(&update(k + 1, frame(3)), produced, produced + late, MS, one_way);
        }
        r.tick(100 * MS, one_way);
        assert!(r.arrived(SECOND_MS).is_empty(), "no report before the interval has passed");
        r.tick(30 * MS + REPORT_INTERVAL, one_way);
        let at = 30 * MS + REPORT_INTERVAL + one_way;
        assert_eq!(r.arrived(at), [Feedback::StreamReport { stream: 3, shown: 5, dropped: 2, margin_ms: -40, at }]);
        // Nothing shown since: no report; a destroyed stream reports no more.
        r.tick(at + REPORT_INTERVAL, one_way);
        r.on_shown(&update(9, frame(3)), at, at + 10 * MS, MS, one_way);
        r.on_shown(&update(10, UpdateKind::StreamDestroy { stream: 3 }), 0, at + 11 * MS, 0, one_way);
        r.tick(at + 3 * REPORT_INTERVAL, one_way);
        assert!(r.arrived(at + 10 * REPORT_INTERVAL).is_empty());
        assert_eq!(r.counts.stream, 1);
    }

    const SECOND_MS: u64 = 1000 * MS;
}
