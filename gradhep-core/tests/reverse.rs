//! Reverse mode per event (`Rev`, `event_sum_jacobian`): every `DualNum` method and operator
//! against the forward-mode `DualDense64` (the same first-order rules, propagated the other
//! way) on random inputs in each function's domain; compositions against analytic
//! derivatives; an MLP-like event function against central differences; the sums against
//! the plain `f64` code; the same bits on any number of threads; and the misuse guards.

// Gradients are compared component by component, and the messages name the index.
#![allow(clippy::needless_range_loop)]

use gradhep_core::num_dual::{DualNum, DualStruct};
use gradhep_core::reverse::{EventSums, Rev, event_sum_jacobian};
use gradhep_core::smooth::sigmoid;
use gradhep_core::special::normal_cdf;
use gradhep_core::{DualDense64, Scalar, custom_unary, gradient_seeds, hypot, max, min};
use num_traits::{FromPrimitive, Inv, Num, One, Signed, Zero};
use proptest::prelude::*;

type Dense = DualDense64<2>;

/// The value and gradient of `f` at `x`, by one event's reverse sweep.
fn gradient(x: &[f64], f: impl Fn(&[Rev]) -> Rev + Sync) -> (f64, Vec<f64>) {
    let s = event_sum_jacobian(x, &[()], 1, |p: &[Rev], _: &(), out: &mut [Rev]| {
        out[0] = f(p);
    });
    (s.sum[0], s.jacobian)
}

/// `a` and `b` agree within `ulps` units of `f64::EPSILON` at the scale `max(1, |a|, |b|)`;
/// `ulps = 0` asks for the same number (NaN matching NaN, either zero matching the other:
/// forward mode negates a zero tangent to `-0`, reverse mode adds nothing to a zero adjoint).
fn agree(a: f64, b: f64, ulps: f64) -> bool {
    if ulps == 0.0 {
        return a == b || (a.is_nan() && b.is_nan());
    }
    let scale = a.abs().max(b.abs()).max(1.0);
    (a - b).abs() <= ulps * f64::EPSILON * scale
}

/// `f` of two inputs in reverse mode against forward mode: the value is the plain `f64`
/// code's to the bit; the gradient is forward mode's within `ulps`.
fn check_pair(
    what: &str,
    x: [f64; 2],
    f_rev: impl Fn(Rev, Rev) -> Rev + Sync,
    f_dense: impl Fn(Dense, Dense) -> Dense,
    f_plain: impl Fn(f64, f64) -> f64,
    ulps: f64,
) -> Result<(), TestCaseError> {
    let (v, g) = gradient(&x, |p| f_rev(p[0], p[1]));
    let [a, b] = gradient_seeds(x);
    let d = f_dense(a, b);
    let plain = f_plain(x[0], x[1]);
    prop_assert!(agree(v, plain, 0.0), "{what}: value {v} vs f64 {plain}");
    for k in 0..2 {
        prop_assert!(
            agree(g[k], d.eps[k], ulps),
            "{what}: ∂/∂x{k} {} vs forward mode {} at {x:?}",
            g[k],
            d.eps[k]
        );
    }
    Ok(())
}

/// As [`check_pair`] for a function of one input.
fn check_one(
    what: &str,
    x: f64,
    f_rev: impl Fn(Rev) -> Rev + Sync,
    f_dense: impl Fn(Dense) -> Dense,
    f_plain: impl Fn(f64) -> f64,
    ulps: f64,
) -> Result<(), TestCaseError> {
    check_pair(
        what,
        [x, 0.0],
        |a, _| f_rev(a),
        |a, _| f_dense(a),
        |a, _| f_plain(a),
        ulps,
    )
}

/// A value away from zero, of either sign.
fn nonzero() -> impl Strategy<Value = f64> {
    (0.5..2.0f64, any::<bool>()).prop_map(|(x, neg)| if neg { -x } else { x })
}

