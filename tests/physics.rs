//! Physics functions written as physicists write them, made differentiable by the attribute.
//!
//! Each one is checked three ways: the `_grad` and `_hessian` companions against central
//! finite differences (relative 1e-6) and, where one exists, the analytic derivative; and the
//! generic function called at `f64` against a copy of the original body, to the bit.

// Index loops are how much analysis code is written; the attribute must take them as they are.
#![allow(clippy::needless_range_loop)]

#[macro_use]
mod support;

use gradhep::num_dual::{Dual64, first_derivative};
use gradhep::{detach, differentiable};
use std::f64::consts::PI;
use support::{assert_close, bit_identical, check_companions};

// ----- kinematics -------------------------------------------------------------------------

twice! {
    #[differentiable]
    fn invariant_mass / invariant_mass_f64(p1: [f64; 4], p2: [f64; 4]) -> f64 {
        let e = p1[0] + p2[0];
        let px = p1[1] + p2[1];
        let py = p1[2] + p2[2];
        let pz = p1[3] + p2[3];
        (e * e - px * px - py * py - pz * pz).sqrt()
    }
}

#[test]
fn invariant_mass_of_two_four_vectors() {
    let p1 = [50.0, 10.0, 20.0, 30.0];
    let p2 = [60.0, -15.0, 5.0, -40.0];
    bit_identical(invariant_mass(p1, p2), invariant_mass_f64(p1, p2));
    let (m, g) = invariant_mass_grad(p1, p2);
    // ∂m/∂E = E/m, ∂m/∂p = −p/m for either particle.
    let total = [110.0, -5.0, 25.0, -10.0];
    for i in 0..4 {
        let sign = if i == 0 { 1.0 } else { -1.0 };
        assert_close("∂m/∂p1", g[i], sign * total[i] / m, 1e-14);
        assert_close("∂m/∂p2", g[4 + i], sign * total[i] / m, 1e-14);
    }
    let split = |x: [f64; 8]| ([x[0], x[1], x[2], x[3]], [x[4], x[5], x[6], x[7]]);
    check_companions(
        |x| {
            let (a, b) = split(x);
            invariant_mass(a, b)
        },
        |x| {
            let (a, b) = split(x);
            invariant_mass_grad(a, b)
        },
        |x| {
            let (a, b) = split(x);
            invariant_mass_hessian(a, b)
        },
        [p1, p2].concat().try_into().unwrap(),
    );
}

twice! {
    #[differentiable]
    fn transverse_momentum / transverse_momentum_f64(px: f64, py: f64) -> f64 {
        px.hypot(py)
    }
}

#[test]
fn transverse_momentum_is_the_hypotenuse() {
    bit_identical(
        transverse_momentum(3.0, 4.0),
        transverse_momentum_f64(3.0, 4.0),
    );
    bit_identical(
        transverse_momentum(1e200, 3e200),
        transverse_momentum_f64(1e200, 3e200),
    );
    let (pt, g) = transverse_momentum_grad(3.0, 4.0);
    assert_eq!(pt, 5.0);
    assert_close("∂pT/∂px", g[0], 0.6, 1e-15);
    assert_close("∂pT/∂py", g[1], 0.8, 1e-15);
    check_companions(
        |[a, b]| transverse_momentum(a, b),
        |[a, b]| transverse_momentum_grad(a, b),
        |[a, b]| transverse_momentum_hessian(a, b),
        [3.0, -4.0],
    );
}

twice! {
    #[differentiable]
    fn delta_r / delta_r_f64(eta1: f64, phi1: f64, eta2: f64, phi2: f64) -> f64 {
        let deta = eta1 - eta2;
        // Wrapped into (−π, π] smoothly: atan2 of the sine and cosine.
        let dphi = (phi1 - phi2).sin().atan2((phi1 - phi2).cos());
        (deta * deta + dphi * dphi).sqrt()
    }
}

#[test]
fn delta_r_wraps_phi_smoothly() {
    let x = [0.5, 3.0, -0.2, -3.0];
    bit_identical(
        delta_r(x[0], x[1], x[2], x[3]),
        delta_r_f64(x[0], x[1], x[2], x[3]),
    );
    let (dr, g) = delta_r_grad(x[0], x[1], x[2], x[3]);
    let dphi = 6.0 - 2.0 * PI;
    assert_close("ΔR", dr, (0.7f64 * 0.7 + dphi * dphi).sqrt(), 1e-12);
    assert_close("∂ΔR/∂η1", g[0], 0.7 / dr, 1e-12);
    assert_close("∂ΔR/∂φ1", g[1], dphi / dr, 1e-12);
    check_companions(
        |[a, b, c, d]| delta_r(a, b, c, d),
        |[a, b, c, d]| delta_r_grad(a, b, c, d),
        |[a, b, c, d]| delta_r_hessian(a, b, c, d),
        x,
    );
}

twice! {
    #[differentiable]
    fn rapidity / rapidity_f64(e: f64, pz: f64) -> f64 {
        0.5 * ((e + pz) / (e - pz)).ln()
    }
}

