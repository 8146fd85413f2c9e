//! The analysis behind `examples/optimise_cut.rs`, shared with `tests/optimise_cut.rs`: a
//! mass window on a diphoton-like spectrum, optimised for the discovery significance with a
//! background uncertainty through its soft-cut version, and checked on the hard cut it
//! stands in for.

use gradhep::optim::{Adam, Minimiser, Ordered, Schedule, StopRule};
use gradhep::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Exp, Normal};

/// The mass range of the analysis in GeV: every event, and every window, lies inside.
pub const MASS_RANGE: [f64; 2] = [100.0, 180.0];
/// Where the signal peaks, and its Gaussian resolution, in GeV.
const SIGNAL_MASS: f64 = 125.0;
const MASS_RESOLUTION: f64 = 2.0;
/// The decay length of the falling background spectrum `e^{−(m − 100)/λ}`, in GeV.
const BACKGROUND_DECAY_LENGTH: f64 = 30.0;
/// Expected events in the whole mass range; each generated event weighs `yield / n`.
pub const SIGNAL_YIELD: f64 = 50.0;
pub const BACKGROUND_YIELD: f64 = 1000.0;
/// The background's relative systematic uncertainty `σ_b / b` in any window.
pub const BACKGROUND_UNCERTAINTY: f64 = 0.1;
/// The window a physicist might start from: ±10 GeV around the peak.
pub const START: [f64; 2] = [115.0, 135.0];
/// The learning rate (in the logits of the window's gaps) at the start of the cosine schedule.
const LEARNING_RATE: f64 = 0.05;

/// Generated signal and background masses, each sorted (so that hard counts are binary
/// searches).
pub struct Events {
    pub signal: Vec<f64>,
    pub background: Vec<f64>,
}

impl Events {
    /// `n` signal masses from `N(125, 2²)` and `n` background masses from the exponential
    /// of decay length 30 GeV above 100 GeV, both truncated to [`MASS_RANGE`], from one
    /// seeded generator.
    pub fn generate(n: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let peak = Normal::new(SIGNAL_MASS, MASS_RESOLUTION).expect("a positive resolution");
        let falling = Exp::new(BACKGROUND_DECAY_LENGTH.recip()).expect("a positive rate");
        let mut signal = sample_in_range(n, || peak.sample(&mut rng));
        let mut background = sample_in_range(n, || MASS_RANGE[0] + falling.sample(&mut rng));
        signal.sort_by(f64::total_cmp);
        background.sort_by(f64::total_cmp);
        Events { signal, background }
    }
}

/// `n` draws of `draw` inside [`MASS_RANGE`], the others rejected: truncation that keeps
/// the shape inside.
fn sample_in_range(n: usize, mut draw: impl FnMut() -> f64) -> Vec<f64> {
    let inside = |m: &f64| (MASS_RANGE[0]..=MASS_RANGE[1]).contains(m);
    std::iter::repeat_with(&mut draw)
        .filter(inside)
        .take(n)
        .collect()
}

/// The significance of the soft window `[lo, hi]`:
/// `Z(s, b, σ_b = 0.1 b)` (Cowan's formula with a background uncertainty) of the yields
/// `s = (50/N_s) Σᵢ w(m_i)`, `b = (1000/N_b) Σᵢ w(m_i)` with
/// `w(m) = σ((m − lo)/width) σ((hi − m)/width)`.
///
/// Differentiable in the window: `soft_significance_grad` gives `(Z, [∂Z/∂lo, ∂Z/∂hi])`.
#[differentiable(wrt(window))]
pub fn soft_significance(window: [f64; 2], width: f64, signal: &[f64], background: &[f64]) -> f64 {
    let [lo, hi] = window;
    let s: f64 = signal.iter().map(|&m| cut_window(m, lo, hi, width)).sum();
    let b: f64 = background
        .iter()
        .map(|&m| cut_window(m, lo, hi, width))
        .sum();
    let s = s * (SIGNAL_YIELD / signal.len() as f64);
    let b = b * (BACKGROUND_YIELD / background.len() as f64);
    asimov_significance_with_uncertainty(s, b, b * BACKGROUND_UNCERTAINTY)
}

