//! `DualDense64<K>` against num-dual's `DualSVec64<K>` (the same first-derivative algebra in a
//! different tangent layout) for every `DualNum` method and operator on random inputs in each
//! function's domain; against central differences for compositions; and through `kde` and a
//! HistFactory `logpdf`.
//!
//! Where `DualDense64` takes the `f64` function's value or a direct `f'(x)` rather than
//! num-dual's composition (`/`, `powi`, `powf`, `powd`, `tan`, `tanh`, `atan2`, the spherical
//! Bessel functions) the two agree to rounding, so those are compared within a few ulp of the
//! operands' scale; everything else must agree to the bit.

// Tangents are compared component by component, and the messages name the index.
#![allow(clippy::needless_range_loop)]

use gradhep_core::histfactory::Workspace;
use gradhep_core::num_dual::{Derivative, DualNum, DualSVec64, DualStruct};
use gradhep_core::{DualDense64, Scalar, gradient_seeds, split_gradient};
use nalgebra::SVector;
use num_traits::{FromPrimitive, Inv, Num, One, Signed, Zero};
use proptest::prelude::*;
use std::path::PathBuf;

const K: usize = 3;
type Dense = DualDense64<K>;
type NumDual = DualSVec64<K>;

fn num_dual(re: f64, eps: [f64; K]) -> NumDual {
    NumDual::new(re, Derivative::some(SVector::from(eps)))
}

fn parts(x: &NumDual) -> (f64, [f64; K]) {
    (x.re, x.eps.0.map_or([0.0; K], |g| g.into()))
}

/// `a` and `b` agree within `ulps` units of `f64::EPSILON` at the scale `max(1, |a|, |b|)`;
/// `ulps = 0` asks for the same bits (NaN matching NaN).
fn agree(a: f64, b: f64, ulps: f64) -> bool {
    if ulps == 0.0 {
        return a == b || (a.is_nan() && b.is_nan());
    }
    let scale = a.abs().max(b.abs()).max(1.0);
    (a - b).abs() <= ulps * f64::EPSILON * scale
}

fn assert_agree(what: &str, dense: &Dense, nd: &NumDual, ulps: f64) -> Result<(), TestCaseError> {
    let (re, eps) = parts(nd);
    prop_assert!(
        agree(dense.re, re, ulps),
        "{what}: value {} vs num-dual {}",
        dense.re,
        re
    );
    for k in 0..K {
        prop_assert!(
            agree(dense.eps[k], eps[k], ulps),
            "{what}: eps[{k}] {} vs num-dual {} (value {})",
            dense.eps[k],
            eps[k],
            re
        );
    }
    Ok(())
}

fn tangent() -> impl Strategy<Value = [f64; K]> {
    prop::array::uniform3(-1.0..1.0f64)
}

/// A value away from zero, of either sign.
fn nonzero() -> impl Strategy<Value = f64> {
    (0.5..2.0f64, any::<bool>()).prop_map(|(x, neg)| if neg { -x } else { x })
}

fn pair(re: impl Strategy<Value = f64>) -> impl Strategy<Value = (f64, [f64; K], Dense, NumDual)> {
    (re, tangent()).prop_map(|(re, eps)| (re, eps, Dense::new(re, eps), num_dual(re, eps)))
}

