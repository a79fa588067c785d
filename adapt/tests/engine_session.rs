//! The engine in closed loop: a screen with typing, a photo slideshow and a
//! panning "video" window, sent over emulated links with every policy. After the
//! source stops, the client's screen must equal the source exactly (the lossless
//! refresh guarantee), with no update the client cannot apply.

use paprika_adapt::engine::{Engine, EngineConfig};
use paprika_adapt::network::{MS, Micros, SECOND};
use paprika_adapt::policy::{POLICY_NAMES, policy_by_name};
use paprika_adapt::sim::{CapacityTrace, SessionConfig, SessionReport, run_session};

mod scene;

use scene::scene;

fn run(policy: &str, trace: CapacityTrace, tail: Micros) -> (SessionReport, bool) {
    let mut source = scene();
    let mut engine = Engine::new(EngineConfig::new(640, 448), policy_by_name(policy).unwrap()).unwrap();
    let mut cfg = SessionConfig::new(trace);
    cfg.tail = tail;
    cfg.ssim_interval = 10 * SECOND;
    let report = run_session(&mut engine, &mut source, &cfg).unwrap();
    (report, engine.is_converged())
}

fn check(policy: &str, label: &str, r: &SessionReport, converged: bool) {
    let lat = {
        let mut l = r.latencies.clone();
        l.sort_unstable();
        l.get(l.len() * 95 / 100).copied().unwrap_or(0)
    };
    println!(
        "{label:>12} {policy:>16}: {:>8} B sent, util {:.2}, p95 latency {:>4} ms, lossless {:?} ms after the end, {} streams, {} lossy, {} refreshes",
        r.bytes_sent,
        r.utilisation(),
        lat / MS,
        r.time_to_lossless.map(|t| t / MS),
        r.engine.streams_created,
        r.engine.lossy_images,
        r.engine.refreshes
    );
    assert_eq!(r.client_errors, 0, "{policy} on {label}: the client could not apply an update");
    assert!(r.time_to_lossless.is_some(), "{policy} on {label}: the client never equalled the source");
    assert!(converged, "{policy} on {label}: the engine still holds lossy or dirty tiles");
    assert_eq!(r.unserved_changes, 0, "{policy} on {label}: changes never shown");
    assert!(!r.latencies.is_empty());
}

#[test]
fn every_policy_converges_on_a_fast_link() {
    for policy in POLICY_NAMES {
        let (r, c) = run(policy, CapacityTrace::fixed(20e6).unwrap(), 3 * SECOND);
        check(policy, "20 Mbit/s", &r, c);
    }
}

#[test]
fn every_policy_converges_on_a_slow_link() {
    for policy in POLICY_NAMES {
        let (r, c) = run(policy, CapacityTrace::fixed(1e6).unwrap(), 8 * SECOND);
        check(policy, "1 Mbit/s", &r, c);
    }
}

#[test]
fn every_policy_converges_through_a_capacity_drop() {
    for policy in POLICY_NAMES {
        let (r, c) = run(policy, CapacityTrace::steps(&[(1000, 20e6), (10_000, 1.5e6)]).unwrap(), 8 * SECOND);
        check(policy, "20 -> 1.5", &r, c);
    }
}

#[test]
fn adaptive_streams_the_video_and_sends_text_losslessly() {
    let (r, _) = run("adaptive", CapacityTrace::fixed(20e6).unwrap(), 3 * SECOND);
    assert!(r.engine.streams_created >= 1, "the panning window became a stream");
    assert!(r.engine.stream_frames >= 10, "{} stream frames", r.engine.stream_frames);
    let (slow, _) = run("adaptive", CapacityTrace::fixed(1e6).unwrap(), 8 * SECOND);
    assert!(slow.engine.lossy_images >= 1, "on 1 Mbit/s the photos go lossy first");
    assert!(slow.engine.refreshes >= 1, "and are refreshed losslessly");
}

