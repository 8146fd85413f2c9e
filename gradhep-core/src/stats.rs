//! Small closed-form statistics: the Poisson likelihood and the Asimov discovery significance.
//!
//! The significances are the median discovery significance of a counting experiment with `s`
//! expected signal and `b` expected background events, in the asymptotic (Asimov)
//! approximation of Cowan, Cranmer, Gross and Vitells, Eur. Phys. J. C 71 (2011) 1554. They
//! are written so that they and their derivatives stay finite at `s → 0`, where the textbook
//! `sqrt` of a vanishing argument has an infinite derivative.
//!
//! Each is plain `f64` code under `#[differentiable]`: generic over the scalar type, with
//! `_grad` and `_hessian` companions for the scalar ones (`asimov_significance_grad(s, b)`).

use crate::differentiable;
use crate::scalar::detach;
use crate::special::ln_gamma;

/// `h(t) = 2((1 + t) ln(1 + t) − t)/t²`, with `Z_A = s·sqrt(h(s/b)/b)`.
///
/// Smooth and positive for `t > −1`, `h(0) = 1`, `h(t) ≈ 2 ln(t)/t` for `t ≫ 1`. Near zero the numerator cancels to `t²`, so
/// there it is summed from its series `Σₖ 2(−t)ᵏ/((k + 1)(k + 2))` (20 terms: the first
/// omitted is below 1e-17 of `h` and its derivatives up to third order at `|t| < 0.1`).
#[differentiable]
fn asimov_h(t: f64) -> f64 {
    if detach(t).abs() < 0.1 {
        (0..20).rev().fold(0.0, |acc, k| {
            let sign = if k % 2 == 0 { 2.0 } else { -2.0 };
            acc * t + sign / f64::from((k + 1) * (k + 2))
        })
    } else {
        // Divided through by t once, so that t² cannot overflow for s ≫ b.
        ((t.recip() + 1.0) * t.ln_1p() - 1.0) * 2.0 / t
    }
}

/// The squared significance `s²·h(s/b)/b` of one bin, with the limits at `b = 0`.
#[differentiable]
fn asimov_z2(s: f64, b: f64) -> f64 {
    if detach(b) == 0.0 {
        return match detach(s) {
            0.0 => 0.0,
            s if s > 0.0 => f64::INFINITY,
            _ => f64::NAN,
        };
    }
    s * s * asimov_h(s / b) / b
}

/// `sqrt(z2)`, with the value and gradient 0 at `z2 = 0` (a subgradient of the norm that a
/// binned significance is) instead of the `sqrt`'s infinite slope.
#[differentiable]
fn sqrt_or_zero(z2: f64) -> f64 {
    if detach(z2) == 0.0 { 0.0 } else { z2.sqrt() }
}

/// The Asimov discovery significance of `s` signal over `b` background events:
/// `Z_A = sqrt(2((s + b) ln(1 + s/b) − s))`.
///
/// Computed as `s·sqrt(h(s/b)/b)` with the series of `h` near `s = 0`, which makes it signed
/// (negative for a deficit `s < 0`) and smooth through `s = 0`, where `dZ_A/ds = 1/√b`
/// (the textbook form's `sqrt(0)` gives a NaN gradient there). Limits: `Z_A → s/√b` for
/// `s ≪ b`; at `b = 0` it is `+∞` for `s > 0` and `0` (with zero gradient) for `s = 0`.
/// Defined for `b ≥ 0` and `s > −b`; NaN outside.
///
/// ```
/// use gradhep_core::stats::asimov_significance;
/// use gradhep_core::num_dual::{first_derivative, Dual64};
/// let (s, b) = (5.0_f64, 10.0_f64);
/// let textbook = (2.0 * ((s + b) * (1.0 + s / b).ln() - s)).sqrt();
/// assert!((asimov_significance(s, b) - textbook).abs() < 1e-15);
/// // smooth at s = 0: dZ/ds = 1/sqrt(b)
/// let (z, dz) = first_derivative(|s: Dual64| asimov_significance(s, Dual64::from(4.0)), 0.0);
/// assert_eq!((z, dz), (0.0, 0.5));
/// // value, gradient and Hessian in (s, b) from the companion
/// let (z, [dz_ds, dz_db], h) = gradhep_core::stats::asimov_significance_hessian(0.0, 4.0);
/// assert_eq!((z, dz_ds, dz_db, h[0][1]), (0.0, 0.5, 0.0, -0.0625));
/// ```
#[differentiable]
pub fn asimov_significance(s: f64, b: f64) -> f64 {
    if detach(b) == 0.0 {
        return sqrt_or_zero(asimov_z2(s, b));
    }
    s * (asimov_h(s / b) / b).sqrt()
}

