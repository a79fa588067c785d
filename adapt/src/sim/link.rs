//! A bottleneck link in virtual time: packets wait in a drop-tail queue and
//! leave as the capacity trace's delivery opportunities allow, then travel the
//! propagation delay to the receiver.
//!
//! Two options, both off by default (the link then behaves exactly as without
//! them):
//! - **Random loss** ([`BottleneckLink::with_loss`]): a packet that leaves the
//!   bottleneck (it used capacity) is lost with probability `loss`, drawn from a
//!   seeded splitmix64 generator, so runs stay deterministic.
//! - **CoDel** ([`BottleneckLink::with_codel`]): RFC 8289's active queue
//!   management at the head of the queue (target 5 ms, interval 100 ms, next drop
//!   `interval / sqrt(count)` after the previous one), on top of the byte limit.
//!   A dropped packet used no capacity.
//!
//! A lost or dropped packet is resent as TCP's fast retransmit would: the packet
//! behind it reaches the receiver, whose duplicate acknowledgement is back at the
//! sender about one round trip after the loss. The model: the resend joins the
//! tail of the bottleneck queue at `loss time + 2 × one_way` (the loss time being
//! when the packet left the bottleneck, or when CoDel dropped it), whatever the
//! queue's byte limit (the sender's buffer already holds it), and may be lost
//! again. Until then it waits in a separate list, so it blocks nothing that
//! arrived before it. The receiver delivers in order: a packet behind a hole is
//! held until the hole is filled (head-of-line blocking), so deliveries come out
//! in the order the packets were accepted by [`BottleneckLink::send`], with
//! non-decreasing `at`. Not modelled: the sender's congestion window (no rate
//! reaction to a loss; whoever sends paces itself), timeouts (a loss with nothing
//! behind it is noticed as fast as any other), and loss of acknowledgements.

use std::collections::{BTreeMap, VecDeque};

use super::trace::{CapacityTrace, OPPORTUNITY_BYTES};
use crate::network::{MS, Micros};

/// CoDel's acceptable standing queue delay (RFC 8289).
pub const CODEL_TARGET: Micros = 5 * MS;
/// CoDel's sliding window: how long the delay must stay above target before a drop.
pub const CODEL_INTERVAL: Micros = 100 * MS;

/// A packet the link delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The sender's id for it.
    pub id: u64,
    /// Its size in bytes.
    pub bytes: u32,
    /// When it reached the receiver (left the bottleneck plus the one-way delay).
    pub at: Micros,
    /// How long it waited in the bottleneck queue (for a resent packet: its
    /// delivered transmission's wait).
    pub queued_for: Micros,
}

#[derive(Debug, Clone, Copy)]
struct Queued {
    id: u64,
    bytes: u32,
    left: u32,
    arrived: Micros,
    /// Position in send order (the receiver delivers in this order).
    seq: u64,
    /// CoDel let it through (it is being served).
    admitted: bool,
}

/// splitmix64: a tiny, well-mixed, seedable generator for the loss draws.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// CoDel's state (RFC 8289, section 5).
#[derive(Debug, Clone, Default)]
struct CoDel {
    /// When the sojourn time will have been above target for an interval.
    first_above: Option<Micros>,
    /// In the dropping state.
    dropping: bool,
    /// When the next drop is due in the dropping state.
    drop_next: Micros,
    /// Drops since entering the dropping state.
    count: u32,
    /// `count` when the previous dropping state was entered.
    lastcount: u32,
}

/// The time of the next drop: `interval / sqrt(count)` after `t`.
fn control_law(t: Micros, count: u32) -> Micros {
    t + (CODEL_INTERVAL as f64 / f64::from(count.max(1)).sqrt()) as Micros
}

