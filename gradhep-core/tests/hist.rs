//! Kernel histograms: every mix of plain and dual inputs, the sparse evaluation against the
//! dense formula, the limits, and the documented panics.

mod support;

use gradhep_core::hist::{HistOptions, kde, kde_weighted, sigmoid_edges, softmax_bins};
use gradhep_core::lift;
use gradhep_core::num_dual::{Dual2_64, Dual64};
use gradhep_core::smooth::{sigmoid, softmax};
use support::dense::dense_kde;

const VALUES: [f64; 7] = [-2.7, -0.9, -0.31, 0.0, 0.42, 1.3, 3.9];
const WEIGHTS: [f64; 7] = [0.5, 1.0, 2.0, 0.25, 1.5, 0.75, 3.0];
const EDGES: [f64; 5] = [-1.0, -0.3, 0.2, 0.9, 2.0];
const BANDWIDTH: f64 = 0.4;

/// Tangents of each input: one direction through all of them.
const T_VALUES: [f64; 7] = [1.0, -0.5, 0.3, 2.0, -1.0, 0.7, 0.1];
const T_WEIGHTS: [f64; 7] = [0.2, 0.1, -0.4, 1.0, 0.6, -0.3, 0.5];
const T_EDGES: [f64; 5] = [0.3, -1.0, 0.5, 0.8, -0.2];
const T_BANDWIDTH: f64 = 0.9;

fn dual<const N: usize>(x: [f64; N], t: [f64; N]) -> [Dual64; N] {
    std::array::from_fn(|i| Dual64::new(x[i], t[i]))
}

fn plain_dual<const N: usize>(x: [f64; N]) -> [Dual64; N] {
    x.map(Dual64::from)
}

/// The directional derivative of each bin along the tangents of the inputs selected by
/// `mask` = (values, weights, edges, bandwidth), with every input a dual.
fn expected(mask: [bool; 4]) -> Vec<Dual64> {
    let pick = |on: bool, t: f64| if on { t } else { 0.0 };
    let tv = T_VALUES.map(|t| pick(mask[0], t));
    let tw = T_WEIGHTS.map(|t| pick(mask[1], t));
    let te = T_EDGES.map(|t| pick(mask[2], t));
    let h = Dual64::new(BANDWIDTH, pick(mask[3], T_BANDWIDTH));
    kde_weighted(&dual(VALUES, tv), &dual(WEIGHTS, tw), &dual(EDGES, te), h)
}

fn assert_same(got: &[Dual64], want: &[Dual64], mask: [bool; 4]) {
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g.re - w.re).abs() < 1e-15 && (g.eps - w.eps).abs() < 1e-14,
            "{mask:?}: {g:?} vs {w:?}"
        );
    }
}

