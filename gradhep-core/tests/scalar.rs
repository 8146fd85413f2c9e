//! The scalar contract: inference through `Elem`, exact chain rule through `custom_unary`.

use gradhep_core::num_dual::{
    Dual2_64, Dual3_64, Dual64, DualSVec64, HyperDual64, first_derivative, second_derivative,
    third_derivative,
};
use gradhep_core::{Elem, Scalar, custom_unary, lift, value};

/// A data-or-dual slice reduced against a scalar of type `D`, as `hist::kde` is.
fn shifted_sum<D: Scalar, V: Elem<D>>(values: &[V], shift: D) -> D {
    values
        .iter()
        .fold(D::zero(), |acc, &v| acc + v.to_scalar() * shift)
}

#[test]
fn plain_data_infers_f64_from_the_scalar_argument() {
    let y = shifted_sum(&[1.0, 2.0], 0.5);
    assert_eq!(y, 1.5);
}

#[test]
fn dual_data_pins_the_scalar_type_even_for_a_lifted_literal() {
    let xs = [Dual64::new(1.0, 1.0), Dual64::new(2.0, 0.0)];
    let y = shifted_sum(&xs, lift(0.5));
    assert_eq!((y.re, y.eps), (1.5, 0.5));
}

#[test]
fn value_reads_references_and_values_alike() {
    let xs = [Dual64::new(3.0, 1.0)];
    let sq: Vec<Dual64> = xs.iter().map(|x| value(x) * value(x)).collect();
    assert_eq!((sq[0].re, sq[0].eps), (9.0, 6.0));
}

fn sin_by_taylor<D: Scalar>(x: D) -> D {
    custom_unary(x, |x0| [x0.sin(), x0.cos(), -x0.sin(), -x0.cos()])
}

#[test]
fn custom_unary_matches_num_dual_to_third_order() {
    let x = 0.7_f64;
    let (f, d1) = first_derivative(sin_by_taylor::<Dual64>, x);
    assert_eq!((f, d1), (x.sin(), x.cos()));
    let (_, _, d2) = second_derivative(sin_by_taylor::<Dual2_64>, x);
    assert_eq!(d2, -x.sin());
    let (_, _, _, d3) = third_derivative(sin_by_taylor::<Dual3_64>, x);
    assert!((d3 + x.cos()).abs() < 1e-15);
}

#[test]
fn custom_unary_is_exact_for_hyper_duals_and_vectors() {
    let h = sin_by_taylor(HyperDual64::new(0.3, 1.0, 1.0, 0.0));
    assert!((h.eps1eps2 + 0.3f64.sin()).abs() < 1e-15);
    let v = sin_by_taylor(DualSVec64::<2>::from_re(0.3).derivative(1));
    let g = v.eps.unwrap_generic(nalgebra::Const::<2>, nalgebra::U1);
    assert_eq!((g[0], g[1]), (0.0, 0.3f64.cos()));
    let nested = sin_by_taylor(gradhep_core::num_dual::Dual::new(
        Dual64::new(0.3, 1.0),
        Dual64::new(1.0, 0.0),
    ));
    assert!((nested.eps.eps + 0.3f64.sin()).abs() < 1e-15);
    assert_eq!(nested.re.re, 0.3f64.sin());
}