#[test]
fn rapidity_derivatives() {
    bit_identical(rapidity(10.0, 6.0), rapidity_f64(10.0, 6.0));
    let (_, g) = rapidity_grad(10.0, 6.0);
    // y = atanh(pz/E): ∂y/∂E = −pz/(E²−pz²), ∂y/∂pz = E/(E²−pz²).
    assert_close("∂y/∂E", g[0], -6.0 / 64.0, 1e-14);
    assert_close("∂y/∂pz", g[1], 10.0 / 64.0, 1e-14);
    check_companions(
        |[a, b]| rapidity(a, b),
        |[a, b]| rapidity_grad(a, b),
        |[a, b]| rapidity_hessian(a, b),
        [10.0, 6.0],
    );
}

twice! {
    #[differentiable]
    fn pseudorapidity / pseudorapidity_f64(theta: f64) -> f64 {
        -(theta / 2.0).tan().ln()
    }
}

#[test]
fn pseudorapidity_derivative_is_minus_one_over_sine() {
    bit_identical(pseudorapidity(0.3), pseudorapidity_f64(0.3));
    let (_, [d]) = pseudorapidity_grad(0.3);
    assert_close("∂η/∂θ", d, -1.0 / 0.3f64.sin(), 1e-14);
    check_companions(
        |[t]| pseudorapidity(t),
        |[t]| pseudorapidity_grad(t),
        |[t]| pseudorapidity_hessian(t),
        [0.3],
    );
}

twice! {
    #[differentiable]
    fn boosted_energy / boosted_energy_f64(beta: f64, e: f64, pz: f64) -> f64 {
        let gamma = 1.0 / (1.0 - beta * beta).sqrt();
        gamma * (e - beta * pz)
    }
}

#[test]
fn lorentz_boost_along_z() {
    bit_identical(
        boosted_energy(0.6, 10.0, 8.0),
        boosted_energy_f64(0.6, 10.0, 8.0),
    );
    let (e, g) = boosted_energy_grad(0.6, 10.0, 8.0);
    assert_close("E'", e, 1.25 * (10.0 - 4.8), 1e-15);
    assert_close("∂E'/∂E", g[1], 1.25, 1e-15);
    assert_close("∂E'/∂pz", g[2], -0.75, 1e-15);
    // ∂E'/∂β = γ³β(E − βpz) − γ pz.
    assert_close(
        "∂E'/∂β",
        g[0],
        1.25f64.powi(3) * 0.6 * 5.2 - 1.25 * 8.0,
        1e-14,
    );
    check_companions(
        |[a, b, c]| boosted_energy(a, b, c),
        |[a, b, c]| boosted_energy_grad(a, b, c),
        |[a, b, c]| boosted_energy_hessian(a, b, c),
        [0.6, 10.0, 8.0],
    );
}

twice! {
    #[differentiable]
    fn four_vector_mass / four_vector_mass_f64(p: [f64; 4]) -> f64 {
        (p[0] * p[0] - p[1] * p[1] - p[2] * p[2] - p[3] * p[3]).sqrt()
    }
}

const NPAR: usize = 3;

twice! {
    #[differentiable]
    fn quadratic_form / quadratic_form_f64(theta: [f64; NPAR], scale: f64) -> f64 {
        let mut q = 0.0;
        for i in 0..NPAR {
            q += theta[i] * theta[i] * (i as f64 + 1.0);
        }
        scale * q
    }
}

#[test]
fn arrays_by_literal_and_named_length_are_flattened_in_order() {
    let p = [5.0, 1.0, 2.0, 3.0];
    bit_identical(four_vector_mass(p), four_vector_mass_f64(p));
    let (m, g) = four_vector_mass_grad(p);
    assert_close("∂m/∂E", g[0], 5.0 / m, 1e-15);
    assert_close("∂m/∂pz", g[3], -3.0 / m, 1e-15);
    check_companions(
        four_vector_mass,
        four_vector_mass_grad,
        four_vector_mass_hessian,
        p,
    );

    let t = [0.5, -1.0, 2.0];
    bit_identical(quadratic_form(t, 2.0), quadratic_form_f64(t, 2.0));
    let (q, g) = quadratic_form_grad(t, 2.0);
    assert_eq!(g, [2.0, -8.0, 24.0, q / 2.0]);
    let (_, _, h) = quadratic_form_hessian(t, 2.0);
    assert_eq!(h[0][0], 4.0);
    assert_eq!(h[2][2], 12.0);
    assert_eq!(h[1][3], -4.0);
}

// ----- line shapes ------------------------------------------------------------------------

twice! {
    #[differentiable]
    fn breit_wigner / breit_wigner_f64(m: f64, mass: f64, width: f64) -> f64 {
        let gamma = (mass * mass * (mass * mass + width * width)).sqrt();
        let k = 2.0 * 2f64.sqrt() * mass * width * gamma / (PI * (mass * mass + gamma).sqrt());
        k / ((m * m - mass * mass).powi(2) + mass * mass * width * width)
    }
}

