//! `paprika replay`: re-runs a recorded engine session and prints its decisions.

use std::path::PathBuf;

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::Parser;
use paprika_adapt::record::{Recording, replay};

/// Arguments of `paprika replay`.
#[derive(Debug, Parser)]
pub struct Args {
    /// A recording (`Engine::record_to`, or `paprika bench-adapt --record`).
    pub session: PathBuf,
    /// Print only the summary, not every update.
    #[arg(long)]
    pub quiet: bool,
}

/// Replays the recording, printing each poll's updates with their reasons; fails
/// when a poll's updates differ from the recorded ones.
pub fn run(args: &Args) -> Result<()> {
    let bytes = std::fs::read(&args.session).with_context(|| format!("reading {}", args.session.display()))?;
    let size = bytes.len();
    let rec = Recording::parse(bytes).with_context(|| format!("parsing {}", args.session.display()))?;
    let (frames, feedback, polls) = rec.counts();
    println!(
        "{}: {}x{} surface, policy {}, {frames} frames, {feedback} feedback events, {polls} polls ({size} bytes)",
        args.session.display(),
        rec.config.width,
        rec.config.height,
        rec.policy
    );
    let quiet = args.quiet;
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) stops the printing, not the replay's check.
    let mut printing = !quiet;
    let report = replay(&rec, None, |now, updates| {
        for u in updates {
            if !printing {
                break;
            }
            printing = writeln!(out, "{:>9.3} s  {}", now as f64 / 1e6, u.describe()).is_ok();
        }
    })
    .context("replaying")?;
    // The summary goes out even when the listing's reader has gone; errors ignored likewise.
    let _ = writeln!(out, "replayed {} frames, {} polls, {} updates", report.frames, report.polls, report.updates);
    if !report.identical() {
        let first: Vec<String> = report.mismatches.iter().take(5).map(|p| p.to_string()).collect();
        bail!(
            "{} of {} polls differ from the recording (first: {})",
            report.mismatches.len(),
            report.polls,
            first.join(", ")
        );
    }
    let _ = writeln!(out, "every poll reproduced the recording exactly");
    Ok(())
}
