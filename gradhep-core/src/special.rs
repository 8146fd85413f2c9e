//! Special functions: the error function, the standard normal distribution and a `tanh`
//! for event loops.
//!
//! `erf`, `erfc`, `normal_cdf`, `normal_sf`, `normal_pdf` and `tanh` are generic over
//! [`Scalar`]: their derivatives, to third order, come from the closed forms through
//! [`custom_unary`]. The values of `erf` and `erfc` come from libm; those of the normal
//! distribution from `e^{−x²/2}` (one `exp`, with `x²` formed exactly) and, for `Φ` and `Q`
//! within `|x| < 9` (where the kernel histograms evaluate them), a fitted polynomial for the
//! scaled tail `Q(|x|) e^{x²/2}` instead of libm's `erfc`: the same precision (under 3 ulp
//! against mpmath) for about half the instructions. [`tanh`] is inlined, value and
//! derivative from one `e^{−2|x|}` (or a polynomial near 0). `normal_ppf` and `ln_gamma` are
//! plain `f64` functions (of probabilities and counts, which are data).

mod exp;
mod scaled_tail;

use crate::LANES;
use crate::scalar::{Scalar, custom_unary};
pub(crate) use exp::{exp_nonpositive, tanh_sech_squared};
use scaled_tail::scaled_tail;
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI, SQRT_2};

/// `1/√(2π)`.
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// `1/√2 − FRAC_1_SQRT_2`: the rounding error of the `f64` constant (from mpmath at 50 digits),
/// so that `x/√2` can be formed to twice the working precision.
const FRAC_1_SQRT_2_LO: f64 = -4.833_646_656_726_457e-17;

/// The error function `erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt`, with `erf'(x) = (2/√π) e^{−x²}`.
///
/// Saturates to `±1` for `|x| ≳ 5.9`, where its derivatives underflow to exactly zero
/// (no NaN).
///
/// ```
/// use gradhep_core::special::erf;
/// use gradhep_core::num_dual::{first_derivative, Dual64};
/// assert!((erf(0.5) - 0.520_499_877_813_046_5).abs() < 1e-16);
/// let (_, d) = first_derivative(erf::<Dual64>, 0.0);
/// assert!((d - 2.0 / std::f64::consts::PI.sqrt()).abs() < 1e-15);
/// ```
#[inline]
pub fn erf<D: Scalar>(x: D) -> D {
    custom_unary(x, |x0| {
        let [d1, d2, d3] = erf_derivatives(x0);
        [libm::erf(x0), d1, d2, d3]
    })
}

/// The complementary error function `erfc(x) = 1 − erf(x)`, accurate to a few ulp in the
/// right tail where `1 − erf(x)` would round to zero (`erfc(10) ≈ 2.1e-45`).
///
/// ```
/// use gradhep_core::special::erfc;
/// assert!((erfc(10.0) / 2.088_487_583_762_545e-45 - 1.0).abs() < 1e-14);
/// ```
#[inline]
pub fn erfc<D: Scalar>(x: D) -> D {
    custom_unary(x, |x0| {
        let [d1, d2, d3] = erf_derivatives(x0);
        [libm::erfc(x0), -d1, -d2, -d3]
    })
}

/// First three derivatives of `erf` at `x`.
#[inline]
fn erf_derivatives(x: f64) -> [f64; 3] {
    let d1 = FRAC_2_SQRT_PI * (-x * x).exp();
    // Far out `x²` overflows while `d1` is zero: the products would be `∞ · 0`.
    if d1 == 0.0 {
        return [0.0; 3];
    }
    [d1, -2.0 * x * d1, (4.0 * x * x - 2.0) * d1]
}