proptest! {
    #[test]
    fn operators_agree_with_forward_mode(a in nonzero(), b in nonzero(), c in nonzero()) {
        let x = [a, b];
        check_pair("a + b", x, |a, b| a + b, |a, b| a + b, |a, b| a + b, 0.0)?;
        check_pair("a - b", x, |a, b| a - b, |a, b| a - b, |a, b| a - b, 0.0)?;
        check_pair("a * b", x, |a, b| a * b, |a, b| a * b, |a, b| a * b, 0.0)?;
        // the value a/b (forward mode: a·b⁻¹), the partials 1/b and −(a/b)/b
        check_pair("a / b", x, |a, b| a / b, |a, b| a / b, |a, b| a / b, 4.0)?;
        check_pair("a % b", [3.0 * a, b], |a, b| a % b, |a, b| a % b, |a, b| a % b, 0.0)?;
        check_pair("a + c", x, |a, _| a + c, |a, _| a + c, |a, _| a + c, 0.0)?;
        check_pair("a - c", x, |a, _| a - c, |a, _| a - c, |a, _| a - c, 0.0)?;
        check_pair("a * c", x, |a, _| a * c, |a, _| a * c, |a, _| a * c, 0.0)?;
        // 1/c as the partial: the unit adjoint times 1/c is forward mode's 1/c
        check_pair("a / c", x, |a, _| a / c, |a, _| a / c, |a, _| a / c, 0.0)?;
        check_pair("a % c", [3.0 * a, b], |a, _| a % c, |a, _| a % c, |a, _| a % c, 0.0)?;
        check_pair("-a", x, |a, _| -a, |a, _| -a, |a, _| -a, 0.0)?;
        check_pair("a * a", x, |a, _| a * a, |a, _| a * a, |a, _| a * a, 0.0)?;
        check_pair("scale", x, |a, _| a.scale(&c), |a, _| a.scale(&c), |a, _| a * c, 0.0)?;
        // the value f64::mul_add's (fused; forward mode's is unfused), the same partials
        check_pair("mul_add", x, |a, b| a.mul_add(b, a), |a, b| a.mul_add(b, a), |a, b| a.mul_add(b, a), 0.0)?;
        check_pair("sum", x, |a, b| [a, b, a].into_iter().sum(), |a, b| [a, b, a].into_iter().sum(), |a, b| 0.0 + a + b + a, 0.0)?;
        check_pair("sum &", x, |a, b| [a, b].iter().sum(), |a, b| [a, b].iter().sum(), |a, b| 0.0 + a + b, 0.0)?;
        check_pair("product", x, |a, b| [a, b, a].into_iter().product(), |a, b| [a, b, a].into_iter().product(), |a, b| a * b * a, 0.0)?;
        check_pair("product &", x, |a, b| [a, b].iter().product(), |a, b| [a, b].iter().product(), |a, b| a * b, 0.0)?;
        check_pair("abs", x, |a, _| a.abs(), |a, _| a.abs(), |a, _| a.abs(), 0.0)?;
        check_pair("abs_sub", x, |a, b| a.abs_sub(&b), |a, b| a.abs_sub(&b), |a, b| if a > b { a - b } else { 0.0 }, 0.0)?;
        check_pair("inv", x, |a, _| a.inv(), |a, _| a.inv(), |a, _| a.recip(), 0.0)?;
        check_pair("max", x, max, max, f64::max, 0.0)?;
        check_pair("min", x, min, min, f64::min, 0.0)?;
        // hypot's generic body scales before squaring: its value is f64::hypot's to rounding,
        // and the adjoints add its terms in another order than the tangents
        let (h, g) = gradient(&x, |p| hypot(p[0], p[1]));
        let [da, db] = gradient_seeds(x);
        let hd = hypot(da, db);
        prop_assert!(agree(h, a.hypot(b), 4.0), "hypot: {h} vs {}", a.hypot(b));
        prop_assert!(agree(g[0], hd.eps[0], 4.0) && agree(g[1], hd.eps[1], 4.0), "hypot: {g:?} vs {:?}", hd.eps);
        let (ra, rb) = (Rev::constant(a), Rev::constant(b));
        prop_assert_eq!(ra < rb, a < b);
        prop_assert_eq!(ra.partial_cmp(&c), a.partial_cmp(&c));
        prop_assert_eq!(ra == rb, a == b);
        prop_assert_eq!((ra.is_positive(), ra.is_negative()), (a > 0.0, a < 0.0));
        prop_assert_eq!(ra.signum().value(), a.signum());
    }

    #[test]
    fn reference_and_assign_forms_are_the_value_forms(a in nonzero(), b in nonzero(), c in nonzero()) {
        macro_rules! forms {
            ($op:tt, $assign:tt) => {{
                let forms = |p: &[Rev], out: &mut [Rev]| {
                    let (a, b) = (p[0], p[1]);
                    let mut x = a;
                    x $assign b;
                    let mut y = a;
                    y $assign &b;
                    let mut z = a;
                    z $assign c;
                    out.copy_from_slice(&[a $op b, a $op &b, &a $op b, &a $op &b, x, y, a $op c, &a $op c, z]);
                };
                let s = event_sum_jacobian(&[a, b], &[()], 9, |p: &[Rev], _: &(), out: &mut [Rev]| forms(p, out));
                for i in [1, 2, 3, 4, 5] {
                    prop_assert_eq!(s.sum[i].to_bits(), s.sum[0].to_bits());
                    prop_assert_eq!(s.row(i), s.row(0));
                }
                for i in [7, 8] {
                    prop_assert_eq!(s.sum[i].to_bits(), s.sum[6].to_bits());
                    prop_assert_eq!(s.row(i), s.row(6));
                }
            }};
        }
        forms!(+, +=);
        forms!(-, -=);
        forms!(*, *=);
        forms!(/, /=);
        forms!(%, %=);
        let (v, g) = gradient(&[a], |p| -&p[0]);
        prop_assert_eq!((v, g), (-a, vec![-1.0]));
    }

    #[test]
    fn functions_agree_with_forward_mode(
        x in nonzero(),
        u in -0.95..0.95f64,
        w in 1.05..4.0f64,
        t in -3.0..3.0f64,
        y in nonzero(),
        n in -6i32..7,
        p in -3.0..3.0f64,
    ) {
        let xp = x.abs();
        check_one("recip", x, |x| x.recip(), |x| x.recip(), f64::recip, 0.0)?;
        // forward mode squares by a product: 2x against x·1 + 1·x, the same bits
        check_one("powi", x, |x| x.powi(n), |x| x.powi(n), |x| x.powi(n), 0.0)?;
        check_one("powf", xp, |x| x.powf(p), |x| x.powf(p), |x| x.powf(p), 0.0)?;
        check_pair("powd", [xp, y], |x, y| x.powd(y), |x, y| x.powd(y), f64::powf, 0.0)?;
        check_one("sqrt", xp, |x| x.sqrt(), |x| x.sqrt(), f64::sqrt, 0.0)?;
        check_one("cbrt", x, |x| x.cbrt(), |x| x.cbrt(), f64::cbrt, 0.0)?;
        check_one("exp", t, |x| x.exp(), |x| x.exp(), f64::exp, 0.0)?;
        check_one("exp2", t, |x| x.exp2(), |x| x.exp2(), f64::exp2, 0.0)?;
        check_one("exp_m1", t, |x| x.exp_m1(), |x| x.exp_m1(), f64::exp_m1, 0.0)?;
        check_one("ln", xp, |x| x.ln(), |x| x.ln(), f64::ln, 0.0)?;
        check_one("log", xp, |x| x.log(3.0), |x| x.log(3.0), |x| x.log(3.0), 0.0)?;
        check_one("log2", xp, |x| x.log2(), |x| x.log2(), f64::log2, 0.0)?;
        check_one("log10", xp, |x| x.log10(), |x| x.log10(), f64::log10, 0.0)?;
        check_one("ln_1p", u, |x| x.ln_1p(), |x| x.ln_1p(), f64::ln_1p, 0.0)?;
        check_one("sin", t, |x| x.sin(), |x| x.sin(), f64::sin, 0.0)?;
        check_one("cos", t, |x| x.cos(), |x| x.cos(), f64::cos, 0.0)?;
        check_one("sin_cos.0", t, |x| x.sin_cos().0, |x| x.sin_cos().0, f64::sin, 0.0)?;
        check_one("sin_cos.1", t, |x| x.sin_cos().1, |x| x.sin_cos().1, f64::cos, 0.0)?;
        check_one("tan", u, |x| x.tan(), |x| x.tan(), f64::tan, 0.0)?;
        check_one("asin", u, |x| x.asin(), |x| x.asin(), f64::asin, 0.0)?;
        check_one("acos", u, |x| x.acos(), |x| x.acos(), f64::acos, 0.0)?;
        check_one("atan", t, |x| x.atan(), |x| x.atan(), f64::atan, 0.0)?;
        check_pair("atan2", [y, x], |y, x| y.atan2(x), |y, x| y.atan2(x), f64::atan2, 0.0)?;
        check_one("sinh", t, |x| x.sinh(), |x| x.sinh(), f64::sinh, 0.0)?;
        check_one("cosh", t, |x| x.cosh(), |x| x.cosh(), f64::cosh, 0.0)?;
        check_one("tanh", t, |x| x.tanh(), |x| x.tanh(), f64::tanh, 0.0)?;
        check_one("asinh", t, |x| x.asinh(), |x| x.asinh(), f64::asinh, 0.0)?;
        check_one("acosh", w, |x| x.acosh(), |x| x.acosh(), f64::acosh, 0.0)?;
        check_one("atanh", u, |x| x.atanh(), |x| x.atanh(), f64::atanh, 0.0)?;
        check_one("sph_j0", x, |x| x.sph_j0(), |x| x.sph_j0(), |x| x.sph_j0(), 0.0)?;
        check_one("sph_j1", x, |x| x.sph_j1(), |x| x.sph_j1(), |x| x.sph_j1(), 0.0)?;
        check_one("sph_j2", x, |x| x.sph_j2(), |x| x.sph_j2(), |x| x.sph_j2(), 0.0)?;
        // gradhep's own generic functions, through custom_unary
        check_one("sigmoid", t, sigmoid, sigmoid, sigmoid, 0.0)?;
        check_one("normal_cdf", t, normal_cdf, normal_cdf, normal_cdf, 0.0)?;
    }

    #[test]
    fn compositions_match_analytic_derivatives(x0 in 0.5..2.0f64, y0 in -1.0..1.0f64) {
        // f = x³y − e^{xy} + sqrt(x)/(1 + y²) + tanh(xy), with its gradient by hand
        let (v, g) = gradient(&[x0, y0], |p| {
            let (x, y) = (p[0], p[1]);
            x.powi(3) * y - (x * y).exp() + x.sqrt() / (y * y + 1.0) + (x * y).tanh()
        });
        let (x, y) = (x0, y0);
        let sech2 = 1.0 / (x * y).cosh().powi(2);
        let dx = 3.0 * x * x * y - y * (x * y).exp() + 0.5 / x.sqrt() / (1.0 + y * y) + y * sech2;
        let dy = x.powi(3) - x * (x * y).exp() - 2.0 * y * x.sqrt() / (1.0 + y * y).powi(2) + x * sech2;
        let f = x.powi(3) * y - (x * y).exp() + x.sqrt() / (y * y + 1.0) + (x * y).tanh();
        prop_assert_eq!(v, f);
        prop_assert!((g[0] - dx).abs() < 1e-13 * (1.0 + dx.abs()), "{} vs {dx}", g[0]);
        prop_assert!((g[1] - dy).abs() < 1e-13 * (1.0 + dy.abs()), "{} vs {dy}", g[1]);
    }

    #[test]
    fn soft_window_yield_matches_its_analytic_jacobian(c1 in 0.0..0.5f64, c2 in 1.5..2.0f64) {
        // S = (Σ σ((x − c₁)/T)·σ((c₂ − x)/T), Σ Φ((x − c₁)/T)) over a few events
        let t = 0.1;
        let xs = [0.2, 0.7, 1.1, 1.6, 1.9];
        let s = event_sum_jacobian(&[c1, c2], &xs, 2, |p: &[Rev], &x: &f64, out: &mut [Rev]| {
            let lo = (-p[0] + x) / t;
            out[0] = sigmoid(lo) * sigmoid((p[1] - x) / t);
            out[1] = normal_cdf(lo);
        });
        let ds = |z: f64| sigmoid(z) * sigmoid(-z);
        let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let mut expect = [0.0; 4];
        for &x in &xs {
            let (a, b) = ((x - c1) / t, (c2 - x) / t);
            expect[0] -= ds(a) * sigmoid(b) / t;
            expect[1] += sigmoid(a) * ds(b) / t;
            expect[2] -= phi(a) / t;
        }
        for (j, e) in s.jacobian.iter().zip(&expect) {
            prop_assert!((j - e).abs() < 1e-12 * (1.0 + e.abs()), "{j} vs {e}");
        }
    }
}

