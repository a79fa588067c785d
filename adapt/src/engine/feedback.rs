//! What the transport and the client report back.

use crate::network::Micros;

/// One feedback event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feedback {
    /// Update `id` left the server: `bytes` on the wire at `at`.
    Sent {
        /// The update's id.
        id: u64,
        /// Bytes on the wire.
        bytes: u32,
        /// When.
        at: Micros,
    },
    /// The client acknowledged update `id` at `at` (server's clock).
    Acked {
        /// The update's id.
        id: u64,
        /// When the acknowledgement arrived.
        at: Micros,
    },
    /// A round-trip sample (a ping).
    Rtt {
        /// The round trip.
        rtt: Micros,
        /// When it was measured.
        at: Micros,
    },
    /// The client took `micros` to decode update `id`.
    Decoded {
        /// The update's id.
        id: u64,
        /// Decode time on the client.
        micros: Micros,
    },
    /// A stream report: frames shown and dropped since the last one, and the
    /// playback margin (negative: frames arrive late).
    StreamReport {
        /// The stream.
        stream: u32,
        /// Frames shown.
        shown: u32,
        /// Frames dropped.
        dropped: u32,
        /// Playback margin, ms.
        margin_ms: i32,
        /// When.
        at: Micros,
    },
}
