//! `paprika classify`: what the adaptive engine's classifier makes of a screen, tile
//! by tile (counts per class, merged regions, and optionally a tinted map).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use paprika_adapt::classify::{Class, Classifier, ClassifierConfig, DWELL};
use paprika_adapt::damage::{DEFAULT_TILE, DamageTracker, TileGrid};
use paprika_codecs::{Image, ImageDesc, PixelFormat, Rect};

use crate::png_io;

/// Largest `--tile`: beyond it a whole screen is a handful of tiles and the
/// per-tile statistics say nothing about where text or photos are.
const MAX_TILE: u32 = 1024;

/// Region lines printed before the rest are only counted, so a noisy screen stays readable.
const MAX_REGION_LINES: usize = 20;

/// Weight of the class colour in a tinted pixel, out of 256: about 40%, which
/// keeps glyphs and photo detail recognisable under the tint.
const TINT: u32 = 102;

/// Below this tile side an outline would cover most of the tile and hide both the
/// content and the tint.
const MIN_OUTLINE_TILE: u32 = 8;

/// Arguments of `paprika classify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input PNG. Alone it is one still image: every tile counts as changed and gets
    /// the class its pixels suggest (its content class: Solid, Text or Image; on a
    /// tile's first observation the classifier takes that class at once). With
    /// --frames it is the first frame of the sequence.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Write IN (with --frames: the last frame) with each tile tinted by its class and
    /// outlined in the class colour: Text blue, Image green, Video red, Solid grey.
    #[arg(short, long, value_name = "MAP.png")]
    pub output: Option<PathBuf>,
    /// Tile side in pixels, 1 to 1024 (the classifier's thresholds are tuned on 64).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TILE)]
    pub tile: u32,
    /// Further frames of IN's size, fed after it in order; the map then shows the
    /// classes the classifier has settled on after the last one (a class change needs
    /// 3 consecutive observations, except to Solid; Video needs Image content changing
    /// largely in 8 of the last 10 frames over at least 2x2 tiles).
    #[arg(long, value_name = "FRAME", num_args = 1..)]
    pub frames: Vec<PathBuf>,
}

/// The label a tile is reported with: a class, or none before its first observation.
type Label = Option<Class>;

/// Classifies the input (or the sequence), prints counts and regions, and writes the map.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if args.tile == 0 || args.tile > MAX_TILE {
        bail!("--tile {} is outside 1..={MAX_TILE}", args.tile);
    }
    let first = load_bgrx(&args.input)?;
    let (width, height) = (first.width(), first.height());
    let mut tracker = DamageTracker::new(width, height, args.tile)
        .with_context(|| format!("cutting {width}x{height} into {}-pixel tiles", args.tile))?;
    let grid = *tracker.grid();
    let mut classifier = Classifier::new(grid, ClassifierConfig::default());
    observe(&mut tracker, &mut classifier, &first, 0, &args.input)?;
    let mut last = first;
    for (i, path) in args.frames.iter().enumerate() {
        let frame = load_bgrx(path)?;
        if (frame.width(), frame.height()) != (width, height) {
            bail!(
                "frame {} is {}x{}, but {} is {width}x{height}: every frame must have the first one's size",
                path.display(),
                frame.width(),
                frame.height(),
                args.input.display()
            );
        }
        observe(&mut tracker, &mut classifier, &frame, i as u64 + 1, path)?;
        last = frame;
    }

    // A still image has no history for hysteresis to act on, so its honest answer is
    // what the pixels say; a sequence is reported as the engine would act on it.
    let settled = !args.frames.is_empty();
    let labels: Vec<Label> =
        (0..grid.len()).map(|i| if settled { classifier.class(i) } else { Some(classifier.tile(i).content) }).collect();

    let n_frames = args.frames.len() + 1;
    println!(
        "{}: {width}x{height}, {n_frames} frame{}, {}-pixel tiles ({}x{} = {})",
        args.input.display(),
        if n_frames == 1 { "" } else { "s" },
        grid.tile(),
        grid.cols(),
        grid.rows(),
        grid.len()
    );
    if settled {
        println!("classes settled after the last frame");
    } else {
        println!("content class of each tile (one still image)");
    }
    print_counts(&labels);
    if settled {
        // Tiles whose last observation disagrees with their class are mid-switch:
        // worth knowing when a sequence is too short for the dwell to elapse.
        let switching =
            (0..grid.len()).filter(|&i| classifier.class(i).is_some_and(|c| c != classifier.tile(i).observed)).count();
        println!("switching: {switching} tiles last observed as another class (a switch takes {DWELL} observations)");
    }
    print_regions(&grid.merge(|i| labels[i]));

    if let Some(out) = &args.output {
        let map = draw_map(&last, &grid, &labels)?;
        png_io::save(&map, out)?;
        println!("map: {}", out.display());
    }
    Ok(())
}

