//! The example's figures: training curves and the final histograms, drawn with plotters'
//! bitmap backend and the embedded DejaVu Sans font (no system font libraries needed).

use crate::pipeline::{self, K, Samples, Setup, Training};
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;

const FONT: &str = "sans-serif";

/// Makes the embedded font the one plotters draws `"sans-serif"` text with.
pub fn register_font() -> Result<(), String> {
    plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "cannot load the embedded DejaVu Sans font".to_string())
}

/// An error of drawing the figure at `path`, as a message naming it.
fn drawing<E: std::fmt::Display>(path: &Path) -> impl Fn(E) -> String + '_ {
    move |e| format!("cannot draw {}: {e}", path.display())
}

/// The smallest and largest of `values`.
fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// The range of `values` padded by 5 %, never empty.
fn padded(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = extent(values);
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad)..(hi + pad)
}

/// Loss of the trained network (left) and CLs per step of it and of the BCE baseline
/// (right).
pub fn training_curves(
    path: &Path,
    label: &str,
    trained: &Training,
    baseline: Option<&Training>,
) -> Result<(), String> {
    let err = drawing(path);
    let root = BitMapBackend::new(path, (1200, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let panels = root.split_evenly((1, 2));

    let loss = &trained.outcome.history.loss;
    let mut chart = ChartBuilder::on(&panels[0])
        .caption(format!("loss: {label}"), (FONT, 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(
            0.0..loss.len().max(2) as f64 - 1.0,
            padded(loss.iter().copied()),
        )
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("loss")
        .label_style((FONT, 14))
        .draw()
        .map_err(&err)?;
    chart
        .draw_series(LineSeries::new(
            loss.iter().enumerate().map(|(k, &l)| (k as f64, l)),
            BLUE.stroke_width(2),
        ))
        .map_err(&err)?;

    let runs: Vec<(&str, &Training, RGBColor)> = std::iter::once((label, trained, BLUE))
        .chain(baseline.map(|b| ("BCE baseline", b, RED)))
        .collect();
    let steps = runs.iter().map(|r| r.1.metrics.len()).max().unwrap_or(2);
    // CLs spans decades during training: a log axis keeps the end of the run readable.
    let (lo, hi) = extent(runs.iter().flat_map(|r| r.1.metrics.iter().map(|m| m.cls)));
    let cls_range = (lo * 0.8).max(f64::MIN_POSITIVE)..(hi * 1.25).max(lo * 2.0);
    let mut chart = ChartBuilder::on(&panels[1])
        .caption("expected CLs (mu = 1)", (FONT, 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..steps.max(2) as f64 - 1.0, cls_range.log_scale())
        .map_err(&err)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("CLs")
        .label_style((FONT, 14))
        .draw()
        .map_err(&err)?;
    for (name, run, color) in runs {
        chart
            .draw_series(LineSeries::new(
                run.metrics
                    .iter()
                    .enumerate()
                    .map(|(k, m)| (k as f64, m.cls)),
                color.stroke_width(2),
            ))
            .map_err(&err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 16))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(&err)?;
    root.present().map_err(&err)
}

/// The signal, background, up and down histograms of each network in `panels`, side by
/// side, with the bandwidth used in training.
pub fn histograms(
    path: &Path,
    panels: &[(String, [f64; K])],
    samples: &Samples,
    setup: &Setup,
) -> Result<(), String> {
    let err = drawing(path);
    let root = BitMapBackend::new(path, (600 * panels.len() as u32, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let areas = root.split_evenly((1, panels.len()));
    let edges = setup.edges();
    for ((label, w), area) in panels.iter().zip(&areas) {
        let y = pipeline::yields(w, samples, setup);
        let series = [
            ("signal", &y.signal, RGBColor(230, 120, 20)),
            ("background", &y.background, RGBColor(40, 90, 200)),
            ("background up", &y.up, RGBColor(30, 160, 60)),
            ("background down", &y.down, RGBColor(180, 30, 160)),
        ];
        let top = series
            .iter()
            .flat_map(|s| s.1.iter().copied())
            .fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(area)
            .caption(label, (FONT, 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, 0.0..top * 1.15 + 1e-9)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .x_desc("network output")
            .y_desc("expected events")
            .label_style((FONT, 14))
            .draw()
            .map_err(&err)?;
        for (i, (name, counts, color)) in series.into_iter().enumerate() {
            // Nominal samples filled, variations as outlines, so all four stay readable.
            let style = if i < 2 {
                color.mix(0.35).filled()
            } else {
                color.stroke_width(2)
            };
            chart
                .draw_series(
                    counts
                        .iter()
                        .zip(edges.windows(2))
                        .map(|(&n, e)| Rectangle::new([(e[0], 0.0), (e[1], n)], style)),
                )
                .map_err(&err)?
                .label(name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], style));
        }
        chart
            .configure_series_labels()
            .label_font((FONT, 15))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(&err)?;
    }
    root.present().map_err(&err)
}
