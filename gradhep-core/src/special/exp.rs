//! `e^x` for `x ≤ 0`, written so that the compiler can inline it into an event loop: no call,
//! no branch, no table.
//!
//! glibc's `exp` is an opaque call of ≈ 50 instructions with a table lookup; the sigmoid
//! (`e^{−|z|}`), Φ and φ (`e^{−x²/2}`) and tanh's derivative (`e^{−2|x|}`) need it only for
//! `x ≤ 0`, and a loop that calls it per event cannot be interleaved or vectorised. Here
//! `x = k ln 2 + r` with `k` the nearest integer to `x/ln 2` (from the round-to-nearest of
//! adding `1.5·2⁵²`) and `|r| ≤ ln 2/2`, formed exactly by the Cody–Waite split of `ln 2`
//! into a 21-bit head (so that `k·LN2_HI` is exact for `|k| < 2¹¹`) and a tail. `e^r` is
//! `1 + r + r²q(r)`, `q` the degree-9 Chebyshev interpolant of `(e^r − 1 − r)/r²`
//! (`tests/fixtures/exp/fit.py`), by Estrin's scheme: largest error 0.91 ulp on a dense grid
//! of `|r| ≤ ln 2/2` in `f64`, where the degree-13 Taylor polynomial it replaced made 0.80,
//! for two multiply-adds and two constants less per call (W1's gradient loop 6 % faster).
//! `2^k` is built from the bits of the shifted sum, in two factors (`2^{k+54}`, normal for
//! every `k` that can occur, and `2^{−54}`) so that results in the subnormal range are
//! rounded once, by the last product. The `2^{−54}` is
//! carried by the polynomial's coefficients, which scales every step of it exactly: the same
//! bits as a product after it, one multiplication less on the path to the result. The
//! multiply-adds are fused where the target has FMA (one rounding each;
//! `.cargo/config.toml` builds for the host CPU). Against mpmath at 50 digits
//! (`tests/fixtures/exp/`) the error is below 1 ulp either way, as glibc's.

use super::mul_add;
use std::f64::consts::LOG2_E;

/// `ln 2` rounded to 21 significant bits (its low 32 bits of mantissa are zero).
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);

/// `ln 2 − LN2_HI`, from mpmath at 50 digits.
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);

/// `1.5·2⁵²`: adding it to `|v| < 2⁵¹` rounds `v` to the nearest integer `k` and leaves
/// `2⁵¹ + k` in the low bits of the sum.
const SHIFT: f64 = 6_755_399_441_055_744.0;

/// Below this, `e^x` is less than half the smallest subnormal and rounds to zero; it is also
/// as low as `x` can go for `2^{k+54}` to stay normal (`k = −1076`).
const FLOOR: f64 = -745.5;

/// The second factor of the scaling, `2^{−54}`, carried by the polynomial.
const TWO_M54: f64 = f64::from_bits((1023 - 54) << 52);

/// `q`, lowest power first: `e^r = 1 + r + r²q(r)` on `|r| ≤ ln 2/2`
/// (`tests/fixtures/exp/fit.py`).
const TAIL: [f64; 10] = [
    0.5000000000000001,
    0.16666666666666669,
    0.041666666666624164,
    0.008333333333330065,
    0.001388888891719689,
    0.00019841269863040675,
    2.480152132210459e-05,
    2.7557268480106926e-06,
    2.762007600563138e-07,
    2.5100375929185925e-08,
];

/// `e^x` for `x ≤ 0` (or NaN, which it returns), within 1 ulp; exactly `1` at `±0` and
/// exactly `0` wherever `e^x` is below half the smallest subnormal (`x < −745.13`, down to
/// `−∞`). Positive `x` is outside its range (a debug assertion).
#[inline]
pub(crate) fn exp_nonpositive(x: f64) -> f64 {
    debug_assert!(x <= 0.0 || x.is_nan(), "exp_nonpositive: {x} > 0");
    // A select, not `max`, so that a NaN stays a NaN.
    let x = if x < FLOOR { FLOOR } else { x };
    let shifted = mul_add(x, LOG2_E, SHIFT);
    let k = shifted - SHIFT;
    let r = mul_add(-k, LN2_LO, mul_add(-k, LN2_HI, x));
    // Estrin's scheme for the tail: a dependency chain of 4 multiply-adds instead of the 9
    // of Horner's, which kept the loop latency-bound (one event's exp could not overlap the
    // next enough). The leading `1 + r` is added last, so that the rounding errors of the
    // tail are damped by `r² ≤ 0.12`.
    let [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9] = TAIL.map(|c| c * TWO_M54);
    let r2 = r * r;
    let r4 = r2 * r2;
    let low = mul_add(mul_add(c3, r, c2), r2, mul_add(c1, r, c0));
    let mid = mul_add(mul_add(c7, r, c6), r2, mul_add(c5, r, c4));
    let high = mul_add(c9, r, c8);
    let tail = mul_add(mul_add(high, r4, mid), r4, low);
    // `2^{−54}·e^r`: every coefficient, and so every intermediate, is scaled by a power of
    // two, far from underflow (as `r * TWO_M54` is wherever it could change the sum).
    let er = TWO_M54 + mul_add(r2, tail, r * TWO_M54);
    // The low 12 bits of `shifted` are `k mod 2¹²`; `k + 1023 + 54 ∈ [1, 1077]` is the biased
    // exponent of `2^{k+54}`, and the shift drops everything above it.
    let scale = f64::from_bits((shifted.to_bits() + (1023 + 54)) << 52);
    er * scale
}

