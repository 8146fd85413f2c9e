//! Bounded scalar parameters as smooth maps of unconstrained ones.
//!
//! The optimiser moves an unconstrained `u ∈ ℝ`; the model sees `x = T(u)`, which lies in
//! the allowed set for every `u`, so no step can leave it and nothing is clipped (clipping
//! stalls a parameter on the boundary with a gradient that no longer describes the loss).
//! Start from `u₀ = T⁻¹(x₀)`; the gradient in `u` is `∂f/∂u = T′(u) · ∂f/∂x`. Each forward
//! map is generic over [`Scalar`], so it may also sit inside a differentiable function, whose
//! gradient is then taken in `u` directly.

use crate::Scalar;
use crate::smooth::{sigmoid, softplus};

/// The open interval `(lo, hi)` through the logistic sigmoid:
/// `x = lo + (hi − lo) σ(u)`, `σ(u) = 1 / (1 + e^{−u})`.
///
/// Inverse `u = ln((x − lo) / (hi − x))`; derivative `dx/du = (hi − lo) σ(u) σ(−u)`.
///
/// ```
/// use gradhep_core::optim::Interval;
/// let cut = Interval::new(0.0, 10.0);
/// assert_eq!(cut.forward(0.0), 5.0);
/// assert!((cut.forward(cut.inverse(2.5)) - 2.5).abs() < 1e-14);
/// assert_eq!(cut.derivative(0.0), 2.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    lo: f64,
    hi: f64,
}

impl Interval {
    /// The interval `(lo, hi)`.
    ///
    /// # Panics
    /// If `lo` or `hi` is not finite, or `lo >= hi`.
    ///
    /// ```
    /// use gradhep_core::optim::Interval;
    /// let unit = Interval::new(0.0, 1.0);
    /// # let _ = unit;
    /// ```
    pub fn new(lo: f64, hi: f64) -> Self {
        check_range("Interval", lo, hi);
        Interval { lo, hi }
    }

    /// `x = lo + (hi − lo) σ(u)`, strictly inside `(lo, hi)` until `σ` rounds to 0 or 1
    /// (`|u| ≳ 37`).
    ///
    /// ```
    /// use gradhep_core::optim::Interval;
    /// use gradhep_core::num_dual::{first_derivative, Dual64};
    /// let i = Interval::new(-1.0, 1.0);
    /// let (x, dx) = first_derivative(|u: Dual64| i.forward(u), 0.3);
    /// assert_eq!(x, i.forward(0.3));
    /// assert!((dx - i.derivative(0.3)).abs() < 1e-15);
    /// ```
    pub fn forward<D: Scalar>(&self, u: D) -> D {
        sigmoid(u) * (self.hi - self.lo) + self.lo
    }

    /// `u = ln((x − lo) / (hi − x))`, the `u` with `forward(u) = x`.
    ///
    /// # Panics
    /// If `x` is not strictly inside `(lo, hi)`.
    ///
    /// ```
    /// use gradhep_core::optim::Interval;
    /// assert_eq!(Interval::new(0.0, 1.0).inverse(0.5), 0.0);
    /// ```
    pub fn inverse(&self, x: f64) -> f64 {
        assert!(
            self.lo < x && x < self.hi,
            "Interval::inverse: {x} is not inside ({}, {})",
            self.lo,
            self.hi
        );
        ((x - self.lo) / (self.hi - x)).ln()
    }

    /// `dx/du = (hi − lo) σ(u) σ(−u)`: multiply `∂f/∂x` by it to get `∂f/∂u`.
    ///
    /// ```
    /// use gradhep_core::optim::Interval;
    /// assert_eq!(Interval::new(0.0, 4.0).derivative(0.0), 1.0);
    /// ```
    pub fn derivative(&self, u: f64) -> f64 {
        (self.hi - self.lo) * sigmoid(u) * sigmoid(-u)
    }
}

/// The positive half-line through the softplus: `x = ln(1 + e^u)`.
///
/// Inverse `u = x + ln(1 − e^{−x})`; derivative `dx/du = σ(u)`. Unlike `x = e^u`, a step in
/// `u` moves a large `x` by about the same amount, not by a factor, so one learning rate
/// suits small and large values.
///
/// ```
/// use gradhep_core::optim::Positive;
/// let bandwidth = Positive;
/// assert!((bandwidth.forward(0.0) - 2f64.ln()).abs() < 1e-15);
/// assert!((bandwidth.forward(bandwidth.inverse(0.1)) - 0.1).abs() < 1e-15);
/// assert_eq!(bandwidth.derivative(0.0), 0.5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Positive;

impl Positive {
    /// `x = ln(1 + e^u)`, computed without overflow; positive until it underflows
    /// (`u ≲ −745`).
    ///
    /// ```
    /// use gradhep_core::optim::Positive;
    /// assert_eq!(Positive.forward(1000.0), 1000.0);
    /// ```
    pub fn forward<D: Scalar>(&self, u: D) -> D {
        softplus(u)
    }

    /// `u = x + ln(1 − e^{−x})`, the `u` with `forward(u) = x`.
    ///
    /// # Panics
    /// If `x` is not positive and finite.
    ///
    /// ```
    /// use gradhep_core::optim::Positive;
    /// assert_eq!(Positive.inverse(2f64.ln()), 0.0);
    /// ```
    pub fn inverse(&self, x: f64) -> f64 {
        assert!(
            x > 0.0 && x.is_finite(),
            "Positive::inverse: {x} is not positive and finite"
        );
        x + (-(-x).exp_m1()).ln()
    }

    /// `dx/du = σ(u)`: multiply `∂f/∂x` by it to get `∂f/∂u`.
    ///
    /// ```
    /// use gradhep_core::optim::Positive;
    /// assert!((Positive.derivative(40.0) - 1.0).abs() < 1e-15);
    /// ```
    pub fn derivative(&self, u: f64) -> f64 {
        sigmoid(u)
    }
}

pub(super) fn check_range(map: &str, lo: f64, hi: f64) {
    assert!(
        lo.is_finite() && hi.is_finite() && lo < hi,
        "{map}: bounds ({lo}, {hi}) must be finite with lo < hi"
    );
}