/// An MLP-like event function: two inputs, a tanh layer of `H` units, a sigmoid output,
/// and a two-bin KDE-like split of the output; `K = 4H + 1` parameters.
const H: usize = 6;
const K: usize = 4 * H + 1;

fn mlp_shares<D: Scalar>(theta: &[D], x: &[f64; 2], out: &mut [D]) {
    let mut z = theta[4 * H];
    for j in 0..H {
        let a = (theta[j] * x[0] + theta[H + j] * x[1] + theta[2 * H + j]).tanh();
        z += a * theta[3 * H + j];
    }
    let y = sigmoid(z);
    let below = normal_cdf((y - 0.5) * -10.0);
    out[0] = below;
    out[1] = -below + 1.0;
    out[2] = y * y;
}

fn events(n: usize) -> Vec<[f64; 2]> {
    (0..n)
        .map(|i| {
            let t = i as f64;
            [(0.7 * t).sin() * 1.5, (1.3 * t + 0.4).cos() * 1.2]
        })
        .collect()
}

fn theta() -> Vec<f64> {
    (0..K).map(|k| (0.37 * k as f64 + 1.0).sin()).collect()
}

fn mlp_sums(theta: &[f64], events: &[[f64; 2]]) -> EventSums {
    event_sum_jacobian(
        theta,
        events,
        3,
        |p: &[Rev], x: &[f64; 2], out: &mut [Rev]| mlp_shares(p, x, out),
    )
}

