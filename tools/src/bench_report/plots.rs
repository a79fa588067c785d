//! The report's plots, each written as PNG and SVG.
//!
//! Every plot keeps its legend in a panel right of the chart, so no legend
//! hides data whatever the data does. Colours are fixed per policy across all
//! plots (Okabe–Ito, distinguishable with the common colour-vision deficiencies),
//! and `adaptive` is drawn thicker.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, anyhow, ensure};
use paprika_adapt::network::{MS, Micros, SECOND};
use paprika_adapt::sim::RunOutput;
use plotters::coord::Shift;
use plotters::coord::combinators::{LogCoord, WithKeyPoints};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::analysis::{ADAPTIVE, Pair};
use super::csv::file_safe;

/// DejaVu Sans (Bitstream Vera licence, corpora/fonts/): plotters' ab_glyph
/// text backend needs the font's bytes, and embedding them spares the binary
/// any system font lookup.
const FONT: &[u8] = include_bytes!("../../../corpora/fonts/DejaVuSans.ttf");

/// Pixel size of the plots (the rate plot grows by a panel per policy).
const SIZE: (u32, u32) = (1100, 620);
/// Width of the legend panel right of the chart.
const LEGEND_W: u32 = 230;
/// Height of the title band (title and subtitle).
const TITLE_H: u32 = 62;
/// Points per CDF line: plenty for a smooth curve, few for a small SVG.
const CDF_POINTS: usize = 400;

const FAMILY: &str = "sans-serif";

fn register_font() -> Result<()> {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    ensure!(ok, "the embedded DejaVu Sans font did not parse");
    Ok(())
}

/// Okabe–Ito, with a brown instead of its yellow (unreadable on white).
const PALETTE: [RGBColor; 8] = [
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(0, 0, 0),       // black
    RGBColor(120, 94, 60),   // brown
];

/// Colours of policies beyond the built-in ones (Paul Tol's muted scheme, unlike any of `PALETTE`).
const EXTRA: [RGBColor; 5] = [
    RGBColor(136, 34, 85),  // wine
    RGBColor(68, 170, 153), // teal
    RGBColor(51, 34, 136),  // indigo
    RGBColor(153, 153, 51), // olive
    RGBColor(170, 68, 153), // purple
];

/// Marker shapes of the scatter plot, so policies differ by more than colour.
#[derive(Clone, Copy)]
enum Shape {
    Circle,
    Triangle,
    Square,
    Cross,
}

/// How each policy is drawn, the same in every plot of a report.
pub(crate) struct Styles {
    names: Vec<String>,
}

impl Styles {
    pub fn new(policies: &[&str]) -> Self {
        Styles { names: policies.iter().map(|s| s.to_string()).collect() }
    }

    /// Colour and shape slot: built-in names keep theirs whatever else ran, so a
    /// colour means the same policy in every report; other names take the
    /// slots after them in order.
    fn index(&self, policy: &str) -> usize {
        let builtin = &paprika_adapt::policy::POLICY_NAMES;
        if let Some(i) = builtin.iter().position(|&n| n == policy) {
            return i;
        }
        let mut others = self.names.iter().filter(|n| !builtin.contains(&n.as_str()));
        builtin.len() + others.position(|n| n == policy).unwrap_or(0)
    }

    fn color(&self, policy: &str) -> RGBColor {
        let i = self.index(policy);
        if i < PALETTE.len() { PALETTE[i] } else { EXTRA[(i - PALETTE.len()) % EXTRA.len()] }
    }

    fn width(&self, policy: &str) -> u32 {
        if policy == ADAPTIVE { 4 } else { 2 }
    }

    fn shape(&self, policy: &str) -> Shape {
        match self.index(policy) % 4 {
            0 => Shape::Circle,
            1 => Shape::Triangle,
            2 => Shape::Square,
            _ => Shape::Cross,
        }
    }

    fn line(&self, policy: &str) -> ShapeStyle {
        self.color(policy).stroke_width(self.width(policy))
    }
}

fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&BLACK)
}

/// What a legend row shows left of its label.
enum Key {
    Line(ShapeStyle),
    Dashed(ShapeStyle),
    Area(RGBColor),
    Marker(Shape, RGBColor),
}