#[test]
fn relativistic_breit_wigner() {
    let x = [91.0, 91.1876, 2.4952];
    bit_identical(
        breit_wigner(x[0], x[1], x[2]),
        breit_wigner_f64(x[0], x[1], x[2]),
    );
    let (f, g) = breit_wigner_grad(x[0], x[1], x[2]);
    // ∂f/∂m = −f · 4m(m² − M²) / ((m² − M²)² + M²Γ²).
    let d = (x[0] * x[0] - x[1] * x[1]).powi(2) + (x[1] * x[2]).powi(2);
    assert_close(
        "∂f/∂m",
        g[0],
        -f * 4.0 * x[0] * (x[0] * x[0] - x[1] * x[1]) / d,
        1e-12,
    );
    check_companions(
        |[a, b, c]| breit_wigner(a, b, c),
        |[a, b, c]| breit_wigner_grad(a, b, c),
        |[a, b, c]| breit_wigner_hessian(a, b, c),
        x,
    );
}

twice! {
    #[differentiable]
    fn crystal_ball / crystal_ball_f64(x: f64, mean: f64, sigma: f64, alpha: f64, n: f64) -> f64 {
        let t = (x - mean) / sigma;
        // The branch is chosen on values only: the function is C¹ at the junction, so the
        // derivative inside either branch is the derivative.
        if detach(t) > detach(-alpha) {
            (-0.5 * t * t).exp()
        } else {
            let a = (n / alpha.abs()).powf(n) * (-0.5 * alpha * alpha).exp();
            let b = n / alpha.abs() - alpha.abs();
            a * (b - t).powf(-n)
        }
    }
}

#[test]
fn crystal_ball_core_and_tail() {
    for x in [0.3, -2.5] {
        let p = [x, 0.1, 0.8, 1.5, 3.0];
        bit_identical(
            crystal_ball(p[0], p[1], p[2], p[3], p[4]),
            crystal_ball_f64(p[0], p[1], p[2], p[3], p[4]),
        );
        check_companions(
            |[a, b, c, d, e]| crystal_ball(a, b, c, d, e),
            |[a, b, c, d, e]| crystal_ball_grad(a, b, c, d, e),
            |[a, b, c, d, e]| crystal_ball_hessian(a, b, c, d, e),
            p,
        );
    }
    // In the core: ∂f/∂x = −t/σ · f.
    let (f, g) = crystal_ball_grad(0.3, 0.1, 0.8, 1.5, 3.0);
    assert_close("core ∂f/∂x", g[0], -0.25 / 0.8 * f, 1e-14);
}

twice! {
    #[differentiable]
    fn moyal / moyal_f64(x: f64, mpv: f64, eta: f64) -> f64 {
        let lambda = (x - mpv) / eta;
        (-(lambda + (-lambda).exp()) / 2.0).exp() / (2.0 * PI).sqrt() / eta
    }
}

#[test]
fn landau_moyal_approximation() {
    let p = [2.0, 1.5, 0.4];
    bit_identical(moyal(p[0], p[1], p[2]), moyal_f64(p[0], p[1], p[2]));
    let (f, g) = moyal_grad(p[0], p[1], p[2]);
    let l = 1.25f64;
    assert_close("∂f/∂x", g[0], -f * (1.0 - (-l).exp()) / (2.0 * 0.4), 1e-13);
    check_companions(
        |[a, b, c]| moyal(a, b, c),
        |[a, b, c]| moyal_grad(a, b, c),
        |[a, b, c]| moyal_hessian(a, b, c),
        p,
    );
}

twice! {
    #[differentiable(wrt(tau))]
    fn decay_likelihood / decay_likelihood_f64(tau: f64, times: &[f64], window: f64) -> f64 {
        let norm = tau * (1.0 - (-window / tau).exp());
        times.iter().map(|t| -t / tau - norm.ln()).sum::<f64>()
    }
}

#[test]
fn truncated_exponential_log_likelihood() {
    let times = [0.3, 1.2, 0.7, 2.5, 0.1];
    bit_identical(
        decay_likelihood(1.1, &times, 4.0),
        decay_likelihood_f64(1.1, &times, 4.0),
    );
    check_companions(
        |[t]| decay_likelihood(t, &times, 4.0),
        |[t]| decay_likelihood_grad(t, &times, 4.0),
        |[t]| decay_likelihood_hessian(t, &times, 4.0),
        [1.1],
    );
    // Without the window the derivative is Σt/τ² − n/τ.
    let far = 1e3;
    let (_, [d]) = decay_likelihood_grad(1.1, &times, far);
    assert_close("∂lnL/∂τ", d, 4.8 / 1.21 - 5.0 / 1.1, 1e-12);
}

twice! {
    #[differentiable(wrt(index, norm))]
    fn power_law / power_law_f64(energies: &[f64], index: f64, norm: f64, e0: f64) -> f64 {
        let mut total = 0.0;
        for e in energies {
            total += norm * (e / e0).powf(-index);
        }
        total
    }
}

#[test]
fn power_law_with_active_exponent() {
    let e = [1.0, 2.0, 5.0, 10.0];
    bit_identical(
        power_law(&e, 2.7, 3.0, 1.5),
        power_law_f64(&e, 2.7, 3.0, 1.5),
    );
    let (f, g) = power_law_grad(&e, 2.7, 3.0, 1.5);
    let dindex: f64 = e
        .iter()
        .map(|x| -3.0 * (x / 1.5f64).powf(-2.7) * (x / 1.5f64).ln())
        .sum();
    assert_close("∂/∂index", g[0], dindex, 1e-12);
    assert_close("∂/∂norm", g[1], f / 3.0, 1e-14);
    check_companions(
        |[a, b]| power_law(&e, a, b, 1.5),
        |[a, b]| power_law_grad(&e, a, b, 1.5),
        |[a, b]| power_law_hessian(&e, a, b, 1.5),
        [2.7, 3.0],
    );
}