/// The plain sums `Σᵢ φ(θ; eᵢ)`, added in event order from zero.
fn plain_sums(theta: &[f64], events: &[[f64; 2]]) -> [f64; 3] {
    let mut s = [0.0; 3];
    for x in events {
        let mut out = [0.0; 3];
        mlp_shares(theta, x, &mut out);
        for b in 0..3 {
            s[b] += out[b];
        }
    }
    s
}

#[test]
fn mlp_jacobian_matches_central_differences() {
    let (theta, events) = (theta(), events(200));
    let s = mlp_sums(&theta, &events);
    assert_eq!(s.nparams, K);
    assert_eq!(s.jacobian.len(), 3 * K);
    let mut worst: f64 = 0.0;
    for k in 0..K {
        let h = 1e-6;
        let at = |d: f64| {
            let mut p = theta.clone();
            p[k] += d;
            plain_sums(&p, &events)
        };
        let (up, down) = (at(h), at(-h));
        for b in 0..3 {
            let fd = (up[b] - down[b]) / (2.0 * h);
            let err = (s.row(b)[k] - fd).abs() / (1.0 + fd.abs());
            worst = worst.max(err);
        }
    }
    assert!(worst < 1e-7, "worst relative difference {worst:.2e}");
}

#[test]
fn mlp_jacobian_agrees_with_forward_mode() {
    let (theta, events) = (theta(), events(300));
    let s = mlp_sums(&theta, &events);
    let seeds: Vec<DualDense64<K>> =
        gradient_seeds::<K>(theta.clone().try_into().unwrap()).to_vec();
    let mut dense = [DualDense64::<K>::from_re(0.0); 3];
    for x in &events {
        let mut out = [DualDense64::<K>::from_re(0.0); 3];
        mlp_shares(&seeds, x, &mut out);
        for b in 0..3 {
            dense[b] += out[b];
        }
    }
    for b in 0..3 {
        // the events are added shard by shard here, one after another there
        assert!(agree(s.sum[b], dense[b].re, 64.0));
        for k in 0..K {
            let (r, f) = (s.row(b)[k], dense[b].eps[k]);
            assert!(agree(r, f, 64.0), "∂S{b}/∂θ{k}: {r} vs {f}");
        }
    }
}

