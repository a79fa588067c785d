//! What the engine tells the server to send, and why.

use paprika_codecs::Rect;

use crate::classify::Class;
use crate::policy::VideoCodec;

/// Bytes a SPICE draw or stream message adds around a payload (message and
/// draw headers, clip and rectangle); used for wire sizes.
pub const MESSAGE_OVERHEAD: usize = 48;

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateKind {
    /// Draw a SPICE image (descriptor and payload, [`paprika_codecs::wire`]) at `rect`.
    Image {
        /// Destination on the surface; the image is its size.
        rect: Rect,
        /// The SPICE image.
        data: Vec<u8>,
        /// Whether the client will hold the source exactly.
        lossless: bool,
    },
    /// Create a stream over `rect`.
    StreamCreate {
        /// Stream id.
        stream: u32,
        /// Destination (even sides for H.264).
        rect: Rect,
        /// Its codec.
        codec: VideoCodec,
    },
    /// A frame of a stream: H.264 access unit or JFIF image.
    StreamFrame {
        /// Stream id.
        stream: u32,
        /// The encoded frame.
        data: Vec<u8>,
        /// Decodable on its own.
        key: bool,
    },
    /// End a stream.
    StreamDestroy {
        /// Stream id.
        stream: u32,
    },
    /// Copy the client's own pixels from `src` (top-left corner) onto `rect`:
    /// SPICE's `COPY_BITS`, how a scroll is sent without re-coding what moved.
    CopyBits {
        /// Destination on the surface.
        rect: Rect,
        /// Top-left corner of the source, a rectangle of `rect`'s size.
        src: (u32, u32),
    },
}

/// Bytes `COPY_BITS` adds to the message overhead: the source point.
pub const COPY_BITS_BYTES: usize = 8;

/// Why an update was sent the way it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The region.
    pub rect: Rect,
    /// Its class.
    pub class: Class,
    /// The codec (`glz`, `jpeg70`, `h264`, …).
    pub codec: String,
    /// The policy's reason.
    pub reason: String,
    /// Bytes the cost model predicted.
    pub predicted_bytes: f64,
    /// Bytes it took.
    pub bytes: u64,
    /// The bandwidth estimate when deciding, bits per second.
    pub bandwidth_bps: f64,
    /// The poll's remaining budget when deciding, bytes.
    pub budget_bytes: u64,
    /// A lossless refresh of a region sent lossy.
    pub refresh: bool,
}

/// One update: an id for feedback, the message, and its decision record.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Id to report back in [`crate::engine::Feedback`].
    pub id: u64,
    /// The message.
    pub kind: UpdateKind,
    /// Why (absent for stream bookkeeping).
    pub decision: Option<Decision>,
}

impl Update {
    /// Bytes this update takes on the wire.
    pub fn wire_bytes(&self) -> usize {
        MESSAGE_OVERHEAD
            + match &self.kind {
                UpdateKind::Image { data, .. } | UpdateKind::StreamFrame { data, .. } => data.len(),
                UpdateKind::StreamCreate { .. } | UpdateKind::StreamDestroy { .. } => 0,
                UpdateKind::CopyBits { .. } => COPY_BITS_BYTES,
            }
    }

    /// One line for logs: id, kind, rectangle, codec, bytes and the reason.
    pub fn describe(&self) -> String {
        let what = match &self.kind {
            UpdateKind::Image { rect, lossless, .. } => format!(
                "image {}x{}+{}+{} {}",
                rect.width,
                rect.height,
                rect.x,
                rect.y,
                if *lossless { "lossless" } else { "lossy" }
            ),
            UpdateKind::StreamCreate { stream, rect, codec } => {
                format!("stream {stream} create {}x{}+{}+{} {codec:?}", rect.width, rect.height, rect.x, rect.y)
            }
            UpdateKind::StreamFrame { stream, key, .. } => {
                format!("stream {stream} frame{}", if *key { " (key)" } else { "" })
            }
            UpdateKind::StreamDestroy { stream } => format!("stream {stream} destroy"),
            UpdateKind::CopyBits { rect, src } => {
                format!("copy {}x{}+{}+{} from +{}+{}", rect.width, rect.height, rect.x, rect.y, src.0, src.1)
            }
        };
        match &self.decision {
            Some(d) => format!(
                "#{} {what}: {:?} {} {} B (predicted {:.0}) — {}",
                self.id, d.class, d.codec, d.bytes, d.predicted_bytes, d.reason
            ),
            None => format!("#{} {what}", self.id),
        }
    }
}