/// Loads a PNG as BGRX: the tracker needs one 32-bit format for the whole sequence,
/// and alpha plays no part in what a tile shows.
fn load_bgrx(path: &Path) -> anyhow::Result<Image> {
    let img = png_io::load(path)?;
    img.convert(PixelFormat::Bgrx32).with_context(|| format!("converting {} to BGRX", path.display()))
}

/// Feeds one frame to the damage tracker and the classifier.
fn observe(
    tracker: &mut DamageTracker,
    classifier: &mut Classifier,
    frame: &Image,
    index: u64,
    path: &Path,
) -> anyhow::Result<()> {
    let frame = frame.as_ref();
    let damage = tracker.update(&frame, None, index).with_context(|| format!("damage of {}", path.display()))?;
    classifier.observe(&frame, &damage, tracker).with_context(|| format!("classifying {}", path.display()))
}

/// The name a label is printed with.
fn label_name(label: Label) -> &'static str {
    match label {
        Some(Class::Solid) => "Solid",
        Some(Class::Text) => "Text",
        Some(Class::Image) => "Image",
        Some(Class::Video) => "Video",
        None => "unclassified",
    }
}

/// Prints tiles and share per class, every class listed even when empty.
fn print_counts(labels: &[Label]) {
    let total = labels.len().max(1);
    println!("{:<14}{:>7}{:>8}", "class", "tiles", "share");
    for label in Class::ALL.iter().copied().map(Some).chain([None]) {
        let n = labels.iter().filter(|&&l| l == label).count();
        println!("{:<14}{n:>7}{:>7.1}%", label_name(label), 100.0 * n as f64 / total as f64);
    }
}

/// Prints the merged regions, the first [`MAX_REGION_LINES`] in full.
fn print_regions(regions: &[(Rect, Class)]) {
    println!("regions: {}", regions.len());
    for (r, class) in regions.iter().take(MAX_REGION_LINES) {
        println!("  {:<20}{}", format!("{}x{}+{}+{}", r.width, r.height, r.x, r.y), label_name(Some(*class)));
    }
    if regions.len() > MAX_REGION_LINES {
        println!("  … {} more", regions.len() - MAX_REGION_LINES);
    }
}

/// The colour of a class on the map, as B, G, R.
fn class_colour(class: Class) -> [u8; 3] {
    match class {
        Class::Solid => [128, 128, 128],
        Class::Text => [255, 110, 30],
        Class::Image => [60, 200, 30],
        Class::Video => [40, 40, 230],
    }
}

/// `frame` (BGRX) with every labelled tile tinted by its class and outlined in the
/// class colour; unlabelled tiles are left as they are.
fn draw_map(frame: &Image, grid: &TileGrid, labels: &[Label]) -> anyhow::Result<Image> {
    let width = frame.width() as usize;
    let mut px = frame.to_bgrx().context("reading the frame's pixels")?;
    let outline = grid.tile() >= MIN_OUTLINE_TILE;
    for (i, label) in labels.iter().enumerate() {
        let Some(class) = *label else { continue };
        let colour = class_colour(class);
        let r = grid.tile_rect(i);
        let (x1, y1) = (r.x + r.width - 1, r.y + r.height - 1);
        for y in r.y..=y1 {
            for x in r.x..=x1 {
                let o = 4 * (y as usize * width + x as usize);
                let edge = x == r.x || x == x1 || y == r.y || y == y1;
                for (c, &k) in px[o..o + 3].iter_mut().zip(&colour) {
                    *c = if outline && edge {
                        k
                    } else {
                        ((u32::from(*c) * (256 - TINT) + u32::from(k) * TINT + 128) >> 8) as u8
                    };
                }
            }
        }
    }
    let desc = ImageDesc::packed(frame.width(), frame.height(), PixelFormat::Bgrx32)?;
    Ok(Image::from_vec(desc, px)?)
}
