//! The activity analysis and the rewrite on the constructs ordinary code is made of. Each
//! function is checked at `f64` against its original to the bit, and its derivative with a
//! `Dual64` against the value the formula gives.

// The constructs under test are written the long way on purpose.
#![allow(
    clippy::assign_op_pattern,
    clippy::useless_vec,
    clippy::vec_init_then_push,
    clippy::while_let_on_iterator
)]

#[macro_use]
mod support;

use gradhep::differentiable;
use gradhep::num_dual::Dual64;
use std::f64::consts::PI;
use support::{assert_close, bit_identical};

/// `(f, ∂f/∂a)` through one dual direction.
fn derivative(f: impl Fn(Dual64) -> Dual64, a: f64) -> (f64, f64) {
    let y = f(Dual64::new(a, 1.0));
    (y.re, y.eps)
}

const MZ: f64 = 91.1876;

#[differentiable]
fn width_weighted(m: f64, mass: f64) -> f64 {
    (m - mass) * (m - mass)
}

twice! {
    #[differentiable(wrt(a))]
    fn shadowing / shadowing_f64(a: f64, k: f64) -> f64 {
        let a = a * 2.0;
        let a = a + k;
        let k = k * 3.0;
        a * k
    }
}

twice! {
    #[differentiable(wrt(a))]
    fn late_activity / late_activity_f64(a: f64, data: &[f64]) -> f64 {
        let mut best = 0.0;
        for v in data {
            best = best + v * a;
        }
        let mut i = 0;
        let mut product = 1.0;
        loop {
            i += 1;
            if i > 3 {
                break;
            }
            product *= a;
        }
        if let Some(first) = data.first() {
            best -= first * a;
        }
        best + product
    }
}

#[test]
fn bindings_become_active_by_assignment_loops_and_shadowing() {
    bit_identical(shadowing(1.5, 2.0), shadowing_f64(1.5, 2.0));
    assert_eq!(derivative(|a| shadowing(a, 2.0), 1.5).1, 12.0);
    let data = [1.0, 2.0, 3.0];
    bit_identical(late_activity(1.5, &data), late_activity_f64(1.5, &data));
    // best = a·Σv − a·v₀, product = a³.
    let (_, d) = derivative(|a| late_activity(a, &data), 1.5);
    assert_close("∂/∂a", d, 5.0 + 3.0 * 2.25, 1e-15);
}

twice! {
    #[differentiable(wrt(a))]
    fn zipped_fold / zipped_fold_f64(a: f64, x: &[f64], w: &[f64]) -> f64 {
        let (sw, swx) = x
            .iter()
            .zip(w)
            .fold((0.0, 0.0), |(sw, swx), (xi, wi)| (sw + wi * a, swx + wi * xi));
        let s: f64 = x.iter().map(|xi| xi * a).sum();
        sw / swx + s
    }
}

#[test]
fn tuples_keep_passive_components_plain() {
    let (x, w) = ([1.0, 2.0], [0.5, 1.5]);
    bit_identical(zipped_fold(0.7, &x, &w), zipped_fold_f64(0.7, &x, &w));
    let (_, d) = derivative(|a| zipped_fold(a, &x, &w), 0.7);
    assert_close("∂/∂a", d, 2.0 / 3.5 + 3.0, 1e-15);
}

#[differentiable(wrt(a, out))]
fn scale_into(a: f64, xs: &[f64], out: &mut [f64]) {
    for (o, x) in out.iter_mut().zip(xs) {
        *o = a * x;
    }
}

twice! {
    #[differentiable(wrt(a))]
    fn output_buffer / output_buffer_f64(a: f64, xs: &[f64]) -> f64 {
        let mut out = vec![0.0; xs.len()];
        scale_into(a, xs, &mut out);
        out.iter().map(|o| o * o).sum()
    }
}

#[test]
fn a_buffer_passed_as_mut_to_an_active_call_becomes_active() {
    let xs = [1.0, -2.0, 0.5];
    bit_identical(output_buffer(0.7, &xs), output_buffer_f64(0.7, &xs));
    // Σ (a·x)² has derivative 2a·Σx².
    let (_, d) = derivative(|a| output_buffer(a, &xs), 0.7);
    assert_close("∂/∂a", d, 2.0 * 0.7 * 5.25, 1e-15);
}

