//! Library functions called from inside `#[differentiable]` bodies, as a user crate writes
//! them: kernel histograms of plain data with an active shift, edges (also through the
//! `Ordered` map) or bandwidth, weighted histograms with soft-cut weights, soft windows with
//! active bounds, binned significances of histogram yields, and a small network observable
//! feeding a histogram.
//!
//! Each function is written once and also copied without the attribute (`twice!`): the
//! generic function at `f64` equals the copy to the bit, and its `_grad` and `_hessian`
//! companions equal central finite differences of the plain function (relative 1e-6).

#[macro_use]
mod support;

use gradhep::optim::Ordered;
use gradhep::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal, StandardNormal};
use support::{assert_close, bit_identical, check_companions};

/// `n` draws from `N(mean, 1)`.
fn normal_events(n: usize, mean: f64, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let unit = Normal::new(mean, 1.0).expect("unit width");
    (0..n).map(|_| unit.sample(&mut rng)).collect()
}

/// The `bins + 1` edges of `bins` equal bins on `[lo, hi]`.
fn even_edges(lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    (0..=bins)
        .map(|k| lo + (hi - lo) * k as f64 / bins as f64)
        .collect()
}

// ----- W2: the histogram of shifted events ------------------------------------------------

twice! {
    #[differentiable]
    fn shifted_square_sum / shifted_square_sum_f64(shift: f64, events: &[f64], edges: &[f64]) -> f64 {
        let shifted: Vec<f64> = events.iter().map(|&x| x + shift).collect();
        let h = kde(&shifted, edges, 0.1);
        h.iter().map(|&n| n * n).sum()
    }
}

#[test]
fn histogram_of_events_shifted_by_an_active_offset() {
    let events = normal_events(400, 0.0, 1);
    let edges = even_edges(-3.0, 3.0, 10);
    bit_identical(
        shifted_square_sum(0.1, &events, &edges),
        shifted_square_sum_f64(0.1, &events, &edges),
    );
    check_companions(
        |[s]| shifted_square_sum(s, &events, &edges),
        |[s]| shifted_square_sum_grad(s, &events, &edges),
        |[s]| shifted_square_sum_hessian(s, &events, &edges),
        [0.1],
    );
}

// ----- active edges -------------------------------------------------------------------------

twice! {
    #[differentiable]
    fn balanced_bins / balanced_bins_f64(lo: f64, hi: f64, events: &[f64]) -> f64 {
        // Equal-width bins between two movable outer edges; the loss wants equal contents.
        let edges: Vec<f64> = (0..=4).map(|k| lo + (hi - lo) * k as f64 / 4.0).collect();
        let h = kde(events, &edges, 0.2);
        let mean = h.iter().sum::<f64>() / 4.0;
        h.iter().map(|&n| (n - mean) * (n - mean)).sum::<f64>() / mean
    }
}

#[test]
fn histogram_with_active_edges() {
    let events = normal_events(300, 0.5, 2);
    bit_identical(
        balanced_bins(-1.0, 2.5, &events),
        balanced_bins_f64(-1.0, 2.5, &events),
    );
    check_companions(
        |[a, b]| balanced_bins(a, b, &events),
        |[a, b]| balanced_bins_grad(a, b, &events),
        |[a, b]| balanced_bins_hessian(a, b, &events),
        [-1.0, 2.5],
    );
}

twice! {
    #[differentiable]
    fn ordered_edges_product / ordered_edges_product_f64(z: [f64; 2], events: &[f64]) -> f64 {
        // Inner edges that stay ordered for any logits, as an optimiser moves them.
        let inner = Ordered::new(-2.0, 2.0).forward(&z);
        let edges = [-2.0, inner[0], inner[1], 2.0];
        let h = kde(events, &edges, 0.1);
        h[0] * h[1] * h[2]
    }
}

#[test]
fn histogram_with_inner_edges_from_the_ordered_map() {
    let events = normal_events(300, 0.0, 12);
    let z = [0.2, -0.3];
    bit_identical(
        ordered_edges_product(z, &events),
        ordered_edges_product_f64(z, &events),
    );
    check_companions(
        |z| ordered_edges_product(z, &events),
        |z| ordered_edges_product_grad(z, &events),
        |z| ordered_edges_product_hessian(z, &events),
        z,
    );
}

// ----- active bandwidth ---------------------------------------------------------------------

twice! {
    #[differentiable]
    fn smoothed_chi2 / smoothed_chi2_f64(bandwidth: f64, events: &[f64], edges: &[f64], target: &[f64]) -> f64 {
        let h = kde(events, edges, bandwidth);
        h.iter()
            .zip(target)
            .map(|(&n, &t)| (n - t) * (n - t) / t)
            .sum()
    }
}

