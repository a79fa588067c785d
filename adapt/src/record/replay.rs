//! `replay`: a recording through a fresh engine, every poll checked.

use paprika_codecs::{ImageDesc, ImageRef, PixelFormat};

use super::reader::{RecordError, RecordedEvent, Recording};
use super::updates_digest;
use crate::damage::TileGrid;
use crate::engine::{Engine, Update};
use crate::policy::{Policy, policy_by_name};

/// What a replay found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Frames submitted.
    pub frames: u64,
    /// Polls run.
    pub polls: u64,
    /// Updates produced.
    pub updates: u64,
    /// Polls whose updates differ from the recording (index of the poll).
    pub mismatches: Vec<u64>,
}

impl ReplayReport {
    /// Whether every poll reproduced the recording.
    pub fn identical(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Replays `rec` with its recorded policy (or `policy`, for one outside
/// [`policy_by_name`]); `on_poll` sees each poll's time and updates.
pub fn replay(
    rec: &Recording,
    policy: Option<Box<dyn Policy>>,
    mut on_poll: impl FnMut(u64, &[Update]),
) -> Result<ReplayReport, RecordError> {
    let policy = match policy {
        Some(p) => p,
        None => policy_by_name(&rec.policy).ok_or_else(|| RecordError::UnknownPolicy(rec.policy.clone()))?,
    };
    let cfg = rec.config;
    let mut engine = Engine::new(cfg, policy).map_err(RecordError::Engine)?;
    let grid = TileGrid::new(cfg.width, cfg.height, cfg.tile).map_err(RecordError::Engine)?;
    let w = cfg.width as usize;
    let mut screen = vec![0u8; w * cfg.height as usize * 4];
    let desc = ImageDesc::packed(cfg.width, cfg.height, PixelFormat::Bgrx32).map_err(RecordError::Engine)?;
    let mut report = ReplayReport::default();
    for event in &rec.events {
        match event {
            RecordedEvent::Frame { now, hint, tiles, packed } => {
                let expect: usize = tiles
                    .iter()
                    .map(|&i| {
                        let r = grid.tile_rect(i as usize);
                        r.width as usize * r.height as usize * 4
                    })
                    .sum();
                let pixels = lz4_flex::block::decompress(rec.slice(packed.clone()), expect)
                    .ok()
                    .filter(|p| p.len() == expect)
                    .ok_or(RecordError::BadPixels(packed.start))?;
                let mut at = 0;
                for &i in tiles {
                    let r = grid.tile_rect(i as usize);
                    let row = r.width as usize * 4;
                    for y in r.y..r.y + r.height {
                        let d = (y as usize * w + r.x as usize) * 4;
                        screen[d..d + row].copy_from_slice(&pixels[at..at + row]);
                        at += row;
                    }
                }
                let img = ImageRef::new(desc, &screen).map_err(RecordError::Engine)?;
                engine.submit_frame(&img, hint.as_deref(), *now).map_err(RecordError::Engine)?;
                report.frames += 1;
            }
            RecordedEvent::Feedback(f) => engine.on_feedback(*f),
            RecordedEvent::Poll { now, updates, digest } => {
                let out = engine.poll(*now).map_err(RecordError::Engine)?;
                if out.len() != *updates as usize || updates_digest(&out) != *digest {
                    report.mismatches.push(report.polls);
                }
                on_poll(*now, &out);
                report.updates += out.len() as u64;
                report.polls += 1;
            }
        }
    }
    Ok(report)
}
