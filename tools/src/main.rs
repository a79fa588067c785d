//! `paprika`: encode, decode and inspect SPICE image streams from the command line.

mod bench_report;
mod bitrate;
mod cmd_audio;
mod cmd_bench;
mod cmd_bench_adapt;
mod cmd_classify;
mod cmd_decode;
mod cmd_demo;
mod cmd_encode;
mod cmd_info;
mod cmd_replay;
mod cmd_stream;
mod codec;
mod jpeg_header;
mod palette;
mod png_io;
mod timing;
mod workloads;

use clap::{Parser, Subcommand};

/// Command-line arguments of `paprika`.
#[derive(Debug, Parser)]
#[command(
    name = "paprika",
    version,
    about = "Encode, decode and inspect SPICE image streams (QUIC, LZ, GLZ, LZ4, JPEG, JPEG_ALPHA, SPICE images)"
)]
struct Cli {
    /// The command to run.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Encode a PNG image into a codec stream (a JPEG file with --codec jpeg, a SPICE
    /// JPEG_ALPHA image with --codec jpeg-alpha), or with --codec glz a sequence of PNGs
    /// against one dictionary.
    Encode(cmd_encode::Args),
    /// Decode a codec stream (codec detected from its magic, or a JPEG's SOI marker) into
    /// a PNG or raw BGRX file, or with --codec glz a sequence of GLZ frames through one window.
    Decode(cmd_decode::Args),
    /// Print the header fields of a codec stream, one `key: value` per line.
    Info(cmd_info::Args),
    /// Encode, decode and verify an image with QUIC, LZ, LZ4, GLZ (pixel-exact) and JPEG
    /// (PSNR), and print sizes and speeds.
    Demo(cmd_demo::Args),
    /// Measure an encoder on one picture: `bench jpeg` gives bytes, PSNR and MB/s of our
    /// JPEG encoder on 1 thread and on --threads.
    Bench(cmd_bench::Args),
    /// Opus audio with SPICE's parameters: `audio encode` a 48 kHz WAV into an Ogg Opus
    /// file of 10 ms packets, `audio decode` one into a WAV (with --lose-every N to hear
    /// packet-loss concealment).
    Audio(cmd_audio::AudioArgs),
    /// Encode PNG frames (files or directories) as an H.264 or MJPEG stream at a target
    /// bitrate, decode it back, and print fps, achieved bitrate, PSNR and SSIM.
    Stream(cmd_stream::Args),
    /// Re-run a recorded engine session, print every decision with its reason, and
    /// check that each poll reproduces the recording bit for bit.
    Replay(cmd_replay::Args),
    /// Classify a PNG's tiles as the adaptive engine does (Solid, Text, Image, Video):
    /// print the count per class and the merged regions, and with -o draw a tinted map.
    /// A single image gets each tile's content class; --frames feeds a sequence and
    /// reports the classes settled after its last frame.
    Classify(cmd_classify::Args),
    /// The adaptation benchmark: every policy over network traces and desktop workloads
    /// in the emulator; writes runs.csv, per-run series, summary.md and plots.
    BenchAdapt(cmd_bench_adapt::Args),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Encode(args) => cmd_encode::run(&args),
        Command::Decode(args) => cmd_decode::run(&args),
        Command::Info(args) => cmd_info::run(&args),
        Command::Demo(args) => cmd_demo::run(&args),
        Command::Bench(args) => cmd_bench::run(&args),
        Command::Audio(args) => cmd_audio::run(&args),
        Command::Stream(args) => cmd_stream::run(&args),
        Command::Replay(args) => cmd_replay::run(&args),
        Command::Classify(args) => cmd_classify::run(&args),
        Command::BenchAdapt(args) => cmd_bench_adapt::run(&args),
    }
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}