#[test]
fn histogram_with_an_active_bandwidth() {
    let events = normal_events(500, 0.0, 3);
    let edges = even_edges(-2.0, 2.0, 8);
    // the expected contents of 500 unit normals, from the normal CDF at the edges
    let target: Vec<f64> = edges
        .windows(2)
        .map(|e| 500.0 * (gradhep::special::normal_cdf(e[1]) - gradhep::special::normal_cdf(e[0])))
        .collect();
    bit_identical(
        smoothed_chi2(0.3, &events, &edges, &target),
        smoothed_chi2_f64(0.3, &events, &edges, &target),
    );
    check_companions(
        |[h]| smoothed_chi2(h, &events, &edges, &target),
        |[h]| smoothed_chi2_grad(h, &events, &edges, &target),
        |[h]| smoothed_chi2_hessian(h, &events, &edges, &target),
        [0.3],
    );
}

// ----- weights from a soft cut --------------------------------------------------------------

twice! {
    #[differentiable]
    fn kept_shape / kept_shape_f64(cut: f64, mass: &[f64], score: &[f64], edges: &[f64]) -> f64 {
        // A soft cut on one variable selects events histogrammed in another.
        let weights: Vec<f64> = score.iter().map(|&x| cut_above(x, cut, 0.25)).collect();
        let h = kde_weighted(mass, &weights, edges, 0.2);
        h[1] * h[2] / (h[0] + h[3])
    }
}

#[test]
fn weighted_histogram_with_soft_cut_weights() {
    let mass = normal_events(300, 0.0, 4);
    let score = normal_events(300, 0.3, 5);
    let edges = even_edges(-2.0, 2.0, 4);
    bit_identical(
        kept_shape(0.2, &mass, &score, &edges),
        kept_shape_f64(0.2, &mass, &score, &edges),
    );
    check_companions(
        |[c]| kept_shape(c, &mass, &score, &edges),
        |[c]| kept_shape_grad(c, &mass, &score, &edges),
        |[c]| kept_shape_hessian(c, &mass, &score, &edges),
        [0.2],
    );
}

// ----- W3: neos-lite ------------------------------------------------------------------------

twice! {
    #[differentiable]
    fn window_significance / window_significance_f64(c1: f64, c2: f64, xs: &[f64], xb: &[f64]) -> f64 {
        let s: f64 = xs.iter().map(|&x| cut_window(x, c1, c2, 0.1)).sum::<f64>() * 50.0 / xs.len() as f64;
        let b: f64 = xb.iter().map(|&x| cut_window(x, c1, c2, 0.1)).sum::<f64>() * 1000.0 / xb.len() as f64;
        asimov_significance(s, b)
    }
}

/// BENCHMARKS.md's W3, written out with the textbook sigmoid and significance.
fn w3_by_formula(c1: f64, c2: f64, xs: &[f64], xb: &[f64]) -> f64 {
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let w = |x: f64| sigmoid((x - c1) / 0.1) * sigmoid((c2 - x) / 0.1);
    let s = 50.0 / xs.len() as f64 * xs.iter().map(|&x| w(x)).sum::<f64>();
    let b = 1000.0 / xb.len() as f64 * xb.iter().map(|&x| w(x)).sum::<f64>();
    (2.0 * ((s + b) * (1.0 + s / b).ln() - s)).sqrt()
}

#[test]
fn soft_window_with_active_bounds_is_w3() {
    let xs = normal_events(400, 1.0, 6);
    let xb = normal_events(400, -1.0, 7);
    let z = window_significance(0.5, 2.5, &xs, &xb);
    bit_identical(z, window_significance_f64(0.5, 2.5, &xs, &xb));
    assert_close("W3", z, w3_by_formula(0.5, 2.5, &xs, &xb), 1e-13);
    check_companions(
        |[a, b]| window_significance(a, b, &xs, &xb),
        |[a, b]| window_significance_grad(a, b, &xs, &xb),
        |[a, b]| window_significance_hessian(a, b, &xs, &xb),
        [0.5, 2.5],
    );
}

