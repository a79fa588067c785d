//! `paprika info`: a stream's header fields, one `key: value` per line.

use std::path::PathBuf;

use anyhow::Context;
use paprika_codecs::quic;

use crate::codec::{self, Codec};

/// Arguments of `paprika info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input stream file (QUIC).
    #[arg(value_name = "IN")]
    pub input: PathBuf,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let path = &args.input;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let decoding = || format!("decoding {}", path.display());
    let codec = Codec::detect(&bytes).with_context(decoding)?;
    let (type_name, width, height) = match codec {
        Codec::Quic => {
            let h = quic::read_header(&bytes).with_context(decoding)?;
            (h.image_type.name(), h.width, h.height)
        }
    };
    let raw = codec::raw_bytes(width, height);
    let stream = bytes.len() as u64;
    println!("codec: {}", codec.name());
    println!("type: {type_name}");
    println!("width: {width}");
    println!("height: {height}");
    println!("stream_bytes: {stream}");
    println!("raw_bytes: {raw}");
    println!("ratio: {:.2}", codec::ratio(raw, stream));
    Ok(())
}
