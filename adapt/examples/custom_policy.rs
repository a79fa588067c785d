//! A policy of your own in one file, run through the emulator beside the
//! adaptive one: `cargo run --release -p paprika-adapt --example custom_policy`.
//!
//! `HalfJpeg` sends text losslessly with GLZ, every picture as JPEG at a quality
//! chosen from the bandwidth alone (no cost model), never streams, and refreshes
//! pictures losslessly after half a second. To put it into `paprika
//! bench-adapt`, give its name to `policy_by_name` (or pass your own
//! `make_policy` to `paprika_adapt::sim::Grid`).

use paprika_adapt::classify::Class;
use paprika_adapt::engine::{Engine, EngineConfig};
use paprika_adapt::network::{MS, Micros, SECOND};
use paprika_adapt::policy::{Choice, ImageCodec, Policy, PolicyContext, RegionInfo, VideoCodec, policy_by_name};
use paprika_adapt::sim::{CapacityTrace, FrameSequence, RunSummary, SessionConfig, run_session};
use paprika_codecs::{Image, ImageDesc, PixelFormat, Rect};

/// Text lossless, pictures JPEG at a quality from the bandwidth.
struct HalfJpeg;

impl Policy for HalfJpeg {
    fn name(&self) -> String {
        "half-jpeg".into()
    }

    fn choose(&mut self, region: &RegionInfo, ctx: &PolicyContext<'_>) -> Choice {
        match region.class {
            Class::Solid | Class::Text => Choice { codec: ImageCodec::Glz, reason: "text: GLZ".into() },
            Class::Image | Class::Video => {
                let mbps = ctx.screen_bps() / 1e6;
                let quality = if mbps > 20.0 {
                    90
                } else if mbps > 5.0 {
                    75
                } else {
                    50
                };
                Choice {
                    codec: ImageCodec::Jpeg { quality },
                    reason: format!("picture at {mbps:.1} Mbit/s: q{quality}"),
                }
            }
        }
    }

    fn stream(&mut self, _rect: Rect, _frames: u32, _ctx: &PolicyContext<'_>) -> Option<VideoCodec> {
        None
    }

    fn stream_bitrate(&mut self, _share: f64, _ctx: &PolicyContext<'_>) -> u32 {
        0
    }

    fn refresh_delay(&self, _class: Class) -> Micros {
        500 * MS
    }

    fn refresh_codec(&mut self, _region: &RegionInfo, _ctx: &PolicyContext<'_>) -> ImageCodec {
        ImageCodec::Glz
    }
}

/// Four seconds of a 512x320 screen: black-on-white "text" blocks typed in, and
/// a smooth gradient picture that changes every 5th frame.
fn screen() -> FrameSequence {
    let (w, h) = (512u32, 320u32);
    let desc = ImageDesc::packed(w, h, PixelFormat::Bgrx32).expect("a valid size");
    let mut px = vec![255u8; (w * h * 4) as usize];
    let mut frames = Vec::new();
    for f in 0..120u32 {
        let mut damage = vec![Rect::new(8 + (f % 40) * 6, 16 + (f / 40) * 14, 5, 10)];
        let g = damage[0];
        for y in g.y..g.y + g.height {
            for x in g.x..g.x + g.width {
                let o = 4 * (y * w + x) as usize;
                let ink = if (x + y + f) % 3 == 0 { 0 } else { 255 };
                px[o..o + 3].fill(ink);
            }
        }
        if f % 5 == 0 {
            let pic = Rect::new(256, 96, 224, 192);
            for y in pic.y..pic.y + pic.height {
                for x in pic.x..pic.x + pic.width {
                    let o = 4 * (y * w + x) as usize;
                    px[o] = ((x * 3 + f * 7) % 256) as u8;
                    px[o + 1] = ((y * 2 + x) % 256) as u8;
                    px[o + 2] = ((x ^ y) / 2 + f) as u8;
                }
            }
            damage.push(pic);
        }
        let damage = if f == 0 { vec![Rect::new(0, 0, w, h)] } else { damage };
        let img = Image::from_vec(desc, px.clone()).expect("the buffer fits");
        frames.push((u64::from(f) * SECOND / 30, img, Some(damage)));
    }
    FrameSequence::new(frames)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let trace = CapacityTrace::fixed(3e6)?;
    let policies: Vec<Box<dyn Policy>> = vec![Box::new(HalfJpeg), policy_by_name("adaptive").ok_or("adaptive")?];
    println!("{:>10} {:>9} {:>9} {:>7} {:>9}", "policy", "p95 ms", "SSIM", "PSNR", "bytes");
    for policy in policies {
        let mut engine = Engine::new(EngineConfig::new(512, 320), policy)?;
        let report = run_session(&mut engine, &mut screen(), &SessionConfig::new(trace.clone()))?;
        let s = RunSummary::from_report(&report, "fixed-3M", "typing+picture");
        println!(
            "{:>10} {:>9.0} {:>9.4} {:>7.1} {:>9}",
            s.policy, s.latency_p95_ms, s.ssim_mean, s.psnr_mean_db, s.bytes_sent
        );
    }
    Ok(())
}
