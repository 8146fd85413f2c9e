/// Weighted events kept by a soft cut at `cut`.
#[inline]
pub fn kept<D: ::gradhep::Scalar>(
    cut: D,
    width: D,
    events: &[f64],
    weights: &[f64],
) -> D {
    let mut total = ::gradhep::lift::<D>(0.0);
    for (x, w) in events.iter().zip(weights) {
        let keep = ::gradhep::lift::<D>(1.0)
            / (((cut - ::gradhep::value(x)) / width).exp() + 1.0);
        total += keep * ::gradhep::value(w);
    }
    total
}
/// Value and gradient of `kept` with respect to `cut`, `width`, in that order, from one forward pass.
#[inline]
#[allow(dead_code)]
pub fn kept_grad(
    cut: f64,
    width: f64,
    events: &[f64],
    weights: &[f64],
) -> (f64, [f64; 2]) {
    let [cut, width] = ::gradhep::gradient_seeds([cut, width]);
    ::gradhep::split_gradient(kept(cut, width, events, weights))
}
/// Value, gradient and Hessian (`h[i][j] = ∂²f/∂xᵢ∂xⱼ`) of `kept` with respect to `cut`, `width`, from one forward pass.
#[inline]
#[allow(dead_code)]
pub fn kept_hessian(
    cut: f64,
    width: f64,
    events: &[f64],
    weights: &[f64],
) -> (f64, [f64; 2], [[f64; 2]; 2]) {
    let [cut, width] = ::gradhep::hessian_seeds([cut, width]);
    ::gradhep::split_hessian(kept(cut, width, events, weights))
}