#[test]
fn every_mix_of_plain_and_dual_inputs_agrees_with_all_dual() {
    let (v, w, e) = (VALUES, WEIGHTS, EDGES);
    let (dv, dw, de) = (dual(v, T_VALUES), dual(w, T_WEIGHTS), dual(e, T_EDGES));
    let dh = Dual64::new(BANDWIDTH, T_BANDWIDTH);
    // plain everywhere: an f64 histogram, no annotation
    let plain = kde_weighted(&v, &w, &e, BANDWIDTH);
    let want = expected([false; 4]);
    assert!(
        plain
            .iter()
            .zip(&want)
            .all(|(p, w)| (p - w.re).abs() < 1e-15)
    );
    let h = lift(BANDWIDTH);
    let cases: [(Vec<Dual64>, [bool; 4]); 15] = [
        (kde_weighted(&dv, &w, &e, h), [true, false, false, false]),
        (kde_weighted(&v, &dw, &e, h), [false, true, false, false]),
        (kde_weighted(&v, &w, &de, h), [false, false, true, false]),
        (kde_weighted(&v, &w, &e, dh), [false, false, false, true]),
        (kde_weighted(&dv, &dw, &e, h), [true, true, false, false]),
        (kde_weighted(&dv, &w, &de, h), [true, false, true, false]),
        (kde_weighted(&dv, &w, &e, dh), [true, false, false, true]),
        (kde_weighted(&v, &dw, &de, h), [false, true, true, false]),
        (kde_weighted(&v, &dw, &e, dh), [false, true, false, true]),
        (kde_weighted(&v, &w, &de, dh), [false, false, true, true]),
        (kde_weighted(&dv, &dw, &de, h), [true, true, true, false]),
        (kde_weighted(&dv, &dw, &e, dh), [true, true, false, true]),
        (kde_weighted(&dv, &w, &de, dh), [true, false, true, true]),
        (kde_weighted(&v, &dw, &de, dh), [false, true, true, true]),
        (kde_weighted(&dv, &dw, &de, dh), [true; 4]),
    ];
    for (got, mask) in &cases {
        assert_same(got, &expected(*mask), *mask);
    }
    // and the unweighted form, dual values pinning the type of a lifted bandwidth
    let unweighted = kde(&dv, &e, lift(BANDWIDTH));
    let ones = plain_dual([1.0; 7]);
    let want = kde_weighted(&dv, &ones, &plain_dual(e), lift(BANDWIDTH));
    assert_same(&unweighted, &want, [true, false, false, false]);
}

#[test]
fn sparse_evaluation_equals_the_dense_formula() {
    // Many events, bins much wider and much narrower than the bandwidth, every option off
    // (the dense formula drops the tails too).
    let values: Vec<f64> = (0..20_000)
        .map(|i| 6.0 * ((i as f64 * 0.618_034).fract() - 0.5))
        .collect();
    let weights: Vec<f64> = (0..values.len())
        .map(|i| 0.5 + (i % 7) as f64 * 0.1)
        .collect();
    let edges: Vec<f64> = (0..=40)
        .map(|k| -2.5 + 0.1 * k as f64 + 0.02 * (k % 3) as f64)
        .collect();
    for bandwidth in [0.01, 0.07, 0.5] {
        let shift = Dual2_64::from_re(0.0).derivative();
        let shifted: Vec<Dual2_64> = values.iter().map(|&x| shift + x).collect();
        let h = Dual2_64::from(bandwidth);
        let sparse = kde_weighted(&shifted, &weights, &edges, h);
        let w: Vec<Dual2_64> = weights.iter().map(|&w| Dual2_64::from(w)).collect();
        let e: Vec<Dual2_64> = edges.iter().map(|&e| Dual2_64::from(e)).collect();
        let dense = dense_kde(&shifted, &w, &e, h);
        let total: f64 = weights.iter().sum();
        for (s, d) in sparse.iter().zip(&dense) {
            // Rounding of sums of ~1e4 terms, relative to the total weight.
            let scale = total * 1e-15;
            assert!(
                (s.re - d.re).abs() < scale,
                "h={bandwidth}: {} vs {}",
                s.re,
                d.re
            );
            assert!(
                (s.v1 - d.v1).abs() < scale / bandwidth,
                "h={bandwidth}: {} vs {}",
                s.v1,
                d.v1
            );
            let v2 = scale / (bandwidth * bandwidth);
            assert!(
                (s.v2 - d.v2).abs() < v2,
                "h={bandwidth}: {} vs {}",
                s.v2,
                d.v2
            );
        }
    }
}

#[test]
fn folded_tails_keep_every_events_weight() {
    let h = HistOptions::new().fold_overflow(true);
    let n = h.kde_weighted(&VALUES, &WEIGHTS, &EDGES, 0.8);
    let total: f64 = WEIGHTS.iter().sum();
    assert!((n.iter().sum::<f64>() - total).abs() < 1e-14);
    // the folded tails are the dropped mass: Φ below the first edge, above the last
    let open = kde_weighted(&VALUES, &WEIGHTS, &EDGES, 0.8);
    let below: f64 = VALUES
        .iter()
        .zip(&WEIGHTS)
        .map(|(&x, w)| w * gradhep_core::special::normal_cdf((EDGES[0] - x) / 0.8))
        .sum();
    assert!((n[0] - open[0] - below).abs() < 1e-14);
    // a single folded bin holds everything, exactly
    assert_eq!(h.kde(&[-40.0, 0.0, 1e300], &[0.0, 1.0], 0.1), vec![3.0]);
}