type DrawResult<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: Shape,
    at: (i32, i32),
    color: RGBColor,
) -> DrawResult<DB> {
    let style = color.filled();
    match shape {
        Shape::Circle => area.draw(&Circle::new(at, 6, style)),
        Shape::Triangle => area.draw(&TriangleMarker::new(at, 8, style)),
        Shape::Square => area.draw(&Rectangle::new([(at.0 - 5, at.1 - 5), (at.0 + 5, at.1 + 5)], style)),
        Shape::Cross => area.draw(&Cross::new(at, 6, color.stroke_width(3))),
    }
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: &str,
    rows: &[(String, Key)],
) -> DrawResult<DB> {
    let x0 = 12;
    let mut y = 30;
    area.draw(&Text::new(heading.to_string(), (x0, y), font(19.0).pos(Pos::new(HPos::Left, VPos::Center))))?;
    y += 34;
    for (label, key) in rows {
        match key {
            Key::Line(style) => area.draw(&PathElement::new(vec![(x0, y), (x0 + 34, y)], *style))?,
            Key::Dashed(style) => area.draw(&DashedPathElement::new(vec![(x0, y), (x0 + 34, y)], 7, 5, *style))?,
            Key::Area(c) => area.draw(&Rectangle::new([(x0, y - 8), (x0 + 34, y + 8)], c.mix(0.35).filled()))?,
            Key::Marker(shape, c) => draw_marker(area, *shape, (x0 + 17, y), *c)?,
        }
        area.draw(&Text::new(label.clone(), (x0 + 44, y), font(18.0).pos(Pos::new(HPos::Left, VPos::Center))))?;
        y += 30;
    }
    Ok(())
}

/// Splits `root` into the chart and legend areas below a title and subtitle.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> std::result::Result<[DrawingArea<DB, Shift>; 2], DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let lines: Vec<&str> = subtitle.lines().collect();
    let (top, body) = root.split_vertically(TITLE_H + 22 * lines.len().saturating_sub(1) as u32);
    let centre = (SIZE.0 / 2) as i32;
    top.draw(&Text::new(title.to_string(), (centre, 20), font(24.0).pos(Pos::new(HPos::Center, VPos::Center))))?;
    for (i, line) in lines.iter().enumerate() {
        top.draw(&Text::new(
            line.to_string(),
            (centre, 47 + 22 * i as i32),
            font(17.0).color(&RGBColor(70, 70, 70)).pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    let (chart, legend) = body.split_horizontally(SIZE.0 - LEGEND_W);
    Ok([chart, legend])
}

const GRID_BOLD: RGBColor = RGBColor(215, 215, 215);
const GRID_LIGHT: RGBColor = RGBColor(240, 240, 240);
const CAPACITY: RGBColor = RGBColor(110, 110, 110);
const MARK: RGBColor = RGBColor(90, 90, 90);

/// A plot drawable on any backend, written once per format.
trait Plot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;

    fn size(&self) -> (u32, u32) {
        SIZE
    }
}

fn write_both(plot: &impl Plot, dir: &Path, stem: &str) -> Result<[PathBuf; 2]> {
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let (w, h) = plot.size();
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        plot.draw(&root).map_err(|e| anyhow!("drawing {}: {e}", png.display()))?;
        root.present().map_err(|e| anyhow!("drawing {}: {e}", png.display()))?;
    }
    image::save_buffer(&png, &rgb, w, h, image::ExtendedColorType::Rgb8)
        .with_context(|| format!("writing {}", png.display()))?;
    {
        let root = SVGBackend::new(&svg, plot.size()).into_drawing_area();
        plot.draw(&root).map_err(|e| anyhow!("drawing {}: {e}", svg.display()))?;
        root.present().map_err(|e| anyhow!("writing {}: {e}", svg.display()))?;
    }
    Ok([png, svg])
}

fn secs(t: Micros) -> f64 {
    t as f64 / SECOND as f64
}

/// Log-axis tick labels without trailing zeros: 5, 20, 100, 2000.
fn tick_ms(v: &f64) -> String {
    if *v >= 10.0 { format!("{v:.0}") } else { format!("{}", (v * 100.0).round() / 100.0) }
}

/// Linear-axis tick labels without trailing zeros: 20, 2.5, 0.125.
fn tick(v: &f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A padded linear range around `lo..hi` that is never empty.
fn padded(lo: f64, hi: f64, frac: f64) -> std::ops::Range<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && lo <= hi { (lo, hi) } else { (0.0, 1.0) };
    let span = if hi > lo { hi - lo } else { hi.abs().max(1.0) * 0.1 };
    (lo - span * frac)..(hi + span * frac)
}

