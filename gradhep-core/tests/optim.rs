//! Optimisers and reparametrisations, against closed forms, Kingma & Ba's update rule
//! written out by hand, and central finite differences.

use gradhep_core::Scalar;
use gradhep_core::num_dual::{Dual2_64, Dual64, DualSVec64, gradient, second_derivative};
use gradhep_core::optim::{
    Adam, Control, GradientDescent, Interval, Minimiser, Ordered, Positive, Schedule, StopReason,
    StopRule,
};
use nalgebra::SVector;

/// The loss and gradient of a generic function by one pass of `K`-direction duals: the shape
/// of a `#[differentiable]` function's `_grad` companion.
fn value_and_gradient<const K: usize>(
    f: impl Fn(&[DualSVec64<K>; K]) -> DualSVec64<K>,
    x: &[f64; K],
) -> (f64, [f64; K]) {
    let (value, grad) = gradient(
        |v: SVector<DualSVec64<K>, K>| f(&v.into()),
        &SVector::from(*x),
    );
    (value, grad.into())
}

/// Central difference `(f(x + h) − f(x − h)) / 2h`.
fn central_difference(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn rosenbrock<D: Scalar>(p: &[D; 2]) -> D {
    let [x, y] = *p;
    let a = -x + 1.0;
    let b = y - x * x;
    a * a + b * b * 100.0
}

#[test]
fn adam_finds_the_rosenbrock_minimum_at_one_one() {
    let minimiser = Minimiser::new(
        Adam::default(),
        Schedule::cosine(0.02, 1e-5, 20_000),
        StopRule::max_steps(20_000).gradient_tolerance(1e-10),
    );
    let run = minimiser.minimise([-1.2, 1.0], |p| value_and_gradient(rosenbrock, p));
    let [x, y] = run.best_params;
    assert!(
        (x - 1.0).abs() < 1e-4 && (y - 1.0).abs() < 2e-4,
        "ended at ({x}, {y}) after {} steps, {:?}",
        run.history.loss.len(),
        run.reason
    );
    assert!(run.best_loss < 1e-8, "best loss {}", run.best_loss);
}

#[test]
fn gradient_descent_follows_the_eigen_decomposition_of_a_quadratic() {
    // f(x) = ½ xᵀA x with A = [[3, 1], [1, 2]]: eigenvalues (5 ± √5)/2, eigenvectors
    // (1, λ − 3). Each eigen-component shrinks by (1 − ηλ) per step.
    let a = [[3.0, 1.0], [1.0, 2.0]];
    let eta = 0.2;
    let x0 = [1.0, -2.0];
    let objective = |x: &[f64; 2]| {
        let ax = [
            a[0][0] * x[0] + a[0][1] * x[1],
            a[1][0] * x[0] + a[1][1] * x[1],
        ];
        (0.5 * (x[0] * ax[0] + x[1] * ax[1]), ax)
    };
    let closed_form = |k: i32| {
        let mut xk = [0.0; 2];
        for lambda in [(5.0 + 5f64.sqrt()) / 2.0, (5.0 - 5f64.sqrt()) / 2.0] {
            let v = [1.0, lambda - 3.0];
            let norm2 = v[0] * v[0] + v[1] * v[1];
            let coefficient = (v[0] * x0[0] + v[1] * x0[1]) / norm2 * (1.0 - eta * lambda).powi(k);
            xk[0] += coefficient * v[0];
            xk[1] += coefficient * v[1];
        }
        xk
    };
    let mut iterates = Vec::new();
    let run = Minimiser::new(
        GradientDescent,
        Schedule::constant(eta),
        StopRule::max_steps(25),
    )
    .minimise_with(x0, objective, |step| iterates.push(*step.params));
    assert_eq!(iterates.len(), 26);
    for (k, xk) in iterates.iter().enumerate() {
        let expected = closed_form(k as i32);
        for i in 0..2 {
            assert!(
                (xk[i] - expected[i]).abs() < 1e-14,
                "step {k}: {xk:?} against {expected:?}"
            );
        }
        assert!((run.history.loss[k] - objective(xk).0).abs() < 1e-15);
    }
    assert_eq!(run.params, iterates[25]);
    assert_eq!(run.reason, StopReason::MaxSteps);
}

#[test]
fn gradient_descent_with_exponential_decay_takes_the_decayed_steps() {
    // f(x) = ½ x²: x_k = x₀ Π_{j<k} (1 − η γʲ)
    let (eta, gamma) = (0.5, 0.8);
    let mut iterates = Vec::new();
    let mut rates = Vec::new();
    Minimiser::new(
        GradientDescent,
        Schedule::exponential(eta, gamma),
        StopRule::max_steps(10),
    )
    .minimise_with(
        [3.0],
        |x| (0.5 * x[0] * x[0], [x[0]]),
        |step| {
            iterates.push(step.params[0]);
            rates.push(step.learning_rate);
        },
    );
    let mut expected = 3.0;
    for k in 0..=10 {
        assert!((iterates[k] - expected).abs() < 1e-15, "step {k}");
        assert!((rates[k] - eta * gamma.powi(k as i32)).abs() < 1e-16);
        expected *= 1.0 - eta * gamma.powi(k as i32);
    }
}

#[test]
fn adam_first_steps_follow_kingma_and_ba_with_bias_correction() {
    // f(x) = ½ a x², g = a x. Kingma & Ba's moments in closed form,
    // m_t = (1 − β₁) Σ_{s ≤ t} β₁^{t−s} g_s (likewise v_t with g²), then
    // x_t = x_{t−1} − η (m_t / (1 − β₁ᵗ)) / (√(v_t / (1 − β₂ᵗ)) + ε).
    let (a, eta, beta1, beta2, eps): (f64, f64, f64, f64, f64) = (3.0, 0.1, 0.8, 0.99, 1e-3);
    let mut expected = vec![2.0_f64];
    let mut gradients: Vec<f64> = Vec::new();
    for t in 1..=4 {
        gradients.push(a * expected[t - 1]);
        let m: f64 = (1..=t)
            .map(|s| (1.0 - beta1) * beta1.powi((t - s) as i32) * gradients[s - 1])
            .sum();
        let v: f64 = (1..=t)
            .map(|s| (1.0 - beta2) * beta2.powi((t - s) as i32) * gradients[s - 1].powi(2))
            .sum();
        let m_hat = m / (1.0 - beta1.powi(t as i32));
        let v_hat = v / (1.0 - beta2.powi(t as i32));
        expected.push(expected[t - 1] - eta * m_hat / (v_hat.sqrt() + eps));
    }
    // by hand for t = 1: m̂ = v̂^½ = g = 6, so x₁ = 2 − 0.1 · 6 / 6.001
    assert!((expected[1] - (2.0 - 0.6 / 6.001)).abs() < 1e-15);

    let mut iterates = Vec::new();
    Minimiser::new(
        Adam::new(beta1, beta2, eps),
        Schedule::constant(eta),
        StopRule::max_steps(4),
    )
    .minimise_with(
        [2.0],
        |x| (0.5 * a * x[0] * x[0], [a * x[0]]),
        |step| iterates.push(step.params[0]),
    );
    for (t, (x, e)) in iterates.iter().zip(&expected).enumerate() {
        assert!((x - e).abs() < 1e-14, "step {t}: {x} against {e}");
    }
}

/// `f(e) = Σ_j c_j (e_j − t_j)²` over three edges `e = Ordered(0, 1).forward(z)`, written
/// generically so the gradient in `z` comes from dual numbers through the map.
fn edge_loss<D: Scalar>(z: &[D; 3], target: [f64; 3]) -> D {
    let weights = [1.0, 2.0, 0.5];
    Ordered::new(0.0, 1.0)
        .forward(z)
        .iter()
        .zip(target)
        .zip(weights)
        .fold(D::zero(), |acc, ((&e, t), c)| acc + (e - t) * (e - t) * c)
}

fn assert_strictly_ordered_inside_unit_interval(e: &[f64]) {
    assert!(
        e.windows(2).all(|w| w[0] < w[1]) && e[0] > 0.0 && e[2] < 1.0,
        "edges {e:?} left the ordered set"
    );
}

#[test]
fn ordered_edges_reach_an_interior_optimum_through_the_pullback() {
    let ordered = Ordered::new(0.0, 1.0);
    let target = [0.2, 0.45, 0.7];
    let z0 = ordered.inverse(&[0.8, 0.85, 0.9]);
    let mut visited = Vec::new();
    let run = Minimiser::new(
        Adam::default(),
        Schedule::cosine(0.05, 1e-4, 3000),
        StopRule::max_steps(3000),
    )
    .minimise_with(
        [z0[0], z0[1], z0[2]],
        |z| {
            let e = ordered.forward(z);
            let weights = [1.0, 2.0, 0.5];
            let loss = (0..3)
                .map(|j| weights[j] * (e[j] - target[j]).powi(2))
                .sum();
            let de: Vec<f64> = (0..3)
                .map(|j| 2.0 * weights[j] * (e[j] - target[j]))
                .collect();
            let g = ordered.pullback(z, &de);
            (loss, [g[0], g[1], g[2]])
        },
        |step| visited.push(ordered.forward(step.params)),
    );
    visited
        .iter()
        .for_each(|e| assert_strictly_ordered_inside_unit_interval(e));
    let e = ordered.forward(&run.best_params);
    for j in 0..3 {
        assert!((e[j] - target[j]).abs() < 1e-6, "edges {e:?}");
    }
}

#[test]
fn ordered_edges_pool_out_of_order_targets_without_crossing() {
    // Targets 0.3 > 0.1 violate the order: the constrained minimum of the separable
    // quadratic pools them at their weighted mean (isotonic regression),
    // (1·0.3 + 2·0.1) / 3 = 1/6, on the boundary e₀ = e₁ that the open set approaches.
    let target = [0.3, 0.1, 0.7];
    let z0 = Ordered::new(0.0, 1.0).inverse(&[0.25, 0.5, 0.75]);
    let mut visited = Vec::new();
    let run = Minimiser::new(
        Adam::default(),
        Schedule::constant(0.05),
        StopRule::max_steps(4000),
    )
    .minimise_with(
        [z0[0], z0[1], z0[2]],
        |z| value_and_gradient(|z| edge_loss(z, target), z),
        |step| visited.push(Ordered::new(0.0, 1.0).forward(step.params)),
    );
    visited
        .iter()
        .for_each(|e| assert_strictly_ordered_inside_unit_interval(e));
    let e = Ordered::new(0.0, 1.0).forward(&run.best_params);
    assert!((e[0] - 1.0 / 6.0).abs() < 1e-3, "edges {e:?}");
    assert!((e[1] - 1.0 / 6.0).abs() < 1e-3, "edges {e:?}");
    assert!((e[2] - 0.7).abs() < 1e-3, "edges {e:?}");
    // The pooled loss 1·(1/6 − 0.3)² + 2·(1/6 − 0.1)² is approached from above, by the
    // constraint's multiplier 4/15 times the remaining gap e₁ − e₀ (first order, as on
    // any active bound).
    let pooled = (1.0f64 / 6.0 - 0.3).powi(2) + 2.0 * (1.0f64 / 6.0 - 0.1).powi(2);
    let excess = run.best_loss - pooled;
    assert!(
        excess > 0.0 && excess < 4.0 / 15.0 * (e[1] - e[0]) + 1e-7,
        "excess {excess}"
    );
    assert!(e[1] - e[0] < 1e-3);
}

#[test]
fn interval_map_jacobian_matches_central_differences_and_duals() {
    let interval = Interval::new(-2.0, 5.0);
    for u in [-6.0, -3.0, -0.4, 0.0, 0.7, 4.0, 6.0] {
        let fd = central_difference(|u| interval.forward(u), u, 1e-5);
        let exact = interval.derivative(u);
        assert!((exact - fd).abs() <= 1e-7 * exact.abs(), "u = {u}");
        let dual = interval.forward(Dual64::new(u, 1.0));
        assert_eq!(dual.re, interval.forward(u));
        assert!((dual.eps - exact).abs() <= 1e-14 * exact.abs());
        // second order through the same generic map, against differences of the derivative
        let (_, _, d2) = second_derivative(|u: Dual2_64| interval.forward(u), u);
        let fd2 = central_difference(|u| interval.derivative(u), u, 1e-5);
        assert!((d2 - fd2).abs() <= 1e-7 * fd2.abs().max(1e-3), "u = {u}");
    }
}

#[test]
fn positive_map_jacobian_matches_central_differences_and_duals() {
    for u in [-6.0, -2.5, -0.3, 0.0, 0.2, 3.0, 8.0] {
        let fd = central_difference(|u| Positive.forward(u), u, 1e-5);
        let exact = Positive.derivative(u);
        assert!((exact - fd).abs() <= 1e-7 * exact.abs(), "u = {u}");
        let dual = Positive.forward(Dual64::new(u, 1.0));
        assert!((dual.eps - exact).abs() <= 1e-14 * exact.abs(), "u = {u}");
    }
}

#[test]
fn ordered_pullback_matches_central_differences_of_the_forward_map() {
    let ordered = Ordered::new(-1.0, 3.0);
    let z = [0.4, -1.3, 2.0, 0.1];
    let g = [0.7, -2.0, 0.3, 1.1];
    let pulled = ordered.pullback(&z, &g);
    for k in 0..4 {
        // ∂(g · e(z)) / ∂z_k by central differences
        let directional = |h: f64| {
            let mut zh = z;
            zh[k] += h;
            let e = ordered.forward(&zh);
            e.iter().zip(&g).map(|(e, g)| e * g).sum::<f64>()
        };
        let fd = central_difference(directional, 0.0, 1e-5);
        assert!(
            (pulled[k] - fd).abs() < 1e-9,
            "k = {k}: {} against {fd}",
            pulled[k]
        );
    }
}

#[test]
fn maps_stay_finite_with_finite_derivatives_far_out() {
    for u in [-800.0, 800.0] {
        let x = Interval::new(0.0, 1.0).forward(Dual64::new(u, 1.0));
        assert!(x.re.is_finite() && x.eps.is_finite() && x.eps >= 0.0);
        let x = Positive.forward(Dual64::new(u, 1.0));
        assert!(x.re.is_finite() && x.eps.is_finite());
    }
    let e = Ordered::new(0.0, 1.0).forward(&[Dual64::new(800.0, 1.0), Dual64::new(-800.0, 0.0)]);
    assert!(e.iter().all(|e| e.re.is_finite() && e.eps.is_finite()));
    let g = Ordered::new(0.0, 1.0).pullback(&[800.0, -800.0], &[1.0, 1.0]);
    assert!(g.iter().all(|g| g.is_finite()));
}

#[test]
fn inverse_maps_round_trip() {
    let interval = Interval::new(10.0, 20.0);
    for x in [10.000_001, 11.0, 15.0, 19.5, 19.999_999] {
        assert!(
            (interval.forward(interval.inverse(x)) - x).abs() < 1e-12,
            "x = {x}"
        );
    }
    for u in [-20.0, -1.0, 0.0, 2.5, 20.0] {
        assert!((interval.inverse(interval.forward(u)) - u).abs() < 1e-7 * u.abs().max(1.0));
    }
    for x in [1e-8, 0.01, 1.0, 30.0, 700.0] {
        assert!(
            (Positive.forward(Positive.inverse(x)) - x).abs() <= 1e-14 * x,
            "x = {x}"
        );
    }
    let ordered = Ordered::new(0.0, 1.0);
    let edges = [0.001, 0.3, 0.31, 0.99];
    let back = ordered.forward(&ordered.inverse(&edges));
    for (b, e) in back.iter().zip(edges) {
        assert!((b - e).abs() < 1e-15, "{back:?}");
    }
    let z = [1.5, -0.5, 3.0];
    for (b, z) in ordered.inverse(&ordered.forward(&z)).iter().zip(z) {
        assert!((b - z).abs() < 1e-12);
    }
    assert!(ordered.forward::<f64>(&[]).is_empty());
}

#[test]
fn gradient_tolerance_stops_at_the_first_small_gradient() {
    // GD with η = ¼ on x² halves x: g_k = 2 · 2⁻ᵏ ≤ 10⁻³ first at k = 11
    let run = Minimiser::new(
        GradientDescent,
        Schedule::constant(0.25),
        StopRule::max_steps(100).gradient_tolerance(1e-3),
    )
    .minimise([1.0], |x| (x[0] * x[0], [2.0 * x[0]]));
    assert_eq!(run.reason, StopReason::GradientNorm);
    assert_eq!(run.history.loss.len(), 12);
    assert_eq!(run.params, [2f64.powi(-11)]);
}

#[test]
fn loss_tolerance_stops_when_the_relative_change_is_small() {
    // f = x² + 1 with x halving: f_k = 1 + 4⁻ᵏ, so |Δf_k| / f_{k−1} = ¾ 4^{1−k} / (1 + 4^{1−k})
    let tolerance = 1e-5;
    let first = (1..)
        .find(|&k| {
            let prev = 4f64.powi(1 - k);
            0.75 * prev / (1.0 + prev) <= tolerance
        })
        .unwrap();
    let run = Minimiser::new(
        GradientDescent,
        Schedule::constant(0.25),
        StopRule::max_steps(100).loss_tolerance(tolerance),
    )
    .minimise([1.0], |x| (x[0] * x[0] + 1.0, [2.0 * x[0]]));
    assert_eq!(run.reason, StopReason::LossChange);
    assert_eq!(run.history.loss.len(), first as usize + 1);
}

#[test]
fn patience_stops_a_diverging_run_and_keeps_the_best_point() {
    // η = 1.5 on x² maps x to −2x: the loss only grows after the start
    let run = Minimiser::new(
        GradientDescent,
        Schedule::constant(1.5),
        StopRule::max_steps(100).patience(3),
    )
    .minimise([1.0], |x| (x[0] * x[0], [2.0 * x[0]]));
    assert_eq!(run.reason, StopReason::Patience);
    assert_eq!(run.history.loss, [1.0, 4.0, 16.0, 64.0]);
    assert_eq!(
        (run.best_params, run.best_loss, run.best_step),
        ([1.0], 1.0, 0)
    );
    assert_eq!(run.params, [-8.0]);
}

#[test]
fn a_non_finite_loss_stops_the_run_at_the_last_finite_point() {
    // f = √x with a unit gradient: x = 1, ¾, ½, ¼, 0, −¼ → NaN at step 5
    let run = Minimiser::new(
        GradientDescent,
        Schedule::constant(0.25),
        StopRule::max_steps(100),
    )
    .minimise([1.0], |x| (x[0].sqrt(), [1.0]));
    assert_eq!(run.reason, StopReason::NonFinite);
    assert_eq!(run.history.loss.len(), 6);
    assert!(run.loss.is_nan());
    assert_eq!(
        (run.best_params, run.best_loss, run.best_step),
        ([0.0], 0.0, 4)
    );
}

#[test]
fn a_non_finite_start_is_reported_not_hidden() {
    let run = Minimiser::new(
        Adam::default(),
        Schedule::constant(0.1),
        StopRule::max_steps(10),
    )
    .minimise([1.0], |_| (1.0, [f64::INFINITY]));
    assert_eq!(run.reason, StopReason::NonFinite);
    assert_eq!((run.best_params, run.best_step), ([1.0], 0));
    assert_eq!(run.history.gradient_norm, [f64::INFINITY]);
}

#[test]
fn the_observer_can_stop_the_run_and_sees_every_step() {
    let mut indices = Vec::new();
    let mut best = Vec::new();
    let run = Minimiser::new(
        GradientDescent,
        Schedule::constant(0.25),
        StopRule::max_steps(100),
    )
    .minimise_with(
        [1.0],
        |x| (x[0] * x[0], [2.0 * x[0]]),
        |step| {
            indices.push(step.index);
            best.push(step.best_loss);
            if step.index == 2 {
                Control::Stop
            } else {
                Control::Continue
            }
        },
    );
    assert_eq!(run.reason, StopReason::Requested);
    assert_eq!(indices, [0, 1, 2]);
    assert_eq!(best, [1.0, 0.25, 0.0625]);
}

#[test]
fn zero_steps_only_evaluates_the_start() {
    let run = Minimiser::new(
        Adam::default(),
        Schedule::constant(0.1),
        StopRule::max_steps(0),
    )
    .minimise([0.5, -0.5], |x| (x[0] + x[1], [1.0, 1.0]));
    assert_eq!(
        (run.params, run.loss, run.reason),
        ([0.5, -0.5], 0.0, StopReason::MaxSteps)
    );
    assert_eq!(run.history.gradient_norm, [2f64.sqrt()]);
}

#[test]
fn a_minimiser_restarts_fresh_for_each_run() {
    let m = Minimiser::new(
        Adam::default(),
        Schedule::constant(0.1),
        StopRule::max_steps(5),
    );
    let objective = |x: &[f64; 1]| (x[0] * x[0], [2.0 * x[0]]);
    assert_eq!(m.minimise([1.0], objective), m.minimise([1.0], objective));
}

#[test]
#[should_panic(expected = "learning rate must be positive")]
fn a_non_positive_learning_rate_panics() {
    Schedule::constant(0.0);
}

#[test]
#[should_panic(expected = "beta1 must be in [0, 1)")]
fn adam_rejects_a_unit_beta() {
    Adam::new(1.0, 0.999, 1e-8);
}

#[test]
#[should_panic(expected = "lo < hi")]
fn an_empty_interval_panics() {
    Interval::new(1.0, 1.0);
}

#[test]
#[should_panic(expected = "not strictly increasing")]
fn unsorted_edges_cannot_be_inverted() {
    Ordered::new(0.0, 1.0).inverse(&[0.5, 0.4]);
}

#[test]
#[should_panic(expected = "not inside")]
fn a_point_on_the_bound_cannot_be_inverted() {
    Interval::new(0.0, 1.0).inverse(1.0);
}
