//! Smooth replacements for the step functions of an analysis: soft cuts, smooth extrema and
//! the softmax.
//!
//! Each has a width or temperature in the units of its input; as it goes to zero the hard
//! operation is recovered, and at any positive value the derivative is informative. All are
//! written so that no intermediate overflows: the sigmoid and softplus have finite values and
//! derivatives (exactly zero where they underflow) for arguments up to `±1e308`.
//!
//! The cuts and smooth extrema are written as plain `f64` code under `#[differentiable]`, so
//! each also has `_grad` and `_hessian` companions (`cut_above_grad(x, cut, width)` returns
//! the value and `[∂/∂x, ∂/∂cut, ∂/∂width]`). `sigmoid` and `softplus` are exact
//! truncated-Taylor forms (`custom_unary`), and `logsumexp`/`softmax` act on slices of the
//! scalar type, so those are generic code written by hand.

use crate::differentiable;
use crate::scalar::{Scalar, custom_unary, detach};
use crate::special::exp_nonpositive;

/// The logistic sigmoid `σ(z) = 1/(1 + e^{−z})`, with `σ' = σ(1 − σ)`.
///
/// Evaluated from `e^{−|z|}`, which never overflows, and with `σ` and `1 − σ` each formed
/// directly so that the derivatives keep relative precision in both tails. Hard limit: the
/// unit step, `σ(z/t) → [z > 0]` as `t → 0⁺` (with `σ(0) = 1/2`).
///
/// ```
/// use gradhep_core::smooth::sigmoid;
/// use gradhep_core::num_dual::{first_derivative, Dual64};
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!(sigmoid(1e308), 1.0);
/// assert_eq!(first_derivative(sigmoid::<Dual64>, -1e308), (0.0, 0.0));
/// ```
#[inline]
pub fn sigmoid<D: Scalar>(z: D) -> D {
    custom_unary(z, |z0| sigmoid_taylor(z0, D::NDERIV))
}

/// `σ` and its first three derivatives at `z`, those beyond `order` left zero.
#[inline]
pub(crate) fn sigmoid_taylor(z: f64, order: usize) -> [f64; 4] {
    let [s, c, c_minus_s] = sigmoid_parts(z, order);
    let sc = s * c;
    [s, sc, sc * c_minus_s, sc * (1.0 - 6.0 * sc)]
}

/// `[σ(z), 1 − σ(z), 1 − 2σ(z)]`, each without cancellation; the last, which only second
/// and higher derivatives use, is left zero for `order < 2` (it costs an `expm1`).
#[inline]
fn sigmoid_parts(z: f64, order: usize) -> [f64; 3] {
    // The inlined kernel rather than libm's `exp`, so that an event loop of sigmoids has no
    // call in it.
    let e = exp_nonpositive(-z.abs());
    let near_one = 1.0 / (1.0 + e);
    let near_zero = e * near_one;
    // 1 − 2σ(|z|) = (e − 1)/(1 + e), with e − 1 = expm1(−|z|) exact near z = 0.
    let gap = if order >= 2 {
        (-z.abs()).exp_m1() * near_one
    } else {
        0.0
    };
    // Selects per element, not a branch on the sign, which the event loop would mispredict.
    let positive = z >= 0.0;
    [
        if positive { near_one } else { near_zero },
        if positive { near_zero } else { near_one },
        if positive { gap } else { -gap },
    ]
}

/// The softplus `ln(1 + e^z) = max(z, 0) + ln(1 + e^{−|z|})`, a smooth `max(z, 0)`, with
/// derivative `σ(z)`.
///
/// Hard limit: `t·softplus(z/t) → max(z, 0)` as `t → 0⁺`.
///
/// ```
/// use gradhep_core::smooth::softplus;
/// assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-16);
/// assert_eq!(softplus(1e308), 1e308);
/// assert!((softplus(-40.0) - (-40f64).exp()).abs() < 1e-30);
/// ```
#[inline]
pub fn softplus<D: Scalar>(z: D) -> D {
    custom_unary(z, |z0| {
        let [s, c, c_minus_s] = sigmoid_parts(z0, D::NDERIV);
        let sc = s * c;
        [
            z0.max(0.0) + (-z0.abs()).exp().ln_1p(),
            s,
            sc,
            sc * c_minus_s,
        ]
    })
}