/// A log axis covering `lo..hi` (clamped positive) with some margin, its
/// labels at 1, 2, 5 × 10^k (plotters' own log ticks leave most decades bare),
/// or at 10^k alone over more than three decades.
fn log_axis(lo: f64, hi: f64) -> WithKeyPoints<LogCoord<f64>> {
    let lo = if lo.is_finite() && lo > 0.0 { lo } else { 1.0 };
    let hi = if hi.is_finite() && hi > lo { hi } else { lo * 10.0 };
    let (lo, hi) = (lo / 1.3, hi * 1.3);
    let decades = (lo.log10().floor() as i32)..=(hi.log10().ceil() as i32);
    let steps: &[f64] = if hi / lo > 1e3 { &[1.0] } else { &[1.0, 2.0, 5.0] };
    let within = |v: &f64| *v >= lo && *v <= hi;
    let bold: Vec<f64> =
        decades.clone().flat_map(|d| steps.iter().map(move |m| m * 10f64.powi(d))).filter(within).collect();
    let light: Vec<f64> = decades.flat_map(|d| (1..10).map(move |m| m as f64 * 10f64.powi(d))).filter(within).collect();
    (lo..hi).log_scale().with_key_points(bold).with_light_points(light)
}

/// The latency CDF of one pair, every policy.
struct Cdf<'a> {
    title: String,
    styles: &'a Styles,
    runs: Vec<&'a RunOutput>,
}

impl Plot for Cdf<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let [chart_area, legend] =
            frame(root, &self.title, "Latency per changed tile, frame change to client display; all policies")?;
        let ms = |v: Micros| (v as f64 / MS as f64).max(0.01);
        let with_data: Vec<&RunOutput> = self.runs.iter().copied().filter(|r| !r.latencies.is_empty()).collect();
        let lo = with_data.iter().map(|r| ms(r.latencies[0])).fold(f64::INFINITY, f64::min);
        let hi = with_data.iter().map(|r| ms(*r.latencies.last().unwrap_or(&0))).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&chart_area)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(56)
            .y_label_area_size(78)
            .build_cartesian_2d(log_axis(lo, hi), 0.0..1.02)?;
        chart
            .configure_mesh()
            .x_desc("Latency (ms, log scale)")
            .y_desc("Fraction of changed tiles")
            .axis_desc_style(font(20.0))
            .label_style(font(16.0))
            .x_label_formatter(&tick_ms)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID_LIGHT)
            .max_light_lines(4)
            .draw()?;
        let x = chart.x_range();
        chart.draw_series(DashedLineSeries::new(vec![(x.start, 0.95), (x.end, 0.95)], 6, 5, MARK.stroke_width(1)))?;
        let mut rows: Vec<(String, Key)> = Vec::new();
        // The thick `adaptive` line goes under the thin ones, so a policy whose
        // line coincides with it still shows, inside an `adaptive`-coloured rim.
        let mut order = with_data.clone();
        order.sort_by_key(|r| r.summary.policy != ADAPTIVE);
        for r in &order {
            let n = r.latencies.len();
            let step = n.div_ceil(CDF_POINTS).max(1);
            let mut pts: Vec<(f64, f64)> =
                (0..n).step_by(step).map(|i| (ms(r.latencies[i]), (i + 1) as f64 / n as f64)).collect();
            pts.push((ms(r.latencies[n - 1]), 1.0));
            chart.draw_series(LineSeries::new(pts, self.styles.line(&r.summary.policy)))?;
        }
        for r in &with_data {
            rows.push((r.summary.policy.clone(), Key::Line(self.styles.line(&r.summary.policy))));
        }
        rows.push(("p95".to_string(), Key::Dashed(MARK.stroke_width(1))));
        draw_legend(&legend, "Policy", &rows)
    }
}

/// Which runs the time plots show: `adaptive`, `spice-like` and the best static
/// policy (lowest p95 latency among statics on the Pareto front, or among all
/// statics if none is on it); every run when none of these ran.
fn time_plot_runs<'a>(pair: &Pair<'a>) -> (Vec<&'a RunOutput>, Option<String>) {
    let front = pair.front();
    let statics: Vec<usize> =
        (0..pair.runs.len()).filter(|&i| pair.runs[i].summary.policy.starts_with("static-")).collect();
    let on_front: Vec<usize> = statics.iter().copied().filter(|i| front.contains(i)).collect();
    let pool = if on_front.is_empty() { &statics } else { &on_front };
    let best = pool
        .iter()
        .copied()
        .min_by(|&a, &b| pair.runs[a].summary.latency_p95_ms.total_cmp(&pair.runs[b].summary.latency_p95_ms));
    let mut chosen: Vec<&RunOutput> = pair
        .runs
        .iter()
        .copied()
        .filter(|r| r.summary.policy == ADAPTIVE || r.summary.policy == "spice-like")
        .collect();
    let best_name = best.map(|i| {
        let among = if on_front.is_empty() { "(none is on the Pareto front)" } else { "on the Pareto front" };
        format!("{}: lowest p95 latency among static policies {among}", pair.runs[i].summary.policy)
    });
    if let Some(i) = best {
        chosen.push(pair.runs[i]);
    }
    if chosen.is_empty() {
        chosen = pair.runs.clone();
    }
    (chosen, best_name)
}