/// How many of the sorted masses lie inside `(lo, hi)`.
fn count_inside(sorted: &[f64], [lo, hi]: [f64; 2]) -> usize {
    let below_hi = sorted.partition_point(|&m| m < hi);
    let up_to_lo = sorted.partition_point(|&m| m <= lo);
    below_hi.saturating_sub(up_to_lo)
}

/// The expected signal and background events inside the hard window `(lo, hi)`.
pub fn hard_yields(window: [f64; 2], events: &Events) -> (f64, f64) {
    let fraction = |sorted: &[f64]| count_inside(sorted, window) as f64 / sorted.len() as f64;
    (
        SIGNAL_YIELD * fraction(&events.signal),
        BACKGROUND_YIELD * fraction(&events.background),
    )
}

/// The significance `Z(s, b, 0.1 b)` of the hard window `(lo, hi)`: what the analysis
/// reports once the window is fixed.
pub fn hard_significance(window: [f64; 2], events: &Events) -> f64 {
    let (s, b) = hard_yields(window, events);
    asimov_significance_with_uncertainty(s, b, b * BACKGROUND_UNCERTAINTY)
}

/// The soft window of highest significance that Adam finds from `start` in `steps` steps.
///
/// The optimiser moves the logits of the window's gaps in [`MASS_RANGE`] (the map of
/// [`Ordered`]), so `lo < hi` inside the range at every step; the gradient in the logits is
/// the pull-back of `soft_significance_grad`. The rate anneals from 0.05 to 0.0005 on a
/// cosine, and the best window seen is returned with its soft significance.
///
/// # Panics
/// Unless `start` is increasing inside the mass range.
pub fn optimise(events: &Events, start: [f64; 2], width: f64, steps: usize) -> ([f64; 2], f64) {
    let gaps = Ordered::new(MASS_RANGE[0], MASS_RANGE[1]);
    let to_window = |z: &[f64; 2]| -> [f64; 2] {
        let e = gaps.forward(z);
        [e[0], e[1]]
    };
    let minimiser = Minimiser::new(
        Adam::default(),
        Schedule::cosine(LEARNING_RATE, LEARNING_RATE / 100.0, steps.max(1)),
        StopRule::max_steps(steps),
    );
    let z0 = gaps.inverse(&start);
    let run = minimiser.minimise([z0[0], z0[1]], |z| {
        let (significance, gradient) =
            soft_significance_grad(to_window(z), width, &events.signal, &events.background);
        let dz = gaps.pullback(z, &gradient.map(|g| -g));
        (-significance, [dz[0], dz[1]])
    });
    (to_window(&run.best_params), -run.best_loss)
}

/// Fewest generated background events a scanned window must hold: below that its
/// background estimate is a fluctuation of the sample (an empty one makes `Z = ∞`).
pub const MIN_BACKGROUND_EVENTS: usize = 10;

/// The hard window of highest significance on the grid `lo, hi ∈ {100, 100 + step, …}`,
/// `lo < hi`, among those holding at least [`MIN_BACKGROUND_EVENTS`] generated background
/// events, with its significance (the first such on a tie).
///
/// # Panics
/// If `step` is not positive.
pub fn scan_hard(events: &Events, step: f64) -> ([f64; 2], f64) {
    assert!(
        step > 0.0,
        "scan_hard: the step must be positive, got {step}"
    );
    let points = ((MASS_RANGE[1] - MASS_RANGE[0]) / step).floor() as usize;
    let grid = |k: usize| MASS_RANGE[0] + step * k as f64;
    let mut best = (MASS_RANGE, f64::NEG_INFINITY);
    for i in 0..points {
        for j in i + 1..=points {
            let window = [grid(i), grid(j)];
            if count_inside(&events.background, window) < MIN_BACKGROUND_EVENTS {
                continue;
            }
            let z = hard_significance(window, events);
            if z > best.1 {
                best = (window, z);
            }
        }
    }
    best
}
