//! The scaled normal tail `K(x) = Q(x) e^{x²/2} = erfcx(x/√2)/2` on `0 ≤ x < 9`, so that
//! `Q(x) = e^{−x²/2} K(x)` costs one `exp`, which the density needs anyway, and one polynomial
//! instead of libm's `erfc` (which evaluates an `exp` of its own).
//!
//! `K` is smooth and slowly varying (`K(0) = 1/2`, `K(x) ≈ 1/(x√(2π))` far out): it is a
//! degree-10 polynomial in `s = x − c` around each centre `c = i/4`, `|s| ≤ 1/8`. The
//! coefficients are fitted with mpmath by `tests/fixtures/normal/fit_mills.py`, to a relative
//! error of 1e-17, a tenth of an ulp. (The factoring of `erfc` is W. J. Cody's, Math. Comp. 23
//! (1969) 631–637, who fits `K` with rationals; pieces of polynomials avoid the division.)

mod coeffs;

use coeffs::PIECES;

/// The end of the fitted range: the reach of the Gaussian kernel histograms.
pub(super) const END: f64 = 9.0;

/// `2⁵²`: adding it to `0 ≤ v < 2⁵¹` rounds `v` to an integer.
const ROUND: f64 = 4_503_599_627_370_496.0;

/// `K(x)·(1 − h)` for `0 ≤ x < END` and a tiny `h` (`|h| < 4e-15`): `K(0) = 1/2` exactly.
///
/// The factor `1 − h` (the correction of `e^{−x²/2}` for the rounding of `x²`) is folded into
/// the polynomial's last addition, `c₀ + (r − h·(c₀ + r))` with `r` the rest, which saves the
/// rounding a separate product would cost: `Q(x)` is then one `exp`, this and one product.
#[inline]
pub(super) fn scaled_tail(x: f64, h: f64) -> f64 {
    // Round `4x` (exact) to the nearest integer `n` by adding 2⁵², whose ulp is 1: `n` is then
    // in the low bits, cheaper than a saturating float-to-integer cast. `x − n/4` is exact
    // (Sterbenz).
    let shifted = 4.0 * x + ROUND;
    let n = shifted - ROUND;
    let s = x - 0.25 * n;
    // The `min` is no clamp for `x < END` (`n ≤ 36`); it leaves the lookup without a bounds
    // check, so that a loop of these can be vectorised.
    let piece = ((shifted.to_bits() & 0x3f) as usize).min(PIECES.len() - 1);
    let [higher @ .., c0] = PIECES[piece];
    let rest = super::horner(&higher, s) * s;
    c0 + (rest - h * (c0 + rest))
}
