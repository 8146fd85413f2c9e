//! The window optimisation of `examples/optimise_cut.rs`, checked on a modest sample: its
//! gradient against finite differences, its hard significance against Cowan's formula on
//! counted events, and its optimum against a brute-force scan of the hard window.

#[path = "../examples/optimise_cut/analysis.rs"]
mod analysis;

use analysis::{
    BACKGROUND_UNCERTAINTY, BACKGROUND_YIELD, Events, SIGNAL_YIELD, START, hard_significance,
    optimise, scan_hard, soft_significance_grad,
};
use gradhep::check;

const EVENTS: usize = 5_000;
const SEED: u64 = 7;
const WIDTH: f64 = 0.5;
const SCAN_STEP: f64 = 0.1;
const STEPS: usize = 300;

#[test]
fn gradient_matches_finite_differences_at_the_start() {
    let events = Events::generate(EVENTS, SEED);
    let worst = check::gradient(
        |w| soft_significance_grad(w, WIDTH, &events.signal, &events.background),
        START,
    );
    eprintln!("worst relative error of the gradient: {worst:e}");
    assert!(worst < 1e-6, "worst relative error {worst:e}");
}

#[test]
fn hard_significance_is_cowans_formula_on_counted_events() {
    let events = Events::generate(EVENTS, SEED);
    let [lo, hi] = [121.3, 128.9];
    let count = |xs: &[f64]| xs.iter().filter(|&&m| lo < m && m < hi).count() as f64;
    let s = SIGNAL_YIELD * count(&events.signal) / EVENTS as f64;
    let b = BACKGROUND_YIELD * count(&events.background) / EVENTS as f64;
    let v = (BACKGROUND_UNCERTAINTY * b).powi(2);
    let cowan = (2.0
        * ((s + b) * ((s + b) * (b + v) / (b * b + (s + b) * v)).ln()
            - b * b / v * (1.0 + v * s / (b * (b + v))).ln()))
    .sqrt();
    let z = hard_significance([lo, hi], &events);
    assert!((z - cowan).abs() < 1e-12 * cowan, "{z} vs {cowan}");
}

/// The soft optimum sits where the hard scan's does, to within the scan's grid step and
/// the edges' smoothing width, and keeps nearly all of its hard significance.
#[test]
fn optimum_agrees_with_a_brute_force_scan_of_the_hard_window() {
    let events = Events::generate(EVENTS, SEED);
    let (window, soft_z) = optimise(&events, START, WIDTH, STEPS);
    let (scanned, scanned_z) = scan_hard(&events, SCAN_STEP);
    let hard_z = hard_significance(window, &events);
    eprintln!(
        "soft optimum {window:?} (Z soft {soft_z:.4}, hard {hard_z:.4}); \
         scan {scanned:?} (Z {scanned_z:.4})"
    );
    for k in 0..2 {
        assert!(
            (window[k] - scanned[k]).abs() <= SCAN_STEP + WIDTH,
            "edge {k}: optimised {} vs scanned {}",
            window[k],
            scanned[k]
        );
    }
    // The scan's maximum over ~3·10⁵ windows picks the sample's upward fluctuations, of a
    // few per cent of Z at these sample sizes; the soft optimum cannot chase them.
    assert!(hard_z > 0.95 * scanned_z, "{hard_z} vs {scanned_z}");
    // the start is far from the optimum: the descent did move
    assert!(hard_significance(START, &events) < 0.9 * hard_z);
}