#[test]
fn density_integrates_to_one_with_dual_edges() {
    let de = dual(EDGES, T_EDGES);
    let n = HistOptions::new()
        .density(true)
        .kde(&VALUES, &de, lift(0.3));
    let area = n
        .iter()
        .zip(de.windows(2))
        .fold(Dual64::from(0.0), |a, (n, e)| a + *n * (e[1] - e[0]));
    assert!((area.re - 1.0).abs() < 1e-15 && area.eps.abs() < 1e-14);
    let empty = HistOptions::new().density(true).kde(&[10.0], &EDGES, 0.1);
    assert_eq!(empty, vec![0.0; 4]);
}

#[test]
fn events_at_infinity_land_in_the_tails_and_nan_poisons_every_bin() {
    let folded = HistOptions::new().fold_overflow(true);
    assert_eq!(
        folded.kde(&[f64::NEG_INFINITY, f64::INFINITY], &EDGES, 0.1),
        vec![1.0, 0.0, 0.0, 1.0]
    );
    assert_eq!(
        kde(&[f64::NEG_INFINITY, f64::INFINITY], &EDGES, 0.1),
        vec![0.0; 4]
    );
    assert!(
        kde(&[0.0, f64::NAN], &EDGES, 0.1)
            .iter()
            .all(|n| n.is_nan())
    );
}

#[test]
fn width_to_zero_recovers_the_hard_histogram() {
    let values = [-0.9, -0.3, 0.1, 0.2, 0.95, 1.9, 5.0];
    // -0.3 and 0.2 lie on inner edges: half in each neighbour
    assert_eq!(kde(&values, &EDGES, 1e-9), vec![1.5, 2.0, 0.5, 2.0]);
    assert_eq!(
        sigmoid_edges(&values, &EDGES, 1e-12),
        vec![1.5, 2.0, 0.5, 2.0]
    );
}

#[test]
fn sigmoid_edges_is_the_difference_of_sigmoid_steps() {
    let width = Dual64::new(0.2, 1.0);
    let n = sigmoid_edges(&VALUES, &EDGES, width);
    for (b, n) in n.iter().enumerate() {
        let want = VALUES.iter().fold(Dual64::from(0.0), |acc, &x| {
            let x = Dual64::from(x);
            acc + sigmoid((x - EDGES[b]) / width) - sigmoid((x - EDGES[b + 1]) / width)
        });
        assert!(
            (n.re - want.re).abs() < 1e-15 && (n.eps - want.eps).abs() < 1e-14,
            "{n:?} vs {want:?}"
        );
    }
}

#[test]
fn softmax_bins_sums_class_probabilities() {
    let scores = [[1.0, 0.0, -1.0], [0.5, 2.0, 0.1], [-3.0, 0.0, 3.0]];
    let n = softmax_bins(&scores);
    for (k, n) in n.iter().enumerate() {
        let want: f64 = scores.iter().map(|s| softmax(s)[k]).sum();
        assert!((n - want).abs() < 1e-15);
    }
    assert!((n.iter().sum::<f64>() - 3.0).abs() < 1e-15);
    // temperature to zero: the argmax histogram
    let hard = softmax_bins(&scores.map(|s| s.map(|x| x / 1e-3)));
    assert_eq!(hard, [1.0, 1.0, 1.0]);
    // gradient of a bin with respect to one event's score: p_k (1 - p_k)
    let mut dual_scores = scores.map(|s| s.map(Dual64::from));
    dual_scores[1][1] = Dual64::new(2.0, 1.0);
    let p = softmax(&scores[1])[1];
    assert!((softmax_bins(&dual_scores)[1].eps - p * (1.0 - p)).abs() < 1e-15);
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    // More events than one shard: the partial histograms of several shards are combined.
    let values: Vec<f64> = (0..100_000)
        .map(|i| ((i as f64) * 0.754_877_666).fract() * 4.0 - 2.0)
        .collect();
    let h = Dual64::new(0.05, 1.0);
    let reference = kde(&values, &EDGES, h);
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let again = pool.install(|| kde(&values, &EDGES, h));
        assert!(
            again.iter().zip(&reference).all(
                |(a, r)| a.re.to_bits() == r.re.to_bits() && a.eps.to_bits() == r.eps.to_bits()
            )
        );
    }
}