twice! {
    #[differentiable]
    fn binned_window_significance / binned_window_significance_f64(c1: f64, c2: f64, xs: &[f64], xb: &[f64], edges: &[f64]) -> f64 {
        // The window's weights histogrammed: a binned significance after the selection.
        let ws: Vec<f64> = xs.iter().map(|&x| cut_window(x, c1, c2, 0.1)).collect();
        let wb: Vec<f64> = xb.iter().map(|&x| cut_window(x, c1, c2, 0.1)).collect();
        let s: Vec<f64> = kde_weighted(xs, &ws, edges, 0.1)
            .iter()
            .map(|&n| n * 50.0 / xs.len() as f64)
            .collect();
        let b: Vec<f64> = kde_weighted(xb, &wb, edges, 0.1)
            .iter()
            .map(|&n| n * 1000.0 / xb.len() as f64 + 0.01)
            .collect();
        asimov_significance_binned(&s, &b)
    }
}

#[test]
fn binned_significance_of_histogram_yields() {
    let xs = normal_events(400, 1.0, 8);
    let xb = normal_events(400, -1.0, 9);
    let edges = even_edges(0.0, 3.0, 5);
    let args = (&xs[..], &xb[..], &edges[..]);
    bit_identical(
        binned_window_significance(0.5, 2.5, args.0, args.1, args.2),
        binned_window_significance_f64(0.5, 2.5, args.0, args.1, args.2),
    );
    check_companions(
        |[a, b]| binned_window_significance(a, b, args.0, args.1, args.2),
        |[a, b]| binned_window_significance_grad(a, b, args.0, args.1, args.2),
        |[a, b]| binned_window_significance_hessian(a, b, args.0, args.1, args.2),
        [0.5, 2.5],
    );
}

// ----- W4-like: a network observable ------------------------------------------------------

/// Hidden units of the network 2 → HIDDEN → 1.
const HIDDEN: usize = 2;
/// Its parameters: weights then biases of each layer, `W₁` (2×HIDDEN, row-major), `b₁`, `W₂`,
/// `b₂`.
const K: usize = 2 * HIDDEN + HIDDEN + HIDDEN + 1;

twice! {
    #[differentiable(wrt(theta))]
    fn network / network_f64(theta: [f64; K], point: &[f64; 2]) -> f64 {
        let mut out = theta[K - 1];
        for j in 0..HIDDEN {
            let mut a = theta[2 * HIDDEN + j];
            for i in 0..2 {
                a += point[i] * theta[i * HIDDEN + j];
            }
            out += a.tanh() * theta[3 * HIDDEN + j];
        }
        sigmoid(out)
    }
}

twice! {
    #[differentiable(wrt(theta))]
    fn network_significance / network_significance_f64(theta: [f64; K], signal: &[[f64; 2]], background: &[[f64; 2]]) -> f64 {
        let edges = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        let s_scores: Vec<f64> = signal.iter().map(|p| network(theta, p)).collect();
        let b_scores: Vec<f64> = background.iter().map(|p| network(theta, p)).collect();
        let s: Vec<f64> = kde(&s_scores, &edges, 0.05)
            .iter()
            .map(|&n| n * 50.0 / signal.len() as f64)
            .collect();
        let b: Vec<f64> = kde(&b_scores, &edges, 0.05)
            .iter()
            .map(|&n| n * 1000.0 / background.len() as f64 + 0.01)
            .collect();
        asimov_significance_binned(&s, &b)
    }
}

/// `n` points from the unit-covariance 2-D normal around `centre`.
fn points(n: usize, centre: [f64; 2], seed: u64) -> Vec<[f64; 2]> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let dx: f64 = StandardNormal.sample(&mut rng);
            let dy: f64 = StandardNormal.sample(&mut rng);
            [centre[0] + dx, centre[1] + dy]
        })
        .collect()
}

/// W4's initialisation `θ_k = sin(0.37 k + 1)/sqrt(fan-in of k's layer)`.
fn initial_weights() -> [f64; K] {
    std::array::from_fn(|k| {
        let fan_in = if k < 3 * HIDDEN { 2.0 } else { HIDDEN as f64 };
        (0.37 * k as f64 + 1.0).sin() / f64::sqrt(fan_in)
    })
}

#[test]
fn network_output_feeds_a_histogram() {
    let xs = points(60, [1.0, 1.0], 10);
    let xb = points(60, [-1.0, -1.0], 11);
    let theta = initial_weights();
    for p in xs.iter().chain(&xb) {
        bit_identical(network(theta, p), network_f64(theta, p));
    }
    bit_identical(
        network_significance(theta, &xs, &xb),
        network_significance_f64(theta, &xs, &xb),
    );
    check_companions(
        |t| network_significance(t, &xs, &xb),
        |t| network_significance_grad(t, &xs, &xb),
        |t| network_significance_hessian(t, &xs, &xb),
        theta,
    );
}
