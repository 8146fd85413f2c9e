//! Special functions against mpmath (50 digits; the inputs are the exact `f64` arguments) and
//! their derivatives against the closed forms.

use gradhep_core::num_dual::{
    Dual2_64, Dual3_64, first_derivative, second_derivative, third_derivative,
};
use gradhep_core::special::{
    erf, erfc, ln_gamma, normal_cdf, normal_pdf, normal_ppf, normal_sf, tanh,
};

fn assert_rel(got: f64, want: f64, tol: f64) {
    let err = ((got - want) / want).abs();
    assert!(
        err <= tol,
        "got {got:e}, want {want:e}: relative error {err:e} > {tol:e}"
    );
}

#[test]
fn survival_function_keeps_relative_precision_deep_in_both_tails() {
    // mpmath: erfc(x/sqrt(2))/2 at 50 digits.
    assert_rel(normal_sf(8.0), 6.220_960_574_271_784e-16, 1e-14);
    assert_rel(normal_sf(-8.0), 0.999_999_999_999_999_3, 1e-14);
    let table = [
        (-1.5, 0.933_192_798_731_141_9),
        (0.5, 0.308_537_538_725_986_9),
        (3.0, 0.001_349_898_031_630_094_6),
        (5.0, 2.866_515_718_791_939e-7),
        (6.5, 4.016_000_583_859_118e-11),
        (12.0, 1.776_482_112_077_679e-33),
        (20.0, 2.753_624_118_606_233_7e-89),
        (37.0, 5.725_571_222_524_577e-300),
    ];
    for (x, q) in table {
        assert_rel(normal_sf(x), q, 4e-16);
        assert_rel(normal_cdf(-x), q, 4e-16);
    }
}

#[test]
fn error_functions_and_density_match_mpmath() {
    let table = [
        (
            -0.7,
            -0.677_801_193_837_418_4,
            1.677_801_193_837_418_4,
            0.312_253_933_366_761_27,
        ),
        (
            1.1,
            0.880_205_069_574_081_7,
            0.119_794_930_425_918_27,
            0.217_852_177_032_550_5,
        ),
        (
            2.9,
            0.999_958_902_121_900_5,
            4.109_787_809_945_886e-5,
            0.005_952_532_419_775_855_5,
        ),
        (
            -4.0,
            -0.999_999_984_582_742_1,
            1.999_999_984_582_742,
            0.000_133_830_225_764_885_34,
        ),
    ];
    for (x, erf_x, erfc_x, pdf_x) in table {
        assert_rel(erf(x), erf_x, 2e-16);
        assert_rel(erfc(x), erfc_x, 2e-16);
        assert_rel(normal_pdf(x), pdf_x, 4e-16);
    }
    assert_rel(normal_pdf(8.0), 5.052_271_083_536_892e-15, 4e-16);
    assert_rel(normal_pdf(30.0), 1.473_646_134_878_547_6e-196, 4e-16);
}

#[test]
fn quantile_inverts_the_cdf_to_a_few_ulp_down_to_1e_minus_300() {
    // mpmath: findroot(ncdf(x) - p) at 50 digits.
    let table = [
        (1e-300, -37.047_096_299_361_2),
        (1e-20, -9.262_340_089_798_407),
        (1e-10, -6.361_340_902_404_057),
        (0.001, -3.090_232_306_167_813_6),
        (0.025, -1.959_963_984_540_054_3),
        (0.3, -0.524_400_512_708_040_8),
        (0.975, 1.959_963_984_540_053_8),
        (0.999_999_9, 5.199_337_582_290_661),
        (0.999_999_999_999_999, 7.941_444_487_415_978),
    ];
    for (p, x) in table {
        assert_rel(normal_ppf(p), x, 4e-16);
    }
    assert_eq!(normal_ppf(0.5), 0.0);
    assert!(normal_ppf(5e-324).is_finite());
    assert_eq!(normal_ppf(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_ppf(1.0), f64::INFINITY);
    assert!(normal_ppf(-0.1).is_nan() && normal_ppf(1.5).is_nan() && normal_ppf(f64::NAN).is_nan());
}

#[test]
fn ln_gamma_matches_mpmath() {
    let table = [
        (0.5, 0.572_364_942_924_700_1),
        (3.5, 1.200_973_602_347_074_3),
        (10.0, 12.801_827_480_081_469),
        (171.3, 708.114_947_038_996_9),
        (1e5, 1_051_287.708_973_656_9),
    ];
    for (x, lg) in table {
        assert_rel(ln_gamma(x), lg, 4e-16);
    }
}

#[test]
fn derivatives_are_the_closed_forms_to_third_order() {
    let x = 0.8_f64;
    let phi = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let (_, _, _, d3) = third_derivative(normal_cdf::<Dual3_64>, x);
    assert_rel(d3, (x * x - 1.0) * phi, 1e-15);
    let (_, d1, d2) = second_derivative(normal_sf::<Dual2_64>, x);
    assert_rel(d1, -phi, 1e-15);
    assert_rel(d2, x * phi, 1e-15);
    let (_, _, _, d3) = third_derivative(normal_pdf::<Dual3_64>, x);
    assert_rel(d3, -(x * x * x - 3.0 * x) * phi, 1e-15);
    let g = 2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp();
    let (_, _, d2) = second_derivative(erf::<Dual2_64>, x);
    assert_rel(d2, -2.0 * x * g, 1e-15);
    let (_, _, _, d3) = third_derivative(erfc::<Dual3_64>, x);
    assert_rel(d3, -(4.0 * x * x - 2.0) * g, 1e-15);
}

#[test]
fn tanh_derivatives_are_the_closed_forms_to_third_order() {
    // (tanh, sech², −2 tanh sech², sech²(4 tanh² − 2 sech²)) from libm's cosh and tanh
    for x in [-3.7_f64, -0.8, -0.49, 0.0, 0.3, 0.5, 1.2, 6.0] {
        let (t, c) = (x.tanh(), x.cosh());
        let s = 1.0 / (c * c);
        let (f0, d1, d2, d3) = third_derivative(tanh::<Dual3_64>, x);
        let close = |got: f64, want: f64| (got - want).abs() <= 8.0 * f64::EPSILON * want.abs();
        assert!(close(f0, t), "tanh({x}) = {f0}, want {t}");
        assert!(close(d1, s), "tanh'({x}) = {d1}, want {s}");
        assert!(close(d2, -2.0 * t * s), "tanh''({x}) = {d2}");
        assert!(
            close(d3, s * (4.0 * t * t - 2.0 * s)),
            "tanh'''({x}) = {d3}"
        );
        assert_eq!(tanh(x), f0, "the f64 value is the duals' value");
    }
}

#[test]
fn derivatives_underflow_to_zero_not_nan_far_out() {
    for x in [-1e308, -40.0, 40.0, 1e308] {
        for f in [erf::<Dual2_64>, erfc, normal_cdf, normal_sf, normal_pdf] {
            let (v, d1, d2) = second_derivative(f, x);
            assert!(
                v.is_finite() && d1 == 0.0 && d2 == 0.0,
                "{x}: {v} {d1} {d2}"
            );
        }
    }
    let inf = f64::INFINITY;
    assert_eq!((normal_cdf(inf), normal_cdf(-inf)), (1.0, 0.0));
    assert_eq!(
        (normal_sf(inf), normal_sf(-inf), normal_pdf(inf)),
        (0.0, 1.0, 0.0)
    );
    assert_eq!(first_derivative(normal_cdf, 1e300), (1.0, 0.0));
}