proptest! {
    #[test]
    fn binary_operators_agree_with_num_dual(
        (_, _, a, na) in pair(nonzero()),
        (_, _, b, nb) in pair(nonzero()),
        c in nonzero(),
    ) {
        assert_agree("a + b", &(a + b), &(na + nb), 0.0)?;
        assert_agree("a - b", &(a - b), &(na - nb), 0.0)?;
        assert_agree("a * b", &(a * b), &(na * nb), 0.0)?;
        // a'·b⁻¹ − b'·(a·b⁻¹)·b⁻¹ against (a'b − b'a)·b⁻¹·b⁻¹; the value a·b⁻¹ in both
        assert_agree("a / b", &(a / b), &(na / nb), 8.0)?;
        prop_assert_eq!((a / b).re, (na / nb).re);
        assert_agree("a + c", &(a + c), &(na + c), 0.0)?;
        assert_agree("a - c", &(a - c), &(na - c), 0.0)?;
        assert_agree("a * c", &(a * c), &(na * c), 0.0)?;
        assert_agree("a / c", &(a / c), &(na / c), 0.0)?;
        assert_agree("-a", &(-a), &(-na), 0.0)?;
        assert_agree("scale", &a.scale(&c), &na.scale(&c), 0.0)?;
        assert_agree("mul_add", &a.mul_add(b, a), &na.mul_add(nb, na), 0.0)?;
        assert_agree("sum", &[a, b, a].into_iter().sum(), &[na, nb, na].into_iter().sum(), 0.0)?;
        assert_agree("sum &", &[a, b].iter().sum(), &[na, nb].iter().sum(), 0.0)?;
        assert_agree("product", &[a, b, a].into_iter().product(), &[na, nb, na].into_iter().product(), 0.0)?;
        assert_agree("product &", &[a, b].iter().product(), &[na, nb].iter().product(), 0.0)?;
        assert_agree("abs", &a.abs(), &na.abs(), 0.0)?;
        assert_agree("signum", &a.signum(), &na.signum(), 0.0)?;
        assert_agree("abs_sub", &a.abs_sub(&b), &na.abs_sub(&nb), 0.0)?;
        assert_agree("inv", &a.inv(), &na.inv(), 0.0)?;
        prop_assert_eq!(a < b, na < nb);
        prop_assert_eq!(a.partial_cmp(&c), na.partial_cmp(&c));
        prop_assert_eq!(a == b, na == nb);
        prop_assert_eq!((a.is_positive(), a.is_negative()), (na.is_positive(), na.is_negative()));
    }

    #[test]
    fn reference_and_assign_forms_are_the_value_forms(
        (_, _, a, _) in pair(nonzero()),
        (_, _, b, _) in pair(nonzero()),
        c in nonzero(),
    ) {
        let same = |x: Dense, y: Dense| x.re.to_bits() == y.re.to_bits()
            && x.eps.iter().zip(&y.eps).all(|(p, q)| p.to_bits() == q.to_bits());
        macro_rules! forms {
            ($op:tt, $assign:tt) => {{
                let v = a $op b;
                prop_assert!(same(a $op &b, v));
                prop_assert!(same(&a $op b, v));
                prop_assert!(same(&a $op &b, v));
                let mut x = a;
                x $assign b;
                prop_assert!(same(x, v));
                let mut x = a;
                x $assign &b;
                prop_assert!(same(x, v));
                let w = a $op c;
                prop_assert!(same(&a $op c, w));
                let mut x = a;
                x $assign c;
                prop_assert!(same(x, w));
            }};
        }
        forms!(+, +=);
        forms!(-, -=);
        forms!(*, *=);
        forms!(/, /=);
        forms!(%, %=);
        prop_assert!(same(-&a, -a));
    }

    #[test]
    fn remainder_is_a_minus_trunc_quotient_times_b(
        (x, ex, a, _) in pair(-10.0..10.0f64),
        (y, ey, b, _) in pair(nonzero()),
    ) {
        // a mod b = a − n·b with n = trunc(a/b) locally constant
        let n = (x / y).trunc();
        let r = a % b;
        prop_assert_eq!(r.re, x % y);
        for k in 0..K {
            prop_assert!(agree(r.eps[k], ex[k] - n * ey[k], 4.0));
        }
        let r = a % y;
        prop_assert_eq!((r.re, r.eps), (x % y, ex));
    }

    #[test]
    fn unary_functions_agree_with_num_dual(
        (_, _, x, nx) in pair(nonzero()),
        (_, _, u, nu) in pair(-0.95..0.95f64),
        (_, _, w, nw) in pair(1.05..4.0f64),
        (_, _, t, nt) in pair(-3.0..3.0f64),
        (_, _, y, ny) in pair(nonzero()),
        n in -6i32..7,
        p in -3.0..3.0f64,
    ) {
        let xp = x.abs();
        let nxp = nx.abs();
        assert_agree("recip", &x.recip(), &nx.recip(), 0.0)?;
        // x.powi(n) and n·x.powi(n − 1) against x.powi(n − 3)·x·x·x
        assert_agree("powi", &x.powi(n), &nx.powi(n), 16.0)?;
        assert_agree("powf", &xp.powf(p), &nxp.powf(p), 16.0)?;
        // x.powf(y) against exp(y ln x)
        assert_agree("powd", &xp.powd(y), &nxp.powd(ny), 16.0)?;
        assert_agree("sqrt", &xp.sqrt(), &nxp.sqrt(), 0.0)?;
        assert_agree("cbrt", &x.cbrt(), &nx.cbrt(), 0.0)?;
        assert_agree("exp", &t.exp(), &nt.exp(), 0.0)?;
        assert_agree("exp2", &t.exp2(), &nt.exp2(), 0.0)?;
        assert_agree("exp_m1", &t.exp_m1(), &nt.exp_m1(), 0.0)?;
        assert_agree("ln", &xp.ln(), &nxp.ln(), 0.0)?;
        assert_agree("log", &xp.log(3.0), &nxp.log(3.0), 0.0)?;
        assert_agree("log2", &xp.log2(), &nxp.log2(), 0.0)?;
        assert_agree("log10", &xp.log10(), &nxp.log10(), 0.0)?;
        assert_agree("ln_1p", &u.ln_1p(), &nu.ln_1p(), 0.0)?;
        assert_agree("sin", &t.sin(), &nt.sin(), 0.0)?;
        assert_agree("cos", &t.cos(), &nt.cos(), 0.0)?;
        let ((s, c), (ns, nc)) = (t.sin_cos(), nt.sin_cos());
        assert_agree("sin_cos.0", &s, &ns, 0.0)?;
        assert_agree("sin_cos.1", &c, &nc, 0.0)?;
        // tan and 1/cos² against sin/cos through the quotient rule
        assert_agree("tan", &u.tan(), &nu.tan(), 8.0)?;
        assert_agree("asin", &u.asin(), &nu.asin(), 0.0)?;
        assert_agree("acos", &u.acos(), &nu.acos(), 0.0)?;
        assert_agree("atan", &t.atan(), &nt.atan(), 0.0)?;
        // (x·y' − y·x')/(x² + y²) against atan(y/x): num-dual's quotient
        assert_agree("atan2", &y.atan2(x), &ny.atan2(nx), 8.0)?;
        assert_agree("sinh", &t.sinh(), &nt.sinh(), 0.0)?;
        assert_agree("cosh", &t.cosh(), &nt.cosh(), 0.0)?;
        // 1/cosh² against (cosh² − sinh²)/cosh²: num-dual's cancellation grows as cosh²
        assert_agree("tanh", &t.tanh(), &nt.tanh(), 8.0 * t.re.cosh().powi(2))?;
        assert_agree("asinh", &t.asinh(), &nt.asinh(), 0.0)?;
        assert_agree("acosh", &w.acosh(), &nw.acosh(), 0.0)?;
        assert_agree("atanh", &u.atanh(), &nu.atanh(), 0.0)?;
        // j0' = −j1, j1' = j0 − 2j1/x, j2' = j1 − 3j2/x against sin/x compositions: both
        // cancel terms of order one below x ≈ 1, and lose the same digits differently
        assert_agree("sph_j0", &x.sph_j0(), &nx.sph_j0(), 256.0)?;
        assert_agree("sph_j1", &x.sph_j1(), &nx.sph_j1(), 256.0)?;
        assert_agree("sph_j2", &x.sph_j2(), &nx.sph_j2(), 256.0)?;
    }

    #[test]
    fn compositions_match_central_differences(x0 in 0.5..2.0f64, y0 in -1.0..1.0f64) {
        fn f<D: Scalar>(x: D, y: D) -> D {
            (x.sin() * y).exp() / (x * x + y * y + 1.0).sqrt()
                + y.atan2(x) * (x - y).tanh()
                + x.powd(y) * x.ln_1p()
                - (x / (y + 3.0)).powi(3)
                + (y * 0.5).asin().cosh()
        }
        let [x, y] = gradient_seeds([x0, y0]);
        let (v, g) = split_gradient(f(x, y));
        prop_assert!((v - f(x0, y0)).abs() <= 8.0 * f64::EPSILON * v.abs().max(1.0));
        let h = 1e-6;
        let dx = (f(x0 + h, y0) - f(x0 - h, y0)) / (2.0 * h);
        let dy = (f(x0, y0 + h) - f(x0, y0 - h)) / (2.0 * h);
        prop_assert!((g[0] - dx).abs() < 1e-7 * (1.0 + dx.abs()), "{} vs {}", g[0], dx);
        prop_assert!((g[1] - dy).abs() < 1e-7 * (1.0 + dy.abs()), "{} vs {}", g[1], dy);
    }

    #[test]
    fn kde_agrees_with_num_dual(
        values in prop::collection::vec(-3.0..3.0f64, 1..40),
        shift in -0.5..0.5f64,
        bandwidth in 0.05..0.5f64,
    ) {
        let edges = [-2.0, -1.0, -0.25, 0.5, 1.5, 2.5];
        let [s, bw] = gradient_seeds::<2>([shift, bandwidth]);
        let ns = DualSVec64::<2>::from_re(shift).derivative(0);
        let nbw = DualSVec64::<2>::from_re(bandwidth).derivative(1);
        let dense: Vec<_> = values.iter().map(|&x| s + x).collect();
        let nd: Vec<_> = values.iter().map(|&x| ns + x).collect();
        let h = gradhep_core::hist::kde(&dense, &edges, bw);
        let nh = gradhep_core::hist::kde(&nd, &edges, nbw);
        for (d, n) in h.iter().zip(&nh) {
            let g = n.eps.0.map_or([0.0; 2], |g| g.into());
            prop_assert!(agree(d.re, n.re, 16.0 * values.len() as f64));
            for k in 0..2 {
                prop_assert!(agree(d.eps[k], g[k], 64.0 * values.len() as f64), "{} vs {}", d.eps[k], g[k]);
            }
        }
    }
}