/// The hyperbolic tangent `tanh x = (1 − e^{−2x})/(1 + e^{−2x})`, with `tanh' = sech² =
/// 1 − tanh²`: a network's activation, inlined into the event loop.
///
/// Below `|x| = 1/2` a fitted odd polynomial, above one `e^{−2|x|}` (gradhep's inlined `exp`)
/// gives both the value and the derivative: no call, no `expm1`, one division. Within 2.5 ulp
/// of mpmath (the derivative within 4), where libm's `tanh` (which `x.tanh()` calls, on `f64`
/// and on every dual number alike) is within 1 but costs about twice as much; the two may
/// differ in the last bits, so a function should call one of them throughout.
///
/// ```
/// use gradhep_core::special::tanh;
/// use gradhep_core::num_dual::{Dual64, DualNum};
/// assert_eq!(tanh(0.0), 0.0);
/// assert!((tanh(0.3) - 0.291_312_612_451_590_9).abs() < 1e-16); // mpmath
/// let y = tanh(Dual64::from(0.3).derivative());
/// assert!((y.eps - (1.0 - y.re * y.re)).abs() < 1e-16); // sech² = 1 − tanh²
/// ```
#[inline]
pub fn tanh<D: Scalar>(x: D) -> D {
    custom_unary(x, |x0| {
        let (t, s) = tanh_sech_squared(x0);
        [t, s, -2.0 * t * s, s * (4.0 * t * t - 2.0 * s)]
    })
}

/// The standard normal density `φ(x) = e^{−x²/2}/√(2π)`, with `φ' = −x φ`.
///
/// `x²` is formed exactly (as a rounded value and its rounding error) so that the density
/// keeps full relative precision in the far tail.
///
/// ```
/// use gradhep_core::special::normal_pdf;
/// assert!((normal_pdf(0.0) - 0.398_942_280_401_432_7).abs() < 1e-16);
/// assert!((normal_pdf(8.0) / 5.052_271_083_536_892e-15 - 1.0).abs() < 1e-15);
/// ```
#[inline]
pub fn normal_pdf<D: Scalar>(x: D) -> D {
    custom_unary(x, |x0| {
        let p = pdf(x0);
        if p == 0.0 {
            return [0.0; 4];
        }
        [p, -x0 * p, (x0 * x0 - 1.0) * p, (3.0 - x0 * x0) * x0 * p]
    })
}

/// The standard normal cumulative distribution `Φ(x) = P(X ≤ x) = erfc(−x/√2)/2`, with
/// `Φ' = φ`.
///
/// Computed from the tail `Q(|x|)` (as `e^{−x²/2}` times a fitted polynomial within `|x| < 9`,
/// through `erfc` beyond), so the left tail keeps full relative precision (`Φ(−8) ≈ 6.2e-16`,
/// `Φ(−37) ≈ 5.7e-300`; within 2.1 ulp of mpmath on a dense grid of `[−40, 40]`); `Φ(x)`
/// rounds to exactly `1` for `x ≳ 8.3`.
///
/// ```
/// use gradhep_core::special::normal_cdf;
/// assert_eq!(normal_cdf(0.0), 0.5);
/// assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-16);
/// ```
#[inline]
pub fn normal_cdf<D: Scalar>(x: D) -> D {
    custom_unary(x, |x0| normal_cdf_taylor(x0, D::NDERIV))
}

/// The standard normal survival function `Q(x) = 1 − Φ(x) = P(X > x) = erfc(x/√2)/2`, the
/// one-sided p-value of a significance `x`, with `Q' = −φ`.
///
/// Keeps full relative precision deep in the right tail, where `1 − Φ(x)` would lose every
/// digit: p-values of `1e-7` (5σ) and far below are exact to a few ulp.
///
/// ```
/// use gradhep_core::special::normal_sf;
/// // the 5σ discovery p-value
/// assert!((normal_sf(5.0) / 2.866_515_718_791_939e-7 - 1.0).abs() < 1e-15);
/// ```
#[inline]
pub fn normal_sf<D: Scalar>(x: D) -> D {
    custom_unary(x, |x0| {
        let (cdf, p) = cdf_and_pdf(-x0);
        if p == 0.0 {
            return [cdf, 0.0, 0.0, 0.0];
        }
        [cdf, -p, x0 * p, (1.0 - x0 * x0) * p]
    })
}

