//! Interpolation of systematic variations in the nuisance parameter α, as pyhf writes it.
//!
//! Each function returns the value with its first and second derivative in α, which is what
//! the likelihood's analytic gradient and Hessian need.

use crate::Scalar;

/// How a `normsys` factor depends on α.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NormSysInterp {
    /// Code 1: `hi^α` for α ≥ 0, `lo^(−α)` below; kinked at 0.
    Code1,
    /// Code 4 (pyhf's default): exponential for |α| ≥ 1, and inside a degree-6 polynomial that
    /// matches value, slope and curvature at α = ±1, so the factor is twice differentiable.
    #[default]
    Code4,
}

/// How a `histosys` shift depends on α.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistoSysInterp {
    /// Code 0: piecewise linear, `α·(hi − nom)` for α > 0 and `α·(nom − lo)` below.
    Code0,
    /// Code 4p (pyhf's default): linear for |α| > 1, and inside the polynomial
    /// `α·S + A·(15α² − 10α⁴ + 3α⁶)` with `S = (Δ⁺ + Δ⁻)/2`, `A = (Δ⁺ − Δ⁻)/16`, smooth at ±1.
    #[default]
    Code4p,
}

/// A value with its first and second derivative in the parameter.
pub(crate) type Taylor2<D> = [D; 3];

/// The polynomial coefficients `a_1..a_6` of code 4 for factors `hi`, `lo` (α₀ = 1).
///
/// `p(α) = 1 + Σ a_i αⁱ` matches `hi^α` and `lo^(−α)` with their first two derivatives at
/// α = ±1. Split into odd and even parts, the six conditions decouple into two 3×3 systems,
/// solved here in closed form.
pub(crate) fn code4_coefficients<D: Scalar>(hi: D, lo: D) -> [D; 6] {
    let (lh, ll) = (hi.ln(), lo.ln());
    // value, slope and curvature of the two exponential branches at α = +1 and α = −1
    let (v_up, d_up, c_up) = (hi, hi * lh, hi * lh * lh);
    let (v_dn, d_dn, c_dn) = (lo, -(lo * ll), lo * ll * ll);
    // odd part o(α) = a1 α + a3 α³ + a5 α⁵: o(1), o'(1), o''(1)
    let o0 = (v_up - v_dn) * 0.5;
    let o1 = (d_up + d_dn) * 0.5;
    let o2 = (c_up - c_dn) * 0.5;
    let a5 = (o2 - (o1 - o0) * 3.0) * 0.125;
    let a3 = (o1 - o0) * 0.5 - a5 * 2.0;
    let a1 = o0 - a3 - a5;
    // even part e(α) = a2 α² + a4 α⁴ + a6 α⁶: e(1), e'(1), e''(1)
    let e0 = (v_up + v_dn) * 0.5 - 1.0;
    let e1 = (d_up - d_dn) * 0.5;
    let e2 = (c_up + c_dn) * 0.5;
    let a6 = (e2 + e0 * 8.0 - e1 * 5.0) * 0.125;
    let a4 = (e1 - e0 * 2.0) * 0.5 - a6 * 2.0;
    let a2 = e0 - a4 - a6;
    [a1, a2, a3, a4, a5, a6]
}

/// Code-4 normsys factor at `alpha` with its two derivatives, given `ln hi`, `ln lo` and the
/// polynomial coefficients of [`code4_coefficients`].
#[inline]
pub(crate) fn normsys_code4<D: Scalar>(alpha: D, ln_hi: D, ln_lo: D, a: &[D; 6]) -> Taylor2<D> {
    if alpha.re() >= 1.0 {
        let g = (alpha * ln_hi).exp();
        [g, g * ln_hi, g * ln_hi * ln_hi]
    } else if alpha.re() <= -1.0 {
        let g = (-(alpha * ln_lo)).exp();
        [g, -(g * ln_lo), g * ln_lo * ln_lo]
    } else {
        // Horner for p, p', p''
        let x = alpha;
        let p = (((((a[5] * x + a[4]) * x + a[3]) * x + a[2]) * x + a[1]) * x + a[0]) * x + 1.0;
        let dp = ((((a[5] * (x * 6.0) + a[4] * 5.0) * x + a[3] * 4.0) * x + a[2] * 3.0) * x
            + a[1] * 2.0)
            * x
            + a[0];
        let d2p = (((a[5] * (x * 30.0) + a[4] * 20.0) * x + a[3] * 12.0) * x + a[2] * 6.0) * x
            + a[1] * 2.0;
        [p, dp, d2p]
    }
}