fn time_plot_subtitle(chosen: &[&RunOutput], best: &Option<String>) -> String {
    let names: Vec<&str> = chosen.iter().map(|r| r.summary.policy.as_str()).collect();
    let list = match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    match best {
        Some(b) => {
            format!("{list}\n(best static policy, {b})")
        }
        None => list,
    }
}

/// Rate delivered through the bottleneck against its capacity, over time.
struct Rate<'a> {
    title: String,
    subtitle: String,
    styles: &'a Styles,
    runs: Vec<&'a RunOutput>,
}

/// Mean over a centred window of `w` points: the 100 ms rates swing too much to read against each other.
fn smooth(v: &[(f64, f64)], w: usize) -> Vec<(f64, f64)> {
    let h = w / 2;
    (0..v.len())
        .map(|i| {
            let s = &v[i.saturating_sub(h)..(i + h + 1).min(v.len())];
            (v[i].0, s.iter().map(|p| p.1).sum::<f64>() / s.len() as f64)
        })
        .collect()
}

/// Points of the timeline averaged over this many intervals (0.5 s at 100 ms).
const SMOOTH: usize = 5;

impl Plot for Rate<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let [chart_area, legend] = frame(root, &self.title, &self.subtitle)?;
        // The capacity is the trace's, the same for every run; the longest timeline shows most of it.
        let cap_run = self.runs.iter().max_by_key(|r| r.timeline.len());
        let cap: Vec<(f64, f64)> =
            cap_run.map(|r| r.timeline.iter().map(|p| (secs(p.t), p.capacity_bps / 1e6)).collect()).unwrap_or_default();
        let cap = smooth(&cap, SMOOTH);
        let series: Vec<(&RunOutput, Vec<(f64, f64)>)> = self
            .runs
            .iter()
            .map(|r| {
                (*r, smooth(&r.timeline.iter().map(|p| (secs(p.t), p.delivered_bps / 1e6)).collect::<Vec<_>>(), SMOOTH))
            })
            .collect();
        let adaptive_est: Option<Vec<(f64, f64)>> = self
            .runs
            .iter()
            .find(|r| r.summary.policy == ADAPTIVE)
            .map(|r| r.timeline.iter().map(|p| (secs(p.t), p.estimate_bps / 1e6)).collect());
        let t_end = cap.last().map_or(1.0, |p| p.0).max(0.1);
        let y_max =
            cap.iter().chain(series.iter().flat_map(|s| s.1.iter())).map(|p| p.1).fold(0.0, f64::max).max(0.1) * 1.08;
        let source_end = self.runs.iter().map(|r| secs(r.source_end)).fold(0.0, f64::max);
        let mark_end = source_end > 0.0 && source_end < t_end;
        // One panel per policy: policies that fill the link draw the same line, which one chart would stack into one.
        let n = series.len().max(1);
        let panels = chart_area.split_evenly((n, 1));
        for (k, (area, (r, pts))) in panels.iter().zip(&series).enumerate() {
            let last = k + 1 == n;
            let mut chart = ChartBuilder::on(area)
                .margin(8)
                .margin_right(24)
                .x_label_area_size(if last { 56 } else { 6 })
                .y_label_area_size(78)
                .build_cartesian_2d(0.0..t_end, 0.0..y_max)?;
            let no_label = |_: &f64| String::new();
            let mut mesh = chart.configure_mesh();
            mesh.y_desc(format!("{}, Mbit/s", r.summary.policy))
                .axis_desc_style(font(18.0))
                .label_style(font(16.0))
                .y_labels(5)
                .y_label_formatter(&tick)
                .bold_line_style(GRID_BOLD)
                .light_line_style(GRID_LIGHT)
                .max_light_lines(1);
            if last {
                mesh.x_desc("Time (s)").x_label_formatter(&tick);
            } else {
                mesh.x_label_formatter(&no_label);
            }
            mesh.draw()?;
            chart.draw_series(
                AreaSeries::new(cap.iter().copied(), 0.0, CAPACITY.mix(0.25)).border_style(CAPACITY.mix(0.6)),
            )?;
            if mark_end {
                chart.draw_series(DashedLineSeries::new(
                    vec![(source_end, 0.0), (source_end, y_max)],
                    6,
                    5,
                    MARK.stroke_width(1),
                ))?;
            }
            if r.summary.policy == ADAPTIVE {
                if let Some(est) = &adaptive_est {
                    chart.draw_series(DashedLineSeries::new(
                        est.iter().copied(),
                        8,
                        5,
                        self.styles.color(ADAPTIVE).stroke_width(2),
                    ))?;
                }
            }
            chart.draw_series(LineSeries::new(pts.iter().copied(), self.styles.line(&r.summary.policy)))?;
        }
        let mut rows = vec![("link capacity".to_string(), Key::Area(CAPACITY))];
        for (r, _) in &series {
            // The title says these lines are delivered rates; a suffix here would
            // not fit the panel for the longest policy names.
            rows.push((r.summary.policy.clone(), Key::Line(self.styles.line(&r.summary.policy))));
        }
        if adaptive_est.is_some() {
            rows.push(("adaptive estimate".to_string(), Key::Dashed(self.styles.color(ADAPTIVE).stroke_width(2))));
        }
        if mark_end {
            rows.push(("source ends".to_string(), Key::Dashed(MARK.stroke_width(1))));
        }
        draw_legend(&legend, "Rates, 0.5 s means", &rows)
    }

    fn size(&self) -> (u32, u32) {
        (SIZE.0, 260 + 190 * self.runs.len().max(1) as u32)
    }
}