/// One direction of a link: a drop-tail queue in front of a trace-driven
/// bottleneck, then a fixed one-way delay. Opportunities carry
/// `OPPORTUNITY_BYTES` each, shared by queued packets in order (a packet may
/// span opportunities); an opportunity with nothing queued is lost, as in
/// Mahimahi. Optionally random loss and CoDel, with TCP-like resends and an
/// in-order receiver (module docs).
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
    /// Probability that a packet leaving the bottleneck is lost.
    loss: f64,
    rng: SplitMix64,
    /// CoDel's state, when enabled.
    codel: Option<CoDel>,
    /// Resends not yet at the bottleneck, by the time they get there.
    resends: VecDeque<Queued>,
    /// Sequence number of the next accepted packet.
    next_seq: u64,
    /// Sequence number the receiver delivers next.
    next_deliver: u64,
    /// Packets that reached the receiver behind a hole, by sequence number.
    held: BTreeMap<u64, Delivery>,
    /// `at` of the last delivery.
    last_at: Micros,
    lost: u64,
    codel_drops: u64,
}

impl BottleneckLink {
    /// A link over `trace`, `one_way` µs of propagation after the bottleneck,
    /// and a queue of at most `limit_bytes`.
    pub fn new(trace: CapacityTrace, one_way: Micros, limit_bytes: u64) -> Self {
        BottleneckLink {
            trace,
            one_way,
            limit_bytes,
            queue: VecDeque::new(),
            queued_bytes: 0,
            next_ms: 0,
            dropped: 0,
            loss: 0.0,
            rng: SplitMix64(1),
            codel: None,
            resends: VecDeque::new(),
            next_seq: 0,
            next_deliver: 0,
            held: BTreeMap::new(),
            last_at: 0,
            lost: 0,
            codel_drops: 0,
        }
    }

    /// Loses each packet leaving the bottleneck with probability `loss`
    /// (clamped to 0..=1; 0 turns loss off), drawn from a generator seeded with
    /// `seed`; the sender resends it (module docs).
    pub fn with_loss(mut self, loss: f64, seed: u64) -> Self {
        self.set_loss(loss);
        self.rng = SplitMix64(seed);
        self
    }

    /// Changes the loss probability from now on (the generator goes on).
    pub fn set_loss(&mut self, loss: f64) {
        self.loss = if loss > 0.0 { loss.min(1.0) } else { 0.0 };
    }

    /// Puts CoDel at the head of the queue (or not); the byte limit still applies.
    pub fn with_codel(mut self, on: bool) -> Self {
        self.codel = on.then(CoDel::default);
        self
    }

    /// Hands the link a packet at `now`; false when the queue is full (dropped).
    /// Call [`Self::advance`] up to `now` first so the queue is current.
    pub fn send(&mut self, id: u64, bytes: u32, now: Micros) -> bool {
        if self.queued_bytes + u64::from(bytes) > self.limit_bytes {
            self.dropped += 1;
            return false;
        }
        self.queue.push_back(Queued { id, bytes, left: bytes, arrived: now, seq: self.next_seq, admitted: false });
        self.next_seq += 1;
        self.queued_bytes += u64::from(bytes);
        true
    }