/// `Φ` and its first three derivatives at `x`, those beyond `order` left zero; shared with
/// the kernel-density histogram.
#[inline(always)]
pub(crate) fn normal_cdf_taylor(x: f64, order: usize) -> [f64; 4] {
    let (cdf, p) = cdf_and_pdf(x);
    normal_cdf_taylor_from(x, cdf, p, order)
}

/// `[Φ, φ, φ', φ'']` at `x` given `Φ(x)` and `φ(x)`, those beyond `order` left zero (and all
/// but `Φ` where `φ` has underflowed, so that no `∞ · 0` appears far out).
#[inline(always)]
pub(crate) fn normal_cdf_taylor_from(x: f64, cdf: f64, p: f64, order: usize) -> [f64; 4] {
    if p == 0.0 {
        return [cdf, 0.0, 0.0, 0.0];
    }
    match order {
        0 => [cdf, 0.0, 0.0, 0.0],
        1 => [cdf, p, 0.0, 0.0],
        _ => [cdf, p, -x * p, (x * x - 1.0) * p],
    }
}

/// `Φ` and `φ` at each of `z`, into `cdf` and `pdf`, as [`cdf_and_pdf`] would give them:
/// first every point as if within the reach `|z| < 9`, four at a time in a loop without
/// branches that the compiler vectorises, then again, one by one, the rare points beyond the
/// reach and those left over from whole vectors (pad `z` to avoid these).
#[inline(always)]
pub(crate) fn normal_cdfs_and_pdfs(z: &[f64], cdf: &mut [f64], pdf: &mut [f64]) {
    let vectors = z.chunks_exact(LANES);
    let vectorised = z.len() - vectors.remainder().len();
    for ((c, p), z) in cdf
        .chunks_exact_mut(LANES)
        .zip(pdf.chunks_exact_mut(LANES))
        .zip(vectors)
    {
        for lane in 0..LANES {
            (c[lane], p[lane]) = cdf_and_pdf_within_reach(z[lane]);
        }
    }
    for (i, ((c, p), &x)) in cdf.iter_mut().zip(pdf.iter_mut()).zip(z).enumerate() {
        let within_reach = x.abs() < scaled_tail::END; // false for NaN
        if i >= vectorised || !within_reach {
            (*c, *p) = cdf_and_pdf(x);
        }
    }
}

/// `(Φ(x), φ(x))`. Within `|x| < 9`, the kernel histograms' reach, from one `exp`
/// ([`cdf_and_pdf_within_reach`]). Beyond, through libm's `erfc` ([`sf`]); exactly `0` and
/// `1` where `Q` underflows; NaN for NaN.
#[inline(always)]
fn cdf_and_pdf(x: f64) -> (f64, f64) {
    if x.abs() < scaled_tail::END {
        return cdf_and_pdf_within_reach(x);
    }
    // The far tails, where libm's `erfc` is half an ulp more precise, and NaN.
    let (e, h) = gauss(x);
    let density = FRAC_1_SQRT_2PI * e * (1.0 - h);
    (sf(-x, density), density)
}

/// `(Φ(x), φ(x))` for `|x| < 9`, without a branch: `Q(|x|) = e^{−x²/2} K(|x|)` with the
/// fitted scaled tail `K`, and `Φ(x)` is `Q(|x|)` below zero and `1 − Q(x)` above (no
/// cancellation: `Q(x) ≤ 1/2`). Finite nonsense beyond.
#[inline(always)]
fn cdf_and_pdf_within_reach(x: f64) -> (f64, f64) {
    let (e, h) = gauss_unchecked(x);
    let density = FRAC_1_SQRT_2PI * e * (1.0 - h);
    let tail = e * scaled_tail(x.abs(), h);
    let cdf = if x < 0.0 { tail } else { 1.0 - tail };
    (cdf, density)
}