/// Code-1 normsys factor at `alpha` with its two derivatives (right-hand slope at the kink
/// α = 0, as for code 0).
#[inline]
pub(crate) fn normsys_code1<D: Scalar>(alpha: D, ln_hi: D, ln_lo: D) -> Taylor2<D> {
    if alpha.re() >= 0.0 {
        let g = (alpha * ln_hi).exp();
        [g, g * ln_hi, g * ln_hi * ln_hi]
    } else {
        let g = (-(alpha * ln_lo)).exp();
        [g, -(g * ln_lo), g * ln_lo * ln_lo]
    }
}

/// Code-4p histosys shift at `alpha` with its two derivatives, for `up = hi − nom` and
/// `down = nom − lo`.
#[inline]
pub(crate) fn histosys_code4p<D: Scalar>(alpha: D, up: D, down: D) -> Taylor2<D> {
    if alpha.re() > 1.0 {
        [alpha * up, up, D::zero()]
    } else if alpha.re() < -1.0 {
        [alpha * down, down, D::zero()]
    } else {
        let s = (up + down) * 0.5;
        let a = (up - down) * 0.0625;
        let x2 = alpha * alpha;
        let d = alpha * s + a * x2 * ((x2 * 3.0 - 10.0) * x2 + 15.0);
        let d1 = s + a * alpha * ((x2 * 18.0 - 40.0) * x2 + 30.0);
        let d2 = a * ((x2 * 90.0 - 120.0) * x2 + 30.0);
        [d, d1, d2]
    }
}

/// Code-0 histosys shift at `alpha` with its two derivatives.
#[inline]
pub(crate) fn histosys_code0<D: Scalar>(alpha: D, up: D, down: D) -> Taylor2<D> {
    // At the kink α = 0 (where every fit starts) the slope is the right-hand one, which is
    // what pyhf's fits see through scipy's forward differences.
    if alpha.re() >= 0.0 {
        [alpha * up, up, D::zero()]
    } else {
        [alpha * down, down, D::zero()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central second difference, independent of the analytic derivatives.
    fn check(f: impl Fn(f64) -> [f64; 3], x: f64) {
        let h = 1e-4;
        let [v, d1, d2] = f(x);
        let [vp, d1p, _] = f(x + h);
        let [vm, d1m, _] = f(x - h);
        assert!(
            ((vp - vm) / (2.0 * h) - d1).abs() < 1e-6 * (1.0 + d1.abs()),
            "d1 at {x}"
        );
        assert!(
            ((d1p - d1m) / (2.0 * h) - d2).abs() < 1e-5 * (1.0 + d2.abs()),
            "d2 at {x}"
        );
        assert!(((vp - 2.0 * v + vm) / (h * h) - d2).abs() < 1e-3 * (1.0 + d2.abs()));
    }

    #[test]
    fn code4_matches_exponential_branches_smoothly() {
        let (hi, lo) = (1.3_f64, 0.8_f64);
        let a = code4_coefficients(hi, lo);
        let f = |x: f64| normsys_code4(x, hi.ln(), lo.ln(), &a);
        for x in [-2.0, -0.7, -0.1, 0.0, 0.3, 0.99, 1.5] {
            check(f, x);
        }
        // value, slope and curvature continuous at ±1
        for (x, e) in [
            (1.0, [hi, hi * hi.ln(), hi * hi.ln().powi(2)]),
            (-1.0, [lo, -lo * lo.ln(), lo * lo.ln().powi(2)]),
        ] {
            let inside = f(x * (1.0 - 1e-12));
            for k in 0..3 {
                assert!((inside[k] - e[k]).abs() < 1e-9, "order {k} at {x}");
            }
        }
        assert_eq!(f(0.0)[0], 1.0);
    }

    #[test]
    fn code4p_is_continuous_at_one_and_exact_outside() {
        let (up, down) = (10.0_f64, 4.0_f64);
        for x in [-1.5, -0.5, 0.2, 0.9, 2.0] {
            check(|a| histosys_code4p(a, up, down), x);
        }
        let inside = histosys_code4p(1.0 - 1e-12, up, down);
        assert!((inside[0] - up).abs() < 1e-9 && (inside[1] - up).abs() < 1e-9);
        let inside = histosys_code4p(-1.0 + 1e-12, up, down);
        assert!((inside[0] + down).abs() < 1e-9 && (inside[1] - down).abs() < 1e-9);
    }
}