#[test]
fn the_sweep_through_one_carrying_node_is_the_full_sweep() {
    // All of mlp_shares' outputs depend on θ through the network output: the sweep finishes
    // with one scalar adjoint. A fourth output that reads a parameter directly keeps every
    // adjoint row to the leaves; the shared rows must agree to rounding.
    let (theta, events) = (theta(), events(50));
    let carried = mlp_sums(&theta, &events);
    let full = event_sum_jacobian(
        &theta,
        &events,
        4,
        |p: &[Rev], x: &[f64; 2], out: &mut [Rev]| {
            mlp_shares(p, x, &mut out[..3]);
            out[3] = p[0] * 2.0;
        },
    );
    assert_eq!(full.row(3)[0], 2.0 * events.len() as f64);
    for b in 0..3 {
        assert_eq!(full.sum[b], carried.sum[b]);
        for k in 0..K {
            let (f, c) = (full.row(b)[k], carried.row(b)[k]);
            assert!(agree(f, c, 64.0), "∂S{b}/∂θ{k}: {f} vs {c}");
        }
    }
}

#[test]
fn sums_are_the_plain_code_to_the_bit() {
    // one shard (64 events): the same additions in the same order
    let (theta, events) = (theta(), events(64));
    let s = mlp_sums(&theta, &events);
    let plain = plain_sums(&theta, &events);
    for b in 0..3 {
        assert_eq!(s.sum[b].to_bits(), plain[b].to_bits());
    }
}

#[test]
fn results_are_the_same_bits_on_any_number_of_threads() {
    // 20 000 events: 64 shards
    let (theta, events) = (theta(), events(20_000));
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| mlp_sums(&theta, &events))
    };
    let bits = |s: &EventSums| -> Vec<u64> {
        s.sum
            .iter()
            .chain(&s.jacobian)
            .map(|x| x.to_bits())
            .collect()
    };
    let one = run(1);
    assert_eq!(bits(&one), bits(&run(3)));
    assert_eq!(bits(&one), bits(&mlp_sums(&theta, &events)));
}

/// `Σᵢ φ(θ; eᵢ)` and its Jacobian one event per call, added up in event order: what
/// `event_sum_jacobian` gives within one shard, whether it sweeps events together or not.
fn one_by_one<E: Sync>(
    theta: &[f64],
    events: &[E],
    m: usize,
    phi: impl Fn(&[Rev], &E, &mut [Rev]) + Sync,
) -> EventSums {
    let mut total = event_sum_jacobian(theta, &events[..0], m, &phi);
    for e in events {
        let s = event_sum_jacobian(theta, std::slice::from_ref(e), m, &phi);
        total.sum.iter_mut().zip(&s.sum).for_each(|(t, x)| *t += x);
        total
            .jacobian
            .iter_mut()
            .zip(&s.jacobian)
            .for_each(|(t, x)| *t += x);
    }
    total
}

/// `a` and `b` hold the same numbers (see [`agree`] with `ulps = 0`).
fn assert_same(a: &EventSums, b: &EventSums) {
    assert_eq!(a.nparams, b.nparams);
    for (i, (x, y)) in a
        .sum
        .iter()
        .chain(&a.jacobian)
        .zip(b.sum.iter().chain(&b.jacobian))
        .enumerate()
    {
        assert!(agree(*x, *y, 0.0), "entry {i}: {x} vs {y}");
    }
}