/// SSIM of the client's screen over time.
struct Quality<'a> {
    title: String,
    subtitle: String,
    styles: &'a Styles,
    runs: Vec<&'a RunOutput>,
}

impl Plot for Quality<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let [chart_area, legend] = frame(root, &self.title, &self.subtitle)?;
        let series: Vec<(&RunOutput, Vec<(f64, f64)>)> = self
            .runs
            .iter()
            .map(|r| (*r, r.quality.iter().filter_map(|q| q.ssim.map(|s| (secs(q.t), s))).collect::<Vec<_>>()))
            .collect();
        let pts = || series.iter().flat_map(|s| s.1.iter());
        let t_end = pts().map(|p| p.0).fold(0.0, f64::max).max(0.1);
        let lo = pts().map(|p| p.1).fold(1.0, f64::min);
        let y = padded(lo.min(0.99), 1.0, 0.06);
        let y = y.start..y.end.min(1.005);
        let mut chart = ChartBuilder::on(&chart_area)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(56)
            .y_label_area_size(78)
            .build_cartesian_2d(0.0..t_end, y.clone())?;
        chart
            .configure_mesh()
            .x_desc("Time (s)")
            .y_desc("SSIM (luma)")
            .axis_desc_style(font(20.0))
            .label_style(font(16.0))
            .x_label_formatter(&tick)
            .y_label_formatter(&|v| format!("{v:.3}"))
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID_LIGHT)
            .max_light_lines(4)
            .draw()?;
        let source_end = self.runs.iter().map(|r| secs(r.source_end)).fold(0.0, f64::max);
        let mut rows = Vec::new();
        if source_end > 0.0 && source_end < t_end {
            chart.draw_series(DashedLineSeries::new(
                vec![(source_end, y.start), (source_end, y.end)],
                6,
                5,
                MARK.stroke_width(1),
            ))?;
        }
        let mut order: Vec<&(&RunOutput, Vec<(f64, f64)>)> = series.iter().collect();
        // Under the thin lines, as in the CDF.
        order.sort_by_key(|s| s.0.summary.policy != ADAPTIVE);
        for (r, pts) in order {
            chart.draw_series(LineSeries::new(pts.iter().copied(), self.styles.line(&r.summary.policy)))?;
        }
        for (r, _) in &series {
            rows.push((r.summary.policy.clone(), Key::Line(self.styles.line(&r.summary.policy))));
        }
        if source_end > 0.0 && source_end < t_end {
            rows.push(("source ends".to_string(), Key::Dashed(MARK.stroke_width(1))));
        }
        draw_legend(&legend, "Policy", &rows)
    }
}

