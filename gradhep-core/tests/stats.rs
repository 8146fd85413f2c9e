//! Significances and the Poisson likelihood: limits, the behaviour at s = 0 and b = 0, and
//! derivatives there.

use gradhep_core::num_dual::{Dual2_64, Dual64, DualNum, second_derivative};
use gradhep_core::special::ln_gamma;
use gradhep_core::stats::{
    asimov_significance, asimov_significance_binned, asimov_significance_with_uncertainty,
    poisson_log_pmf,
};

#[test]
fn asimov_is_smooth_through_zero_signal() {
    let b = 9.0;
    let (z, dz, d2z) =
        second_derivative(|s: Dual2_64| asimov_significance(s, Dual2_64::from(b)), 0.0);
    // Z = s/√b (1 − s/(6b) + …): Z' = 1/√b, Z'' = −1/(3 b^{3/2})
    assert_eq!(z, 0.0);
    assert!((dz - 1.0 / 3.0).abs() < 1e-15);
    assert!((d2z + 1.0 / (3.0 * 27.0)).abs() < 1e-15);
    // a deficit gives a negative significance of the textbook magnitude
    let z = asimov_significance(-2.0, b);
    let textbook = (2.0 * ((b - 2.0) * (1.0 - 2.0 / b).ln() + 2.0)).sqrt();
    assert!((z + textbook).abs() < 1e-14);
    // both branches of h meet: continuous value and slope across |s/b| = 0.1
    let at = |s: f64| {
        second_derivative(
            |s: Dual2_64| asimov_significance(s, Dual2_64::from(10.0)),
            s,
        )
    };
    let step = 1e-12;
    let (z0, dz0, d2z0) = at(1.0 - step);
    let (z1, dz1, d2z1) = at(1.0 + step);
    assert!((z1 - z0 - 2.0 * step * dz0).abs() < 1e-15);
    assert!((dz1 - dz0 - 2.0 * step * d2z0).abs() < 1e-15);
    assert!((d2z1 - d2z0).abs() < 1e-13);
}

#[test]
fn asimov_at_zero_background_is_infinite_or_zero_never_nan() {
    assert_eq!(asimov_significance(1.0, 0.0), f64::INFINITY);
    let z = asimov_significance(Dual64::from(0.0), Dual64::new(0.0, 1.0));
    assert_eq!((z.re, z.eps), (0.0, 0.0));
    // as b → 0 it grows like sqrt(2 s ln(s/b))
    let (s, b) = (3.0_f64, 1e-100_f64);
    let z = asimov_significance(s, b);
    assert!((z / (2.0 * ((s + b) * (s / b).ln_1p() - s)).sqrt() - 1.0).abs() < 1e-14);
    let dz = asimov_significance(Dual64::from(s), Dual64::new(b, 1.0)).eps;
    assert!(dz.is_finite() && dz < 0.0);
}

#[test]
fn binned_significance_skips_empty_bins_and_has_a_zero_subgradient_at_no_signal() {
    let s = [
        Dual64::new(0.0, 1.0),
        Dual64::new(0.0, 1.0),
        Dual64::from(0.0),
    ];
    let b = [Dual64::from(4.0), Dual64::from(1.0), Dual64::from(0.0)];
    let z = asimov_significance_binned(&s, &b);
    assert_eq!((z.re, z.eps), (0.0, 0.0));
    let s = [Dual64::new(2.0, 1.0), Dual64::from(0.0)];
    let b = [Dual64::from(5.0), Dual64::from(0.0)];
    let z = asimov_significance_binned(&s, &b);
    let one = asimov_significance(Dual64::new(2.0, 1.0), Dual64::from(5.0));
    assert!((z.re - one.re).abs() < 1e-15 && (z.eps - one.eps).abs() < 1e-15);
    assert_eq!(
        asimov_significance_binned(&[1.0, 1.0], &[1.0, 0.0]),
        f64::INFINITY
    );
}

#[test]
#[should_panic(expected = "asimov_significance_binned: 2 signal bins but 1 background bins")]
fn binned_significance_panics_on_mismatched_bins() {
    asimov_significance_binned(&[1.0, 2.0], &[3.0]);
}

#[test]
fn cowan_reduces_to_asimov_and_to_s_over_root_b_plus_sigma_squared() {
    for (s, b) in [(5.0, 10.0), (0.3, 50.0), (40.0, 2.0)] {
        assert_eq!(
            asimov_significance_with_uncertainty(s, b, 0.0),
            asimov_significance(s, b)
        );
        let tiny = asimov_significance_with_uncertainty(s, b, 1e-9);
        assert!((tiny / asimov_significance(s, b) - 1.0).abs() < 1e-15);
    }
    let (b, sigma) = (20.0_f64, 3.0_f64);
    let d = |s: f64| {
        second_derivative(
            |s: Dual2_64| {
                asimov_significance_with_uncertainty(s, Dual2_64::from(b), Dual2_64::from(sigma))
            },
            s,
        )
    };
    let (z, dz, d2z) = d(0.0);
    assert_eq!(z, 0.0);
    assert!((dz - 1.0 / (b + sigma * sigma).sqrt()).abs() < 1e-15);
    assert!(d2z.is_finite());
    // small s: s/sqrt(b + σ²) to first order
    let z = asimov_significance_with_uncertainty(1e-6, b, sigma);
    assert!((z / (1e-6 / (b + sigma * sigma).sqrt()) - 1.0).abs() < 1e-7);
    // no NaN derivative in σ at σ = 0
    let z = asimov_significance_with_uncertainty(
        Dual64::from(5.0),
        Dual64::from(10.0),
        Dual64::new(0.0, 1.0),
    );
    assert_eq!(z.eps, 0.0);
    // an unconstrained background (b = 0, σ > 0) gives no significance
    assert_eq!(asimov_significance_with_uncertainty(5.0, 0.0, 1.0), 0.0);
}

#[test]
fn poisson_log_pmf_is_the_log_of_the_pmf_for_continuous_counts() {
    for (n, lam) in [(0.0_f64, 2.5_f64), (3.0, 2.5), (7.5, 10.0), (120.0, 100.0)] {
        let want = n * lam.ln() - lam - ln_gamma(n + 1.0);
        assert!((poisson_log_pmf(n, lam) - want).abs() < 1e-12 * want.abs().max(1.0));
        let d = poisson_log_pmf(n, Dual64::new(lam, 1.0)).eps;
        assert!((d - (n / lam - 1.0)).abs() < 1e-15);
    }
    assert_eq!(poisson_log_pmf(2.0, 0.0), f64::NEG_INFINITY);
    assert_eq!(poisson_log_pmf(0.0, Dual64::new(0.0, 1.0)).eps, -1.0);
    // integer n: the pmf itself
    let p: f64 = (0..60)
        .map(|n| poisson_log_pmf(f64::from(n), 4.2_f64).exp())
        .sum();
    assert!((p - 1.0).abs() < 1e-14);
    let _ = Dual64::from(1.0).ln();
}