#[test]
fn events_swept_together_give_each_events_own_sweep() {
    // 4 events of the same shape are swept side by side: 13 events are three such batches
    // and one event alone, through the scalar sweep below the network output
    let (theta, events) = (theta(), events(13));
    let phi = |p: &[Rev], x: &[f64; 2], out: &mut [Rev]| mlp_shares(p, x, out);
    assert_same(
        &mlp_sums(&theta, &events),
        &one_by_one(&theta, &events, 3, phi),
    );
    // ... and through the general sweep, with an output that reads a parameter directly
    let phi = |p: &[Rev], x: &[f64; 2], out: &mut [Rev]| {
        mlp_shares(p, x, &mut out[..3]);
        out[3] = p[1] * x[0];
    };
    let together = event_sum_jacobian(&theta, &events, 4, phi);
    assert_same(&together, &one_by_one(&theta, &events, 4, phi));
}

#[test]
fn events_of_other_shapes_are_swept_one_by_one() {
    // φ's operations depend on the event: more of them for x > 0.5, the same number on
    // other parents for 0 < x ≤ 0.5; batches mix the three shapes or hold one
    let phi = |p: &[Rev], &x: &f64, out: &mut [Rev]| {
        out[0] = if x > 0.5 {
            (p[0] * x).sin() * p[1]
        } else if x > 0.0 {
            p[1] * (p[0] * x)
        } else {
            (p[0] * x) * p[1]
        };
    };
    let events = [
        0.7, 0.2, -0.3, 0.9, 0.1, -0.3, 0.4, -0.2, -1.0, -2.0, -0.5, -0.1, 0.6,
    ];
    let theta = [1.3, -0.4];
    let s = event_sum_jacobian(&theta, &events, 1, phi);
    assert_same(&s, &one_by_one(&theta, &events, 1, phi));
    // against the analytic gradient
    let (mut d0, mut d1) = (0.0, 0.0);
    for &x in &events {
        if x > 0.5 {
            d0 += (theta[0] * x).cos() * x * theta[1];
            d1 += (theta[0] * x).sin();
        } else {
            d0 += x * theta[1];
            d1 += theta[0] * x;
        }
    }
    assert!(agree(s.jacobian[0], d0, 16.0) && agree(s.jacobian[1], d1, 16.0));
}

#[test]
fn a_zero_adjoint_in_one_lane_stays_zero_through_an_infinite_partial() {
    // √(θ₀ − x) at θ₀ = x = 1 has a NaN partial (0·∞); those events do not depend on it (it
    // is multiplied by x − 1 = 0), and share batches with events that do
    let phi = |p: &[Rev], &x: &f64, out: &mut [Rev]| {
        out[0] = (p[0] - x).sqrt() * (x - 1.0) + p[1] * 2.0;
    };
    let theta = [1.0, 1.0];
    let events = [1.0, 0.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 0.0];
    let s = event_sum_jacobian(&theta, &events, 1, phi);
    assert_same(&s, &one_by_one(&theta, &events, 1, phi));
    // ∂/∂θ₀ = Σ over x ≠ 1 of −√(1 − x)/2
    let d0 = -1.0 - 0.5f64.sqrt() / 2.0;
    assert!(
        agree(s.jacobian[0], d0, 4.0) && s.jacobian[1] == 18.0,
        "{:?}",
        s.jacobian
    );
}

