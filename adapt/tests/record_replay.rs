//! Record/replay: a recorded session replays to the same updates, poll for
//! poll, and a recording that was changed is caught (or refused when broken).

mod scene;

use std::io::Write;
use std::sync::{Arc, Mutex};

use paprika_adapt::engine::{Engine, EngineConfig};
use paprika_adapt::network::SECOND;
use paprika_adapt::policy::policy_by_name;
use paprika_adapt::record::{RecordError, RecordedEvent, Recording, replay};
use paprika_adapt::sim::{CapacityTrace, SessionConfig, run_session};

/// A `Write` the test can read back after the engine is done with it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn record(policy: &str, bps: f64) -> Vec<u8> {
    let sink = Shared::default();
    let mut engine = Engine::new(EngineConfig::new(640, 448), policy_by_name(policy).unwrap()).unwrap();
    engine.record_to(Box::new(sink.clone())).unwrap();
    let mut cfg = SessionConfig::new(CapacityTrace::fixed(bps).unwrap());
    cfg.tail = 2 * SECOND;
    cfg.ssim_interval = 100 * SECOND;
    let report = run_session(&mut engine, &mut scene::scene(), &cfg).unwrap();
    assert!(report.engine.updates > 50);
    engine.finish_recording().unwrap();
    sink.0.lock().unwrap().clone()
}

#[test]
fn replays_reproduce_every_poll() {
    // The adaptive policy on a link where it streams and goes lossy, and a baseline.
    for (policy, bps) in [("adaptive", 2e6), ("adaptive", 20e6), ("spice-like", 2e6)] {
        let bytes = record(policy, bps);
        let size = bytes.len();
        let rec = Recording::parse(bytes).unwrap();
        let (frames, feedback, polls) = rec.counts();
        assert_eq!(frames, 90);
        assert!(feedback > 100 && polls > 500, "{feedback} feedback events, {polls} polls");
        let mut described = 0;
        let report = replay(&rec, None, |_, updates| described += updates.len()).unwrap();
        println!("{policy} at {bps}: {} polls, {} updates, {size} bytes recorded", report.polls, report.updates);
        assert!(
            report.identical(),
            "{policy}: polls {:?} differ",
            &report.mismatches[..report.mismatches.len().min(5)]
        );
        assert_eq!(report.polls as usize, polls);
        assert_eq!(described as u64, report.updates);
    }
}

#[test]
fn a_changed_input_is_caught() {
    let rec = Recording::parse(record("adaptive", 2e6)).unwrap();
    // Drop one acknowledgement in the middle: the estimator, and so the
    // decisions, must come out differently somewhere after it.
    let mut changed = rec.clone();
    let k =
        changed.events.iter().enumerate().filter(|(_, e)| matches!(e, RecordedEvent::Feedback(_))).nth(200).unwrap().0;
    changed.events.remove(k);
    let report = replay(&changed, None, |_, _| {}).unwrap();
    assert!(!report.identical(), "a missing acknowledgement went unnoticed");
    // Replaying with another policy differs too.
    let other = replay(&rec, policy_by_name("static-glz"), |_, _| {}).unwrap();
    assert!(!other.identical());
}

#[test]
fn broken_recordings_are_refused_with_typed_errors() {
    let bytes = record("static-glz", 20e6);
    assert_eq!(Recording::parse(b"nope".to_vec()).unwrap_err(), RecordError::BadMagic);
    let mut v = bytes.clone();
    v[4] = 9;
    assert_eq!(Recording::parse(v).unwrap_err(), RecordError::UnsupportedVersion(9));
    // A surface too large to replay is refused before anything is allocated for it.
    let huge = Shared::default();
    let rec =
        paprika_adapt::record::Recorder::new(Box::new(huge.clone()), &EngineConfig::new(16384, 16384), "adaptive")
            .unwrap();
    drop(rec);
    let header = huge.0.lock().unwrap().clone();
    assert!(matches!(Recording::parse(header), Err(RecordError::BadConfig(_))));
    // Every truncation in the first few kilobytes and at a spread of later points:
    // an error or a shorter valid recording, never a panic.
    let cuts = (0..4096.min(bytes.len())).chain((4096..bytes.len()).step_by(997));
    for cut in cuts {
        let _ = Recording::parse(bytes[..cut].to_vec());
    }
    // Corrupted bytes: parse or replay fails cleanly, or replays with mismatches.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..60 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut v = bytes.clone();
        let at = 8 + (x as usize % (v.len() - 8));
        v[at] ^= 1 << ((x >> 60) as u32 % 8);
        if let Ok(rec) = Recording::parse(v) {
            let _ = replay(&rec, None, |_, _| {});
        }
    }
}