// ----- likelihoods and test statistics ------------------------------------------------------

twice! {
    #[differentiable(wrt(mu, sigma))]
    fn gaussian_nll / gaussian_nll_f64(data: &[f64], mu: f64, sigma: f64) -> f64 {
        let mut nll = 0.0;
        for x in data {
            let z = (x - mu) / sigma;
            nll += 0.5 * z * z + sigma.ln() + 0.5 * (2.0 * PI).ln();
        }
        nll
    }
}

#[test]
fn gaussian_negative_log_likelihood() {
    let data = [1.2, 0.7, 1.9, 1.4, 0.8, 1.1];
    bit_identical(
        gaussian_nll(&data, 1.0, 0.5),
        gaussian_nll_f64(&data, 1.0, 0.5),
    );
    let (_, g) = gaussian_nll_grad(&data, 1.0, 0.5);
    let n = data.len() as f64;
    let s1: f64 = data.iter().map(|x| x - 1.0).sum();
    let s2: f64 = data.iter().map(|x| (x - 1.0) * (x - 1.0)).sum();
    assert_close("∂/∂μ", g[0], -s1 / 0.25, 1e-13);
    assert_close("∂/∂σ", g[1], n / 0.5 - s2 / 0.125, 1e-13);
    let (_, _, h) = gaussian_nll_hessian(&data, 1.0, 0.5);
    assert_close("∂²/∂μ²", h[0][0], n / 0.25, 1e-13);
    check_companions(
        |[a, b]| gaussian_nll(&data, a, b),
        |[a, b]| gaussian_nll_grad(&data, a, b),
        |[a, b]| gaussian_nll_hessian(&data, a, b),
        [1.0, 0.5],
    );
}

twice! {
    #[differentiable(wrt(mu))]
    fn poisson_nll / poisson_nll_f64(mu: f64, signal: &[f64], background: &[f64], observed: &[u32]) -> f64 {
        signal
            .iter()
            .zip(background)
            .zip(observed)
            .map(|((s, b), &n)| {
                let lambda = mu * s + b;
                lambda - n as f64 * lambda.ln()
            })
            .sum()
    }
}

#[test]
fn poisson_negative_log_likelihood() {
    let (s, b, n) = ([3.0, 5.0, 2.0], [10.0, 8.0, 4.0], [14, 12, 7]);
    bit_identical(
        poisson_nll(1.2, &s, &b, &n),
        poisson_nll_f64(1.2, &s, &b, &n),
    );
    let (_, [d]) = poisson_nll_grad(1.2, &s, &b, &n);
    let analytic: f64 = (0..3)
        .map(|i| s[i] - n[i] as f64 * s[i] / (1.2 * s[i] + b[i]))
        .sum();
    assert_close("∂/∂μ", d, analytic, 1e-13);
    check_companions(
        |[m]| poisson_nll(m, &s, &b, &n),
        |[m]| poisson_nll_grad(m, &s, &b, &n),
        |[m]| poisson_nll_hessian(m, &s, &b, &n),
        [1.2],
    );
}

twice! {
    #[differentiable(wrt(mu))]
    fn checked_log_likelihood / checked_log_likelihood_f64(mu: f64, counts: &[u32], expected: &[f64]) -> Result<f64, String> {
        if counts.len() != expected.len() {
            return Err(format!("{} counts for {} bins", counts.len(), expected.len()));
        }
        let mut ll = 0.0;
        for (n, e) in counts.iter().zip(expected) {
            let lambda = mu * e;
            ll += (*n as f64) * lambda.ln() - lambda;
        }
        Ok(ll)
    }
}

#[test]
fn result_returning_likelihood_keeps_its_error() {
    let (n, e) = ([4, 9, 2], [3.0, 7.0, 2.5]);
    bit_identical(
        checked_log_likelihood(1.3, &n, &e).unwrap(),
        checked_log_likelihood_f64(1.3, &n, &e).unwrap(),
    );
    let (_, [d]) = checked_log_likelihood_grad(1.3, &n, &e).unwrap();
    assert_close("∂lnL/∂μ", d, 15.0 / 1.3 - 12.5, 1e-13);
    let (_, _, [[h]]) = checked_log_likelihood_hessian(1.3, &n, &e).unwrap();
    assert_close("∂²lnL/∂μ²", h, -15.0 / 1.69, 1e-13);
    assert_eq!(
        checked_log_likelihood_grad(1.3, &n, &e[..2]),
        Err("3 counts for 2 bins".to_owned())
    );
}

twice! {
    #[differentiable(wrt(norm, slope))]
    fn binned_chi2 / binned_chi2_f64(observed: &[f64], template: &[f64], errors: &[f64], norm: f64, slope: f64) -> f64 {
        let mut chi2 = 0.0;
        for i in 0..observed.len() {
            let x = i as f64 + 0.5;
            let expected = norm * template[i] + slope * x;
            let pull = (observed[i] - expected) / errors[i];
            chi2 += pull * pull;
        }
        chi2
    }
}