#[test]
fn constants_keep_a_zero_tangent_through_non_finite_factors() {
    // num-dual leaves a constant's tangent absent; the dense tangent is zero and must stay so.
    let zero = Dense::from_re(0.0);
    assert_eq!(zero.sqrt().eps, [0.0; K]);
    assert_eq!(zero.ln().eps, [0.0; K]);
    assert_eq!((zero / 0.0).eps, [0.0; K]);
    let x = Dense::from_re(2.0).derivative(1);
    let inf = Dense::from_re(f64::INFINITY);
    let p = x * inf;
    assert_eq!((p.re, p.eps), (f64::INFINITY, [0.0, f64::INFINITY, 0.0]));
    // ... while a live component through sqrt at 0 is what num-dual gives: not finite
    assert!(!Dense::from_re(0.0).derivative(0).sqrt().eps[0].is_finite());
}

#[test]
fn tanh_derivative_stays_accurate_where_tanh_saturates() {
    for x0 in [5.0, 20.0, -30.0, 800.0] {
        let [x] = gradient_seeds([x0]);
        let (v, [d]) = split_gradient(x.tanh());
        let exact = (2.0 / (x0.exp() + (-x0).exp())).powi(2);
        assert_eq!(v, x0.tanh());
        assert!(
            (d - exact).abs() <= 1e-15 * exact,
            "x = {x0}: {d} vs {exact}"
        );
    }
}

