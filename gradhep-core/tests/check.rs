//! `check::gradient` confirms right gradients, refutes wrong ones, and flags NaN.

use gradhep_core::check::gradient;
use gradhep_core::lift;
use gradhep_core::num_dual::DualSVec64;
use gradhep_core::smooth::cut_above;

/// A `_grad` companion written by hand: the soft-cut yield and its (cut, width) gradient.
fn kept_grad([cut, width]: [f64; 2], events: &[f64]) -> (f64, [f64; 2]) {
    let c = DualSVec64::<2>::from_re(cut).derivative(0);
    let w = DualSVec64::<2>::from_re(width).derivative(1);
    let y = events
        .iter()
        .fold(DualSVec64::<2>::from_re(0.0), |acc, &x| {
            acc + cut_above(lift(x), c, w)
        });
    let g = y.eps.unwrap_generic(nalgebra::Const::<2>, nalgebra::U1);
    (y.re, [g[0], g[1]])
}

#[test]
fn a_forward_mode_gradient_passes_and_a_wrong_one_fails() {
    let events = [-0.3, 0.2, 0.45, 0.8, 1.7];
    let err = gradient(|p| kept_grad(p, &events), [0.5, 0.1]);
    assert!(err < 1e-8, "{err}");
    let sign_flipped = |p: [f64; 2]| {
        let (y, [dc, dw]) = kept_grad(p, &events);
        (y, [-dc, dw])
    };
    assert!(gradient(sign_flipped, [0.5, 0.1]) > 0.5);
}

#[test]
fn large_coordinates_use_a_relative_step_and_nan_is_never_a_pass() {
    let f = |[a]: [f64; 1]| (a * a, [2.0 * a]);
    assert!(gradient(f, [1e8]) < 1e-9);
    assert_eq!(
        gradient(|[a]: [f64; 1]| (a, [f64::NAN]), [1.0]),
        f64::INFINITY
    );
    assert_eq!(gradient(|[_a]: [f64; 1]| (3.0, [0.0]), [1.0]), 0.0);
}