#[test]
fn the_client_reports_decode_times_stream_health_and_ping_round_trips() {
    let mut source = scene();
    let mut engine = Engine::new(EngineConfig::new(640, 448), policy_by_name("adaptive").unwrap()).unwrap();
    let mut cfg = SessionConfig::new(CapacityTrace::fixed(20e6).unwrap());
    cfg.ssim_interval = 10 * SECOND;
    cfg.ping_interval = 200 * MS;
    let r = run_session(&mut engine, &mut source, &cfg).unwrap();
    let (decoded, streams, pings) = (r.client_reports.decoded, r.client_reports.stream, r.client_reports.pings);
    println!("{decoded} decode reports, {streams} stream reports, {pings} pings; srtt {:?}", engine.estimate().srtt);
    assert!(
        decoded as f64 > r.engine.updates as f64 * 0.3,
        "{decoded} decode reports for {} updates",
        r.engine.updates
    );
    assert!(r.engine.streams_created >= 1 && streams >= 2, "{streams} stream reports");
    let seconds = r.duration as f64 / SECOND as f64;
    assert!((pings as f64 - seconds * 5.0).abs() <= 2.0, "{pings} pings in {seconds:.1} s");
    // The engine learned the client's 4 ns per pixel from the decode reports.
    let d =
        engine.costs().predict(paprika_adapt::policy::ImageCodec::Glz, paprika_adapt::classify::Class::Text, 1_000_000);
    assert!((d.decode_us - 4000.0).abs() < 400.0, "learned {} µs per Mpx", d.decode_us);
    // Acknowledgements and pings give the engine the path's round trip.
    let srtt = engine.estimate().srtt.unwrap_or(0);
    assert!((40 * MS..80 * MS).contains(&srtt), "srtt {srtt} µs on a 40 ms path");
}

#[test]
fn text_is_lossless_within_150_ms_of_its_last_change_at_2_mbit() {
    for bps in [2e6, 5e6] {
        let (r, _) = run("adaptive", CapacityTrace::fixed(bps).unwrap(), 3 * SECOND);
        let mut t = r.text_lossless.clone();
        t.sort_unstable();
        let p95 = paprika_adapt::sim::quantile(&t, 0.95);
        let max = t.last().copied().unwrap_or(0);
        let mut i = r.image_lossless.clone();
        i.sort_unstable();
        println!(
            "{:.0} Mbit/s: text tiles lossless after their last change: {} samples, p95 {} ms, max {} ms; image tiles p95 {} ms",
            bps / 1e6,
            t.len(),
            p95 / MS,
            max / MS,
            paprika_adapt::sim::quantile(&i, 0.95) / MS
        );
        assert!(t.len() >= 20, "too few text samples: {}", t.len());
        // The 95th percentile: the slowest tiles are text tiles that also hold part
        // of the photo replaced at 1 s, sent with it.
        assert!(p95 <= 150 * MS, "text p95 {} ms, max {} ms", p95 / MS, max / MS);
    }
}

#[test]
fn random_loss_delays_updates_but_the_client_still_converges() {
    let p95 = |r: &SessionReport| {
        let mut l = r.latencies.clone();
        l.sort_unstable();
        paprika_adapt::sim::quantile(&l, 0.95)
    };
    let session = |loss: f64, codel: bool| {
        let mut source = scene();
        let mut engine = Engine::new(EngineConfig::new(640, 448), policy_by_name("adaptive").unwrap()).unwrap();
        let mut cfg = SessionConfig::new(CapacityTrace::fixed(5e6).unwrap());
        cfg.ssim_interval = 10 * SECOND;
        (cfg.loss, cfg.codel, cfg.seed) = (loss, codel, 11);
        let report = run_session(&mut engine, &mut source, &cfg).unwrap();
        let converged = engine.is_converged();
        (report, converged)
    };
    let (clean, c) = session(0.0, false);
    check("adaptive", "no loss", &clean, c);
    assert_eq!((clean.retransmissions, clean.codel_drops), (0, 0));
    let (lossy, c) = session(0.02, false);
    check("adaptive", "2% loss", &lossy, c);
    let (codel, c) = session(0.02, true);
    check("adaptive", "2% + CoDel", &codel, c);
    println!(
        "5 Mbit/s, RTT 40 ms: p95 latency {} ms without loss, {} ms with 2% loss ({} resends of {} B sent), \
         {} ms with 2% loss and CoDel ({} resends, {} CoDel drops)",
        p95(&clean) / MS,
        p95(&lossy) / MS,
        lossy.retransmissions,
        lossy.bytes_sent,
        p95(&codel) / MS,
        codel.retransmissions,
        codel.codel_drops
    );
    assert!(lossy.retransmissions > 0 && lossy.codel_drops == 0);
    assert!(p95(&lossy) > p95(&clean), "a resend holds the segments behind it for a round trip");
}
