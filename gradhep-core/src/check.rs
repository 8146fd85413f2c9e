//! Checking a gradient against finite differences.

/// The worst error of the gradient that `f` returns, against central finite differences of
/// the value it returns, relative to the gradient's size:
/// `maxₖ |gₖ − δₖ| / max(‖g‖∞, ‖δ‖∞)` with `δₖ = (f(x + hₖ eₖ) − f(x − hₖ eₖ)) / (2hₖ)`.
///
/// `f` is a `_grad` companion, or any function returning `(value, [∂value/∂xₖ; K])`: wrap
/// one with its data as `|[a, b]| kept_grad(a, b, &events)`. Returns `0` when both gradients
/// vanish, and `∞` when either has a NaN or infinite component.
///
/// The step is `hₖ = ε^{1/3}·max(|xₖ|, 1)` (`ε` the `f64` machine epsilon, so `hₖ ≈ 6e-6` at
/// unit scale), which balances the `O(h²)` truncation of central differences against the
/// `O(ε/h)` rounding: for a smooth `f` of unit scale expect about `1e-10`, so a result below
/// `1e-6` confirms the gradient and one of order one refutes it. The step is taken as the
/// exact difference of the two `f64` points.
///
/// ```
/// use gradhep_core::check::gradient;
/// // f(a, b) = a² b, with its gradient (2ab, a²)
/// let f = |[a, b]: [f64; 2]| (a * a * b, [2.0 * a * b, a * a]);
/// assert!(gradient(f, [1.5, -0.5]) < 1e-9);
/// let wrong = |[a, b]: [f64; 2]| (a * a * b, [a * b, a * a]);
/// assert!(gradient(wrong, [1.5, -0.5]) > 0.1);
/// ```
pub fn gradient<const K: usize>(f: impl Fn([f64; K]) -> (f64, [f64; K]), x: [f64; K]) -> f64 {
    let (_, g) = f(x);
    let differences: [f64; K] = std::array::from_fn(|k| {
        let h = f64::EPSILON.cbrt() * x[k].abs().max(1.0);
        let (mut up, mut down) = (x, x);
        up[k] += h;
        down[k] -= h;
        (f(up).0 - f(down).0) / (up[k] - down[k])
    });
    if g.iter().chain(&differences).any(|v| !v.is_finite()) {
        return f64::INFINITY;
    }
    let norm = |v: &[f64; K]| v.iter().fold(0.0_f64, |m, c| m.max(c.abs()));
    let scale = norm(&g).max(norm(&differences));
    if scale == 0.0 {
        return 0.0;
    }
    g.iter()
        .zip(&differences)
        .fold(0.0_f64, |worst, (g, d)| worst.max((g - d).abs()))
        / scale
}