#[inline]
fn assert_positive(what: &str, t: f64) {
    assert!(t > 0.0, "{what} must be positive, got {t}");
}

/// The soft cut keeping events above `cut`: `σ((x − cut)/width)`.
///
/// All three are the scalar type, as every scalar parameter of a differentiable function is:
/// inside a `#[differentiable]` body a plain event value is lifted to it by the macro; plain
/// code writes `lift(x)`. `width` is in the units of `x`. Hard limit: `[x > cut]` as `width → 0⁺`. It is `relaxed.cut`
/// with `slope = 1/width`.
///
/// # Panics
/// If `width` is not positive.
///
/// ```
/// use gradhep_core::smooth::cut_above;
/// use gradhep_core::num_dual::Dual64;
/// assert_eq!(cut_above(1.0, 1.0, 0.1), 0.5);
/// assert!(cut_above(1.2, 1.0, 1e-3) == 1.0 && cut_above(0.8, 1.0, 1e-3) < 1e-80);
/// // data event, trainable cut: d/dcut = −σ'(0)/width
/// let kept = cut_above(Dual64::from(1.0), Dual64::new(1.0, 1.0), Dual64::from(0.1));
/// assert!((kept.eps + 2.5).abs() < 1e-14);
/// // the same from the companion, with respect to (x, cut, width)
/// let (v, [dx, dcut, dwidth]) = gradhep_core::smooth::cut_above_grad(1.0, 1.0, 0.1);
/// assert_eq!((v, dx + dcut, dwidth), (0.5, 0.0, 0.0));
/// assert!((dcut + 2.5).abs() < 1e-14);
/// ```
#[differentiable]
#[inline]
pub fn cut_above(x: f64, cut: f64, width: f64) -> f64 {
    assert_positive("cut_above: width", detach(width));
    sigmoid((x - cut) / width)
}

/// The soft cut keeping events below `cut`: `σ((cut − x)/width) = 1 − cut_above(x, cut, width)`.
///
/// Hard limit: `[x < cut]` as `width → 0⁺`.
///
/// # Panics
/// If `width` is not positive.
///
/// ```
/// use gradhep_core::smooth::{cut_above, cut_below};
/// let (below, above) = (cut_below(0.7, 1.0, 0.1), cut_above(0.7, 1.0, 0.1));
/// assert!((below + above - 1.0).abs() < 1e-15);
/// ```
#[differentiable]
#[inline]
pub fn cut_below(x: f64, cut: f64, width: f64) -> f64 {
    assert_positive("cut_below: width", detach(width));
    sigmoid((cut - x) / width)
}

/// The soft window keeping events between `lo` and `hi`:
/// `σ((x − lo)/width) · σ((hi − x)/width)`.
///
/// Hard limit: `[lo < x < hi]` as `width → 0⁺` (for `lo < hi`).
///
/// # Panics
/// If `width` is not positive.
///
/// ```
/// use gradhep_core::smooth::cut_window;
/// assert_eq!(cut_window(1.5, 0.5, 2.5, 0.01), 1.0);
/// assert!(cut_window(3.0, 0.5, 2.5, 0.01) < 1e-21);
/// ```
#[differentiable]
#[inline]
pub fn cut_window(x: f64, lo: f64, hi: f64, width: f64) -> f64 {
    assert_positive("cut_window: width", detach(width));
    let inv_width = width.recip();
    sigmoid((x - lo) * inv_width) * sigmoid((hi - x) * inv_width)
}