/// The Asimov significance of a binned analysis, the bins combined in quadrature:
/// `Z = sqrt(Σ_b Z_A(s_b, b_b)²)`.
///
/// Bins with `s_b = b_b = 0` (empty in both samples) contribute nothing; a bin with `s_b > 0`
/// and `b_b = 0` makes `Z = +∞`. When every `s_b` is zero the value is `0` and the gradient
/// is defined as zero (a subgradient: the norm has no derivative there).
///
/// # Panics
/// If `s` and `b` differ in length.
///
/// ```
/// use gradhep_core::stats::{asimov_significance, asimov_significance_binned};
/// let z = asimov_significance_binned(&[3.0, 4.0, 0.0], &[9.0, 16.0, 0.0]);
/// let z1 = asimov_significance(3.0, 9.0);
/// let z2 = asimov_significance(4.0, 16.0);
/// assert!((z - z1.hypot(z2)).abs() < 1e-15);
/// ```
#[differentiable(wrt(s, b))]
pub fn asimov_significance_binned(s: &[f64], b: &[f64]) -> f64 {
    assert_eq!(
        s.len(),
        b.len(),
        "asimov_significance_binned: {} signal bins but {} background bins",
        s.len(),
        b.len()
    );
    let z2 = s
        .iter()
        .zip(b)
        .fold(0.0, |acc, (&s, &b)| acc + asimov_z2(s, b));
    sqrt_or_zero(z2)
}

/// The Asimov discovery significance with an absolute uncertainty `σ_b` on the background
/// (Cowan's formula):
///
/// `Z = sqrt(2[(s + b) ln((s + b)(b + σ²)/(b² + (s + b)σ²)) − (b²/σ²) ln(1 + σ²s/(b(b + σ²)))])`.
///
/// It is the discovery significance of the counting experiment `n ~ Pois(s + b)` whose
/// background is constrained by an auxiliary measurement `m ~ Pois(τb)`, `τ = b/σ²`, with
/// both at their Asimov values. Written here through the profiled background
/// `b̂ = (s + b + τb)/(1 + τ)`, as a sum of two non-negative terms, which with `r = σ²/b`
/// and `M = b + r(s + b)` reads `Z = s·sqrt((h(s/M) + r·h(−rs/M))/(M(1 + r)))`, `h` as in
/// [`asimov_significance`]: no cancellation at small `s`, no `0/0` at `σ = 0`.
///
/// Limits: `σ_b → 0` gives [`asimov_significance`]; `s ≪ b` gives `s/sqrt(b + σ²)`; signed
/// and smooth through `s = 0` with `dZ/ds = 1/sqrt(b + σ²)`. At `b = 0` with `σ_b > 0` the
/// background is unconstrained and `Z = 0`.
///
/// ```
/// use gradhep_core::stats::{asimov_significance, asimov_significance_with_uncertainty};
/// let (s, b, sigma) = (5.0_f64, 10.0_f64, 2.0_f64);
/// let v = sigma * sigma;
/// let cowan = (2.0 * ((s + b) * ((s + b) * (b + v) / (b * b + (s + b) * v)).ln()
///     - b * b / v * (1.0 + v * s / (b * (b + v))).ln())).sqrt();
/// assert!((asimov_significance_with_uncertainty(s, b, sigma) - cowan).abs() < 1e-14);
/// assert_eq!(asimov_significance_with_uncertainty(s, b, 0.0), asimov_significance(s, b));
/// ```
#[differentiable]
pub fn asimov_significance_with_uncertainty(s: f64, b: f64, sigma_b: f64) -> f64 {
    if detach(b) == 0.0 {
        return if detach(sigma_b) == 0.0 {
            asimov_significance(s, b)
        } else {
            0.0
        };
    }
    let r = sigma_b * sigma_b / b;
    let m = b + r * (s + b);
    let inv_m = m.recip();
    let spread = asimov_h(s * inv_m) + r * asimov_h(-(r * s * inv_m));
    s * (spread * inv_m / (r + 1.0)).sqrt()
}

/// The log of the Poisson probability of `n` events at mean `λ`:
/// `ln P(n | λ) = n ln λ − λ − ln Γ(n + 1)`, for a continuous `n ≥ 0` (Asimov data need not
/// be integer).
///
/// `n` is data (`f64`); `λ` the scalar type. At `n = 0` it is `−λ` (also at `λ = 0`, where
/// `n ln λ` would be `0·(−∞)`); at `λ = 0` and `n > 0` it is `−∞`.
///
/// ```
/// use gradhep_core::stats::poisson_log_pmf;
/// assert!((poisson_log_pmf(3.0, 2.0) - (8.0 * (-2f64).exp() / 6.0).ln()).abs() < 1e-15);
/// assert_eq!(poisson_log_pmf(0.0, 0.0), 0.0);
/// ```
#[differentiable(wrt(lambda))]
pub fn poisson_log_pmf(n: f64, lambda: f64) -> f64 {
    if n == 0.0 {
        return -lambda;
    }
    lambda.ln() * n - lambda - ln_gamma(n + 1.0)
}