/// Every run: p95 latency against mean SSIM.
struct Scatter<'a> {
    styles: &'a Styles,
    policies: Vec<&'a str>,
    runs: &'a [RunOutput],
}

impl Plot for Scatter<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let [chart_area, legend] = frame(
            root,
            "All runs: p95 latency against mean SSIM",
            "One point per (trace, workload, policy) run; better is up and to the left",
        )?;
        let lo = self.runs.iter().map(|r| r.summary.latency_p95_ms).filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
        let hi = self.runs.iter().map(|r| r.summary.latency_p95_ms).fold(0.0, f64::max);
        let s_lo = self.runs.iter().map(|r| r.summary.ssim_mean).fold(1.0, f64::min);
        let s_hi = self.runs.iter().map(|r| r.summary.ssim_mean).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&chart_area)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(56)
            .y_label_area_size(78)
            .build_cartesian_2d(log_axis(lo, hi), padded(s_lo, s_hi, 0.08))?;
        chart
            .configure_mesh()
            .x_desc("p95 latency (ms, log scale)")
            .y_desc("Mean SSIM (luma)")
            .axis_desc_style(font(20.0))
            .label_style(font(16.0))
            .x_label_formatter(&tick_ms)
            .y_label_formatter(&|v| format!("{v:.3}"))
            .bold_line_style(GRID_BOLD)
            .light_line_style(GRID_LIGHT)
            .max_light_lines(4)
            .draw()?;
        let mut rows = Vec::new();
        let mut order = self.policies.clone();
        // `adaptive`'s points last: they are the ones a reader looks for, so none may hide them.
        order.sort_by_key(|p| *p == ADAPTIVE);
        for p in order {
            let color = self.styles.color(p);
            let fill = color.mix(0.85).filled();
            let pts: Vec<(f64, f64)> = self
                .runs
                .iter()
                .filter(|r| r.summary.policy == p)
                .map(|r| (r.summary.latency_p95_ms.max(lo / 1.3), r.summary.ssim_mean))
                .collect();
            match self.styles.shape(p) {
                Shape::Circle => chart.draw_series(pts.iter().map(|&q| Circle::new(q, 6, fill)))?,
                Shape::Triangle => chart.draw_series(pts.iter().map(|&q| TriangleMarker::new(q, 8, fill)))?,
                Shape::Square => chart
                    .draw_series(pts.iter().map(|&q| EmptyElement::at(q) + Rectangle::new([(-5, -5), (5, 5)], fill)))?,
                Shape::Cross => chart.draw_series(pts.iter().map(|&q| Cross::new(q, 6, color.stroke_width(3))))?,
            };
        }
        for p in &self.policies {
            rows.push((p.to_string(), Key::Marker(self.styles.shape(p), self.styles.color(p))));
        }
        draw_legend(&legend, "Policy", &rows)
    }
}

/// Writes every plot of the report into `dir`; returns the files written.
pub(crate) fn write_plots(
    runs: &[RunOutput],
    pairs: &[Pair<'_>],
    policies: &[&str],
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    register_font()?;
    std::fs::create_dir_all(dir).map_err(|e| anyhow!("creating {}: {e}", dir.display()))?;
    let styles = Styles::new(policies);
    let mut written = Vec::new();
    for pair in pairs {
        let stem = format!("{}__{}", file_safe(pair.trace), file_safe(pair.workload));
        let name = format!("{} × {}", pair.trace, pair.workload);
        let cdf = Cdf { title: format!("{name}: latency CDF"), styles: &styles, runs: pair.runs.clone() };
        written.extend(write_both(&cdf, dir, &format!("{stem}__latency_cdf"))?);
        let (chosen, best) = time_plot_runs(pair);
        let subtitle = time_plot_subtitle(&chosen, &best);
        let rate = Rate {
            title: format!("{name}: delivered rate against link capacity"),
            subtitle: subtitle.clone(),
            styles: &styles,
            runs: chosen.clone(),
        };
        written.extend(write_both(&rate, dir, &format!("{stem}__rate"))?);
        let quality = Quality { title: format!("{name}: SSIM over time"), subtitle, styles: &styles, runs: chosen };
        written.extend(write_both(&quality, dir, &format!("{stem}__quality"))?);
    }
    let scatter = Scatter { styles: &styles, policies: policies.to_vec(), runs };
    written.extend(write_both(&scatter, dir, "overall__p95_vs_ssim")?);
    Ok(written)
}