/// The smooth maximum `t·ln(e^{a/t} + e^{b/t}) = max(a, b) + t·softplus(−|a − b|/t)`.
///
/// Always at least `max(a, b)` and at most `max(a, b) + t·ln 2`; its gradient is the softmax
/// weights `(σ((a − b)/t), σ((b − a)/t))`. Hard limit: `max(a, b)` as `temperature → 0⁺`.
///
/// # Panics
/// If `temperature` is not positive.
///
/// ```
/// use gradhep_core::smooth::smooth_max;
/// assert!((smooth_max(1.0, 1.0, 0.5) - (1.0 + 0.5 * 2f64.ln())).abs() < 1e-15);
/// assert_eq!(smooth_max(3.0, -2.0, 1e-3), 3.0);
/// ```
#[differentiable]
#[inline]
pub fn smooth_max(a: f64, b: f64, temperature: f64) -> f64 {
    assert_positive("smooth_max: temperature", detach(temperature));
    // Both forms are the same analytic function; offsetting from the larger makes the
    // softplus term a small correction, so the hard limit comes out exactly.
    let (hi, lo) = if detach(a) >= detach(b) {
        (a, b)
    } else {
        (b, a)
    };
    hi + softplus((lo - hi) / temperature) * temperature
}

/// The smooth minimum `−t·ln(e^{−a/t} + e^{−b/t}) = min(a, b) − t·softplus(−|a − b|/t)`.
///
/// Hard limit: `min(a, b)` as `temperature → 0⁺`.
///
/// # Panics
/// If `temperature` is not positive.
///
/// ```
/// use gradhep_core::smooth::smooth_min;
/// assert_eq!(smooth_min(3.0, -2.0, 1e-3), -2.0);
/// ```
#[differentiable]
#[inline]
pub fn smooth_min(a: f64, b: f64, temperature: f64) -> f64 {
    assert_positive("smooth_min: temperature", detach(temperature));
    let (lo, hi) = if detach(a) <= detach(b) {
        (a, b)
    } else {
        (b, a)
    };
    lo - softplus((lo - hi) / temperature) * temperature
}

/// `ln Σᵢ e^{xᵢ}`, computed as `m + ln Σᵢ e^{xᵢ − m}` with `m = maxᵢ xᵢ` so that nothing
/// overflows; its gradient is `softmax(xs)`.
///
/// `−∞` for an empty slice (the log of an empty sum). Hard limit: `t·logsumexp(x/t) → max x`
/// as `t → 0⁺`.
///
/// ```
/// use gradhep_core::smooth::logsumexp;
/// assert!((logsumexp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
/// assert_eq!(logsumexp::<f64>(&[]), f64::NEG_INFINITY);
/// ```
#[differentiable(wrt(xs))]
pub fn logsumexp(xs: &[f64]) -> f64 {
    let m = detach(max_re(xs));
    if !m.is_finite() {
        return m;
    }
    let sum = xs.iter().fold(0.0, |acc, &x| acc + (x - m).exp());
    sum.ln() + m
}

/// The largest real part (`−∞` for an empty slice). A constant shift: the derivatives of
/// `logsumexp` and `softmax` do not depend on it, and their bodies `detach` it to tell the
/// macro so.
#[inline]
fn max_re<D: Scalar>(xs: &[D]) -> f64 {
    xs.iter()
        .map(|&x| detach(x))
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The softmax `pᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}`: probabilities that sum to one.
///
/// Shifted by the largest `xᵢ` so that nothing overflows. Hard limit: the one-hot indicator of
/// the largest `xᵢ` as the inputs are scaled by `1/t`, `t → 0⁺`.
///
/// ```
/// use gradhep_core::smooth::softmax;
/// let p = softmax(&[0.0, 2f64.ln()]);
/// assert!((p[0] - 1.0 / 3.0).abs() < 1e-16 && (p[1] - 2.0 / 3.0).abs() < 1e-16);
/// ```
#[differentiable(wrt(xs))]
pub fn softmax(xs: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; xs.len()];
    softmax_into(xs, &mut out);
    out
}

/// `softmax(xs)` written into `out` (of the same length), without allocating.
#[differentiable(wrt(xs, out))]
pub(crate) fn softmax_into(xs: &[f64], out: &mut [f64]) {
    let m = detach(max_re(xs));
    let mut sum = 0.0;
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = (x - m).exp();
        sum += *o;
    }
    let inv_sum = sum.recip();
    for o in out.iter_mut() {
        *o *= inv_sum;
    }
}