twice! {
    #[differentiable(wrt(a, b))]
    fn containers / containers_f64(a: f64, b: f64, mode: u8) -> f64 {
        let v = vec![a, 0.0, b];
        let arr = [a * b, 1.0];
        let mut pushed = Vec::new();
        pushed.push(a * 2.0);
        pushed.push(1.0);
        let picked = match mode {
            0 => a,
            1 => 2.0,
            _ => a * b,
        };
        let block = {
            let t = a * 2.0;
            t + 1.0
        };
        v[0] + v[1] + v[2] + arr[0] + arr[1] + pushed[0] + pushed[1] + picked + block
    }
}

#[test]
fn vec_arrays_match_and_blocks_lift_passive_elements() {
    for mode in 0..3 {
        bit_identical(containers(1.5, 2.0, mode), containers_f64(1.5, 2.0, mode));
    }
    let (_, d) = derivative(|a| containers(a, Dual64::from(2.0), 2), 1.5);
    // 1 + b + 2 + b + 2 with b = 2.
    assert_close("∂/∂a", d, 9.0, 1e-15);
}

twice! {
    #[differentiable(wrt(m))]
    fn lifted_arguments / lifted_arguments_f64(m: f64, data: &[f64]) -> f64 {
        let mut total = width_weighted(m, MZ);
        for &x in data {
            total += width_weighted(m, x);
        }
        for x in data {
            total += width_weighted(m, *x) + width_weighted(m, 2.0 * x);
        }
        total += data.iter().map(|x| width_weighted(m, *x)).sum::<f64>();
        total += width_weighted(m, data[0]) + width_weighted(m, -1.5) + width_weighted(m, data.len() as f64);
        let mut it = data.iter();
        while let Some(x) = it.next() {
            total += width_weighted(m, *x);
        }
        total += width_weighted(m, *data.iter().next().unwrap());
        for (i, (x, y)) in data.iter().zip(data.iter().rev()).enumerate() {
            total += width_weighted(m, *x) * width_weighted(m, *y) * i as f64;
        }
        total += data
            .iter()
            .zip(data)
            .map(|(&x, y)| width_weighted(m, x) + width_weighted(m, *y))
            .sum::<f64>();
        total
    }
}

#[test]
fn passive_floats_beside_active_arguments_are_lifted() {
    let data = [90.0, 92.0];
    bit_identical(
        lifted_arguments(91.0, &data),
        lifted_arguments_f64(91.0, &data),
    );
    let (_, d) = derivative(|m| lifted_arguments(m, &data), 91.0);
    let centres = [
        MZ, 90.0, 92.0, 90.0, 180.0, 92.0, 184.0, 90.0, 92.0, 90.0, -1.5, 2.0, 90.0, 92.0, 90.0,
    ];
    let w = |c: f64| (91.0 - c) * (91.0 - c);
    let dw = |c: f64| 2.0 * (91.0 - c);
    // i = 1 only: x = 92, y = 90; then the zipped map over 90, 92 twice.
    let expected: f64 = centres.iter().map(|c| dw(*c)).sum::<f64>()
        + dw(92.0) * w(90.0)
        + w(92.0) * dw(90.0)
        + 2.0 * (dw(90.0) + dw(92.0));
    assert_close("∂/∂m", d, expected, 1e-13);
}

twice! {
    #[differentiable]
    fn methods / methods_f64(a: f64, b: f64) -> f64 {
        let m = f64::max(a, b) + a.max(0.0) + 1.0f64.min(b);
        let p = a.powf(2.5) + 2f64.powf(a) + a.powf(b);
        let t = a.atan2(1.0) + 0.5f64.atan2(b) + a.mul_add(2.0, b);
        let neg: f64 = [a, b].iter().map(|x| -x).sum();
        let mut c = a;
        c *= 3.0;
        c /= b;
        c -= 1.0;
        let angles = a.to_radians() + f64::to_degrees(b);
        m + p + t + neg + c + f64::exp(-a) + a.clamp(0.0, 10.0) + a.hypot(b) + angles
    }
}