/// `φ(x)`; exactly zero beyond `|x| ≈ 38.6`, where it underflows.
#[inline]
fn pdf(x: f64) -> f64 {
    let (e, h) = gauss(x);
    FRAC_1_SQRT_2PI * e * (1.0 - h)
}

/// `e^{−x²/2} = e·(1 − h)` to first order in the tiny `h`: `e` is the exponential of the
/// rounded `x²` and `h` half its exact rounding error, which would otherwise cost up to
/// `x²/2` ulp in the tail. Exactly zero beyond `|x| = 40`.
#[inline]
fn gauss(x: f64) -> (f64, f64) {
    if x.abs() > 40.0 {
        return (0.0, 0.0);
    }
    gauss_unchecked(x)
}

/// [`gauss`] without its cut-off at `|x| = 40`, where `e` is already zero.
#[inline(always)]
fn gauss_unchecked(x: f64) -> (f64, f64) {
    let x2 = x * x;
    (exp_nonpositive(-0.5 * x2), 0.5 * product_error(x, x, x2))
}

/// `Q(x) = erfc(x/√2)/2`, given `φ(x)`. The rounding error `δ` of `x/√2` would cost up to
/// `2z²` ulp in the tail (`d ln erfc(z)/dz ≈ −2z`); it is put back to first order:
/// `erfc(z + δ)/2 ≈ erfc(z)/2 − δ e^{−z²}/√π = erfc(z)/2 − √2 δ φ(x)`.
#[inline]
fn sf(x: f64, density: f64) -> f64 {
    let z = x * FRAC_1_SQRT_2;
    // Beyond |x| = 40 the correction is below the underflow of erfc itself.
    if x.is_nan() || x.abs() > 40.0 {
        return 0.5 * libm::erfc(z);
    }
    let delta = product_error(x, FRAC_1_SQRT_2, z) + x * FRAC_1_SQRT_2_LO;
    0.5 * libm::erfc(z) - SQRT_2 * delta * density
}

/// `c₀ tⁿ + c₁ tⁿ⁻¹ + … + cₙ`, the coefficients highest power first.
#[inline]
fn horner(coeffs: &[f64], t: f64) -> f64 {
    coeffs.iter().fold(0.0, |acc, &c| mul_add(acc, t, c))
}

/// `a·b + c`, fused (one rounding) where the target has FMA instructions; elsewhere the
/// separate product and sum, since a software `fma` would cost more than the kernels that use
/// this.
#[inline(always)]
pub(crate) fn mul_add(a: f64, b: f64, c: f64) -> f64 {
    #[cfg(target_feature = "fma")]
    {
        a.mul_add(b, c)
    }
    #[cfg(not(target_feature = "fma"))]
    {
        a * b + c
    }
}

/// The rounding error `a·b − p` of the product `p = fl(a·b)`, exactly: one fused
/// multiply-add where the target has FMA, else Dekker's product on Veltkamp's split halves
/// (baseline x86-64 lacks FMA, and `f64::mul_add` is then a slow library call). Valid for
/// `|a|, |b| < 1e150`.
#[inline]
fn product_error(a: f64, b: f64, p: f64) -> f64 {
    #[cfg(target_feature = "fma")]
    {
        a.mul_add(b, -p)
    }
    #[cfg(not(target_feature = "fma"))]
    {
        let split = |v: f64| {
            let t = v * 134_217_729.0; // 2²⁷ + 1
            let hi = t - (t - v);
            (hi, v - hi)
        };
        let (a_hi, a_lo) = split(a);
        let (b_hi, b_lo) = split(b);
        ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    }
}

