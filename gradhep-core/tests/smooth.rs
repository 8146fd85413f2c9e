//! Soft cuts and smooth extrema: stability far out, precision in the tails, inference of the
//! scalar type from mixed data and duals, and the hard limits.

use gradhep_core::num_dual::{
    Dual2_64, Dual3_64, Dual64, DualSVec64, HyperDual64, first_derivative, second_derivative,
    third_derivative,
};
use gradhep_core::smooth::{
    cut_above, cut_below, cut_window, logsumexp, sigmoid, smooth_max, smooth_min, softmax, softplus,
};
use gradhep_core::special::{normal_cdf, tanh};
use gradhep_core::{DualDense64, hessian_seeds, lift, split_hessian};

#[test]
fn sigmoid_and_softplus_have_finite_derivatives_out_to_1e308() {
    for z in [-1e308, -1e300, -745.0, -40.0, 40.0, 710.0, 1e300, 1e308] {
        let (s, d1) = first_derivative(sigmoid::<Dual64>, z);
        let (s2, d1b, d2) = second_derivative(sigmoid::<Dual2_64>, z);
        assert!(
            s.is_finite() && d1.is_finite() && d2.is_finite(),
            "sigmoid at {z}"
        );
        assert_eq!((s, d1), (s2, d1b));
        let (p, dp, d2p) = second_derivative(softplus::<Dual2_64>, z);
        assert!(
            p.is_finite() && dp.is_finite() && d2p.is_finite(),
            "softplus at {z}"
        );
    }
    assert_eq!(
        second_derivative(sigmoid::<Dual2_64>, 1e308),
        (1.0, 0.0, 0.0)
    );
    assert_eq!(
        second_derivative(softplus::<Dual2_64>, 1e308),
        (1e308, 1.0, 0.0)
    );
}

#[test]
fn duals_take_the_limits_at_infinity() {
    // σ, Φ and tanh → (±1 or 0, zero derivatives); softplus(z) → (∞, the tangent itself)
    for z in [f64::INFINITY, f64::NEG_INFINITY] {
        let up = z > 0.0;
        let ends = [
            (
                sigmoid::<Dual64> as fn(Dual64) -> Dual64,
                if up { 1.0 } else { 0.0 },
            ),
            (normal_cdf::<Dual64>, if up { 1.0 } else { 0.0 }),
            (tanh::<Dual64>, z.signum()),
        ];
        for (f, limit) in ends {
            assert_eq!(first_derivative(f, z), (limit, 0.0), "at {z}");
        }
        let dense = sigmoid(DualDense64::new(z, [1.0, -2.0]));
        assert_eq!((dense.re, dense.eps), (ends[0].1, [0.0, 0.0]));
        let svec = sigmoid(DualSVec64::<2>::from_re(z).derivative(1));
        assert_eq!(svec.re, ends[0].1);
        assert_eq!(
            svec.eps
                .unwrap_generic(nalgebra::Const::<2>, nalgebra::U1)
                .as_slice(),
            [0.0, 0.0]
        );
        // the higher orders: the series about an infinite point
        let s = ends[0].1;
        assert_eq!(second_derivative(sigmoid::<Dual2_64>, z), (s, 0.0, 0.0));
        assert_eq!(
            third_derivative(normal_cdf::<Dual3_64>, z),
            (s, 0.0, 0.0, 0.0)
        );
        let h = tanh(HyperDual64::from_re(z).derivative1().derivative2());
        assert_eq!(
            [h.re, h.eps1, h.eps2, h.eps1eps2],
            [z.signum(), 0.0, 0.0, 0.0]
        );
        let (y, g, hess) = split_hessian(sigmoid(hessian_seeds([z, 1.0])[0]));
        assert_eq!((y, g, hess), (s, [0.0; 2], [[0.0; 2]; 2]));
    }
    let p = softplus(DualDense64::new(f64::INFINITY, [1.0, -2.0]));
    assert_eq!((p.re, p.eps), (f64::INFINITY, [1.0, -2.0]));
}

#[test]
fn sigmoid_keeps_relative_precision_in_both_tails() {
    for z in [-30.0_f64, -5.0, 30.0] {
        let e = (-z.abs()).exp();
        let (s, d1, d2) = second_derivative(sigmoid::<Dual2_64>, z);
        let want_s = if z > 0.0 {
            1.0 / (1.0 + e)
        } else {
            e / (1.0 + e)
        };
        let want_d1 = e / ((1.0 + e) * (1.0 + e));
        // σ'' = σ'·(1 − 2σ) = σ'·(1 − e)/(1 + e) · sign(−z)
        let want_d2 = want_d1 * (1.0 - e) / (1.0 + e) * -z.signum();
        assert!((s / want_s - 1.0).abs() < 1e-15, "{z}");
        assert!((d1 / want_d1 - 1.0).abs() < 1e-15, "{z}: {d1} {want_d1}");
        assert!((d2 / want_d2 - 1.0).abs() < 1e-15, "{z}: {d2} {want_d2}");
    }
    // near zero σ'' ≈ −z/8 is formed without cancellation
    let (_, _, d2) = second_derivative(sigmoid::<Dual2_64>, 1e-10);
    assert!((d2 / -1.25e-11 - 1.0).abs() < 1e-9);
}