#[test]
fn pullback_is_the_gradient_of_a_function_of_the_sums() {
    // R(S) = S₀·S₂ − ln S₁: dR/dθ = S₂ ∂S₀ + S₀ ∂S₂ − ∂S₁/S₁
    let (theta, events) = (theta(), events(100));
    let s = mlp_sums(&theta, &events);
    let grad = s.pullback(&[s.sum[2], -1.0 / s.sum[1], s.sum[0]]);
    let r = |p: &[f64]| {
        let s = plain_sums(p, &events);
        s[0] * s[2] - s[1].ln()
    };
    for k in [0, 7, K - 1] {
        let h = 1e-6;
        let (mut up, mut down) = (theta.clone(), theta.clone());
        up[k] += h;
        down[k] -= h;
        let fd = (r(&up) - r(&down)) / (2.0 * h);
        assert!(
            (grad[k] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{} vs {fd}",
            grad[k]
        );
    }
}

#[test]
fn no_events_and_no_sums_are_zero() {
    let s = mlp_sums(&theta(), &[]);
    assert_eq!(s.sum, vec![0.0; 3]);
    assert!(s.jacobian.iter().all(|&j| j == 0.0));
    let s = event_sum_jacobian(
        &[1.0, 2.0],
        &[(); 3],
        0,
        |_: &[Rev], _: &(), _: &mut [Rev]| {},
    );
    assert_eq!((s.sum.len(), s.jacobian.len(), s.nparams), (0, 0, 2));
}

#[test]
fn many_sums_take_the_general_sweep() {
    // M = 11 outputs, past the sweeps specialised by size: row b is ∂(θ₀^b θ₁)/∂θ
    let s = event_sum_jacobian(
        &[1.5, 2.0],
        &[(), ()],
        11,
        |p: &[Rev], _: &(), out: &mut [Rev]| {
            for (b, o) in out.iter_mut().enumerate() {
                *o = p[0].powi(b as i32) * p[1];
            }
        },
    );
    for b in 0..11 {
        let bf = b as f64;
        let d0 = if b == 0 {
            0.0
        } else {
            2.0 * bf * 1.5f64.powi(b as i32 - 1) * 2.0
        };
        let d1 = 2.0 * 1.5f64.powi(b as i32);
        assert!((s.row(b)[0] - d0).abs() < 1e-12 * d0.max(1.0), "row {b}");
        assert!((s.row(b)[1] - d1).abs() < 1e-12 * d1, "row {b}");
    }
}

#[test]
fn many_sums_through_one_carrying_node() {
    // M = 11 outputs yᵇ of y = θ₀θ₁, swept in two groups, each finished by a scalar sweep:
    // ∂yᵇ/∂θ₀ = b·yᵇ⁻¹·θ₁
    let (t0, t1) = (1.5, 0.8);
    let s = event_sum_jacobian(
        &[t0, t1],
        &[()],
        11,
        |p: &[Rev], _: &(), out: &mut [Rev]| {
            let y = p[0] * p[1];
            for (b, o) in out.iter_mut().enumerate() {
                *o = y.powi(b as i32 + 1);
            }
        },
    );
    let y: f64 = t0 * t1;
    for b in 0..11 {
        let n = b as f64 + 1.0;
        let dy = n * y.powi(b as i32);
        assert!((s.row(b)[0] - dy * t1).abs() < 1e-13 * dy, "row {b}");
        assert!((s.row(b)[1] - dy * t0).abs() < 1e-13 * dy, "row {b}");
    }
}

#[test]
fn outputs_may_be_leaves_constants_or_the_same_node() {
    let phi = |p: &[Rev], _: &(), out: &mut [Rev]| {
        let y = p[0] * p[1];
        out[0] = p[1];
        out[1] = Rev::from(7.0);
        out[2] = y;
        out[3] = y;
    };
    let s = event_sum_jacobian(&[3.0, 4.0], &[()], 4, phi);
    assert_eq!(s.sum, vec![4.0, 7.0, 12.0, 12.0]);
    assert_eq!(s.jacobian, vec![0.0, 1.0, 0.0, 0.0, 4.0, 3.0, 4.0, 3.0]);
    // five times that for five events, four of them swept side by side
    let s5 = event_sum_jacobian(&[3.0, 4.0], &[(); 5], 4, phi);
    let times5 = |v: &[f64]| v.iter().map(|x| 5.0 * x).collect::<Vec<_>>();
    assert_eq!((s5.sum, s5.jacobian), (times5(&s.sum), times5(&s.jacobian)));
}

#[test]
fn a_zero_adjoint_stays_zero_through_an_infinite_partial() {
    // sqrt at 0 has an infinite partial; the output does not depend on it
    let (_, g) = gradient(&[2.0, 0.0], |p| {
        let _unused = p[1].sqrt();
        let dead = p[1].sqrt() * 0.0;
        p[0] * 3.0 + dead * 0.0
    });
    assert_eq!(g[0], 3.0);
    // ... while a live one through it is what forward mode gives: not finite
    let (_, g) = gradient(&[0.0], |p| p[0].sqrt());
    assert!(!g[0].is_finite());
}

#[test]
fn constants_record_nothing_and_keep_plain_values() {
    let c = Rev::from(2.0);
    assert_eq!((c.exp() * 3.0 + c).value(), 2f64.exp() * 3.0 + 2.0);
    assert_eq!(Rev::from_str_radix("1.5", 10).unwrap().value(), 1.5);
    assert!(Rev::from_str_radix("x", 10).is_err());
    assert_eq!(Rev::from_i32(-3).unwrap().value(), -3.0);
    assert_eq!(Rev::from_f32(0.5).unwrap().value(), 0.5);
    assert!(Rev::zero().is_zero() && Rev::one().is_one());
    assert_eq!(Rev::default().value(), 0.0);
    assert_eq!(DualStruct::re(&Rev::from(4.0)), 4.0);
    assert_eq!(Rev::NDERIV, 1);
    assert_eq!(Rev::from(-0.25).to_string(), "-0.25");
    let cube = custom_unary(Rev::from(2.0), |v| [v * v * v, 3.0 * v * v, 6.0 * v, 6.0]);
    assert_eq!(cube.value(), 8.0);
}

#[test]
fn an_infinite_input_gives_the_limit_and_a_zero_derivative() {
    for (z, limit) in [(f64::INFINITY, 1.0), (f64::NEG_INFINITY, 0.0)] {
        assert_eq!(gradient(&[z], |p| sigmoid(p[0])), (limit, vec![0.0]));
        assert_eq!(gradient(&[z], |p| normal_cdf(p[0])), (limit, vec![0.0]));
    }
}

#[test]
fn generic_gradhep_code_runs_inside_phi() {
    // a `#[differentiable]` companion's generic body and gradhep's histogram, at D = Rev
    #[gradhep_core::differentiable(crate = gradhep_core)]
    fn energy(p: f64, m: f64) -> f64 {
        (p * p + m * m).sqrt()
    }
    let s = event_sum_jacobian(
        &[3.0, 4.0],
        &[(), ()],
        2,
        |p: &[Rev], _: &(), out: &mut [Rev]| {
            out[0] = energy(p[0], p[1]);
            let h =
                gradhep_core::hist::kde(&[p[0] * 0.1], &[0.0, 0.25, 1.0], gradhep_core::lift(0.05));
            out[1] = h[0];
        },
    );
    let (e, [de_dp, de_dm]) = energy_grad(3.0, 4.0);
    assert_eq!(s.sum[0], 2.0 * e);
    assert!((s.row(0)[0] - 2.0 * de_dp).abs() < 1e-15 && (s.row(0)[1] - 2.0 * de_dm).abs() < 1e-15);
    // n₀ = Φ((0.25 − 0.1θ₀)/h) − Φ(−0.1θ₀/h): dn₀/dθ₀ = −0.1(φ(z₁) − φ(z₀))/h per event
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let d = -0.1 * (phi((0.25 - 0.3) / 0.05) - phi(-0.3 / 0.05)) / 0.05;
    assert!(
        (s.row(1)[0] - 2.0 * d).abs() < 1e-12,
        "{} vs {}",
        s.row(1)[0],
        2.0 * d
    );
}

#[test]
fn a_panicking_phi_leaves_the_thread_able_to_record() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        let failed = std::panic::catch_unwind(|| {
            event_sum_jacobian(&[1.0], &[()], 1, |_: &[Rev], _: &(), _: &mut [Rev]| {
                panic!("phi failed")
            })
        });
        assert!(failed.is_err());
        let (v, g) = gradient(&[2.0], |p| p[0] * p[0]);
        assert_eq!((v, g), (4.0, vec![4.0]));
    });
}