#[test]
fn chi2_over_binned_data() {
    let obs = [12.0, 18.0, 25.0, 16.0];
    let tmpl = [10.0, 15.0, 20.0, 12.0];
    let err = [3.5, 4.2, 5.0, 4.0];
    bit_identical(
        binned_chi2(&obs, &tmpl, &err, 1.1, 0.3),
        binned_chi2_f64(&obs, &tmpl, &err, 1.1, 0.3),
    );
    let (_, g) = binned_chi2_grad(&obs, &tmpl, &err, 1.1, 0.3);
    let mut dn = 0.0;
    let mut hnn = 0.0;
    for i in 0..4 {
        let pull = (obs[i] - 1.1 * tmpl[i] - 0.3 * (i as f64 + 0.5)) / err[i];
        dn += -2.0 * pull * tmpl[i] / err[i];
        hnn += 2.0 * (tmpl[i] / err[i]).powi(2);
    }
    assert_close("∂χ²/∂norm", g[0], dn, 1e-13);
    let (_, _, h) = binned_chi2_hessian(&obs, &tmpl, &err, 1.1, 0.3);
    assert_close("∂²χ²/∂norm²", h[0][0], hnn, 1e-13);
    check_companions(
        |[a, b]| binned_chi2(&obs, &tmpl, &err, a, b),
        |[a, b]| binned_chi2_grad(&obs, &tmpl, &err, a, b),
        |[a, b]| binned_chi2_hessian(&obs, &tmpl, &err, a, b),
        [1.1, 0.3],
    );
}

twice! {
    #[differentiable]
    fn asimov_significance / asimov_significance_f64(s: f64, b: f64) -> f64 {
        (2.0 * ((s + b) * (1.0 + s / b).ln() - s)).sqrt()
    }
}

#[test]
fn asimov_discovery_significance() {
    bit_identical(
        asimov_significance(5.0, 20.0),
        asimov_significance_f64(5.0, 20.0),
    );
    let (z, g) = asimov_significance_grad(5.0, 20.0);
    // ∂Z/∂s = ln(1 + s/b)/Z, ∂Z/∂b = (ln(1 + s/b) − s/b)/Z.
    let l = 1.25f64.ln();
    assert_close("∂Z/∂s", g[0], l / z, 1e-14);
    assert_close("∂Z/∂b", g[1], (l - 0.25) / z, 1e-13);
    check_companions(
        |[a, b]| asimov_significance(a, b),
        |[a, b]| asimov_significance_grad(a, b),
        |[a, b]| asimov_significance_hessian(a, b),
        [5.0, 20.0],
    );
}

// ----- smooth selections and histograms -----------------------------------------------------

twice! {
    #[differentiable]
    fn sigmoid_efficiency / sigmoid_efficiency_f64(x: f64, cut: f64, width: f64) -> f64 {
        1.0 / (1.0 + (-(x - cut) / width).exp())
    }
}

#[test]
fn sigmoid_efficiency_curve() {
    bit_identical(
        sigmoid_efficiency(1.0, 0.7, 0.2),
        sigmoid_efficiency_f64(1.0, 0.7, 0.2),
    );
    let (e, g) = sigmoid_efficiency_grad(1.0, 0.7, 0.2);
    // σ' = σ(1 − σ): ∂/∂x = σ(1−σ)/w, ∂/∂cut = −∂/∂x, ∂/∂w = −(x − cut)/w · ∂/∂x.
    let dx = e * (1.0 - e) / 0.2;
    assert_close("∂ε/∂x", g[0], dx, 1e-14);
    assert_close("∂ε/∂cut", g[1], -dx, 1e-14);
    assert_close("∂ε/∂w", g[2], -1.5 * dx, 1e-13);
    check_companions(
        |[a, b, c]| sigmoid_efficiency(a, b, c),
        |[a, b, c]| sigmoid_efficiency_grad(a, b, c),
        |[a, b, c]| sigmoid_efficiency_hessian(a, b, c),
        [1.0, 0.7, 0.2],
    );
}

twice! {
    #[differentiable(wrt(cut))]
    fn weighted_histogram / weighted_histogram_f64(cut: f64, values: &[f64], weights: &[f64], lo: f64, width: f64, nbins: usize) -> Vec<f64> {
        let mut hist = vec![0.0; nbins];
        for i in 0..values.len() {
            // The bin comes from the data; only the weight depends on the cut.
            let bin = ((values[i] - lo) / width) as usize;
            if bin < nbins {
                hist[bin] += weights[i] / (1.0 + (-(values[i] - cut) / 0.05).exp());
            }
        }
        hist
    }
}

twice! {
    #[differentiable(wrt(cut))]
    fn histogram_chi2 / histogram_chi2_f64(cut: f64, values: &[f64], weights: &[f64], target: &[f64]) -> f64 {
        let hist = weighted_histogram(cut, values, weights, 0.0, 0.25, target.len());
        hist.iter()
            .zip(target)
            .map(|(h, t)| (h - t) * (h - t) / t)
            .sum()
    }
}