#[test]
fn methods_without_a_generic_equivalent_are_mapped() {
    bit_identical(methods(1.3, 0.8), methods_f64(1.3, 0.8));
    let (_, da) = derivative(|a| methods(a, Dual64::from(0.8)), 1.3);
    let a: f64 = 1.3;
    let b: f64 = 0.8;
    let expected = 1.0 + 1.0 // max(a, b), max(a, 0)
        + 2.5 * a.powf(1.5) + 2f64.powf(a) * 2f64.ln() + b * a.powf(b - 1.0)
        + 1.0 / (1.0 + a * a) + 2.0
        - 1.0
        + 3.0 / b
        - (-a).exp()
        + 1.0
        + a / a.hypot(b)
        + PI / 180.0;
    assert_close("∂/∂a", da, expected, 1e-13);
    let (_, db) = derivative(|b| methods(Dual64::from(1.3), b), 0.8);
    let expected_b =
        1.0 + a.powf(b) * a.ln() - 0.5 / (0.25 + b * b) + 1.0 - 1.0 - 3.0 * a / (b * b)
            + b / a.hypot(b)
            + 180.0 / PI;
    assert_close("∂/∂b", db, expected_b, 1e-13);
}

twice! {
    #[differentiable(wrt(a))]
    fn closures_and_options / closures_and_options_f64(a: f64, data: &[f64]) -> Option<f64> {
        let scale = |t: f64| -> f64 { t * a };
        let first = *data.first()?;
        let mut it = data.iter();
        let mut s = 0.0;
        while let Some(x) = it.next() {
            s += scale(*x);
        }
        let nested: f64 = data
            .iter()
            .map(|x| (0..3).map(|k| x * a * k as f64).sum::<f64>())
            .sum();
        let mut k = 0;
        let converged: f64 = loop {
            k += 1;
            if data.len() > 10 {
                break 0.0;
            }
            if k == 3 {
                break s * 2.0;
            }
        };
        Some(s + nested + scale(first) + converged)
    }
}

#[test]
fn closures_iterators_and_question_mark() {
    let data = [1.0, 2.0];
    bit_identical(
        closures_and_options(0.5, &data).unwrap(),
        closures_and_options_f64(0.5, &data).unwrap(),
    );
    assert_eq!(closures_and_options(0.5, &[]), None);
    let y = closures_and_options(Dual64::new(0.5, 1.0), &data).unwrap();
    assert_close("∂/∂a", y.eps, 3.0 + 9.0 + 1.0 + 6.0, 1e-15);
}

struct Resonance;

impl Resonance {
    const MASS: f64 = 125.0;

    /// An associated function without `self`: companions call it through `Self`.
    #[differentiable]
    fn pull(m: f64, width: f64) -> f64 {
        (m - Self::MASS) / width
    }
}

#[test]
fn associated_functions_naming_self_get_companions() {
    let (p, g) = Resonance::pull_grad(126.0, 2.0);
    assert_eq!((p, g), (0.5, [0.5, -0.25]));
}

twice! {
    #[differentiable(wrt(p))]
    fn survival / survival_f64(p: f64, layers: &[f64]) -> f64 {
        // Probability to cross every layer, each with efficiency `p · thickness`.
        let per_layer: Vec<f64> = layers.iter().map(|t| 1.0 - p * t).collect();
        per_layer.iter().product::<f64>() * layers.iter().map(|t| t + p).product::<f64>()
    }
}

#[test]
fn products_of_values_and_references() {
    let layers = [0.1, 0.2, 0.3];
    bit_identical(survival(0.5, &layers), survival_f64(0.5, &layers));
    let (f, d) = derivative(|p| survival(p, &layers), 0.5);
    let a: f64 = layers.iter().map(|t| 1.0 - 0.5 * t).product();
    let b: f64 = layers.iter().map(|t| t + 0.5).product();
    let da = a * layers.iter().map(|t| -t / (1.0 - 0.5 * t)).sum::<f64>();
    let db = b * layers.iter().map(|t| 1.0 / (t + 0.5)).sum::<f64>();
    assert_eq!(f, a * b);
    assert_close("∂/∂p", d, da * b + a * db, 1e-14);
}
