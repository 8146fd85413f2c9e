//! Property tests: for random inputs, every function's first and second derivatives (carried
//! by `Dual2_64`) equal central finite differences of its plain value and of its `Dual64`
//! first derivative; and the smooth operations become the hard ones as their width vanishes.

use gradhep_core::hist::{HistOptions, kde, kde_weighted, sigmoid_edges, softmax_bins};
use gradhep_core::lift;
use gradhep_core::num_dual::{Dual2_64, Dual64, second_derivative};
use gradhep_core::smooth::{
    cut_above, cut_below, cut_window, logsumexp, sigmoid, smooth_max, smooth_min, softmax, softplus,
};
use gradhep_core::special::{erf, erfc, normal_cdf, normal_pdf, normal_sf};
use gradhep_core::stats::{
    asimov_significance, asimov_significance_binned, asimov_significance_with_uncertainty,
    poisson_log_pmf,
};
use proptest::prelude::*;

/// `f(x)` as the plain value, with its Dual64 and Dual2_64 derivatives, compared with
/// Richardson-extrapolated central differences of the value and of the Dual64 slope: step
/// `1e-4·max(|x|, 0.1)` (the smallest feature of the inputs below is a 0.05 bandwidth), so
/// truncation is `O(step⁴)` ~1e-13 and rounding ~1e-11 for functions of unit scale.
fn assert_derivatives(
    x: f64,
    primal: impl Fn(f64) -> f64,
    first: impl Fn(Dual64) -> Dual64,
    second: impl Fn(Dual2_64) -> Dual2_64,
) -> Result<(), TestCaseError> {
    let (f, d1, d2) = second_derivative(&second, x);
    let step = 1e-4 * x.abs().max(0.1);
    let difference = |g: &dyn Fn(f64) -> f64| {
        let central = |h: f64| (g(x + h) - g(x - h)) / (2.0 * h);
        (4.0 * central(step / 2.0) - central(step)) / 3.0
    };
    let slope = |x: f64| first(Dual64::new(x, 1.0)).eps;
    let fd1 = difference(&primal);
    let fd2 = difference(&slope);
    let tol = |v: f64| 1e-6 * (1.0 + v.abs());
    prop_assert!(
        (f - primal(x)).abs() <= 1e-14 * (1.0 + f.abs()),
        "value {f} vs {}",
        primal(x)
    );
    prop_assert!(
        (slope(x) - d1).abs() <= 1e-14 * (1.0 + d1.abs()),
        "Dual64 {} vs Dual2 {d1}",
        slope(x)
    );
    prop_assert!((d1 - fd1).abs() <= tol(d1), "first at {x}: {d1} vs {fd1}");
    prop_assert!((d2 - fd2).abs() <= tol(d2), "second at {x}: {d2} vs {fd2}");
    Ok(())
}

/// Checks the derivatives of an expression in `v`, written once and evaluated as `f64`,
/// `Dual64` and `Dual2_64` (literals go through `lift`).
macro_rules! derivatives_match {
    ($x:expr, |$v:ident| $body:expr) => {
        assert_derivatives(
            $x,
            |$v: f64| -> f64 { $body },
            |$v: Dual64| -> Dual64 { $body },
            |$v: Dual2_64| -> Dual2_64 { $body },
        )?
    };
}

const VALUES: [f64; 6] = [-1.7, -0.4, 0.05, 0.33, 0.9, 2.4];
const WEIGHTS: [f64; 6] = [1.0, 0.5, 2.0, 1.5, 0.25, 1.0];
const EDGES: [f64; 5] = [-1.0, -0.2, 0.4, 1.1, 2.0];

