//! A bottleneck link in virtual time: packets wait in a drop-tail queue and
//! leave as the capacity trace's delivery opportunities allow, then travel the
//! propagation delay to the receiver.

use std::collections::VecDeque;

use super::trace::CapacityTrace;
use crate::network::{MS, Micros};

/// A packet the link delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The sender's id for it.
    pub id: u64,
    /// Its size in bytes.
    pub bytes: u32,
    /// When it reached the receiver (left the bottleneck plus the one-way delay).
    pub at: Micros,
    /// How long it waited in the bottleneck queue.
    pub queued_for: Micros,
}

#[derive(Debug, Clone, Copy)]
struct Queued {
    id: u64,
    bytes: u32,
    left: u32,
    arrived: Micros,
}

/// One direction of a link: a drop-tail queue in front of a trace-driven
/// bottleneck, then a fixed one-way delay. Opportunities carry
/// `OPPORTUNITY_BYTES` each, shared by queued packets in order (a packet may
/// span opportunities); an opportunity with nothing queued is lost, as in
/// Mahimahi.
#[derive(Debug, Clone)]
pub struct BottleneckLink {
    trace: CapacityTrace,
    one_way: Micros,
    limit_bytes: u64,
    queue: VecDeque<Queued>,
    queued_bytes: u64,
    /// The next millisecond whose opportunities have not been used.
    next_ms: u64,
    dropped: u64,
}

impl BottleneckLink {
    /// A link over `trace`, `one_way` µs of propagation after the bottleneck,
    /// and a queue of at most `limit_bytes`.
    pub fn new(trace: CapacityTrace, one_way: Micros, limit_bytes: u64) -> Self {
        BottleneckLink { trace, one_way, limit_bytes, queue: VecDeque::new(), queued_bytes: 0, next_ms: 0, dropped: 0 }
    }

    /// Hands the link a packet at `now`; false when the queue is full (dropped).
    /// Call [`Self::advance`] up to `now` first so the queue is current.
    pub fn send(&mut self, id: u64, bytes: u32, now: Micros) -> bool {
        if self.queued_bytes + u64::from(bytes) > self.limit_bytes {
            self.dropped += 1;
            return false;
        }
        self.queue.push_back(Queued { id, bytes, left: bytes, arrived: now });
        self.queued_bytes += u64::from(bytes);
        true
    }

    /// Uses every opportunity up to `now` and returns the packets that left the
    /// bottleneck, in order (their `at` may lie after `now`: the one-way delay).
    pub fn advance(&mut self, now: Micros) -> Vec<Delivery> {
        let mut out = Vec::new();
        // Millisecond `ms`'s opportunities are used at its end.
        while (self.next_ms + 1) * MS <= now {
            let ms = self.next_ms;
            self.next_ms += 1;
            let mut budget = self.trace.bytes_in_ms(ms);
            let at = (ms + 1) * MS;
            while budget > 0 {
                let Some(head) = self.queue.front_mut() else { break };
                if head.arrived > at {
                    break;
                }
                let take = u64::from(head.left).min(budget);
                head.left -= take as u32;
                budget -= take;
                if head.left == 0 {
                    let q = self.queue.pop_front().expect("head exists");
                    self.queued_bytes -= u64::from(q.bytes);
                    out.push(Delivery { id: q.id, bytes: q.bytes, at: at + self.one_way, queued_for: at - q.arrived });
                }
            }
        }
        out
    }

    /// Bytes waiting in the queue.
    pub fn queued_bytes(&self) -> u64 {
        self.queued_bytes
    }

    /// Packets dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The capacity trace.
    pub fn trace(&self) -> &CapacityTrace {
        &self.trace
    }
}

#[cfg(test)]
mod tests {
    use super::BottleneckLink;
    use crate::network::MS;
    use crate::sim::trace::CapacityTrace;

    #[test]
    fn delivers_in_order_at_the_trace_rate_and_drops_past_the_limit() {
        // 12 Mbit/s: 1500 bytes a millisecond.
        let mut link = BottleneckLink::new(CapacityTrace::parse_mahimahi("1").unwrap(), 20 * MS, 4000);
        assert!(link.send(1, 1500, 0) && link.send(2, 1000, 0) && link.send(3, 1000, 0));
        assert!(!link.send(4, 1000, 0), "over the 4000-byte queue");
        assert_eq!(link.dropped(), 1);
        let d = link.advance(3 * MS);
        let ids: Vec<(u64, u64)> = d.iter().map(|x| (x.id, x.at / MS)).collect();
        // 1 leaves at 1 ms; 2 needs the rest of ms 2 (1000 of 1500 bytes); 3 spans ms 2 and 3.
        assert_eq!(ids, [(1, 21), (2, 22), (3, 23)]);
        assert_eq!(link.queued_bytes(), 0);
        // An idle opportunity is lost, not banked.
        assert!(link.advance(10 * MS).is_empty());
        link.send(5, 3000, 10 * MS);
        assert_eq!(link.advance(11 * MS).len(), 0);
        assert_eq!(link.advance(12 * MS)[0].at, 32 * MS);
    }
}