#[test]
#[should_panic(expected = "kde: need at least two bin edges, got 1")]
fn one_edge_panics() {
    kde(&VALUES, &[0.0], 0.1);
}

#[test]
#[should_panic(
    expected = "kde_weighted: bin edges must be strictly increasing, but edge 1 is 0.5 and edge 2 is 0.5"
)]
fn unsorted_edges_panic() {
    kde_weighted(&VALUES, &WEIGHTS, &[0.0, 0.5, 0.5, 1.0], 0.1);
}

#[test]
#[should_panic(expected = "kde: the kernel width must be positive and finite, got 0")]
fn zero_bandwidth_panics() {
    kde(&VALUES, &EDGES, 0.0);
}

#[test]
#[should_panic(expected = "sigmoid_edges: the kernel width must be positive and finite, got -0.1")]
fn negative_width_panics() {
    sigmoid_edges(&VALUES, &EDGES, -0.1);
}

#[test]
#[should_panic(expected = "kde_weighted: 3 weights for 7 values")]
fn mismatched_weights_panic() {
    kde_weighted(&VALUES, &[1.0, 2.0, 3.0], &EDGES, 0.1);
}

#[test]
fn infinite_outer_edges_fold_the_tails_by_themselves() {
    let inf = f64::INFINITY;
    let open = kde_weighted(&VALUES, &WEIGHTS, &[-inf, -0.3, 0.2, inf], 0.4);
    let folded = HistOptions::new().fold_overflow(true).kde_weighted(
        &VALUES,
        &WEIGHTS,
        &[-1.0, -0.3, 0.2, 2.0],
        0.4,
    );
    assert_eq!(open, folded);
}

/// As `#[differentiable]` generates it: generic in `D`, dual values built from plain data,
/// literals lifted; nothing else pins the scalar type.
fn shifted_sum_of_squares<D: gradhep_core::Scalar>(shift: D, xs: &[f64], edges: &[f64]) -> D {
    let shifted: Vec<D> = xs.iter().map(|&x| shift + x).collect();
    let h = kde(&shifted, edges, lift(0.1));
    let cut: Vec<D> = xs
        .iter()
        .map(|&x| gradhep_core::smooth::cut_above(lift(x), shift, lift(0.2)))
        .collect();
    let w = kde_weighted(xs, &cut, edges, lift(0.1));
    h.iter()
        .zip(&w)
        .fold(D::zero(), |acc, (&a, &b)| acc + a * a + b)
}

#[test]
fn generic_code_infers_the_scalar_type_through_lifted_literals() {
    let (v, d) = gradhep_core::num_dual::first_derivative(
        |s: Dual64| shifted_sum_of_squares(s, &VALUES, &EDGES),
        0.1,
    );
    assert_eq!(v, shifted_sum_of_squares(0.1, &VALUES, &EDGES));
    let err = gradhep_core::check::gradient(
        |[s]| {
            let (v, d) = gradhep_core::num_dual::first_derivative(
                |s: Dual64| shifted_sum_of_squares(s, &VALUES, &EDGES),
                s,
            );
            (v, [d])
        },
        [0.1],
    );
    assert!(d.is_finite() && err < 1e-8, "{err}");
}
