//! Recording an engine's inputs and replaying them.
//!
//! The engine is deterministic: given the same configuration, policy, frames,
//! feedback and poll times, it produces the same updates. A [`Recorder`]
//! attached with [`crate::engine::Engine::record_to`] writes those inputs (frames
//! as the tiles that changed, lz4-compressed) and a digest of every poll's
//! updates; [`replay`] runs them through a fresh engine and checks every
//! digest, so a session's decisions can be reproduced and inspected bit for
//! bit (`paprika replay SESSION`). The format is in `docs/engine.md`.

mod format;
mod reader;
mod replay;
mod writer;

pub use reader::{RecordError, RecordedEvent, Recording};
pub use replay::{ReplayReport, replay};
pub use writer::Recorder;

/// 64-bit FNV-1a of every update of a poll: id, kind, rectangle and bytes.
pub fn updates_digest(updates: &[crate::engine::Update]) -> u64 {
    use crate::engine::UpdateKind;
    let mut h = format::Fnv::new();
    for u in updates {
        h.u64(u.id);
        match &u.kind {
            UpdateKind::Image { rect, data, lossless } => {
                h.u64(1);
                h.rect(rect);
                h.u64(u64::from(*lossless));
                h.bytes(data);
            }
            UpdateKind::StreamCreate { stream, rect, codec } => {
                h.u64(2);
                h.u64(u64::from(*stream));
                h.rect(rect);
                h.u64(*codec as u64);
            }
            UpdateKind::StreamFrame { stream, data, key } => {
                h.u64(3);
                h.u64(u64::from(*stream));
                h.u64(u64::from(*key));
                h.bytes(data);
            }
            UpdateKind::StreamDestroy { stream } => {
                h.u64(4);
                h.u64(u64::from(*stream));
            }
            UpdateKind::CopyBits { rect, src } => {
                h.u64(5);
                h.rect(rect);
                h.u64(u64::from(src.0) << 32 | u64::from(src.1));
            }
        }
    }
    h.finish()
}