/// Below this `|x|`, [`tanh_sech_squared`] takes its polynomial; from it, `e^{−2|x|}`.
const TANH_POLYNOMIAL_BELOW: f64 = 0.5;

/// `Q(t)`, lowest power first, with `tanh x = x + x³·Q(x²)` for `|x| < 1/2`: the
/// degree-9 Chebyshev interpolant of `(tanh(√t)/√t − 1)/t` on `[0, 1/4]`
/// (`tests/fixtures/tanh/fit.py`).
const TANH_Q: [f64; 10] = [
    -0.3333333333333333,
    0.13333333333329825,
    -0.05396825396361009,
    0.021869488297234514,
    -0.008863229270067843,
    0.0035920334653723926,
    -0.001454959384380466,
    0.0005849653729022644,
    -0.00022107222975864633,
    5.946956589774769e-05,
];

/// `(tanh x, sech² x)`, inlined, for [`tanh`](super::tanh) and the derivative of every
/// scalar's `.tanh()`: below `|x| = 1/2`, `x + x³·Q(x²)` and `1 − tanh²`; above, from one
/// `e = e^{−2|x|}`, `(1 − e)/(1 + e)` and `4e/(1 + e)²` (no call, as libm's `cosh` would be,
/// and no cancellation where `tanh → ±1`, as `1 − tanh²` would have; exactly `0` where
/// `e^{−2|x|}` underflows).
/// `tanh` within 2.5 ulp and `sech²` within 4 of mpmath (`tests/fixtures/tanh`; the largest
/// errors lie just above the switch, where `1 − e` and `1 + e` pass on `e`'s); odd and even
/// exactly; `±1` and `0` at `±∞`, NaN for NaN.
#[inline]
pub(crate) fn tanh_sech_squared(x: f64) -> (f64, f64) {
    let a = x.abs();
    let (tanh, sech2) = if a < TANH_POLYNOMIAL_BELOW {
        let t = a * a;
        let q = TANH_Q[..9]
            .iter()
            .rev()
            .fold(TANH_Q[9], |q, &c| mul_add(q, t, c));
        let tanh = mul_add(a * t, q, a);
        (tanh, mul_add(-tanh, tanh, 1.0))
    } else {
        let e = exp_nonpositive(-2.0 * a);
        let r = (1.0 + e).recip();
        ((1.0 - e) * r, 4.0 * e * (r * r))
    };
    (tanh.copysign(x), sech2)
}

#[cfg(test)]
mod tests {
    use super::{TANH_POLYNOMIAL_BELOW, exp_nonpositive, tanh_sech_squared};
    use serde::Deserialize;
    use serde::de::DeserializeOwned;

    /// A fixture's `{"points": [...]}`, its reference values as `[hi, lo]` bit patterns:
    /// `v = hi + lo·ulp(hi)` to 50 digits, `hi` the nearest `f64`.
    #[derive(Deserialize)]
    struct Fixture<P> {
        points: Vec<P>,
    }

    /// The points of `tests/fixtures/<name>`.
    fn points<P: DeserializeOwned>(name: &str) -> Vec<P> {
        let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("fixture readable");
        let fixture: Fixture<P> = serde_json::from_str(&text).expect("fixture parses");
        fixture.points
    }

    /// The spacing of `f64` at `v` (subnormal spacing below the normal range).
    fn ulp(v: f64) -> f64 {
        if v < f64::MIN_POSITIVE {
            return f64::from_bits(1);
        }
        f64::from_bits(v.to_bits() & 0x7ff0_0000_0000_0000) * f64::EPSILON
    }

    /// How many ulp `got` lies from the reference `[hi, lo]`.
    fn ulps_off(got: f64, [hi, lo]: [u64; 2]) -> f64 {
        let (hi, lo) = (f64::from_bits(hi), f64::from_bits(lo));
        ((got - hi) / ulp(hi) - lo).abs()
    }