#[test]
fn loop_filling_a_histogram_of_weights() {
    let values = [0.1, 0.3, 0.35, 0.6, 0.62, 0.9, 0.95, 1.2];
    let weights = [1.0, 0.5, 1.5, 2.0, 1.0, 0.7, 1.1, 3.0];
    let target = [1.0, 1.5, 2.5, 1.5];
    let h = weighted_histogram(0.5, &values, &weights, 0.0, 0.25, 4);
    let h_plain = weighted_histogram_f64(0.5, &values, &weights, 0.0, 0.25, 4);
    assert_eq!(h.len(), 4);
    for (a, b) in h.iter().zip(&h_plain) {
        bit_identical(*a, *b);
    }
    // Each bin's derivative by one dual direction against the sigmoid's derivative.
    let dual = weighted_histogram(Dual64::new(0.5, 1.0), &values, &weights, 0.0, 0.25, 4);
    let mut expected = [0.0; 4];
    for i in 0..values.len() {
        let s = 1.0 / (1.0 + (-(values[i] - 0.5) / 0.05f64).exp());
        if ((values[i] / 0.25) as usize) < 4 {
            expected[(values[i] / 0.25) as usize] += -weights[i] * s * (1.0 - s) / 0.05;
        }
    }
    for (d, e) in dual.iter().zip(expected) {
        assert_close("∂bin/∂cut", d.eps, e, 1e-12);
    }
    bit_identical(
        histogram_chi2(0.5, &values, &weights, &target),
        histogram_chi2_f64(0.5, &values, &weights, &target),
    );
    check_companions(
        |[c]| histogram_chi2(c, &values, &weights, &target),
        |[c]| histogram_chi2_grad(c, &values, &weights, &target),
        |[c]| histogram_chi2_hessian(c, &values, &weights, &target),
        [0.5],
    );
}

twice! {
    #[differentiable(wrt(cut, width))]
    fn soft_yield / soft_yield_f64(cut: f64, width: f64, events: &[f64], weights: &[f64]) -> f64 {
        events
            .iter()
            .zip(weights)
            .map(|(x, w)| w / (1.0 + ((cut - x) / width).exp()))
            .sum()
    }
}

#[test]
fn soft_cut_yield_over_zipped_events_and_weights() {
    let ev = [0.2, 0.45, 0.5, 0.8, 1.3];
    let w = [1.0, 2.0, 0.5, 1.5, 1.0];
    bit_identical(
        soft_yield(0.5, 0.1, &ev, &w),
        soft_yield_f64(0.5, 0.1, &ev, &w),
    );
    check_companions(
        |[a, b]| soft_yield(a, b, &ev, &w),
        |[a, b]| soft_yield_grad(a, b, &ev, &w),
        |[a, b]| soft_yield_hessian(a, b, &ev, &w),
        [0.5, 0.1],
    );
}

twice! {
    #[differentiable]
    fn log_sum_exp / log_sum_exp_f64(z: [f64; 3]) -> f64 {
        let m = z[0].max(z[1]).max(z[2]);
        m + z.iter().map(|zi| (zi - m).exp()).sum::<f64>().ln()
    }
}

#[test]
fn log_sum_exp_gradient_is_the_softmax() {
    let z = [0.3, 1.7, -0.4];
    bit_identical(log_sum_exp(z), log_sum_exp_f64(z));
    let (l, g) = log_sum_exp_grad(z);
    for i in 0..3 {
        assert_close("softmax", g[i], (z[i] - l).exp(), 1e-14);
    }
    check_companions(log_sum_exp, log_sum_exp_grad, log_sum_exp_hessian, z);
}

twice! {
    #[differentiable]
    fn softmax_pair / softmax_pair_f64(a: f64, b: f64) -> (f64, f64) {
        let m = a.max(b);
        let (ea, eb) = ((a - m).exp(), (b - m).exp());
        (ea / (ea + eb), eb / (ea + eb))
    }
}

#[test]
fn tuple_results_are_generic_without_companions() {
    let (p, q) = softmax_pair(0.2, 1.0);
    let (p0, q0) = softmax_pair_f64(0.2, 1.0);
    bit_identical(p, p0);
    bit_identical(q, q0);
    let (dp, _) = softmax_pair(Dual64::new(0.2, 1.0), Dual64::from(1.0));
    assert_close("∂p/∂a", dp.eps, p * (1.0 - p), 1e-14);
}

// ----- control flow, closures and calls -----------------------------------------------------

twice! {
    #[differentiable]
    fn geometric_series / geometric_series_f64(x: f64, n: u32) -> f64 {
        if n == 0 {
            1.0
        } else {
            1.0 + x * geometric_series(x, n - 1)
        }
    }
}

#[test]
fn recursive_geometric_series() {
    bit_identical(geometric_series(0.7, 6), geometric_series_f64(0.7, 6));
    let (s, [d]) = geometric_series_grad(0.7, 6);
    let analytic: f64 = (1..=6).map(|k| k as f64 * 0.7f64.powi(k - 1)).sum();
    assert_close("Σx^k", s, (1.0 - 0.7f64.powi(7)) / 0.3, 1e-14);
    assert_close("d/dx Σx^k", d, analytic, 1e-14);
    check_companions(
        |[x]| geometric_series(x, 6),
        |[x]| geometric_series_grad(x, 6),
        |[x]| geometric_series_hessian(x, 6),
        [0.7],
    );
}

