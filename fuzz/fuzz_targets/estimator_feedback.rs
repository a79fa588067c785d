//! The engine's feedback handling: an arbitrary sequence of transport events
//! (sends, acknowledgements, RTT samples, with fuzzer-chosen ids, sizes and
//! times, in or out of order) fed to a `BandwidthEstimator`. It must not
//! panic, and after every event the estimate must stay sane: finite, within
//! the configured floor and ceiling, the in-flight bytes equal to what was sent
//! and not yet acknowledged (as a model of the same events computes it), and
//! the remembered sends bounded.
//!
//! Input: 8-byte records: kind (u8 % 3), id (u8, so ids collide), time step
//! (u16 ms, times never go backwards as the caller's clock would not), size or
//! RTT (u32).
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use paprika_adapt::network::{BandwidthEstimator, EstimatorConfig, MS};

fuzz_target!(|data: &[u8]| {
    let cfg = EstimatorConfig { max_in_flight_records: 64, ..EstimatorConfig::default() };
    let mut est = BandwidthEstimator::new(cfg);
    let mut model: BTreeMap<u64, u32> = BTreeMap::new();
    let mut now = 0u64;
    for rec in data.chunks_exact(8) {
        let id = u64::from(rec[1]);
        now += u64::from(u16::from_le_bytes([rec[2], rec[3]])) * MS / 16;
        let value = u32::from_le_bytes([rec[4], rec[5], rec[6], rec[7]]);
        match rec[0] % 3 {
            0 => {
                let bytes = value % (1 << 20);
                est.on_sent(id, bytes, now);
                model.insert(id, bytes);
                while model.len() > cfg.max_in_flight_records {
                    model.pop_first();
                }
            }
            1 => {
                let known = model.remove(&id).is_some();
                assert_eq!(est.on_acked(id, now), known, "ack of {id}");
            }
            _ => est.on_rtt_sample(u64::from(value % (60 * 1000)) * MS / 1000, now),
        }
        let e = est.estimate();
        assert!(e.bandwidth_bps.is_finite() && e.pacing_bps.is_finite(), "{e:?}");
        assert!((cfg.min_bps..=cfg.max_bps).contains(&e.bandwidth_bps), "{e:?}");
        assert!(e.pacing_bps > 0.0 && e.pacing_bps <= 2.0 * cfg.max_bps, "{e:?}");
        assert_eq!(e.in_flight_bytes, model.values().map(|&b| u64::from(b)).sum::<u64>(), "{e:?}");
        assert!(e.in_flight_cap_bytes > 0);
    }
});