    /// Uses every opportunity up to `now` and returns the packets the receiver
    /// got, in send order (their `at` may lie after `now`: the one-way delay;
    /// with loss, a packet behind a hole comes out once the hole is filled).
    pub fn advance(&mut self, now: Micros) -> Vec<Delivery> {
        let mut out = Vec::new();
        // Millisecond `ms`'s opportunities are used at its end.
        while (self.next_ms + 1) * MS <= now {
            let ms = self.next_ms;
            self.next_ms += 1;
            let mut budget = self.trace.bytes_in_ms(ms);
            let at = (ms + 1) * MS;
            self.requeue(at);
            while budget > 0 {
                if self.codel.is_some() && self.queue.front().is_none_or(|h| !h.admitted) {
                    self.codel_dequeue(at);
                }
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
                    if self.loss > 0.0 && self.rng.unit() < self.loss {
                        self.lost += 1;
                        self.resend(q, at);
                    } else {
                        let d =
                            Delivery { id: q.id, bytes: q.bytes, at: at + self.one_way, queued_for: at - q.arrived };
                        self.receive(q.seq, d, &mut out);
                    }
                }
            }
        }
        self.requeue(now);
        out
    }

    /// Schedules the resend of `q`, lost or dropped at `at`: the sender learns of
    /// it from the next packet's duplicate acknowledgement, a round trip later.
    fn resend(&mut self, q: Queued, at: Micros) {
        let arrived = at + 2 * self.one_way;
        self.resends.push_back(Queued { left: q.bytes, arrived, admitted: false, ..q });
    }

    /// Moves the resends due by `t` to the queue's tail.
    fn requeue(&mut self, t: Micros) {
        while let Some(r) = self.resends.front().filter(|r| r.arrived <= t).copied() {
            self.resends.pop_front();
            self.queued_bytes += u64::from(r.bytes);
            self.queue.push_back(r);
        }
    }

    /// The receiver got packet `seq`: delivers it and whatever it unblocks, in order.
    fn receive(&mut self, seq: u64, d: Delivery, out: &mut Vec<Delivery>) {
        if seq != self.next_deliver {
            self.held.insert(seq, d);
            return;
        }
        let mut next = Some(d);
        while let Some(mut d) = next {
            d.at = d.at.max(self.last_at);
            self.last_at = d.at;
            out.push(d);
            self.next_deliver += 1;
            next = self.held.remove(&self.next_deliver);
        }
    }

    /// RFC 8289's `dodequeue` on the head at `now`: `None` when nothing is
    /// queued (or arrived), else whether CoDel may drop it.
    fn codel_head(&mut self, now: Micros) -> Option<bool> {
        let head = self.queue.front().filter(|h| h.arrived <= now).copied();
        let codel = self.codel.as_mut()?;
        let Some(head) = head else {
            codel.first_above = None;
            return None;
        };
        let sojourn = now - head.arrived;
        // Bytes left once the head is dequeued: no drop with at most a packet behind it.
        let behind = self.queued_bytes - u64::from(head.bytes);
        if sojourn < CODEL_TARGET || behind <= u64::from(OPPORTUNITY_BYTES) {
            codel.first_above = None;
            return Some(false);
        }
        match codel.first_above {
            None => {
                codel.first_above = Some(now + CODEL_INTERVAL);
                Some(false)
            }
            Some(t) => Some(now >= t),
        }
    }

    /// Drops the head (CoDel); TCP resends it.
    fn codel_drop(&mut self, now: Micros) {
        if let Some(q) = self.queue.pop_front() {
            self.queued_bytes -= u64::from(q.bytes);
            self.codel_drops += 1;
            self.resend(q, now);
        }
    }

    /// RFC 8289's `dequeue` at `now`: drops heads as the control law says, then
    /// admits the head left (if any) to service.
    fn codel_dequeue(&mut self, now: Micros) {
        let Some(mut ok) = self.codel_head(now) else {
            if let Some(c) = self.codel.as_mut() {
                c.dropping = false;
            }
            return;
        };
        let Some(c) = self.codel.as_ref() else { return };
        if c.dropping {
            let mut dropping = ok;
            let mut drop_next = c.drop_next;
            let mut count = c.count;
            while dropping && now >= drop_next {
                self.codel_drop(now);
                count += 1;
                ok = self.codel_head(now) == Some(true);
                if ok {
                    drop_next = control_law(drop_next, count);
                } else {
                    dropping = false;
                }
            }
            if let Some(c) = self.codel.as_mut() {
                (c.dropping, c.drop_next, c.count) = (dropping, drop_next, count);
            }
        } else if ok {
            self.codel_drop(now);
            self.codel_head(now);
            if let Some(c) = self.codel.as_mut() {
                c.dropping = true;
                // Dropping again soon after the last episode: resume near its rate.
                let delta = c.count.saturating_sub(c.lastcount);
                c.count = if delta > 1 && now < c.drop_next + 16 * CODEL_INTERVAL { delta } else { 1 };
                c.drop_next = control_law(now, c.count);
                c.lastcount = c.count;
            }
        }
        if let Some(h) = self.queue.front_mut().filter(|h| h.arrived <= now) {
            h.admitted = true;
        }
    }

    /// Bytes waiting in the queue.
    pub fn queued_bytes(&self) -> u64 {
        self.queued_bytes
    }

    /// Packets dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Resends: transmissions lost at random plus CoDel drops (each is resent once).
    pub fn retransmissions(&self) -> u64 {
        self.lost + self.codel_drops
    }

    /// Transmissions lost at random after leaving the bottleneck.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// Packets CoDel dropped at the head of the queue.
    pub fn codel_drops(&self) -> u64 {
        self.codel_drops
    }

    /// The capacity trace.
    pub fn trace(&self) -> &CapacityTrace {
        &self.trace
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::{BottleneckLink, CODEL_TARGET, Delivery};
    use crate::network::{MS, Micros, SECOND};
    use crate::sim::summary::quantile;
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

    /// 10,000 packets of 100..1500 bytes, one a millisecond, over 24 Mbit/s
    /// (about a third of capacity) with 20 ms each way; runs until everything arrived.
    fn lossy_run(link: BottleneckLink) -> (Vec<Delivery>, BottleneckLink) {
        let mut link = link;
        let mut out = Vec::new();
        for i in 0..10_000u64 {
            out.extend(link.advance(i * MS));
            assert!(link.send(i, 100 + (i * 379 % 1401) as u32, i * MS));
        }
        out.extend(link.advance(15 * SECOND));
        (out, link)
    }

    fn link_24m() -> BottleneckLink {
        BottleneckLink::new(CapacityTrace::fixed(24e6).unwrap(), 20 * MS, 1 << 20)
    }

    #[test]
    fn random_loss_resends_every_packet_once_in_order_and_deterministically() {
        let (plain, _) = lossy_run(link_24m());
        let (zero, z) = lossy_run(link_24m().with_loss(0.0, 7));
        assert_eq!(plain, zero, "loss 0 is the lossless link");
        assert_eq!(z.retransmissions(), 0);

        let (a, la) = lossy_run(link_24m().with_loss(0.1, 42));
        let ids: Vec<u64> = a.iter().map(|d| d.id).collect();
        assert_eq!(ids, (0..10_000).collect::<Vec<_>>(), "each packet exactly once, in send order");
        assert!(a.windows(2).all(|w| w[0].at <= w[1].at), "delivery times go backwards");
        // Each transmission is lost with p = 0.1: expected resends 0.1 / 0.9 = 11.1% of the packets.
        let r = la.retransmissions();
        println!("loss 0.1: {r} resends for 10000 packets");
        assert!((1000..=1200).contains(&r), "{r} resends");
        assert_eq!((la.lost(), la.codel_drops()), (r, 0));
        // Lost packets arrive at least a round trip late, and hold up the ones behind.
        let late = a.iter().zip(&plain).filter(|(x, y)| x.at >= y.at + 40 * MS).count();
        assert!(late >= 1000, "{late} packets a round trip late");

        let (b, lb) = lossy_run(link_24m().with_loss(0.1, 42));
        assert_eq!(a, b, "same seed, same run");
        assert_eq!(la.retransmissions(), lb.retransmissions());
        let (c, _) = lossy_run(link_24m().with_loss(0.1, 43));
        assert_ne!(a, c, "another seed, other losses");
    }

    #[test]
    fn a_lost_packet_holds_the_ones_behind_it_for_a_round_trip() {
        // 12 Mbit/s: one 1500-byte packet a millisecond; 20 ms each way.
        let mut link =
            BottleneckLink::new(CapacityTrace::parse_mahimahi("1").unwrap(), 20 * MS, 1 << 20).with_loss(0.999, 5);
        assert!(link.send(0, 1500, 0));
        assert!(link.advance(MS).is_empty());
        assert_eq!(link.retransmissions(), 1, "packet 0 left at 1 ms and was lost");
        link.set_loss(0.0);
        let mut out = Vec::new();
        for i in 1..=60 {
            out.extend(link.advance(i * MS));
            assert!(link.send(i, 1500, i * MS));
        }
        out.extend(link.advance(SECOND));
        let got: Vec<(u64, u64)> = out.iter().map(|d| (d.id, d.at / MS)).collect();
        // The resend joins the queue at 1 + 2 x 20 = 41 ms, behind packet 40 and
        // ahead of 41, leaves at 42 ms and arrives at 62 ms: packets 1..=40 (due
        // at 22..61 ms) wait for it; it costs those after it one millisecond.
        let want: Vec<(u64, u64)> = (0..=60).map(|i| (i, if i <= 40 { 62 } else { i + 22 })).collect();
        assert_eq!(got, want);
        assert_eq!(out[0].queued_for, MS, "the resend's own wait");
        assert_eq!(out[1].at - (2 + 20) * MS, 40 * MS, "packet 1 one round trip late");
    }

    /// An application with twice the link's capacity to send, over a TCP-like
    /// sender (Reno's window: +1 packet a window, +1 a packet below the slow-start
    /// threshold, halved on a loss or a full queue, once per window) for 20 s on
    /// 12 Mbit/s with 20 ms each way and a 1 MiB queue. Returns the p95 queue
    /// wait after the first 2 s, and the link.
    fn reno_overload(codel: bool) -> (Micros, BottleneckLink) {
        let mut link =
            BottleneckLink::new(CapacityTrace::parse_mahimahi("1").unwrap(), 20 * MS, 1 << 20).with_codel(codel);
        let (mut cwnd, mut ssthresh) = (10.0f64, f64::INFINITY);
        let (mut sent, mut acked, mut recover, mut backlog, mut seen) = (0u64, 0u64, 0u64, 0u64, 0u64);
        let mut acks: VecDeque<Micros> = VecDeque::new();
        let mut waits = Vec::new();
        for ms in 0..20_000 {
            let now = ms * MS;
            for d in link.advance(now) {
                acks.push_back(d.at + 20 * MS);
                if now >= 2 * SECOND {
                    waits.push(d.queued_for);
                }
            }
            while acks.front().is_some_and(|&t| t <= now) {
                acks.pop_front();
                acked += 1;
                cwnd += if cwnd < ssthresh { 1.0 } else { 1.0 / cwnd };
            }
            backlog += 2; // twice the 1 packet/ms the link carries
            let mut congested = link.retransmissions() > seen;
            seen = link.retransmissions();
            while backlog > 0 && ((sent - acked) as f64) < cwnd {
                if !link.send(sent, 1500, now) {
                    congested = true;
                    break;
                }
                sent += 1;
                backlog -= 1;
            }
            if congested && acked >= recover {
                cwnd = (cwnd / 2.0).max(2.0);
                ssthresh = cwnd;
                recover = sent;
            }
        }
        waits.sort_unstable();
        (quantile(&waits, 0.95), link)
    }

    #[test]
    fn codel_keeps_the_queue_short_under_overload_where_drop_tail_fills_it() {
        let (tail_p95, tail) = reno_overload(false);
        let (codel_p95, codel) = reno_overload(true);
        println!(
            "Reno at 2x overload, 1 MiB queue: p95 queue wait drop-tail {} ms, CoDel {} ms ({:.1}x); \
             CoDel drops {}, drop-tail refusals {}",
            tail_p95 / MS,
            codel_p95 / MS,
            tail_p95 as f64 / codel_p95.max(1) as f64,
            codel.codel_drops(),
            tail.dropped()
        );
        assert_eq!(tail.codel_drops(), 0);
        assert!(codel.codel_drops() > 0, "CoDel never dropped");
        assert_eq!(codel.retransmissions(), codel.codel_drops(), "every CoDel drop is resent");
        assert!(tail_p95 >= 200 * MS, "drop-tail p95 {} ms: the queue never filled", tail_p95 / MS);
        assert!(codel_p95 * 5 <= tail_p95, "CoDel p95 {} ms against drop-tail {} ms", codel_p95 / MS, tail_p95 / MS);
    }

    #[test]
    fn codel_lets_short_bursts_through() {
        // Half the capacity in bursts of 25 packets every 50 ms: up to 25 ms of
        // queue, above the 5 ms target for 20 ms at a time, never for an interval.
        let mut link =
            BottleneckLink::new(CapacityTrace::parse_mahimahi("1").unwrap(), 20 * MS, 1 << 20).with_codel(true);
        let mut out = Vec::new();
        let mut id = 0;
        for ms in 0..20_000 {
            out.extend(link.advance(ms * MS));
            if ms % 50 == 0 {
                for _ in 0..25 {
                    assert!(link.send(id, 1500, ms * MS));
                    id += 1;
                }
            }
        }
        out.extend(link.advance(21 * SECOND));
        assert_eq!(link.codel_drops(), 0);
        assert_eq!(out.len() as u64, id);
        let max = out.iter().map(|d| d.queued_for).max().unwrap_or(0);
        assert!(max >= 4 * CODEL_TARGET, "max wait {} ms", max / MS);
    }
}
