//! `normal_cdf`, `normal_sf` and `normal_pdf` against mpmath at 50 digits on a dense grid of
//! `[−40, 40]` and on kernel-histogram differences `Φ(b) − Φ(a)`
//! (`tests/fixtures/normal/generate.py` wrote the fixture), in ulp of the exact value.

use gradhep_core::special::{normal_cdf, normal_pdf, normal_sf};
use serde::Deserialize;

/// An `f64` as its bit pattern, which JSON carries exactly.
type Bits = u64;

/// A 50-digit value as `hi + lo`, `hi` its nearest `f64`.
type Exact = [f64; 2];

#[derive(Deserialize)]
struct RawFixture {
    points: Vec<(Bits, [Bits; 2], [Bits; 2])>,
    pairs: Vec<(Bits, Bits, [Bits; 2])>,
}

struct Fixture {
    /// `(x, Φ(x), φ(x))`.
    points: Vec<(f64, Exact, Exact)>,
    /// `(a, b, Φ(b) − Φ(a))`.
    pairs: Vec<(f64, f64, Exact)>,
}

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/normal/normal.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture readable");
    let raw: RawFixture = serde_json::from_str(&text).expect("fixture parses");
    let exact = |[hi, lo]: [Bits; 2]| [f64::from_bits(hi), f64::from_bits(lo)];
    Fixture {
        points: raw
            .points
            .into_iter()
            .map(|(x, cdf, pdf)| (f64::from_bits(x), exact(cdf), exact(pdf)))
            .collect(),
        pairs: raw
            .pairs
            .into_iter()
            .map(|(a, b, d)| (f64::from_bits(a), f64::from_bits(b), exact(d)))
            .collect(),
    }
}

/// The spacing of `f64` at `v` (subnormal spacing below the normal range).
fn ulp(v: f64) -> f64 {
    let v = v.abs();
    if v < f64::MIN_POSITIVE {
        return f64::from_bits(1);
    }
    f64::from_bits(v.to_bits() & 0x7ff0_0000_0000_0000) * f64::EPSILON
}

/// `|got − want|` in ulp of `want`.
fn ulps(got: f64, [hi, lo]: Exact) -> f64 {
    ((got - hi) - lo).abs() / ulp(hi)
}

#[test]
fn cdf_and_survival_are_within_three_ulp_on_all_of_minus_40_to_40() {
    let mut worst = (0.0, 0.0);
    for &(x, cdf, _) in &fixture().points {
        for got in [normal_cdf(x), normal_sf(-x)] {
            let err = ulps(got, cdf);
            assert!(
                err <= 3.0,
                "Φ({x:e}) = {got:e}, want {:e}: {err} ulp",
                cdf[0]
            );
            worst = if err > worst.0 { (err, x) } else { worst };
        }
    }
    println!("Φ: largest error {:.2} ulp at x = {}", worst.0, worst.1);
}

#[test]
fn density_is_within_three_ulp_on_all_of_minus_40_to_40() {
    let mut worst = (0.0, 0.0);
    for &(x, _, pdf) in &fixture().points {
        let err = ulps(normal_pdf(x), pdf);
        assert!(err <= 3.0, "φ({x:e}): {err} ulp");
        worst = if err > worst.0 { (err, x) } else { worst };
    }
    println!("φ: largest error {:.2} ulp at x = {}", worst.0, worst.1);
}

#[test]
fn kernel_differences_lose_only_what_the_subtraction_must() {
    // Φ(b) − Φ(a) is exact in f64 arithmetic up to the errors of its two terms, so its
    // absolute error is bounded by theirs: 3 ulp of each (and a half of the result's own).
    // Below the mode both terms are tail values, so the difference keeps relative precision.
    let mut worst_below: f64 = 0.0;
    for &(a, b, diff) in &fixture().pairs {
        let got = normal_cdf(b) - normal_cdf(a);
        let err = ((got - diff[0]) - diff[1]).abs();
        let bound = 3.0 * (ulp(normal_cdf(a)) + ulp(normal_cdf(b))) + 0.5 * ulp(diff[0]);
        assert!(err <= bound, "Φ({b}) − Φ({a}): error {err:e} > {bound:e}");
        if b <= 0.0 {
            worst_below = worst_below.max(err / diff[0]);
        }
    }
    assert!(
        worst_below < 1e-14,
        "relative error {worst_below:e} below the mode"
    );
    println!("Φ(b) − Φ(a), b ≤ 0: largest relative error {worst_below:e}");
}
