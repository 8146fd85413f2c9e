//! Over random inputs, the companions of `#[differentiable]` functions agree with central
//! finite differences of the plain functions, and the generic function at `f64` agrees with
//! the original body to the bit.

mod support;

use gradhep::differentiable;
use proptest::prelude::*;
use support::{central_difference, close};

#[differentiable]
fn invariant_mass(e1: f64, p1: [f64; 3], e2: f64, p2: [f64; 3]) -> f64 {
    let e = e1 + e2;
    let p: Vec<f64> = p1.iter().zip(&p2).map(|(a, b)| a + b).collect();
    (e * e - p.iter().map(|x| x * x).sum::<f64>()).sqrt()
}

fn invariant_mass_f64(e1: f64, p1: [f64; 3], e2: f64, p2: [f64; 3]) -> f64 {
    let e = e1 + e2;
    let p: Vec<f64> = p1.iter().zip(&p2).map(|(a, b)| a + b).collect();
    (e * e - p.iter().map(|x| x * x).sum::<f64>()).sqrt()
}

#[differentiable(wrt(cut, width))]
fn soft_yield(cut: f64, width: f64, events: &[f64]) -> f64 {
    let mut total = 0.0;
    for x in events {
        total += 1.0 / (1.0 + ((cut - x) / width).exp());
    }
    total
}

fn soft_yield_f64(cut: f64, width: f64, events: &[f64]) -> f64 {
    let mut total = 0.0;
    for x in events {
        total += 1.0 / (1.0 + ((cut - x) / width).exp());
    }
    total
}

#[differentiable(wrt(mu, sigma))]
fn gaussian_nll(data: &[f64], mu: f64, sigma: f64) -> f64 {
    data.iter()
        .map(|x| 0.5 * ((x - mu) / sigma).powi(2) + sigma.ln())
        .sum()
}

fn gaussian_nll_f64(data: &[f64], mu: f64, sigma: f64) -> f64 {
    data.iter()
        .map(|x| 0.5 * ((x - mu) / sigma).powi(2) + sigma.ln())
        .sum()
}

#[differentiable]
fn asimov_significance(s: f64, b: f64) -> f64 {
    (2.0 * ((s + b) * (1.0 + s / b).ln() - s)).sqrt()
}

fn flat(e1: f64, p1: [f64; 3], e2: f64, p2: [f64; 3]) -> [f64; 8] {
    [e1, p1[0], p1[1], p1[2], e2, p2[0], p2[1], p2[2]]
}

fn unflat(x: [f64; 8]) -> (f64, [f64; 3], f64, [f64; 3]) {
    (x[0], [x[1], x[2], x[3]], x[4], [x[5], x[6], x[7]])
}

/// Finite differences lose digits where the function is steep or flat; 1e-6 relative plus a
/// floor relative to the gradient's size is what central differences deliver here.
fn agrees(ad: f64, fd: f64, scale: f64) -> bool {
    close(ad, fd, 1e-6, 1e-7 * scale.max(1.0))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn invariant_mass_gradient(
        p1 in prop::array::uniform3(-50.0..50.0f64),
        p2 in prop::array::uniform3(-50.0..50.0f64),
        m1 in 1.0..20.0f64,
        m2 in 1.0..20.0f64,
    ) {
        let e1 = (m1 * m1 + p1.iter().map(|x| x * x).sum::<f64>()).sqrt();
        let e2 = (m2 * m2 + p2.iter().map(|x| x * x).sum::<f64>()).sqrt();
        prop_assert_eq!(
            invariant_mass(e1, p1, e2, p2).to_bits(),
            invariant_mass_f64(e1, p1, e2, p2).to_bits()
        );
        let (_, g) = invariant_mass_grad(e1, p1, e2, p2);
        let x = flat(e1, p1, e2, p2);
        let scale = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (i, gi) in g.iter().enumerate() {
            let fd = central_difference(|y| {
                let (a, b, c, d) = unflat(y);
                invariant_mass_f64(a, b, c, d)
            }, x, i);
            prop_assert!(agrees(*gi, fd, scale), "∂m/∂x{}: {} vs {}", i, gi, fd);
        }
    }

    #[test]
    fn soft_yield_gradient(
        cut in -1.0..1.0f64,
        width in 0.05..1.0f64,
        events in prop::collection::vec(-2.0..2.0f64, 1..20),
    ) {
        prop_assert_eq!(
            soft_yield(cut, width, &events).to_bits(),
            soft_yield_f64(cut, width, &events).to_bits()
        );
        let (_, g) = soft_yield_grad(cut, width, &events);
        let scale = g[0].abs().max(g[1].abs());
        for (i, gi) in g.iter().enumerate() {
            let fd = central_difference(|[c, w]| soft_yield_f64(c, w, &events), [cut, width], i);
            prop_assert!(agrees(*gi, fd, scale), "∂Y/∂x{}: {} vs {}", i, gi, fd);
        }
    }

    #[test]
    fn gaussian_nll_gradient_and_hessian(
        mu in -1.0..1.0f64,
        sigma in 0.2..3.0f64,
        data in prop::collection::vec(-3.0..3.0f64, 1..30),
    ) {
        prop_assert_eq!(
            gaussian_nll(&data, mu, sigma).to_bits(),
            gaussian_nll_f64(&data, mu, sigma).to_bits()
        );
        let (_, g, h) = gaussian_nll_hessian(&data, mu, sigma);
        let n = data.len() as f64;
        // Analytic: ∂²/∂μ² = n/σ², and the gradient against finite differences.
        prop_assert!(close(h[0][0], n / (sigma * sigma), 1e-12, 0.0));
        let scale = g[0].abs().max(g[1].abs());
        for (i, gi) in g.iter().enumerate() {
            let fd = central_difference(|[m, s]| gaussian_nll_f64(&data, m, s), [mu, sigma], i);
            prop_assert!(agrees(*gi, fd, scale), "∂nll/∂x{}: {} vs {}", i, gi, fd);
        }
    }

    #[test]
    fn asimov_significance_gradient(s in 0.5..50.0f64, b in 1.0..500.0f64) {
        let (z, g) = asimov_significance_grad(s, b);
        let l = (1.0 + s / b).ln();
        prop_assert!(close(g[0], l / z, 1e-10, 0.0), "∂Z/∂s: {} vs {}", g[0], l / z);
        prop_assert!(close(g[1], (l - s / b) / z, 1e-8, 1e-12), "∂Z/∂b: {} vs {}", g[1], (l - s / b) / z);
    }
}