#[test]
#[should_panic(expected = "already recording")]
fn an_event_inside_an_event_panics() {
    gradient(&[1.0], |p| {
        let (inner, _) = gradient(&[2.0], |q| q[0] * 2.0);
        p[0] * inner
    });
}

#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "from another event")]
fn a_value_kept_from_another_event_panics_in_debug_builds() {
    let kept = std::sync::Mutex::new(None::<Rev>);
    event_sum_jacobian(
        &[1.0],
        &[(), ()],
        1,
        |p: &[Rev], _: &(), out: &mut [Rev]| {
            let mut kept = kept.lock().unwrap();
            let y = p[0] * 2.0;
            out[0] = match *kept {
                Some(old) => y + old,
                None => y,
            };
            *kept = Some(y);
        },
    );
}

#[test]
#[should_panic(expected = "from another event")]
fn a_value_past_the_current_tape_panics_in_every_build() {
    let kept = std::sync::Mutex::new(None::<Rev>);
    event_sum_jacobian(
        &[1.0],
        &[(), ()],
        1,
        |p: &[Rev], _: &(), out: &mut [Rev]| {
            let mut kept = kept.lock().unwrap();
            out[0] = match *kept {
                Some(old) => p[0] + old,
                None => {
                    let long = (0..10).fold(p[0], |y, _| y.sin());
                    *kept = Some(long);
                    long
                }
            };
        },
    );
}

#[test]
#[should_panic(expected = "outside `event_sum_jacobian`'s `phi`")]
fn an_operation_outside_an_event_panics_in_every_build() {
    let kept = std::sync::Mutex::new(None::<Rev>);
    gradient(&[1.0], |p| {
        *kept.lock().unwrap() = Some(p[0]);
        p[0]
    });
    let kept = kept.into_inner().unwrap().unwrap();
    let _ = kept * 2.0;
}

#[test]
#[should_panic(expected = "row 3 of 3 sums")]
fn a_row_past_the_sums_panics() {
    mlp_sums(&theta(), &events(2)).row(3);
}

#[test]
#[should_panic(expected = "2 weights for 3 sums")]
fn a_pullback_of_the_wrong_length_panics() {
    mlp_sums(&theta(), &events(2)).pullback(&[1.0, 2.0]);
}