twice! {
    #[differentiable]
    fn cube_root / cube_root_f64(a: f64) -> f64 {
        let mut x = 1.0;
        let mut i = 0;
        while i < 60 {
            x = x - (x * x * x - a) / (3.0 * x * x);
            i += 1;
        }
        x
    }
}

#[test]
fn newton_iteration_differentiates_to_the_implicit_derivative() {
    bit_identical(cube_root(27.0), cube_root_f64(27.0));
    let (r, [d]) = cube_root_grad(27.0);
    assert_close("∛27", r, 3.0, 1e-15);
    assert_close("d∛a/da", d, 1.0 / 27.0, 1e-14);
    let (_, _, [[h]]) = cube_root_hessian(27.0);
    assert_close("d²∛a/da²", h, -2.0 / 9.0 * 27f64.powf(-5.0 / 3.0), 1e-12);
}

twice! {
    #[differentiable(wrt(c))]
    fn horner / horner_f64(coeffs: &[f64], c: f64) -> f64 {
        coeffs.iter().rev().fold(0.0, |acc, k| acc * c + k)
    }
}

#[test]
fn horner_polynomial_through_fold() {
    let k = [1.0, -2.0, 0.5, 3.0];
    bit_identical(horner(&k, 1.3), horner_f64(&k, 1.3));
    let (_, [d]) = horner_grad(&k, 1.3);
    assert_close("p'(c)", d, -2.0 + 1.0 * 1.3 + 9.0 * 1.69, 1e-14);
    check_companions(
        |[c]| horner(&k, c),
        |[c]| horner_grad(&k, c),
        |[c]| horner_hessian(&k, c),
        [1.3],
    );
}

twice! {
    #[differentiable(wrt(mu, sigma))]
    fn smeared_density / smeared_density_f64(mu: f64, sigma: f64, xs: &[f64]) -> f64 {
        let pdf = |x: f64| (-(x - mu).powi(2) / (2.0 * sigma * sigma)).exp() / (sigma * (2.0 * PI).sqrt());
        xs.iter().map(|&x| pdf(x).ln()).sum::<f64>()
    }
}

#[test]
fn closure_capturing_active_parameters() {
    let xs = [0.4, -0.3, 1.1, 0.2];
    bit_identical(
        smeared_density(0.1, 0.6, &xs),
        smeared_density_f64(0.1, 0.6, &xs),
    );
    let (_, g) = smeared_density_grad(0.1, 0.6, &xs);
    let s1: f64 = xs.iter().map(|x| x - 0.1).sum();
    assert_close("∂/∂μ", g[0], s1 / 0.36, 1e-13);
    check_companions(
        |[a, b]| smeared_density(a, b, &xs),
        |[a, b]| smeared_density_grad(a, b, &xs),
        |[a, b]| smeared_density_hessian(a, b, &xs),
        [0.1, 0.6],
    );
}

twice! {
    #[differentiable]
    fn sum_of_squares / sum_of_squares_f64(a: f64, b: f64) -> f64 {
        let square = |t: f64| t * t;
        square(a) + 3.0 * square(b)
    }
}

#[test]
fn closure_called_with_active_arguments() {
    bit_identical(sum_of_squares(1.5, -2.0), sum_of_squares_f64(1.5, -2.0));
    let (_, g) = sum_of_squares_grad(1.5, -2.0);
    assert_eq!(g, [3.0, -12.0]);
}

twice! {
    #[differentiable(wrt(x))]
    fn clipped_response / clipped_response_f64(x: f64, limit: f64) -> f64 {
        if limit <= 0.0 {
            0.0
        } else if limit > 10.0 {
            x
        } else {
            f64::exp(x.clamp(-limit, limit))
        }
    }
}

#[test]
fn branches_on_data_mixing_active_and_passive_values() {
    for limit in [-1.0, 2.0, 20.0] {
        bit_identical(
            clipped_response(0.5, limit),
            clipped_response_f64(0.5, limit),
        );
    }
    assert_eq!(clipped_response_grad(0.5, -1.0), (0.0, [0.0]));
    assert_eq!(clipped_response_grad(0.5, 20.0), (0.5, [1.0]));
    let (v, [d]) = clipped_response_grad(0.5, 2.0);
    assert_eq!((v, d), (0.5f64.exp(), 0.5f64.exp()));
    assert_eq!(clipped_response_grad(3.0, 2.0).1, [0.0]);
}

twice! {
    #[differentiable]
    fn timelike_mass / timelike_mass_f64(e: f64, p: f64) -> Option<f64> {
        let m2 = e * e - p * p;
        if detach(m2) < 0.0 {
            return None;
        }
        Some(m2.sqrt())
    }
}