    #[test]
    fn within_one_ulp_of_mpmath_on_all_of_minus_746_to_0() {
        let points: Vec<(u64, [u64; 2])> = points("exp/exp.json");
        assert!(points.len() > 10_000);
        let mut worst = (0.0, 0.0);
        for (x, want) in points {
            let x = f64::from_bits(x);
            let (got, hi) = (exp_nonpositive(x), f64::from_bits(want[0]));
            let err = ulps_off(got, want);
            assert!(err < 1.0, "e^{x:e} = {got:e}, want {hi:e}: {err} ulp");
            if hi == 0.0 {
                assert_eq!(got, 0.0, "e^{x:e} underflows");
            }
            worst = if err > worst.0 { (err, x) } else { worst };
        }
        println!("exp: largest error {:.3} ulp at x = {}", worst.0, worst.1);
    }

    #[test]
    fn tanh_and_sech_squared_within_2_5_and_4_ulp_of_mpmath() {
        // (x, tanh x, sech² x)
        let points: Vec<(u64, [u64; 2], [u64; 2])> = points("tanh/tanh.json");
        assert!(points.len() > 5_000);
        let mut worst = [(0.0, 0.0); 2];
        for (x, tanh, sech2) in points {
            let x = f64::from_bits(x);
            let (t, s) = tanh_sech_squared(x);
            for (k, (err, bound)) in [(ulps_off(t, tanh), 2.5), (ulps_off(s, sech2), 4.0)]
                .into_iter()
                .enumerate()
            {
                assert!(
                    err < bound,
                    "x = {x:e}: {err} ulp ({})",
                    ["tanh", "sech²"][k]
                );
                worst[k] = if err > worst[k].0 { (err, x) } else { worst[k] };
            }
        }
        println!(
            "tanh: largest error {:.3} ulp at x = {}",
            worst[0].0, worst[0].1
        );
        println!(
            "sech²: largest error {:.3} ulp at x = {}",
            worst[1].0, worst[1].1
        );
    }

    #[test]
    fn tanh_is_odd_and_exact_at_the_ends() {
        for i in 0..=4000 {
            let x = f64::from(i) * 0.0061 + 1e-9;
            let (t, s) = tanh_sech_squared(x);
            let (tm, sm) = tanh_sech_squared(-x);
            assert_eq!(
                (tm.to_bits(), sm.to_bits()),
                ((-t).to_bits(), s.to_bits()),
                "x = {x}"
            );
            assert!(t <= 1.0 && s <= 1.0);
        }
        assert_eq!(tanh_sech_squared(0.0), (0.0, 1.0));
        assert!(tanh_sech_squared(-0.0).0.is_sign_negative());
        assert_eq!(tanh_sech_squared(f64::from_bits(1)).0, f64::from_bits(1));
        for x in [20.0, 400.0, f64::MAX, f64::INFINITY] {
            assert_eq!(tanh_sech_squared(x).0, 1.0, "tanh({x:e})");
            assert_eq!(tanh_sech_squared(-x).0, -1.0, "tanh({:e})", -x);
        }
        assert_eq!(tanh_sech_squared(f64::INFINITY).1, 0.0);
        let (t, s) = tanh_sech_squared(f64::NAN);
        assert!(t.is_nan() && s.is_nan());
        // the two sides of the switch meet
        let below = tanh_sech_squared(TANH_POLYNOMIAL_BELOW.next_down()).0;
        let at = tanh_sech_squared(TANH_POLYNOMIAL_BELOW).0;
        assert!(at >= below && at - below <= 2.0 * ulp(at), "{below} {at}");
    }

    #[test]
    fn sech_squared_is_libm_s_one_over_cosh_squared() {
        // libm's cosh is within an ulp; 1/cosh² then within 3 and this within 4 (up to
        // |x| = 300: beyond ≈ 355, cosh² overflows and the reference would be 0)
        for i in -3333..=3333 {
            let x = f64::from(i) * 0.09 + 1e-3;
            let c = x.cosh();
            let want = 1.0 / (c * c);
            let got = tanh_sech_squared(x).1;
            assert!(
                (got - want).abs() <= 7.0 * f64::EPSILON * want,
                "sech²({x}) = {got:e}, want {want:e}"
            );
        }
        let sech_squared = |x| tanh_sech_squared(x).1;
        assert_eq!(sech_squared(0.0), 1.0);
        assert_eq!(sech_squared(-400.0), 0.0);
        assert_eq!(sech_squared(f64::INFINITY), 0.0);
        assert!(sech_squared(f64::NAN).is_nan());
    }

    #[test]
    fn exact_at_zero_and_far_out() {
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-0.0), 1.0);
        for x in [-745.2, -746.0, -1e4, -1e308, f64::MIN, f64::NEG_INFINITY] {
            assert_eq!(exp_nonpositive(x).to_bits(), 0, "e^{x:e}");
        }
        // the smallest subnormal: e^x rounds to it on (−745.13, −744.09)
        assert_eq!(exp_nonpositive(-745.0), f64::from_bits(1));
        assert!(exp_nonpositive(f64::NAN).is_nan());
    }
}