#[test]
fn traits_of_a_scalar() {
    assert_eq!(Dense::from_str_radix("1.5", 10).unwrap().re, 1.5);
    assert!(Dense::from_str_radix("x", 10).is_err());
    assert_eq!(Dense::from_i32(-3).unwrap().re, -3.0);
    assert_eq!(Dense::from_f32(0.5).unwrap().re, 0.5);
    assert_eq!(Dense::from_f64(2.5).unwrap().re, 2.5);
    assert!(Dense::zero().is_zero() && Dense::one().is_one());
    assert_eq!(Dense::default().re, 0.0);
    assert_eq!(DualStruct::re(&Dense::from(4.0)), 4.0);
    assert_eq!(Dense::NDERIV, 1);
    assert_eq!(
        DualDense64::new(1.0, [2.0, -0.5]).to_string(),
        "1 + [2, -0.5]ε"
    );
    let [x, y] = gradient_seeds([1.0, 2.0]);
    assert_eq!(gradhep_core::max(x, y).eps, [0.0, 1.0]);
    assert_eq!(gradhep_core::min(x, y).eps, [1.0, 0.0]);
    let cube = gradhep_core::custom_unary(y, |v| [v * v * v, 3.0 * v * v, 6.0 * v, 6.0]);
    assert_eq!((cube.re, cube.eps), (8.0, [0.0, 12.0]));
}