#[test]
fn option_result_with_early_return() {
    assert_eq!(timelike_mass(1.0, 2.0), None);
    assert_eq!(timelike_mass_grad(1.0, 2.0), None);
    bit_identical(
        timelike_mass(5.0, 3.0).unwrap(),
        timelike_mass_f64(5.0, 3.0).unwrap(),
    );
    let (m, g) = timelike_mass_grad(5.0, 3.0).unwrap();
    assert_eq!(m, 4.0);
    assert_eq!(g, [1.25, -0.75]);
    let (_, _, h) = timelike_mass_hessian(5.0, 3.0).unwrap();
    // ∂²m/∂E² = −p²/m³, ∂²m/∂E∂p = Ep/m³.
    assert_close("∂²m/∂E²", h[0][0], -9.0 / 64.0, 1e-15);
    assert_close("∂²m/∂E∂p", h[0][1], 15.0 / 64.0, 1e-15);
}

twice! {
    #[differentiable(wrt(mu, sigma))]
    fn profile_term / profile_term_f64(data: &[f64], mu: f64, sigma: f64, prior_width: f64) -> f64 {
        // Calls another differentiable function, plus a Gaussian constraint on `mu`.
        gaussian_nll(data, mu, sigma) + 0.5 * (mu / prior_width).powi(2)
    }
}

#[test]
fn calls_to_other_differentiable_functions() {
    let data = [1.2, 0.7, 1.9];
    bit_identical(
        profile_term(&data, 1.0, 0.5, 2.0),
        profile_term_f64(&data, 1.0, 0.5, 2.0),
    );
    let (_, g) = profile_term_grad(&data, 1.0, 0.5, 2.0);
    let (_, g0) = gaussian_nll_grad(&data, 1.0, 0.5);
    assert_close("∂/∂μ", g[0], g0[0] + 1.0 / 4.0, 1e-14);
    assert_eq!(g[1], g0[1]);
}

twice! {
    #[differentiable(wrt(shift))]
    fn shifted_buffer_mean / shifted_buffer_mean_f64(shift: f64, values: &[f64]) -> f64 {
        let mut shifted: Vec<f64> = Vec::with_capacity(values.len());
        for v in values {
            shifted.push(v + shift * shift);
        }
        let total: f64 = shifted.iter().sum();
        total / shifted.len() as f64
    }
}

#[test]
fn vec_buffer_filled_in_a_loop() {
    let v = [1.0, 2.0, 4.5];
    bit_identical(
        shifted_buffer_mean(0.3, &v),
        shifted_buffer_mean_f64(0.3, &v),
    );
    let (_, [d]) = shifted_buffer_mean_grad(0.3, &v);
    assert_close("d/ds", d, 0.6, 1e-15);
}

// ----- methods on a struct holding event arrays ---------------------------------------------

struct Events {
    mass: Vec<f64>,
    weight: Vec<f64>,
}

impl Events {
    /// Weighted events kept by a soft mass window, as a function of its centre and width.
    #[differentiable]
    fn window_yield(&self, centre: f64, half_width: f64) -> f64 {
        let mut total = 0.0;
        for (m, w) in self.mass.iter().zip(&self.weight) {
            let d = ((m - centre) / half_width).powi(2);
            total += w * (-0.5 * d).exp();
        }
        total
    }

    fn window_yield_f64(&self, centre: f64, half_width: f64) -> f64 {
        let mut total = 0.0;
        for (m, w) in self.mass.iter().zip(&self.weight) {
            let d = ((m - centre) / half_width).powi(2);
            total += w * (-0.5 * d).exp();
        }
        total
    }
}

#[test]
fn method_on_a_struct_holding_event_arrays() {
    let ev = Events {
        mass: vec![120.0, 124.5, 125.2, 126.0, 131.0],
        weight: vec![0.8, 1.1, 1.3, 0.9, 0.5],
    };
    bit_identical(ev.window_yield(125.0, 2.0), ev.window_yield_f64(125.0, 2.0));
    let (_, g) = ev.window_yield_grad(125.0, 2.0);
    let dc: f64 = ev
        .mass
        .iter()
        .zip(&ev.weight)
        .map(|(m, w)| w * (-0.125 * (m - 125.0) * (m - 125.0)).exp() * (m - 125.0) / 4.0)
        .sum();
    assert_close("∂Y/∂centre", g[0], dc, 1e-13);
    check_companions(
        |[a, b]| ev.window_yield(a, b),
        |[a, b]| ev.window_yield_grad(a, b),
        |[a, b]| ev.window_yield_hessian(a, b),
        [125.0, 2.0],
    );
}

#[test]
fn the_generic_function_takes_any_dual_type() {
    let (y, d) = first_derivative(|s: Dual64| asimov_significance(s, Dual64::from(20.0)), 5.0);
    let (z, g) = asimov_significance_grad(5.0, 20.0);
    assert_eq!((y, d), (z, g[0]));
    let nested = sigmoid_efficiency(
        gradhep::num_dual::Dual2_64::from(1.0),
        gradhep::num_dual::Dual2_64::from_re(0.7).derivative(),
        gradhep::num_dual::Dual2_64::from(0.2),
    );
    let (_, _, h) = sigmoid_efficiency_hessian(1.0, 0.7, 0.2);
    assert_close("∂²ε/∂cut²", nested.v2, h[1][1], 1e-13);
    assert_eq!(nested.re, sigmoid_efficiency(1.0, 0.7, 0.2));
}