proptest! {
    #[test]
    fn special_functions(x in -7.0..7.0_f64) {
        derivatives_match!(x, |v| erf(v));
        derivatives_match!(x, |v| erfc(v));
        derivatives_match!(x, |v| normal_cdf(v));
        derivatives_match!(x, |v| normal_sf(v));
        derivatives_match!(x, |v| normal_pdf(v));
    }

    #[test]
    fn sigmoid_and_softplus(z in -35.0..35.0_f64) {
        derivatives_match!(z, |v| sigmoid(v));
        derivatives_match!(z, |v| softplus(v));
    }

    #[test]
    fn soft_cuts(x in -3.0..3.0_f64, cut in -2.0..2.0_f64, width in 0.1..2.0_f64) {
        derivatives_match!(cut, |v| cut_above(lift(x), v, lift(width)));
        derivatives_match!(width, |v| cut_below(lift(x), lift(cut), v));
        derivatives_match!(x, |v| cut_above(v, lift(cut), lift(width)));
        derivatives_match!(cut, |v| cut_window(lift(x), v, lift(cut + 1.5), lift(width)));
        derivatives_match!(width, |v| cut_window(lift(x), lift(cut), lift(cut + 1.5), v));
    }

    #[test]
    fn smooth_extrema(a in -5.0..5.0_f64, b in -5.0..5.0_f64, t in 0.2..3.0_f64) {
        derivatives_match!(a, |v| smooth_max(v, lift(b), lift(t)));
        derivatives_match!(t, |v| smooth_min(lift(a), lift(b), v));
        derivatives_match!(a, |v| logsumexp(&[v, lift(b), v * 0.5]));
        derivatives_match!(b, |v| softmax(&[lift(a), v, lift(0.3)])[0]);
    }

    #[test]
    fn significances(s in 0.01..50.0_f64, b in 0.5..100.0_f64, sigma in 0.01..10.0_f64) {
        derivatives_match!(s, |v| asimov_significance(v, lift(b)));
        derivatives_match!(b, |v| asimov_significance(lift(s), v));
        derivatives_match!(s, |v| asimov_significance_binned(&[v, lift(1.0)], &[lift(b), lift(4.0)]));
        derivatives_match!(s, |v| asimov_significance_with_uncertainty(v, lift(b), lift(sigma)));
        derivatives_match!(b, |v| asimov_significance_with_uncertainty(lift(s), v, lift(sigma)));
        derivatives_match!(sigma, |v| asimov_significance_with_uncertainty(lift(s), lift(b), v));
        derivatives_match!(b, |v| poisson_log_pmf(s, v));
    }

    #[test]
    fn significances_near_zero_signal(s in -0.5..0.5_f64, b in 1.0..20.0_f64) {
        derivatives_match!(s, |v| asimov_significance(v, lift(b)));
        derivatives_match!(s, |v| asimov_significance_with_uncertainty(v, lift(b), lift(1.0)));
    }

    #[test]
    fn kernel_histograms(
        shift in -1.5..1.5_f64,
        h in 0.05..1.5_f64,
        bin in 0..4_usize,
        fold in any::<bool>(),
        density in any::<bool>(),
    ) {
        let opts = HistOptions::new().fold_overflow(fold).density(density);
        derivatives_match!(shift, |v| {
            let xs: Vec<_> = VALUES.iter().map(|&x| v + x).collect();
            opts.kde_weighted(&xs, &WEIGHTS, &EDGES, lift(h))[bin]
        });
        derivatives_match!(h, |v| opts.kde(&VALUES, &EDGES, v)[bin]);
        derivatives_match!(shift, |v| {
            let edges: Vec<_> = EDGES.iter().map(|&e| v * 0.3 + e).collect();
            opts.kde(&VALUES, &edges, lift(h))[bin]
        });
        derivatives_match!(h, |v| opts.sigmoid_edges(&VALUES, &EDGES, v * 0.5)[bin]);
        derivatives_match!(shift, |v| {
            let w: Vec<_> = WEIGHTS.iter().map(|&w| v * v + w).collect();
            kde_weighted(&VALUES, &w, &EDGES, lift(h))[bin]
        });
        derivatives_match!(shift, |v| {
            let scores = [[v, lift(0.2), lift(-0.4)], [lift(1.0), v * v, lift(0.0)]];
            softmax_bins(&scores)[bin % 3]
        });
    }

    #[test]
    fn cuts_become_hard_as_the_width_vanishes(x in -3.0..3.0_f64, cut in -3.0..3.0_f64) {
        prop_assume!((x - cut).abs() > 1e-4);
        let above = f64::from(u8::from(x > cut));
        prop_assert_eq!(cut_above(x, cut, 1e-7), above);
        prop_assert_eq!(cut_below(x, cut, 1e-7), 1.0 - above);
        prop_assert_eq!(sigmoid((x - cut) / 1e-7), above);
        prop_assert_eq!(smooth_max(x, cut, 1e-7), x.max(cut));
        prop_assert_eq!(smooth_min(x, cut, 1e-7), x.min(cut));
    }

    #[test]
    fn histograms_become_hard_as_the_width_vanishes(
        values in proptest::collection::vec(-2.0..3.0_f64, 0..50),
    ) {
        prop_assume!(values.iter().all(|x| EDGES.iter().all(|e| (x - e).abs() > 1e-6)));
        let mut hard = vec![0.0; EDGES.len() - 1];
        for &x in &values {
            if let Some(b) = EDGES.windows(2).position(|e| e[0] < x && x < e[1]) {
                hard[b] += 1.0;
            }
        }
        prop_assert_eq!(&kde(&values, &EDGES, 1e-8), &hard);
        prop_assert_eq!(&sigmoid_edges(&values, &EDGES, 1e-9), &hard);
    }
}