#[test]
#[should_panic(expected = "index 3 out of range for 3 directions")]
fn seeding_past_the_directions_panics() {
    let _ = Dense::from_re(1.0).derivative(3);
}

/// A HistFactory model with shape, normalisation and luminosity systematics: `logpdf` at a
/// parameter point, differentiated in every parameter and in a signal scale at once.
#[test]
fn histfactory_logpdf_agrees_with_num_dual() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/pyhf/workspaces/multichannel_all_modifiers.json");
    let model = Workspace::from_file(&path).unwrap().model(None).unwrap();
    let npars = model.npars();
    let data = model.expected_data(model.suggested_init());
    let pars: Vec<f64> = model
        .suggested_init()
        .iter()
        .enumerate()
        .map(|(i, &p)| p + 0.01 * (i as f64 + 1.0))
        .collect();
    const KK: usize = 24;
    assert!(npars < KK, "{npars} parameters");

    let dense_pars: Vec<DualDense64<KK>> = pars
        .iter()
        .enumerate()
        .map(|(i, &p)| DualDense64::from_re(p).derivative(i))
        .collect();
    let nd_pars: Vec<DualSVec64<KK>> = pars
        .iter()
        .enumerate()
        .map(|(i, &p)| DualSVec64::from_re(p).derivative(i))
        .collect();
    let dense = model
        .with_signal_scale(DualDense64::<KK>::from_re(1.2).derivative(npars))
        .logpdf(&dense_pars, &data);
    let nd = model
        .with_signal_scale(DualSVec64::<KK>::from_re(1.2).derivative(npars))
        .logpdf(&nd_pars, &data);
    let g: [f64; KK] = nd.eps.0.unwrap().into();
    assert!(agree(dense.re, nd.re, 64.0), "{} vs {}", dense.re, nd.re);
    for k in 0..=npars {
        assert!(
            agree(dense.eps[k], g[k], 1e3),
            "∂/∂θ{k}: {} vs {}",
            dense.eps[k],
            g[k]
        );
    }
    // and one component against central differences of the plain logpdf
    let scaled = model.with_signal_scale(1.2);
    let h = 1e-6;
    let at = |d: f64| {
        let mut p = pars.clone();
        p[0] += d;
        scaled.logpdf(&p, &data)
    };
    let fd = (at(h) - at(-h)) / (2.0 * h);
    assert!(
        (dense.eps[0] - fd).abs() < 1e-5 * (1.0 + fd.abs()),
        "{} vs {fd}",
        dense.eps[0]
    );
}