#[test]
fn cuts_infer_the_scalar_type_from_duals_and_lifted_data() {
    // plain data, plain cut: f64
    let plain: f64 = cut_above(0.3, 0.5, 0.1);
    // plain data, trainable cut: data and width lifted, as #[differentiable] writes them
    let cut = Dual64::new(0.5, 1.0);
    let by_cut = cut_above(lift(0.3), cut, lift(0.1));
    // dual data (a network output), fixed cut and width
    let x = Dual64::new(0.3, 1.0);
    let by_x = cut_above(x, lift(0.5), lift(0.1));
    assert_eq!((by_cut.re, by_x.re), (plain, plain));
    assert!((by_cut.eps + by_x.eps).abs() < 1e-15);
    // two directions at once
    let c2 = DualSVec64::<2>::from_re(0.5).derivative(0);
    let w2 = DualSVec64::<2>::from_re(0.1).derivative(1);
    let g = cut_window(lift(0.3), c2, lift(2.5), w2);
    let dw = g.eps.unwrap_generic(nalgebra::Const::<2>, nalgebra::U1);
    let s = sigmoid(-2.0);
    assert!((dw[0] + s * (1.0 - s) / 0.1 * sigmoid(22.0)).abs() < 1e-12);
}

#[test]
fn cuts_recover_the_hard_cut_as_the_width_vanishes() {
    for x in [-1.0, 0.499_999, 0.500_001, 3.0] {
        let above = f64::from(u8::from(x > 0.5));
        assert_eq!(cut_above(x, 0.5, 1e-9), above);
        assert_eq!(cut_below(x, 0.5, 1e-9), 1.0 - above);
        assert_eq!(
            cut_window(x, 0.0, 0.5, 1e-9),
            f64::from(u8::from(0.0 < x && x < 0.5))
        );
    }
    assert_eq!(cut_above(0.5, 0.5, 1e-300), 0.5);
}

#[test]
#[should_panic(expected = "cut_above: width must be positive, got 0")]
fn zero_width_panics() {
    cut_above(1.0, 0.0, 0.0);
}

#[test]
#[should_panic(expected = "smooth_max: temperature must be positive, got -1")]
fn negative_temperature_panics() {
    smooth_max(1.0, 0.0, -1.0);
}

#[test]
fn smooth_extrema_bound_the_hard_ones_and_have_softmax_gradients() {
    for (a, b, t) in [(1.0, 2.0, 0.5), (-3.0, 4.0, 2.0), (1e10, -1e10, 1.0)] {
        let m = smooth_max(a, b, t);
        assert!(m >= a.max(b) && m <= a.max(b) + t * 2f64.ln() + 1e-12);
        assert!((smooth_min(a, b, t) + smooth_max(-a, -b, t)).abs() < 1e-9 * a.abs().max(1.0));
        let (_, da) = first_derivative(
            |a: Dual64| smooth_max(a, Dual64::from(b), Dual64::from(t)),
            a,
        );
        assert!((da - sigmoid((a - b) / t)).abs() < 1e-15);
    }
    assert_eq!(smooth_max(2.0, 1.0, 1e-6), 2.0);
    assert_eq!(smooth_min(2.0, 1.0, 1e-6), 1.0);
}

#[test]
fn logsumexp_does_not_overflow_and_its_gradient_is_the_softmax() {
    let xs = [800.0, 801.0, 799.5];
    let want = 801.0 + ((-1.0f64).exp() + 1.0 + (-1.5f64).exp()).ln();
    assert!((logsumexp(&xs) - want).abs() < 1e-12);
    let p = softmax(&xs);
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    for (k, p) in p.iter().enumerate() {
        let duals: Vec<Dual64> = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| Dual64::new(x, f64::from(u8::from(i == k))))
            .collect();
        assert!((logsumexp(&duals).eps - p).abs() < 1e-15);
    }
    assert_eq!(logsumexp(&[f64::NEG_INFINITY, 0.0]), 0.0);
    assert_eq!(softmax(&[1e3 / 1e-3, 0.0]), vec![1.0, 0.0]);
}