/// The standard normal quantile `Φ⁻¹(p)`: the `x` with `Φ(x) = p`.
///
/// Acklam's rational approximation (relative error below 1.2e-9) polished by one Halley step
/// on `Φ(x) − p`, which brings it to a few ulp; the upper half is computed from the exact
/// `1 − p` as `−Φ⁻¹(1 − p)`, so both tails keep full relative precision. Finite for every
/// `p` in `(0, 1)`, down to the smallest subnormal (`Φ⁻¹(1e-300) ≈ −37.047`).
///
/// Returns `−∞` at `p = 0`, `+∞` at `p = 1` and NaN outside `[0, 1]`, as the limit and the
/// domain dictate.
///
/// ```
/// use gradhep_core::special::normal_ppf;
/// assert!((normal_ppf(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
/// assert!((normal_ppf(1e-300) + 37.047_096_299_361_2).abs() < 1e-12);
/// ```
pub fn normal_ppf(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p > 0.5 {
        // `1 − p` is exact for p ≥ 1/2 (Sterbenz).
        return -lower_quantile(1.0 - p);
    }
    lower_quantile(p)
}

/// `Φ⁻¹(p)` for `p ∈ [0, 1/2]`.
fn lower_quantile(p: f64) -> f64 {
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    let x = acklam(p);
    let (cdf, density) = cdf_and_pdf(x);
    // Below φ ≈ 1e-308 (p ≲ 1e-310) the Halley step would divide subnormals; Acklam's
    // 1e-9 relative accuracy stands there.
    if density < f64::MIN_POSITIVE {
        return x;
    }
    let u = (cdf - p) / density;
    x - u / (1.0 + 0.5 * x * u)
}

/// Acklam's approximation to `Φ⁻¹(p)` for `p ≤ 1/2`.
fn acklam(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const E: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p < 0.024_25 {
        let q = (-2.0 * p.ln()).sqrt();
        horner(&C, q) / (horner(&E, q) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        horner(&A, r) * q / (horner(&B, r) * r + 1.0)
    }
}

/// `ln |Γ(x)|`, the log of the gamma function's magnitude (libm's `lgamma`).
///
/// `ln Γ(n + 1) = ln n!` for a continuous count `n ≥ 0`; `+∞` at the poles `x = 0, −1, −2, …`.
///
/// ```
/// use gradhep_core::special::ln_gamma;
/// assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-14);
/// assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-15);
/// ```
#[inline]
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

#[cfg(test)]
mod tests {
    use super::{LANES, cdf_and_pdf, normal_cdfs_and_pdfs, scaled_tail};

    /// The vectorised batch gives every point the bits that `cdf_and_pdf` gives it, inside
    /// the reach, across its edge at `±9`, beyond it, at `±∞` and NaN, and in a rest that
    /// fills no vector.
    #[test]
    fn batch_is_the_scalar_function_bit_for_bit() {
        let end = scaled_tail::END;
        let mut z: Vec<f64> = (-4000..=4000)
            .map(|i| f64::from(i) * 2.5e-3 + 1e-7)
            .collect();
        for v in [end, end.next_down(), end.next_up(), 12.0, 40.0, 41.0, 1e300] {
            z.extend([v, -v]);
        }
        z.extend([0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN]);
        for len in [z.len(), z.len() - 1, z.len() - 2, z.len() - 3, 3, 1, 0] {
            let z = &z[..len];
            let (mut cdf, mut pdf) = (vec![0.0; len], vec![0.0; len]);
            normal_cdfs_and_pdfs(z, &mut cdf, &mut pdf);
            for (i, &x) in z.iter().enumerate() {
                let (c, p) = cdf_and_pdf(x);
                assert_eq!(
                    (cdf[i].to_bits(), pdf[i].to_bits()),
                    (c.to_bits(), p.to_bits()),
                    "at z = {x:e} (length {len}, {} whole vectors)",
                    len / LANES
                );
            }
        }
    }
}
